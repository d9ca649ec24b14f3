"""The cache stamp logic of artifacts.py with mvn replaced by a fake."""

from __future__ import annotations

import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from infra.local import artifacts
from infra.local.artifacts import ensure_elasticsearch, ensure_kafka, is_complete, run_mvn
from infra.local.errors import InfraError
from infra.local.layout import STAMP_NAME
from infra.local.settings import InfraSettings


class FakeMvn:
    """Stands in for run_mvn: records calls, writes what mvn would write into -DoutputDirectory."""

    def __init__(self, es_version: str = "8.19.21") -> None:
        self.calls: list[list[str]] = []
        self.fail = False
        self.es_version = es_version
        self.es_has_bin = True

    def __call__(self, args: list[str], *, cwd: Path, java_home: Path) -> None:
        self.calls.append(args)
        if self.fail:
            raise InfraError("mvn failed (exit 1): could not resolve")
        out = Path(next(a for a in args if a.startswith("-DoutputDirectory=")).split("=", 1)[1])
        out.mkdir(parents=True, exist_ok=True)
        if "dependency:copy-dependencies" in args:
            for name in ("kafka_2.13-3.9.2.jar", "kafka-clients-3.9.2.jar", "slf4j-reload4j-1.7.36.jar"):
                (out / name).write_bytes(b"jar")
        else:
            self._write_es_zip(out / f"elasticsearch-{self.es_version}.zip")

    def _write_es_zip(self, path: Path) -> None:
        top = f"elasticsearch-{self.es_version}/"
        with zipfile.ZipFile(path, "w") as bundle:
            for name, mode in (
                ("bin/elasticsearch", 0o755),
                ("config/elasticsearch.yml", 0o660),
                ("lib/elasticsearch.jar", 0o644),
            ):
                if name.startswith("bin/") and not self.es_has_bin:
                    continue
                info = zipfile.ZipInfo(top + name)
                info.external_attr = (stat.S_IFREG | mode) << 16
                bundle.writestr(info, b"#!/bin/sh\n")
            directory = zipfile.ZipInfo(top + "config/jvm.options.d/")
            directory.external_attr = (stat.S_IFDIR | 0o750) << 16
            bundle.writestr(directory, b"")


@pytest.fixture
def mvn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeMvn:
    fake = FakeMvn()
    monkeypatch.setattr(artifacts, "run_mvn", fake)
    monkeypatch.setattr(artifacts, "find_java_home", lambda settings: tmp_path / "jdk")
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> InfraSettings:
    return InfraSettings(cache_dir=tmp_path / "cache")


def test_kafka_is_fetched_once(mvn: FakeMvn, settings: InfraSettings) -> None:
    libs = ensure_kafka(settings)
    assert libs == settings.cache_dir / "kafka-3.9.2" / "libs"
    assert (libs / "kafka_2.13-3.9.2.jar").is_file()
    assert is_complete(libs.parent, "3.9.2")
    assert (libs.parent / "pom.xml").read_text().count("kafka_2.13") == 1
    assert "-Dkafka.version=3.9.2" in mvn.calls[0]
    assert ensure_kafka(settings) == libs
    assert len(mvn.calls) == 1  # the second start does not call mvn at all


def test_half_done_kafka_download_is_redone(mvn: FakeMvn, settings: InfraSettings) -> None:
    entry = settings.cache_dir / "kafka-3.9.2"
    (entry / "libs.partial").mkdir(parents=True)
    (entry / "libs.partial" / "truncated.jar").write_bytes(b"")
    ensure_kafka(settings)
    assert len(mvn.calls) == 1
    assert not (entry / "libs.partial").exists()
    assert not (entry / "libs" / "truncated.jar").exists()


def test_stamp_of_another_version_is_not_trusted(mvn: FakeMvn, settings: InfraSettings) -> None:
    entry = settings.cache_dir / "kafka-3.9.2"
    (entry / "libs").mkdir(parents=True)
    (entry / STAMP_NAME).write_text('{"version": "3.8.0"}')
    ensure_kafka(settings)
    assert len(mvn.calls) == 1
    (entry / STAMP_NAME).write_text("not json")
    assert not is_complete(entry, "3.9.2")


def test_failed_download_leaves_no_stamp_and_is_retried(mvn: FakeMvn, settings: InfraSettings) -> None:
    mvn.fail = True
    with pytest.raises(InfraError, match="could not resolve"):
        ensure_kafka(settings)
    assert not is_complete(settings.cache_dir / "kafka-3.9.2", "3.9.2")
    mvn.fail = False
    ensure_kafka(settings)
    assert len(mvn.calls) == 2


def test_elasticsearch_is_fetched_unzipped_and_cached(mvn: FakeMvn, settings: InfraSettings) -> None:
    home = ensure_elasticsearch(settings)
    assert home == settings.cache_dir / "elasticsearch-8.19.21"
    assert "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip" in mvn.calls[0]
    assert stat.S_IMODE((home / "bin" / "elasticsearch").stat().st_mode) == 0o755
    # 0660 / 0750 in the zip: made readable for nobody
    assert stat.S_IMODE((home / "config" / "elasticsearch.yml").stat().st_mode) == 0o644
    assert stat.S_IMODE((home / "config" / "jvm.options.d").stat().st_mode) == 0o755
    assert is_complete(home, "8.19.21")
    assert list(settings.cache_dir.glob(".download-*")) == []  # the zip is not kept
    assert ensure_elasticsearch(settings) == home
    assert len(mvn.calls) == 1


def test_broken_elasticsearch_zip_is_an_error(mvn: FakeMvn, settings: InfraSettings) -> None:
    mvn.es_has_bin = False
    with pytest.raises(InfraError, match="bin/elasticsearch"):
        ensure_elasticsearch(settings)
    assert not (settings.cache_dir / "elasticsearch-8.19.21").exists()


def test_run_mvn_failure_shows_the_output_tail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(artifacts.shutil, "which", lambda name: "/usr/bin/mvn")
    output = "".join(f"line {n}\n" for n in range(100))

    def fake_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        assert command[:3] == ["/usr/bin/mvn", "-B", "-q"]
        assert kwargs["env"]["JAVA_HOME"] == str(tmp_path)  # type: ignore[index]
        return subprocess.CompletedProcess(command, 1, stdout=output, stderr="[ERROR] boom\n")

    monkeypatch.setattr(artifacts.subprocess, "run", fake_run)
    with pytest.raises(InfraError) as caught:
        run_mvn(["dependency:copy"], cwd=tmp_path, java_home=tmp_path)
    message = str(caught.value)
    assert "exit 1" in message and "[ERROR] boom" in message and "line 99" in message
    assert "line 10\n" not in message


def test_missing_mvn_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(artifacts.shutil, "which", lambda name: None)
    with pytest.raises(InfraError, match="mvn"):
        run_mvn(["x"], cwd=tmp_path, java_home=tmp_path)
