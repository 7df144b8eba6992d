"""The page forms that change the store: settle a queued value, edit an entity, its aliases, merge.

Each form posts here with the session's CSRF token (:func:`api.web_session.needs_curator`), calls
the same :class:`~resolver.store.store.AliasStore` methods as the JSON API under the curator's
name (so every change is in the history), and redirects back to a page with a message (303).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for

from resolver import ResolverError
from resolver.results import AliasKind

from .context import get_resolver
from .models import DESCRIPTION_MAX, TEXT_MAX
from .pages import bp
from .review_hook import review_queue
from .web_session import curator, needs_curator

__all__: list[str] = []  # routes only, added to api.pages.bp

_KINDS = {k.value for k in AliasKind}


class FormError(ValueError):
    """A form field the curator must fix."""


def _field(name: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = request.form.get(name, "").strip()
    if required and not value:
        raise FormError(f"{name.replace('_', ' ')} is required")
    if len(value) > limit:
        raise FormError(f"{name.replace('_', ' ')} is longer than {limit} characters")
    return value


def _kind() -> str:
    kind = request.form.get("kind", "name")
    if kind not in _KINDS:
        raise FormError(f"unknown alias kind {kind!r}")
    return kind


def _external_ids(text: str) -> dict[str, str]:
    """``scheme: value`` lines into a mapping (blank lines skipped)."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        scheme, sep, value = line.partition(":")
        if not sep or not scheme.strip() or not value.strip() or len(scheme.strip()) > 100:
            raise FormError(f"external identifiers, line {number}: write 'scheme: value', e.g. 'wikidata: Q42'")
        found[scheme.strip()] = value.strip()
    return found


def _done(target: str, action: Any) -> Any:
    """Run a store change; flash its message or the error, and go to ``target`` (303)."""
    try:
        message = action()
    except (ResolverError, FormError) as exc:
        flash(exc.message if isinstance(exc, ResolverError) else str(exc), "error")
    else:
        flash(message, "ok")
    return redirect(target, 303)


def _back(default: str) -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/") and not target.startswith("//") else default


# --- the review queue ------------------------------------------------------------------------


@bp.post("/review/<int:item_id>/link")
@needs_curator
def review_link(item_id: int) -> Any:
    def act() -> str:
        entity_id = _field("entity_id", limit=200)
        alias = review_queue().link(item_id, entity_id, actor=curator() or "", kind=_kind())
        entity = get_resolver().store.get_entity(alias.entity_id)
        return f"“{alias.text}” is now an alias of {entity.name}."

    return _done(_back(url_for("pages.review")), act)


@bp.post("/review/<int:item_id>/dismiss")
@needs_curator
def review_dismiss(item_id: int) -> Any:
    def act() -> str:
        item = review_queue().dismiss(item_id, actor=curator() or "")
        return f"“{item.value}” dismissed."

    return _done(_back(url_for("pages.review")), act)


@bp.post("/review/<int:item_id>/create")
@needs_curator
def review_create(item_id: int) -> Any:
    created: list[str] = []

    def act() -> str:
        record = review_queue().create_entity(
            item_id, name=_field("name"), type=_field("type", limit=20), actor=curator() or "",
            description=_field("description", required=False, limit=DESCRIPTION_MAX),
        )
        created.append(record.id)
        return f"Created {record.name} ({record.id})."

    response = _done(url_for("pages.review_item", item_id=item_id), act)
    if created:
        response.location = url_for("entities.get_entity", entity_id=created[0])
    return response


# --- entities --------------------------------------------------------------------------------


def _entity_url(entity_id: str) -> str:
    return url_for("entities.get_entity", entity_id=entity_id)


@bp.post("/curate/entities/<entity_id>/edit")
@needs_curator
def entity_edit(entity_id: str) -> Any:
    def act() -> str:
        record = get_resolver().store.update_entity(
            entity_id, name=_field("name"), type=_field("type", limit=20),
            description=_field("description", required=False, limit=DESCRIPTION_MAX),
            external_ids=_external_ids(_field("external_ids", required=False, limit=DESCRIPTION_MAX)),
            actor=curator() or "",
        )
        return f"Saved {record.name}."

    return _done(_entity_url(entity_id), act)


@bp.post("/curate/entities/<entity_id>/aliases")
@needs_curator
def alias_add(entity_id: str) -> Any:
    def act() -> str:
        name = curator() or ""
        alias = get_resolver().store.add_alias(
            entity_id, _field("text"), kind=_kind(), source=f"curated by {name}",
            note=_field("note", required=False), actor=name,
        )
        return f"Added the alias “{alias.text}”."

    return _done(_entity_url(entity_id), act)


@bp.post("/curate/entities/<entity_id>/aliases/<int:alias_id>/remove")
@needs_curator
def alias_remove(entity_id: str, alias_id: int) -> Any:
    def act() -> str:
        alias = get_resolver().store.remove_alias(entity_id, alias_id, actor=curator() or "")
        return f"Removed the alias “{alias.text}”."

    return _done(_entity_url(entity_id), act)


@bp.post("/curate/entities/<entity_id>/merge")
@needs_curator
def entity_merge(entity_id: str) -> Any:
    def act() -> str:
        absorbed = _field("absorbed", limit=200)
        if request.form.get("confirm") != "yes":
            raise FormError(f"tick the box to confirm that {absorbed} is the same as {entity_id}")
        record = get_resolver().store.merge(entity_id, absorbed, actor=curator() or "")
        return f"Merged {absorbed} into {record.name}: its aliases are here and its id leads here."

    return _done(_entity_url(entity_id), act)
