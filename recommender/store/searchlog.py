"""Search-log rows written off the request path, in batches, by a background thread.

A buyer search used to commit its ``search_log`` row before answering: about 1.7 ms
of CPU and 6 ms of wall time (a SQLite fsync, or a PostgreSQL round trip and
commit) on every request. :class:`SearchLogWriter` takes the row instead, gives it
its id at once (result links carry it: ``?s=<id>``) and writes it with the others
that arrived in the same interval, in one transaction.

Ids come from blocks reserved in ``id_block`` (:func:`reserve_ids`): one short
transaction per :data:`BLOCK` searches and process, so two processes never hand
out the same id and no request waits for the database to number its row. Ids are
unique, not in time order across processes (``created_at`` is, and is set when
the search ran, not when the row is written).

What can be lost: nothing on a clean shutdown (``close`` runs at interpreter exit,
which gunicorn workers and the development server reach on SIGTERM / Ctrl-C, and
writes what is pending); a crash (kill -9, power) loses the rows of at most the
last interval, :data:`INTERVAL_S` (0.5 s) by default (``KETNOI_SEARCH_LOG_INTERVAL_S``;
0 writes each row in the request, as before). While the database is
unreachable rows stay queued, up to :data:`MAX_PENDING`, and are retried; beyond
that the oldest are dropped and counted in the log.

Readers that must see their own process's searches at once (the page a result
link opens, the staff analytics) call :meth:`SearchLogWriter.flush` first; rows
from another process appear within one interval.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .models import IdBlock, SearchLog, utcnow

log = logging.getLogger(__name__)

BLOCK = 100
"""Ids reserved per database round trip."""
INTERVAL_S = 0.5
"""Longest a row waits before it is written (what a crash can lose)."""
MAX_PENDING = 20_000
"""Rows kept in memory while the database cannot be written; older ones are dropped."""
IDLE_EXIT_S = 10.0
"""The thread ends after this long with nothing to write and starts again on demand."""

_COLUMNS = frozenset(c.key for c in SearchLog.__table__.columns)


def reserve_ids(session: Session, name: str, count: int, start_after: int) -> range:
    """Reserve ``count`` consecutive ids for ``name`` and return them.

    The first reservation starts after ``start_after`` (the largest id already in the
    table); the row lock of the UPDATE (PostgreSQL) or the database write lock
    (SQLite) keeps two processes from getting the same block.
    """
    for _attempt in range(3):
        try:
            bumped = session.execute(update(IdBlock).where(IdBlock.name == name)
                                     .values(next_id=IdBlock.next_id + count)).rowcount
            if not bumped:
                session.add(IdBlock(name=name, next_id=start_after + 1 + count))
                session.flush()
            end = session.scalar(select(IdBlock.next_id).where(IdBlock.name == name))
            session.commit()
            return range(end - count, end)
        except IntegrityError:  # another process created the row first: bump it instead
            session.rollback()
    raise RuntimeError(f"could not reserve ids for {name!r}")


class SearchLogWriter:
    """Queues ``search_log`` rows and writes them in batches from one thread."""

    def __init__(self, sessions: sessionmaker[Session], *, interval: float = INTERVAL_S,
                 block: int = BLOCK, max_pending: int = MAX_PENDING) -> None:
        self.sessions = sessions
        self.interval = interval
        self.block = block
        self.max_pending = max_pending
        self.written = 0
        self.batches = 0
        self.dropped = 0
        self._reset()
        _WRITERS.add(self)

    def _reset(self) -> None:
        """Fresh state: at construction, and in a child process after a fork."""
        self._pid = os.getpid()
        self._lock = threading.Lock()  # guards _pending, _ids, _thread
        self._write_lock = threading.Lock()  # one batch is written at a time
        self._wake = threading.Event()
        self._pending: list[dict[str, Any]] = []
        self._ids: Iterator[int] = iter(())
        self._thread: threading.Thread | None = None
        self._closed = False

    def _next_id(self) -> int:
        for value in self._ids:
            return value
        with self.sessions() as session:
            top = session.scalar(select(func.max(SearchLog.id))) or 0
            self._ids = iter(reserve_ids(session, SearchLog.__tablename__, self.block, top))
        return next(self._ids)

    def submit(self, **values: Any) -> int:
        """Queue one search's row (``SearchLog`` columns) and return its id."""
        unknown = set(values) - _COLUMNS
        if unknown:
            raise TypeError(f"not search_log columns: {sorted(unknown)}")
        if self._pid != os.getpid():
            self._reset()
        values.setdefault("created_at", utcnow())
        with self._lock:
            values["id"] = self._next_id()
            self._pending.append(values)
            if len(self._pending) > self.max_pending:
                extra = len(self._pending) - self.max_pending
                del self._pending[:extra]
                self.dropped += extra
                log.error("search log: database unwritable, %d oldest rows dropped", extra)
            start = not self._closed and self.interval > 0 and \
                (self._thread is None or not self._thread.is_alive())
            if start:
                self._thread = threading.Thread(target=self._run, name="search-log-writer",
                                                daemon=True)
                self._thread.start()
        if self._closed or self.interval <= 0:  # synchronous: written at once
            self.flush()
        return values["id"]

    def pending_ids(self) -> set[int]:
        with self._lock:
            return {row["id"] for row in self._pending}

    def flush(self) -> int:
        """Write every row queued so far, in this thread; return how many were written.

        Raises SQLAlchemyError if the database cannot be written (the rows stay queued).
        """
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                self._write(batch)
            except SQLAlchemyError:
                with self._lock:
                    self._pending[:0] = batch
                raise
            return len(batch)

    def _write(self, batch: list[dict[str, Any]]) -> None:
        """Write ``batch`` in one transaction; if that fails for a reason other than the
        connection, row by row, so one bad row cannot hold back the others."""
        with self.sessions() as session:
            try:
                session.execute(insert(SearchLog), batch)
                session.commit()
            except (OperationalError, InterfaceError):
                raise  # the database is unreachable: keep the rows and retry
            except SQLAlchemyError:
                session.rollback()
                for row in batch:
                    self._write_one(session, row)
        self.written += len(batch)
        self.batches += 1

    def _write_one(self, session: Session, row: dict[str, Any]) -> None:
        try:
            session.execute(insert(SearchLog), [row])
            session.commit()
            return
        except IntegrityError:
            # its id was taken by a row written some other way: a new id (the result
            # links of that search lose their attribution)
            session.rollback()
            with self._lock:
                new_id = self._next_id()
            log.warning("search log id %s was taken; row written as %s", row["id"], new_id)
            row = {**row, "id": new_id}
        try:
            session.execute(insert(SearchLog), [row])
            session.commit()
        except (OperationalError, InterfaceError):
            raise
        except SQLAlchemyError as exc:
            session.rollback()
            self.dropped += 1
            log.error("search log row %s cannot be written, dropped: %s", row["id"], exc)

    def _run(self) -> None:
        idle_since: datetime | None = None
        while not self._closed:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                written = self.flush()
            except SQLAlchemyError as exc:
                log.error("search log: cannot write %d rows, retrying: %s",
                          len(self._pending), exc)
                written = 1  # not idle: rows are waiting
            if written:
                idle_since = None
                continue
            now = utcnow()
            idle_since = idle_since or now
            if (now - idle_since).total_seconds() >= IDLE_EXIT_S:
                with self._lock:
                    if not self._pending:
                        self._thread = None
                        return

    def close(self) -> None:
        """Write what is pending and stop the thread (later submits write at once)."""
        if self._pid != os.getpid():
            return
        self._closed = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        try:
            self.flush()
        except SQLAlchemyError as exc:
            log.error("search log: %d rows could not be written at shutdown: %s",
                      len(self._pending), exc)


_WRITERS: weakref.WeakSet[SearchLogWriter] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for writer in list(_WRITERS):
        writer.close()
