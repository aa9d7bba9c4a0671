"""`crossread export --format csv`: one table per record kind, read back with Python's csv module (and
DuckDB where installed) and compared with the store, hostile text included."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.export.tables import TABLES
from tests.conftest import EXPORT_HOSTILE as HOSTILE, HOSTILE_ACTOR, HOSTILE_OUTLET, sql

# table of the export -> the store query that counts its rows
STORE_COUNTS = {
    "articles": "SELECT count(*) FROM articles",
    "stories": "SELECT count(*) FROM stories",
    "actors": "SELECT count(*) FROM actors",
    "actor_aliases": "SELECT count(*) FROM actor_aliases",
    "actor_mentions": "SELECT count(*) FROM actor_mentions m JOIN article_actors t ON t.article_id = m.article_id "
                      "AND t.local_id = m.local_id JOIN actors a ON a.id = t.actor_id",
    "events": "SELECT count(*) FROM events",
    "event_actors": "SELECT count(*) FROM event_actors",
    "event_evidence": "SELECT count(*) FROM event_evidence",
    "quotes": "SELECT count(*) FROM quotes",
    "quote_evidence": "SELECT count(*) FROM quote_evidence",
    "claims": "SELECT count(*) FROM claims",
    "claim_evidence": "SELECT count(*) FROM claim_evidence",
    "claim_relations": "SELECT count(*) FROM claim_relations",
    "derivations": "SELECT count(*) FROM derivations",
    "derivation_passages": "SELECT count(*) FROM derivation_passages",
    "labels": "SELECT count(*) FROM labels",
    "loaded_terms": "SELECT count(*) FROM loaded_terms",
    "signals": "SELECT count(*) FROM signals",
    "article_authors": "SELECT count(*) FROM article_authors",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def exported(export_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv") / "tables"
    result = CliRunner().invoke(main, ["export", str(export_store), "--format", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_every_table_is_written_with_its_header_and_counted(exported: Path) -> None:
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    assert set(STORE_COUNTS) == {t.name for t in TABLES}
    assert all(len(set(t.column_names)) == len(t.column_names) for t in TABLES)
    for table in TABLES:
        with (exported / f"{table.name}.csv").open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == table.column_names
        assert len(read_csv(exported / f"{table.name}.csv")) == manifest["tables"][table.name]["rows"]


@pytest.mark.parametrize("table", list(STORE_COUNTS))
def test_row_counts_equal_the_store(export_store: Path, exported: Path, table: str) -> None:
    assert len(read_csv(exported / f"{table}.csv")) == sql(export_store, STORE_COUNTS[table])[0][0]


def test_ids_equal_the_store(export_store: Path, exported: Path) -> None:
    for table, column, query in (("articles", "article_id", "SELECT id FROM articles"),
                                 ("stories", "story_id", "SELECT id FROM stories"),
                                 ("events", "event_id", "SELECT id FROM events"),
                                 ("quotes", "quote_id", "SELECT id FROM quotes"),
                                 ("claims", "claim_id", "SELECT id FROM claims"),
                                 ("actors", "actor_id", "SELECT id FROM actors")):
        assert sorted(r[column] for r in read_csv(exported / f"{table}.csv")) == sorted(r[0] for r in sql(export_store, query))


def test_events_carry_their_actors_and_the_sentence_behind_them(export_store: Path, exported: Path) -> None:
    texts = {r["article_id"]: r["text"] for r in read_csv(exported / "articles.csv")}
    names = dict(sql(export_store, "SELECT id, name FROM actors"))
    stored = {(e, role): [a for _, a in sorted(rows)] for e, role, rows in _actors_by_event(export_store)}
    for row in read_csv(exported / "events.csv"):
        for role in ("source", "target"):
            ids = stored.get((row["event_id"], role), [])
            assert row[f"{role}_actor_ids"] == "; ".join(ids)
            assert row[f"{role}_actor_names"] == "; ".join(names[a] for a in ids)
        start, end = int(row["char_start"]), int(row["char_end"])
        assert texts[row["article_id"]][start:end] == row["evidence_text"] and row["evidence_text"] in row["sentence"]
        assert row["plover"] and row["cameo"] and row["quad_class"] in "1234"
    for row in read_csv(exported / "event_evidence.csv"):
        assert texts[row["article_id"]][int(row["char_start"]):int(row["char_end"])] == row["evidence_text"]


def _actors_by_event(outdir: Path) -> list[tuple[str, str, list[tuple[int, str]]]]:
    rows: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for event_id, role, position, actor_id in sql(outdir, "SELECT event_id, role, position, actor_id FROM event_actors"):
        rows.setdefault((event_id, role), []).append((position, actor_id))
    return [(e, r, v) for (e, r), v in rows.items()]


def test_hostile_text_survives_the_round_trip(export_store: Path, exported: Path) -> None:
    articles = read_csv(exported / "articles.csv")
    assert HOSTILE_OUTLET in {a["outlet"] for a in articles}
    stored_texts = dict(sql(export_store, "SELECT id, text FROM articles"))
    assert {a["article_id"]: a["text"] for a in articles} == stored_texts
    assert any(HOSTILE in a["title"] for a in articles)
    assert HOSTILE_ACTOR in {a["name"] for a in read_csv(exported / "actors.csv")}
    events = read_csv(exported / "events.csv")
    assert any(HOSTILE_ACTOR in e["source_actor_names"] + e["target_actor_names"] for e in events)
    assert any(HOSTILE_OUTLET in e["outlets"] for e in events)
    assert any(HOSTILE in q["content"] for q in read_csv(exported / "quotes.csv"))


def test_duckdb_reads_the_csv_tables(export_store: Path, exported: Path) -> None:
    got = duckdb.sql(f"SELECT plover, count(*) FROM read_csv('{exported / 'events.csv'}', header = true) "
                     "GROUP BY plover ORDER BY plover").fetchall()
    assert got == sql(export_store, "SELECT plover, count(*) FROM events GROUP BY plover ORDER BY plover")


def test_authors_in_the_articles_table_and_their_own(export_store: Path, exported: Path) -> None:
    stored = sql(export_store, "SELECT article_id, position, name FROM article_authors ORDER BY article_id, position")
    assert [r[2] for r in stored] == ["Jane Doe", "John Roe"]  # "By …, Staff Writers" as the record gave it
    rows = read_csv(exported / "article_authors.csv")
    assert [(r["article_id"], int(r["position"]), r["name"]) for r in rows] == stored
    joined = {a["article_id"]: a["authors"] for a in read_csv(exported / "articles.csv")}
    assert joined[stored[0][0]] == "Jane Doe; John Roe" and list(joined.values()).count("") == len(joined) - 1
