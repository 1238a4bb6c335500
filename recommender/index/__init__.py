"""Vector indexes of profile embeddings: one interface, three backends, chosen by name.

``numpy`` is the brute-force reference, ``flat`` exact FAISS search, ``ivf``
approximate FAISS search for collections past ``KETNOI_ANN_THRESHOLD``.
"""

from __future__ import annotations

import os

from recommender.index.base import VectorIndex
from recommender.index.errors import (
    CorruptIndexError,
    DimensionMismatchError,
    DuplicateIdError,
    ManifestMismatchError,
    UnknownIdError,
    VectorIndexError,
)
from recommender.index.faiss_index import (
    FlatIndex,
    IVFIndex,
    choose_nlist,
    default_nprobe,
    set_threads,
)
from recommender.index.manifest import IndexManifest, read_manifest
from recommender.index.numpy_index import NumpyIndex

INDEX_KINDS: dict[str, type[VectorIndex]] = {
    "numpy": NumpyIndex,
    "flat": FlatIndex,
    "ivf": IVFIndex,
}

__all__ = [
    "INDEX_KINDS",
    "CorruptIndexError",
    "DimensionMismatchError",
    "DuplicateIdError",
    "FlatIndex",
    "IVFIndex",
    "IndexManifest",
    "ManifestMismatchError",
    "NumpyIndex",
    "UnknownIdError",
    "VectorIndex",
    "VectorIndexError",
    "choose_kind",
    "choose_nlist",
    "create_index",
    "default_nprobe",
    "load_index",
    "read_manifest",
    "set_threads",
]


def _index_class(kind: str) -> type[VectorIndex]:
    try:
        return INDEX_KINDS[kind]
    except (KeyError, TypeError):
        valid = ", ".join(repr(name) for name in INDEX_KINDS)
        raise ValueError(f"unknown index kind {kind!r}; valid kinds are {valid}") from None


def create_index(kind: str, dim: int) -> VectorIndex:
    """Creates an empty index of the named backend (``numpy``, ``flat`` or ``ivf``).

    An empty ``ivf`` index learns its lists from the first batch added; prefer
    ``IVFIndex.build`` with the whole collection.
    """
    return _index_class(kind)(dim)


def choose_kind(n_vectors: int, threshold: int) -> str:
    """``"ivf"`` for collections of at least ``threshold`` vectors, else exact ``"flat"``."""
    if n_vectors < 0:
        raise ValueError(f"n_vectors must be non-negative, not {n_vectors}")
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    return "ivf" if n_vectors >= threshold else "flat"


def load_index(
    directory: str | os.PathLike[str],
    *,
    expected_model_id: str | None = None,
    expected_dim: int | None = None,
) -> VectorIndex:
    """Loads a saved index of whatever kind its manifest names.

    Raises:
        FileNotFoundError: ``directory`` holds no manifest.
        CorruptIndexError: the files are damaged or disagree with the manifest.
        ManifestMismatchError: built for another model or dimension than expected.
    """
    record = read_manifest(directory)
    try:
        cls = _index_class(record.kind)
    except ValueError as exc:
        raise CorruptIndexError(f"manifest in {directory}: {exc}") from None
    return cls.load(directory, expected_model_id=expected_model_id, expected_dim=expected_dim)
