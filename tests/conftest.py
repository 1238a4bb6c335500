"""Shared fixtures: the real bundled model, loaded once per test session.

The model is materialised into a per-session cache directory, so tests never
depend on (or pollute) a developer's ``~/.cache/ketnoi``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.config import RetrievalConfig

SHARED_BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ketnoi-cache")


@pytest.fixture(scope="session")
def config(cache_dir: Path) -> RetrievalConfig:
    return RetrievalConfig(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def encoder(config: RetrievalConfig):
    from recommender.embed.encoder import load_encoder

    return load_encoder(config)


SUPPLIERS = {
    1: "Công ty TNHH Cơ khí Sao Mai: gia công CNC chính xác, tiện phay chi tiết nhôm và "
       "thép không gỉ cho ngành điện tử, dung sai ±0,01 mm. Đạt ISO 9001.",
    2: "Xưởng ép phun nhựa kỹ thuật: vỏ nhựa ABS, PC cho thiết bị điện, khuôn do chúng tôi "
       "tự thiết kế. Máy ép 80 đến 450 tấn.",
    3: "Sản xuất túi nhựa PE, màng co, bao bì nhựa dẻo cho siêu thị và thực phẩm.",
    4: "Dập tấm kim loại, chấn gấp, hàn và sơn tĩnh điện vỏ tủ điện.",
    5: "Lắp ráp bo mạch điện tử SMT, hàn linh kiện dán và xuyên lỗ, kiểm tra AOI.",
    6: "Bó dây điện (wire harness) cho ô tô và xe máy, đạt IATF 16949.",
    7: "Gioăng cao su, phớt chặn dầu, đệm cao su kỹ thuật cho máy công nghiệp.",
    8: "Đế giày cao su và EVA cho các nhà máy giày xuất khẩu.",
    9: "In offset nhãn mác, tờ hướng dẫn sử dụng, hộp giấy cao cấp.",
    10: "Thùng carton 3 lớp, 5 lớp, bao bì giấy sóng cho hàng xuất khẩu.",
    11: "Precision CNC machining of aluminium and steel brackets, ISO 9001 certified, "
        "located in Tan Thuan export processing zone.",
    12: "Khuôn mẫu: thiết kế và chế tạo khuôn ép nhựa, khuôn dập cho linh kiện ô tô.",
}


@pytest.fixture(scope="session")
def suppliers() -> dict[int, str]:
    return dict(SUPPLIERS)
