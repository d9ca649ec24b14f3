"""The CLI reads its typed settings (``newsflow.settings.CliSettings``) when it runs, from the variables it
always read: ``NEWSFLOW_API``, ``NEWSFLOW_API_KEY``, ``NEWSFLOW_KIBANA_*``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from newsflow import cli, client, kibana
from newsflow.settings import CliSettings

ARTICLE = Path(__file__).resolve().parents[2] / "demo" / "articles" / "01_port_calden_terminal.json"


class FakeClient:
    """Stands in for ``NewsflowClient``: remembers where it was pointed and what it was given."""

    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, base_url: str, api_key: str | None = None) -> None:
        FakeClient.made.append({"url": base_url, "api_key": api_key})

    def __enter__(self) -> FakeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def post_batch(self, articles: list[dict[str, Any]]) -> dict[str, Any]:
        results = [{"index": n, "status": 202, "id": f"a{n}"} for n in range(len(articles))]
        return {"results": results, "accepted": len(results), "rejected": 0}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    FakeClient.made = []
    monkeypatch.setattr(client, "NewsflowClient", FakeClient)
    for name in ("NEWSFLOW_API", "NEWSFLOW_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return FakeClient.made


def test_post_goes_to_the_configured_api_with_its_key(
    made: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.main(["post", str(ARTICLE)]) == 0
    monkeypatch.setenv("NEWSFLOW_API", "http://ingest.example:8100")  # read when the command runs
    monkeypatch.setenv("NEWSFLOW_API_KEY", "secret")
    assert cli.main(["post", str(ARTICLE)]) == 0
    assert cli.main(["post", str(ARTICLE), "--api", "http://other:9000"]) == 0
    assert made == [
        {"url": "http://localhost:8000", "api_key": None},
        {"url": "http://ingest.example:8100", "api_key": "secret"},
        {"url": "http://other:9000", "api_key": "secret"},
    ]


def test_an_invalid_api_url_is_named_and_nothing_is_sent(
    made: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_API", "localhost:8000/no scheme")
    assert cli.main(["post", str(ARTICLE)]) == 2
    assert "api" in capsys.readouterr().err and made == []


def test_kibana_settings_come_from_their_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_import(url: str, objects: list[dict[str, Any]], **options: Any) -> kibana.ImportResult:
        calls.append({"url": url, **options})
        return kibana.ImportResult(len(objects), [], url)

    monkeypatch.setattr(kibana, "import_saved_objects", fake_import)
    monkeypatch.setenv("NEWSFLOW_KIBANA_URL", "http://kibana.example:5601")
    monkeypatch.setenv("NEWSFLOW_KIBANA_USERNAME", "elastic")
    monkeypatch.setenv("NEWSFLOW_KIBANA_PASSWORD", "pw")
    monkeypatch.delenv("NEWSFLOW_KIBANA_API_KEY", raising=False)
    assert cli.main(["kibana", "import"]) == 0
    (call,) = calls
    assert call["url"] == "http://kibana.example:5601"
    assert (call["api_key"], call["username"], call["password"]) == (None, "elastic", "pw")


def test_secrets_are_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_API_KEY", "secret")
    settings = CliSettings()
    assert "secret" not in repr(settings) and settings.api_key_value == "secret"
