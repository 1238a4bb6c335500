"""What the rules read about a firm: :class:`FirmFacts`, and the terms it is described in.

Facts come from a stored supplier profile or from loose data (a labelled
case, an API request). ``None`` always means "not stated"; a value given but
unreadable is kept out and recorded in ``problems``, so the criteria that
need it answer unknown instead of no.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import vocab
from ..text import normalize
from ..vocab import Term

ACTIVITIES: tuple[Term, ...] = (
    Term("r_and_d", "nghiên cứu và phát triển (R&D)", "research and development (R&D)"),
    Term("technology_transfer", "chuyển giao, đổi mới công nghệ",
         "technology transfer or upgrading"),
    Term("digital_transformation", "chuyển đổi số", "digital transformation"),
    Term("green_production", "sản xuất xanh, sạch hơn, tuần hoàn (ESG)",
         "green, cleaner or circular production (ESG)"),
    Term("certification_testing", "thử nghiệm, chứng nhận (ISO, IATF...)",
         "testing and certification (ISO, IATF, ...)"),
    Term("training", "đào tạo nhân lực, chuyên gia", "training staff and experts"),
    Term("investment_project", "dự án đầu tư mới hoặc mở rộng",
         "a new or expansion investment project"),
    Term("trade_promotion", "xúc tiến thương mại, hội chợ", "trade promotion and fairs"),
)
"""What a firm plans to do; programmes support some of these."""
ACTIVITY_KEYS = frozenset(t.key for t in ACTIVITIES)

BUSINESS_FORMS: tuple[Term, ...] = (
    Term("enterprise", "doanh nghiệp", "enterprise"),
    Term("cooperative", "hợp tác xã", "cooperative"),
    Term("household_business", "hộ kinh doanh", "household business"),
)
BUSINESS_FORM_KEYS = frozenset(t.key for t in BUSINESS_FORMS)
OWNERSHIP_KEYS = frozenset(t.key for t in vocab.OWNERSHIPS)
PROFILE_TEXT_FIELDS = ("name", "description", "plans")


def _location_facts(profile: Any) -> dict[str, Any]:
    """The province (the former one, for the merged city) and whether the firm is in a park,
    from a stored profile's resolved location."""
    from ..places import OUTSIDE

    region = getattr(profile, "region", None)
    out: dict[str, Any] = {}
    if region and region != OUTSIDE:
        out["province"] = region
    if profile.park is None and (region or getattr(profile, "ward", None)):
        out["in_park"] = False  # the location is known and lies in no park
    return out


@dataclass(frozen=True)
class FirmFacts:
    """What the rules look at, from a supplier profile or given directly.

    ``None`` always means "not stated". ``problems`` records values that were
    given but could not be read (the criteria that need them answer unknown).
    """

    external_id: str | None = None
    name: str = ""
    description: str = ""
    sector: str | None = None
    processes: tuple[str, ...] = ()
    ownership: str | None = None
    foreign_parent: bool | None = None
    """Owned or controlled by a foreign company (contradicts ``domestic``)."""
    employees: int | None = None
    revenue_bn_vnd: float | None = None
    capital_bn_vnd: float | None = None
    size_class: str | None = None
    """The class the firm states; checked against the figures."""
    park: str | None = None
    in_park: bool | None = None
    province: str | None = None
    business_form: str | None = None
    registered_on: date | None = None
    """Date of the first business registration."""
    activities: frozenset[str] | None = None
    """What the firm plans (keys of :data:`ACTIVITIES`); None: not stated."""
    women_owned: bool | None = None
    plans: str = ""
    """The firm's plans in its own words (used for relevance only)."""
    problems: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FirmFacts:
        """Facts from loose data (a labelled case, an API request); never raises on values.

        Unreadable values are kept out and recorded in ``problems``.
        """
        problems: dict[str, str] = {}

        def number(key: str, integer: bool = False) -> float | int | None:
            value = data.get(key)
            if value is None or value == "":
                return None
            try:
                out = float(value)
            except (TypeError, ValueError):
                problems[key] = f"{value!r} is not a number"
                return None
            if not math.isfinite(out) or out < 0 or (integer and out != int(out)):
                problems[key] = f"{value!r} is not a valid {key.replace('_', ' ')}"
                return None
            return int(out) if integer else out

        def flag(key: str) -> bool | None:
            value = data.get(key)
            if value is None or isinstance(value, bool):
                return value
            problems[key] = f"{value!r} is not true or false"
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            if value is None:
                return None
            value = normalize(str(value))
            return value or None

        registered = None
        if data.get("registered_on"):
            try:
                registered = date.fromisoformat(str(data["registered_on"]))
            except ValueError:
                problems["registered_on"] = f"{data['registered_on']!r} is not a date"
        activities = data.get("activities")
        if activities is not None:
            if isinstance(activities, str):
                activities = [a for a in activities.replace(";", ",").split(",") if a.strip()]
            activities = [str(a).strip() for a in activities]
            strange = sorted(set(activities) - ACTIVITY_KEYS)
            if strange:
                problems["activities"] = (f"{', '.join(strange)} not among the known plans "
                                          f"({', '.join(sorted(ACTIVITY_KEYS))})")
            activities = frozenset(a for a in activities if a in ACTIVITY_KEYS)
        location = data.get("location") if isinstance(data.get("location"), Mapping) else {}
        park = text("park") or (normalize(location["park"]) if location.get("park") else None)
        return cls(
            external_id=text("external_id"), name=text("name") or "",
            description=text("description") or "", sector=text("sector"),
            processes=tuple(data.get("processes") or ()), ownership=text("ownership"),
            foreign_parent=flag("foreign_parent"),
            employees=number("employees", integer=True),
            revenue_bn_vnd=number("revenue_bn_vnd"), capital_bn_vnd=number("capital_bn_vnd"),
            size_class=text("size_class"), park=park,
            in_park=flag("in_park") if "in_park" in data else (True if park else None),
            province=text("province"), business_form=text("business_form"),
            registered_on=registered, activities=activities,
            women_owned=flag("women_owned"), plans=text("plans") or "", problems=problems,
        )

    @classmethod
    def from_profile(cls, profile: Any, *, activities: Iterable[str] | None = None,
                     plans: str = "") -> FirmFacts:
        """Facts from a stored :class:`~recommender.store.models.SupplierProfile`.

        The store has no fields (yet) for plans, parent company, business form,
        registration date or women ownership: those stay unknown unless given.
        """
        def value(x: Any) -> Any:
            return getattr(x, "value", x)

        return cls.from_mapping({
            "external_id": profile.external_id, "name": profile.name,
            "description": profile.description, "sector": profile.sector,
            "processes": list(profile.processes or ()), "ownership": value(profile.ownership),
            "employees": profile.employees, "revenue_bn_vnd": profile.revenue_bn_vnd,
            "capital_bn_vnd": profile.capital_bn_vnd, "size_class": value(profile.size_class),
            "park": profile.park, **_location_facts(profile),
            "activities": None if activities is None else list(activities), "plans": plans,
        })

    def text(self) -> str:
        """What the firm is (name, description, sector, processes), for relevance."""
        parts = [self.name, self.description]
        if self.sector:
            parts.append(vocab.label(self.sector, vocab.SECTORS))
        parts += [vocab.label(p, vocab.PROCESSES) for p in self.processes]
        return normalize(". ".join(p for p in parts if p))

    def plans_text(self) -> str:
        """What the firm plans (stated plans and its own words), for relevance."""
        parts = [vocab.label(a, ACTIVITIES) for a in sorted(self.activities or ())]
        parts.append(self.plans)
        return normalize(". ".join(p for p in parts if p))
