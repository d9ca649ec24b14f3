"""Line classification for page chrome that no boilerplate rule names: bylines, outlet and widget labels.

``data/boilerplate.tsv`` holds the patterns (share lines, promos, photo credits); this module holds the
general tests those tables cannot express:

* a *name line*: a short line of capitalised words and no stop words ("Jane Roe", "By Jane Roe",
  "Jane Roe and Tom Poe", "The Norvik Herald", "Placeholder Image"). Standing on its own between
  paragraphs, it is a byline, an outlet or widget label, or a photo-tag line, never a sentence;
* a *doubled line*: the same caption printed twice on one line ("A ship at dawn A ship at dawn");
* mojibake: UTF-8 quote marks and dashes read as Windows-1252 ("â€œ", or "'€œ" when the lead byte
  was lost too), which hide quotes from the quote finder.

The stop words are spaCy's English list: function words only (jusText's list, built from word
frequencies, also holds "John", "London" and "University", which are what a byline is made of).
"""

from __future__ import annotations

import re
from functools import cache

import gender_guesser.detector as gender_detector
from spacy.lang.en.stop_words import STOP_WORDS

#: A name line has at least this many and at most this many words (connectors not counted).
MIN_NAME_WORDS = 2
MAX_NAME_WORDS = 6

_CONNECTORS = frozenset({"and", "&", "|", "/"})
# Lower-case particles inside personal names ("Ludwig van Beethoven", "Mohamed bin Zayed").
_NAME_PARTICLES = frozenset(
    {"van", "von", "der", "de", "da", "di", "du", "del", "dos", "la", "le", "bin", "binti", "al"}
)
_BULLETS = "•·*–—-"
_QUOTE_CHARS = "\"“”„«»‟'‘’"

# UTF-8 punctuation decoded as Windows-1252: "â€" + one byte, or "'€" + one byte when the lead byte
# was lost as well. The closing double quote's last byte (0x9d) has no Windows-1252 character, so it
# is often missing: a bare "â€" / "'€" is that closing quote.
_MOJIBAKE_TAILS = {"œ": "“", "™": "’", "˜": "‘", "“": "–", "”": "—", "¦": "…", "\x9d": "”", "�": "”"}
_MOJIBAKE = re.compile("â€([œ™˜“”¦\x9d�]?)|'€([œ™˜“”¦\x9d�]|(?=[\\s.,;:!?)]|$))")


def is_name_line(line: str) -> bool:
    """Whether ``line`` is only capitalised words without stop words, like a byline or an outlet label.

    A leading bullet and a leading "The" are allowed, and "and", "&", "|" or "/" between names. A line
    of all-capital words is not one (a dateline such as "NEW YORK" is content), nor is a line with a
    sentence end, a comma, a colon, a digit or a quote mark.
    """
    text = line.strip().lstrip(_BULLETS).strip()
    if not text or text[-1] in ".!?…,;:" or any(c.isdigit() or c in _QUOTE_CHARS or c in ":;,()" for c in text):
        return False
    words = [w for w in text.split() if w.lower() not in _CONNECTORS]
    if words and words[0] == "The":
        words = words[1:]
    if not MIN_NAME_WORDS <= len(words) <= MAX_NAME_WORDS or all(w.isupper() for w in words):
        return False
    for n, word in enumerate(words):
        if n and word in _NAME_PARTICLES:
            continue
        if not word[0].isupper() or word.lower() in STOP_WORDS:
            return False
    return True


@cache
def _given_names() -> gender_detector.Detector:
    return gender_detector.Detector(case_sensitive=False)


def is_given_name(word: str) -> bool:
    """Whether ``word`` is a first name in gender-guesser's list ("Elena", "Mark"; not "News")."""
    return word[:1].isupper() and word.isalpha() and _given_names().get_gender(word) != "unknown"


def starts_with_given_name(line: str) -> bool:
    """Whether ``line``'s first word (after a bullet) is a first name: a name line that is a person."""
    words = line.strip().lstrip(_BULLETS).split()
    return bool(words) and is_given_name(words[0])


#: A doubled line is a caption printed twice only up to this length (a caption is short; a long line
#: that repeats is content, or a hostile body, and is left as it is).
MAX_DOUBLED_CHARS = 1000


def collapse_doubled(line: str) -> str:
    """``line`` with a caption printed twice on it ("X X" or "XX") reduced to one copy."""
    if len(line) > MAX_DOUBLED_CHARS:
        return line
    for half in (len(line) // 2, (len(line) - 1) // 2):
        first, rest = line[:half], line[half:]
        if half >= 12 and rest.lstrip() == first and len(rest) - len(rest.lstrip()) <= 1:
            return first
    return line


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8 quote marks and dashes that were read as Windows-1252 put back."""
    if "€" not in text:
        return text
    return _MOJIBAKE.sub(lambda m: _MOJIBAKE_TAILS.get(m.group(1) or m.group(2) or "", "”"), text)
