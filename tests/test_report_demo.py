"""The demo corpus still gets one self-contained report.html, now opening with its index of stories."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_report import parse
from test_report_index import index_rows

from crossread.pipeline import AnalyzeOptions, run_analyze
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    old = os.umask(0o022)
    try:
        summary = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=out))
    finally:
        os.umask(old)
    assert summary.ok
    return out


def test_demo_report_is_one_file(demo_out: Path) -> None:
    report = demo_out / "report.html"
    assert report.is_file()
    assert not (demo_out / "report").exists()
    assert not [p for p in demo_out.rglob("*.html") if p != report]


def test_demo_report_opens_with_its_index(demo_out: Path) -> None:
    root = parse((demo_out / "report.html").read_text(encoding="utf-8"))
    (row,) = index_rows(root)
    assert row["href"] == "#story-1" and row["counts"][0] == 2
    assert len(row["outlets"].split(", ")) == 2
    (story,) = [n for n in root.iter() if n.attrs.get("id") == "story-1"]
    assert story.has_class("story")


def test_demo_outputs_are_readable_by_others_under_umask_022(demo_out: Path) -> None:
    for name in ("report.html", "analysis.json"):
        assert stat.S_IMODE((demo_out / name).stat().st_mode) == 0o644, name
