"""`crossread analyze URL` and `crossread watch` end to end, against a local server the tests start."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
import fetch_server  # noqa: E402

from crossread.cli import main  # noqa: E402
from crossread.watch import parse_every, read_sources  # noqa: E402

FAST = ["--delay", "0", "--workers", "1", "--no-embeddings"]


@pytest.fixture(scope="module")
def server():
    srv = fetch_server.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _stored(out: Path) -> list[dict]:
    from crossread.store import Store, default_db_url

    store = Store(default_db_url(out))
    try:
        return [{"title": a.title, "url": a.url, "outlet": a.outlet} for a in store.analysis().articles]
    finally:
        store.close()


def test_analyze_a_url_without_allow_host_refuses_loopback(server, tmp_path: Path) -> None:
    url = server.base + "/news/bridge.html"
    result = CliRunner().invoke(main, ["analyze", url, "-o", str(tmp_path / "out"), *FAST])
    assert result.exit_code == 1, result.output
    assert f"skipped {url}: refused: 127.0.0.1 is a loopback address" in result.output


def test_analyze_a_url_and_a_file_together(server, tmp_path: Path) -> None:
    page = tmp_path / "in" / "ferries.html"
    page.parent.mkdir()
    page.write_text(fetch_server.ARTICLE2, encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(page), server.base + "/news/bridge.html", "-o",
                                       str(tmp_path / "out"), "--allow-host", "127.0.0.1", *FAST])
    assert result.exit_code == 0, result.output
    stored = sorted(_stored(tmp_path / "out"), key=lambda a: a["title"])
    assert [a["title"] for a in stored] == ["Ferries to run free during bridge repairs",
                                            "Harbour bridge to close for six months"]
    assert stored[1]["url"] == server.base + "/news/bridge.html?id=7"


def test_watch_once_twice_adds_only_new_articles_with_conditional_requests(server, tmp_path: Path) -> None:
    sources = tmp_path / "sources.txt"
    sources.write_text(f"# outlets\n\n{server.base}/feed.xml\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["watch", str(sources), "-o", str(out), "--once", "--allow-host", "127.0.0.1", *FAST]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "2 article(s) added" in first.output
    assert json.loads((out / "watch-state.json").read_text())["validators"][server.base + "/feed.xml"]
    server.requests.clear()
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "0 article(s) added" in second.output
    feed = [h for p, h in server.requests if p == "/feed.xml"]
    assert len(feed) == 1 and feed[0]["If-None-Match"] == fetch_server.ETAG
    assert feed[0]["If-Modified-Since"] == fetch_server.LAST_MODIFIED
    assert not any(p.startswith("/news/") for p in server.paths())  # no page fetched again
    assert len(_stored(out)) == 2


def test_watch_usage_errors(tmp_path: Path) -> None:
    sources = tmp_path / "sources.txt"
    sources.write_text("feeds/local.xml\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["watch", str(sources), "-o", str(tmp_path / "out"), "--once"])
    assert result.exit_code == 2 and "sources.txt:1: 'feeds/local.xml' is not an http(s) URL" in result.output
    sources.write_text("https://example.org/feed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["watch", str(sources), "-o", str(tmp_path / "out"), "--every", "soon"])
    assert result.exit_code == 2 and "not an interval" in result.output


def test_parse_every_and_read_sources(tmp_path: Path) -> None:
    assert [parse_every(t) for t in ("30s", "15m", "2h", "1d", "90")] == [30, 900, 7200, 86400, 90]
    path = tmp_path / "s.txt"
    path.write_text("# c\nhttps://a.example/feed\n\nhttps://a.example/feed\nhttp://b.example/sitemap.xml\n")
    assert read_sources(path) == ["https://a.example/feed", "http://b.example/sitemap.xml"]
