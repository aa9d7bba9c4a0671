"""HTML pages -> main text + metadata (trafilatura), and small HTML fragments -> text (lxml)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

__all__ = ["HtmlParts", "extract_html", "fragment_to_text", "looks_like_html"]


@dataclass
class HtmlParts:
    text: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    warning: str | None = None  # e.g. suspiciously short text; also logged
    authors: list[str] = field(default_factory=list)  # bylines (crossread.ingest.authors)


# Suspiciously short: fewer characters of article than this out of a page showing over
# _SHORT_PAGE_RATIO times as many (a photo caption taken for the article). On the Scrapinghub
# benchmark no page is that short (the shortest good text is 427 characters) and a second,
# recall-favouring extraction only lowered precision where it changed anything, so it is kept
# only where it finds more text on such a page.
_SHORT_TEXT = 300
_SHORT_PAGE_RATIO = 5


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)", re.IGNORECASE)
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|article|p|div|meta|title)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Content sniffing for files without a telling extension."""
    head = text[:4096].lstrip()
    return head.startswith("<") and bool(_HTML_SNIFF.search(head))


def extract_html(html: str, *, url: str | None = None, page_url: str | None = None,
                 name: str | None = None) -> HtmlParts | None:
    """Main article text and metadata of a page, or None when no article text is found.

    ``url`` is given to trafilatura too; ``page_url`` (where a fetched page came from) only to the
    metadata rules (:mod:`crossread.ingest.pagemeta`), so the text stays that of the same file.
    ``name`` names the page in the warning about a suspiciously short text.
    """
    from crossread.ingest.authors import byline_of_text
    from crossread.ingest.pagemeta import page_metadata

    data = _bare_extraction(html, url)
    if data is None:
        return None
    text = (data.get("text") or "").strip()
    warning = None
    if len(text) < _SHORT_TEXT and (visible := visible_text_length(html)) > _SHORT_PAGE_RATIO * max(len(text), 1):
        second = _bare_extraction(html, url, favor_recall=True)
        second_text = ((second or {}).get("text") or "").strip()
        first = len(text)
        if len(second_text) > first:
            data, text = second, second_text
            outcome = f"re-extracted favouring recall: {len(text)} characters"
        else:
            outcome = "a second extraction favouring recall found no more"
        if text:  # no text at all is an error of its own, said by the caller
            warning = f"extracted text is suspiciously short ({first} characters of {visible} visible); {outcome}"
            log.warning("%s: %s", name or url or page_url or "HTML page", warning)
    if not text:
        return None
    traf_title = (data.get("title") or "").strip() or None
    meta = page_metadata(html, url or page_url, fallback_title=traf_title,
                         fallback_outlet=data.get("sitename"), fallback_date=data.get("date"),
                         fallback_author=data.get("author"))
    lines = text.split("\n")
    # trafilatura repeats the <h1> as the first line; the headline is metadata, not body. (Its own
    # title, not the cleaned one: what is cut here is hashed into the article id, which must not move;
    # clean_text drops a first line repeating the cleaned title, with its reason.)
    if traf_title and lines and " ".join(lines[0].split()).casefold() == " ".join(traf_title.split()).casefold():
        text = "\n".join(lines[1:]).strip()
        if not text:
            return None
    lang_match = _HTML_LANG.search(html[:8192])
    return HtmlParts(
        text=text,
        title=meta.title,
        outlet=meta.outlet,
        published=meta.published,
        url=data.get("url") or url,
        language=data.get("language") or (lang_match.group(1) if lang_match else None),
        warning=warning,
        # the page's markup first; a "By …" line atop the text where the markup names no one
        authors=meta.authors or byline_of_text(text, outlet=meta.outlet),
    )


def _bare_extraction(html: str, url: str | None, **options: bool) -> dict | None:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,  # reader comments are not the article
            include_tables=True,
            include_images=False,
            include_links=False,
            **options,
        )
    except Exception:  # noqa: BLE001 - garbage markup can break the parser in many ways
        return None
    if doc is None:
        return None
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def visible_text_length(html: str) -> int:
    """Characters of text a reader could see on the page (scripts, styles and <head> left out),
    whitespace runs counted as one."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - unparsable page: nothing to compare with
        return 0
    for bad in root.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    return len(" ".join(root.text_content().split()))


_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table",
    "section", "article", "header", "footer", "pre", "figure", "figcaption", "dd", "dt",
}


def fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment (feed entry content), one line per block element.

    Why not trafilatura here: feed summaries are often a sentence or two, below its
    main-content thresholds, and have no boilerplate to strip.
    """
    if "<" not in fragment:
        return fragment.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - unparsable fragment: strip tags crudely
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for bad in root.xpath(".//script|.//style|.//noscript|.//iframe"):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            if el.tag.lower() != "br":
                el.text = "\n" + (el.text or "")
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
