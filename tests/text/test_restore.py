from __future__ import annotations

from recommender.text import DiacriticRestorer, analyze

DOCS = [
    "Chúng tôi sản xuất bó dây điện cho ô tô và linh kiện nhựa ép phun.",
    "Xưởng ép nhựa kỹ thuật, làm khuôn nhựa và linh kiện điện tử.",
    "Gia công cơ khí chính xác, tiện phay CNC chi tiết nhôm.",
    "Bo mạch điện tử lắp ráp SMT. Đế giày cao su.",
]


def restorer() -> DiacriticRestorer:
    return DiacriticRestorer.from_syllables(analyze(d).syllables for d in DOCS)


def test_restores_domain_terms_from_the_collection() -> None:
    r = restorer()
    assert r.restore("bo day dien o to") == "bó dây điện ô tô"
    assert r.restore("linh kien nhua ep phun") == "linh kiện nhựa ép phun"


def test_bigram_context_picks_between_forms() -> None:
    r = restorer()
    # "bo" is "bó" before "dây" and "bo" before "mạch"
    assert r.restore("bo mach dien tu") == "bo mạch điện tử"
    assert r.restore("bo day") == "bó dây"


def test_unknown_words_stay_as_typed() -> None:
    assert restorer().restore("wire harness ep nhua") == "wire harness ép nhựa"


def test_prior_fills_words_the_collection_lacks() -> None:
    r = restorer()
    assert r.restore("can ep nhua", prior="cần ép nhựa") == "cần ép nhựa"
    assert r.restore("ep nhua", prior="mismatched length prior") == "ép nhựa"


def test_empty_and_unfitted() -> None:
    assert restorer().restore("  ") == ""
    assert not DiacriticRestorer()
    assert DiacriticRestorer().restore("ep nhua") == "ep nhua"
