"""The park view for staff and park boards (``/staff/parks``): per park, its firms by
sector and capability, green certificates, labour- and resource-intensive firms, the
resource exchange and the green programmes its firms could use (figures from
:mod:`recommender.parkview`), charted on the page as inline SVG drawn here (nothing
loaded from elsewhere), with a CSV export and a printable page for a board meeting."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from sqlalchemy import func, select

from recommender.exchange.figures import exchange_figures
from recommender.parkview import park_rows, park_view
from recommender.places import PARK_BY_NAME, PARKS
from recommender.store.models import SupplierProfile
from recommender.store.policies import read_programs
from recommender.taxonomy import load_taxonomy

from ..auth import login_required
from ..db import get_session
from ..i18n import current_language
from ..portal.exchange import live_exchange
from .blueprints import bp


@bp.get("/parks")
@login_required(role="staff")
def parks_page():
    counts = dict(get_session().execute(
        select(SupplierProfile.park, func.count(SupplierProfile.id))
        .group_by(SupplierProfile.park)).all())
    parks = sorted(PARKS, key=lambda p: (not p.pilot_green, -counts.get(p.name, 0), p.name))
    return render_template("staff/parks.html", parks=parks, counts=counts)


def _view(park: str):
    if park not in PARK_BY_NAME:
        abort(404)
    session = get_session()
    figures = exchange_figures(session, live_exchange().potential(session))
    return park_view(session, park, figures, date.today())


@bp.get("/parks/<path:park>/export.csv")
@login_required(role="staff")
def park_export(park: str):
    body = "\ufeff" + park_rows(_view(park))  # a BOM so spreadsheet programs read UTF-8
    filename = "park-" + "".join(c if c.isascii() and c.isalnum() else "-" for c in park)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={filename}.csv"})


@bp.get("/parks/<path:park>")
@login_required(role="staff")
def park_page(park: str):
    view = _view(park)
    lang = current_language()
    taxonomy = load_taxonomy()
    programmes = {p.code: (p.title_en if lang == "en" else p.title_vi)
                  for p in read_programs(get_session())}

    def label(key: str) -> str:
        return taxonomy.label(key, lang) if key in taxonomy.nodes else key
    return render_template("staff/park.html", view=view, label=label, programmes=programmes,
                           printable=request.args.get("print") == "1",
                           today=date.today().isoformat())
