"""The annotator's word lists (``resolver/data/text_words.toml``), loaded once.

They describe the words AROUND names, never names themselves: which capitalised words are titles
or roles ("Adviser"), which are ordinary words that a sentence capitalises ("Later", "Tuesday"),
which are adjectives of nationality or sect ("Iraqi", "Shiite"), and which lower-case words join
the parts of one name ("al", "bin", "of the").  What is a name is the resolver's business alone.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from resolver.matching.words import TITLES

__all__ = ["ARTICLES", "CONNECTORS", "DEMONYMS", "NOT_NAMES", "OPENERS", "TITLE_WORDS"]

_SOURCE = Path(__file__).resolve().parent.parent / "data" / "text_words.toml"


def _load() -> dict[str, frozenset[str]]:
    with _SOURCE.open("rb") as handle:
        raw = tomllib.load(handle)
    return {key: frozenset(value.split()) for key, value in raw.items()}


_LISTS = _load()

#: titles, honorifics and roles: beside a name they do not make a longer name
TITLE_WORDS: frozenset[str] = TITLES | _LISTS["roles"]
#: capitalised words that are never part of a name ("In", "Later", "Tuesday")
NOT_NAMES: frozenset[str] = _LISTS["not_names"]
#: adjectives of nationality, religion and sect ("Iraqi", "Shiite")
DEMONYMS: frozenset[str] = _LISTS["demonyms"]
#: lower-case words that may stand inside a name but never end one ("al", "bin", "of", "the")
CONNECTORS: frozenset[str] = _LISTS["connectors"]
#: words a name may open with although they are no name on their own: titles ("Imam Ali"), "The"
#: ("The Wall Street Journal") and particles ("Al Arabiya", "Abu Mahdi"); never a preposition,
#: pronoun or verb ("In", "By", "We")
OPENERS: frozenset[str] = TITLE_WORDS | {"the"} | (CONNECTORS - NOT_NAMES)
#: the article written before a name with a hyphen ("al-Sadr", "el-Sisi")
ARTICLES: frozenset[str] = frozenset({"al", "el"})
