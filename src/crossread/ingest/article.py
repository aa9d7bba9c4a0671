"""Build a fully populated :class:`Article` from extracted text and raw metadata."""

from __future__ import annotations

import re

from crossread.ingest.authors import normalise_authors
from crossread.ingest.clean import clean_text
from crossread.ingest.meta import detect_language, normalise_date, normalise_language
from crossread.ingest.prose import not_prose
from crossread.ingest.signals import find_signals
from crossread.records import Article, content_id

__all__ = ["make_article"]


def _clean_meta(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _language(declared: str | None, detected: str | None) -> str | None:
    """A declared language wins (the publisher knows close languages apart better than a stopword
    count), detection fills the gap; but where the two disagree on whether the text is English at all,
    detection wins: templates declare ``lang="en"`` on pages of every language, and only English text
    may reach the English extractors."""
    if declared and detected and (declared == "en") != (detected == "en"):
        return detected
    return declared or detected


def make_article(
    extracted: str,
    *,
    source: str,
    fmt: str,
    title: object = None,
    outlet: object = None,
    published: object = None,
    language: object = None,
    url: object = None,
    authors: object = None,
    empty: str = "no article text found",
) -> Article | str:
    """Article for ``extracted`` text, or why it is none: ``empty`` when nothing is left after cleaning,
    else what the text is instead of running prose (:func:`crossread.ingest.prose.not_prose`).
    ``authors`` (a byline, a list of names or JSON-LD author objects) is normalised by
    :func:`crossread.ingest.authors.normalise_authors`.

    The id hashes the extracted text *before* cleaning, so changing cleaning rules never
    changes ids (reruns and stored links stay valid).
    """
    extracted = extracted.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not extracted.strip():
        return empty
    title_s, outlet_s = _clean_meta(title), _clean_meta(outlet)
    text, removed = clean_text(extracted, outlet=outlet_s, title=title_s)
    if not text.strip():
        return empty
    problem = not_prose(text)
    if problem:
        return problem
    if not source.isprintable():  # a source is shown on one line and stored as given: escape the rest
        source = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in source)
    url_s = _clean_meta(url)
    if url_s and not re.match(r"^[a-z][a-z0-9+.-]*://", url_s, re.I):
        url_s = None  # "url" fields sometimes hold a bare slug or junk
    lang = _language(normalise_language(language), detect_language(text))
    return Article(
        id=content_id(extracted),
        source=source,
        outlet=outlet_s,
        title=title_s,
        published=normalise_date(published),
        language=lang,
        text=text,
        url=url_s,
        format=fmt,
        authors=normalise_authors(authors, outlet=outlet_s),
        removed=removed,
        signals=find_signals(text),
    )
