"""The one write path for supplier profiles: validate, save, record the change, publish.

Every way a profile changes (registration, the enterprise portal and its API,
staff verification, the file importer, deletion) ends here, so every change
is saved and logged the same way:

1. **validate**: :func:`read_fields` turns what a person typed or an API client
   sent into stored values (free wording mapped to the taxonomy, old place names
   resolved), or raises :class:`ProfileErrors` with a message per field;
2. **save and record** in one transaction: the profile row and one
   :class:`~recommender.store.models.ProfileChange` row per profile
   (:func:`commit_saved`), so a change is in the change log exactly when it is in
   the profiles;
3. **publish**: every serving process follows the change log
   (:mod:`recommender.store.changes`) and re-indexes what it names within about a
   second; the process that saved also applies it at once through the optional
   ``publish`` callable (its catalog's ``apply_saved``), so the person who saved
   finds the change on their next search.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recommender import places
from recommender.taxonomy import load_taxonomy

from .changes import Publish, commit_saved, record_change
from .models import (
    MAX_LEN,
    Certification,
    ChangeOp,
    EnterpriseAccount,
    SupplierProfile,
    utcnow,
)
from .notes import Note
from .records import clean_line, clean_text
from .terms import confirmed_mappings
from .wording import read_capabilities, read_date, split_phrases

log = logging.getLogger(__name__)

EDITABLE = ("description", "processes", "certifications", "capacity", "park", "ward")
"""What an enterprise edits in the portal and through the API."""
NEW_PROFILE = ("name", "sector", "tax_code", *EDITABLE)
"""What a new profile may be created with (registration)."""
MAX_CERTIFICATES = 50

_TAX_CODE = re.compile(r"^(\d{10})(\d{3})?$")
_TAX_LABEL = re.compile(r"^(?:MST|mã số thuế|ma so thue|tax code|tax id)\s*[:.]?\s*", re.I)
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


FIELD_LABELS = {
    "name": "Tên doanh nghiệp", "sector": "Ngành", "tax_code": "Mã số thuế",
    "description": "Mô tả", "processes": "Quy trình", "certifications": "Chứng chỉ",
    "cert": "Chứng chỉ {n}", "cert_name": "Chứng chỉ {n}: tên",
    "cert_issuer": "Chứng chỉ {n}: đơn vị cấp", "capacity": "Năng lực sản xuất",
    "park": "Khu công nghiệp / địa chỉ", "ward": "Phường/xã",
}
"""What a :class:`FieldError`'s ``label`` names, in Vietnamese (``{n}``: a certificate's number)."""

FIELD_MESSAGES = {
    "not_text": "{label} phải là văn bản.",
    "too_long": "{label} quá dài ({length} ký tự; tối đa {limit}).",
    "not_a_list": "{label} phải là danh sách.",
    "name_required": "Vui lòng nhập tên doanh nghiệp (tối đa {limit} ký tự).",
    "name_missing": "Vui lòng nhập tên doanh nghiệp.",
    "unknown_sector": "Ngành không hợp lệ: chọn một ngành trong danh sách.",
    "bad_tax_code": "Mã số thuế không hợp lệ: 10 chữ số, hoặc 13 cho chi nhánh "
                    "(0123456789-001).",
    "tax_code_taken": "Mã số thuế này đã có hồ sơ trên KếtNối: hãy nhập mã hồ sơ để xin quyền "
                      "quản lý hồ sơ đó.",
    "description_required": "Vui lòng mô tả năng lực của doanh nghiệp.",
    "process_not_text": "Mỗi quy trình phải là văn bản.",
    "too_many_certificates": "Tối đa {limit} chứng chỉ.",
    "cert_invalid": "{label} không hợp lệ.",
    "cert_unknown_fields": "{label}: trường không hỗ trợ {fields}.",
    "cert_no_name": "{label} chưa có tên.",
    "cert_bad_date": "{label}: ngày hết hạn phải có dạng NNNN-TT-NN hoặc NN/TT/NNNN "
                     "(ví dụ 2027-12-31 hoặc 31/12/2027).",
    "not_editable": "Không thể sửa trường này (được sửa: {fields}).",
}
"""What can be wrong with a field, in Vietnamese; the web app words the same codes in the
user's language (``webapp/fields.py``)."""


class FieldError(ValueError):
    """What is wrong with one field: a ``code`` of :data:`FIELD_MESSAGES` and its
    parameters (``label``: a key of :data:`FIELD_LABELS`, ``n``: a certificate's number);
    ``str()`` is the Vietnamese message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        label = FIELD_LABELS.get(params.get("label", ""), "").format(n=params.get("n"))
        super().__init__(FIELD_MESSAGES[code].format(**{**params, "label": label}))


class ProfileErrors(ValueError):
    """Field → message (in Vietnamese, the portal's language) for every invalid field;
    ``problems`` has the same as :class:`FieldError` (code and parameters) for callers
    that word them in another language."""

    def __init__(self, problems: dict[str, FieldError]) -> None:
        self.problems = problems
        self.fields = {k: str(v) for k, v in problems.items()}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.fields.items()))


def check_tax_code(value: str) -> str:
    """A Vietnamese tax code (MST) in canonical form, or ValueError.

    10 digits for an enterprise, whose last is a check digit (weights 31, 29,
    23, 19, 17, 13, 7, 5, 3; ``10 − sum mod 11``); branches add a 3-digit
    number, stored as ``0123456789-001``.
    """
    # as people write it: "MST: 0301 234 567", "0301.234.567", "0301-234-567-001"
    text = _TAX_LABEL.sub("", value.strip())
    text = re.sub(r"[\s.\-]", "", text)
    m = _TAX_CODE.match(text)
    if not m:
        raise ValueError(Note("not_tax_code", value=value))
    digits, branch = m.groups()
    check = 10 - sum(int(d) * w for d, w in zip(digits, _TAX_WEIGHTS, strict=False)) % 11
    if check != int(digits[9]):
        raise ValueError(Note("tax_code_check_digit", value=value))
    if branch == "000":
        raise ValueError(Note("tax_code_branch_000", value=value))
    return f"{digits}-{branch}" if branch else digits


# --- validate ---------------------------------------------------------------------------

def _as_text(value: Any, limit: int, label: str, *, multiline: bool = False,
             n: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError("not_text", label=label, n=n)
    text = clean_text(value) if multiline else clean_line(value)
    if len(text) > limit:
        raise FieldError("too_long", label=label, n=n, length=len(text), limit=limit)
    return text or None


def _as_list(value: Any, label: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[;\n]", value) if part.strip()]
    if not isinstance(value, list):
        raise FieldError("not_a_list", label=label)
    return value


class _Reader:
    """Parsers of the form/API fields; the session reads the mappings staff confirmed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def name(self, value: Any) -> str:
        text = _as_text(value, MAX_LEN["name"], "name")
        if not text:
            raise FieldError("name_required", limit=MAX_LEN["name"])
        return text

    def sector(self, value: Any) -> str | None:
        text = _as_text(value, 200, "sector")
        if not text:
            return None
        key = load_taxonomy().sector(text)
        if key is None:
            raise FieldError("unknown_sector")
        return key

    def tax_code(self, value: Any) -> str | None:
        text = _as_text(value, 40, "tax_code")
        if not text:
            return None
        try:
            tax_code = check_tax_code(text)
        except ValueError:
            raise FieldError("bad_tax_code") from None
        if self.session.scalar(select(SupplierProfile.id)
                               .where(SupplierProfile.tax_code == tax_code)) is not None:
            raise FieldError("tax_code_taken")
        return tax_code

    def description(self, value: Any) -> str:
        text = _as_text(value, MAX_LEN["description"], "description", multiline=True)
        if not text:
            raise FieldError("description_required")
        return text

    def processes(self, value: Any) -> dict[str, Any]:
        """The firm's own phrases, mapped to the taxonomy; unknown ones kept as text."""
        phrases: list[str] = []
        items = split_phrases(value) if isinstance(value, str) else _as_list(value, "processes")
        for item in items:
            if not isinstance(item, str):
                raise FieldError("process_not_text")
            text = _as_text(item, MAX_LEN["list_item"], "processes")
            if text and text not in phrases:
                phrases.append(text)
        reading = read_capabilities(phrases, confirmed=confirmed_mappings(self.session))
        return {"processes": reading.processes, "capabilities": reading.capabilities}

    @staticmethod
    def _cert_date(text: Any, n: int) -> date | None:
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        found = read_date(str(text))
        if found is None:
            raise FieldError("cert_bad_date", label="cert", n=n)
        return found

    def certifications(self, value: Any) -> list[dict[str, Any]]:
        """From a list of objects (API) or lines ``tên; hạn; đơn vị cấp`` (form)."""
        items = _as_list(value, "certifications") if not isinstance(value, str) else [
            line for line in value.splitlines() if line.strip()]
        if len(items) > MAX_CERTIFICATES:
            raise FieldError("too_many_certificates", limit=MAX_CERTIFICATES)
        out = []
        for i, item in enumerate(items, 1):
            if isinstance(item, str):
                parts = [p.strip() for p in item.split(";")]
                item = {"name": parts[0], "valid_until": parts[1] if len(parts) > 1 else None,
                        "issuer": parts[2] if len(parts) > 2 else None}
            if not isinstance(item, dict):
                raise FieldError("cert_invalid", label="cert", n=i)
            unknown = set(item) - {"name", "issuer", "valid_until"}
            if unknown:
                raise FieldError("cert_unknown_fields", label="cert", n=i,
                                 fields=", ".join(sorted(unknown)))
            name = _as_text(item.get("name"), MAX_LEN["cert_name"], "cert_name", n=i)
            if not name:
                raise FieldError("cert_no_name", label="cert", n=i)
            out.append({"name": name,
                        "issuer": _as_text(item.get("issuer"), MAX_LEN["cert_issuer"],
                                           "cert_issuer", n=i),
                        "valid_until": self._cert_date(item.get("valid_until"), i)})
        return out

    def capacity(self, value: Any) -> str | None:
        return _as_text(value, MAX_LEN["capacity"], "capacity")

    def park(self, value: Any) -> dict[str, Any]:
        """A park name or any address (old district names too), resolved to today's units."""
        text = _as_text(value, MAX_LEN["address"], "park")
        if not text:
            return {"park": None, "address": None, "area": None, "region": None}
        values, _ = places.stored_location(text)
        if not values["ward"]:
            del values["ward"]  # keep the ward field's own value
        return values

    def ward(self, value: Any) -> str | None:
        return _as_text(value, MAX_LEN["ward"], "ward")


_SPREADING = frozenset({"processes", "park"})
"""Inputs that fill several stored fields."""


def read_fields(session: Session, data: dict[str, Any],
                fields: Sequence[str] = EDITABLE) -> dict[str, Any]:
    """Checked, normalised stored values for the ``fields`` present in ``data``.

    Raises:
        ProfileErrors: with a Vietnamese message per invalid field, and per field of
            ``data`` that is not one of ``fields``.
    """
    reader = _Reader(session)
    errors: dict[str, FieldError] = {}
    values: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            errors[key] = FieldError("not_editable", fields=", ".join(fields))
    for key in fields:
        if key not in data:
            continue
        try:
            parsed = getattr(reader, key)(data[key])
        except FieldError as exc:
            errors[key] = exc
            continue
        if key in _SPREADING:  # one input fills several fields
            values.update({k: v for k, v in parsed.items() if k not in values or k not in data})
        else:
            values[key] = parsed
    if errors:
        raise ProfileErrors(errors)
    return values


def read_new_profile(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """:func:`read_fields` for a profile created from scratch: a name and a description
    are required, the rest optional."""
    present = {k: v for k, v in data.items() if k in NEW_PROFILE}
    required = {"name": FieldError("name_missing"),
                "description": FieldError("description_required")}
    errors = {k: problem for k, problem in required.items()
              if not str(present.get(k) or "").strip()}
    try:
        values = read_fields(session, {k: v for k, v in present.items() if k not in errors},
                             NEW_PROFILE)
    except ProfileErrors as exc:
        errors = {**exc.problems, **errors}
    if errors:
        raise ProfileErrors(errors)
    return values


# --- save, record, publish ----------------------------------------------------------------

def _set(profile: SupplierProfile, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "certifications":
            profile.certifications.clear()
            profile.certifications.extend(Certification(**c) for c in value)
        else:
            setattr(profile, key, value)


def update_profile(session: Session, profile: SupplierProfile, values: dict[str, Any], *,
                   account_id: int | None = None, publish: Publish | None = None) -> None:
    """Save checked ``values`` (from :func:`read_fields`) into ``profile``; log and publish."""
    _set(profile, values)
    profile.updated_at = utcnow()
    commit_saved(session, [profile], account_id=account_id, publish=publish)
    log.info("profile %s: %s changed by account %s", profile.external_id,
             ", ".join(sorted(values)), account_id)


def create_profile(session: Session, values: dict[str, Any], *,
                   owner: EnterpriseAccount | None = None, external_id: str | None = None,
                   publish: Publish | None = None) -> SupplierProfile:
    """A new unverified profile from checked ``values`` (:func:`read_new_profile`).

    ``owner``, an account being registered, is saved in the same transaction and
    manages the new profile (it is the firm's own, not a claim on another's).
    """
    import uuid

    profile = SupplierProfile(external_id=external_id or f"ENT-{uuid.uuid4().hex[:12]}",
                              processes=[], capabilities=[], verified=False)
    _set(profile, values)
    session.add(profile)
    if owner is not None:
        owner.profile = profile
        session.add(owner)
    try:
        session.flush()  # the ids the change log names
    except BaseException:
        session.rollback()
        raise
    commit_saved(session, [profile], account_id=owner.id if owner is not None else None,
                 publish=publish)
    log.info("profile %s created%s", profile.external_id,
             f" by account {owner.id}" if owner is not None else "")
    return profile


def set_verified(session: Session, profile: SupplierProfile, verified: bool, *,
                 account_id: int | None = None, publish: Publish | None = None) -> bool:
    """Mark ``profile`` checked (or not) by staff; returns whether anything changed."""
    if bool(profile.verified) == verified:
        return False
    # through the change log: the verified badge and filter change in every process
    profile.verified = verified
    commit_saved(session, [profile], account_id=account_id, publish=publish)
    log.info("profile %s %s by account %s", profile.external_id,
             "verified" if verified else "unverified", account_id)
    return True


def delete_profile(session: Session, external_id: str, account_id: int | None = None) -> int:
    """Delete the profile ``external_id`` (certificates, shortlists and matches with it) and
    log the deletion, in one committed transaction; returns its id.

    Raises:
        LookupError: no profile has that external id (nothing is written).
    """
    profile = session.scalar(select(SupplierProfile)
                             .where(SupplierProfile.external_id == external_id))
    if profile is None:
        raise LookupError(f"no supplier profile {external_id!r}")
    profile_id = profile.id
    try:
        session.delete(profile)
        record_change(session, profile_id, ChangeOp.DELETE, account_id)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return profile_id
