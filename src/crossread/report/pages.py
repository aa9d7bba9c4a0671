"""Writing the report: one self-contained file for a small corpus, an index plus one page per story for a large one.

Layout for ``write_report(source, "out/report.html")`` when the corpus has more than
``single_file_max_articles`` articles (``report`` is the stem of the path)::

    out/report.html                      home: corpus totals, the newest HOME_STORIES stories,
                                         links to the top lists, the archive (one link per month)
    out/report/months/YYYY-MM.html       every story whose latest article is of that month, newest first
    out/report/months/undated.html       the stories without a dated article
    out/report/by-size.html              the TOP_STORIES largest stories
    out/report/by-outlets.html           the TOP_STORIES stories with most outlets
    out/report/by-contradictions.html    the TOP_STORIES stories with most contradicted claims
    out/report/stories/<stem>.html       one page per story (stem: :func:`~crossread.report.render.page_stem`)
    out/report/index-pages.json          the digest of every index page but the home page (see below)

Every page is self-contained (inline CSS, no scripts, no external resources) and every
evidence link on a story page lands on its highlight in the same page. A story page
depends only on its story and the report title (no corpus counts, no neighbours), so
re-rendering some stories (``only_stories``) leaves the other pages exact.

The index changes locally: only the home page shows corpus totals (it is written on every
run); a month page shows its own stories and links to the home page and its neighbour
months, nothing else; a top list shows its stories. Each of these pages has a digest of
what it shows (its rows' summary fields, its links, the title, the renderer) in
``index-pages.json``; with ``only_stories`` a page whose digest did not change is neither
rendered nor written. Adding a story to the latest month thus rewrites the home page, that
month's page and the top lists the story enters.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import operator
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossread.fileio import write_text_atomic
from crossread.records import Analysis
from crossread.report.render import (
    INDEX_ROW_FIELDS,
    corpus_counts,
    index_renderer_fingerprint,
    index_row,
    page_stem,
    render,
    render_index_page,
    render_story_page,
)
from crossread.report.source import (
    AnalysisSource,
    ConfidenceFilter,
    ReportSource,
    StorySummary,
    merge_analyses,
)

__all__ = [
    "HOME_STORIES",
    "INDEX_PAGE_SIZE",
    "ORDERS",
    "SINGLE_FILE_MAX_ARTICLES",
    "TOP_STORIES",
    "UNDATED",
    "Order",
    "ReportLayout",
    "newest_first",
    "render_single_file",
    "story_month",
    "write_report",
]

SINGLE_FILE_MAX_ARTICLES = 200
HOME_STORIES = 500  # the newest stories the home page lists
TOP_STORIES = 500  # the stories each top list holds
INDEX_PAGE_SIZE = HOME_STORIES  # deprecated: the index is no longer paginated (see write_report's index_page_size)
STORIES_DIR = "stories"
MONTHS_DIR = "months"
MANIFEST = "index-pages.json"
UNDATED = "undated"  # the archive page of the stories without a dated article
# Bump when the Python side of the index pages (their contexts) changes: every index page is then rewritten once.
INDEX_LAYOUT_VERSION = 2

_MONTH = re.compile(r"([0-9]{4}-(?:0[1-9]|1[0-2]))(?:-|\Z)")


# --------------------------------------------------------------------------- orders


def newest_first(summaries: Iterable[StorySummary]) -> list[StorySummary]:
    """Latest article date first, then earliest date; undated stories last; ties keep the source's order."""
    items = list(summaries)
    dated = [s for s in items if s.last_date]
    undated = [s for s in items if not s.last_date]
    dated.sort(key=lambda s: (s.last_date or "", s.first_date or ""), reverse=True)  # reverse sort stays stable
    return dated + undated


def story_month(summary: StorySummary) -> str:
    """The archive month of a story: ``YYYY-MM`` of its latest article, or :data:`UNDATED`."""
    match = _MONTH.match(summary.last_date or "")
    return match.group(1) if match else UNDATED


@dataclass(frozen=True)
class Order:
    slug: str  # file name stem of its top list
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
TOP_ORDERS = tuple(o for o in ORDERS if not o.home)


def _top(order: Order, newest: list[StorySummary], n: int) -> list[StorySummary]:
    if order.key is None:
        return newest[:n]
    return heapq.nsmallest(n, newest, key=order.key)  # == sorted(newest, key=order.key)[:n], stable


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class ReportLayout:
    """Where each page of a split report lives, and how pages link to each other."""

    path: Path  # the home page

    @property
    def pages_dir(self) -> Path:
        stem = self.path.stem if self.path.suffix else f"{self.path.name}-pages"
        return self.path.parent / stem

    @property
    def stories_dir(self) -> Path:
        return self.pages_dir / STORIES_DIR

    @property
    def months_dir(self) -> Path:
        return self.pages_dir / MONTHS_DIR

    @property
    def manifest_file(self) -> Path:
        return self.pages_dir / MANIFEST

    def story_file(self, story_id: str) -> Path:
        return self.stories_dir / f"{page_stem(story_id)}.html"

    def order_file(self, order: Order) -> Path:
        """The home page for newest first, else the order's top list."""
        return self.path if order.home else self.pages_dir / f"{order.slug}.html"

    def month_file(self, month: str) -> Path:
        """The archive page of a month (``YYYY-MM``) or of :data:`UNDATED`."""
        return self.months_dir / f"{month}.html"

    def href(self, target: Path, *, from_file: Path) -> str:
        """Relative link from one page of the report to another (always with "/")."""
        return Path(os.path.relpath(target, from_file.parent)).as_posix()

    def is_index_page(self, file: Path) -> bool:
        """A file named like an index page other than the home page (what a rewrite may replace or remove): a
        top list, a month of the archive, or a page of the former paginated layout (``newest-2.html``,
        ``by-size-2.html`` …)."""
        if file.parent == self.months_dir:
            return re.fullmatch(rf"(?:[0-9]{{4}}-(?:0[1-9]|1[0-2])|{UNDATED})\.html", file.name) is not None
        if file.parent != self.pages_dir:
            return False
        slugs = "|".join(re.escape(o.slug) for o in ORDERS)
        return re.fullmatch(rf"(?:{slugs})(?:-[1-9][0-9]*)?\.html", file.name) is not None


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


# --------------------------------------------------------------------------- split: index pages

_row_values = operator.attrgetter(*INDEX_ROW_FIELDS)


@dataclass
class _IndexPage:
    """One index page: its context less the rows (plain JSON data), and the stories it lists."""

    file: Path
    view: dict[str, Any]
    rows: list[StorySummary]

    def digest(self, renderer: str) -> str:
        """What the page shows: the renderer, the context (title, links, labels) and every row's summary fields
        (a row's link follows from the story id and the page's place, which the view's ``stories_href`` has)."""
        digest = hashlib.sha256(f"{INDEX_LAYOUT_VERSION}\0{renderer}\0".encode())
        digest.update(json.dumps(self.view, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        digest.update("\0".join(repr(_row_values(s)) for s in self.rows).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def render(self, stems: dict[str, str]) -> str:
        prefix = self.view["stories_href"]
        rows = [index_row(s, f"{prefix}{stems[s.id]}.html", stems[s.id]) for s in self.rows]
        return render_index_page({**self.view, "index_rows": rows})


class _Links:
    """Relative links from one index page."""

    def __init__(self, layout: ReportLayout, here: Path) -> None:
        self.layout = layout
        self.here = here

    def __call__(self, target: Path) -> str:
        return self.layout.href(target, from_file=self.here)

    def orders(self, current: Order | None) -> list[dict[str, Any]]:
        return [{"label": o.label, "href": self(self.layout.order_file(o)), "current": o == current} for o in ORDERS]

    def common(self) -> dict[str, str]:
        return {"home_href": self(self.layout.path), "stories_href": self(self.layout.stories_dir) + "/"}


def _month_label(month: str) -> str:
    return "Undated" if month == UNDATED else month


def _index_pages(layout: ReportLayout, title: str, newest: list[StorySummary], totals: dict[str, int],
                 home_stories: int, top_stories: int) -> tuple[_IndexPage, list[_IndexPage]]:
    """The home page, and the month pages and top lists (in the order they are written)."""
    months: dict[str, list[StorySummary]] = {}
    for s in newest:
        months.setdefault(story_month(s), []).append(s)
    dated = sorted((m for m in months if m != UNDATED), reverse=True)  # newest month first

    pages: list[_IndexPage] = []
    for i, month in enumerate(dated + ([UNDATED] if UNDATED in months else [])):
        here = layout.month_file(month)
        link = _Links(layout, here)
        older = newer = None
        if month != UNDATED:  # the undated page is not in the chain of months
            if i + 1 < len(dated):
                older = {"label": dated[i + 1], "href": link(layout.month_file(dated[i + 1]))}
            if i > 0:
                newer = {"label": dated[i - 1], "href": link(layout.month_file(dated[i - 1]))}
        view = {"kind": "month", "title": title, "heading": f"Stories of {month}" if month != UNDATED
                else "Undated stories", "month": month, "older": older, "newer": newer, "orders": None,
                **link.common()}
        pages.append(_IndexPage(here, view, months[month]))
    for order in TOP_ORDERS:
        here = layout.order_file(order)
        link = _Links(layout, here)
        view = {"kind": "top", "title": title, "heading": order.label, "orders": link.orders(order),
                **link.common()}
        pages.append(_IndexPage(here, view, _top(order, newest, top_stories)))

    link = _Links(layout, layout.path)
    years: dict[str, list[dict[str, Any]]] = {}
    for month in dated:
        years.setdefault(month[:4], []).append(
            {"label": month, "href": link(layout.month_file(month)), "count": len(months[month])})
    undated = ({"label": _month_label(UNDATED), "href": link(layout.month_file(UNDATED)),
                "count": len(months[UNDATED])} if UNDATED in months else None)
    home = _IndexPage(layout.path, {
        "kind": "home", "title": title, "heading": title, "counts": corpus_counts(totals),
        "orders": link.orders(ORDERS[0]), "story_total": len(newest),
        "archive": [{"year": y, "months": ms} for y, ms in years.items()], "undated": undated,
        **link.common()}, _top(ORDERS[0], newest, home_stories))
    return home, pages


def _read_manifest(layout: ReportLayout) -> dict[str, str]:
    """The digests of the index pages as last written (empty when missing or unreadable)."""
    try:
        data = json.loads(layout.manifest_file.read_text(encoding="utf-8"))
        pages = data["pages"]
        if data.get("format") == 1 and isinstance(pages, dict):
            return {k: v for k, v in pages.items() if isinstance(k, str) and isinstance(v, str)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return {}


def _html_names(folder: Path) -> set[str]:
    """The ``*.html`` entries of a folder (one listing; none when it is missing), directories left out."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.name.endswith(".html") and not e.is_dir(follow_symlinks=False)}
    except (FileNotFoundError, NotADirectoryError):
        return set()


# --------------------------------------------------------------------------- split


def _write_split(source: ReportSource, layout: ReportLayout, title: str, totals: dict[str, int],
                 only_stories: set[str] | None, home_stories: int, top_stories: int) -> list[Path]:
    summaries = newest_first(source.story_summaries())
    stems = {s.id: page_stem(s.id) for s in summaries}
    written: list[Path] = []
    existing = _html_names(layout.stories_dir)
    # Story pages first, so that the index never links to a page that is not there yet.
    for s in summaries:
        name = f"{stems[s.id]}.html"
        if only_stories is not None and s.id not in only_stories and name in existing:
            continue
        target = layout.stories_dir / name
        analysis = source.story_analysis(s.id)  # one story in memory at a time
        html = render_story_page(analysis, s, title, layout.href(layout.path, from_file=target))
        del analysis
        write_text_atomic(target, html)
        written.append(target)

    # Index pages: months and top lists whose digest changed (all of them on a full write), then the home page.
    home, pages = _index_pages(layout, title, summaries, totals, home_stories, top_stories)
    previous = _read_manifest(layout)
    renderer = index_renderer_fingerprint()
    digests: dict[str, str] = {}
    for page in pages:
        key = page.file.relative_to(layout.pages_dir).as_posix()
        digests[key] = page.digest(renderer)
        if only_stories is not None and previous.get(key) == digests[key] and page.file.is_file():
            continue  # what the page shows has not changed
        write_text_atomic(page.file, page.render(stems))
        written.append(page.file)
    write_text_atomic(home.file, home.render(stems))  # corpus totals: changes on every run that adds articles
    written.append(home.file)
    if digests != previous or not layout.manifest_file.is_file():
        manifest = {"format": 1, "note": "crossread report: digest of what each index page shows (not the home "
                    "page); a page whose digest is unchanged is not rewritten", "pages": digests}
        write_text_atomic(layout.manifest_file, json.dumps(manifest, indent=0, sort_keys=True) + "\n")
        written.append(layout.manifest_file)

    # Stale pages last: until the new index is in place, the old one may still link to them.
    current = {f"{stem}.html" for stem in stems.values()}
    for name in existing - current:
        (layout.stories_dir / name).unlink(missing_ok=True)
    index_files = {page.file for page in pages}
    for folder in (layout.pages_dir, layout.months_dir):
        for name in _html_names(folder):
            file = folder / name
            if file not in index_files and layout.is_index_page(file):
                file.unlink(missing_ok=True)
    _rmdir_if_empty(layout.months_dir)
    return written


def _remove_split_pages(layout: ReportLayout) -> None:
    """Remove the pages of an earlier split report at this path (only files named as the report names them)."""
    for name in _html_names(layout.stories_dir):
        (layout.stories_dir / name).unlink(missing_ok=True)
    for folder in (layout.months_dir, layout.pages_dir):
        for name in _html_names(folder):
            if layout.is_index_page(folder / name):
                (folder / name).unlink(missing_ok=True)
    if layout.manifest_file.is_file():
        layout.manifest_file.unlink()
    for folder in (layout.stories_dir, layout.months_dir, layout.pages_dir):
        _rmdir_if_empty(folder)


def _rmdir_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (something that is not ours), not there, or not a folder


def write_report(source_or_analysis: ReportSource | Analysis, path: Path | str, *, title: str = "crossread report",
                 single_file_max_articles: int = SINGLE_FILE_MAX_ARTICLES, only_stories: set[str] | None = None,
                 home_stories: int = HOME_STORIES, top_stories: int = TOP_STORIES,
                 index_page_size: int | None = None, min_confidence: float | None = None) -> list[Path]:
    """Write the report at ``path``; returns the files written.

    Up to ``single_file_max_articles`` articles in all: one self-contained file (the index of
    stories, then every story and the corpus tables); pages an earlier, larger run split off
    beside it are removed. More: ``path`` is the home page (corpus totals, the newest
    ``home_stories`` stories, the archive by month) and the other pages lie in the folder named
    after its stem (see the module docstring); each top list holds ``top_stories`` stories.

    ``only_stories`` (split only) re-renders just those stories' pages (and any page that is
    missing), removes the pages of stories that no longer exist, rewrites the home page and
    only those month pages and top lists whose content changed; other pages are left as they
    are. Without it every page is rewritten. Every file is written atomically.

    ``min_confidence`` leaves out the events, quotes and claims below that confidence
    (docs/CONFIDENCE.md); every record is shown by default, those under 0.5 flagged.

    ``index_page_size`` is deprecated (the index is no longer paginated): it sets both
    ``home_stories`` and ``top_stories``.
    """
    if index_page_size is not None:
        warnings.warn("write_report(index_page_size=...) is deprecated: use home_stories= and top_stories=",
                      DeprecationWarning, stacklevel=2)
        home_stories = top_stories = index_page_size
    if home_stories < 1 or top_stories < 1:
        raise ValueError("home_stories and top_stories must be at least 1")
    path = Path(path)
    source = _as_source(source_or_analysis)
    if min_confidence:
        source = ConfidenceFilter(source, min_confidence)
    layout = ReportLayout(path)
    totals = source.totals()
    if totals.get("articles", 0) <= single_file_max_articles:
        write_text_atomic(path, render_single_file(source, title=title))
        _remove_split_pages(layout)
        return [path]
    return _write_split(source, layout, title, totals, only_stories, home_stories, top_stories)
