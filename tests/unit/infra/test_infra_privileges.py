from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from infra.local import privileges
from infra.local.errors import InfraError
from infra.local.layout import make_dir
from infra.local.privileges import check_reachable_by_es_user, drop_privileges_prefix, unreachable_ancestor


def test_finds_the_directory_that_blocks(tmp_path: Path) -> None:
    owner = tmp_path.stat().st_uid  # judge as the owner of tmp_path: its own ancestors are traversable
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    locked.chmod(0o600)
    try:
        assert unreachable_ancestor(locked / "inner" / "es", uid=owner, gid=-1) == locked
        locked.chmod(0o700)
        assert unreachable_ancestor(locked / "inner" / "es", uid=owner, gid=-1) is None
    finally:
        locked.chmod(0o700)


def test_other_users_need_the_x_bit_for_others(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o750)
    private.chmod(0o750)
    owner = tmp_path.stat().st_uid
    stranger = owner + 4242
    # only the first blocking ancestor is reported: private itself or something above it
    blocked = unreachable_ancestor(private / "x", uid=stranger, gid=-1)
    assert blocked is not None and not blocked.stat().st_mode & stat.S_IXOTH


def test_root_gets_a_clear_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(privileges, "running_as_root", lambda: True)
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o700)
    if unreachable_ancestor(private / "run") is None:  # owned by nobody: nothing to report
        pytest.skip("tmp_path is reachable by nobody")
    with pytest.raises(InfraError) as caught:
        check_reachable_by_es_user([private / "run" / "elasticsearch"])
    message = str(caught.value)
    assert "nobody" in message and "NEWSFLOW_INFRA_RUN_DIR" in message and "chmod o+x" in message


def test_non_root_needs_no_checks_and_no_setpriv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(privileges, "running_as_root", lambda: False)
    check_reachable_by_es_user([tmp_path / "anything"])
    assert drop_privileges_prefix() == []


def test_root_runs_elasticsearch_through_setpriv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(privileges, "running_as_root", lambda: True)
    monkeypatch.setattr(privileges.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert drop_privileges_prefix() == ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    monkeypatch.setattr(privileges.shutil, "which", lambda name: None)
    with pytest.raises(InfraError, match="setpriv"):
        drop_privileges_prefix()


def test_make_dir_ignores_a_strict_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        make_dir(tmp_path / "a" / "b")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o755
