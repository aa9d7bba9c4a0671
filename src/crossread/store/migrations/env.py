"""Alembic environment: crossread runs migrations on the connection it opened (never from a URL in
an ini file), see :func:`crossread.store.migrate.upgrade`."""

from alembic import context

from crossread.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
