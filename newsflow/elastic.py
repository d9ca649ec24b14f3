"""Elasticsearch adapter helpers shared by both services: the client and the versioned index + alias."""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError

from newsflow.config import ElasticsearchSettings
from schemas.search_document import index_definition

logger = logging.getLogger(__name__)


def make_client(settings: ElasticsearchSettings) -> AsyncElasticsearch:
    options: dict[str, Any] = {"request_timeout": settings.request_timeout_s}
    if settings.api_key is not None:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password is not None:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    if settings.ca_certs:
        options["ca_certs"] = settings.ca_certs
    return AsyncElasticsearch(settings.url, **options)


def versioned_index(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


async def ensure_index(es: AsyncElasticsearch, alias: str) -> str:
    """Make sure ``alias`` points at an articles index; returns the concrete index name.

    On first use installs an index template for ``<alias>-v*`` (so every later version gets the same
    mapping) and creates ``<alias>-v1`` with the alias on it. An existing alias is left alone.
    """
    try:
        found = await es.indices.get_alias(name=alias)
        return sorted(found.body)[-1]
    except NotFoundError:
        pass
    definition = index_definition()
    await es.indices.put_index_template(
        name=alias,
        index_patterns=[f"{alias}-v*"],
        template={"settings": definition["settings"], "mappings": definition["mappings"]},
        priority=100,
    )
    index = versioned_index(alias, 1)
    if not await es.indices.exists(index=index):
        try:
            await es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        except BadRequestError as exc:  # another process created it between our check and create
            if exc.error != "resource_already_exists_exception":
                raise
    logger.info("index %s ready behind alias %s", index, alias)
    return index
