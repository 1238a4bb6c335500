"""Index rebuild runs: one at a time across processes and hosts, each one recorded.

Every rebuild, whoever starts it (``index rebuild`` on the command line, the
``scheduler``, staff pressing "retrain now"), goes through :func:`run_rebuild`
or :func:`start_rebuild` over the process's :class:`~recommender.serving.catalog.Catalog`
(the web app calls them through ``webapp.jobs``):

1. It takes the ``index-rebuild`` lease in the ``job_lock`` table
   (:mod:`recommender.store.leases`): an INSERT in its own transaction, so it
   holds across processes and hosts sharing the database, SQLite or
   PostgreSQL. A heartbeat thread renews it every quarter of the lease while
   the job runs; a holder that crashed (``kill
   -9``, power loss) stops renewing and its lease is taken over once expired
   (``lease_s``, the web app's ``KETNOI_REBUILD_LEASE_S``).
   The file lock of :class:`~recommender.versions.IndexStore` is still taken
   inside: it guards the index directory against web workers building at start.
2. It records an ``index_run`` row: trigger, ``host:pid``, start time, and while
   it runs a ``progress`` dict ``{"stage", "done", "total", "percent"}`` written
   at most twice a second (stages: snapshot, embedding, indexing, evaluating,
   promoting, done; ``percent`` is for the whole run and never goes back).
3. It ends the row as ``promoted``, ``refused`` (the quality gate's reason),
   ``failed`` (the error) or ``skipped`` (the lease was held: who held it), with
   the duration, profile count, texts embedded afresh (not in the embedding
   cache), metrics and version id. A promoted version is served by this process
   at once; other processes swap it in through their change follower
   (:mod:`recommender.serving.follower`).

A row left ``running`` by a process that died is marked failed ("process stopped
before finishing") by the next run and whenever :func:`recent_runs` or
:func:`running_run` look, once no live lease names its ``host:pid``; but if
CURRENT names (or named) the version it built, its promotion completed and it
is marked promoted. A run that finds a version pinned by staff (a rollback)
builds and evaluates but does not promote unless forced; its message says so.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain_eval import LABELS_AS_OF
from ..resources import corpus_file
from ..store.leases import Lease, LeaseBusyError, LeaseInfo, lease_info
from ..store.models import IndexRun, RunStatus, utcnow
from ..versions import (
    DEFAULT_TOLERANCE,
    GATE_METRIC,
    IndexStore,
    RebuildBusyError,
    RebuildResult,
    labelled_evaluator,
    rebuild,
)
from .catalog import Catalog
from .profiles import fingerprint, snapshot_profiles

log = logging.getLogger(__name__)

REBUILD_JOB = "index-rebuild"
"""The ``job_lock`` row every rebuild takes."""
TRIGGERS = ("schedule", "staff", "cli")
DEFAULT_LEASE_S = 120.0
WRITE_INTERVAL_S = 0.5
"""Least time between two progress writes to the database."""
ABANDONED = "process stopped before finishing"
DEFAULT_QUERIES = corpus_file("buyer_queries.jsonl")
DEFAULT_QRELS = corpus_file("buyer_qrels.tsv")

STAGE_SPANS = {
    "snapshot": (0.0, 2.0),
    "embedding": (2.0, 85.0),
    "indexing": (85.0, 92.0),
    "evaluating": (92.0, 95.0),
    "fitting": (95.0, 98.0),
    "promoting": (98.0, 100.0),
    "done": (100.0, 100.0),
}
"""Share of the whole run (percent) each stage covers; embedding dominates a cold build."""


class JobBusyError(RuntimeError):
    """Another rebuild holds the lease (or the index directory's lock); says who and since when."""

    def __init__(self, message: str, *, holder: LeaseInfo | None = None,
                 run_id: int | None = None) -> None:
        super().__init__(message)
        self.holder = holder
        self.run_id = run_id
        """The ``skipped`` run recorded for this attempt."""


class LeaseLostError(RuntimeError):
    """This process missed its renewals and another one took the rebuild lease over."""


class RebuildCancelledError(RuntimeError):
    """The process running the rebuild is stopping (SIGTERM to the scheduler)."""


def process_name() -> str:
    """``hostname:pid``, as runs and leases name their process."""
    return f"{socket.gethostname()}:{os.getpid()}"


class RunProgress:
    """A run's progress in memory; the heartbeat writes it to the run row when it changed.

    Called as ``progress(stage, done, total)`` by the build. Raises
    :class:`LeaseLostError` once the lease is lost, or :class:`RebuildCancelledError`
    once ``cancel`` is set, which stops the build before it could promote anything.
    """

    def __init__(self, lease: Lease | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.lease = lease
        self.cancel = cancel
        self._lock = threading.Lock()
        self.state: dict[str, Any] = {"stage": "snapshot", "done": 0, "total": 0,
                                      "percent": 0.0}
        self._changed = True
        self.embedded: int | None = None
        """Texts the encoder had to embed (the first ``embedding`` total)."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in STAGE_SPANS:
            raise ValueError(f"unknown progress stage {stage!r}")
        if self.lease is not None and self.lease.lost:
            raise LeaseLostError(
                f"the rebuild lease was taken over by another process after this one "
                f"missed its renewals for {self.lease.ttl_s:.0f} s; stopped before promoting")
        if self.cancel is not None and self.cancel.is_set():
            raise RebuildCancelledError("stopped (the scheduler was asked to stop) before "
                                        "promoting")
        if stage == "embedding" and self.embedded is None:
            self.embedded = total
        low, high = STAGE_SPANS[stage]
        fraction = 1.0 if total <= 0 else min(1.0, done / total)
        with self._lock:
            percent = max(self.state["percent"], round(low + (high - low) * fraction, 1))
            self.state = {"stage": stage, "done": int(done), "total": int(total),
                          "percent": percent}
            self._changed = True

    def take(self) -> dict[str, Any] | None:
        """The state if it changed since the last call, else None."""
        with self._lock:
            if not self._changed:
                return None
            self._changed = False
            return dict(self.state)

    def evaluating(self, evaluate: Callable, total: int) -> Callable:
        """``evaluate`` reporting the ``evaluating`` stage (``total`` evaluations expected)."""
        calls = [0]

        def wrapped(index) -> Mapping[str, float]:
            self("evaluating", min(calls[0], total), total)
            try:
                return evaluate(index)
            finally:
                calls[0] += 1
                self("evaluating", min(calls[0], total), total)

        return wrapped

    def fitting(self, fit: Callable) -> Callable:
        """``fit`` (the match decision) reporting the ``fitting`` stage."""

        def wrapped(index):
            self("fitting", 0, 1)
            try:
                return fit(index)
            finally:
                self("fitting", 1, 1)

        return wrapped


@dataclass
class _Job:
    """A run that holds the lease: its row, its progress and its heartbeat."""

    catalog: Catalog
    run_id: int
    trigger: str
    lease: Lease
    progress: RunProgress
    started: float = field(default_factory=time.perf_counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start_heartbeat(self) -> None:
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"ketnoi-rebuild-heartbeat-{self.run_id}")
        self._thread.start()

    def _beat(self) -> None:
        renew_every = self.lease.ttl_s / 4
        next_renewal = time.monotonic() + renew_every
        while not self._stop.wait(min(WRITE_INTERVAL_S, renew_every)):
            try:
                state = self.progress.take()
                if state is not None:
                    self._write(progress=state)
                if time.monotonic() >= next_renewal:
                    self.lease.renew()
                    next_renewal = time.monotonic() + renew_every
            except Exception:  # the database away for a moment: try again next beat
                log.exception("rebuild run %d: heartbeat failed; retrying", self.run_id)

    def _write(self, **values: Any) -> None:
        with self.catalog.sessions() as session:
            run = session.get(IndexRun, self.run_id)
            for key, value in values.items():
                setattr(run, key, value)
            session.commit()

    def finish(self, status: RunStatus, message: str, **values: Any) -> IndexRun:
        """Stop the heartbeat, write the outcome, release the lease; the final row."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        try:
            with self.catalog.sessions() as session:
                run = session.get(IndexRun, self.run_id)
                run.status, run.message = status, message
                run.finished_at = utcnow()
                run.duration_s = round(time.perf_counter() - self.started, 3)
                run.progress = dict(self.progress.state)
                if self.progress.embedded is not None:
                    run.embedded_count = self.progress.embedded
                for key, value in values.items():
                    setattr(run, key, value)
                session.commit()
        finally:
            self.lease.release()
        log.info("rebuild run %d (%s) %s in %.1f s: %s", self.run_id, self.trigger, status,
                 run.duration_s, message)
        return run


def mark_abandoned(session: Session, store: IndexStore | None = None) -> int:
    """End every ``running`` run whose process no longer holds the lease.

    Such a run is marked failed, unless ``store`` shows that its version was promoted
    (the process stopped after promoting): then it is marked promoted. Returns how
    many were marked. The lease's holder (``host:pid (trigger)``) names the one run
    that may really be running.
    """
    running = session.scalars(select(IndexRun).where(IndexRun.status == RunStatus.RUNNING)
                              ).all()
    if not running:
        return 0
    now = utcnow()
    info = lease_info(session, REBUILD_JOB)
    live = info.holder.split(" ", 1)[0] if info is not None and info.active(now) else None
    marked = 0
    for run in running:
        if run.host == live:
            continue
        run.finished_at = now
        if store is not None and run.version_id and store.was_promoted(run.version_id):
            run.status = RunStatus.PROMOTED
            run.message = (f"promoted {run.version_id}; the process stopped before it "
                           f"recorded the end of its run")
            marked += 1
            log.warning("index run %d of %s stopped after promoting %s; marked promoted",
                        run.id, run.host, run.version_id)
            continue
        run.status = RunStatus.FAILED
        stage = (run.progress or {}).get("stage")
        run.message = ABANDONED + (f" (it was at the {stage} stage; its lease expired)"
                                   if stage else " (its lease expired)")
        marked += 1
        log.warning("index run %d of %s was left running by a stopped process; marked failed",
                    run.id, run.host)
    session.commit()
    return marked


def recent_runs(session: Session, limit: int = 20,
                store: IndexStore | None = None) -> list[IndexRun]:
    """The latest runs, newest first (runs of stopped processes ended first, see
    :func:`mark_abandoned`)."""
    if limit < 1:
        raise ValueError("limit must be 1 or more")
    mark_abandoned(session, store)
    return list(session.scalars(select(IndexRun)
                                .order_by(IndexRun.started_at.desc(), IndexRun.id.desc())
                                .limit(limit)))


def running_run(session: Session, store: IndexStore | None = None) -> IndexRun | None:
    """The run in progress, on any host, or None."""
    mark_abandoned(session, store)
    return session.scalars(select(IndexRun).where(IndexRun.status == RunStatus.RUNNING)
                           .order_by(IndexRun.id.desc()).limit(1)).first()


def _skip(catalog: Catalog, trigger: str, account_id: int | None, message: str) -> int:
    with catalog.sessions() as session:
        run = IndexRun(trigger=trigger, status=RunStatus.SKIPPED, host=process_name(),
                       account_id=account_id, finished_at=utcnow(), duration_s=0.0,
                       message=message)
        session.add(run)
        session.commit()
        log.warning("index rebuild (%s) skipped: %s", trigger, message)
        return run.id


def _begin(catalog: Catalog, trigger: str, account_id: int | None, lease_s: float,
           cancel: threading.Event | None = None) -> _Job:
    """Take the lease and record the run, or record a skipped run and raise JobBusyError."""
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}, not {trigger!r}")
    sessions = catalog.sessions
    try:
        lease = Lease.acquire(sessions, REBUILD_JOB, f"{process_name()} ({trigger})", lease_s)
    except LeaseBusyError as exc:
        message = (f"another index rebuild is running: {exc.info.describe()}; wait for it "
                   f"to finish (see `flask --app webapp index status`)")
        run_id = _skip(catalog, trigger, account_id, message)
        raise JobBusyError(message, holder=exc.info, run_id=run_id) from None
    try:
        progress = RunProgress(lease, cancel)
        with sessions() as session:
            mark_abandoned(session, catalog.store)  # we hold the lease: no other run is alive
            run = IndexRun(trigger=trigger, status=RunStatus.RUNNING, host=process_name(),
                           account_id=account_id, progress=dict(progress.state))
            session.add(run)
            session.commit()
            run_id = run.id
    except BaseException:
        lease.release()
        raise
    job = _Job(catalog, run_id, trigger, lease, progress)
    job.start_heartbeat()
    log.info("index rebuild run %d started (%s)", run_id, trigger)
    return job


def _execute(job: _Job, *, force: bool, tolerance: float, queries: str | os.PathLike,
             qrels: str | os.PathLike, as_of: date, learn: bool = True) -> IndexRun:
    """Build, evaluate, maybe promote; the finished run. Raises JobBusyError if the
    index directory is locked by a build outside the lease (a web worker starting)."""
    from ..config import RetrievalConfig
    from ..learn import describe, make_learner, read_implicit_judgements

    catalog, report = job.catalog, job.progress
    profiles: list = []
    try:
        report("snapshot", 0, 1)
        profiles, seq = snapshot_profiles(catalog.sessions)
        report("snapshot", len(profiles), len(profiles))
        config = RetrievalConfig.from_env()
        encoder = catalog.encoder(config)
        facts = {p.doc_id: p.facts() for p in profiles}  # once, for every step below
        texts = {p.doc_id: p.search_text for p in profiles}
        external_ids = {p.doc_id: p.external_id for p in profiles}
        evaluate = labelled_evaluator(facts, texts, external_ids, queries, qrels, today=as_of)
        learner = None
        with catalog.sessions() as session:  # contacts and shortlists of logged searches
            logged = read_implicit_judgements(session)
        if learn:  # (recommender.learn)
            learner = make_learner(logged, facts)
        fit_decision = decision_fitter(facts, texts, external_ids, queries, qrels, as_of,
                                       logged, config.model)
        baseline = catalog.store.current()
        evaluations = 1 + (baseline is not None and baseline.metrics is None)
        result = rebuild(catalog.store, encoder, [p.doc_id for p in profiles],
                         [p.search_text for p in profiles], fingerprint(profiles), config,
                         evaluate=report.evaluating(evaluate, evaluations),
                         tolerance=tolerance, force=force, change_seq=seq,
                         progress=report, learn=learner,
                         built=lambda v: job._write(version_id=v.version_id),
                         fit_decision=report.fitting(fit_decision))
        if result.promoted:
            report("promoting", 0, 1)
            try:
                catalog.reload()  # this process serves the new version at once
            except Exception as exc:  # promoted all the same: the followers load it
                log.exception("rebuild run %d: could not load the promoted version",
                              job.run_id)
                result = RebuildResult(result.version, True, (
                    f"{result.message}; this process could not load it ({exc})"))
            report("promoting", 1, 1)
        report("done", 1, 1)
    except RebuildBusyError as exc:
        job.finish(RunStatus.SKIPPED, str(exc), profile_count=len(profiles) or None)
        raise JobBusyError(str(exc), run_id=job.run_id) from None
    except Exception as exc:
        log.exception("index rebuild run %d failed", job.run_id)
        return job.finish(*_outcome(job, catalog.store, f"{type(exc).__name__}: {exc}"),
                          profile_count=len(profiles) or None)
    except BaseException as exc:  # Ctrl-C, SIGTERM: record it, then stop
        job.finish(*_outcome(job, catalog.store, f"interrupted ({type(exc).__name__})"),
                   profile_count=len(profiles) or None)
        raise
    message = result.message
    if learn:
        message += "\n" + describe(result.version.learning)
    return job.finish(RunStatus.PROMOTED if result.promoted else RunStatus.REFUSED,
                      message, profile_count=len(profiles),
                      metrics=dict(result.version.metrics or {}),
                      version_id=result.version.version_id)


def decision_fitter(facts: dict, texts: dict, external_ids: dict,
                    queries: str | os.PathLike, qrels: str | os.PathLike,
                    as_of: date, logged: list, model_id: str | None):
    """Fits the match decision of a new index (``recommender.matching.fit_for_index``) on
    the labelled queries and the searches buyers acted on."""
    from ..domain_eval import load_labelled
    from ..matching import fit_for_index
    from ..recommend import SupplierRecommender

    labelled, judged = load_labelled(queries, qrels)

    def fit(index):
        try:
            return fit_for_index(SupplierRecommender(index, facts, texts), labelled, judged,
                                 external_ids, today=as_of, logged=logged, model_id=model_id)
        except Exception as exc:  # a decision that cannot be fitted never blocks a build
            log.exception("fitting the match decision failed; the shipped one is used")
            return {"not_fitted": f"fitting failed: {type(exc).__name__}: {exc}"}

    return fit


def _outcome(job: _Job, store: IndexStore, error: str) -> tuple[RunStatus, str]:
    """How a run that stopped on ``error`` ended: promoted if its promotion completed."""
    with job.catalog.sessions() as session:
        version_id = session.get(IndexRun, job.run_id).version_id
    if version_id and store.was_promoted(version_id):
        return RunStatus.PROMOTED, f"promoted {version_id}; then stopped: {error}"
    return RunStatus.FAILED, error


def _as_date(as_of: date | str) -> date:
    if isinstance(as_of, date):
        return as_of
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise ValueError(f"as_of must be a date (YYYY-MM-DD), not {as_of!r}") from None


def run_rebuild(catalog: Catalog, trigger: str, *, force: bool = False,
                tolerance: float = DEFAULT_TOLERANCE,
                queries: str | os.PathLike = DEFAULT_QUERIES,
                qrels: str | os.PathLike = DEFAULT_QRELS,
                as_of: date | str = LABELS_AS_OF,
                account_id: int | None = None, lease_s: float = DEFAULT_LEASE_S,
                cancel: threading.Event | None = None, learn: bool = True) -> IndexRun:
    """Rebuild ``catalog``'s index now, in this thread, and return the finished run.

    The new version is scored on the labelled buyer queries (``queries``, ``qrels``,
    certificates checked on ``as_of``) and promoted if nDCG@10 fell by at most
    ``tolerance`` points, or always with ``force``. A failure is returned as a
    ``failed`` run, not raised. Setting ``cancel`` stops the run at its next progress
    report (recorded as failed, nothing promoted). ``learn`` tunes the ranking weights
    on the interaction log first (:func:`recommender.versions.rebuild` keeps them only
    if held-apart searches improve and the labelled queries do not get worse).
    ``lease_s`` is how long the lease holds without a renewal.

    Raises:
        JobBusyError: another rebuild is running (a ``skipped`` run is recorded).
        ValueError: an unknown trigger, a negative tolerance or a bad date.
    """
    if tolerance < 0:
        raise ValueError("tolerance must be 0 or more points")
    day = _as_date(as_of)
    job = _begin(catalog, trigger, account_id, lease_s, cancel)
    return _execute(job, force=force, tolerance=tolerance, queries=queries, qrels=qrels,
                    as_of=day, learn=learn)


def start_rebuild(catalog: Catalog, trigger: str, *, account_id: int | None = None,
                  force: bool = False, lease_s: float = DEFAULT_LEASE_S) -> int:
    """Start a rebuild in a background thread and return its run id at once.

    The lease is taken before returning, so a second start meanwhile raises
    :class:`JobBusyError` straight away. Follow the run with :func:`recent_runs`
    (its ``progress`` and, when finished, its ``status`` and ``message``).
    """
    job = _begin(catalog, trigger, account_id, lease_s)

    def work() -> None:
        try:
            _execute(job, force=force, tolerance=DEFAULT_TOLERANCE, queries=DEFAULT_QUERIES,
                     qrels=DEFAULT_QRELS, as_of=_as_date(LABELS_AS_OF))
        except JobBusyError as exc:  # already recorded as skipped
            log.warning("index rebuild run %d did not start: %s", job.run_id, exc)

    threading.Thread(target=work, daemon=True, name=f"ketnoi-rebuild-{job.run_id}").start()
    return job.run_id


def describe_run(run: IndexRun) -> str:
    """One line for staff: when, who, outcome, duration, counts, nDCG@10, version, why."""
    parts = [f"#{run.id} {run.started_at.isoformat(timespec='seconds')} {run.trigger:<8} "
             f"{run.status.value:<8}"]
    if run.status == RunStatus.RUNNING:
        p = run.progress or {}
        parts.append(f"{p.get('stage', '?')} {p.get('done', 0)}/{p.get('total', 0)} "
                     f"({p.get('percent', 0.0):.0f}%) on {run.host}")
    else:
        if run.duration_s is not None:
            parts.append(f"{run.duration_s:.1f} s")
        if run.profile_count is not None:
            parts.append(f"{run.profile_count} profiles")
        if run.embedded_count is not None:
            parts.append(f"{run.embedded_count} embedded")
        if run.metrics and GATE_METRIC in run.metrics:
            parts.append(f"{GATE_METRIC} {run.metrics[GATE_METRIC]:.2f}")
        if run.version_id:
            parts.append(f"version {run.version_id}")
    line = ", ".join(parts)
    return f"{line}: {run.message}" if run.message else line

