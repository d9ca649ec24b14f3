"""``newsflow post CRAWL.warc[.gz]``: the HTML pages of a web archive, posted to ``/articles/batch``.

Every ``response`` record answering 200 with an HTML content type becomes ``{"html": ..., "url":
WARC-Target-URI}``; everything else is skipped and counted by reason (request, revisit, metadata and
warcinfo records, other statuses, other content types, empty or oversized pages). The capture date is not
sent: it is not the publication date, and the article schema has no field for it. Batches hold at most
``BATCH_SIZE`` pages and stay under the API's body limit. The server derives an article's id from its URL
and a re-post overwrites, so a crawl interrupted and posted again is indexed once.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from adapters.limits import MAX_BODY_BYTES
from newsflow.posting import charset_of, decode_html

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# The JSON of one batch stays this far under the API's body limit (a batch over it is refused whole).
BATCH_BYTES = MAX_BODY_BYTES - 64 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
WARC_SUFFIXES = (".warc", ".warc.gz")


class BatchPoster(Protocol):
    def post_batch(self, articles: list[dict[str, Any]]) -> dict[str, Any]: ...


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


@dataclass
class WarcStats:
    records: int = 0
    posted: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        def reasons(counts: Counter[str]) -> str:
            return f" ({', '.join(f'{k} {v}' for k, v in counts.most_common())})" if counts else ""

        rate = self.records / max(time.monotonic() - self.started, 1e-9)
        return (
            f"warc: {self.records} records, {self.posted} posted, {self.accepted} accepted, "
            f"{sum(self.rejected.values())} rejected{reasons(self.rejected)}, "
            f"{sum(self.skipped.values())} skipped{reasons(self.skipped)}, {rate:.1f} records/s"
        )


def html_articles(stream: IO[bytes], stats: WarcStats) -> Iterator[dict[str, Any]]:
    """The HTML 200 responses of a WARC stream (plain or gzip) as articles; counts records and skips."""
    for record in ArchiveIterator(stream):
        if not record.format.startswith("warc"):  # warcio reads any text as an old ARC record
            raise ArchiveLoadFailed(f"{getattr(stream, 'name', 'input')}: not a WARC file (found {record.format})")
        stats.records += 1
        if record.rec_type != "response":
            stats.skipped[f"{record.rec_type} record"] += 1
            continue
        http = record.http_headers
        if http is None:
            stats.skipped["no HTTP headers"] += 1
            continue
        status = http.get_statuscode()
        if status != "200":
            stats.skipped[f"status {status}"] += 1
            continue
        content_type = http.get_header("Content-Type") or ""
        mime = content_type.split(";")[0].strip().lower()
        if mime not in HTML_TYPES:
            stats.skipped[f"type {mime or 'none'}"] += 1
            continue
        data = record.content_stream().read()
        if not data.strip():
            stats.skipped["empty page"] += 1
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        yield {"html": decode_html(data, charset_of(content_type)), "url": url}


def rejection_reason(item: dict[str, Any]) -> str:
    errors = item.get("errors")
    if errors:
        first = errors[0]
        return f"{item['status']} {first.get('field', '?')}: {first.get('type') or first.get('message')}"
    return f"{item['status']} {item.get('error') or 'error'}"


def post_batch(client: BatchPoster, batch: list[dict[str, Any]], stats: WarcStats) -> None:
    result = client.post_batch(batch)
    stats.posted += len(batch)
    stats.accepted += result["accepted"]
    for item in result["results"]:
        if item["status"] != 202:
            stats.rejected[rejection_reason(item)] += 1


def post_warc(
    path: Path, client: BatchPoster, stats: WarcStats, batch_size: int = BATCH_SIZE, on_progress: Any = None
) -> None:
    """Posts the HTML pages of one WARC file in batches; ``on_progress(stats, bytes_read)`` after each."""
    batch: list[dict[str, Any]] = []
    size = 2
    with path.open("rb") as stream:
        for article in html_articles(stream, stats):
            encoded = len(json.dumps(article).encode()) + 1
            if encoded + 2 > BATCH_BYTES:
                stats.skipped["page over the body limit"] += 1
                continue
            if batch and (len(batch) >= batch_size or size + encoded > BATCH_BYTES):
                post_batch(client, batch, stats)
                batch, size = [], 2
                if on_progress:
                    on_progress(stats, stream.tell())
            batch.append(article)
            size += encoded
        if batch:
            post_batch(client, batch, stats)
        if on_progress:
            on_progress(stats, stream.tell())


def post_warc_files(paths: list[Path], client: BatchPoster, progress: bool | None = None) -> int:
    """``newsflow post`` for WARC files: a progress bar on a terminal, a summary line always; exit code."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from newsflow.client import ApiError

    stats = WarcStats()
    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(
        TextColumn("{task.fields[name]}"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show,
    )
    code = 0
    try:
        with bar:
            for path in paths:
                task = bar.add_task("", total=path.stat().st_size, name=path.name)

                def update(s: WarcStats, done: int, task: Any = task) -> None:
                    skipped = ", ".join(f"{k} {v}" for k, v in s.skipped.most_common(3))
                    rejected = sum(s.rejected.values())
                    text = f"{s.records} records, {s.posted} posted, {rejected} rejected; skipped: {skipped or '-'}"
                    bar.update(task, completed=done, description=text)

                post_warc(path, client, stats, on_progress=update)
    except (ApiError, ArchiveLoadFailed, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        code = 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: post the file again to finish (re-posted pages overwrite themselves)\n")
        code = 130
    sys.stdout.write(stats.summary() + "\n")
    logger.debug("warc posting done: %s", stats.summary())
    return code or (1 if stats.rejected else 0)
