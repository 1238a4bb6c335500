"""Rebuild jobs: the database lease, the run history, progress, start_rebuild, scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from recommender.matching import default_model
from recommender.serving.rebuild import (
    ABANDONED,
    REBUILD_JOB,
    JobBusyError,
    process_name,
    recent_runs,
    running_run,
)
from recommender.store.leases import Lease
from recommender.store.models import IndexRun, RunStatus
from webapp.jobs import run_rebuild, start_rebuild

from .conftest import make_app, write_corpus
from .test_index_cli import QRELS, QUERIES

LEASE_S = 3.0
"""Short leases, so a killed holder's lease expires within the test."""
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("jobs")


@pytest.fixture(scope="module")
def labels(root):
    (root / "q.jsonl").write_text(QUERIES, encoding="utf-8")
    (root / "qrels.tsv").write_text(QRELS, encoding="utf-8")
    return {"queries": str(root / "q.jsonl"), "qrels": str(root / "qrels.tsv")}


@pytest.fixture(scope="module")
def app(root, config, suppliers):
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    yield make_app(root, suppliers, BUILD_INDEX_ON_START=False, REBUILD_LEASE_S=LEASE_S)
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _sessions(app):
    return app.extensions["ketnoi_db"].sessions


def _run(app, run_id: int) -> IndexRun:
    with _sessions(app)() as session:
        return session.get(IndexRun, run_id)


def _wait_finished(app, run_id: int, timeout: float = 300) -> IndexRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _run(app, run_id)
        if run.status != RunStatus.RUNNING:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still running after {timeout} s")


def _not_cached(app, config) -> int:
    """Profile texts the encoder would have to embed now."""
    from recommender.embed.encoder import EmbeddingCache
    from recommender.serving.profiles import read_profiles

    encoder = app.extensions["ketnoi_catalog"].encoder(config)
    keys = {EmbeddingCache.key(encoder._prepare(p.search_text))
            for p in read_profiles(_sessions(app))}
    return len(keys - set(encoder.cache.get_many(encoder.model_id, list(keys))))


def test_a_run_is_recorded_promoted_then_refused_by_the_gate(app, labels, config) -> None:
    catalog = app.extensions["ketnoi_catalog"]
    fresh = _not_cached(app, config)
    run = run_rebuild(app, "cli", **labels)
    assert run.status == RunStatus.PROMOTED, run.message
    assert run.trigger == "cli" and run.host == process_name() and run.finished_at
    assert run.profile_count == 12 and run.embedded_count == fresh
    assert run.duration_s > 0 and run.metrics["nDCG@10"] == 100.0
    assert run.version_id == catalog.store.current().version_id == catalog.version
    assert run.progress == {"stage": "done", "done": 1, "total": 1, "percent": 100.0}
    assert run.message.startswith(f"promoted {run.version_id}")
    assert _not_cached(app, config) == 0
    # the match decision is refitted for the version: three labelled queries over twelve
    # suppliers are too few, so the version says why and is served with the shipped one
    decided = catalog.store.current().match_model
    assert decided["labelled_queries"] == 3 and "too few" in decided["not_fitted"]
    assert catalog.match_model is default_model()

    served = catalog.store.current()
    served.metrics["nDCG@10"] = 150.0  # pretend the served version was much better
    catalog.store.write(served)
    refused = run_rebuild(app, "cli", **labels)
    assert refused.status == RunStatus.REFUSED
    assert "nDCG@10 fell by 50.00 points" in refused.message
    assert refused.embedded_count == 0  # every text came from the cache
    assert refused.version_id != served.version_id
    assert catalog.store.current().version_id == served.version_id
    with _sessions(app)() as session:
        runs = recent_runs(session, 2)
    assert [r.id for r in runs] == [refused.id, run.id]


def test_a_held_lease_skips_the_cli_rebuild_with_the_reason(app, labels) -> None:
    lease = Lease.acquire(_sessions(app), REBUILD_JOB, "otherhost:4242 (schedule)", 60)
    try:
        runner = app.test_cli_runner()
        status = runner.invoke(args=["index", "status"]).output
        assert "rebuild lease held by otherhost:4242 (schedule) since " in status
        result = runner.invoke(args=["index", "rebuild", "--queries", labels["queries"],
                                     "--qrels", labels["qrels"]])
    finally:
        lease.release()
    assert result.exit_code == 1
    assert ("rebuild did not start: another index rebuild is running: otherhost:4242 "
            "(schedule) since ") in result.output
    with _sessions(app)() as session:
        last = recent_runs(session, 1)[0]
    assert last.status == RunStatus.SKIPPED and last.trigger == "cli"
    assert "otherhost:4242 (schedule)" in last.message
    status = app.test_cli_runner().invoke(args=["index", "status"]).output
    assert f"#{last.id} " in status and "skipped" in status


def test_start_rebuild_returns_at_once_and_finishes_in_the_background(app) -> None:
    started = time.monotonic()
    run_id = start_rebuild(app, "staff", account_id=7, force=True)
    assert time.monotonic() - started < 5
    assert _run(app, run_id).status == RunStatus.RUNNING
    with pytest.raises(JobBusyError) as busy:
        start_rebuild(app, "staff", account_id=8)
    assert f"{process_name()} (staff) since " in str(busy.value)
    assert _run(app, busy.value.run_id).status == RunStatus.SKIPPED
    assert _run(app, busy.value.run_id).account_id == 8
    with _sessions(app)() as session:
        assert running_run(session).id == run_id
    seen = []
    deadline = time.monotonic() + 300
    while (run := _run(app, run_id)).status == RunStatus.RUNNING:
        seen.append(run.progress["percent"])
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert seen == sorted(seen)  # the bar never goes back
    assert run.status == RunStatus.PROMOTED and run.account_id == 7, run.message
    assert run.progress["stage"] == "done" and run.progress["percent"] == 100.0
    assert app.extensions["ketnoi_catalog"].version == run.version_id
    with _sessions(app)() as session:
        assert running_run(session) is None


def _subprocess_env(app, root) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"],
               KETNOI_INSTANCE_DIR=str(root), KETNOI_REBUILD_LEASE_S=str(LEASE_S),
               KETNOI_SAMPLE_CORPUS=app.config["SAMPLE_CORPUS"], PYTHONPATH=str(REPO))
    env.pop("FLASK_APP", None)
    return env


def test_second_process_is_refused_then_a_killed_run_is_failed_and_taken_over(
        app, root, labels) -> None:
    """A rebuild in another process holds the lease; killed with -9, it is cleaned up."""
    assert Path(app.config["INDEX_DIR"]) == root / "index"
    with _sessions(app)() as session:
        before = max((r.id for r in recent_runs(session, 50)), default=0)
    other = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "index", "rebuild", "--force",
         "--queries", labels["queries"], "--qrels", labels["qrels"]],
        cwd=REPO, env=_subprocess_env(app, root), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180
        theirs = None
        while theirs is None:
            assert other.poll() is None, other.communicate()[0]
            assert time.monotonic() < deadline, "the other process never started its run"
            with _sessions(app)() as session:
                theirs = session.scalars(select(IndexRun).where(
                    IndexRun.id > before, IndexRun.status == RunStatus.RUNNING)).first()
            time.sleep(0.05)
        assert theirs.host.endswith(f":{other.pid}")
        with pytest.raises(JobBusyError) as busy:
            run_rebuild(app, "schedule", **labels)
        assert f"{theirs.host} (cli) since " in str(busy.value)
        skipped = _run(app, busy.value.run_id)
        assert skipped.status == RunStatus.SKIPPED and skipped.trigger == "schedule"
    finally:
        other.send_signal(signal.SIGKILL)
        other.communicate(timeout=30)  # reaps it and closes its pipe
    with _sessions(app)() as session:  # its lease has not expired yet: still "running"
        assert running_run(session).id == theirs.id
    time.sleep(LEASE_S + 0.5)
    with _sessions(app)() as session:
        failed = next(r for r in recent_runs(session) if r.id == theirs.id)
    assert failed.status == RunStatus.FAILED and failed.message.startswith(ABANDONED)
    taken = run_rebuild(app, "schedule", force=True, **labels)  # the dead lease is taken over
    assert taken.status == RunStatus.PROMOTED, taken.message


def test_a_failure_is_recorded_as_failed(app, tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    run = run_rebuild(app, "cli", queries=bad, qrels=bad, force=True)
    assert run.status == RunStatus.FAILED and run.finished_at and run.message
    assert run.progress["stage"] != "done"
    with pytest.raises(ValueError, match="trigger must be one of"):
        run_rebuild(app, "cron")


# -- scheduler ---------------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "fields"), [
    ("0 2 * * *", {"minute": "0", "hour": "2", "day_of_week": "*"}),
    ("30 1 * * 1-5", {"minute": "30", "hour": "1", "day_of_week": "mon,tue,wed,thu,fri"}),
    ("0 3 * * 0", {"day_of_week": "sun"}),
    ("0 3 * * 7", {"day_of_week": "sun"}),
    ("0 3 * * */2", {"day_of_week": "sun,tue,thu,sat"}),
    ("*/15 8-17 1 * *", {"minute": "*/15", "hour": "8-17", "day": "1"}),
])
def test_cron_expressions_are_read_as_crontab_reads_them(expression, fields) -> None:
    from webapp.scheduler import parse_cron

    trigger = parse_cron(expression, "Asia/Ho_Chi_Minh")
    got = {f.name: str(f) for f in trigger.fields}
    for name, value in fields.items():
        assert got[name] == value, name
    assert str(trigger.timezone) == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(("expression", "message"), [
    ("0 25 * * *", "hour field '25'"),
    ("61 2 * * *", "minute field '61'"),
    ("0 2 32 * *", "day of month field '32'"),
    ("0 2 * 13 *", "month field '13'"),
    ("0 2 * * 8", "day of week field '8'"),
    ("0 2 * *", "has 4 fields; a crontab schedule has 5"),
    ("0 2 1 * 1", "restricts both the day of month and the day of week"),
    ("0 2 31 2 *", "never comes"),
])
def test_bad_cron_expressions_name_the_field(expression, message) -> None:
    from webapp.scheduler import CronError, parse_cron

    with pytest.raises(CronError, match=message.replace("*", r"\*")):
        parse_cron(expression, "Asia/Ho_Chi_Minh")
    with pytest.raises(CronError, match="unknown time zone 'Mars/Base'"):
        parse_cron("0 2 * * *", "Mars/Base")


def test_scheduler_help_and_bad_schedules(tmp_path, suppliers) -> None:
    small = make_app(tmp_path, suppliers, BUILD_INDEX_ON_START=False, REBUILD_CRON="0 2 * *")
    runner = small.test_cli_runner()
    text = " ".join(runner.invoke(args=["scheduler", "--help"]).output.split())
    for phrase in ("KETNOI_REBUILD_CRON", "'0 2 * * *'", "Asia/Ho_Chi_Minh", "--once",
                   "0 or 7 is Sunday", "recorded as skipped", "index status",
                   "docs/scheduling.md", "SIGTERM"):
        assert phrase in text, phrase
    bad = runner.invoke(args=["scheduler"])
    assert bad.exit_code == 1 and "bad schedule (KETNOI_REBUILD_CRON): '0 2 * *' has 4" \
        in bad.output
    bad = runner.invoke(args=["scheduler", "--cron", "0 25 * * *"])
    assert bad.exit_code == 1 and "bad schedule (--cron): hour field '25'" in bad.output


def test_scheduler_once_records_a_schedule_run(tmp_path, suppliers, config,
                                               monkeypatch) -> None:
    monkeypatch.setenv("KETNOI_CACHE_DIR", str(config.cache_dir))
    small = make_app(tmp_path, suppliers, BUILD_INDEX_ON_START=False)
    result = small.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("promoted ")
    with _sessions(small)() as session:
        runs = recent_runs(session)
    assert [(r.trigger, r.status) for r in runs] == [("schedule", RunStatus.PROMOTED)]
    assert small.extensions["ketnoi_catalog"].version == runs[0].version_id


def test_scheduler_runs_until_sigterm(tmp_path, suppliers) -> None:
    corpus = write_corpus(tmp_path, suppliers)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'ketnoi.sqlite3'}",
               KETNOI_INSTANCE_DIR=str(tmp_path), KETNOI_SAMPLE_CORPUS=corpus,
               KETNOI_REBUILD_TZ="UTC", PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "scheduler", "--cron",
         "30 1 * * 1-5"], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        while line and "scheduler started" not in line:
            line = proc.stderr.readline()
        assert "index rebuild at cron[" in line and "(UTC); next run " in line, line
        assert "T01:30+00:00" in line
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, rest
    assert "scheduler stopped" in rest
