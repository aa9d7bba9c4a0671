"""Benchmarks of ``crossread spark`` in local mode (results: docs/BENCHMARKS.md, docs/SPARK.md).

* ``throughput``: the whole job on N BASIL articles with ``local[1]`` and ``local[2]``. Each
  session runs the job twice: first on N other BASIL articles, which loads the models in the Python
  workers (once per worker process, as on a cluster's executors), then on the N measured ones: the
  steady rate that a long job sees. Wall time and the CPU seconds of the driver, the JVM and the
  Python workers together. Articles per second per core is the number the deployment note scales.
* ``clustering``: story filing alone (:func:`crossread.spark.clustering.cluster_stories`) on
  synthetic article features made on the executors beforehand (no NLP; not timed): 5 articles per story over a year,
  each article a sparse hashed-text part (200 of 2**18 dimensions, 120 shared with its story) and a
  dense 384-dimension part (its story's direction plus noise), two actor keys. Time, and the peak
  resident memory of the driver, the JVM and the Python workers together (sampled from /proc).

    python benchmarks/bench_spark.py throughput --basil ../shared/data/basil --articles 60
    python benchmarks/bench_spark.py clustering --sizes 100000,1000000 --master 'local[2]'
    python benchmarks/bench_spark.py agreement --basil ../shared/data/basil --articles 240

* ``agreement``: ``crossread spark`` against ``crossread analyze`` on N BASIL articles (stories' B³,
  tables that differ).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    return _tree(pid)[0]


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants, living and reaped (Linux /proc): on a shared
    machine the CPU a step used says more than its wall time."""
    return _tree(pid)[1]


def _tree(pid: int) -> tuple[int, float]:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(entry)
        children.setdefault(int(fields[1]), []).append(child)
        rss[child] = int(fields[21]) * page
        cpu[child] = sum(int(x) for x in fields[11:15]) / tick  # utime, stime, cutime, cstime
    total, seconds, todo = 0, 0.0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        seconds += cpu.get(p, 0.0)
        todo += children.get(p, [])
    return total, seconds


class PeakMemory:
    """Peak of :func:`tree_rss` of this process, sampled every ``interval`` seconds."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _session(master: str) -> object:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from crossread.spark.job import spark_session

    spark = spark_session(master, "crossread-bench", {"spark.driver.memory": "4g"})
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def throughput(basil: Path, articles: int, cores: list[int]) -> list[dict]:
    from crossread.analyze.eval_basil import basil_records
    from crossread.spark import SparkOptions, run_spark

    records, _ = basil_records(basil, None)
    # the warm-up run reads other articles: a second run over the same ones would find their sentence
    # vectors in the embedding service's in-process memo and look far cheaper than a real job
    warm_up, records = records[articles:2 * articles], records[:articles]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for name, part in (("warm-up", warm_up), ("measured", records)):
            sources.append(Path(tmp) / f"{name}.jsonl")
            sources[-1].write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
        words = sum(len(r.get("text", "").split()) for r in records)
        for n in cores:
            start = time.perf_counter()
            spark = _session(f"local[{n}]")
            started = time.perf_counter() - start
            runs = []
            with PeakMemory() as memory:
                cpus = []
                for round_ in range(2):
                    t0, c0 = time.perf_counter(), tree_cpu(os.getpid())
                    summary = run_spark([str(sources[round_])], SparkOptions(out=f"{tmp}/out-{n}-{round_}", partitions=4 * n,
                                                                    first_seen="2026-01-01T00:00:00Z"), spark=spark)
                    runs.append(time.perf_counter() - t0)
                    cpus.append(tree_cpu(os.getpid()) - c0)
            spark.stop()
            row = {"cores": n, "articles": summary.articles, "words": words, "session_start_s": round(started, 1),
                   "first_run_s": round(runs[0], 1), "warm_run_s": round(runs[1], 1),
                   "warm_articles_per_s": round(summary.articles / runs[1], 3),
                   "first_run_cpu_s": round(cpus[0], 1), "warm_run_cpu_s": round(cpus[1], 1),
                   "warm_articles_per_cpu_s": round(summary.articles / cpus[1], 3),
                   "load_average": os.getloadavg()[0],
                   "peak_rss_gb": round(memory.peak / 2**30, 2)}
            print(json.dumps(row), flush=True)
            results.append(row)
    return results


def synthetic_partition(part: int, n: int, parts: int, per_story: int = 5, days: int = 365) -> list:
    """Features of articles ``part``, ``part + parts``, ... below ``n`` (see the module docstring);
    a pure function of the article number, so any partitioning gives the same set."""
    from crossread.link.story_assign import StoryFeatures, order_key
    from crossread.store.codec import round_dense

    out = []
    for i in range(part, n, parts):
        story = i // per_story
        srng = np.random.default_rng(story)
        topic = np.unique(srng.integers(0, 2**18, size=150))
        direction = srng.standard_normal(384)
        day = 738000 + int(srng.integers(0, days))
        rng = np.random.default_rng(10**9 + i)
        sparse = np.unique(np.concatenate([rng.choice(topic, min(120, topic.size), replace=False), rng.choice(2**18, 80)]))
        sv = rng.random(sparse.size) + 0.2
        sv /= np.linalg.norm(sv)
        dense = direction / np.linalg.norm(direction) + 0.8 * rng.standard_normal(384) / np.sqrt(384)
        dense /= np.linalg.norm(dense)
        idx = np.concatenate([sparse, np.arange(384) + 2**18]).astype(np.int32)
        values = np.concatenate([sv * np.sqrt(0.5), dense * np.sqrt(0.5)])
        aday = day + int(rng.integers(0, 3))
        aid = f"{i:012d}"
        when = f"{np.datetime64('0001-01-01') + np.timedelta64(aday - 1, 'D')}T00:00:00"
        entities = frozenset({f"a:story{story}", f"a:common{int(rng.integers(0, 2000))}"})
        out.append(StoryFeatures(aid, order_key(when, aid), aday, idx, round_dense(values), entities))
    return out


def clustering(sizes: list[int], master: str, threshold: float) -> list[dict]:
    from crossread.link.coref_metrics import b_cubed
    from crossread.spark.clustering import cluster_stories

    spark = _session(master)
    sc = spark.sparkContext
    results = []
    for n in sizes:
        parts = max(8, n // 20000)
        from pyspark import StorageLevel

        t0 = time.perf_counter()
        features = sc.parallelize(range(parts), parts) \
            .flatMap(lambda p, n=n, parts=parts: synthetic_partition(p, n, parts)).persist(StorageLevel.MEMORY_AND_DISK)
        features.count()
        generated = time.perf_counter() - t0
        with PeakMemory() as memory:
            t0, c0 = time.perf_counter(), tree_cpu(os.getpid())
            story = cluster_stories(features, threshold)
            elapsed, cpu = time.perf_counter() - t0, tree_cpu(os.getpid()) - c0
        features.unpersist()
        truth: dict[int, set] = {}
        found: dict[str, set] = {}
        for aid, sid in story.items():
            truth.setdefault(int(aid) // 5, set()).add(aid)
            found.setdefault(sid, set()).add(aid)
        _, _, f1 = b_cubed(list(truth.values()), list(found.values()))
        row = {"articles": n, "master": master, "generate_s": round(generated, 1), "seconds": round(elapsed, 1),
               "cpu_s": round(cpu, 1), "articles_per_cpu_s": round(n / cpu) if cpu else None,
               "articles_per_s": round(n / elapsed), "peak_rss_gb": round(memory.peak / 2**30, 2),
               "stories": len(found), "b3_f1_vs_synthetic_truth": round(f1, 4), "load_average": os.getloadavg()[0]}
        print(json.dumps(row), flush=True)
        results.append(row)
    spark.stop()
    return results


def agreement(basil: Path, articles: int, master: str) -> list[dict]:
    """Stories of ``crossread spark`` against ``crossread analyze`` on the first N BASIL articles: B³
    of the Spark stories against analyze's, and which tables differ once both are in a store."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import store_snapshot

    from crossread.analyze.eval_basil import basil_records
    from crossread.link.coref_metrics import b_cubed
    from crossread.pipeline import AnalyzeOptions, run_analyze
    from crossread.spark import SparkOptions, run_spark
    from crossread.store import Store
    from crossread.store.parquet_import import import_parquet

    records, _ = basil_records(basil, None)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "basil.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in records[:articles]), encoding="utf-8")
        run_analyze([str(source)], AnalyzeOptions(outdir=Path(tmp) / "analyze", write_outputs=False, json="never"))
        import sqlite3

        with sqlite3.connect(Path(tmp) / "analyze" / "crossread.db") as conn:
            first_seen = conn.execute("SELECT first_seen FROM articles LIMIT 1").fetchone()[0]
        spark = _session(master)
        run_spark([str(source)], SparkOptions(out=f"{tmp}/tables", first_seen=first_seen), spark=spark)
        spark.stop()
        store = Store(f"sqlite:///{tmp}/spark.db")
        import_parquet(f"{tmp}/tables", store)
        store.close()
        a, b = store_snapshot(Path(tmp) / "analyze" / "crossread.db"), store_snapshot(Path(tmp) / "spark.db")

    def clusters(snapshot: dict) -> list[set]:
        groups: dict[str, set] = {}
        for row in snapshot["articles"]:
            groups.setdefault(row[-2], set()).add(row[0])
        return list(groups.values())

    p, r, f1 = b_cubed(clusters(a), clusters(b))
    row = {"articles": articles, "stories_analyze": len(clusters(a)), "stories_spark": len(clusters(b)),
           "b3_precision": round(p, 4), "b3_recall": round(r, 4), "b3_f1": round(f1, 4),
           "tables_differing": sorted(t for t in a if a[t] != b.get(t))}
    print(json.dumps(row), flush=True)
    return [row]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--basil", type=Path, required=True)
    t.add_argument("--articles", type=int, default=60)
    t.add_argument("--cores", default="1,2")
    c = sub.add_parser("clustering")
    c.add_argument("--sizes", default="100000")
    c.add_argument("--master", default="local[2]")
    c.add_argument("--threshold", type=float, default=0.34)
    a = sub.add_parser("agreement")
    a.add_argument("--basil", type=Path, required=True)
    a.add_argument("--articles", type=int, default=240)
    a.add_argument("--master", default="local[2]")
    for p in (t, c, a):
        p.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.what == "throughput":
        results = throughput(args.basil, args.articles, [int(x) for x in args.cores.split(",")])
    elif args.what == "agreement":
        results = agreement(args.basil, args.articles, args.master)
    else:
        results = clustering([int(x) for x in args.sizes.split(",")], args.master, args.threshold)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
