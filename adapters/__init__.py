"""What both services share, below them and above the contract (``schemas``).

Settings shapes (``settings``), the Kafka adapter (``kafka``: client options, topics and their configs),
the Elasticsearch adapter (``elastic``: the client, the versioned index behind an alias, replay state,
the enrichment-version aggregation), the one retry policy (``retry``) and the limits and defaults both
sides must agree on (``limits``). It imports only ``schemas`` and libraries; never a service or the CLI.
"""
