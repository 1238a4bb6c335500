"""Structured search filters: parsed from the query string, applied as ``allowed_ids``.

Filters narrow the suppliers before ranking (``HybridIndex`` applies
``allowed_ids`` inside each retriever before its top-k is taken, so a narrow
filter never leaves the list short). Values are matched like the profile form
matches them (case, diacritics, ``-``/``_`` ignored); an unknown value is an
error that lists the allowed ones, never silently dropped.

| parameter | repeatable | meaning |
|---|---|---|
| ``certification`` | yes (all required) | held **and** valid today (no expiry date: not valid) |
| ``park`` | yes (any of) | the profile's park, by its local name |
| ``sector`` | yes (any of) | sector key or label |
| ``size`` | yes (any of) | Decree 80/2021 class ``micro``/``small``/``medium``/``large`` |
| ``domestic`` | no | ``1``: domestic ownership only |
| ``verified`` | no | ``1``: staff-verified profiles only |
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from recommender import vocab
from recommender.certificates import canonical_certification
from recommender.places import REGIONS
from recommender.rank import _same_cert
from recommender.requirements import CERTIFICATIONS
from recommender.serving.profiles import CatalogProfile
from recommender.sizes import SizeClass
from recommender.taxonomy import CAPABILITY_KINDS, load_taxonomy
from recommender.text import fold

SIZE_LABELS = {
    SizeClass.MICRO.value: _l("Siêu nhỏ"), SizeClass.SMALL.value: _l("Nhỏ"),
    SizeClass.MEDIUM.value: _l("Vừa"), SizeClass.LARGE.value: _l("Lớn"),
}
_SIZE_SPELLINGS = {"sieu nho": "micro", "nho": "small", "vua": "medium", "lon": "large",
                   "micro": "micro", "small": "small", "medium": "medium", "large": "large"}
_TRUE = {"1", "true", "yes", "on", "co"}
_FALSE = {"", "0", "false", "no", "off", "khong"}
FILTER_PARAMS = ("certification", "park", "region", "sector", "process", "size", "domestic",
                 "verified")


class FilterError(ValueError):
    """Unknown filter values: ``fields`` maps each parameter to what is wrong with the
    allowed values (the API) and ``messages`` to the same, shorter (pages); both in the
    user's language."""

    def __init__(self, fields: dict[str, str], messages: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields
        self.messages = messages


@dataclass(frozen=True)
class SearchFilters:
    """What a buyer narrowed the search to; empty fields do not filter."""

    certifications: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    domestic: bool = False
    verified: bool = False
    processes: tuple[str, ...] = ()
    """Taxonomy keys; a supplier holding the node or any node below it passes."""
    regions: tuple[str, ...] = ()
    """Former provinces of the merged city (Hồ Chí Minh, Bình Dương, Bà Rịa–Vũng Tàu)."""

    def __bool__(self) -> bool:
        return bool(self.certifications or self.parks or self.sectors or self.sizes
                    or self.domestic or self.verified or self.processes or self.regions)

    def as_dict(self) -> dict:
        """Only the filters in use, JSON-ready (stored in the search log)."""
        out: dict = {}
        for key, value in (("certification", list(self.certifications)),
                           ("park", list(self.parks)), ("region", list(self.regions)),
                           ("sector", list(self.sectors)), ("process", list(self.processes)),
                           ("size", list(self.sizes))):
            if value:
                out[key] = value
        if self.domestic:
            out["domestic"] = True
        if self.verified:
            out["verified"] = True
        return out

    def query_args(self) -> dict[str, list[str] | str]:
        """The filters as query-string arguments (for page links)."""
        args: dict[str, list[str] | str] = {k: v for k, v in self.as_dict().items()
                                            if isinstance(v, list)}
        if self.domestic:
            args["domestic"] = "1"
        if self.verified:
            args["verified"] = "1"
        return args


def _size(value: str) -> str | None:
    return _SIZE_SPELLINGS.get(" ".join(fold(value).replace("_", " ").split()))


def parse_filters(args: Mapping[str, Iterable[str]] | object) -> SearchFilters:
    """Filters from a request's arguments (a werkzeug ``MultiDict``).

    Raises:
        FilterError: for every unknown value, naming the allowed ones.
    """
    getlist = args.getlist  # type: ignore[attr-defined]
    fields: dict[str, str] = {}
    messages: dict[str, str] = {}

    def values(name: str) -> list[str]:
        return [v.strip() for v in getlist(name) if v and v.strip()]

    def canonical(name: str, parse, allowed: list[str], label: str) -> tuple[str, ...]:
        out: list[str] = []
        for raw in values(name):
            key = parse(raw)
            if key is None:
                fields[name] = str(_l("%(label)s “%(value)s” không có trong danh mục; được "
                                      "dùng: %(allowed)s.", label=label, value=raw,
                                      allowed=", ".join(allowed)))
                messages[name] = str(_l("%(label)s “%(value)s” không có trong danh mục.",
                                        label=label, value=raw))
            elif key not in out:
                out.append(key)
        return tuple(out)

    certs = canonical("certification", canonical_certification, list(CERTIFICATIONS),
                      str(_l("Chứng chỉ")))
    parks = canonical("park", lambda v: vocab.lookup(v, vocab.PARKS),
                      [p.name for p in vocab.PARKS], str(_l("Khu công nghiệp")))
    sectors = canonical("sector", lambda v: vocab.lookup(v, vocab.SECTORS),
                        [t.key for t in vocab.SECTORS], str(_l("Ngành")))
    sizes = canonical("size", _size, list(SIZE_LABELS), str(_l("Quy mô")))
    taxonomy = load_taxonomy()
    processes = canonical(
        "process", lambda v: v if v in taxonomy and taxonomy.nodes[v].kind in CAPABILITY_KINDS
        else taxonomy.lookup(v), [str(_l("một quy trình trong danh mục phân loại"))],
        str(_l("Quy trình")))
    regions = canonical("region", lambda v: next(
        (r for r in REGIONS if fold(r).replace("–", "-") == fold(v).replace("–", "-")), None),
        list(REGIONS), str(_l("Khu vực")))
    flags = {}
    for name in ("domestic", "verified"):
        raw = values(name)
        text = fold(raw[-1]) if raw else ""
        if text not in _TRUE | _FALSE:
            fields[name] = str(_l("%(name)s phải là 1 hoặc 0, không phải “%(value)s”.",
                                  name=name, value=raw[-1]))
            messages[name] = str(_l("Giá trị bộ lọc không hợp lệ."))
        flags[name] = text in _TRUE
    if fields:
        raise FilterError(fields, messages)
    return SearchFilters(certifications=certs, parks=parks, sectors=sectors, sizes=sizes,
                         domestic=flags["domestic"], verified=flags["verified"],
                         processes=processes, regions=regions)


def valid_certificate(profile: CatalogProfile, name: str, today: date) -> bool:
    """Whether ``profile`` holds certificate ``name`` with a known expiry date ≥ ``today``."""
    for cert in profile.certifications:
        until = cert.get("valid_until")
        if until and _same_cert(cert["name"], name) and date.fromisoformat(until) >= today:
            return True
    return False


def matches(profile: CatalogProfile, filters: SearchFilters, today: date) -> bool:
    """Whether ``profile`` passes every filter."""
    if filters.verified and not profile.verified:
        return False
    if filters.domestic and profile.ownership != "domestic":
        return False
    if filters.parks and (profile.location or {}).get("park") not in filters.parks:
        return False
    if filters.sectors and profile.sector not in filters.sectors:
        return False
    if filters.sizes and profile.size_class not in filters.sizes:
        return False
    if filters.regions and (profile.location or {}).get("region") not in filters.regions:
        return False
    if filters.processes:
        taxonomy = load_taxonomy()
        wanted = frozenset().union(*(taxonomy.descendants(k) for k in filters.processes))
        if not wanted & set(profile.processes):
            return False
    return all(valid_certificate(profile, c, today) for c in filters.certifications)


def allowed_ids(profiles: Mapping[int, CatalogProfile], filters: SearchFilters,
                today: date | None = None) -> list[int] | None:
    """Document ids passing ``filters``; None when nothing is filtered."""
    if not filters:
        return None
    today = today or date.today()
    return [doc_id for doc_id, p in profiles.items() if matches(p, filters, today)]
