"""Named leases in the database: one job at a time across processes and hosts.

A lease is a row of ``job_lock``. It is taken by inserting the row, or, when
the row is there but its ``expires_at`` has passed (the holder crashed or was
killed), by replacing it with an ``UPDATE ... WHERE expires_at < now``; each in
its own short transaction, so the primary key (or the row lock the UPDATE
takes) decides between two takers on SQLite and PostgreSQL alike. The holder
renews the lease while it works and deletes the row when done.

Times are the taking host's UTC clock: hosts sharing a database need their
clocks synchronised (NTP) to well within the lease's time to live.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .models import JobLock, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds (or last held) a lease and until when."""

    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime

    def active(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or utcnow())

    def describe(self) -> str:
        return (f"{self.holder} since {self.acquired_at.isoformat(timespec='seconds')} "
                f"(lease renewed until {self.expires_at.isoformat(timespec='seconds')})")


class LeaseBusyError(RuntimeError):
    """The lease is held by someone else and has not expired."""

    def __init__(self, info: LeaseInfo) -> None:
        super().__init__(f"{info.name!r} is held by {info.describe()}")
        self.info = info


def lease_info(session: Session, name: str) -> LeaseInfo | None:
    """The lease row ``name`` (expired or not), or None if nobody holds it."""
    row = session.get(JobLock, name, populate_existing=True)
    if row is None:
        return None
    return LeaseInfo(row.name, row.holder, row.acquired_at, row.expires_at)


class Lease:
    """A lease this process holds: :meth:`renew` it while working, :meth:`release` it after."""

    def __init__(self, sessions: sessionmaker[Session], info: LeaseInfo, ttl_s: float) -> None:
        self.sessions, self.info, self.ttl_s = sessions, info, ttl_s
        self.lost = False
        """Set when a renewal found the lease taken over (this holder missed its renewals)."""

    @property
    def name(self) -> str:
        return self.info.name

    @classmethod
    def acquire(cls, sessions: sessionmaker[Session], name: str, holder: str,
                ttl_s: float) -> Lease:
        """Take lease ``name`` for ``ttl_s`` seconds, or raise :class:`LeaseBusyError`."""
        if ttl_s <= 0:
            raise ValueError("a lease needs a time to live of more than 0 seconds")
        for _ in range(3):
            now = utcnow()
            info = LeaseInfo(name, holder, now, now + timedelta(seconds=ttl_s))
            with sessions() as session:
                try:
                    session.add(JobLock(name=name, holder=holder, acquired_at=now,
                                        expires_at=info.expires_at))
                    session.commit()
                    return cls(sessions, info, ttl_s)
                except IntegrityError:
                    session.rollback()
                old = lease_info(session, name)
                if old is None:  # released between our insert and our look: try again
                    continue
                if old.active(now):
                    raise LeaseBusyError(old)
                taken = session.execute(
                    update(JobLock)
                    .where(JobLock.name == name, JobLock.expires_at < now)
                    .values(holder=holder, acquired_at=now, expires_at=info.expires_at))
                session.commit()
                if taken.rowcount == 1:
                    log.warning("took over the expired lease %r of %s", name, old.describe())
                    return cls(sessions, info, ttl_s)
                # another taker replaced it first: report that one
        with sessions() as session:
            current = lease_info(session, name)
        if current is not None:
            raise LeaseBusyError(current)
        raise RuntimeError(f"could not take the lease {name!r}: it changed hands three times")

    def _mine(self):
        return (JobLock.name == self.info.name, JobLock.holder == self.info.holder,
                JobLock.acquired_at == self.info.acquired_at)

    def renew(self) -> bool:
        """Push the expiry ``ttl_s`` seconds ahead; False (and :attr:`lost`) if taken over."""
        if self.lost:
            return False
        expires = utcnow() + timedelta(seconds=self.ttl_s)
        with self.sessions() as session:
            result = session.execute(update(JobLock).where(*self._mine())
                                     .values(expires_at=expires))
            session.commit()
        if result.rowcount != 1:
            self.lost = True
            log.error("lease %r of %s was taken over by another holder", self.info.name,
                      self.info.holder)
            return False
        self.info = LeaseInfo(self.info.name, self.info.holder, self.info.acquired_at, expires)
        return True

    def release(self) -> None:
        """Give the lease up (a no-op if it was taken over meanwhile)."""
        with self.sessions() as session:
            session.execute(delete(JobLock).where(*self._mine()))
            session.commit()

