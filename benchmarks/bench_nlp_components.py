#!/usr/bin/env python3
"""Words/s of an NLP pipeline with each component switched off in turn (one process).

    OMP_NUM_THREADS=1 python benchmarks/bench_nlp_components.py --data ../shared/data [--model NAME_OR_PATH]

Text: the raw UD EWT test documents, as ``crossread eval nlp`` measures speed. Each setting runs the
text twice and reports the second pass (caches warm, e.g. the CRF layer's per-word features) and
words per CPU-second of this process. Results: docs/BENCHMARKS.md, "NLP pipeline speed".
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", default=None, help="spaCy pipeline name or path (default: the shipped one)")
    ap.add_argument("--split", default="test")
    args = ap.parse_args()

    from crossread.nlp import convert
    from crossread.nlp.evaluate import document_texts, measure_speed
    from crossread.nlp.loader import load_pipeline

    sents = convert.read_conllu(args.data / "ud" / "ewt" / f"en_ewt-ud-{args.split}.conllu")
    texts = document_texts(sents)
    nlp = load_pipeline(args.model)
    print(f"{sum(len(t.split()) for t in texts)} words, {len(texts)} documents; pipeline {nlp.pipe_names}")
    print("| switched off | words/s | words/CPU-s |\n| --- | --- | --- |")
    for off in [None, *nlp.pipe_names]:
        if off in ("crossread_adapter",):
            continue
        with nlp.select_pipes(disable=[off] if off else []):
            measure_speed(nlp, texts)  # first pass: warm caches
            wall, cpu = measure_speed(nlp, texts, cpu=True)
        print(f"| {off or '(none: whole pipeline)'} | {wall:,.0f} | {cpu:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
