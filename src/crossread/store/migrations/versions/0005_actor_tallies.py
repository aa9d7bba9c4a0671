"""Per-story tallies of each actor's events (``actor_story_months``, ``actor_story_links``): an actor's
timeline and network are read from them instead of from every event of the actor.

New tables (``crossread.store.migrate.ADDED_TABLES["0005"]``), filled from the stored events: exact for
every story, as if each had been written by this release.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from crossread.store.migrate import ADDED_TABLES, FINGERPRINTS, metadata_at, schema_fingerprint
    from crossread.store.tallies import retally_all

    if schema_fingerprint(revision) != FINGERPRINTS[revision]:
        raise RuntimeError("crossread.store.schema changed after revision 0005 was written: add a revision")
    bind = op.get_bind()
    tables = metadata_at(revision).tables  # as of this revision: later ones may add columns
    for name in ADDED_TABLES[revision]:
        tables[name].create(bind)
    retally_all(bind)


def downgrade() -> None:
    from crossread.store.migrate import ADDED_TABLES

    for name in reversed(ADDED_TABLES[revision]):
        op.drop_table(name)
