"""Confidence on events, quotes, claims and claim relations; claim polarity and hedging; who makes a
claim relation's statement.

New nullable columns (``crossread.store.migrate.ADDED_COLUMNS["0003"]``). Rows stored by an earlier
release keep NULL there ("not measured"); their stories get them when they are analysed again
(every story of a migrated store is marked stale for that).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from crossread.store.migrate import ADDED_COLUMNS, FINGERPRINTS, schema_fingerprint
    from crossread.store.schema import metadata

    if schema_fingerprint(revision) != FINGERPRINTS[revision]:
        raise RuntimeError("crossread.store.schema changed after revision 0003 was written: add a revision")
    for table, column in ADDED_COLUMNS[revision]:
        model = metadata.tables[table].columns[column]
        op.add_column(table, sa.Column(column, model.type, nullable=True))
    # the story records gain their confidences when the stories are analysed again
    op.execute(sa.text("UPDATE stories SET stale = :stale").bindparams(stale=True))


def downgrade() -> None:
    for table, column in reversed(__import__("crossread.store.migrate", fromlist=["ADDED_COLUMNS"])
                                  .ADDED_COLUMNS[revision]):
        op.drop_column(table, column)
