"""Metadata users can trust (issue 22): publication date, clean title, the site's own name.

Pages are invented here with the head layouts real news sites use (JSON-LD @graph as Yoast writes it,
Open Graph + article:* meta, sailthru/parsely meta, itemprop time); no real page is copied.
"""

from __future__ import annotations

import json

import pytest

from crossread.ingest.fetch import article_from_html
from crossread.ingest.html import extract_html
from crossread.ingest.meta import normalise_date
from crossread.ingest.pagemeta import page_metadata, strip_site_suffix

BODY = "\n".join(
    f"<p>The council voted on Tuesday to expand the tram line number {i} to the northern suburbs, "
    f"after a debate that lasted most of the afternoon and drew a large crowd of residents.</p>"
    for i in range(8)
)


def page(head: str, body: str = BODY, h1: str = "Council backs tram extension") -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
            f"<body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
            f"<article><h1>{h1}</h1>{body}</article><footer>© Example</footer></body></html>")


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# --- dates -------------------------------------------------------------------------------------

def test_jsonld_graph_published_beats_modified_everywhere() -> None:
    head = ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example Times", "url": "https://www.example-times.com/"},
        {"@type": "WebPage", "dateModified": "2024-03-27T09:00:00+00:00"},
        {"@type": "NewsArticle", "headline": "Council backs tram extension",
         "dateModified": "2024-03-27T09:00:00+00:00", "datePublished": "2024-03-25T06:30:00+00:00"},
    ]}) + ('<meta property="article:modified_time" content="2024-03-27T09:00:00+00:00">'
           '<meta property="og:updated_time" content="2024-03-27T09:00:00+00:00">')
    parts = extract_html(page(head))
    assert parts is not None
    assert parts.published == "2024-03-25T06:30:00+00:00"


def test_jsonld_list_of_objects() -> None:
    head = ld([{"@type": "BreadcrumbList", "itemListElement": []},
               {"@type": ["NewsArticle"], "datePublished": "2023-11-02"}])
    assert page_metadata(page(head)).published == "2023-11-02"


@pytest.mark.parametrize("meta", [
    '<meta property="article:published_time" content="2022-05-04T10:00:00Z">',
    '<meta name="pubdate" content="2022-05-04T10:00:00Z">',
    '<meta name="sailthru.date" content="2022-05-04T10:00:00Z">',
    '<meta name="parsely-pub-date" content="2022-05-04T10:00:00Z">',
    '<meta name="DC.date.issued" content="2022-05-04T10:00:00Z">',
])
def test_published_meta_names_beat_modified_meta(meta: str) -> None:
    # The modified time comes first in the document: order in the page must not matter.
    head = '<meta property="article:modified_time" content="2022-06-30T08:00:00Z">' + meta
    assert page_metadata(page(head)).published == "2022-05-04T10:00:00+00:00"


def test_itemprop_time_element() -> None:
    body = '<p>By A. Writer, <time itemprop="datePublished" datetime="2021-01-15T12:00:00+01:00">15 Jan</time></p>' + BODY
    assert page_metadata(page("", body=body)).published == "2021-01-15T12:00:00+01:00"


def test_url_path_date_from_fetched_url_or_canonical() -> None:
    html = page('<meta property="article:modified_time" content="2020-02-02T00:00:00Z">')
    meta = page_metadata(html, "https://www.example-times.com/2019/11/18/tram-vote/")
    assert meta.published == "2019-11-18"
    canon = page('<link rel="canonical" href="https://www.example-times.com/news/2019/1/8/tram-vote">')
    assert page_metadata(canon).published == "2019-01-08"
    article = article_from_html(html, source="x", url="https://www.example-times.com/2019/11/18/tram-vote/")
    assert not isinstance(article, str) and article.published == "2019-11-18"


def test_unix_timestamps_in_meta_and_jsonld() -> None:
    assert page_metadata(page('<meta name="parsely-pub-date" content="1711362600000">')).published == \
        "2024-03-25T10:30:00+00:00"
    assert page_metadata(page(ld({"@type": "NewsArticle", "datePublished": 1711362600}))).published == \
        "2024-03-25T10:30:00+00:00"


@pytest.mark.parametrize("value, expected", [
    (1711362600, "2024-03-25T10:30:00+00:00"),
    ("1711362600", "2024-03-25T10:30:00+00:00"),
    ("1711362600000", "2024-03-25T10:30:00+00:00"),
    ("20240325", "2024-03-25"),
    (2024, None),           # a year is not a timestamp
    ("123456", None),
    (True, None),
])
def test_normalise_date_numbers(value: object, expected: str | None) -> None:
    assert normalise_date(value) == expected


# --- titles ------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, names, host, expected", [
    ("Council backs tram extension | Example Times", ["Example Times"], None, "Council backs tram extension"),
    ("Council backs tram extension - The Example Times", ["Example Times"], None, "Council backs tram extension"),
    ("Council backs tram extension — example times", ["The Example Times"], None, "Council backs tram extension"),
    ("Council backs tram extension :: Example Times", ["Example Times"], None, "Council backs tram extension"),
    ("Council backs tram extension - escenic", [], None, "Council backs tram extension"),
    ("Council backs tram extension | WordPress", [], None, "Council backs tram extension"),
    ("Council backs tram extension – Example Times | NYTimes.com", ["Example Times"], "nytimes.com",
     "Council backs tram extension"),
    ("Example Times | Council backs tram extension", ["Example Times"], None, "Council backs tram extension"),
    ("Council backs tram extension - BBC News", [], "bbc.co.uk", "Council backs tram extension"),
    # never a real part of the headline
    ("Brexit deal - what it means for you", ["Example Times"], "example-times.com", "Brexit deal - what it means for you"),
    ("Tram vote | Analysis", ["Example Times"], None, "Tram vote | Analysis"),
    ("Co-op to close 40 stores", ["Co-op"], None, "Co-op to close 40 stores"),
    ("Example Times", ["Example Times"], None, "Example Times"),
])
def test_strip_site_suffix(title: str, names: list[str], host: str | None, expected: str) -> None:
    assert strip_site_suffix(title, names, host) == expected


def test_og_title_preferred_and_title_cleaned() -> None:
    head = ('<title>Council backs tram extension | Local | Example Times</title>'
            '<meta property="og:site_name" content="Example Times">'
            '<meta property="og:title" content="Council backs tram extension">')
    parts = extract_html(page(head))
    assert parts is not None and parts.title == "Council backs tram extension"
    # og:title that is just the site name is passed over; <title> is cleaned instead
    head = ('<title>Council backs tram extension - Example Times</title>'
            '<meta property="og:site_name" content="Example Times">'
            '<meta property="og:title" content="Example Times">')
    assert page_metadata(page(head, h1="")).title == "Council backs tram extension"


def test_cms_name_title_without_site_name() -> None:
    head = "<title>Council backs tram extension - escenic</title>"
    assert page_metadata(page(head, h1="")).title == "Council backs tram extension"


# --- outlets -----------------------------------------------------------------------------------

def test_outlet_order() -> None:
    og = '<meta property="og:site_name" content="Example Times">'
    pub = ld({"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Example Media Group"}})
    app = '<meta name="application-name" content="Example App Name">'
    assert page_metadata(page(og + pub + app)).outlet == "Example Times"
    assert page_metadata(page(pub + app)).outlet == "Example Media Group"
    assert page_metadata(page(app)).outlet == "Example App Name"
    assert page_metadata(page(""), "https://www.example-times.com/a/b").outlet == "example-times.com"


@pytest.mark.parametrize("bad", [
    "Autoracing | F1 | Indy | MotoGP | StockCar",                      # a menu
    "Council backs tram extension",                                    # the headline itself
    "The best place for local news, sport, weather and what is on in the city and around",  # a slogan
    "https://www.example-times.com",                                   # a URL
    "escenic",                                                         # the CMS
    "Copyright 2014",                                                  # the footer's notice
])
def test_implausible_site_names_passed_over(bad: str) -> None:
    head = (f'<meta property="og:site_name" content="{bad}">'
            '<meta property="og:title" content="Council backs tram extension">'
            + ld({"@type": "NewsArticle", "publisher": {"name": "Example Times"}}))
    assert page_metadata(page(head)).outlet == "Example Times"
    head = f'<meta property="og:site_name" content="{bad}"><title>Council backs tram extension</title>'
    assert page_metadata(page(head), "https://www.example-times.com/x").outlet == "example-times.com"


def test_site_name_of_domain_beats_edition_name() -> None:
    # og:site_name holds the edition ("U.S."), JSON-LD's publisher the site; the URL tells which is the site
    head = ('<meta property="og:site_name" content="U.S.">'
            + ld({"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Reuters"}}))
    assert page_metadata(page(head), "https://www.reuters.com/article/x").outlet == "Reuters"
    assert page_metadata(page('<meta property="og:site_name" content="TheHill">'
                              + ld({"@type": "NewsArticle", "publisher": {"name": "The Hill"}})),
                         "https://thehill.com/news/1").outlet == "The Hill"


def test_title_suffix_removed_with_domain_fallback_name() -> None:
    parts = extract_html(page("<title>Council backs tram extension | Example-Times.com</title>", h1=""),
                         page_url="https://www.example-times.com/news/1")
    assert parts is not None
    assert parts.title == "Council backs tram extension"
    assert (parts.outlet or "").casefold() == "example-times.com"  # trafilatura reads it off the title
