"""RSS / Atom feeds: one article per entry (feedparser)."""

from __future__ import annotations

from collections.abc import Iterator

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
    outlet = feed.get("title")
    feed_lang = feed.get("language")
    for number, entry in enumerate(entries, start=1):
        item = f"{path}#entry {number}"
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
            outlet=outlet,
            published=published,
            language=entry.get("language") or feed_lang,
            url=link,
        )
        yield article if article is not None else IngestError(item, "no article text found")
