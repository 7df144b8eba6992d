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


def _name_slots(words: list[str]) -> list[int]:
    """The positions of a name's name words: not a legal form, title or joining word ("LTD", "Col",
    "of"), so that the name's identity is at stake when one of them changes."""
    return [i for i, w in enumerate(words) if w.strip(".,").lower() not in _NOT_NAME_WORDS]


def _training_names(names: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    pool = sorted({(text, eid) for text, eid in names if part_of(eid) == "train" and len(text.split()) >= 2})
    rng.shuffle(pool)
    return pool


def junk_variants(names: list[tuple[str, str]], seed: int = 0, limit: int = 600) -> list[tuple[str, str, int]]:
    """(name, entity id, words) of stored names of training entities with one word (chosen at random,
    seeded) (a name word) replaced by a random string of 3-6 letters, in the word's case: "IRGC Xyz" from
    "IRGC-Quds".  No such name should be linked to anything; how many are, by name length, measures
    how often a word left unmatched is forgiven.  Only the training part's names are used, so the
    probe never looks at the development entities the figures are chosen on."""
    rng = random.Random(seed)
    out = []
    for text, eid in _training_names(names, rng)[:limit]:
        words = text.split()
        slots = _name_slots(words)
        if not slots:
            continue
        k = rng.choice(slots)
        junk = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 6)))
        words[k] = junk.upper() if words[k].isupper() else junk.capitalize()
        out.append((" ".join(words), eid, len(words)))
    return out


def swap_variants(names: list[tuple[str, str]], seed: int = 0, limit: int = 600) -> list[tuple[str, str, int]]:
    """(name, entity id, words) of stored names of training entities with one name word (chosen at
    random, seeded) replaced by a real name word of another training entity's name, in the word's
    case: "Hleb Leonardo DRYL" from "Hleb Uladzimiravich DRYL", "TARIQ TRANSPORTATION GROUP" from
    "TARIQ GEEDAR GROUP".  Such a name is another person's or company's as written; a link to the
    entity it was made from is a link the name alone does not support (another middle name may be a
    genuine variant, which is why this is a probe and not a test).  Training part only, as
    :func:`junk_variants`."""
    rng = random.Random(seed)
    pool = _training_names(names, rng)
    donors = sorted({(w.strip(".,"), eid) for text, eid in pool for w in text.split()
                     if len(w.strip(".,")) >= 3 and w.strip(".,").lower() not in _NOT_NAME_WORDS})
    out = []
    for text, eid in pool[:limit]:
        words = text.split()
        slots = _name_slots(words)
        if not slots:
            continue
        k = rng.choice(slots)
        word, donor = rng.choice(donors)
        while donor == eid or word.lower() == words[k].strip(".,").lower():
            word, donor = rng.choice(donors)
        words[k] = word.upper() if words[k].isupper() else word.capitalize()
        out.append((" ".join(words), eid, len(words)))
    return out
