"""CPU per search request apart from query encoding: the rest of the request path.

Run from the repository root (the app's default sample: 3,000 profiles; the
first run builds its index in ``--instance``)::

    python benchmarks/bench_request_path.py --instance /tmp/ketnoi-bench [--profile]

It starts the app in-process on the configured database, warms up with
``--warmup`` searches, encodes every labelled buyer query once (so the query
vector cache answers and encoding is left out, while everything else meets
each query for the first time), then sends the rest to ``/api/v1/search``
through the test client and prints the process CPU time per request
(``time.process_time``). ``--profile`` adds the top functions by cumulative
time (cProfile; its overhead inflates the figures, so compare like with like).
Compare two checkouts in one session for a ratio; absolute figures depend on the
machine and its load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", default="/tmp/ketnoi-bench-path",
                        help="instance folder (SQLite file and index versions)")
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime, ...)")
    parser.add_argument("--top", type=int, default=30, help="functions listed")
    args = parser.parse_args(argv)
    os.environ["KETNOI_INSTANCE_DIR"] = args.instance
    from recommender.text import check_query
    from webapp import create_app

    app = create_app({"RATELIMIT_ENABLED": False})
    catalog = app.extensions["ketnoi_catalog"]
    started = time.monotonic()
    if not catalog.wait(3600):
        print(f"index not ready: {catalog.error}", file=sys.stderr)
        return 1
    print(f"index ready in {time.monotonic() - started:.1f} s, {len(catalog.profiles)} profiles")
    cpu = time.process_time()
    catalog.recommender.prepare()  # as a served worker does after its warm-up (serving.py)
    print(f"explanation data of every profile derived in {time.process_time() - cpu:.1f} s CPU")
    lines = (ROOT / "corpora" / "buyer_queries.jsonl").read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line)["text"] for line in lines][:args.queries]
    client = app.test_client()
    for q in queries[:args.warmup]:
        client.get("/api/v1/search", query_string={"q": q})
    encoder, index = catalog.index.encoder, catalog.index
    for q in queries:  # every query vector in the cache: encoding is not measured, the
        encoder.encode_queries([index.dense_query(check_query(q))])  # rest: as if new
    measured = queries[args.warmup:]
    profiler = cProfile.Profile() if args.profile else None
    cpu = time.process_time()
    if profiler:
        profiler.enable()
    for q in measured:
        assert client.get("/api/v1/search", query_string={"q": q}).status_code == 200
    if profiler:
        profiler.disable()
    per_request = (time.process_time() - cpu) * 1000 / len(measured)
    print(f"{len(measured)} requests: {per_request:.2f} ms CPU per request without query "
          f"encoding{' (under cProfile)' if profiler else ''}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
