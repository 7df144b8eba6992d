"""Latin-script words of a name: what is a name word, and what goes.

:func:`latin_words` reads accent-stripped Latin text (see :func:`resolver.matching.normalize.analyze`)
into lowercase words: marks, Arabizi digits, the article (hyphenated, standing alone or attached),
leading titles, nasab markers and the ezafe, initials, and compounds with Abd go; each word keeps
whether it was written with the article and whether it names a parent.  :func:`settled_words`
reads a name until reading it again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from resolver.matching.skeletons import VOWELS
from resolver.matching.words import ABBREVIATIONS, ATTACHED_AL_KEEP, COMMON_GIVEN_NAMES, KUNYA_MARKERS, TITLES

__all__ = ["latin_words", "settled_words"]

# Marks that carry no distinction a matcher needs: ʿayn/hamza signs and every apostrophe-alike.
_MARKS_RE = re.compile("['\u2019\u2018`\u00b4\u02bf\u02be\u02bc\u02bb\u055a\u2032]")
# Arabizi digits inside words: 2/3 are hamza/ʿayn (dropped), 7 is ḥ, 5 is kh.
_ARABIZI_RE = re.compile(r"(?<=[a-z])[23576](?=[a-z])")
_ARABIZI_MAP = {"2": "", "3": "", "7": "h", "5": "kh", "6": "t"}
# Hyphenated article: al-/el-/il-/ul-/ol- before anything, and the sun-letter assimilations
# (as-Sadr, ash-Shaabi, ad-Din, an-Nujaba) only before their own consonant, so "Is-haq" survives.
_ARTICLE_RE = re.compile(
    r"\b(?:[aeiou]l|[aeiu](?:sh(?=-sh)|dh(?=-dh)|th(?=-th)|s(?=-s)|d(?=-d)|t(?=-t)|z(?=-z)|r(?=-r)|n(?=-n)))-(?=[a-z])"
)
_ALNUM_RE = re.compile(r"[a-z0-9]+")

_ARTICLES = frozenset({"al", "el", "il", "ul", "ol", "l"})
# Assimilated article tokens are only articles when they stand between two tokens ("Nur ad Din").
_INNER_ARTICLES = frozenset({"ad", "ud", "as", "ash", "ar", "an", "at", "az", "ath", "adh", "ur", "un", "ush"})
_NASAB = frozenset({"bin", "ibn", "ben", "bint", "walad", "ould", "ye", "e", "i"})
#: the nasab markers that say "son/daughter of": the word after them names a parent (not the ezafe)
_PARENT_MARKERS = frozenset({"bin", "ibn", "ben", "bint", "walad", "ould"})
#: the British -isation of an English noun ("Organisation", "Mobilisations") is the -ization spelling
_BRITISH_RE = re.compile(r"(?<=[a-z]{3})isation(?=s?$)")
_ABD_PREFIXES = ("abdul", "abdel", "abdal", "abdol", "abdur", "abdar", "abdil", "abd")
#: an attached article before a vowel: the word after al- begins with hamza or ʿayn and one
#: vowel (Alobaidi, Alazirjawi, Alaamiri, Alouda), never with two different vowels ("Aliaksei",
#: "Aliakbar" are names that start with Ali-); "alek/alex/alej" begin Alexander and Alejandro.
_ARTICLE_THEN_VOWEL_RE = re.compile("al(?!ek|ex|ej)(?:aa|ee|oo|ou|[aeiou](?![aeiou]))")


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
            elif prefix == "abd" and rest[:1] in VOWELS:
                # abdi, abdo: a name of its own, not a compound
                return [token]
            elif prefix in ("abdur", "abdar") and rest[:1] in VOWELS:
                rest = "r" + rest  # Abdurabu is Abd Rabbu, as Abdurrahman is Abd ar-Rahman
            return ["abd", rest]
    return [token]


def _latin_tokens(text: str) -> tuple[list[str], bool]:
    tokens, titled, _, _ = latin_words(text)
    return tokens, titled


def latin_words(text: str) -> tuple[list[str], bool, list[bool], list[bool]]:
    """The Latin tokens of accent-stripped text, whether a leading title was dropped, which tokens were written with
    the article (hyphenated, standing alone before them, or attached: "al-Majid", "al Majid",
    "Almajid"), and which follow a marker naming a parent ("Ben Ahmed", "bin al-Hasan")."""
    text = text.casefold()
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
            tok[2] not in VOWELS or (len(tok) >= 8 and _ARTICLE_THEN_VOWEL_RE.match(tok) is not None)
        ):
            # attached article: Alsadr, Alkhazali, Alazirjawi (but Alwan, Alireza, Aleksey, Aliaksei stay)
            tok = tok[2:]
            marked[i] = True
        elif len(tok) >= 7 and tok.startswith("el") and tok[2] not in VOWELS and tok[2] != "l":
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


def _plain_latin(text: str) -> list[str]:
    return _latin_tokens(text)[0]


def _fixed_point(step: Callable[[str], list[str]], text: str) -> list[str]:
    """Apply a token step until its output no longer changes, so that the normalised form is
    itself normalised ("Alalsadr" -> "alsadr" -> "sadr"): normalising twice changes nothing."""
    tokens = step(text)
    for _ in range(4):
        joined = " ".join(tokens)
        if joined == text:
            break  # (the step read this very text: reading it again gives the same tokens)
        again = step(joined)
        if again == tokens:
            break
        text, tokens = joined, again
    return tokens


def settled_words(text: str) -> list[str]:
    """The Latin words of ``text`` read until reading them again changes nothing."""
    return _fixed_point(_plain_latin, text)
