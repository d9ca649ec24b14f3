from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from infra.local import settings as settings_module
from infra.local.settings import InfraSettings, default_cache_dir


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings_module.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    s = InfraSettings()
    assert (s.kafka_version, s.es_version) == ("3.9.2", "8.19.21")
    assert (s.kafka_port, s.kafka_controller_port, s.es_port, s.es_transport_port) == (9092, 9093, 9200, 9300)
    assert (s.kafka_heap, s.es_heap) == ("512m", "512m")
    assert s.kafka_message_max_bytes == 4 * 1024 * 1024
    assert s.cache_dir == tmp_path / "xdg" / "newsflow"
    assert s.run_dir == tmp_path / "xdg" / "newsflow" / "run" / "default"
    assert s.start_timeout_s == 180
    assert s.java_home is None
    assert s.kafka_bootstrap == "localhost:9092"
    assert s.es_url == "http://localhost:9200"


def test_root_caches_outside_root_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module.os, "geteuid", lambda: 0)
    assert default_cache_dir() == Path("/var/cache/newsflow")


def test_non_root_without_xdg_uses_home_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings_module.os, "geteuid", lambda: 1000)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "newsflow"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSFLOW_INFRA_KAFKA_PORT", "29092")
    monkeypatch.setenv("NEWSFLOW_INFRA_ES_PORT", "29200")
    monkeypatch.setenv("NEWSFLOW_INFRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NEWSFLOW_INFRA_ES_HEAP", "1g")
    monkeypatch.setenv("NEWSFLOW_INFRA_KAFKA_MESSAGE_MAX_BYTES", "1048576")
    monkeypatch.setenv("NEWSFLOW_INFRA_JAVA_HOME", str(tmp_path / "jdk"))
    s = InfraSettings()
    assert s.kafka_bootstrap == "localhost:29092"
    assert s.es_url == "http://localhost:29200"
    assert s.es_heap == "1g"
    assert s.kafka_message_max_bytes == 1048576
    assert s.java_home == tmp_path / "jdk"
    assert s.run_dir == tmp_path / "cache" / "run" / "default"  # follows the overridden cache dir


def test_explicit_run_dir_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    s = InfraSettings(run_dir=Path("runs/a"), cache_dir=tmp_path / "c")
    assert s.run_dir == tmp_path / "runs" / "a"
    monkeypatch.setenv("NEWSFLOW_INFRA_RUN_DIR", str(tmp_path / "elsewhere"))
    assert InfraSettings().run_dir == tmp_path / "elsewhere"


def test_ports_must_differ() -> None:
    with pytest.raises(ValidationError, match="must differ"):
        InfraSettings(kafka_port=9200)


@pytest.mark.parametrize("heap", ["512", "lots", "-1m", "1.5g"])
def test_heap_must_be_a_jvm_size(heap: str) -> None:
    with pytest.raises(ValidationError):
        InfraSettings(es_heap=heap)
