"""``make bench``: the pipeline measured against its own limits (see benchmarks/README.md)."""
