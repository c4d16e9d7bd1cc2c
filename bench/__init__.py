"""Benchmarks of the provider against the alternatives: DAG-parse cost, request overhead, logins, memory.

Run them all with ``make bench`` (``python -m bench``); results land in ``bench/results/``. Speed is
measured here, never asserted in tests: ``tests/test_bench.py`` only runs these code paths once.
"""
