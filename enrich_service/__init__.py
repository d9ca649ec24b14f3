"""The enrich worker: ``articles.raw`` -> clean -> spaCy NER -> quotes -> dedup -> Elasticsearch.

* ``bootstrap``  — the worker's composition root (settings -> adapters, sinks -> pipeline -> Faust app)
* ``pipeline``   — ``build_pipeline(settings, sinks)``: the one wiring of enrichment (worker, replay,
  ``newsflow enrich``)
* ``app``, ``faust_config``, ``readiness`` — the Faust app, its agent, its readiness file
* ``processor``  — ``BatchProcessor``: one batch of raw records -> indexed articles or dead letters
* ``extraction`` — an article given as HTML -> its main text and metadata (trafilatura), in decode
* ``enricher``, ``nlp`` — the spaCy pipeline with the domain run as components
* ``domain/``    — pure enrichment: cleaning, entities, quotes, dedup keys (no I/O)
* ``duplicates`` — the duplicate registry (Elasticsearch or in memory) and resolver
* ``indexer``    — bulk indexing into the alias
* ``dead_letters``, ``dlq`` — dead letters (one per poisoned record) and the dead-letter topic
* ``replay``, ``replay_reader`` — ``newsflow replay``; ``offline`` — ``newsflow enrich``
"""
