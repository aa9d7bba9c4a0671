"""``crossread store check``: what is wrong with a store, in the user's words, without changing it.

Checked: that it opens as a database, SQLite's own page and index check (``PRAGMA integrity_check``),
rows that refer to missing rows (``PRAGMA foreign_key_check``; PostgreSQL enforces these itself), the
schema revision against this crossread's, and the tables and columns that revision has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

__all__ = ["StoreCheck", "check_store"]

_MAX_SHOWN = 10  # lines of one kind of problem shown; the rest are counted


@dataclass
class StoreCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    articles: int | None = None
    revision: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(url: str) -> StoreCheck:
    """Check the store at ``url`` (read only: nothing is migrated or repaired)."""
    from crossread.store import _with_installed_driver
    from crossread.store.lock import sqlite_file

    result = StoreCheck()
    engine = create_engine(_with_installed_driver(url), future=True)
    path = sqlite_file(engine)
    if path is not None and not path.is_file():
        result.problems.append("there is no such file")
        return result
    try:
        with engine.connect() as conn:
            # pages SQLite cannot read have no schema worth checking
            if engine.dialect.name != "sqlite" or _sqlite_checks(conn, result):
                _schema_checks(conn, result)
    except DBAPIError as exc:
        result.problems.append(" ".join(str(exc.orig).split()))
    finally:
        engine.dispose()
    return result


def _sqlite_checks(conn, result: StoreCheck) -> bool:  # noqa: ANN001
    """SQLite's page and foreign-key checks; False when its pages are damaged."""
    rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check")).all()]
    if rows != ["ok"]:
        result.problems += _capped(rows)
        return False
    missing: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fk in conn.execute(text("PRAGMA foreign_key_check")).all():
        missing[(table, parent)] = missing.get((table, parent), 0) + 1
    result.problems += [f"{n} row(s) of {table} refer to rows missing from {parent}"
                        for (table, parent), n in sorted(missing.items())]
    return True


def _schema_checks(conn, result: StoreCheck) -> None:  # noqa: ANN001
    from alembic.runtime.migration import MigrationContext

    from crossread.store.migrate import HEAD, metadata_at

    tables = set(inspect(conn).get_table_names())
    if not tables:
        result.notes.append("the store is empty (the first run creates its tables)")
        return
    revision = MigrationContext.configure(conn).get_current_revision()
    result.revision = revision
    if revision is None:
        kind = "an older crossread's" if "article_records" in tables else "no crossread"
        result.problems.append(f"it has tables but no schema revision ({kind} store?)")
        return
    if revision > HEAD:
        result.problems.append(f"schema revision {revision} is newer than this crossread's ({HEAD}): "
                               "it was written by a newer crossread")
        return
    if revision < HEAD:
        result.notes.append(f"schema revision {revision}, older than this crossread's ({HEAD}): the next "
                            "`crossread analyze` or `crossread report` upgrades it")
    if revision < "0002":
        return  # the previous release's tables: the upgrade replaces them
    expected = metadata_at(revision)
    absent = []
    for table in expected.sorted_tables:
        if table.name not in tables:
            absent.append(f"table {table.name} is missing")
            continue
        have = {c["name"] for c in inspect(conn).get_columns(table.name)}
        absent += [f"column {table.name}.{c.name} is missing" for c in table.columns if c.name not in have]
    result.problems += _capped(absent)
    if "articles" in tables and not absent:
        result.articles = int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())


def _capped(lines: list[str]) -> list[str]:
    return lines[:_MAX_SHOWN] + ([f"... and {len(lines) - _MAX_SHOWN} more"] if len(lines) > _MAX_SHOWN else [])
