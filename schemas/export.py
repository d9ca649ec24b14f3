"""Writes the JSON Schema files of the contract models: ``python -m schemas.export``.

The files under ``schemas/json/`` are committed; a unit test fails when they are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.articles import ArticleIn, EnrichedArticle, RawArticle

MODELS: dict[str, type[BaseModel]] = {
    "article_in": ArticleIn,
    "raw_article": RawArticle,
    "enriched_article": EnrichedArticle,
}
JSON_DIR = Path(__file__).parent / "json"


def render() -> dict[str, str]:
    """File name -> JSON text for every contract model."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in MODELS.items()
    }


def main() -> int:
    JSON_DIR.mkdir(exist_ok=True)
    for name, text in render().items():
        (JSON_DIR / name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {JSON_DIR / name}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
