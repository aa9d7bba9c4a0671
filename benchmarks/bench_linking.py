"""How story-linking cost grows with the store: incremental ``StoryIndex`` vs batch ``cluster_stories``.

Usage:
    python benchmarks/bench_linking.py [--sizes 1000 10000 100000] [--per-day 500] [--batch-max 10000]
                                       [--batch-timeout 180] [--embeddings] [--json FILE]

Synthetic news stream, generated on the fly (texts are never all held in memory):
articles of ~300 words, ``--per-day`` articles per day in publication order, each
belonging to a story (mean ``--story-size`` articles, spread over up to 4 days) that
has 30 story-specific topic words; 40% of an article's words come from its story's
topic words, the rest from a 30,000-word Zipfian background vocabulary (the
100 commonest words of the Zipf law left out, as stop words are), so stories
exist but overlap in background words.

For every size a fresh index is filled from empty; reported: total time, median and
p95 time of the last 1,000 ``add`` calls, mean candidates examined per add over those
1,000, peak RSS of the process (``resource.getrusage``; each size runs in its own
subprocess so the figure is that size's own peak), and the pairwise B-cubed F1
against the generating stories. ``cluster_stories`` (batch, O(n²)) is timed at the
sizes up to ``--batch-max`` in a subprocess killed after ``--batch-timeout`` seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import numpy as np

from crossread.records import Article

BACKGROUND = 30_000
TOPIC_WORDS = 30
WORDS = 300
TOPIC_SHARE = 0.4


def synthetic_stream(n: int, per_day: int = 500, story_size: float = 10.0, seed: int = 0) -> Iterator[tuple[Article, int]]:
    """Yield ``(article, gold story number)`` in publication order."""
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(101, BACKGROUND + 101)  # Zipfian, less the 100 commonest ("stop") words
    zipf /= zipf.sum()
    cdf = np.cumsum(zipf)
    start = dt.date(2024, 1, 1).toordinal()
    stories: list[tuple[int, int]] = []  # (first day, articles left); story k's topic words are "t{k}x{j}"
    active: list[int] = []
    for i in range(n):
        day = start + i // max(per_day, 1) if per_day > 0 else start
        active = [s for s in active if stories[s][1] > 0 and (per_day <= 0 or day - stories[s][0] <= 3)]
        if not active or rng.random() < 1.0 / story_size:
            stories.append((day, max(1, int(rng.poisson(story_size)))))
            active.append(len(stories) - 1)
            story = len(stories) - 1
        else:
            story = active[int(rng.integers(len(active)))]
        first, left = stories[story]
        stories[story] = (first, left - 1)
        topic = [f"t{story}x{k}" for k in range(TOPIC_WORDS)]
        n_topic = int(WORDS * TOPIC_SHARE)
        words = [topic[j] for j in rng.integers(0, TOPIC_WORDS, size=n_topic)]
        words += [f"w{j}" for j in np.searchsorted(cdf, rng.random(WORDS - n_topic))]
        rng.shuffle(words)
        text = " ".join(words)
        yield (
            Article(id=f"syn{i:07d}", source="synthetic", outlet=f"outlet{i % 50}", title=" ".join(words[:8]),
                    published=dt.date.fromordinal(day).isoformat(), language="en", text=text),
            story,
        )


def b_cubed_f1(pred: dict[str, str], gold: dict[str, int]) -> float:
    from collections import Counter

    pred_sizes, gold_sizes = Counter(pred.values()), Counter(gold.values())
    both = Counter((pred[a], gold[a]) for a in gold)
    p = sum(both[(pred[a], gold[a])] / pred_sizes[pred[a]] for a in gold) / len(gold)
    r = sum(both[(pred[a], gold[a])] / gold_sizes[gold[a]] for a in gold) / len(gold)
    return 2 * p * r / (p + r) if p + r else 0.0


def run_incremental(n: int, per_day: int, seed: int, embeddings: bool = False) -> dict:
    from crossread.link.story_index import EMBEDDING_THRESHOLD, StoryIndex

    # with embeddings: the pipeline's configuration; each story gets a random 384-d centre and
    # each article a noisy copy (cosine ~0.8 to its story's other articles), so the index pays
    # for the dense part exactly as in the pipeline (the encoder's own cost is in "Embeddings")
    index = StoryIndex(threshold=EMBEDDING_THRESHOLD) if embeddings else StoryIndex()
    rng = np.random.default_rng(seed + 1)
    centres: dict[int, np.ndarray] = {}
    times, cands, pred, gold = [], [], {}, {}
    t0 = time.perf_counter()
    for article, story in synthetic_stream(n, per_day=per_day, seed=seed):
        vector = None
        if embeddings:
            centre = centres.setdefault(story, rng.normal(size=384))
            vector = centre / np.linalg.norm(centre) + rng.normal(scale=0.025, size=384)
        t = time.perf_counter()
        pred[article.id] = index.add(article, embedding=vector)
        times.append(time.perf_counter() - t)
        cands.append(index.last_candidates)
        gold[article.id] = story
    total = time.perf_counter() - t0
    last_t, last_c = times[-1000:], cands[-1000:]
    peak_index = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the snapshot round trip
    t = time.perf_counter()
    snapshot = index.to_bytes()
    save_s = time.perf_counter() - t
    t = time.perf_counter()
    StoryIndex.from_bytes(snapshot)
    load_s = time.perf_counter() - t
    return {
        "mode": "incremental + embeddings" if embeddings else "incremental", "n": n, "per_day": per_day,
        "total_s": round(total, 2),
        "snapshot_mb": round(len(snapshot) / 2**20, 1), "snapshot_save_s": round(save_s, 2),
        "snapshot_load_s": round(load_s, 2),
        "add_ms_median": round(1000 * statistics.median(last_t), 3),
        "add_ms_p95": round(1000 * float(np.percentile(last_t, 95)), 3),
        "candidates_mean": round(float(np.mean(last_c)), 1),
        "stories": len(index.stories()), "gold_stories": len(set(gold.values())),
        "b3_f1": round(b_cubed_f1(pred, gold), 3),
        "peak_rss_mb": round(peak_index, 1),
        "peak_rss_with_snapshot_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_batch(n: int, per_day: int, seed: int) -> dict:
    from crossread.link.stories import cluster_stories

    articles, gold = [], {}
    for article, story in synthetic_stream(n, per_day=per_day, seed=seed):
        articles.append(article)
        gold[article.id] = story
    t0 = time.perf_counter()
    stories = cluster_stories(articles)
    total = time.perf_counter() - t0
    pred = {a: s.id for s in stories for a in s.article_ids}
    return {
        "mode": "batch cluster_stories", "n": n, "per_day": per_day, "total_s": round(total, 2),
        "stories": len(stories), "gold_stories": len(set(gold.values())), "b3_f1": round(b_cubed_f1(pred, gold), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def in_subprocess(mode: str, n: int, per_day: int, seed: int, timeout: float | None) -> dict:
    cmd = [sys.executable, __file__, "--_one", mode, str(n), str(per_day), str(seed)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True).stdout
    except subprocess.TimeoutExpired:
        return {"mode": mode, "n": n, "per_day": per_day, "total_s": f">{timeout:.0f} (killed)"}
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--per-day", type=int, default=500, help="articles per day (0: all on one day)")
    parser.add_argument("--batch-max", type=int, default=10000, help="largest size to run cluster_stories on")
    parser.add_argument("--batch-timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the rows here")
    parser.add_argument("--embeddings", action="store_true",
                        help="also run the pipeline's configuration: text + 384-d embeddings (synthetic)")
    parser.add_argument("--_one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._one:
        mode, n, per_day, seed = args._one[0], *map(int, args._one[1:])
        if mode == "batch":
            print(json.dumps(run_batch(n, per_day, seed)))
        else:
            print(json.dumps(run_incremental(n, per_day, seed, embeddings=mode == "embeddings")))
        return

    rows = []
    for n in args.sizes:
        for mode in ("embeddings", "incremental") if args.embeddings else ("incremental",):
            rows.append(in_subprocess(mode, n, args.per_day, args.seed, None))
            print(json.dumps(rows[-1]), file=sys.stderr)
        if n <= args.batch_max:
            rows.append(in_subprocess("batch", n, args.per_day, args.seed, args.batch_timeout))
            print(json.dumps(rows[-1]), file=sys.stderr)
    cols = ["mode", "n", "total_s", "add_ms_median", "add_ms_p95", "candidates_mean", "stories", "gold_stories",
            "b3_f1", "peak_rss_mb", "snapshot_mb", "snapshot_save_s", "snapshot_load_s", "peak_rss_with_snapshot_mb"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "–")) for c in cols) + " |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
