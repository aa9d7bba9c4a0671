"""One run over a pile of hostile inputs: each bad item is one line naming it and the reason, the
exit status is 1, and every good article among them is stored."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from tests.conftest import SEEDS
from tests.test_ingest_bad_input import _feed, _make_unreadable, _warc_bytes, garbage_files


def test_a_hostile_pile_costs_only_its_bad_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    intake = tmp_path / "intake"
    shutil.copytree(SEEDS, intake)
    expected = {str(intake / "junk" / name): reason for name, reason in garbage_files(intake / "junk").items()}
    feed = _feed(3)
    (intake / "cut.rss").write_text(feed[:feed.index("<item>", feed.index("Story 2"))], encoding="utf-8")
    expected[str(intake / "cut.rss")] = "the feed is cut off after entry 2 (no closing tag): anything after it is lost"
    warc = _warc_bytes(2)
    (intake / "cut.warc").write_bytes(warc[: warc.index(b"WARC/1", 10) + 40])
    (intake / "locked").mkdir()
    (intake / "locked" / "a.txt").write_text("never read", encoding="utf-8")
    expected[str(intake / "locked")] = "cannot read this folder: Permission denied (the files in it are not read)"
    _make_unreadable(monkeypatch, intake / "locked")
    try:
        result = CliRunner().invoke(main, ["analyze", str(intake), "-o", str(tmp_path / "out"), "--workers", "1"])
    finally:
        (intake / "locked").chmod(0o755)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    skipped = [line[len("skipped "):] for line in result.output.splitlines() if line.startswith("skipped ")]
    for item, reason in expected.items():
        assert f"{item}: {reason}" in skipped
    (warc_error,) = [line for line in skipped if line.startswith(str(intake / "cut.warc"))]
    assert "truncated" in warc_error or "corrupt" in warc_error
    assert len(skipped) == len(expected) + 1  # nothing else
    # the seeds, the feed's two whole entries and the WARC's first record
    with sqlite3.connect(tmp_path / "out" / "crossread.db") as conn:
        formats = sorted(f for (f,) in conn.execute("SELECT format FROM articles"))
    assert formats == ["rss", "rss", "text", "text", "warc"]
    assert f"5 article(s) added, 0 already stored, {len(skipped)} input(s) skipped" in result.output
