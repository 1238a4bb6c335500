"""Fast inference runtimes for the encoder: OpenVINO and ONNX Runtime.

The torch sentence-transformers model is the reference. ``KETNOI_ENCODER_BACKEND``
picks the runtime at start-up (:func:`candidates`): ``auto`` takes ONNX Runtime in
fp32 (the same rankings as torch), else torch; ``openvino`` (bf16 on CPUs that compute
it natively, AMX or AVX512-BF16; faster, but it reorders near ties) only by name; a
runtime whose package is missing is skipped with a logged reason in
``auto`` and is an ImportError naming what to install when asked for by name.
Batch 1, one thread, against torch fp32 (``benchmarks/bench_encoder.py``): ONNX
Runtime fp32 0.50-0.58x the CPU time per query with identical vectors (cosine 1.0);
OpenVINO fp32 0.52x on an AVX2-only CPU, bf16 0.48x where the CPU has it (cosine
>= 0.99998, dense top-10 overlap 0.99). At batch 32 (index builds) ONNX Runtime
and OpenVINO fp32 are no faster than torch on an AVX2-only CPU (0.87-0.92x the
windows per second); OpenVINO bf16 was about 3-4x faster where measured. ONNX
Runtime int8 takes 0.25-0.33x but reorders results (dense top-10 overlap 0.65-0.85),
so int8 is only an explicit opt-in.

The model is converted once into the cache (:mod:`.convert`) and loaded from
there; the torch weights are not kept in memory. For fp32 ONNX the network is
exported after its word-embedding lookup, and the lookup reads the rows a text
needs from ``word_embeddings.npy`` (:class:`RowFile`): the same vectors, bit for
bit, and 320 MB less per worker (839 -> 518 MiB for a loaded encoder).

A :class:`ConvertedModel` does what the reference does around the network: the
same tokenizer, prompt prefix, padding and truncation, the pooling named in the
model's ``modules.json`` and ``1_Pooling/config.json``, and L2 normalisation.

Model id (the embedding-cache key and what an index version records): fp32 ONNX
equals torch, and bf16 agrees with torch within the tested tolerance (cosine
>= 0.9999), so both keep the torch ``model_id``: switching between them neither
re-encodes the cache nor invalidates index versions. The runtime actually used is
recorded separately (``encoder.backend``, and ``encoder_backend`` in a version's
``version.json``). int8 changes rankings, so its vectors get their own model id.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FAST_BACKENDS = ("openvino", "onnx", "onnx-int8")
INSTALL = {
    "openvino": "pip install openvino",
    "onnx": "pip install onnxruntime onnx",
    "onnx-int8": "pip install onnxruntime onnx",
}
"""What to install for each fast backend (all are dependencies of the project)."""
POOLING_MODES = ("mean", "cls", "max")
LOOKUP_TABLE = "word_embeddings.npy"
"""The word-embedding matrix of a network exported after its lookup (:mod:`.convert`)."""
LOOKUP_CONFIG = "lookup.json"
"""How that network wants its position ids: ``{"positions": ..., "padding_idx": ...}``."""


def lookup_positions(ids: np.ndarray, mask: np.ndarray, positions: str,
                     padding_idx: int | None) -> np.ndarray:
    """Position ids as the network derives them from token ids: RoBERTa-family models
    (``padded``) number real tokens from ``padding_idx + 1`` and give padding
    ``padding_idx``; others (``arange``) number every position from 0."""
    if positions == "padded":
        real = (ids != padding_idx).astype(np.int64)
        return np.cumsum(real, axis=1) * real + int(padding_idx)
    return np.broadcast_to(np.arange(ids.shape[1], dtype=np.int64), ids.shape).copy()


class UnsupportedModel(ValueError):
    """The model has modules a converted runtime does not reproduce; use torch."""


def cpu_supports_bf16() -> bool:
    """True if the CPU computes bf16 natively (AMX or AVX512-BF16), per /proc/cpuinfo
    or OpenVINO's view of the CPU."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        flags = set()
    if flags & {"amx_bf16", "avx512_bf16"}:
        return True
    try:
        import openvino as ov

        return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # noqa: BLE001 - no openvino, or it cannot see the CPU: no bf16
        return False


def candidates(requested: str) -> list[str]:
    """Backends to try in order for a ``KETNOI_ENCODER_BACKEND`` value: ``auto`` takes
    the runtimes that rank exactly as torch (ONNX Runtime fp32, then torch). OpenVINO
    bf16 is only used when asked for by name: its vectors are within cosine 0.99998 of
    torch's, but near ties flip, and on an AVX512-BF16 CPU (AMD EPYC, 2026-12-07) the
    hybrid top-10 of 53 of 266 labelled buyer queries differed from torch's
    (``tests/embed/test_runtime_ranking.py``), against the rule that a faster path may
    not change rankings."""
    if requested != "auto":
        return [requested]
    return ["onnx", "torch"]


def check_installed(backend: str) -> None:
    """Raise an ImportError naming what to install if ``backend`` cannot run here."""
    module = "openvino" if backend == "openvino" else "onnxruntime"
    try:
        __import__(module)
    except ImportError as exc:
        raise ImportError(f"encoder backend {backend!r} needs {module}: "
                          f"{INSTALL[backend]}") from exc


@dataclass(frozen=True)
class Layout:
    """What a sentence-transformers model does around its transformer network."""

    max_seq_length: int
    pooling: str
    dim: int
    module_dirs: tuple[str, ...]


def read_layout(directory: Path) -> Layout:
    """Read ``modules.json`` and the pooling config of a sentence-transformers model.

    Raises:
        UnsupportedModel: modules other than Transformer, Pooling and Normalize, or a
            pooling a converted runtime does not reproduce.
    """
    directory = Path(directory)
    try:
        modules = json.loads((directory / "modules.json").read_text())
    except (OSError, ValueError) as exc:
        raise UnsupportedModel(f"{directory} has no readable modules.json: {exc}") from exc
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]) \
            or modules[0].get("path", "") != "":
        raise UnsupportedModel(f"modules {kinds} are not Transformer, Pooling[, Normalize]")
    pooling_cfg = json.loads((directory / modules[1]["path"] / "config.json").read_text())
    keys = {"mean": "pooling_mode_mean_tokens", "cls": "pooling_mode_cls_token",
            "max": "pooling_mode_max_tokens"}
    modes = [mode for mode, key in keys.items() if pooling_cfg.get(key)]
    others = [k for k, v in pooling_cfg.items()
              if k.startswith("pooling_mode_") and v and k not in keys.values()]
    if len(modes) != 1 or others or not pooling_cfg.get("include_prompt", True):
        raise UnsupportedModel(f"pooling {pooling_cfg} is not one of {POOLING_MODES}")
    max_len = 512
    st_cfg = directory / "sentence_bert_config.json"
    if st_cfg.is_file():
        max_len = int(json.loads(st_cfg.read_text()).get("max_seq_length") or max_len)
    return Layout(max_len, modes[0], int(pooling_cfg["word_embedding_dimension"]),
                  tuple(m["path"] for m in modules[1:]))


def pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    """Token vectors ``(batch, tokens, dim)`` to one vector each, as sentence-transformers."""
    if mode == "cls":
        return hidden[:, 0]
    m = mask[..., None].astype(hidden.dtype)
    if mode == "max":
        return np.where(m > 0, hidden, np.finfo(hidden.dtype).min).max(axis=1)
    return (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)


def load_tokenizer(directory: Path):
    """The model's tokenizer, without importing torch where that can be avoided.

    ``transformers.AutoTokenizer`` imports torch (about 190 MB of a worker's memory) only
    to pick the class; a model whose ``tokenizer_config.json`` names the generic fast
    tokenizer (the bundled model) is loaded through that class directly, the same object
    ``AutoTokenizer`` returns.
    """
    try:
        config = json.loads((Path(directory) / "tokenizer_config.json").read_text())
    except (OSError, ValueError):
        config = {}
    if config.get("tokenizer_class") == "PreTrainedTokenizerFast":
        from transformers import PreTrainedTokenizerFast

        return PreTrainedTokenizerFast.from_pretrained(directory, local_files_only=True)
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(directory, local_files_only=True)


class RowFile:
    """Rows of a 2-D float32 ``.npy`` file, read on demand with ``pread``.

    The word-embedding table of the bundled model is 384 MB and a text needs a few
    hundred of its 250,037 rows: reading just those keeps the table out of every worker's
    memory (the page cache holds what is read, shared between workers). A memory map
    would not: the kernel maps neighbouring pages on every fault (fault-around), and 266
    queries had mapped 264 MB of the table into the process.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(fh)
            self.offset = fh.tell()
        if len(shape) != 2 or fortran or dtype != np.dtype("<f4"):
            raise ValueError(f"{self.path} is not a 2-D little-endian float32 C-order array")
        self.shape = shape
        self.row_bytes = shape[1] * 4
        self._fd = os.open(self.path, os.O_RDONLY)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """``table[ids]`` as a new float32 array of shape ``ids.shape + (dim,)``."""
        unique, inverse = np.unique(ids, return_inverse=True)
        if len(unique) and (unique[0] < 0 or unique[-1] >= self.shape[0]):
            raise IndexError(f"token id outside the {self.shape[0]} rows of {self.path.name}")
        found = np.empty((len(unique), self.shape[1]), dtype=np.float32)
        for i, row in enumerate(unique.tolist()):
            data = os.pread(self._fd, self.row_bytes, self.offset + row * self.row_bytes)
            if len(data) != self.row_bytes:
                raise OSError(f"{self.path} ends before row {row}")
            found[i] = np.frombuffer(data, dtype=np.float32)
        return found[inverse.reshape(ids.shape)]

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


class ConvertedModel(ABC):
    """A converted model with the part of ``SentenceTransformer.encode`` the encoder uses."""

    backend: str

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        layout = read_layout(self.directory)
        self.max_seq_length = layout.max_seq_length
        self.pooling = layout.pooling
        self.dim = layout.dim
        self.tokenizer = load_tokenizer(self.directory)

    @abstractmethod
    def _run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """The transformer's last hidden state, ``(batch, tokens, dim)``."""

    def encode(self, texts: Sequence[str], *, prompt: str | None = None, batch_size: int = 32,
               normalize_embeddings: bool = True, convert_to_numpy: bool = True,
               show_progress_bar: bool = False) -> np.ndarray:
        """One vector per text, ``(n, dim)`` float32 (``convert_to_numpy`` is always true)."""
        texts = [(prompt or "") + t for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # longest first, as sentence-transformers does: batches pad to similar lengths
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            enc = self.tokenizer([texts[i] for i in idx], padding=True,
                                 truncation="longest_first", max_length=self.max_seq_length,
                                 return_tensors="np")
            ids = enc["input_ids"].astype(np.int64)
            mask = enc["attention_mask"].astype(np.int64)
            vecs = pool(self._run(ids, mask).astype(np.float32), mask, self.pooling)
            if normalize_embeddings:
                vecs /= np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
            out[idx] = vecs
        return out


class OnnxModel(ConvertedModel):
    """The model on ONNX Runtime's CPU provider (fp32, or dynamic int8)."""

    def __init__(self, directory: Path, *, threads: int = 0, int8: bool = False) -> None:
        import onnxruntime as ort

        super().__init__(directory)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.directory / "model.onnx"), options,
                                            providers=["CPUExecutionProvider"])
        self.backend = "onnx-int8" if int8 else "onnx-fp32"
        self.table = None
        if (self.directory / LOOKUP_TABLE).is_file():
            self.table = RowFile(self.directory / LOOKUP_TABLE)
            lookup = json.loads((self.directory / LOOKUP_CONFIG).read_text())
            self.positions, self.padding_idx = lookup["positions"], lookup["padding_idx"]

    def _run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        if self.table is None:
            return self.session.run(None, {"input_ids": input_ids,
                                           "attention_mask": attention_mask})[0]
        return self.session.run(None, {
            "inputs_embeds": self.table.rows(input_ids),
            "attention_mask": attention_mask,
            "position_ids": lookup_positions(input_ids, attention_mask, self.positions,
                                             self.padding_idx)})[0]


class OpenVinoModel(ConvertedModel):
    """The model on OpenVINO's CPU plugin, in bf16 where the CPU has it, else fp32."""

    def __init__(self, directory: Path, *, threads: int = 0, bf16: bool | None = None) -> None:
        import openvino as ov

        super().__init__(directory)
        bf16 = cpu_supports_bf16() if bf16 is None else bf16
        props: dict[str, object] = {"INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32",
                                    "PERFORMANCE_HINT": "LATENCY"}
        if threads:
            props["INFERENCE_NUM_THREADS"] = threads
        self.compiled = ov.Core().compile_model(str(self.directory / "model.xml"), "CPU", props)
        self._local = threading.local()  # an infer request serves one thread at a time
        self.backend = "openvino-bf16" if bf16 else "openvino-fp32"

    def _run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        result = request.infer({"input_ids": input_ids, "attention_mask": attention_mask})
        return np.array(result[self.compiled.output(0)], copy=True)


def open_model(directory: Path, backend: str, *, threads: int = 0) -> ConvertedModel:
    """The converted model in ``directory`` (see :func:`.convert.materialise`) on ``backend``."""
    check_installed(backend)
    if backend == "openvino":
        return OpenVinoModel(directory, threads=threads)
    return OnnxModel(directory, threads=threads, int8=backend == "onnx-int8")
