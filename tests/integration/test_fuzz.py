"""HTTP fuzzing of the ingest API from its OpenAPI spec (schemathesis), on real Kafka and Elasticsearch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.offsets import raw_end_offsets
from tests.integration.pipeline import Pipeline

ST = str(Path(sys.executable).parent / "st")


def schemathesis(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ST, "run", f"{pipeline.api}/openapi.json", "--generation-deterministic", "--request-timeout", "20", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def test_invalid_articles_are_refused_with_4xx_and_nothing_is_published(pipeline: Pipeline) -> None:
    # POST /articles only: /articles/batch answers 200 with a 422 per invalid item, by design.
    before = await raw_end_offsets(pipeline)
    run = schemathesis(
        pipeline,
        "--mode", "negative",
        "--include-path", "/articles",
        "--exclude-path", "/articles/batch",
        "--phases", "examples,coverage,fuzzing",  # the stateful phase follows links into the batch route
        "--include-method", "POST",
        "--checks", "not_a_server_error,negative_data_rejection",
        "--max-examples", "80",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:]
    assert await raw_end_offsets(pipeline) == before, "an invalid article was published"


def test_no_operation_answers_5xx_to_anything(pipeline: Pipeline) -> None:
    run = schemathesis(pipeline, "--mode", "all", "--checks", "not_a_server_error", "--max-examples", "40")
    assert run.returncode == 0, run.stdout[-4000:]
