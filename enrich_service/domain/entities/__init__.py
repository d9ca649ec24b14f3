"""From NER mentions to the article's entities: one per real-world entity, under a canonical name.

Pure: the input is the clean text and the mentions an NER model found in it (``Mention``); nothing
here knows about spaCy. Steps, for each mention:

1. its label is mapped to an ``EntityType`` (other labels are dropped);
2. its span is trimmed to the name proper: leading "the", titles ("Mr.", "Foreign Minister",
   "Norwegian Foreign Minister"), a possessive ("Varga's") and stray punctuation go;
3. obvious false positives go (pronouns, lone titles, no letters, lower-case words, stop list);
4. the alias table maps variants to one name ("Kiev" -> "Kyiv", "U.S." -> "United States");
5. the words around a mention correct the model's label (``context.context_type``): a name after a role
   or honorific ("coach Saskia Dromgo", "chief executive, Ana Pellow,", "Ms. Ruvaldo") or whose surname
   is tagged PERSON elsewhere is a PERSON; a "person" ending in an organisation word
   (``data/org_words.txt``: "Marrowby Town", "X Advisers") or introduced by one ("the airline X") is an
   ORG; a lone word after "in"/"at" or "the mayor of" is a place; "Storm X" is an EVENT; a first name
   the model cut off before a middle initial ("J. Austin") is taken back;
6. within the article, a person's short forms map to the full name used elsewhere ("Varga",
   "Mr. Varga" -> "Elena Varga"), even when the model gave the short form another label; a lone
   head word ("the Bank") or a first word tagged PERSON ("Marrowby") maps to the organisation it
   heads or starts ("Central Bank of Norvia", "Marrowby Town").

The result is an ``EntityIndex``: the entities plus every mention resolved to its entity, so later
steps (quotes) can map any span or name back to its canonical entity.

Modules, one idea each:

* ``resolve`` — ``resolve_entities``: the steps together, and each entity's final type (majority,
  type table, a lone word that is a place rather than a person, places the gazetteer knows)
* ``model``   — ``Mention``, ``ResolvedMention``, ``EntityIndex``: what the steps pass around
* ``names``   — a mention trimmed to the name proper (steps 2-4), a person's short forms
* ``context`` — the words around a mention correct its label (step 5)
* ``linking`` — short forms and head nouns link to the full name in the article (step 6)
"""

from enrich_service.domain.entities.model import EntityIndex, Mention, ResolvedMention, canonical_entity
from enrich_service.domain.entities.names import alias_table, is_title_word, strip_titles, trim_mention
from enrich_service.domain.entities.resolve import extract_entities, resolve_entities

__all__ = [
    "EntityIndex",
    "Mention",
    "ResolvedMention",
    "alias_table",
    "canonical_entity",
    "extract_entities",
    "is_title_word",
    "resolve_entities",
    "strip_titles",
    "trim_mention",
]
