"""Sector, process and park vocabularies and the "did you mean" helper."""

from __future__ import annotations

from recommender import vocab


def test_parks_cover_the_merged_city() -> None:
    names = {p.name for p in vocab.PARKS}
    hcmc = [p.name for p in vocab.PARKS if p.former_province == "Hồ Chí Minh" and not p.planned]
    assert len(hcmc) == 16 and "KCX Tân Thuận" in hcmc and "KCN Phong Phú" in hcmc
    assert {"KCN Phạm Văn Hai", "KCN Vĩnh Lộc 3", "KCN Nhị Xuân"} <= {
        p.name for p in vocab.PARKS if p.planned}
    assert {"KCN VSIP I", "KCN VSIP II", "KCN Phú Mỹ I", "KCN Đông Xuyên"} <= names
    assert {p.name for p in vocab.PARKS if p.pilot_green} == {
        "KCX Tân Thuận", "KCN Tân Bình", "KCN Hiệp Phước", "KCN Cát Lái", "KCN Bình Chiểu"}


def test_lookup_accepts_keys_labels_and_unaccented_text() -> None:
    assert vocab.lookup("rubber_plastics", vocab.SECTORS) == "rubber_plastics"
    assert vocab.lookup("Cao su - nhựa", vocab.SECTORS) == "rubber_plastics"
    assert vocab.lookup("co khi", vocab.SECTORS) == "mechanical"
    assert vocab.lookup("kcn tan tao", vocab.PARKS) == "KCN Tân Tạo"
    assert vocab.lookup("Linh Trung II", vocab.PARKS) == "KCX Linh Trung II"
    assert vocab.lookup("CNC machining", vocab.PROCESSES) == "cnc_machining"
    assert vocab.lookup("FDI", vocab.OWNERSHIPS) == "fdi"
    assert vocab.lookup("nowhere", vocab.PARKS) is None


def test_suggest_finds_the_closest_entry() -> None:
    assert vocab.suggest("mechancial", vocab.SECTORS) == "mechanical"
    assert vocab.suggest("cnc_machinig", vocab.PROCESSES) == "cnc_machining"
    assert vocab.suggest("KCN Tan Tao 2", vocab.PARKS) == "KCN Tân Tạo"
    assert vocab.suggest("Đông Nam Á", vocab.PARKS) == "KCN Đông Nam"
    assert vocab.suggest("cnc", vocab.PROCESSES) == "cnc_machining"
    assert vocab.suggest("zzzz", vocab.SECTORS) is None


def test_sample_corpus_uses_the_vocabulary() -> None:
    import json

    from recommender.resources import corpus_file

    corpus = corpus_file("sample_suppliers.jsonl")
    sectors, processes, parks = set(), set(), set()
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            sectors.add(row["sector"])
            processes.update(row["processes"])
            parks.add(row["location"]["park"])
    assert sectors <= vocab.SECTOR_KEYS
    assert processes <= vocab.PROCESS_KEYS
    assert parks - {None} <= {p.name for p in vocab.PARKS if not p.planned}
