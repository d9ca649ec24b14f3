"""``newsflow demo``: everything up, the demo articles posted and searchable, results printed."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from newsflow import console
from newsflow.client import ApiError, NewsflowClient
from newsflow.posting import expand, read_articles
from newsflow.settings import CliSettings
from newsflow.stack import Services, StackError, services_for, stack_down, stack_up

if TYPE_CHECKING:
    from infra.local import InfraSettings

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo" / "articles"


def run_demo(settings: CliSettings, keep_running: bool = True, cluster: bool = False) -> int:
    """Start what ``newsflow up`` starts and post to that very ingest service (its URL from the same
    settings: ``NEWSFLOW_INGEST_HOST``/``PORT``), with the CLI's API key if one is set. ``cluster``: on three
    Kafka brokers and two Elasticsearch nodes (``newsflow infra up --cluster``)."""
    from infra.local import ClusterInfraSettings, InfraSettings

    started = time.monotonic()
    infra = ClusterInfraSettings() if cluster else InfraSettings()
    services = services_for(infra)
    try:
        for line in stack_up(start_infra=True, infra=infra, services=services):
            print(line)
    except StackError as exc:
        print(f"error: {exc}")
        return 1
    try:
        return _post_and_show(started, services, settings.api_key_value, infra)
    finally:
        if not keep_running:
            stack_down(stop_infra=True, infra=infra, services=services)


def _rebuild_if_outdated(infra: InfraSettings) -> bool:
    """An index left by an older newsflow (another index definition) is rebuilt first, as a user would."""
    import asyncio

    from adapters.elastic import make_client, outdated_index
    from adapters.settings import ElasticsearchSettings, KafkaSettings
    from enrich_service.replay import ReplayError, run_replay
    from enrich_service.settings import EnrichSettings

    settings = EnrichSettings(
        kafka=KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), es=ElasticsearchSettings(url=infra.es_hosts)
    )

    async def check() -> str | None:
        es = make_client(settings.es)
        try:
            return await outdated_index(es, settings.index_alias)
        finally:
            await es.close()

    async def yes(question: str) -> bool:
        print(question + " yes")
        return True

    warning = asyncio.run(check())
    if warning is None:
        return True
    print(f"\n{warning}\n== newsflow replay --new-index --yes (the demo rebuilds it now)")
    try:
        result = asyncio.run(run_replay(settings, mode="new-index", confirm=yes, on_progress=console.ReplayProgress()))
    except ReplayError as exc:
        print(f"error: {exc}")
        return False
    console.print_replay_result(result)
    return True


def _post_and_show(started: float, services: Services, api_key: str | None, infra: InfraSettings) -> int:
    files = [p for p in expand([DEMO_DIR]) if p.suffix == ".json"]
    articles = [a for p in files for a in read_articles(p)]
    if not _rebuild_if_outdated(infra):
        return 1
    print(f"\nposting {len(articles)} demo articles (fictional) from {DEMO_DIR}")
    posted_at = datetime.now(UTC) - timedelta(seconds=5)  # the server's clock may be a little behind
    api = services.ingest_url
    with NewsflowClient(api, api_key=api_key) as client:
        try:
            result = client.post_batch(articles)
        except ApiError as exc:
            print(f"error: {exc}")
            return 1
        console.print_post_results(result)
        ids = [r["id"] for r in result["results"] if r["status"] == 202]
        missing = client.wait_searchable(ids, timeout_s=180, received_after=posted_at)
        if missing:
            print(f"error: {len(missing)} articles not searchable after 180 s: {missing}")
            print(
                "       why: .venv/bin/newsflow dlq list; .venv/bin/newsflow status; the logs (newsflow infra status)"
            )
            return 1
        print(f"all {len(ids)} articles searchable {time.monotonic() - started:.1f} s after `newsflow demo` started\n")

        print("== newsflow search (everything, with entity facets)")
        console.print_search(client.search(size=10))
        print("\n== newsflow search harbour --collapse (one hit per story, copies folded)")
        console.print_search(client.search(q="harbour", collapse="true", size=5))
        speakers = client.search(size=0)["facets"].get("speakers") or []
        if speakers:
            top = speakers[0]["value"]
            print(f"\n== newsflow search --speaker '{top}' (articles quoting the most-quoted speaker)")
            console.print_search(client.search(speaker=[top], size=5))
    worker = services.launch("enrich")
    es_url, alias = (worker.setting("es__url") or "").split(",")[0], worker.setting("index_alias")
    flag, make = (" --cluster", "make down-cluster") if infra.cluster else ("", "make down")
    print(
        "\nWhere to look next:\n"
        f"  API docs            {api}/docs\n"
        f"  search API          {api}/search?q=harbour&collapse=true\n"
        f"  Elasticsearch       {es_url}/{alias}/_search?pretty\n"
        "  CLI                 .venv/bin/newsflow search --person 'NAME' | newsflow post FILES...\n"
        f"  logs                .venv/bin/newsflow infra status{flag} (paths of every log)\n"
        f"  stop everything     {make}"
    )
    return 0
