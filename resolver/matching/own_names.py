"""What an entity's own names say where a mention and the entity's best alias disagree.

The entity's other names (those retrieval found for the mention) tell which of the alias's words
its names do without and which of the mention's words another of them holds
(:func:`alias_variation`), and whether they ever put another word in a middle name's place
(:func:`fixed_middle`), and whether every one of them names a country the mention lacks
(:func:`country_branch`): a first name that varies among the entity's own names is weaker evidence
of another person than one every name holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from resolver.matching.alignment import align, kunya_children
from resolver.matching.features import Evidence
from resolver.matching.index import IndexedAlias
from resolver.matching.normalize import Token
from resolver.matching.places import place_of
from resolver.matching.word_similarity import token_similarity
from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORMS, ORG_TYPES

__all__ = ["alias_variation", "country_branch", "fixed_middle"]


def alias_variation(query: Sequence[Token], alias: IndexedAlias, ev: Evidence,
                    names: Sequence[IndexedAlias], *, person: bool = True) -> tuple[float, float]:
    """How the entity's own names vary where the mention and its best alias disagree.

    (1.0 if every name word of the alias that the mention lacks is missing from another of the
    entity's names as well, else 0.0; 1.0 if every name word of the mention that the alias lacks
    is held by another of the entity's names, else 0.0), both 0.0 when the names agree word for
    word.  "Jose GONZALEZ QUIRARTE" against "Eduardo GONZALEZ QUIRARTE" of an entity also named
    "Lalo GONZALEZ QUIRARTE": the entity's first name varies, so another first name is weaker
    evidence of another man than it is against "Qais al-Khazali", whose every name holds Qais.
    """
    rest = _other_names(alias, names)
    if not person:
        # An organisation's other name shows a word optional only as the same name without it
        # ("JIAXIANG INDUSTRY LTD" beside "JIAXIANG INDUSTRY HONG KONG LIMITED"), not as another
        # name altogether ("NAVAL DEFENCE MISSILE INDUSTRY GROUP" says nothing of "CRUISE SYSTEMS
        # INDUSTRY GROUP"'s "SYSTEMS"): it must hold every other name word of the alias.
        kept = [t for j, t in enumerate(alias.tokens) if j not in ev.free_a and _name_word(t)]
        rest = [other for other in rest if all(_holds(other, t) for t in kept)]
    if not rest or not (ev.free_a or ev.free_q):
        return 0.0, 0.0
    # A name opening with a kunya ("Abu Abdul BARNAWI": named by his son) lacks the given name
    # because the kunya stands in its place, not because the given name varies: it shows no word
    # of another name optional, save a kunya's own.
    kunya = _kunya(alias.tokens)
    optional = bool(ev.free_a) and all(any(not _holds(other, alias.tokens[j]) and (j in kunya or not _kunya(other))
                                           and (person or not _abbreviates(other, alias.tokens[j], alias.tokens))
                                           for other in rest) for j in ev.free_a)
    elsewhere = bool(ev.free_q) and all(any(_holds(other, query[i]) for other in rest) for i in ev.free_q)
    if (optional and ev.free_q and not elsewhere and set(ev.free_a) <= kunya
            and any(not _kunya(other) for other in rest)):
        # The alias is the kunya, which another name does without because it holds the given name
        # ("Mokhtar Jesus BARNAWI"): the kunya is optional, the given name is not, and the
        # mention's other first name ("Khaled al-Barnawi") still clashes with it.
        optional = False
    return float(optional), float(elsewhere)


def _abbreviates(other: Sequence[Token], word: Token, alias: Sequence[Token]) -> bool:
    """``other`` writes ``word`` short: it holds a name word of at most three letters, not in the
    alias, that opens with the word's letter ("IRGC-QF" beside "IRGC-Quds": "QF" is Quds Force's initials,
    so that name keeps Quds, and shows no more that another word may stand there)."""
    return len(word.text) > 3 and any(
        len(t.text) <= 3 and t.text[0] == word.text[0] and t.text.isascii() and _name_word(t) and not _holds(alias, t)
        for t in other)


def _other_names(alias: IndexedAlias, names: Sequence[IndexedAlias]) -> list[Sequence[Token]]:
    """The entity's other names (among ``names``) in the alias's script: names in another script say
    nothing about which words are optional ("كتائب حزب الله" holds no Latin "Hezbollah")."""
    script = any(t.arabic for t in alias.tokens)
    return [n.tokens for n in names
            if n.alias_id != alias.alias_id and n.tokens and any(t.arabic for t in n.tokens) == script]


def _name_word(token: Token) -> bool:
    """A word that says which organisation, not what kind ("Ltd", "of", "Establishment")."""
    return not (token.text in FUNCTION_WORDS or token.text in LEGAL_FORMS or token.text in ORG_TYPES)


def fixed_middle(alias: IndexedAlias, ev: Evidence, names: Sequence[IndexedAlias],
                 weight: Callable[[Token], float]) -> float:
    """1.0 if the mention holds a name word between two aligned words where the alias holds another
    (``Evidence.gap_mid_a``), and the entity's other names (among those retrieved) never put yet
    another word in that alias word's place; else 0.0.  "Fadi Jamil SERHAN" is not Fadi Hussein
    SERHAN (another father's name), though another name of his leaves the middle name out: it may
    be left out, not replaced.  An entity whose own names put two different words there has no one
    middle name to clash with.  ``weight``: a word's weight (function words are not name words).

    Only the judged alias is read: a mention whose middle word clashes with another of the entity's
    names but not with its best one ("Sadeq Ardeshir LARIJANI" beside "Sadegh Amoli LARIJANI" and
    "Sadeq LARIJANI") is often the same person on the development part (four such right answers
    would be lost against seven more swap-probe names refused)."""
    if not ev.gap_mid_a:
        return 0.0
    wa = [weight(t) for t in alias.tokens]
    swapped: set[int] = set()
    for other in _other_names(alias, names):
        swapped |= align(alias.tokens, other, wa, [weight(t) for t in other]).gap_clashes()[0]
    return float(not ev.gap_mid_a <= swapped)


def _kunya(tokens: Sequence[Token]) -> set[int]:
    """The positions of a kunya's words ("Abu Abdul": a marker and the child's name)."""
    return {k for child in kunya_children(tokens) for k in (child - 1, child)}


def _holds(tokens: Sequence[Token], word: Token) -> bool:
    return any(t.text == word.text or token_similarity(word, t)[0] >= 0.8 for t in tokens)


def country_branch(query: Sequence[Token], alias: IndexedAlias, ev: Evidence, names: Sequence[IndexedAlias]) -> float:
    """1.0 if the alias is the mention's name plus a country (every name word of the mention paired,
    a word of the alias left unpaired names a country), the mention names no country of its own, and
    every other name of the entity (among those retrieved, in the alias's script; at least one) names
    that country too; else 0.0.  An entity whose every name carries a country is that country's
    body, a subsidiary or branch ("BELKAZTRANS UKRAINE", also "BELKAZTRANS UKRAINA TOV"); the name
    without it is the parent's ("LLC BELKAZTRANS"), a different company.  One name alone says
    nothing of which words the entity's names keep ("AERO CONTINENTE (USA) INC." for "AERO
    CONTINENTE, INC." is the same company), and a mention that names a country is that country's
    body itself ("ISLAMIC STATE IN YEMEN" for "ISLAMIC STATE OF IRAQ AND THE LEVANT IN YEMEN")."""
    if ev.free_q or not ev.free_a or any(place_of(t.text) for t in query):
        return 0.0
    places = [alias.tokens[j] for j in ev.free_a if place_of(alias.tokens[j].text)]
    rest = _other_names(alias, names)
    if not places or not rest:
        return 0.0
    return float(all(_names_country(other, word) for other in rest for word in places))


def _names_country(tokens: Sequence[Token], word: Token) -> bool:
    """One of the words names the country ``word`` names, or spells ``word`` ("UKRAINA", "UKRAINE")."""
    country = place_of(word.text)
    return any(place_of(t.text) == country for t in tokens) or _holds(tokens, word)
