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
