"""Search-log rows written off the request path: unique ids across processes, nothing
lost on a clean exit, at most the last interval lost on a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from recommender.store.db import session_factory
from recommender.store.models import IdBlock, SearchLog
from recommender.store.searchlog import SearchLogWriter, reserve_ids

ROOT = Path(__file__).resolve().parents[2]


def _logged(engine) -> dict[int, str]:
    with session_factory(engine)() as s:
        return dict(s.execute(select(SearchLog.id, SearchLog.query)).all())


def test_rows_get_ids_at_once_and_are_written_in_batches(engine) -> None:
    writer = SearchLogWriter(session_factory(engine), interval=30, block=4)
    ids = [writer.submit(query=f"q{i}", result_count=i) for i in range(10)]
    assert len(set(ids)) == 10 and ids == sorted(ids)
    assert _logged(engine) == {}  # queued, not written yet
    assert writer.pending_ids() == set(ids)
    assert writer.flush() == 10 and writer.batches == 1
    assert _logged(engine) == {i: f"q{n}" for n, i in enumerate(ids)}
    with session_factory(engine)() as s:
        row = s.get(SearchLog, ids[3])
        assert row.result_count == 3 and row.created_at is not None
    writer.close()


def test_the_thread_writes_within_the_interval(engine) -> None:
    writer = SearchLogWriter(session_factory(engine), interval=0.05)
    sid = writer.submit(query="khuôn ép nhựa")
    deadline = time.monotonic() + 10
    while sid not in _logged(engine) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _logged(engine) == {sid: "khuôn ép nhựa"}
    writer.close()


def test_interval_zero_writes_in_the_request(engine) -> None:
    writer = SearchLogWriter(session_factory(engine), interval=0)
    sid = writer.submit(query="cnc")
    assert _logged(engine) == {sid: "cnc"} and writer._thread is None


def test_two_writers_never_hand_out_the_same_id(engine) -> None:
    """Two processes' writers on one database, reserving blocks concurrently."""
    writers = [SearchLogWriter(session_factory(engine), interval=30, block=3)
               for _ in range(2)]
    got: list[list[int]] = [[], []]

    def run(n: int) -> None:
        for i in range(30):
            got[n].append(writers[n].submit(query=f"w{n}-{i}"))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got[0]) | set(got[1])) == 60
    for w in writers:
        w.flush()
    assert len(_logged(engine)) == 60


def test_reservation_starts_after_rows_already_there(session) -> None:
    session.add_all([SearchLog(query="cũ"), SearchLog(query="cũ 2")])
    session.commit()
    top = session.scalar(select(func.max(SearchLog.id)))
    first = reserve_ids(session, "search_log", 5, top)
    assert first == range(top + 1, top + 6)
    assert reserve_ids(session, "search_log", 5, 0) == range(top + 6, top + 11)
    assert session.get(IdBlock, "search_log").next_id == top + 11


def test_a_row_whose_id_was_taken_is_still_written(engine) -> None:
    writer = SearchLogWriter(session_factory(engine), interval=30)
    sid = writer.submit(query="mới")
    with session_factory(engine)() as s:  # a row written some other way takes the id
        s.add(SearchLog(id=sid, query="khác"))
        s.commit()
    writer.flush()
    logged = _logged(engine)
    assert logged[sid] == "khác" and sorted(logged.values()) == ["khác", "mới"]


def test_rows_wait_while_the_database_cannot_be_written(engine) -> None:
    good = session_factory(engine)
    down = {"on": False}

    def sessions():
        if down["on"]:
            raise OperationalError("INSERT", {}, Exception("database is down"))
        return good()

    writer = SearchLogWriter(sessions, interval=30)
    sid = writer.submit(query="trước")  # reserves its block while the database is up
    down["on"] = True
    with pytest.raises(OperationalError):
        writer.flush()
    assert writer.pending_ids() == {sid}
    down["on"] = False
    assert writer.flush() == 1 and _logged(engine) == {sid: "trước"}


CHILD = textwrap.dedent("""
    import sys, time
    from recommender.store.db import make_engine, session_factory
    from recommender.store.searchlog import SearchLogWriter

    writer = SearchLogWriter(session_factory(make_engine(sys.argv[1])),
                             interval=float(sys.argv[2]))
    for i in range(int(sys.argv[3])):
        sid = writer.submit(query=f"q{i}")
        print(sid, time.monotonic(), flush=True)
        time.sleep(float(sys.argv[4]))
""")


def _child(url: str, interval: float, count: int, pause: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", CHILD, url, str(interval), str(count),
                             str(pause)], stdout=subprocess.PIPE, text=True, env=env)


@pytest.fixture()
def sqlite_url(tmp_path, sqlite_template) -> str:
    import shutil

    path = tmp_path / "log.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_a_clean_exit_loses_nothing(sqlite_url) -> None:
    from recommender.store.db import make_engine

    child = _child(sqlite_url, 60.0, 40, 0)  # the interval never passes: written at exit
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0
    ids = {int(line.split()[0]) for line in out.splitlines()}
    engine = make_engine(sqlite_url)
    assert len(ids) == 40 and set(_logged(engine)) == ids
    engine.dispose()


def test_a_crash_loses_at_most_the_last_second(sqlite_url) -> None:
    from recommender.store.db import make_engine

    child = _child(sqlite_url, 0.2, 100_000, 0.01)
    submitted: list[tuple[int, float]] = []
    started = time.monotonic()
    for line in child.stdout:
        sid, when = line.split()
        submitted.append((int(sid), float(when)))
        if time.monotonic() - started > 3:
            break
    child.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    child.wait(timeout=30)
    child.stdout.close()
    engine = make_engine(sqlite_url)
    written = set(_logged(engine))
    engine.dispose()
    lost = [when for sid, when in submitted if sid not in written]
    assert len(written) > 50
    assert all(killed - when <= 1.0 for when in lost), (len(lost), killed - min(lost))
