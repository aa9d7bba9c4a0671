"""Fetching articles, RSS/Atom feeds and sitemaps over http(s), safely (see docs/FETCHING.md).

One :class:`Fetcher` per run. Every request goes through :meth:`Fetcher.get`, which:

- allows only http(s); resolves the host and refuses private, loopback, link-local, multicast,
  reserved and cloud-metadata addresses (SSRF) unless the host was allowed explicitly; then connects
  to the very address it checked (Host header and TLS SNI set to the name), so a second DNS answer
  cannot swap in another address (DNS rebinding);
- follows redirects itself, each hop checked the same way, at most ``max_redirects``;
- obeys robots.txt (cached per host, RFC 9309), waits ``delay`` seconds between requests to one host
  (or the site's Crawl-delay, capped), retries 429/5xx/connection errors with backoff;
- makes at most one request to a host at a time; with ``concurrency`` above 1 the pages of a feed or
  sitemap are fetched by that many threads, so different hosts are read at once (each still politely);
- reads the body as a stream, decompressing gzip/deflate itself, and cuts it at ``max_bytes`` of
  *decompressed* text and at ``total_timeout`` seconds (no decompression bombs, no endless streams);
- sends conditional requests (ETag / Last-Modified) for the URLs given to it as sources when a
  :class:`FetchState` is kept (``crossread watch``).

Refusals and failures are :class:`FetchError` with one line naming the reason; :func:`ingest_urls`
turns them into :class:`~crossread.ingest.errors.IngestError` items like any bad file.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from crossread import __version__
from crossread.ingest.article import make_article
from crossread.ingest.decode import DecodeError, decode_bytes, human_size
from crossread.ingest.errors import IngestError
from crossread.records import Article

__all__ = ["FetchError", "FetchOptions", "FetchState", "Fetcher", "Response", "canonical_url", "clean_url",
           "ingest_urls", "is_url", "USER_AGENT"]

log = logging.getLogger(__name__)

USER_AGENT = f"crossread/{__version__} (+https://github.com/crossread/crossread)"

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# tracking parameters: never part of what a page is
_TRACKING = re.compile(r"^(utm_\w*|fbclid|gclid|dclid|gclsrc|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|"
                       r"ocid|cmpid|__twitter_impression|spm|ref_src|ref_url)$", re.IGNORECASE)
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"),
             ipaddress.ip_address("100.100.100.200")}  # AWS/GCP/Azure, AWS IPv6, Alibaba
_RETRY_STATUS = {429, 500, 502, 503, 504}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}


def is_url(text: str) -> bool:
    """Whether an input names a URL (any scheme: a non-http one is refused, not read as a file)."""
    return bool(_URL.match(text))


class FetchError(Exception):
    """A URL not fetched: refused (safety, robots.txt) or failed; ``transient`` when a later try may work."""

    def __init__(self, reason: str, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


@dataclass
class FetchOptions:
    max_bytes: int = 20 * 1024 * 1024
    timeout: float = 20.0  # connect / read, per operation
    total_timeout: float = 120.0  # the whole response, so a slow drip cannot hold a run
    retries: int = 2
    backoff: float = 1.0  # seconds, doubled per retry
    max_redirects: int = 5
    delay: float = 1.0  # seconds between two requests to one host
    max_crawl_delay: float = 30.0  # a robots.txt Crawl-delay is obeyed up to this
    allow_hosts: frozenset[str] = frozenset()  # names or addresses exempt from the address checks
    obey_robots: bool = True
    user_agent: str = USER_AGENT
    max_pages: int = 1000  # pages read from one feed or sitemap
    fetch_feed_pages: bool = True  # a feed item's page is fetched: its full text replaces the summary
    concurrency: int = 1  # pages of a feed or sitemap fetched at once (one request per host at a time)
    save_warc: Path | None = None
    verify: Any = True  # TLS verification: True (system CAs) or an ssl.SSLContext (tests: their own CA)


@dataclass
class FetchState:
    """What ``crossread watch`` keeps between rounds: validators per source URL and the item URLs already
    read (so an unchanged feed costs one 304 and a changed one fetches only its new items)."""

    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    # sources of this round with a failure that may pass: their validators are dropped before saving, so
    # the next round reads them whole again (not kept between rounds)
    transient: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> FetchState:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable (%s); starting afresh", path, exc)
            return cls()
        return cls(validators=dict(data.get("validators") or {}), seen=set(data.get("seen") or []))

    def save(self, path: Path) -> None:
        for source in self.transient:
            self.validators.pop(source, None)
        self.transient.clear()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"validators": self.validators, "seen": sorted(self.seen)}, indent=1),
                       encoding="utf-8")
        os.replace(tmp, path)  # never a half-written state


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    requested: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").lower()


def clean_url(url: str) -> str:
    """``url`` without tracking parameters and fragment, scheme and host in lower case, no default port."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    netloc = host + (f":{port}" if port else "")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


_CANONICAL = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_REL_CANONICAL = re.compile(r"\brel\s*=\s*[\"']?canonical\b", re.IGNORECASE)
_HREF = re.compile(r"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def canonical_url(html: str, url: str) -> str:
    """The page's ``<link rel=canonical>`` (resolved against ``url``) when it is http(s), else ``url``;
    cleaned of tracking parameters either way: the article's URL and dedup key."""
    head = html[:200_000]
    for tag in _CANONICAL.findall(head):
        if _REL_CANONICAL.search(tag):
            href = _HREF.search(tag)
            value = next((g for g in href.groups() if g), "").strip() if href else ""
            if value:
                target = urljoin(url, value)
                if urlsplit(target).scheme.lower() in ("http", "https") and urlsplit(target).hostname:
                    return clean_url(target)
            break
    return clean_url(url)


def _address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why connecting to ``ip`` is refused, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in _METADATA:
        return "a cloud metadata address"
    for test, words in (("is_loopback", "a loopback address"), ("is_link_local", "a link-local address"),
                        ("is_multicast", "a multicast address"), ("is_unspecified", "an unspecified address"),
                        ("is_reserved", "a reserved address"), ("is_private", "a private address")):
        if getattr(ip, test):
            return words
    if not ip.is_global:  # shared address space (100.64/10) and the like
        return "a non-public address"
    return None


class Fetcher:
    """Safe, polite fetching for one run (see the module's doc). :meth:`get` may be called from several
    threads: requests to one host take turns (one at a time, ``delay`` apart), robots.txt is read once
    per host and WARC records are written whole."""

    def __init__(self, options: FetchOptions | None = None, state: FetchState | None = None) -> None:
        import httpx

        self.options = options or FetchOptions()
        self.state = state
        self.transient_sources: set[str] = state.transient if state is not None else set()  # sources with a failure that may pass (watch retries them)
        self.source: str | None = None  # the source URL being read
        self._allowed = {h.lower().strip("[]") for h in self.options.allow_hosts}
        self._robots: dict[str, RobotFileParser | str] = {}
        self._last: dict[str, float] = {}
        self._locks: dict[str, threading.RLock] = {}  # per host: its requests and its robots.txt, in turn
        self._locks_guard = threading.Lock()
        self._warc_lock = threading.Lock()
        self._client = httpx.Client(
            follow_redirects=False, trust_env=False,  # no proxy from the environment: the checked address is where we connect
            timeout=httpx.Timeout(self.options.timeout), verify=self.options.verify,
            headers={"User-Agent": self.options.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._warc = None
        self._warc_file = None
        if self.options.save_warc is not None:
            from warcio.warcwriter import WARCWriter

            self._warc_file = open(self.options.save_warc, "ab")  # noqa: SIM115 - closed in close()
            self._warc = WARCWriter(self._warc_file, gzip=str(self.options.save_warc).endswith(".gz"))

    def close(self) -> None:
        self._client.close()
        if self._warc_file is not None:
            self._warc_file.close()
            self._warc_file = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- checks ---------------------------------------------------------------------------------

    def _host_lock(self, host: str) -> threading.RLock:
        with self._locks_guard:
            return self._locks.setdefault(host.lower(), threading.RLock())

    def _allowed_host(self, host: str) -> bool:
        return host.lower().strip("[]") in self._allowed

    def resolve(self, url: str) -> tuple[str, int, list[str]]:
        """``(host, port, addresses to connect to)`` of ``url``, or FetchError when it is refused."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(f"only http(s) URLs are fetched, not {parts.scheme.lower() or 'scheme-less'} URLs")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError("no host in the URL")
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            raise FetchError("bad port in the URL") from None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}: {exc}", transient=True) from None
        addresses = []
        for info in infos:
            addr = info[4][0].split("%")[0]
            addresses.append(ipaddress.ip_address(addr))
        if not addresses:
            raise FetchError(f"cannot resolve {host}", transient=True)
        if not self._allowed_host(host):
            # every address the name has: one good answer does not excuse a bad one (a resolver may
            # hand out either)
            for ip in addresses:
                problem = _address_problem(ip)
                if problem:
                    shown = host if host == str(ip) else f"{host} ({ip})"
                    raise FetchError(f"refused: {shown} is {problem} (allow it with --allow-host {host})")
        return host, port, list(dict.fromkeys(str(ip) for ip in addresses))

    def _robots_for(self, scheme: str, host: str, port: int) -> RobotFileParser | str:
        with self._host_lock(host):  # read once per host, however many threads ask
            return self._robots_for_locked(scheme, host, port)

    def _robots_for_locked(self, scheme: str, host: str, port: int) -> RobotFileParser | str:
        key = f"{scheme}://{host}:{port}"
        if key not in self._robots:
            netloc = f"[{host}]" if ":" in host else host
            robots_url = f"{scheme}://{netloc}:{port}/robots.txt"
            parser = RobotFileParser(robots_url)
            try:
                response = self._follow(robots_url, {}, robots=False, max_bytes=512 * 1024, save=False)
            except FetchError as exc:
                # RFC 9309: robots.txt unreachable means the site is off limits for now
                self._robots[key] = f"its robots.txt could not be read ({exc.reason})"
                return self._robots[key]
            if 400 <= response.status < 500:
                parser.allow_all = True  # no robots.txt: everything allowed
            elif response.status >= 300:
                self._robots[key] = f"its robots.txt could not be read (HTTP {response.status})"
                return self._robots[key]
            else:
                parser.parse(response.body.decode("utf-8", "replace").splitlines())
            self._robots[key] = parser
        return self._robots[key]

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
        robots = self._robots_for(scheme, (parts.hostname or "").lower(), port)
        if isinstance(robots, str):
            raise FetchError(f"not fetched: {robots}", transient=True)
        if not robots.can_fetch(self.options.user_agent, url) and not robots.can_fetch("crossread", url):
            raise FetchError("disallowed by the site's robots.txt")

    def _wait_turn(self, host: str) -> None:
        delay = self.options.delay
        robots = next((r for k, r in list(self._robots.items()) if urlsplit(k).hostname == host), None)
        if isinstance(robots, RobotFileParser):
            crawl = robots.crawl_delay(self.options.user_agent) or robots.crawl_delay("*")
            if crawl:
                delay = max(delay, min(float(crawl), self.options.max_crawl_delay))
        last = self._last.get(host)
        if last is not None and delay > 0:
            wait = last + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last[host] = time.monotonic()

    # -- requests -------------------------------------------------------------------------------

    def get(self, url: str, *, conditional: bool = False) -> Response:
        """The response for ``url`` after redirects (each hop checked), or FetchError. With
        ``conditional`` and a kept state, a 304 response says the URL did not change since last time."""
        headers: dict[str, str] = {}
        if conditional and self.state is not None:
            kept = self.state.validators.get(url, {})
            if kept.get("etag"):
                headers["If-None-Match"] = kept["etag"]
            if kept.get("last_modified"):
                headers["If-Modified-Since"] = kept["last_modified"]
        response = self._follow(url, headers, robots=self.options.obey_robots, max_bytes=self.options.max_bytes,
                                 save=True)
        response.requested = url
        if conditional and self.state is not None and response.status == 200:
            kept = {k: v for k, v in (("etag", response.headers.get("etag")),
                                      ("last_modified", response.headers.get("last-modified"))) if v}
            if kept:
                self.state.validators[url] = kept
        if response.status not in (200, 203, 304):
            raise FetchError(f"HTTP {response.status}", transient=response.status in _RETRY_STATUS)
        return response

    def _follow(self, url: str, headers: dict[str, str], *, robots: bool, max_bytes: int, save: bool) -> Response:
        """The response at the end of ``url``'s redirects, each hop checked (addresses, robots.txt)."""
        current = url
        visited = {clean_url(url)}
        for _hop in range(self.options.max_redirects + 1):
            if robots:
                self.resolve(current)  # the address check comes before the robots.txt request too
                self._check_robots(current)
            response = self._get_with_retries(current, headers, max_bytes, save=save)
            if response.status in _REDIRECT_STATUS and response.headers.get("location"):
                target = urljoin(current, response.headers["location"].strip())
                if clean_url(target) in visited:
                    raise FetchError(f"redirect loop (back to {target})")
                visited.add(clean_url(target))
                log.info("redirect %s -> %s", current, target)
                current = target
                continue
            return response
        raise FetchError(f"too many redirects (more than {self.options.max_redirects})")

    def _get_with_retries(self, url: str, headers: dict[str, str], max_bytes: int, save: bool = True) -> Response:
        attempt = 0
        while True:
            try:
                response = self._get_once(url, headers, max_bytes=max_bytes, save=save)
            except FetchError as exc:
                if not exc.transient or attempt >= self.options.retries:
                    raise
                pause = self.options.backoff * 2 ** attempt
            else:
                if response.status not in _RETRY_STATUS or attempt >= self.options.retries:
                    return response
                pause = self.options.backoff * 2 ** attempt
                after = response.headers.get("retry-after", "")
                if after.isdigit():
                    pause = max(pause, min(float(after), 60.0))
            attempt += 1
            log.info("retrying %s in %.1f s", url, pause)
            time.sleep(pause)

    def _get_once(self, url: str, headers: dict[str, str], *, max_bytes: int, save: bool = True) -> Response:
        host, port, addresses = self.resolve(url)
        parts = urlsplit(url)
        default = (parts.scheme.lower(), port) in (("http", 80), ("https", 443))
        netloc_host = f"[{host}]" if ":" in host else host
        request_headers = {"Host": netloc_host if default else f"{netloc_host}:{port}", **headers}
        with self._host_lock(host):  # one request to a host at a time, ``delay`` apart
            self._wait_turn(host)
            return self._send(url, parts, host, port, addresses, request_headers, max_bytes=max_bytes, save=save)

    def _send(self, url: str, parts: Any, host: str, port: int, addresses: list[str], request_headers: dict[str, str],
              *, max_bytes: int, save: bool) -> Response:
        import httpx

        deadline = time.monotonic() + self.options.total_timeout
        for number, address in enumerate(addresses, start=1):
            # connect to a checked address; the name goes in the Host header and the TLS SNI (and the
            # certificate is checked against the name)
            ip_netloc = (f"[{address}]" if ":" in address else address) + f":{port}"
            target = urlunsplit((parts.scheme.lower(), ip_netloc, parts.path or "/", parts.query, ""))
            try:
                request = self._client.build_request("GET", target, headers=request_headers,
                                                     extensions={"sni_hostname": host})
                response = self._client.send(request, stream=True)
                break
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {self.options.timeout:g} s", transient=True) from None
            except httpx.ConnectError as exc:
                if "CERTIFICATE" in str(exc).upper():
                    raise FetchError(f"TLS certificate not valid for {host}: {exc}") from None
                if number == len(addresses):  # the next address of the name, where it has more
                    raise FetchError(f"connection failed: {exc}", transient=True) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"connection failed: {exc}", transient=True) from None
        try:
            head = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code in _REDIRECT_STATUS or response.status_code >= 300:
                body = b""  # a redirect's or an error's body is not read
            else:
                body = self._read_body(response, head.get("content-encoding", ""), max_bytes, deadline)
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.options.timeout:g} s", transient=True) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"connection failed while reading: {exc}", transient=True) from None
        finally:
            response.close()
        result = Response(url=url, status=response.status_code, headers=head, body=body, requested=url)
        if save and response.status_code < 300:
            self._save_warc(result, response.http_version)
        return result

    def _read_body(self, response: Any, encoding: str, max_bytes: int, deadline: float) -> bytes:
        """The body, decompressed here (not by httpx: its decoder inflates a whole chunk at once), cut
        at ``max_bytes`` of decompressed text and at the overall deadline."""
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            inflate = None
        elif encoding in ("gzip", "x-gzip"):
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflate = zlib.decompressobj()
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")
        data = bytearray()
        raw_seen = 0
        for chunk in response.iter_raw():  # as the bytes come (a chunk size would wait to fill it)
            raw_seen += len(chunk)
            if inflate is None:
                data += chunk
            else:
                try:
                    pending = chunk
                    while pending and len(data) <= max_bytes:
                        data += inflate.decompress(pending, max_bytes + 1 - len(data))
                        pending = inflate.unconsumed_tail
                except zlib.error as exc:
                    raise FetchError(f"corrupt compressed body ({exc})") from None
            if len(data) > max_bytes or raw_seen > max_bytes:
                raise FetchError(f"response too large (> {human_size(max_bytes)} limit"
                                 + (", decompressed" if inflate is not None else "") + ")")
            if time.monotonic() > deadline:
                raise FetchError(f"response took longer than {self.options.total_timeout:g} s: cut",
                                 transient=True)
        return bytes(data)

    def _save_warc(self, response: Response, http_version: str) -> None:
        """The response as a WARC record (its body decompressed: Content-Encoding dropped), so that
        ``crossread analyze FILE.warc`` replays the run offline."""
        if self._warc is None:
            return
        with self._warc_lock:  # records written whole, one after the other
            self._write_warc(response, http_version)

    def _write_warc(self, response: Response, http_version: str) -> None:
        from io import BytesIO

        from warcio.statusandheaders import StatusAndHeaders

        skip = {"content-encoding", "transfer-encoding", "content-length"}
        headers = [(k, v) for k, v in response.headers.items() if k not in skip]
        headers.append(("Content-Length", str(len(response.body))))
        http = StatusAndHeaders(f"{response.status} OK", headers, protocol=http_version or "HTTP/1.1")
        record = self._warc.create_warc_record(response.url, "response", payload=BytesIO(response.body),
                                               http_headers=http)
        self._warc.write_record(record)
        self._warc_file.flush()


# -- turning responses into articles ---------------------------------------------------------------

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_SITEMAP = re.compile(r"<(?:\w+:)?(urlset|sitemapindex)\b", re.IGNORECASE)
_LOC = re.compile(r"<(?:\w+:)?loc\b[^>]*>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)", re.IGNORECASE)


def _decode(response: Response) -> str:
    declared = _CHARSET.search(response.headers.get("content-type", ""))
    return decode_bytes(response.body, declared=declared.group(1) if declared else None)


def article_from_html(html: str, *, source: str, url: str, fmt: str = "html") -> Article | str:
    """The Article of a fetched page (the same as of the same HTML read from a file, plus its canonical
    URL), or why there is none."""
    from crossread.ingest.html import extract_html

    # no URL for trafilatura: it then reads the page exactly as from a file; the fetched URL only
    # serves the metadata's last resorts (a date in the path, the domain as outlet)
    parts = extract_html(html, page_url=url, name=source)
    if parts is None:
        return "no article text found in HTML"
    return make_article(parts.text, source=source, fmt=fmt, title=parts.title, outlet=parts.outlet,
                        published=parts.published, language=parts.language, url=canonical_url(html, url),
                        authors=parts.authors,
                        empty="no article text found in HTML")


def _kind(response: Response, text: str) -> str:
    from crossread.ingest.feeds import looks_like_feed
    from crossread.ingest.html import looks_like_html

    head = text[:4096]
    if _SITEMAP.search(head):
        return "sitemap"
    if looks_like_feed(text):
        return "feed"
    if "html" in response.content_type or looks_like_html(text):
        return "html"
    if response.content_type.startswith("text/plain"):
        return "text"
    return "other"


def ingest_urls(urls: Iterable[str], fetcher: Fetcher) -> Iterator[Article | IngestError]:
    """Articles of ``urls`` (pages, feeds, sitemaps), or one IngestError per URL not read, naming it."""
    for url in urls:
        shown = url.strip()
        fetcher.source = shown
        try:
            yield from _ingest_url(shown, fetcher)
        except FetchError as exc:
            if exc.transient:
                fetcher.transient_sources.add(shown)
            yield IngestError(shown, exc.reason)
        except Exception as exc:  # noqa: BLE001 - last line of defence: one URL never stops the batch
            yield IngestError(shown, f"unexpected error: {type(exc).__name__}: {exc}")


def _ingest_url(url: str, fetcher: Fetcher) -> Iterator[Article | IngestError]:
    response = fetcher.get(url, conditional=fetcher.state is not None)
    if response.not_modified:
        log.info("not modified since the last round: %s", url)
        return
    try:
        text = _decode(response)
    except DecodeError as exc:
        yield IngestError(url, str(exc))
        return
    kind = _kind(response, text)
    if kind == "sitemap":
        yield from _sitemap(url, text, fetcher, depth=0)
    elif kind == "feed":
        yield from _feed(url, response, fetcher)
    elif kind == "html":
        yield _page_item(url, response, text, fetcher)
    elif kind == "text":
        from crossread.ingest import _from_text

        yield _from_text(text, url)
    else:
        yield IngestError(url, f"not an article, feed or sitemap (Content-Type {response.content_type or 'none'})")


def _page_item(url: str, response: Response, text: str, fetcher: Fetcher) -> Article | IngestError:
    source = clean_url(response.url)
    article = article_from_html(text, source=source, url=response.url)
    if isinstance(article, Article):
        if article.url:
            article.source = article.url  # the canonical URL names the article
        if fetcher.state is not None:
            fetcher.state.seen.update({clean_url(url), source, article.url or source})
        return article
    return IngestError(url, article)


def _fresh(url: str, fetcher: Fetcher, done: set[str]) -> bool:
    key = clean_url(url)
    if key in done or (fetcher.state is not None and key in fetcher.state.seen):
        return False
    done.add(key)
    return True


def _fetch_page(url: str, fetcher: Fetcher) -> tuple[Article | IngestError, bool]:
    """The article of the page at ``url`` or why not, and whether the failure may pass (retry later)."""
    try:
        response = fetcher.get(url)
        text = _decode(response)
    except FetchError as exc:
        if exc.transient:
            fetcher.transient_sources.add(fetcher.source or url)
        elif fetcher.state is not None:
            fetcher.state.seen.add(clean_url(url))  # a refusal is for good: not asked again each round
        return IngestError(url, exc.reason), exc.transient
    except DecodeError as exc:
        return IngestError(url, str(exc)), False
    return _page_item(url, response, text, fetcher), False


def _fetch_pages(urls: list[str], fetcher: Fetcher) -> Iterator[tuple[Article | IngestError, bool]]:
    """:func:`_fetch_page` of each URL, in order; with ``concurrency`` above 1 by that many threads (hosts
    read at once, each host's requests still one at a time: :meth:`Fetcher.get`)."""
    workers = min(fetcher.options.concurrency, len(urls))
    if workers <= 1:
        for url in urls:
            yield _fetch_page(url, fetcher)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crossread-fetch") as pool:
        # map keeps the input order, so a run's output does not depend on which host answered first
        yield from pool.map(lambda u: _fetch_page(u, fetcher), urls)


def _sitemap(url: str, text: str, fetcher: Fetcher, depth: int) -> Iterator[Article | IngestError]:
    root = _SITEMAP.search(text[:4096])
    locations = [loc.replace("&amp;", "&") for loc in _LOC.findall(text)]
    if root and root.group(1).lower() == "sitemapindex":
        if depth >= 1:
            yield IngestError(url, "a sitemap index inside a sitemap index: not followed")
            return
        for loc in locations:
            try:
                response = fetcher.get(loc)
                yield from _sitemap(loc, _decode(response), fetcher, depth + 1)
            except (FetchError, DecodeError) as exc:
                yield IngestError(loc, getattr(exc, "reason", str(exc)))
        return
    done: set[str] = set()
    fresh = [loc for loc in locations if _fresh(loc, fetcher, done)]
    if len(fresh) > fetcher.options.max_pages:
        yield IngestError(url, f"{len(fresh)} pages: only the first {fetcher.options.max_pages} are read")
        fresh = fresh[:fetcher.options.max_pages]
    for page, _transient in _fetch_pages(fresh, fetcher):
        yield page


def _feed(url: str, response: Response, fetcher: Fetcher) -> Iterator[Article | IngestError]:
    """A feed's items: with ``fetch_feed_pages`` each item's page is fetched and its full text replaces
    the item's summary (never both kept); where the page cannot be read, the item as the feed gives it."""
    from crossread.ingest.feeds import parse_feed

    items = list(parse_feed(response.body, url))
    done: set[str] = set()
    # what each item becomes, in feed order: itself, or (None, item) for its page to be fetched
    plan: list[tuple[Article | IngestError | None, Any]] = []
    pages = 0
    too_many = False
    for item in items:
        if isinstance(item, IngestError) or not item.url or not fetcher.options.fetch_feed_pages:
            if isinstance(item, Article) and item.url and not _fresh(item.url, fetcher, done):
                continue
            plan.append((item, None))
            continue
        if not _fresh(item.url, fetcher, done):
            continue
        pages += 1
        if pages > fetcher.options.max_pages:
            too_many = True
            break
        plan.append((None, item))
    fetched = _fetch_pages([item.url for kept, item in plan if kept is None], fetcher)
    for kept, item in plan:
        if kept is not None:
            yield kept
            continue
        page, transient = next(fetched)
        if isinstance(page, Article):
            page.title = page.title or item.title
            page.published = page.published or item.published
            page.outlet = page.outlet or item.outlet  # the item's own site (feeds.item_outlet)
            page.authors = page.authors or item.authors
            yield page
        elif transient and fetcher.state is not None:
            # watch: the page is tried again next round; keeping the summary now would store it beside
            # the full text later
            yield page
        else:
            log.info("%s: page not read (%s); the feed's text of the item is kept", item.url, page.reason)
            if fetcher.state is not None:
                fetcher.state.seen.add(clean_url(item.url))
            yield item
    if too_many:
        yield IngestError(url, f"more than {fetcher.options.max_pages} items: the rest are not read")
