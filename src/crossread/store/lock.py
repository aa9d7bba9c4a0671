"""One store, one writer: the lock a run holds on its store from opening it to closing it.

Two runs writing one store at once interleave their transactions (sequence numbers, story filing,
migrations), so the second run to come stops before it writes anything, saying which store is in use.

* SQLite: ``flock`` on a lock file beside the database (``crossread.db.lock``). Not a lock on the
  database file itself: closing any other descriptor of that file would drop SQLite's own POSIX locks.
  The kernel releases the lock when the process ends, however it ends: a killed run never leaves a
  stale lock behind, and the file is left in place (removing it would race with the next run).
* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection held for the
  run; it is local to the database, and the server drops it with the session.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["StoreInUse", "WriterLock", "lock_file", "store_label"]

# one advisory key for "the crossread writer" (a signed 64-bit integer, as pg_try_advisory_lock takes)
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"crossread store writer").digest()[:8], "big", signed=True)


class StoreInUse(RuntimeError):
    """Another run holds the store's writer lock."""


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine (None: in memory, or another database)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    return Path(database) if database and database != ":memory:" and not database.startswith("file:") else None


def store_label(engine: Engine) -> str:
    """How messages name a store: its file for SQLite, its URL (no password) otherwise."""
    path = sqlite_file(engine)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class WriterLock:
    """The writer lock of the store behind ``engine``; :meth:`acquire` raises :class:`StoreInUse`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._fd: int | None = None
        self._conn: Any = None

    def acquire(self) -> None:
        path = sqlite_file(self.engine)
        if path is not None:
            self._acquire_file(lock_file(path))
        elif self.engine.dialect.name == "postgresql":
            self._acquire_advisory()
        # other databases (and SQLite in memory): nothing another run could share

    def _in_use(self, holder: str = "") -> StoreInUse:
        return StoreInUse(f"store {store_label(self.engine)} is in use by another run{holder}; "
                          "run this one again when that one has finished")

    def _acquire_file(self, path: Path) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no flock (runs there are not guarded)
            return
        # 0o666: the lock file follows the umask like the store beside it
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise self._in_use(f" (process {holder})" if holder.isdigit() else "") from None
        except BaseException:
            os.close(fd)
            raise
        # the holder's pid, for the message of a run that finds the store in use
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def _acquire_advisory(self) -> None:
        conn = self.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
            conn.commit()  # a session lock outlives the transaction; leave none open for the whole run
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            raise self._in_use()
        self._conn = conn

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._conn.commit()
            finally:
                self._conn.close()  # the server drops a session's locks with it anyway
                self._conn = None
