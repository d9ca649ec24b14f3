from __future__ import annotations

from pathlib import Path

import pytest

from infra.local import jdk
from infra.local.errors import InfraError
from infra.local.jdk import find_java_home, java_major
from infra.local.settings import InfraSettings


def _jdk(root: Path, name: str, version: str | None) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    if version is not None:
        (home / "release").write_text(f'IMPLEMENTOR="x"\nJAVA_VERSION="{version}"\n')
    return home


@pytest.mark.parametrize(("version", "major"), [("17.0.15", 17), ("21", 21), ("1.8.0_402", 8), ("25.0.3", 25)])
def test_java_major(tmp_path: Path, version: str, major: int) -> None:
    assert java_major(_jdk(tmp_path, "j", version)) == major


def test_java_major_unknown(tmp_path: Path) -> None:
    assert java_major(_jdk(tmp_path, "j", None)) is None


def _use(monkeypatch: pytest.MonkeyPatch, java_home: Path | None, on_path: Path | None) -> None:
    if java_home is None:
        monkeypatch.delenv("JAVA_HOME", raising=False)
    else:
        monkeypatch.setenv("JAVA_HOME", str(java_home))
    monkeypatch.setattr(jdk.shutil, "which", lambda name: str(on_path / "bin" / "java") if on_path else None)


def test_a_newer_jdk_in_java_home_does_not_win_over_17(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    jdk25, jdk17 = _jdk(tmp_path, "temurin-25", "25.0.3"), _jdk(tmp_path, "openjdk-17", "17.0.15")
    _use(monkeypatch, jdk25, jdk17)
    assert find_java_home(InfraSettings(cache_dir=tmp_path)) == jdk17


def test_newer_jdk_is_used_only_as_a_last_resort(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    jdk25 = _jdk(tmp_path, "temurin-25", "25.0.3")
    _use(monkeypatch, None, jdk25)
    assert find_java_home(InfraSettings(cache_dir=tmp_path)) == jdk25


def test_explicit_setting_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    jdk21, jdk17 = _jdk(tmp_path, "jdk21", "21.0.2"), _jdk(tmp_path, "jdk17", "17.0.15")
    _use(monkeypatch, jdk17, jdk17)
    assert find_java_home(InfraSettings(cache_dir=tmp_path, java_home=jdk21)) == jdk21


def test_old_or_missing_java_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    jdk11 = _jdk(tmp_path, "jdk11", "11.0.2")
    _use(monkeypatch, jdk11, jdk11)
    with pytest.raises(InfraError, match="no Java 17"):
        find_java_home(InfraSettings(cache_dir=tmp_path))
    with pytest.raises(InfraError, match="Java 11"):
        find_java_home(InfraSettings(cache_dir=tmp_path, java_home=jdk11))
    with pytest.raises(InfraError, match="no bin/java"):
        find_java_home(InfraSettings(cache_dir=tmp_path, java_home=tmp_path / "nothing"))
