"""The index of stories: every story, its dates, outlets and counts, in each order (see test_report_archive for
the home page, the archive by month and what a rewrite writes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_report import Node, full_analysis, parse

from crossread.records import (
    Analysis,
    Article,
    Claim,
    ClaimRelation,
    Derivation,
    Event,
    Evidence,
    Passage,
    Quote,
    Story,
)
from crossread.report import AnalysisSource, StorySummary, newest_first, render_report, write_report
from crossread.report.source import summarise_story

OUTLETS = ["Alpha News", "Beta Wire", "Gamma Post"]


def story_id(k: int) -> str:
    return f"st_{k:03d}"


def corpus(n: int, *, undated: set[int] = frozenset()) -> Analysis:  # type: ignore[assignment]
    """``n`` stories with counts that follow from k (see :func:`expected`); story k is dated 2024-01-(k+1)."""
    analysis = Analysis()
    for k in range(n):
        size = k % 3 + 1
        arts = []
        for j in range(size):
            text = f"Story {k} article {j} opens here. Officials said that talks {k} would resume on day {j}."
            published = None if k in undated else f"2024-{1 + k // 28:02d}-{1 + k % 28:02d}T0{j}:00:00Z"
            arts.append(Article(f"a{k}_{j}", f"a{k}_{j}.txt", OUTLETS[j], f"Article {k}.{j}", published, "en", text))
        analysis.articles += arts
        analysis.stories.append(Story(story_id(k), f"Story number {k}", [a.id for a in arts]))

        def ev(art: Article, needle: str) -> Evidence:
            s = art.text.index(needle)
            return Evidence(art.id, s, s + len(needle), art.text)

        for e in range(k % 4):
            analysis.events.append(Event(f"ev{k}_{e}", "CONSULT", None, None, [], [], "talks",
                                         evidence=[ev(a, "talks") for a in arts]))
        for c in range(k % 5):
            relations = []
            if c < k % 2 and size >= 2:  # story k with odd k and ≥ 2 articles: one contradicted claim
                relations = [ClaimRelation(arts[0].id, arts[0].outlet, "supports", 1.0, ev(arts[0], "opens")),
                             ClaimRelation(arts[1].id, arts[1].outlet, "contradicts", 1.0, ev(arts[1], "opens"))]
            analysis.claims.append(Claim(f"cl{k}_{c}", f"claim {c} of story {k}", None,
                                         [ev(a, "would resume") for a in arts], relations=relations))
        for a in arts:
            analysis.quotes.append(Quote(f"q{a.id}", None, "Officials", "said", f"talks {k} would resume", "indirect",
                                         ev(a, "talks")))
        if size >= 2:
            s0 = arts[0].text.index("Officials")
            s1 = arts[1].text.index("Officials")
            analysis.derivations.append(Derivation(arts[0].id, arts[1].id, "partial", 0.5,
                                                   [Passage(s0, s0 + 9, s1, s1 + 9, "Officials")]))
    return analysis


def expected(k: int, *, dated: bool = True) -> StorySummary:
    size = k % 3 + 1
    day = f"2024-{1 + k // 28:02d}-{1 + k % 28:02d}"
    return StorySummary(
        id=story_id(k), title=f"Story number {k}", first_date=day if dated else None,
        last_date=day if dated else None, outlets=sorted(OUTLETS[:size]), articles=size, events=k % 4,
        claims=k % 5, quotes=size, contradicted_claims=1 if (k % 2 and size >= 2 and k % 5) else 0,
        derivations=1 if size >= 2 else 0,
    )


def index_rows(root: Node) -> list[dict[str, str]]:
    (table,) = [n for n in root.iter() if n.tag == "table" and n.has_class("story-index")]
    rows = []
    for tr in (n for n in table.iter() if n.tag == "tr" and n.parent.tag == "tbody"):
        cells = [c for c in tr.children if isinstance(c, Node) and c.tag == "td"]
        (link,) = [n for n in cells[0].iter() if n.tag == "a"]
        rows.append({"title": cells[0].text(), "href": link.attrs["href"], "dates": cells[1].text(),
                     "outlets": cells[2].text(),
                     "counts": [int(c.text()) for c in cells[3:]]})
    return rows


def row_counts(s: StorySummary) -> list[int]:
    # the index's columns: articles, events, claims, contradicted, quotes, derivations
    return [s.articles, s.events, s.claims, s.contradicted_claims, s.quotes, s.derivations]


# --------------------------------------------------------------------------- summaries


def test_summaries_count_each_storys_records() -> None:
    source = AnalysisSource(corpus(12))
    assert source.story_summaries() == [expected(k) for k in range(12)]
    assert source.unclustered_id is None


def test_summary_of_a_story_is_the_same_from_its_own_analysis() -> None:
    """A store can compute summaries from one story's analysis: the numbers agree with the corpus-wide ones."""
    analysis = corpus(9)
    source = AnalysisSource(analysis)
    for s in source.story_summaries():
        (story,) = source.story_analysis(s.id).stories
        assert summarise_story(story, source.story_analysis(s.id)) == s
        assert summarise_story(story, analysis) == s


def test_dates_come_from_published_and_ignore_junk() -> None:
    analysis = full_analysis()  # a1 published 2024-03-25T10:00:00Z, b2 undated
    analysis.articles[1].published = "2024-03-20 08:00"
    analysis.articles[2].published = "yesterday"  # c3, unclustered
    summaries = {s.id: s for s in AnalysisSource(analysis).story_summaries()}
    assert (summaries["st_1"].first_date, summaries["st_1"].last_date) == ("2024-03-20", "2024-03-25")
    assert summaries["st_1"].outlets == ["Daily Example", "Reuters"]
    assert (summaries["unclustered"].first_date, summaries["unclustered"].last_date) == (None, None)
    assert summaries["unclustered"].outlets == ["Loner Gazette"]


def test_contradicted_counts_claims_an_article_of_the_story_contradicts() -> None:
    analysis = full_analysis()
    claim = analysis.claims[0]
    assert AnalysisSource(analysis).story_summaries()[0].contradicted_claims == 0
    claim.relations = [ClaimRelation("b2", "Reuters", "contradicts", 0.9, claim.evidence[1])]
    assert AnalysisSource(analysis).story_summaries()[0].contradicted_claims == 1
    claim.relations = []
    claim.status = "contradicted"  # records written before relations existed
    assert AnalysisSource(analysis).story_summaries()[0].contradicted_claims == 1


def test_newest_first_orders_by_latest_date_undated_last_ties_in_source_order() -> None:
    def s(i: str, first: str | None, last: str | None) -> StorySummary:
        return StorySummary(i, i, first, last)

    items = [s("u1", None, None), s("old", "2020-01-01", "2020-01-02"), s("new", "2023-05-01", "2024-01-01"),
             s("tie-a", "2021-01-01", "2022-01-01"), s("u2", None, None), s("tie-b", "2021-01-01", "2022-01-01"),
             s("long", "2019-01-01", "2022-01-01")]
    assert [x.id for x in newest_first(items)] == ["new", "tie-a", "tie-b", "long", "old", "u1", "u2"]


# --------------------------------------------------------------------------- single file


def test_single_file_opens_with_the_index_newest_first() -> None:
    n = 7
    root = parse(render_report(corpus(n, undated={2})))
    body = next(n for n in root.iter() if n.tag == "body")
    sections = [c for c in body.children if isinstance(c, Node) and c.tag == "section"]
    assert sections[0].attrs["id"] == "index"  # before every story
    rows = index_rows(root)
    order = [6, 5, 4, 3, 1, 0, 2]  # newest first, the undated story last
    assert [r["title"] for r in rows] == [f"Story number {k}" for k in order]
    for r, k in zip(rows, order):
        exp = expected(k, dated=k != 2)
        assert r["counts"] == row_counts(exp)
        assert r["outlets"] == ", ".join(exp.outlets)
        assert r["dates"] == (exp.last_date or "undated")
        # the link lands on the story's section, and the story sections follow the index's order
        (target,) = [x for x in root.iter() if x.attrs.get("id") == r["href"][1:]]
        assert target.has_class("story")
        assert next(h for h in target.iter() if h.tag == "h2").text().startswith(r["title"])
    assert [r["href"] for r in rows] == [f"#story-{i}" for i in range(1, n + 1)]


def test_single_file_index_shows_a_date_span() -> None:
    analysis = full_analysis()
    analysis.articles[1].published = "2024-03-20"
    root = parse(render_report(analysis))
    rows = index_rows(root)
    assert rows[0]["dates"] == "2024-03-20 – 2024-03-25"
    assert rows[0]["counts"] == [2, 1, 1, 0, 1, 1]
    # the unclustered article has its own row, linking to its section
    assert rows[1]["title"] == "Unclustered articles" and rows[1]["href"] == "#unclustered"


# --------------------------------------------------------------------------- split index pages


def split(tmp_path: Path, analysis: Analysis, **kwargs) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    write_report(analysis, out, single_file_max_articles=0, **kwargs)
    return out


def test_split_index_lists_every_story_with_counts_newest_first(tmp_path: Path) -> None:
    n = 30
    out = split(tmp_path, corpus(n))
    rows = index_rows(parse(out.read_text()))
    assert [r["title"] for r in rows] == [f"Story number {k}" for k in reversed(range(n))]
    for r, k in zip(rows, reversed(range(n))):
        assert r["counts"] == row_counts(expected(k))
        assert r["href"] == f"report/stories/{story_id(k)}.html"
        assert (tmp_path / r["href"]).is_file()


@pytest.mark.parametrize(("page", "key"), [
    ("by-size.html", lambda s: (-s.articles, -(s.events + s.claims))),
    ("by-outlets.html", lambda s: (-len(s.outlets), -s.articles)),
    ("by-contradictions.html", lambda s: (-s.contradicted_claims, -s.claims)),
])
def test_other_orders(tmp_path: Path, page: str, key) -> None:  # type: ignore[no-untyped-def]
    n = 20
    out = split(tmp_path, corpus(n))
    rows = index_rows(parse((tmp_path / "report" / page).read_text()))
    want = sorted(newest_first(expected(k) for k in range(n)), key=key)
    assert [r["title"] for r in rows] == [s.title for s in want]
    assert [r["counts"] for r in rows] == [row_counts(s) for s in want]
    assert all((out.parent / "report" / r["href"]).is_file() for r in rows)
    values = [key(s) for s in want]
    assert values == sorted(values) and len(set(values)) > 1  # the order is not trivially the newest-first one


def test_home_and_top_lists_link_to_each_other(tmp_path: Path) -> None:
    out = split(tmp_path, corpus(5))
    pages = [out] + [tmp_path / "report" / f"{slug}.html" for slug in ("by-size", "by-outlets", "by-contradictions")]
    for page in pages:
        root = parse(page.read_text())
        (nav,) = [n for n in root.iter() if n.tag == "nav" and n.has_class("orders")]
        links = [a for a in nav.iter() if a.tag == "a" and not a.attrs["href"].startswith("#")]
        targets = {(page.parent / a.attrs["href"]).resolve() for a in links}
        assert targets == {p.resolve() for p in pages}
        (current,) = [a for a in links if "aria-current" in a.attrs]
        assert (page.parent / current.attrs["href"]).resolve() == page.resolve()


@pytest.mark.parametrize("order", ["by-size", "by-outlets", "by-contradictions"])
def test_top_lists_hold_the_first_top_stories_of_their_order(tmp_path: Path, order: str) -> None:
    n = 23
    split(tmp_path, corpus(n), top_stories=4)
    full = tmp_path / "full"
    split(full, corpus(n))
    top = index_rows(parse((tmp_path / "report" / f"{order}.html").read_text()))
    assert [r["title"] for r in top] == [r["title"] for r in index_rows(parse((full / "report" / f"{order}.html")
                                                                              .read_text()))][:4]
    assert not list((tmp_path / "report").glob(f"{order}-*.html"))  # no pagination


def test_old_paginated_pages_are_removed(tmp_path: Path) -> None:
    """Pages of the former paginated layout go; files the report does not name stay."""
    folder = tmp_path / "report"
    folder.mkdir()
    old = ["newest.html", "newest-2.html", "newest-3.html", "by-size-2.html", "by-outlets-2.html",
           "by-contradictions-11.html"]
    mine = ["notes.html", "by-size-x.html", "newest-0.html", "style.css"]
    for name in old + mine:
        (folder / name).write_text("old")
    split(tmp_path, corpus(12))
    left = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert left == sorted(["by-contradictions.html", "by-outlets.html", "by-size.html", "index-pages.json", *mine])


def test_only_the_home_page_shows_corpus_totals(tmp_path: Path) -> None:
    analysis = corpus(6)
    out = split(tmp_path, analysis)
    root = parse(out.read_text())
    counts = {li.text() for n in root.iter() if n.has_class("counts") for li in n.iter() if li.tag == "li"}
    assert {f"{len(analysis.articles)}articles", "6stories", f"{len(analysis.events)}events",
            f"{len(analysis.claims)}claims", f"{len(analysis.quotes)}quotes"} <= counts
    others = [*(tmp_path / "report").glob("*.html"), *(tmp_path / "report" / "months").glob("*.html")]
    assert len(others) == 4  # three top lists, one month
    for page in others:
        assert not [n for n in parse(page.read_text()).iter() if n.has_class("counts")], page.name


def test_hostile_titles_escaped_in_the_index(tmp_path: Path) -> None:
    from test_report import XSS_IMG, XSS_SCRIPT, hostile_analysis
    from test_report_pages import assert_self_contained

    analysis = hostile_analysis()
    analysis.stories[0].id = XSS_IMG
    out = tmp_path / "report.html"
    write_report(analysis, out, title=XSS_SCRIPT, single_file_max_articles=0)
    pages = [out, *(tmp_path / "report").glob("*.html"), *(tmp_path / "report" / "months").glob("*.html")]
    assert sorted(p.name for p in pages) == ["by-contradictions.html", "by-outlets.html", "by-size.html",
                                             "report.html", "undated.html"]  # the hostile date is no date
    for page in pages:
        html = page.read_text()
        assert "<script" not in html.lower() and "<img" not in html.lower(), page.name
        root = parse(html)
        assert_self_contained(html, root, page)
        rows = index_rows(root)
        assert rows[0]["title"] == XSS_SCRIPT
        assert re.fullmatch(r"(report/|\.\./)?stories/[a-z0-9_~-]+\.html", rows[0]["href"])
        assert (page.parent / rows[0]["href"]).is_file()
        assert next(h for h in root.iter() if h.tag == "title").text().endswith(XSS_SCRIPT)
