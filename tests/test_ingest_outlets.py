"""The shipped domain -> outlet table: lookups by host and parent domain, its use for pages that do not
name themselves, for aggregator feed items and for BASIL's source codes."""

from __future__ import annotations

import re

import pytest

from crossread.evaluation import basil_outlet
from crossread.extract.registry import DATA_DIR
from crossread.ingest.feeds import parse_feed
from crossread.ingest.outlets import OUTLET_TABLE, outlet_domains, outlet_for_host, outlet_for_url
from crossread.ingest.pagemeta import page_metadata

BODY = "<p>" + " ".join(["The council voted on the new budget after a long debate about schools and roads."] * 8) + "</p>"


def test_the_table_is_well_formed_and_its_countries_are_known() -> None:
    table = outlet_domains()
    assert len(table) >= 200
    countries = {line.split("\t")[0] for line in (DATA_DIR / "countries.tsv").read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#")}
    for domain, entry in table.items():
        assert re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", domain), domain
        assert not domain.startswith("www.") and entry.name.strip() == entry.name
        assert entry.country is None or entry.country in countries, (domain, entry.country)
    assert (DATA_DIR / OUTLET_TABLE).read_text(encoding="utf-8").startswith("# Web domains")


@pytest.mark.parametrize("host, name", [
    ("www.nytimes.com", "The New York Times"),
    ("edition.cnn.com", "CNN"),
    ("amp.theguardian.com", "The Guardian"),
    ("news.bbc.co.uk", "BBC News"),  # a subdomain with a line of its own
    ("www.bbc.co.uk", "BBC"),
    ("WWW.Reuters.COM.", "Reuters"),
])
def test_hosts_and_their_parent_domains(host: str, name: str) -> None:
    entry = outlet_for_host(host)
    assert entry is not None and entry.name == name


def test_unlisted_hosts_and_bad_urls() -> None:
    assert outlet_for_host("example.org") is None and outlet_for_host("com") is None and outlet_for_host(None) is None
    assert outlet_for_host("notcnn.com") is None  # a parent domain only at a dot
    assert outlet_for_url("https://[bad") is None and outlet_for_url("https://edition.cnn.com/x").country == "USA"


def test_a_page_that_does_not_name_itself_gets_the_tables_name() -> None:
    html = f"<html><head><title>Council passes the budget | CNN</title></head><body><article>{BODY}</article></body></html>"
    meta = page_metadata(html, "https://edition.cnn.com/2024/03/04/politics/budget/index.html")
    assert meta.outlet == "CNN" and meta.title == "Council passes the budget"
    # the page's own name wins over the table's
    named = html.replace("<title>", '<meta property="og:site_name" content="CNN International"><title>')
    assert page_metadata(named, "https://edition.cnn.com/2024/03/04/x").outlet == "CNN International"
    # an unlisted site: the domain, as before
    assert page_metadata(html, "https://www.small-town-news.example/a").outlet == "small-town-news.example"


def test_an_aggregator_items_outlet_is_its_sites_name() -> None:
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>News Roundup</title>
    <link>https://roundup.example/</link>
    <item><title>A</title><link>https://amp.theguardian.com/world/a</link>
    <description>The council voted on the new budget after a long debate about schools and roads.</description></item>
    <item><title>B</title><link>https://unlisted.example/b</link>
    <description>The council voted on the new budget after a long debate about schools and roads again.</description></item>
    </channel></rss>"""
    assert [a.outlet for a in parse_feed(feed.encode(), "f.rss")] == ["The Guardian", "unlisted.example"]


def test_basil_codes_name_their_outlets_from_the_table() -> None:
    assert [basil_outlet(c) for c in ("fox", "NYT", "hpo", "other", None)] == [
        "Fox News", "The New York Times", "HuffPost", "other", None]
