"""Apply a saved profile change to the index the app is serving, without a rebuild.

The edit is searchable as soon as :func:`apply_profile_change` returns. The
promoted index version on disk is not touched: the next start sees that the
profiles changed (the fingerprint differs) and builds a new version.
"""

from __future__ import annotations

import threading

from recommender.store.models import SupplierProfile

from .catalog import Catalog, CatalogProfile, profile_size_class

_lock = threading.Lock()
"""One live change at a time, so the index and the lookup dicts agree."""


def catalog_profile(row: SupplierProfile) -> CatalogProfile:
    """The fields of a stored profile that search shows, as :func:`read_profiles` reads them."""
    return CatalogProfile(
        doc_id=row.id, external_id=row.external_id, name=row.name, description=row.description,
        sector=row.sector, processes=list(row.processes or []),
        certifications=[{"name": c.name, "issuer": c.issuer,
                         "valid_until": c.valid_until.isoformat() if c.valid_until else None}
                        for c in row.certifications],
        location={"park": row.park, "ward": row.ward},
        ownership=row.ownership, employees=row.employees, verified=bool(row.verified),
        size_class=profile_size_class(row), sample=bool(row.sample),
    )


def apply_profile_change(catalog: Catalog, profile_row: SupplierProfile) -> CatalogProfile:
    """Re-index one saved profile and update what results show for it.

    Raises RuntimeError when the catalog has no index yet (it is still being
    built; the build reads the saved row anyway).
    """
    if catalog.index is None or catalog.recommender is None:
        raise RuntimeError("the search index is not loaded yet")
    profile = catalog_profile(profile_row)
    with _lock:
        catalog.index.upsert([profile.doc_id], [profile.search_text])
        catalog.profiles[profile.doc_id] = profile
        catalog.recommender.facts[profile.doc_id] = profile.facts()
        catalog.recommender.texts[profile.doc_id] = profile.search_text
    return profile
