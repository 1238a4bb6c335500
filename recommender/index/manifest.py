"""The on-disk form of a saved vector index: a data file and a JSON manifest.

A saved index is a directory holding ``manifest.json`` and one data file whose
name carries the start of its sha256 (``index-<hex>.faiss`` or ``.npz``). Every
file is written to a temporary file in the same directory, fsynced and moved
into place with ``os.replace``; the manifest goes last. A crash mid-save
therefore leaves the previous manifest pointing at the previous, intact data
file. The manifest records what the vectors are (model, dimension, count) so
that an index is never searched with queries from another encoder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from recommender.index.errors import CorruptIndexError, ManifestMismatchError

from ..files import sha256_file

#: Version of the manifest and data layout this code writes and reads.
FORMAT_VERSION = 1
#: Name of the manifest inside an index directory.
MANIFEST_NAME = "manifest.json"

_DATA_FILE = re.compile(r"^index-[0-9a-f]{16}\.[a-z]+$")
_TMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class IndexManifest:
    """What a saved index holds and how to check it.

    Attributes:
        format_version: layout version, ``FORMAT_VERSION`` when written.
        kind: backend name (``numpy``, ``flat``, ``ivf``).
        model_id: the encoder that produced the vectors.
        dimension: vector width.
        count: number of vectors.
        checksum: sha256 (hex) of the data file.
        created_at: ISO 8601 UTC time of the save.
        data_file: name of the data file, in the same directory.
        params: backend parameters, such as ``nlist`` and ``nprobe`` for IVF.
    """

    format_version: int
    kind: str
    model_id: str
    dimension: int
    count: int
    checksum: str
    created_at: str
    data_file: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The manifest as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: Path) -> IndexManifest:
        """Parses manifest data, raising ``CorruptIndexError`` naming ``source`` if malformed."""
        expected: dict[str, type | tuple[type, ...]] = {
            "format_version": int,
            "kind": str,
            "model_id": str,
            "dimension": int,
            "count": int,
            "checksum": str,
            "created_at": str,
            "data_file": str,
            "params": dict,
        }
        missing = [name for name in expected if name not in data]
        if missing:
            raise CorruptIndexError(f"manifest {source} lacks {', '.join(missing)}")
        for name, kind in expected.items():
            value = data[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise CorruptIndexError(f"manifest {source}: {name} is {value!r}")
        if data["format_version"] > FORMAT_VERSION:
            raise ManifestMismatchError(
                f"manifest {source} has format_version {data['format_version']}; "
                f"this code reads up to {FORMAT_VERSION}"
            )
        if not _DATA_FILE.match(data["data_file"]):
            raise CorruptIndexError(f"manifest {source}: bad data_file {data['data_file']!r}")
        return cls(**{name: data[name] for name in expected})

    def check_expected(self, *, model_id: str | None = None, dim: int | None = None) -> None:
        """Raises ``ManifestMismatchError`` if the index was built for another model or width."""
        if model_id is not None and model_id != self.model_id:
            raise ManifestMismatchError(
                f"index was built with model {self.model_id!r}, expected {model_id!r}; "
                "rebuild the index with the current model"
            )
        if dim is not None and dim != self.dimension:
            raise ManifestMismatchError(
                f"index holds vectors of dimension {self.dimension}, expected {dim}"
            )


def write_data_file(
    directory: Path, suffix: str, writer: Callable[[Path], None]
) -> tuple[str, str]:
    """Has ``writer`` write a temporary file, then moves it to its checksum-named place.

    Returns:
        The data file's name and its sha256.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=suffix, dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        checksum = sha256_file(tmp)
        name = f"index-{checksum[:16]}{suffix}"
        os.replace(tmp, directory / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    return name, checksum


def write_manifest(directory: Path, record: IndexManifest) -> Path:
    """Writes ``manifest.json`` atomically and returns its path."""
    payload = json.dumps(record.to_dict(), indent=2, ensure_ascii=False) + "\n"
    fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".json", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        path = directory / MANIFEST_NAME
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    return path


def read_manifest(directory: str | os.PathLike[str]) -> IndexManifest:
    """Reads and checks the manifest of a saved index.

    Raises:
        FileNotFoundError: ``directory`` holds no manifest.
        CorruptIndexError: the manifest is not valid JSON or lacks fields.
        ManifestMismatchError: the manifest is of a newer format.
    """
    path = Path(directory) / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no index manifest at {path}; was an index saved there?")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptIndexError(f"manifest {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CorruptIndexError(f"manifest {path} is not a JSON object")
    return IndexManifest.from_dict(data, path)


def verify_data_file(directory: str | os.PathLike[str], record: IndexManifest) -> Path:
    """Returns the data file's path after checking it exists and matches the checksum."""
    path = Path(directory) / record.data_file
    if not path.is_file():
        raise CorruptIndexError(f"index data file {path} named by the manifest is missing")
    found = sha256_file(path)
    if found != record.checksum:
        raise CorruptIndexError(
            f"index data file {path} is corrupt or truncated: its sha256 is {found}, "
            f"the manifest records {record.checksum}"
        )
    return path


def remove_stale_files(directory: Path, keep: str) -> None:
    """Deletes data files of earlier saves and temporary files left by crashed ones."""
    for path in directory.iterdir():
        name = path.name
        stale_data = _DATA_FILE.match(name) is not None and name != keep
        if stale_data or name.startswith(_TMP_PREFIX):
            path.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; directories cannot be opened on Windows.
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
