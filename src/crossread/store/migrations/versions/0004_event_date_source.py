"""How each event's date was found (``date_source``: clause, sentence or published); actors' CAMEO
sector codes (``sector``); indexes for browsing by outlet (``crossread serve``'s outlet pages and filters).

New nullable columns (``crossread.store.migrate.ADDED_COLUMNS["0004"]``). Releases before this one
dated an event only from a date expression in its own clause, so a stored date is marked ``clause``;
an undated stored event keeps NULL until its article is analysed again by this release (which dates
it from its sentence or, failing that, its publication date). A stored actor's ``sector`` stays NULL
until its article is analysed again.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from crossread.store.migrate import ADDED_COLUMNS, ADDED_INDEXES, FINGERPRINTS, schema_fingerprint
    from crossread.store.schema import metadata

    if schema_fingerprint(revision) != FINGERPRINTS[revision]:
        raise RuntimeError("crossread.store.schema changed after revision 0004 was written: add a revision")
    for table, column in ADDED_COLUMNS[revision]:
        model = metadata.tables[table].columns[column]
        op.add_column(table, sa.Column(column, model.type, nullable=True))
        if column == "date_source":
            op.execute(sa.text(f"UPDATE {table} SET date_source = 'clause' WHERE date IS NOT NULL"))
    bind = op.get_bind()
    for table, name in ADDED_INDEXES[revision]:
        next(i for i in metadata.tables[table].indexes if i.name == name).create(bind)


def downgrade() -> None:
    from crossread.store.migrate import ADDED_COLUMNS, ADDED_INDEXES

    for table, name in ADDED_INDEXES[revision]:
        op.drop_index(name, table_name=table)
    for table, column in reversed(ADDED_COLUMNS[revision]):
        op.drop_column(table, column)
