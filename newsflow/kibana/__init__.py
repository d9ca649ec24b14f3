"""Kibana saved objects for the articles index: load them, check them against the index template, import them.

The saved objects (``infra/kibana/newsflow.ndjson``: a data view on the alias, saved searches,
visualizations and a dashboard) are checked offline, because no Kibana runs in CI: every line is a saved
object, every reference resolves to an object in the file, and every field an object names (aggregations,
queries, filters, columns, sort, the data view's time field and field settings) is mapped by the index
template (``schemas.search_document.index_definition()``) in a way that use allows (a terms aggregation
needs an aggregatable, non-nested field; a query needs a searchable one). ``import_saved_objects`` sends
the file to Kibana's saved-objects import API.
"""

from newsflow.kibana.check import CheckReport, check_saved_objects
from newsflow.kibana.fields import MappedField, mapped_fields
from newsflow.kibana.importer import DEFAULT_URL, ImportResult, KibanaImportError, import_saved_objects
from newsflow.kibana.objects import (
    DEFAULT_FILE,
    SavedObjectsError,
    load_saved_objects,
    parse_ndjson,
    to_ndjson,
    with_alias,
)
from newsflow.kibana.uses import FieldUse, field_uses, kql_fields

__all__ = [
    "DEFAULT_FILE",
    "DEFAULT_URL",
    "CheckReport",
    "FieldUse",
    "ImportResult",
    "KibanaImportError",
    "MappedField",
    "SavedObjectsError",
    "check_saved_objects",
    "field_uses",
    "import_saved_objects",
    "kql_fields",
    "load_saved_objects",
    "mapped_fields",
    "parse_ndjson",
    "to_ndjson",
    "with_alias",
]
