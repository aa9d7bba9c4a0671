"""Faults of the environment (disk full, read-only or unwritable folders, a damaged or busy store) in
the user's words: one line naming what failed and what to do, never a traceback.

Only faults the user can act on are translated; anything else is a bug and is left to raise.
"""

from __future__ import annotations

import errno
from typing import Any

__all__ = ["describe_fault", "store_label_of"]

_RERUN = "what was stored is kept: free some space and run the same command again"


def store_label_of(url: str) -> str:
    """How messages name the store at ``url``: its file for SQLite, its URL (no password) otherwise."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def describe_fault(exc: BaseException, store: str) -> str | None:
    """One line for ``exc`` when it is a fault of the environment or of the store named ``store``;
    None otherwise."""
    from sqlalchemy.exc import DBAPIError

    from crossread.store.lock import StoreInUse
    from crossread.store.migrate import StoreVersionError

    if isinstance(exc, (StoreInUse, StoreVersionError)):
        return str(exc)
    if isinstance(exc, DBAPIError):
        return _database_fault(exc, store)
    if isinstance(exc, OSError):
        return _os_fault(exc)
    return None


def _os_fault(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write{where}: the disk is full ({exc.strerror}); {_RERUN}"
    if exc.errno == errno.EROFS:
        return f"cannot write{where}: {exc.strerror}"
    return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)  # e.g. permission denied


def _database_fault(exc: Any, store: str) -> str | None:
    import sqlite3

    orig = exc.orig
    message = " ".join(str(orig).split()) or type(orig).__name__
    if isinstance(orig, sqlite3.DatabaseError):
        lower = message.lower()
        if "disk is full" in lower:
            return f"cannot write store {store}: the disk is full; {_RERUN}"
        if "readonly" in lower or "read-only" in lower:
            return f"cannot write store {store}: it is read-only ({message})"
        if "database is locked" in lower:  # another program (not a crossread run) holds it
            return f"store {store} is locked by another program; run again when it has finished"
        if "unable to open" in lower:
            return f"cannot open store {store}: {message}"
        if "disk i/o error" in lower:
            return f"cannot read or write store {store}: {message} (is its disk full or failing?)"
        if any(sign in lower for sign in _DAMAGE):
            return f"store {store} is damaged: {message} (`crossread store check` says more)"
        return None  # e.g. a constraint failed: a bug, not the environment
    if type(orig).__module__.startswith("psycopg") and type(orig).__name__ == "OperationalError":
        return f"cannot reach store {store}: {message[:300]}"
    return None


# what SQLite says of a file that is no (longer a whole) database, or of tables gone from it
_DAMAGE = ("not a database", "malformed", "corrupt", "no such table", "no such column")
