"""The HTML report: one self-contained file for a small corpus, an index plus one page per story for a large one.

The report renders from a :class:`ReportSource` (story summaries, one story's analysis at a
time, corpus totals); an :class:`~crossread.records.Analysis` is wrapped in an
:class:`AnalysisSource`. See :mod:`crossread.report.pages` for the file layout.
"""

from __future__ import annotations

from crossread.records import Analysis
from crossread.report.pages import (
    HOME_STORIES,
    INDEX_PAGE_SIZE,
    ORDERS,
    SINGLE_FILE_MAX_ARTICLES,
    TOP_STORIES,
    ReportLayout,
    newest_first,
    render_single_file,
    write_report,
)
from crossread.report.source import AnalysisSource, ReportSource, StorySummary, merge_analyses

__all__ = [
    "HOME_STORIES",
    "INDEX_PAGE_SIZE",
    "TOP_STORIES",
    "ORDERS",
    "SINGLE_FILE_MAX_ARTICLES",
    "AnalysisSource",
    "ReportLayout",
    "ReportSource",
    "StorySummary",
    "merge_analyses",
    "newest_first",
    "render_report",
    "write_report",
]


def render_report(source_or_analysis: ReportSource | Analysis, *, title: str = "crossread report") -> str:
    """The report as one HTML string: inline CSS, no scripts, no external resources."""
    return render_single_file(source_or_analysis, title=title)
