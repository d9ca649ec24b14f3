"""``newsflow post CRAWL.warc.gz`` on the real pipeline: 200 HTML pages of a crawl (among records that are
skipped) become 200 indexed articles, and posting the crawl again (an interrupted run restarted) leaves 200."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from elasticsearch import Elasticsearch
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.integration.pipeline import Pipeline
from tests.integration.waiting import wait_until

TOWNS = ["Brennick", "Lowmarsh", "Caddon Falls", "Ostrevale", "Pellingham", "Varrow Bay", "Kestlemoor", "Tamsford"]
TOPICS = ["a new ferry terminal", "the flooded ring road", "a school closure", "the harbour dredging plan"]
PEOPLE = ["Mara Quillon", "Tobias Fenwright", "Ines Halvorsen", "Dmitri Achterberg", "Priya Soolani"]
PAGES = 200


def page(n: int) -> str:
    town, topic, person = TOWNS[n % 8], TOPICS[n // 8 % 4], PEOPLE[n % 5]
    paragraphs = [
        f"The council of {town} voted on {topic} on Tuesday evening, story number {n} of this invented crawl.",
        f'"We have waited {n + 3} years for this decision," said {person}, who chairs the residents\' group.',
        f"Officials in {town} said the work would begin within {n % 11 + 2} months and cost {n * 7 + 40} million.",
        f"Opponents of {topic} in {town} said they would ask the regional court to review vote {n}.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{town} votes on {topic} ({n})</title>"
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{town} votes on {topic} ({n})</h1>{body}"
        f"</article><footer>Invented News Ltd</footer></body></html>"
    )


def write_crawl(path: Path) -> Path:
    def response(url: str, status: str, content_type: str, payload: bytes) -> None:
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(payload), http_headers=http))

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(PAGES):
            url = f"https://invented-news.example/{n % 8}/story-{n}"
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "invented-news.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request))
            response(url, "200 OK", "text/html; charset=utf-8", page(n).encode())
        response("https://invented-news.example/missing", "404 Not Found", "text/html", b"<html>not here</html>")
        response("https://invented-news.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")
    return path


def post(pipeline: Pipeline, crawl: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "newsflow", "post", str(crawl)],
        env={**os.environ, "NEWSFLOW_API": pipeline.api},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"newsflow post exited {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


def indexed(es: Elasticsearch, pipeline: Pipeline, since: datetime | None = None) -> int:
    es.options(ignore_status=404).indices.refresh(index=pipeline.alias)
    query = {"range": {"received_at": {"gte": since.isoformat()}}} if since else {"match_all": {}}
    result = es.options(ignore_status=404).count(index=pipeline.alias, query=query)
    return int(result.get("count", 0))


def test_a_crawl_is_indexed_once_even_when_posted_again(pipeline: Pipeline, es: Elasticsearch, tmp_path: Path) -> None:
    crawl = write_crawl(tmp_path / "crawl.warc.gz")
    summary = post(pipeline, crawl)
    assert f"{2 * PAGES + 2} records, {PAGES} posted, {PAGES} accepted, 0 rejected" in summary, summary
    assert "status 404 1" in summary and "type image/png 1" in summary, summary
    context = lambda: f"--- enrich log:\n{pipeline.log_tail('enrich')}"  # noqa: E731
    wait_until(
        f"{PAGES} articles of the crawl indexed",
        lambda: indexed(es, pipeline),
        lambda n: n == PAGES,
        timeout_s=300,
        interval_s=1,
        context=context,
    )
    again = datetime.now(UTC)
    post(pipeline, crawl)
    wait_until(
        f"all {PAGES} articles re-received after the second post",
        lambda: indexed(es, pipeline, since=again),
        lambda n: n >= PAGES,
        timeout_s=300,
        interval_s=1,
        context=context,
    )
    assert indexed(es, pipeline) == PAGES, "a re-posted page overwrote its article instead of adding one"
