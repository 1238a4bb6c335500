"""Query encoding from concurrent threads, batching off and on (recommender.embed.batching).

```
python benchmarks/bench_query_batching.py [--threads 1 4 8 20] [--queries 532] \
    [--max-batch 16] [--wait-ms 2] [--encoder-threads 1] [--cores 1] [--json OUT]
```

One process, one encoder (``KETNOI_ENCODER_BACKEND`` as configured, the query-vector
LRU off so every query is encoded, ``--encoder-threads`` inference threads: 1, as
``webapp.serving.torch_threads_per_worker`` gives each of 2 workers on 2 cores).

First the cost of one forward pass (CPU ms, tokenizer and pooling included) over a
grid of rows × tokens, and the fit ``fixed + per_token × rows × tokens``: the fixed
part, in tokens, is what ``batching.PASS_TOKENS`` holds for the backend.

Then, for each mode and each ``--threads`` count, that many threads call
``encoder.encode_queries([query])`` in a closed loop (the next query the moment the
last one returns) until ``--queries`` labelled buyer queries
(``corpora/buyer_queries.jsonl``, in file order, cycled) are encoded. Modes:
``off`` (``max_batch`` 1: every caller its own pass, as before batching), ``on``
(``--max-batch``, no wait, a batch split into passes of similar length: what the
encoder does), ``on, one pass`` (a batch is one pass padded to its longest query),
and ``on, wait X ms`` for each ``--wait-ms`` above 0. Printed per row: queries/s,
process CPU ms per query (``time.process_time`` over the run / queries), p50/p95
latency of a call, batches and forward passes, the calls that went alone (batching
off, or the queue full), and how many distinct texts each batch had.

CPU per query is the figure least disturbed by other work on the machine; the load
average is printed at start and end. In one process on all cores, batching off
can run two passes at once on two cores where batching on runs one: queries/s then
compares one worker using two cores with one using one. In production every core
has its worker (2 workers on 2 cores), so ``--cores 1`` is the fairer queries/s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommender.config import RetrievalConfig  # noqa: E402
from recommender.embed.batching import QueryBatcher, pass_tokens  # noqa: E402
from recommender.embed.encoder import load_encoder  # noqa: E402

QUERIES = REPO / "corpora" / "buyer_queries.jsonl"


def load_queries() -> list[str]:
    return [json.loads(line)["text"] for line in QUERIES.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def closed_loop(encoder, queries: list[str], threads: int, first: int, total: int) -> dict:
    """``threads`` callers encode ``total`` queries between them (from index ``first`` on,
    cycling), each one at a time; wall and CPU seconds, latencies, batcher stats."""
    lock, next_index = threading.Lock(), [0]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 1)

    def caller(slot: int) -> None:
        start.wait()
        try:
            while True:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= total:
                    return
                t0 = time.perf_counter()
                encoder.encode_queries([queries[(first + i) % len(queries)]])
                latencies[slot].append(time.perf_counter() - t0)
        except BaseException as exc:  # noqa: BLE001 - reported after the run
            errors.append(exc)

    workers = [threading.Thread(target=caller, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    encoder.query_batcher.reset_stats()
    start.wait()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for w in workers:
        w.join()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if errors:
        raise errors[0]
    return {"wall": wall, "cpu": cpu, "latencies": [x for xs in latencies for x in xs],
            "stats": encoder.query_batcher.stats()}


def summarise(name: str, threads: int, runs: list[dict]) -> dict:
    """One table row from a cell's interleaved rounds: totals over the rounds, and the
    median round's CPU per query (a round slowed by other work moves it least)."""
    lat = np.array([x for r in runs for x in r["latencies"]]) * 1000
    sizes: Counter[int] = Counter()
    for r in runs:
        sizes.update(r["stats"]["batch_sizes"])
    total = lambda key: sum(r["stats"][key] for r in runs)  # noqa: E731
    return {"batching": name, "threads": threads, "queries": int(lat.size),
            "qps": lat.size / sum(r["wall"] for r in runs),
            "cpu_ms": float(np.median([r["cpu"] * 1000 / len(r["latencies"]) for r in runs])),
            "cpu_ms_rounds": [r["cpu"] * 1000 / len(r["latencies"]) for r in runs],
            "p50_ms": float(np.percentile(lat, 50)), "p95_ms": float(np.percentile(lat, 95)),
            "batches": total("batches"), "passes": total("passes"), "alone": total("alone"),
            "batch_sizes": dict(sorted(sizes.items()))}


def pass_cost(encoder, reps: int = 5) -> dict:
    """CPU ms of one forward pass (tokenizer and pooling included) over a grid of rows ×
    tokens, and the fit ``fixed + per_token × rows × tokens`` (least relative squares):
    ``fixed_tokens`` is what :data:`recommender.embed.batching.PASS_TOKENS` holds."""
    rows_out, design, cpu = [], [], []
    for words in (2, 12, 28, 44):
        text = " ".join(["ép nhựa"] * (words // 2))
        tokens = encoder._query_lengths([text])[0]
        for rows in (1, 4, 16):
            batch = [text] * rows  # the encoder sees every copy: no deduplication here
            encoder._encode_query_batch(batch)
            best = float("inf")
            for _ in range(3):
                t0 = time.process_time()
                for _ in range(reps):
                    encoder._encode_query_batch(batch)
                best = min(best, (time.process_time() - t0) * 1000 / reps)
            rows_out.append({"rows": rows, "tokens": tokens, "cpu_ms": best})
            design.append([1.0, rows * tokens])
            cpu.append(best)
    # relative errors: unweighted, the 16-row cells (hundreds of ms) would decide alone
    weight = 1 / np.array(cpu)
    (fixed, per_token), *_ = np.linalg.lstsq(np.array(design) * weight[:, None],
                                             np.array(cpu) * weight, rcond=None)
    return {"grid": rows_out, "fixed_ms": float(fixed), "per_token_ms": float(per_token),
            "fixed_tokens": float(fixed / per_token)}


def sizes_text(sizes: dict[int, int]) -> str:
    return " ".join(f"{size}×{n}" for size, n in sorted(sizes.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 8, 20],
                        help="concurrent callers, one row each (default 1 4 8 20)")
    parser.add_argument("--queries", type=int, default=532,
                        help="queries encoded per row (default 532: the 266 labelled twice)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="each row's queries in this many rounds, interleaved with the "
                             "other rows' (default 4)")
    parser.add_argument("--max-batch", type=int, default=16, help="batching on: most texts "
                        "per pass (default 16)")
    parser.add_argument("--wait-ms", type=float, nargs="*", default=[2.0],
                        help="an extra batching-on row per value above 0 (default 2)")
    parser.add_argument("--encoder-threads", type=int, default=1,
                        help="inference threads (KETNOI_THREADS; default 1)")
    parser.add_argument("--cores", type=int, default=0,
                        help="run on this many of the allowed cores (default 0: all); 1 "
                             "is one worker's share when every core has a busy worker")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)
    if args.cores:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:args.cores])

    config = replace(RetrievalConfig.from_env(), threads=args.encoder_threads, query_cache=0)
    encoder = load_encoder(config)
    queries = load_queries()
    load_start = os.getloadavg()
    print(f"backend {encoder.backend}, {args.encoder_threads} encoder thread(s), "
          f"query cache off, {len(queries)} labelled queries, "
          f"{len(os.sched_getaffinity(0))} of {os.cpu_count()} cores, "
          f"load average {load_start[0]:.2f}", flush=True)
    for q in queries[:16]:  # warm-up: the first calls allocate
        encoder.encode_queries([q])
    encoder._encode_query_batch(queries[:args.max_batch])

    cost = pass_cost(encoder)
    print("forward pass CPU ms (rows × tokens): " + ", ".join(
        f"{g['rows']}×{g['tokens']} {g['cpu_ms']:.1f}" for g in cost["grid"]))
    print(f"fit: {cost['fixed_ms']:.2f} ms per pass + {cost['per_token_ms']:.3f} ms per "
          f"row-token, i.e. a pass costs as much as {cost['fixed_tokens']:.1f} tokens "
          f"(batching.pass_tokens for {encoder.backend}: "
          f"{encoder.query_batcher.pass_tokens:g})", flush=True)

    lengths = encoder._query_lengths
    modes = [("off", 1, 0.0, lengths), ("on", args.max_batch, 0.0, lengths),
             ("on, one pass", args.max_batch, 0.0, None)]
    modes += [(f"on, wait {w:g} ms", args.max_batch, w, lengths) for w in args.wait_ms if w]
    header = (f"{'batching':<16} {'threads':>7} {'q/s':>7} {'CPU ms/q':>9} {'p50 ms':>8} "
              f"{'p95 ms':>8} {'batches':>7} {'passes':>6} {'alone':>5}  "
              f"batch sizes (texts×batches)")
    per_round = max(1, args.queries // args.rounds)
    runs: dict[tuple[int, int], list[dict]] = {}
    for r in range(args.rounds):  # interleaved: drifting outside load hits every mode alike
        for threads in args.threads:
            for m in range(len(modes)):
                m = (m + r) % len(modes)  # and no mode always runs first
                _, max_batch, wait_ms, lengths_fn = modes[m]
                encoder.query_batcher = QueryBatcher(
                    encoder._encode_query_batch, max_batch=max_batch, wait_ms=wait_ms,
                    lengths=lengths_fn, pass_tokens=pass_tokens(encoder.backend))
                runs.setdefault((m, threads), []).append(
                    closed_loop(encoder, queries, threads, r * per_round, per_round))
        print(f"round {r + 1}/{args.rounds} done, load average {os.getloadavg()[0]:.2f}",
              flush=True)
    print(header)
    rows = []
    for m, (name, *_) in enumerate(modes):
        for threads in args.threads:
            row = summarise(name, threads, runs[(m, threads)])
            rows.append(row)
            print(f"{name:<16} {threads:>7} {row['qps']:>7.1f} {row['cpu_ms']:>9.2f} "
                  f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['batches']:>7} "
                  f"{row['passes']:>6} {row['alone']:>5}  "
                  f"{sizes_text(row['batch_sizes'])}", flush=True)
    load_end = os.getloadavg()
    print(f"load average {load_start[0]:.2f} -> {load_end[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(
            {"backend": encoder.backend, "encoder_threads": args.encoder_threads,
             "pass_cost": cost,
             "cores": len(os.sched_getaffinity(0)), "load_average": [load_start[0], load_end[0]],
             "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
