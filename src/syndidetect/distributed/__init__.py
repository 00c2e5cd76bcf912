"""Detection over a Dask collection: the in-process stages, spread over a cluster.

The stages are the library's own (preparation, the boilerplate rule, the LSH and its estimate
filter, ``judge_pair``, report assembly); this package only moves data between them, each step a
Dask DataFrame operation:

1. ``inputs``: files, folders, Parquet, DataFrames or bags of documents as one frame;
2. ``prepare``: per input partition, :func:`~syndidetect.prepared.prepare_documents` gives each
   document a global ordinal, its matchable paragraphs' signatures and a blob of what verification
   reads (``blobs``: its arrays in one buffer, with its word stream); the ordinals keep the prepared
   frame's partitions addressable;
3. ``masks``: (document, distinct short shingle) rows shuffled on the shingle give the document
   frequencies, sent back to each document's partition for its boilerplate mask;
4. ``candidates``: when the workers' memory allows, the signatures are gathered in one task that
   runs the in-process LSH and estimate filter (:func:`~syndidetect.document_candidates.owner_pairs`); else band
   keys shuffled on (band, key) give every bucket whole to one partition, where
   :func:`~syndidetect.lsh.candidate_pairs` yields paragraph pairs as in process, and the estimate
   filter (:func:`~syndidetect.lsh.likely_pairs`) drops most before any document data is joined;
5. ``verification``: each likely pair is judged in one of its documents' partitions, which the
   other document's blob reaches once for all the pairs judged there;
6. ``pipeline``: :func:`~syndidetect.assembly.assemble_report` makes the report from the collected pair
   reports, or :func:`detect_to_parquet` writes documents, pairs and matches as Parquet. Up to
   32 partitions its shuffles run as tasks (one stage), unless Dask's configuration names a method.

:func:`detect_dask` returns a :class:`~syndidetect.report.Report` equal to the in-process one with
``sentence_candidates=False``: candidates come from the paragraph LSH only (the sentence LSH for
heavy rewording runs in process). Dask is imported lazily: without the ``dask`` extra only calling
these functions fails.
"""

from __future__ import annotations

from syndidetect.distributed.deps import WORKER_PRELOAD, require_dask
from syndidetect.distributed.inputs import read_collection
from syndidetect.distributed.pipeline import ParquetResult, detect_dask, detect_to_parquet

__all__ = ["WORKER_PRELOAD", "ParquetResult", "detect_dask", "detect_to_parquet", "read_collection", "require_dask"]
