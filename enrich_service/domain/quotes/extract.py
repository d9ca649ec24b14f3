"""Reading an article's quotes in text order: marked quotes and unmarked sentences interleaved, so a
pronoun can refer back to any speaker found before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from enrich_service.domain.entities import EntityIndex
from enrich_service.domain.quotes.context import Context
from enrich_service.domain.quotes.direct import marked_quote
from enrich_service.domain.quotes.marks import DOUBLE_MARK, find_quoted_spans, primary_marks_as_double
from enrich_service.domain.quotes.reported import indirect_after_quote, indirect_before_quote, indirect_quote
from enrich_service.domain.text import SpanT, fix_sentence_spans, paragraph_spans, split_sentences
from schemas.articles import Quote


def extract_quotes(text: str, sentences: Sequence[SpanT] | None, index: EntityIndex | None = None) -> list[Quote]:
    """The quotes of ``text`` with their speakers (see the module docstring), in text order.

    ``sentences`` are sentence ``(start, end)`` offsets (from the NLP pipeline; ``None`` splits by rule);
    ``index`` is the article's resolved entities (``entities.resolve_entities``).
    """
    index = index or EntityIndex()
    original = text
    text = primary_marks_as_double(text)
    spans = fix_sentence_spans(text, sentences if sentences is not None else split_sentences(text))
    quoted = find_quoted_spans(text)
    ctx = Context(text, spans, paragraph_spans(text), index, quoted)
    # Marked quotes and unmarked sentences are read in text order, so a pronoun can refer back to any
    # speaker found before it.
    marked = {ctx.sentence_of(q.open_mark) for q in quoted}
    work: list[tuple[int, int, int]] = [(q.open_mark, 0, n) for n, q in enumerate(quoted)]
    work += [
        (s[0], 1, n)
        for n, s in enumerate(ctx.sentences)
        if s not in marked and not DOUBLE_MARK.search(text, s[0], s[1])
    ]
    quotes: list[Quote] = []
    previous: tuple[Quote, int] | None = None  # last marked quote and its paragraph
    for _, what, n in sorted(work):
        if what == 0:
            quote = marked_quote(ctx, quoted[n], n, previous, quotes)
            previous = (quote, ctx.paragraph_of(quoted[n].start))
            before = indirect_before_quote(ctx, quoted, n)
            if before is not None:
                quotes.append(before)
            quotes.append(quote)
            after = indirect_after_quote(ctx, quoted, n, quote)
            if after is not None:
                quotes.append(after)
        else:
            indirect = indirect_quote(ctx, ctx.sentences[n])
            if indirect is not None:
                quotes.append(indirect)
    quotes.sort(key=lambda q: q.start)
    if text is original:
        return quotes
    return [q.model_copy(update={"text": _original_text(original, text, q)}) for q in quotes]


def _original_text(original: str, work: str, quote: Quote) -> str:
    """A quote's text as the article writes it (the work text has its quote marks swapped)."""
    pieces: list[str] = []
    pos = quote.start
    for piece in quote.text.split("\n\n"):
        at = work.find(piece, pos, quote.end + 1)
        if at < 0:
            return quote.text
        pieces.append(original[at : at + len(piece)])
        pos = at + len(piece)
    return "\n\n".join(pieces)
