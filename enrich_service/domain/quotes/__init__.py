"""Quotes and who said them, from the clean text, its sentences and its resolved entities.

Pure. Three kinds of quote are found:

* **direct** — words in quotation marks that make a sentence (or follow "X said:"), straight or curly
  marks, several sentences long, or running over paragraphs (a paragraph left open whose next
  paragraph starts with an opening mark continues the quote);
* **partial** — a short fragment in quotation marks inside the narrator's sentence
  (``called the toll "a tax on workers"``);
* **indirect** — reported speech without marks, when a named speaker is attributed at the end of the
  sentence (``..., said Brandt.`` / ``..., the ministry said.``) or is the subject of a speech verb
  at its start (``Varga said the bridge would open ...``).

The speaker is looked for, in order: right after the closing mark (``"...," Varga said`` /
``"...," said Foreign Minister X``), after the sentence's last quote (shared by all its quotes), in
front of the quote (``Varga said: "..."``, ``She said she believes "..."``, ``Brandt called it
"..."``); an unattributed quote that is a whole sentence continues the previous quote's speaker when
that one is in the same or the previous paragraph. Pronouns (he/she/it/they) go to the most recent
fitting speaker or entity. A named speaker gets the canonical entity name; a body or group is kept as
written ("the ministry", "the G7 foreign ministers") with speaker type ORG or GROUP.

Also: single quotation marks are read as the primary marks when the article uses them so (UK style,
``primary_marks_as_double``); "According to X, ..." credits X; reported words after a quote in the same
sentence (``"...," she said, adding that ...`` / ``... and said ...`` / ``... but that ...``) and
before it (``X told reporters ..., but called it "..."``) are indirect quotes by the same speaker;
", saying that ..." and "was quoted as saying ..." credit the sentence's subject; a subject may be a
description ("A senior official", "Fishing crews along the coast", "the pilot"), a name the NER missed
(capitalised words, titles dropped), or several entities together ("the U.K. and France", a GROUP kept
as written); "the union" / "the company" link to the named organisation; "he"/"she" skip people whose
title ("Mr.", "Ms.", "spokeswoman") shows the other gender.

Nothing here raises on odd input: unbalanced marks, stray marks and unusual characters give fewer
quotes, not errors.

Modules, one idea each:

* ``extract``     — ``extract_quotes``: the article's marked quotes and unmarked sentences read in text order
* ``marks``       — text in quotation marks (``find_quoted_spans``), single marks as primary marks
* ``direct``      — a quote in marks: direct or partial, and its speaker
* ``reported``    — indirect quotes: reported speech without marks
* ``subjects``    — the subject of a speech verb in a sentence without marks
* ``attribution`` — the speaker a verb or "according to" credits, a speaker phrase, pronouns
* ``speakers``    — reading a speaker phrase: head noun, descriptions, groups, named bodies, names
* ``context``     — the article as the rules read it, the speakers found so far, persons' genders
* ``lexicon``     — shared word lists and patterns (speech verbs, speaker nouns, pronouns, times)
"""

from enrich_service.domain.quotes.attribution import PRONOUN_LOOKBACK_SENTENCES
from enrich_service.domain.quotes.context import person_genders
from enrich_service.domain.quotes.extract import extract_quotes
from enrich_service.domain.quotes.marks import QuotedSpan, find_quoted_spans, primary_marks_as_double
from enrich_service.domain.quotes.reported import MIN_INDIRECT_WORDS, MIN_TRAILING_INDIRECT_WORDS
from enrich_service.domain.quotes.speakers import MAX_ORG_REFERENCE_CHARS
from enrich_service.domain.quotes.subjects import MAX_DESCRIBED_SUBJECT_WORDS

__all__ = [
    "MAX_DESCRIBED_SUBJECT_WORDS",
    "MAX_ORG_REFERENCE_CHARS",
    "MIN_INDIRECT_WORDS",
    "MIN_TRAILING_INDIRECT_WORDS",
    "PRONOUN_LOOKBACK_SENTENCES",
    "QuotedSpan",
    "extract_quotes",
    "find_quoted_spans",
    "person_genders",
    "primary_marks_as_double",
]
