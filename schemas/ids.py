"""Deterministic article ids: the same article posted twice gets the same id.

An id is the client's own when it sends one; otherwise it is derived from the canonical URL;
otherwise from the normalised title and body. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: What a client-supplied id may look like: safe as a Kafka key, an ES ``_id`` and a URL segment.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"

# Query parameters that identify a campaign or a click, never the article.
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ref|ref_src|cmpid|ocid)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Typographic variants folded before hashing, so a re-post with other quote marks is the same text.
_CHAR_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
    }
)
_WS = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """The form of ``url`` that two links to the same page share.

    Lower-cases scheme and host, drops ``www.``, default ports, fragments, tracking parameters and a
    trailing slash, and sorts the remaining query parameters.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    netloc = host
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k))
    # Scheme is folded to https: http and https links to one article are one article.
    return urlunsplit(("https" if scheme in _DEFAULT_PORTS else scheme, netloc, path, urlencode(query), ""))


def normalise_text(text: str) -> str:
    """Text folded for comparison: NFKC, typographic quotes and dashes folded, lower case, one space."""
    folded = unicodedata.normalize("NFKC", text).translate(_CHAR_FOLD)
    return _WS.sub(" ", folded).strip().lower()


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def derive_article_id(*, url: str | None, title: str, body: str) -> str:
    """The id of an article that came without one: from its canonical URL, else from its text."""
    if url:
        return "u" + _digest(canonical_url(url))
    return "t" + _digest(normalise_text(title), normalise_text(body))
