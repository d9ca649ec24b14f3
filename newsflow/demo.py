"""``newsflow demo``: everything up, the demo articles posted and searchable, results printed."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow import console
from newsflow.client import ApiError, NewsflowClient
from newsflow.posting import expand, read_articles
from newsflow.stack import StackError, stack_down, stack_up

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo" / "articles"


def run_demo(keep_running: bool = True) -> int:
    started = time.monotonic()
    try:
        for line in stack_up(start_infra=True):
            print(line)
    except StackError as exc:
        print(f"error: {exc}")
        return 1
    try:
        return _post_and_show(started)
    finally:
        if not keep_running:
            stack_down(stop_infra=True)


def _rebuild_if_outdated() -> bool:
    """An index left by an older newsflow (another index definition) is rebuilt first, as a user would."""
    import asyncio

    from enrich_service.replay import ReplayError, run_replay
    from enrich_service.settings import EnrichSettings
    from infra.local import InfraSettings
    from newsflow.config import ElasticsearchSettings, KafkaSettings
    from newsflow.elastic import make_client, outdated_index

    infra = InfraSettings()
    settings = EnrichSettings(
        kafka=KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), es=ElasticsearchSettings(url=infra.es_url)
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


def _post_and_show(started: float) -> int:
    files = [p for p in expand([DEMO_DIR]) if p.suffix == ".json"]
    articles = [a for p in files for a in read_articles(p)]
    if not _rebuild_if_outdated():
        return 1
    print(f"\nposting {len(articles)} demo articles (fictional) from {DEMO_DIR}")
    posted_at = datetime.now(UTC) - timedelta(seconds=5)  # the server's clock may be a little behind
    with NewsflowClient("http://localhost:8000") as client:
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
    print(
        "\nWhere to look next:\n"
        "  API docs            http://localhost:8000/docs\n"
        "  search API          http://localhost:8000/search?q=harbour&collapse=true\n"
        "  Elasticsearch       http://localhost:9200/articles/_search?pretty\n"
        "  CLI                 .venv/bin/newsflow search --person 'NAME' | newsflow post FILES...\n"
        "  logs                .venv/bin/newsflow infra status (paths of every log)\n"
        "  stop everything     make down"
    )
    return 0
