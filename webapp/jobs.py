"""Rebuild runs of the web app's catalog: the app's settings, then the library's job.

The runs themselves (lease, progress, history, outcome) are
:mod:`recommender.serving.rebuild`; these two functions give it the app's
catalog and ``KETNOI_REBUILD_LEASE_S``, for ``index rebuild``, the scheduler and
the staff console.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from recommender.serving import rebuild
from recommender.store.models import IndexRun


def lease_seconds(app: Flask) -> float:
    """``KETNOI_REBUILD_LEASE_S``: how long a rebuild's lease holds without a renewal."""
    return float(app.config.get("REBUILD_LEASE_S", rebuild.DEFAULT_LEASE_S))


def run_rebuild(app: Flask, trigger: str, **options: Any) -> IndexRun:
    """:func:`recommender.serving.rebuild.run_rebuild` for the app's catalog."""
    return rebuild.run_rebuild(app.extensions["ketnoi_catalog"], trigger,
                               lease_s=lease_seconds(app), **options)


def start_rebuild(app: Flask, trigger: str, **options: Any) -> int:
    """:func:`recommender.serving.rebuild.start_rebuild` for the app's catalog."""
    return rebuild.start_rebuild(app.extensions["ketnoi_catalog"], trigger,
                                 lease_s=lease_seconds(app), **options)
