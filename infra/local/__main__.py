"""``python -m infra.local up|down|status``: manage the local Kafka + Elasticsearch by hand."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from pydantic import ValidationError

from infra.local.cluster_status import cluster_report
from infra.local.errors import InfraError
from infra.local.manager import down, status, up
from infra.local.settings import ClusterInfraSettings, InfraSettings

EXIT_FAILED = 1
EXIT_NOT_HEALTHY = 3  # ``status`` when something is not running or not healthy


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    parser.add_argument("--cluster", action="store_true", help="3 Kafka brokers + 2 Elasticsearch nodes")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = ClusterInfraSettings() if args.cluster else InfraSettings()
        started = time.monotonic()
        if args.command == "up":
            state = up(settings)
            _say(state.summary())
            _say(f"up in {time.monotonic() - started:.1f}s")
            return 0
        if args.command == "down":
            down(settings)
            _say(f"stopped Kafka and Elasticsearch of {settings.run_dir} in {time.monotonic() - started:.1f}s")
            return 0
        state = status(settings)
        _say(state.summary())
        if settings.cluster:
            for line in cluster_report(settings).lines():
                _say(line)
        return 0 if state.healthy else EXIT_NOT_HEALTHY
    except (InfraError, ValidationError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
