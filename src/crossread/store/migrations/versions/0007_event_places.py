"""Each event's gazetteer place (``geonames_id``, ``place_name``, ``place_country``, ``place_admin1``,
``latitude``, ``longitude``, ``place_source``; crossread.extract.geocode) on ``article_events`` and
``events``.

New nullable columns (``crossread.store.migrate.ADDED_COLUMNS["0007"]``). Releases before this one
resolved no place: a stored event keeps NULL until its article is analysed again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from crossread.store.migrate import ADDED_COLUMNS, FINGERPRINTS, schema_fingerprint
    from crossread.store.schema import metadata

    if schema_fingerprint(revision) != FINGERPRINTS[revision]:
        raise RuntimeError("crossread.store.schema changed after revision 0007 was written: add a revision")
    for table, column in ADDED_COLUMNS[revision]:
        model = metadata.tables[table].columns[column]
        op.add_column(table, sa.Column(column, model.type, nullable=True))


def downgrade() -> None:
    from crossread.store.migrate import ADDED_COLUMNS

    for table, column in reversed(ADDED_COLUMNS[revision]):
        op.drop_column(table, column)
