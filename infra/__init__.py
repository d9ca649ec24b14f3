"""Infrastructure for development, tests and the demo: ``infra/local`` (Kafka and Elasticsearch as local
processes), ``infra/kibana`` (saved objects). A tool of the CLI and the tests; no service imports it."""
