"""Which stages ask MiniLM for vectors, how many texts each, and the CPU time they take.

Usage:
    python benchmarks/count_embeddings.py --basil ../shared/data/basil [--workers N]

One `crossread analyze` run (this process and its forked workers) into a temporary folder, with
``EmbeddingService._encode`` wrapped to append one line per call (caller, texts, seconds, process) to
a log; the totals per caller (and encoder: MiniLM or static) are printed at the end. Results: docs/BENCHMARKS.md, "Real corpora".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections import defaultdict
from pathlib import Path

from bench_analyze import basil_to_jsonl


def _caller() -> str:
    for frame in reversed(traceback.extract_stack()):
        name = frame.filename
        if "crossread" in name and not name.endswith(("embeddings.py", "pipeline.py")):
            return name.split("crossread/")[-1] + ":" + frame.name
    return "story leads (pipeline.features_of)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--basil", type=Path, help="BASIL data folder to convert on the fly")
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    if not args.corpus and not args.basil:
        parser.error("give a CORPUS folder or --basil DATA")

    import crossread.nlp.embeddings as embeddings
    import crossread.pipeline as pipeline

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "calls.jsonl"
        encode = embeddings.EmbeddingService._encode

        def counted(self, sentences):  # noqa: ANN001, ANN202
            start = time.process_time()
            out = encode(self, sentences)
            with log.open("a") as fh:  # appended by every process, whole lines
                encoder = "static" if "@static" in self.model_name else "MiniLM"
                fh.write(json.dumps({"caller": f"{_caller()} [{encoder}]", "texts": len(sentences),
                                     "cpu_s": time.process_time() - start, "pid": os.getpid()}) + "\n")
            return out

        embeddings.EmbeddingService._encode = counted
        corpus = basil_to_jsonl(args.basil, Path(tmp)) if args.basil else args.corpus
        start = time.perf_counter()
        pipeline.run_analyze([str(corpus)], pipeline.AnalyzeOptions(outdir=Path(tmp) / "out", workers=args.workers))
        wall = time.perf_counter() - start
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for line in log.read_text().splitlines() if log.exists() else []:
            call = json.loads(line)
            totals[call["caller"]][0] += call["texts"]
            totals[call["caller"]][1] += call["cpu_s"]
    print(f"analyze: {wall:.1f} s wall")
    for caller, (texts, cpu) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        print(f"{caller:55s} {int(texts):7d} texts {cpu:7.1f} CPU-s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
