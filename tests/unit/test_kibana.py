"""Kibana saved objects (infra/kibana/newsflow.ndjson), checked offline: no Kibana runs here or in CI.

Well-formed NDJSON, references that resolve, every field the objects name mapped by the index template
in a way that use allows, the import request Kibana's saved-objects API expects, and `newsflow kibana`.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsflow import kibana
from newsflow.cli import main
from newsflow.kibana import (
    DEFAULT_FILE,
    KibanaImportError,
    SavedObjectsError,
    check_saved_objects,
    import_saved_objects,
    kql_fields,
    load_saved_objects,
    mapped_fields,
    parse_ndjson,
    with_alias,
)

ROOT = Path(__file__).resolve().parents[2]
NDJSON = ROOT / "infra" / "kibana" / "newsflow.ndjson"
KIBANA = "http://kibana.test:5601"


@pytest.fixture
def objects() -> list[dict[str, Any]]:
    return load_saved_objects(NDJSON)


def _by_id(objects: list[dict[str, Any]], object_id: str) -> dict[str, Any]:
    return next(o for o in objects if o["id"] == object_id)


def _set_json(obj: dict[str, Any], change: Callable[[Any], None], *keys: str) -> None:
    """Decodes a JSON-string attribute (``visState``, ``...searchSourceJSON``), changes it, re-encodes it."""
    holder = obj["attributes"]
    for key in keys[:-1]:
        holder = holder[key]
    value = json.loads(holder[keys[-1]])
    change(value)
    holder[keys[-1]] = json.dumps(value)


# ---- the file --------------------------------------------------------------------------------------------


def test_the_default_file_is_the_one_in_infra() -> None:
    assert DEFAULT_FILE == NDJSON and NDJSON.is_file()


def test_every_line_is_one_saved_object() -> None:
    text = NDJSON.read_text(encoding="utf-8")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert lines and all(line.strip() for line in lines), "no blank lines"
    seen = set()
    for number, line in enumerate(lines, start=1):
        obj = json.loads(line)
        assert isinstance(obj, dict), number
        assert isinstance(obj["id"], str) and obj["id"].startswith("newsflow-"), number
        assert isinstance(obj["type"], str) and isinstance(obj["attributes"], dict), number
        assert isinstance(obj["references"], list), number
        assert obj["coreMigrationVersion"] == "8.8.0" and obj["typeMigrationVersion"], number
        assert (obj["type"], obj["id"]) not in seen, f"line {number}: {obj['id']} twice"
        seen.add((obj["type"], obj["id"]))
        for ref in obj["references"]:
            assert set(ref) == {"id", "name", "type"}, number


def test_json_encoded_attributes_decode() -> None:
    for obj in load_saved_objects(NDJSON):
        attributes = obj["attributes"]
        encoded = [attributes.get(k) for k in ("visState", "panelsJSON", "optionsJSON", "uiStateJSON", "fieldAttrs")]
        encoded.append(attributes.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON"))
        for value in encoded:
            if value is not None:
                json.loads(value)


def test_the_file_has_what_the_issue_asks_for(objects: list[dict[str, Any]]) -> None:
    kinds: dict[str, list[str]] = {}
    for obj in objects:
        kinds.setdefault(obj["type"], []).append(obj["id"])
    assert kinds["index-pattern"] == ["newsflow-articles"]
    assert len(kinds["search"]) >= 3 and len(kinds["dashboard"]) == 1
    aggregated = set()
    for vis_id in kinds["visualization"]:
        vis_state = json.loads(_by_id(objects, vis_id)["attributes"]["visState"])
        aggregated |= {(a["type"], a["params"].get("field")) for a in vis_state["aggs"]}
    for expected in [
        ("date_histogram", "published_at"),
        ("terms", "people"),
        ("terms", "organizations"),
        ("terms", "places"),
        ("terms", "quote_speakers"),
        ("terms", "source"),
        ("terms", "dedup.cluster_id"),
    ]:
        assert expected in aggregated


def test_references_resolve_to_objects_in_the_file(objects: list[dict[str, Any]]) -> None:
    present = {(o["type"], o["id"]) for o in objects}
    for obj in objects:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in present, (obj["id"], ref)
    report = check_saved_objects(objects)
    assert report.ok, report.problems


def test_the_data_view_reads_the_alias_on_an_always_present_time_field(objects: list[dict[str, Any]]) -> None:
    from enrich_service.settings import EnrichSettings
    from schemas.articles import RawArticle

    view = _by_id(objects, "newsflow-articles")["attributes"]
    assert view["title"] == EnrichSettings.model_fields["index_alias"].default == "articles"
    assert view["timeFieldName"] == "received_at"
    assert RawArticle.model_fields["received_at"].is_required(), "the time field must be on every document"


def test_every_field_the_objects_name_is_in_the_index_template(objects: list[dict[str, Any]]) -> None:
    report = check_saved_objects(objects)
    assert report.ok, "\n".join(report.problems)
    fields = mapped_fields()
    assert set(report.fields()) <= set(fields)
    # the checker sees fields in every place they can be named
    places = {use.where.split("[")[0].split(".")[0] for use in report.uses}
    assert {"visState", "searchSourceJSON", "columns", "sort", "timeFieldName", "fieldAttrs", "sourceFilters"} <= places
    assert {"quotes", "quotes.text"} <= set(report.fields()), "the nested KQL query of 'Articles with quotes'"


def test_the_dashboard_shows_every_visualization_and_a_saved_search(objects: list[dict[str, Any]]) -> None:
    dashboard = _by_id(objects, "newsflow-dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {ref["name"]: ref for ref in dashboard["references"]}
    shown = {
        (refs[f"{p['panelIndex']}:{p['panelRefName']}"]["type"], refs[f"{p['panelIndex']}:{p['panelRefName']}"]["id"])
        for p in panels
    }
    visualizations = {("visualization", o["id"]) for o in objects if o["type"] == "visualization"}
    assert visualizations <= shown
    assert ("search", "newsflow-search-originals") in shown
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert panel["type"] == ref["type"]
        assert panel["gridData"]["i"] == panel["panelIndex"]
    # on Kibana's 48-column grid, without overlaps
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridData"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 48
        area = {
            (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & area, panel["panelIndex"]
        cells |= area


# ---- the template's fields -------------------------------------------------------------------------------


def test_mapped_fields_cover_objects_nested_and_multi_fields() -> None:
    fields = mapped_fields()
    assert fields["title"].type == "text" and not fields["title"].aggregatable
    assert fields["title.raw"].type == "keyword" and fields["title.raw"].aggregatable
    assert fields["quotes"].type == "nested"
    assert fields["quotes.speaker"].nested == "quotes" and fields["quote_speakers"].nested is None
    assert fields["dedup.is_duplicate"].type == "boolean" and fields["dedup.is_duplicate"].aggregatable
    assert not fields["dedup.minhash_signature"].aggregatable and not fields["dedup.minhash_signature"].searchable
    assert fields["entities.spans"].type == "object" and not fields["entities.spans"].searchable
    assert fields["published_at"].type == fields["received_at"].type == "date"


def test_mapped_fields_of_a_given_definition() -> None:
    definition = {
        "mappings": {
            "properties": {
                "a": {"type": "keyword", "fields": {"t": {"type": "text"}}},
                "n": {"type": "nested", "properties": {"x": {"type": "long"}}},
                "o": {
                    "properties": {"off": {"type": "object", "enabled": False, "properties": {"y": {"type": "long"}}}}
                },
            }
        }
    }
    fields = mapped_fields(definition)
    assert set(fields) == {"a", "a.t", "n", "n.x", "o", "o.off", "o.off.y"}
    assert fields["n.x"].nested == "n" and not fields["o.off.y"].searchable and not fields["o.off.y"].aggregatable


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", []),
        ("dedup.is_duplicate:false", ["dedup.is_duplicate"]),
        ('people : "Lena Okafor" and not source:wire', ["people", "source"]),
        ("published_at >= 2026-01-01 or received_at<now", ["published_at", "received_at"]),
        ("quotes:{ speaker:Okafor and text:harbour }", ["quotes", "quotes.speaker", "quotes.text"]),
        ('title:"a: b" and (places:Calden or places:Varrow)', ["title", "places", "places"]),
        ("free text without fields", []),
    ],
)
def test_kql_fields(query: str, fields: list[str]) -> None:
    assert kql_fields(query) == fields


# ---- the checker catches mistakes ------------------------------------------------------------------------


def _agg_field(vis_id: str, agg_id: str, value: str) -> Callable[[list[dict[str, Any]]], None]:
    def change(objects: list[dict[str, Any]]) -> None:
        def edit(state: Any) -> None:
            next(a for a in state["aggs"] if a["id"] == agg_id)["params"]["field"] = value

        _set_json(_by_id(objects, vis_id), edit, "visState")

    return change


def _query(object_id: str, text: str) -> Callable[[list[dict[str, Any]]], None]:
    def change(objects: list[dict[str, Any]]) -> None:
        def edit(source: Any) -> None:
            source["query"]["query"] = text

        _set_json(_by_id(objects, object_id), edit, "kibanaSavedObjectMeta", "searchSourceJSON")

    return change


def _attr(object_id: str, key: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(objects: list[dict[str, Any]]) -> None:
        _by_id(objects, object_id)["attributes"][key] = value

    return change


def _drop_reference(object_id: str, index: int) -> Callable[[list[dict[str, Any]]], None]:
    def change(objects: list[dict[str, Any]]) -> None:
        del _by_id(objects, object_id)["references"][index]

    return change


def _filter_key(object_id: str, value: str) -> Callable[[list[dict[str, Any]]], None]:
    def change(objects: list[dict[str, Any]]) -> None:
        def edit(source: Any) -> None:
            source["filter"][0]["meta"]["key"] = value
            source["filter"][0]["query"] = {"match_phrase": {value: False}}

        _set_json(_by_id(objects, object_id), edit, "kibanaSavedObjectMeta", "searchSourceJSON")

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _agg_field("newsflow-vis-top-people", "2", "made_up_people"),
            "'made_up_people' is not a field of the index template",
        ),
        (_agg_field("newsflow-vis-top-people", "2", "title"), "'title' (text) is not aggregatable"),
        (_agg_field("newsflow-vis-quoted-speakers", "2", "quotes.speaker"), "inside the nested field 'quotes'"),
        (_agg_field("newsflow-vis-articles-over-time", "2", "source"), "'source' is a keyword, not a date"),
        (_agg_field("newsflow-vis-top-places", "2", "dedup"), "'dedup' is an object (object), not a field"),
        (_query("newsflow-vis-duplicate-clusters", "dedup.is_copy:true"), "'dedup.is_copy' is not a field"),
        (_query("newsflow-search-quotes", "quotes:{ said:* }"), "'quotes.said' is not a field"),
        (_filter_key("newsflow-search-originals", "dedup.original"), "'dedup.original' is not a field"),
        (_attr("newsflow-search-duplicates", "columns", ["title", "copy_of"]), "'copy_of' is not a field"),
        (_attr("newsflow-search-duplicates", "sort", [["body", "desc"]]), "'body' (text) is not aggregatable"),
        (_attr("newsflow-articles", "timeFieldName", "indexed"), "'indexed' is not a field"),
        (_attr("newsflow-articles", "sourceFilters", '[{"value": "dedup.nothing*"}]'), "matches no field"),
        (_attr("newsflow-vis-sources", "visState", "{not json"), "visState is not valid JSON"),
        (
            _drop_reference("newsflow-vis-sources", 0),
            "no reference named 'kibanaSavedObjectMeta.searchSourceJSON.index'",
        ),
        (_drop_reference("newsflow-search-originals", 1), "filter[0].meta.index"),
        (_drop_reference("newsflow-dashboard", 0), "panel 'articles-over-time' has no reference"),
    ],
)
def test_the_checker_catches(
    objects: list[dict[str, Any]], change: Callable[[list[dict[str, Any]]], None], expected: str
) -> None:
    broken = copy.deepcopy(objects)
    change(broken)
    report = check_saved_objects(broken)
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems


def test_the_checker_catches_a_reference_to_a_missing_object(objects: list[dict[str, Any]]) -> None:
    broken = [o for o in copy.deepcopy(objects) if o["id"] != "newsflow-vis-sources"]
    problems = check_saved_objects(broken).problems
    assert any("visualization newsflow-vis-sources not in the file" in p for p in problems), problems


def test_the_checker_reads_lens_objects(objects: list[dict[str, Any]]) -> None:
    lens = {
        "id": "l",
        "type": "lens",
        "attributes": {
            "title": "lens",
            "state": {
                "datasourceStates": {
                    "formBased": {
                        "layers": {
                            "L": {
                                "columns": {
                                    "x": {"operationType": "date_histogram", "sourceField": "published_at"},
                                    "y": {"operationType": "count", "sourceField": "___records___"},
                                    "z": {"operationType": "terms", "sourceField": "quotes.speaker"},
                                }
                            }
                        }
                    }
                },
                "query": {"query": "people:x", "language": "kuery"},
                "filters": [],
            },
        },
        "references": [{"type": "index-pattern", "id": "newsflow-articles", "name": "indexpattern-datasource-layer-L"}],
    }
    data_view = _by_id(objects, "newsflow-articles")
    report = check_saved_objects([data_view, lens])
    assert {u.field for u in report.uses if u.object_type == "lens"} == {"published_at", "quotes.speaker", "people"}
    assert len(report.problems) == 1 and "nested field 'quotes'" in report.problems[0]
    lens["references"] = []
    assert any(
        "no reference named 'indexpattern-datasource-layer-L'" in p for p in check_saved_objects([lens]).problems
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no saved objects"),
        ('{"id": "a", "type": "search", "attributes": {}}\nnot json\n', "line 2: not JSON"),
        ("[1, 2]\n", "line 1: not a JSON object"),
        ('{"id": "a", "attributes": {}}\n', "line 1: a saved object needs type"),
        ('{"id": "a", "type": "search", "attributes": {}, "references": {}}\n', "references must be a list"),
    ],
)
def test_parse_ndjson_names_the_bad_line(text: str, message: str) -> None:
    with pytest.raises(SavedObjectsError, match=message):
        parse_ndjson(text)


def test_parse_ndjson_skips_the_export_summary_line() -> None:
    text = '{"id": "a", "type": "search", "attributes": {}}\n{"exportedCount": 1, "missingRefCount": 0}\n'
    assert [o["id"] for o in parse_ndjson(text)] == ["a"]


def test_with_alias_rewrites_only_data_view_titles(objects: list[dict[str, Any]]) -> None:
    changed = with_alias(objects, "news-archive")
    assert _by_id(changed, "newsflow-articles")["attributes"]["title"] == "news-archive"
    assert _by_id(objects, "newsflow-articles")["attributes"]["title"] == "articles", "the input is not changed"
    assert [o["attributes"].get("title") for o in changed[1:]] == [o["attributes"].get("title") for o in objects[1:]]


# ---- the import ------------------------------------------------------------------------------------------


class FakeKibana:
    """An httpx transport that records the requests and answers from a list."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def _success(objects: list[dict[str, Any]]) -> httpx.Response:
    results = [{"type": o["type"], "id": o["id"], "meta": {"title": o["attributes"].get("title")}} for o in objects]
    return httpx.Response(200, json={"success": True, "successCount": len(objects), "successResults": results})


def _sent_objects(request: httpx.Request) -> list[dict[str, Any]]:
    body = request.content.decode("utf-8")
    return [json.loads(line) for line in body.splitlines() if line.startswith("{")]


def test_import_posts_the_ndjson_as_multipart_with_kbn_xsrf(objects: list[dict[str, Any]]) -> None:
    kibana_ = FakeKibana(_success(objects))
    result = import_saved_objects(KIBANA + "/", NDJSON, transport=kibana_.transport)
    (request,) = kibana_.requests
    assert request.method == "POST"
    assert request.url.path == "/api/saved_objects/_import"
    assert request.url.params["overwrite"] == "true"
    assert request.headers["kbn-xsrf"] == "true"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="newsflow.ndjson"' in request.content
    assert "authorization" not in request.headers
    assert _sent_objects(request) == objects
    assert result.success_count == len(objects)
    assert ("dashboard", "newsflow-dashboard", "[newsflow] Articles") in result.imported
    assert result.summary() == f"imported {len(objects)} saved objects into {KIBANA}/"


def test_import_into_a_space_with_an_api_key_another_alias_and_no_overwrite(objects: list[dict[str, Any]]) -> None:
    kibana_ = FakeKibana(_success(objects))
    import_saved_objects(
        KIBANA, objects, space="news", api_key="a2V5", alias="news-v2", overwrite=False, transport=kibana_.transport
    )
    (request,) = kibana_.requests
    assert request.url.path == "/s/news/api/saved_objects/_import"
    assert "overwrite" not in request.url.params
    assert request.headers["authorization"] == "ApiKey a2V5"
    assert _by_id(_sent_objects(request), "newsflow-articles")["attributes"]["title"] == "news-v2"


def test_import_with_a_user_and_password(objects: list[dict[str, Any]]) -> None:
    kibana_ = FakeKibana(_success(objects))
    import_saved_objects(KIBANA, objects, username="elastic", password="changeme", transport=kibana_.transport)
    assert kibana_.requests[0].headers["authorization"] == "Basic " + base64.b64encode(b"elastic:changeme").decode()


def test_import_surfaces_kibanas_per_object_errors(objects: list[dict[str, Any]]) -> None:
    errors = [
        {
            "id": "newsflow-vis-sources",
            "type": "visualization",
            "meta": {"title": "[newsflow] Sources"},
            "error": {"type": "missing_references", "references": [{"type": "index-pattern", "id": "gone"}]},
        },
        {
            "id": "newsflow-dashboard",
            "type": "dashboard",
            "meta": {"title": "[newsflow] Articles"},
            "error": {"type": "unknown", "message": "panelsJSON is broken", "statusCode": 400},
        },
    ]
    answer = httpx.Response(200, json={"success": False, "successCount": 10, "errors": errors})
    with pytest.raises(KibanaImportError) as caught:
        import_saved_objects(KIBANA, objects, transport=FakeKibana(answer).transport)
    message = str(caught.value)
    assert "imported 10 objects and refused 2" in message
    assert "visualization newsflow-vis-sources '[newsflow] Sources': missing_references: index-pattern gone" in message
    assert "dashboard newsflow-dashboard '[newsflow] Articles': unknown: panelsJSON is broken" in message
    assert caught.value.errors == errors


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            httpx.Response(400, json={"statusCode": 400, "error": "Bad Request", "message": "Invalid file extension"}),
            "-> 400: Invalid file extension",
        ),
        (httpx.Response(401, json={"statusCode": 401, "message": "Unauthorized"}), "check the Kibana credentials"),
        (httpx.Response(502, text="<html>bad gateway</html>"), "-> 502: <html>bad gateway</html>"),
        (httpx.ConnectError("connection refused"), f"cannot reach Kibana at {KIBANA}: connection refused"),
    ],
)
def test_import_failures_are_clear(
    objects: list[dict[str, Any]], answer: httpx.Response | Exception, expected: str
) -> None:
    with pytest.raises(KibanaImportError) as caught:
        import_saved_objects(KIBANA, objects, transport=FakeKibana(answer).transport)
    assert expected in str(caught.value)


def test_import_waits_while_kibana_starts(objects: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kibana.importer, "_RETRY_S", 0.0)
    fake = FakeKibana(
        httpx.ConnectError("refused"),
        httpx.Response(503, json={"message": "Kibana server is not ready yet"}),
        _success(objects),
    )
    result = import_saved_objects(KIBANA, objects, wait_s=30, transport=fake.transport)
    assert result.success_count == len(objects) and len(fake.requests) == 3


# ---- the CLI ---------------------------------------------------------------------------------------------


def test_cli_kibana_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kibana", "check"]) == 0
    out = capsys.readouterr().out
    assert "newsflow-vis-quoted-speakers" in out and "quote_speakers" in out
    assert out.rstrip().endswith(": ok")


def test_cli_kibana_check_fails_on_a_made_up_field(
    objects: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(objects)
    _attr("newsflow-search-quotes", "columns", ["title", "speakers"])(broken)
    path = tmp_path / "broken.ndjson"
    path.write_text(kibana.to_ndjson(broken), encoding="utf-8")
    assert main(["kibana", "check", "--file", str(path)]) == 1
    assert "'speakers' is not a field of the index template" in capsys.readouterr().out
    # and import refuses to send it
    assert main(["kibana", "import", "--file", str(path), "--url", KIBANA]) == 1


def test_cli_kibana_check_reports_a_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text("{not json\n", encoding="utf-8")
    assert main(["kibana", "check", "--file", str(path)]) == 2
    assert "line 1: not JSON" in capsys.readouterr().err


def test_cli_kibana_import(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[dict[str, Any]] = []

    def fake_import(url: str, objects: list[dict[str, Any]], **options: Any) -> kibana.ImportResult:
        calls.append({"url": url, "objects": objects, **options})
        return kibana.ImportResult(len(objects), [], url)

    monkeypatch.setattr(kibana, "import_saved_objects", fake_import)
    monkeypatch.setenv("NEWSFLOW_KIBANA_API_KEY", "k")
    monkeypatch.delenv("NEWSFLOW_ENRICH_INDEX_ALIAS", raising=False)
    assert main(["kibana", "import", "--url", KIBANA, "--alias", "news", "--space", "ops", "--wait", "5"]) == 0
    (call,) = calls
    assert call["url"] == KIBANA and call["space"] == "ops" and call["api_key"] == "k" and call["wait_s"] == 5
    assert call["overwrite"] is True
    assert _by_id(call["objects"], "newsflow-articles")["attributes"]["title"] == "news"
    out = capsys.readouterr().out
    assert f"{KIBANA}/s/ops/app/dashboards#/view/newsflow-dashboard" in out

    def refused(url: str, objects: list[dict[str, Any]], **options: Any) -> kibana.ImportResult:
        raise KibanaImportError("Kibana imported 0 objects and refused 1")

    monkeypatch.setattr(kibana, "import_saved_objects", refused)
    assert main(["kibana", "import", "--url", KIBANA]) == 1
    assert "refused 1" in capsys.readouterr().err


# ---- docker compose --------------------------------------------------------------------------------------


def test_compose_imports_the_saved_objects_once_kibana_is_healthy() -> None:
    yaml = pytest.importorskip("yaml")
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    setup = services["kibana-setup"]
    assert setup["depends_on"] == {"kibana": {"condition": "service_healthy"}}
    assert setup["image"] == services["enrich"]["image"]
    command = setup["command"]
    assert command[:2] == ["kibana", "import"]
    assert command[command.index("--url") + 1] == "http://kibana:5601"
    host_dir, container_dir = setup["volumes"][0].removesuffix(":ro").split(":")
    mounted = command[command.index("--file") + 1]
    assert mounted.startswith(container_dir + "/")
    assert (ROOT / host_dir / mounted.removeprefix(container_dir + "/")).resolve() == NDJSON
    alias = setup["environment"]["NEWSFLOW_ENRICH_INDEX_ALIAS"]
    assert alias == services["enrich"]["environment"]["NEWSFLOW_ENRICH_INDEX_ALIAS"]
