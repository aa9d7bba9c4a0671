"""Writing the report: one self-contained file for a small corpus, an index plus one page per story for a large one.

Layout for ``write_report(source, "out/report.html")`` when the corpus has more than
``single_file_max_articles`` articles (``report`` is the stem of the path)::

    out/report.html                      index of stories, newest first (page 1)
    out/report/newest-2.html …           further pages of that order (INDEX_PAGE_SIZE stories a page)
    out/report/by-size.html …            largest first (then -2, -3 … pages)
    out/report/by-outlets.html …         most outlets first
    out/report/by-contradictions.html …  most contradicted claims first
    out/report/stories/<stem>.html       one page per story (stem: :func:`~crossread.report.render.page_stem`)

Every page is self-contained (inline CSS, no scripts, no external resources) and every
evidence link on a story page lands on its highlight in the same page. A story page
depends only on its story and the report title (no corpus counts, no neighbours), so
re-rendering some stories (``only_stories``) leaves the other pages exact. Index pages
are always rewritten; story pages of stories that no longer exist are removed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossread.fileio import write_text_atomic
from crossread.records import Analysis
from crossread.report.render import corpus_counts, index_row, page_stem, render, render_index_page, render_story_page
from crossread.report.source import AnalysisSource, ReportSource, StorySummary, merge_analyses

__all__ = [
    "INDEX_PAGE_SIZE",
    "ORDERS",
    "SINGLE_FILE_MAX_ARTICLES",
    "Order",
    "ReportLayout",
    "newest_first",
    "render_single_file",
    "write_report",
]

SINGLE_FILE_MAX_ARTICLES = 200
INDEX_PAGE_SIZE = 500
STORIES_DIR = "stories"


# --------------------------------------------------------------------------- orders


def newest_first(summaries: Iterable[StorySummary]) -> list[StorySummary]:
    """Latest article date first, then earliest date; undated stories last; ties keep the source's order."""
    items = list(summaries)
    dated = [s for s in items if s.last_date]
    undated = [s for s in items if not s.last_date]
    dated.sort(key=lambda s: (s.last_date or "", s.first_date or ""), reverse=True)  # reverse sort stays stable
    return dated + undated


@dataclass(frozen=True)
class Order:
    slug: str  # file name stem of its index pages
    label: str
    key: Callable[[StorySummary], Any] | None  # sort key over the newest-first list (stable); None: newest first

    @property
    def home(self) -> bool:
        return self.key is None


ORDERS: tuple[Order, ...] = (
    Order("newest", "Newest first", None),
    Order("by-size", "Largest first", lambda s: (-s.articles, -(s.events + s.claims))),
    Order("by-outlets", "Most outlets", lambda s: (-len(s.outlets), -s.articles)),
    Order("by-contradictions", "Most contradicted claims", lambda s: (-s.contradicted_claims, -s.claims)),
)


def _ordered(order: Order, newest: list[StorySummary]) -> list[StorySummary]:
    return list(newest) if order.key is None else sorted(newest, key=order.key)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class ReportLayout:
    """Where each page of a split report lives, and how pages link to each other."""

    path: Path  # the index, page 1 of "newest first"

    @property
    def pages_dir(self) -> Path:
        stem = self.path.stem if self.path.suffix else f"{self.path.name}-pages"
        return self.path.parent / stem

    @property
    def stories_dir(self) -> Path:
        return self.pages_dir / STORIES_DIR

    def story_file(self, story_id: str) -> Path:
        return self.stories_dir / f"{page_stem(story_id)}.html"

    def index_file(self, order: Order, page: int) -> Path:
        if order.home and page == 1:
            return self.path
        return self.pages_dir / (f"{order.slug}.html" if page == 1 else f"{order.slug}-{page}.html")

    def href(self, target: Path, *, from_file: Path) -> str:
        """Relative link from one page of the report to another (always with "/")."""
        return Path(os.path.relpath(target, from_file.parent)).as_posix()

    def is_index_page(self, file: Path) -> bool:
        """A file in pages_dir named like an index page (what a rewrite may replace or remove)."""
        slugs = "|".join(re.escape(o.slug) for o in ORDERS)
        named = re.fullmatch(rf"(?:{slugs})(?:-[1-9][0-9]*)?\.html", file.name) is not None
        return named and file.parent == self.pages_dir


# --------------------------------------------------------------------------- single file


def _as_source(source_or_analysis: ReportSource | Analysis) -> ReportSource:
    if isinstance(source_or_analysis, Analysis):
        return AnalysisSource(source_or_analysis)
    return source_or_analysis


def render_single_file(source_or_analysis: ReportSource | Analysis, *, title: str = "crossread report") -> str:
    """The whole report as one HTML string: the index of stories (newest first), every story, the corpus tables.

    From an :class:`AnalysisSource` (or an :class:`Analysis`) it shows the analysis as it is; from any
    other source, the stories' analyses merged (articles that no story holds are not shown).
    """
    source = _as_source(source_or_analysis)
    summaries = newest_first(source.story_summaries())
    if isinstance(source, AnalysisSource):
        return render(source.analysis, title, summaries, source.totals(), source.unclustered_id)
    merged = merge_analyses(source.story_analysis(s.id) for s in summaries)
    return render(merged, title, summaries, source.totals(), None)


# --------------------------------------------------------------------------- split


def _index_context(layout: ReportLayout, title: str, totals: dict[str, int], order: Order, rows: list[StorySummary],
                   page: int, pages: int, total: int, start: int) -> tuple[Path, dict[str, Any]]:
    here = layout.index_file(order, page)

    def href(target: Path) -> str:
        return layout.href(target, from_file=here)

    index_rows = [index_row(s, href(layout.story_file(s.id))) for s in rows]
    orders = [{"label": o.label, "href": href(layout.index_file(o, 1)), "current": o == order} for o in ORDERS]
    page_info = {
        "number": page, "count": pages, "total": total, "first": start + 1, "last": start + len(rows),
        "prev": href(layout.index_file(order, page - 1)) if page > 1 else None,
        "next": href(layout.index_file(order, page + 1)) if page < pages else None,
        "links": [{"number": p, "href": href(layout.index_file(order, p)), "current": p == page}
                  for p in range(1, pages + 1)],
    }
    return here, {"title": title, "counts": corpus_counts(totals), "orders": orders, "order": order, "page": page_info,
                  "index_rows": index_rows, "stories_dir": f"{layout.pages_dir.name}/{STORIES_DIR}/"}


def _write_split(source: ReportSource, layout: ReportLayout, title: str, only_stories: set[str] | None,
                 page_size: int) -> list[Path]:
    summaries = newest_first(source.story_summaries())
    written: list[Path] = []
    current = {layout.story_file(s.id) for s in summaries}
    # Story pages first, so that the index never links to a page that is not there yet.
    for s in summaries:
        target = layout.story_file(s.id)
        if only_stories is not None and s.id not in only_stories and target.exists():
            continue
        analysis = source.story_analysis(s.id)  # one story in memory at a time
        html = render_story_page(analysis, s, title, layout.href(layout.index_file(ORDERS[0], 1), from_file=target))
        del analysis
        write_text_atomic(target, html)
        written.append(target)
    totals = source.totals()
    index_files: set[Path] = set()
    for order in ORDERS:
        ordered = _ordered(order, summaries)
        pages = max(1, -(-len(ordered) // page_size))
        for page in range(1, pages + 1):
            start = (page - 1) * page_size
            rows = ordered[start:start + page_size]
            target, context = _index_context(layout, title, totals, order, rows, page, pages, len(ordered), start)
            write_text_atomic(target, render_index_page(context))
            written.append(target)
            index_files.add(target)
    # Stale pages last: until the new index is in place, the old one may still link to them.
    for file in layout.stories_dir.glob("*.html"):
        if file not in current:
            file.unlink()
    for file in layout.pages_dir.glob("*.html"):
        if layout.is_index_page(file) and file not in index_files:
            file.unlink()
    return written


def _remove_split_pages(layout: ReportLayout) -> None:
    """Remove the pages of an earlier split report at this path (only files named as the report names them)."""
    if layout.stories_dir.is_dir():
        for file in layout.stories_dir.glob("*.html"):
            file.unlink()
        _rmdir_if_empty(layout.stories_dir)
    if layout.pages_dir.is_dir():
        for file in layout.pages_dir.glob("*.html"):
            if layout.is_index_page(file):
                file.unlink()
        _rmdir_if_empty(layout.pages_dir)


def _rmdir_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (something that is not ours) or already gone


def write_report(source_or_analysis: ReportSource | Analysis, path: Path | str, *, title: str = "crossread report",
                 single_file_max_articles: int = SINGLE_FILE_MAX_ARTICLES, only_stories: set[str] | None = None,
                 index_page_size: int = INDEX_PAGE_SIZE) -> list[Path]:
    """Write the report at ``path``; returns the files written.

    Up to ``single_file_max_articles`` articles in all: one self-contained file (the index of
    stories, then every story and the corpus tables); pages an earlier, larger run split off
    beside it are removed. More: ``path`` is the index (newest first) and the other pages lie
    in the folder named after its stem (see the module docstring). ``only_stories`` (split
    only) re-renders just those stories' pages (and any page that is missing), rewrites the
    index pages and removes the pages of stories that no longer exist; other story pages are
    left as they are. Every file is written atomically.
    """
    if index_page_size < 1:
        raise ValueError("index_page_size must be at least 1")
    path = Path(path)
    source = _as_source(source_or_analysis)
    layout = ReportLayout(path)
    if source.totals().get("articles", 0) <= single_file_max_articles:
        write_text_atomic(path, render_single_file(source, title=title))
        _remove_split_pages(layout)
        return [path]
    return _write_split(source, layout, title, only_stories, index_page_size)
