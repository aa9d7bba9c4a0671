"""The HTML report: one self-contained, offline file per analysis."""

from __future__ import annotations

from pathlib import Path

from crossread.fileio import write_text_atomic
from crossread.records import Analysis
from crossread.report.render import render

__all__ = ["render_report", "write_report"]


def render_report(analysis: Analysis, *, title: str = "crossread report") -> str:
    """The report as one HTML string: inline CSS, no scripts, no external resources."""
    return render(analysis, title)


def write_report(analysis: Analysis, path: Path, *, title: str = "crossread report") -> None:
    """Render and write the report (UTF-8), atomically so a viewer never sees half a file."""
    html = render_report(analysis, title=title)
    write_text_atomic(path, html)
