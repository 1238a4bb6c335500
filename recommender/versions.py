"""Versioned index directories: build beside the serving index, promote atomically.

An :class:`IndexStore` keeps every built index in its own directory,
``ROOT/versions/<version-id>/``, with a ``version.json`` describing it (model,
profile count and fingerprint, build time, metrics, status). ``ROOT/CURRENT``
names the version to serve and the versions promoted before it; it is replaced
in one ``os.replace`` (temporary file, fsync, rename), so a reader sees either
the old or the new version, never half of one.

A directory without a ``version.json`` whose status is ``ready`` is a build
that never finished (a crash, ``kill -9``): it is never served and the next
build removes it. A finished version records in ``admitted`` why it may be
served: it passed the quality gate, was promoted by ``--force``, was built by
the app on start, or adopted from an earlier release. Only such versions are
fallen back to or rolled back to; a finished version that was never gated nor
promoted (a rebuild stopped during its evaluation) is removed by the next build.
A rollback also refuses a version that failed to load or fails verification.

A rollback *pins* the version staff chose: a rebuild that is not forced builds
and evaluates a new version but does not promote it until staff unpin
(:meth:`IndexStore.unpin`). Only one build runs at a time (:meth:`IndexStore.rebuild_lock`,
a lock file created with ``O_EXCL``; a lock whose process is gone is taken over).

:func:`rebuild` adds a quality gate: the new version is evaluated and promoted
only if its nDCG@10 did not fall more than a tolerance below the serving one's.
It can also learn the ranking weights from buyers' use (:mod:`recommender.learn`):
learned weights are kept in the version (``weights``, with the evidence in
``learning``) only if the labelled queries do not score worse with them, and a
loaded version is searched with its own weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import RetrievalConfig
from .embed.encoder import Encoder, Progress
from .faults import pause_point
from .search import HybridIndex

log = logging.getLogger(__name__)

VERSION_FILE = "version.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "rebuild.lock"
ERRORS_FILE = "load_errors.jsonl"
READY = "ready"
GATE_METRIC = "nDCG@10"
STALE_EMPTY_LOCK_S = 60.0
DEFAULT_TOLERANCE = 1.0
"""Points of nDCG@10 a rebuilt index may lose and still be promoted."""


class RebuildBusyError(RuntimeError):
    """Another build holds the rebuild lock."""


class VersionNotFoundError(LookupError):
    """No ready version with that id."""


class RebuildFailedError(RuntimeError):
    """A rebuild could not write its version (a full disk, say); nothing was promoted."""


class UnsafeVersionError(ValueError):
    """Staff asked to serve a version that is damaged or was never checked; says why."""


ADMISSIONS = ("gate", "force", "start", "adopted")
"""Why a version may be served: it passed the quality gate, was promoted by ``--force``
over it, was built and promoted by the app on start (no labelled check), or is the
adopted index of an earlier release."""


def _admitted_from_gate(gate: str | None) -> str | None:
    """``admitted`` of a ``version.json`` written before the field existed."""
    gate = gate or ""
    if gate.startswith("promoted by force"):
        return "force"
    if gate.startswith("promoted on start"):
        return "start"
    if gate.startswith("adopted"):
        return "adopted"
    return "gate" if gate.startswith("promoted") else None


@dataclass
class IndexVersion:
    """What one saved index holds and how it came to be."""

    version_id: str
    model_id: str
    profile_count: int
    fingerprint: str
    built_at: str
    duration_s: float
    status: str = READY
    metrics: dict[str, float] | None = None
    gate: str | None = None
    """Why the quality gate promoted or refused this version, once it ran."""
    admitted: str | None = None
    """One of :data:`ADMISSIONS` once the version may be served; None while it was never
    checked, or when the quality gate refused it."""
    change_seq: int | None = None
    """The last profile-change sequence number (``profile_change.id``) read before the
    profiles were read for this build: serving processes replay later changes onto it."""
    weights: dict[str, float] | None = None
    """Ranking weights learned from use that this version is searched with (None: the
    configured ones); see :meth:`RetrievalConfig.with_weights`."""
    learning: dict[str, Any] | None = None
    """What learning from use found and decided (queries, held-apart metrics, reasons)."""
    match_model: dict[str, Any] | None = None
    """The match decision fitted for this version on its labelled queries and the
    interaction log, with its calibration (:func:`recommender.matching.fit_for_index`);
    ``{"not_fitted": reason}`` or None: the shipped decision serves it."""
    encoder_backend: str | None = None
    """The inference runtime that encoded the profiles (``encoder.backend``, e.g.
    ``onnx-fp32``); informative: runtimes equal to torch within tolerance share the
    ``model_id``, so any of them may serve the version (:mod:`recommender.embed.runtime`)."""
    path: Path = field(default=Path("."), compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["path"]
        return data

    @classmethod
    def read(cls, directory: Path) -> IndexVersion | None:
        """The version in ``directory``, or None if it is not a finished build."""
        try:
            data = json.loads((directory / VERSION_FILE).read_text(encoding="utf-8"))
            if "admitted" not in data:
                data["admitted"] = _admitted_from_gate(data.get("gate"))
            version = cls(**{k: v for k, v in data.items() if k in _FIELDS}, path=directory)
        except (OSError, ValueError, TypeError):
            return None
        if version.status != READY or version.version_id != directory.name:
            return None
        return version

    @property
    def checked(self) -> bool:
        """Whether the quality gate (or a promotion) has decided about this version."""
        return self.admitted is not None or self.gate is not None


_FIELDS = {f for f in IndexVersion.__dataclass_fields__ if f != "path"}


@dataclass(frozen=True)
class RebuildResult:
    """The outcome of :func:`rebuild`."""

    version: IndexVersion
    promoted: bool
    message: str


def new_version_id(fingerprint: str = "") -> str:
    """A UTC timestamp (sorts by build time) and a short hash that keeps ids unique."""
    now = datetime.now(UTC)
    salt = f"{fingerprint}{now.isoformat()}{os.getpid()}{time.perf_counter_ns()}"
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + hashlib.sha256(salt.encode()).hexdigest()[:8]


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class IndexStore:
    """The index versions under one root directory and which one is served."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / "versions"
        self.serving: IndexVersion | None = None
        """The version :meth:`load_current` last returned (may differ from CURRENT)."""

    # -- reading ------------------------------------------------------------
    def list(self) -> list[IndexVersion]:
        """Every finished version, oldest first."""
        if not self.versions_dir.is_dir():
            return []
        found = (IndexVersion.read(d) for d in sorted(self.versions_dir.iterdir()) if d.is_dir())
        return [v for v in found if v is not None]

    def get(self, version_id: str) -> IndexVersion:
        safe = bool(version_id) and "/" not in version_id and not version_id.startswith(".")
        version = IndexVersion.read(self.versions_dir / version_id) if safe else None
        if version is None:
            raise VersionNotFoundError(f"no ready index version {version_id!r} in "
                                       f"{self.versions_dir}; see `index list`")
        return version

    def _pointer(self) -> dict[str, Any]:
        try:
            data = json.loads((self.root / CURRENT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"version": None, "history": [], "pinned": False}
        return {"version": data.get("version"), "history": list(data.get("history", [])),
                "pinned": bool(data.get("pinned", False))}

    def _write_pointer(self, version_id: str, history: list[str], pinned: bool) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.root / CURRENT_FILE, json.dumps(
            {"version": version_id, "history": history[:50], "pinned": pinned,
             "promoted_at": datetime.now(UTC).isoformat(timespec="seconds")}) + "\n")

    def pinned(self) -> bool:
        """Whether staff chose the current version by a rollback.

        A pinned version is kept even if profiles changed, and a rebuild that is not
        forced does not replace it, until staff :meth:`unpin` it.
        """
        return self._pointer()["pinned"]

    def was_promoted(self, version_id: str) -> bool:
        """Whether CURRENT names ``version_id`` or did before (its promotion completed)."""
        pointer = self._pointer()
        return version_id == pointer["version"] or version_id in pointer["history"]

    def rebuild_holder(self) -> dict[str, Any] | None:
        """Who holds the rebuild lock (pid, host, started_at), or None.

        ``alive`` is added for a holder on this host: False for a lock left by a
        process that is gone (killed), which the next build takes over.
        """
        path = self.root / LOCK_FILE
        if not path.exists():
            return None
        holder = self._lock_holder(path)
        pid = holder.get("pid")
        if isinstance(pid, int) and holder.get("host") == socket.gethostname():
            holder["alive"] = _pid_alive(pid)
        return holder

    def current(self) -> IndexVersion | None:
        """The promoted version named by CURRENT (even if its files are damaged)."""
        vid = self._pointer()["version"]
        return IndexVersion.read(self.versions_dir / vid) if vid else None

    def previous(self) -> IndexVersion | None:
        """The version promoted before the current one that still exists."""
        for vid in self._pointer()["history"]:
            version = IndexVersion.read(self.versions_dir / vid)
            if version is not None:
                return version
        return None

    def incomplete(self) -> list[Path]:
        """Directories of builds that never finished."""
        if not self.versions_dir.is_dir():
            return []
        return [d for d in sorted(self.versions_dir.iterdir())
                if d.is_dir() and IndexVersion.read(d) is None]

    def unchecked(self) -> list[IndexVersion]:
        """Finished versions never gated nor promoted: left by a rebuild stopped during
        its evaluation (or the one a running rebuild is evaluating now)."""
        pointer = self._pointer()
        served = {pointer["version"], *pointer["history"]}
        return [v for v in self.list() if not v.checked and v.version_id not in served]

    def load_errors(self, limit: int | None = 5,
                    version_id: str | None = None) -> list[dict[str, str]]:
        """The latest failures to load a version (of ``version_id`` only if given), newest last."""
        try:
            lines = (self.root / ERRORS_FILE).read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        errors = [json.loads(line) for line in lines if line.strip()]
        if version_id is not None:
            errors = [e for e in errors if e.get("version") == version_id]
        return errors[-limit:] if limit else errors

    def unsafe_reason(self, version: IndexVersion, *, force: bool = False) -> str | None:
        """Why staff may not serve ``version``, or None.

        A version that failed to load (here or in a serving process) or was never
        checked is refused always; one the quality gate refused only without ``force``.
        """
        errors = self.load_errors(1, version.version_id)
        if errors:
            return (f"it failed to load on {errors[-1]['at']} ({errors[-1]['error']}); "
                    f"see `index status`")
        if not version.checked:
            return ("it was never checked by the quality gate (a rebuild stopped before "
                    "finishing its evaluation, or one is evaluating it now)")
        if version.admitted is None and not force:
            return (f"the quality check refused it ({version.gate}); use --force to serve "
                    f"it anyway")
        return None

    # -- promotion ----------------------------------------------------------
    def promote(self, version: IndexVersion | str, *, pinned: bool = False) -> IndexVersion:
        """Make ``version`` the one served, remembering the one it replaces.

        ``pinned`` marks a choice made by staff (a rollback), which the web app
        keeps serving after profile edits and rebuilds do not replace unless forced.
        """
        version = self.get(version if isinstance(version, str) else version.version_id)
        pointer = self._pointer()
        history = [v for v in pointer["history"] if v != version.version_id]
        if pointer["version"] and pointer["version"] != version.version_id:
            history.insert(0, pointer["version"])
        self._write_pointer(version.version_id, history, pinned)
        log.info("promoted index version %s", version.version_id)
        return version

    def admit(self, version: IndexVersion, admitted: str, gate: str) -> IndexVersion:
        """Record why a newly built ``version`` may be served, then promote it.

        The one way a new version becomes the served one: ``index rebuild`` after its
        quality gate (``admitted`` ``gate`` or ``force``), the app's build on start
        (``start``) and the adoption of an earlier release's index (``adopted``).
        ``gate`` is the decision in words, kept in ``version.json``.
        """
        if admitted not in ADMISSIONS:
            raise ValueError(f"admitted must be one of {', '.join(ADMISSIONS)}, "
                             f"not {admitted!r}")
        version.admitted, version.gate = admitted, gate
        self.write(version)
        pause_point("unpromoted")  # crash tests: written, evaluated, not yet promoted
        self.promote(version)
        pause_point("promoted")  # crash tests: promoted, the run not yet recorded
        return version

    def rollback(self, version: str | None = None, *, force: bool = False,
                 encoder: Encoder | None = None,
                 config: RetrievalConfig | None = None) -> IndexVersion:
        """Serve ``version``, or by default the version promoted before the current one.

        The version is pinned (see :meth:`pinned`). Given ``encoder``, its files are
        verified by loading it first. ``force`` serves a version the quality gate
        refused (recorded in its ``version.json``).

        Raises:
            VersionNotFoundError: no such finished version, or nothing to go back to.
            UnsafeVersionError: the version failed to load, fails verification or was
                never checked (or was refused by the gate, without ``force``).
        """
        if version is None:
            target = self.previous()
            if target is None:
                raise VersionNotFoundError("no earlier promoted version to roll back to")
        else:
            target = self.get(version)
        why = self.unsafe_reason(target, force=force)
        if why is None and encoder is not None:
            try:
                self.load(target, encoder, config)
            except Exception as exc:  # damaged, truncated or from another model
                self._record_error(target.version_id, f"failed verification: {exc}")
                why = f"its files failed verification ({exc})"
        if why is not None:
            raise UnsafeVersionError(f"will not serve index version {target.version_id}: {why}")
        if target.admitted is None:  # refused by the gate, forced by staff
            target.admitted = "force"
            target.gate = f"promoted by force by a rollback (the quality check had {target.gate})"
            self.write(target)
        if version is not None:
            return self.promote(target, pinned=True)
        # going back drops the abandoned version from the history
        history = [v for v in self._pointer()["history"] if v != target.version_id]
        self._write_pointer(target.version_id, history, True)
        log.info("rolled back to index version %s", target.version_id)
        return target

    def unpin(self) -> IndexVersion | None:
        """Let rebuilds replace the version staff rolled back to; it, or None if none was pinned."""
        pointer = self._pointer()
        if not pointer["pinned"] or not pointer["version"]:
            return None
        self._write_pointer(pointer["version"], pointer["history"], False)
        log.info("unpinned index version %s", pointer["version"])
        return self.current()

    def prune(self, keep: int = 3) -> list[str]:
        """Delete all but the ``keep`` newest versions; never the current or previous one."""
        if keep < 0:
            raise ValueError("keep must be 0 or more")
        versions = self.list()
        protected = {v.version_id for v in versions[len(versions) - keep:]} if keep else set()
        for v in (self.current(), self.previous()):
            if v is not None:
                protected.add(v.version_id)
        removed = []
        for v in versions:
            if v.version_id not in protected:
                shutil.rmtree(v.path, ignore_errors=True)
                removed.append(v.version_id)
        return removed

    # -- building -----------------------------------------------------------
    @contextmanager
    def rebuild_lock(self) -> Iterator[None]:
        """Hold the one-build-at-a-time lock, or raise :class:`RebuildBusyError`.

        A lock file made with ``O_CREAT | O_EXCL`` (works the same on SQLite and
        PostgreSQL deployments, for builds on this machine); a lock left by a
        process that no longer runs is taken over.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                break
            except FileExistsError:
                holder = self._lock_holder(path)
                pid = holder.get("pid")
                same_host = holder.get("host") == socket.gethostname()
                dead = isinstance(pid, int) and same_host and not _pid_alive(pid)
                # a lock file left empty by a crash right after it was created
                unreadable = not holder and time.time() - _mtime(path) > STALE_EMPTY_LOCK_S
                if dead or unreadable:
                    log.warning("removing a stale rebuild lock of process %s", pid)
                    path.unlink(missing_ok=True)
                    continue
                raise RebuildBusyError(
                    f"another index build is running (process {pid} on "
                    f"{holder.get('host', '?')}, since {holder.get('started_at', '?')}); "
                    f"wait for it to finish, or delete {path} if that process is gone"
                ) from None
        else:
            raise RebuildBusyError(f"could not take the rebuild lock {path}")
        with os.fdopen(fd, "w") as fh:
            json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                       "started_at": datetime.now(UTC).isoformat(timespec="seconds")}, fh)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)

    @staticmethod
    def _lock_holder(path: Path) -> dict[str, Any]:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {}

    def clean_incomplete(self) -> list[str]:
        """Remove half-built directories and unchecked versions (:meth:`unchecked`) left
        by stopped rebuilds; call only while holding the rebuild lock."""
        removed = []
        for d in self.incomplete():
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.name)
            log.info("removed unfinished index build %s", d.name)
        for v in self.unchecked():
            shutil.rmtree(v.path, ignore_errors=True)
            removed.append(v.version_id)
            log.info("removed index version %s, never checked by the quality gate",
                     v.version_id)
        return removed

    def build(
        self,
        encoder: Encoder,
        ids: Sequence[int],
        texts: Sequence[str],
        fingerprint: str,
        config: RetrievalConfig | None = None,
        *,
        show_progress: bool | None = None,
        change_seq: int | None = None,
        progress: Progress | None = None,
    ) -> tuple[HybridIndex, IndexVersion]:
        """Build and save a new (not yet promoted) version; call under the rebuild lock.

        ``progress(stage, done, total)`` hears the ``embedding`` and ``indexing`` stages
        (see :meth:`HybridIndex.build`); the saved version counts as indexing done.
        """
        self.clean_incomplete()
        started = time.perf_counter()
        vid = new_version_id(fingerprint)
        directory = self.versions_dir / vid
        directory.mkdir(parents=True)
        try:
            index = HybridIndex.build(encoder, ids, texts, config, show_progress=show_progress,
                                      progress=progress)
            index.save(directory)
            version = IndexVersion(
                version_id=vid, model_id=encoder.model_id, profile_count=len(ids),
                fingerprint=fingerprint, encoder_backend=encoder.backend,
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                duration_s=round(time.perf_counter() - started, 3), change_seq=change_seq,
                path=directory)
            self.write(version)  # last: only now is the directory a finished version
        except BaseException as exc:
            # a full disk, a bad text: leave no half-written directory behind (a kill -9
            # cannot get here; the next build removes what it left)
            shutil.rmtree(directory, ignore_errors=True)
            log.error("index build %s failed and was removed: %s", vid, exc)
            raise
        log.info("built index version %s: %d profiles in %.1f s", vid, len(ids),
                 version.duration_s)
        return index, version

    def write(self, version: IndexVersion) -> None:
        """Save ``version.json`` atomically (after evaluation, or to record the gate)."""
        _write_atomic(version.path / VERSION_FILE,
                      json.dumps(version.to_dict(), indent=2, ensure_ascii=False) + "\n")

    def load(self, version: IndexVersion, encoder: Encoder,
             config: RetrievalConfig | None = None) -> HybridIndex:
        """Load one version, verifying its checksums; it is searched with its own weights."""
        if version.model_id != encoder.model_id:
            raise ValueError(f"index version {version.version_id} was built with "
                             f"{version.model_id!r}, not {encoder.model_id!r}")
        config = (config or RetrievalConfig.from_env()).with_weights(version.weights)
        return HybridIndex.load(version.path, encoder, config)

    def load_current(
        self, encoder: Encoder, config: RetrievalConfig | None = None
    ) -> tuple[HybridIndex, IndexVersion] | None:
        """The served index: CURRENT, or if it is damaged the newest older valid version
        that passed the quality gate or was promoted (see ``IndexVersion.admitted``).

        A version that fails to load is logged and recorded (see :meth:`load_errors`)
        so staff see it in ``index status``; CURRENT is left as it was. Returns None
        when no version exists or none loads.
        """
        current = self.current()
        vid = self._pointer()["version"]
        candidates = [] if current is None else [current]
        if vid and current is None:
            self._record_error(vid, "CURRENT names a version that is missing or unfinished")
        # only versions that passed the gate or were promoted: never a rebuild's leftover
        older = [v for v in reversed(self.list()) if v.admitted is not None
                 and (vid is None or v.version_id < vid)]
        for version in [*candidates, *older]:
            try:
                index = self.load(version, encoder, config)
            except Exception as exc:  # damaged, truncated or from another model
                log.error("index version %s cannot be loaded: %s", version.version_id, exc)
                self._record_error(version.version_id, str(exc))
                continue
            if vid and version.version_id != vid:
                log.warning("serving index version %s instead of %s", version.version_id, vid)
            self.serving = version
            return index, version
        self.serving = None
        return None

    def _record_error(self, version_id: str, error: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ERRORS_FILE, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"at": datetime.now(UTC).isoformat(timespec="seconds"),
                                 "version": version_id, "error": error},
                                ensure_ascii=False) + "\n")


Evaluator = Callable[[HybridIndex], Mapping[str, float]]
Learner = Callable[[HybridIndex], Any]
"""Returns a :class:`recommender.learn.LearningOutcome` for the index just built."""
DecisionFitter = Callable[[HybridIndex], dict[str, Any]]
"""Fits the match decision on the index to be served (see ``IndexVersion.match_model``)."""


def gate_decision(
    new: Mapping[str, float] | None, old: Mapping[str, float] | None, tolerance: float
) -> tuple[bool, str]:
    """Whether a version with metrics ``new`` may replace one with ``old``, and why."""
    if new is None:
        return True, "not evaluated"
    if old is None or GATE_METRIC not in old:
        return True, "no earlier metrics to compare with"
    drop = old[GATE_METRIC] - new[GATE_METRIC]
    text = f"{GATE_METRIC} {old[GATE_METRIC]:.2f} -> {new[GATE_METRIC]:.2f}"
    if drop > tolerance:
        return False, (f"{GATE_METRIC} fell by {drop:.2f} points ({text}), more than the "
                       f"tolerance of {tolerance:.2f}")
    return True, f"{text} (tolerance {tolerance:.2f})"


def rebuild(
    store: IndexStore,
    encoder: Encoder,
    ids: Sequence[int],
    texts: Sequence[str],
    fingerprint: str,
    config: RetrievalConfig | None = None,
    *,
    evaluate: Evaluator | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    force: bool = False,
    show_progress: bool | None = None,
    change_seq: int | None = None,
    progress: Progress | None = None,
    learn: Learner | None = None,
    built: Callable[[IndexVersion], None] | None = None,
    fit_decision: DecisionFitter | None = None,
) -> RebuildResult:
    """Build a new version, evaluate it, and promote it if it is not worse.

    The serving version's stored metrics are the baseline (it is evaluated now
    if it has none). ``force`` promotes whatever the metrics say. ``progress`` is
    passed to :meth:`IndexStore.build`; ``built(version)`` hears the new version's
    id as soon as it is written, before it is evaluated.

    When staff pinned the current version (a rollback), a version that passes the
    gate is kept but not promoted, unless ``force``; the message says so.

    ``learn`` tunes the ranking weights on the new index from buyers' use; weights it
    accepts are evaluated on the labelled queries too and kept only if nDCG@10 there
    is not lower than with the configured weights (the gate then compares the
    learned ranking). The evidence and the decision go into ``version.learning``.

    ``fit_decision`` then fits the match decision on the index as it will be searched
    (learned weights included) and records it, with its calibration, in the version.

    Raises:
        RebuildBusyError: another build is running.
        RebuildFailedError: the version could not be written (its directory is removed).
    """
    if tolerance < 0:
        raise ValueError("tolerance must be 0 or more points")
    with store.rebuild_lock():
        serving = store.current()
        try:
            index, version = store.build(encoder, ids, texts, fingerprint, config,
                                         show_progress=show_progress, change_seq=change_seq,
                                         progress=progress)
        except OSError as exc:
            raise RebuildFailedError(
                f"could not write the new index version ({exc}); nothing was promoted, "
                f"still serving {serving.version_id if serving else 'nothing'}, and the "
                f"unfinished directory was removed") from exc
        if built is not None:
            built(version)
        baseline = store.current()
        outcome = None
        if learn is not None:
            try:
                outcome = learn(index)
                version.learning = outcome.to_dict()
            except Exception as exc:  # the interaction log unreadable, say: build anyway
                log.exception("learning from use failed; the configured weights are used")
                version.learning = {"reason": f"learning failed, the configured weights are "
                                              f"used: {exc}"}
        if evaluate is not None:
            version.metrics = dict(evaluate(index))
        if outcome is not None and outcome.accepted:
            index = _use_learned(index, version, outcome.weights, evaluate)
        if fit_decision is not None:
            version.match_model = fit_decision(index)
        if evaluate is not None:
            if baseline is not None and baseline.metrics is None:
                try:
                    baseline.metrics = dict(evaluate(store.load(baseline, encoder, config)))
                    store.write(baseline)
                except Exception as exc:  # a damaged baseline cannot block a rebuild
                    log.warning("could not evaluate serving version %s: %s",
                                baseline.version_id, exc)
        ok, why = gate_decision(version.metrics,
                                baseline.metrics if baseline is not None else None, tolerance)
        if ok and not force and baseline is not None and store.pinned():
            version.gate, version.admitted = f"passed, not promoted (pinned): {why}", "gate"
            store.write(version)
            return RebuildResult(version, False, (
                f"not promoted {version.version_id} (it passed the quality check: {why}): "
                f"skipped promotion because staff pinned {baseline.version_id} by a "
                f"rollback; run `index unpin` to let rebuilds replace it, or rebuild with "
                f"--force"))
        if ok or force:
            store.admit(version, "gate" if ok else "force",
                        "promoted" + (" by force" if not ok else "") + f": {why}")
            return RebuildResult(version, True, f"promoted {version.version_id}: {why}")
        version.gate = f"refused: {why}"
        store.write(version)
        return RebuildResult(version, False, (
            f"not promoted {version.version_id}: {why}; still serving "
            f"{baseline.version_id if baseline else 'nothing'} (use --force to promote anyway)"))


def _use_learned(index: HybridIndex, version: IndexVersion, weights: Mapping[str, float],
                 evaluate: Evaluator | None) -> HybridIndex:
    """The labelled queries' veto on learned weights; returns the index to serve and score."""
    learned = index.with_config(index.config.with_weights(weights))
    learning = version.learning if version.learning is not None else {}
    if evaluate is None:
        learning["used"] = True
        learning["decision"] = "used: no labelled queries to check them against"
    else:
        scored = dict(evaluate(learned))
        before, after = version.metrics[GATE_METRIC], scored[GATE_METRIC]
        learning["labelled"] = {"defaults": before, "learned": after}
        text = f"labelled {GATE_METRIC} {before:.2f} -> {after:.2f}"
        if after < before:
            learning["used"] = False
            learning["decision"] = (f"not used, the version keeps the configured weights: "
                                    f"{text} with the learned weights")
            version.learning = learning
            log.warning("learned weights %s refused: %s", dict(weights), text)
            return index
        learning["used"] = True
        learning["decision"] = f"used: {text}"
        version.metrics = scored
    version.weights = dict(weights)
    version.learning = learning
    log.info("index version %s uses learned weights %s", version.version_id, version.weights)
    return learned


def labelled_evaluator(
    facts: Mapping[int, Any],
    texts: Mapping[int, str],
    external_ids: Mapping[int, str],
    queries: str | os.PathLike,
    qrels: str | os.PathLike,
    *,
    today=None,
) -> Evaluator:
    """Scores an index on the labelled buyer queries (the ``hybrid`` variant, all groups)."""
    from .domain_eval import evaluate_domain, load_labelled
    from .recommend import SupplierRecommender

    labelled, judged = load_labelled(queries, qrels)

    def evaluate(index: HybridIndex) -> dict[str, float]:
        rec = SupplierRecommender(index, facts, texts)
        results = evaluate_domain(rec, labelled, judged, external_ids,
                                  variants=("hybrid",), today=today)
        return dict(results["hybrid"]["all"])

    return evaluate
