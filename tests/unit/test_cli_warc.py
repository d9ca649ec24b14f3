"""``newsflow post`` of WARC crawls and HTML files, against an in-process fake of ``/articles/batch``.

The WARC files are written here with warcio's own writer from invented pages: HTML 200 responses (one in
Latin-1), a 404, a PNG, a revisit and a request record, plain and gzip."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newsflow.client
from newsflow import warc
from newsflow.cli import main
from newsflow.posting import decode_html, expand, read_articles

PAGES = {
    f"https://news.example.org/2026/story-{n}": f"<html><head><title>Story {n}</title></head>"
    f"<body><article><h1>Story {n}</h1><p>The harbour council of Brennick met on day {n}.</p></article></body></html>"
    for n in range(3)
}
LATIN1_URL = "https://news.example.org/2026/cafe"
LATIN1_PAGE = "<html><body><p>Le café de la gare a rouvert.</p></body></html>"
SKIPS = {"status 404": 1, "type image/png": 1, "revisit record": 1, "request record": 1, "warcinfo record": 1}


def _response(writer: WARCWriter, url: str, status: str, content_type: str, payload: bytes) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(payload), http_headers=http))


def write_crawl(path: Path, gzip: bool, pages: dict[str, str] = PAGES) -> Path:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsflow tests"}))
        for n, (url, html) in enumerate(pages.items()):
            if n == 0:
                request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.org")], is_http_request=True)
                record = writer.create_warc_record(url, "request", payload=BytesIO(b""), http_headers=request)
                writer.write_record(record)
            _response(writer, url, "200 OK", "text/html; charset=utf-8" if n == 0 else "text/html", html.encode())
        _response(writer, LATIN1_URL, "200 OK", "text/html; charset=ISO-8859-1", LATIN1_PAGE.encode("latin-1"))
        _response(writer, "https://news.example.org/gone", "404 Not Found", "text/html", b"<html>gone</html>")
        _response(writer, "https://news.example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")
        first = next(iter(pages))
        writer.write_record(
            writer.create_revisit_record(first, digest="sha1:AAAA", refers_to_uri=first, refers_to_date="2026-01-01")
        )
    return path


class FakeApi:
    """``/articles/batch`` as the server answers it: articles keyed by URL (a re-post overwrites),
    a page with no paragraph (no text to extract) refused with a 422 naming the field."""

    def __init__(self, *args: Any, fail_after_batches: int | None = None, **kwargs: Any) -> None:
        self.stored: dict[str, dict[str, Any]] = {}
        self.batches: list[list[dict[str, Any]]] = []
        self.fail_after_batches = fail_after_batches

    def __enter__(self) -> FakeApi:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def post_batch(self, articles: list[dict[str, Any]]) -> dict[str, Any]:
        if self.fail_after_batches is not None and len(self.batches) >= self.fail_after_batches:
            raise KeyboardInterrupt
        assert len(json.dumps(articles).encode()) <= warc.BATCH_BYTES, "a batch over the API's body limit"
        self.batches.append(articles)
        results: list[dict[str, Any]] = []
        for index, article in enumerate(articles):
            if "<p>" not in article["html"]:
                error = {"field": "html", "message": "no article text found", "type": "value_error"}
                results.append({"index": index, "status": 422, "errors": [error]})
            else:
                self.stored[article["url"]] = article
                results.append({"index": index, "status": 202, "id": article["url"]})
        accepted = sum(1 for r in results if r["status"] == 202)
        return {"accepted": accepted, "rejected": len(results) - accepted, "results": results}


@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_only_html_200_responses_are_posted_in_batches_and_skips_are_counted(tmp_path: Path, gzip: bool) -> None:
    path = write_crawl(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip=gzip)
    api, stats = FakeApi(), warc.WarcStats()
    warc.post_warc(path, api, stats, batch_size=3)
    assert [len(b) for b in api.batches] == [3, 1]
    assert set(api.stored) == {*PAGES, LATIN1_URL}
    assert all(set(a) == {"html", "url"} for a in api.stored.values()), "no capture date, no extra field"
    assert api.stored[LATIN1_URL]["html"] == LATIN1_PAGE, "the HTTP charset decodes the page"
    assert api.stored["https://news.example.org/2026/story-1"]["html"] == PAGES["https://news.example.org/2026/story-1"]
    assert dict(stats.skipped) == SKIPS
    assert (stats.records, stats.posted, stats.accepted) == (4 + sum(SKIPS.values()), 4, 4)


def test_post_prints_a_summary_line_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api = FakeApi()
    monkeypatch.setattr(newsflow.client, "NewsflowClient", lambda *a, **k: api)
    assert main(["post", str(write_crawl(tmp_path / "crawl.warc.gz", gzip=True))]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("warc: 9 records, 4 posted, 4 accepted, 0 rejected, 5 skipped (")
    assert "status 404 1" in summary and "type image/png 1" in summary and "revisit record 1" in summary
    assert summary.endswith("records/s")


def test_rejections_are_counted_by_reason_and_fail_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api = FakeApi()
    monkeypatch.setattr(newsflow.client, "NewsflowClient", lambda *a, **k: api)
    pages = {**PAGES, "https://news.example.org/menu": "<html><body>odd</body></html>"}
    assert main(["post", str(write_crawl(tmp_path / "crawl.warc", gzip=False, pages=pages))]) == 1
    assert "1 rejected (422 html: value_error 1)" in capsys.readouterr().out


def test_an_interrupted_post_run_again_stores_every_page_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = {f"https://news.example.org/p/{n}": f"<html><body><p>Page {n}</p></body></html>" for n in range(250)}
    path = write_crawl(tmp_path / "big.warc.gz", gzip=True, pages=pages)
    api = FakeApi(fail_after_batches=1)
    assert warc.post_warc_files([path], api, progress=False) == 130
    first = capsys.readouterr()
    assert "interrupted" in first.err and ", 100 posted, 100 accepted" in first.out
    api.fail_after_batches = None
    assert warc.post_warc_files([path], api, progress=False) == 0
    assert set(api.stored) == {*pages, LATIN1_URL}, "every page stored, keyed by its URL: nothing twice"
    assert sum(len(b) for b in api.batches) == 100 + 251


def test_batches_stay_under_the_body_limit_and_an_oversized_page_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warc, "BATCH_BYTES", 3000)
    long_page = "<html><body><p>" + "word " * 200 + "</body></html>"
    pages = {f"https://news.example.org/long/{n}": long_page for n in range(5)}
    pages["https://news.example.org/huge"] = "<html><p>" + "x" * 5000 + "</html>"
    api, stats = FakeApi(), warc.WarcStats()
    warc.post_warc(write_crawl(tmp_path / "c.warc", gzip=False, pages=pages), api, stats)
    assert len(api.batches) >= 3 and set(api.stored) == {*list(pages)[:5], LATIN1_URL}
    assert stats.skipped["page over the body limit"] == 1


def test_progress_bar_does_not_change_the_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api = FakeApi()
    assert warc.post_warc_files([write_crawl(tmp_path / "c.warc", gzip=False)], api, progress=True) == 0
    assert len(api.stored) == 4 and "4 posted" in capsys.readouterr().out


def test_a_file_that_is_not_a_warc_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.warc"
    bad.write_text("this is not a web archive\n")
    assert warc.post_warc_files([bad], FakeApi(), progress=False) == 1
    assert "notes.warc: not a WARC file" in capsys.readouterr().err


def test_html_files_are_read_as_pages_for_the_server_to_extract(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    meta = tmp_path / "site" / "a.html"
    meta.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body>naïve “quotes”</body></html>'.encode("cp1252")
    )
    plain = tmp_path / "site" / "b.htm"
    plain.write_bytes(b"<html><body>caf\xc3\xa9 and a broken \xff byte</body></html>")
    (tmp_path / "site" / "logo.png").write_bytes(b"\x89PNG")
    assert expand([tmp_path / "site"]) == [meta, plain]
    [article] = read_articles(meta)
    assert article == {
        "html": '<html><head><meta charset="windows-1252"></head><body>naïve “quotes”</body></html>',
        "url": None,
    }
    assert read_articles(plain)[0]["html"] == "<html><body>café and a broken \ufffd byte</body></html>"


def test_html_charsets() -> None:
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>\xe9t\xe9</p>'
    assert decode_html(http_equiv).endswith("<p>été</p>")
    assert decode_html("été".encode(), charset="utf-8") == "été"
    assert decode_html(b"<meta charset=no-such-codec>\xc3\xa9") == "<meta charset=no-such-codec>é"
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>", charset="latin-1") == "<p>é</p>", "a BOM wins"
