"""The public SDN benchmark as the trainer and bench/sdn.py read it, and its fixed split by entity.

The split is by entity, never by query: every name of one entity (its stored aliases and its
queries) falls in the same part, so no spelling of a development entity is ever trained on.
"""

from __future__ import annotations

import csv
import random
import string
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from resolver.matching.words import FUNCTION_WORDS, LEGAL_FORMS, TITLES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "sdn"
#: share of entities (in tenths) that go to the development part
DEV_TENTHS = 3


def part_of(entity_id: str) -> str:
    """'dev' or 'train', by a fixed hash of the entity id (about 30% dev)."""
    return "dev" if zlib.crc32(f"matcher-split:{entity_id}".encode()) % 10 < DEV_TENTHS else "train"


@dataclass(frozen=True)
class Query:
    text: str
    type: str
    expected: str
    positive: bool
    arabic: bool
    entity: str  # the entity the name belongs to (for a negative: the absent one)

    @property
    def part(self) -> str:
        return part_of(self.entity)


def load_queries(data: Path) -> list[Query]:
    with (data / "queries.csv").open(newline="", encoding="utf-8") as fh:
        return [
            Query(r["query"], r["type"], r["expected_entity_id"], r["kind"] == "positive", r["arabic"] == "1",
                  r["expected_entity_id"] or r["source_entity_id"])
            for r in csv.DictReader(fh)
        ]


def import_store(data: Path, db: Path) -> None:
    """Load store.csv into a fresh store with the CLI (as a user would)."""
    subprocess.run([sys.executable, "-m", "resolver", "import", str(data / "store.csv"), "--db", str(db)],
                   check=True, stdout=subprocess.DEVNULL)


_NOT_NAME_WORDS = LEGAL_FORMS | TITLES | FUNCTION_WORDS


def junk_variants(names: list[tuple[str, str]], seed: int = 0, limit: int = 600) -> list[tuple[str, str, int]]:
    """(name, entity id, words) of stored names of training entities with one word (chosen at random,
    seeded) (a name word) replaced by a random string of 3-6 letters, in the word's case: "IRGC Xyz" from
    "IRGC-Quds".  No such name should be linked to anything; how many are, by name length, measures
    how often a word left unmatched is forgiven.  Only the training part's names are used, so the
    probe never looks at the development entities the figures are chosen on."""
    rng = random.Random(seed)
    pool = sorted({(text, eid) for text, eid in names if part_of(eid) == "train" and len(text.split()) >= 2})
    rng.shuffle(pool)
    out = []
    for text, eid in pool[:limit]:
        words = text.split()
        # a name word, not a legal form, title or joining word ("LTD", "Col", "of"): the name's
        # identity must be at stake
        slots = [i for i, w in enumerate(words) if w.strip(".,").lower() not in _NOT_NAME_WORDS]
        if not slots:
            continue
        k = rng.choice(slots)
        junk = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 6)))
        words[k] = junk.upper() if words[k].isupper() else junk.capitalize()
        out.append((" ".join(words), eid, len(words)))
    return out
