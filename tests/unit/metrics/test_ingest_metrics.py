"""``GET /metrics`` of the ingest service: requests by route template and status, publishes, accepted."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from ingest_service.app import create_app
from ingest_service.errors import PublishError
from ingest_service.publisher import Published
from ingest_service.settings import IngestSettings
from schemas.articles import RawArticle

ARTICLE = {
    "title": "Harbour to expand",
    "body": "The Harbour Authority approved the plan.",
    "url": "https://g.example/a",
}


class FakePublisher:
    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    async def ready(self) -> bool:
        return True

    async def publish(self, article: RawArticle) -> Published:
        return Published(article.id, "articles.raw", 0, 0)

    async def publish_many(self, articles: Sequence[RawArticle]) -> list[Published | PublishError]:
        return [Published(a.id, "articles.raw", 0, i) for i, a in enumerate(articles)]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def client(settings: IngestSettings | None = None) -> httpx.AsyncClient:
    app = create_app(settings or IngestSettings(), FakePublisher())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


async def test_requests_are_counted_by_route_template_and_status() -> None:
    async with client() as c:
        for _ in range(3):
            assert (await c.post("/articles", json=ARTICLE)).status_code == 202
        assert (await c.post("/articles/batch", json=[ARTICLE, ARTICLE])).status_code in (200, 202, 207)
        assert (await c.post("/articles", json={"title": ""})).status_code == 422
        assert (await c.get("/no/such/path/123")).status_code == 404
        page = await c.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    found = samples(page.text)
    assert found[("newsflow_ingest_requests_total", (("route", "/articles"), ("status", "202")))] == 3
    assert found[("newsflow_ingest_requests_total", (("route", "/articles"), ("status", "422")))] == 1
    assert found[("newsflow_ingest_requests_total", (("route", "unmatched"), ("status", "404")))] == 1
    assert found[("newsflow_ingest_articles_accepted_total", ())] == 5
    assert found[("newsflow_ingest_publish_seconds_count", ())] == 4  # 3 single publishes, 1 batch
    assert not any("/no/such" in str(key) for key in found), "raw paths must not become labels"


async def test_a_refused_api_key_is_counted_under_its_route_and_metrics_need_no_key() -> None:
    async with client(IngestSettings(api_keys=[SecretStr("k")])) as c:
        assert (await c.post("/articles", json=ARTICLE)).status_code == 401
        page = await c.get("/metrics")
    assert page.status_code == 200
    assert samples(page.text)[("newsflow_ingest_requests_total", (("route", "/articles"), ("status", "401")))] == 1


async def test_each_app_counts_only_its_own_requests() -> None:
    async with client() as first, client() as second:
        await first.post("/articles", json=ARTICLE)
        found = samples((await second.get("/metrics")).text)
    assert ("newsflow_ingest_requests_total", (("route", "/articles"), ("status", "202"))) not in found
