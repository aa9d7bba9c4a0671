"""Shared test helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"
SHARED_DATA = Path(os.environ.get("CROSSREAD_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The gold/training data folder; tests that need it skip cleanly when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


# Columns and tables that record a store's history, not its content: insertion order and times, the
# embedding cache, redirects of ids that later evidence merged, pending work.
HISTORY_COLUMNS = {("articles", "seq"), ("articles", "first_seen"), ("claims", "seq")}
HISTORY_TABLES = {"embeddings", "pending", "story_redirects", "actor_redirects", "alembic_version"}


def store_snapshot(url_or_path, skip_columns=frozenset(), skip_tables=frozenset()) -> dict[str, list[tuple]]:
    """Every table of a store (SQLite path or SQLAlchemy URL) as sorted rows, history left out: two
    stores with the same content give equal snapshots."""
    from sqlalchemy import create_engine, select

    from crossread.store.schema import metadata

    url = url_or_path if "://" in str(url_or_path) else f"sqlite:///{url_or_path}"
    engine = create_engine(url)
    out: dict[str, list[tuple]] = {}
    try:
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                if table.name in HISTORY_TABLES | set(skip_tables):
                    continue
                columns = [c for c in table.columns
                           if (table.name, c.name) not in HISTORY_COLUMNS | set(skip_columns)]
                rows = conn.execute(select(*columns)).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    finally:
        engine.dispose()
    return out


# Text no export may break or run: quotes, commas, tabs, line breaks, markup.
HOSTILE = '<script>alert("x")</script>'
# Values written straight into the export store after its analysis (ingest would normalise the tabs and
# line breaks away; a store can still hold them, e.g. one filled by other tools).
HOSTILE_OUTLET = 'Evil, "Wire"\t<img src=x onerror=alert(1)>\nline two\r\nend'
HOSTILE_ACTOR = 'Iran\t"the regime", <script>alert(1)</script>\nnext line'


@pytest.fixture(scope="session")
def export_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An analysed store (its OUTDIR) for the export tests, analysed once per session: the demo seeds and
    three small dated articles of our own with hostile text (one copied from another, for a
    derivation), then an outlet and an actor name holding tabs, line breaks and markup. Tests must not
    change it."""
    import json
    import sqlite3

    from crossread.pipeline import AnalyzeOptions, run_analyze

    root = tmp_path_factory.mktemp("export-store")
    strike = ("Israel attacked Hezbollah positions in Lebanon on Sunday. Iran condemned Israel, calling the "
              f'strike "a crime, {HOSTILE}". Hezbollah said it would retaliate against Israel.')
    records = [
        {"title": f'Iran, "Israel" and {HOSTILE}', "outlet": "Evil Wire", "published": "2024-03-04",
         "url": 'https://example.org/a?x=1,2&y="3"',
         "text": 'Iran condemned Israel on Monday, calling the strike "a crime". The Iranian foreign minister '
                 f'said: "We will respond, {HOSTILE}, with force."\n\nIsrael attacked Hezbollah positions in '
                 "Lebanon on Sunday."},
        {"title": "Israel strikes Lebanon", "outlet": "Plain Times", "published": "2024-03-05",
         "url": "https://example.org/b", "text": strike},
        {"title": "Israel strikes Lebanon, Iran condemns", "outlet": "Copy Cat", "published": "2024-03-06",
         "url": "https://example.org/c", "text": strike + " Lebanon's government called for calm."},
    ]
    corpus = root / "hostile.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = root / "out"
    summary = run_analyze([str(SEEDS), str(corpus)], AnalyzeOptions(outdir=out, workers=1, write_outputs=False))
    assert summary.ok, summary.skipped
    conn = sqlite3.connect(out / "crossread.db")
    with conn:
        conn.execute("UPDATE articles SET outlet = ? WHERE outlet = 'Evil Wire'", (HOSTILE_OUTLET,))
        conn.execute("UPDATE actors SET name = ? WHERE name = 'Iran'", (HOSTILE_ACTOR,))
    conn.close()
    return out


def sql(outdir: Path, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of a query on the SQLite store of ``outdir``."""
    import sqlite3

    conn = sqlite3.connect(outdir / "crossread.db")
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()
