"""`--story` and `--since` narrow every export format to the chosen stories, with all their records."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from crossread.cli import EXPORT_FORMATS, main
from tests.conftest import sql


def _event_ids(fmt: str, out: Path) -> set[str]:
    """The event ids an export holds, read back with its users' library."""
    if fmt == "json":
        return {e["id"] for e in json.loads(out.read_text(encoding="utf-8"))["events"]}
    if fmt == "jsonl":
        return {json.loads(line)["id"] for line in (out / "events.jsonl").read_text(encoding="utf-8").splitlines()}
    if fmt == "csv":
        with (out / "events.csv").open(encoding="utf-8", newline="") as fh:
            return {r["event_id"] for r in csv.DictReader(fh)}
    if fmt == "parquet":
        return set(pq.read_table(out / "events.parquet").column("event_id").to_pylist())
    if fmt == "graphml":
        return {i for *_, d in nx.read_graphml(out).edges(data=True) for i in d["events"].split()}
    if fmt == "plover":
        return {json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()}
    with out.open(encoding="utf-8", newline="") as fh:
        return {r["GLOBALEVENTID"] for r in csv.DictReader(fh, delimiter="\t")}


def _with_edges(outdir: Path, story_ids: set[str]) -> set[str]:
    """Events of these stories that make a network edge (a source and a different target)."""
    rows = sql(outdir, "SELECT e.id, e.story_id FROM events e JOIN event_actors s ON s.event_id = e.id AND s.role = "
                       "'source' JOIN event_actors t ON t.event_id = e.id AND t.role = 'target' "
                       "WHERE s.actor_id != t.actor_id")
    return {e for e, story in rows if story in story_ids}


def _selections(outdir: Path) -> dict[str, tuple[list[str], set[str]]]:
    """name -> (CLI arguments, the stories they select), each a non-empty part of the store's stories."""
    stories = {r[0] for r in sql(outdir, "SELECT id FROM stories")}
    story = sql(outdir, "SELECT story_id FROM articles WHERE outlet = 'Plain Times'")[0][0]
    latest = sql(outdir, "SELECT max(date) FROM articles")[0][0]
    since = {r[0] for r in sql(outdir, "SELECT DISTINCT story_id FROM articles WHERE date >= ?", (latest,))}
    assert len(stories) > 1 and story in stories and since and since < stories
    return {"story": (["--story", story], {story}), "since": (["--since", latest], since)}


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
@pytest.mark.parametrize("which", ["story", "since"])
def test_a_filtered_export_holds_the_selected_stories_events(export_store: Path, tmp_path: Path, fmt: str,
                                                             which: str) -> None:
    args, chosen = _selections(export_store)[which]
    out = tmp_path / ("out" if EXPORT_FORMATS[fmt] == "folder" else "out.data")
    result = CliRunner().invoke(main, ["export", str(export_store), "--format", fmt, "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    events = {e for e, story in sql(export_store, "SELECT id, story_id FROM events") if story in chosen}
    want = _with_edges(export_store, chosen) if fmt == "graphml" else events
    assert want and _event_ids(fmt, out) == want


def test_a_filtered_table_export_keeps_every_record_of_the_story_and_only_its_actors(export_store: Path,
                                                                                    tmp_path: Path) -> None:
    args, chosen = _selections(export_store)["story"]
    result = CliRunner().invoke(main, ["export", str(export_store), "--format", "csv", "-o", str(tmp_path), *args])
    assert result.exit_code == 0, result.output

    def rows(name: str) -> list[dict[str, str]]:
        with (tmp_path / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    (story,) = chosen
    assert {r["article_id"] for r in rows("articles")} == {r[0] for r in sql(export_store, "SELECT id FROM articles "
                                                                                            "WHERE story_id = ?", (story,))}
    for table, column in (("quotes", "quote_id"), ("claims", "claim_id")):
        stored = {r[0] for r in sql(export_store, f"SELECT id FROM {table} WHERE story_id = ?", (story,))}
        assert {r[column] for r in rows(table)} == stored
    assert len(rows("derivations")) == sql(export_store, "SELECT count(*) FROM derivations WHERE story_id = ?", (story,))[0][0]
    mentioned = {r[0] for r in sql(export_store, "SELECT DISTINCT t.actor_id FROM article_actors t JOIN articles a "
                                                 "ON a.id = t.article_id WHERE a.story_id = ?", (story,))}
    exported = {r["actor_id"] for r in rows("actors")}
    assert mentioned <= exported < {r[0] for r in sql(export_store, "SELECT id FROM actors")}


def test_a_merged_story_id_follows_its_redirect(export_store: Path, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    store = tmp_path / "store"
    shutil.copytree(export_store, store)
    story = sql(store, "SELECT story_id FROM articles WHERE outlet = 'Plain Times'")[0][0]
    conn = sqlite3.connect(store / "crossread.db")
    with conn:
        conn.execute("INSERT INTO story_redirects (old_id, story_id) VALUES ('story_gone', ?)", (story,))
    conn.close()
    result = CliRunner().invoke(main, ["export", str(store), "--format", "plover", "-o", str(tmp_path / "p.jsonl"),
                                       "--story", "story_gone"])
    assert result.exit_code == 0, result.output
    stored = {r[0] for r in sql(store, "SELECT id FROM events WHERE story_id = ?", (story,))}
    assert _event_ids("plover", tmp_path / "p.jsonl") == stored
