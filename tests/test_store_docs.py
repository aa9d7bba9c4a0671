"""docs/STORE.md stays true: every table and column it must describe is there, and its example
queries run on the demo store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from crossread.pipeline import AnalyzeOptions, run_analyze
from crossread.store.schema import metadata
from tests.conftest import REPO, SEEDS

DOC = (REPO / "docs" / "STORE.md").read_text(encoding="utf-8")
# the example queries of the docs that show the store (STORE.md, CONFIDENCE.md)
QUERIES = [q for doc in (DOC, (REPO / "docs" / "CONFIDENCE.md").read_text(encoding="utf-8"))
           for q in re.findall(r"```sql\n(.*?)```", doc, flags=re.S)]


def test_every_table_and_column_is_documented() -> None:
    for table in metadata.sorted_tables:
        row = re.search(rf"^\| `{table.name}` \|(.*)$", DOC, flags=re.M)
        assert row, f"docs/STORE.md does not describe table {table.name}"
        described = row.group(1)
        if "evidence columns" in described:
            described += " `char_start` `char_end` `sentence_start` `sentence_end` `sentence_text`"
        for column in table.columns:
            assert f"`{column.name}`" in described, f"docs/STORE.md: {table.name}.{column.name} is not described"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store-docs")
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=out, write_outputs=False)).ok
    return out / "crossread.db"


@pytest.mark.parametrize("query", QUERIES, ids=[q.split("\n")[0][:40] for q in QUERIES])
def test_example_query_runs_on_the_demo(demo_db: Path, query: str) -> None:
    conn = sqlite3.connect(demo_db)
    try:
        rows = conn.execute(query).fetchall()
    finally:
        conn.close()
    if "contradicts" not in query and "derivations d" not in query:  # the demo has neither
        assert rows, query


def test_there_are_example_queries() -> None:
    assert len(QUERIES) >= 8
