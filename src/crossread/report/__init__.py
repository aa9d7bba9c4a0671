"""The HTML report: one self-contained, offline file per analysis."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from crossread.records import Analysis
from crossread.report.render import render

__all__ = ["render_report", "write_report"]


def render_report(analysis: Analysis, *, title: str = "crossread report") -> str:
    """The report as one HTML string: inline CSS, no scripts, no external resources."""
    return render(analysis, title)


def write_report(analysis: Analysis, path: Path, *, title: str = "crossread report") -> None:
    """Render and write the report (UTF-8), atomically so a viewer never sees half a file."""
    html = render_report(analysis, title=title)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
