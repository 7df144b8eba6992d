"""xref proposals in the review queue: once per pair, refreshed while open, decisions kept; accept
merges under the curator's name, reject keeps the pair apart (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from resolver import Resolver
from resolver.cli import cli
from resolver.errors import InvalidQuery
from resolver.sources.ftm import FtmReader
from resolver.sources.merge_queue import MergeQueue
from resolver.sources.ofac import OfacReader
from resolver.sources.sync import sync_source
from resolver.sources.xref import xref

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"
PAIRS = {
    ("ofac-sdn:25601", "opensanctions:Q7267896"), ("ofac-sdn:25602", "opensanctions:NK-hts"),
    ("ofac-sdn:25603", "opensanctions:NK-adrian"), ("ofac-sdn:25604", "opensanctions:NK-muhandis"),
    ("ofac-sdn:25606", "opensanctions:NK-tidewater"), ("ofac-sdn:25607", "opensanctions:NK-laith"),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def lists(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Resolver]:
    """Two overlapping lists in one store, on each database."""
    url = str(tmp_path / "lists.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    resolver = Resolver.open(url, create=True)
    sync_source(resolver.store, "opensanctions", FtmReader(FIXTURES / "ftm_v2.jsonl"))
    sync_source(resolver.store, "ofac-sdn", OfacReader(FIXTURES / "ofac_v2" / "sdn.csv"))
    yield resolver
    resolver.close()


def _open(queue: MergeQueue) -> dict[tuple[str, str], int]:
    return {(i.left_id, i.right_id): i.id for i in queue.items("open", limit=100)}


def test_proposals_are_queued_once_with_their_evidence(lists: Resolver) -> None:
    queue = MergeQueue(lists.store)
    report = queue.record(xref(lists))
    assert (report.added, report.refreshed, report.kept_decided, report.withdrawn) == (6, 0, 0, 0)
    assert set(_open(queue)) == PAIRS
    nusra = next(i for i in queue.items() if i.left_id == "ofac-sdn:25602")
    assert (nusra.score, nusra.decision) == (1.0, "match")
    assert {k: nusra.evidence[k] for k in ("left_alias", "right_alias", "left_source", "right_source")} == {
        "left_alias": "AL-NUSRAH FRONT", "right_alias": "Al-Nusrah Front", "left_source": "ofac-sdn",
        "right_source": "opensanctions"}
    tanker = next(i for i in queue.items() if i.left_id == "ofac-sdn:25603")
    assert (tanker.evidence["shared_ids"], tanker.evidence["type"]) == ("call_sign=9HA4802", "other")
    again = queue.record(xref(lists))  # a second run: nothing new, the open ones refreshed
    assert (again.added, again.refreshed) == (0, 6)
    assert queue.counts() == {"open": 6, "merged": 0, "rejected": 0, "withdrawn": 0}


def test_accept_merges_reject_keeps_apart_and_reruns_respect_both(lists: Resolver) -> None:
    queue = MergeQueue(lists.store)
    queue.record(xref(lists))
    ids = _open(queue)
    qais = ids[("ofac-sdn:25601", "opensanctions:Q7267896")]
    merged = queue.accept(qais, "opensanctions:Q7267896", actor="alice")
    assert merged.id == "opensanctions:Q7267896"
    assert lists.store.canonical_id("ofac-sdn:25601") == "opensanctions:Q7267896"
    assert lists.store.history("opensanctions:Q7267896")[-1].actor == "alice"
    assert (queue.get(qais).state, queue.get(qais).survivor_id, queue.get(qais).decided_by) == (
        "merged", "opensanctions:Q7267896", "alice")
    laith = ids[("ofac-sdn:25607", "opensanctions:NK-laith")]
    assert queue.reject(laith, actor="bob").state == "rejected"
    with pytest.raises(InvalidQuery, match="already rejected"):
        queue.accept(laith, "ofac-sdn:25607", actor="bob")
    with pytest.raises(InvalidQuery, match="not one of the pair"):
        queue.accept(ids[("ofac-sdn:25602", "opensanctions:NK-hts")], "ofac-sdn:25603", actor="bob")
    report = queue.record(xref(lists))
    assert (report.added, report.refreshed, report.kept_decided) == (0, 4, 1)  # the merged pair is one now
    assert queue.counts() == {"open": 4, "merged": 1, "rejected": 1, "withdrawn": 0}
    assert lists.store.canonical_id("ofac-sdn:25607") == "ofac-sdn:25607"  # rejected: still two


def test_a_proposal_whose_entity_went_elsewhere_is_withdrawn(lists: Resolver) -> None:
    queue = MergeQueue(lists.store)
    queue.record(xref(lists))
    lists.store.merge("opensanctions:NK-adrian", "ofac-sdn:25603", actor="carol")  # merged by hand
    report = queue.record(xref(lists))
    assert report.withdrawn == 1
    (gone,) = queue.items("withdrawn")
    assert (gone.left_id, gone.right_id) == ("ofac-sdn:25603", "opensanctions:NK-adrian")


def test_the_xref_command_queues_and_reports(tmp_path: Path) -> None:
    db = str(tmp_path / "lists.db")
    runner = CliRunner()
    for args in (("--format", "ftm", str(FIXTURES / "ftm_v2.jsonl"), "--source", "opensanctions"),
                 ("--format", "ofac", str(FIXTURES / "ofac_v2"))):
        assert runner.invoke(cli, ["import", *args, "--db", db]).exit_code == 0
    first = runner.invoke(cli, ["xref", "--queue", "-q", "--db", db])
    assert first.exit_code == 0, first.output
    assert first.stdout == ""  # --queue alone writes no CSV
    assert first.stderr == ("6 merge proposals\nreview queue: 6 new merge proposals, 0 already open (refreshed), "
            "0 decided before (left alone), 0 withdrawn (an entity is gone)\n")
    out = tmp_path / "pairs.csv"
    second = runner.invoke(cli, ["xref", "--queue", "-q", "-o", str(out), "--db", db])
    assert second.exit_code == 0 and "0 new merge proposals, 6 already open" in second.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 7
    resolver = Resolver.open(db)
    assert MergeQueue(resolver.store).counts()["open"] == 6
    resolver.close()
