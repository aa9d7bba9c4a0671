"""RSS / Atom feeds: one article per entry (feedparser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from crossread.ingest.article import make_article
from crossread.ingest.errors import IngestError
from crossread.ingest.html import fragment_to_text
from crossread.records import Article

__all__ = ["parse_feed", "looks_like_feed"]


def looks_like_feed(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return "<rss" in head or "<feed" in head or "<rdf:rdf" in head


def _entry_text(entry: dict) -> str:
    """The richest text of an entry: full content first, then summary/description."""
    candidates = []
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        candidates.append(value)
    candidates.append(entry.get("summary") or entry.get("description") or "")
    for value in candidates:
        text = fragment_to_text(value)
        if text.strip():
            return text
    return ""


def _host(url: object) -> str | None:
    from urllib.parse import urlsplit

    if not isinstance(url, str) or not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host or None


def item_authors(entry: dict) -> list[object]:
    """The raw author names of a feed item: Atom's ``<author><name>`` list, else RSS's ``<author>`` /
    ``<dc:creator>`` (feedparser puts both in ``author``; "jdoe@example.com (Jane Doe)" is normalised later)."""
    single = entry.get("author")
    if isinstance(single, str) and "@" in single:
        return [single]  # feedparser cuts "jdoe@example.com (Jane Doe)" apart wrongly in ``authors``
    names = [a.get("name") for a in entry.get("authors") or [] if isinstance(a, dict) and a.get("name")]
    return names or [single]


def item_outlet(entry: dict, feed: dict) -> str | None:
    """The outlet of a feed item: the item's own ``<source>`` name; else, where the item links to
    another site than the feed's own (an aggregator), that site's name in the shipped domain table
    (:mod:`crossread.ingest.outlets`), else its domain; else the feed's title."""
    from crossread.ingest.outlets import outlet_for_host

    source = entry.get("source") or {}
    if isinstance(source, dict) and (source.get("title") or "").strip():
        return source["title"].strip()
    item_host, feed_host = _host(entry.get("link")), _host(feed.get("link"))
    if item_host and feed_host and item_host != feed_host and not item_host.endswith("." + feed_host):
        listed = outlet_for_host(item_host)
        return listed.name if listed else item_host
    return feed.get("title")


def parse_feed(data: bytes | str, path: str) -> Iterator[Article | IngestError]:
    """Entries of a feed; a broken feed without entries is one error for the file."""
    import feedparser

    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            exc = parsed.get("bozo_exception")
            yield IngestError(path, f"broken feed: {exc}" if exc else "broken feed")
        elif not parsed.get("version"):
            yield IngestError(path, "not an RSS/Atom feed")
        else:
            yield IngestError(path, "feed has no entries")
        return
    feed = parsed.get("feed") or {}
    feed_lang = feed.get("language")
    closed = _closed_entries(data) if _cut_off(data, parsed) else None
    for number, entry in enumerate(entries, start=1):
        item = f"{path}#entry {number}"
        if closed is not None and number > closed:  # the file ends inside this entry
            yield IngestError(item, "the feed is cut off inside this entry: it and anything after it are lost")
            return
        text = _entry_text(entry)
        if not text.strip():
            yield IngestError(item, "no article text found")
            continue
        link = entry.get("link")
        published = entry.get("published") or entry.get("updated") or entry.get("created")
        if not published:
            published = entry.get("published_parsed") or entry.get("updated_parsed")
        article = make_article(
            text,
            source=link or item,
            fmt="rss",
            title=entry.get("title"),
            outlet=item_outlet(entry, feed),
            published=published,
            language=entry.get("language") or feed_lang,
            url=link,
            authors=item_authors(entry),
        )
        yield article if isinstance(article, Article) else IngestError(item, article)
    if closed is not None:
        yield IngestError(path, f"the feed is cut off after entry {closed} (no closing tag): anything after it is lost")


_ROOT_END = re.compile(r"</(?:\w+:)?(?:rss|feed|rdf)\s*>", re.IGNORECASE)
_ENTRY_END = re.compile(r"</(?:\w+:)?(?:item|entry)\s*>", re.IGNORECASE)


def _as_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if b"\x00" in data[:256]:  # UTF-16 (feedparser reads its BOM)
        return data.decode("utf-16", "replace")
    return data.decode("latin-1")  # tags are ASCII in the other encodings


def _cut_off(data: bytes | str, parsed: Any) -> bool:
    """Whether the feed ends early: not well-formed and without the closing tag of its root (an
    undefined entity or a bad character also makes it not well-formed, but loses nothing)."""
    import xml.sax

    exc = parsed.get("bozo_exception")
    return isinstance(exc, xml.sax.SAXException) and not _ROOT_END.search(_as_text(data)[-4096:])


def _closed_entries(data: bytes | str) -> int:
    return len(_ENTRY_END.findall(_as_text(data)))
