"""Where `crossread analyze` spends its time: the per-article stage, the corpus stage and the outputs.

Usage:
    python benchmarks/bench_analyze_stages.py --basil ../shared/data/basil [--workers N]
    python benchmarks/bench_analyze_stages.py CORPUS [--workers N]

One run in this process, into a fresh temporary output folder, with the stage boundaries timed
inside :func:`crossread.pipeline.run_analyze`: ingest + NLP + extraction + story features (until the
corpus stage starts), the corpus stage (:func:`crossread.pipeline.update_corpus`: story filing, actor
resolution, the changed stories' analysis), and the outputs (JSON, schema validation, report). Model
loading before the run is not counted.
Results: docs/BENCHMARKS.md, "`crossread analyze` end to end".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench_analyze import basil_to_jsonl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--basil", type=Path, help="BASIL data folder to convert on the fly")
    parser.add_argument("--workers", type=int, default=0, help="crossread analyze --workers (0: its default)")
    args = parser.parse_args()
    if not args.corpus and not args.basil:
        parser.error("give a CORPUS folder or --basil DATA")

    import crossread.pipeline as pipeline
    from crossread.nlp import load_pipeline

    load_pipeline()
    marks: dict[str, float] = {}
    update_corpus = pipeline.update_corpus
    write_outputs = pipeline.write_outputs

    def timed_corpus(*a, **k):  # noqa: ANN002, ANN003, ANN202
        marks["per_article_end"] = time.perf_counter()
        result = update_corpus(*a, **k)
        marks["corpus_end"] = time.perf_counter()
        return result

    def timed_outputs(*a, **k):  # noqa: ANN002, ANN003, ANN202
        marks["outputs_start"] = time.perf_counter()
        result = write_outputs(*a, **k)
        marks["outputs_end"] = time.perf_counter()
        return result

    pipeline.update_corpus, pipeline.write_outputs = timed_corpus, timed_outputs
    with tempfile.TemporaryDirectory() as tmp:
        corpus = basil_to_jsonl(args.basil, Path(tmp)) if args.basil else args.corpus
        start = time.perf_counter()
        summary = pipeline.run_analyze([str(corpus)], pipeline.AnalyzeOptions(outdir=Path(tmp) / "out",
                                                                              workers=args.workers))
        end = time.perf_counter()
    print(f"articles                                  {summary.total_articles}")
    print(f"per article (ingest, NLP, extraction)     {marks['per_article_end'] - start:.1f} s")
    print(f"corpus (filing, actors, stories)          {marks['corpus_end'] - marks['per_article_end']:.1f} s")
    print(f"outputs (JSON, validation, report)        {marks['outputs_end'] - marks['outputs_start']:.1f} s")
    print(f"total                                     {end - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
