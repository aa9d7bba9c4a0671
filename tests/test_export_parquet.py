"""`crossread export --format parquet`: typed tables read back with pyarrow and queried with DuckDB,
compared with the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.export.tables import TABLES
from tests.conftest import HOSTILE_ACTOR, HOSTILE_OUTLET, sql
from tests.test_export_csv import STORE_COUNTS



@pytest.fixture(scope="module")
def exported(export_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parquet") / "tables"
    result = CliRunner().invoke(main, ["export", str(export_store), "--format", "parquet", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("table", list(STORE_COUNTS))
def test_row_counts_equal_the_store(export_store: Path, exported: Path, table: str) -> None:
    assert pq.read_table(exported / f"{table}.parquet").num_rows == sql(export_store, STORE_COUNTS[table])[0][0]


def test_columns_are_typed() -> None:
    # every table's declared types, as pyarrow types: checked on the files below
    assert {c.type for t in TABLES for c in t.columns} == {"str", "int", "float", "bool", "date"}


def test_files_carry_the_declared_types(exported: Path) -> None:
    expected = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32()}
    for table in TABLES:
        schema = pq.read_schema(exported / f"{table.name}.parquet")
        assert schema.names == table.column_names
        assert [schema.field(c.name).type for c in table.columns] == [expected[c.type] for c in table.columns]


def test_values_equal_the_store(export_store: Path, exported: Path) -> None:
    articles = pq.read_table(exported / "articles.parquet").to_pylist()
    stored = {r[0]: r[1:] for r in sql(export_store, "SELECT id, outlet, date, word_count, text FROM articles")}
    assert {a["article_id"]: (a["outlet"], a["date"].isoformat(), a["word_count"], a["text"]) for a in articles} == stored
    assert HOSTILE_OUTLET in {a["outlet"] for a in articles}
    assert all(isinstance(a["date"], dt.date) for a in articles)
    claims = {c["claim_id"]: c for c in pq.read_table(exported / "claims.parquet").to_pylist()}
    for claim_id, status, negated, n in sql(export_store, "SELECT id, status, negated, independent_sources FROM claims"):
        assert (claims[claim_id]["status"], claims[claim_id]["negated"], claims[claim_id]["independent_sources"]) == \
            (status, bool(negated), n)
    assert HOSTILE_ACTOR in pq.read_table(exported / "actors.parquet").column("name").to_pylist()


def test_duckdb_joins_the_tables_as_the_store_does(export_store: Path, exported: Path) -> None:
    f = {t.name: str(exported / f"{t.name}.parquet") for t in TABLES}
    got = duckdb.sql(f"""
        SELECT ev.outlet, e.plover, count(*) AS n
        FROM '{f["events"]}' e
        JOIN '{f["event_actors"]}' a ON a.event_id = e.event_id AND a.role = 'source'
        JOIN '{f["event_evidence"]}' ev ON ev.event_id = e.event_id
        GROUP BY ev.outlet, e.plover ORDER BY ev.outlet, e.plover""").fetchall()
    want = sql(export_store, """
        SELECT a.outlet, e.plover, count(*) FROM events e
        JOIN event_actors src ON src.event_id = e.id AND src.role = 'source'
        JOIN event_evidence ev ON ev.event_id = e.id
        JOIN articles a ON a.id = ev.article_id
        GROUP BY a.outlet, e.plover ORDER BY a.outlet, e.plover""")
    assert got == want and got
    dated = duckdb.sql(f"SELECT min(date), max(date) FROM '{f['articles']}'").fetchall()[0]
    assert [d.isoformat() for d in dated] == list(sql(export_store, "SELECT min(date), max(date) FROM articles")[0])


def test_a_store_read_a_story_at_a_time_exports_the_same_tables(export_store: Path, exported: Path, tmp_path: Path,
                                                                monkeypatch) -> None:
    from crossread.export import tabular, view
    from crossread.store import Store

    monkeypatch.setattr(view, "STORIES_PER_CHUNK", 1)
    monkeypatch.setattr(tabular, "ROWS_PER_GROUP", 2)
    store = Store(f"sqlite:///{export_store / 'crossread.db'}")
    try:
        assert len(view.selected_story_ids(store, view.Selection())) > 1
        tabular.export_tables(store, tmp_path / "t", "parquet")
    finally:
        store.close()
    for table in TABLES:  # the same rows (chunks may order them otherwise)
        chunked = pq.read_table(tmp_path / "t" / f"{table.name}.parquet").to_pylist()
        whole = pq.read_table(exported / f"{table.name}.parquet").to_pylist()
        assert sorted(chunked, key=repr) == sorted(whole, key=repr), table.name
    assert pq.ParquetFile(tmp_path / "t" / "articles.parquet").metadata.num_row_groups > 1  # written as it came


def test_buffered_text_is_written_before_the_row_limit(export_store: Path, tmp_path: Path, monkeypatch) -> None:
    from crossread.export import tabular, view
    from crossread.store import Store

    monkeypatch.setattr(view, "STORIES_PER_CHUNK", 1)
    monkeypatch.setattr(tabular, "TEXT_BUFFERED", 100)  # characters: every part's rows make a row group
    store = Store(f"sqlite:///{export_store / 'crossread.db'}")
    try:
        counts = tabular.export_tables(store, tmp_path, "parquet")
    finally:
        store.close()
    meta = pq.ParquetFile(tmp_path / "articles.parquet").metadata
    assert meta.num_rows == counts["articles"] and meta.num_row_groups == len(sql(export_store, "SELECT id FROM stories"))


def test_stories_are_read_in_chunks_bounded_by_stories_and_articles() -> None:
    from crossread.export.view import story_chunks

    stories = [("a", 3), ("b", 1), ("c", 500), ("d", 2), ("e", 2), ("f", 2)]
    assert list(story_chunks(stories, max_stories=2, max_articles=10)) == [["a", "b"], ["c"], ["d", "e"], ["f"]]
    assert list(story_chunks(stories, max_stories=50, max_articles=5)) == [["a", "b"], ["c"], ["d", "e"], ["f"]]
    assert list(story_chunks([], 50, 200)) == []
