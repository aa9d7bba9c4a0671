"""WARC archives: every HTML ``response`` record becomes an article via the HTML path.

The size limit applies per record here, not to the archive: a WARC is a container of many
pages, and multi-GB crawls are normal. Records are streamed, never loaded all at once.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

from crossread.ingest.article import make_article
from crossread.ingest.decode import DecodeError, decode_bytes, human_size
from crossread.ingest.errors import IngestError
from crossread.ingest.html import extract_html, looks_like_html
from crossread.records import Article

__all__ = ["parse_warc"]

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def parse_warc(path: str, *, max_bytes: int) -> Iterator[Article | IngestError]:
    """Articles of the HTML responses in ``path``; a broken record ends the file with an error."""
    from warcio.archiveiterator import ArchiveIterator

    if not _has_warc_magic(path):
        yield IngestError(path, "not a WARC file (no WARC/ARC header)")
        return
    count = 0
    uri: str | None = None
    # a gzipped WARC read through gzip: warcio reads only one record of a file gzipped whole (not
    # record by record), and the gzip module reads both kinds
    with (gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")) as stream:
        iterator = iter(ArchiveIterator(stream))
        while True:
            uri = None
            try:
                record = next(iterator)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - warcio raises assorted errors on bad input
                yield IngestError(path, f"corrupt or truncated WARC after {count} records: {_short(exc)}")
                return
            count += 1
            if record.rec_type != "response":
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or f"record {count}"
            item = f"{path}#record {uri}"
            http = record.http_headers
            if http is None or not str(http.protocol).upper().startswith("HTTP/"):
                # warcio reads any first line as a status line: garbage there means the record is unreadable
                shown = ascii(" ".join(filter(None, [http.protocol, http.statusline])) if http else "")[:60]
                yield IngestError(item, f"unreadable HTTP headers (status line {shown}): record not read")
                continue
            ctype = http.get_header("Content-Type")
            if ctype is not None and "html" not in ctype.lower():
                continue  # images, scripts, styles: a crawl's other records, no articles
            try:
                payload = record.content_stream().read(max_bytes + 1)
            except Exception as exc:  # noqa: BLE001
                yield IngestError(item, f"truncated or corrupt record: {_short(exc)}")
                return
            if ctype is None and not looks_like_html(payload[:4096].decode("latin-1")):
                continue  # no Content-Type: an HTML page is still read, anything else passed over
            # warcio returns short reads silently on truncated files; the record's Content-Length
            # reader still has bytes owed when the file ended early.
            if len(payload) <= max_bytes and getattr(record.raw_stream, "limit", 0) > 0:
                yield IngestError(item, "truncated record (file ends inside its payload)")
                return
            if len(payload) > max_bytes:
                yield IngestError(item, f"record too large (> {human_size(max_bytes)} limit)")
                continue
            declared = _CHARSET.search(ctype or "")
            try:
                html = decode_bytes(payload, declared=declared.group(1) if declared else None)
            except DecodeError as exc:
                yield IngestError(item, str(exc) if str(exc) != "empty file" else "empty record")
                continue
            parts = extract_html(html, url=uri)
            if parts is None:
                yield IngestError(item, "no article text found in HTML")
                continue
            article = make_article(
                parts.text,
                source=uri,
                fmt="warc",
                title=parts.title,
                outlet=parts.outlet,
                published=parts.published,
                language=parts.language,
                url=_canonical(html, uri),
                authors=parts.authors,
            )
            yield article if isinstance(article, Article) else IngestError(item, article)
    if count == 0:
        yield IngestError(path, "no WARC records found")


def _canonical(html: str, uri: str) -> str:
    """The page's canonical URL (as when fetched: crossread.ingest.fetch), so a replayed run keeps its URLs."""
    from crossread.ingest.fetch import canonical_url, is_url

    return canonical_url(html, uri) if is_url(uri) and uri.lower().startswith(("http://", "https://")) else uri


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _has_warc_magic(path: str) -> bool:
    import zlib

    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rb") as gz:
                head = gz.read(16)
    except (OSError, EOFError, zlib.error):
        return False
    return head.lstrip().startswith((b"WARC/", b"filedesc://"))


def _short(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
