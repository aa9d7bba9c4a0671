"""Web domains -> outlet names and countries: the one table crossread ships (``data/outlet_domains.tsv``).

A page that does not name its site (no ``og:site_name``, JSON-LD publisher or application name) gets
its outlet from here before the bare domain (:mod:`crossread.ingest.pagemeta`); so does an aggregator
feed's item that links to another site (:func:`crossread.ingest.feeds.item_outlet`). A host matches
its own line or that of its nearest parent domain: ``edition.cnn.com`` is CNN, ``amp.theguardian.com``
The Guardian, and ``news.bbc.co.uk`` has a line of its own ("BBC News") before ``bbc.co.uk`` ("BBC").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

__all__ = ["OutletEntry", "OUTLET_TABLE", "outlet_for_host", "outlet_for_url", "outlet_domains"]

OUTLET_TABLE = "outlet_domains.tsv"


@dataclass(frozen=True)
class OutletEntry:
    domain: str
    name: str
    country: str | None  # ISO 3166-1 alpha-3 (crossread/data/countries.tsv)


@functools.lru_cache(maxsize=1)
def outlet_domains() -> dict[str, OutletEntry]:
    """The table, by domain (lower case, no ``www.``)."""
    text = resources.files("crossread.data").joinpath(OUTLET_TABLE).read_text(encoding="utf-8")
    table: dict[str, OutletEntry] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise ValueError(f"{OUTLET_TABLE} line {number}: expected domain<TAB>outlet<TAB>country")
        domain = _bare(fields[0])
        if domain in table:
            raise ValueError(f"{OUTLET_TABLE} line {number}: {domain} is listed twice")
        country = fields[2].strip() if len(fields) > 2 and fields[2].strip() else None
        table[domain] = OutletEntry(domain, fields[1].strip(), country)
    return table


def _bare(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def outlet_for_host(host: str | None) -> OutletEntry | None:
    """The table's entry for ``host`` or its nearest listed parent domain, or None."""
    if not host:
        return None
    table = outlet_domains()
    labels = _bare(host).split(".")
    for i in range(len(labels) - 1):  # never a bare top-level domain
        entry = table.get(".".join(labels[i:]))
        if entry is not None:
            return entry
    return None


def outlet_for_url(url: str | None) -> OutletEntry | None:
    """:func:`outlet_for_host` of a URL's host."""
    if not url:
        return None
    try:
        return outlet_for_host(urlsplit(url.strip()).hostname)
    except ValueError:
        return None
