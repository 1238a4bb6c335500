"""The fast encoder runtimes against the torch reference, and their cached conversion."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recommender.embed import convert, runtime
from recommender.embed.encoder import load_encoder, resolve_model

from .test_bundled import SENTENCES

LONG = " ".join(f"Câu số {i}: chúng tôi ép nhựa, dập kim loại và gia công khuôn mẫu."
                for i in range(40))


def _runnable() -> list[str]:
    out = []
    for backend in ("onnx", "openvino"):
        try:
            runtime.check_installed(backend)
            out.append(backend)
        except ImportError:
            pass
    return out


def _vectors(enc) -> tuple[np.ndarray, np.ndarray]:
    """Query and passage vectors straight from the model (no caches), windows included."""
    passages = SENTENCES + enc._windows(LONG)
    return (enc._encode(list(SENTENCES), enc.config.query_prompt, False),
            enc._encode(passages, enc.config.passage_prompt, False))


@pytest.mark.parametrize("backend", _runnable())
def test_fast_backend_matches_torch(backend, config, encoder, torch_encoder) -> None:
    enc = encoder if encoder.backend.startswith(backend) else \
        load_encoder(replace(config, encoder_backend=backend))
    assert enc.backend.startswith(backend) and not hasattr(enc.model, "state_dict")
    assert enc.model_id == torch_encoder.model_id and enc.dim == torch_encoder.dim
    for ours, ref in zip(_vectors(enc), _vectors(torch_encoder), strict=True):
        cos = (ours * ref).sum(axis=1)
        assert cos.min() >= 0.9999, (backend, cos)


def test_auto_takes_the_runtime_that_ranks_as_torch_does(encoder) -> None:
    assert encoder.config.encoder_backend == "auto"
    assert encoder.backend == "onnx-fp32"  # auto: the runtime that ranks as torch does


def test_a_missing_package_names_what_to_install(config, monkeypatch, caplog) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "openvino", None)
    with pytest.raises(ImportError, match="pip install onnxruntime"):
        load_encoder(replace(config, encoder_backend="onnx"))
    with pytest.raises(ImportError, match="pip install openvino"):
        load_encoder(replace(config, encoder_backend="openvino"))
    with caplog.at_level(logging.WARNING):
        enc = load_encoder(config)  # auto: falls back to torch and says why
    assert enc.backend == "torch" and "pip install onnxruntime" in caplog.text


def test_unknown_backend_is_refused(config) -> None:
    with pytest.raises(ValueError, match="encoder_backend"):
        replace(config, encoder_backend="tensorrt")


def test_layout_is_read_from_the_model(config) -> None:
    source, _ = resolve_model(config)
    layout = runtime.read_layout(Path(source))
    assert (layout.pooling, layout.dim, layout.max_seq_length) == ("mean", 384, 512)


def test_conversion_is_cached_verified_and_rebuilt_when_damaged(config, encoder, tmp_path):
    source, name = resolve_model(config)
    backend = encoder.backend.split("-")[0]
    path = convert.materialise(source, name, backend, config.cache_dir)
    assert path == encoder.model.directory and convert.verify(path, Path(source), full=True)
    manifest = json.loads((path / "ketnoi-model.json").read_text())
    assert manifest["backend"] == backend and "model.safetensors" not in manifest["files"]
    stamp = {p: p.stat().st_mtime_ns for p in path.iterdir() if p.is_file()}
    assert convert.materialise(source, name, backend, config.cache_dir) == path
    assert {p: p.stat().st_mtime_ns for p in path.iterdir() if p.is_file()} == stamp
    assert not convert.verify(path, tmp_path)  # another source: converted again

    copy = convert.converted_dir(tmp_path, name, backend)
    shutil.copytree(path, copy)
    weights = copy / ("model.onnx" if backend == "onnx" else "model.bin")
    with open(weights, "r+b") as fh:
        fh.seek(4096)
        flipped = bytes(b ^ 0xFF for b in fh.read(16))
        fh.seek(4096)
        fh.write(flipped)
    assert convert.verify(copy, Path(source)) and not convert.verify(copy, Path(source),
                                                                     full=True)
    with open(weights, "r+b") as fh:
        fh.truncate(4096)
    assert not convert.verify(copy, Path(source))
    assert convert.materialise(source, name, backend, tmp_path) == copy
    assert convert.verify(copy, Path(source), full=True)
    assert not list(copy.parent.glob(".*"))  # no temporary directories left behind


def test_onnx_reads_the_word_embeddings_it_needs(config, encoder) -> None:
    """The fp32 ONNX graph starts after the word-embedding lookup: the 250,037 x 384 table
    is a file beside it whose rows are read as texts need them, not a copy in every worker
    (the vectors match torch: test_fast_backend_matches_torch)."""
    if encoder.backend != "onnx-fp32":
        pytest.skip("the default runtime here is not fp32 ONNX")
    model = encoder.model
    assert isinstance(model.table, runtime.RowFile) and model.table.shape[1] == encoder.dim
    full = np.load(model.directory / runtime.LOOKUP_TABLE, mmap_mode="r")
    last = full.shape[0] - 1
    ids = np.array([[0, 17, last, 17], [5, 5, 1, 1]])
    assert np.array_equal(model.table.rows(ids), full[ids])
    with pytest.raises(IndexError):
        model.table.rows(np.array([[last + 1]]))
    names = {i.name for i in model.session.get_inputs()}
    assert names == {"inputs_embeds", "attention_mask", "position_ids"}
    graph = (model.directory / "model.onnx").stat().st_size
    assert graph < full.nbytes / 2  # the table is not also inside the graph
    ids = np.array([[0, 5, 6, 2, 1, 1]])  # padding after the end: RoBERTa-style positions
    mask = np.array([[1, 1, 1, 1, 0, 0]])
    assert runtime.lookup_positions(ids, mask, "padded", 1).tolist() == [[2, 3, 4, 5, 1, 1]]
    assert runtime.lookup_positions(ids, mask, "arange", None).tolist() == [[0, 1, 2, 3, 4, 5]]


@pytest.mark.slow
def test_int8_is_opt_in_with_its_own_model_id(config, torch_encoder) -> None:
    enc = load_encoder(replace(config, encoder_backend="onnx-int8"))
    assert enc.backend == "onnx-int8" and enc.model_id == torch_encoder.model_id + "|int8"
    for ours, ref in zip(_vectors(enc), _vectors(torch_encoder), strict=True):
        assert (ours * ref).sum(axis=1).min() >= 0.95  # close, not equal: it reorders


def test_a_fast_runtime_leaves_torch_unloaded(config, encoder) -> None:
    """Once converted, serving with a fast runtime never imports torch (about 190 MB of
    each worker's memory)."""
    import os
    import subprocess

    if encoder.backend == "torch":
        pytest.skip("no fast runtime installed")
    code = ("import sys\n"
            "from recommender.config import RetrievalConfig\n"
            "from recommender.embed.encoder import load_encoder\n"
            "enc = load_encoder(RetrievalConfig.from_env())\n"
            "enc.encode_queries(['gia công CNC']); enc.encode_passages(['ép nhựa ABS'])\n"
            "print(enc.backend, 'torch' in sys.modules)\n")
    env = {**os.environ, "KETNOI_CACHE_DIR": str(config.cache_dir),
           "KETNOI_ENCODER_BACKEND": config.encoder_backend,
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=300, check=True).stdout.split()
    assert out == [encoder.backend, "False"]
