"""The fast runtime ranks the labelled buyer queries as torch does.

Slow: it encodes a fifth of the sample profiles (600) once per runtime, each into its
own embedding cache. The same check at the full 3,000 profiles is in
``benchmarks/bench_retrieval.py`` (its agreement section).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from recommender.embed.encoder import EmbeddingCache, load_encoder
from recommender.resources import corpus_file
from recommender.search import HybridIndex

SUBSET_STEP = 5


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in
            corpus_file(name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.slow
def test_hybrid_top10_of_the_fast_runtime_equals_torch(config, encoder, tmp_path) -> None:
    if encoder.backend == "torch":
        pytest.skip("no fast runtime installed: the default encoder is torch")
    texts = [r["description"] for r in _jsonl("sample_suppliers.jsonl")][::SUBSET_STEP]
    queries = [q["text"] for q in _jsonl("buyer_queries.jsonl")]
    tops = {}
    for name in ("torch", encoder.config.encoder_backend):
        enc = load_encoder(replace(config, encoder_backend=name))
        # a cache of its own: both runtimes share the model id, so they would share vectors
        enc.cache = EmbeddingCache(tmp_path / name / "embeddings.sqlite")
        index = HybridIndex.build(enc, list(range(len(texts))), texts, config,
                                  show_progress=False)
        tops[name] = [[h.doc_id for h in index.search(q, 10)] for q in queries]
    fast = tops[encoder.config.encoder_backend]
    same = sum(a == b for a, b in zip(tops["torch"], fast, strict=True))
    assert len(queries) >= 200 and same >= 0.99 * len(queries), (same, len(queries))
