"""Schema revisions (Alembic): every store is upgraded to the newest revision when it is opened."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0007"
# DDL hash of crossread.store.schema as of each revision (:func:`metadata_at`): a change of schema.py
# that no revision accounts for changes the newest hash, and the migration tests fail.
FINGERPRINTS = {"0002": "e5d38acd9a9e2bba", "0003": "67fe301423c55a1e", "0004": "a5b9afe383459d58",
                "0005": "7348b81c70288afb", "0006": "50473f780ffcc941", "0007": "8d7e92d6892d84d7"}
# Columns each revision after 0002 adds to the tables 0002 created: 0002 creates the tables as they
# were then (schema.py without these), and the revision adds them, so both paths end in one schema.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "0003": (("article_events", "confidence"), ("article_quotes", "confidence"), ("article_claims", "negated"),
             ("article_claims", "hedged"), ("article_claims", "confidence"), ("events", "confidence"),
             ("quotes", "confidence"), ("claims", "negated"), ("claims", "hedged"), ("claims", "confidence"),
             ("claim_relations", "speaker_id"), ("claim_relations", "confidence")),
    "0004": (("article_events", "date_source"), ("events", "date_source"), ("article_actors", "sector"),
             ("actors", "sector")),
    # the event's gazetteer place (crossread.store.schema.PLACE_COLUMNS)
    "0007": tuple((table, column) for table in ("article_events", "events")
                  for column in ("geonames_id", "place_name", "place_country", "place_admin1", "latitude",
                                 "longitude", "place_source")),
}
# Tables each revision after 0002 creates (with their own indexes), likewise.
ADDED_TABLES: dict[str, tuple[str, ...]] = {
    "0005": ("actor_story_months", "actor_story_links"),
    "0006": ("article_authors",),
}
# Indexes each revision after 0002 adds to existing tables, likewise.
ADDED_INDEXES: dict[str, tuple[tuple[str, str], ...]] = {
    "0004": (("articles", "ix_articles_outlet_date_story"), ("articles", "ix_articles_seq_story"),
             ("labels", "ix_labels_outlet_term"),
             ("loaded_terms", "ix_loaded_terms_outlet_term")),
}


# Tables each revision after 0002 adds (with their indexes), likewise.


class StoreVersionError(RuntimeError):
    """The store was written by a newer crossread, or is not a crossread store."""


def metadata_at(revision: str):  # noqa: ANN201 -- a sqlalchemy MetaData
    """The tables of :mod:`crossread.store.schema` as of ``revision`` (without the columns and indexes
    later revisions add)."""
    from sqlalchemy import MetaData

    from crossread.store.schema import metadata

    later = {col for rev, cols in ADDED_COLUMNS.items() if rev > revision for col in cols}
    later_indexes = {ix for rev, ixs in ADDED_INDEXES.items() if rev > revision for ix in ixs}
    later_tables = {t for rev, tables in ADDED_TABLES.items() if rev > revision for t in tables}
    if not later and not later_indexes and not later_tables:
        return metadata
    frozen = MetaData()
    for table in metadata.sorted_tables:
        if table.name in later_tables:
            continue
        copy = table.to_metadata(frozen)
        for name in [c.name for c in copy.columns if (table.name, c.name) in later]:
            copy._columns.remove(copy.columns[name])  # no public API removes a column from a Table
        for index in [i for i in copy.indexes if (table.name, i.name) in later_indexes]:
            copy.indexes.discard(index)
    return frozen


def schema_fingerprint(revision: str = HEAD) -> str:
    """A hash of the tables and indexes :mod:`crossread.store.schema` describes as of ``revision``
    (SQLite and PostgreSQL DDL)."""
    from sqlalchemy.dialects import postgresql, sqlite

    metadata = metadata_at(revision)
    parts = []
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for table in metadata.sorted_tables:
            # lines sorted: a copied table (metadata_at) lists its constraints in another order
            ddl = str(CreateTable(table).compile(dialect=dialect)).strip().splitlines()
            parts += sorted(line.strip().rstrip(",") for line in ddl)
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
