"""The store of crossread 0.1 before revisions were kept: articles and records as JSON blobs.

Stores written then have no ``alembic_version`` table; :func:`crossread.store.migrate.upgrade`
recognises them by their ``article_records`` table and stamps them with this revision.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, index=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("outlet", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.String(40)),
        sa.Column("language", sa.String(16)),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "article_records",
        sa.Column("article_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "corpus_records",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "embeddings",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("vector", sa.Text, nullable=False),
    )
    op.create_table(
        "article_stories",
        sa.Column("article_id", sa.String(64), primary_key=True),
        sa.Column("story_id", sa.String(64), nullable=False, index=True),
    )
    op.create_table(
        "index_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("state", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in ("index_state", "article_stories", "embeddings", "corpus_records", "article_records", "articles"):
        op.drop_table(table)
