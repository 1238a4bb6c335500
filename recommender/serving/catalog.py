"""The index one process serves over the supplier profiles, and its lifecycle.

Profiles are read from the profile store; their database primary keys are the
index's document ids. The index lives in versioned directories
(:class:`recommender.versions.IndexStore`): a :class:`Catalog` serves the
promoted version, or the newest older valid one if that is damaged. When none
exists, or the profiles changed since it was built (a fingerprint of ids and
texts is kept in its ``version.json``), a new version is built and promoted
(:meth:`~recommender.versions.IndexStore.admit`, the same promote path as
``index rebuild``). Building runs in a background thread so the app answers
(with a clear "not ready" error) meanwhile. Once the index is served, a change
follower (:mod:`recommender.serving.follower`) keeps it up to date with every
profile edit and with versions other processes promote (docs/live-updates.md).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from ..matching import MatchModel, model_of
from ..recommend import SupplierRecommender
from ..requirements import parse_requirements
from ..store.models import SupplierProfile
from ..versions import IndexStore, IndexVersion, RebuildBusyError
from .follower import ChangeFollower, LiveTarget, apply_states
from .memory import fix_mmap_threshold
from .profiles import CatalogProfile, fingerprint, snapshot_profiles

log = logging.getLogger(__name__)

UNVERSIONED_STAMP = "catalog.sha256"
UNVERSIONED_PARTS = ("vectors", "lexical", "windows.json")
"""What earlier releases saved directly in INDEX_DIR (adopted as the first version)."""
LOCK_WAIT_S = 1800.0
"""How long a starting process waits for another process's build to finish."""


class Catalog:
    """Profiles plus their :class:`~recommender.search.HybridIndex`, per process."""

    def __init__(self, sessions: sessionmaker[Session], index_dir: str) -> None:
        self.sessions, self.index_dir = sessions, Path(index_dir)
        self.store = IndexStore(self.index_dir)
        self.index_version: IndexVersion | None = None
        self._encoder = None
        self.profiles: dict[int, CatalogProfile] = {}
        self.index = None
        self.recommender: SupplierRecommender | None = None
        self._match_model: tuple[str, MatchModel] | None = None
        self.version: str | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.applied_seq = 0
        """Profile-change sequence number the served index is known to include."""
        self.generation = 0
        """Counts the indexes served so far (a change follower restarts its cursor)."""
        self.indexed: dict[int, CatalogProfile] = {}
        """Profiles re-indexed live since the index was loaded, as applied."""
        self.follower: ChangeFollower | None = None
        """The change follower of this process, once started."""

    @property
    def match_model(self) -> MatchModel:
        """The match decision of the served version (else the shipped one)."""
        version = self.index_version
        key = version.version_id if version is not None else ""
        cached = self._match_model
        if cached is None or cached[0] != key:
            cached = self._match_model = key, model_of(
                version.match_model if version is not None else None)
        return cached[1]

    @property
    def ready(self) -> bool:
        return self.index is not None

    def start(self) -> None:
        """Load or build the index in a background thread (idempotent)."""
        with self._lock:
            if self._thread is None:
                fix_mmap_threshold()  # before the index's large temporaries are allocated
                self._thread = threading.Thread(target=self._load_or_build, daemon=True,
                                                name="ketnoi-index")
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        self.start()
        assert self._thread is not None
        self._thread.join(timeout)
        return self.ready

    def reload(self) -> None:
        """Serve the promoted version now (after a rebuild promoted one in this process).

        A start-up load still running in the background is waited for first, so the
        two do not race to install their index.
        """
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(LOCK_WAIT_S)
        self.load_or_build()

    def _load_or_build(self) -> None:
        try:
            self.load_or_build()
        except Exception as exc:  # shown to users as "search unavailable"
            log.exception("building the supplier index failed")
            self.error = str(exc)
            return
        self.follow()
        # the place and taxonomy lookups build their indexes on first use (~2 s): not in
        # the first buyer's search
        parse_requirements("KCN Tân Tạo")

    def follow(self, poll_s: float | None = None) -> ChangeFollower:
        """Start this process's change follower (idempotent; needs a loaded index)."""
        with self._lock:
            if self.follower is None:
                self.follower = ChangeFollower(self, poll_s).start()
            return self.follower

    def encoder(self, config):
        """The encoder, loaded once per process."""
        from ..embed.encoder import load_encoder

        if self._encoder is None:
            self._encoder = load_encoder(config)
        return self._encoder

    def load_or_build(self) -> None:
        """Serve the promoted index version, building and promoting one if needed."""
        from ..config import RetrievalConfig

        profiles, seq = snapshot_profiles(self.sessions)
        wanted = fingerprint(profiles)
        config = RetrievalConfig.from_env()
        encoder = self.encoder(config)
        loaded = self.store.load_current(encoder, config)
        deadline = time.monotonic() + LOCK_WAIT_S
        while self._needs_build(loaded, wanted, profiles):
            why = "no index version yet" if loaded is None else "the profiles changed"
            try:
                with self.store.rebuild_lock():
                    if loaded is None:
                        loaded = self._adopt_unversioned(encoder, config, wanted)
                        if loaded is not None:
                            continue
                    log.info("building the supplier index (%s)", why)
                    replaced = loaded[1] if loaded is not None else None
                    index, version = self.store.build(
                        encoder, [p.doc_id for p in profiles],
                        [p.search_text for p in profiles], wanted, config, change_seq=seq)
                    if replaced is not None and replaced.weights:
                        index = carry_weights(index, version, replaced)
                    if replaced is not None and replaced.match_model:
                        version.match_model = replaced.match_model  # until the next rebuild
                    self.store.admit(version, "start", f"promoted on start: {why}")
                    loaded = index, version
            except RebuildBusyError as exc:
                # another process (a second worker, `flask index rebuild`) is building
                if time.monotonic() > deadline:
                    if loaded is None:
                        raise
                    break
                log.info("waiting for the index build of another process: %s", exc)
                time.sleep(1.0)
                loaded = self.store.load_current(encoder, config)
        index, version = loaded
        log.info("serving supplier index version %s (%d profiles)", version.version_id,
                 version.profile_count)
        # an index matching the profiles holds every change up to the snapshot; another
        # (a rolled-back version) gets the changes since its build replayed by the follower
        if version.fingerprint != wanted and version.change_seq is not None:
            seq = version.change_seq
        if version.fingerprint != wanted:  # profiles deleted since (in memory only)
            gone = sorted(set(index.windows) - {p.doc_id for p in profiles})
            if gone:
                index.remove(gone)
        self.use(index, version, profiles, change_seq=seq)

    def _adopt_unversioned(self, encoder, config, wanted: str):
        """Turn an index saved by earlier releases straight into INDEX_DIR into version one.

        Earlier releases kept one index in INDEX_DIR itself with a ``catalog.sha256``
        stamp. If it is intact and matches the profiles it becomes the first version
        (no three-minute rebuild on upgrade); otherwise its files are removed.
        """
        from ..search import HybridIndex
        from ..versions import new_version_id

        root = self.index_dir
        stamp = root / UNVERSIONED_STAMP
        parts = [root / name for name in UNVERSIONED_PARTS]
        if not stamp.is_file() and not any(p.exists() for p in parts):
            return None
        adopted = None
        try:
            if stamp.read_text().strip() != wanted:
                raise ValueError("the profiles changed since it was built")
            index = HybridIndex.load(root, encoder, config)
            vid = new_version_id(wanted)
            target = self.store.versions_dir / vid
            target.mkdir(parents=True)
            for part in parts:
                os.replace(part, target / part.name)
            version = IndexVersion(
                version_id=vid, model_id=encoder.model_id, profile_count=len(index),
                fingerprint=wanted, built_at=datetime.fromtimestamp(
                    stamp.stat().st_mtime, UTC).isoformat(timespec="seconds"),
                duration_s=0.0, path=target)
            self.store.admit(version, "adopted",
                             "adopted from the unversioned index of an earlier release")
            adopted = index, version
            log.info("adopted the unversioned index in %s as version %s", root, vid)
        except Exception as exc:  # missing, stale or damaged: built afresh
            log.info("not reusing the unversioned index in %s (%s)", root, exc)
        for part in parts:
            if part.is_dir():
                shutil.rmtree(part, ignore_errors=True)
            else:
                part.unlink(missing_ok=True)
        stamp.unlink(missing_ok=True)
        return adopted

    def _needs_build(self, loaded, wanted: str, profiles: list[CatalogProfile]) -> bool:
        if loaded is None:
            return True
        index, version = loaded
        if version.fingerprint == wanted:
            return False
        # a version staff rolled back to is kept until they unpin it or force a rebuild;
        # edits since its build are replayed onto it, deleted profiles left out
        if self.store.pinned() and self.store.current() == version:
            log.warning("serving rolled-back index version %s although the profiles "
                        "changed since it was built", version.version_id)
            return False
        return True

    def use(self, index, version: IndexVersion, profiles: list[CatalogProfile], *,
            change_seq: int | None = None) -> None:
        """Serve ``index`` (a loaded ``version``) over ``profiles``.

        ``change_seq``: the profile-change sequence number the index includes (the
        change follower replays later ones); by default the version's own.
        """
        self.swap(index, version, {p.doc_id: p for p in profiles},
                  {p.doc_id: p.facts() for p in profiles},
                  {p.doc_id: p.search_text for p in profiles}, {},
                  version.change_seq or 0 if change_seq is None else change_seq)

    def live_target(self) -> LiveTarget:
        """The served index and the lookups results show for it, to update together."""
        rec = self.recommender
        return LiveTarget(self.index, self.profiles, rec.facts, rec.texts, self.indexed)

    def apply_saved(self, rows: SupplierProfile | Iterable[SupplierProfile]) -> int:
        """Re-index saved profile rows in this process at once; how many were applied.

        The one place a saved profile reaches the served index without waiting for
        the change follower (which applies the same rows in every other process).
        Does nothing while the index is not loaded yet: the build reads the saved rows.
        """
        rows = [rows] if isinstance(rows, SupplierProfile) else list(rows)
        if self.index is None or self.recommender is None or not rows:
            return 0
        states = {row.id: CatalogProfile.from_row(row) for row in rows}
        applied, _ = apply_states(self.live_target(), states, force=True)
        return applied

    def swap(self, index, version: IndexVersion, profiles: dict[int, CatalogProfile],
             facts: dict, texts: dict, indexed: dict[int, CatalogProfile],
             applied_seq: int) -> None:
        """Serve another index at once: a search uses the old one or the new one.

        The result lookup is assigned first and keeps the old profiles absent from the
        new one, so a search still ranking on the old index finds every hit.
        """
        lookup = {**self.profiles, **profiles} if self.profiles else profiles
        self.profiles = lookup
        previous = self.recommender
        self.recommender = SupplierRecommender(
            index, facts, texts, views=previous.views() if previous is not None else None)
        self.index = index
        self.version = version.version_id
        self.index_version = version
        self.indexed = indexed
        self.applied_seq = applied_seq
        self.generation += 1
        self.error = None


def carry_weights(index, version: IndexVersion, replaced: IndexVersion):
    """Keep the learned weights of the version a start-time build replaces.

    Profile edits make the app build a new version on start, without learning or a
    quality check; the weights ``index rebuild`` learned (and checked on the labelled
    queries) stay in use until the next rebuild instead of silently reverting.
    """
    version.weights = dict(replaced.weights)
    version.learning = {"carried_from": replaced.version_id,
                        "reason": f"weights learned for version {replaced.version_id} kept "
                                  f"by a build on start"}
    return index.with_config(index.config.with_weights(version.weights))
