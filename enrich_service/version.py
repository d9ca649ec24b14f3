"""Version of the enrichment code, stamped on every enriched article (``enrichment.version``).

Bump it when the output for the same input changes (rules, data tables, model), so re-enrichment
can find the articles an older version produced.
"""

ENRICHMENT_VERSION = "0.2.1"
