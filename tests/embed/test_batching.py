"""Concurrent queries encoded together (recommender.embed.batching).

The first tests drive :class:`QueryBatcher` with a stand-in forward pass that can
be held open, so who waits, who leads and what each pass contains are certain;
the last ones use the real model from real threads.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import threading
import time

import numpy as np
import pytest

from recommender.config import RetrievalConfig
from recommender.embed.batching import QueryBatcher, pass_tokens, plan_passes
from recommender.embed.encoder import QueryVectorCache
from recommender.resources import corpus_file

QUERIES = [json.loads(line)["text"] for line in
           corpus_file("buyer_queries.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]


def vectors(texts: list[str]) -> np.ndarray:
    """What the stand-in model returns: a row that tells texts apart."""
    return np.array([[float(len(t)), float(sum(map(ord, t)))] for t in texts], np.float32)


class HeldModel:
    """A stand-in forward pass that records each call and holds the first open until
    ``release`` is set; the calls numbered in ``fail`` raise."""

    def __init__(self, fail: tuple[int, ...] = ()) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail
        self.entered = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            self.calls.append(list(texts))
            n = len(self.calls)
        if n == 1:
            self.entered.set()
            assert self.release.wait(10)
        if n in self.fail:
            raise RuntimeError(f"pass {n} failed")
        return vectors(texts)


class Caller(threading.Thread):
    """One thread calling ``batcher.encode(texts)``; keeps the result or the error."""

    def __init__(self, batcher: QueryBatcher, texts: list[str]) -> None:
        super().__init__(daemon=True)
        self.batcher, self.texts = batcher, texts
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.batcher.encode(self.texts)
        except BaseException as exc:  # noqa: BLE001 - checked by the test
            self.error = exc

    def finish(self) -> Caller:
        self.join(10)
        assert not self.is_alive(), "a caller is still waiting"
        return self


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def lead_and_queue(batcher: QueryBatcher, model: HeldModel,
                   queued: list[list[str]]) -> tuple[Caller, list[Caller]]:
    """A leader held inside its pass, then ``queued`` callers waiting behind it."""
    leader = Caller(batcher, ["lead"])
    assert model.entered.wait(10)
    followers = []
    for texts in queued:
        before = batcher._queued
        followers.append(Caller(batcher, texts))
        wait_until(lambda n=before + len(texts): batcher._queued == n)
    return leader, followers


def test_callers_arriving_during_a_pass_share_the_next() -> None:
    model = HeldModel()
    batcher = QueryBatcher(model, max_batch=8)
    leader, followers = lead_and_queue(batcher, model, [[f"q{i}"] for i in range(5)])
    assert model.calls == [["lead"]]  # nobody else has been encoded yet
    model.release.set()
    for c in [leader, *followers]:
        c.finish()
        assert c.error is None
        np.testing.assert_array_equal(c.result, vectors(c.texts))
    assert len(model.calls) == 2 and sorted(model.calls[1]) == [f"q{i}" for i in range(5)]
    stats = batcher.stats()
    assert stats["batch_sizes"] == {1: 1, 5: 1} and stats["pass_sizes"] == {1: 1, 5: 1}
    assert (stats["calls"], stats["texts"], stats["alone"], stats["failed"]) == (6, 6, 0, 0)
    assert not batcher._busy and not batcher._queue  # idle again: the next call leads


def test_duplicate_texts_in_a_batch_are_encoded_once() -> None:
    model = HeldModel()
    batcher = QueryBatcher(model, max_batch=8)
    leader, followers = lead_and_queue(batcher, model, [["x"], ["x"], ["y", "x", "y"]])
    model.release.set()
    for c in [leader, *followers]:
        np.testing.assert_array_equal(c.finish().result, vectors(c.texts))
    assert sorted(model.calls[1]) == ["x", "y"]
    stats = batcher.stats()
    assert stats["texts"] == 6 and stats["encoded"] == 3  # 1 + 2 distinct


def test_a_lone_query_never_waits_for_the_deadline() -> None:
    batcher = QueryBatcher(vectors, max_batch=8, wait_ms=2000)
    started = time.monotonic()
    np.testing.assert_array_equal(batcher.encode(["alone"]), vectors(["alone"]))
    assert time.monotonic() - started < 1.0  # the 2 s deadline would have shown
    assert batcher.stats()["batch_sizes"] == {1: 1}


def test_a_leader_from_the_queue_waits_until_the_queue_is_full_not_longer() -> None:
    model = HeldModel()
    batcher = QueryBatcher(model, max_batch=2, wait_ms=5000)
    leader, (first,) = lead_and_queue(batcher, model, [["A"]])
    model.release.set()
    leader.finish()  # "A" now leads the next batch and waits for the queue to fill
    released = time.monotonic()
    time.sleep(0.2)
    assert model.calls == [["lead"]] and first.is_alive()
    second = Caller(batcher, ["B"])
    first.finish()
    second.finish()
    assert time.monotonic() - released < 3.0  # full at 2 texts: no 5 s wait
    assert sorted(model.calls[1]) == ["A", "B"] and len(model.calls) == 2
    np.testing.assert_array_equal(second.result, vectors(["B"]))


def test_a_caller_that_does_not_fit_the_queue_encodes_alone_at_once() -> None:
    model = HeldModel()
    batcher = QueryBatcher(model, max_batch=2)
    leader, followers = lead_and_queue(batcher, model, [["a"], ["b"]])
    full = Caller(batcher, ["c"]).finish()  # returns while the leader is still held
    big = Caller(batcher, ["d", "e", "f"]).finish()  # more than max_batch: never queued
    np.testing.assert_array_equal(full.result, vectors(["c"]))
    np.testing.assert_array_equal(big.result, vectors(["d", "e", "f"]))
    assert leader.is_alive() and all(f.is_alive() for f in followers)
    model.release.set()
    for c in [leader, *followers]:
        np.testing.assert_array_equal(c.finish().result, vectors(c.texts))
    assert batcher.stats()["alone"] == 2


def test_a_failing_pass_raises_in_each_of_its_callers_and_the_next_batch_runs() -> None:
    model = HeldModel(fail=(1,))
    batcher = QueryBatcher(model, max_batch=8)
    leader, followers = lead_and_queue(batcher, model, [["a"], ["b"]])
    model.release.set()
    assert "pass 1 failed" in str(leader.finish().error)
    for c in followers:  # leadership passed on: the queued batch was still encoded
        np.testing.assert_array_equal(c.finish().result, vectors(c.texts))

    model = HeldModel(fail=(2,))
    batcher = QueryBatcher(model, max_batch=8)
    leader, followers = lead_and_queue(batcher, model, [["a"], ["b"], ["c", "d"]])
    model.release.set()
    np.testing.assert_array_equal(leader.finish().result, vectors(["lead"]))
    errors = [c.finish().error for c in followers]
    assert all(isinstance(e, RuntimeError) and "pass 2 failed" in str(e) for e in errors)
    assert batcher.stats()["failed"] == 1 and not batcher._busy
    np.testing.assert_array_equal(batcher.encode(["after"]), vectors(["after"]))


def test_batching_off_calls_the_model_as_before() -> None:
    calls: list[list[str]] = []
    batcher = QueryBatcher(lambda t: calls.append(list(t)) or vectors(t), max_batch=1)
    assert not batcher.enabled
    batcher.encode(["a", "a", "b"])
    assert calls == [["a", "a", "b"]]  # not even deduplicated: straight through
    with pytest.raises(ValueError):
        QueryBatcher(vectors, max_batch=0)
    with pytest.raises(ValueError):
        QueryBatcher(vectors, wait_ms=-1)


def _partitions(items: list[int]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for k in range(len(part)):
            yield part[:k] + [[first, *part[k]]] + part[k + 1:]
        yield [[first], *part]


def _cost(groups, lengths, fixed: float) -> float:
    return sum(fixed + len(g) * max(lengths[i] for i in g) for g in groups)


def test_pass_plan_is_the_cheapest_grouping() -> None:
    assert plan_passes([30, 8, 31, 9], 10) == [[1, 3], [0, 2]]  # short ones, long ones
    assert plan_passes([30, 31, 32], 100) == [[0, 1, 2]]  # a dear pass: share it
    assert plan_passes([5, 40], 0) == [[0], [1]]  # a free pass: never pad
    rng = random.Random(7)
    for _ in range(60):
        lengths = [rng.randint(5, 60) for _ in range(rng.randint(1, 6))]
        fixed = rng.choice([0, 5, 10, 30, 200])
        plan = plan_passes(lengths, fixed)
        assert sorted(i for g in plan for i in g) == list(range(len(lengths)))
        best = min(_cost(p, lengths, fixed) for p in _partitions(list(range(len(lengths)))))
        assert _cost(plan, lengths, fixed) == best, (lengths, fixed, plan)


def test_a_batch_is_encoded_in_the_planned_passes() -> None:
    model = HeldModel()
    batcher = QueryBatcher(model, max_batch=8, lengths=lambda ts: [len(t) for t in ts],
                           pass_tokens=10)
    short, long = ["s" * 8, "t" * 9], ["u" * 30, "v" * 31]
    leader, followers = lead_and_queue(batcher, model, [[short[0]], [long[0]], [short[1]],
                                                        [long[1]]])
    model.release.set()
    for c in [leader, *followers]:
        np.testing.assert_array_equal(c.finish().result, vectors(c.texts))
    assert sorted(map(sorted, model.calls[1:])) == [sorted(short), sorted(long)]
    assert batcher.stats()["batch_sizes"] == {1: 1, 4: 1}
    assert batcher.stats()["pass_sizes"] == {1: 1, 2: 2}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_worker_forked_while_the_batcher_was_in_use_starts_free() -> None:
    batcher = QueryBatcher(vectors, max_batch=4)
    with batcher._cond:  # a parent thread inside the batcher, mid-pass, at the fork
        batcher._busy = True
        pid = os.fork()
        if pid == 0:  # the child: a stuck lock or a phantom pass would hang it
            signal.alarm(5)
            try:
                ok = (np.array_equal(batcher.encode(["x"]), vectors(["x"]))
                      and batcher.stats()["batch_sizes"] == {1: 1})
            except BaseException:  # noqa: BLE001 - reported by the exit status
                ok = False
            os._exit(0 if ok else 1)
        batcher._busy = False
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_settings_reach_the_encoder(encoder, monkeypatch) -> None:
    assert encoder.query_batcher.max_batch == encoder.config.query_batch == 16
    assert encoder.query_batcher.pass_tokens == pass_tokens(encoder.backend)
    monkeypatch.setenv("KETNOI_QUERY_BATCH", "1")
    monkeypatch.setenv("KETNOI_QUERY_BATCH_WAIT_MS", "1.5")
    cfg = RetrievalConfig.from_env()
    assert (cfg.query_batch, cfg.query_batch_wait_ms) == (1, 1.5)
    monkeypatch.setenv("KETNOI_QUERY_BATCH", "0")
    with pytest.raises(ValueError, match="query_batch"):
        RetrievalConfig.from_env()


# --- the real model ------------------------------------------------------------------


@pytest.mark.parametrize("backend", [
    "default",
    # the reference runtime, not the one served: 1-2 min on 2 shared cores
    pytest.param("torch", marks=pytest.mark.slow),
])
def test_a_padded_batch_gives_every_query_its_single_query_vector(
        backend, request) -> None:
    """Batching pads each query to the longest of its pass; the attention mask must keep
    the padding out: every labelled buyer query, alone and in passes of 16 (file order,
    so lengths are mixed: the worst padding a 16-query batch can have)."""
    enc = request.getfixturevalue("encoder" if backend == "default" else "torch_encoder")
    if backend == "torch":
        assert enc.backend == "torch"
    prepared = [enc._prepare(q) for q in QUERIES]
    single = np.vstack([enc._encode_query_batch([q]) for q in prepared])
    chunks = [prepared[s:s + 16] for s in range(0, len(prepared), 16)]
    assert all(len(set(enc._query_lengths(c))) > 1 for c in chunks)  # padding happens
    batched = np.vstack([enc._encode_query_batch(c) for c in chunks])
    cos = (single * batched).sum(axis=1)
    assert len(QUERIES) >= 200 and cos.min() >= 0.9999, (enc.backend, cos.min())


def _fresh_batcher(encoder, monkeypatch) -> QueryBatcher:
    """The session encoder with no query-vector LRU and a batcher of its own."""
    batcher = QueryBatcher(encoder._encode_query_batch, max_batch=16,
                           lengths=encoder._query_lengths,
                           pass_tokens=pass_tokens(encoder.backend))
    monkeypatch.setattr(encoder, "query_cache", QueryVectorCache(0))
    monkeypatch.setattr(encoder, "query_batcher", batcher)
    return batcher


def _in_threads(n: int, work) -> list[BaseException | None]:
    """``work(k)`` in ``n`` threads released together; the error of each, or None."""
    barrier, errors = threading.Barrier(n), [None] * n

    def run(k: int) -> None:
        barrier.wait()
        try:
            work(k)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            errors[k] = exc

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        assert not t.is_alive()
    return errors


def test_concurrent_callers_each_get_their_own_query_vector(encoder, monkeypatch) -> None:
    batcher = _fresh_batcher(encoder, monkeypatch)
    threads, per_thread = 8, 6
    queries = QUERIES[:threads * per_thread]
    single = np.vstack([encoder._encode_query_batch([encoder._prepare(q)]) for q in queries])
    got: dict[int, np.ndarray] = {}

    def work(k: int) -> None:
        for i in range(k, len(queries), threads):
            got[i] = encoder.encode_queries([queries[i]])[0]

    assert _in_threads(threads, work) == [None] * threads
    out = np.vstack([got[i] for i in range(len(queries))])
    cos = (out * single).sum(axis=1)
    assert cos.min() >= 0.9999, cos.min()
    # each caller got its own query's vector, not a neighbour's from the same pass
    assert ((out @ single.T).argmax(axis=1) == np.arange(len(queries))).all()
    stats = batcher.stats()
    assert stats["calls"] == stats["texts"] == len(queries)
    assert max(stats["batch_sizes"]) > 1, stats  # some callers did share a pass
    assert stats["passes"] < len(queries)


def test_a_failing_forward_pass_raises_in_every_caller(encoder, monkeypatch) -> None:
    batcher = _fresh_batcher(encoder, monkeypatch)
    passes = itertools.count()

    def broken(texts, **kwargs):
        next(passes)
        time.sleep(0.05)  # long enough for the other callers to queue behind it
        raise RuntimeError("forward pass failed")

    working = encoder.model.encode
    monkeypatch.setattr(encoder.model, "encode", broken)
    errors = _in_threads(8, lambda k: encoder.encode_queries([QUERIES[k]]))
    assert all(isinstance(e, RuntimeError) and "forward pass failed" in str(e)
               for e in errors), errors
    ran = next(passes)
    assert ran < 8 and batcher.stats()["failed"] >= 1  # some callers shared a failed pass
    monkeypatch.setattr(encoder.model, "encode", working)
    assert not batcher._busy and not batcher._queue  # nothing is left waiting
    assert encoder.encode_queries([QUERIES[0]]).shape == (1, encoder.dim)
