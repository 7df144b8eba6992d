"""Resolver: normalise -> candidates -> score -> decide.  The one entry point the CLI and API call."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from resolver.errors import InvalidQuery, SchemaMismatch
from resolver.matching.decision import Judged, judge
from resolver.matching.index import CandidateIndex, IndexedAlias
from resolver.matching.index_views import read_exact
from resolver.matching.model import load_model
from resolver.matching.normalize import NameKey, analyze, coarse_flat
from resolver.matching.ranking import rank_entities, scored_hits
from resolver.matching.standing import COMPARED
from resolver.matching.votes import MAX_CANDIDATES
from resolver.results import Candidate, MatchStatus, Resolution
from resolver.settings import Settings, load_settings
from resolver.store.db import check_schema, make_engine, make_session_factory, sqlite_path
from resolver.store.store import AliasStore, check_type

if TYPE_CHECKING:
    from resolver.annotate.annotator import Annotator, Mention

__all__ = ["Resolver"]

log = logging.getLogger(__name__)


class _ChangeWatcher:
    """Tells cheaply whether anybody (this process or another) committed to the store.

    :meth:`version` returns a value that changes whenever a write is committed.  SQLite's
    ``PRAGMA data_version`` on a private read-only connection changes whenever another connection
    commits, at the cost of a few microseconds; other databases read the revision counter (one
    one-row query), at most every ``interval`` seconds (0: on every lookup, so a committed write
    is seen by the next lookup on every host).
    """

    def __init__(self, store: AliasStore, interval: float) -> None:
        self._store = store
        self._interval = interval
        self._conn: sqlite3.Connection | None = None
        self._last_check = 0.0
        self._last = -1
        self._lock = threading.Lock()
        path = sqlite_path(store.engine.url)
        if path is not None:
            self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def version(self) -> int:
        if self._conn is not None:
            with self._lock:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        now = time.monotonic()
        if self._interval > 0 and now - self._last_check < self._interval:
            return self._last
        self._last_check = now
        self._last = self._store.revision()
        return self._last

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class Resolver:
    """Resolve mentions of people, organisations, places and outlets to canonical entity ids.

    Reach for it from Python, as the CLI and HTTP API do: ``Resolver.open()`` opens the bundled
    store, ``resolve()`` decides one mention, ``resolve_many()`` a list.  It is safe to share
    between threads.  The candidate index lives in the store; the resolver keeps only bounded
    caches, started afresh whenever the store is written, by this process or another.
    """

    def __init__(self, store: AliasStore, settings: Settings | None = None, *, preload: bool = True) -> None:
        if not isinstance(store, AliasStore):
            # "Resolver('aliases.db')" would otherwise fail deep inside with an AttributeError
            raise TypeError(f"Resolver() takes an open AliasStore, not {type(store).__name__}; "
                            "use Resolver.open(path or URL) to open a store")
        self.store = store
        self.settings = settings or load_settings()
        self._lock = threading.Lock()
        self._watcher = _ChangeWatcher(store, self.settings.refresh_interval)
        self._annotator: Annotator | None = None
        self._seen = self._watcher.version()
        self._index = CandidateIndex.open(store.engine)
        if preload:
            # the pair model (once per process), read now rather than by the first lookup: a
            # server's first request, a batch's first value, a benchmark's timed pass would pay it
            load_model()

    @classmethod
    def open(
        cls, db: str | os.PathLike[str] | None = None, *, settings: Settings | None = None, create: bool = False,
        preload: bool = True,
    ) -> Resolver:
        """Open a store: the bundled ``aliases.db`` by default, else a path or SQLAlchemy URL.

        Args:
            db: a file path or URL; ``None`` uses ``settings.db``, then ``RESOLVER_DB``, then the bundle.
            settings: thresholds and limits; read from the environment when omitted.
            create: create an empty store when the database has none (otherwise that is an error).
            preload: read the pair model now (once per process, about 0.1 s), not at the first lookup;
                ``False`` for a caller that only reads or writes the store (``resolver stats``, ``import``).

        Raises:
            SchemaMismatch: the database is not a store this version can use.
        """
        settings = settings or load_settings()
        if db:
            settings = replace(settings, db=os.fspath(db))
        url = settings.db_url()
        path = sqlite_path(make_url(url))
        if path is not None and not create and not path.exists():
            raise SchemaMismatch(f"no store at {path}; run `resolver build` or `resolver import FILE.csv`")
        engine = make_engine(url)
        try:
            check_schema(engine, create=create)
            store = AliasStore(engine, make_session_factory(engine))
            try:
                store.rekey_if_needed()
            except OperationalError as exc:
                if not store.schema_version():
                    raise
                log.warning("the store's keys are from another normaliser version and the store is read-only "
                            "(%s); answers use the stored keys until `resolver migrate` runs with write access",
                            exc.orig)
            return cls(store, settings, preload=preload)
        except BaseException:
            engine.dispose()
            raise

    def close(self) -> None:
        """Release the database connections."""
        self._watcher.close()
        self._index.close()
        self.store.engine.dispose()

    # --- the index -------------------------------------------------------------------------

    @property
    def index(self) -> CandidateIndex:
        """The store's index with this process's caches, started afresh when the store was written.

        Building one costs a one-row query, not a pass over the store.  Each caller compares the
        store's version itself, so a lookup that starts after a write was committed never uses
        caches filled before it.
        """
        version = self._watcher.version()
        if version != self._seen:
            with self._lock:
                if version != self._seen:
                    old, self._index = self._index, CandidateIndex.open(self.store.engine)
                    self._seen = version
                    old.close()  # (a lookup still using it gives its connection back to the pool)
        return self._index

    @property
    def revision(self) -> int:
        """The store revision the answers reflect: it moves whenever the store is written.

        Cheap to read (no query unless the store changed): callers that cache answers, such as
        the annotator, compare it to know when to forget them.
        """
        return self.index.revision

    # --- resolving -------------------------------------------------------------------------

    def resolve(self, mention: str, *, type: str | None = None, limit: int = 5) -> Resolution:
        """Decide which entity a mention names.

        Args:
            mention: the name as written, in any script (at most ``settings.max_mention_length``).
            type: only consider entities of this type (person, organization, place, media, other).
            limit: how many ranked candidates to return.

        Returns:
            A :class:`Resolution`: matched, ambiguous or unresolved, with score, alias and candidates.

        Raises:
            InvalidQuery: the mention is not a string or is too long, or the type is unknown.
        """
        self._check(mention, type, limit)
        index = self.index
        with index.session():  # one pooled connection for every statement of the lookup
            return self._resolve(index, mention, type, limit)

    def resolve_many(
        self, mentions: Iterable[str], *, type: str | None = None, limit: int = 5
    ) -> list[Resolution]:
        """Resolve a list of mentions in order, deciding each distinct mention once."""
        items = list(mentions)
        for m in items:
            self._check(m, type, limit)
        index = self.index
        done: dict[str, Resolution] = {}
        out = []
        with index.session():  # one pooled connection for the whole batch
            for m in items:
                if m not in done:
                    done[m] = self._resolve(index, m, type, limit)
                out.append(done[m])
        return out

    def _check(self, mention: Any, type: str | None, limit: int) -> None:
        if not isinstance(mention, str):
            raise InvalidQuery(f"a mention must be a string, not {mention.__class__.__name__}")
        if len(mention) > self.settings.max_mention_length:
            raise InvalidQuery(f"mention is {len(mention)} characters; the limit is {self.settings.max_mention_length}")
        if type is not None:
            check_type(type)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            raise InvalidQuery("limit must be an integer from 1 to 100")

    def _resolve(self, index: CandidateIndex, mention: str, type: str | None, limit: int) -> Resolution:
        name = analyze(mention)
        if limit == 1 and name.acronym is None and name.tokens:
            decided = self._one_exact(index, mention, name, type)
            if decided is not None:
                return decided
        hits, scorer = scored_hits(index, name)
        keep = None if type is None else (lambda alias: index.entities[alias.entity_id].type == type)
        ranked, names = rank_entities(hits, keep)
        # the places of the entities the judge weighs, read together (it asks for them one by one)
        index.entity_places.load(h.alias.entity_id for h in ranked[:COMPARED])
        s = self.settings
        judged = judge(index, name, [(h.score, h.alias) for h in ranked], load_model(), s.veto_ceiling,
                       s.candidate_threshold, s.veto_override, names, scorer)
        candidates = tuple(
            Candidate(index.entities[j.alias.entity_id], j.probability, j.alias.text, j.reason)
            for j in judged[:limit]
            if j.probability >= s.list_threshold
        )
        return self._decide(index, mention, judged, candidates)

    def _one_exact(self, index: CandidateIndex, mention: str, name: NameKey, type: str | None) -> Resolution | None:
        """The answer when only the best candidate is wanted and the name is exactly an alias of
        some entity (of the type asked for), else None.

        An exact alias is always a candidate (the index puts exact names first, all of them while
        there are at most ``MAX_CANDIDATES``), is the only kind of candidate with probability 1.0,
        and beats every other: with one such entity the decision is that entity; with several it
        is ambiguous among them (their explanation names them alone), and the one candidate
        listed is the first by entity id.  So nothing else needs retrieving or judging.  Each
        entity's alias is the one the whole way would pick: the oldest of its exact aliases, which
        tie on everything else.  Batches (``resolver normalize``) ask for one candidate per value.
        """
        found = index.by_normalized.cached(name.normalized)
        if found is None:
            # with the flat skeleton's aliases in the same statement: retrieval reads them next
            # whenever the name is not an exact alias
            with index.session() as q:
                found, _ = read_exact(q, index.by_normalized, name.normalized, index.by_flat, coarse_flat(name.tokens))
        if not found or len(found) > MAX_CANDIDATES:
            return None
        first: dict[str, IndexedAlias] = {}
        for a in sorted(index.alias_rows(found), key=lambda a: a.alias_id):
            if type is None or index.entities[a.entity_id].type == type:
                first.setdefault(a.entity_id, a)
        if not first:
            return None
        tops = [Judged(first[e], 1.0, "exact name", 1.0) for e in sorted(first)]
        top = tops[0]
        if top.probability < self.settings.threshold_for(index.entities[top.alias.entity_id].type):
            return None
        candidates: tuple[Candidate, ...] = ()
        if top.probability >= self.settings.list_threshold:
            candidates = (Candidate(index.entities[top.alias.entity_id], 1.0, top.alias.text, top.reason),)
        return self._decide(index, mention, tops, candidates)

    def _decide(self, index: CandidateIndex, mention: str, ranked: Sequence[Judged],
                candidates: tuple[Candidate, ...]) -> Resolution:
        s = self.settings
        plausible = [j for j in ranked if j.probability >= s.candidate_threshold]
        if ranked and ranked[0].probability >= s.threshold_for(index.entities[ranked[0].alias.entity_id].type):
            top = ranked[0]
            runner_up = plausible[1].probability if len(plausible) > 1 else 0.0
            # An exact alias is the curator's word: it beats another entity's look-alike spelling
            # (Al-Alam vs Al Aalem) however close, but not another exact alias.
            exact = top.probability == 1.0 and runner_up < 1.0
            if exact or top.probability - runner_up >= s.margin:
                entity = index.entities[top.alias.entity_id]
                return Resolution(mention, MatchStatus.MATCHED, entity, top.probability, top.alias.text,
                                  f"alias {top.alias.text!r} ({top.reason})", candidates)
        if len(plausible) > 1:
            # Two entities or more with this very name (or acronym): they alone are the question.
            tied = [j for j in plausible if j.probability == 1.0]
            named, what = (tied, "have exactly this name") if len(tied) > 1 else (plausible, "are plausible")
            names = ", ".join(index.entities[j.alias.entity_id].name for j in named[:3])
            return Resolution(mention, MatchStatus.AMBIGUOUS, None, plausible[0].probability, None,
                              f"{len(named)} entities {what}: {names}", candidates)
        top_score = ranked[0].probability if ranked else 0.0
        why = "no alias is close enough" if ranked else "no candidate shares a token with the mention"
        return Resolution(mention, MatchStatus.UNRESOLVED, None, top_score, None, why, candidates)

    # --- running text ----------------------------------------------------------------------

    def annotate(self, text: str, *, deadline: float | None = None) -> list[Mention]:
        """Find and link every mention of a known entity in running text (see :mod:`resolver.annotate`).

        One annotator, with its cache of span readings, is kept per resolver.  With a ``deadline``
        (a ``time.monotonic()`` value) the work stops there with :class:`~resolver.errors.TooMuchWork`.
        """
        from resolver.annotate.annotator import Annotator  # the annotator builds on this class

        with self._lock:
            if self._annotator is None:
                self._annotator = Annotator(self)
            annotator = self._annotator
        return annotator.annotate(text, deadline=deadline)
