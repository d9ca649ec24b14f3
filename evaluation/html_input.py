"""The corpus as web pages: each article on a page of ours (``pages``), extracted as the worker does.

A crawler posts ``{"html": page, "url": ...}`` and nothing else; the worker extracts title and text
(``enrich_service.processor.from_page``) and enriches what it got. Scoring those articles against the
same gold as their clean text shows what extraction costs. The target: every figure within
``HTML_TOLERANCE`` of the clean-text figure.
"""

from __future__ import annotations

from collections.abc import Mapping

from enrich_service.dead_letters import DeadLetter, Incoming
from enrich_service.domain.cleaning import clean_body
from enrich_service.processor import from_page
from evaluation.gold import ROLE_DEV, ROLE_TEST, GoldArticle, GoldFile
from evaluation.pages import CHROME_MARKERS, web_page
from schemas.articles import ArticleIn

#: Roles of the HTML versions of the corpus splits (the test split's detail stays hidden for both).
ROLE_TEST_HTML, ROLE_DEV_HTML = "test-html", "dev-html"
HTML_ROLES = {ROLE_TEST: ROLE_TEST_HTML, ROLE_DEV: ROLE_DEV_HTML}
HIDDEN_ROLES = (ROLE_TEST, ROLE_TEST_HTML)
HTML_TOLERANCE = 0.03


def html_version(gold: GoldFile) -> GoldFile:
    """``gold``'s articles as the worker gets them from their web pages (a failed extraction: no text)."""
    out = GoldFile(gold.path, f"{gold.name} as HTML", role=HTML_ROLES.get(gold.role, gold.role))
    for n, g in enumerate(gold.articles):
        raw = g.article
        url = f"https://news.example.org/{gold.name.replace('/', '-')}/{n}"
        page = web_page(raw.title, raw.body, url, layout=n)
        posted = ArticleIn.model_validate({"html": page, "url": url}).to_raw(raw.received_at)
        extracted = from_page(Incoming(b"", None, "eval", 0, n), posted)
        if isinstance(extracted, DeadLetter):
            out.notes.append(f"{out.name}: an article without extracted text ({extracted.stage})")
            extracted = posted.model_copy(update={"title": raw.title, "body": raw.title})
        out.articles.append(GoldArticle(g.source, extracted, g.entities, g.quotes))
    in_text = sum(1 for a in out.articles if _has_chrome(a.article.body))
    in_clean = sum(1 for a in out.articles if _has_chrome(clean_body(a.article.title, a.article.body)))
    out.notes.append(
        f"{out.name}: page chrome in {in_text} of {len(out.articles)} extracted texts,"
        f" in {in_clean} after cleaning (clean_body, what is indexed)"
    )
    return out


def _has_chrome(text: str) -> bool:
    return any(marker in text for marker in CHROME_MARKERS)


def html_deltas(text: Mapping[str, float | None], html: Mapping[str, float | None]) -> dict[str, float]:
    """HTML minus clean text, per figure both have."""
    out = {}
    for key, value in html.items():
        base = text.get(key)
        if value is not None and base is not None:
            out[key] = round(value - base, 3)
    return out
