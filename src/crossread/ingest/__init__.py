"""Ingestion: files, directories and globs -> :class:`~crossread.records.Article` records.

Formats: plain text, HTML (and gzip of anything), JSONL/JSON, RSS/Atom, WARC. Every article
comes out cleaned (with an audit trail of removed chrome) and with machine-generation signals.
Bad input never raises: each bad item becomes an :class:`IngestError` and the batch goes on.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from crossread.ingest.article import make_article
from crossread.ingest.decode import DecodeError, decode_bytes, human_size, is_binary
from crossread.ingest.discover import discover
from crossread.ingest.errors import IngestError
from crossread.records import Article

if TYPE_CHECKING:
    from crossread.ingest.fetch import Fetcher
    from crossread.ingest.html import HtmlParts

__all__ = ["IngestError", "ingest", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_HTML_EXT = (".html", ".htm", ".xhtml", ".shtml")
_JSONL_EXT = (".jsonl", ".ndjson", ".jsonlines")
_FEED_EXT = (".rss", ".atom", ".xml")
_TEXT_EXT = (".txt", ".text", ".md")
_WARC_EXT = (".warc", ".warc.gz", ".arc", ".arc.gz")


def ingest(paths: Sequence[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
           exclude: Sequence[str] = (), fetcher: Fetcher | None = None) -> Iterator[Article | IngestError]:
    """Expand paths (files, directories recursively, glob patterns), read each, yield one
    Article per article found, or an IngestError per bad item; never raise for bad input
    (the rest of the batch goes on). Nothing under ``exclude`` is read (a run's own outputs).

    URLs (``https://…``: pages, feeds, sitemaps) are fetched with ``fetcher`` (by default a
    :class:`~crossread.ingest.fetch.Fetcher` with this ``max_bytes``), after the files."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [os.fspath(paths)]  # a lone path is a common slip; don't iterate its characters
    from crossread.ingest.fetch import is_url

    urls = [p for p in paths if isinstance(p, str) and is_url(p)]
    files = [p for p in paths if not (isinstance(p, str) and is_url(p))]
    yield from _ingest_paths(files, max_bytes, exclude)
    if urls:
        from crossread.ingest.fetch import FetchOptions, Fetcher, ingest_urls

        own = fetcher is None
        fetcher = fetcher or Fetcher(FetchOptions(max_bytes=max_bytes))
        try:
            yield from ingest_urls(urls, fetcher)
        finally:
            if own:
                fetcher.close()


def _ingest_paths(paths: Sequence[str], max_bytes: int, exclude: Sequence[str]) -> Iterator[Article | IngestError]:
    for path, problem in discover(paths, exclude):
        shown = display_path(path)
        if problem:
            yield IngestError(shown, problem)
            continue
        try:
            for item in _ingest_file(path, max_bytes):
                yield _shown_as(item, path, shown) if shown != path else item
        except Exception as exc:  # noqa: BLE001 - last line of defence: one file never stops the batch
            yield IngestError(shown, f"unexpected error: {type(exc).__name__}: {exc}")


def display_path(path: str) -> str:
    """A path as one printable line that any store can hold: undecodable bytes of a file name as
    ``\\xff``, control characters (a newline in a name) escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _shown_as(item: Article | IngestError, path: str, shown: str) -> Article | IngestError:
    """``item`` naming its file as ``shown`` instead of the raw ``path``."""
    if isinstance(item, IngestError):
        if item.item.startswith(path):
            item.item = shown + item.item[len(path):]
    elif item.source.startswith(path):
        item.source = shown + item.source[len(path):]
    return item


def _ingest_file(path: str, max_bytes: int) -> Iterator[Article | IngestError]:
    lower = path.lower()
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        yield IngestError(path, f"cannot read file: {exc.strerror or exc}")
        return
    if size == 0:
        yield IngestError(path, "empty file")
        return
    is_gzip = head.startswith(b"\x1f\x8b")

    # WARC first: the size limit applies per record there (see warc.py).
    if lower.endswith(_WARC_EXT) or head.startswith(b"WARC/") or (is_gzip and _gzip_head(path).startswith(b"WARC/")):
        from crossread.ingest.warc import parse_warc

        yield from parse_warc(path, max_bytes=max_bytes)
        return

    if size > max_bytes:
        yield IngestError(path, f"file too large ({human_size(size)} > {human_size(max_bytes)} limit)")
        return

    name = lower
    if is_gzip:
        name = lower[:-3] if lower.endswith(".gz") else lower
        data, broken = _gunzip(path, max_bytes)
        if broken and (not data.strip() or not name.endswith(_JSONL_EXT + _FEED_EXT)):
            yield IngestError(path, f"corrupt gzip file: {broken}")  # one article, cut: not the article
            return
        if len(data) > max_bytes:
            yield IngestError(path, f"file too large (decompressed > {human_size(max_bytes)} limit)")
            return
        if not data.strip():
            yield IngestError(path, "empty file")
            return
        if broken:  # many items: those read whole are kept, and the loss is said
            if name.endswith(_JSONL_EXT):
                data = data[:data.rfind(b"\n") + 1]  # the line the cut runs through is lost
            yield from _ingest_bytes(data, path, name)
            yield IngestError(path, f"the gzip file is cut off or corrupt after {human_size(len(data))} of text "
                                    f"({broken}): what follows is lost")
            return
    else:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    yield from _ingest_bytes(data, path, name)


def _gunzip(path: str, max_bytes: int) -> tuple[bytes, str | None]:
    """The text of a gzip file, at most ``max_bytes`` + 1 (a small .gz can inflate enormously), and
    what broke when it is cut off or corrupt (the text is then all that came before the damage: the
    gzip module would give none of a small file that ends early)."""
    data = bytearray()
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = b""
    try:
        with open(path, "rb") as fh:
            while len(data) <= max_bytes:
                if not pending:
                    pending = fh.read(1 << 16)
                    if not pending:
                        break
                if inflate.eof:  # another gzip member follows, or padding
                    pending = pending.lstrip(b"\x00")
                    if not pending:
                        continue
                    if not pending.startswith(b"\x1f\x8b"[:len(pending)]):
                        return bytes(data), "garbage after the compressed data"
                    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data += inflate.decompress(pending, max_bytes + 1 - len(data))
                pending = inflate.unused_data if inflate.eof else inflate.unconsumed_tail
    except zlib.error as exc:
        return bytes(data), f"corrupt compressed data ({exc})"
    except OSError as exc:
        return bytes(data), exc.strerror or str(exc)
    if not inflate.eof and len(data) <= max_bytes:
        return bytes(data), "the file ends before its compressed data does"
    return bytes(data), None


def _gzip_head(path: str) -> bytes:
    try:
        with gzip.open(path, "rb") as gz:
            return gz.read(8)
    except (OSError, EOFError, zlib.error):
        return b""


def _ingest_bytes(data: bytes, path: str, name: str) -> Iterator[Article | IngestError]:
    """Dispatch decoded content by extension, sniffing content when the extension says nothing."""
    from crossread.ingest.feeds import looks_like_feed, parse_feed
    from crossread.ingest.html import looks_like_html

    if name.endswith(_FEED_EXT) and not is_binary(data):
        # feedparser reads the XML encoding declaration itself, so hand it the bytes.
        yield from parse_feed(data, path)
        return
    try:
        text = decode_bytes(data)
    except DecodeError as exc:
        yield IngestError(path, str(exc))
        return

    if name.endswith(_HTML_EXT):
        kind = "html"
    elif name.endswith(_JSONL_EXT):
        kind = "jsonl"
    elif name.endswith(".json"):
        kind = "json"
    elif name.endswith(_TEXT_EXT):
        kind = "text"
    elif looks_like_feed(text):
        kind = "feed"
    elif looks_like_html(text):
        kind = "html"
    elif text.lstrip().startswith("{"):
        kind = "jsonl"
    else:
        kind = "text"

    if kind == "feed":
        yield from parse_feed(text, path)
    elif kind in ("jsonl", "json"):
        from crossread.ingest.jsonl import parse_json, parse_jsonl

        yield from (parse_jsonl(text, path) if kind == "jsonl" else parse_json(text, path))
    elif kind == "html":
        yield _from_html(text, path)
    else:
        yield _from_text(text, path)


def _from_html(html: str, path: str) -> Article | IngestError:
    from crossread.ingest.html import extract_html

    return article_from_html_parts(extract_html(html, name=path), path)


def article_from_html_parts(parts: HtmlParts | None, path: str) -> Article | IngestError:
    """The article of an extracted page (:func:`crossread.ingest.html.extract_html`), or why none."""
    if parts is None:
        return IngestError(path, "no article text found in HTML")
    article = make_article(
        parts.text,
        source=path,
        fmt="html",
        title=parts.title,
        outlet=parts.outlet,
        published=parts.published,
        language=parts.language,
        url=parts.url,
        authors=parts.authors,
        empty="no article text found in HTML",
    )
    return article if isinstance(article, Article) else IngestError(path, article)


def _from_text(text: str, path: str) -> Article | IngestError:
    from crossread.ingest.text import parse_text

    parts = parse_text(text)
    article = make_article(
        parts.body,
        source=path,
        fmt="text",
        title=parts.title,
        outlet=parts.outlet,
        published=parts.published,
        language=parts.language,
        url=parts.url,
        authors=parts.author,
    )
    return article if isinstance(article, Article) else IngestError(path, article)
