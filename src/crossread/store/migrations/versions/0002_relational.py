"""One table per record kind with typed columns; story-partitioned cross-source records; full-text search.

From a 0001 store: the article payloads and their extracted records are kept in ``v1_articles`` and
``v1_article_records`` and queued (``pending`` kind ``import_v1``); the next run files them into the
new tables (:meth:`crossread.store.Store.import_v1`) — nothing is parsed again. The old corpus-level
blobs, story assignments, index snapshot and sentence-vector cache are dropped: they are recomputed
from the articles (the cached vectors were encoded in padded batches, which the embedding service no
longer does, so keeping them would make a migrated store differ from a fresh one).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The tables this revision creates are those of ``crossread.store.schema`` when it was written:
# ``metadata_at("0002")`` (schema.py without the columns later revisions add), whose DDL hash is
# ``crossread.store.migrate.FINGERPRINTS["0002"]``.


def _fts_sqlite(bind: sa.engine.Connection) -> None:
    statements = [
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='seq', "
        "tokenize='porter unicode61')",
        "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END",
        "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text); END",
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END",
        "CREATE VIRTUAL TABLE claims_fts USING fts5(text, content='claims', content_rowid='seq', "
        "tokenize='porter unicode61')",
        "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN "
        "INSERT INTO claims_fts(rowid, text) VALUES (new.seq, new.text); END",
        "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN "
        "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.seq, old.text); END",
    ]
    for statement in statements:
        bind.exec_driver_sql(statement)


def _fts_postgresql(bind: sa.engine.Connection) -> None:
    statements = [
        "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS "
        "(to_tsvector('english', coalesce(title, '') || ' ' || text)) STORED",
        "CREATE INDEX ix_articles_search ON articles USING GIN (search)",
        "ALTER TABLE claims ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
        "CREATE INDEX ix_claims_search ON claims USING GIN (search)",
    ]
    for statement in statements:
        bind.exec_driver_sql(statement)


def upgrade() -> None:
    from crossread.store.migrate import FINGERPRINTS, metadata_at, schema_fingerprint

    bind = op.get_bind()
    if schema_fingerprint(revision) != FINGERPRINTS[revision]:
        raise RuntimeError("crossread.store.schema differs from revision 0002 by more than the columns later "
                           "revisions add (crossread.store.migrate.ADDED_COLUMNS)")
    metadata = metadata_at(revision)
    existing = set(sa.inspect(bind).get_table_names())
    legacy = "article_records" in existing
    if legacy:
        bind.exec_driver_sql("CREATE TABLE v1_articles AS SELECT id, seq, payload FROM articles")
        bind.exec_driver_sql("CREATE TABLE v1_article_records AS SELECT article_id, kind, payload FROM article_records")
    for table in ("index_state", "article_stories", "embeddings", "corpus_records", "article_records", "articles"):
        if table in existing:
            op.drop_table(table)
    metadata.create_all(bind)
    if bind.dialect.name == "sqlite":
        _fts_sqlite(bind)
    elif bind.dialect.name == "postgresql":
        _fts_postgresql(bind)
    if legacy:
        bind.exec_driver_sql("INSERT INTO pending (kind, item) SELECT 'import_v1', id FROM v1_articles")


def downgrade() -> None:
    raise NotImplementedError("a 0002 store cannot be turned back into a 0001 store; restore a backup")
