"""Server-rendered pages for people: search, entity pages, the review queue, signing in.

Plain HTML from Jinja templates (``api/templates``) and one small stylesheet: no script, no build
step, a few kilobytes a page.  ``/entities/{id}`` answers this HTML to a browser (it asks for
``text/html``) and JSON to everybody else; it is also the reconciliation service's view URL.  The
forms that change the store are in :mod:`api.pages_curation`.  Pages are not part of the OpenAPI
document: they are for browsers, the JSON API is for programs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from resolver import EntityNotFound, InvalidQuery, ResolverError
from resolver.results import AliasKind, EntityRecord, EntityType, HistoryRecord
from resolver.sources.merge_queue import MergeQueue
from resolver.store.review import ReviewItem
from resolver.suggest import suggest

from .context import api_settings, get_resolver
from .review_hook import flush, review_queue
from .web_session import check_csrf, csrf_token, curator, init_sessions, sign_in, sign_out

__all__ = ["bp", "entity_page", "init_app", "wants_html"]

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")

_PAGE = 25
#: what pages may load and who may frame them: only this site, never inside another site's frame
_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")


def init_app(app: Flask) -> None:
    """Register the pages, their curation forms and the session cookie on the app."""
    from . import pages_curation, pages_merges  # noqa: F401  (their routes join this blueprint)

    init_sessions(app, app.extensions["resolver_api"].tokens)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(csrf_token=csrf_token, curator=curator)


def wants_html() -> bool:
    """Whether the client prefers HTML to JSON (a browser); JSON stays the default."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


@bp.after_request
def _headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
    return response


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A rendered page with the headers every page gets (also used outside this blueprint)."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    return _headers(response)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return page("error.html", exc.code or 500, title=exc.name, message=exc.description)


@bp.errorhandler(ResolverError)
def _resolver_error(exc: ResolverError) -> Response:
    status = 404 if exc.code.endswith("not_found") else 400
    return page("error.html", status, title="Not found" if status == 404 else "Cannot do that", message=exc.message)


# --- reading ---------------------------------------------------------------------------------


def _search(q: str, type_: str | None) -> list[EntityRecord]:
    """Entities for a search box: the resolver's suggestions, then names containing the text."""
    store = get_resolver().store
    seen: dict[str, EntityRecord] = {}
    try:
        for s in suggest(get_resolver(), q, type=type_, limit=_PAGE):
            seen.setdefault(s.entity.id, store.get_entity(s.entity.id))
        for e in store.list_entities(q, type_, _PAGE):
            seen.setdefault(e.id, e)
    except InvalidQuery as exc:
        flash(exc.message, "error")
    return list(seen.values())[:_PAGE]


@bp.get("/")
def home() -> Response:
    """Search entities by any spelling."""
    q = request.args.get("q", "").strip()[:512]
    type_ = request.args.get("type") or None
    if type_ not in {None, *(t.value for t in EntityType)}:
        type_ = None
    results = _search(q, type_) if q else []
    return page("home.html", q=q, type=type_, types=[t.value for t in EntityType], results=results,
                counts=review_queue().counts())


def _summary(h: HistoryRecord) -> str:
    after, before = h.after or {}, h.before or {}
    if h.action in ("add_alias", "remove_alias"):
        alias = after or before
        return f"{alias.get('text', '')} ({alias.get('kind', '')}, {alias.get('source') or 'no source'})"
    if h.action == "merge":
        return f"absorbed {before.get('absorbed', {}).get('id', '?')}"
    if h.action == "merged_into":
        return f"merged into {after.get('redirect_to', '?')}"
    if h.action == "update":
        changed = [k for k in ("name", "type", "description", "external_ids") if before.get(k) != after.get(k)]
        return "changed " + ", ".join(changed) if changed else "updated"
    if h.action == "create":
        return f"created as {after.get('name', '')} ({after.get('type', '')})"
    return h.action


def entity_page(entity_id: str) -> Response:
    """The HTML page of an entity (the caller has followed merge redirects)."""
    store = get_resolver().store
    try:
        entity = store.get_entity(entity_id)
    except EntityNotFound as exc:
        return page("error.html", 404, title="Not found", message=exc.message)
    history = store.history(entity.id)
    absorbed = sorted({h.entity_id for h in history if h.entity_id != entity.id})
    response = page(
        "entity.html", entity=entity, history=[(h, _summary(h)) for h in reversed(history)], absorbed=absorbed,
        merged_from=request.args.get("merged_from"), kinds=[k.value for k in AliasKind],
        types=[t.value for t in EntityType],
        external="\n".join(f"{k}: {v}" for k, v in sorted(entity.external_ids.items())),
    )
    response.headers["Vary"] = "Accept"
    return response


def listing_args(states: tuple[str, ...]) -> tuple[str, int]:
    """A queue page's ``state`` (one of ``states``, the first by default) and ``offset`` (0 by default)
    from the query string; a value that makes no sense falls back to the default."""
    state = request.args.get("state", states[0])
    try:
        offset = max(0, int(request.args.get("offset", "0")))
    except ValueError:
        offset = 0
    return (state if state in states else states[0]), offset


def _candidates(item: ReviewItem, limit: int = 5) -> list[tuple[Any, float, str]]:
    """The resolver's current candidates for a queued value (computed now: the store moves on)."""
    try:
        res = get_resolver().resolve(item.value, limit=limit)
    except InvalidQuery:
        return []
    return [(c.entity, c.score, c.explanation) for c in res.candidates]


@bp.get("/review")
def review() -> Response:
    """The values the service could not link, most frequent first, with their candidates."""
    flush()  # this process's latest reports; other workers' arrive within their flush interval
    state, offset = listing_args(("open", "linked", "created", "dismissed"))
    queue = review_queue()
    items = queue.items(state, _PAGE + 1, offset)
    rows = [(item, _candidates(item) if state == "open" else []) for item in items[:_PAGE]]
    return page("review.html", rows=rows, state=state, counts=queue.counts(), offset=offset,
                merge_counts=MergeQueue(get_resolver().store).counts(),
                more=len(items) > _PAGE, page_size=_PAGE, max_items=queue.max_items,
                kinds=[k.value for k in AliasKind])


@bp.get("/review/<int:item_id>")
def review_item(item_id: int) -> Response:
    """One queued value: its candidates, a search for any other entity, and a form for a new one."""
    item = review_queue().get(item_id)
    q = request.args.get("q", "").strip()[:512]
    return page("review_item.html", item=item, candidates=_candidates(item, 10), q=q,
                results=_search(q, None) if q else [], types=[t.value for t in EntityType],
                kinds=[k.value for k in AliasKind])


# --- signing in ------------------------------------------------------------------------------


@bp.get("/signin")
def signin_form() -> Response:
    return page("signin.html", next=_safe_next(request.args.get("next")), writes=bool(api_settings().tokens))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //other.example or a scheme) to go back to."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.review")


@bp.post("/signin")
def signin() -> Response | Any:
    check_csrf()
    name = sign_in(request.form.get("token", ""))
    if name is None:
        flash("That token is not valid.", "error")
        return page("signin.html", 401, next=_safe_next(request.form.get("next")),
                    writes=bool(api_settings().tokens))
    flash(f"Signed in as {name}.", "ok")
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/signout")
def signout() -> Any:
    check_csrf()
    sign_out()
    flash("Signed out.", "ok")
    return redirect(url_for("pages.home"), 303)
