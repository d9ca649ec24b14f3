"""The analyzer ``english`` for an Elasticsearch without the analysis-common module (the integ-test-zip).

A stable plugin (``es_plugin/``: one ``AnalyzerFactory`` returning Lucene's EnglishAnalyzer) is built
once with mvn into ``<cache>/newsflow-english-<es version>-<source hash>/``, then installed into the
cached Elasticsearch home with its own ``bin/elasticsearch-plugin install``. A changed source is a new
hash: it is rebuilt and replaces the installed plugin. A distribution that has analysis-common already
has ``english``, and gets nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import zipfile
from pathlib import Path

from infra.local.artifacts import cache_lock, is_complete, run_captured, run_mvn, write_stamp
from infra.local.errors import InfraError
from infra.local.layout import make_dir
from infra.local.settings import InfraSettings

logger = logging.getLogger(__name__)

PLUGIN_NAME = "newsflow-english"
ANALYZER_NAME = "english"
FACTORY_CLASS = "newsflow.analysis.EnglishAnalyzerFactory"
ANALYZER_FACTORY = "org.elasticsearch.plugin.analysis.AnalyzerFactory"
SOURCE_DIR = Path(__file__).with_name("es_plugin")
DESCRIPTOR_NAME = "stable-plugin-descriptor.properties"
NAMED_COMPONENTS_NAME = "named_components.json"
JAR_NAME = f"{PLUGIN_NAME}.jar"
# The Java the plugin is compiled for (--release in the pom); Elasticsearch 8 needs 17 anyway.
JAVA_RELEASE = "17"
INSTALL_TIMEOUT_S = 300
_OUTPUT_TAIL_LINES = 30
# The plugin CLI, like the server, takes its Java from ES_JAVA_HOME and warns about the others;
# ES_PATH_CONF is set to the home's own config.
_DROPPED_ENV = ("JAVA_HOME", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS", "ES_PATH_CONF")


def needs_english_plugin(home: Path) -> bool:
    """False when the distribution's analysis-common module already defines ``english``."""
    return not (home / "modules" / "analysis-common").is_dir()


def source_hash(source_dir: Path = SOURCE_DIR) -> str:
    """A digest of the pom and the Java sources (not of a ``target/`` left by a manual build)."""
    digest = hashlib.sha256()
    files = [source_dir / "pom.xml", *sorted((source_dir / "src").rglob("*.java"))]
    for path in files:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise InfraError(f"the source of the {PLUGIN_NAME} Elasticsearch plugin is incomplete: {exc}") from exc
        digest.update(path.relative_to(source_dir).as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:12]


def lucene_version(home: Path) -> str:
    """The Lucene of the distribution (``lib/lucene-core-9.12.2.jar`` -> ``9.12.2``); the plugin compiles against it."""
    versions = {
        match.group(1)
        for jar in (home / "lib").glob("lucene-core-*.jar")
        if (match := re.fullmatch(r"lucene-core-([0-9][0-9A-Za-z.\-]*)\.jar", jar.name))
    }
    if len(versions) != 1:
        raise InfraError(f"expected one lib/lucene-core-<version>.jar in {home}, found {sorted(versions) or 'none'}")
    (version,) = versions
    if not (home / "lib" / f"lucene-analysis-common-{version}.jar").is_file():
        raise InfraError(
            f"{home}/lib has no lucene-analysis-common-{version}.jar, which the {ANALYZER_NAME} analyzer needs"
        )
    return version


def render_descriptor(es_version: str, plugin_version: str) -> str:
    """``stable-plugin-descriptor.properties``: what Elasticsearch's PluginDescriptor reads for a stable plugin."""
    return "\n".join(
        [
            "# Written by infra/local/analysis_plugin.py.",
            f"name={PLUGIN_NAME}",
            f"description=The {ANALYZER_NAME} analyzer (Lucene EnglishAnalyzer) for a distribution without "
            "analysis-common",
            f"version={plugin_version}",
            f"elasticsearch.version={es_version}",
            f"java.version={JAVA_RELEASE}",
            "",
        ]
    )


def render_named_components() -> str:
    """``named_components.json``: extensible interface -> {component name: class}, as the ES scanner writes it."""
    return json.dumps({ANALYZER_FACTORY: {ANALYZER_NAME: FACTORY_CLASS}}) + "\n"


def plugin_cache(settings: InfraSettings, digest: str) -> Path:
    return settings.cache_dir / f"{PLUGIN_NAME}-{settings.es_version}-{digest}"


def installed_version(home: Path) -> str | None:
    """The ``version`` of the plugin installed in ``home`` (our source hash), None if there is none."""
    try:
        text = (home / "plugins" / PLUGIN_NAME / DESCRIPTOR_NAME).read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^version=(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def build_plugin(settings: InfraSettings, home: Path, java_home: Path) -> Path:
    """The plugin zip for this source and Elasticsearch version, built with mvn if it is not cached."""
    digest = source_hash()
    entry = plugin_cache(settings, digest)
    archive = entry / f"{PLUGIN_NAME}.zip"
    stamp = f"{settings.es_version}+{digest}"
    if is_complete(entry, stamp) and archive.is_file():
        return archive
    with cache_lock(settings.cache_dir, entry.name):
        if is_complete(entry, stamp) and archive.is_file():
            return archive
        logger.info("building the %s Elasticsearch plugin into %s", PLUGIN_NAME, entry)
        shutil.rmtree(entry, ignore_errors=True)
        build = make_dir(entry / "build")
        shutil.copytree(SOURCE_DIR, build, dirs_exist_ok=True, ignore=shutil.ignore_patterns("target"))
        run_mvn(
            [
                "-f",
                str(build / "pom.xml"),
                f"-Delasticsearch.version={settings.es_version}",
                f"-Dlucene.version={lucene_version(home)}",
                "package",
            ],
            cwd=build,
            java_home=java_home,
        )
        jar = build / "target" / JAR_NAME
        if not jar.is_file():
            raise InfraError(f"mvn finished but {jar} is missing")
        write_plugin_zip(archive, jar, es_version=settings.es_version, plugin_version=digest)
        shutil.rmtree(build, ignore_errors=True)
        write_stamp(entry, stamp, 1)
    return archive


def write_plugin_zip(archive: Path, jar: Path, *, es_version: str, plugin_version: str) -> None:
    """The layout ``elasticsearch-plugin install`` expects: descriptor, named components and jar at the root."""
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(DESCRIPTOR_NAME, render_descriptor(es_version, plugin_version))
        bundle.writestr(NAMED_COMPONENTS_NAME, render_named_components())
        bundle.write(jar, JAR_NAME)
    partial.replace(archive)


def run_plugin_cli(home: Path, args: list[str], *, java_home: Path) -> None:
    """``<home>/bin/elasticsearch-plugin <args>``; InfraError with the tail of its output if it fails."""
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    env.update(ES_JAVA_HOME=str(java_home), ES_PATH_CONF=str(home / "config"))
    run_captured(
        [str(home / "bin" / "elasticsearch-plugin"), *args],
        cwd=home,
        env=env,
        timeout_s=INSTALL_TIMEOUT_S,
        name="elasticsearch-plugin",
    )


def ensure_english_analyzer(settings: InfraSettings, home: Path, java_home: Path) -> None:
    """Make the analyzer ``english`` exist in this Elasticsearch home (the plugin, unless it is built in)."""
    if not needs_english_plugin(home):
        return
    digest = source_hash()
    if installed_version(home) == digest:
        return
    try:
        archive = build_plugin(settings, home, java_home)
    except InfraError as exc:
        raise InfraError(f"could not build the {PLUGIN_NAME} plugin (the {ANALYZER_NAME} analyzer): {exc}") from exc
    # The same lock as the download of the home: one change to it at a time.
    with cache_lock(settings.cache_dir, home.name):
        if installed_version(home) == digest:
            return
        shutil.rmtree(home / "plugins" / PLUGIN_NAME, ignore_errors=True)  # another source's build
        try:
            run_plugin_cli(home, ["install", "--batch", archive.as_uri()], java_home=java_home)
        except InfraError as exc:
            raise InfraError(
                f"could not install the {PLUGIN_NAME} plugin (the {ANALYZER_NAME} analyzer) into {home}: {exc}"
            ) from exc
        if installed_version(home) != digest:
            raise InfraError(f"elasticsearch-plugin finished but {home}/plugins/{PLUGIN_NAME} is not version {digest}")
        logger.info("installed the %s Elasticsearch plugin (%s) into %s", PLUGIN_NAME, digest, home)
