"""Database leases (``job_lock``): one holder at a time, expired ones taken over."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from recommender.store.db import session_factory
from recommender.store.leases import Lease, LeaseBusyError, lease_info
from recommender.store.models import JobLock, utcnow


@pytest.fixture()
def sessions(engine):
    return session_factory(engine)


def test_one_holder_at_a_time_until_released(sessions) -> None:
    first = Lease.acquire(sessions, "index-rebuild", "host-a:1 (cli)", ttl_s=60)
    with pytest.raises(LeaseBusyError) as busy:
        Lease.acquire(sessions, "index-rebuild", "host-b:2 (schedule)", ttl_s=60)
    assert busy.value.info.holder == "host-a:1 (cli)"
    assert "'index-rebuild' is held by host-a:1 (cli) since " in str(busy.value)
    other = Lease.acquire(sessions, "another-job", "host-b:2 (schedule)", ttl_s=60)
    before = first.info.expires_at
    assert first.renew() and first.info.expires_at >= before
    with sessions() as session:
        assert lease_info(session, "index-rebuild").expires_at == first.info.expires_at
    first.release()
    second = Lease.acquire(sessions, "index-rebuild", "host-b:2 (schedule)", ttl_s=60)
    with sessions() as session:
        assert lease_info(session, "index-rebuild").holder == "host-b:2 (schedule)"
    second.release()
    other.release()
    with sessions() as session:
        assert lease_info(session, "index-rebuild") is None


def test_expired_lease_is_taken_over_and_its_holder_learns_it(sessions) -> None:
    crashed = Lease.acquire(sessions, "index-rebuild", "host-a:1 (cli)", ttl_s=60)
    with sessions() as session:  # as if host-a stopped renewing two minutes ago
        row = session.get(JobLock, "index-rebuild")
        row.expires_at = utcnow() - timedelta(minutes=2)
        session.commit()
    taker = Lease.acquire(sessions, "index-rebuild", "host-b:2 (schedule)", ttl_s=60)
    assert taker.info.holder == "host-b:2 (schedule)"
    assert crashed.renew() is False and crashed.lost
    crashed.release()  # must not delete the new holder's row
    with sessions() as session:
        assert lease_info(session, "index-rebuild").holder == "host-b:2 (schedule)"
    taker.release()


def test_racing_takers_of_an_expired_lease_get_it_once(sessions) -> None:
    with sessions() as session:
        session.add(JobLock(name="index-rebuild", holder="gone:9 (cli)",
                            acquired_at=utcnow() - timedelta(hours=1),
                            expires_at=utcnow() - timedelta(minutes=30)))
        session.commit()
    won, lost, barrier = [], [], threading.Barrier(4)

    def take(n: int) -> None:
        barrier.wait()
        try:
            won.append(Lease.acquire(sessions, "index-rebuild", f"host:{n} (cli)", ttl_s=60))
        except LeaseBusyError as exc:
            lost.append(exc)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(won) == 1 and len(lost) == 3
    assert all(e.info.holder == won[0].info.holder for e in lost)


def test_time_to_live_must_be_positive(sessions) -> None:
    with pytest.raises(ValueError, match="more than 0 seconds"):
        Lease.acquire(sessions, "index-rebuild", "h:1", ttl_s=0)
