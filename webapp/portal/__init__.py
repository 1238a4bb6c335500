"""The supplier enterprise's own pages: dashboard, matching RFQs, visibility and policies.

Every view here is for an ``enterprise`` account and shows only the profile the
account is linked to; there is no profile id in the URL to guess. The inbox of
buyer messages is :mod:`webapp.inbox`.

Pages (HTML) and JSON (errors in the shape of :mod:`webapp.errors`), one module each:

* :mod:`.dashboard`: ``/enterprise`` · ``GET /api/v1/enterprise/dashboard``: profile
  completeness, certificate expiry warnings, new messages and RFQs, search
  appearances and clicks.
* :mod:`.rfqs`: ``/enterprise/requests`` · ``GET /api/v1/enterprise/requests``: RFQs
  matched to the profile (viewing the page marks them seen;
  ``PATCH /api/v1/enterprise/requests/<id>`` with ``{"seen": true}`` does it by API),
  plus open RFQs the profile would now match.
* :mod:`.visibility`: ``/enterprise/visibility`` · ``GET /api/v1/enterprise/visibility``:
  the profile's rank for recent buyer queries and for queries derived from its
  processes, and what to add.
* :mod:`.policies`: ``/enterprise/policies``: the support programmes judged for the profile.
* :mod:`.exchange`: ``/enterprise/exchange``: the firm's offers and needs for other
  firms (by-products, scrap, waste streams, steam, spare capacity, services), their
  matches and the requests to exchange.
* :mod:`.premises`: ``/enterprise/premises``: the premises the firm needs and the
  listings that meet it; a developer's own premises for rent.
* :mod:`.nav`: unread messages and unseen RFQs in the header.
"""

from __future__ import annotations

# importing the route modules registers their views on the blueprints
from . import (  # noqa: F401
    dashboard,
    exchange,
    exchange_api,
    nav,
    policies,
    premises,
    rfqs,
    visibility,
)
from .blueprints import api, bp


def init_app(app) -> None:
    from ..security import csrf

    # the API uses the session cookie (SameSite=Lax) and JSON bodies, not form tokens
    csrf.exempt(api)
    app.register_blueprint(bp)
    app.register_blueprint(api)
