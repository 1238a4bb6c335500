"""Data files that travel with the package, found through ``importlib.resources``.

The ``corpora`` package holds them (declared as package data in pyproject.toml), so
they are found the same way in a checkout, an editable install and a wheel.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA_PACKAGE = "corpora"


def corpus_file(name: str) -> Path:
    """The filesystem path of the data file ``name`` in the ``corpora`` package.

    Args:
        name: a file name relative to the package, e.g. ``"taxonomy.tsv"``.

    Raises:
        FileNotFoundError: the file is not installed, or the package is not on the
            filesystem (e.g. imported from a zip), so there is no path to give.
    """
    found = resources.files(DATA_PACKAGE).joinpath(name)
    if not isinstance(found, Path):
        raise FileNotFoundError(
            f"{DATA_PACKAGE}/{name} is inside {found!r}, not on the filesystem; "
            "install KếtNối unpacked (pip install, not a zip)")
    if not found.is_file():
        raise FileNotFoundError(
            f"data file {name!r} is not in the {DATA_PACKAGE!r} package ({found.parent}): "
            "missing from the checkout, or the installation lacks its package data")
    return found
