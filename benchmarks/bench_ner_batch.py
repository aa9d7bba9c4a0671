#!/usr/bin/env python3
"""Words per CPU-second of the shipped pipeline with N windows per onnxruntime call of the NER.

    OMP_NUM_THREADS=1 CROSSREAD_NER_THREADS=1 python benchmarks/bench_ner_batch.py --data ../shared/data 1 4 8

Text: the raw UD EWT test documents, as ``crossread eval nlp`` measures speed; each batch size is run
twice in turn, so the second round has warm caches. Per CPU-second of this process, which other load on
the machine does not move much. Results: docs/BENCHMARKS.md, "NLP pipeline speed".
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("batch_sizes", type=int, nargs="+")
    args = ap.parse_args()

    from crossread.nlp.evaluate import document_texts, measure_speed, uner_ewt_sents
    from crossread.nlp.loader import load_pipeline

    sents = uner_ewt_sents(args.data, "test")
    if sents is None:
        raise SystemExit(f"no UD EWT test file under {args.data}")
    texts = document_texts(sents)
    nlp = load_pipeline()
    ner = nlp.get_pipe("crossread_transformer_ner")
    print("| round | windows per call | words/s | words/CPU-s |\n| --- | --- | --- | --- |")
    for round_ in range(1, args.rounds + 1):
        for size in args.batch_sizes:
            ner.batch_size = size
            wall, cpu = measure_speed(nlp, texts, cpu=True)
            print(f"| {round_} | {size} | {wall:,.0f} | {cpu:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
