"""The enrichment domain: pure functions over text, no I/O, no Kafka, no Elasticsearch, no spaCy.

* ``cleaning``  — scraped body -> clean text (boilerplate rules in ``data/boilerplate.tsv``)
* ``entities``  — NER mentions -> one canonical entity each (``data/aliases.tsv`` and friends)
* ``quotes``    — clean text + sentences + entities -> quotes with speakers (``data/reporting_verbs.tsv``)
* ``dedup``     — duplicate keys and the choice of an original
* ``text``      — shared helpers (quote marks, paragraphs, sentence spans)
* ``resources`` — loading the editable tables in ``data/``
"""
