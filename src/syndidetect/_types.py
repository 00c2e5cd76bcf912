"""Type aliases shared across layers."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: A (n, num_perm) matrix of MinHash values, one row per paragraph.
SignatureMatrix: TypeAlias = npt.NDArray[np.uint32]
#: Half-open character offsets into a document's decoded text.
Span: TypeAlias = tuple[int, int]
