"""The articles index's refresh interval: a deployment setting applied to the template, never a new definition."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from adapters import elastic
from adapters.settings import ElasticsearchSettings
from schemas.search_document import index_definition


class TemplateES:
    def __init__(self) -> None:
        self.indices = self
        self.templates: list[dict[str, Any]] = []

    async def put_index_template(self, **body: Any) -> None:
        self.templates.append(body)


def test_the_default_index_settings_are_replicas_and_a_quarter_second_refresh() -> None:
    assert ElasticsearchSettings().index_settings() == {"auto_expand_replicas": "0-1", "refresh_interval": "250ms"}
    assert ElasticsearchSettings(refresh_interval="1s", replicas="1").index_settings() == {
        "number_of_replicas": 1,
        "refresh_interval": "1s",
    }


@pytest.mark.parametrize("bad", ["", "0ms", "fast", "1h", "250 ms"])
def test_a_refresh_interval_that_elasticsearch_would_refuse_is_refused_here(bad: str) -> None:
    with pytest.raises(ValidationError):
        ElasticsearchSettings(refresh_interval=bad)


async def test_the_template_gets_the_refresh_and_the_fingerprint_stays() -> None:
    es = TemplateES()
    await elastic.put_template(es, "articles", ElasticsearchSettings(refresh_interval="-1").index_settings())  # type: ignore[arg-type]
    settings = es.templates[0]["template"]["settings"]
    assert settings["refresh_interval"] == "-1" and settings["auto_expand_replicas"] == "0-1"
    assert es.templates[0]["template"]["mappings"]["_meta"]["definition"] == elastic.code_definition()
    assert index_definition()["settings"]["refresh_interval"] == "500ms"  # the file (and its fingerprint) unchanged
