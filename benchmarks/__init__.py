"""Benchmarks and quality evaluation; run with ``pytest benchmarks --benchmark-enable``."""
