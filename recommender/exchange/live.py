"""The exchange index of one serving process, following the database.

Listings are few (hundreds per park, not thousands) and change one at a time, so each
process keeps its own :class:`~recommender.exchange.match.ExchangeIndex` and, before
matching, reads the listings changed since it last looked (``updated_at``): open ones
are (re)indexed, closed or deleted ones removed. A listing saved by any process is
therefore matched by every process on its next request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import RetrievalConfig
from ..embed.encoder import Encoder
from ..store.listings import as_listing
from ..store.models import ResourceListing
from .match import ExchangeIndex, ExchangeMatch, Listing


class LiveExchange:
    """One process's exchange index, brought up to date by :meth:`current`."""

    def __init__(self, encoder: Callable[[], Encoder], config: RetrievalConfig | None = None
                 ) -> None:
        self._encoder = encoder
        self._config = config
        self._index: ExchangeIndex | None = None
        self._seen: datetime | None = None
        self._count = -1
        self._lock = threading.Lock()
        self._potential: tuple[tuple, list] | None = None

    def current(self, session: Session) -> ExchangeIndex:
        """The index with every change saved so far (by any process)."""
        with self._lock:
            if self._index is None:
                self._index = ExchangeIndex.empty(self._encoder(), self._config)
            count = session.scalar(select(func.count(ResourceListing.id))) or 0
            query = select(ResourceListing)
            if self._seen is not None and count >= self._count:
                # a deleted firm's listings go with it: a smaller count reads everything
                query = query.where(ResourceListing.updated_at >= self._seen)
            rows = list(session.scalars(query))
            if self._seen is None or count < self._count:
                present = {r.id for r in rows}
                self._index.remove([i for i in self._index.listings if i not in present])
            self._index.remove([r.id for r in rows if not r.open])
            changed = [as_listing(r) for r in rows if r.open
                       and self._index.listings.get(r.id) != as_listing(r)]
            self._index.upsert(changed)
            if rows:
                latest = max(r.updated_at for r in rows)
                self._seen = latest if self._seen is None else max(self._seen, latest)
            self._count = count
            return self._index

    def potential(self, session: Session) -> list[tuple[Listing, Listing, ExchangeMatch]]:
        """:meth:`ExchangeIndex.potential` of the current listings, computed once per
        change (a need is one search; a park's staff page must not pay for all of them
        on every view)."""
        index = self.current(session)
        with self._lock:
            key = (self._seen, self._count)
            if self._potential is None or self._potential[0] != key:
                self._potential = (key, index.potential())
            return self._potential[1]
