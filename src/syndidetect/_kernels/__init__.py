"""Signature kernels: a numpy reference and a numba fast path, bit-identical by test."""
