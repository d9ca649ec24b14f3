"""The HTTP service: ingest (``POST /articles``, ``/articles/batch`` -> ``articles.raw``) and the search API
(``GET /search``, ``/quotes``, ``/articles/{id}`` over Elasticsearch).

* ``bootstrap``  — the composition root: settings -> Kafka publisher, Elasticsearch search -> FastAPI app
* ``app``, ``errors`` — the FastAPI app, its error answers (every error shape in one place)
* ``body``, ``parsing`` — request bytes -> JSON (limits, hostile input) -> validated articles
* ``publisher``  — aiokafka producer: ``202`` only after Kafka acknowledged
* ``routes_articles``, ``routes_search`` — the two halves of the API
* ``search``, ``queries`` — Elasticsearch queries for search, quotes and facets
"""
