"""Split report: one self-contained page per story, evidence anchors inside the page, links back to the index."""

from __future__ import annotations

import gc
from contextlib import nullcontext
import re
import weakref
from pathlib import Path

import pytest
from test_report import XSS_IMG, XSS_SCRIPT, Node, article_a, full_analysis, hostile_analysis, parse, span_text
from test_report_index import corpus, expected, index_rows, split, story_id
from test_report_v1 import rich_analysis, sections_in_order

from crossread.records import Analysis, Story
from crossread.report import AnalysisSource, StorySummary, write_report
from crossread.report.render import anchor_id, page_stem


def page_of(tmp_path: Path, sid: str) -> Path:
    return tmp_path / "report" / "stories" / f"{page_stem(sid)}.html"


def ids_of(root: Node) -> list[str]:
    return [n.attrs["id"] for n in root.iter() if "id" in n.attrs]


def assert_self_contained(html: str, root: Node, page: Path) -> None:
    assert not {n.tag for n in root.iter()} & {"script", "link", "img", "iframe", "object", "embed", "base", "form"}
    assert all("src" not in n.attrs for n in root.iter())
    assert all(not k.startswith("on") for n in root.iter() for k in n.attrs)
    assert "default-src 'none'" in html and "script-src" not in html
    styles = "".join(n.text() for n in root.iter() if n.tag == "style")
    assert styles and "url(" not in styles and "@import" not in styles
    ids = ids_of(root)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for n in root.iter():
        href = n.attrs.get("href")
        if href is None:
            continue
        if href.startswith("#"):
            assert href[1:] in ids, f"{page.name}: dangling {href}"
        elif re.match(r"https?://", href):
            assert "noopener" in n.attrs["rel"]
        else:  # a page of the report itself
            assert "//" not in href and ":" not in href.split("/")[0], href
            assert (page.parent / href.split("#")[0]).is_file(), f"{page.name}: broken link {href}"


# --------------------------------------------------------------------------- one page per story


def test_one_page_per_story(tmp_path: Path) -> None:
    n = 9
    out = split(tmp_path, corpus(n))
    pages = sorted((tmp_path / "report" / "stories").iterdir())
    assert [p.name for p in pages] == sorted(f"{story_id(k)}.html" for k in range(n))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "report.html"]
    for k in range(n):
        page = page_of(tmp_path, story_id(k))
        html = page.read_text()
        root = parse(html)
        assert_self_contained(html, root, page)
        assert next(h for h in root.iter() if h.tag == "h1").text() == f"Story number {k}"
        # back to the index
        (back, *_) = [a for a in root.iter() if a.tag == "a" and a.attrs.get("rel") == "index"]
        assert (page.parent / back.attrs["href"]).resolve() == out.resolve()
        # the story's own counts
        counts = {li.text() for x in root.iter() if x.has_class("counts") for li in x.iter() if li.tag == "li"}
        exp = expected(k)
        assert {f"{exp.articles}articles", f"{exp.events}events", f"{exp.claims}claims",
                f"{exp.contradicted_claims}contradicted claims", f"{exp.quotes}quotes"} <= counts
        # only this story's articles
        arts = [x.attrs["id"] for x in root.iter() if x.tag == "article" and "id" in x.attrs]
        assert arts == [f"art-a{k}_{j}" for j in range(k % 3 + 1)]


def test_index_links_land_on_story_pages(tmp_path: Path) -> None:
    out = split(tmp_path, corpus(6))
    for row in index_rows(parse(out.read_text())):
        page = tmp_path / row["href"]
        assert next(h for h in parse(page.read_text()).iter() if h.tag == "h1").text() == row["title"]


def test_story_page_has_the_storys_sections_in_order(tmp_path: Path) -> None:
    split(tmp_path, rich_analysis())
    root = parse(page_of(tmp_path, "s1").read_text())
    (story,) = [n for n in root.iter() if n.tag == "section" and n.has_class("story")]
    assert sections_in_order(story) == [
        "story-1-coverage", "story-1-events", "story-1-quotes", "story-1-framing", "story-1-derivations",
        "story-1-network", "story-1-articles"]
    text = story.text()
    assert "Ruritania" in text and "aggressor ×2" in text and "partial" in text
    assert [n.tag for n in story.iter() if n.tag == "svg"] == ["svg"]
    nav_targets = [a.attrs["href"][1:] for n in root.iter() if n.tag == "nav" for a in n.iter() if a.tag == "a"]
    assert nav_targets == sections_in_order(story)


def test_every_evidence_link_lands_on_its_highlight_in_the_page(tmp_path: Path) -> None:
    analysis = rich_analysis()
    split(tmp_path, analysis)
    texts = {a.id: a.text for a in analysis.articles}
    for story in analysis.stories:
        page = page_of(tmp_path, story.id)
        html = page.read_text()
        root = parse(html)
        assert_self_contained(html, root, page)
        ids = set(story.article_ids)
        spans = [ev for e in analysis.events for ev in e.evidence if ev.article_id in ids]
        spans += [ev for c in analysis.claims for ev in c.evidence if ev.article_id in ids]
        spans += [q.evidence for q in analysis.quotes if q.evidence.article_id in ids]
        spans += [ev for f in analysis.framing for lb in f.labels for ev in lb.evidence if ev.article_id in ids]
        assert spans
        hrefs = {n.attrs.get("href") for n in root.iter() if n.tag == "a"}
        for ev in spans:
            anchor = anchor_id(ev.article_id, ev.start, ev.end)
            assert f"#{anchor}" in hrefs, anchor
            (target,) = [n for n in root.iter() if n.attrs.get("id") == anchor]
            assert target.tag == "span" and target.has_class("ev")
            assert span_text(root, anchor) == texts[ev.article_id][ev.start:ev.end]
        # no link points at evidence of another story's articles
        assert not [n for n in root.iter() if n.has_class("dead")]


def test_article_in_two_stories_is_on_both_pages(tmp_path: Path) -> None:
    analysis = Analysis(articles=[article_a()],
                        stories=[Story("s1", "One", ["a1"]), Story("s2", "Two", ["a1", "gone"])])
    split(tmp_path, analysis)
    for sid in ("s1", "s2"):
        root = parse(page_of(tmp_path, sid).read_text())
        assert len([n for n in root.iter() if n.attrs.get("id") == "art-a1"]) == 1
    assert "gone is not in this analysis" in parse(page_of(tmp_path, "s2").read_text()).text()


def test_unclustered_articles_get_a_page(tmp_path: Path) -> None:
    out = split(tmp_path, full_analysis())
    rows = index_rows(parse(out.read_text()))
    assert [r["title"] for r in rows] == ["Talks to resume in Lisboa", "Unclustered articles"]
    root = parse((tmp_path / rows[1]["href"]).read_text())
    assert [n.attrs["id"] for n in root.iter() if n.tag == "article" and "id" in n.attrs] == ["art-c3"]


def test_hostile_text_escaped_on_story_pages(tmp_path: Path) -> None:
    analysis = hostile_analysis()
    analysis.stories[0].id = XSS_SCRIPT
    write_report(analysis, tmp_path / "report.html", title=XSS_SCRIPT, single_file_max_articles=0)
    pages = list((tmp_path / "report" / "stories").iterdir())
    assert len(pages) == 2  # the story and the unclustered article
    for page in pages:
        assert re.fullmatch(r"[a-z0-9_~-]+\.html", page.name)
        html = page.read_text()
        assert "<script" not in html.lower() and "<img" not in html.lower() and 'x"1<b>' not in html
        root = parse(html)
        assert_self_contained(html, root, page)
    html = page_of(tmp_path, XSS_SCRIPT).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    root = parse(html)
    assert next(h for h in root.iter() if h.tag == "h1").text() == XSS_SCRIPT
    ev = analysis.quotes[0].evidence
    assert span_text(root, anchor_id(ev.article_id, ev.start, ev.end)) == XSS_IMG


def test_page_stems_are_injective_and_portable() -> None:
    ids = ["a", "A", "_41_", "~41~", "a/b", "..", ".hidden", "", "x" * 300, "x" * 299 + "y", "ü", "con", "a b"]
    stems = [page_stem(i) for i in ids]
    assert len(set(stems)) == len(ids)
    for stem in stems:
        assert re.fullmatch(r"[a-z0-9_~-]{1,120}", stem), stem
        assert not stem.startswith(".")


# --------------------------------------------------------------------------- single file or pages


def test_threshold_counts_articles(tmp_path: Path) -> None:
    analysis = corpus(4)  # 1 + 2 + 3 + 1 articles
    assert len(analysis.articles) == 7
    assert write_report(analysis, tmp_path / "a" / "report.html", single_file_max_articles=7) == [
        tmp_path / "a" / "report.html"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["report.html"]
    written = write_report(analysis, tmp_path / "b" / "report.html", single_file_max_articles=6)
    # 4 story pages, the home page, 3 top lists, 1 month (January 2024), the digests of the index pages
    assert len(written) == 4 + 1 + 3 + 1 + 1
    assert {p.relative_to(tmp_path / "b").as_posix() for p in written if "stories" not in p.parts} == {
        "report.html", "report/by-size.html", "report/by-outlets.html", "report/by-contradictions.html",
        "report/months/2024-01.html", "report/index-pages.json"}
    assert (tmp_path / "b" / "report" / "stories").is_dir()


def test_going_back_to_one_file_removes_the_pages(tmp_path: Path) -> None:
    out = split(tmp_path, corpus(5))
    (tmp_path / "report" / "mine.txt").write_text("not the report's")
    write_report(corpus(5), out)  # 9 articles: one file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "report.html"]
    assert [p.name for p in (tmp_path / "report").iterdir()] == ["mine.txt"]
    (tmp_path / "report" / "mine.txt").unlink()
    split(tmp_path, corpus(5))
    write_report(corpus(5), out)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_pages_folder_is_named_after_the_report(tmp_path: Path) -> None:
    write_report(corpus(3), tmp_path / "talks.html", single_file_max_articles=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talks", "talks.html"]
    assert (tmp_path / "talks" / "by-size.html").is_file()
    assert index_rows(parse((tmp_path / "talks.html").read_text()))[0]["href"].startswith("talks/stories/")


# --------------------------------------------------------------------------- any source


class DelegatingSource:
    """A ReportSource that is not an AnalysisSource (as a store-backed one would be); keeps no analysis alive."""

    def __init__(self, analysis: Analysis) -> None:
        self._inner = AnalysisSource(analysis)
        self.calls: list[str] = []
        self._alive: list[weakref.ref[Analysis]] = []
        self.max_alive = 0

    def story_summaries(self) -> list[StorySummary]:
        return self._inner.story_summaries()

    def totals(self) -> dict[str, int]:
        return self._inner.totals()

    def story_analysis(self, story_id: str) -> Analysis:
        gc.collect()
        self._alive = [r for r in self._alive if r() is not None]
        self.calls.append(story_id)
        result = self._inner.story_analysis(story_id)
        self._alive.append(weakref.ref(result))
        self.max_alive = max(self.max_alive, len(self._alive))
        return result


def test_split_from_any_source_holds_one_story_at_a_time(tmp_path: Path) -> None:
    source = DelegatingSource(corpus(8))
    write_report(source, tmp_path / "report.html", single_file_max_articles=0)
    assert sorted(source.calls) == sorted(story_id(k) for k in range(8))  # each story read once
    assert source.max_alive == 1
    assert len(list((tmp_path / "report" / "stories").iterdir())) == 8


def test_single_file_from_any_source_merges_the_stories(tmp_path: Path) -> None:
    analysis = corpus(6)
    out = tmp_path / "report.html"
    write_report(DelegatingSource(analysis), out)
    html = out.read_text()
    root = parse(html)
    rows = index_rows(root)
    assert [r["counts"] for r in rows] == [
        [s.articles, s.events, s.claims, s.contradicted_claims, s.quotes, s.derivations]
        for s in [expected(k) for k in reversed(range(6))]]
    ids = set(ids_of(root))
    links = [n.attrs["href"] for n in root.iter() if n.tag == "a" and n.attrs.get("href", "").startswith("#")]
    assert links and all(h[1:] in ids for h in links)
    # the corpus tables hold every record once
    (claims,) = [n for n in root.iter() if n.tag == "section" and n.attrs.get("id") == "claims"]
    assert len([tr for tr in claims.iter() if tr.tag == "tr" and tr.parent.tag == "tbody"]) == len(analysis.claims)


@pytest.mark.parametrize("size", [0, -1])
@pytest.mark.parametrize("name", ["home_stories", "top_stories", "index_page_size"])
def test_bad_index_sizes(tmp_path: Path, size: int, name: str) -> None:
    with pytest.raises(ValueError), pytest.warns(DeprecationWarning) if name == "index_page_size" else nullcontext():
        write_report(corpus(2), tmp_path / "r.html", single_file_max_articles=0, **{name: size})
