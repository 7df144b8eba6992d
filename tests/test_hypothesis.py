"""Property tests: normalisation never raises and is idempotent; resolve never raises."""

from __future__ import annotations

import contextlib
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from resolver import MatchStatus, Resolver
from resolver.matching.normalize import analyze, normalize_name, skeleton

# When a property fails, hypothesis's pytest plugin imports libcst to print a patch, and libcst's
# import raises a DeprecationWarning (mypy_extensions.TypedDict) that filterwarnings=error turns into
# an INTERNALERROR hiding the falsifying example.  Importing it here, warnings silenced, avoids that.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):  # libcst absent: the plugin then skips the patch
        import hypothesis.extra._patching  # noqa: F401


# Every Unicode category, lone surrogates included (a JSON body can carry them).
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=80)
# Pieces that real names are built from, so that the pipeline's prefix/particle rules interact.
NAME_PIECES = st.sampled_from(
    [
        "al",
        "Al",
        "AL",
        "el",
        "-",
        " ",
        "'",
        "’s",
        "abd",
        "Abdul",
        "abu",
        "abul",
        "bin",
        "ibn",
        "ul",
        "ad",
        "as",
        "Sheikh",
        "PM",
        "sadr",
        "Ali",
        "aziz",
        "allah",
        "Haq",
        ",",
        "ال",
        "عبد",
        "الله",
        "آ",
        "ي",
        "ة",
        "_",
        "#",
        "@",
        "7",
        "3",
        "ß",
        "ﻻ",
        "ﬁ",
        "\u200c",
        "\u0640",
        "\u064e",
    ]
)
NAME_LIKE = st.lists(NAME_PIECES, min_size=1, max_size=8).map("".join)

FAST = settings(max_examples=200, derandomize=True, deadline=None, database=None)


@FAST
@given(ANY_TEXT)
@example("")
@example("\x00")
@example("ﷺ")
@example("٣")
@example("Ⅻ")
@example("ا" * 80)
def test_analyze_never_raises(text: str) -> None:
    key = analyze(text)
    assert isinstance(key.normalized, str)
    assert key.script in {"latin", "arabic", "mixed"}
    assert key.normalized == " ".join(t.text for t in key.tokens)
    assert skeleton(text) == " ".join(t.key for t in key.tokens)


@FAST
@given(ANY_TEXT)
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@FAST
@given(ANY_TEXT)
def test_normalized_form_is_trimmed_and_single_spaced(text: str) -> None:
    once = normalize_name(text)
    assert once == once.strip()
    assert "  " not in once


@FAST
@given(NAME_LIKE)
def test_normalize_name_is_idempotent_on_name_like_text(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@pytest.mark.parametrize(("text", "normalized"), [("\ud800", ""), ("Kadhimi\udcff", "kadhimi")])
def test_lone_surrogate_does_not_warn(text: str, normalized: str) -> None:
    # A lone surrogate is legal in JSON; unidecode used to warn on it (an error under filterwarnings).
    assert analyze(text).normalized == normalized


@pytest.fixture(scope="module")
def shared_resolver(bundle_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resolver]:
    """One read-only Resolver for every example (a per-test copy would dominate the runtime)."""
    path = tmp_path_factory.mktemp("hypothesis") / "aliases.db"
    shutil.copyfile(bundle_template, path)
    r = Resolver.open(str(path))
    yield r
    r.close()


MAX_LENGTH = 512


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        ANY_TEXT,
        NAME_LIKE,
        st.text(max_size=MAX_LENGTH),
        st.just("ﻻ" * MAX_LENGTH),
        st.just("Kadhimi " * (MAX_LENGTH // 8)),
    )
)
def test_resolve_never_raises(shared_resolver: Resolver, mention: str) -> None:
    assert len(mention) <= MAX_LENGTH == shared_resolver.settings.max_mention_length
    res = shared_resolver.resolve(mention)
    assert res.status in set(MatchStatus)
    assert 0.0 <= res.score <= 1.0
    assert res.query == mention
    assert (res.entity is not None) == (res.status is MatchStatus.MATCHED)
    assert all(0.0 <= c.score <= 1.0 for c in res.candidates)
    assert len(res.candidates) <= 5
