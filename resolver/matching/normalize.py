"""The one text-normalisation pipeline: every module that needs comparable text calls this one.

A name goes through :func:`analyze` once, at write time for an alias and at query time for a
mention, and comes out as a :class:`NameKey`: the display-normalised string, its tokens and the
transliteration skeletons that matching compares.  The skeleton follows the class alphabet of
``TRANSLITERATION.md``: consonants fold into classes (q/g/gh -> Q, dh/z/th -> Z, ...), short
vowels disappear, and Arabic script maps onto the same classes, so "Kadhimi", "Kazemi" and
"الكاظمي" all become ``KZMY``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from unidecode import unidecode

from resolver.matching.words import ABBREVIATIONS, ATTACHED_AL_KEEP, COMMON_GIVEN_NAMES, KUNYA_MARKERS, TITLES

__all__ = [
    "KEYS_VERSION",
    "NameKey",
    "Token",
    "analyze",
    "coarse",
    "coarse_flat",
    "is_arabic",
    "loose",
    "normalize_name",
    "skeleton",
    "unreadable_acronym",
]

#: bump whenever a change here alters the keys of an existing name: stores re-key on open
KEYS_VERSION = "11"

# --- character classes -------------------------------------------------------------------------

_ARABIC_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Marks that carry no distinction a matcher needs: ʿayn/hamza signs and every apostrophe-alike.
_MARKS_RE = re.compile("['\u2019\u2018`\u00b4\u02bf\u02be\u02bc\u02bb\u055a\u2032]")
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
# Arabizi digits inside words: 2/3 are hamza/ʿayn (dropped), 7 is ḥ, 5 is kh.
_ARABIZI_RE = re.compile(r"(?<=[a-z])[23576](?=[a-z])")
_ARABIZI_MAP = {"2": "", "3": "", "7": "h", "5": "kh", "6": "t"}
# Hyphenated article: al-/el-/il-/ul-/ol- before anything, and the sun-letter assimilations
# (as-Sadr, ash-Shaabi, ad-Din, an-Nujaba) only before their own consonant, so "Is-haq" survives.
_ARTICLE_RE = re.compile(
    r"\b(?:[aeiou]l|[aeiu](?:sh(?=-sh)|dh(?=-dh)|th(?=-th)|s(?=-s)|d(?=-d)|t(?=-t)|z(?=-z)|r(?=-r)|n(?=-n)))-(?=[a-z])"
)
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_ALNUM_RE = re.compile(r"[a-z0-9]+")
_ARABIC_NON_LETTER_RE = re.compile("[^\u0621-\u064a\u0671-\u06d3a-z0-9]+")

_ARTICLES = frozenset({"al", "el", "il", "ul", "ol", "l"})
# Assimilated article tokens are only articles when they stand between two tokens ("Nur ad Din").
_INNER_ARTICLES = frozenset({"ad", "ud", "as", "ash", "ar", "an", "at", "az", "ath", "adh", "ur", "un", "ush"})
_NASAB = frozenset({"bin", "ibn", "ben", "bint", "walad", "ould", "ye", "e", "i"})
#: the nasab markers that say "son/daughter of": the word after them names a parent (not the ezafe)
_PARENT_MARKERS = frozenset({"bin", "ibn", "ben", "bint", "walad", "ould"})
#: the British -isation of an English noun ("Organisation", "Mobilisations") is the -ization spelling
_BRITISH_RE = re.compile(r"(?<=[a-z]{3})isation(?=s?$)")
_ABD_PREFIXES = ("abdul", "abdel", "abdal", "abdol", "abdur", "abdar", "abdil", "abd")

# Latin skeleton map, longest first (step 11 of TRANSLITERATION.md section 10).
_LATIN_CLASSES: tuple[tuple[str, str], ...] = (
    ("sch", "X"), ("sh", "X"), ("ch", "X"), ("kh", "K"), ("ck", "K"), ("gh", "Q"), ("th", "Z"),
    ("dh", "Z"), ("zh", "Z"), ("dj", "J"), ("ph", "F"),
    ("k", "K"), ("c", "K"), ("x", "KS"), ("g", "Q"), ("q", "Q"), ("z", "Z"), ("j", "J"),
    ("f", "F"), ("v", "W"), ("w", "W"), ("s", "S"), ("t", "T"), ("d", "D"), ("h", "H"),
    ("b", "B"), ("p", "P"), ("l", "L"), ("m", "M"), ("n", "N"), ("r", "R"), ("y", "Y"),
)
_SUN = frozenset("TZDRSXLN")
_VOWELS = frozenset("aeiou")
# A skeleton reads a token left to right in pieces: a vowel or Y, else the first of the classes'
# spellings that starts there (in the order above), else one character.  Python's regex
# alternation takes the first alternative that matches at a position, as that reading does.
_LATIN_PIECES_RE = re.compile("[aeiouY]|" + "|".join(re.escape(src) for src, _ in _LATIN_CLASSES) + "|.", re.DOTALL)
_LATIN_PIECE = {**{src: cls for src, cls in reversed(_LATIN_CLASSES)}, **dict.fromkeys("aeiou", "."), "Y": "Y"}


def _latin_piece(ch: str) -> str:
    """The class of a character no class spells: itself in capitals if a letter or digit, else nothing."""
    return ch.upper() if ch.isalnum() else ""


# Arabic letter -> class (section 0); "" drops the letter.
_ARABIC_CLASSES = {
    "ك": "K", "خ": "K", "ک": "K", "ق": "Q", "غ": "Q", "گ": "Q",
    "ز": "Z", "ذ": "Z", "ظ": "Z", "ث": "Z", "ض": "Z", "ژ": "Z",
    "س": "S", "ص": "S", "ت": "T", "ط": "T", "د": "D", "ش": "X", "چ": "X", "ج": "J",
    "ح": "H", "ه": "H", "و": "W", "ي": "Y", "ی": "Y", "ئ": "Y",
    "ب": "B", "پ": "P", "ف": "F", "ل": "L", "م": "M", "ن": "N", "ر": "R",
    "ا": "", "أ": "", "إ": "", "آ": "", "ٱ": "", "ى": "", "ع": "", "ء": "", "ؤ": "W", "ة": "",
}
_ARABIC_TASHKEEL_RE = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]")
# آ keeps its madda in the text so that a stripped "الآلوسي" -> "آلوسي" is not stripped again.
_ARABIC_UNIFY = str.maketrans({"أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك"})
_ARABIC_NASAB = frozenset({"بن", "ابن", "بنت"})
_ARABIC_KUNYA = frozenset({"ابو", "ام"})
_ARABIC_ALEFS = frozenset("اأإآٱعء")
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


def coarse(key: str) -> str:
    """The coarse skeleton: every Y removed except a final one (cross-script comparison)."""
    if len(key) < 2:
        return key
    return key[:-1].replace("Y", "") + key[-1]


#: a Y that does not end its key, in keys joined by spaces
_INNER_Y_RE = re.compile("Y(?! |$)")


def coarse_keys(keys: str) -> tuple[str, ...]:
    """:func:`coarse` of each key of a space-separated string of fine keys (an alias's ``keys``
    column), in one pass of C: read for up to a thousand aliases of a lookup at a million.  The
    keys are interned: the index keeps them for up to 200,000 aliases, which share most words
    (fresh copies cost 21 MiB more after the 2,000 lookups of the 1M scale bench)."""
    return tuple(map(sys.intern, _INNER_Y_RE.sub("", keys).split(" "))) if keys else ()


def coarse_flat(tokens: Iterable[Token]) -> str:
    """The coarse skeletons of a name's tokens with the spaces removed: the key the index blocks
    on, so that "Abd al-Aziz" meets "Abdulaziz" and "Hossein-zadeh" meets "Hosseinzadeh"."""
    return "".join(coarse(t.key) for t in tokens)


def loose(key: str) -> str:
    """A looser skeleton for fuzzy comparison: confusable classes share one symbol, Y goes.

    Apply it to a coarse key when the final nisba Y must survive (Kadhim != Kadhimi).

    K/Q (ق read as k), D/Z (ض written d), S/T/Z-like and J/Q (Egyptian g) are the pairs
    TRANSLITERATION.md prices at 0.4-0.5; here they become equal, so an edit distance over this
    form only counts the differences that really separate names.
    """
    return key.translate(_LOOSE)


#: (Y deleted through None rather than "": str.translate keeps its fast path for ASCII text only
#: with one-letter or None targets)
_LOOSE = str.maketrans({"Q": "K", "D": "Z", "S": "Z", "J": "K", "P": "B", "W": "F", "X": "Z", "Y": None})


def _strip_accents(text: str) -> str:
    if text.isascii():  # nothing to strip (NFKD leaves ASCII alone); most names in most lists
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LATIN))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped.isascii():
        return stripped
    # Cyrillic, Greek and other scripts: unidecode gives a Latin reading to compare on.
    return "".join(c if ord(c) < 128 or _ARABIC_RE.match(c) else unidecode(c) for c in stripped)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_JOINERS_RE = re.compile("[\u200c\u200d\u200e\u200f\ufeff]")
# Dotted initialisms keep their letters together: "U.S." is "US", not two dropped initials.
# Arabic-Indic and Persian digits read as ASCII digits; "10,000" is one number.
_DIGITS = str.maketrans({**{chr(0x660 + i): str(i) for i in range(10)}, **{chr(0x6F0 + i): str(i) for i in range(10)}})
_THOUSANDS_RE = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_DOTTED_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def _prepare(text: str) -> str:
    """Script-independent clean-up: NFKC, handles and hashtags, possessives, acronym plurals,
    camelCase splits."""
    # Lone surrogates (legal in JSON, not in text) and zero-width joiners carry no letters;
    # a ZWNJ inside a Persian word must not split it.
    text = _JOINERS_RE.sub("", _SURROGATE_RE.sub("", text))
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    text = _THOUSANDS_RE.sub("", text)
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


#: an attached article before a vowel: the word after al- begins with hamza or ʿayn and one
#: vowel (Alobaidi, Alazirjawi, Alaamiri, Alouda), never with two different vowels ("Aliaksei",
#: "Aliakbar" are names that start with Ali-); "alek/alex/alej" begin Alexander and Alejandro.
_ARTICLE_THEN_VOWEL_RE = re.compile("al(?!ek|ex|ej)(?:aa|ee|oo|ou|[aeiou](?![aeiou]))")
#: a word-initial au/eu before a consonant is a vowel and the consonant w/v: Slavic Evro- for
#: Euro-, Belarusian ў written u (Auramenka/Avramenka), ʿAwn written Aun.
_INITIAL_AU_RE = re.compile("^([ae])u(?=[^aeiouy])")
#: the French spelling of the consonant w after a and before a vowel or at the end: the nisba
#: -aoui is -awi (Sahraoui/Sahrawi, Baazaoui).  Not before a consonant, where "aou" also writes a
#: vowel after a hamza or ʿayn (Raouf/Rauf, Da'un/Daoun).
_AOU_RE = re.compile("aou(?=[aeiouy]|$)")
#: Allah at the end of a word, with the vowels it is written with (Abdullah, Abdallah, Abdellah)
_ALLAH_RE = re.compile("[aeiou]?ll[aeiou]h$")


@lru_cache(maxsize=32768)
def _latin_token_key(token: str) -> str:
    """Skeleton of one lowercase ASCII token (steps 8-12 of TRANSLITERATION.md section 10)."""
    if token.isdigit():
        return token
    t = _ALLAH_RE.sub("llah", token) if len(token) > 5 else token
    t = _AOU_RE.sub("aw", t)
    t = _INITIAL_AU_RE.sub(r"\1w", t)
    if t in ("allah", "llah"):
        return "L"
    if t.endswith("llah"):
        t = t[: -len("llah")] + "l"
    # The nisba ending -i/-y/-ee/-ie/-ey/-iy/-ii is a real Y even in the coarse key (Kadhimi !=
    # Kadhim), read before doubled letters collapse so that Akhaee is Akhaei and Dmitriy is Dmitri.
    final_y = False
    if len(t) > 3 and t.endswith(("ee", "ie", "ey", "iy", "ii")):
        final_y = True
        t = t[:-2]
    elif len(t) > 2 and t[-1] in "iy" and t[-2] not in _VOWELS - {"e"}:
        final_y = True
        t = t[:-1]
    # Collapse doubled letters (Qassem, Hussein, Haqq) before mapping.
    t = re.sub(r"(.)\1+", r"\1", t)
    if len(t) > 2 and t.endswith("h") and t[-2] in _VOWELS:
        t = t[:-1]  # final h after a vowel: Hamzah/Hamzeh, Shiah
    initial_vowel = t[:1] in _VOWELS
    # Diphthongs and glide y -> Y; a y between vowels too; other y disappears.
    t = re.sub(r"[ae][iy]+|ey|y(?=[aeiou])", "Y", t)
    t = re.sub(r"(?<=[^aeiouY])y|^y", "Y", t)
    t = t.replace("y", "")
    # Map to classes; "." marks a dropped vowel so identical classes collapse only when their
    # letters were adjacent (Aziz -> ZZ, Madad -> MDD, but Hussein -> HSYN).
    out = [_LATIN_PIECE.get(piece) or _latin_piece(piece) for piece in _LATIN_PIECES_RE.findall(t)]
    key = re.sub(r"([A-Z])\1+", r"\1", "".join(out)).replace(".", "")
    if final_y and not key.endswith("Y"):
        key += "Y"
    if initial_vowel and key and key[0] not in _SUN:
        key = "A" + key
    return key or token[:1].upper()


@lru_cache(maxsize=8192)
def _arabic_token_key(token: str) -> str:
    """Skeleton of one Arabic-script token (steps 13-15)."""
    if token == "الله":
        return "L"
    t = token
    if t.endswith("ة") or (len(t) > 2 and t.endswith("ه")):
        t = t[:-1]
    initial_vowel = t[:1] in _ARABIC_ALEFS
    out: list[str] = []
    for i, ch in enumerate(t):
        if ch == "و":
            # و is a consonant W at the start of a word or beside an alef; elsewhere a long vowel.
            near_alef = (i > 0 and t[i - 1] == "ا") or (i + 1 < len(t) and t[i + 1] == "ا")
            out.append("W" if i == 0 or near_alef else "")
        elif ch == "ي":
            out.append("Y")
        else:
            out.append(_ARABIC_CLASSES.get(ch, ""))
    key = "".join(out)
    if initial_vowel and key and key[0] not in _SUN:
        key = "A" + key
    # Latin writes a long ī as a plain i, so a medial ي would split Karim from كريم: keep only
    # a final Y (the nisba), as the coarse key does, and no doubled classes.
    key = coarse(key)
    return key


def _split_abd(token: str) -> list[str]:
    """Abdulaziz / Abdelrahman / Abdurrahman -> ["abd", "aziz"]; Abdullah stays one name."""
    if token in ("abd", "abdul", "abdel", "abdal", "abdol", "abdur", "abdar", "abdil"):
        return ["abd"]
    for prefix in _ABD_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            rest = token[len(prefix) :]
            if rest.startswith(("llah", "lah", "ullah", "allah", "ollah")):
                return [token]
            if prefix == "abd" and rest[:2] in ("al", "ul", "el", "ol") and len(rest) > 4:
                rest = rest[2:]
            elif prefix == "abd" and rest[:1] in _VOWELS:
                # abdi, abdo: a name of its own, not a compound
                return [token]
            elif prefix in ("abdur", "abdar") and rest[:1] in _VOWELS:
                rest = "r" + rest  # Abdurabu is Abd Rabbu, as Abdurrahman is Abd ar-Rahman
            return ["abd", rest]
    return [token]


def _latin_tokens(text: str) -> tuple[list[str], bool]:
    tokens, titled, _, _ = _latin_tokens_marked(text)
    return tokens, titled


def _latin_tokens_marked(text: str) -> tuple[list[str], bool, list[bool], list[bool]]:
    """The Latin tokens, whether a leading title was dropped, which tokens were written with
    the article (hyphenated, standing alone before them, or attached: "al-Majid", "al Majid",
    "Almajid"), and which follow a marker naming a parent ("Ben Ahmed", "bin al-Hasan")."""
    text = _strip_accents(text).casefold()
    text = _MARKS_RE.sub("", text)
    text = _ARABIZI_RE.sub(lambda m: _ARABIZI_MAP[m.group(0)], text)
    # The hyphenated article becomes as many spaces, so the word after it keeps its offset.
    after_article: set[int] = set()

    def _blank(m: re.Match[str]) -> str:
        after_article.add(m.end())
        return " " * len(m.group(0))

    text = _ARTICLE_RE.sub(_blank, text)
    spans = [(m.group(0), m.start()) for m in _ALNUM_RE.finditer(text)]
    raw = [w for w, _ in spans]
    marked = [start in after_article for _, start in spans]
    titled = False
    # Leading titles go, but never down to a lone given name: "Imam Ali" is not every "Ali".
    while len(raw) > 1 and raw[0] in TITLES and (len(raw) > 2 or raw[1] not in COMMON_GIVEN_NAMES):
        raw.pop(0)
        marked.pop(0)
        titled = True
    tokens: list[str] = []
    article: list[bool] = []
    parent: list[bool] = []
    after_marker = [False] * len(raw)
    last = len(raw) - 1
    for i, tok in enumerate(raw):
        if tok in _ARTICLES or (tok in _NASAB and i > 0):
            if tok in _ARTICLES and i < last:
                marked[i + 1] = True
            if i < last and (tok in _PARENT_MARKERS or (tok in _ARTICLES and after_marker[i])):
                after_marker[i + 1] = True  # (through a free-standing article: "bin al Hasan")
            continue
        if tok in _INNER_ARTICLES and 0 < i < last:
            marked[i + 1] = True
            continue
        if tok in ("abul", "aboul"):
            tokens.append("abu")
            article.append(False)
            parent.append(after_marker[i])
            continue
        tok = ABBREVIATIONS.get(tok, tok)
        tok = _BRITISH_RE.sub("ization", tok)  # Mobilisation is Mobilization
        if len(tok) >= 6 and tok.startswith("al") and tok not in ATTACHED_AL_KEEP and (
            tok[2] not in _VOWELS or (len(tok) >= 8 and _ARTICLE_THEN_VOWEL_RE.match(tok) is not None)
        ):
            # attached article: Alsadr, Alkhazali, Alazirjawi (but Alwan, Alireza, Aleksey, Aliaksei stay)
            tok = tok[2:]
            marked[i] = True
        elif len(tok) >= 7 and tok.startswith("el") and tok[2] not in _VOWELS and tok[2] != "l":
            tok = tok[2:]  # Elsharif, Elkaddafi: the Maghrebi spelling of the attached article
            marked[i] = True
        if len(tok) == 1 and not tok.isdigit() and len(raw) > 1:
            continue  # initials and ezafe letters carry nothing we can compare
        parts = _split_abd(tok) if tok.startswith("abd") else [tok]
        tokens.extend(parts)
        article.extend([marked[i]] * len(parts))
        parent.extend([after_marker[i]] * len(parts))
    if not tokens and raw:
        tokens = raw[-1:]
        article = marked[-1:]
        parent = [False]
    # The word after "Abd" or a kunya's marker is a given name with its article ("Abd al-Majid",
    # "Abu al-Hasan": the child's name), not a family name.
    article = [m and (k == 0 or not (tokens[k - 1] == "abd" or tokens[k - 1] in KUNYA_MARKERS))
               for k, m in enumerate(article)]
    return tokens, titled, article, parent


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


def _plain_latin(text: str) -> list[str]:
    return _latin_tokens(text)[0]


def _fixed_point(step: Callable[[str], list[str]], text: str) -> list[str]:
    """Apply a token step until its output no longer changes, so that the normalised form is
    itself normalised ("Alalsadr" -> "alsadr" -> "sadr"): normalising twice changes nothing."""
    tokens = step(text)
    for _ in range(4):
        again = step(" ".join(tokens))
        if again == tokens:
            break
        tokens = again
    return tokens


def _latin_final(lat: list[str], marked: list[bool], parent: list[bool]) -> list[Token]:
    """The Latin tokens once normalising them again changes nothing, with their article and parent
    marks (a word the second pass reads differently, "Alalsadr" -> "alsadr" -> "sadr", keeps its
    first marks)."""
    final = _fixed_point(_plain_latin, " ".join(lat))
    if len(final) != len(lat):
        marked = parent = [False] * len(final)
    return [Token(t, _latin_token_key(t), False, m, p) for t, m, p in zip(final, marked, parent, strict=True)]


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
            tokens.append(Token(tok, _arabic_token_key(tok), True, article, of_parent))
        if latin_part.strip():
            lat, titled, marked, parent = _latin_tokens_marked(latin_part)
            tokens.extend(_latin_final(lat, marked, parent))
        script = "arabic" if not latin_part.strip() else "mixed"
    else:
        lat, titled, marked, parent = _latin_tokens_marked(prepared)
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
