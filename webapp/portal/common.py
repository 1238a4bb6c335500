"""What the portal's pages share: the logged-in enterprise's profile (also used by
:mod:`webapp.inbox`) and a per-process cache of ranking results."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import abort, current_app, redirect, url_for

from recommender.store.models import SupplierProfile

from ..auth import current_account
from ..errors import api_error, wants_json

CACHE_TTL_S = 600.0


def own_profile() -> SupplierProfile:
    """The logged-in enterprise's profile. An account without one (its claim on an existing
    profile not yet proven) is sent to its claim page; the API answers 404."""
    account = current_account()
    profile = account.profile if account is not None else None
    if profile is None:
        if not wants_json():
            abort(redirect(url_for("claims.status")))
        abort(api_error("no_profile"))
    return profile


class TTLCache:
    """Results per key for a while (per process): the ranking work is capped per profile
    version, and an edit (a new ``updated_at``) or a new index version makes a new key."""

    def __init__(self, ttl_s: float = CACHE_TTL_S, size: int = 256) -> None:
        self.ttl_s, self.size = ttl_s, size
        self._items: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None or time.monotonic() - hit[0] > self.ttl_s:
                return None
            return hit[1]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            if len(self._items) >= self.size:
                oldest = min(self._items, key=lambda k: self._items[k][0])
                del self._items[oldest]
            self._items[key] = (time.monotonic(), value)


def ranking_cache(name: str) -> TTLCache:
    """The named cache of this app (one per process)."""
    caches = current_app.extensions.setdefault("ketnoi_portal_cache", {})
    return caches.setdefault(name, TTLCache())
