"""BM25 lexical index over Vietnamese syllable n-grams, accented and folded.

Two fields are indexed per document, each as syllable unigrams plus adjacent
syllable bigrams (``linh``, ``kiện``, ``linh|kiện``):

- ``text``: the normalised, lower-cased syllables, diacritics kept;
- ``folded``: the same syllables without diacritics (``linh|kien``).

Bigrams carry most of what word segmentation would (a Vietnamese word is
usually two syllables) without depending on pyvi's segmentation of short,
keyword-like queries. On the development sets, pyvi words as an extra field
scored lower than syllable bigrams alone (ALQAC nDCG@10 96.11 vs 96.38), so
they are not indexed here.

A query typed with diacritics is scored on ``text`` plus a smaller share of
``folded`` (which also forgives misplaced marks such as "đièu"); a query typed
entirely without diacritics can only be matched on ``folded``.

BM25 is the Lucene variant, scored as bm25s scores it (the matrix is built here
with numpy, value for value bm25s's: :func:`bm25_matrix`). The matrices are
static, so the per-document terms are kept; documents changed after the matrices were built
live in a small delta segment scored here with the same formula (see
:class:`LexicalIndex`), so one edit costs milliseconds, not a rebuild of the
matrices (about 2 s at 10,000 profiles); the delta is merged into new matrices
once it grows, which needs no re-segmentation.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..files import sha256_file
from ..text import AnalyzedText, DiacriticRestorer, has_diacritics, normalize, syllables

FORMAT_VERSION = 1
FIELDS = ("text", "folded")


class LexicalIndexError(Exception):
    """Base class of lexical-index errors."""


class UnknownDocumentError(LexicalIndexError, KeyError):
    """A removal named ids that are not in the index; nothing was removed."""


class CorruptLexicalIndexError(LexicalIndexError):
    """A saved lexical index failed its checksum or could not be parsed."""


@dataclass(frozen=True)
class LexicalConfig:
    """BM25 parameters and field weights."""

    k1: float = 1.2
    b: float = 0.75
    folded_weight: float = 0.5
    """Weight of the folded field for queries typed with diacritics."""
    bigrams: bool = True


def ngrams(syllables: Sequence[str], bigrams: bool = True) -> list[str]:
    """Unigrams plus adjacent bigrams joined by ``|``."""
    out = list(syllables)
    if bigrams:
        out.extend(f"{a}|{b}" for a, b in zip(syllables, syllables[1:], strict=False))
    return out


def document_terms(analyzed: AnalyzedText, bigrams: bool = True) -> dict[str, list[str]]:
    """The terms of each field for one analysed document."""
    return {
        "text": ngrams(analyzed.syllables, bigrams),
        "folded": ngrams(analyzed.folded, bigrams),
    }


@dataclass(frozen=True)
class _Matrix:
    """BM25 (Lucene variant) of the main segment, term-major (CSC): the postings of term
    ``t`` are ``indices[indptr[t]:indptr[t + 1]]`` (document rows, ascending) with their
    scores in ``data`` (float32)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    num_docs: int


def bm25_matrix(docs: list[np.ndarray], n_terms: int, k1: float, b: float) -> _Matrix:
    """The BM25 matrix of ``docs`` (term-id arrays), with bm25s's Lucene scores.

    Built with a few whole-array numpy operations instead of bm25s's per-document
    Python (Counters, sets, int lists): at 10,000 profiles that left about 100 MB
    behind in every worker. Same formula and arithmetic as bm25s 0.2 (idf in float64
    stored as float32, the term-frequency part in float64, the product stored as
    float32; an empty document is the empty term, id 0), so the same scores
    (tests/index/test_lexical.py compares them with bm25s).
    """
    n_docs = len(docs)
    docs = [d if len(d) else np.zeros(1, dtype=np.int32) for d in docs]
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
    rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    terms = np.concatenate(docs).astype(np.int64) if n_docs else np.empty(0, np.int64)
    keys, tf = np.unique(terms * max(n_docs, 1) + rows, return_counts=True)  # term-major
    del rows, terms
    term = keys // max(n_docs, 1)
    row = keys - term * max(n_docs, 1)
    del keys
    df = np.bincount(term, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    idf = np.zeros(n_terms, dtype=np.float32)
    seen = df > 0
    idf[seen] = np.log(1 + (n_docs - df[seen] + 0.5) / (df[seen] + 0.5))
    l_avg = lengths.mean() if n_docs else 1.0
    l_d = lengths[row]
    tf = tf.astype(np.float32).astype(np.float64)
    tfc = tf / (k1 * ((1 - b) + b * l_d / l_avg) + tf)
    data = (idf[term].astype(np.float64) * tfc).astype(np.float32)
    return _Matrix(data, row.astype(np.int32), indptr, n_docs)


class _Field:
    """The BM25 matrix over the main segment's documents of one field.

    Terms are interned once into a growing vocabulary, and documents are kept
    as int32 id arrays: rebuilding the BM25 matrix needs no tokenisation, and the
    terms take a fraction of the memory of Python strings. Terms interned after
    the last build are not in the matrix (``n_terms``).
    """

    def __init__(self, k1: float, b: float) -> None:
        self.k1, self.b = k1, b
        self.matrix: _Matrix | None = None
        self.n_terms = 0
        # id 0 is the empty term: an empty document holds it
        self.vocab: dict[str, int] = {"": 0}
        self.words: list[str] = [""]

    def intern(self, terms: list[str]) -> np.ndarray:
        vocab, words = self.vocab, self.words
        out = np.empty(len(terms), dtype=np.int32)
        for i, term in enumerate(terms):
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(words)
                words.append(term)
            out[i] = tid
        return out

    def strings(self, ids: np.ndarray) -> list[str]:
        words = self.words
        return [words[i] for i in ids.tolist()]

    def build(self, docs: list[np.ndarray]) -> _Matrix:
        """The BM25 matrix over ``docs`` (not installed: see :meth:`LexicalIndex.refresh`)."""
        return bm25_matrix(docs, len(self.words), self.k1, self.b)

    def install(self, matrix: _Matrix | None) -> None:
        self.matrix = matrix
        self.n_terms = 0 if matrix is None else len(matrix.indptr) - 1

    def main_df(self) -> np.ndarray:
        """Documents of the main segment holding each term (by term id)."""
        if self.matrix is None:
            return np.zeros(0, dtype=np.int64)
        return np.diff(self.matrix.indptr).astype(np.int64)

    def postings(self, term_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Main-segment rows and BM25 values of every posting of ``term_ids``.

        A term listed twice gives its postings twice (a repeated query term counts
        twice, as in bm25s); ids outside the matrix are skipped. One gather over all
        the terms' slices of the matrix, with no per-term Python.
        """
        known = term_ids[(term_ids > 0) & (term_ids < self.n_terms)]
        if self.matrix is None or not len(known):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        indptr = self.matrix.indptr
        starts = indptr[known]
        lengths = indptr[known + 1] - starts
        total = int(lengths.sum())
        if not total:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        # position j of the run belongs to term i: starts[i] + (j - offset of run i)
        offsets = np.cumsum(lengths) - lengths
        positions = np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)
        return self.matrix.indices[positions], self.matrix.data[positions]

    def scores(self, term_ids: np.ndarray, n_docs: int) -> np.ndarray:
        """BM25 of each main-segment document for ``term_ids``, summed in float64 (equal
        to bm25s's ``get_scores_from_ids`` within float32 rounding)."""
        if self.matrix is None:
            return np.zeros(n_docs, dtype=np.float32)
        rows, values = self.postings(term_ids)
        return np.bincount(rows, weights=values,
                           minlength=self.matrix.num_docs).astype(np.float32)


def top_positive(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` highest positive scores, highest first, equal scores in
    position order: a stable argsort of all positive scores cut to ``n``, without
    sorting them all (only those at or above the n-th score are sorted)."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > n > 0:
        values = scores[positive]
        nth = -np.partition(-values, n - 1)[n - 1]
        positive = positive[values >= nth]  # every tie at the cut, still in position order
    return positive[np.argsort(-scores[positive], kind="stable")[:n]]


def _length(terms: np.ndarray) -> int:
    return len(terms) or 1  # bm25s indexes an empty document as the empty term


def _unique(terms: np.ndarray) -> np.ndarray:
    return np.unique(terms) if len(terms) else np.zeros(1, dtype=np.int32)


class LexicalIndex:
    """BM25 over the ``text`` and ``folded`` fields of a set of documents.

    Documents are identified by int64 ids, like the vector indexes, so hybrid
    search can join the two.

    Live edits are cheap: the BM25 matrices (the *main segment*) are built for
    the whole collection once; a document added, changed or removed afterwards
    masks its main-segment row (a tombstone) and, unless removed, goes into a
    small *delta segment* scored here with the same BM25 formula and the
    collection statistics of main plus delta (document count, document
    frequencies, average length). Main-segment rows keep the statistics they
    were built with, so scores drift slightly from a fresh build as edits pile
    up; :meth:`refresh` merges everything into a new main segment once the
    delta holds more than :attr:`merge_fraction` of the collection.
    """

    merge_fraction = 0.05
    """Delta share of the collection at which :meth:`refresh` merges (rebuilds main)."""
    min_merge = 200
    """The delta may always hold this many documents before a merge."""

    def __init__(self, config: LexicalConfig | None = None) -> None:
        self.config = config or LexicalConfig()
        self._terms: dict[int, dict[str, np.ndarray]] = {}
        self._fields = {f: _Field(self.config.k1, self.config.b) for f in FIELDS}
        self._restorer: DiacriticRestorer | None = None
        self._changes_since_restorer = 0
        self._lock = threading.RLock()
        # the main segment: BM25 matrices over these documents, as they were then
        self._main_ids = np.empty(0, dtype=np.int64)
        self._main_terms: dict[int, dict[str, np.ndarray]] = {}
        self._main_pos: dict[int, int] = {}
        self._alive: np.ndarray | None = None
        """Main rows still current (None: all of them)."""
        self._built = False
        """False until the main segment is built; edits before then only store terms."""
        # the delta segment: current documents changed since main was built
        self._delta: dict[int, dict[str, np.ndarray]] = {}
        self._delta_cache: dict[str, tuple] | None = None
        # collection statistics over main (current rows) plus delta
        self._df = {f: np.zeros(0, dtype=np.int64) for f in FIELDS}
        self._total_len = dict.fromkeys(FIELDS, 0)
        self._order: np.ndarray = np.empty(0, dtype=np.int64)
        self._positions: dict[int, int] = {}
        self._gen = 0
        self._changed_at: dict[int, int] = {}
        """Document id -> generation of its latest change since main was built."""
        self._epoch = 0
        """Main segments installed so far (a merge installs only over the one it began on)."""

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, doc_id: int) -> bool:
        return int(doc_id) in self._terms

    def ids(self) -> np.ndarray:
        """Ids currently indexed."""
        with self._lock:
            return np.fromiter(self._terms.keys(), dtype=np.int64, count=len(self._terms))

    @property
    def delta_size(self) -> int:
        """Documents in the delta segment (changed since the main segment was built)."""
        return len(self._delta)

    # -- mutation ---------------------------------------------------------
    def upsert(self, ids: Iterable[int], texts: Iterable[str]) -> None:
        """Add or replace documents by id (texts are analysed here)."""
        ids = [int(i) for i in ids]
        texts = list(texts)
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique within one call")
        terms = [document_terms(syllables(t), self.config.bigrams) for t in texts]
        self.upsert_terms(ids, terms)

    def upsert_terms(self, ids: Sequence[int], terms: Sequence[dict[str, list[str]]]) -> None:
        """Add or replace documents whose field terms were computed already."""
        for t in terms:
            if set(t) != set(FIELDS):
                raise ValueError(f"terms must have exactly the fields {FIELDS}")
        with self._lock:
            live = self._built and len(terms) <= self._delta_room()
            if self._built and not live:
                self._built = False  # a bulk change: rebuild main on the next refresh
            for doc_id, t in zip(ids, terms, strict=True):
                doc_id = int(doc_id)
                arrays = {f: self._fields[f].intern(t[f]) for f in FIELDS}
                if live:
                    self._retire(doc_id)
                    self._delta[doc_id] = arrays
                    self._count(arrays, +1)
                    self._mark(doc_id)
                self._terms[doc_id] = arrays
            self._changes_since_restorer += len(terms)
            if live:
                self._segments_changed()

    def remove(self, ids: Iterable[int]) -> int:
        """Remove documents; unknown ids raise and nothing is removed."""
        ids = [int(i) for i in ids]
        with self._lock:
            missing = [i for i in ids if i not in self._terms]
            if missing:
                raise UnknownDocumentError(f"not in the lexical index: {missing[:10]}")
            for i in ids:
                if self._built:
                    self._retire(i)
                    self._mark(i)
                del self._terms[i]
            self._changes_since_restorer += len(ids)
            if self._built:
                self._segments_changed()
        return len(ids)

    def _delta_room(self) -> int:
        """How many more documents the delta takes before a full rebuild is cheaper."""
        return max(4 * self.min_merge, len(self._terms) // 4) - len(self._delta)

    def _mark(self, doc_id: int) -> None:
        self._gen += 1
        self._changed_at[doc_id] = self._gen

    def _retire(self, doc_id: int) -> None:
        """Take a document's current version out of the segments and the statistics."""
        old = self._delta.pop(doc_id, None)
        if old is None:
            pos = self._main_pos.get(doc_id)
            if pos is None or (self._alive is not None and not self._alive[pos]):
                return
            if self._alive is None:
                self._alive = np.ones(len(self._main_ids), dtype=bool)
            self._alive[pos] = False
            old = self._main_terms[doc_id]
        self._count(old, -1)

    def _count(self, arrays: dict[str, np.ndarray], sign: int) -> None:
        for f in FIELDS:
            df = self._df[f]
            need = len(self._fields[f].words)
            if len(df) < need:
                df = self._df[f] = np.concatenate(
                    [df, np.zeros(max(need - len(df), 1024), dtype=np.int64)])
            df[_unique(arrays[f])] += sign
            self._total_len[f] += sign * _length(arrays[f])

    def _segments_changed(self) -> None:
        """Recompute the result order (main rows still current, then the delta)."""
        self._delta_cache = None
        main = self._main_ids if self._alive is None else self._main_ids[self._alive]
        delta = np.fromiter(self._delta.keys(), dtype=np.int64, count=len(self._delta))
        self._order = np.concatenate([main, delta]) if len(delta) else main
        self._positions = {int(d): i for i, d in enumerate(self._order.tolist())}

    def refresh(self) -> None:
        """Build the BM25 matrices and the diacritic restorer now, not on a user's query.

        Merges the delta segment into a new main segment once it has grown past
        :attr:`merge_fraction` of the collection. The merge builds outside the lock,
        so searches go on meanwhile; edits made during it stay in the new delta.
        """
        with self._lock:
            self._refresh()
            merge = len(self._delta) > max(self.min_merge,
                                           self.merge_fraction * len(self._terms))
            if merge:
                gen0, epoch, snapshot = self._gen, self._epoch, dict(self._terms)
        if merge:
            built = self._build_main(snapshot)
            with self._lock:
                if self._built and self._epoch == epoch:  # no other build meanwhile
                    self._install(snapshot, built, gen0)
        with self._lock:
            self._restorer_now()

    def merge(self) -> None:
        """Fold the delta segment into a new main segment now (as a fresh build would)."""
        with self._lock:
            self._built = False
            self._refresh()

    def _restorer_now(self) -> DiacriticRestorer:
        if self._restorer is None:
            field = self._fields["text"]
            self._restorer = DiacriticRestorer.from_syllables(
                [t for t in field.strings(terms["text"]) if "|" not in t]
                for terms in self._terms.values()
            )
            self._changes_since_restorer = 0
        return self._restorer

    def _build_main(self, snapshot: dict[int, dict[str, np.ndarray]]) -> dict:
        ids = list(snapshot)
        return {name: field.build([snapshot[i][name] for i in ids]) if ids else None
                for name, field in self._fields.items()}

    def _install(self, snapshot: dict[int, dict[str, np.ndarray]], built: dict,
                 gen0: int) -> None:
        """Serve a main segment built from ``snapshot``; later changes go to the delta."""
        for name, field in self._fields.items():
            field.install(built[name])
        self._main_terms = snapshot
        self._main_ids = np.fromiter(snapshot.keys(), dtype=np.int64, count=len(snapshot))
        self._main_pos = {int(d): i for i, d in enumerate(self._main_ids.tolist())}
        self._alive = None
        self._delta = {}
        for f in FIELDS:
            self._df[f] = self._fields[f].main_df()
            self._total_len[f] = sum(_length(t[f]) for t in snapshot.values())
        later = {d: g for d, g in self._changed_at.items() if g > gen0}
        self._changed_at = later
        for doc_id in later:  # changed while the new main was being built
            self._retire(doc_id)
            if doc_id in self._terms:
                self._delta[doc_id] = self._terms[doc_id]
                self._count(self._terms[doc_id], +1)
        self._built = True
        self._epoch += 1
        # The restorer's syllable statistics barely move with a few edits;
        # refit it once 5% of the collection has changed, not on every edit.
        if self._changes_since_restorer > 0.05 * max(len(self._terms), 1):
            self._restorer = None
        self._segments_changed()

    def _refresh(self) -> None:
        """Build the main segment synchronously if there is none (first build, bulk edits)."""
        if self._built:
            return
        snapshot = dict(self._terms)
        self._install(snapshot, self._build_main(snapshot), self._gen)

    def positions(self, order: np.ndarray | None = None) -> dict[int, int]:
        """Document id -> its position in :meth:`score_all`'s arrays.

        Pass the ``ids`` array a :meth:`score_all` call returned to get the positions
        for exactly that result even if the index changed since.
        """
        with self._lock:
            self._refresh()
            if order is None or order is self._order:
                return self._positions
        return {int(d): i for i, d in enumerate(order.tolist())}

    def restore_diacritics(self, text: str) -> str:
        """Marks put back on an unmarked query from this collection's syllable statistics."""
        with self._lock:
            self._refresh()
            return self._restorer_now().restore(text)

    # -- search -----------------------------------------------------------
    def idf(self, terms: Sequence[str], field: str = "folded") -> np.ndarray:
        """BM25 idf of each term of ``field`` over the current documents; a term no
        document holds gets the highest idf there is."""
        with self._lock:
            vocab, df_all = self._fields[field].vocab, self._df[field]
            n_docs = max(len(self._terms), 1)
            df = np.array([df_all[t] if (t := vocab.get(term)) is not None and t < len(df_all)
                           else 0 for term in terms], dtype=np.float64)
        return np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))

    def query_terms(self, query: str) -> tuple[dict[str, list[str]], dict[str, float]]:
        """Field terms of a query and the weight each field gets."""
        analyzed = syllables(query)
        terms = document_terms(analyzed, self.config.bigrams)
        if has_diacritics(normalize(query)):
            weights = {"text": 1.0, "folded": self.config.folded_weight}
        else:
            weights = {"text": 0.0, "folded": 1.0}
        return terms, weights

    def score_all(
        self, query: str, expansion: str | None = None, expansion_weight: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """BM25 score of every document: ``(ids, scores)`` in index order.

        ``expansion`` holds extra terms (for example glossary synonyms in the
        other language); their scores count ``expansion_weight`` times.
        """
        parts = [(query, 1.0)]
        if expansion and expansion_weight > 0:
            parts.append((expansion, expansion_weight))
        analysed = [(self.query_terms(text), scale) for text, scale in parts]
        with self._lock:
            self._refresh()
            order = self._order
            n_main = len(self._main_ids)
            delta = np.zeros(len(self._delta), dtype=np.float32)
            # every (field, part) term's postings, weighted, summed in one bincount
            rows, values = [], []
            for (terms, weights), scale in analysed:
                for name, w in weights.items():
                    if not w:
                        continue
                    field = self._fields[name]
                    vocab = field.vocab
                    ids = np.array([vocab[t] for t in terms[name] if t in vocab and t],
                                   dtype=np.int64)
                    if not len(ids):
                        continue
                    r, v = field.postings(ids)
                    rows.append(r)
                    values.append(v * np.float32(scale * w))
                    if len(delta):
                        delta += scale * w * self._delta_scores(name, ids)
            if rows and n_main:
                main = np.bincount(np.concatenate(rows), weights=np.concatenate(values),
                                   minlength=n_main).astype(np.float32)
            else:
                main = np.zeros(n_main, dtype=np.float32)
            if self._alive is not None:
                main = main[self._alive]
        total = np.concatenate([main, delta]) if len(delta) else main
        return order, total

    def _delta_scores(self, name: str, query_ids: np.ndarray) -> np.ndarray:
        """BM25 (Lucene variant, as bm25s) of the delta documents, collection-wide statistics."""
        if self._delta_cache is None:
            self._delta_cache = {}
        cached = self._delta_cache.get(name)
        if cached is None:
            docs = list(self._delta.values())
            uniq, tfs, rows, lens = [], [], [], []
            for row, t in enumerate(docs):
                arr = t[name] if len(t[name]) else np.zeros(1, dtype=np.int32)
                u, c = np.unique(arr, return_counts=True)
                uniq.append(u)
                tfs.append(c)
                rows.append(np.full(len(u), row, dtype=np.int64))
                lens.append(_length(t[name]))
            cached = (np.concatenate(uniq).astype(np.int64), np.concatenate(tfs).astype(
                np.float64), np.concatenate(rows), np.array(lens, dtype=np.float64))
            self._delta_cache[name] = cached
        terms, tf, rows, lens = cached
        qids, qcount = np.unique(query_ids, return_counts=True)
        hit = np.isin(terms, qids)
        if not hit.any():
            return np.zeros(len(lens), dtype=np.float32)
        terms, tf, rows = terms[hit], tf[hit], rows[hit]
        n_docs = max(len(self._terms), 1)
        avg_len = self._total_len[name] / n_docs
        df = self._df[name][terms].astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        k1, b = self.config.k1, self.config.b
        tfc = tf / (k1 * ((1 - b) + b * lens[rows] / avg_len) + tf)
        weight = qcount[np.searchsorted(qids, terms)]
        return np.bincount(rows, weights=weight * idf * tfc,
                           minlength=len(lens)).astype(np.float32)

    def search(
        self, query: str, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` ``(ids, scores)`` with score > 0, optionally among ``allowed_ids``."""
        if k < 1:
            raise ValueError("k must be at least 1")
        order, scores = self.score_all(query)
        if allowed_ids is not None:
            scores = np.where(np.isin(order, allowed_ids), scores, 0.0)
        ranked = top_positive(scores, k)
        return order[ranked], scores[ranked]

    # -- persistence ------------------------------------------------------
    def save(self, directory: str | os.PathLike) -> None:
        """Write the documents' terms and a checksummed manifest atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            rows = [{"id": i, **{f: self._fields[f].strings(t[f]) for f in FIELDS}}
                    for i, t in self._terms.items()]
        data_path = directory / "lexical.jsonl.gz"
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".lexical.")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                for row in rows:
                    gz.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, data_path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        manifest = {
            "format_version": FORMAT_VERSION,
            "kind": "bm25s",
            "count": len(rows),
            "config": self.config.__dict__,
            "checksum": sha256_file(data_path),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        mtmp = directory / ".lexical-manifest.json.tmp"
        mtmp.write_text(json.dumps(manifest, indent=2))
        os.replace(mtmp, directory / "lexical-manifest.json")

    @classmethod
    def load(cls, directory: str | os.PathLike) -> LexicalIndex:
        """Read an index written by :meth:`save`, verifying its checksum."""
        directory = Path(directory)
        manifest_path = directory / "lexical-manifest.json"
        data_path = directory / "lexical.jsonl.gz"
        if not manifest_path.is_file() or not data_path.is_file():
            raise CorruptLexicalIndexError(f"no lexical index in {directory}")
        try:
            manifest = json.loads(manifest_path.read_text())
            expected = manifest["checksum"]
            config = LexicalConfig(**manifest["config"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptLexicalIndexError(f"{manifest_path} is unreadable: {exc}") from exc
        if sha256_file(data_path) != expected:
            raise CorruptLexicalIndexError(f"{data_path} does not match its checksum")
        index = cls(config)
        try:
            # a few hundred rows at a time: the whole file as JSON rows is millions of short
            # strings at once, and the memory they leave behind is not given back (at
            # 10,000 profiles a load had kept 270 MB more than the index holds)
            with gzip.open(data_path, "rt", encoding="utf-8") as fh:
                while rows := [json.loads(line) for line in itertools.islice(fh, 256)]:
                    index.upsert_terms([r["id"] for r in rows],
                                       [{f: r[f] for f in FIELDS} for r in rows])
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptLexicalIndexError(f"{data_path} is unreadable: {exc}") from exc
        if len(index) != manifest.get("count"):
            raise CorruptLexicalIndexError(f"{data_path} holds {len(index)} documents, "
                                           f"the manifest says {manifest.get('count')}")
        return index


