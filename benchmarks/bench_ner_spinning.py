#!/usr/bin/env python3
"""Whole-pipeline words/s with the NER's onnxruntime threads spinning or sleeping between calls.

    OMP_NUM_THREADS=1 python benchmarks/bench_ner_spinning.py --data ../shared/data --spinning off
    OMP_NUM_THREADS=1 python benchmarks/bench_ner_spinning.py --data ../shared/data --spinning on

onnxruntime's intra-op threads spin for a while after each call by default; in the shipped pipeline the
CNN components run between two NER calls on the same two cores, so a spinning thread takes CPU from
them. ``crossread_transformer_ner`` turns spinning off; ``--spinning on`` turns it back on (by
overriding the session option) to measure the difference. Text and protocol are ``crossread eval nlp``'s:
the raw UD EWT test documents, one process once, then 4 passes on ``nlp.pipe(n_process=2,
batch_size=32)`` three times. Run the two settings alternately on an idle machine.
Results: docs/BENCHMARKS.md, "NLP pipeline speed".
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--spinning", choices=("on", "off"), required=True)
    ap.add_argument("--model", default=None, help="spaCy pipeline name or path (default: the shipped one)")
    args = ap.parse_args()

    import onnxruntime as ort

    from crossread.nlp import evaluate as ev
    from crossread.nlp.loader import load_pipeline

    if args.spinning == "on":
        session = ort.InferenceSession

        def spinning_session(path, options=None, *rest, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if options is not None:
                options.add_session_config_entry("session.intra_op.allow_spinning", "1")
            return session(path, options, *rest, **kwargs)

        ort.set_default_logger_severity(3)  # the override's "already exists" warning
        ort.InferenceSession = spinning_session

    sents = ev.uner_ewt_sents(args.data, "test") or []
    texts = ev.document_texts(sents)
    nlp = load_pipeline(args.model)
    one = ev.measure_speed(nlp, texts, n_process=1)
    two = [ev.measure_speed(nlp, texts * 4, n_process=2, batch_size=32) for _ in range(3)]
    print(f"spinning {args.spinning}: 1 process {one:,.0f} words/s; 2 processes "
          f"{' / '.join(f'{x:,.0f}' for x in two)}: median {statistics.median(two):,.0f}")


if __name__ == "__main__":
    main()
