"""The ``newsflow`` command line: infra, services, posting, searching, the demo."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapters.limits import DEFAULT_API_URL
from newsflow import console
from newsflow.settings import CliSettings

Handler = Callable[[argparse.Namespace, CliSettings], int]


def cmd_infra(args: argparse.Namespace, settings: CliSettings) -> int:
    from infra.local import InfraError, down, status, up
    from infra.local.cluster_status import cluster_report

    infra = _infra_settings(args)
    try:
        if args.action == "up":
            console.print_infra(up(infra))
        elif args.action == "down":
            down(infra)
            print("infra stopped")
        else:
            console.print_infra(status(infra))
            console.print_stack(cluster_report(infra).lines() if infra.cluster else [])  # nodes, leaders, shards
    except InfraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace, settings: CliSettings) -> int:
    if args.service == "ingest":
        from ingest_service.bootstrap import serve as serve_ingest
        from ingest_service.settings import IngestSettings

        serve_ingest(IngestSettings())
    else:
        # One BLAS thread: the NER is as fast (measured: 12.6 vs 12.1 articles/s alone) and does not
        # spin a second thread against Kafka and Elasticsearch on a small machine. Before numpy loads.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        from enrich_service.bootstrap import serve as serve_enrich
        from enrich_service.settings import EnrichSettings

        serve_enrich(EnrichSettings())
    return 0


def _infra_settings(args: argparse.Namespace) -> Any:
    from infra.local import ClusterInfraSettings, InfraSettings

    return ClusterInfraSettings() if getattr(args, "cluster", False) else InfraSettings()


def cmd_up(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.stack import StackError, stack_up

    try:
        console.print_stack(stack_up(start_infra=not args.no_infra, infra=_infra_settings(args)))
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_down(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.stack import stack_down

    stack_down(stop_infra=not args.keep_infra, infra=_infra_settings(args))
    print("newsflow stopped")
    return 0


def cmd_post(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.posting import post_paths

    return post_paths([Path(p) for p in args.paths], args.api or settings.api_url, settings.api_key_value)


def cmd_search(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.client import ApiError, NewsflowClient

    with NewsflowClient(args.api or settings.api_url, api_key=settings.api_key_value) as client:
        try:
            result = client.search(
                q=" ".join(args.query) or None,
                person=args.person,
                org=args.org,
                place=args.place,
                speaker=args.speaker,
                source=args.source,
                collapse=str(args.collapse).lower(),
                size=args.size,
                page=args.page,
                facet_size=args.facets,
                **{"from": args.date_from, "to": args.date_to},
            )
        except ApiError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    console.print_search(result)
    return 0


def cmd_enrich(args: argparse.Namespace, settings: CliSettings) -> int:
    import asyncio

    from enrich_service.offline import enrich_files
    from enrich_service.settings import EnrichSettings
    from newsflow.posting import ArticleFileError, load

    try:
        articles = load([Path(p) for p in args.paths])
    except (ArticleFileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    enrich = EnrichSettings()
    return asyncio.run(enrich_files(articles, model=args.model or enrich.model, batch_size=enrich.batch_size))


def cmd_dlq(args: argparse.Namespace, settings: CliSettings) -> int:
    import asyncio

    from enrich_service.dlq import list_dead_letters, replay_dead_letters
    from enrich_service.settings import EnrichSettings

    enrich = EnrichSettings()
    if args.action == "list":
        records = asyncio.run(list_dead_letters(enrich.kafka, enrich.topics, limit=args.limit))
        console.print_dead_letters(records, enrich.topics.dlq)
    else:
        sent = asyncio.run(replay_dead_letters(enrich.kafka, enrich.topics, stage=args.stage))
        print(f"replayed {sent} dead letters to {enrich.topics.raw}")
    return 0


def cmd_quotes(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.client import ApiError, NewsflowClient

    with NewsflowClient(args.api or settings.api_url, api_key=settings.api_key_value) as client:
        try:
            result = client.quotes(speaker=args.speaker, q=" ".join(args.query) or None, size=args.size)
        except ApiError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    console.print_quotes(result)
    return 0


def cmd_replay(args: argparse.Namespace, settings: CliSettings) -> int:
    import asyncio
    from datetime import datetime

    from enrich_service.replay import ReplayError, ReplayMode, run_replay
    from enrich_service.settings import EnrichSettings

    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            print(
                f"error: --from {args.since!r} is not an ISO date/time (e.g. 2026-11-01T00:00:00+00:00)",
                file=sys.stderr,
            )
            return 2
        if since.tzinfo is None:
            print("error: --from needs a time zone (e.g. +00:00)", file=sys.stderr)
            return 2

    async def confirm(question: str) -> bool:
        if args.yes:
            print(question + " yes (--yes)", file=sys.stderr)
            return True
        if not sys.stdin.isatty():
            print(question + " not asked: no terminal (pass --yes to swap)", file=sys.stderr)
            return False
        answer = await asyncio.get_running_loop().run_in_executor(None, input, question + " [y/N] ")
        return answer.strip().lower() in {"y", "yes"}

    def on_mode(mode: str, versions: dict[str, int]) -> None:
        seen = ", ".join(f"{v}: {n}" for v, n in versions.items()) or "no documents"
        print(f"enrichment versions in the index: {seen}; replaying {mode}", file=sys.stderr)

    mode: ReplayMode = args.mode or ("in-place" if since else "auto")
    if since is not None and mode != "in-place":
        print("error: --from goes with --in-place", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(
            run_replay(
                EnrichSettings(),
                mode=mode,
                since=since,
                confirm=confirm,
                on_progress=console.ReplayProgress(),
                on_mode=on_mode,
            )
        )
    except ReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    console.print_replay_result(result)
    return 0


def cmd_status(args: argparse.Namespace, settings: CliSettings) -> int:
    import asyncio
    import json

    from enrich_service.settings import EnrichSettings
    from newsflow.status import gather_status
    from newsflow.status_model import status_to_dict

    if not args.verbose:  # a part that is down is reported once, in the output, without the clients' own logs
        for name in ("aiokafka", "elastic_transport"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    enrich = EnrichSettings()
    status = asyncio.run(
        gather_status(
            enrich.kafka,
            enrich.es,
            enrich.topics,
            enrich.index_alias,
            worker_group=enrich.app_id,
            dedup_index=enrich.dedup_index,
        )
    )
    if args.json:
        print(json.dumps(status_to_dict(status), indent=2))
    else:
        console.print_status(status)
    return 0 if status.ok else 1


def cmd_kibana(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.kibana import (
        DEFAULT_FILE,
        DEFAULT_URL,
        KibanaImportError,
        SavedObjectsError,
        check_saved_objects,
        import_saved_objects,
        load_saved_objects,
        with_alias,
    )

    path = Path(args.file) if args.file else DEFAULT_FILE
    try:
        objects = load_saved_objects(path)
    except (SavedObjectsError, OSError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    from enrich_service.settings import EnrichSettings

    objects = with_alias(objects, args.alias or EnrichSettings().index_alias)
    report = check_saved_objects(objects)
    if args.action == "check" or not report.ok:
        print(f"{path} against the index template (schemas/elasticsearch/articles.index.json):")
        print("\n".join(report.lines()))
        return 0 if report.ok else 1
    url = args.url or (str(settings.kibana_url).rstrip("/") if settings.kibana_url else DEFAULT_URL)
    try:
        result = import_saved_objects(
            url,
            objects,
            overwrite=not args.no_overwrite,
            space=args.space,
            api_key=settings.kibana_api_key_value,
            username=settings.kibana_username,
            password=settings.kibana_password_value,
            wait_s=args.wait,
        )
    except KibanaImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    print(f"open {url.rstrip('/')}{f'/s/{args.space}' if args.space else ''}/app/dashboards#/view/newsflow-dashboard")
    return 0


def cmd_demo(args: argparse.Namespace, settings: CliSettings) -> int:
    from newsflow.demo import run_demo

    return run_demo(settings, keep_running=not args.stop, cluster=args.cluster)


def _cluster_flag(p: argparse.ArgumentParser) -> None:
    help_ = "three Kafka brokers and two Elasticsearch nodes on their own ports (NEWSFLOW_CLUSTER_*)"
    p.add_argument("--cluster", action="store_true", help=help_)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("infra", cmd_infra, "start/stop the local Kafka and Elasticsearch")
    p.add_argument("action", choices=["up", "down", "status"])
    _cluster_flag(p)
    p = add("serve", cmd_serve, "run one service in the foreground")
    p.add_argument("service", choices=["ingest", "enrich"])
    p = add("up", cmd_up, "infra + both services in the background")
    p.add_argument("--no-infra", action="store_true", help="use Kafka/Elasticsearch that already run")
    _cluster_flag(p)
    p = add("down", cmd_down, "stop the services and the local infra")
    p.add_argument("--keep-infra", action="store_true")
    _cluster_flag(p)
    p = add("post", cmd_post, "post article files (.txt, .json, .ndjson, .html, or folders) or crawls (.warc[.gz])")
    p.add_argument("paths", nargs="+")
    p.add_argument("--api", help=f"ingest API base URL (default $NEWSFLOW_API or {DEFAULT_API_URL})")
    p = add("search", cmd_search, "search the archive")
    p.add_argument("query", nargs="*")
    for facet in ("person", "org", "place", "speaker", "source"):
        p.add_argument(f"--{facet}", action="append", default=[])
    p.add_argument("--collapse", action="store_true", help="one hit per story (duplicates folded)")
    p.add_argument("--from", dest="date_from", help="published on or after (ISO date or date-time)")
    p.add_argument("--to", dest="date_to", help="published on or before (ISO date or date-time)")
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--facets", type=int, default=10, help="values shown per facet")
    p.add_argument("--api")
    p = add("enrich", cmd_enrich, "enrich article files offline (no Kafka/ES); one EnrichedArticle JSON per line")
    p.add_argument("paths", nargs="+")
    p.add_argument("--model", help="spaCy pipeline package (default $NEWSFLOW_ENRICH_MODEL or the small English model)")
    p = add("dlq", cmd_dlq, "what is in the dead-letter topic and why; send it back after a fix")
    p.add_argument("action", choices=["list", "replay"])
    p.add_argument("--limit", type=int, default=100, help="list: at most this many")
    p.add_argument("--stage", help="replay: only records that failed at this stage (decode, validate, nlp, index...)")
    p = add("quotes", cmd_quotes, "find what someone said: quotes by speaker and text")
    p.add_argument("query", nargs="*", help="words the quote contains")
    p.add_argument("--speaker", help="canonical name or part of it")
    p.add_argument("--size", type=int, default=20)
    p.add_argument("--api")
    p = add(
        "replay", cmd_replay, "re-enrich the archive from the raw topic: in place, or into a new index + alias swap"
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--in-place", dest="mode", action="store_const", const="in-place", help="overwrite the current index"
    )
    how.add_argument(
        "--new-index",
        dest="mode",
        action="store_const",
        const="new-index",
        help="build <alias>-v<N+1>, then swap the alias (the default when the enrichment version changed)",
    )
    how.add_argument(
        "--rollback", dest="mode", action="store_const", const="rollback", help="alias back to the previous index"
    )
    p.add_argument("--from", dest="since", help="in place: only articles received since this ISO time")
    p.add_argument("--yes", action="store_true", help="swap without asking")
    p = add("status", cmd_status, "topics and offsets, consumer lag, alias, indices, document counts, dead letters")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = add("kibana", cmd_kibana, "Kibana saved objects (data view, searches, dashboard): check offline, or import")
    p.add_argument("action", choices=["check", "import"])
    p.add_argument("--file", help="saved objects NDJSON (default infra/kibana/newsflow.ndjson)")
    p.add_argument("--url", help="import: Kibana base URL (default $NEWSFLOW_KIBANA_URL or http://localhost:5601)")
    p.add_argument("--alias", help="index alias the data view reads (default $NEWSFLOW_ENRICH_INDEX_ALIAS or articles)")
    p.add_argument("--space", help="import: into this Kibana space (default: the default space)")
    p.add_argument("--no-overwrite", action="store_true", help="import: keep objects that already exist")
    p.add_argument("--wait", type=float, default=0.0, help="import: retry this many seconds while Kibana starts")
    p = add("demo", cmd_demo, "start everything, post the demo articles, show what was found")
    p.add_argument("--stop", action="store_true", help="stop everything after the demo")
    _cluster_flag(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = CliSettings()
    except ValidationError as exc:
        print(f"error: a NEWSFLOW_ variable of the CLI is not valid: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    return handler(args, settings)
