"""``only_stories``: re-render just those story pages (and the index pages that change), drop pages of vanished
stories."""

from __future__ import annotations

import os
from pathlib import Path

from test_report import parse
from test_report_index import corpus, index_rows, story_id
from test_report_pages import DelegatingSource, page_of

from crossread.records import Analysis, Article, Story
from crossread.report import write_report


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """path → (content, inode, mtime): a file rewritten (even identically) gets a new inode from the rename."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(folder).as_posix()] = (p.read_bytes(), st.st_ino, st.st_mtime_ns)
    return out


def changed(analysis: Analysis) -> Analysis:
    """Story 3 retitled and grown by an article, story 5 gone, a new (newest) story."""
    analysis.stories[3].title = "Story three, updated"
    extra = Article("late", "late.txt", "Delta Daily", "Late", "2024-01-04", "en", "A late article about talks.")
    analysis.articles.append(extra)
    analysis.stories[3].article_ids.append("late")
    gone = analysis.stories.pop(5)
    analysis.articles = [a for a in analysis.articles if a.id not in gone.article_ids]
    analysis.quotes = [q for q in analysis.quotes if q.evidence.article_id not in gone.article_ids]
    analysis.events = [e for e in analysis.events if all(v.article_id not in gone.article_ids for v in e.evidence)]
    analysis.claims = [c for c in analysis.claims if all(v.article_id not in gone.article_ids for v in c.evidence)]
    analysis.derivations = [d for d in analysis.derivations if d.source_article not in gone.article_ids]
    fresh = Article("fresh", "fresh.txt", "Alpha News", "Fresh", "2025-06-01", "en", "Brand new story text.")
    analysis.articles.append(fresh)
    analysis.stories.append(Story("st_new", "A brand new story", ["fresh"]))
    return analysis


def test_only_stories_rewrites_those_pages_and_the_index(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(corpus(8), out, single_file_max_articles=0)
    before = snapshot(tmp_path)
    source = DelegatingSource(changed(corpus(8)))
    written = write_report(source, out, single_file_max_articles=0, only_stories={story_id(3), "st_new", "nope"})
    after = snapshot(tmp_path)

    assert sorted(source.calls) == sorted([story_id(3), "st_new"])  # no other story is read
    rel = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"report/stories/st_003.html", "report/stories/st_new.html", "report.html", "report/by-size.html",
            "report/months/2024-01.html", "report/months/2025-06.html"} <= rel
    assert not [p for p in rel if "stories/" in p and p not in {"report/stories/st_003.html",
                                                                  "report/stories/st_new.html"}]
    # the vanished story's page is gone, the new one is there
    assert "report/stories/st_005.html" in before and "report/stories/st_005.html" not in after
    assert "report/stories/st_new.html" not in before and "report/stories/st_new.html" in after
    # the others are untouched: same bytes, same file
    for k in (0, 1, 2, 4, 6, 7):
        name = f"report/stories/{story_id(k)}.html"
        assert after[name] == before[name], name
    # the re-rendered page and the index pages show the change
    assert after["report/stories/st_003.html"][0] != before["report/stories/st_003.html"][0]
    page = parse(page_of(tmp_path, story_id(3)).read_text())
    assert next(h for h in page.iter() if h.tag == "h1").text() == "Story three, updated"
    assert "art-late" in {n.attrs.get("id") for n in page.iter()}
    for index in ("report.html", "report/by-size.html", "report/by-outlets.html", "report/by-contradictions.html"):
        assert after[index][1] != before[index][1], f"{index} not rewritten"
        rows = index_rows(parse((tmp_path / index).read_text()))
        titles = [r["title"] for r in rows]
        assert "Story three, updated" in titles and "A brand new story" in titles and "Story number 5" not in titles
        assert all((tmp_path / index).parent.joinpath(r["href"]).is_file() for r in rows)
    assert index_rows(parse(out.read_text()))[0]["title"] == "A brand new story"  # newest first


def test_partial_update_equals_a_full_render(tmp_path: Path) -> None:
    """Story pages depend only on their story: after a partial update the tree is what a full write gives."""
    partial, full = tmp_path / "partial", tmp_path / "full"
    write_report(corpus(8), partial / "report.html", single_file_max_articles=0)
    write_report(changed(corpus(8)), partial / "report.html", single_file_max_articles=0,
                 only_stories={story_id(3), "st_new"})
    write_report(changed(corpus(8)), full / "report.html", single_file_max_articles=0)
    a = {k: v[0] for k, v in snapshot(partial).items()}
    b = {k: v[0] for k, v in snapshot(full).items()}
    assert a == b


def test_missing_pages_are_rendered_too(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(corpus(5), out, single_file_max_articles=0)
    page_of(tmp_path, story_id(1)).unlink()
    source = DelegatingSource(corpus(5))
    write_report(source, out, single_file_max_articles=0, only_stories={story_id(3)})
    assert sorted(source.calls) == [story_id(1), story_id(3)]
    assert page_of(tmp_path, story_id(1)).is_file()


def test_empty_only_stories_rewrites_just_the_home_page(tmp_path: Path) -> None:
    """Nothing changed: the other index pages are as they were (see test_report_archive)."""
    out = tmp_path / "report.html"
    write_report(corpus(5), out, single_file_max_articles=0)
    before = snapshot(tmp_path)
    source = DelegatingSource(corpus(5))
    written = write_report(source, out, single_file_max_articles=0, only_stories=set())
    assert source.calls == []
    assert written == [out]
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if "stories/" in k} == {k: v for k, v in before.items() if "stories/" in k}


def test_only_stories_leaves_other_files_alone(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_report(corpus(4), out, single_file_max_articles=0)
    mine = [tmp_path / "report" / "stories" / "notes.txt", tmp_path / "report" / "style.css", tmp_path / "other.html"]
    for p in mine:
        p.write_text("mine")
    write_report(corpus(3), out, single_file_max_articles=0, only_stories={story_id(0)})
    assert all(p.read_text() == "mine" for p in mine)
    assert not page_of(tmp_path, story_id(3)).exists()
    assert sorted(os.listdir(tmp_path / "report" / "stories")) == ["notes.txt", "st_000.html", "st_001.html",
                                                                 "st_002.html"]


def test_only_stories_on_a_small_corpus_writes_the_single_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    written = write_report(corpus(3), out, only_stories={story_id(1)})
    assert written == [out] and [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert len(index_rows(parse(out.read_text()))) == 3
