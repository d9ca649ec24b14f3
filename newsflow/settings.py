"""Typed settings of the ``newsflow`` command line (env prefix ``NEWSFLOW_``).

Built in the entrypoint (``newsflow.cli.main``), never at import. The variable names are the ones the CLI
always read: ``NEWSFLOW_API``, ``NEWSFLOW_API_KEY``, ``NEWSFLOW_KIBANA_URL``, ``NEWSFLOW_KIBANA_API_KEY``,
``NEWSFLOW_KIBANA_USERNAME``, ``NEWSFLOW_KIBANA_PASSWORD``. The services' variables (``NEWSFLOW_INGEST_*``,
``NEWSFLOW_ENRICH_*``) and the infra's (``NEWSFLOW_INFRA_*``) belong to their own settings classes.
"""

from __future__ import annotations

from pydantic import AnyHttpUrl, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.limits import DEFAULT_API_URL


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


class CliSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", extra="ignore")

    #: The ingest API that ``post``, ``search`` and ``quotes`` talk to; ``--api`` overrides it.
    api: AnyHttpUrl = AnyHttpUrl(DEFAULT_API_URL)
    #: Sent as ``X-API-Key`` when the ingest service has API keys on.
    api_key: SecretStr | None = None
    #: ``newsflow kibana import``: Kibana's URL (``--url`` overrides it; default ``newsflow.kibana.DEFAULT_URL``)
    #: and how to sign in (an API key, or a user name and password).
    kibana_url: AnyHttpUrl | None = None
    kibana_api_key: SecretStr | None = None
    kibana_username: str | None = None
    kibana_password: SecretStr | None = None

    @property
    def api_url(self) -> str:
        """``api`` as the CLI's HTTP client takes it: no trailing slash added to a bare host."""
        return str(self.api).rstrip("/")

    @property
    def api_key_value(self) -> str | None:
        return _secret(self.api_key)

    @property
    def kibana_api_key_value(self) -> str | None:
        return _secret(self.kibana_api_key)

    @property
    def kibana_password_value(self) -> str | None:
        return _secret(self.kibana_password)
