"""File helpers shared by everything that writes checksummed artefacts."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def publish_directory(tmp: Path, target: Path, is_complete: Callable[[Path], bool]) -> None:
    """Rename the finished directory ``tmp`` into place as ``target``, atomically.

    A previous ``target`` is moved aside and removed first. If another process
    published a complete copy in the meantime (``is_complete(target)``), that copy
    is kept and ``tmp`` is left for the caller to remove.
    """
    if target.exists():
        stale = target.with_name(f".{target.name}.stale-{os.getpid()}")
        os.replace(target, stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:
        if not is_complete(target):
            raise
