"""The resource exchange as park staff see it (``/staff/exchange``): per park, the
open offers and needs, the potential exchanges the engine finds (for each need, its
first offers naming the same resource), the proposals firms made and their outcome,
with the tonnes a month the realised ones divert from landfill and the CO2e where a
factor is cited (``corpora/resources.tsv``); figures from
:mod:`recommender.exchange.figures`."""

from __future__ import annotations

from flask import render_template, request

from recommender.exchange.figures import NO_PARK, exchange_figures
from recommender.store.models import ExchangeStatus

from ..auth import login_required
from ..db import get_session
from ..exchange_text import KINDS, REASONS, STATUSES
from ..portal.exchange import live_exchange
from .blueprints import bp


@bp.get("/exchange")
@login_required(role="staff")
def exchange_page():
    session = get_session()
    figures = exchange_figures(session, live_exchange().potential(session))
    chosen = request.args.get("park")
    parks = sorted(figures.by_park, key=lambda p: (p == NO_PARK, p))
    return render_template(
        "staff/exchange.html", parks=parks, figures=figures, chosen=chosen, kinds=KINDS,
        statuses=STATUSES, reasons=REASONS, done=ExchangeStatus.DONE.value)
