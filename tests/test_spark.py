"""``crossread spark`` in Spark's local mode: its tables, loaded into a store, equal ``crossread analyze``'s.

One SparkSession (``local[2]``) serves the whole module: the JVM and the NLP pipeline in each Python
worker load once. Needs pyspark and a Java 17+ runtime (``scripts/java.sh`` finds one, or installs
Debian's as root); the module skips with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, SEEDS, SHARED_DATA, store_snapshot

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")


@pytest.fixture(scope="module")
def spark():
    found = subprocess.run(["bash", str(REPO / "scripts" / "java.sh")], capture_output=True, text=True)
    if found.returncode != 0:
        pytest.skip(f"no Java runtime for Spark: {found.stderr.strip()}")
    os.environ["JAVA_HOME"] = found.stdout.strip().splitlines()[-1]
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from crossread.spark.job import spark_session

    session = spark_session("local[2]", "crossread-tests", {"spark.sql.shuffle.partitions": "4",
                                                           "spark.driver.memory": "1g"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _first_seen(outdir: Path) -> str:
    import sqlite3

    with sqlite3.connect(outdir / "crossread.db") as conn:
        return conn.execute("SELECT first_seen FROM articles LIMIT 1").fetchone()[0]


def _tables(root: Path) -> dict[str, list[tuple]]:
    import pyarrow.parquet as pq

    out = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        rows = pq.read_table(folder).to_pylist()
        out[folder.name] = sorted((tuple(sorted(r.items())) for r in rows), key=repr)
    return out


@pytest.fixture(scope="module")
def demo_runs(spark, demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The demo plus one bad file through the Spark job with 1 and with 3 partitions, filing undated
    articles at the analyze run's time (so that the tables can equal its store)."""
    from crossread.spark import SparkOptions, run_spark

    base = tmp_path_factory.mktemp("spark")
    bad = base / "inputs" / "broken.html"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00\x01\x02 not a page \xff\xfe" * 40)
    first_seen = _first_seen(demo_store)
    runs = {}
    for partitions in (1, 3):
        out = base / f"tables-{partitions}"
        summary = run_spark([str(SEEDS), str(bad.parent)],
                            SparkOptions(out=str(out), partitions=partitions, first_seen=first_seen), spark=spark)
        assert summary.articles == 2
        runs[partitions] = out
    return runs


def test_the_tables_loaded_into_a_store_equal_analyze(demo_runs, demo_store: Path, tmp_path: Path) -> None:
    from crossread.store import Store
    from crossread.store.parquet_import import import_parquet

    store = Store(f"sqlite:///{tmp_path / 'crossread.db'}")
    try:
        counts = import_parquet(demo_runs[3], store)
        assert counts["articles"] == 2 and counts["stories"] >= 1
        assert store.pending("report")  # the report is written from the imported store on demand
    finally:
        store.close()
    spark_store, analyze_store = store_snapshot(tmp_path / "crossread.db"), store_snapshot(demo_store / "crossread.db")
    assert spark_store.keys() == analyze_store.keys()
    for table in analyze_store:
        assert spark_store[table] == analyze_store[table], table


def test_the_same_input_gives_the_same_tables_whatever_the_partitioning(demo_runs) -> None:
    one, three = _tables(demo_runs[1]), _tables(demo_runs[3])
    assert one.keys() == three.keys()
    assert "articles" in one and "stories" in one and "errors" in one
    for table in one:
        assert one[table] == three[table], table


def test_a_bad_input_is_a_row_of_the_errors_table_and_the_job_goes_on(demo_runs) -> None:
    import pyarrow.parquet as pq

    errors = pq.read_table(demo_runs[3] / "errors").to_pylist()
    assert [e["item"].endswith("broken.html") for e in errors] == [True]
    assert errors[0]["reason"] and errors[0]["stage"] == "read"
    assert pq.read_table(demo_runs[3] / "articles").num_rows == 2


def test_the_import_command_makes_a_store_that_export_reads(demo_runs, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crossread.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["store", "import-parquet", str(demo_runs[1]), str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "imported 2 article(s)" in result.output
    again = runner.invoke(main, ["store", "import-parquet", str(demo_runs[1]), str(tmp_path / "store")])
    assert again.exit_code == 1 and "already holds articles" in again.output
    exported = runner.invoke(main, ["export", str(tmp_path / "store"), "--format", "jsonl", "-o", str(tmp_path / "x")])
    assert exported.exit_code == 0, exported.output
    assert len((tmp_path / "x" / "articles.jsonl").read_text().splitlines()) == 2


def test_import_refuses_a_folder_that_is_not_spark_output(tmp_path: Path) -> None:
    from crossread.store import Store
    from crossread.store.parquet_import import ParquetImportError, import_parquet

    store = Store(f"sqlite:///{tmp_path / 'crossread.db'}")
    try:
        with pytest.raises(ParquetImportError, match="no articles/ table"):
            import_parquet(tmp_path, store)
    finally:
        store.close()


# --------------------------------------------------------------------------- story filing in batch


def _synthetic_features(n_stories: int, per_story: int, seed: int = 7) -> list:
    """Articles of ``n_stories`` stories over a month: each story's articles share most of a topic
    vector (its words) and some actors, with noise words of their own."""
    from crossread.link.story_assign import StoryFeatures, order_key
    from crossread.store.codec import round_dense

    rng = np.random.default_rng(seed)
    out = []
    for s in range(n_stories):
        topic = rng.choice(2**18, size=60, replace=False)
        day0 = 738000 + int(rng.integers(0, 30))
        for k in range(per_story):
            own = np.concatenate([rng.choice(topic, size=40, replace=False), rng.choice(2**18, size=30)])
            idx = np.unique(own).astype(np.int32)
            values = rng.random(idx.size) + 0.2
            values /= np.linalg.norm(values)
            day = day0 + int(rng.integers(0, 4))
            aid = f"s{s:03d}a{k}"
            when = f"{np.datetime64('0001-01-01') + np.timedelta64(day - 1, 'D')}T{k:02d}:00:00"
            entities = frozenset({f"a:actor{s}", f"a:common{int(rng.integers(0, 3))}"})
            out.append(StoryFeatures(aid, order_key(when, aid), day, idx, round_dense(values), entities))
    return out


def test_batch_filing_equals_the_incremental_filer_on_synthetic_stories(spark) -> None:
    from crossread.link.coref_metrics import b_cubed
    from crossread.link.story_assign import assign_stories
    from crossread.spark.clustering import cluster_stories

    features = _synthetic_features(30, 5)
    incremental = assign_stories(features, threshold=0.34)
    batch = cluster_stories(spark.sparkContext.parallelize(features, 3), threshold=0.34)
    assert batch.keys() == incremental.keys()

    def clusters(assignment):
        groups: dict[str, set] = {}
        for article, story in assignment.items():
            groups.setdefault(story, set()).add(article)
        return list(groups.values())

    assert len(clusters(incremental)) == 30  # the synthetic stories are told apart by the reference rule
    _, _, f1 = b_cubed(clusters(incremental), clusters(batch))
    assert f1 >= 0.95
    assert batch == incremental  # these stories are tight enough that LSH misses no best match


def test_filing_in_order_joins_the_best_earlier_match_and_ties_go_to_the_older_story() -> None:
    from crossread.records import record_id
    from crossread.spark.clustering import file_in_order

    keys = {"a": "1", "b": "2", "c": "3", "d": "4"}
    # b matches nothing: it founds a story; c matches a; d ties between b and c: a's story is older
    story = file_in_order(keys, {"c": ["a"], "d": ["b", "c"]})
    assert story == {"a": record_id("story", "a"), "b": record_id("story", "b"), "c": record_id("story", "a"),
                     "d": record_id("story", "a")}


# --------------------------------------------------------------------------- BASIL


def test_on_basil_articles_the_records_equal_analyze_and_stories_agree(spark, tmp_path: Path) -> None:
    """Ten BASIL triplets (30 articles, three outlets per story): every table equal, stories B³ ≥ 0.95."""
    folder = SHARED_DATA / "basil"
    if not folder.is_dir():
        pytest.skip(f"BASIL not found at {folder}")
    from crossread.analyze.eval_basil import basil_records
    from crossread.link.coref_metrics import b_cubed
    from crossread.pipeline import AnalyzeOptions, run_analyze
    from crossread.spark import SparkOptions, run_spark
    from crossread.store import Store
    from crossread.store.parquet_import import import_parquet

    records, _ = basil_records(folder, ["2016"])
    records = records[:30]
    source = tmp_path / "basil.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert run_analyze([str(source)], AnalyzeOptions(outdir=tmp_path / "analyze", write_outputs=False,
                                                     json="never")).ok
    run_spark([str(source)], SparkOptions(out=str(tmp_path / "tables"), partitions=3,
                                          first_seen=_first_seen(tmp_path / "analyze")), spark=spark)
    store = Store(f"sqlite:///{tmp_path / 'spark.db'}")
    try:
        import_parquet(tmp_path / "tables", store)
    finally:
        store.close()
    spark_store = store_snapshot(tmp_path / "spark.db")
    analyze_store = store_snapshot(tmp_path / "analyze" / "crossread.db")
    for table in ("articles", "article_actors", "article_events", "article_quotes", "article_claims", "actors"):
        strip = (lambda rows: rows) if table != "articles" else (lambda rows: sorted(r[:-2] for r in rows))
        assert strip(spark_store[table]) == strip(analyze_store[table]), table

    def clusters(snapshot):
        groups: dict[str, set] = {}
        for row in snapshot["articles"]:
            groups.setdefault(row[-2], set()).add(row[0])
        return list(groups.values())

    _, _, f1 = b_cubed(clusters(analyze_store), clusters(spark_store))
    assert f1 >= 0.95
