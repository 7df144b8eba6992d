"""Mention linking in running text: quality on the hand-checked seed gold, and speed on one core.

Builds the bundled store from resolver/data/entities.toml into a temporary directory, then
prints

- span+id precision and recall of ``Resolver.annotate`` against two gold sets, each with every
  disagreement listed: tests/fixtures/seed_annotations (the five seed documents of
  ../shared/seeds; drafted from an earlier annotator's output, so it flatters it) and
  tests/fixtures/news_gold (news-like articles written and marked by hand before the annotator
  was run on them, with namesake traps and spellings the store lacks); and a third,
  tests/fixtures/news_gold2, written the same way later, after the annotator had been tuned on
  the first two (a check that the fixes generalise);
- throughput in MB of UTF-8 text per second, in this one process (one core), on
  (a) the five seeds once, with empty caches (the cold case),
  (b) the seeds concatenated and repeated to about 5 MB, as 4 KB documents (warm caches: a feed
      that keeps naming the same people), then the same documents once more (every span read);
  (c) about 5 MB of synthetic newswire, as 4 KB documents: ordinary English sentences with a
      name every dozen words or so, a third of them bundled entities (in their stored
      spellings, with possessives and hashtags) and the rest people and places the store does
      not know, most of them new to the annotator when they appear;
- the speed target's ratio: (b)'s first pass against the BASELINE, the annotator and resolver
  as they stood when issue #14 was filed (commit ``--baseline``, read from this checkout's git
  history with ``git archive`` and imported into this same process beside the current code, on
  a store built by its own code from its own entities.toml), run alternately on the same
  documents ``--rounds`` times, each time on a freshly opened store: (a) after the store has
  read the five seeds once, as in (b) above (the annotator's own first pass), and (b) with
  everything cold.  The two read the documents in turn, 50 at a time, each with its own caches,
  so that both meet the same load; the ratio of each round and their median are printed.
  Without git history the baseline is skipped with a note.

A benchmark, not a test::

    python bench/annotate.py [--seeds ../shared/seeds] [--mb 5] [--baseline REV] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib
import io
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from resolver import Resolver
from resolver.annotate.annotator import Annotator, Mention
from resolver.annotate.evaluate import GoldMention, Scores, read_gold, read_marked, score_mentions
from resolver.store.build import build_bundle, default_source, load_source

HERE = Path(__file__).resolve().parent
DEFAULT_SEEDS = HERE.parent.parent / "shared" / "seeds"
GOLD = HERE.parent / "tests" / "fixtures" / "seed_annotations"
NEWS_GOLD = HERE.parent / "tests" / "fixtures" / "news_gold"
NEWS_GOLD_2 = HERE.parent / "tests" / "fixtures" / "news_gold2"

_WORDS_TEXT = """
the of and to in a is that for it as was with be by on not he i this are or his from at which but have an
they you were her she there been one all we their has would when if so no will more can who out about
them said what up its into than time only some could new after two also other over first any years
government officials forces security militia groups attack report said statement minister country
people city week day year month spokesman army police members leader party political election vote
militias rockets drone strike embassy capital border talks agreement sanctions oil prices market
region council parliament protest protesters street streets killed wounded arrested released court
according sources told news agency local state foreign military commander group armed support
however while during since before under between against among across within without toward
announced denied confirmed warned called urged accused claimed added noted pledged vowed
"""
_WORDS = _WORDS_TEXT.split()
_SYLLABLES_TEXT = "ka ri ma sa li ha mi da fa ra na ba za ta qa la ja wa ya ab al ul id ur ah"
_SYLLABLES = _SYLLABLES_TEXT.split()
#: the code as it stood when issue #14 ("running text") was filed: the speed target's baseline
BASELINE_REV = "430da22"
_PLACES_NOT_STORED = ["Mosul", "Najaf", "Karbala", "Erbil", "Kirkuk", "Fallujah", "Ramadi", "Samarra", "Amman"]


def _new_name(rng: random.Random) -> str:
    """A person's name the store does not hold (two or three capitalised syllable words)."""
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    parts = [word(), word()] if rng.random() < 0.6 else [word(), "al-" + word()]
    return " ".join(parts)


def newswire(size: int, seed: int = 0) -> list[str]:
    """Synthetic news articles of about 4 KB, ``size`` bytes of UTF-8 in all (deterministic)."""
    rng = random.Random(seed)
    known = [a.text for e in load_source(default_source()) for a in e.aliases
             if a.text.isascii() and a.kind in ("name", "abbreviation") and not any(c in a.text for c in "(),")]
    docs: list[str] = []
    total = 0
    while total < size:
        paragraphs: list[str] = []
        while sum(len(p) for p in paragraphs) < 4000:
            sentences = []
            for _ in range(rng.randint(3, 6)):
                words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 30))]
                for _ in range(max(1, len(words) // 12)):
                    r = rng.random()
                    if r < 0.35:
                        name = rng.choice(known) + rng.choice(["", "", "", "’s"])
                    elif r < 0.45:
                        name = rng.choice(_PLACES_NOT_STORED)
                    elif r < 0.5:
                        name = "#" + rng.choice(["Iraq", "Baghdad", "Mosul", "IraqProtests"])
                    else:
                        name = _new_name(rng)
                    words.insert(rng.randrange(len(words) + 1), name)
                words[0] = words[0][:1].upper() + words[0][1:]
                sentences.append(" ".join(words) + rng.choice([".", ".", ".", ",” he said.", "?"]))
            paragraphs.append(" ".join(sentences))
        doc = "\n\n".join(paragraphs) + "\n"
        docs.append(doc)
        total += len(doc.encode("utf-8"))
    return docs


def throughput(annotate: Callable[[str], list[Mention]], docs: list[str]) -> tuple[float, float, float, int]:
    """(MB per CPU second, CPU seconds, wall seconds, mentions) for annotating every document in turn.

    CPU time of this single-threaded process is what one core gives, whatever else the machine runs.
    """
    size = sum(len(d.encode("utf-8")) for d in docs)
    found = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for doc in docs:
        found += len(annotate(doc))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return size / cpu / 1e6, cpu, wall, found


def _resolver_modules() -> dict[str, ModuleType]:
    return {k: v for k, v in sys.modules.items() if k == "resolver" or k.startswith("resolver.")}


def load_baseline(rev: str, tmp: Path) -> tuple[Callable[[], Any], Callable[[Any], Any]] | str:
    """The ``resolver`` package of commit ``rev``, imported beside the current one in this process.

    Returns ``(open_resolver, new_annotator)``: a function that opens a fresh resolver of that
    code on a store its own code built from its own entities.toml, and one that makes its
    annotator; or a one-line reason why the baseline cannot be had (no git history).
    """
    root = HERE.parent
    try:
        archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", rev, "resolver"],
                                 check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"no baseline: cannot read commit {rev} from git ({exc})"
    tree = tmp / "baseline"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    current = _resolver_modules()
    for name in current:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
    try:
        resolve = importlib.import_module("resolver.resolve")
        annotator = importlib.import_module("resolver.annotate.annotator")
        build = importlib.import_module("resolver.store.build")
        importlib.import_module("resolver")
    finally:
        sys.path.remove(str(tree))
        for name in _resolver_modules():
            del sys.modules[name]
        sys.modules.update(current)
    db = tmp / "baseline.db"
    build.build_bundle(build.default_source(), db)
    return (lambda: resolve.Resolver.open(str(db))), annotator.Annotator


def quality(label: str, annotator: Annotator, docs: dict[str, tuple[str, list[GoldMention]]]) -> Scores:
    """Print span+id precision and recall per document and in all, with every disagreement."""
    print(f"quality: span+id against {label}")
    total = Scores(0, 0, 0, (), ())
    for stem, (text, gold) in docs.items():
        scores = score_mentions(annotator.annotate(text), gold)
        total = total + scores
        print(f"  {stem:<3}  P={scores.precision:.3f} R={scores.recall:.3f}  "
              f"(gold {scores.gold}, linked {scores.predicted}, right {scores.true_positives})")
        for start, end, entity in scores.false_positives:
            print(f"       wrong   {start}-{end} {text[start:end]!r} -> {entity}")
        for start, end, entity in scores.false_negatives:
            print(f"       missed  {start}-{end} {text[start:end]!r} ({entity})")
    print(f"  all  P={total.precision:.3f} R={total.recall:.3f}  "
          f"(gold {total.gold}, linked {total.predicted}, right {total.true_positives})")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="the seed documents (../shared/seeds)")
    parser.add_argument("--mb", type=float, default=5.0, help="size of each speed corpus in MB")
    parser.add_argument("--baseline", default=BASELINE_REV, help="commit whose annotator is the speed baseline")
    parser.add_argument("--rounds", type=int, default=3, help="alternate baseline/current runs for the ratio")
    args = parser.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"no seed documents at {args.seeds}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "aliases.db"
        build_bundle(default_source(), db)
        resolver = Resolver.open(str(db))
        try:
            seeds = {p.stem: p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))}

            seed_gold = {}
            for stem, text in seeds.items():
                with (GOLD / f"{stem}.tsv").open(encoding="utf-8") as handle:
                    seed_gold[stem[:3]] = (text, read_gold(handle))
            news_gold = {p.stem[:2]: read_marked(p.read_text(encoding="utf-8"))
                         for p in sorted(NEWS_GOLD.glob("*.txt"))}
            quality("tests/fixtures/seed_annotations (seed documents)", Annotator(resolver), seed_gold)
            quality("tests/fixtures/news_gold (written by hand)", Annotator(resolver), news_gold)
            news_gold_2 = {p.stem[:2]: read_marked(p.read_text(encoding="utf-8"))
                           for p in sorted(NEWS_GOLD_2.glob("*.txt"))}
            quality("tests/fixtures/news_gold2 (written by hand later, held out)", Annotator(resolver), news_gold_2)

            print("speed: MB of UTF-8 text per second of CPU time, one process on one core")
            size = int(args.mb * 1e6)
            joined = "\n".join(seeds.values())
            repeated = joined * (size // len(joined.encode("utf-8")) + 1)
            corpora = [
                ("seeds once, cold caches", list(seeds.values())),
                ("seeds repeated, 4 KB documents", [repeated[i:i + 4000] for i in range(0, len(repeated), 4000)]),
                ("synthetic newswire, 4 KB docs", newswire(size)),
            ]
            baseline = load_baseline(args.baseline, Path(tmp))
            if isinstance(baseline, str):
                print(f"  {baseline}")
            else:
                open_old, old_annotator = baseline
                seed_docs, docs = corpora[0][1], corpora[1][1]
                mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
                # (a) as the "seeds repeated" line below: the resolver has read the five seeds
                # once (another annotator), this annotator starts empty; (b) all of it cold.
                figures: dict[str, tuple[list[float], list[float]]] = {"a": ([], []), "b": ([], [])}
                for _ in range(args.rounds):
                    for case, (before, after) in figures.items():
                        old, new = open_old(), Resolver.open(str(db))
                        runners = [old_annotator(old).annotate, Annotator(new).annotate]
                        if case == "a":
                            for annotate in runners:
                                throughput(annotate, seed_docs)
                        # The two read the documents in turn, a slice each (about 0.1 s of work), so
                        # that both meet the same load on a shared machine; each keeps its own caches.
                        cpu = [0.0, 0.0]
                        for first in range(0, len(docs), 50):
                            for side, annotate in enumerate(runners):
                                cpu[side] += throughput(annotate, docs[first:first + 50])[1]
                        before.append(mb / cpu[0])
                        after.append(mb / cpu[1])
                        old.close()
                        new.close()
                print(f"  seeds repeated, first pass, {mb:.2f} MB: current against baseline {args.baseline} "
                      f"(the code when issue #14 was filed), {args.rounds} rounds, slices of 50 documents in turn")
                for case, label in (("a", "fresh annotator, store read once"), ("b", "fresh resolver and annotator")):
                    before, after = figures[case]
                    ratios = sorted(n / o for o, n in zip(before, after, strict=True))
                    print(f"    ({case}) {label}: baseline {' '.join(f'{v:.2f}' for v in before)}, "
                          f"current {' '.join(f'{v:.2f}' for v in after)} MB/s; "
                          f"ratio per round {' '.join(f'{v:.2f}' for v in ratios)}, "
                          f"median {statistics.median(ratios):.2f}")
            for label, docs in corpora:
                annotator = Annotator(resolver)
                mbps, cpu, wall, found = throughput(annotator.annotate, docs)
                mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
                print(f"  {label:<32} {mbps:6.2f} MB/s  ({mb:.2f} MB in {cpu:.2f}s CPU, {wall:.2f}s wall; "
                      f"{found} mentions)")
                if label.startswith("seeds repeated"):
                    # The same documents again: every span already read, what a feed that keeps
                    # naming the same people costs once the caches are warm.
                    mbps, cpu, wall, found = throughput(annotator.annotate, docs)
                    print(f"  {'  the same again, warm caches':<32} {mbps:6.2f} MB/s  ({mb:.2f} MB in {cpu:.2f}s CPU, "
                          f"{wall:.2f}s wall; {found} mentions)")
        finally:
            resolver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
