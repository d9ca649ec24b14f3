"""The one exception type of the local infrastructure."""


class InfraError(Exception):
    """Starting, checking or stopping the local Kafka / Elasticsearch failed; the message says why."""
