from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from recommender.embed.encoder import (
    EmbeddingCache,
    EncoderError,
    QueryVectorCache,
    load_encoder,
)


def test_queries_are_normalised_vectors(encoder) -> None:
    vecs = encoder.encode_queries(["ép nhựa", "ep nhua", "plastic injection molding"])
    assert vecs.shape == (3, encoder.dim) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_tone_mark_styles_give_the_same_embedding(encoder) -> None:
    a, b = encoder.encode_queries(["hoà thuỷ", "hòa thủy"])
    assert float(a @ b) > 0.9999


def test_long_passages_are_split_into_windows(encoder) -> None:
    short = "Gia công CNC chính xác."
    long = " ".join(f"Câu số {i}: chúng tôi ép nhựa và gia công khuôn mẫu." for i in range(200))
    mats = encoder.encode_passages([short, long])
    assert mats[0].shape == (1, encoder.dim)
    assert mats[1].shape[0] > 10
    np.testing.assert_allclose(np.linalg.norm(mats[1], axis=1), 1.0, atol=1e-5)


def test_unchanged_texts_are_never_re_encoded(encoder, monkeypatch) -> None:
    texts = ["Xưởng sơn tĩnh điện số 7", "Nhà máy mạ kẽm nhúng nóng số 9"]
    first = encoder.encode_passages(texts)
    calls = []
    original = encoder.model.encode
    monkeypatch.setattr(encoder.model, "encode",
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    again = encoder.encode_passages(texts + ["Một văn bản hoàn toàn mới số 11"])
    assert len(calls) == 1 and len(calls[0][0]) == 1  # only the new text
    for x, y in zip(first, again[:2], strict=True):
        np.testing.assert_array_equal(x, y)


def test_a_repeated_query_is_not_encoded_again(encoder, monkeypatch) -> None:
    first = encoder.encode_queries(["máy ép nhựa 450 tấn số 3"])
    calls = []
    original = encoder.model.encode
    monkeypatch.setattr(encoder.model, "encode",
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    # the same query (another tone-mark style normalises to it) and a new one
    again = encoder.encode_queries(["máy ép nhựa 450 tấn số 3", "khuôn dập liên hoàn số 5"])
    assert len(calls) == 1 and list(calls[0][0]) == ["khuôn dập liên hoàn số 5"]
    np.testing.assert_array_equal(first[0], again[0])
    again[0][:] = 0.0  # a caller's changes do not reach the cache
    np.testing.assert_array_equal(encoder.encode_queries(["máy ép nhựa 450 tấn số 3"])[0],
                                  first[0])


def test_query_vector_cache_is_bounded_and_least_recently_used() -> None:
    encoded: list[list[str]] = []

    def fake_encode(texts: list[str]) -> np.ndarray:  # stands in for the model: counts calls
        encoded.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)

    cache = QueryVectorCache(2)
    out = cache.encode(["a", "bb", "a"], fake_encode)
    assert encoded == [["a", "bb"]] and out.tolist() == [[1, 1], [2, 1], [1, 1]]
    cache.encode(["a"], fake_encode)          # "a" used last: "bb" is the oldest
    cache.encode(["ccc"], fake_encode)        # drops "bb"
    assert len(cache) == 2
    cache.encode(["a", "bb"], fake_encode)
    assert encoded[-1] == ["bb"] and (cache.hits, cache.misses) == (2, 4)
    off = QueryVectorCache(0)
    off.encode(["a"], fake_encode)
    off.encode(["a"], fake_encode)
    assert encoded[-2:] == [["a"], ["a"]] and len(off) == 0
    with pytest.raises(ValueError):
        QueryVectorCache(-1)


def test_cache_is_keyed_by_model(tmp_path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite")
    key = EmbeddingCache.key("text")
    cache.put_many("model-a", [(key, np.ones((2, 3), np.float32))])
    assert cache.get_many("model-b", [key]) == {}
    got = cache.get_many("model-a", [key])[key]
    assert got.shape == (2, 3)
    assert cache.count("model-a") == 1


def test_unknown_model_path_is_a_clear_error(config) -> None:
    with pytest.raises(EncoderError, match="does not exist"):
        load_encoder(replace(config, model="/nonexistent/model-dir"))


def test_unknown_model_name_fails_offline(config, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EncoderError, match="offline"):
        load_encoder(replace(config, model="no-such-org/no-such-model-ketnoi"))


def test_a_stopped_encoding_keeps_what_it_encoded(encoder, monkeypatch) -> None:
    """Passages go to the cache chunk by chunk: a build killed halfway resumes there."""
    import uuid

    from recommender.embed import encoder as encoder_module

    monkeypatch.setattr(encoder_module, "CACHE_CHUNK_PASSAGES", 2)
    tag = uuid.uuid4().hex
    texts = [f"Xưởng {tag} số {i}: dập kim loại tấm và hàn robot." for i in range(5)]
    real, calls = encoder._encode, []

    def stops_on_the_third_chunk(batch, prompt, progress):
        calls.append(len(batch))
        if len(calls) == 3:
            raise KeyboardInterrupt  # as a stopped process would
        return real(batch, prompt, progress)

    monkeypatch.setattr(encoder, "_encode", stops_on_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        encoder.encode_passages(texts, show_progress=False)
    keys = [EmbeddingCache.key(encoder._prepare(t)) for t in texts]
    assert set(encoder.cache.get_many(encoder.model_id, keys)) == set(keys[:4])
    calls.clear()
    monkeypatch.setattr(encoder, "_encode", lambda b, p, g: (calls.append(len(b)),
                                                             real(b, p, g))[1])
    again = encoder.encode_passages(texts, show_progress=False)
    assert calls == [1] and len(again) == 5  # only the last passage was left to encode
