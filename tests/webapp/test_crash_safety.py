"""Crash safety of `flask --app webapp index rebuild`: kill -9 at each stage, full disk.

The rebuilds are real processes (``python -m flask --app webapp index rebuild``
over the small supplier set, sharing this test's database and index directory);
``KETNOI_TEST_PAUSE_AT`` (:mod:`recommender.faults`) stops one at a named point
and the test kills it there with SIGKILL. Meanwhile the app in this process keeps
answering searches from the serving version.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recommender.versions import LOCK_FILE, IndexStore

from .conftest import make_app, write_corpus

REPO = Path(__file__).resolve().parents[2]
QUERIES = '{"query_id": "a", "text": "bó dây điện ô tô", "lang": "vi"}\n'
QRELS = "query_id\texternal_id\tgrade\na\tSUP-00006\t2\n"
START_S = 300.0
LEASE_S = 2.0
"""The rebuild lease of the processes here: a killed holder's lease expires this soon."""


@pytest.fixture(scope="module")
def site(tmp_path_factory, config, suppliers):
    """An app serving a promoted version, and what a rebuild process needs to share it."""
    root = tmp_path_factory.mktemp("crash")
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    instance = root / "instance"
    app = make_app(root, suppliers, INDEX_DIR=str(instance / "index"))
    assert app.extensions["ketnoi_catalog"].wait(300)
    (root / "q.jsonl").write_text(QUERIES, encoding="utf-8")
    (root / "qrels.tsv").write_text(QRELS, encoding="utf-8")
    env = {**os.environ, "KETNOI_INSTANCE_DIR": str(instance),
           "DATABASE_URL": app.config["DATABASE_URL"],
           "KETNOI_SAMPLE_CORPUS": write_corpus(root, suppliers),
           "KETNOI_CACHE_DIR": str(config.cache_dir), "KETNOI_CHANGE_POLL_S": "0",
           "KETNOI_REBUILD_LEASE_S": str(LEASE_S)}
    for name in ("KETNOI_TEST_PAUSE_AT", "KETNOI_TEST_PAUSE_FILE"):
        env.pop(name, None)
    yield {"app": app, "root": root, "env": env, "store": IndexStore(instance / "index")}
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _command(site) -> list[str]:
    root = site["root"]
    return [sys.executable, "-m", "flask", "--app", "webapp", "index", "rebuild",
            "--queries", str(root / "q.jsonl"), "--qrels", str(root / "qrels.tsv"),
            "--tolerance", "100"]


def _killed_at(site, point: str) -> int:
    """Start a rebuild, wait until it reaches ``point``, kill -9 it; returns its pid."""
    marker = site["root"] / f"paused-{point}"
    marker.unlink(missing_ok=True)
    time.sleep(LEASE_S + 0.5)  # the database lease of a process killed before has expired
    env = {**site["env"], "KETNOI_TEST_PAUSE_AT": point, "KETNOI_TEST_PAUSE_FILE": str(marker)}
    proc = subprocess.Popen(_command(site), cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + START_S
    try:
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"rebuild ended before {point!r}: {proc.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"rebuild did not reach {point!r} in {START_S:.0f} s")
            time.sleep(0.05)
        assert int(marker.read_text()) == proc.pid
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        proc.stdout.close()
    return proc.pid


def _still_serving(site, version_id: str) -> None:
    """The served version answers, in this process and in a process started now."""
    from recommender.serving.catalog import Catalog

    app, store = site["app"], site["store"]
    assert store.current().version_id == version_id
    res = app.test_client().get("/api/v1/search", query_string={"q": "bó dây điện ô tô"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["items"][0]["external_id"] == "SUP-00006"
    fresh = Catalog(app.extensions["ketnoi_db"].sessions, str(store.root))
    fresh.load_or_build()  # a worker starting now: no build, the same version
    assert fresh.version == version_id
    assert fresh.recommender.recommend("bó dây điện ô tô", 1).items[0].doc_id == 6


def _lock_of(site) -> dict:
    return json.loads((site["store"].root / LOCK_FILE).read_text())


def test_kill_9_at_each_stage_leaves_the_served_version_and_the_next_rebuild_recovers(
        site) -> None:
    store = site["store"]
    serving = store.current().version_id
    runner = site["app"].test_cli_runner()
    left: list[str] = []  # the unfinished directory of the previous killed build
    for point in ("encoded", "saving"):
        pid = _killed_at(site, point)
        _still_serving(site, serving)
        assert _lock_of(site)["pid"] == pid  # the dead process's lock is left behind
        status = runner.invoke(args=["index", "status"]).output
        assert f"process {pid}" in status and "gone" in status
        unfinished = [d.name for d in store.incomplete()]
        assert len(unfinished) == 1, unfinished  # the killed build's directory only:
        assert unfinished[0] not in left  # the one before was removed by this build
        assert unfinished[0] not in {v.version_id for v in store.list()}
        if point == "saving":  # vectors written, the rest not: never served
            half = store.versions_dir / unfinished[0]
            assert (half / "vectors" / "manifest.json").exists()
            assert not (half / "windows.json").exists()
        left = unfinished
    pid = _killed_at(site, "unpromoted")
    _still_serving(site, serving)
    assert _lock_of(site)["pid"] == pid and store.incomplete() == []
    unpromoted = [v for v in store.list() if v.version_id != serving]
    assert len(unpromoted) == 1  # complete and evaluated, never promoted: not served

    time.sleep(LEASE_S + 0.5)
    done = subprocess.run(_command(site), cwd=REPO, env=site["env"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "removing a stale rebuild lock" in done.stderr or "stale" in done.stderr
    assert done.stdout.startswith("promoted ")
    assert not (store.root / LOCK_FILE).exists() and store.incomplete() == []
    new = store.current().version_id
    assert new not in {serving, unpromoted[0].version_id}
    assert store.previous().version_id == serving


@pytest.mark.parametrize("part", ["vectors", "lexical"])
def test_disk_full_while_writing_a_version(site, part, monkeypatch) -> None:
    from recommender.index import manifest
    from recommender.index.lexical import LexicalIndex
    from recommender.serving.follower import wait_until

    store, runner = site["store"], site["app"].test_cli_runner()
    catalog = site["app"].extensions["ketnoi_catalog"]
    # a version promoted by an earlier test's process is swapped in first
    assert wait_until(lambda: catalog.version == store.current().version_id, 120)
    before = {p.name for p in store.versions_dir.iterdir()}
    current, served = store.current().version_id, catalog.version
    pointer = (store.root / "CURRENT").read_bytes()

    def full(directory, *args, **kwargs):
        # part of a file reaches the disk, then the disk is full
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / ".tmp-partial").write_bytes(b"\0" * 4096)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if part == "vectors":
        monkeypatch.setattr(manifest, "write_data_file", full)
    else:
        monkeypatch.setattr(LexicalIndex, "save", lambda self, d: full(d))
    result = runner.invoke(args=["index", "rebuild", "--no-learn", "--queries",
                                 str(site["root"] / "q.jsonl"), "--qrels",
                                 str(site["root"] / "qrels.tsv")])
    assert result.exit_code == 1
    assert "rebuild failed" in result.output
    assert "could not write the new index version" in result.output
    assert "No space left on device" in result.output
    assert f"nothing was promoted, still serving {current}" in result.output
    assert (store.root / "CURRENT").read_bytes() == pointer
    assert catalog.version == served
    assert {p.name for p in store.versions_dir.iterdir()} == before  # nothing half-written
    assert not (store.root / LOCK_FILE).exists()


def test_a_run_killed_after_promoting_is_recorded_as_promoted(site) -> None:
    """The run is what happened: CURRENT names its version, so it was promoted."""
    from sqlalchemy import select

    from recommender.serving.follower import wait_until
    from recommender.store.models import IndexRun, RunStatus

    store, app = site["store"], site["app"]
    before = store.current().version_id
    pid = _killed_at(site, "promoted")
    promoted = store.current().version_id
    assert promoted != before
    time.sleep(LEASE_S + 0.5)  # its lease expires: nobody is running it any more
    status = app.test_cli_runner().invoke(args=["index", "status"]).output
    with app.extensions["ketnoi_db"].sessions() as session:
        run = session.scalars(select(IndexRun).where(IndexRun.host.endswith(f":{pid}"))).one()
    assert run.status == RunStatus.PROMOTED and run.version_id == promoted
    assert run.message.startswith(f"promoted {promoted}; the process stopped")
    assert f"promoted {promoted}; the process stopped" in status
    catalog = app.extensions["ketnoi_catalog"]
    assert wait_until(lambda: catalog.version == promoted, 120)  # and it is served
