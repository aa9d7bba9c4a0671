"""Writing output files safely."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

# Create-only, never through a symlink, binary (no newline translation on Windows), not inherited by children.
_TEMP_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
               | getattr(os, "O_CLOEXEC", 0))


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temp file beside ``path``, created with mode 0o666 so that the umask applies.

    (``tempfile.mkstemp`` would create it 0o600, and the output would stay private after the rename.)
    """
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temp file beside {path}")


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write UTF-8 text so that readers see the old file or the new one, never half of it.

    The file gets the permissions a plain ``open(path, "w")`` would give a new file
    (0o666 less the umask: 0o644 under umask 022), whatever the old file's mode was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_atomic(path, "w") as fh:
        fh.write(text)


@contextmanager
def open_atomic(path: Path | str, mode: str = "w") -> Iterator[IO[Any]]:
    """A file to stream into (``"w"``: UTF-8 text, ``"wb"``: bytes) that appears at ``path`` only when the
    block ends without an error: readers see the old file or the new one, never half of it. The parent
    folder must exist."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_atomic: mode {mode!r} (use 'w' or 'wb')")
    path = Path(path)
    # Temp file in the same directory so os.replace is an atomic rename on one filesystem.
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": ""} if mode == "w" else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write (disk full) names no file: say which output it was
        raise
