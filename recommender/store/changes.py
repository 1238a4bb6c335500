"""The profile change log: how every serving process learns what to re-index.

Every create, edit and delete of a supplier profile adds one
:class:`~recommender.store.models.ProfileChange` row *in the same transaction*
(:func:`record_change`), so a change is in the log exactly when it is in the
profiles. Serving processes, on any host sharing the database, poll the log
(:class:`ChangeCursor`) and re-index the profiles named there; the row they
re-read is the truth, so applying a change twice, or out of order, is harmless.

Sequence numbers are assigned at insert, but concurrent transactions may
commit out of order on PostgreSQL (id 7 visible before id 6). The cursor
therefore remembers the ids it skipped and looks for them again for
:data:`GAP_WAIT_S` seconds; SQLite commits one writer at a time, in order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .models import ChangeOp, ProfileChange, SupplierProfile

log = logging.getLogger(__name__)

GAP_WAIT_S = 60.0
"""How long a skipped sequence number may still turn up (a transaction committing late)."""


def record_change(
    session: Session, profile_id: int, op: ChangeOp | str, account_id: int | None = None
) -> ProfileChange:
    """Add a change row to ``session``'s transaction (the caller commits).

    ``profile_id`` must be known, so flush a new profile first.
    """
    if profile_id is None:
        raise ValueError("flush the profile first: the change needs its id")
    change = ProfileChange(profile_id=int(profile_id), op=ChangeOp(op), account_id=account_id)
    session.add(change)
    return change


def record_changes(
    session: Session, profile_ids: Iterable[int], op: ChangeOp | str,
    account_id: int | None = None,
) -> int:
    """:func:`record_change` for many profiles; returns how many were recorded."""
    count = 0
    for profile_id in profile_ids:
        record_change(session, profile_id, op, account_id)
        count += 1
    return count


def latest_seq(session: Session) -> int:
    """The highest sequence number committed so far (0 if none)."""
    return session.scalar(select(func.max(ProfileChange.id))) or 0


def changes_since(session: Session, seq: int, limit: int = 1000) -> list[ProfileChange]:
    """Up to ``limit`` changes with a sequence number above ``seq``, oldest first."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return list(session.scalars(
        select(ProfileChange).where(ProfileChange.id > seq)
        .order_by(ProfileChange.id).limit(limit)))


@dataclass
class ChangeCursor:
    """How far one process has read the change log, gaps included.

    :meth:`poll` returns the changes not seen yet: those above :attr:`seq`, and
    any skipped number below it that has committed since.
    """

    seq: int = 0
    gaps: dict[int, float] = field(default_factory=dict)
    """Skipped sequence number -> when to stop looking for it (monotonic clock)."""
    gap_wait_s: float = GAP_WAIT_S

    def poll(self, session: Session, limit: int = 1000) -> list[ProfileChange]:
        now = time.monotonic()
        self.gaps = {n: until for n, until in self.gaps.items() if until > now}
        condition = ProfileChange.id > self.seq
        if self.gaps:
            condition = or_(condition, ProfileChange.id.in_(sorted(self.gaps)[:1000]))
        rows = list(session.scalars(
            select(ProfileChange).where(condition).order_by(ProfileChange.id).limit(limit)))
        for row in rows:
            self.gaps.pop(row.id, None)
            if row.id > self.seq:
                for missing in range(self.seq + 1, row.id):
                    if len(self.gaps) < 10_000:
                        self.gaps[missing] = now + self.gap_wait_s
                self.seq = row.id
        return rows


Publish = Callable[[Sequence[SupplierProfile]], None]
"""Applies saved profiles to this process's live index (a catalog's ``apply_saved``)."""


def commit_saved(session: Session, profiles: Iterable[SupplierProfile], *,
                 account_id: int | None = None, publish: Publish | None = None) -> None:
    """Flush the saved ``profiles``, log one change each, commit, then publish them.

    On any error the transaction is rolled back and nothing is saved or logged.
    """
    saved = list(profiles)
    try:
        session.flush()
        for profile in saved:
            record_change(session, profile.id, ChangeOp.UPSERT, account_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if publish is not None and saved:
        publish_saved(publish, saved)


def publish_saved(publish: Publish, profiles: Sequence[SupplierProfile]) -> None:
    """Apply committed ``profiles`` to this process's index; a failure is logged, not
    raised: the change log carries the change to the index anyway."""
    try:
        publish(profiles)
    except Exception:
        log.exception("saved %d profile(s) but could not apply them to this process's "
                      "index at once; the change log applies them", len(profiles))
