"""The matcher's word lists (``resolver/data/name_words.toml``), loaded once.

General knowledge about names, kept as data rather than code: titles and honorifics, given names
too common to identify anybody, words that merely begin with "al", the words that join a name's
parts, legal forms of companies, the words saying what kind of organisation a name is, written
abbreviations, and the words that name a country.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["ABBREVIATIONS", "ATTACHED_AL_KEEP", "COMMON_GIVEN_NAMES", "COUNTRY_WORDS", "DISTINCT_NAMES",
           "FUNCTION_WORDS", "KUNYA_MARKERS", "LEGAL_FORMS", "LEGAL_FORM_KINDS", "LEGAL_FORM_QUALIFIERS",
           "NAME_EQUIVALENTS", "ORG_TYPES", "TITLES", "UNIT_ARTICLES", "UNIT_JOINS", "WEB_DOMAINS"]

_SOURCE = Path(__file__).resolve().parent.parent / "data" / "name_words.toml"


def _load() -> dict[str, Any]:
    with _SOURCE.open("rb") as handle:
        return tomllib.load(handle)


_RAW = _load()

#: titles, honorifics and ranks, dropped at the start of a name ("Sheikh", "Ayatollah", "Gen")
TITLES: frozenset[str] = frozenset(_RAW["titles"].split())
#: given names so widely borne that, alone, they never identify anybody ("Ali", "Muhammad")
COMMON_GIVEN_NAMES: frozenset[str] = frozenset(_RAW["common_given_names"].split())
#: the words a kunya opens with ("Abu Abdul": named by a child, not by the given name)
KUNYA_MARKERS: frozenset[str] = frozenset(_RAW["kunya_markers"].split())
#: words that begin with "al" without an attached article ("Alawi", "Alliance")
ATTACHED_AL_KEEP: frozenset[str] = frozenset(_RAW["attached_al_keep"].split())
#: words that join a name's parts and identify nothing ("of", "de", "wa")
FUNCTION_WORDS: frozenset[str] = frozenset(_RAW["function_words"].split())
#: the words that join a unit's name to the body it belongs to ("FORCE OF THE ARMY"), and the
#: articles that may stand between
UNIT_JOINS: frozenset[str] = frozenset(_RAW["unit_joins"].split())
UNIT_ARTICLES: frozenset[str] = frozenset(_RAW["unit_articles"].split())
#: the kind of company an abbreviated legal form makes ("ood", "ooo", "ltd" -> "LLC"; "pjsc", "sa" -> "JSC")
LEGAL_FORM_KINDS: dict[str, str] = {word: kind for kind, words in _RAW["legal_form_kinds"].items()
                                    for word in words.split()}
#: generic top-level domains: "Example.com" is a web address naming "Example"
WEB_DOMAINS: frozenset[str] = frozenset(_RAW["web_domains"].split())
#: legal forms of companies ("ltd", "ooo", "sirketi"): what kind of company, never which one
LEGAL_FORMS: frozenset[str] = frozenset(_RAW["legal_forms"].split()) | frozenset(LEGAL_FORM_KINDS)
#: words that open a legal form spelt out ("open" in "OPEN JOINT STOCK COMPANY"), part of it only there
LEGAL_FORM_QUALIFIERS: frozenset[str] = frozenset(_RAW["legal_form_qualifiers"].split())
#: a word saying what kind of organisation a name is -> the kind ("anstalt", "establishment" -> "establishment")
ORG_TYPES: dict[str, str] = {word: kind for kind, words in _RAW["org_types"].items() for word in words.split()}
#: written abbreviations read as the word ("mohd" -> "muhammad", "intl" -> "international")
ABBREVIATIONS: dict[str, str] = dict(_RAW["abbreviations"])
#: a word naming a country (its name, demonym or capital) -> the ISO 3166 alpha-2 code
COUNTRY_WORDS: dict[str, str] = {word: code for code, words in _RAW["countries"].items() for word in words.split()}


def _equivalents(groups: dict[str, str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for words in groups.values():
        forms = set(words.split())
        for word in forms:
            found.setdefault(word, set()).update(forms - {word})
    return {word: frozenset(others) for word, others in found.items()}


#: a name word -> the other forms of the same name in another language or romanisation
#: ("mykola" -> "nikolai", "mikalai", ...; "chong" -> "jong", "jeong", ...)
NAME_EQUIVALENTS: dict[str, frozenset[str]] = _equivalents(_RAW["name_equivalents"])


def _distinct(lines: dict[str, str]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for line in lines.values():
        names = [set(name.split()) for name in line.split("|")]
        for k, spellings in enumerate(names):
            others = set().union(*(n for j, n in enumerate(names) if j != k))
            for word in spellings:
                found.setdefault(word, set()).update(others)
    return {word: frozenset(others) for word, others in found.items()}


#: a name word -> the spellings of the other names its consonant skeleton also holds
#: ("mahmud" -> "muhammad", "mohammed", ...): never spellings of each other
DISTINCT_NAMES: dict[str, frozenset[str]] = _distinct(_RAW["distinct_names"])
