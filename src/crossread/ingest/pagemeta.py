"""Page metadata a user can trust: publication date, headline and outlet from the page's own markup.

trafilatura's metadata is the last resort only: it may give the revision date, keep " | Site" on
titles and take a menu or a headline for the site name. The documented orders (docs/FETCHING.md):

* **date**: JSON-LD ``datePublished`` (article objects first, also inside ``@graph`` and lists),
  ``<meta property="article:published_time">``, ``<meta name=pubdate|publishdate|date|DC.date.issued|
  sailthru.date|parsely-pub-date>``, ``itemprop="datePublished"`` (``<time datetime>``, ``<meta content>``),
  a date in the URL path (``/2024/03/25/``), then trafilatura's date. Modification dates
  (``dateModified``, ``article:modified_time``, ``og:updated_time``) are never read.
* **title**: ``og:title``, JSON-LD ``headline``, ``twitter:title``, trafilatura's title, ``<title>``; the
  first that is not just the site name, with a " | Site" / " - Site" / " — Site" / " :: Site" part removed
  where that part is the outlet's name, the domain's name or a CMS name.
* **outlet**: ``og:site_name``, JSON-LD ``publisher.name``, ``<meta name=application-name>``, JSON-LD
  ``WebSite`` name, trafilatura's site name; where the page's own markup (all but trafilatura's) names
  no site, the name the shipped domain table gives the host or its parent domain
  (:mod:`crossread.ingest.outlets`) instead of trafilatura's guess; then the domain (``www.`` dropped); a name that is too long, a menu
  (several ``|``), a URL, a copyright notice, a CMS name or the page's own title is passed over, and one that is the
  domain's name ("Reuters" on reuters.com) goes before one that is not (og:site_name "U.S.").
* **authors**: JSON-LD ``author`` (article objects first), ``<meta name=author|byl|parsely-author|
  sailthru.author|dc.creator|citation_author>`` and ``article:author``, ``rel=author`` links and
  ``itemprop=author`` elements, byline elements (a class or id with "byline"), trafilatura's author,
  then a "By …" line at the top of the text (:func:`crossread.ingest.html.extract_html`); the first
  source that names anyone wins, normalised by :func:`crossread.ingest.authors.normalise_authors`
  (roles, outlets, agencies, e-mail addresses and profile URLs dropped, junk refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crossread.ingest.authors import first_authors
from crossread.ingest.meta import normalise_date
from crossread.ingest.outlets import outlet_for_host

__all__ = ["CMS_NAMES", "PageMeta", "page_metadata", "strip_site_suffix"]

# Content-management systems and tools whose name pages put where the site's name belongs.
CMS_NAMES = frozenset({
    "escenic", "wordpress", "wordpress.com", "drupal", "joomla", "blogger", "blogspot", "typepad",
    "squarespace", "wix", "polopoly", "brightspot", "arc publishing", "contentful", "sitecore",
})

_PUBLISHED_META = ("article:published_time", "og:article:published_time", "pubdate", "publishdate",
                   "date", "dc.date.issued", "sailthru.date", "parsely-pub-date")
# Title separators: spaced, so hyphenated words and "10:30" never split.
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|•|»)\s+")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=/|[-_.]|$)")
_ARTICLE_TYPE = re.compile(r"article|posting|report", re.IGNORECASE)
_MAX_OUTLET = 60
_AUTHOR_META = ("author", "byl", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
                "citation_author", "article:author", "og:article:author")
# byline elements: the ``rel``/``itemprop`` markers, then class or id names with "byline" or "author-name"
_BYLINE_XPATH = ('//*[contains(concat(" ", normalize-space(@rel), " "), " author ")]',
                 '//*[@itemprop="author"]',
                 '//*[contains(translate(@class, "BYLINE", "byline"), "byline") or contains(translate(@id, "BYLINE", '
                 '"byline"), "byline") or contains(translate(@class, "AUTHORNME_-", "authornme__"), "author_name")]')
_MAX_BYLINE = 300  # characters of a byline element: more is a whole author box or a page section


@dataclass
class PageMeta:
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    """Loose comparison form of a name: case, a leading "The", punctuation and spaces ignored."""
    name = name.casefold().strip()
    name = re.sub(r"^the\s+", "", name)
    return re.sub(r"[\W_]+", "", name)


def _domain_label(host: str) -> str:
    """The name part of a host: "www.nytimes.com" -> "nytimes", "news.bbc.co.uk" -> "bbc"."""
    labels = host.lower().split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        return labels[-3]  # co.uk, com.au, …
    return labels[-2] if len(labels) >= 2 else labels[0]


def _matches_site(part: str, names: list[str], host: str | None) -> bool:
    key = _key(part)
    if not key:
        return False
    if part.casefold().strip() in CMS_NAMES or key in {_key(c) for c in CMS_NAMES}:
        return True
    if any(key == _key(n) for n in names if n):
        return True
    return _matches_domain(part, host)


def _matches_domain(name: str, host: str | None) -> bool:
    """Whether ``name`` is the domain's own name: "nytimes.com", "BBC News", "heise online", "TheHill"
    for hosts nytimes.com, bbc.co.uk, heise.de, thehill.com."""
    if not host:
        return False
    label = re.sub(r"[\W_]+", "", _domain_label(host))
    forms = {re.sub(r"[\W_]+", "", host), label, *(label + w for w in ("news", "online", "com", "net", "org"))}
    return _key(name) in forms or re.sub(r"[\W_]+", "", name.casefold()) in forms


def strip_site_suffix(title: str, names: list[str], host: str | None = None) -> str:
    """``title`` without leading/trailing parts that are the site's name (``names``, the domain) or a CMS name.

    Only whole separator-delimited parts that match go: a part of the headline itself never does.
    """
    parts = _SEPARATOR.split(title.strip())
    while len(parts) > 1 and _matches_site(parts[-1], names, host):
        parts.pop()
    while len(parts) > 1 and _matches_site(parts[0], names, host):
        parts.pop(0)
    if len(parts) == len(_SEPARATOR.split(title.strip())):
        return title.strip()
    # Rejoin with the separators the title used between the kept parts.
    seps = _SEPARATOR.findall(title.strip())
    whole = _SEPARATOR.split(title.strip())
    start = next(i for i in range(len(whole)) if whole[i:i + len(parts)] == parts)
    out = parts[0]
    for i, part in enumerate(parts[1:], start=start):
        out += seps[i] + part
    return out.strip()


def _text(value: object) -> str | None:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return None


def _jsonld_objects(root) -> Iterator[dict]:
    """Every JSON object in the page's JSON-LD blocks, nested ones included (``@graph``, lists)."""
    for script in root.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue  # broken JSON-LD is common; the other sources remain
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                yield item
                stack.extend(v for k, v in item.items() if k != "publisher" and isinstance(v, (dict, list)))


def _types(obj: dict) -> str:
    t = obj.get("@type")
    return " ".join(x for x in t if isinstance(x, str)) if isinstance(t, list) else str(t or "")


def _names(value: object) -> list[str]:
    """Names of a JSON-LD value that is a string, an object with ``name`` or a list of either."""
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        return [n] if (n := _text(value.get("name"))) else []
    return [n] if (n := _text(value)) else []


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    host = host[4:] if host.startswith("www.") else host
    return host if "." in host else None


def _url_date(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_DATE.search(path)
    if not m:
        return None
    return normalise_date(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}")


def _plausible_outlet(name: str, titles: list[str]) -> bool:
    if len(name) > _MAX_OUTLET or name.count("|") >= 2 or not re.search(r"[^\W\d_]", name):
        return False
    if "://" in name or name.casefold().startswith("www."):
        return False  # a URL: the domain fallback says the same, and a real name may follow
    if re.match(r"(?:copyright|©|\(c\)\s|all rights reserved)", name, re.IGNORECASE):
        return False  # the footer's notice ("Copyright 2014"), not a name
    if name.casefold().strip() in CMS_NAMES:
        return False
    # A site name that is the page's own title is the headline copied into og:site_name.
    return not any(_key(name) == _key(t) for t in titles if t)


def page_metadata(html: str, url: str | None = None, *, fallback_title: str | None = None,
                  fallback_outlet: str | None = None, fallback_date: str | None = None,
                  fallback_author: str | None = None) -> PageMeta:
    """Title, outlet and publication date of a page by the orders in the module docstring.

    ``url`` is where the page came from (else its canonical link or ``og:url``); the ``fallback_*``
    values are trafilatura's, used only when the page's own markup says nothing better.
    """
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - unparsable markup: trafilatura's values are all there is
        root = None
    meta: dict[str, list[str]] = {}
    objects: list[dict] = []
    html_title = None
    if root is not None:
        for el in root.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            value = _text(el.get("content"))
            if key and value:
                meta.setdefault(key, []).append(value)
        objects = list(_jsonld_objects(root))
        title_el = root.find(".//title")
        html_title = _text(title_el.text_content()) if title_el is not None else None
        if not url:
            canon = root.xpath('//link[contains(concat(" ", normalize-space(translate(@rel, "CANONICAL", '
                               '"canonical")), " "), " canonical ")]/@href')
            url = next((u for u in canon if u.startswith("http")), None) or next(
                (u for u in meta.get("og:url", []) if u.startswith("http")), None)
    articles = [o for o in objects if _ARTICLE_TYPE.search(_types(o))]
    others = [o for o in objects if not _ARTICLE_TYPE.search(_types(o))]
    host = _host(url)

    published = _published(root, meta, articles + others, url) or normalise_date(fallback_date)

    raw_titles = [t for t in (
        *meta.get("og:title", [])[:1],
        *(_text(o.get("headline")) for o in articles[:1]),
        *meta.get("twitter:title", [])[:1],
        _text(fallback_title),
        html_title,
    ) if t]

    outlet = None
    publisher = [n for o in articles + others for n in _names(o.get("publisher"))]
    websites = [n for o in others if "WebSite" in _types(o) for n in _names(o)]
    listed = outlet_for_host(host)
    table_name = listed.name if listed else None
    own = [c for c in (*meta.get("og:site_name", [])[:1], *publisher[:1], *meta.get("application-name", [])[:1],
                       *websites[:1]) if c and _plausible_outlet(c, raw_titles)]
    # the table's name only where the page's own markup names no site: before trafilatura's guess, which
    # may be a menu or a section
    guessed = [c for c in (_text(fallback_outlet),) if c and _plausible_outlet(c, raw_titles)]
    plausible = own + guessed if own or not table_name else [table_name]
    # A name that is the domain's wins over one that is not: og:site_name is sometimes an edition or
    # section ("U.S." on reuters.com, where JSON-LD's publisher says "Reuters").
    plausible.sort(key=lambda c: not _matches_domain(c, host))
    outlet = plausible[0] if plausible else None
    if outlet:
        # The same name written as a handle ("TheHill", "cleveland") or properly ("The Hill"): take the latter.
        same = [c for c in plausible if re.sub(r"[\W_]+", "", c.casefold()) == re.sub(r"[\W_]+", "", outlet.casefold())]
        outlet = max(same, key=lambda c: (c.count(" "), c != c.lower()))
    if outlet is None and host:
        outlet = host

    names = [n for n in (outlet, *meta.get("og:site_name", []), *publisher, *meta.get("application-name", []),
                         table_name, _text(fallback_outlet)) if n]
    title = None
    for cand in raw_titles:
        if _matches_site(cand, names, host):
            continue  # og:title that is just "The Site"
        title = strip_site_suffix(cand, names, host)
        break
    authors = first_authors((*(o.get("author") for o in articles + others),
                             *(meta.get(key) for key in _AUTHOR_META),
                             *_byline_elements(root), fallback_author), outlet=outlet)
    return PageMeta(title=title, outlet=outlet, published=published, authors=authors)


def _byline_elements(root) -> Iterator[list[str]]:  # noqa: ANN001 - an lxml element
    """The texts of the page's byline elements, one list per kind of marker (module docstring's order)."""
    if root is None:
        return
    for xpath in _BYLINE_XPATH:
        texts = []
        for el in root.xpath(xpath)[:6]:
            if el.tag in ("meta", "link"):
                value = el.get("content") or ""
            else:
                names = el.xpath('.//*[@itemprop="name"]')
                value = " ".join((n.get("content") or n.text_content()) for n in names) if names else el.text_content()
            value = " ".join(value.split())
            if value and len(value) <= _MAX_BYLINE:
                texts.append(value)
        yield texts


def _published(root, meta: dict[str, list[str]], objects: list[dict], url: str | None) -> str | None:
    for obj in objects:
        value = obj.get("datePublished")
        if isinstance(value, list):
            value = value[0] if value else None
        if (date := normalise_date(value)) is not None:
            return date
    for key in _PUBLISHED_META:
        for value in meta.get(key, []):
            if (date := normalise_date(value)) is not None:
                return date
    if root is not None:
        for el in root.xpath('//*[@itemprop="datePublished"]'):
            if (date := normalise_date(el.get("datetime") or el.get("content") or el.text_content())) is not None:
                return date
    return _url_date(url)
