"""The profile change log: written with every profile change, read in commit order."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recommender.store.changes import (
    ChangeCursor,
    changes_since,
    latest_seq,
    record_change,
)
from recommender.store.importer import import_profiles
from recommender.store.models import (
    Certification,
    ChangeOp,
    ProfileChange,
    SupplierProfile,
)
from recommender.store.profiles import delete_profile

from .files import profile_row, write_jsonl


def _import(session: Session, tmp_path: Path, rows, name="p.jsonl"):
    return import_profiles(session, write_jsonl(tmp_path / name, rows))


def test_imports_log_created_and_updated_profiles_only(session, tmp_path) -> None:
    assert _import(session, tmp_path, [profile_row(n) for n in (1, 2, 3)]).committed
    first = changes_since(session, 0, 100)
    ids = dict(session.execute(select(SupplierProfile.external_id, SupplierProfile.id)).all())
    assert [c.profile_id for c in first] == [ids["SUP-00001"], ids["SUP-00002"],
                                             ids["SUP-00003"]]
    assert {c.op for c in first} == {ChangeOp.UPSERT}
    # the same file again changes nothing, so logs nothing; one edit logs one change
    _import(session, tmp_path, [profile_row(n) for n in (1, 2, 3)], "again.jsonl")
    assert latest_seq(session) == first[-1].id
    _import(session, tmp_path, [profile_row(2, description="Ép nhựa ABS cho vỏ máy.")],
            "edit.jsonl")
    [edit] = changes_since(session, first[-1].id, 10)
    assert edit.profile_id == ids["SUP-00002"] and edit.op == ChangeOp.UPSERT


def test_a_refused_import_logs_nothing(session, tmp_path) -> None:
    report = _import(session, tmp_path, [profile_row(1), profile_row(2, tax_code="12345")])
    assert not report.committed
    assert latest_seq(session) == 0


def test_delete_profile_logs_the_deletion_in_the_same_transaction(session, tmp_path) -> None:
    _import(session, tmp_path, [profile_row(n) for n in (1, 2)])
    before = latest_seq(session)
    pid = session.scalar(select(SupplierProfile.id)
                         .where(SupplierProfile.external_id == "SUP-00001"))
    assert delete_profile(session, "SUP-00001", account_id=None) == pid
    [change] = changes_since(session, before, 10)
    assert (change.profile_id, change.op) == (pid, ChangeOp.DELETE)
    assert session.get(SupplierProfile, pid) is None
    assert session.scalar(select(func.count()).select_from(Certification)
                          .where(Certification.profile_id == pid)) == 0
    with pytest.raises(LookupError, match="SUP-00001"):
        delete_profile(session, "SUP-00001")
    assert latest_seq(session) == change.id  # nothing written for the unknown one


def test_change_needs_a_profile_id(session) -> None:
    with pytest.raises(ValueError, match="flush"):
        record_change(session, None, ChangeOp.UPSERT)
    with pytest.raises(ValueError):
        record_change(session, 1, "rename")
    with pytest.raises(ValueError):
        changes_since(session, 0, 0)


def test_changes_since_pages_in_order(session) -> None:
    for n in range(7):
        record_change(session, 100 + n, ChangeOp.UPSERT, account_id=5)
    session.commit()
    page = changes_since(session, 0, 3)
    assert [c.profile_id for c in page] == [100, 101, 102]
    rest = changes_since(session, page[-1].id, 100)
    assert [c.profile_id for c in rest] == [103, 104, 105, 106]
    assert rest[0].account_id == 5 and rest[0].created_at is not None


def test_cursor_finds_a_change_that_commits_after_a_later_one(engine) -> None:
    """Two transactions commit out of sequence order (possible on PostgreSQL): the cursor
    sees the later one first, remembers the gap, and still gets the earlier one."""
    from recommender.store.db import session_factory

    sessions = session_factory(engine)
    with sessions() as s:
        record_change(s, 1, ChangeOp.UPSERT)
        s.commit()
    cursor = ChangeCursor()
    with sessions() as s:
        assert [c.profile_id for c in cursor.poll(s)] == [1]
    slow, fast = sessions(), sessions()
    try:
        if engine.dialect.name == "sqlite":
            # SQLite has one writer at a time, so ids commit in order; make the gap by hand
            fast.add(ProfileChange(id=cursor.seq + 2, profile_id=3, op=ChangeOp.UPSERT))
            fast.commit()
            with sessions() as s:
                assert [c.profile_id for c in cursor.poll(s)] == [3]
            slow.add(ProfileChange(id=cursor.seq - 1, profile_id=2, op=ChangeOp.UPSERT))
            slow.commit()
        else:
            record_change(slow, 2, ChangeOp.UPSERT)
            slow.flush()  # takes its sequence number, not yet committed
            record_change(fast, 3, ChangeOp.UPSERT)
            fast.commit()
            with sessions() as s:
                assert [c.profile_id for c in cursor.poll(s)] == [3]
            assert cursor.gaps
            slow.commit()
        with sessions() as s:
            assert [c.profile_id for c in cursor.poll(s)] == [2]
            assert cursor.gaps == {} and cursor.poll(s) == []
    finally:
        slow.close()
        fast.close()


def test_cursor_gives_up_on_a_gap_after_a_while(session) -> None:
    session.add(ProfileChange(id=5, profile_id=1, op=ChangeOp.UPSERT))
    session.commit()
    cursor = ChangeCursor(gap_wait_s=0.0)
    assert len(cursor.poll(session)) == 1 and cursor.seq == 5
    assert cursor.poll(session) == [] and cursor.gaps == {}  # 1..4 rolled back for good
