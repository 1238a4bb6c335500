"""Encoder runtimes side by side: speed and agreement with the torch reference.

```
python benchmarks/bench_encoder.py [--queries 200] [--profiles 600] [--backends torch,onnx,...]
```

In one process, one thread each, per backend (``KETNOI_ENCODER_BACKEND`` values):
query encoding CPU ms per query (batch 1, ``time.process_time``) and its ratio to
torch; passage windows per CPU second (batch 32) and ratio; the smallest cosine to
torch over the query and passage vectors; dense top-10 overlap with torch (MaxP over
windows of ``--profiles`` sample profiles) for the labelled buyer queries, mean and
worst. Ratios are what to read on a shared machine: absolute times move with load.
The last line estimates the cold encode of all sample profiles from the window count.
Converted models are cached in ``KETNOI_CACHE_DIR`` as in normal use.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from recommender.config import RetrievalConfig  # noqa: E402
from recommender.embed import runtime  # noqa: E402
from recommender.embed.encoder import load_encoder  # noqa: E402

CORPUS = REPO / "corpora" / "sample_suppliers.jsonl"
QUERIES = REPO / "corpora" / "buyer_queries.jsonl"


def _lines(path: Path, field: str) -> list[str]:
    return [json.loads(line)[field] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def measure(enc, queries: list[str], windows: list[str], passages: list[list[str]]) -> dict:
    qp, pp = enc.config.query_prompt, enc.config.passage_prompt
    for q in queries[:10]:  # warm-up: first calls allocate
        enc._encode([q], qp, False)
    qvecs, start = [], time.process_time()
    for q in queries:
        qvecs.append(enc._encode([q], qp, False)[0])
    query_ms = (time.process_time() - start) * 1000 / len(queries)
    enc._encode(windows[:32], pp, False)
    start = time.process_time()
    wvecs = enc._encode(windows, pp, False)
    windows_s = len(windows) / (time.process_time() - start)
    flat = enc._encode([w for ws in passages for w in ws], pp, False)
    return {"backend": enc.backend, "model_id": enc.model_id, "query_ms": query_ms,
            "windows_s": windows_s, "q": np.stack(qvecs), "w": wvecs, "flat": flat}


def top10(qvecs: np.ndarray, flat: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    scores = np.full((len(qvecs), n), -np.inf, dtype=np.float32)
    np.maximum.at(scores.T, owner, (flat @ qvecs.T))  # MaxP: a profile's best window
    return np.argsort(-scores, axis=1)[:, :10]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200, help="buyer queries (default 200)")
    parser.add_argument("--profiles", type=int, default=600,
                        help="sample profiles searched for the top-10 overlap (default 600)")
    parser.add_argument("--windows", type=int, default=320,
                        help="passage windows timed at batch 32 (default 320)")
    parser.add_argument("--backends", default="torch,onnx,openvino,onnx-int8",
                        help="comma-separated backends; those that cannot run are skipped")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    config = replace(RetrievalConfig.from_env(), threads=1, query_cache=0)
    queries = _lines(QUERIES, "text")[:args.queries]
    texts = _lines(CORPUS, "description")
    results = []
    for backend in args.backends.split(","):
        if backend != "torch":
            try:
                runtime.check_installed(backend)
            except ImportError as exc:
                print(f"skipped {backend}: {exc}")
                continue
        enc = load_encoder(replace(config, encoder_backend=backend))
        prepared = [enc._prepare(t) for t in texts]
        passages = [enc._windows(t) for t in prepared[:args.profiles]]
        windows = [w for ws in passages for w in ws]
        windows = (windows * (args.windows // max(1, len(windows)) + 1))[:args.windows]
        results.append(measure(enc, [enc._prepare(q) for q in queries], windows, passages))
        results[-1]["all_windows"] = sum(len(enc._windows(t)) for t in prepared)
        results[-1]["lengths"] = [len(ws) for ws in passages]
        del enc
    ref = results[0]
    print(f"{len(queries)} queries, {args.windows} windows at batch 32, top-10 over "
          f"{args.profiles} profiles; 1 thread; CPU time (time.process_time)")
    print(f"{'backend':<15}{'query ms':>10}{'ratio':>8}{'windows/s':>11}{'ratio':>8}"
          f"{'min cos q':>11}{'min cos p':>11}{'top10 mean':>12}{'top10 min':>11}"
          f"{'identical':>11}")
    owner = np.repeat(np.arange(args.profiles), ref["lengths"])
    ref_top = top10(ref["q"], ref["flat"], owner, args.profiles)
    for r in results:
        cos_q = float((r["q"] * ref["q"]).sum(axis=1).min())
        cos_p = float((r["w"] * ref["w"]).sum(axis=1).min())
        top = top10(r["q"], r["flat"], owner, args.profiles)
        share = np.array([len(set(a) & set(b)) / 10 for a, b in zip(top, ref_top, strict=True)])
        print(f"{r['backend']:<15}{r['query_ms']:>10.1f}{r['query_ms'] / ref['query_ms']:>8.2f}"
              f"{r['windows_s']:>11.1f}{r['windows_s'] / ref['windows_s']:>8.2f}"
              f"{cos_q:>11.5f}{cos_p:>11.5f}{share.mean():>12.3f}{share.min():>11.1f}"
              f"{np.mean(share == 1.0):>11.3f}")
    for r in results:
        est = r["all_windows"] / r["windows_s"]
        print(f"cold encode of the {len(texts)} sample profiles ({r['all_windows']} windows) "
              f"with {r['backend']}: about {est / 60:.1f} min of CPU at batch 32")
    return 0


if __name__ == "__main__":
    sys.exit(main())
