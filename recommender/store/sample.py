"""Load the fictional sample suppliers (``corpora/sample_suppliers.jsonl``).

The sample is for demonstrations and tests: every profile in it carries
``"sample": true`` and none refers to a real enterprise. It goes through the
same importer as any other file, so it is checked the same way. Every fourth
sample profile (:func:`verified_in_demo`) is then marked verified, as staff would
mark a profile checked against documents, so that the demo's verified badges and
"verified only" filter have something to show; the verification is as fictional
as the profiles.
"""

from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from .changes import commit_saved
from .importer import ImportReport, import_profiles
from .models import SupplierProfile


def verified_in_demo(external_id: str) -> bool:
    """Whether a sample profile is shown as verified: SUP-00004, SUP-00008, ..."""
    digits = "".join(ch for ch in external_id if ch.isdigit())
    return bool(digits) and int(digits) % 4 == 0


def load_sample(session: Session, path: str | os.PathLike) -> ImportReport:
    """Import the sample corpus at ``path``; raises ValueError if any row is invalid."""
    report = import_profiles(session, path)
    if report.errors:
        shown = "; ".join(str(e) for e in report.errors[:5])
        raise ValueError(f"the sample corpus {path} has {len(report.errors)} errors: {shown}")
    chosen = [p for p in session.scalars(select(SupplierProfile).where(
        SupplierProfile.sample.is_(True), SupplierProfile.verified.is_(False)))
        if verified_in_demo(p.external_id)]
    for profile in chosen:
        profile.verified = True
    if chosen:
        commit_saved(session, chosen)  # through the change log, as staff verification
    return report


ECOSYSTEM_LISTINGS = "sample_listings.jsonl"
ECOSYSTEM_PREMISES = "sample_premises.jsonl"


def load_sample_ecosystem(session: Session, listings_path: str | os.PathLike,
                          premises_path: str | os.PathLike) -> tuple[int, int, int]:
    """Load the demo's invented resource-exchange listings and premises (every row
    ``"sample": true``, attached to sample suppliers; ``corpora/SAMPLES_ECOSYSTEM.md``)
    once: nothing is loaded when sample listings exist. Rows whose supplier is not in
    the database are left out. Returns (listings, premises, premises needs) added."""
    import json

    from .listings import save_listing
    from .models import ResourceListing
    from .premises import load_sample_premises

    if session.scalar(select(ResourceListing.id).where(ResourceListing.sample.is_(True))
                      .limit(1)) is not None:
        return 0, 0, 0
    profiles = {p.external_id: p for p in session.scalars(
        select(SupplierProfile).where(SupplierProfile.sample.is_(True)))}
    listings = 0
    with open(listings_path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            profile = profiles.get(row["profile"])
            if profile is None:
                continue
            fields = {k: row.get(k) or "" for k in ("kind", "what", "quantity", "frequency",
                                                    "details")}
            if row["kind"] == "need" and row.get("licence"):
                fields["licence"] = row["licence"]
            save_listing(session, profile, fields, sample=True)
            listings += 1
    premises, needs = load_sample_premises(session, premises_path)
    session.commit()
    return listings, premises, needs
