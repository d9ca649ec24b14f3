"""``python -m evaluation [--check] [--quiet] [--no-throughput] [--out PATH] [GOLD ...]``

Scores the real enrichment against the corpus of real-world articles in ``../shared/corpus`` (the test
split scored blind, the dev split with its misses) and the regression sets (``../shared/samples/gold.json``,
``tests/gold/*.gold.json``, ``demo/expected.json``), prints per-article misses (never for the test split),
tables and throughput, and writes the results as JSON (``build/eval/latest.json``). Exit code 0, or with
``--check`` 1 when a target is missed on the test split or a dedup check fails. GOLD files given on the
command line replace the regression sets.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from evaluation.gold import (
    CORPUS_DIR,
    CORPUS_SPLITS,
    PROJECT_ROOT,
    SharedMissingError,
    default_gold_paths,
    load_corpus_split,
    load_gold,
    require_shared,
)
from evaluation.html_input import html_version
from evaluation.report import text_report
from evaluation.runner import evaluate, write_json

DEFAULT_OUT = PROJECT_ROOT / "build" / "eval" / "latest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    parser.add_argument("gold", nargs="*", type=Path, help="regression gold files (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a test-split target is missed")
    parser.add_argument("--quiet", action="store_true", help="no per-article detail")
    parser.add_argument("--no-throughput", action="store_true", help="skip the throughput measurement")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR, help="the corpus folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON (default: %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        require_shared(args.corpus)
    except SharedMissingError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    corpus = [load_corpus_split(args.corpus / split, start=1000 * n) for n, split in enumerate(CORPUS_SPLITS)]
    files = corpus + [html_version(split) for split in corpus] + load_gold(args.gold or default_gold_paths())
    report = evaluate(files, measure_throughput=not args.no_throughput)
    sys.stdout.write(text_report(report, verbose=not args.quiet) + "\n")
    write_json(report, args.out)
    sys.stdout.write(f"results written to {args.out}\n")
    failed = bool(report["missed_targets"] or report["dedup_failures"])
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
