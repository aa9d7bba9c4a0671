"""Time `crossread analyze` on a corpus and print articles/s, words/s and peak memory.

Usage:
    python benchmarks/bench_analyze.py CORPUS [--runs 3] [--nlp NAME] [--workers N] [--json FILE]
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
    from crossread.evaluation import basil_outlet, read_basil

    path = target / "basil.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for article, _ in read_basil(basil_dir):
            out.write(json.dumps({
                "text": article.text,
                "title": article.title,
                "outlet": basil_outlet(article.outlet),
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


def _tree_pss_mib(pid: int) -> float:
    """Proportional set size of ``pid`` and all its descendants (Linux /proc; shared pages of forked
    workers counted once in total), in MiB; 0 where /proc cannot tell."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def one_run(corpus: Path, nlp: str | None, workers: int | None = None) -> tuple[float, float, float]:
    """Seconds, peak RSS of the analyze process (MiB) and peak memory of its process tree (sum of PSS
    over the process and its worker processes, sampled every 0.2 s; MiB) of one `crossread analyze`."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "crossread", "analyze", str(corpus), "-o", out]
        if nlp:
            command += ["--nlp", nlp]
        if workers is not None:
            command += ["--workers", str(workers)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tree_peak = 0.0
        while proc.poll() is None:
            tree_peak = max(tree_peak, _tree_pss_mib(proc.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, command)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all waited-for children (workers included: the largest
    # single process): report the max seen so far.
    return seconds, max(peak, before) / 1024, tree_peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--basil", type=Path, help="BASIL data folder to convert on the fly")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nlp", default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=None, help="crossread analyze --workers (default: its own)")
    args = parser.parse_args(argv)
    if not args.corpus and not args.basil:
        parser.error("give a CORPUS folder or --basil DATA")

    with tempfile.TemporaryDirectory() as tmp:
        corpus = basil_to_jsonl(args.basil, Path(tmp)) if args.basil else args.corpus
        articles, words = count_words(corpus)
        timings = [one_run(corpus, args.nlp, args.workers) for _ in range(args.runs)]
    seconds = statistics.median(t for t, _, _ in timings)
    peak_mib = max(m for _, m, _ in timings)
    tree_mib = max(m for _, _, m in timings)
    result = {
        "corpus": str(args.basil or args.corpus),
        "articles": articles,
        "words": words,
        "runs": args.runs,
        "median_seconds": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 2),
        "words_per_s": round(words / seconds, 1),
        "peak_rss_mib": round(peak_mib, 1),
        "peak_tree_pss_mib": round(tree_mib, 1),
        "workers": args.workers,
        "cpus": os.cpu_count(),
    }
    print(f"corpus        {result['corpus']}")
    print(f"articles      {articles}  words {words}")
    print(f"median time   {result['median_seconds']} s over {args.runs} runs (process start and model load included)")
    print(f"throughput    {result['articles_per_s']} articles/s, {result['words_per_s']} words/s")
    print(f"peak memory   {result['peak_rss_mib']} MiB (max RSS of the analyze process or any one worker); "
          f"{result['peak_tree_pss_mib']} MiB for all its processes together (sum of PSS)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
