"""Confidence on events, quotes, claims and claim relations; claim polarity and hedging; who makes a
claim relation's statement.

New nullable columns (``crossread.store.migrate.ADDED_COLUMNS["0003"]``). Rows stored by an earlier
release keep NULL there ("not measured"); their stories get them when they are analysed again
(every story of a migrated store is marked stale for that).

The ``surname`` of every article actor (the word by which variants of one name are matched) is
computed again as this release does it (accents folded, "Jr."/"III" left out; the last word of a
non-person name that could be a person's), so that new articles' name forms find the stored ones:
a unit of names is regrouped by this release's rules when a new form touches it.

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
    _recompute_surnames(op.get_bind())


def _recompute_surnames(bind: sa.engine.Connection) -> None:
    from crossread.link.actor_resolve import _link_word

    rows = bind.execute(sa.text("SELECT DISTINCT name, type, merge_key, surname FROM article_actors")).all()
    update = sa.text("UPDATE article_actors SET surname = :new WHERE name = :name AND type = :type "
                     "AND merge_key = :key")
    for name, type_, key, old in rows:
        new = _link_word(name, type_, key)
        if new != old:
            bind.execute(update, {"new": new, "name": name, "type": type_, "key": key})


def downgrade() -> None:
    for table, column in reversed(__import__("crossread.store.migrate", fromlist=["ADDED_COLUMNS"])
                                  .ADDED_COLUMNS[revision]):
        op.drop_column(table, column)
