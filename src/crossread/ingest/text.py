"""Plain-text articles: find the header (title, outlet, date, byline) above the body.

Two layouts are supported:

* an explicit header block (``Title: ...``, ``Outlet:``/``Source:``, ``URL:``, ``Date:`` ...);
* the common scraped layout of a few short lines before the first body paragraph, in any
  order: a headline, an outlet name, maybe a date or a byline. These are told apart by
  general heuristics (see :func:`_outlet_score`), never by known strings.

Header lines are metadata, so they are cut from the body before cleaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crossread.ingest.clean import _is_wrapped, is_chrome_line
from crossread.ingest.meta import normalise_date

__all__ = ["TextParts", "parse_text"]


@dataclass
class TextParts:
    body: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    author: str | None = None


_FIELD = re.compile(
    r"^\s*(title|headline|outlet|source|publisher|site|site ?name|url|link|date|published|published at|"
    r"publication date|author|by|byline|language|lang)\s*:\s*(.*?)\s*$",
    re.IGNORECASE,
)
_FIELD_MAP = {
    "title": "title", "headline": "title",
    "outlet": "outlet", "source": "outlet", "publisher": "outlet", "site": "outlet", "sitename": "outlet", "site name": "outlet",
    "url": "url", "link": "url",
    "date": "published", "published": "published", "published at": "published", "publication date": "published",
    "author": "author", "by": "author", "byline": "author",
    "language": "language", "lang": "language",
}

# Last words typical of news outlet names ("ICARO Media Group", "The Jerusalem Post").
_OUTLET_SUFFIX = {
    "news", "media", "group", "times", "post", "press", "herald", "journal", "tribune", "daily", "gazette",
    "telegraph", "network", "agency", "wire", "report", "reporter", "online", "today", "magazine", "chronicle",
    "observer", "monitor", "review", "insider", "digest", "radio", "tv", "broadcasting", "channel", "express",
    "mail", "star", "sun", "standard", "register", "dispatch", "courier", "bulletin", "inquirer", "examiner",
    "sentinel", "weekly", "globe", "guardian", "independent", "enquirer", "reuters", "ap", "afp", "bbc", "cnn",
    "nbc", "cbs", "abc", "fox", "npr", "pbs", "net", "org", "com", "hub", "voice", "world", "times.", "info",
}
_TERMINAL = re.compile(r"[.!?…:;,][\"'”’)\]]*$")
_BYLINE = re.compile(r"^by\s+[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,4}(?:\s*(?:,|and|&)\s*[A-Z][\w'’. -]*)*$", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|news|co\.uk|co|io|info|il|de|fr|uk)$", re.I)
_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}",
    re.IGNORECASE,
)


def _words(line: str) -> int:
    return len(line.split())


def _is_header_candidate(line: str) -> bool:
    """Short line without terminal sentence punctuation (a headline, a name, a date...)."""
    return 0 < _words(line) <= 25 and len(line) <= 200 and not _TERMINAL.search(line)


def _looks_like_date(line: str) -> bool:
    return _words(line) <= 8 and bool(_DATE_WORDS.search(line)) and normalise_date(line) is not None


def _outlet_score(line: str, rest: str) -> int:
    """How much ``line`` looks like an outlet name rather than a headline."""
    n = _words(line)
    if n > 6:
        return 0
    score = 0
    last = line.split()[-1].lower().strip(".,")
    if last in _OUTLET_SUFFIX:
        score += 2
    if _DOMAIN.match(line):
        score += 3
    # The outlet's name tends to recur in the page (sign-off, staff blurb, donation appeal).
    if n >= 2 and re.search(r"(?<!\w)" + re.escape(line) + r"(?!\w)", rest, re.IGNORECASE):
        score += 2
    if n <= 3:
        score += 1
    if not all(w[:1].isupper() or w[:1].isdigit() or w.lower() in {"of", "the", "and", "&", "de"} for w in line.split()):
        score -= 2  # headlines in sentence case; names are capitalised
    return score


def _expand_outlet(outlet: str, rest: str) -> str:
    """"All Israel" -> "All Israel News" when the longer form appears in the text."""
    if outlet.split()[-1].lower() in _OUTLET_SUFFIX:
        return outlet
    match = re.search(r"(?<!\w)" + re.escape(outlet) + r" (News|Media|Group|Times|Post|Press|Network|Daily|Online|TV|Radio)\b", rest)
    return f"{outlet} {match.group(1)}" if match else outlet


def _explicit_header(lines: list[str]) -> tuple[dict[str, str], int] | None:
    fields: dict[str, str] = {}
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            # A blank line ends the block once we have fields.
            if fields:
                break
            i += 1
            continue
        match = _FIELD.match(line)
        if not match:
            break
        key = _FIELD_MAP[re.sub(r"\s+", " ", match.group(1).lower())]
        value = match.group(2).strip()
        if key == "outlet" and re.match(r"https?://", value):
            key = "url"
        if value and key not in fields:
            fields[key] = value
        i += 1
    if not fields or i == start:
        return None
    return fields, i


def _wrapped_lines(lines: list[str]) -> set[int]:
    """Indices of lines in hard-wrapped prose blocks (a wrapped sentence is body, not a header)."""
    found: set[int] = set()
    block: list[int] = []
    for idx, raw in enumerate(lines + [""]):
        if raw.strip():
            block.append(idx)
            continue
        if block and _is_wrapped([" ".join(lines[i].split()) for i in block]):
            found.update(block)
        block = []
    return found


def parse_text(text: str) -> TextParts:
    """Split a plain-text article into header metadata and body text."""
    lines = text.split("\n")
    explicit = _explicit_header(lines)
    if explicit:
        fields, end = explicit
        return TextParts(
            body="\n".join(lines[end:]).strip("\n"),
            title=fields.get("title"),
            outlet=fields.get("outlet"),
            published=normalise_date(fields.get("published")),
            url=fields.get("url"),
            language=fields.get("language"),
            author=fields.get("author"),
        )

    # Heuristic header: up to 4 short non-sentence lines before the first body paragraph.
    wrapped = _wrapped_lines(lines)
    candidates: list[tuple[int, str]] = []
    body_start = 0
    for idx, raw in enumerate(lines):
        line = " ".join(raw.split())
        if not line:
            continue
        if len(candidates) >= 4 or idx in wrapped or not _is_header_candidate(line) or is_chrome_line(line):
            body_start = idx
            break
        candidates.append((idx, line))
    else:
        body_start = len(lines)
    if not candidates or body_start >= len(lines):
        # No body after the "header": it is all body (e.g. a one-paragraph note).
        return TextParts(body=text.strip("\n"))

    parts = TextParts(body="\n".join(lines[body_start:]).strip("\n"))
    rest = parts.body
    remaining: list[str] = []
    for _, line in candidates:
        if parts.published is None and _looks_like_date(line):
            parts.published = normalise_date(line)
        elif parts.author is None and _BYLINE.match(line):
            parts.author = re.sub(r"^by\s+", "", line, flags=re.IGNORECASE)
        else:
            remaining.append(line)

    if len(remaining) == 1:
        only = remaining[0]
        if _outlet_score(only, rest) >= 3 and _words(only) <= 4:
            parts.outlet = only
        else:
            parts.title = only
    elif remaining:
        scored = sorted(remaining, key=lambda l: (-_outlet_score(l, rest), _words(l)))
        if _outlet_score(scored[0], rest) >= 2:
            parts.outlet = scored[0]
            others = [l for l in remaining if l is not scored[0]]
        else:
            others = remaining
        # The headline is the longest remaining line.
        parts.title = max(others, key=_words) if others else None
    if parts.outlet:
        parts.outlet = _expand_outlet(parts.outlet, rest)
    return parts
