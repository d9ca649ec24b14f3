"""Reading article files for ``newsflow post``: .txt (headline line, then body), .json, .ndjson, folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUFFIXES = (".txt", ".json", ".ndjson", ".jsonl")


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


def load(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    """``(file, article)`` for every article in ``paths`` (folders expanded), in order."""
    return [(str(p), a) for p in expand(paths) for a in read_articles(p)]


def read_articles(path: Path) -> list[dict[str, Any]]:
    """The articles in one file, as JSON-ready dicts (validation is the server's job)."""
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
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
