"""Convert a sentence-transformers model for a fast runtime, once, into the cache.

The transformer network is exported from torch (``torch.onnx.export`` for ONNX
Runtime, then ``onnxruntime.quantization.quantize_dynamic`` for int8;
``openvino.convert_model`` for OpenVINO, kept in fp32: bf16 is chosen when the
model is compiled). Tokenizer and sentence-transformers module files are copied
beside it, so the converted directory loads offline without the torch weights.

As with the bundled model (:mod:`.bundled`), the directory is written to a
temporary sibling and renamed into place, with a checksum manifest; it also
records a stamp of the source model so a changed source is converted again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
import warnings
from pathlib import Path

from ..files import publish_directory, sha256_file
from . import bundled
from .runtime import (
    FAST_BACKENDS,
    INSTALL,
    LOOKUP_CONFIG,
    LOOKUP_TABLE,
    lookup_positions,
    read_layout,
)

log = logging.getLogger(__name__)

CONVERSION_VERSION = 2  # bump when the produced directory changes (2: fp32 ONNX splits the lookup)
_COPIED_SUFFIXES = {".json", ".txt", ".model"}  # tokenizer and configs, never weights


class ConversionError(RuntimeError):
    """The model could not be converted for the requested runtime."""


def converted_dir(cache_dir: Path, model_name: str, backend: str) -> Path:
    """Directory ``model_name`` converted for ``backend`` is materialised into."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_name).strip("._")[:60] or "model"
    digest = hashlib.sha256(f"{model_name}\0{backend}\0{CONVERSION_VERSION}".encode())
    return Path(cache_dir) / "models" / "converted" / f"{slug}-{backend}-{digest.hexdigest()[:10]}"


def local_source(source: str) -> Path:
    """The model directory: ``source`` itself, or its copy in the local HF cache."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(source, local_files_only=True))


def source_stamp(source: Path) -> str:
    """Changes when the source model does: its manifest's checksum if it has one (the
    bundled model), else the names, sizes and times of its files."""
    manifest = source / bundled.MANIFEST
    if manifest.is_file():
        return "sha256:" + sha256_file(manifest)
    digest = hashlib.sha256()
    for p in sorted(source.rglob("*")):
        if p.is_file():
            st = p.stat()
            digest.update(f"{p.relative_to(source)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return "stat:" + digest.hexdigest()


def verify(directory: Path, source: Path, *, full: bool = False) -> bool:
    """True if ``directory`` holds a complete conversion of the current ``source``."""
    if not bundled.verify(directory, full=full):
        return False
    try:
        manifest = json.loads((directory / bundled.MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return (manifest.get("conversion_version") == CONVERSION_VERSION
            and manifest.get("source_stamp") == source_stamp(source))


def materialise(source: str, model_name: str, backend: str, cache_dir: Path, *,
                force: bool = False) -> Path:
    """Convert ``source`` for ``backend`` into the cache once and return the directory.

    Raises:
        ImportError: a package the conversion needs is missing.
        UnsupportedModel: the model has modules a converted runtime does not reproduce.
        ConversionError: the export failed.
    """
    if backend not in FAST_BACKENDS:
        raise ValueError(f"backend must be one of {FAST_BACKENDS}, not {backend!r}")
    try:
        src = local_source(source)
    except Exception as exc:  # noqa: BLE001 - the HF hub raises several kinds
        raise ConversionError(f"model {source!r} is neither a directory nor in the local "
                              f"Hugging Face cache: {exc}") from exc
    target = converted_dir(cache_dir, model_name, backend)
    if not force and verify(target, src):
        return target
    layout = read_layout(src)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        log.info("converting %s for %s into %s", model_name, backend, target)
        for p in src.iterdir():
            if p.is_file() and p.suffix in _COPIED_SUFFIXES:
                shutil.copy2(p, tmp / p.name)
        for rel in layout.module_dirs:
            shutil.copytree(src / rel, tmp / rel, dirs_exist_ok=True)
        try:
            _export(src, tmp, backend)
        except ImportError:
            raise
        except Exception as exc:  # noqa: BLE001 - exporters raise many kinds
            raise ConversionError(f"cannot convert {model_name} for {backend}: {exc}") from exc
        manifest = {
            "model": model_name,
            "backend": backend,
            "conversion_version": CONVERSION_VERSION,
            "source": str(src),
            "source_stamp": source_stamp(src),
            "files": {rel: {"sha256": digest, "size": (tmp / rel).stat().st_size}
                      for rel, digest in bundled.files_checksums(tmp).items()},
        }
        (tmp / bundled.MANIFEST).write_text(json.dumps(manifest, indent=2))
        publish_directory(tmp, target, lambda p: verify(p, src))
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _export(src: Path, out: Path, backend: str) -> None:
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - declared dependencies
        raise ImportError("converting the model needs torch and transformers") from exc

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask)[0]

    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no loading bars in command output
    except ImportError:  # pragma: no cover
        pass
    network = AutoModel.from_pretrained(src, local_files_only=True).eval()
    model = LastHiddenState(network)
    tokenizer = AutoTokenizer.from_pretrained(src, local_files_only=True)
    example = tokenizer(["passage: a", "passage: two words"], padding=True, return_tensors="pt")
    ids, mask = example["input_ids"], example["attention_mask"]
    if backend == "onnx" and _export_after_lookup(network, tokenizer, out):
        return
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter from the exporters
        if backend == "openvino":
            import openvino as ov

            converted = ov.convert_model(model, example_input={"input_ids": ids,
                                                               "attention_mask": mask})
            ov.save_model(converted, str(out / "model.xml"), compress_to_fp16=False)
            return
        try:
            import onnx  # noqa: F401 - the exporter needs it
        except ImportError as exc:
            raise ImportError(f"converting for {backend!r} needs onnx: "
                              f"{INSTALL[backend]}") from exc
        onnx_path = out / ("model-fp32.onnx" if backend == "onnx-int8" else "model.onnx")
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(
            model, (ids, mask), str(onnx_path), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
        )
        if backend == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(onnx_path), str(out / "model.onnx"),
                             weight_type=QuantType.QInt8)
            onnx_path.unlink()


LOOKUP_CHECK = [
    "passage: a",
    "query: gia công cơ khí chính xác CNC, dung sai ±0.01 mm, ISO 9001",
    "passage: Công ty chúng tôi chuyên ép nhựa, sơn tĩnh điện và lắp ráp bo mạch cho "
    "khách hàng FDI tại KCX Tân Thuận.",
    "query: PCB assembly SMT RoHS",
]
"""Texts of several lengths (so a batch has padding) checked against the whole network."""


def _export_after_lookup(network, tokenizer, out: Path) -> bool:
    """Export the network after its word-embedding lookup (fp32 ONNX).

    The word-embedding matrix is most of a multilingual model (250,037 x 384 floats,
    384 MB of the bundled model's 470 MB) and a lookup needs no network: it is saved as
    ``word_embeddings.npy`` and read memory-mapped (:class:`.runtime.OnnxModel`), so a
    worker holds only the rows its texts use and the page cache shares them between
    workers. The graph takes ``inputs_embeds``, ``attention_mask`` and ``position_ids``
    (padding-aware positions as RoBERTa-family models derive them from the token ids, or
    0..n-1), and its output is checked against the whole network on :data:`LOOKUP_CHECK`;
    False (nothing written) if the model does not fit this split or the check fails.
    """
    import numpy as np
    import torch

    embeddings = getattr(network, "embeddings", None)
    words = getattr(embeddings, "word_embeddings", None)
    if not isinstance(words, torch.nn.Embedding):
        return False
    padding_idx = getattr(embeddings, "padding_idx", None)
    positions = "padded" if isinstance(padding_idx, int) and hasattr(
        embeddings, "create_position_ids_from_input_ids") else "arange"

    class AfterLookup(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor,
                    position_ids: torch.Tensor) -> torch.Tensor:
            return self.network(inputs_embeds=inputs_embeds, attention_mask=attention_mask,
                                position_ids=position_ids)[0]

    batch = tokenizer(LOOKUP_CHECK, padding=True, return_tensors="np")
    ids = batch["input_ids"].astype(np.int64)
    mask = batch["attention_mask"].astype(np.int64)
    table = words.weight.detach().cpu().numpy().astype(np.float32)
    pos = lookup_positions(ids, mask, positions, padding_idx)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = network(input_ids=torch.from_numpy(ids),
                        attention_mask=torch.from_numpy(mask))[0].numpy()
        split = AfterLookup()(torch.from_numpy(table[ids]), torch.from_numpy(mask),
                              torch.from_numpy(pos)).numpy()
        real = mask.astype(bool)
        if not np.allclose(whole[real], split[real], atol=1e-5, rtol=1e-5):
            log.info("the word-embedding lookup does not split off this model exactly; "
                     "exporting the whole network")
            return False
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(
            AfterLookup(), (torch.from_numpy(table[ids]), torch.from_numpy(mask),
                            torch.from_numpy(pos)),
            str(out / "model.onnx"),
            input_names=["inputs_embeds", "attention_mask", "position_ids"],
            output_names=["last_hidden_state"], opset_version=17, dynamo=False,
            dynamic_axes={"inputs_embeds": axes, "attention_mask": axes,
                          "position_ids": axes, "last_hidden_state": axes},
        )
    np.save(out / LOOKUP_TABLE, table)
    (out / LOOKUP_CONFIG).write_text(json.dumps(
        {"positions": positions, "padding_idx": padding_idx}, indent=2))
    return True
