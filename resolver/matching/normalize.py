"""The one text-normalisation pipeline: every module that needs comparable text calls this one.

A name goes through :func:`analyze` once, at write time for an alias and at query time for a
mention, and comes out as a :class:`NameKey`: the display-normalised string, its tokens and the
transliteration skeletons that matching compares.  The skeleton follows the class alphabet of
``TRANSLITERATION.md``: consonants fold into classes (q/g/gh -> Q, dh/z/th -> Z, ...), short
vowels disappear, and Arabic script maps onto the same classes, so "Kadhimi", "Kazemi" and
"الكاظمي" all become ``KZMY``.

The class alphabet and each word's skeleton are :mod:`resolver.matching.skeletons`; the Latin
script's words are read by :mod:`resolver.matching.latin_words`; this module cleans the text up
(NFKC, handles, possessives, acronyms and their plurals, list order), reads Arabic-script words,
and puts the :class:`NameKey` together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from unidecode import unidecode

from resolver.matching.latin_words import latin_words, settled_words
from resolver.matching.skeletons import arabic_key, coarse, latin_key
from resolver.matching.words import WEB_DOMAINS

__all__ = [
    "KEYS_VERSION",
    "NameKey",
    "Token",
    "analyze",
    "coarse_flat",
    "is_arabic",
    "normalize_name",
    "skeleton",
    "unreadable_acronym",
]

#: bump whenever a change here, in resolver/matching/skeletons.py or in
#: resolver/matching/latin_words.py alters the keys of an existing name: stores re-key on open
KEYS_VERSION = "13"

# --- character classes -------------------------------------------------------------------------

_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# English possessive ('s, ’s, s') at the end of a word: "Kadhimi's", "AAH’s", "Muhandis’".
_POSSESSIVE_RE = re.compile(r"(?<=\w)['\u2019\u2018`\u00b4]s\b|(?<=s)['\u2019]\B", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?:^|(?<=\s))[@#](?=\w)")
# CamelCase joins in handles and attached articles: "AlHaq", "MAKadhimi", "AsaibAhlAlHaq".
_CAMEL_LOWER_UPPER_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CAMEL_ACRONYM_RE = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z]{2,})")
# The plural of an acronym: capitals, then a lower-case s ("IRGC-QFs", "NGOs", "UAVs").  The
# acronym itself is the name: "the IRGC-QFs" are the IRGC-QF's units.  Two capitals at least
# ("Is" is a word), and not before another letter or an apostrophe (handled as a possessive).
_ACRONYM_PLURAL_RE = re.compile(r"\b([A-Z][A-Z0-9]*[A-Z])s\b(?!['\u2019])")
_ARABIC_NON_LETTER_RE = re.compile("[^\u0621-\u064a\u0671-\u06d3a-z0-9]+")
_ARABIC_TASHKEEL_RE = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]")
# آ keeps its madda in the text so that a stripped "الآلوسي" -> "آلوسي" is not stripped again.
_ARABIC_UNIFY = str.maketrans({"أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك"})
_ARABIC_NASAB = frozenset({"بن", "ابن", "بنت"})
_ARABIC_KUNYA = frozenset({"ابو", "ام"})
# Latin letters that stand for an Arabic letter in scholarly romanisation and survive NFKD badly.
_SPECIAL_LATIN = str.maketrans({"ı": "i", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"})


@dataclass(frozen=True, slots=True)
class Token:
    """One token of a name: its normalised Latin text and its transliteration skeleton.

    ``text`` is lowercase ASCII for Latin input and the normalised Arabic letters for Arabic
    input; ``key`` is the fine skeleton (classes, Y kept); ``title`` marks a leading title or
    honorific that was kept because it was needed as the name's only token.  ``article``: the
    mention wrote the word with the article ("al-Majid", "Alsadr", "الكاظمي"), which marks a family
    name or nisba, not a given name; known for a mention's own words only (a stored alias's tokens
    do not carry it), and no part of a token's identity.  ``parent``: the mention wrote the word
    after bin/ibn/ben/bint/ould ("Khalil Ben Ahmed JARRAYA": Ahmed is the father's name, not
    Khalil's), known as ``article`` is.
    """

    text: str
    key: str
    arabic: bool = False
    article: bool = field(default=False, compare=False)
    parent: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class NameKey:
    """Everything matching needs to know about one name, computed once by :func:`analyze`.

    Attributes:
        normalized: the display-normalised form ("asaib ahl haq"): the stored ``normalized`` column.
        tokens: the name's tokens after titles, articles and particles are dropped.
        acronym: the all-caps acronym this name is (``"AAH"``, ``"IRGC-QF"``), or ``None``.
        script: ``"arabic"``, ``"latin"`` or ``"mixed"``.
        titled: a leading title was dropped ("PM Kadhimi").
    """

    normalized: str
    tokens: tuple[Token, ...]
    acronym: str | None
    script: str
    titled: bool = False

    @property
    def flat(self) -> str:
        """The fine skeleton with the spaces removed: "Abd al-Aziz" and "Abdulaziz" agree."""
        return "".join(t.key for t in self.tokens)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.tokens)


def is_arabic(text: str) -> bool:
    """True when the text holds any Arabic-script character (Arabic, Persian, Urdu blocks)."""
    return _ARABIC_RE.search(text) is not None


def coarse_flat(tokens: Iterable[Token]) -> str:
    """The coarse skeletons of a name's tokens with the spaces removed: the key the index blocks
    on, so that "Abd al-Aziz" meets "Abdulaziz" and "Hossein-zadeh" meets "Hosseinzadeh"."""
    return "".join([coarse(t.key) for t in tokens])


def _strip_accents(text: str) -> str:
    if text.isascii():  # nothing to strip (NFKD leaves ASCII alone); most names in most lists
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LATIN))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped.isascii():
        return stripped
    # Cyrillic, Greek and other scripts: unidecode gives a Latin reading to compare on.
    return "".join(c if ord(c) < 128 or _ARABIC_RE.match(c) else unidecode(c) for c in stripped)


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")  # the regex escape: mypyc refuses surrogates in literals
_JOINERS_RE = re.compile("[\u200c\u200d\u200e\u200f\ufeff]")
# Dotted initialisms keep their letters together: "U.S." is "US", not two dropped initials.
# Arabic-Indic and Persian digits read as ASCII digits; "10,000" is one number.
_DIGITS = str.maketrans({**{chr(0x660 + i): str(i) for i in range(10)}, **{chr(0x6F0 + i): str(i) for i in range(10)}})
_THOUSANDS_RE = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_DOTTED_RE = re.compile(r"\b[A-Za-z](?:\.[A-Za-z])+\b\.?")
# A web address names what it is the address of: "www.Example.com.pe", "Example.com" -> "Example"
# (the label before a generic top-level domain, WEB_DOMAINS in name_words.toml, or the first after "www.")
_WEB_RE = re.compile(r"\b(?:https?://)?(?:www\.([a-z0-9-]+)(?:\.[a-z0-9-]+)*"
                     r"|([a-z0-9-]+)\.(?:" + "|".join(sorted(WEB_DOMAINS)) + r")(?:\.[a-z]{2})?)\b", re.IGNORECASE)


def _prepare(text: str) -> str:
    """Script-independent clean-up: NFKC, handles and hashtags, possessives, acronym plurals,
    camelCase splits."""
    # Lone surrogates (legal in JSON, not in text) and zero-width joiners carry no letters;
    # a ZWNJ inside a Persian word must not split it.
    text = _JOINERS_RE.sub("", _SURROGATE_RE.sub("", text))
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    text = _THOUSANDS_RE.sub("", text)
    if "." in text:
        text = _WEB_RE.sub(lambda m: m.group(1) or m.group(2), text)
        text = _DOTTED_RE.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _HANDLE_RE.sub("", text.strip())
    text = text.replace("_", " ")
    text = _POSSESSIVE_RE.sub("", text)
    text = _ACRONYM_PLURAL_RE.sub(r"\1", text)
    text = _CAMEL_LOWER_UPPER_RE.sub(" ", text)
    text = _CAMEL_ACRONYM_RE.sub(" ", text)
    return text


def _swap_inverted(text: str) -> str:
    """Turn list order "AL-KHAZALI, Qais" into "Qais AL-KHAZALI" (one comma, <=3 tokens before)."""
    if text.count(",") != 1:
        return text
    head, tail = text.split(",")
    has_letters = any(c.isalpha() for c in head) and any(c.isalpha() for c in tail)
    if has_letters and 1 <= len(head.split()) <= 3 and len(tail.split()) <= 4:
        return f"{tail.strip()} {head.strip()}"
    return text


def _acronym(text: str) -> str | None:
    """The acronym a mention is, if it is one: all capitals, no spaces ("AAH", "IRGC-QF", "U.S.")."""
    compact = text.strip().replace(".", "")
    if not 2 <= len(compact) <= 10 or " " in compact:
        return None
    letters = [c for c in compact if c.isalpha()]
    if len(letters) < 2 or not all(c.isupper() and c.isascii() for c in letters):
        return None
    if not all(c.isalnum() or c in "-&/" for c in compact):
        return None
    return compact


def unreadable_acronym(acronym: str) -> bool:
    """An acronym no language reads as a word: none of its parts has a vowel among its first four
    letters, h aside ("SCSCO", "FBKSH", "SPLM-N"; not "CHKHOLSAN", whose ch and kh spell single
    sounds, nor "SMT-CRIMEA")."""
    parts = re.split(r"[-&/]", acronym.lower())
    return not any(any(c in "aeiouy" for c in [c for c in part if c.isalpha() and c != "h"][:4])
                   for part in parts)


def _arabic_tokens(text: str) -> list[tuple[str, bool, bool]]:
    """The Arabic-script tokens, each with whether it was written with the article (ال) and whether
    it follows a marker naming a parent (بن, ابن, بنت: "علي بن حسن" is Hasan's son), as in Latin
    script; a name that opens with the marker names nobody's parent in it."""
    text = _ARABIC_TASHKEEL_RE.sub("", text).translate(_ARABIC_UNIFY)
    raw = [t for t in _ARABIC_NON_LETTER_RE.split(text.casefold()) if t]
    tokens: list[tuple[str, bool, bool]] = []
    for i, tok in enumerate(raw):
        if tok in _ARABIC_NASAB:
            continue
        parent = i > 1 and raw[i - 1] in _ARABIC_NASAB
        if tok.startswith("عبدال") and len(tok) > 5:
            tokens.extend([("عبد", False, parent), (tok[5:], False, parent)])
            continue
        if tok.startswith("ال") and len(tok) > 3 and tok != "الله":
            # (after a kunya's marker, the article opens the child's given name: "ابو الحسن")
            tokens.append((tok[2:], not (tokens and tokens[-1][0] in _ARABIC_KUNYA), parent))
            continue
        tokens.append((tok, False, parent))
    return tokens or [(t, False, False) for t in raw]


def _latin_final(lat: list[str], marked: list[bool], parent: list[bool]) -> list[Token]:
    """The Latin tokens once normalising them again changes nothing, with their article and parent
    marks (a word the second pass reads differently, "Alalsadr" -> "alsadr" -> "sadr", keeps its
    first marks)."""
    final = settled_words(" ".join(lat))
    if len(final) != len(lat):
        marked = parent = [False] * len(final)
    return [Token(t, latin_key(t), False, m, p) for t, m, p in zip(final, marked, parent, strict=True)]


@lru_cache(maxsize=32768)
def analyze(text: str) -> NameKey:
    """Run the whole pipeline on a name or mention.

    Never raises: any string, including empty or whitespace-only text, gives a ``NameKey``
    (with no tokens when nothing comparable is left).

    Args:
        text: the name as written, in any script.

    Returns:
        The :class:`NameKey` matching compares.
    """
    if not text:
        return NameKey("", (), None, "latin")
    prepared = _prepare(text)
    acronym = _acronym(prepared)
    prepared = _swap_inverted(prepared)
    arabic = is_arabic(prepared)
    titled = False
    tokens: list[Token] = []
    if arabic:
        latin_part = _ARABIC_RE.sub(" ", prepared)
        arabic_part = "".join(c if _ARABIC_RE.match(c) or c.isspace() else " " for c in prepared)
        for tok, article, of_parent in _arabic_tokens(arabic_part):
            tokens.append(Token(tok, arabic_key(tok), True, article, of_parent))
        if latin_part.strip():
            lat, titled, marked, parent = latin_words(_strip_accents(latin_part))
            tokens.extend(_latin_final(lat, marked, parent))
        script = "arabic" if not latin_part.strip() else "mixed"
    else:
        lat, titled, marked, parent = latin_words(_strip_accents(prepared))
        tokens = _latin_final(lat, marked, parent)
        script = "latin"
    normalized = " ".join(t.text for t in tokens)
    return NameKey(normalized, tuple(tokens), acronym, script, titled)


def normalize_name(text: str) -> str:
    """The display-normalised form of a name: what the ``normalized`` column stores.

    >>> normalize_name("Asa’ib Ahl al-Haq")
    'asaib ahl haq'
    """
    return analyze(text).normalized


def skeleton(text: str) -> str:
    """The fine skeleton of a whole name, tokens joined by spaces ("KZMY" for "al-Kadhimi")."""
    return " ".join(analyze(text).keys)
