"""What to add to a profile, gathered over the checked queries (no index needed)."""

from __future__ import annotations

from recommender.visibility import profile_suggestions


def _item(searches: int, certs=(), park=None) -> dict:
    return {"searches": searches, "suggestions": {
        "certifications": [{"name": n, "status": s, "detail": ""} for n, s in certs],
        "park": None if park is None else {"wanted": park, "status": "missing", "profile": ""}}}


def test_suggestions_weight_certificates_and_parks_by_searches() -> None:
    items = [_item(3, [("ISO 9001", "missing")]), _item(0, [("IATF 16949", "expired")]),
             _item(2, [("ISO 9001", "missing")], park="KCN VSIP"), _item(0, park="KCN Amata")]
    found = profile_suggestions(items, [], "gia công cnc", sector=None, park=None,
                                capacity="1000 chi tiết/tháng",
                                common_processes=["cnc_machining"], lang="en")
    assert [(c["name"], c["queries"], c["searches"]) for c in found["certifications"]] == [
        ("ISO 9001", 2, 5), ("IATF 16949", 1, 1)]
    assert found["park"] == {"missing": True, "wanted": ["KCN VSIP", "KCN Amata"]}
    assert found["capacity_missing"] is False and found["terms"] == []
    assert found["processes"] == [{"key": "cnc_machining", "label": "CNC machining"}]
