"""The fast runtime ranks the labelled buyer queries as torch does (slow: it encodes the
3,000 sample profiles twice, once per runtime, each in its own embedding cache)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from recommender.embed.encoder import load_encoder
from recommender.resources import corpus_file
from recommender.search import HybridIndex


@pytest.mark.slow
def test_hybrid_top10_of_the_fast_runtime_equals_torch(config, tmp_path) -> None:
    rows = [json.loads(line) for line in
            corpus_file("sample_suppliers.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    texts = [r["description"] for r in rows]
    queries = [json.loads(line)["text"] for line in
               corpus_file("buyer_queries.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    tops = {}
    for backend in ("torch", "auto"):
        cfg = replace(config, encoder_backend=backend, cache_dir=tmp_path / backend)
        if backend == "auto":  # the conversion is already in the session cache
            cfg = replace(cfg, cache_dir=config.cache_dir)
        enc = load_encoder(cfg)
        if backend == "auto":
            enc.cache = type(enc.cache)(tmp_path / "auto" / "embeddings.sqlite")
        index = HybridIndex.build(enc, list(range(len(texts))), texts, cfg,
                                  show_progress=False)
        tops[backend] = [[h.doc_id for h in index.search(q, 10)] for q in queries]
    same = sum(a == b for a, b in zip(tops["torch"], tops["auto"], strict=True))
    assert len(queries) >= 200 and same >= 0.99 * len(queries), (same, len(queries))
