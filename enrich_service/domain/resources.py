"""Loading the editable rule tables in ``enrich_service/domain/data`` (read once, then cached).

The tables are plain text so that a rule can be added without touching code: one entry a line,
``#`` starts a comment line, blank lines are ignored, columns are separated by a TAB.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_PACKAGE = "enrich_service.domain.data"


@cache
def read_rows(name: str, columns: int) -> tuple[tuple[str, ...], ...]:
    """The rows of data file ``name``, each split into exactly ``columns`` TAB-separated fields.

    Raises ``ValueError`` naming the file and line when a row has the wrong number of fields, so a
    broken edit fails loudly at start-up instead of silently dropping a rule.
    """
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    rows: list[tuple[str, ...]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = tuple(field.strip() for field in raw.split("\t"))
        if columns == 1:
            fields = (raw.strip(),)
        if len(fields) != columns or not all(fields):
            raise ValueError(f"{name}:{lineno}: expected {columns} TAB-separated non-empty fields, got {raw!r}")
        rows.append(fields)
    return tuple(rows)


@cache
def read_words(name: str) -> frozenset[str]:
    """A one-entry-a-line list as a set of lower-cased entries."""
    return frozenset(row[0].lower() for row in read_rows(name, 1))
