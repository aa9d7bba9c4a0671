"""JSON Lines: one record per line with ``text`` or ``html`` plus optional metadata.

Also accepts a ``.json`` file holding one record or a list of records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from crossread.ingest.article import make_article
from crossread.ingest.errors import IngestError
from crossread.ingest.html import extract_html
from crossread.records import Article

__all__ = ["parse_jsonl", "parse_json"]

_TEXT_KEYS = ("text", "content", "body", "article", "maintext")
_HTML_KEYS = ("html", "raw_html", "content_html")
_TITLE_KEYS = ("title", "headline")
_OUTLET_KEYS = ("outlet", "sitename", "site_name", "publisher", "site", "source_name", "source")
_DATE_KEYS = ("published", "date", "published_at", "publish_date", "pubdate", "date_publish", "datetime")
_URL_KEYS = ("url", "link", "uri")
_LANG_KEYS = ("language", "lang")
# authors: a string ("By Jane Doe and John Roe"), a list of names, or objects with "name"
_AUTHOR_KEYS = ("authors", "author", "byline", "bylines", "creator", "creators")
_STRING_ONLY = set(_TEXT_KEYS + _HTML_KEYS + _TITLE_KEYS)


class FieldError(ValueError):
    """A record field that should hold text holds something else."""


def _is_text_list(value: Any) -> bool:
    """Paragraphs as strings, or as lists of sentence strings (BASIL's "body-paragraphs")."""
    return all(isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v)) for v in value)


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if isinstance(value, list):
            if not _is_text_list(value):
                raise FieldError(f"field {key!r} is not text (a list of {_kinds(value)})")
            # BASIL-style "body-paragraphs": lists of paragraphs (of sentences).
            value = "\n".join(" ".join(v) if isinstance(v, list) else v for v in value)
        elif value is not None and not isinstance(value, str) and key in _STRING_ONLY:
            raise FieldError(f"field {key!r} is not text ({type(value).__name__})")
        if isinstance(value, str) and value.strip():
            return _clean(value)
    return None


def _kinds(values: list[Any]) -> str:
    return ", ".join(sorted({type(v).__name__ for v in values if not isinstance(v, str)}))


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


_IS_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)


def _clean(value: str) -> str:
    """Control characters removed and lone surrogates (from "\\udc80" escapes) replaced, as for files."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))


def record_to_article(record: object, item: str) -> Article | IngestError:
    """One JSON record -> Article, or an IngestError naming ``item``."""
    if not isinstance(record, dict):
        return IngestError(item, f"not a JSON object ({type(record).__name__})")
    try:
        return _record_to_article(record, item)
    except FieldError as exc:
        return IngestError(item, str(exc))


def _record_to_article(record: dict[str, Any], item: str) -> Article | IngestError:
    text = _first(record, _TEXT_KEYS + ("body-paragraphs", "paragraphs"))
    html = _first(record, _HTML_KEYS)
    url = _first(record, _URL_KEYS)
    outlet = _first(record, _OUTLET_KEYS)
    if isinstance(outlet, str) and outlet.startswith(("http://", "https://")):
        url, outlet = url or outlet, None
    meta = dict(
        title=_first(record, _TITLE_KEYS),
        outlet=outlet,
        published=_first(record, _DATE_KEYS),
        language=_first(record, _LANG_KEYS),
    )
    authors = next((record[k] for k in _AUTHOR_KEYS if record.get(k)), None)
    if text is None and html is None:
        return IngestError(item, "record has no 'text' or 'html' field")
    if text is None:
        parts = extract_html(html, url=url)
        if parts is None:
            return IngestError(item, "no article text found in HTML")
        text = parts.text
        # The record's own fields win over what the page says about itself.
        meta = {k: v or getattr(parts, k) for k, v in meta.items()}
        url = url or parts.url
        authors = authors or parts.authors
    # a "url" that is no URL ("0\n", a slug) does not name the article: the line does
    source = url.strip() if isinstance(url, str) and _IS_URL.match(url.strip()) else item
    article = make_article(text, source=source, fmt="jsonl", url=url, authors=authors, **meta)
    return article if isinstance(article, Article) else IngestError(item, article)


def parse_jsonl(text: str, path: str) -> Iterator[Article | IngestError]:
    """Every line of a JSONL file; a bad line is an error for that line only."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        item = f"{path}#line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(item, f"malformed JSON: {exc}")
            continue
        except RecursionError:  # "[[[[…" nested deeper than any record: this line only
            yield IngestError(item, "malformed JSON: nested too deeply")
            continue
        yield record_to_article(record, item)


def parse_json(text: str, path: str) -> Iterator[Article | IngestError]:
    """A whole-file JSON document: one record, or a list of records; falls back to JSONL."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from parse_jsonl(text, path)
        return
    if isinstance(data, list):
        for number, record in enumerate(data, start=1):
            yield record_to_article(record, f"{path}#entry {number}")
    else:
        result = record_to_article(data, path)
        yield result
