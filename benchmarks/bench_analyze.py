"""Time `crossread analyze` on a corpus and print articles/s, words/s and peak memory.

Usage:
    python benchmarks/bench_analyze.py CORPUS [--runs 3] [--nlp NAME] [--json FILE]
    python benchmarks/bench_analyze.py --basil ../shared/data/basil [--runs 3]

Each run analyses the corpus into a fresh output folder in a separate process (so
model loading and peak RSS are counted honestly); the figures are medians over the
runs. ``--basil`` converts the BASIL article JSON files to a JSONL corpus in a
temporary folder on the fly (the data is never copied into the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def basil_to_jsonl(basil_dir: Path, target: Path) -> Path:
    """BASIL articles → one JSONL corpus (text, title, outlet, published, url)."""
    from crossread.evaluation import BASIL_OUTLETS, read_basil

    path = target / "basil.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for article, _ in read_basil(basil_dir):
            out.write(json.dumps({
                "text": article.text,
                "title": article.title,
                "outlet": BASIL_OUTLETS.get(article.outlet or "", article.outlet),
                "published": article.published,
                "url": article.url,
            }) + "\n")
    return path


def count_words(corpus: Path) -> tuple[int, int]:
    """Articles and words as crossread ingests them (after cleaning)."""
    from crossread.ingest import IngestError, ingest

    articles = words = 0
    for item in ingest([str(corpus)]):
        if not isinstance(item, IngestError):
            articles += 1
            words += item.word_count
    return articles, words


def one_run(corpus: Path, nlp: str | None) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one `crossread analyze` process."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "crossread", "analyze", str(corpus), "-o", out]
        if nlp:
            command += ["--nlp", nlp]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all waited-for children: report the max seen so far.
    return seconds, max(peak, before) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--basil", type=Path, help="BASIL data folder to convert on the fly")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nlp", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.corpus and not args.basil:
        parser.error("give a CORPUS folder or --basil DATA")

    with tempfile.TemporaryDirectory() as tmp:
        corpus = basil_to_jsonl(args.basil, Path(tmp)) if args.basil else args.corpus
        articles, words = count_words(corpus)
        timings = [one_run(corpus, args.nlp) for _ in range(args.runs)]
    seconds = statistics.median(t for t, _ in timings)
    peak_mib = max(m for _, m in timings)
    result = {
        "corpus": str(args.basil or args.corpus),
        "articles": articles,
        "words": words,
        "runs": args.runs,
        "median_seconds": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 2),
        "words_per_s": round(words / seconds, 1),
        "peak_rss_mib": round(peak_mib, 1),
        "cpus": os.cpu_count(),
    }
    print(f"corpus        {result['corpus']}")
    print(f"articles      {articles}  words {words}")
    print(f"median time   {result['median_seconds']} s over {args.runs} runs (process start and model load included)")
    print(f"throughput    {result['articles_per_s']} articles/s, {result['words_per_s']} words/s")
    print(f"peak memory   {result['peak_rss_mib']} MiB (max RSS of the analyze process)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
