"""Schema revisions (Alembic): every store is upgraded to the newest revision when it is opened."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0002"
# DDL hash of crossread.store.schema at each revision that creates its tables from it (see 0002).
FINGERPRINTS = {"0002": "a62256f4c07adc43"}


class StoreVersionError(RuntimeError):
    """The store was written by a newer crossread, or is not a crossread store."""


def schema_fingerprint() -> str:
    """A hash of the tables and indexes :mod:`crossread.store.schema` describes (SQLite and PostgreSQL DDL)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from crossread.store.schema import metadata

    parts = []
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for table in metadata.sorted_tables:
            parts.append(str(CreateTable(table).compile(dialect=dialect)).strip())
            parts += sorted(str(CreateIndex(index).compile(dialect=dialect)).strip() for index in table.indexes)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _config(connection):  # noqa: ANN001, ANN202
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the store to the newest revision (creating it when empty)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current == HEAD:
            return
        config = _config(conn)
        known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            raise StoreVersionError(f"this store has schema revision {current}, which this crossread does not "
                                    f"know (its newest is {HEAD}): it was written by a newer crossread")
        tables = set(inspect(conn).get_table_names())
        if current is None and "article_records" in tables:
            command.stamp(config, "0001")  # written before revisions were kept
        elif current is None and tables - {"alembic_version"}:
            raise StoreVersionError(f"not a crossread store: it has tables ({', '.join(sorted(tables)[:5])}...) "
                                    "but no crossread schema revision")
        command.upgrade(config, "head")
