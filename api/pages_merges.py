"""The merge proposals of ``resolver xref --queue`` on the review pages: read them, accept one
(choosing which entity keeps its id) or reject it.

Accepting merges through the store under the curator's name, as the entity page's merge form does;
rejecting keeps the pair apart for good (a later xref run leaves it rejected).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from resolver import EntityNotFound
from resolver.results import EntityRecord
from resolver.sources.merge_queue import STATES, MergeItem, MergeQueue

from .context import get_resolver
from .pages import bp, listing_args, page
from .pages_curation import _back, _done, _field
from .web_session import curator, needs_curator

__all__: list[str] = []  # routes only, added to api.pages.bp

_PAGE = 25


def merge_queue() -> MergeQueue:
    return MergeQueue(get_resolver().store)


def _entity(entity_id: str) -> EntityRecord | None:
    """The entity as it stands now (None once deleted; a merged one shows where it went)."""
    try:
        return get_resolver().store.get_entity(entity_id)
    except EntityNotFound:
        return None


@bp.get("/review/merges")
def review_merges() -> Any:
    """Pairs of entities xref proposes to merge, best score first, with the evidence."""
    state, offset = listing_args(STATES)
    queue = merge_queue()
    items = queue.items(state, _PAGE + 1, offset)
    rows: list[tuple[MergeItem, EntityRecord | None, EntityRecord | None]] = [
        (item, _entity(item.left_id), _entity(item.right_id)) for item in items[:_PAGE]]
    return page("review_merges.html", rows=rows, state=state, states=STATES, counts=queue.counts(), offset=offset,
                more=len(items) > _PAGE, page_size=_PAGE)


@bp.post("/review/merges/<int:item_id>/accept")
@needs_curator
def review_merge_accept(item_id: int) -> Any:
    def act() -> str:
        survivor = _field("survivor", limit=200)
        record = merge_queue().accept(item_id, survivor, actor=curator() or "")
        return f"Merged into {record.name} ({record.id}): the other id leads here now."

    return _done(_back(url_for("pages.review_merges")), act)


@bp.post("/review/merges/<int:item_id>/reject")
@needs_curator
def review_merge_reject(item_id: int) -> Any:
    def act() -> str:
        item = merge_queue().reject(item_id, actor=curator() or "")
        return f"Kept {item.left_id} and {item.right_id} apart."

    return _done(_back(url_for("pages.review_merges")), act)
