"""Evaluation of the enrichment against hand-written gold (``python -m evaluation``).

* ``gold`` — loading gold files (``tests/gold/*.gold.json``, ``demo/expected.json``) and their articles;
* ``scoring`` — pure scoring: quote recall/precision by kind, speaker accuracy, entity P/R/F1, targets;
* ``runner`` — runs the real ``Enricher`` (same code path as the worker), the dedup checks, throughput,
  and prints the report (``__main__`` is the command line).
"""
