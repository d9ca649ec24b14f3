"""The ``newsflow`` command line: the top layer, which imports the services but is imported by none.

* ``cli``, ``settings``   — argument parsing and the CLI's typed settings (``NEWSFLOW_API``, ...)
* ``launcher``, ``stack`` — start, await and stop the services (``newsflow up``/``down``, tests, bench)
* ``client``, ``posting`` — talking to the ingest API; reading article files for ``post``/``enrich``
* ``status``, ``status_model`` — ``newsflow status`` from Kafka and Elasticsearch themselves
* ``console``, ``demo``, ``kibana`` — what is printed; ``make demo``; Kibana saved objects
"""
