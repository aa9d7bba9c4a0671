"""Load the Parquet tables of ``crossread spark`` into a store (``crossread store import-parquet``).

The folder holds one Parquet dataset per store table, made by the store's own row mapping
(:mod:`crossread.store.rows`). They go into a new, empty store table by table (parents first) in
batches, in one transaction. The corpus-wide actors (``actors``, ``actor_aliases``,
``actor_counts``) are then made by the store itself (:meth:`~crossread.store.Store.resolve_actors`)
from the article actors, and must give the actor ids the Spark job wrote: the check that both
grouped the same way. Every story is then due for the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

BATCH_ROWS = 5000


class ParquetImportError(ValueError):
    """The folder is not the output of ``crossread spark``, or the store is not empty."""


def _batches(folder: Path, columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(folder), format="parquet")
    present = [c for c in columns if c in dataset.schema.names]
    for batch in dataset.to_batches(columns=present, batch_size=BATCH_ROWS):
        yield batch.to_pylist()


def import_parquet(path: str | Path, store: Any) -> dict[str, int]:
    """Insert the tables under ``path`` into ``store`` (empty); rows per table. Raises
    :class:`ParquetImportError` when ``path`` holds no ``articles`` table or the store has articles."""
    from crossread.store import schema as s

    root = Path(path)
    if not (root / "articles").is_dir():
        raise ParquetImportError(f"{root}: no articles/ table there (the --out folder of crossread spark)")
    if store.article_count():
        raise ParquetImportError("the store already holds articles: import into a new store")
    counts: dict[str, int] = {}
    actor_ids: dict[tuple[str, str], str] = {}
    with store.transaction() as conn:
        for table in s.metadata.sorted_tables:  # parents before children
            folder = root / table.name
            if not folder.is_dir():
                continue
            columns = [c.name for c in table.columns]
            n = 0
            for rows in _batches(folder, columns):
                for row in rows:
                    if table.name == "article_actors":  # the store groups them again below
                        actor_ids[(row["article_id"], row["local_id"])] = row["actor_id"]
                        row["actor_id"] = None
                    for column in table.primary_key.columns:  # autoincrement keys (claims.seq) left to the database
                        if row.get(column.name) is None:
                            row.pop(column.name, None)
                store.insert_rows(conn, table.name, rows)
                n += len(rows)
            counts[table.name] = n
    store.resolve_actors()
    regrouped = store.article_actor_ids()
    differ = [key for key, aid in actor_ids.items() if regrouped.get(key) != aid]
    if differ:
        article, local = differ[0]
        raise ParquetImportError(f"{len(differ)} article actor(s) group differently in the store than in the "
                                 f"Parquet tables (first: {local} of article {article}); were they written "
                                 "by another crossread version?")
    from crossread.store.tallies import retally_all

    with store.transaction() as conn:  # the per-story actor tallies, as write_story keeps them
        retally_all(conn)
    store.mark_pending("report", store.story_ids())
    return counts
