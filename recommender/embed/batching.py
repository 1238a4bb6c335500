"""Concurrent queries encoded together: the queries of several request threads share passes.

A web worker serves several requests at once (gunicorn gthread: 4 threads), and
each request encodes its one query. A forward pass costs a fixed part besides its
work per token: on ONNX Runtime fp32 with one thread, 7.4-8.5 ms per pass plus
0.57 ms per token of each row (a 29-token buyer query, the mean: 24-25 ms); on
torch 25 ms plus 0.58 ms. Queries that share a pass pay the fixed part once. But a
pass pads every row to its longest, and a padded token costs what a real one
does: buyer queries of mixed lengths in one pass cost as much CPU per query as
encoded alone, or more. So :class:`QueryBatcher` collects the queries of
concurrent callers and :func:`plan_passes` splits them into passes of similar
length.

Who encodes what is a leader/follower "group commit", not a timer:

- a caller that finds no batch running encodes at once (it is the *leader*): a
  lone query waits for nothing;
- a caller that arrives while a batch runs joins a small queue (the *followers*);
  when the batch ends, the first follower becomes the next leader and encodes
  the whole queue, duplicates once;
- the queue holds at most ``max_batch`` texts, so a follower waits for at most
  the running batch and its own; a caller that does not fit (or brings more than
  ``max_batch`` texts, e.g. an evaluation run) encodes alone, beside the batches,
  as it would without batching;
- an exception in a batch is raised in every caller whose texts were in it, and
  leadership passes on whatever happens, so a failing model cannot strand a
  waiting thread.

``wait_ms`` lets a leader taken from the queue (never one that found the encoder
idle) wait that long for the queue to fill. The default is 0: in the benchmark
below a 2 ms wait gave the same batch sizes at 4 and 8 callers and CPU per query
within the noise; and with gunicorn's 4 threads a queue of 16 never fills, so
the leader would always wait the whole deadline for nothing.

Measured with ``python benchmarks/bench_query_batching.py --cores 1`` (2026-12-06,
quiet 2-core development machine; one core and one encoder thread, one worker's
share when both workers are busy; ONNX Runtime fp32, query cache off, callers in
a closed loop over the labelled buyer queries, 532 per row; full table in
``benchmarks/README.md``)::

    callers  batching  queries/s  CPU ms/query  p50 ms  p95 ms  texts per batch
          1  off            38.5         25.72    25.1    37.4  1
          1  on             38.2         25.22    25.6    37.2  1
          4  off            38.0         25.96   101.0   156.5  1
          4  on             43.7         22.69   102.0   136.9  1 and 4, alternating
          8  off            38.5         25.43   196.4   289.9  1
          8  on             42.8         22.53   194.2   257.5  1 and 8, alternating
         20  off            39.4         24.17   471.3   810.0  1
         20  on             49.2         20.16   404.2   719.1  mostly 16; 84 calls alone

A lone query costs the same; under load each query takes 11-17% less CPU and a
worker answers 11-25% more queries per second. The gain is bounded by the fixed
part of a pass (about a third of a query's cost here) and by padding: the same
batches as one pass each (no split by length) cost 2% less to 13% *more* CPU per
query than batching off. On torch, whose fixed part is larger, 8 callers took 36%
less CPU per query (45.2 -> 28.8 ms; ``KETNOI_ENCODER_BACKEND=torch`` and
``--threads 1 8 --queries 264 --rounds 2``, beside another engineer's server).

No threads are started here, and nothing is created at import; the lock of
every batcher is replaced in a forked child (``os.register_at_fork``), so a
worker forked while a parent thread held it does not deadlock.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

EncodeFn = Callable[[list[str]], np.ndarray]
"""``encode(texts) -> (len(texts), dim)`` float32 vectors: one forward pass."""
LengthsFn = Callable[[list[str]], list[int]]
"""``lengths(texts)``: the tokens the model will see for each text."""


PASS_TOKENS = {"torch": 30.0}
"""The fixed cost of a forward pass, in tokens of one row, by backend (the rest is
about proportional to rows × padded length). ``bench_query_batching.py`` fits 43
for torch; the value used is lower, which errs toward splitting (less padding)."""
DEFAULT_PASS_TOKENS = 10.0
"""The same for the converted runtimes (ONNX Runtime, OpenVINO). The benchmark's fit
over its whole grid gives 13-18 on ONNX Runtime fp32, pulled up by 7-token rows; at
buyer-query lengths (17-33 tokens) a shared pass saves 10-13 tokens' worth per row."""


def pass_tokens(backend: str) -> float:
    """:data:`PASS_TOKENS` for an encoder's ``backend`` (``encoder.backend``)."""
    return PASS_TOKENS.get(backend, DEFAULT_PASS_TOKENS)


class _Request:
    """One caller's texts waiting in the queue, and what its pass gave them."""

    __slots__ = ("texts", "vectors", "error", "done", "leads")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.vectors: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = False
        self.leads = False

    def result(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        if self.vectors is None:  # not reachable: a done request has one or the other
            raise RuntimeError("query batch finished without vectors")
        return self.vectors


_BATCHERS: weakref.WeakSet[QueryBatcher] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for batcher in list(_BATCHERS):
        batcher._reset()


if hasattr(os, "register_at_fork"):  # POSIX; registering starts no thread
    os.register_at_fork(after_in_child=_after_fork_in_child)


def plan_passes(lengths: Sequence[int], pass_tokens: float) -> list[list[int]]:
    """The texts (indices into ``lengths``, their token counts) grouped into forward passes
    so that the estimated cost is least.

    A pass pads every text to its longest, and its cost is about ``pass_tokens`` (the
    fixed cost of a pass, in tokens) plus rows × longest; grouping texts of similar
    length keeps the padding below what a shared pass saves. Texts sorted by length,
    the best split into consecutive groups is found exactly (dynamic programming,
    O(n²) for the n ≤ ``max_batch`` texts of one batch).
    """
    n = len(lengths)
    order = sorted(range(n), key=lambda i: lengths[i])
    best = [0.0] + [float("inf")] * n  # best[j]: cheapest plan for the j shortest texts
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        longest = lengths[order[j - 1]]
        for i in range(j):  # last pass: the texts order[i:j]
            cost = best[i] + pass_tokens + (j - i) * longest
            if cost < best[j]:
                best[j], cut[j] = cost, i
    groups, j = [], n
    while j > 0:
        groups.append(order[cut[j]:j])
        j = cut[j]
    return groups[::-1]


class QueryBatcher:
    """Encodes the texts of concurrent callers together (see the module docstring).

    ``encode`` runs one forward pass over the texts it is given. ``lengths``, if
    given, returns the token count of each text: a batch is then split into passes
    of similar lengths (:func:`plan_passes` with ``pass_tokens``); without it a batch
    is one pass. ``max_batch`` 1 turns batching off: every call goes straight to
    ``encode``, as before batching existed.
    """

    def __init__(self, encode: EncodeFn, *, max_batch: int = 16, wait_ms: float = 0.0,
                 lengths: LengthsFn | None = None, pass_tokens: float = 10.0) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if wait_ms < 0:
            raise ValueError("wait_ms must not be negative")
        self._encode = encode
        self._lengths = lengths
        self.max_batch = max_batch
        self.wait_ms = float(wait_ms)
        self.pass_tokens = float(pass_tokens)
        self._reset()
        _BATCHERS.add(self)

    def _reset(self) -> None:
        """Fresh lock, empty queue, zero counts (at creation, and in a forked child,
        where no other thread exists to own a lock or wait in the queue)."""
        self._cond = threading.Condition(threading.Lock())
        self._busy = False  # a leader is forming or running a batch
        self._queue: list[_Request] = []
        self._queued = 0  # texts in the queue
        self._new_counts()

    def _new_counts(self) -> None:
        self._batches: Counter[int] = Counter()  # distinct texts per batch -> batches
        self._passes: Counter[int] = Counter()  # texts per forward pass -> passes
        self._calls = 0
        self._texts = 0  # texts callers asked for, duplicates included
        self._alone = 0  # calls encoded outside the queue
        self._failed = 0  # batches whose encoding raised

    @property
    def enabled(self) -> bool:
        return self.max_batch > 1

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``, in order, possibly from a pass shared with other threads."""
        texts = list(texts)
        if not self.enabled or not texts or len(texts) > self.max_batch:
            vectors = np.asarray(self._encode(texts), dtype=np.float32)
            if texts:
                self._count([len(texts)], len(texts), alone=True)
            return vectors
        request = _Request(texts)
        with self._cond:
            if not self._busy:
                self._busy = True  # idle: lead at once, with no wait
                batch = [request]
            elif self._queued + len(texts) > self.max_batch:
                batch = None  # the queue is full: alone, beside the running batch
            else:
                self._queue.append(request)
                self._queued += len(texts)
                if self.wait_ms > 0:
                    self._cond.notify_all()  # a leader waiting for the queue to fill
                while not (request.done or request.leads):
                    self._cond.wait()
                if request.done:
                    return request.result()
                batch = self._take_queue()
        if batch is None:
            self._encode_batch([request], alone=True)
        else:
            self._run(batch)
        return request.result()

    def _take_queue(self) -> list[_Request]:
        """The queue as the next batch, after waiting up to ``wait_ms`` for it to fill
        (called by a leader taken from the queue, holding the lock)."""
        if self.wait_ms > 0:
            deadline = time.monotonic() + self.wait_ms / 1000
            while self._queued < self.max_batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        batch, self._queue, self._queued = self._queue, [], 0
        return batch

    def _encode_batch(self, batch: list[_Request], alone: bool = False) -> None:
        """Set the vectors of every request in ``batch``: distinct texts encoded once,
        in passes of similar lengths. Raises what the encoder raises."""
        unique = list(dict.fromkeys(t for r in batch for t in r.texts))
        if self._lengths is None or len(unique) == 1:
            groups = [list(range(len(unique)))]
        else:
            groups = plan_passes(self._lengths(unique), self.pass_tokens)
        vectors: np.ndarray | None = None
        for group in groups:
            part = np.asarray(self._encode([unique[i] for i in group]), dtype=np.float32)
            if part.ndim != 2 or part.shape[0] != len(group):
                raise RuntimeError(f"the encoder returned {part.shape} for {len(group)} texts")
            if vectors is None:
                vectors = np.empty((len(unique), part.shape[1]), dtype=np.float32)
            vectors[group] = part
        row = {t: i for i, t in enumerate(unique)}
        for r in batch:
            r.vectors = vectors[[row[t] for t in r.texts]]
        self._count([len(g) for g in groups], sum(len(r.texts) for r in batch),
                    calls=len(batch), alone=alone)

    def _run(self, batch: list[_Request]) -> None:
        """Encode ``batch`` as its leader, whatever happens then hand leadership to the
        first waiting caller, or mark the encoder idle; wake the batch's callers."""
        try:
            self._encode_batch(batch)
        except BaseException as exc:  # every caller of a failed batch gets its error
            for r in batch:
                r.error = exc
        finally:
            with self._cond:
                self._failed += any(r.error is not None for r in batch)
                for r in batch:
                    r.done = True
                if self._queue:
                    self._queue[0].leads = True  # stays busy: the next batch is the queue
                else:
                    self._busy = False
                self._cond.notify_all()

    def _count(self, passes: list[int], texts: int, calls: int = 1,
               alone: bool = False) -> None:
        with self._cond:
            self._calls += calls
            self._texts += texts
            self._alone += calls if alone else 0
            self._batches[sum(passes)] += 1
            for size in passes:
                self._passes[size] += 1

    def stats(self) -> dict:
        """Counts since start (or fork, or :meth:`reset_stats`), cheap to read.

        ``batch_sizes``: distinct texts per batch -> batches (a batch is what one
        leader, or one caller alone, encoded); ``pass_sizes``: texts per forward pass
        -> passes; ``calls`` and ``texts`` asked for; ``alone``: calls encoded outside
        the queue (batching off, more than ``max_batch`` texts, or the queue full);
        ``failed``: queued batches whose encoding raised (not in the sizes; a call
        alone that fails raises in its caller and is not counted).
        """
        with self._cond:
            batches = dict(sorted(self._batches.items()))
            passes = dict(sorted(self._passes.items()))
            calls, texts, alone, failed = self._calls, self._texts, self._alone, self._failed
        n_batches, n_passes = sum(batches.values()), sum(passes.values())
        encoded = sum(size * n for size, n in passes.items())
        return {"max_batch": self.max_batch, "wait_ms": self.wait_ms, "calls": calls,
                "texts": texts, "alone": alone, "failed": failed,
                "batches": n_batches, "passes": n_passes,
                "encoded": encoded, "batch_sizes": batches, "pass_sizes": passes,
                "mean_batch": encoded / n_batches if n_batches else 0.0,
                "mean_pass": encoded / n_passes if n_passes else 0.0}

    def reset_stats(self) -> None:
        with self._cond:
            self._new_counts()
