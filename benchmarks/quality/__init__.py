"""Quality benchmark: a labelled corpus generator, an evaluator and a datasketch baseline.

Run ``python -m benchmarks.quality`` from the project root; see README.md in this folder.
"""
