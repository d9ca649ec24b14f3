"""Elasticsearch adapter helpers shared by both services: the client and the versioned index + alias."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError

from adapters.settings import ElasticsearchSettings
from schemas.search_document import index_definition

logger = logging.getLogger(__name__)


def make_client(settings: ElasticsearchSettings) -> AsyncElasticsearch:
    """A client over every URL of ``settings.url`` (a failed request is retried on the next node).

    Sniffing (asking the cluster for its nodes) only when ``settings.sniff``: nodes publish the address
    they bound, which a client behind Docker, NAT or a load balancer may not reach.
    """
    options: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.sniff:
        options["sniff_on_start"] = True
        options["sniff_on_node_failure"] = True
    if settings.api_key is not None:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password is not None:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    if settings.ca_certs:
        options["ca_certs"] = settings.ca_certs
    return AsyncElasticsearch(settings.hosts, **options)


def versioned_index(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


#: The index settings that say how many replicas an index has (one replaces the other).
REPLICA_KEYS = ("number_of_replicas", "auto_expand_replicas")


def with_replicas(settings: Mapping[str, Any], replicas: Mapping[str, str | int] | None) -> dict[str, Any]:
    """``settings`` with its replica count replaced by ``replicas`` (``ElasticsearchSettings.replica_settings``);
    None keeps the definition's own. The mapping's fingerprint is not touched: replicas are deployment."""
    if replicas is None:
        return dict(settings)
    kept = {k: v for k, v in settings.items() if k not in REPLICA_KEYS and k.removeprefix("index.") not in REPLICA_KEYS}
    return kept | dict(replicas)


async def put_template(es: AsyncElasticsearch, alias: str, replicas: Mapping[str, str | int] | None = None) -> None:
    """Install (or update) the index template for ``<alias>-v*``: every version gets this code's mapping
    and the configured replicas (``replicas``; None: the definition file's)."""
    definition = index_definition()
    await es.indices.put_index_template(
        name=alias,
        index_patterns=[f"{alias}-v*"],
        template={"settings": with_replicas(definition["settings"], replicas), "mappings": definition["mappings"]},
        priority=100,
    )


async def ensure_index(es: AsyncElasticsearch, alias: str, replicas: Mapping[str, str | int] | None = None) -> str:
    """Make sure ``alias`` points at an articles index; returns the concrete index name.

    On first use installs an index template for ``<alias>-v*`` (so every later version gets the same
    mapping and ``replicas``) and creates ``<alias>-v1`` with the alias on it. An existing alias is left
    alone (its index keeps its replicas).
    """
    current = await alias_indices(es, alias)
    if current:
        return current[-1]
    await put_template(es, alias, replicas)
    index = versioned_index(alias, 1)
    if not await es.indices.exists(index=index):
        try:
            await es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        except BadRequestError as exc:  # another process created it between our check and create
            if exc.error != "resource_already_exists_exception":
                raise
    logger.info("index %s ready behind alias %s", index, alias)
    return index


async def alias_indices(es: AsyncElasticsearch, alias: str) -> list[str]:
    """The concrete indices ``alias`` points at (sorted by version), or [] when there is no such alias."""
    try:
        found = await es.indices.get_alias(name=alias)
    except NotFoundError:
        return []
    return sorted(found.body, key=lambda name: index_version(alias, name) or 0)


def index_version(alias: str, index: str) -> int | None:
    """``articles-v12`` -> 12 for alias ``articles``; None for an index that is not a version of it."""
    prefix = f"{alias}-v"
    if index.startswith(prefix) and index[len(prefix) :].isdigit():
        return int(index[len(prefix) :])
    return None


async def versioned_indices(es: AsyncElasticsearch, alias: str) -> dict[int, str]:
    """Every existing ``<alias>-v<N>`` index by N."""
    found = await es.indices.get(index=f"{alias}-v*", allow_no_indices=True, ignore_unavailable=True)
    versions = {index_version(alias, name): name for name in found.body}
    return {n: name for n, name in sorted((k, v) for k, v in versions.items() if k is not None)}


async def point_alias(es: AsyncElasticsearch, alias: str, index: str) -> list[str]:
    """Move ``alias`` onto ``index`` in one atomic ``_aliases`` call; returns the indices it left."""
    previous = [name for name in await alias_indices(es, alias) if name != index]
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in previous]
    actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
    await es.indices.update_aliases(actions=actions)
    logger.info("alias %s now on %s (was on %s)", alias, index, ", ".join(previous) or "nothing")
    return previous


def code_definition() -> str:
    """Fingerprint of this code's index definition (``mappings._meta.definition``)."""
    fingerprint: str = index_definition()["mappings"]["_meta"]["definition"]
    return fingerprint


async def live_definition(es: AsyncElasticsearch, index: str) -> str | None:
    """Fingerprint of the definition ``index`` was made from; None for an index older than fingerprints."""
    mapping = await es.indices.get_mapping(index=index)
    value = mapping.body[index]["mappings"].get("_meta", {}).get("definition")
    return str(value) if value is not None else None


async def outdated_index(es: AsyncElasticsearch, alias: str) -> str | None:
    """A warning when ``alias``'s index was made from another index definition than this code's."""
    current = await alias_indices(es, alias)
    if not current:
        return None
    live, code = await live_definition(es, current[-1]), code_definition()
    if live == code:
        return None
    return (
        f"index {current[-1]} behind alias {alias} was made from another index definition"
        f" ({live or 'one older than fingerprints'}) than this code's ({code}): documents with new fields"
        " may be refused (they go to the dead-letter topic). Rebuild it: newsflow replay --new-index"
    )


#: Where a versioned index keeps its replay state: ``building`` while a new-index replay fills it,
#: ``swapped`` once the alias moved to it.
REPLAY_META_KEY = "replay"


def replay_state_of(mappings: Mapping[str, Any]) -> str | None:
    """The replay state in an index's ``mappings`` (from ``GET <index>`` or ``GET <index>/_mapping``)."""
    state = mappings.get("_meta", {}).get(REPLAY_META_KEY)
    return str(state) if state is not None else None


async def replay_state(es: AsyncElasticsearch, index: str) -> str | None:
    """``building`` while a new-index replay fills ``index``, ``swapped`` once the alias moved to it."""
    mapping = await es.indices.get_mapping(index=index)
    return replay_state_of(mapping.body[index]["mappings"])


async def set_replay_state(es: AsyncElasticsearch, index: str, state: str) -> None:
    mapping = await es.indices.get_mapping(index=index)
    meta = dict(mapping.body[index]["mappings"].get("_meta", {}))
    await es.indices.put_mapping(index=index, meta=meta | {REPLAY_META_KEY: state})
