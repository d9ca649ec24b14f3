"""Resolve Kafka and Elasticsearch from Maven Central with mvn, once, into the cache directory."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.local.errors import InfraError
from infra.local.jdk import find_java_home
from infra.local.layout import STAMP_NAME, es_home, kafka_cache, kafka_libs, make_dir
from infra.local.settings import InfraSettings

logger = logging.getLogger(__name__)

KAFKA_POM = Path(__file__).with_name("kafka-runtime.pom.xml")
ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
MVN_TIMEOUT_S = 1800
_OUTPUT_TAIL_LINES = 30


def run_captured(
    command: list[str], *, cwd: Path, env: dict[str, str], timeout_s: float, name: str, hint: str = ""
) -> None:
    """Run a build/install tool to completion; InfraError with the tail of its output (and ``hint``) if it fails."""
    logger.info("running %s", " ".join(command))
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"{name} did not finish within {timeout_s}s: {' '.join(command)}") from exc
    except OSError as exc:
        raise InfraError(f"cannot run {command[0]}: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-_OUTPUT_TAIL_LINES:])
        raise InfraError(f"{name} failed (exit {done.returncode}): {' '.join(command)}\n{hint}{tail}")


def run_mvn(args: list[str], *, cwd: Path, java_home: Path) -> None:
    """Run ``mvn -B -q <args>``; raise InfraError with the tail of mvn's output if it fails."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InfraError("mvn (Apache Maven 3) is not on PATH; it is needed once to fetch Kafka/Elasticsearch")
    run_captured(
        [mvn, "-B", "-q", "-Dstyle.color=never", *args],
        cwd=cwd,
        env={**os.environ, "JAVA_HOME": str(java_home)},
        timeout_s=MVN_TIMEOUT_S,
        name="mvn",
        hint="(is Maven Central reachable? proxy settings go in ~/.m2/settings.xml)\n",
    )


def is_complete(entry: Path, version: str) -> bool:
    """True if the cache entry carries a stamp for this version (it is then never touched again)."""
    try:
        stamp = json.loads((entry / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("version") == version


def write_stamp(entry: Path, version: str, files: int) -> None:
    temporary = entry / (STAMP_NAME + ".tmp")
    temporary.write_text(json.dumps({"version": version, "files": files}) + "\n", encoding="utf-8")
    temporary.replace(entry / STAMP_NAME)


@contextmanager
def cache_lock(cache_dir: Path, name: str) -> Iterator[None]:
    """Serialise downloads of one entry between processes (e.g. ``make demo`` and a test run)."""
    make_dir(cache_dir)
    with open(cache_dir / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def kafka_cached(settings: InfraSettings) -> bool:
    return is_complete(kafka_cache(settings), settings.kafka_version) and kafka_libs(settings).is_dir()


def elasticsearch_cached(settings: InfraSettings) -> bool:
    return is_complete(es_home(settings), settings.es_version)


def ensure_kafka(settings: InfraSettings) -> Path:
    """The directory of Kafka's runtime jars (``<cache>/kafka-<ver>/libs``), fetched with mvn if missing."""
    entry, libs = kafka_cache(settings), kafka_libs(settings)
    if kafka_cached(settings):
        return libs
    with cache_lock(settings.cache_dir, entry.name):
        if kafka_cached(settings):
            return libs
        logger.info("fetching Kafka %s from Maven Central into %s", settings.kafka_version, entry)
        shutil.rmtree(entry, ignore_errors=True)
        make_dir(entry)
        pom = entry / "pom.xml"
        shutil.copyfile(KAFKA_POM, pom)
        partial = entry / "libs.partial"
        run_mvn(
            [
                "-f",
                str(pom),
                f"-Dkafka.version={settings.kafka_version}",
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={partial}",
            ],
            cwd=entry,
            java_home=find_java_home(settings),
        )
        jars = sorted(partial.glob("*.jar")) if partial.is_dir() else []
        if not any(jar.name.startswith("kafka_2.13-") for jar in jars):
            raise InfraError(f"mvn finished but {partial} holds no kafka_2.13 jar ({len(jars)} jars)")
        partial.rename(libs)
        write_stamp(entry, settings.kafka_version, len(jars))
        logger.info("Kafka %s cached: %s jars in %s", settings.kafka_version, len(jars), libs)
    return libs


def ensure_elasticsearch(settings: InfraSettings) -> Path:
    """Elasticsearch's home (``<cache>/elasticsearch-<ver>``), fetched with mvn and unzipped if missing."""
    home = es_home(settings)
    if elasticsearch_cached(settings):
        return home
    with cache_lock(settings.cache_dir, home.name):
        if elasticsearch_cached(settings):
            return home
        logger.info("fetching Elasticsearch %s from Maven Central into %s", settings.es_version, home)
        work = settings.cache_dir / f".download-{home.name}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
        make_dir(work)
        try:
            run_mvn(
                [
                    "dependency:copy",
                    f"-Dartifact={ES_ARTIFACT.format(version=settings.es_version)}",
                    f"-DoutputDirectory={work}",
                ],
                cwd=work,
                java_home=find_java_home(settings),
            )
            archives = sorted(work.glob("elasticsearch-*.zip"))
            if not archives:
                raise InfraError(f"mvn finished but {work} holds no elasticsearch zip")
            files = extract_zip(archives[0], work / "unpacked")
            top = work / "unpacked" / f"elasticsearch-{settings.es_version}"
            if not (top / "bin" / "elasticsearch").is_file():
                raise InfraError(f"{archives[0].name} has no elasticsearch-{settings.es_version}/bin/elasticsearch")
            top.rename(home)
            write_stamp(home, settings.es_version, files)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        logger.info("Elasticsearch %s cached in %s", settings.es_version, home)
    return home


def extract_zip(archive: Path, target: Path) -> int:
    """Unzip keeping the executable bits, everything readable by all (ES may run as nobody)."""
    make_dir(target)
    count = 0
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            path = Path(bundle.extract(info, target))
            if info.is_dir():
                path.chmod(0o755)
                continue
            executable = (info.external_attr >> 16) & 0o111
            path.chmod(0o755 if executable else 0o644)
            count += 1
    # Directories created implicitly by extract() follow the umask; make them all traversable.
    for directory in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        directory.chmod(0o755)
    return count
