"""The policy catalogue in the store: :class:`~.models.PolicyProgram` rows.

Each catalogue line (see :mod:`recommender.policy`) maps onto one row by its
``code``. The model's columns hold the fields they are named for; the rest of
the line (criteria, priorities, buyer linkage, instruments, sources, validity
note, list of unverified points) is kept in the ``eligibility`` JSON column:
``{"criteria": [...], "priorities": [...], "confirm": "...", "catalogue":
{...the other keys...}}``, so a row turns back into the same programme.

:func:`upsert_programs` is idempotent, like the profile importer: a code not
stored is created, a stored one is updated only when something differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..policy import Program, program_from_record
from .models import PolicyProgram

COLUMNS = ("code", "title_vi", "title_en", "legal_basis", "issuer", "valid_from",
           "valid_until", "benefits", "source_url", "summary_vi", "summary_en", "verified")
"""Catalogue keys stored in columns of the same name (``eligibility`` is built)."""
ELIGIBILITY_KEYS = ("criteria", "priorities", "confirm")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def row_values(program: Program) -> dict[str, Any]:
    """The column values of a programme's row."""
    record = dict(program.record)
    values: dict[str, Any] = {k: record.get(k) for k in COLUMNS}
    values["valid_from"], values["valid_until"] = program.valid_from, program.valid_until
    values["verified"] = bool(values["verified"])
    eligibility = {k: v for k, v in record["eligibility"].items()}
    eligibility["catalogue"] = {k: v for k, v in record.items()
                                if k not in COLUMNS and k != "eligibility"}
    values["eligibility"] = eligibility
    for name in ("legal_basis", "issuer"):
        limit = PolicyProgram.__table__.c[name].type.length
        if len(values[name]) > limit:
            raise ValueError(f"{program.code}: {name} is longer than {limit} characters")
    return values


def program_from_row(row: PolicyProgram) -> Program:
    """The programme a stored row holds."""
    eligibility = dict(row.eligibility or {})
    extra = eligibility.pop("catalogue", {})
    record = {**extra, **{k: getattr(row, k) for k in COLUMNS}, "eligibility": eligibility}
    record["valid_from"], record["valid_until"] = _iso(row.valid_from), _iso(row.valid_until)
    return program_from_record(record, f"stored programme {row.code}")


@dataclass
class UpsertReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (f"{self.created} programmes created, {self.updated} updated, "
                f"{self.unchanged} unchanged")


def upsert_programs(session: Session, programs: Iterable[Program], *,
                    commit: bool = True) -> UpsertReport:
    """Create or update a row per programme, matched by code."""
    report = UpsertReport()
    programs = list(programs)
    stored = {row.code: row for row in session.scalars(
        select(PolicyProgram).where(PolicyProgram.code.in_([p.code for p in programs])))}
    for program in programs:
        values = row_values(program)
        row = stored.get(program.code)
        if row is None:
            session.add(PolicyProgram(**values))
            report.created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    if commit:
        session.commit()
    return report


def read_programs(session: Session) -> list[Program]:
    """Every stored programme, by code."""
    return [program_from_row(row) for row in
            session.scalars(select(PolicyProgram).order_by(PolicyProgram.code))]


def program_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PolicyProgram)) or 0
