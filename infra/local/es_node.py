"""Run the Elasticsearch node(s) of a run directory (as nobody when we are root)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from infra.local.analysis_plugin import ensure_english_analyzer
from infra.local.artifacts import ensure_elasticsearch
from infra.local.configs import render_elasticsearch_yml
from infra.local.layout import ELASTICSEARCH, ServiceDirs, es_home, make_dir, node_dirs
from infra.local.privileges import check_reachable_by_es_user, drop_privileges_prefix, give_to_es_user
from infra.local.processes import start_detached
from infra.local.settings import InfraSettings

# Elasticsearch's launcher warns about or ignores these; its JVM options come from ES_JAVA_OPTS only.
_DROPPED_ENV = ("JAVA_HOME", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS")


def dirs(settings: InfraSettings, node: int = 0) -> ServiceDirs:
    return node_dirs(settings, ELASTICSEARCH, node)


def preflight(settings: InfraSettings) -> None:
    """Fail before anything starts if Elasticsearch could not reach its directories (as root)."""
    check_reachable_by_es_user([es_home(settings), *(dirs(settings, n).root for n in range(settings.es_nodes))])


def launch(settings: InfraSettings, java_home: Path, node: int = 0) -> int:
    """Add the ``english`` analyzer if missing, copy a fresh config dir (ES_PATH_CONF), keep data, start the node."""
    home = ensure_elasticsearch(settings)
    ensure_english_analyzer(settings, home, java_home)
    service = dirs(settings, node)
    make_dir(service.root)
    check_reachable_by_es_user([home / "bin" / "elasticsearch", service.root])
    config, data, logs, tmp = (service.root / name for name in ("config", "data", "logs", "tmp"))
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(home / "config", config)
    (config / "elasticsearch.yml").write_text(render_elasticsearch_yml(settings, data, logs, node), encoding="utf-8")
    for directory in (data, logs, tmp):
        make_dir(directory)
    for directory in (config, data, logs, tmp):
        give_to_es_user(directory)
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED_ENV}
    env.update(
        ES_JAVA_HOME=str(java_home),
        ES_PATH_CONF=str(config),
        ES_TMPDIR=str(tmp),
        ES_JAVA_OPTS=f"-Xms{settings.es_heap} -Xmx{settings.es_heap}",
    )
    command = [*drop_privileges_prefix(), str(home / "bin" / "elasticsearch")]
    return start_detached(command, dirs=service, env=env, cwd=service.root)
