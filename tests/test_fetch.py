"""Fetching URLs: pages, feeds, sitemaps, and the safety rules, against a local server the tests start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fetch_server  # noqa: E402

from crossread.ingest import IngestError, ingest  # noqa: E402
from crossread.ingest.fetch import (  # noqa: E402
    FetchError,
    FetchOptions,
    Fetcher,
    FetchState,
    canonical_url,
    clean_url,
    ingest_urls,
)
from crossread.records import Article  # noqa: E402


@pytest.fixture(scope="module")
def server():
    srv = fetch_server.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def options(**kw) -> FetchOptions:
    base = dict(allow_hosts=frozenset({"127.0.0.1"}), delay=0, timeout=2, total_timeout=2, retries=1, backoff=0)
    base.update(kw)
    return FetchOptions(**base)


def fetch_all(urls: list[str], **kw) -> list[Article | IngestError]:
    with Fetcher(options(**kw)) as fetcher:
        return list(ingest_urls(urls, fetcher))


def test_a_fetched_page_is_the_same_article_as_its_html_read_from_a_file(server, tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(fetch_server.ARTICLE, encoding="utf-8")
    [from_file] = list(ingest([str(page)]))
    [fetched] = fetch_all([server.base + "/news/bridge.html?utm_source=x&gclid=1"])
    assert isinstance(fetched, Article) and isinstance(from_file, Article)
    assert (fetched.text, fetched.title, fetched.id) == (from_file.text, from_file.title, from_file.id)
    assert fetched.title == "Harbour bridge to close for six months"
    # the canonical URL, without its tracking parameters, names the article
    assert fetched.url == fetched.source == server.base + "/news/bridge.html?id=7"


def test_gzip_responses_and_redirects_are_read(server) -> None:
    [zipped, hopped] = fetch_all([server.base + "/gzipped", server.base + "/hop"])
    assert isinstance(zipped, Article) and isinstance(hopped, Article)
    assert zipped.text == hopped.text


def test_a_feed_gives_each_items_page_in_full_with_the_pages_own_site(server) -> None:
    items = fetch_all([server.base + "/feed.xml"])
    assert [type(i) for i in items] == [Article, Article]
    assert items[0].title == "Harbour bridge to close for six months"
    assert "Short summary" not in items[0].text and "engineers found deep cracks" in items[0].text
    assert all(i.outlet == "Riverton Daily" for i in items)  # not the aggregator's "Aggregator Feed"


def test_a_sitemap_gives_its_pages(server) -> None:
    items = fetch_all([server.base + "/sitemap.xml"])
    assert [i.title for i in items] == ["Harbour bridge to close for six months",
                                        "Ferries to run free during bridge repairs"]


@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
                                    "http://[fd00:ec2::254]/", "http://[::1]/", "http://0.0.0.0/",
                                    "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/"])
def test_private_and_metadata_addresses_are_refused_without_connecting(target: str) -> None:
    with Fetcher(options(allow_hosts=frozenset())) as fetcher:
        with pytest.raises(FetchError, match="refused"):
            fetcher.resolve(target)
    [item] = fetch_all([target])
    assert isinstance(item, IngestError) and item.item == target and "refused" in item.reason


def test_loopback_is_refused_unless_allowed(server) -> None:
    before = len(server.requests)
    [item] = fetch_all([server.base + "/news/bridge.html"], allow_hosts=frozenset())
    assert isinstance(item, IngestError)
    assert "127.0.0.1 is a loopback address" in item.reason and "--allow-host" in item.reason
    [named] = fetch_all(["http://localhost:%d/news/bridge.html" % server.server_address[1]], allow_hosts=frozenset())
    assert isinstance(named, IngestError) and "loopback" in named.reason
    assert len(server.requests) == before  # nothing reached the server, not even robots.txt


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata"])
def test_a_redirect_to_a_private_address_is_refused_at_that_hop(server, path: str) -> None:
    [item] = fetch_all([server.base + path])
    assert isinstance(item, IngestError) and item.item == server.base + path
    assert "refused" in item.reason and ("private" in item.reason or "metadata" in item.reason)


def test_redirect_loops_and_other_schemes_are_refused(server) -> None:
    loop, to_file, ftp = fetch_all([server.base + "/loop-a", server.base + "/to-file", "ftp://example.org/x"])
    assert "redirect loop" in loop.reason
    assert "only http(s)" in to_file.reason and "not file URLs" in to_file.reason
    assert "only http(s)" in ftp.reason


def test_too_many_redirects(server) -> None:
    [item] = fetch_all([server.base + "/hop"], max_redirects=0)
    assert "too many redirects" in item.reason


def test_a_slow_drip_is_cut_by_the_timeout(server) -> None:
    [item] = fetch_all([server.base + "/slow"], total_timeout=0.5, retries=0)
    assert isinstance(item, IngestError) and "longer than 0.5 s" in item.reason


def test_a_huge_body_is_cut_at_the_size_limit(server) -> None:
    [item] = fetch_all([server.base + "/huge"], max_bytes=200_000)
    assert isinstance(item, IngestError) and "too large" in item.reason


def test_a_gzip_bomb_is_cut_at_the_size_limit_of_the_decompressed_body(server) -> None:
    [item] = fetch_all([server.base + "/bomb"], max_bytes=1_000_000)
    assert isinstance(item, IngestError) and "too large" in item.reason and "decompressed" in item.reason


def test_robots_txt_is_obeyed(server) -> None:
    server.requests.clear()
    [item] = fetch_all([server.base + "/private/bridge.html"])
    assert isinstance(item, IngestError) and "robots.txt" in item.reason
    assert "/private/bridge.html" not in server.paths() and "/robots.txt" in server.paths()


def test_robots_txt_is_read_once_per_host_and_the_user_agent_is_clear(server) -> None:
    server.requests.clear()
    fetch_all([server.base + "/news/bridge.html", server.base + "/news/ferries.html"])
    assert server.paths().count("/robots.txt") == 1
    agent = server.requests[-1][1]["User-Agent"]
    assert agent.startswith("crossread/") and "+http" in agent
    assert server.requests[-1][1]["Host"] == f"127.0.0.1:{server.server_address[1]}"


def test_429_and_5xx_are_retried(server) -> None:
    server.flaky = 0
    [item] = fetch_all([server.base + "/flaky"])
    assert isinstance(item, Article) and server.flaky == 2
    server.flaky = 0
    [failed] = fetch_all([server.base + "/flaky"], retries=0)
    assert isinstance(failed, IngestError) and "HTTP 503" in failed.reason


def test_conditional_requests_with_a_kept_state(server, tmp_path: Path) -> None:
    state = FetchState()
    with Fetcher(options(), state) as fetcher:
        first = list(ingest_urls([server.base + "/feed.xml"], fetcher))
    assert len(first) == 2 and state.validators[server.base + "/feed.xml"]["etag"] == fetch_server.ETAG
    state.save(tmp_path / "state.json")
    state = FetchState.load(tmp_path / "state.json")
    server.requests.clear()
    with Fetcher(options(), state) as fetcher:
        assert list(ingest_urls([server.base + "/feed.xml"], fetcher)) == []
    feed_request = next(h for p, h in server.requests if p == "/feed.xml")
    assert feed_request["If-None-Match"] == fetch_server.ETAG
    assert feed_request["If-Modified-Since"] == fetch_server.LAST_MODIFIED
    assert "/news/bridge.html" not in server.paths()


def test_responses_are_kept_as_warc_and_replay_offline(server, tmp_path: Path) -> None:
    warc = tmp_path / "run.warc.gz"
    fetched = fetch_all([server.base + "/feed.xml"], save_warc=warc)
    server.shutdown()  # offline from here on
    try:
        replayed = [i for i in ingest([str(warc)]) if isinstance(i, Article)]
        assert sorted((a.text, a.url) for a in replayed) == sorted((a.text, a.url) for a in fetched)
    finally:
        import threading

        threading.Thread(target=server.serve_forever, daemon=True).start()


def test_clean_and_canonical_urls() -> None:
    assert clean_url("HTTPS://Example.COM:443/a?utm_source=x&b=2&fbclid=y#top") == "https://example.com/a?b=2"
    html = '<html><head><link href="/story?utm_campaign=z" rel="canonical"></head></html>'
    assert canonical_url(html, "https://example.com/amp/story") == "https://example.com/story"
    assert canonical_url('<link rel="canonical" href="javascript:alert(1)">', "https://e.com/x") == "https://e.com/x"


def test_an_aggregator_feeds_items_keep_their_own_outlet(tmp_path: Path) -> None:
    body = " ".join(fetch_server.PARAGRAPHS)
    feed = tmp_path / "agg.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News Aggregator</title>'
        "<link>https://aggregator.example/</link>"
        f'<item><title>A</title><link>https://agency.example/a</link><source url="https://agency.example/rss">'
        f"Agency Wire</source><description>{body}</description></item>"
        f"<item><title>B</title><link>https://www.riverton.example/b</link><description>{body} B.</description></item>"
        f"<item><title>C</title><link>https://aggregator.example/c</link><description>{body} C.</description></item>"
        "</channel></rss>", encoding="utf-8")
    outlets = [a.outlet for a in ingest([str(feed)])]
    assert outlets == ["Agency Wire", "riverton.example", "News Aggregator"]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """The same server over TLS, with a certificate for the name "localhost" only."""
    import shutil
    import ssl
    import subprocess
    import threading

    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    srv = fetch_server.Server()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv, ssl.create_default_context(cafile=str(cert))
    srv.shutdown()
    srv.server_close()


def test_https_connects_to_the_checked_address_and_checks_the_certificate_against_the_name(tls_server) -> None:
    srv, client_context = tls_server
    port = srv.server_address[1]
    [by_name] = fetch_all([f"https://localhost:{port}/news/bridge.html"], allow_hosts=frozenset({"localhost"}),
                          verify=client_context)
    assert isinstance(by_name, Article), by_name
    assert srv.requests[-1][1]["Host"] == f"localhost:{port}"
    # the same server by its address: the certificate does not name 127.0.0.1
    [by_address] = fetch_all([f"https://127.0.0.1:{port}/news/bridge.html"], verify=client_context)
    assert isinstance(by_address, IngestError) and "certificate" in by_address.reason.lower()


def test_requests_to_one_host_are_spaced_by_the_delay(server, monkeypatch) -> None:
    import crossread.ingest.fetch as fetch

    pauses: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", pauses.append)  # recorded, not slept
    items = fetch_all([server.base + "/news/bridge.html", server.base + "/news/ferries.html"], delay=30)
    assert all(isinstance(i, Article) for i in items)
    # robots.txt, then two pages: each request after the first waits for nearly the whole delay
    assert len(pauses) == 2 and all(25 < p <= 30 for p in pauses)


def test_concurrent_fetching_reads_different_hosts_at_once(server) -> None:
    # the two pages are on two host names of this server, each answering only while the other is open
    server.meetings.clear()
    allowed = frozenset({"127.0.0.1", "localhost"})
    items = fetch_all([server.base + "/meet-sitemap.xml"], concurrency=4, allow_hosts=allowed, timeout=5,
                      total_timeout=5)
    assert [i.title for i in items] == ["Meeting 0: harbour bridge to close for six months",
                                        "Meeting 1: harbour bridge to close for six months"]  # sitemap order
    assert sorted(m[2] for m in server.meetings) == ["met", "met"]


def test_concurrent_fetching_still_asks_one_host_one_request_at_a_time(server) -> None:
    server.meetings.clear()
    items = fetch_all([server.base + "/meet-sitemap.xml?hosts=127.0.0.1,127.0.0.1"], concurrency=4, timeout=5,
                      total_timeout=5)
    assert all(isinstance(i, Article) for i in items) and len(items) == 2
    assert [m[2] for m in server.meetings] == ["alone", "alone"]  # never two requests to the host at once


def test_concurrent_fetching_gives_what_one_at_a_time_gives(server, monkeypatch) -> None:
    import crossread.ingest.fetch as fetch

    one = fetch_all([server.base + "/feed.xml", server.base + "/sitemap.xml"])
    many = fetch_all([server.base + "/feed.xml", server.base + "/sitemap.xml"], concurrency=8)
    assert [(a.id, a.url, a.title, a.outlet) for a in many] == [(a.id, a.url, a.title, a.outlet) for a in one]
    # robots.txt is read once per host however many threads ask, and the delay is kept
    server.requests.clear()
    pauses: list[float] = []
    monkeypatch.setattr(fetch.time, "sleep", pauses.append)  # recorded, not slept
    fetch_all([server.base + "/sitemap.xml"], concurrency=8, delay=30)
    assert server.paths().count("/robots.txt") == 1
    assert len(pauses) == 3 and all(25 < p <= 30 for p in pauses)  # sitemap, then two pages, each waiting
