"""The split index: a home page (newest stories, archive by month), one page per month, top lists; a rewrite
writes only the index pages whose content changed."""

from __future__ import annotations

import json
import os
import stat
import warnings
from pathlib import Path

import pytest
from test_report import Node, parse
from test_report_index import OUTLETS, corpus, expected, index_rows, row_counts, story_id
from test_report_only_stories import snapshot
from test_report_pages import DelegatingSource, assert_self_contained

from crossread.records import Analysis, Article, Story
from crossread.report import StorySummary, write_report
from crossread.report.pages import UNDATED, ReportLayout, story_month

# corpus(70): story k is dated 2024-(1 + k // 28)-(1 + k % 28): 28 stories in January, 28 in February, 14 in March.
N = 70


def months_of(n: int, undated: frozenset[int] = frozenset()) -> dict[str, list[int]]:
    """month → story numbers, newest first (what each month page must list)."""
    out: dict[str, list[int]] = {}
    for k in reversed(range(n)):
        if k not in undated:
            out.setdefault(f"2024-{1 + k // 28:02d}", []).append(k)
    for k in range(n):  # undated: last, in the source's order
        if k in undated:
            out.setdefault(UNDATED, []).append(k)
    return out


def write(out: Path, analysis: Analysis | DelegatingSource, **kwargs) -> list[Path]:  # type: ignore[no-untyped-def]
    return write_report(analysis, out, single_file_max_articles=0, **kwargs)


def archive_links(root: Node) -> list[tuple[str, str, str]]:
    """(label, href, count) of every link of the home page's archive, in order."""
    (nav,) = [n for n in root.iter() if n.tag == "nav" and n.has_class("archive")]
    out = []
    for li in (n for n in nav.iter() if n.tag == "li"):
        (a,) = [x for x in li.iter() if x.tag == "a"]
        (count,) = [x for x in li.iter() if x.has_class("muted")]
        out.append((a.text(), a.attrs["href"], count.text()))
    return out


def month_nav(root: Node) -> dict[str, str]:
    """rel → href of a month page's links to its neighbours (the same above and below the table)."""
    navs = [n for n in root.iter() if n.tag == "nav" and n.has_class("pages")]
    rels = [{a.attrs["rel"]: a.attrs["href"] for a in nav.iter() if a.tag == "a"} for nav in navs]
    assert len(navs) in (0, 2) and all(r == rels[0] for r in rels)
    return rels[0] if rels else {}


def add_story(analysis: Analysis, sid: str, day: str | None, outlets: int = 1, title: str | None = None) -> Analysis:
    """One more story, published on ``day``, with ``outlets`` articles (one per outlet) and no other record."""
    ids = []
    for j in range(outlets):
        aid = f"{sid}_{j}"
        analysis.articles.append(Article(aid, f"{aid}.txt", OUTLETS[j], f"Article {aid}", day, "en",
                                         f"Late news {sid} from outlet {j}."))
        ids.append(aid)
    analysis.stories.append(Story(sid, title or f"Added story {sid}", ids))
    return analysis


def rewritten(before: dict, after: dict) -> set[str]:  # type: ignore[type-arg]
    """Files new or replaced (a rewrite renames a new file in: new inode)."""
    return {name for name, (_, ino, mtime) in after.items() if name not in before or before[name][1:] != (ino, mtime)}


# --------------------------------------------------------------------------- home page and archive


def test_home_lists_the_newest_stories_and_the_archive(tmp_path: Path) -> None:
    undated = frozenset({3, 40})
    out = tmp_path / "report.html"
    write(out, corpus(N, undated=undated), home_stories=10)
    root = parse(out.read_text())
    assert_self_contained(out.read_text(), root, out)
    rows = index_rows(root)
    assert [r["title"] for r in rows] == [f"Story number {k}" for k in range(N - 1, N - 11, -1)]
    assert [r["counts"] for r in rows] == [row_counts(expected(k)) for k in range(N - 1, N - 11, -1)]
    assert all((tmp_path / r["href"]).is_file() for r in rows)
    assert "the 10 newest of 70" in root.text()
    # the archive: one link per month, newest first, with its story count; then the undated stories
    months = months_of(N, undated)
    assert archive_links(root) == [
        ("2024-03", "report/months/2024-03.html", "(14)"),
        ("2024-02", "report/months/2024-02.html", f"({28 - 1})"),
        ("2024-01", "report/months/2024-01.html", f"({28 - 1})"),
        ("Undated", "report/months/undated.html", "(2)"),
    ]
    assert sorted(p.name for p in (tmp_path / "report" / "months").iterdir()) == [
        "2024-01.html", "2024-02.html", "2024-03.html", "undated.html"]
    assert sum(len(v) for v in months.values()) == N  # every story is in the archive once


def test_home_lists_every_story_of_a_small_corpus_undated_last(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(6, undated={2}))
    root = parse(out.read_text())
    assert [r["title"] for r in index_rows(root)] == [f"Story number {k}" for k in (5, 4, 3, 1, 0, 2)]
    assert "all 6" in root.text()
    assert [(label, count) for label, _, count in archive_links(root)] == [("2024-01", "(5)"), ("Undated", "(1)")]


def test_month_page_lists_exactly_its_stories_newest_first(tmp_path: Path) -> None:
    undated = frozenset({3, 40})
    write(tmp_path / "report.html", corpus(N, undated=undated))
    folder = tmp_path / "report" / "months"
    for month, ks in months_of(N, undated).items():
        page = folder / f"{month}.html"
        html = page.read_text()
        root = parse(html)
        assert_self_contained(html, root, page)
        rows = index_rows(root)
        assert [r["title"] for r in rows] == [f"Story number {k}" for k in ks], month
        assert [r["counts"] for r in rows] == [row_counts(expected(k, dated=k not in undated)) for k in ks]
        for r, k in zip(rows, ks):
            assert r["href"] == f"../stories/{story_id(k)}.html"
            story = parse((page.parent / r["href"]).read_text())
            assert next(h for h in story.iter() if h.tag == "h1").text() == r["title"]
        # back home, and nothing but the neighbour months besides the stories
        (home,) = [a for a in root.iter() if a.tag == "a" and a.attrs.get("rel") == "index"]
        assert (page.parent / home.attrs["href"]).resolve() == (tmp_path / "report.html").resolve()
        hrefs = {a.attrs["href"] for a in root.iter() if a.tag == "a"}
        story_links = {r["href"] for r in rows}
        assert hrefs - story_links == {home.attrs["href"], *month_nav(root).values()}
        assert not [n for n in root.iter() if n.has_class("counts") or n.has_class("orders")]
    nav = {m: month_nav(parse((folder / f"{m}.html").read_text())) for m in ("2024-01", "2024-02", "2024-03")}
    assert nav == {"2024-01": {"next": "2024-02.html"},
                   "2024-02": {"prev": "2024-01.html", "next": "2024-03.html"},
                   "2024-03": {"prev": "2024-02.html"}}
    assert month_nav(parse((folder / "undated.html").read_text())) == {}  # not in the chain of months


def test_story_month() -> None:
    def s(last: str | None) -> StorySummary:
        return StorySummary("x", "x", None, last)

    assert story_month(s("2024-03-05")) == "2024-03"
    assert story_month(s("2024-03")) == "2024-03"
    for bad in (None, "", "2024-13-01", "2024-3-01", "2024-03\n", "../../etc", "2024-03x", '"><img src=x>'):
        assert story_month(s(bad)) == UNDATED, bad


def test_a_hostile_last_date_goes_to_the_undated_page(tmp_path: Path) -> None:
    """A source's last_date names a month page only when it is a date: no file outside months/."""

    class Source(DelegatingSource):
        def story_summaries(self) -> list[StorySummary]:
            out = super().story_summaries()
            out[0].last_date = out[0].first_date = "../../evil"
            return out

    out = tmp_path / "report.html"
    write(out, Source(corpus(3)))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html")
                  if "stories" not in p.parts) == [
        "report.html", "report/by-contradictions.html", "report/by-outlets.html", "report/by-size.html",
        "report/months/2024-01.html", "report/months/undated.html"]
    rows = index_rows(parse((tmp_path / "report" / "months" / "undated.html").read_text()))
    assert [r["title"] for r in rows] == ["Story number 0"]


# --------------------------------------------------------------------------- rewriting what changed


def test_adding_a_story_of_the_latest_month_rewrites_home_its_month_and_the_tops_it_enters(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N), home_stories=10, top_stories=5)
    before = snapshot(tmp_path)
    # three outlets: it enters "most outlets" (ties go to the newest); no events or claims: not the other tops
    source = DelegatingSource(add_story(corpus(N), "st_new", "2024-03-20", outlets=3))
    written = write(out, source, only_stories={"st_new"}, home_stories=10, top_stories=5)
    after = snapshot(tmp_path)

    assert source.calls == ["st_new"]
    expected_files = {"report.html", "report/months/2024-03.html", "report/by-outlets.html",
                      "report/index-pages.json", "report/stories/st_new.html"}
    assert {p.relative_to(tmp_path).as_posix() for p in written} == expected_files
    assert rewritten(before, after) == expected_files  # every other file: same inode, same mtime
    assert set(after) == set(before) | {"report/stories/st_new.html"}
    # and what was written shows the story
    assert index_rows(parse(out.read_text()))[0]["title"] == "Added story st_new"
    month = index_rows(parse((tmp_path / "report" / "months" / "2024-03.html").read_text()))
    assert [r["title"] for r in month][:2] == ["Added story st_new", "Story number 69"] and len(month) == 15
    assert ("2024-03", "report/months/2024-03.html", "(15)") in archive_links(parse(out.read_text()))
    assert index_rows(parse((tmp_path / "report" / "by-outlets.html").read_text()))[0]["title"] == "Added story st_new"


def test_adding_an_old_story_rewrites_home_and_its_month_only(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N), home_stories=10, top_stories=5)
    before = snapshot(tmp_path)
    written = write(out, add_story(corpus(N), "st_old", "2024-01-15"), only_stories={"st_old"},
                    home_stories=10, top_stories=5)
    expected_files = {"report.html", "report/months/2024-01.html", "report/index-pages.json",
                      "report/stories/st_old.html"}
    assert {p.relative_to(tmp_path).as_posix() for p in written} == expected_files
    assert rewritten(before, snapshot(tmp_path)) == expected_files
    rows = index_rows(parse((tmp_path / "report" / "months" / "2024-01.html").read_text()))
    titles = [r["title"] for r in rows]
    assert titles.index("Added story st_old") == titles.index("Story number 14") + 1  # 2024-01-15, then -14 …


def test_a_new_month_rewrites_its_neighbour(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N), top_stories=5)
    before = snapshot(tmp_path)
    write(out, add_story(corpus(N), "st_apr", "2024-04-02"), only_stories={"st_apr"}, top_stories=5)
    assert rewritten(before, snapshot(tmp_path)) == {
        "report.html", "report/months/2024-04.html", "report/months/2024-03.html", "report/index-pages.json",
        "report/stories/st_apr.html"}
    assert month_nav(parse((tmp_path / "report" / "months" / "2024-03.html").read_text())) == {
        "prev": "2024-02.html", "next": "2024-04.html"}
    assert month_nav(parse((tmp_path / "report" / "months" / "2024-04.html").read_text())) == {
        "prev": "2024-03.html"}


def test_nothing_changed_rewrites_only_the_home_page(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N))
    before = snapshot(tmp_path)
    source = DelegatingSource(corpus(N))
    assert write(out, source, only_stories=set()) == [out]
    assert source.calls == []
    assert rewritten(before, snapshot(tmp_path)) == {"report.html"}


def test_a_retitled_story_rewrites_every_index_page_that_lists_it(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N), home_stories=10, top_stories=5)
    before = snapshot(tmp_path)
    analysis = corpus(N)
    analysis.stories[59].title = "Story 59, retitled"  # 2024-03, first of by-size, not among the newest 10
    write(out, analysis, only_stories={story_id(59)}, home_stories=10, top_stories=5)
    changed = rewritten(before, snapshot(tmp_path))
    assert changed == {"report.html", "report/months/2024-03.html", "report/by-size.html",
                       "report/index-pages.json", "report/stories/st_059.html"} | {
        f"report/{o}.html" for o in ("by-outlets", "by-contradictions")
        if "Story number 59" in before[f"report/{o}.html"][0].decode()}
    for name in changed - {"report.html", "report/index-pages.json", "report/stories/st_059.html"}:
        assert "Story 59, retitled" in (tmp_path / name).read_text(), name


def test_a_removed_month_page_is_deleted(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, add_story(corpus(N), "st_undated", None))
    assert (tmp_path / "report" / "months" / "undated.html").is_file()
    mine = tmp_path / "report" / "months" / "notes.html"
    mine.write_text("mine")
    before = snapshot(tmp_path)
    write(out, corpus(56), only_stories=set())  # March and the undated story are gone
    after = snapshot(tmp_path)
    months = sorted(p.name for p in (tmp_path / "report" / "months").iterdir())
    assert months == ["2024-01.html", "2024-02.html", "notes.html"]
    assert "report/months/2024-01.html" not in rewritten(before, after)  # its neighbours are as they were
    assert "report/months/2024-02.html" in rewritten(before, after)  # it lost its "newer" link
    assert month_nav(parse((tmp_path / "report" / "months" / "2024-02.html").read_text())) == {
        "prev": "2024-01.html"}
    assert [label for label, _, _ in archive_links(parse(out.read_text()))] == ["2024-02", "2024-01"]
    assert sorted(f for f in after if f.startswith("report/stories/")) == [
        f"report/stories/{story_id(k)}.html" for k in range(56)]
    assert json.loads((tmp_path / "report" / "index-pages.json").read_text())["pages"].keys() == {
        "months/2024-01.html", "months/2024-02.html", "by-size.html", "by-outlets.html", "by-contradictions.html"}


def test_a_page_missing_on_disk_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N))
    (tmp_path / "report" / "months" / "2024-02.html").unlink()
    written = write(out, corpus(N), only_stories=set())
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {"report.html", "report/months/2024-02.html"}
    assert len(index_rows(parse((tmp_path / "report" / "months" / "2024-02.html").read_text()))) == 28


@pytest.mark.parametrize("damage", ["{not json", '{"format": 1, "pages": []}', '{"format": 9, "pages": {}}', None])
def test_a_bad_manifest_rewrites_every_index_page(tmp_path: Path, damage: str | None) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N))
    manifest = tmp_path / "report" / "index-pages.json"
    if damage is None:
        manifest.unlink()
    else:
        manifest.write_text(damage)
    written = {p.relative_to(tmp_path).as_posix() for p in write(out, corpus(N), only_stories=set())}
    assert written == {"report.html", "report/index-pages.json", "report/by-size.html", "report/by-outlets.html",
                       "report/by-contradictions.html"} | {f"report/months/2024-0{m}.html" for m in (1, 2, 3)}
    assert json.loads(manifest.read_text())["format"] == 1


def test_a_new_title_or_a_full_write_rewrites_every_index_page(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write(out, corpus(N))
    every = {"report.html", "report/by-size.html", "report/by-outlets.html", "report/by-contradictions.html"} | {
        f"report/months/2024-0{m}.html" for m in (1, 2, 3)}
    written = {p.relative_to(tmp_path).as_posix() for p in write(out, corpus(N), only_stories=set(), title="New")}
    assert written == every | {"report/index-pages.json"}
    assert all("New" in (tmp_path / f).read_text() for f in every)
    written = {p.relative_to(tmp_path).as_posix() for p in write(out, corpus(N), title="New")}
    assert written >= every and len([f for f in written if "/stories/" in f]) == N


def test_skipped_pages_equal_a_full_render(tmp_path: Path) -> None:
    """After a series of partial updates the tree is byte for byte what one full write gives."""
    partial, full = tmp_path / "partial" / "report.html", tmp_path / "full" / "report.html"
    write(partial, corpus(N), home_stories=10, top_stories=5)
    analysis = add_story(corpus(N), "st_new", "2024-03-20", outlets=3)
    write(partial, analysis, only_stories={"st_new"}, home_stories=10, top_stories=5)
    analysis = add_story(add_story(corpus(50), "st_new", "2024-03-20", outlets=3), "st_x", "2024-05-01")
    write(partial, analysis, only_stories={"st_x"}, home_stories=10, top_stories=5)
    write(full, analysis, home_stories=10, top_stories=5)
    a = {k: v[0] for k, v in snapshot(partial.parent).items()}
    b = {k: v[0] for k, v in snapshot(full.parent).items()}
    assert a == b


def test_index_pages_are_readable_by_others_under_umask_022(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permission bits")
    old = os.umask(0o022)
    try:
        out = tmp_path / "report.html"
        write(out, corpus(N))
        for page in ReportLayout(out).months_dir.iterdir():
            page.chmod(0o600)
        write(out, add_story(corpus(N), "st_new", "2024-03-20"), only_stories={"st_new"})
    finally:
        os.umask(old)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in files}
    rewritten_month = "report/months/2024-03.html"
    assert modes.pop(rewritten_month) == 0o644
    assert {modes.pop(f"report/months/2024-0{m}.html") for m in (1, 2)} == {0o600}  # not rewritten: as they were
    assert set(modes.values()) == {0o644}, modes


def test_index_page_size_is_a_deprecated_alias(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    with pytest.warns(DeprecationWarning):
        write(out, corpus(N), index_page_size=7)
    assert len(index_rows(parse(out.read_text()))) == 7
    assert len(index_rows(parse((tmp_path / "report" / "by-size.html").read_text()))) == 7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write(out, corpus(N), home_stories=3, top_stories=4)
    assert len(index_rows(parse(out.read_text()))) == 3
    assert len(index_rows(parse((tmp_path / "report" / "by-size.html").read_text()))) == 4
