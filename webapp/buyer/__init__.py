"""What a buyer does after searching: the supplier page, shortlist, contact requests, RFQs.

Pages and the JSON API (``/api/v1/shortlist``, ``/api/v1/requests``) need a
buyer account; staff may read supplier contact details. Every action on a
supplier is also an :class:`~recommender.store.models.Interaction` (click,
shortlist, contact), tied to the search that showed it when the link carried
the search id and rank (``?s=<id>&r=<rank>``).

Routes by concept: :mod:`.supplier` (the supplier page and similar suppliers),
:mod:`.contacts` (contact requests), :mod:`.shortlist`, :mod:`.requests` (RFQs,
read and explained by :mod:`recommender.rfq`); :mod:`.interactions` records
what a buyer did with a supplier.
"""

from __future__ import annotations

from . import contacts, requests, shortlist, supplier
from .blueprints import api, bp
from .supplier import render_supplier

__all__ = ["api", "bp", "contacts", "init_app", "render_supplier", "requests", "shortlist",
           "supplier"]


def init_app(app) -> None:
    from ..security import csrf

    csrf.exempt(api)  # JSON API: session cookie (SameSite=Lax) and role checks
    app.register_blueprint(bp)
    app.register_blueprint(api)
