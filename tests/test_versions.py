"""Versioned index directories: promotion, rollback, fallback, gate, lock, prune."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from recommender.versions import (
    CURRENT_FILE,
    LOCK_FILE,
    IndexStore,
    RebuildBusyError,
    UnsafeVersionError,
    VersionNotFoundError,
    rebuild,
)


@pytest.fixture()
def docs(suppliers):
    ids = sorted(suppliers)
    return ids, [suppliers[i] for i in ids]


def _build(store, encoder, config, docs, fingerprint="f", **kw):
    ids, texts = docs
    return rebuild(store, encoder, ids, texts, fingerprint, config, show_progress=False, **kw)


def test_promotion_and_rollback(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    assert store.current() is None and store.load_current(encoder, config) is None
    first = _build(store, encoder, config, docs).version
    second = _build(store, encoder, config, docs, "g").version
    assert first.version_id < second.version_id
    assert store.current().version_id == second.version_id
    assert store.previous().version_id == first.version_id
    assert [v.version_id for v in store.list()] == [first.version_id, second.version_id]
    info = json.loads((second.path / "version.json").read_text())
    assert info["status"] == "ready" and info["profile_count"] == 12
    assert info["model_id"] == encoder.model_id and info["fingerprint"] == "g"
    assert info["encoder_backend"] == encoder.backend
    index, served = store.load_current(encoder, config)
    assert served.version_id == second.version_id and len(index) == 12
    assert index.search("bó dây điện ô tô", 1)[0].doc_id == 6
    assert store.rollback().version_id == first.version_id
    assert store.current().version_id == first.version_id
    assert store.rollback(second.version_id).version_id == second.version_id
    with pytest.raises(VersionNotFoundError):
        store.rollback("20990101T000000000000Z-deadbeef")
    # CURRENT is a whole JSON document, replaced in one rename: no temporary file left behind
    assert json.loads((tmp_path / CURRENT_FILE).read_text())["version"] == second.version_id
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_corrupt_current_falls_back_and_is_recorded(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    first = _build(store, encoder, config, docs).version
    second = _build(store, encoder, config, docs, "g").version
    data = next((second.path / "vectors").glob("index-*"))
    data.write_bytes(data.read_bytes()[:-16])  # truncated, as by a full disk
    index, served = store.load_current(encoder, config)
    assert served.version_id == first.version_id and len(index) == 12
    assert store.current().version_id == second.version_id  # CURRENT left for staff to see
    errors = store.load_errors()
    assert errors[-1]["version"] == second.version_id
    assert "corrupt" in errors[-1]["error"]


def test_half_built_directory_is_ignored_and_cleaned(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    good = _build(store, encoder, config, docs).version
    # a build killed with kill -9 after saving the vectors, before version.json
    half = tmp_path / "versions" / "29990101T000000000000Z-0badf00d"
    (half / "vectors").mkdir(parents=True)
    (half / "vectors" / "manifest.json").write_text("{}")
    unready = tmp_path / "versions" / "29990101T000000000001Z-0badf00e"
    unready.mkdir()
    (unready / "version.json").write_text(json.dumps({"status": "building"}))
    assert [v.version_id for v in store.list()] == [good.version_id]
    assert store.load_current(encoder, config)[1].version_id == good.version_id
    assert {p.name for p in store.incomplete()} == {half.name, unready.name}
    _build(store, encoder, config, docs, "g")
    assert not half.exists() and not unready.exists()
    assert store.incomplete() == []


def test_quality_gate_refuses_a_worse_version_unless_forced(
        tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    scores = iter([80.0, 76.5, 79.5, 70.0])  # forced metrics: the real index does not change

    def evaluate(_index):
        return {"nDCG@10": next(scores), "R@10": 90.0}

    first = _build(store, encoder, config, docs, evaluate=evaluate)
    assert first.promoted and first.version.metrics["nDCG@10"] == 80.0
    worse = _build(store, encoder, config, docs, evaluate=evaluate)
    assert not worse.promoted
    assert "nDCG@10 fell by 3.50 points (nDCG@10 80.00 -> 76.50)" in worse.message
    assert "--force" in worse.message
    assert store.current().version_id == first.version.version_id
    assert store.get(worse.version.version_id).gate.startswith("refused")
    within = _build(store, encoder, config, docs, evaluate=evaluate)  # 0.5 point: allowed
    assert within.promoted
    forced = _build(store, encoder, config, docs, evaluate=evaluate, force=True)
    assert forced.promoted and "by force" in forced.version.gate
    assert store.current().version_id == forced.version.version_id


def test_quality_gate_tolerance_is_configurable(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    scores = iter([80.0, 76.5])
    _build(store, encoder, config, docs, evaluate=lambda _i: {"nDCG@10": next(scores)})
    looser = _build(store, encoder, config, docs, tolerance=5.0,
                    evaluate=lambda _i: {"nDCG@10": next(scores)})
    assert looser.promoted
    with pytest.raises(ValueError, match="tolerance"):
        _build(store, encoder, config, docs, tolerance=-1)


def test_two_rebuilds_at_once_one_is_refused(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    entered, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow_evaluate(_index):
        entered.set()
        release.wait(60)
        return {"nDCG@10": 50.0}

    def first():
        outcome["first"] = _build(store, encoder, config, docs, evaluate=slow_evaluate)

    worker = threading.Thread(target=first)
    worker.start()
    try:
        assert entered.wait(120)
        with pytest.raises(RebuildBusyError, match=f"process {os.getpid()}"):
            _build(store, encoder, config, docs)
    finally:
        release.set()
        worker.join(120)
    assert outcome["first"].promoted and len(store.list()) == 1
    assert not (tmp_path / LOCK_FILE).exists()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path, encoder, config, docs) -> None:
    import socket

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (tmp_path / LOCK_FILE).write_text(json.dumps(
        {"pid": int(dead.stdout), "host": socket.gethostname(), "started_at": "earlier"}))
    assert _build(IndexStore(tmp_path), encoder, config, docs).promoted


def test_prune_keeps_current_and_previous(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    built = [_build(store, encoder, config, docs, str(n)).version.version_id for n in range(4)]
    store.rollback(built[1])  # current: the second; previous: the fourth
    removed = store.prune(keep=0)
    assert sorted(removed) == [built[0], built[2]]
    assert {v.version_id for v in store.list()} == {built[1], built[3]}
    assert store.current().version_id == built[1]
    assert store.prune(keep=1) == []
    with pytest.raises(ValueError):
        store.prune(keep=-1)


def test_empty_lock_file_is_stale_only_after_a_while(tmp_path, encoder, config, docs) -> None:
    lock = tmp_path / LOCK_FILE
    lock.write_text("")  # crashed between creating the lock and writing who holds it
    with pytest.raises(RebuildBusyError, match="delete"):
        _build(IndexStore(tmp_path), encoder, config, docs)
    os.utime(lock, (0, 0))
    assert _build(IndexStore(tmp_path), encoder, config, docs).promoted


def test_version_ids_cannot_leave_the_versions_directory(tmp_path) -> None:
    store = IndexStore(tmp_path)
    for bad in ("", "../x", ".hidden", "a/b"):
        with pytest.raises(VersionNotFoundError):
            store.get(bad)


def test_build_reports_progress_by_stage(tmp_path, encoder, config, docs, monkeypatch) -> None:
    """Stages arrive in order; the embedding total counts only texts not in the cache."""
    import uuid

    import numpy as np

    from recommender.embed import encoder as encoder_module

    monkeypatch.setattr(encoder_module, "PROGRESS_CHUNK_BATCHES", 1)  # several reports
    tag = uuid.uuid4().hex  # texts no earlier test put in the embedding cache
    ids = list(range(1, 41))
    texts = [f"Xưởng số {i} ({tag}): gia công cơ khí, ép nhựa và sơn tĩnh điện." for i in ids]
    seen: list[tuple[str, int, int]] = []
    store = IndexStore(tmp_path)
    index, _ = store.build(encoder, ids, texts, "p", config, show_progress=False,
                           progress=lambda *event: seen.append(event))
    assert seen[0] == ("embedding", 0, 40)
    embedding = [e for e in seen if e[0] == "embedding"]
    batch = encoder.config.batch_size
    assert [e[1] for e in embedding] == [0, *range(batch, 40, batch), 40]
    assert seen[-2:] == [("indexing", 0, 1), ("indexing", 1, 1)]
    assert index.search(texts[6], 1)[0].doc_id == 7
    # chunked encoding gives the vectors one call would have given
    one_call = encoder._encode([encoder._prepare(t) for t in texts[:3]],
                               encoder.config.passage_prompt, False)
    cached = encoder.encode_passages(texts[:3], show_progress=False)
    assert np.allclose(np.vstack(cached), one_call, atol=1e-5)

    again: list[tuple[str, int, int]] = []
    store.build(encoder, ids, texts, "p", config, show_progress=False,
                progress=lambda *event: again.append(event))
    assert again[0] == ("embedding", 0, 0)  # everything came from the cache


@pytest.mark.parametrize(("part", "said"), [
    ("vectors/index-*", "corrupt or truncated: its sha256"),
    ("vectors/manifest.json", "manifest"),
    ("lexical/lexical.jsonl.gz", "checksum"),
    ("lexical/lexical-manifest.json", "unreadable"),
    ("windows.json", "unreadable"),
    ("version.json", "missing or unfinished"),
])
def test_truncated_file_of_each_kind_is_detected_and_the_previous_version_served(
        tmp_path, encoder, config, docs, part, said) -> None:
    """A full disk or a crash of the storage can leave any file of a version cut short."""
    store = IndexStore(tmp_path)
    first = _build(store, encoder, config, docs).version
    second = _build(store, encoder, config, docs, "g").version
    victim = next(second.path.glob(part))
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    index, served = store.load_current(encoder, config)
    assert served.version_id == first.version_id and len(index) == 12
    assert index.search("bó dây điện ô tô", 1)[0].doc_id == 6
    assert store._pointer()["version"] == second.version_id  # CURRENT left for staff to see
    error = store.load_errors()[-1]
    assert error["version"] == second.version_id
    assert said in error["error"], error


def test_a_failed_learning_step_does_not_stop_the_rebuild(tmp_path, encoder, config,
                                                          docs) -> None:
    def broken(_index):
        raise RuntimeError("interaction log unreadable")

    result = _build(IndexStore(tmp_path), encoder, config, docs, learn=broken)
    assert result.promoted and result.version.weights is None
    assert "learning failed" in result.version.learning["reason"]
    assert "interaction log unreadable" in result.version.learning["reason"]


def test_the_match_decision_is_fitted_on_the_index_served_and_kept_in_the_version(
        tmp_path, encoder, config, docs) -> None:
    seen = []

    def fit(index):
        seen.append(index)
        return {"coef": [0.5], "calibration": {"brier": 0.1}}

    store = IndexStore(tmp_path)
    result = _build(store, encoder, config, docs, fit_decision=fit)
    assert result.promoted and len(seen) == 1 and len(seen[0].lexical) == len(docs[0])
    assert result.version.match_model == {"coef": [0.5], "calibration": {"brier": 0.1}}
    assert store.current().match_model == result.version.match_model  # read back


def _stopped_during_evaluation(store, encoder, config, docs, fingerprint="x"):
    """A rebuild that dies while evaluating: its version is complete but never gated."""
    def dies(_index):
        raise RuntimeError("killed during evaluation")

    with pytest.raises(RuntimeError, match="killed during evaluation"):
        _build(store, encoder, config, docs, fingerprint, evaluate=dies)
    (leftover,) = store.unchecked()
    assert leftover.gate is None and leftover.metrics is None and leftover.admitted is None
    return leftover


def _truncate(version) -> None:
    data = next((version.path / "vectors").glob("index-*"))
    data.write_bytes(data.read_bytes()[:-16])


def test_fallback_goes_only_to_a_version_that_passed_the_gate(
        tmp_path, encoder, config, docs) -> None:
    import shutil
    from dataclasses import replace

    store = IndexStore(tmp_path)
    gated = _build(store, encoder, config, docs).version
    third = _build(store, encoder, config, docs, "g").version
    fourth = _build(store, encoder, config, docs, "h").version
    assert gated.admitted == third.admitted == fourth.admitted == "gate"
    # complete files, no metrics, never promoted: a rebuild killed during its evaluation,
    # built after the gated version and before the two newest
    leftover = replace(gated, version_id=gated.version_id[:-8] + "ffffffff", gate=None,
                       admitted=None, metrics=None)
    leftover.path = store.versions_dir / leftover.version_id
    shutil.copytree(gated.path, leftover.path)
    store.write(leftover)
    assert gated.version_id < leftover.version_id < third.version_id
    assert [v.version_id for v in store.unchecked()] == [leftover.version_id]
    _truncate(third)
    _truncate(fourth)
    index, served = store.load_current(encoder, config)
    assert served.version_id == gated.version_id and len(index) == 12
    assert {e["version"] for e in store.load_errors()} == {third.version_id, fourth.version_id}


def test_a_rebuild_removes_versions_left_unchecked(tmp_path, encoder, config, docs) -> None:
    store = IndexStore(tmp_path)
    scores = iter([80.0, 50.0, 80.0])
    first = _build(store, encoder, config, docs, evaluate=lambda _i: {"nDCG@10": next(scores)})
    refused = _build(store, encoder, config, docs, "r",
                     evaluate=lambda _i: {"nDCG@10": next(scores)})
    assert not refused.promoted and refused.version.admitted is None
    leftover = _stopped_during_evaluation(store, encoder, config, docs)
    assert leftover.version_id in {v.version_id for v in store.list()}
    again = _build(store, encoder, config, docs, "g",
                   evaluate=lambda _i: {"nDCG@10": next(scores)})
    assert again.promoted
    kept = {v.version_id for v in store.list()}
    assert leftover.version_id not in kept and not leftover.path.exists()
    # the refused version was checked: kept for staff to look at (and force)
    assert kept == {first.version.version_id, refused.version.version_id,
                    again.version.version_id}


def test_rollback_refuses_a_damaged_or_unchecked_version(tmp_path, encoder, config,
                                                         docs) -> None:
    store = IndexStore(tmp_path)
    scores = iter([80.0, 80.0, 50.0])
    first = _build(store, encoder, config, docs,
                   evaluate=lambda _i: {"nDCG@10": next(scores)}).version
    second = _build(store, encoder, config, docs, "g",
                    evaluate=lambda _i: {"nDCG@10": next(scores)}).version
    refused = _build(store, encoder, config, docs, "r",
                     evaluate=lambda _i: {"nDCG@10": next(scores)}).version
    leftover = _stopped_during_evaluation(store, encoder, config, docs)

    with pytest.raises(UnsafeVersionError, match="never checked by the quality gate"):
        store.rollback(leftover.version_id)
    with pytest.raises(UnsafeVersionError, match=r"quality check refused it .*--force"):
        store.rollback(refused.version_id)
    _truncate(first)
    with pytest.raises(UnsafeVersionError, match="its files failed verification"):
        store.rollback(first.version_id, encoder=encoder, config=config)
    # recorded: refused from now on, with or without a check of the files
    assert store.load_errors()[-1]["version"] == first.version_id
    with pytest.raises(UnsafeVersionError, match="it failed to load on "):
        store.rollback(first.version_id)
    with pytest.raises(UnsafeVersionError, match="it failed to load on "):
        store.rollback()  # the previous version, by default
    assert store.current().version_id == second.version_id and not store.pinned()

    forced = store.rollback(refused.version_id, force=True, encoder=encoder, config=config)
    assert forced.admitted == "force" and store.pinned()
    assert store.get(refused.version_id).gate.startswith("promoted by force by a rollback")
    assert store.current().version_id == refused.version_id


def test_a_pinned_rollback_holds_until_unpinned_or_forced(tmp_path, encoder, config,
                                                          docs) -> None:
    store = IndexStore(tmp_path)
    first = _build(store, encoder, config, docs).version
    second = _build(store, encoder, config, docs, "g").version
    assert store.unpin() is None  # nothing pinned yet
    assert store.rollback().version_id == first.version_id and store.pinned()

    held = _build(store, encoder, config, docs, "h")
    assert not held.promoted
    assert "skipped promotion because staff pinned " + first.version_id in held.message
    assert "index unpin" in held.message and "--force" in held.message
    assert held.version.gate.startswith("passed, not promoted (pinned)")
    assert held.version.admitted == "gate"  # checked: staff may still roll forward to it
    assert store.current().version_id == first.version_id and store.pinned()

    assert store.unpin().version_id == first.version_id and not store.pinned()
    assert store.current().version_id == first.version_id
    assert _build(store, encoder, config, docs, "i").promoted

    store.rollback(second.version_id)
    forced = _build(store, encoder, config, docs, "j", force=True)
    assert forced.promoted and not store.pinned()
    assert store.current().version_id == forced.version.version_id


def test_a_store_with_no_version_yet_answers_its_questions(tmp_path) -> None:
    """The staff console asks a fresh installation (no index built) whether it is pinned."""
    store = IndexStore(tmp_path / "index")
    assert store.pinned() is False and store.current() is None
