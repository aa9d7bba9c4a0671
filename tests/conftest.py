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


# --------------------------------------------------------------------------- stores served by the web app

# Script in every shape a page could let run: a script element and an event handler (tests/test_serve*.py)
HOSTILE = '<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'
# The text columns a page or the API shows, each of which the hostile store fills with HOSTILE
HOSTILE_COLUMNS = {
    "articles": ("title", "outlet", "source", "published", "format"),
    "stories": ("title",),
    "actors": ("name", "type", "role", "country"),
    "actor_aliases": ("alias",),
    "events": ("plover", "mode", "cameo", "trigger", "date", "location"),
    "quotes": ("speaker_text", "cue", "content", "kind"),
    "claims": ("text",),
    "derivations": ("kind",),
    "labels": ("label", "outlet"),
    "loaded_terms": ("term", "outlet"),
    "signals": ("kind", "text"),
    "removed_chrome": ("text", "reason"),
    "article_authors": ("name",),
}


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of ``crossread analyze examples/seeds`` (the store only), analysed once per test
    session: read it, never write to it."""
    from crossread.pipeline import AnalyzeOptions, run_analyze

    out = tmp_path_factory.mktemp("demo-store")
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=out, write_outputs=False)).ok
    return out


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose every shown text holds :data:`HOSTILE`: four analysed articles (three outlets, two stories
    of two outlets each, 2024-03-25 to 2024-03-27) with script in their titles, texts and outlets, then every
    column of :data:`HOSTILE_COLUMNS` suffixed with it (the first article's two authors too), a label, a loaded term, a signal and a removed chrome
    line made of it, and the redirects ``story_old`` and ``actor_old`` (ids merged into others)."""
    import json
    import sqlite3

    from crossread.pipeline import AnalyzeOptions, run_analyze

    folder = tmp_path_factory.mktemp("hostile-store")
    text = ("Hamas leader Ismail Haniyeh met Iranian officials in Tehran on Tuesday {p}. Iran said it supports "
            "the ceasefire resolution at the United Nations Security Council, the foreign ministry said. "
            "\"We welcome the vote {p}\", Haniyeh said after talks with Foreign Minister Hossein Amir-Abdollahian. "
            "Israel accused Iran of backing the terror group and its war in Gaza. Qatar and Egypt mediated the "
            "hostage negotiations while the Security Council resolution demanded an immediate ceasefire.")
    storm = ("A powerful hurricane struck the coast of Florida on Monday {p}. Governor Ron DeSantis declared a "
             "state of emergency in Miami and Tampa as flooding and winds of 120 miles per hour destroyed homes. "
             "The National Weather Service warned of storm surge along the Gulf coast, and thousands of residents "
             "evacuated to shelters. Power companies said two million customers lost electricity.")
    rows = [
        {"text": text.format(p=HOSTILE), "title": "Haniyeh in Tehran " + HOSTILE, "outlet": "Outlet " + HOSTILE,
         "published": "2024-03-26", "url": "javascript:alert(1)", "authors": ["Jane Doe", "John Roe"]},
        {"text": text.format(p=HOSTILE).replace("Tuesday", "Tuesday morning"), "title": "Iran " + HOSTILE,
         "outlet": "Second " + HOSTILE, "published": "2024-03-27", "url": "https://example.org/a"},
        {"text": storm.format(p=HOSTILE), "title": "Storm " + HOSTILE, "outlet": "Outlet " + HOSTILE,
         "published": "2024-03-25"},
        {"text": storm.format(p=HOSTILE).replace("two million", "nearly two million"), "title": "Storm hits " + HOSTILE,
         "outlet": "Third " + HOSTILE, "published": "2024-03-27"},
    ]
    corpus = folder / "hostile.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = folder / "out"
    # with embeddings: on four short articles the lexical story features alone file them in one story
    assert run_analyze([str(corpus)], AnalyzeOptions(outdir=out, write_outputs=False, workers=1)).ok
    conn = sqlite3.connect(out / "crossread.db")
    try:
        story_id, article_id, outlet = conn.execute(
            "SELECT story_id, id, outlet FROM articles WHERE story_id IS NOT NULL ORDER BY seq").fetchone()
        actor_id = conn.execute("SELECT id FROM actors ORDER BY id").fetchone()[0]
        conn.execute("INSERT INTO labels (story_id, outlet, actor_id, label, position, article_id, char_start, "
                     "char_end, sentence_start, sentence_end) VALUES (?, ?, ?, ?, 0, ?, 0, 5, 0, 5)",
                     (story_id, outlet, actor_id, "label " + HOSTILE, article_id))
        conn.execute("INSERT INTO loaded_terms (story_id, outlet, actor_id, term, position, article_id, char_start, "
                     "char_end, sentence_start, sentence_end) VALUES (?, ?, ?, ?, 0, ?, 0, 5, 0, 5)",
                     (story_id, outlet, actor_id, "term " + HOSTILE, article_id))
        conn.execute("INSERT INTO signals (article_id, position, kind, text, char_start, char_end) "
                     "VALUES (?, 0, ?, ?, 0, 5)", (article_id, "kind " + HOSTILE, "signal " + HOSTILE))
        conn.execute("INSERT INTO removed_chrome (article_id, position, text, reason) VALUES (?, 0, ?, ?)",
                     (article_id, "chrome " + HOSTILE, "reason " + HOSTILE))
        conn.execute("INSERT INTO story_redirects (old_id, story_id) VALUES ('story_old', ?)", (story_id,))
        conn.execute("INSERT INTO actor_redirects (old_id, actor_id) VALUES ('actor_old', ?)", (actor_id,))
        for table, columns in HOSTILE_COLUMNS.items():
            sets = ", ".join(f"{c} = coalesce({c}, '') || ' ' || :p" for c in columns)
            conn.execute(f"UPDATE {table} SET {sets}", {"p": HOSTILE})
        conn.commit()
    finally:
        conn.close()
    return out


# Text no export may break or run: quotes, commas, tabs, line breaks, markup.
EXPORT_HOSTILE = '<script>alert("x")</script>'
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
              f'strike "a crime, {EXPORT_HOSTILE}". Hezbollah said it would retaliate against Israel.')
    records = [
        {"title": f'Iran, "Israel" and {EXPORT_HOSTILE}', "outlet": "Evil Wire", "published": "2024-03-04",
         "url": 'https://example.org/a?x=1,2&y="3"', "authors": "By Jane Doe and John Roe, Staff Writers",
         "text": 'Iran condemned Israel on Monday, calling the strike "a crime". The Iranian foreign minister '
                 f'said: "We will respond, {EXPORT_HOSTILE}, with force."\n\nIsrael attacked Hezbollah positions in '
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
