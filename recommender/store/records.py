"""The profile file layout shared by the importer and the exporter.

One record per supplier, with these fields (``FIELDS``, in file order):

| field | value |
|---|---|
| ``external_id`` | the supplier's stable id in files (required) |
| ``sample`` | ``true`` for invented sample data |
| ``name`` | company name (required) |
| ``tax_code`` | Vietnamese MST: 10 digits, or ``0123456789-001`` for a branch |
| ``description`` | capabilities as plain text (required; markup is stripped) |
| ``sector`` | a sector key, see :mod:`recommender.vocab` (required) |
| ``processes`` | processes and products in the firm's words or as taxonomy keys, main one first |
| ``materials``, ``machines``, ``export_experience`` | lists of text |
| ``certifications`` | ``[{"name", "issuer", "scope", "valid_until"}]`` |
| ``location`` | ``{"park", "ward", "address"}``; in a flat file an address or park name |
| ``employees`` | insured headcount |
| ``revenue_bn_vnd``, ``capital_bn_vnd`` | annual revenue and capital, billion VND |
| ``ownership`` | ``domestic``, ``fdi`` or ``joint_venture`` |
| ``size_class`` | Decree 80/2021 class; computed from the figures when they decide it |
| ``capacity``, ``language``, ``contact_name``, ``email``, ``phone``, ``website`` | text |
| ``verified`` | checked by staff |
| ``updated_at`` | when the content last changed (ISO 8601, UTC) |

JSON lines hold exactly that. In CSV and XLSX ("flat" files) each field is a
cell: ``location`` holds the park name and a separate ``ward`` column the
ward; lists are ``;``-separated text (or a JSON array); certifications are
``;``-separated ``ISO 9001 (Bureau Veritas, 2027-05-31)`` text (or a JSON
array of objects). The exporter writes the text forms whenever they read back
to the same value, JSON otherwise.

Spreadsheet formula injection: a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would run as a formula when the file
is opened in Excel or LibreOffice. The exporter prefixes such cells with
``'`` (and, to stay reversible, cells that already start with ``'`` followed
by one of those characters get one more ``'``); the importer removes exactly
one leading ``'`` from a flat-file cell where that pattern is found. JSON
lines files are never changed this way.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any

from recommender.text import normalize

from .notes import Note

FIELDS: tuple[str, ...] = (
    "external_id", "sample", "name", "tax_code", "description", "sector", "processes",
    "materials", "machines", "certifications", "location", "employees", "revenue_bn_vnd",
    "capital_bn_vnd", "ownership", "size_class", "export_experience", "capacity", "language",
    "contact_name", "email", "phone", "website", "verified", "updated_at",
)
"""Fields of a JSON-lines record, in order."""

FLAT_FIELDS: tuple[str, ...] = tuple(
    f for name in FIELDS for f in ((name, "ward") if name == "location" else (name,)))
"""Columns of a CSV/XLSX file, in order (``location`` is followed by ``ward``)."""

REQUIRED: tuple[str, ...] = ("name", "description")
"""Without these a row is unusable; everything else may be missing or written freely."""

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    # column headers people write, Vietnamese (compared without diacritics) and English
    "external_id": ("id", "ma", "ma ho so", "ma dn", "ma doanh nghiep", "ma nha cung cap",
                    "ma ncc", "supplier id", "code", "stt ho so"),
    "name": ("ten", "ten doanh nghiep", "ten cong ty", "ten dn", "doanh nghiep", "cong ty",
             "ten nha cung cap", "company", "company name", "supplier", "supplier name"),
    "tax_code": ("mst", "ma so thue", "ma so doanh nghiep", "tax code", "tax id", "mst dn"),
    "description": ("mo ta", "mo ta nang luc", "gioi thieu", "nang luc", "thong tin",
                    "gioi thieu doanh nghiep", "ho so nang luc", "profile", "capabilities",
                    "about", "company profile"),
    "sector": ("nganh", "nganh nghe", "linh vuc", "linh vuc hoat dong", "nganh hang",
               "industry", "sector", "ma nganh", "vsic", "isic"),
    "processes": ("quy trinh", "quy trinh san pham", "san pham", "san pham dich vu",
                  "cong nghe", "nang luc san xuat chinh", "quy trinh cong nghe", "dich vu",
                  "process", "products", "services", "products services", "capability"),
    "materials": ("vat lieu", "nguyen lieu", "vat tu", "materials"),
    "machines": ("may moc", "thiet bi", "may moc thiet bi", "machines", "equipment"),
    "certifications": ("chung nhan", "chung chi", "tieu chuan", "he thong quan ly",
                       "certificates", "certification", "certificate"),
    "location": ("dia chi", "dia diem", "vi tri", "khu cong nghiep", "kcn", "kcn kcx",
                 "dia chi nha may", "address", "park", "industrial park"),
    "ward": ("phuong", "xa", "phuong xa", "ward", "commune"),
    "employees": ("so lao dong", "lao dong", "so nhan vien", "nhan su", "so cong nhan",
                  "quy mo lao dong", "employees", "headcount", "staff", "workers"),
    "revenue_bn_vnd": ("doanh thu", "doanh thu ty dong", "revenue", "revenue bn vnd"),
    "capital_bn_vnd": ("von", "von dieu le", "von dieu le ty dong", "capital"),
    "ownership": ("loai hinh", "loai hinh dn", "loai hinh doanh nghiep", "loai hinh so huu",
                  "so huu", "nguon von", "ownership", "type"),
    "size_class": ("quy mo", "size"),
    "export_experience": ("xuat khau", "thi truong xuat khau", "thi truong", "export markets",
                          "export"),
    "capacity": ("cong suat", "nang luc san xuat", "san luong", "capacity"),
    "language": ("ngon ngu", "lang"),
    "contact_name": ("nguoi lien he", "lien he", "contact", "contact person"),
    "email": ("e mail", "thu dien tu", "mail"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "tel", "telephone", "hotline"),
    "website": ("trang web", "web", "url"),
    "updated_at": ("cap nhat", "ngay cap nhat", "updated", "last updated"),
}


def _header_key(text: str) -> str:
    from recommender.text import fold

    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text).lower().replace("_", " ")).split())


_HEADERS = {_header_key(alias): name for name, aliases in HEADER_ALIASES.items()
            for alias in aliases}
_HEADERS.update({_header_key(name): name for name in FLAT_FIELDS})


def column_for(header: str) -> str | None:
    """The field a column header names (``Tên doanh nghiệp`` → ``name``), or None."""
    key = _header_key(header)
    if key in _HEADERS:
        return _HEADERS[key]
    # "Số lao động (người)", "Doanh thu 2025 (tỷ đồng)": drop a bracket or a trailing year
    key = _header_key(re.sub(r"\(.*?\)|\b(19|20)\d\d\b", " ", header))
    return _HEADERS.get(key)

LIST_FIELDS = ("processes", "materials", "machines", "export_experience")
CERT_KEYS = ("name", "issuer", "scope", "valid_until")

# --- plain text -----------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5",
               "h6", "section", "article", "header", "footer", "blockquote", "pre", "hr"}
_HIDDEN_TAGS = {"script", "style", "template", "noscript", "iframe", "object"}


class _TextExtractor(HTMLParser):
    """The text of an HTML fragment: tags, comments and script/style bodies dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def strip_markup(text: str) -> str:
    """Plain text from text that may contain HTML (tags, entities, scripts).

    Uses the standard library's tolerant HTML tokenizer, never a regex, and
    repeats until nothing changes, so entity-encoded markup
    (``&lt;script&gt;``) cannot survive as markup. Text without ``<`` or ``&``
    is returned as is.
    """
    for _ in range(10):
        if "<" not in text and "&" not in text:
            return text
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        stripped = "".join(parser.parts)
        if stripped == text:
            return text
        text = stripped
    return text.replace("<", "").replace(">", "")  # ten layers of encoding: give up on it


def clean_line(text: str) -> str:
    """One-line text: markup stripped, NFC with one tone-mark style, single spaces."""
    text = strip_markup(text)
    if text.isascii() and text.isprintable():  # fast path: nothing for normalize to do
        return " ".join(text.split())
    return normalize(text)


def clean_text(text: str) -> str:
    """Multi-line text: like :func:`clean_line` per line, at most one blank line in a row."""
    lines = [normalize(line) for line in strip_markup(text).replace("\r\n", "\n")
             .replace("\r", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# --- spreadsheet cells ------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise_formula(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (see module doc)."""
    return "'" + value if _FORMULA.match(value) else value


def restore_formula(value: str) -> str:
    """Undo :func:`neutralise_formula` on a cell read from a CSV/XLSX file."""
    return value[1:] if _NEUTRALISED.match(value) else value


def list_to_cell(items: list[str]) -> str:
    """``a; b; c``, or a JSON array when the text form would not read back the same."""
    text = "; ".join(items)
    return text if cell_to_list(text) == items else json.dumps(items, ensure_ascii=False)


def cell_to_list(cell: str) -> list[str]:
    """A list from a JSON array or ``;``-separated text (empty items dropped)."""
    cell = cell.strip()
    if cell.startswith("["):
        value = json.loads(cell)
        if not isinstance(value, list):
            raise ValueError("not a JSON array")
        return value
    return [part.strip() for part in cell.split(";") if part.strip()]


_CERT_TEXT = re.compile(r"^(?P<name>[^();]+?)\s*(?:\((?P<inner>[^();]*)\))?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def cert_to_text(cert: dict[str, Any]) -> str:
    """``ISO 9001 (Bureau Veritas, 2027-05-31)``; issuer and date are optional."""
    inner = [x for x in (cert.get("issuer"), cert.get("valid_until")) if x]
    return f"{cert['name']} ({', '.join(map(str, inner))})" if inner else str(cert["name"])


def text_to_cert(text: str) -> dict[str, Any]:
    """Parse :func:`cert_to_text`'s form; raises ValueError when it does not fit."""
    m = _CERT_TEXT.match(text.strip())
    if not m:
        raise ValueError(Note("certificate_unreadable", text=text.strip()))
    parts = [p.strip() for p in (m.group("inner") or "").split(",") if p.strip()]
    valid_until = parts.pop() if parts and _ISO_DATE.match(parts[-1]) else None
    return {"name": m.group("name"), "issuer": ", ".join(parts) or None, "scope": None,
            "valid_until": valid_until}


def certs_to_cell(certs: list[dict[str, Any]]) -> str:
    """Certificates as ``;``-separated text, or JSON when text would lose something."""
    text = "; ".join(cert_to_text(c) for c in certs)
    try:
        same = cell_to_certs(text) == [_cert_as_text_values(c) for c in certs]
    except ValueError:
        same = False
    return text if same else json.dumps([_jsonable(c) for c in certs], ensure_ascii=False)


def _cert_as_text_values(cert: dict[str, Any]) -> dict[str, Any]:
    return {k: (cert.get(k).isoformat() if isinstance(cert.get(k), date) else cert.get(k))
            for k in CERT_KEYS}


def cell_to_certs(cell: str) -> list[Any]:
    """Certificates from a JSON array or ``;``-separated text."""
    cell = cell.strip()
    if cell.startswith("["):
        value = json.loads(cell)
        if not isinstance(value, list):
            raise ValueError("not a JSON array")
        return value
    return [text_to_cert(part) for part in cell.split(";") if part.strip()]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def profile_record(profile) -> dict[str, Any]:
    """A :class:`~recommender.store.models.SupplierProfile` as a JSON-lines record."""
    return {
        "external_id": profile.external_id,
        "sample": profile.sample,
        "name": profile.name,
        "tax_code": profile.tax_code,
        "description": profile.description,
        "sector": profile.sector,
        # the firm's own phrases when it wrote some: importing them maps them again; none
        # when the processes were read off the description (an import reads them again)
        "processes": list(profile.processes) if profile.capabilities is None
        else [c["text"] for c in profile.capabilities],
        "materials": list(profile.materials),
        "machines": list(profile.machines),
        "certifications": [
            {"name": c.name, "issuer": c.issuer, "scope": c.scope,
             "valid_until": c.valid_until.isoformat() if c.valid_until else None}
            for c in profile.certifications],
        "location": {"park": profile.park, "ward": profile.ward,
                     **({"address": profile.address} if profile.address else {})},
        "employees": profile.employees,
        "revenue_bn_vnd": profile.revenue_bn_vnd,
        "capital_bn_vnd": profile.capital_bn_vnd,
        "ownership": profile.ownership.value if profile.ownership else None,
        "size_class": profile.size_class.value if profile.size_class else None,
        "export_experience": list(profile.export_experience),
        "capacity": profile.capacity,
        "language": profile.language,
        "contact_name": profile.contact_name,
        "email": profile.email,
        "phone": profile.phone,
        "website": profile.website,
        "verified": profile.verified,
        "updated_at": profile.updated_at.isoformat(),
    }


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """A JSON-lines record as CSV/XLSX cells (text forms, formula-safe)."""
    out: dict[str, Any] = {}
    for name in FLAT_FIELDS:
        if name == "location":
            value: Any = record["location"].get("address") or record["location"]["park"]
        elif name == "ward":
            value = record["location"]["ward"]
        else:
            value = record[name]
        if name in LIST_FIELDS:
            value = list_to_cell(value)
        elif name == "certifications":
            value = certs_to_cell(value)
        out[name] = neutralise_formula(value) if isinstance(value, str) else value
    return out
