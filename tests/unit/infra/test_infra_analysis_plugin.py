"""The ``english`` analyzer plugin of analysis_plugin.py: its files, its cache and its installation, without Java."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from infra.local import analysis_plugin, artifacts
from infra.local.analysis_plugin import (
    DESCRIPTOR_NAME,
    NAMED_COMPONENTS_NAME,
    PLUGIN_NAME,
    SOURCE_DIR,
    ensure_english_analyzer,
    installed_version,
    lucene_version,
    render_descriptor,
    render_named_components,
    source_hash,
)
from infra.local.errors import InfraError
from infra.local.settings import InfraSettings

JAVA_HOME = Path("/opt/jdk-17")


def _properties(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_descriptor_has_exactly_the_properties_of_a_stable_plugin() -> None:
    # Elasticsearch's PluginDescriptor refuses unknown properties; a stable plugin has no classname.
    props = _properties(render_descriptor("8.19.21", "abc123"))
    assert props.keys() == {"name", "description", "version", "elasticsearch.version", "java.version"}
    assert props["name"] == PLUGIN_NAME and props["version"] == "abc123"
    assert props["elasticsearch.version"] == "8.19.21" and props["java.version"] == "17"


def test_named_components_name_the_java_factory_of_the_english_analyzer() -> None:
    components = json.loads(render_named_components())
    assert list(components) == ["org.elasticsearch.plugin.analysis.AnalyzerFactory"]
    ((name, class_name),) = components["org.elasticsearch.plugin.analysis.AnalyzerFactory"].items()
    assert name == "english"
    java = (SOURCE_DIR / "src" / "main" / "java" / (class_name.replace(".", "/") + ".java")).read_text()
    package, simple = class_name.rsplit(".", 1)
    assert f"package {package};" in java
    assert '@NamedComponent("english")' in java
    assert re.search(rf"public class {simple} implements AnalyzerFactory\b", java)
    assert "new EnglishAnalyzer()" in java
    pom = (SOURCE_DIR / "pom.xml").read_text()
    assert "<maven.compiler.release>17</maven.compiler.release>" in pom
    assert f"<finalName>{PLUGIN_NAME}</finalName>" in pom


def test_source_hash_follows_the_sources_but_not_a_build_output(tmp_path: Path) -> None:
    source = tmp_path / "es_plugin"
    shutil.copytree(SOURCE_DIR, source, ignore=shutil.ignore_patterns("target"))
    digest = source_hash(source)
    assert digest == source_hash(SOURCE_DIR) and re.fullmatch(r"[0-9a-f]{12}", digest)
    (source / "target").mkdir()
    (source / "target" / "newsflow-english.jar").write_bytes(b"jar")
    assert source_hash(source) == digest
    java = next((source / "src").rglob("*.java"))
    java.write_text(java.read_text() + "\n// changed\n")
    assert source_hash(source) != digest


def _home(tmp_path: Path, *, analysis_common: bool = False, lucene: tuple[str, ...] = ("9.12.2",)) -> Path:
    home = tmp_path / "cache" / "elasticsearch-8.19.21"
    for directory in ("bin", "config", "lib", "modules/x-pack-core", "plugins"):
        (home / directory).mkdir(parents=True)
    if analysis_common:
        (home / "modules" / "analysis-common").mkdir()
    for version in lucene:
        (home / "lib" / f"lucene-core-{version}.jar").write_bytes(b"jar")
        (home / "lib" / f"lucene-analysis-common-{version}.jar").write_bytes(b"jar")
    return home


def test_lucene_version_is_read_from_the_distribution(tmp_path: Path) -> None:
    assert lucene_version(_home(tmp_path / "one")) == "9.12.2"
    with pytest.raises(InfraError, match="found none"):
        lucene_version(_home(tmp_path / "none", lucene=()))
    with pytest.raises(InfraError, match="found"):
        lucene_version(_home(tmp_path / "two", lucene=("9.12.2", "9.12.1")))
    home = _home(tmp_path / "partial")
    (home / "lib" / "lucene-analysis-common-9.12.2.jar").unlink()
    with pytest.raises(InfraError, match=re.escape("lucene-analysis-common-9.12.2.jar")):
        lucene_version(home)


class FakeJava:
    """Stands in for mvn (writes the jar) and for ``elasticsearch-plugin install`` (unzips the plugin)."""

    def __init__(self) -> None:
        self.mvn_calls: list[list[str]] = []
        self.cli_calls: list[list[str]] = []
        self.mvn_writes_jar = True
        self.cli_fails = False

    def mvn(self, args: list[str], *, cwd: Path, java_home: Path) -> None:
        assert java_home == JAVA_HOME
        self.mvn_calls.append(args)
        pom = Path(args[args.index("-f") + 1])
        assert pom.parent == cwd and (cwd / "src").is_dir()  # a copy of the source, built in the cache
        if self.mvn_writes_jar:
            (cwd / "target").mkdir()
            (cwd / "target" / f"{PLUGIN_NAME}.jar").write_bytes(b"jar")

    def cli(self, home: Path, args: list[str], *, java_home: Path) -> None:
        self.cli_calls.append(args)
        if self.cli_fails:
            raise InfraError("elasticsearch-plugin failed (exit 1): ...\nERROR: boom")
        assert args[:2] == ["install", "--batch"]
        with zipfile.ZipFile(Path(args[2].removeprefix("file://"))) as bundle:
            bundle.extractall(home / "plugins" / PLUGIN_NAME)


@pytest.fixture
def java(monkeypatch: pytest.MonkeyPatch) -> FakeJava:
    fake = FakeJava()
    monkeypatch.setattr(analysis_plugin, "run_mvn", fake.mvn)
    monkeypatch.setattr(analysis_plugin, "run_plugin_cli", fake.cli)
    return fake


def test_plugin_is_built_once_and_installed_into_the_home(java: FakeJava, tmp_path: Path) -> None:
    settings = InfraSettings(cache_dir=tmp_path / "cache")
    home = _home(tmp_path)
    ensure_english_analyzer(settings, home, JAVA_HOME)
    digest = source_hash()
    assert "-Delasticsearch.version=8.19.21" in java.mvn_calls[0] and "-Dlucene.version=9.12.2" in java.mvn_calls[0]
    archive = settings.cache_dir / f"{PLUGIN_NAME}-8.19.21-{digest}" / f"{PLUGIN_NAME}.zip"
    assert java.cli_calls == [["install", "--batch", archive.as_uri()]]
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == sorted([DESCRIPTOR_NAME, NAMED_COMPONENTS_NAME, f"{PLUGIN_NAME}.jar"])
    assert not (archive.parent / "build").exists()
    assert installed_version(home) == digest

    ensure_english_analyzer(settings, home, JAVA_HOME)  # installed: nothing to do
    assert len(java.mvn_calls) == 1 and len(java.cli_calls) == 1

    shutil.rmtree(home / "plugins" / PLUGIN_NAME)  # e.g. a fresh download of the home: reinstalled, not rebuilt
    ensure_english_analyzer(settings, home, JAVA_HOME)
    assert len(java.mvn_calls) == 1 and len(java.cli_calls) == 2


def test_plugin_of_another_source_is_replaced(java: FakeJava, tmp_path: Path) -> None:
    settings = InfraSettings(cache_dir=tmp_path / "cache")
    home = _home(tmp_path)
    old = home / "plugins" / PLUGIN_NAME
    old.mkdir()
    (old / DESCRIPTOR_NAME).write_text(render_descriptor("8.19.21", "0123456789ab"))
    (old / "stale.jar").write_bytes(b"jar")
    ensure_english_analyzer(settings, home, JAVA_HOME)
    assert installed_version(home) == source_hash()
    assert not (old / "stale.jar").exists()


def test_a_distribution_with_analysis_common_gets_no_plugin(java: FakeJava, tmp_path: Path) -> None:
    home = _home(tmp_path, analysis_common=True)
    ensure_english_analyzer(InfraSettings(cache_dir=tmp_path / "cache"), home, JAVA_HOME)
    assert java.mvn_calls == [] and java.cli_calls == []
    assert list((home / "plugins").iterdir()) == []


def test_build_and_install_failures_are_clear_errors(java: FakeJava, tmp_path: Path) -> None:
    settings = InfraSettings(cache_dir=tmp_path / "cache")
    home = _home(tmp_path)
    java.mvn_writes_jar = False
    with pytest.raises(InfraError, match=r"(?s)could not build the newsflow-english plugin .*\.jar is missing"):
        ensure_english_analyzer(settings, home, JAVA_HOME)
    java.mvn_writes_jar, java.cli_fails = True, True
    with pytest.raises(InfraError, match=r"(?s)could not install the newsflow-english plugin .*ERROR: boom") as caught:
        ensure_english_analyzer(settings, home, JAVA_HOME)
    assert "english analyzer" in str(caught.value)
    assert len(java.mvn_calls) == 2  # the failed build left no stamp
    assert installed_version(home) is None


def test_plugin_cli_runs_with_the_chosen_java_and_the_home_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = _home(tmp_path)
    monkeypatch.setenv("JAVA_HOME", "/elsewhere")
    monkeypatch.setenv("ES_PATH_CONF", "/elsewhere/config")
    seen: dict[str, object] = {}

    def fake_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.update(kwargs, command=command)
        return subprocess.CompletedProcess(command, 64, stdout="-> Installing\n", stderr="ERROR: no descriptor\n")

    monkeypatch.setattr(artifacts.subprocess, "run", fake_run)
    with pytest.raises(InfraError, match=r"(?s)exit 64.*ERROR: no descriptor"):
        analysis_plugin.run_plugin_cli(home, ["install", "--batch", "file:///x.zip"], java_home=JAVA_HOME)
    env = seen["env"]
    assert isinstance(env, dict)
    assert env["ES_JAVA_HOME"] == str(JAVA_HOME) and env["ES_PATH_CONF"] == str(home / "config")
    assert "JAVA_HOME" not in env
    assert seen["command"] == [str(home / "bin" / "elasticsearch-plugin"), "install", "--batch", "file:///x.zip"]
