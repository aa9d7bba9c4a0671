"""crossread on real corpora: throughput against bare NLP, adding articles to large stores, store size.

Usage:
    python benchmarks/bench_scale.py --basil ../shared/data/basil [--sizes 240,10000,100000]
                                     [--work /tmp/crossread-scale] [--rounds 2] [--skip throughput,adds,size]
                                     [--json results.json] [--baseline-minilm]

Three measurements, each side by side in one run on the same machine (2 cores here; the machine is
noisy, so the figures that matter are ratios):

1. **Throughput**: ``crossread analyze`` end to end on BASIL (240 articles, a fresh store, default
   settings: workers, embeddings on) against a bare ``nlp.pipe(texts, n_process=2, batch_size=32)``
   pass of the same pipeline over the same cleaned texts, alternating ``--rounds`` times; the ratio
   is bare seconds / analyze seconds (≥ 0.5 is the target). The analyze time is the command's wall
   time (process start and model loading included) and, separately, without its first 5 seconds'
   worth of loading as measured by an empty run. ``--baseline-minilm`` adds, in each round, an analyze
   run with every stage on MiniLM (``CROSSREAD_EMBEDDINGS_<STAGE>=auto``): the choice before the
   static encoder, side by side with today's.
2. **Adding articles** to stores of each size in ``--sizes``: 1, then 10 new articles (real BASIL
   text, dated so that they join stories of the store) with ``crossread analyze --db``; the same
   articles into an empty store are the reference (target: at most 2x, and a peak memory under
   2 GB at 100k). Stores beyond BASIL's 240 articles are **synthetic**: copies of the analysed BASIL
   store with new ids and dates moved by 8 days per copy (so that a copy's stories do not meet the
   original's), their records copied row by row — every table filled as a real run would.
3. **Size**: store bytes per article on BASIL (embeddings on), and the report (index and pages).

Synthetic stores are built once under ``--work`` and reused: each run adds its articles to them (with
a nonce in the text, so they are new each time), which grows them by 11 articles a run. A synthetic
store's report folder gets an empty placeholder page per story, as if earlier runs had written them
(an analyze run re-renders only the pages of the stories it changed, and the index).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import _tree_pss_mib, basil_to_jsonl  # noqa: E402

DAY_SHIFT = 8  # days between two copies of the BASIL store: a story never meets its copies


# --------------------------------------------------------------------------- running crossread


def minilm_everywhere() -> dict[str, str]:
    """Environment that makes every stage embed with MiniLM (the choice before the static encoder)."""
    from crossread.nlp.embeddings import STAGES

    return {**os.environ, **{f"CROSSREAD_EMBEDDINGS_{stage.upper()}": "auto" for stage in STAGES}}


def run_analyze(inputs: list[str], out: Path, db: str | None = None, ok: tuple[int, ...] = (0,),
                env: dict[str, str] | None = None) -> dict:
    """One `crossread analyze` process: wall seconds and the peak memory of its process tree."""
    command = [sys.executable, "-m", "crossread", "analyze", *inputs, "-o", str(out)]
    if db:
        command += ["--db", db]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_pss_mib(proc.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    err = proc.stderr.read()
    if proc.returncode not in ok:
        raise RuntimeError(f"crossread analyze failed ({proc.returncode}): {err[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_tree_mib": round(peak, 1), "summary": err.strip().splitlines()[0]}


def bare_nlp_seconds(corpus: Path) -> float:
    code = f"""
import time
from crossread.ingest import ingest, IngestError
from crossread.nlp import load_pipeline
texts = [a.text for a in ingest([{str(corpus)!r}]) if not isinstance(a, IngestError)]
nlp = load_pipeline()
start = time.perf_counter()
for _ in nlp.pipe(texts, n_process=2, batch_size=32):
    pass
print(time.perf_counter() - start)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def throughput(corpus: Path, rounds: int, baseline_minilm: bool = False) -> dict:
    bare, full, minilm = [], [], []
    for _ in range(rounds):
        bare.append(bare_nlp_seconds(corpus))
        with tempfile.TemporaryDirectory() as tmp:
            full.append(run_analyze([str(corpus)], Path(tmp) / "out"))
        if baseline_minilm:
            with tempfile.TemporaryDirectory() as tmp:
                minilm.append(run_analyze([str(corpus)], Path(tmp) / "out", env=minilm_everywhere()))
    with tempfile.TemporaryDirectory() as tmp:  # what starting up costs: an empty input
        empty = Path(tmp) / "empty.jsonl"
        empty.write_text("")
        # (exit status 1: the empty input is reported as skipped)
        start_cost = statistics.median(run_analyze([str(empty)], Path(tmp) / f"o{i}", ok=(0, 1))["seconds"]
                                       for i in range(2))
    b = statistics.median(bare)
    a = statistics.median(r["seconds"] for r in full)
    result = {"bare_nlp_s": [round(x, 2) for x in bare], "analyze_s": [r["seconds"] for r in full],
              "analyze_peak_tree_mib": max(r["peak_tree_mib"] for r in full), "startup_s": round(start_cost, 2),
              "ratio": round(b / a, 3), "ratio_without_startup": round(b / max(a - start_cost, 1e-9), 3)}
    if minilm:
        m = statistics.median(r["seconds"] for r in minilm)
        result.update({"analyze_minilm_everywhere_s": [r["seconds"] for r in minilm],
                       "ratio_minilm_everywhere": round(b / m, 3)})
    return result


# --------------------------------------------------------------------------- synthetic stores


def synthesize(basil_db: Path, target: Path, copies: int) -> None:
    """A store of ``copies`` copies of the BASIL store: every table, ids and dates remapped."""
    from sqlalchemy import create_engine, insert, select

    from crossread.records import record_id
    from crossread.store import Store
    from crossread.store import schema as s
    from crossread.store.schema import metadata

    if target.exists():
        target.unlink()
    Store(f"sqlite:///{target}").close()  # the schema, FTS tables and triggers
    source = create_engine(f"sqlite:///{basil_db}")
    with source.connect() as conn:
        tables = {t.name: [dict(r) for r in conn.execute(select(t)).mappings()] for t in metadata.sorted_tables
                  if t.name not in ("alembic_version", "pending", "story_redirects", "actor_redirects")}
    engine = create_engine(f"sqlite:///{target}")
    article_cols = {"article_id", "source_article_id", "derived_article_id", "founder_id"}
    record_cols = {"events": "id", "event_actors": "event_id", "event_evidence": "event_id", "quotes": "id",
                   "quote_evidence": "quote_id", "claims": "id", "claim_evidence": "claim_id",
                   "claim_relations": "claim_id"}
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.execute(insert(s.nlp_pipelines), tables["nlp_pipelines"])
        for table in ("actors", "actor_aliases", "embeddings"):
            if tables[table]:
                conn.execute(insert(metadata.tables[table]), tables[table])
        tables.pop("actor_counts", None)  # counted again below, over every copy
        seq = 0
        for k in range(copies):
            shift = dt.timedelta(days=DAY_SHIFT * k)
            art = {r["id"]: (r["id"] if k == 0 else f"{r['id'][:8]}{k:08x}") for r in tables["articles"]}
            story = {r["id"]: (r["id"] if k == 0 else record_id("story", art[r["founder_id"]])) for r in tables["stories"]}

            def moved(value: str | None) -> str | None:
                if not value:
                    return value
                try:
                    return (dt.date.fromisoformat(value[:10]) + shift).isoformat() + value[10:]
                except ValueError:
                    return value

            rows: dict[str, list[dict]] = {}
            for name, source_rows in tables.items():
                if name in ("nlp_pipelines", "actors", "actor_aliases", "embeddings"):
                    continue
                out = []
                for r in source_rows:
                    r = dict(r)
                    for c in article_cols & r.keys():
                        r[c] = art[r[c]]
                    if "story_id" in r and r["story_id"] is not None:
                        r["story_id"] = story[r["story_id"]]
                    if name in record_cols and k:
                        r[record_cols[name]] = f"{r[record_cols[name]]}_{k}"
                    if name in ("article_events", "article_quotes", "article_claims") and k:
                        r["local_id"] = f"{r['local_id']}_{k}"  # record ids are unique across a store
                    if name == "articles":
                        seq += 1
                        r.update(seq=seq, id=art[r["id"]], text=r["text"] + ("" if k == 0 else f"\n\n(copy {k})"),
                                 published=moved(r["published"]), date=moved(r["date"]))
                    elif name == "stories":
                        r.update(id=story[r["id"]], first_date=moved(r["first_date"]), last_date=moved(r["last_date"]),
                                 order_key=f"{moved(r['order_key'].split(chr(31))[0])}\x1f{r['founder_id']}")
                    elif name == "story_features":
                        r.update(day=r["day"] + DAY_SHIFT * k,
                                 order_key=f"{moved(r['order_key'].split(chr(31))[0])}\x1f{r['article_id']}")
                    elif name == "claims":
                        r.pop("seq")
                    out.append(r)
                rows[name] = out
            for table in metadata.sorted_tables:
                if rows.get(table.name):
                    conn.execute(insert(table), rows[table.name])
    engine.dispose()
    source.dispose()
    recount_actors(target)


def recount_actors(db: Path) -> None:
    """Every actor's counts and description from its article rows (as the store keeps them)."""
    from sqlalchemy import select

    from crossread.store import Store
    from crossread.store import schema as s

    store = Store(f"sqlite:///{db}")
    with store.transaction() as conn:
        ids = list(conn.execute(select(s.actors.c.id)).scalars())
        for aid in ids:
            store._count_actor(conn, aid)
        store._describe_actors(conn, ids)
    store.close()


def new_articles(basil_dir: Path, n: int, copy: int, folder: Path, nonce: str) -> Path:
    """The ``n`` latest BASIL articles (altered so that they are new) dated like copy ``copy`` of their
    story: they join stories among the newest of the store, as a daily intake does."""
    from crossread.evaluation import basil_outlet, read_basil

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"new-{n}.jsonl"
    latest = sorted(read_basil(basil_dir), key=lambda pair: pair[0].published or "")[-n:]
    with path.open("w", encoding="utf-8") as out:
        for article, _ in latest:
            published = (dt.date.fromisoformat(article.published[:10]) + dt.timedelta(days=DAY_SHIFT * copy)).isoformat()
            out.write(json.dumps({"text": f"{article.text}\n\nUpdated ({nonce}).", "title": article.title,
                                  "outlet": basil_outlet(article.outlet),
                                  "published": published, "url": None}) + "\n")
    return path


def placeholder_pages(db: Path, report: Path) -> None:
    """An empty page per story where the report would have one (see the module docstring)."""
    import sqlite3

    from crossread.report.pages import ReportLayout

    layout = ReportLayout(report)
    layout.stories_dir.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    for (story_id,) in conn.execute("select id from stories"):
        target = layout.story_file(story_id)
        if not target.exists():
            target.write_text("")
    conn.close()


def adds(basil_dir: Path, basil_db: Path, sizes: list[int], work: Path) -> list[dict]:
    results = []
    nonce = f"run {time.time():.0f}"
    for size in sizes:
        copies = max(1, round(size / 240))
        folder = work / f"store-{copies * 240}"
        store = folder / "crossread.db"
        if not store.exists():
            t = time.perf_counter()
            folder.mkdir(parents=True, exist_ok=True)
            if copies == 1:  # the real BASIL store and its report
                shutil.copytree(basil_db.parent, folder, dirs_exist_ok=True)
            else:
                synthesize(basil_db, store, copies)
                placeholder_pages(store, folder / "report.html")
            print(f"built {store} ({copies} copies) in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        for n in (1, 10):
            inputs = new_articles(basil_dir, n, copies - 1, work / "new", f"{nonce} {n}")
            with tempfile.TemporaryDirectory(dir=work) as tmp:
                empty = run_analyze([str(inputs)], Path(tmp) / "empty")
            into = run_analyze([str(inputs)], folder)
            results.append({"store_articles": copies * 240, "added": n, "empty_s": empty["seconds"],
                            "into_store_s": into["seconds"], "ratio": round(into["seconds"] / empty["seconds"], 2),
                            "peak_tree_mib": into["peak_tree_mib"], "summary": into["summary"]})
            print(json.dumps(results[-1]), file=sys.stderr)
    return results


def size(basil_db: Path, out: Path) -> dict:
    import sqlite3

    conn = sqlite3.connect(basil_db)
    articles = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    report = out / "report.html"
    pages = list((out / "report").rglob("*.html")) if (out / "report").is_dir() else []
    return {"store_bytes": basil_db.stat().st_size, "articles": articles,
            "bytes_per_article": round(basil_db.stat().st_size / articles),
            "report_index_bytes": report.stat().st_size if report.exists() else None,
            "report_pages": len(pages), "report_total_bytes": sum(p.stat().st_size for p in pages) + report.stat().st_size,
            "largest_page_bytes": max((p.stat().st_size for p in pages), default=None)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--basil", type=Path, required=True)
    parser.add_argument("--sizes", default="240,10000,100000")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "crossread-scale")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip", default="", help="comma-separated: throughput, adds, size")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--baseline-minilm", action="store_true",
                        help="throughput: each round also runs analyze with MiniLM for every stage (old vs new)")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = basil_to_jsonl(args.basil, args.work)
    results: dict = {"cpus": os.cpu_count()}
    basil_out = args.work / "basil-out"
    if not (basil_out / "crossread.db").exists():
        run_analyze([str(corpus)], basil_out)
    if "throughput" not in skip:
        results["throughput"] = throughput(corpus, args.rounds, args.baseline_minilm)
        print(json.dumps(results["throughput"]), file=sys.stderr)
    if "size" not in skip:
        results["size"] = size(basil_out / "crossread.db", basil_out)
        print(json.dumps(results["size"]), file=sys.stderr)
    if "adds" not in skip:
        results["adds"] = adds(args.basil, basil_out / "crossread.db", [int(x) for x in args.sizes.split(",")], args.work)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
