"""Schema revisions: a store of the previous release opens (and equals a fresh one), the schema
module and the revisions stay in step, stores that are not ours are refused clearly."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.store import Store
from crossread.store.migrate import (
    ADDED_COLUMNS,
    FINGERPRINTS,
    HEAD,
    StoreVersionError,
    current_revision,
    schema_fingerprint,
)
from tests.conftest import SEEDS, store_snapshot

V1_STORE = Path(__file__).parent / "data" / "store_v1_demo.db.gz"  # the demo, analysed by crossread 0.1 (revision 0001)
V2_STORE = Path(__file__).parent / "data" / "store_v2_demo.db.gz"  # the demo, analysed at revision 0002
# what an older release did not extract (confidences, claim polarity): NULL/false in its records
NOT_EXTRACTED_BEFORE_0003 = set(ADDED_COLUMNS["0003"])
# actor codes (0004): a stored article's actors keep a NULL sector (and an international organisation
# no IGO country) until the article is analysed again
NOT_EXTRACTED_BEFORE_0004 = {("article_actors", "sector"), ("actors", "sector"), ("article_actors", "country"),
                             ("actors", "country")}
# event places (0007): a stored article's events keep NULL places until the article is analysed again
NOT_EXTRACTED_BEFORE_0007 = set(ADDED_COLUMNS["0007"])


# What this release extracts otherwise from the stored records of older ones (nothing is parsed again on
# migration): event participants (a state or organisation with its group noun, "Hamas terror group"; every
# member of a list as an argument) change the actor mentions and aliases, the events' actors and what is
# counted or hashed from them. These tables are compared only between stores of one release.
PARTICIPANTS_TABLES = {"actor_mentions", "article_actor_aliases", "actor_aliases", "actor_counts",
                       "article_event_actors", "event_actors", "actor_story_months", "actor_story_links",
                       "story_features"}


def _snapshot(db: Path, skip: set[tuple[str, str]]) -> dict[str, list[tuple]]:
    """``store_snapshot`` without the actor counts of the columns ``skip`` leaves out (the counts are rows),
    nor the tables :data:`PARTICIPANTS_TABLES`."""
    snap = store_snapshot(db, skip, skip_tables=PARTICIPANTS_TABLES - {"actor_counts"})
    kinds = {column for table, column in skip if table == "actors"}
    snap["actor_counts"] = [r for r in snap["actor_counts"] if r[1] not in kinds | {"alias", "form"}]
    return snap
# what this release extracts differently from the stored 0.1 records (nothing is parsed again): quote
# speakers come from the coreference sieves (extract/coref.py), and claims reuse them
SPEAKERS = {("article_quotes", "speaker_local_id"), ("article_claims", "attributed_local_id"),
            ("quotes", "speaker_id"), ("claims", "attributed_to")}


def _v1_copy(folder: Path, fixture: Path = V1_STORE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "crossread.db"
    with gzip.open(fixture) as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return db


def test_schema_module_matches_the_newest_revision() -> None:
    # schema.py may only change together with a new revision (see migrations/versions/0002_relational.py)
    assert schema_fingerprint() == FINGERPRINTS[HEAD]


def test_a_store_of_the_previous_release_opens_and_equals_a_fresh_one(tmp_path: Path) -> None:
    db = _v1_copy(tmp_path / "old")
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")}
    assert "article_records" in tables and "alembic_version" not in tables

    result = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path / "old")])
    assert result.exit_code == 0, result.output
    assert "0 article(s) added, 2 already stored" in result.output  # imported, not analysed again
    store = Store(f"sqlite:///{db}")
    assert current_revision(store.engine) == HEAD and store.pending("import_v1") == []
    store.close()
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")}
    assert not {t for t in tables if t.startswith("v1_")}

    fresh = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path / "fresh")])
    assert fresh.exit_code == 0, fresh.output
    # the same store, record for record (the old store's inputs were read from another checkout),
    # but for what the old release never extracted or extracted otherwise
    skip = ({("articles", "source")} | NOT_EXTRACTED_BEFORE_0003 | NOT_EXTRACTED_BEFORE_0004
            | NOT_EXTRACTED_BEFORE_0007 | SPEAKERS)
    assert _snapshot(db, skip) == _snapshot(tmp_path / "fresh" / "crossread.db", skip)


def test_a_0002_store_gains_the_0003_columns_and_its_stories_are_redone(tmp_path: Path) -> None:
    db = _v1_copy(tmp_path / "old", V2_STORE)
    assert sqlite3.connect(db).execute("select version_num from alembic_version").fetchone() == ("0002",)
    result = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path / "old")])
    assert result.exit_code == 0, result.output
    assert "0 article(s) added, 2 already stored" in result.output and "1 story analysed" in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("select version_num from alembic_version").fetchone() == (HEAD,)
    columns = {r[1] for r in conn.execute("pragma table_info(claim_relations)")}
    assert {"speaker_id", "confidence"} <= columns
    # the story stage ran again: claims and their relations carry a confidence now
    assert conn.execute("select count(*) from claims where confidence is null").fetchone() == (0,)
    assert conn.execute("select count(*) from claim_relations where confidence is null").fetchone() == (0,)
    fresh = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path / "fresh")])
    assert fresh.exit_code == 0, fresh.output
    skip = ({("articles", "source"), ("articles", "first_seen")} | NOT_EXTRACTED_BEFORE_0003
            | NOT_EXTRACTED_BEFORE_0004 | NOT_EXTRACTED_BEFORE_0007 | SPEAKERS)
    assert _snapshot(db, skip) == _snapshot(tmp_path / "fresh" / "crossread.db", skip)
    # revision 0004: the date_source columns and the outlet indexes, as a fresh store has them
    indexes = "select tbl_name, name, sql from sqlite_master where type = 'index' order by name"
    assert conn.execute(indexes).fetchall() == sqlite3.connect(tmp_path / "fresh" / "crossread.db").execute(
        indexes).fetchall()
    assert "ix_articles_outlet_date_story" in {r[1] for r in conn.execute(indexes)}
    assert "date_source" in {r[1] for r in conn.execute("pragma table_info(events)")}
    # revision 0007: the event place columns on both event tables
    for table in ("article_events", "events"):
        assert {"geonames_id", "place_country", "latitude", "place_source"} <= {
            r[1] for r in conn.execute(f"pragma table_info({table})")}


def test_a_store_of_a_newer_release_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store(f"sqlite:///{db}").close()
    conn = sqlite3.connect(db)
    conn.execute("update alembic_version set version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreVersionError, match="9999.*newer crossread"):
        Store(f"sqlite:///{db}")
    result = CliRunner().invoke(main, ["analyze", str(SEEDS), "-o", str(tmp_path), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1 and "newer crossread" in result.output and "Traceback" not in result.output


def test_a_database_that_is_not_a_store_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("create table customers (id integer primary key, name text)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreVersionError, match="not a crossread store"):
        Store(f"sqlite:///{db}")
    assert {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master")} == {"customers"}


def test_a_0005_store_gains_the_article_authors_table_and_loses_it_again_on_downgrade(tmp_path: Path) -> None:
    from alembic import command

    from crossread.store.migrate import ADDED_TABLES, _config

    db = tmp_path / "authors.db"
    Store(f"sqlite:///{db}").close()
    fresh_indexes = sqlite3.connect(db).execute(
        "select name, sql from sqlite_master where tbl_name = 'article_authors' order by name").fetchall()
    assert ("ix_article_authors_name",) in [(r[0],) for r in fresh_indexes]
    store = Store(f"sqlite:///{db}")
    with store.engine.begin() as conn:
        command.downgrade(_config(conn), "0005")
    store.close()
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    assert not tables & set(ADDED_TABLES["0006"])
    assert set(ADDED_TABLES["0005"]) <= tables  # the revision before keeps its own tables
    assert conn.execute("select version_num from alembic_version").fetchone() == ("0005",)
    conn.close()
    Store(f"sqlite:///{db}").close()  # opening upgrades it again: as a fresh store has it
    conn = sqlite3.connect(db)
    assert conn.execute("select version_num from alembic_version").fetchone() == (HEAD,)
    assert conn.execute("select name, sql from sqlite_master where tbl_name = 'article_authors' "
                        "order by name").fetchall() == fresh_indexes
