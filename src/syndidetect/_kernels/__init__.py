"""Compiled kernels, each with a numpy path giving the same results (tested equal).

Signatures: ``reference`` (numpy and xxhash, obviously right) and ``fast`` (numba: tokeniser, xxh32
and minima compiled together), with the fast kernel's ``lookup`` tables and ``batch`` encoding.
Verification: ``overlap``, ``tiling``, ``tfidf_rows``, ``sentence_reach``, ``words``, ``sides``, ``merge``,
``sentences``.
Compilation: ``jit`` (on first use, with the on-disk cache wherever it can live), ``lazy`` (only
once a process has enough work to repay it; a kernel numba's cache lacks, only once its numpy path
has cost what the compile would) and ``rent`` (that spend, kept across runs).
"""
