"""Cross-referencing two small overlapping lists (and the curated store) through the resolver."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from resolver import Resolver
from resolver.sources.ftm import FtmReader
from resolver.sources.ofac import OfacReader
from resolver.sources.sync import sync_source
from resolver.sources.xref import HEADER, write_xref, xref

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


def _pairs(proposals: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(p.left_id, p.right_id) for p in proposals}


def test_two_lists_are_proposed_pairwise_and_only_across_sources(tmp_path: Path) -> None:
    resolver = Resolver.open(str(tmp_path / "lists.db"), create=True)
    sync_source(resolver.store, "opensanctions", FtmReader(FIXTURES / "ftm_v2.jsonl"))
    sync_source(resolver.store, "ofac-sdn", OfacReader(FIXTURES / "ofac_v2" / "sdn.csv"))
    proposals = xref(resolver)
    assert _pairs(proposals) == {
        ("ofac-sdn:25601", "opensanctions:Q7267896"),   # Qays AL-KHAZALI / Qais al-Khazali
        ("ofac-sdn:25602", "opensanctions:NK-hts"),     # AL-NUSRAH FRONT / its previous name
        ("ofac-sdn:25603", "opensanctions:NK-adrian"),  # the tanker
        ("ofac-sdn:25604", "opensanctions:NK-muhandis"),
        ("ofac-sdn:25606", "opensanctions:NK-tidewater"),
        ("ofac-sdn:25607", "opensanctions:NK-laith"),   # Laith, never his brother Qais
    }
    assert all(p.left_source != p.right_source for p in proposals)
    nusra = next(p for p in proposals if p.left_id == "ofac-sdn:25602")
    assert (nusra.decision, nusra.score, nusra.left_alias, nusra.right_alias) == (
        "match", 1.0, "AL-NUSRAH FRONT", "Al-Nusrah Front")
    tanker = next(p for p in proposals if p.left_id == "ofac-sdn:25603")
    assert tanker.shared_ids == "call_sign=9HA4802"
    assert tanker.type == "other"
    out = io.StringIO()
    assert write_xref(proposals, out) == 6
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == HEADER and len(rows) == 7
    # proposals only: nothing was merged
    assert resolver.store.canonical_id("ofac-sdn:25601") == "ofac-sdn:25601"
    resolver.close()


def test_a_list_against_the_curated_store(resolver: Resolver) -> None:
    sync_source(resolver.store, "ofac-sdn", OfacReader(FIXTURES / "ofac_v2" / "sdn.csv"))
    proposals = {(p.left_id, p.right_id): p for p in xref(resolver, sources=["ofac-sdn"])}
    qais = proposals[("ofac-sdn:25601", "qais-al-khazali")]
    laith = proposals[("ofac-sdn:25607", "laith-al-khazali")]
    assert (qais.right_source, qais.decision, laith.decision) == ("curated", "match", "match")
    assert ("ofac-sdn:25607", "qais-al-khazali") not in proposals
    assert ("ofac-sdn:25601", "laith-al-khazali") not in proposals
