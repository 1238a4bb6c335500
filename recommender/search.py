"""Hybrid retrieval: dense windows in a vector index plus BM25, fused.

A document (a supplier profile, a benchmark passage) has an int64 id. Its
text is encoded into one or more window vectors (see
:mod:`recommender.embed.encoder`); window ``w`` of document ``d`` is stored
in the vector index under ``d << 8 | w``. A document's dense score is its
best window's similarity (MaxP).

Search gathers candidates from both retrievers, gives every candidate both
scores exactly (missing dense scores from the stored window vectors, missing
BM25 scores from the full BM25 score vector), then fuses them
(:mod:`recommender.fusion`). Structured filters arrive as ``allowed_ids`` and
are applied inside each retriever before its top-k is taken, so a selective
filter never leaves the result list short.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import RetrievalConfig
from .embed.encoder import MAX_WINDOWS, Encoder, Progress
from .faults import pause_point
from .fusion import fuse
from .index import VectorIndex, choose_kind, create_index, load_index, set_threads
from .index.base import ReadWriteLock
from .index.faiss_index import IVFIndex
from .index.lexical import LexicalIndex, top_positive
from .taxonomy import load_glossary
from .text import check_query, has_diacritics, normalize

WINDOW_BITS = 8
assert 1 << WINDOW_BITS == MAX_WINDOWS
MAX_DOC_ID = (1 << (63 - WINDOW_BITS)) - 1
METHODS = ("hybrid", "dense", "bm25")


class SearchError(ValueError):
    """A search request that cannot be answered as asked."""


@dataclass(frozen=True)
class SearchHit:
    """One ranked document with the evidence behind its rank."""

    doc_id: int
    score: float
    dense: float | None
    lexical: float | None
    window: int | None
    """Index of the passage window that matched best (dense), if any."""


def _window_ids(doc_ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if len(doc_ids) == 0:
        return np.empty(0, dtype=np.int64)
    base = np.repeat(doc_ids.astype(np.int64) << WINDOW_BITS, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return base | (np.arange(len(base)) - starts)


def _check_ids(ids: Sequence[int]) -> np.ndarray:
    arr = np.asarray(list(ids), dtype=np.int64)
    if arr.size and (arr.min() < 0 or arr.max() > MAX_DOC_ID):
        raise ValueError(f"document ids must be within 0..{MAX_DOC_ID}")
    if len(np.unique(arr)) != len(arr):
        raise ValueError("document ids must be unique within one call")
    return arr


class HybridIndex:
    """Dense + lexical index over documents, searched with one call."""

    def __init__(
        self,
        encoder: Encoder,
        config: RetrievalConfig | None = None,
        vectors: VectorIndex | None = None,
        lexical: LexicalIndex | None = None,
    ) -> None:
        self.encoder = encoder
        self.config = config or RetrievalConfig.from_env()
        self.vectors = vectors or create_index("flat", encoder.dim)
        if self.vectors.dim != encoder.dim:
            raise ValueError(f"vector index has dimension {self.vectors.dim}, "
                             f"the encoder {encoder.dim}")
        self.lexical = lexical or LexicalIndex()
        # Per-query searches are small: OpenMP start-up costs more than a
        # second thread gains, and the encoder wants the cores (measured in
        # benchmarks/bench_retrieval.py: hybrid p50 39 ms with 2 FAISS threads, 26 ms with 1).
        set_threads(self.config.faiss_threads)
        self.windows: dict[int, int] = {}
        # searches share the index; upserts and removals take it alone
        self._lock = ReadWriteLock()

    def __len__(self) -> int:
        return len(self.windows)

    def with_config(self, config: RetrievalConfig) -> HybridIndex:
        """A view of the same indexes searched with other settings (for comparisons)."""
        view = HybridIndex(self.encoder, config, vectors=self.vectors, lexical=self.lexical)
        view.windows = self.windows
        view._lock = self._lock
        return view

    # -- building and live updates ---------------------------------------
    @classmethod
    def build(
        cls,
        encoder: Encoder,
        ids: Sequence[int],
        texts: Sequence[str],
        config: RetrievalConfig | None = None,
        *,
        show_progress: bool | None = None,
        progress: Progress | None = None,
    ) -> HybridIndex:
        """Index a whole collection, choosing exact or approximate FAISS by size.

        ``progress(stage, done, total)``, if given, hears the ``embedding`` stage from
        the encoder and then ``indexing`` 0/1 and 1/1 around the vector and BM25 build.
        """
        config = config or RetrievalConfig.from_env()
        arr = _check_ids(ids)
        if len(arr) != len(texts):
            raise ValueError(f"{len(arr)} ids but {len(texts)} texts")
        if progress is None:  # encoders written before the progress parameter still work
            mats = encoder.encode_passages(list(texts), show_progress=show_progress)
        else:
            mats = encoder.encode_passages(list(texts), show_progress=show_progress,
                                           progress=progress)
        pause_point("encoded")
        if progress is not None:
            progress("indexing", 0, 1)
        counts = np.array([len(m) for m in mats], dtype=np.int64)
        wids = _window_ids(arr, counts)
        vecs = np.vstack(mats) if mats else np.zeros((0, encoder.dim), np.float32)
        kind = choose_kind(len(wids), config.ann_threshold)
        if kind == "ivf":
            vectors: VectorIndex = IVFIndex.build(wids, vecs)
        else:
            vectors = create_index(kind, encoder.dim)
            if len(wids):
                vectors.add(wids, vecs)
        index = cls(encoder, config, vectors=vectors)
        index.lexical.upsert(arr.tolist(), texts)
        index.windows = dict(zip(arr.tolist(), counts.tolist(), strict=True))
        index.lexical.refresh()  # so the first buyer does not pay for it
        if progress is not None:
            progress("indexing", 1, 1)
        return index

    def upsert(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Add or replace documents; searchable as soon as this returns."""
        arr = _check_ids(ids)
        if len(arr) != len(texts):
            raise ValueError(f"{len(arr)} ids but {len(texts)} texts")
        mats = self.encoder.encode_passages(list(texts), show_progress=False)
        counts = np.array([len(m) for m in mats], dtype=np.int64)
        with self._lock.write():
            stale = [d for d in arr.tolist() if d in self.windows]
            if stale:
                old = _window_ids(np.array(stale), np.array([self.windows[d] for d in stale]))
                self.vectors.remove(old)
            self.vectors.add(_window_ids(arr, counts), np.vstack(mats))
            self.lexical.upsert(arr.tolist(), texts)
            self.windows.update(zip(arr.tolist(), counts.tolist(), strict=True))
        self.lexical.refresh()  # the editor's call pays for the BM25 rebuild, not a search

    def remove(self, ids: Sequence[int]) -> int:
        """Remove documents; an unknown id raises KeyError and removes nothing."""
        arr = _check_ids(ids)
        with self._lock.write():
            missing = [d for d in arr.tolist() if d not in self.windows]
            if missing:
                raise KeyError(f"not in the index: {missing[:10]}")
            self.vectors.remove(_window_ids(arr, np.array([self.windows[d] for d in arr])))
            self.lexical.remove(arr.tolist())
            for d in arr.tolist():
                del self.windows[d]
        self.lexical.refresh()
        return len(arr)

    # -- search -----------------------------------------------------------
    def vector(self, doc_id: int) -> np.ndarray:
        """A document's own embedding: the normalised mean of its windows' vectors.

        Raises:
            KeyError: the document is not in the index.
        """
        with self._lock.read():
            count = self.windows[doc_id]
            windows = [self.vectors.reconstruct((doc_id << WINDOW_BITS) | w)
                       for w in range(count)]
        vector = np.mean(windows, axis=0).astype(np.float32)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def dense_query(self, text: str) -> str:
        """The text the encoder sees: unmarked Vietnamese gets its marks back."""
        text = normalize(text)
        if self.config.restore_diacritics and not has_diacritics(text):
            restored = self.lexical.restore_diacritics(text)
            if restored:
                return restored
        return text

    def _expansion(self, text: str) -> str | None:
        if self.config.glossary.lower() == "none" or self.config.expansion_weight <= 0:
            return None
        glossary = load_glossary(self.config.glossary or None)
        return glossary.expand(text).text or None

    def _dense_candidates(
        self, qvec: np.ndarray, n: int, allowed: np.ndarray | None
    ) -> dict[int, tuple[float, int]]:
        allowed_windows = None
        if allowed is not None:
            counts = np.array([self.windows[d] for d in allowed.tolist()], dtype=np.int64)
            allowed_windows = _window_ids(allowed, counts)
            if len(allowed_windows) == 0:
                return {}
        k = min(len(self.vectors), n * 3)
        if k == 0:
            return {}
        scores, wids = self.vectors.search(qvec[None, :], k, allowed_ids=allowed_windows)
        best: dict[int, tuple[float, int]] = {}
        for s, w in zip(scores[0].tolist(), wids[0].tolist(), strict=True):
            if w < 0:
                continue
            doc, win = w >> WINDOW_BITS, w & (MAX_WINDOWS - 1)
            if doc not in best or s > best[doc][0]:
                best[doc] = (s, win)
            if len(best) >= n:
                break
        return best

    def _exact_dense(self, qvec: np.ndarray, docs: list[int]) -> dict[int, tuple[float, int]]:
        """Best-window similarity of each listed document, in one filtered search."""
        if not docs:
            return {}
        arr = np.array(docs, dtype=np.int64)
        wids = _window_ids(arr, np.array([self.windows[d] for d in docs], dtype=np.int64))
        scores, found = self.vectors.search(qvec[None, :], len(wids), allowed_ids=wids)
        best: dict[int, tuple[float, int]] = {}
        for s, w in zip(scores[0].tolist(), found[0].tolist(), strict=True):
            doc = w >> WINDOW_BITS
            if w >= 0 and doc not in best:  # results come best first
                best[doc] = (s, w & (MAX_WINDOWS - 1))
        return best

    def search(
        self,
        query: str | bytes,
        k: int = 10,
        *,
        method: str = "hybrid",
        allowed_ids: Sequence[int] | np.ndarray | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """Rank documents for a query.

        Args:
            query: the buyer's text (Vietnamese with or without diacritics, or
                English); normalised here.
            k: number of hits.
            method: ``hybrid``, ``dense`` or ``bm25``.
            allowed_ids: restrict results to these documents (structured filters).
            query_vector: a precomputed query embedding (skips encoding).

        Raises:
            SearchError: empty or over-long query, invalid UTF-8, bad ``k`` or method.
        """
        if method not in METHODS:
            raise SearchError(f"method must be one of {METHODS}, not {method!r}")
        if not isinstance(k, int) or k < 1 or k > 1000:
            raise SearchError("k must be an integer from 1 to 1000")
        try:
            text = check_query(query)
        except ValueError as exc:
            raise SearchError(str(exc)) from exc
        allowed = None
        if allowed_ids is not None:
            allowed = np.asarray(list(allowed_ids), dtype=np.int64)
        n_cand = max(self.config.candidates, k)
        # query-side work (expansion, restoration, encoding) needs no index lock
        expansion = self._expansion(text) if method != "dense" else None
        if method in ("hybrid", "dense") and query_vector is None:
            query_vector = self.encoder.encode_queries([self.dense_query(text)])[0]
        qvec = None if query_vector is None else np.asarray(query_vector, np.float32)
        with self._lock.read():
            if allowed is not None:
                allowed = allowed[np.isin(allowed, np.fromiter(self.windows, np.int64))]
                if len(allowed) == 0:
                    return []
            dense: dict[int, tuple[float, int]] = {}
            lex_ids = np.empty(0, np.int64)
            lex_scores = np.empty(0, np.float32)
            if qvec is not None and method != "bm25":
                dense = self._dense_candidates(qvec, n_cand, allowed)
            if method in ("hybrid", "bm25"):
                lex_ids, lex_scores = self.lexical.score_all(
                    text, expansion, self.config.expansion_weight)
                if allowed is not None:
                    lex_scores = np.where(np.isin(lex_ids, allowed), lex_scores, 0.0)
            if method == "dense":
                ranked = sorted(dense.items(), key=lambda kv: -kv[1][0])[:k]
                return [SearchHit(d, s, s, None, w) for d, (s, w) in ranked]
            top = top_positive(lex_scores, n_cand)
            if method == "bm25":
                return [SearchHit(int(lex_ids[i]), float(lex_scores[i]), None,
                                  float(lex_scores[i]), None) for i in top[:k]]
            lex_pos = self.lexical.positions(lex_ids)
            cands = list(dict.fromkeys([*dense, *(int(lex_ids[i]) for i in top)]))
            dense.update(self._exact_dense(qvec, [d for d in cands if d not in dense]))
            d_scores = np.array([dense[d][0] for d in cands])
            l_scores = np.array([float(lex_scores[lex_pos[d]]) for d in cands])
        fused = fuse(d_scores, l_scores, method=self.config.fusion,
                     alpha=self.config.alpha, rrf_k=self.config.rrf_k)
        order = np.argsort(-fused, kind="stable")[:k]
        return [SearchHit(cands[i], float(fused[i]), float(d_scores[i]), float(l_scores[i]),
                          dense[cands[i]][1]) for i in order]

    # -- persistence ------------------------------------------------------
    def save(self, directory: str | os.PathLike) -> Path:
        """Write both indexes and the window table into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock.read():
            self.vectors.save(directory / "vectors", model_id=self.encoder.model_id)
            pause_point("saving")
            self.lexical.save(directory / "lexical")
            tmp = directory / ".windows.json.tmp"
            tmp.write_text(json.dumps({str(k): v for k, v in self.windows.items()}))
            os.replace(tmp, directory / "windows.json")
        return directory

    @classmethod
    def load(
        cls, directory: str | os.PathLike, encoder: Encoder,
        config: RetrievalConfig | None = None,
    ) -> HybridIndex:
        """Read an index saved by :meth:`save`, checking it matches ``encoder``."""
        directory = Path(directory)
        vectors = load_index(directory / "vectors", expected_model_id=encoder.model_id,
                             expected_dim=encoder.dim)
        lexical = LexicalIndex.load(directory / "lexical")
        index = cls(encoder, config, vectors=vectors, lexical=lexical)
        try:
            raw = json.loads((directory / "windows.json").read_text())
            index.windows = {int(k): int(v) for k, v in raw.items()}
        except (OSError, ValueError) as exc:
            raise ValueError(f"{directory / 'windows.json'} is unreadable: {exc}") from exc
        if sum(index.windows.values()) != len(vectors) or len(index.windows) != len(lexical):
            raise ValueError(f"{directory}: vector, lexical and window tables disagree")
        lexical.refresh()
        return index


def passage_text(title: str | None, text: str) -> str:
    """The text indexed for a passage with an optional title."""
    return normalize(f"{title}\n{text}" if title else text)
