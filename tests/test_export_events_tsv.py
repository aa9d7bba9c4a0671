"""`crossread export --format events-tsv`: the GDELT-style event table, read back with Python's csv
module and DuckDB, compared with the store; the CAMEO weights it uses."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.extract import cameo
from crossread.export.events_tsv import COLUMNS
from tests.conftest import HOSTILE_ACTOR, HOSTILE_OUTLET, sql


@pytest.fixture(scope="module")
def exported(export_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tsv") / "events.tsv"
    result = CliRunner().invoke(main, ["export", str(export_store), "--format", "events-tsv", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_one_row_per_event_with_gdelt_columns(export_store: Path, exported: Path) -> None:
    rows = read_tsv(exported)
    assert list(rows[0]) == list(COLUMNS)
    assert sorted(r["GLOBALEVENTID"] for r in rows) == sorted(r[0] for r in sql(export_store, "SELECT id FROM events"))
    stored = {r[0]: r[1:] for r in sql(export_store, "SELECT id, cameo, plover, independent_sources FROM events")}
    first_day = dict(sql(export_store, "SELECT ev.event_id, min(a.date) FROM event_evidence ev "
                                       "JOIN articles a ON a.id = ev.article_id GROUP BY ev.event_id"))
    articles = dict(sql(export_store, "SELECT event_id, count(DISTINCT article_id) FROM event_evidence GROUP BY event_id"))
    for row in rows:
        code, plover, sources = stored[row["GLOBALEVENTID"]]
        assert (row["EventCode"], row["PloverType"], row["IndependentSources"]) == (code, plover, str(sources))
        assert row["EventRootCode"] == code[:2] and row["EventBaseCode"] == code[:3]
        assert float(row["GoldsteinScale"]) == cameo.goldstein(code)
        assert int(row["QuadClass"]) == cameo.quad_class(code)
        assert row["SQLDATE"] == first_day[row["GLOBALEVENTID"]].replace("-", "")
        assert int(row["NumArticles"]) == articles[row["GLOBALEVENTID"]]
        assert row["SOURCEURL"]


def test_actor1_and_actor2_are_the_first_source_and_target(export_store: Path, exported: Path) -> None:
    first = {(e, role): a for e, role, a in sql(export_store, "SELECT event_id, role, actor_id FROM event_actors "
                                                               "WHERE position = 0")}
    names = dict(sql(export_store, "SELECT id, name FROM actors"))
    rows = read_tsv(exported)
    for row in rows:
        assert row["Actor1ID"] == first.get((row["GLOBALEVENTID"], "source"), "")
        assert row["Actor2ID"] == first.get((row["GLOBALEVENTID"], "target"), "")
        assert row["Actor1Name"] == names.get(row["Actor1ID"], "")
    assert any(HOSTILE_ACTOR in (r["Actor1Name"], r["Actor2Name"]) for r in rows)
    assert any(HOSTILE_OUTLET in r["Outlets"] for r in rows)


def test_duckdb_reads_the_table(export_store: Path, exported: Path) -> None:
    got = duckdb.sql(f"SELECT EventRootCode, count(*) FROM read_csv('{exported}', delim = '\\t', header = true, "
                     "all_varchar = true) GROUP BY 1 ORDER BY 1").fetchall()
    want = sql(export_store, "SELECT substr(cameo, 1, 2), count(*) FROM events GROUP BY 1 ORDER BY 1")
    assert got == want


def test_goldstein_weights_and_quad_classes() -> None:
    assert cameo.goldstein("0874") == 10.0 and cameo.goldstein("1823") == -10.0 and cameo.goldstein("042") == 1.9
    assert cameo.goldstein("0849") == cameo.goldstein("084") == 7.0  # unlisted: its nearest listed parent
    assert cameo.goldstein(None) is None and cameo.goldstein("x1") is None
    assert [cameo.quad_class(c) for c in ("051", "080", "0871", "11", "145", "20")] == [1, 2, 2, 3, 4, 4]
    assert cameo.quad_class(None) is None and cameo.quad_class("21") is None
    table = cameo.goldstein_table()
    assert len(table) == 311 and all(-10.0 <= w <= 10.0 for w in table.values())
    # every CAMEO code crossread assigns has a weight
    from crossread.extract.plover import MODE_CAMEO, ROOT_CAMEO

    assert all(cameo.goldstein(c) is not None for c in [*ROOT_CAMEO.values(), *MODE_CAMEO.values()])
