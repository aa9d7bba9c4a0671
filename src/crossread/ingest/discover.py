"""Expand input paths (files, directories, glob patterns) into a sorted list of files."""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterator, Sequence

__all__ = ["discover"]


def _walk(directory: str, unreadable: list[tuple[str, str]] | None = None) -> list[str]:
    """All non-hidden files under ``directory`` (hidden dirs are not entered), sorted. A folder that
    cannot be listed is added to ``unreadable`` with the reason (os.walk would pass over it silently)."""
    found: list[str] = []

    def failed(exc: OSError) -> None:
        if unreadable is not None:
            unreadable.append((exc.filename or directory, f"cannot read this folder: {exc.strerror or exc} "
                                                          "(the files in it are not read)"))

    for root, dirs, files in os.walk(directory, onerror=failed):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, f) for f in files if not f.startswith("."))
    return sorted(found)


def _glob_base(pattern: str) -> str:
    """The folder a pattern's matches all lie under: its leading components without wildcards."""
    parts: list[str] = []
    for part in pattern.split(os.sep):
        if glob.has_magic(part):
            break
        parts.append(part)
    return os.sep.join(parts) or ("/" if pattern.startswith(os.sep) else ".")


def _special_file(path: str) -> str | None:
    """Why ``path`` cannot be read as a file (a FIFO would block the run forever), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"{kind}: not read"


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> Iterator[tuple[str, str | None]]:
    """Yield ``(path, None)`` per file to read, or ``(path, reason)`` for a bad input path.

    Order: inputs in the order given, each expanded and sorted; duplicates are dropped. Files under
    ``exclude`` (the run's own output folder and store) are never read.
    """
    seen: set[str] = set()
    excluded = [os.path.normpath(os.path.abspath(os.fspath(e))) for e in exclude]

    def own(path: str) -> bool:
        key = os.path.normpath(os.path.abspath(path))
        return any(key == e or key.startswith(e + os.sep) for e in excluded)

    def emit(files: list[str]) -> Iterator[tuple[str, str | None]]:
        for f in files:
            key = os.path.normpath(os.path.abspath(f))
            if own(f):
                continue  # the run's own outputs (an output folder inside the input folder)
            # one file reached over a symlink loop ("a/loop/loop/x.txt") is the same file
            real = os.path.realpath(key)
            if real in seen:
                continue
            seen.add(real)
            special = _special_file(f)
            yield f, special

    for path in paths:
        path = os.fspath(path)
        unreadable: list[tuple[str, str]] = []
        if os.path.isdir(path):
            yield from emit(_walk(path, unreadable))
            yield from sorted(u for u in unreadable if not own(u[0]))
        elif os.path.isfile(path):
            yield from emit([path])
        elif os.path.exists(path):
            yield path, "not a regular file"
        elif glob.has_magic(path):
            matches = sorted(glob.glob(path, recursive=True))
            if "**" in path:  # glob passes over a folder it cannot list in silence: say which
                _walk(_glob_base(path), unreadable)
            files: list[str] = []
            for m in matches:
                if os.path.isdir(m):
                    files.extend(_walk(m, unreadable))
                elif os.path.isfile(m):
                    files.append(m)
            if files:
                yield from emit(sorted(files))
            elif not unreadable:
                yield path, "no such file or glob"
            yield from sorted(u for u in set(unreadable) if not own(u[0]))
        else:
            yield path, "no such file or glob"
