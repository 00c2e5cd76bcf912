"""syndidetect: find republished text (syndicated, embedded or spun copies), paragraph by paragraph.

>>> import syndidetect as sd
>>> sd.shingles("Men fleeing Chechnya")
['men fleeing chechnya']
"""

from syndidetect._version import __version__
from syndidetect.config import Config
from syndidetect.detector import Detector, detect
from syndidetect.documents import Document
from syndidetect.errors import SyndidetectError
from syndidetect.interop import from_datasketch, to_datasketch
from syndidetect.minhash import signatures
from syndidetect.report import Report
from syndidetect.shingles import shingles

__all__ = [
    "Config",
    "Detector",
    "Document",
    "Report",
    "SyndidetectError",
    "__version__",
    "detect",
    "from_datasketch",
    "shingles",
    "signatures",
    "to_datasketch",
]
