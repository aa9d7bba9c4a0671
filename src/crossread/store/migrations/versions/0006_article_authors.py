"""Articles' authors (bylines): the ``article_authors`` table (``article_id``, ``position``, ``name``).

A new table (``crossread.store.migrate.ADDED_TABLES["0006"]``), created as ``crossread.store.schema``
describes it at this revision (``metadata_at("0006")``). Articles stored by an earlier release read no bylines: they keep no author rows until
they are analysed again from their pages (the store holds their cleaned text, not the markup the
bylines come from), so nothing is filled in here.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from crossread.store.migrate import ADDED_TABLES, FINGERPRINTS, metadata_at, schema_fingerprint

    if schema_fingerprint(revision) != FINGERPRINTS[revision]:
        raise RuntimeError("crossread.store.schema changed after revision 0006 was written: add a revision")
    bind = op.get_bind()
    tables = metadata_at(revision).tables  # as of this revision: later ones may add columns
    for name in ADDED_TABLES[revision]:
        tables[name].create(bind)  # with its indexes


def downgrade() -> None:
    from crossread.store.migrate import ADDED_TABLES

    for name in reversed(ADDED_TABLES[revision]):
        op.drop_table(name)
