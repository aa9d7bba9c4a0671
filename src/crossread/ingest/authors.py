"""Bylines: who wrote an article, as a clean, ordered list of people's names.

Raw bylines come from many places (JSON-LD ``author``, ``<meta name="author">``, ``article:author``,
``rel=author`` links, byline elements, trafilatura's metadata, a "By X and Y" line above the text, a
feed item's ``author``/``dc:creator``, a JSONL record's ``authors``); they carry more than names:
"By", roles ("Staff Writer", "Political Correspondent"), the outlet ("Jane Doe, The Guardian"),
places ("in Washington"), dates, e-mail addresses, profile URLs and handles. :func:`normalise_authors`
keeps the names alone, in the order given, each once:

1. each raw value is split into names at ``;``, ``|``, ``,``, " and ", " & ", " with ", newlines and
   spaced dashes and "with additional reporting by"; a leading "By"/"Written by"/"Words by"/"Reporting by"
   (and "Von", "Par", "Por", "Door") goes, as do e-mail addresses, URLs, @handles, a trailing date or time, an "in <Place>"
   or "for <Outlet>" tail and a parenthesised part ("(AP)");
2. a part that is a role ("Staff Writer", "Senior Correspondent"), a news agency or the outlet itself
   ("Reuters", "The Associated Press", the article's outlet) is dropped, and so is a role before or after
   a name ("Jane Doe Staff Writer", "Senior Correspondent Jane Doe");
3. junk is refused: a part with a word of organisations, desks or site chrome ("News", "Agency",
   "Bureau", "Editorial", "Staff", "Admin", "Share") is no name ("News Nation Bureau", "Reuters Staff");
   a name must be 2-5 words of letters (initials, hyphens and apostrophes allowed, no digits), at most 60
   characters, every word capitalised except name particles ("van", "de", "bin"), no acronym ("PMJS");
4. ALL-CAPS names are written in title case ("JANE DOE" -> "Jane Doe"); an all-lowercase "name" is
   refused with the rest (it is a user name or part of a sentence).

Single-word names are refused too: on news pages a one-word byline is nearly always a site, a desk or a
user name ("admin", "Reuters"), very rarely a person. The function is idempotent, so values already
normalised by one stage pass the next unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["normalise_authors", "byline_of_text", "MAX_AUTHORS"]

MAX_AUTHORS = 12  # more "authors" than this is a list of contributors or a page's staff directory
_MAX_NAME = 60

# The words that open a byline.
_LEAD = re.compile(
    r"^\s*(?:(?:story|text|words|written|reporting|reported|compiled|posted|published|photos?|video)\s+by"
    r"|by|von|par|por|door)\s*[:\-–—]?\s+", re.IGNORECASE)
# "jdoe@example.com (Jane Doe)": RSS's author form; the name is in the brackets
_EMAIL_NAME = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*\(([^()]+)\)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PAREN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# a date, time or "Updated …"/"Published …" tail, and everything after it
_DATE_TAIL = re.compile(
    rf"(?:\b(?:updated|published|posted|last updated|modified)\b.*|\b{_MONTH}\s+\d{{1,2}}\b.*|\b\d{{1,2}}\s+{_MONTH}.*"
    rf"|\b\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}\b.*|\b\d{{1,2}}:\d{{2}}\b.*|\b(?:19|20)\d\d\b.*)$", re.IGNORECASE)
# ", in Washington" / " in Kyiv" / " for The Guardian" / " is a staff writer …" tails
_TAIL = re.compile(r"\s+(?:in|for|at|from|is|was|reports|reporting)\s+.*$", re.IGNORECASE)
# Split points between names (and between a name and what follows it).
# Connectors are matched in lower case (and "AND"): "Jane E Doe" is one name.
_SPLIT = re.compile(r"\s*(?:;|\||,|\n|•|·|/|\s+[-–—]\s+"
                    r"|\s+(?:with\s+)?(?:[Aa]dditional\s+)?(?:[Rr]eporting|[Ww]riting)\s+by\s+"
                    r"|\s+(?:and|And|AND|&|with|und|et|y)\s+)\s*")

# Job titles around a name: stripped ("Jane Doe, Senior Staff Writer", "Political Correspondent Jane Doe").
_ROLE_WORDS = {
    "staff", "writer", "writers", "reporter", "reporters", "correspondent", "correspondents", "editor",
    "editors", "contributor", "contributors", "columnist", "columnists", "journalist", "journalists",
    "photographer", "photographers", "producer", "producers", "analyst", "author", "authors", "senior",
    "chief", "political", "business", "sports", "foreign", "deputy", "managing", "associate", "executive",
    "special", "national", "international", "diplomatic", "economics", "science", "health", "technology",
    "tech", "investigative", "freelance", "guest", "opinion", "contributing", "updated", "published", "posted",
}
# Words of organisations, desks, site chrome and user names: a part holding one is no person's name
# ("News Nation Fact Check", "European Space Agency", "Practical Horseman Editorial Staff").
_ORG_WORDS = {
    "bureau", "desk", "team", "newsroom", "news", "wire", "wires", "services", "service", "agency", "agencies",
    "press", "media", "editorial", "board", "admin", "administrator", "webmaster", "moderator", "share",
    "follow", "email", "twitter", "facebook", "linkedin", "read", "more", "view", "profile", "bio", "about",
    "article", "articles", "story", "stories", "comments", "comment", "subscribe", "advertisement", "sponsored",
    "content", "partner", "online", "digital", "newsletter", "times", "post", "daily", "weekly", "magazine",
    "journal", "herald", "tribune", "gazette", "network", "radio", "tv", "television", "channel", "group",
    "inc", "ltd", "llc", "corp", "company", "reuters", "afp", "ap", "upi", "associated", "bloomberg", "dpa",
    "efe", "ansa", "xinhua", "tass", "pti", "ians", "cnn", "bbc", "nbc", "cbs", "abc", "fox", "npr", "pbs",
    "unknown", "anonymous", "user", "home", "page", "check", "department", "office",
}
# Lower-case words that belong inside names ("Ursula von der Leyen", "Ibn Saud").
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le",
              "bin", "bint", "ibn", "al", "el", "ter", "ten", "zu", "y", "e", "mc", "st."}
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.){1,3}$|^[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_]))*\.?$")


def _key(text: str) -> str:
    text = re.sub(r"^the\s+", "", text.casefold().strip())
    return re.sub(r"[\W_]+", "", text)


def _title_case(name: str) -> str:
    def word(w: str) -> str:
        if w.casefold() in _PARTICLES and w.islower():
            return w
        return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), w)

    return " ".join(word(w) for w in name.split())


def _clean_part(part: str) -> str:
    part = _LEAD.sub("", part)
    part = _DATE_TAIL.sub("", part)
    part = _TAIL.sub("", part)
    part = part.strip(" \t.:;,-–—'\"“”‘’*•·|")
    return " ".join(part.split())


def _strip_roles(words: list[str]) -> list[str]:
    """A name without role words around it ("Jane Doe Staff Writer", "Senior Reporter Jane Doe" -> "Jane Doe")."""
    while words and words[-1].casefold().strip(".:") in _ROLE_WORDS:
        words = words[:-1]
    while words and words[0].casefold().strip(".:") in _ROLE_WORDS:
        words = words[1:]
    return words


def _is_name(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or len(name) > _MAX_NAME:
        return False
    capitalised = 0
    for w in words:
        if not _NAME_WORD.match(w):
            return False
        if w.casefold().strip(".") in _ROLE_WORDS | _ORG_WORDS:
            return False
        if len(w) >= 2 and w.isalpha() and w.isupper():
            return False  # an acronym ("PMJS", "TI"): an office or a site, not a person's name
        if w[0].isupper():
            capitalised += 1
        elif w.casefold() not in _PARTICLES:
            return False
    # a name starts and ends with a capitalised word ("Ludwig van Beethoven", not "de Beers foo")
    return capitalised >= 2 and words[-1][0].isupper()


def _as_strings(value: object) -> list[str]:
    """The strings of a raw value: a string, a JSON-LD-like object with ``name``, or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _as_strings(value.get("name"))
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _as_strings(v)]
    return []


def normalise_authors(values: object, *, outlet: str | None = None) -> list[str]:
    """People's names in ``values`` (a byline string, a list of them, JSON-LD author objects), by the
    rules of the module docstring: ordered, each once, roles/outlets/agencies/junk left out.

    ``outlet`` is the article's outlet: a byline part that names it is not an author."""
    outlet_key = _key(outlet) if outlet else None
    names: list[str] = []
    seen: set[str] = set()
    for raw in _as_strings(values):
        raw = _EMAIL.sub(" ", _URL.sub(" ", _EMAIL_NAME.sub(r"\1", raw)))
        raw = re.sub(r"<\s*>|\(\s*\)", " ", raw)  # what held an address ("Jane Doe <jdoe@…>")
        raw = _HANDLE.sub(" ", _PAREN.sub(" ", raw))
        if _EMAIL.search(raw) is None and "@" in raw:
            raw = raw.replace("@", " ")
        for part in _SPLIT.split(_LEAD.sub("", raw.strip())):
            part = _clean_part(part)
            if not part or (outlet_key and _key(part) == outlet_key):
                continue
            if any(w.casefold().strip(".:") in _ORG_WORDS for w in part.split()):
                continue  # an organisation, a desk or chrome ("Reuters Staff", "News Nation Bureau")
            words = _strip_roles(part.split())
            name = " ".join(words)
            if name.isupper():
                name = _title_case(name)
            if not _is_name(name):
                continue
            key = _key(name)
            if key in seen or (outlet_key and key == outlet_key):
                continue
            seen.add(key)
            names.append(name)
            if len(names) > MAX_AUTHORS:
                return []  # a staff directory or a contributors' list, not a byline
    return names


# "By Jane Doe and John Roe" (with roles, places and dates after it) on a line of its own.
_BYLINE_LINE = re.compile(r"^\s*(?:(?:story|text|words|written|reporting|reported)\s+by|by)\s*:?\s+\S", re.IGNORECASE)
_BYLINE_MAX_WORDS = 25


def byline_of_text(text: str, *, outlet: str | None = None, lines: int = 3) -> list[str]:
    """Authors named by a "By …" line among the first ``lines`` non-empty lines of an article's text
    (where extractors leave the byline), or [] when there is none. A line that reads on as a sentence
    ("By Tuesday, the talks had failed.") yields no names: its parts are not names."""
    seen = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        seen += 1
        if seen > lines:
            break
        if _BYLINE_LINE.match(line) and len(line.split()) <= _BYLINE_MAX_WORDS and not line.endswith(("?", "!")):
            names = normalise_authors(line, outlet=outlet)
            if names:
                return names
    return []


def first_authors(candidates: Iterable[object], *, outlet: str | None = None) -> list[str]:
    """The names of the first candidate (in the caller's documented order) that has any."""
    for candidate in candidates:
        names = normalise_authors(candidate, outlet=outlet)
        if names:
            return names
    return []
