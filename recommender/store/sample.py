"""Load the fictional sample suppliers (``corpora/sample_suppliers.jsonl``).

The sample is for demonstrations and tests: every profile in it carries
``"sample": true`` and none refers to a real enterprise. It goes through the
same importer as any other file, so it is checked the same way.
"""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from .importer import ImportReport, import_profiles


def load_sample(session: Session, path: str | os.PathLike) -> ImportReport:
    """Import the sample corpus at ``path``; raises ValueError if any row is invalid."""
    report = import_profiles(session, path)
    if report.errors:
        shown = "; ".join(str(e) for e in report.errors[:5])
        raise ValueError(f"the sample corpus {path} has {len(report.errors)} errors: {shown}")
    return report
