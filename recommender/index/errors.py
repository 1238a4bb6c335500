"""The errors a vector index raises on purpose, one base class for all of them.

Their own module, so that the index interface (:mod:`.base`) and the on-disk
format (:mod:`.manifest`) both raise them without importing each other.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_MAX_IDS_IN_MESSAGE = 10


class VectorIndexError(Exception):
    """Base class of every error a vector index raises on purpose."""


class DimensionMismatchError(VectorIndexError, ValueError):
    """Vectors or queries whose width is not the index dimension."""

    def __init__(self, expected: int, found: int, what: str = "vectors") -> None:
        self.expected = expected
        self.found = found
        super().__init__(f"{what} have dimension {found}, the index expects {expected}")


class UnknownIdError(VectorIndexError, KeyError):
    """Ids the index does not hold; the call that raised it changed nothing."""

    def __init__(self, ids: ArrayLike) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        super().__init__(f"ids not in the index: {format_ids(self.ids)}; nothing was changed")

    def __str__(self) -> str:
        # KeyError would print the repr of the message, quotes included.
        return str(self.args[0])


class DuplicateIdError(VectorIndexError, ValueError):
    """Ids already in the index, or repeated within one call; nothing was changed."""

    def __init__(self, ids: ArrayLike, reason: str = "already in the index") -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        super().__init__(f"ids {reason}: {format_ids(self.ids)}; nothing was changed")


class CorruptIndexError(VectorIndexError):
    """A saved index whose files are damaged, truncated or missing."""


class ManifestMismatchError(VectorIndexError):
    """A saved index built for another model, dimension, kind or format version."""


def format_ids(ids: NDArray[np.int64]) -> str:
    """Ids for a message: the first few, then how many more."""
    shown = ", ".join(str(int(i)) for i in ids[:_MAX_IDS_IN_MESSAGE])
    if len(ids) > _MAX_IDS_IN_MESSAGE:
        shown += f", ... ({len(ids) - _MAX_IDS_IN_MESSAGE} more)"
    return f"[{shown}]"
