"""``python -m enrich_service.evaluation [--check] [--quiet] [--no-throughput] [--out PATH] [GOLD ...]``

Scores the real enrichment against every gold file (``tests/gold/*.gold.json`` and ``demo/expected.json``
by default), prints per-article misses, per-file and overall tables and throughput, and writes the
results as JSON (``build/eval/latest.json``). Exit code 0, or with ``--check`` 1 when a target is missed
or a dedup check fails.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from enrich_service.evaluation.gold import PROJECT_ROOT, default_gold_paths, load_gold
from enrich_service.evaluation.runner import evaluate, text_report, write_json

DEFAULT_OUT = PROJECT_ROOT / "build" / "eval" / "latest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m enrich_service.evaluation", description=__doc__)
    parser.add_argument("gold", nargs="*", type=Path, help="gold files (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quiet", action="store_true", help="no per-article detail")
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON (default: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    files = load_gold(args.gold or default_gold_paths())
    report = evaluate(files, measure_throughput=not args.no_throughput)
    sys.stdout.write(text_report(report, verbose=not args.quiet) + "\n")
    write_json(report, args.out)
    sys.stdout.write(f"results written to {args.out}\n")
    failed = bool(report["missed_targets"] or report["dedup_failures"])
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
