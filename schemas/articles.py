"""The contract between the two services: what goes on ``articles.raw`` and ``articles.enriched``.

``ArticleIn`` is what a client posts; ``RawArticle`` is what the ingest service publishes (an id is
always set, ``received_at`` is stamped); ``EnrichedArticle`` is what the enrich worker publishes and
indexes. Unknown fields are refused (``extra="forbid"``) so a typo in a field name is an error the
client sees, not data silently dropped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from schemas.ids import ID_PATTERN, derive_article_id

SCHEMA_VERSION: Literal[1] = 1

MAX_TITLE_CHARS = 1_000
#: spaCy refuses longer texts (its ``max_length``): refused here with a 422 rather than dead-lettered later.
MAX_BODY_CHARS = 1_000_000
MAX_URL_CHARS = 2_048
#: An HTML page as fetched, at most the HTTP body limit (``adapters.limits.MAX_BODY_BYTES``, 3 MiB; the
#: contract imports no one, a unit test checks the two agree), counted in characters like the body.
MAX_HTML_CHARS = 3 * 1024 * 1024


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


def _aware(value: datetime | None) -> datetime | None:
    """Naive datetimes are taken as UTC: feeds that omit the zone almost always mean it."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _iso_string(value: object) -> object:
    """Dates come as ISO 8601 strings: a bare number is refused, not read as a Unix timestamp."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be an ISO 8601 date-time string, e.g. 2026-03-04T09:30:00Z")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")
#: C0 controls but TAB, LF and CR; DEL and the C1 controls. No text needs them; scrapers leave them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: object) -> object:
    """A string as text: a lone surrogate (no character at all: a broken escape, a cut UTF-16 pair) is
    refused, naming the field; control characters other than tab and line breaks are removed. Lists
    (authors) are checked item by item; other values pass to the field's own validation."""
    if isinstance(value, list):
        return [clean_text(v) for v in value]
    if not isinstance(value, str):
        return value
    bad = _SURROGATE.search(value)
    if bad is not None:
        raise ValueError(f"contains a lone surrogate (U+{ord(bad.group()):04X} at {bad.start()}): not Unicode text")
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value


NonBlank = Annotated[str, AfterValidator(_not_blank)]
AwareDatetime = Annotated[datetime | None, BeforeValidator(_iso_string), AfterValidator(_aware)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArticleFields(_Model):
    """Fields a client may send."""

    url: Annotated[str, Field(max_length=MAX_URL_CHARS)] | None = None
    source: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="Outlet name or domain; derived from the URL's host when missing."
    )
    title: Annotated[NonBlank, Field(max_length=MAX_TITLE_CHARS)] | None = Field(
        default=None, description="Required with body; optional with html (sent: it wins over the page's)."
    )
    body: NonBlank | None = Field(
        default=None, description="The article text. Required unless html is given (sent: it wins over the page's)."
    )
    html: Annotated[NonBlank, Field(max_length=MAX_HTML_CHARS)] | None = Field(
        default=None,
        description="The article as an HTML page, as fetched: its main text, title, authors, date and "
        "language are extracted by the worker (fields sent win). The raw topic keeps it; the index does not.",
    )
    published_at: AwareDatetime = None
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None
    authors: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)] = Field(default_factory=list)

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: object, info: ValidationInfo) -> object:
        # After the field's own checks, so that lengths are those of the text as sent.
        cleaned = clean_text(value)
        # An empty title or body ("" on the raw topic: not sent, to be extracted from the html) is judged
        # by ``_has_text``; a posted "" is refused by ``NonBlank`` before this runs.
        blank = isinstance(cleaned, str) and not cleaned.strip() and (value != "" or info.field_name == "html")
        if info.field_name in ("title", "body", "html") and blank:
            raise ValueError("must not be empty or only whitespace (control characters are removed)")
        return cleaned

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("authors")
    @classmethod
    def _clean_authors(cls, value: list[str]) -> list[str]:
        return [a.strip() for a in value if a.strip()]

    @model_validator(mode="after")
    def _has_text(self) -> Self:
        """A text article has title and body; an HTML article has html (title and body optional)."""
        if self.html is None:
            if not self.body:
                raise ValueError("an article needs either body (with title) or html: neither was given")
            if not self.title:
                raise ValueError("title is required for an article given as body (optional only with html)")
        return self


class ArticleIn(ArticleFields):
    """One article as a client posts it. ``id`` is optional: without it one is derived."""

    id: Annotated[str, Field(pattern=ID_PATTERN)] | None = Field(
        default=None,
        description="Client-supplied id; else derived from the canonical url, else from title+body "
        "(from the html for an article given as HTML without body).",
    )
    # Posted articles are held to what the model can read; records other producers write to the raw
    # topic directly are not, and a too-long one is dead-lettered by the worker with its reason.
    body: Annotated[NonBlank, Field(max_length=MAX_BODY_CHARS)] | None = Field(
        default=None, description="The article text. Required unless html is given (sent: it wins over the page's)."
    )

    def to_raw(self, received_at: datetime) -> RawArticle:
        text = self.body if self.body is not None else self.html or ""
        article_id = self.id or derive_article_id(url=self.url, title=self.title or "", body=text)
        source = self.source
        if not source and self.url:
            host = (urlsplit(self.url).hostname or "").lower()
            source = host.removeprefix("www.") or None
        data = self.model_dump(exclude={"id", "source", "title", "body"})
        return RawArticle(
            id=article_id, source=source, received_at=received_at, title=self.title or "", body=self.body or "", **data
        )


class RawArticle(ArticleFields):
    """An accepted article, as published on ``articles.raw`` (key = ``id``)."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    received_at: datetime
    schema_version: Literal[1] = SCHEMA_VERSION
    # Text, never None: "" when the client sent none with its html (the worker extracts it from the page).
    title: Annotated[str, Field(max_length=MAX_TITLE_CHARS)] = Field(
        default="", description='"" only with html: not sent, extracted from the page by the worker.'
    )
    body: str = Field(default="", description='"" only with html: not sent, extracted from the page by the worker.')


class EntityType(StrEnum):
    PERSON = "PERSON"
    ORG = "ORG"
    GPE = "GPE"
    LOC = "LOC"
    NORP = "NORP"
    EVENT = "EVENT"
    FAC = "FAC"


class Span(_Model):
    """Character offsets into ``EnrichedArticle.clean_body``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("end must not precede start")
        return self


class Entity(_Model):
    """One real-world entity mentioned in the article, under its canonical name."""

    name: str
    type: EntityType
    mentions: int = Field(ge=1, description="How many times it is mentioned.")
    surface_forms: list[str] = Field(default_factory=list, description="The ways the text names it.")
    spans: list[Span] = Field(default_factory=list)


class QuoteKind(StrEnum):
    DIRECT = "direct"
    PARTIAL = "partial"
    INDIRECT = "indirect"


class SpeakerType(StrEnum):
    PERSON = "PERSON"
    ORG = "ORG"
    GROUP = "GROUP"
    UNKNOWN = "UNKNOWN"


class Quote(_Model):
    text: str
    speaker: str | None = Field(default=None, description="Canonical name when the speaker is a named entity.")
    speaker_type: SpeakerType = SpeakerType.UNKNOWN
    kind: QuoteKind = QuoteKind.DIRECT
    verb: str | None = None
    start: int = Field(ge=0, description="Offset of the quoted text in clean_body.")
    end: int = Field(ge=0)


class Dedup(_Model):
    content_hash: str = Field(description="sha256 of the normalised clean text: equal for exact re-posts.")
    minhash_bands: list[str] = Field(
        default_factory=list, description="LSH band keys of a MinHash signature, for near-duplicate lookup."
    )
    minhash_signature: list[int] = Field(
        default_factory=list, description="The 128 MinHash values the bands come from: similarity estimates."
    )
    duplicate_of: str | None = Field(default=None, description="Id of the original this article copies.")
    similarity: float | None = Field(default=None, ge=0.0, le=1.0)
    cluster_id: str = Field(description="Id shared by an original and all its copies (the original's id).")


class Enrichment(_Model):
    version: str = Field(description="Version of the enrichment code.")
    model: str = Field(description="spaCy pipeline name and version.")
    processed_at: datetime


class EnrichedArticle(RawArticle):
    """A raw article plus what enrichment found, as published on ``articles.enriched`` and indexed.

    ``body`` is the text enriched (for an article given as HTML, the text extracted from the page);
    the page itself is not kept here (accepted from the raw article, never serialised).
    """

    title: Annotated[str, Field(max_length=MAX_TITLE_CHARS)] = Field(
        description="The client's title, else the page's, else the first line of the extracted text."
    )
    body: str = Field(description="The text enriched: as sent, or extracted from the html.")
    html: SkipJsonSchema[str | None] = Field(default=None, exclude=True)

    clean_body: str = Field(description="Body after boilerplate removal; entity and quote offsets refer to it.")
    entities: list[Entity] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    dedup: Dedup
    enrichment: Enrichment
