"""Elasticsearch refuses to run as root: as root we run it as ``nobody`` and prepare its directories."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from infra.local.errors import InfraError

ES_UID = 65534  # nobody
ES_GID = 65534  # nogroup


def running_as_root() -> bool:
    return os.geteuid() == 0


def drop_privileges_prefix() -> list[str]:
    """The command prefix that runs Elasticsearch as nobody when we are root, else nothing."""
    if not running_as_root():
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise InfraError("running as root: Elasticsearch must run as nobody, which needs setpriv (util-linux)")
    return [setpriv, f"--reuid={ES_UID}", f"--regid={ES_GID}", "--clear-groups", "--"]


def unreachable_ancestor(path: Path, uid: int = ES_UID, gid: int = ES_GID) -> Path | None:
    """The first existing ancestor of ``path`` (or itself) that ``uid`` cannot traverse, if any."""
    for directory in [*reversed(path.parents), path]:
        try:
            info = directory.stat()
        except FileNotFoundError:
            return None  # created later by us, 0755
        if info.st_uid == uid:
            allowed = bool(info.st_mode & stat.S_IXUSR)
        elif info.st_gid == gid:
            allowed = bool(info.st_mode & stat.S_IXGRP)
        else:
            allowed = bool(info.st_mode & stat.S_IXOTH)
        if not allowed:
            return directory
    return None


def check_reachable_by_es_user(paths: list[Path]) -> None:
    """As root, fail clearly if nobody cannot reach Elasticsearch's home or run directory."""
    if not running_as_root():
        return
    for path in paths:
        blocked = unreachable_ancestor(path)
        if blocked is not None:
            mode = stat.S_IMODE(blocked.stat().st_mode)
            raise InfraError(
                f"running as root, so Elasticsearch runs as nobody (uid {ES_UID}), but nobody cannot enter "
                f"{blocked} (mode {mode:04o}) on the way to {path}. Put the cache and run directories "
                f"elsewhere (NEWSFLOW_INFRA_CACHE_DIR, NEWSFLOW_INFRA_RUN_DIR; the default as root is "
                f"/var/cache/newsflow) or run: chmod o+x {blocked}"
            )


def give_to_es_user(root: Path) -> None:
    """As root, ``chown -R nobody:nogroup root`` (Elasticsearch writes config, data, logs, tmp)."""
    if not running_as_root():
        return
    os.chown(root, ES_UID, ES_GID, follow_symlinks=False)
    for directory, subdirs, files in os.walk(root):
        for name in [*subdirs, *files]:
            os.chown(os.path.join(directory, name), ES_UID, ES_GID, follow_symlinks=False)
