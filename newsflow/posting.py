"""Reading article files for ``newsflow post``: .txt (headline line, then body), .json, .ndjson, .html/.htm
(a saved web page, sent as ``{"html": ..., "url": None}`` for the server to extract), folders.

HTML bytes are decoded with the charset a ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` tag in
the first 4 KiB names (or an HTTP header's, for WARC records), else as UTF-8; bytes that do not decode
become U+FFFD instead of failing the file."""

from __future__ import annotations

import codecs
import json
import re
import sys
from pathlib import Path
from typing import Any

SUFFIXES = (".txt", ".json", ".ndjson", ".jsonl", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


class ArticleFileError(ValueError):
    pass


def article_from_text(text: str, name: str) -> dict[str, Any]:
    lines = text.strip("\ufeff").splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ArticleFileError(f"{name}: empty file")
    title = lines[0].strip()
    body = "\n".join(lines[1:]).strip()
    if not body:
        raise ArticleFileError(f"{name}: no body after the headline line")
    return {"title": title, "body": body}


def charset_of(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if any."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def decode_html(data: bytes, charset: str | None = None) -> str:
    """HTML bytes as text: ``charset`` (from HTTP) if Python knows it, else a meta tag's, else UTF-8;
    undecodable bytes are replaced, never fatal. A UTF-8 byte-order mark wins over both."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    meta = _META_CHARSET.search(data[:4096])
    for name in (charset, meta.group(1).decode("ascii") if meta else None):
        if name:
            try:
                return data.decode(codecs.lookup(name).name, errors="replace")
            except LookupError:
                continue
    return data.decode("utf-8", errors="replace")


def post_paths(paths: list[Path], api_url: str, api_key: str | None) -> int:
    """``newsflow post``: article files in batches of 200, or WARC crawls (all paths WARC) streamed by
    ``newsflow.warc``; prints what was refused and a summary; the exit code."""
    from newsflow import console
    from newsflow.client import ApiError, NewsflowClient
    from newsflow.warc import is_warc, post_warc_files

    warcs = bool(paths) and all(is_warc(p) for p in paths)
    try:
        articles = [] if warcs else [a for path in expand(paths) for a in read_articles(path)]
    except (ArticleFileError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if not articles and not warcs:
        sys.stderr.write("error: no articles found\n")
        return 2
    failed = 0
    with NewsflowClient(api_url, api_key=api_key) as client:
        if warcs:
            return post_warc_files(paths, client)
        for start in range(0, len(articles), 200):
            try:
                result = client.post_batch(articles[start : start + 200])
            except ApiError as exc:
                sys.stderr.write(f"error: {exc}\n")
                return 1
            failed += console.print_post_results(result, offset=start)
    return 1 if failed else 0


def load(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """``(file, article)`` for every article in ``paths`` (folders expanded), in order."""
    return [(str(p), a) for p in expand(paths) for a in read_articles(p)]


def read_articles(path: Path) -> list[dict[str, Any]]:
    """The articles in one file, as JSON-ready dicts (validation is the server's job)."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return [{"html": decode_html(path.read_bytes()), "url": None}]
    text = path.read_text(encoding="utf-8")
    if suffix == ".txt":
        return [article_from_text(text, str(path))]
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ArticleFileError(f"{path}: not valid JSON: {exc}") from exc
        if isinstance(data, list):
            return data
        if isinstance(data, dict):
            return [data]
        raise ArticleFileError(f"{path}: expected a JSON object or array")
    if suffix in (".ndjson", ".jsonl"):
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ArticleFileError(f"{path}:{number}: not valid JSON: {exc}") from exc
        return items
    raise ArticleFileError(f"{path}: unsupported file type (use {', '.join(SUFFIXES)})")


def expand(paths: list[Path]) -> list[Path]:
    """Files named, and the article files inside folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise ArticleFileError(f"{path}: no such file or folder")
    return found
