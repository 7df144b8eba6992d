"""The transliteration skeleton of one word, in either script, and its coarse and loose forms.

The class alphabet of ``TRANSLITERATION.md``: consonants fold into classes (q/g/gh -> Q,
dh/z/th -> Z, ...), short vowels disappear, and Arabic letters map onto the same classes, so
"Kadhimi", "Kazemi" and "الكاظمي" all become ``KZMY``.  :func:`latin_key` and :func:`arabic_key`
key one word that :mod:`resolver.matching.normalize` has tokenised; :func:`coarse` and
:func:`loose` are the forms matching compares.  A change here that alters an existing name's keys
bumps ``resolver.matching.normalize.KEYS_VERSION``.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

__all__ = ["VOWELS", "arabic_key", "coarse", "coarse_keys", "glide_apart", "latin_key", "loose", "without_glide"]

# Latin skeleton map, longest first (step 11 of TRANSLITERATION.md section 10).
_LATIN_CLASSES: tuple[tuple[str, str], ...] = (
    ("sch", "X"), ("sh", "X"), ("ch", "X"), ("kh", "K"), ("ck", "K"), ("gh", "Q"), ("th", "Z"),
    ("dh", "Z"), ("zh", "Z"), ("dj", "J"), ("ph", "F"),
    ("k", "K"), ("c", "K"), ("x", "KS"), ("g", "Q"), ("q", "Q"), ("z", "Z"), ("j", "J"),
    ("f", "F"), ("v", "W"), ("w", "W"), ("s", "S"), ("t", "T"), ("d", "D"), ("h", "H"),
    ("b", "B"), ("p", "P"), ("l", "L"), ("m", "M"), ("n", "N"), ("r", "R"), ("y", "Y"),
)
_SUN = frozenset("TZDRSXLN")
VOWELS = frozenset("aeiou")
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
_ARABIC_ALEFS = frozenset("اأإآٱعء")


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


def loose(key: str) -> str:
    """A looser skeleton for fuzzy comparison: confusable classes share one symbol, Y goes.

    Apply it to a coarse key when the final nisba Y must survive (Kadhim != Kadhimi).

    K/Q (ق read as k), D/Z (ض written d), S/T/Z-like and J/Q (Egyptian g) are the pairs
    TRANSLITERATION.md prices at 0.4-0.5; here they become equal, so an edit distance over this
    form only counts the differences that really separate names.
    """
    return key.translate(_LOOSE)


def without_glide(key: str) -> set[str]:
    """A coarse key with one of its W left out, each way (two letters at least left): the key of the
    same name written with a vowel where this one writes the glide w ("Daud"/"Dawud", "Quaydir"/
    "Quwaydir", "Zaoura"/"Zawra": Latin spellings read "au", "ua", "aou" as vowels in a row, where
    Arabic writes و)."""
    return {key[:i] + key[i + 1:] for i, c in enumerate(key) if c == "W" and len(key) > 2}


def glide_apart(a: str, b: str) -> bool:
    """Two coarse keys that differ only by one W the other leaves out (:func:`without_glide`)."""
    if len(a) == len(b) + 1:
        return "W" in a and b in without_glide(a)
    if len(b) == len(a) + 1:
        return "W" in b and a in without_glide(b)
    return False


#: (Y deleted through None rather than "": str.translate keeps its fast path for ASCII text only
#: with one-letter or None targets)
_LOOSE = str.maketrans({"Q": "K", "D": "Z", "S": "Z", "J": "K", "P": "B", "W": "F", "X": "Z", "Y": None})


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
def latin_key(token: str) -> str:
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
    elif len(t) > 2 and t[-1] in "iy" and t[-2] not in VOWELS - {"e"}:
        final_y = True
        t = t[:-1]
    # Collapse doubled letters (Qassem, Hussein, Haqq) before mapping.
    t = re.sub(r"(.)\1+", r"\1", t)
    if len(t) > 2 and t.endswith("h") and t[-2] in VOWELS:
        t = t[:-1]  # final h after a vowel: Hamzah/Hamzeh, Shiah
    initial_vowel = t[:1] in VOWELS
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
def arabic_key(token: str) -> str:
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
