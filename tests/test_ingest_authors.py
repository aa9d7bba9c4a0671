"""Bylines: authors from page markup, feeds, JSONL and text, normalised to people's names in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossread.ingest import ingest
from crossread.ingest.authors import MAX_AUTHORS, byline_of_text, normalise_authors
from crossread.ingest.feeds import parse_feed
from crossread.ingest.html import extract_html
from crossread.ingest.jsonl import parse_jsonl
from crossread.records import Article

BODY = "<p>" + " ".join(["The council voted on the new budget after a long debate about schools and roads."] * 8) + "</p>"


def page(head: str = "", top: str = "", *, h1: str = "Council passes the budget") -> str:
    """A news page as CMSs write them: metadata in <head>, a byline above the body."""
    return (f"<html><head><title>{h1}</title>{head}</head><body><nav>Home | World | Politics</nav>"
            f"<article><h1>{h1}</h1>{top}{BODY}</article><footer>© 2024 Daily Planet</footer></body></html>")


def jsonld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


@pytest.mark.parametrize("raw, names", [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("By JANE DOE, Staff Writer", ["Jane Doe"]),
    ("Jane Doe | Daily Planet", ["Jane Doe"]),
    ("By Jane Doe in Washington", ["Jane Doe"]),
    ("Jane Doe, Reuters", ["Jane Doe"]),
    ("By Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("By Jane E Doe", ["Jane E Doe"]),
    ("Jane Doe; John Roe; jane doe; JANE DOE", ["Jane Doe", "John Roe"]),
    ("By Jane Doe with additional reporting by John Roe", ["Jane Doe", "John Roe"]),
    ("By Jane Doe Updated March 3, 2024 10:30 am ET", ["Jane Doe"]),
    ("Senior Correspondent Mary-Ann O'Brien", ["Mary-Ann O'Brien"]),
    ("By Jane Doe and John Roe, Associated Press Writers", ["Jane Doe", "John Roe"]),
    ("jdoe@example.com (Jane Doe)", ["Jane Doe"]),
    ("Jane Doe <jdoe@example.com>", ["Jane Doe"]),
    ("Jane Doe @janedoe", ["Jane Doe"]),
    ("Jane Doe is a staff writer at the Post.", ["Jane Doe"]),
    ("Von Hans Müller und Anna Schmidt", ["Hans Müller", "Anna Schmidt"]),
    ("J.K. Rowling", ["J.K. Rowling"]),
    ([{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}], ["Jane Doe", "John Roe"]),
    ({"@type": "Person", "name": "Jane Doe"}, ["Jane Doe"]),
])
def test_bylines_are_normalised_to_names_in_order(raw: object, names: list[str]) -> None:
    assert normalise_authors(raw, outlet="Daily Planet") == names


@pytest.mark.parametrize("junk", [
    "admin", "Reuters", "Reuters Staff", "By The Associated Press", "Daily Planet", "The Daily Planet",
    "News Desk", "Editorial Board", "https://www.facebook.com/janedoe", "jdoe@example.com", "By Tuesday, the talks had failed.",
    "Mr. Smith goes to Washington", "user12345", "Jane 2 Doe", "", None, 42, "a" * 200, "Staff Writer",
])
def test_junk_is_refused(junk: object) -> None:
    assert normalise_authors(junk, outlet="Daily Planet") == []


def test_normalising_twice_changes_nothing() -> None:
    once = normalise_authors("By JANE DOE and John Roe, Staff Writers | Updated 3 March 2024")
    assert once == ["Jane Doe", "John Roe"] and normalise_authors(once) == once


def test_a_staff_directory_is_no_byline() -> None:
    directory = [f"Writer Number{chr(65 + i)} Person{chr(65 + i)}" for i in range(MAX_AUTHORS + 1)]
    assert len(normalise_authors(directory[:MAX_AUTHORS])) == MAX_AUTHORS
    assert normalise_authors(directory) == []


def test_a_byline_line_only_at_the_top_of_the_text() -> None:
    assert byline_of_text("By Jane Doe and John Roe\nThe council met.") == ["Jane Doe", "John Roe"]
    assert byline_of_text("The council met.\nIt voted.\nIt left.\nBy Jane Doe") == []
    assert byline_of_text("By Tuesday the talks had failed, officials said.\nMore.") == []


@pytest.mark.parametrize("html, names", [
    # JSON-LD author objects win over <meta name=author>
    (page(jsonld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council passes the budget",
                  "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}],
                  "publisher": {"@type": "Organization", "name": "Daily Planet"}})
          + '<meta name="author" content="Someone Else">'), ["Jane Doe", "John Roe"]),
    # inside @graph, with an organisation as the "author" too
    (page(jsonld({"@graph": [{"@type": "WebSite", "name": "Daily Planet"},
                             {"@type": "Article", "author": [{"@type": "Organization", "name": "Daily Planet"},
                                                             {"@type": "Person", "name": "Jane Doe"}]}]})
          + '<meta property="og:site_name" content="Daily Planet">'), ["Jane Doe"]),
    # meta author with role, in capitals
    (page('<meta name="author" content="By JANE DOE, Staff Writer">'
          '<meta property="og:site_name" content="Daily Planet">'), ["Jane Doe"]),
    # article:author as a profile URL says nothing: the byline element does
    (page('<meta property="article:author" content="https://www.facebook.com/janedoe">',
          top='<div class="article-byline">By <a rel="author" href="/staff/jd">Jane Doe</a> and '
              '<a rel="author" href="/staff/jr">John Roe</a></div>'), ["Jane Doe", "John Roe"]),
    # itemprop=author with a nested name
    (page(top='<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
              '<span itemprop="name">Jane Doe</span></span>'), ["Jane Doe"]),
    # only a "By" paragraph at the top of the article
    (page(top="<p>By Jane Doe and John Roe</p>"), ["Jane Doe", "John Roe"]),
    # nobody named; the site's name as meta author is no person
    (page('<meta name="author" content="Daily Planet"><meta property="og:site_name" content="Daily Planet">'), []),
])
def test_page_authors(html: str, names: list[str]) -> None:
    parts = extract_html(html, page_url="https://www.dailyplanet.example/2024/03/04/budget")
    assert parts is not None and parts.authors == names


def test_authors_reach_the_article_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(page('<meta name="author" content="Jane Doe &amp; John Roe">'), encoding="utf-8")
    [article] = list(ingest([str(tmp_path / "a.html")]))
    assert isinstance(article, Article) and article.authors == ["Jane Doe", "John Roe"]


FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Daily Planet</title>
<link>https://dailyplanet.example/</link>
<item><title>A</title><link>https://dailyplanet.example/a</link><author>jdoe@dailyplanet.example (Jane Doe)</author>
<description>The council voted on the new budget after a long debate about schools and roads in the city.</description></item>
<item><title>B</title><link>https://dailyplanet.example/b</link><dc:creator>John Roe and Mary Major</dc:creator>
<description>The council voted on the new budget after a long debate about schools and roads in the town.</description></item>
<item><title>C</title><link>https://dailyplanet.example/c</link>
<description>The council voted on the new budget after a long debate about schools and roads in the county.</description></item>
</channel></rss>"""

ATOM = """<feed xmlns="http://www.w3.org/2005/Atom"><title>Daily Planet</title>
<entry><title>A</title><link href="https://dailyplanet.example/a"/><author><name>Jane Doe</name></author>
<author><name>John Roe</name></author>
<summary>The council voted on the new budget after a long debate about schools and roads in the city.</summary></entry>
</feed>"""


def test_feed_item_authors() -> None:
    assert [a.authors for a in parse_feed(FEED.encode(), "f.rss")] == [["Jane Doe"], ["John Roe", "Mary Major"], []]
    assert [a.authors for a in parse_feed(ATOM.encode(), "f.atom")] == [["Jane Doe", "John Roe"]]


def test_jsonl_authors_in_their_usual_fields() -> None:
    text = "The council voted on the new budget after a long debate about schools and roads."
    lines = [
        {"text": text + " One.", "authors": ["Jane Doe", {"name": "John Roe"}]},
        {"text": text + " Two.", "byline": "By Jane Doe, Reuters"},
        {"text": text + " Three.", "author": "admin"},
        {"html": page('<meta name="author" content="Jane Doe">')},
        {"html": page('<meta name="author" content="Jane Doe">'), "authors": "John Roe"},  # the record's own wins
    ]
    got = [a.authors for a in parse_jsonl("\n".join(json.dumps(r) for r in lines), "x.jsonl")]
    assert got == [["Jane Doe", "John Roe"], ["Jane Doe"], [], ["Jane Doe"], ["John Roe"]]


def test_text_file_byline_header(tmp_path: Path) -> None:
    body = " ".join(["The council voted on the new budget after a long debate about schools and roads."] * 4)
    (tmp_path / "a.txt").write_text(f"Council passes the budget\nBy Jane Doe and John Roe\n\n{body}\n", encoding="utf-8")
    [article] = list(ingest([str(tmp_path / "a.txt")]))
    assert isinstance(article, Article) and article.authors == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize("org", [
    "News Nation Fact Check", "By European Space Agency", "Practical Horseman Editorial Staff", "PMJS - Coordenadoria de TI",
    "Metro Desk", "The Tribune Wire Services",
])
def test_organisations_are_no_authors_even_after_roles_are_stripped(org: str) -> None:
    assert normalise_authors(org) == []


def test_a_name_with_a_role_and_no_comma() -> None:
    assert normalise_authors("Jane Doe Staff Writer") == ["Jane Doe"]
