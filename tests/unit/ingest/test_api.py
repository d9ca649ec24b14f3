"""The ingest HTTP API, in process (ASGITransport), with a fake publisher standing in for Kafka."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
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
    def __init__(self) -> None:
        self.published: list[RawArticle] = []
        self.down = False

    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    async def ready(self) -> bool:
        return not self.down

    async def publish(self, article: RawArticle) -> Published:
        if self.down:
            raise PublishError("Kafka did not acknowledge")
        self.published.append(article)
        return Published(article.id, "articles.raw", 0, len(self.published) - 1)

    async def publish_many(self, articles: Sequence[RawArticle]) -> list[Published | PublishError]:
        outcomes: list[Published | PublishError] = []
        for article in articles:
            try:
                outcomes.append(await self.publish(article))
            except PublishError as exc:
                outcomes.append(exc)
        return outcomes


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


async def _client(settings: IngestSettings, publisher: FakePublisher) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, publisher)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as client:
        yield client


@pytest.fixture
async def client(publisher: FakePublisher) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(IngestSettings(max_body_bytes=10_000, max_batch_items=3), publisher):
        yield c


async def test_an_accepted_article_answers_202_with_where_it_was_written(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    response = await client.post("/articles", json=ARTICLE)
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "topic", "partition", "offset"}
    assert publisher.published[0].id == body["id"] and publisher.published[0].received_at is not None


async def test_an_invalid_article_is_422_per_field_and_not_published(
    client: httpx.AsyncClient, publisher: FakePublisher
) -> None:
    response = await client.post("/articles", json={"title": "", "body": "b", "colour": "red"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"title", "colour"}
    assert publisher.published == []


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'["a list"]', "application/json", 422),
        (json.dumps(ARTICLE).encode(), "text/plain", 415),
        (b"x" * 20_000, "application/json", 413),
    ],
)
async def test_bad_bodies_get_a_clear_4xx(
    client: httpx.AsyncClient, publisher: FakePublisher, content: bytes, content_type: str, status: int
) -> None:
    response = await client.post("/articles", content=content, headers={"content-type": content_type})
    assert response.status_code == status
    assert response.json()["error"]
    assert publisher.published == []


async def test_kafka_unavailable_is_503_with_retry_after(client: httpx.AsyncClient, publisher: FakePublisher) -> None:
    publisher.down = True
    response = await client.post("/articles", json=ARTICLE)
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert (await client.get("/readyz")).status_code == 503
    assert (await client.get("/healthz")).status_code == 200


async def test_a_batch_reports_each_item(client: httpx.AsyncClient, publisher: FakePublisher) -> None:
    items = [ARTICLE, {"title": "x"}, {**ARTICLE, "url": "https://g.example/b"}]
    response = await client.post("/articles/batch", json=items)
    assert response.status_code == 200
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (2, 1)
    assert [r["status"] for r in result["results"]] == [202, 422, 202]
    assert len(publisher.published) == 2


async def test_a_batch_accepts_ndjson_and_refuses_too_many_items(client: httpx.AsyncClient) -> None:
    ndjson = "\n".join(json.dumps({**ARTICLE, "url": f"https://g.example/{i}"}) for i in range(2))
    ok = await client.post("/articles/batch", content=ndjson, headers={"content-type": "application/x-ndjson"})
    assert ok.json()["accepted"] == 2
    too_many = await client.post("/articles/batch", json=[ARTICLE] * 4)
    assert too_many.status_code == 413


async def test_api_keys_when_configured(publisher: FakePublisher) -> None:
    settings = IngestSettings(api_keys=[SecretStr("s3cret")])
    async for client in _client(settings, publisher):
        assert (await client.post("/articles", json=ARTICLE)).status_code == 401
        wrong = await client.post("/articles", json=ARTICLE, headers={"x-api-key": "nope"})
        assert wrong.status_code == 403
        right = await client.post("/articles", json=ARTICLE, headers={"x-api-key": "s3cret"})
        assert right.status_code == 202
        assert (await client.get("/healthz")).status_code == 200


async def test_openapi_documents_the_article_body(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    body = spec["paths"]["/articles"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ArticleIn"}
    assert "title" in spec["components"]["schemas"]["ArticleIn"]["properties"]


async def test_search_answers_503_while_elasticsearch_recovers(publisher: FakePublisher) -> None:
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import ApiError

    from ingest_service.search import ArticleSearch

    class RecoveringES:
        async def get(self, **kwargs: object) -> None:
            meta = ApiResponseMeta(503, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "localhost", 9200))
            raise ApiError("no_shard_available_action_exception", meta, {})

        search = get

    app = create_app(IngestSettings(), publisher, ArticleSearch(RecoveringES(), "articles"))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as client:
        for path in ("/articles/x", "/search?q=harbour"):
            response = await client.get(path)
            assert response.status_code == 503, path
            assert response.headers["retry-after"]


async def test_paging_past_the_result_window_is_a_422_not_a_500(publisher: FakePublisher) -> None:
    from ingest_service.search import ArticleSearch

    app = create_app(IngestSettings(), publisher, ArticleSearch(None, "articles"))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest") as client:
        for path in ("/search?page=999&size=20", "/quotes?page=999&size=20"):
            response = await client.get(path)
            assert response.status_code == 422, path
            assert response.json()["errors"][0]["field"] == "page"
