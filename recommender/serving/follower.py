"""Profile changes reach the index of every serving process, without a rebuild.

The request that saves a profile applies it to its own process's index at once
(:meth:`recommender.serving.catalog.Catalog.apply_saved`). Every other process (another web worker,
another host sharing the database) learns of it from the profile change log
(:mod:`recommender.store.changes`): a :class:`ChangeFollower` thread per
process polls the log every ``KETNOI_CHANGE_POLL_S`` seconds (default 0.5),
re-reads the profiles named there and re-indexes or removes them. The row it
reads is the truth, so applying a change twice or late is harmless.

The same thread notices when another process promotes a new index version
(``INDEX_DIR/CURRENT`` changed): it loads that version in the background,
replays onto it every change logged after the version's ``change_seq`` (edits
made while it was being built), catches up once more while holding the live
lock, and swaps it in. Searches use either the old or the new index, never
half of one. The promoted version on disk is never modified.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ..search import HybridIndex
from ..store.changes import ChangeCursor
from ..store.models import SupplierProfile
from ..versions import IndexStore, IndexVersion
from .profiles import CatalogProfile, read_profiles

log = logging.getLogger(__name__)

_lock = threading.Lock()
"""One live change at a time, so the index and the lookup dicts agree."""

DEFAULT_POLL_S = 0.5
BATCH = 256
"""Profiles re-indexed per index call (one encoder batch; the live lock is held per batch)."""


def poll_interval() -> float:
    """``KETNOI_CHANGE_POLL_S``: seconds between looks at the change log (0 turns it off)."""
    raw = os.environ.get("KETNOI_CHANGE_POLL_S", "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_POLL_S
    except ValueError:
        raise ValueError(f"KETNOI_CHANGE_POLL_S must be a number of seconds, not {raw!r}"
                         ) from None
    if value < 0:
        raise ValueError("KETNOI_CHANGE_POLL_S must be 0 (off) or more")
    return value


class Followed(Protocol):
    """What a follower reads and calls on the catalog it keeps up to date: a
    :class:`recommender.serving.catalog.Catalog` (a protocol, so neither module
    imports the other back)."""

    sessions: sessionmaker[Session]
    store: IndexStore
    index: HybridIndex | None
    version: str | None
    generation: int
    applied_seq: int

    def encoder(self, config: Any) -> Any: ...

    def live_target(self) -> LiveTarget: ...

    def swap(self, index: HybridIndex, version: IndexVersion,
             profiles: dict[int, CatalogProfile], facts: dict, texts: dict,
             indexed: dict[int, CatalogProfile], applied_seq: int) -> None: ...


def read_changed(sessions, profile_ids: Iterable[int]) -> dict[int, CatalogProfile | None]:
    """The stored state of each profile: its fields, or None if it was deleted."""
    wanted = sorted(set(profile_ids))
    found: dict[int, CatalogProfile | None] = dict.fromkeys(wanted)
    with sessions() as session:
        for start in range(0, len(wanted), 500):
            rows = session.scalars(
                select(SupplierProfile).where(SupplierProfile.id.in_(wanted[start:start + 500]))
                .options(selectinload(SupplierProfile.certifications)))
            for row in rows:
                found[row.id] = CatalogProfile.from_row(row)
    return found


@dataclass
class LiveTarget:
    """An index and the lookups results show for it, updated together."""

    index: HybridIndex
    profiles: dict[int, CatalogProfile]
    facts: dict
    texts: dict
    indexed: dict[int, CatalogProfile] = field(default_factory=dict)
    """The profiles as last applied to ``index`` here (to skip a change applied twice)."""


def apply_states(target: LiveTarget, states: dict[int, CatalogProfile | None], *,
                 locked: bool = False, force: bool = False) -> tuple[int, int]:
    """Bring ``target`` to the stored ``states``: re-index or remove each profile.

    Profiles already applied with the same fields are skipped unless ``force``.
    The live lock is taken per batch unless ``locked`` (the caller holds it).
    Returns (re-indexed, removed).
    """
    upserts = [p for pid, p in states.items() if p is not None
               and (force or target.indexed.get(pid) != p or pid not in target.index.windows)]
    removals = [pid for pid, p in states.items() if p is None and pid in target.index.windows]
    for start in range(0, len(upserts), BATCH):
        batch = upserts[start:start + BATCH]
        with _nullcontext() if locked else _lock:
            target.index.upsert([p.doc_id for p in batch], [p.search_text for p in batch])
            for p in batch:
                target.profiles[p.doc_id] = p
                target.facts[p.doc_id] = p.facts()
                target.texts[p.doc_id] = p.search_text
                target.indexed[p.doc_id] = p
    if removals:
        with _nullcontext() if locked else _lock:
            present = [pid for pid in removals if pid in target.index.windows]
            if present:
                target.index.remove(present)
            for pid in present:
                # kept in `profiles`: a search already holding the hit can still show it
                target.indexed.pop(pid, None)
    return len(upserts), len(removals)


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@dataclass
class _Prepared:
    """A newly promoted version loaded and caught up in the background, ready to swap in."""

    index: object
    version: object
    target: LiveTarget
    cursor: ChangeCursor


class ChangeFollower:
    """The per-process thread that keeps the served index up to date (see module doc)."""

    def __init__(self, catalog: Followed, poll_s: float | None = None) -> None:
        self.catalog = catalog
        self.poll_s = poll_interval() if poll_s is None else poll_s
        self.cursor = ChangeCursor(seq=catalog.applied_seq)
        self.generation = catalog.generation
        self.retry: set[int] = set()
        self.applied = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pointer_stat: tuple | None = None
        self._loading: str | None = None
        self._failed: set[str] = set()
        self._prepared: _Prepared | None = None

    # -- thread ---------------------------------------------------------------
    def start(self) -> ChangeFollower:
        if self._thread is None and self.poll_s > 0:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="ketnoi-change-follower")
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.tick()
                self.last_error = None
            except Exception as exc:  # the database away for a moment: try again
                if str(exc) != self.last_error:
                    log.exception("following profile changes failed; retrying")
                self.last_error = str(exc)
                self._stop.wait(min(5.0, 4 * self.poll_s))

    # -- one round ------------------------------------------------------------
    def tick(self) -> int:
        """Apply logged changes not seen yet and swap in a newly promoted version.

        Returns how many profiles were re-indexed or removed.
        """
        catalog = self.catalog
        if catalog.index is None:
            return 0
        if catalog.generation != self.generation:  # reloaded by load_or_build
            self.cursor = ChangeCursor(seq=catalog.applied_seq)
            self.generation = catalog.generation
            self._prepared = None
        self._watch_versions()
        if self._prepared is not None:
            self._swap(self._prepared)
            self._prepared = None
        done = 0
        while True:
            with catalog.sessions() as session:
                rows = self.cursor.poll(session, limit=1000)
            ids = {r.profile_id for r in rows} | self.retry
            if not ids:
                return done
            try:
                up, gone = apply_states(catalog.live_target(),
                                        read_changed(catalog.sessions, ids))
            except Exception:
                self.retry = ids  # the cursor moved on: remember what is owed
                raise
            self.retry = set()
            done += up + gone
            self.applied += up + gone
            catalog.applied_seq = self.cursor.seq
            if len(rows) < 1000:
                return done

    def _watch_versions(self) -> None:
        """Start loading the promoted version if it is not the one served (cheap: a stat)."""
        store = self.catalog.store
        try:
            st = (store.root / "CURRENT").stat()
            stat = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return
        if stat == self._pointer_stat:
            return
        vid = store._pointer()["version"]
        if not vid or vid == self.catalog.version or vid in self._failed:
            self._pointer_stat = stat
            return
        if self._loading is None and self._prepared is None:
            self._pointer_stat = stat
            self._loading = vid
            threading.Thread(target=self._prepare, args=(vid, self.generation), daemon=True,
                             name="ketnoi-version-loader").start()

    def _prepare(self, vid: str, generation: int) -> None:
        """Load version ``vid`` and replay the changes logged since it was built."""
        from ..config import RetrievalConfig

        catalog = self.catalog
        try:
            config = RetrievalConfig.from_env()
            version = catalog.store.get(vid)
            index = catalog.store.load(version, catalog.encoder(config), config)
            cursor = ChangeCursor(seq=version.change_seq or 0)
            while True:  # the bulk of the replay, without any lock
                with catalog.sessions() as session:
                    rows = cursor.poll(session, limit=5000)
                states = read_changed(catalog.sessions, {r.profile_id for r in rows})
                bare = LiveTarget(index, {}, {}, {})
                apply_states(bare, states, locked=True, force=True)
                if len(rows) < 5000:
                    break
            profiles = read_profiles(catalog.sessions)
            target = LiveTarget(index, {p.doc_id: p for p in profiles},
                                {p.doc_id: p.facts() for p in profiles},
                                {p.doc_id: p.search_text for p in profiles})
            # profiles read after the replay may be newer than the index: the swap's
            # catch-up replays changes after `cursor` with force
            if generation == catalog.generation:
                self._prepared = _Prepared(index, version, target, cursor)
            log.info("loaded promoted index version %s; %d changes replayed since its build",
                     vid, max(cursor.seq - (version.change_seq or 0), 0))
        except Exception as exc:
            log.error("cannot serve promoted index version %s: %s", vid, exc)
            catalog.store._record_error(vid, f"not swapped in: {exc}")
            self._failed.add(vid)
        finally:
            self._loading = None

    def _swap(self, prepared: _Prepared) -> None:
        """Catch the prepared index up under the live lock and serve it."""
        catalog = self.catalog
        with _lock:
            while True:
                with catalog.sessions() as session:
                    rows = prepared.cursor.poll(session, limit=1000)
                states = read_changed(catalog.sessions, {r.profile_id for r in rows})
                apply_states(prepared.target, states, locked=True, force=True)
                if len(rows) < 1000:
                    break
            catalog.swap(prepared.index, prepared.version, prepared.target.profiles,
                         prepared.target.facts, prepared.target.texts,
                         prepared.target.indexed, prepared.cursor.seq)
        self.cursor = prepared.cursor
        self.generation = catalog.generation
        log.info("now serving index version %s (promoted by another process)",
                 prepared.version.version_id)


def wait_until(condition, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass (for tests, tools)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
