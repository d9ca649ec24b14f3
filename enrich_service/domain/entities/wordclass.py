"""What a word is in general English: a first name, a common word, a facility's last word.

Backed by maintained data: ``gender_guesser`` (about 40,000 first names) and ``wordfreq`` (word
frequencies), plus ``data/facility_words.txt`` (the last words of streets, buildings and sites).
Each answer is cached per word: the same names recur across articles.
"""

from __future__ import annotations

from functools import cache, lru_cache

import gender_guesser.detector
from wordfreq import zipf_frequency

from enrich_service.domain.resources import read_words

#: A word at least this frequent in English (Zipf scale: 3 = once per million words) is a common word.
#: (wordfreq folds case, so surnames count too: "Novak" 3.4, "Brandt" 3.2; "Match" is 5.1, "Tons" 4.5.)
COMMON_ZIPF = 3.5
#: Rarer than this, a word is no common word nor common surname ("Monett" 1.6; "Moore" 4.3).
RARE_ZIPF = 3.0


@cache
def _detector() -> gender_guesser.detector.Detector:
    return gender_guesser.detector.Detector(case_sensitive=False)


@lru_cache(maxsize=65_536)
def is_first_name(word: str) -> bool:
    """Whether ``word`` is a known first name ("Janice", "Mark", "Rose")."""
    word = word.strip(".,’'")
    return len(word) > 1 and word[:1].isupper() and _detector().get_gender(word) != "unknown"


@lru_cache(maxsize=65_536)
def zipf(word: str) -> float:
    """How common the lower-cased ``word`` is in English (Zipf scale, 0 when unknown)."""
    return zipf_frequency(word.lower(), "en")


def is_rare_word(word: str) -> bool:
    """A word seldom seen in English text: no common word, nor a common surname."""
    return zipf(word) < RARE_ZIPF


def is_common_word(word: str) -> bool:
    """A frequent lower-case English word ("Match", "Frozen", "Download")."""
    return zipf(word) >= COMMON_ZIPF


def is_facility_name(name: str) -> bool:
    """A street, building or site ("Peguis Trail", "Mater Hospital", "Pensnett Trading Estate"):
    a word after the first is a facility word (``data/facility_words.txt``)."""
    words = [w.strip(".,’'").lower() for w in name.split()]
    return len(words) > 1 and any(w in read_words("facility_words.txt") for w in words[1:])


def is_common_word_name(name: str) -> bool:
    """A would-be person's name made only of common English words none of which is a first name
    ("Launch Offer", "Tons"): not a name, unless the first word is a first name ("Will Rose")."""
    words = name.split()
    return bool(words) and not is_first_name(words[0]) and all(is_common_word(w) for w in words)


def first_name_gender(word: str) -> str | None:
    """``"he"`` or ``"she"`` when ``word`` is a first name mostly given to men or to women, else ``None``."""
    answer = _detector().get_gender(word.strip(".,’'")) if word[:1].isupper() else "unknown"
    return {"male": "he", "mostly_male": "he", "female": "she", "mostly_female": "she"}.get(answer)
