"""Time every `crossread export` format on a store and measure its memory.

Usage:
    python benchmarks/bench_export.py --store OUTDIR [--replicate 10] [--work DIR] [--formats csv,parquet]
    python benchmarks/bench_export.py --basil ../shared/data/basil --work /tmp/bench-export [--replicate 10]

``--basil`` converts BASIL to JSONL (``bench_analyze.basil_to_jsonl``) and analyses it into
``WORK/basil`` first (minutes; reused when it is already there). ``--replicate N`` also measures a
synthetic store N times as large: WORK/xN holds N copies of every article, story, actor and record
(ids suffixed, so they stay distinct) - a check that export memory does not grow with the store.

Each export runs in a fresh interpreter that imports the library (not the CLI, whose start-up loads
the NLP stack), so the figures are the export's own: seconds, resident memory after the imports, and
the peak (VmHWM) during the export.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

FORMATS = ("jsonl", "csv", "parquet", "graphml", "plover", "events-tsv")
FOLDER_FORMATS = {"jsonl", "csv", "parquet"}
# tables a replica leaves out: caches and bookkeeping the exports never read
SKIP_TABLES = {"nlp_pipelines", "embeddings", "pending", "story_features", "alembic_version", "actor_counts",
               "actor_redirects", "story_redirects"}

_CHILD = r"""
import json, sys, time
from pathlib import Path

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

from crossread.store import Store
from crossread.export.view import Selection
from crossread.export.jsonl import export_jsonl
from crossread.export.tabular import export_tables
from crossread.export.graphml import export_graphml
from crossread.export.plover_json import export_plover
from crossread.export.events_tsv import export_events_tsv
import pyarrow.parquet  # noqa: F401  (imported before the baseline, as the export would)

fmt, db, out = sys.argv[1:4]
store = Store(db)
base = status("VmRSS")
start = time.perf_counter()
if fmt == "jsonl":
    export_jsonl(store, out)
elif fmt in ("csv", "parquet"):
    export_tables(store, out, fmt)
elif fmt == "graphml":
    export_graphml(store, out)
elif fmt == "plover":
    export_plover(store, out)
else:
    export_events_tsv(store, out)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "base_mib": base, "peak_mib": status("VmHWM")}))
"""


def replicate(source: Path, target: Path, copies: int) -> Path:
    """A store with ``copies`` copies of every record of ``source`` (a SQLite file); returns its path."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from crossread.store import schema as s

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return target
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    shutil.copyfile(source, tmp)
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA journal_mode=OFF")
    seq_step = conn.execute("SELECT max(seq) FROM articles").fetchone()[0] + 1
    claim_step = (conn.execute("SELECT max(seq) FROM claims").fetchone()[0] or 0) + 1
    for table in s.metadata.sorted_tables:  # parents before children
        if table.name in SKIP_TABLES:
            continue
        columns = [c.name for c in table.columns]
        for k in range(1, copies):
            values = []
            for c in table.columns:
                if c.type is s.ID:
                    values.append(f"CASE WHEN {c.name} IS NULL THEN NULL ELSE {c.name} || '~{k}' END")
                elif (table.name, c.name) == ("articles", "seq"):
                    values.append(f"seq + {k * seq_step}")
                elif (table.name, c.name) == ("claims", "seq"):
                    values.append(f"seq + {k * claim_step}")
                else:
                    values.append(c.name)
            conn.execute(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(values)} "
                         f"FROM {table.name} WHERE NOT {_copied(table, columns)}")
        conn.commit()
    conn.close()
    tmp.replace(target)
    return target


def _copied(table, columns: list[str]) -> str:  # noqa: ANN001
    """SQL: the row is itself a copy (its first id column carries a '~k' suffix)."""
    from crossread.store import schema as s

    first = next(c.name for c in table.columns if c.type is s.ID)
    return f"coalesce(instr({first}, '~') > 0, 0)"


def measure(db: Path, fmt: str, work: Path) -> dict[str, float]:
    out = work / f"out-{fmt}" if fmt in FOLDER_FORMATS else work / f"out.{fmt}"
    if out.is_dir():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    env_path = str(Path(__file__).resolve().parents[1] / "src")
    done = subprocess.run([sys.executable, "-c", _CHILD, fmt, f"sqlite:///{db}", str(out)],
                          capture_output=True, text=True, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    if done.returncode != 0:
        raise SystemExit(f"exporting {fmt} from {db} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) if out.is_dir() else out.stat().st_size
    result["output_mib"] = size / 2**20
    return result


def _counts(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "stories", "events"))
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="an analysed OUTDIR (its crossread.db)")
    parser.add_argument("--basil", type=Path, help="BASIL data folder: analysed into WORK/basil first")
    parser.add_argument("--work", type=Path, default=None, help="folder for the stores and the exports")
    parser.add_argument("--replicate", type=int, default=0, help="also a store N times as large")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args(argv)
    if not args.store and not args.basil:
        parser.error("give --store OUTDIR or --basil DATA")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.store:
        db = args.store / "crossread.db"
    else:
        db = work / "basil" / "crossread.db"
        if not db.is_file():
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from bench_analyze import basil_to_jsonl

            corpus = basil_to_jsonl(args.basil, work)
            subprocess.run([sys.executable, "-m", "crossread", "analyze", str(corpus), "-o", str(work / "basil"),
                            "--json", "never"], check=True)
    stores = [("store", db)]
    if args.replicate > 1:
        stores.append((f"x{args.replicate}", replicate(db, work / f"x{args.replicate}" / "crossread.db", args.replicate)))
    print("| store | articles | stories | events | format | seconds | RSS after imports | peak RSS | output |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, path in stores:
        articles, stories, events = _counts(path)
        for fmt in args.formats.split(","):
            r = measure(path, fmt, work / name)
            print(f"| {name} | {articles:,} | {stories:,} | {events:,} | {fmt} | {r['seconds']:.1f} | "
                  f"{r['base_mib']:.0f} MiB | {r['peak_mib']:.0f} MiB | {r['output_mib']:.1f} MiB |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
