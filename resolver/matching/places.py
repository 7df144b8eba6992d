"""Country words: a name's place qualifier ("Iranian", "in Tehran", "-Somalia") tells bodies apart.

"Interior Ministry" of Iraq is not the "Iranian Interior Ministry"; "ISIS-Somalia" is not "ISIS".
The resolver asks :func:`place_of` which country a word of a mention names (by its name, demonym
or capital); when an entity's own aliases name countries and this is not one of them, the mention
names another body or another man (al-Iraqi is not al-Masri).  General knowledge, not data from
any store: every word maps to an ISO 3166 alpha-2 code (``resolver/data/name_words.toml``).
"""

from __future__ import annotations

from resolver.matching.words import COUNTRY_WORDS

__all__ = ["place_of"]


def place_of(word: str) -> str | None:
    """The ISO country code a normalised word names ("iranian" -> "IR"), or None."""
    return COUNTRY_WORDS.get(word)
