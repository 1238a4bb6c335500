"""One park as its board sees it: firms, green credentials, resource use, exchanges and
the green programmes its firms could use.

:func:`park_view` gathers, for one park (a KCN or KCX of today's city), its firms by
sector and by capability, how many hold an environmental (ISO 14001) or energy
(ISO 50001) management certificate, the labour-intensive firms (by headcount) and the
resource-intensive ones (by what they list for exchange: amounts and hazardous waste),
the exchange figures (:mod:`recommender.exchange.figures`: potential, proposed,
realised, tonnes diverted a month and CO2e where a factor is cited) and, for the
green-transition and eco-industrial-park programmes, how many of its firms stand
eligible or nearly so (:mod:`recommender.policy`). :func:`park_rows` and
:func:`read_park_rows` write and read the same figures as CSV rows, so an export
reads back to what the page showed.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .exchange.figures import ExchangeFigures, listing_park
from .exchange.quantities import parse_quantity
from .exchange.streams import diverts_material
from .places import PARK_BY_NAME
from .policy.facts import FirmFacts
from .policy.matching import ELIGIBLE, NEARLY, evaluate
from .store.models import ListingKind, ResourceListing, SupplierProfile
from .store.policies import read_programs
from .taxonomy import load_taxonomy
from .text import fold

GREEN_PROGRAMMES = ("VN-ND35-ECO-IP", "VN-NQ198-GREEN-INTEREST")
"""Eco-industrial parks (Decree 35/2022/ND-CP) and interest support for green,
circular and ESG projects (Resolution 198/2025/QH15), as in ``corpora/policies.jsonl``."""
CERTIFICATES = {"environment": "14001", "energy": "50001"}
"""Management-system certificates counted: ISO 14001 (environment), ISO 50001 (energy)."""
LABOUR_INTENSIVE = 300
"""Employees from which a firm counts as labour-intensive."""
TOP = 10


@dataclass
class ParkView:
    park: str
    pilot: bool
    firms: int = 0
    employees: int = 0
    sectors: list[tuple[str, int]] = field(default_factory=list)
    """(taxonomy key, firms), most first; ``""`` for firms with no sector."""
    capabilities: list[tuple[str, int]] = field(default_factory=list)
    certified: dict[str, int] = field(default_factory=dict)
    labour_intensive: list[tuple[str, int]] = field(default_factory=list)
    """(firm, employees), largest first."""
    resource_intensive: list[tuple[str, int, float, int]] = field(default_factory=list)
    """(firm, open offers, tonnes a month of materials and waste offered where written,
    hazardous offers)."""
    exchanges: dict[str, float] = field(default_factory=dict)
    programmes: list[tuple[str, int, int]] = field(default_factory=list)
    """(programme code, firms eligible, firms nearly eligible)."""

    def figures(self) -> dict[str, dict[str, float]]:
        """Every figure by section and key: what the page charts and the CSV holds."""
        return {
            "park": {"firms": self.firms, "employees": self.employees, "pilot": int(self.pilot)},
            "sector": dict(self.sectors), "capability": dict(self.capabilities),
            "certified": dict(self.certified),
            "labour_intensive": dict(self.labour_intensive),
            "resource_offers": {n: o for n, o, _, _ in self.resource_intensive},
            "resource_tonnes": {n: round(t, 3) for n, _, t, _ in self.resource_intensive},
            "resource_hazardous": {n: h for n, _, _, h in self.resource_intensive},
            "exchange": {k: round(v, 3) for k, v in self.exchanges.items()},
            "programme_eligible": {c: e for c, e, _ in self.programmes},
            "programme_nearly": {c: n for c, _, n in self.programmes},
        }


def _holds(profile: SupplierProfile, number: str, as_of: date) -> bool:
    return any(number in fold(c.name) and (c.valid_until is None or c.valid_until >= as_of)
               for c in profile.certifications)


def park_view(session: Session, park: str, exchanges: ExchangeFigures,
              as_of: date | None = None) -> ParkView:
    """The view of ``park`` (an exact park name) on ``as_of`` (default today)."""
    as_of = as_of or date.today()
    info = PARK_BY_NAME.get(park)
    view = ParkView(park, bool(info and info.pilot_green))
    firms = list(session.scalars(select(SupplierProfile)
                                 .where(SupplierProfile.park == park)
                                 .options(selectinload(SupplierProfile.certifications))
                                 .order_by(SupplierProfile.name)))
    view.firms = len(firms)
    view.employees = sum(p.employees or 0 for p in firms)
    view.sectors = Counter(p.sector or "" for p in firms).most_common()
    taxonomy = load_taxonomy()
    view.capabilities = Counter(k for p in firms for k in dict.fromkeys(p.processes or [])
                                if k in taxonomy.nodes).most_common(TOP)
    view.certified = {name: sum(_holds(p, number, as_of) for p in firms)
                      for name, number in CERTIFICATES.items()}
    view.certified["none"] = sum(not any(_holds(p, n, as_of) for n in CERTIFICATES.values())
                                 for p in firms)
    view.labour_intensive = sorted(((p.name, p.employees) for p in firms
                                    if (p.employees or 0) >= LABOUR_INTENSIVE),
                                   key=lambda t: -t[1])[:TOP]
    offers: dict[str, list[ResourceListing]] = {}
    for row in session.scalars(select(ResourceListing).where(
            ResourceListing.open.is_(True), ResourceListing.kind == ListingKind.OFFER)):
        if listing_park(row) == park:
            offers.setdefault(row.profile.name, []).append(row)
    intensive = []
    for name, rows in offers.items():
        tonnes = 0.0
        for r in rows:
            q = parse_quantity(r.quantity, r.frequency)
            if (q is not None and q.unit == "t" and q.period is not None
                    and diverts_material(tuple(r.resources or ()))):
                tonnes += q.per_month() or 0.0
        intensive.append((name, len(rows), tonnes,
                          sum(r.hazard in ("hazardous", "controlled") for r in rows)))
    view.resource_intensive = sorted(intensive, key=lambda t: (-t[2], -t[1]))[:TOP]
    counts = exchanges.by_park.get(park, Counter())
    view.exchanges = {k: float(counts.get(k, 0)) for k in (
        "offer", "need", "hazardous", "potential", "sent", "accepted", "declined", "done",
        "tonnes", "co2e_kg")}
    programmes = [p for p in read_programs(session) if p.code in GREEN_PROGRAMMES]
    for program in programmes:
        standings = Counter(evaluate(program, FirmFacts.from_profile(p), as_of).standing
                            for p in firms)
        view.programmes.append((program.code, standings[ELIGIBLE], standings[NEARLY]))
    return view


CSV_HEADER = ("section", "key", "value")
SECTIONS = ("park", "sector", "capability", "certified", "labour_intensive", "resource_offers",
            "resource_tonnes", "resource_hazardous", "exchange", "programme_eligible",
            "programme_nearly")


def park_rows(view: ParkView) -> str:
    """The view's figures as CSV (``section, key, value``), UTF-8 text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(("park", "name", view.park))
    for section, values in view.figures().items():
        for key, value in values.items():
            writer.writerow((section, key, value))
    return out.getvalue()


def read_park_rows(text: str) -> tuple[str, dict[str, dict[str, float]]]:
    """The park name and figures a :func:`park_rows` export holds."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(next(reader, ())) != CSV_HEADER:
        raise ValueError(f"not a park export: the header is not {', '.join(CSV_HEADER)}")
    name: str = ""
    figures: dict[str, dict[str, float]] = {s: {} for s in SECTIONS}
    for section, key, value in reader:
        if section == "park" and key == "name":
            name = value
            continue
        number = float(value)
        figures[section][key] = int(number) if number.is_integer() and (
            "." not in value) else number
    return name, figures
