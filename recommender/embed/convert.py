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
from .runtime import FAST_BACKENDS, INSTALL, read_layout

log = logging.getLogger(__name__)

CONVERSION_VERSION = 1  # bump when the produced directory changes
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
    model = LastHiddenState(AutoModel.from_pretrained(src, local_files_only=True).eval())
    tokenizer = AutoTokenizer.from_pretrained(src, local_files_only=True)
    example = tokenizer(["passage: a", "passage: two words"], padding=True, return_tensors="pt")
    ids, mask = example["input_ids"], example["attention_mask"]
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
