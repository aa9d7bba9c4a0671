"""Output files honour the umask like a plain open() (they used to be 0600 whatever the umask), atomically."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crossread.fileio import write_text_atomic

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


SetUmask = Callable[[int], int]


@pytest.fixture
def umask() -> Iterator[SetUmask]:
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)])
def test_new_file_mode_follows_the_umask(tmp_path: Path, umask: SetUmask, mask: int, expected: int) -> None:
    umask(mask)
    out = tmp_path / "sub" / "report.html"
    write_text_atomic(out, "héllo\n")
    assert mode(out) == expected
    assert out.read_bytes() == "héllo\n".encode()


def test_rewrite_replaces_a_private_file_with_a_readable_one(tmp_path: Path, umask: SetUmask) -> None:
    out = tmp_path / "analysis.json"
    out.write_text("old")
    out.chmod(0o600)  # as the old writer left it
    umask(0o022)
    write_text_atomic(out, "new")
    assert mode(out) == 0o644 and out.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["analysis.json"]  # no temp file left behind


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_text_atomic(out, "old")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(out, "bad \ud800 surrogate")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_symlinked_temp_name_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temp name that already exists (here a planted symlink) is skipped, never written through."""
    import crossread.fileio as fileio

    victim = tmp_path / "victim"
    victim.write_text("keep")
    names = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(fileio.secrets, "token_hex", lambda n: next(names))
    (tmp_path / ".out.txt.aaaa.tmp").symlink_to(victim)
    write_text_atomic(tmp_path / "out.txt", "data")
    assert victim.read_text() == "keep"
    assert (tmp_path / "out.txt").read_text() == "data"
