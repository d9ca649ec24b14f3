"""Hostile bodies on the real stack: every odd body, on both endpoints and all three body forms, gets an
answer under 500, and articles.raw's end offsets grow by exactly the number of articles answered 202."""

from __future__ import annotations

import httpx

from tests.integration.offsets import raw_end_offsets
from tests.integration.pipeline import Pipeline
from tests.unit.ingest.hostile import ODD, body_forms


async def test_odd_bodies_never_get_a_5xx_and_only_202s_reach_the_raw_topic(pipeline: Pipeline) -> None:
    before = await raw_end_offsets(pipeline)
    accepted = 0
    answers: dict[str, list[int]] = {}
    async with httpx.AsyncClient(base_url=pipeline.api, timeout=30) as client:
        for name, content in sorted(ODD.items()):
            for path, body, content_type in body_forms(content):
                response = await client.post(path, content=body, headers={"content-type": content_type})
                assert response.status_code < 500, (name, path, content_type, response.text[:300])
                if path == "/articles":
                    accepted += response.status_code == 202
                elif response.status_code == 200:
                    accepted += sum(1 for r in response.json()["results"] if r["status"] == 202)
                answers.setdefault(name, []).append(response.status_code)
    after = await raw_end_offsets(pipeline)
    grown = sum(after.values()) - sum(before.values())
    print({name: codes for name, codes in answers.items()})
    assert grown == accepted, f"articles.raw grew by {grown}, {accepted} articles were answered 202"
    assert answers["lone surrogate in the title"][0] == 422
    assert answers["deep nesting in a field"][0] == 400
    assert answers["5,000-digit number as published_at"][0] == 422
