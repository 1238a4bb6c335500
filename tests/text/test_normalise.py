from __future__ import annotations

import unicodedata

import pytest

from recommender.text import (
    MAX_QUERY_CHARS,
    TextError,
    analyze,
    check_query,
    decode_text,
    fold,
    has_diacritics,
    normalize,
    segment,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("Hoà Bình", "Hòa Bình"),
        ("khoẻ", "khỏe"),
        ("tuỳ", "tùy"),
        ("quý", "quý"),  # "qu" is a consonant: the tone stays on "y"
        ("hoàng", "hoàng"),  # closed syllable: both styles agree
        ("hòa thủy", "hòa thủy"),
    ],
)
def test_tone_marks_are_unified(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


def test_decomposed_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "linh kiện điện tử")
    assert normalize(decomposed) == "linh kiện điện tử"


def test_control_and_zero_width_characters_and_spaces() -> None:
    assert normalize("  Công\u200bty\u00ad \t TNHH\x00\n Đông  Á \ufeff") == "Côngty TNHH Đông Á"


def test_fold_maps_d_bar_before_stripping_marks() -> None:
    assert fold("Đường điện tử Đồng Nai") == "duong dien tu dong nai"
    assert fold("nhựa") == "nhua"


def test_has_diacritics() -> None:
    assert has_diacritics("ép nhựa") and has_diacritics("đế giày")
    assert not has_diacritics("ep nhua CNC")


def test_segment_joins_vietnamese_words() -> None:
    assert "linh_kiện" in segment("linh kiện điện tử").lower()


def test_analyze_gives_words_syllables_and_folded_views() -> None:
    a = analyze("Gia công CNC chính xác, linh kiện điện tử!")
    assert "linh_kiện" in a.words
    assert "kiện" in a.syllables and "kien" in a.folded
    assert len(a.syllables) == len(a.folded)
    assert all("," not in t and "!" not in t for t in a.syllables)


@pytest.mark.parametrize("query", ["", "   ", "\u200b\t\n"])
def test_empty_query_is_rejected(query: str) -> None:
    with pytest.raises(TextError, match="empty"):
        check_query(query)


def test_huge_query_is_rejected_not_truncated() -> None:
    with pytest.raises(TextError, match="too long"):
        check_query("nhựa " * 20_000)  # 100 KB
    assert check_query("a" * MAX_QUERY_CHARS) == "a" * MAX_QUERY_CHARS


def test_invalid_utf8_is_a_clear_error() -> None:
    with pytest.raises(TextError, match="not valid UTF-8"):
        check_query(b"nh\xff\xfeua")
    assert decode_text("nhựa".encode()) == "nhựa"


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        normalize(42)  # type: ignore[arg-type]


def _fold_whole(text: str) -> str:
    """Folding as a whole text: decompose, drop the marks, recompose, lower-case."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text).lower()


def test_fold_by_character_equals_folding_whole_texts() -> None:
    import json
    import unicodedata

    from recommender.resources import corpus_file
    from recommender.text import fold

    texts = [json.loads(line)["description"] for line in
             corpus_file("sample_suppliers.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += [json.loads(line)["text"] for line in
              corpus_file("buyer_queries.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += ["ĐÀ NẴNG Đồng Nai", "Ưu tiên ỨNG DỤNG", "café naïve façade", "ÀÁẢÃẠ"]
    assert len(texts) > 3000
    for text in texts:
        assert fold(text) == _fold_whole(text), text
        decomposed = unicodedata.normalize("NFD", text)
        assert fold(decomposed) == _fold_whole(decomposed), text
