"""Pick the Java runtime for Kafka, Elasticsearch and mvn (Java 17 to 21, never a newer JDK by accident)."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

from infra.local.errors import InfraError
from infra.local.settings import InfraSettings

logger = logging.getLogger(__name__)

MIN_MAJOR = 17
# Kafka 3.9 and Elasticsearch 8.19 are both tested on 17 and 21; newer JDKs are only used if nothing fits.
MAX_TESTED_MAJOR = 21


def java_major(java_home: Path) -> int | None:
    """The major version from ``<java_home>/release`` (``JAVA_VERSION="17.0.15"`` -> 17), None if unknown."""
    try:
        text = (java_home / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="([0-9]+)(?:\.([0-9]+))?', text, re.MULTILINE)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_402"
        major = int(match.group(2))
    return major


def _candidates() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    env_home = os.environ.get("JAVA_HOME")
    if env_home:
        found.append(("JAVA_HOME", Path(env_home)))
    on_path = shutil.which("java")
    if on_path:
        # /usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/<jdk>/bin/java
        found.append(("java on PATH", Path(on_path).resolve().parent.parent))
    return found


def find_java_home(settings: InfraSettings) -> Path:
    """The explicit ``java_home`` setting, else the first of JAVA_HOME / java on PATH that is Java 17-21."""
    if settings.java_home is not None:
        home = settings.java_home
        if not (home / "bin" / "java").is_file():
            raise InfraError(f"NEWSFLOW_INFRA_JAVA_HOME={home} has no bin/java")
        major = java_major(home)
        if major is not None and major < MIN_MAJOR:
            raise InfraError(f"NEWSFLOW_INFRA_JAVA_HOME={home} is Java {major}; Java {MIN_MAJOR}+ is needed")
        return home
    usable: list[tuple[str, Path, int | None]] = []
    for origin, home in _candidates():
        if not (home / "bin" / "java").is_file():
            continue
        major = java_major(home)
        if major is not None and major < MIN_MAJOR:
            logger.info("ignoring Java %s from %s at %s (need %s+)", major, origin, home, MIN_MAJOR)
            continue
        if major is not None and major <= MAX_TESTED_MAJOR:
            return home
        usable.append((origin, home, major))
    if usable:
        origin, home, major = usable[0]
        logger.warning(
            "using Java %s from %s at %s: only Java %s-%s is tested; set NEWSFLOW_INFRA_JAVA_HOME",
            major if major is not None else "(unknown version)",
            origin,
            home,
            MIN_MAJOR,
            MAX_TESTED_MAJOR,
        )
        return home
    raise InfraError(
        f"no Java {MIN_MAJOR}+ found (looked at JAVA_HOME and java on PATH); install OpenJDK 17 "
        "or set NEWSFLOW_INFRA_JAVA_HOME"
    )
