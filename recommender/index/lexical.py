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

BM25 itself is bm25s (Lucene variant). bm25s indexes are static, so the
per-document terms are kept and the BM25 matrices are rebuilt lazily, on the
first search after a change; rebuilding needs no re-segmentation.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..embed.restore import DiacriticRestorer
from ..embed.text import AnalyzedText, fold, normalize, syllables
from ..files import sha256_file

FORMAT_VERSION = 1
FIELDS = ("text", "folded")
logging.getLogger("bm25s").setLevel(logging.WARNING)


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


def has_diacritics(text: str) -> bool:
    """True if the text carries any Vietnamese mark (so the accented field applies)."""
    low = text.lower()
    return fold(low) != low


def document_terms(analyzed: AnalyzedText, bigrams: bool = True) -> dict[str, list[str]]:
    """The terms of each field for one analysed document."""
    return {
        "text": ngrams(analyzed.syllables, bigrams),
        "folded": ngrams(analyzed.folded, bigrams),
    }


class _Field:
    """One bm25s index over the current documents of one field.

    Terms are interned once into a growing vocabulary, and documents are kept
    as int32 id arrays: rebuilding the BM25 matrices after an edit then skips
    bm25s's own tokenisation, and the terms take a fraction of the memory of
    Python strings.
    """

    def __init__(self, k1: float, b: float) -> None:
        self.k1, self.b = k1, b
        self.retriever = None
        # id 0 is the empty term: bm25s drops empty documents' rows without one
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

    def build(self, docs: list[np.ndarray]) -> None:
        import bm25s
        from bm25s.tokenization import Tokenized

        retriever = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        ids = [d.tolist() if len(d) else [0] for d in docs]
        retriever.index(Tokenized(ids=ids, vocab=self.vocab), show_progress=False)
        self.retriever = retriever

    def scores(self, terms: list[str], n_docs: int) -> np.ndarray:
        known = [t for t in terms if t in self.vocab and t != ""]
        if self.retriever is None or not known:
            return np.zeros(n_docs, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)


class LexicalIndex:
    """BM25 over the ``text`` and ``folded`` fields of a set of documents.

    Documents are identified by int64 ids, like the vector indexes, so hybrid
    search can join the two.
    """

    def __init__(self, config: LexicalConfig | None = None) -> None:
        self.config = config or LexicalConfig()
        self._terms: dict[int, dict[str, list[str]]] = {}
        self._order: np.ndarray = np.empty(0, dtype=np.int64)
        self._fields = {f: _Field(self.config.k1, self.config.b) for f in FIELDS}
        self._dirty = True
        self._restorer: DiacriticRestorer | None = None
        self._positions: dict[int, int] = {}
        self._changes_since_restorer = 0
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, doc_id: int) -> bool:
        return int(doc_id) in self._terms

    def ids(self) -> np.ndarray:
        """Ids currently indexed."""
        with self._lock:
            return np.fromiter(self._terms.keys(), dtype=np.int64, count=len(self._terms))

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
            for doc_id, t in zip(ids, terms, strict=True):
                self._terms[int(doc_id)] = {f: self._fields[f].intern(t[f]) for f in FIELDS}
            self._changes_since_restorer += len(terms)
            self._dirty = True

    def remove(self, ids: Iterable[int]) -> int:
        """Remove documents; unknown ids raise and nothing is removed."""
        ids = [int(i) for i in ids]
        with self._lock:
            missing = [i for i in ids if i not in self._terms]
            if missing:
                raise UnknownDocumentError(f"not in the lexical index: {missing[:10]}")
            for i in ids:
                del self._terms[i]
            self._changes_since_restorer += len(ids)
            self._dirty = True
        return len(ids)

    def refresh(self) -> None:
        """Build the BM25 matrices and the diacritic restorer now, not on a user's query."""
        with self._lock:
            self._refresh()
            self._restorer_now()

    def _restorer_now(self) -> DiacriticRestorer:
        if self._restorer is None:
            field = self._fields["text"]
            self._restorer = DiacriticRestorer.from_syllables(
                [t for t in field.strings(terms["text"]) if "|" not in t]
                for terms in self._terms.values()
            )
            self._changes_since_restorer = 0
        return self._restorer

    def _refresh(self) -> None:
        if not self._dirty:
            return
        order = np.fromiter(self._terms.keys(), dtype=np.int64, count=len(self._terms))
        for name, field in self._fields.items():
            if len(order):
                field.build([self._terms[int(i)][name] for i in order])
            else:
                field.retriever = None
        self._order = order
        self._positions = {int(d): i for i, d in enumerate(order.tolist())}
        # The restorer's syllable statistics barely move with a few edits;
        # refit it once 5% of the collection has changed, not on every edit.
        if self._changes_since_restorer > 0.05 * max(len(order), 1):
            self._restorer = None
        self._dirty = False

    def positions(self) -> dict[int, int]:
        """Document id -> its position in :meth:`score_all`'s arrays."""
        with self._lock:
            self._refresh()
            return self._positions

    def restore_diacritics(self, text: str) -> str:
        """Marks put back on an unmarked query from this collection's syllable statistics."""
        with self._lock:
            self._refresh()
            return self._restorer_now().restore(text)

    # -- search -----------------------------------------------------------
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
        with self._lock:
            self._refresh()
            order = self._order
            total = np.zeros(len(order), dtype=np.float32)
            for text, scale in parts:
                terms, weights = self.query_terms(text)
                for name, w in weights.items():
                    if w:
                        total += scale * w * self._fields[name].scores(terms[name], len(order))
        return order, total

    def search(
        self, query: str, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` ``(ids, scores)`` with score > 0, optionally among ``allowed_ids``."""
        if k < 1:
            raise ValueError("k must be at least 1")
        order, scores = self.score_all(query)
        if allowed_ids is not None:
            scores = np.where(np.isin(order, allowed_ids), scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        ranked = positive[np.argsort(-scores[positive], kind="stable")]
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
            with gzip.open(data_path, "rt", encoding="utf-8") as fh:
                rows = [json.loads(line) for line in fh]
            index.upsert_terms([r["id"] for r in rows], [{f: r[f] for f in FIELDS} for r in rows])
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptLexicalIndexError(f"{data_path} is unreadable: {exc}") from exc
        if len(index) != manifest.get("count"):
            raise CorruptLexicalIndexError(f"{data_path} holds {len(index)} documents, "
                                           f"the manifest says {manifest.get('count')}")
        return index


