"""`crossread serve`: every page and API endpoint over the demo store and a store of hostile text (Starlette's
TestClient; the real-browser checks are in test_serve_browser.py)."""

from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from crossread.export.json_export import load_schema, validate_analysis
from crossread.serve import create_app
from crossread.serve.app import CSP
from crossread.store import Store, default_db_url
from tests.conftest import HOSTILE


def _client(outdir: Path) -> tuple[TestClient, Store]:
    store = Store(default_db_url(outdir), migrate=False)
    return TestClient(create_app(store), base_url="http://127.0.0.1"), store


@pytest.fixture(scope="module")
def demo(demo_store: Path):
    client, store = _client(demo_store)
    with client:
        yield client
    store.close()


@pytest.fixture(scope="module")
def hostile(hostile_store: Path):
    client, store = _client(hostile_store)
    with client:
        yield client
    store.close()


def _db(outdir: Path) -> sqlite3.Connection:
    return sqlite3.connect(outdir / "crossread.db")


class _Links(HTMLParser):
    """Every element id, in-page link and link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.fragments: list[str] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        href = values.get("href")
        if href:
            self.hrefs.append(href)
            if href.startswith("#"):
                self.fragments.append(href[1:])


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _urls(client: TestClient, outdir: Path) -> list[str]:
    """Every kind of page and endpoint, for each story, actor, outlet and article of a store."""
    with _db(outdir) as db:
        stories = [r[0] for r in db.execute("SELECT id FROM stories")]
        actors = [r[0] for r in db.execute("SELECT id FROM actors")]
        outlets = [r[0] for r in db.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL")]
        articles = [r[0] for r in db.execute("SELECT id FROM articles")]
        plover = db.execute("SELECT plover FROM events LIMIT 1").fetchone()[0]
    urls = ["/", "/actors", "/outlets", "/api", "/api/stories", "/api/actors", "/api/outlets",
            "/?sort=size", "/?sort=outlets", "/?sort=contradictions", "/?q=Haniyeh", "/?status=corroborated",
            f"/?plover={quote(plover)}", "/?since=2000-01-01&until=2100-01-01", "/actors?q=a",
            "/api/search?q=Haniyeh", "/api/search?q=Haniyeh&kind=claims"]
    for sid in stories:
        urls += [f"/stories/{quote(sid)}", f"/api/stories/{quote(sid)}"]
    for aid in actors:
        urls += [f"/actors/{quote(aid)}", f"/api/actors/{quote(aid)}", f"/?actor={quote(aid)}"]
    for name in outlets:
        urls += [f"/outlets/{quote(name, safe='')}", f"/api/outlets/{quote(name, safe='')}",
                 f"/?outlet={quote(name, safe='')}"]
    for aid in articles:
        urls += [f"/articles/{aid}", f"/articles/{aid}?s=0&e=10", f"/api/articles/{aid}"]
    return urls


# --------------------------------------------------------------------------- every page


def test_every_page_and_endpoint_answers(demo: TestClient, demo_store: Path) -> None:
    for url in _urls(demo, demo_store):
        response = demo.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        kind = "application/json" if url.startswith("/api") else "text/html"
        assert response.headers["content-type"].startswith(kind), url


def test_pages_use_only_their_own_files(demo: TestClient, demo_store: Path) -> None:
    """No script, no inline style or handler, no resource from elsewhere: the CSP would block them anyway."""
    for url in _urls(demo, demo_store):
        if url.startswith("/api"):
            continue
        html = demo.get(url).text
        page = _parse(html)
        assert "script" not in page.tags and "style" not in page.tags, url
        assert not re.search(r"\s(on[a-z]+|style)=", html), url
        for href in page.hrefs:
            assert href.startswith(("/", "#", "?")) or href.startswith("https://example.org"), (url, href)
    for asset in ("/static/report.css", "/static/serve.css"):
        response = demo.get(asset)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
        assert "span.ev" in demo.get("/static/report.css").text


def test_the_stories_list(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        title, n_articles = db.execute("SELECT title, articles FROM stories").fetchone()
    html = demo.get("/").text
    assert title in html.replace("&#39;", "'")
    data = demo.get("/api/stories").json()
    assert data["total"] == 1 and data["page"] == 1 and data["next"] is None
    (row,) = data["items"]
    assert row["articles"] == n_articles and len(row["outlets"]) == 2
    assert demo.get(row["url"]).status_code == 200


def test_story_page_links_every_record_to_its_sentence(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        (sid,) = db.execute("SELECT id FROM stories").fetchone()
        claims = [r[0] for r in db.execute("SELECT text FROM claims")]
        speakers = [r[0] for r in db.execute("SELECT DISTINCT a.name FROM quotes q JOIN actors a ON a.id = q.speaker_id")]
    html = demo.get(f"/stories/{sid}").text
    page = _parse(html)
    assert len(page.fragments) > 100
    missing = [f for f in page.fragments if f not in page.ids]
    assert not missing, missing[:5]
    evidence = [f for f in page.fragments if f.startswith("ev-")]
    assert evidence and all(f in page.ids for f in evidence)
    from html import unescape

    text = unescape(html)
    for section in ("Coverage", "Claims", "Events", "Quotes by speaker", "Framing", "Who copied whom",
                    "Machine-generation signals", "Actor network", "Articles side by side", "Only in one outlet"):
        assert section in text, section
    assert all(c in text for c in claims)
    assert speakers and all(s in text for s in speakers)


def test_story_api_is_the_published_schema(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        (sid,) = db.execute("SELECT id FROM stories").fetchone()
        n_claims = db.execute("SELECT count(*) FROM claims").fetchone()[0]
    data = demo.get(f"/api/stories/{sid}").json()
    assert data["summary"]["id"] == sid
    validate_analysis(data["analysis"])  # raises on the first problem
    assert len(data["analysis"]["claims"]) == n_claims
    assert [s["id"] for s in data["analysis"]["stories"]] == [sid]


def _schema_errors(record: dict, kind: str) -> list[str]:
    from jsonschema import Draft202012Validator

    schema = load_schema()
    validator = Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"})
    return [e.message for e in validator.iter_errors(record)]


def test_actor_page_and_api(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        aid, name = db.execute("SELECT id, name FROM actors WHERE name = 'Hamas'").fetchone()
        n_events = db.execute("SELECT count(DISTINCT event_id || role) FROM event_actors WHERE actor_id = ?",
                              (aid,)).fetchone()[0]
        labels = [r[0] for r in db.execute("SELECT DISTINCT label FROM labels WHERE actor_id = ?", (aid,))]
    html = demo.get(f"/actors/{aid}").text
    page = _parse(html)
    assert f"<h1>{name}</h1>" in html
    assert "svg" in page.tags and 'class="timeline"' in html and 'class="network"' in html
    assert all(label in html for label in labels)
    # every evidence link opens the article at its highlighted span
    evidence = [h for h in page.hrefs if h.startswith("/articles/")]
    assert evidence
    target = demo.get(evidence[0])
    fragment = evidence[0].split("#")[1]
    assert f'id="{fragment}"' in target.text
    data = demo.get(f"/api/actors/{aid}").json()
    assert data["actor"]["name"] == name and data["events"]["total"] == n_events
    for item in data["events"]["items"]:
        assert not _schema_errors(item["event"], "Event")
        assert aid in item["event"][item["role"]]
    for item in data["quotes"]["items"]:
        assert not _schema_errors(item["quote"], "Quote")
    assert data["network"]["nodes"][0]["id"] == aid
    only_sources = demo.get(f"/api/actors/{aid}?role=source").json()["events"]
    assert 0 < only_sources["total"] < n_events
    assert all(x["role"] == "source" for x in only_sources["items"])


def test_outlet_page_and_api(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        name, n = db.execute("SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY outlet").fetchone()
        top = db.execute("SELECT label FROM labels WHERE outlet = ? GROUP BY label, actor_id "
                         "ORDER BY count(*) DESC, label, actor_id LIMIT 1", (name,)).fetchone()[0]
    html = demo.get(f"/outlets/{quote(name)}").text
    assert f"<h1>{name}</h1>" in html and top in html
    for section in ("Stories covered", "Blindspots", "Labels it uses most", "Who copies whom",
                    "Machine-generation signals"):
        assert section in html
    data = demo.get(f"/api/outlets/{quote(name)}").json()
    assert data["outlet"]["articles"] == n and data["covered"]["total"] == 1
    assert data["labels"][0]["label"] == top


def test_article_page_highlights_the_span(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        aid, body = db.execute("SELECT id, text FROM articles").fetchone()
    html = demo.get(f"/articles/{aid}?s=10&e=30").text
    from crossread.report.render import anchor_id

    match = re.search(rf'<span class="ev ev-event"[^>]*id="{anchor_id(aid, 10, 30)}"[^>]*>(.*?)</span>', html, re.S)
    assert match and match.group(1) == body[10:30]
    outside = demo.get(f"/articles/{aid}?s=0&e={len(body) + 5}")
    assert outside.status_code == 200 and "not inside this article" in outside.text
    record = demo.get(f"/api/articles/{aid}").json()
    assert record["article"]["text"] == body and not _schema_errors(record["article"], "Article")


# --------------------------------------------------------------------------- paging, search, filters


def test_paging_walks_every_actor_once(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        every = {r[0] for r in db.execute("SELECT id FROM actors")}
    seen: list[str] = []
    url: str | None = "/api/actors?per_page=7"
    pages = 0
    while url:
        data = demo.get(url).json()
        assert data["per_page"] == 7 and data["total"] == len(every)
        seen += [a["id"] for a in data["items"]]
        url = data["next"]
        pages += 1
    assert pages == data["pages"] == -(-len(every) // 7) > 1
    assert len(seen) == len(set(seen)) and set(seen) == every
    assert demo.get(f"/api/actors?per_page=7&page={pages + 1}").json()["items"] == []
    html = demo.get("/actors?per_page=7&page=2").text
    assert 'rel="next"' in html and 'rel="prev"' in html and "page 2 of" in html


def test_search(demo: TestClient) -> None:
    assert demo.get("/api/stories?q=Haniyeh").json()["total"] == 1
    assert demo.get("/api/stories?q=ceasefire%20Haniyeh").json()["total"] == 1
    assert demo.get("/api/stories?q=zzqqxx").json()["total"] == 0
    html = demo.get("/?q=Haniyeh").text
    assert "Best matches" in html and "No article matches" not in html
    hits = demo.get("/api/search?q=Haniyeh&kind=claims").json()["items"]
    assert hits and all("Haniyeh" in h["text"] for h in hits)
    for odd in ('"', "*", "(", "AND OR NOT", "a:b", "NEAR(", "'", "\\"):
        assert demo.get("/api/stories", params={"q": odd}).status_code == 200, odd
        assert demo.get("/", params={"q": odd}).status_code == 200, odd


def test_filters(demo: TestClient, demo_store: Path) -> None:
    with _db(demo_store) as db:
        outlet = db.execute("SELECT outlet FROM articles LIMIT 1").fetchone()[0]
        plover = db.execute("SELECT plover FROM events LIMIT 1").fetchone()[0]
        status = db.execute("SELECT status FROM claims LIMIT 1").fetchone()[0]
        aid = db.execute("SELECT id FROM actors WHERE name = 'Hamas'").fetchone()[0]

    def total(**params: str) -> int:
        return demo.get("/api/stories", params=params).json()["total"]

    assert total(outlet=outlet) == 1 and total(outlet="No Such Outlet") == 0
    assert total(actor=aid) == total(actor="Hamas") == total(actor="hamas") == 1
    assert total(actor="Nobody At All") == 0
    assert total(plover=plover) == 1 and total(plover="NO_SUCH_TYPE") == 0
    assert total(status=status) == 1
    assert total(outlet=outlet, plover=plover, status=status, actor="Hamas", q="Haniyeh") == 1


def test_dates_sorts_and_blindspots(hostile: TestClient, hostile_store: Path) -> None:
    """The hostile store has two stories of two outlets: Haniyeh (2024-03-26, -27) and a storm (-25, -27)."""
    def titles(**params: str) -> list[str]:
        return [s["title"].split(" ")[0] for s in hostile.get("/api/stories", params=params).json()["items"]]

    assert sorted(titles()) == ["Haniyeh", "Storm"]
    assert titles(until="2024-03-25") == ["Storm"]
    assert sorted(titles(since="2024-03-26")) == ["Haniyeh", "Storm"]
    assert titles(since="2024-03-28") == []
    assert titles(since="2024-03-26", until="2024-03-26") == ["Haniyeh"]
    with _db(hostile_store) as db:
        outlets = {o.split(" ")[0]: o for (o,) in db.execute("SELECT DISTINCT outlet FROM articles")}
    assert titles(outlet=outlets["Second"]) == ["Haniyeh"]
    blind = hostile.get(f"/api/outlets/{quote(outlets['Second'], safe='')}").json()["blindspots"]
    assert [s["title"].split(" ")[0] for s in blind["items"]] == ["Storm"]
    blind = hostile.get(f"/api/outlets/{quote(outlets['Third'], safe='')}").json()["blindspots"]
    assert [s["title"].split(" ")[0] for s in blind["items"]] == ["Haniyeh"]
    assert hostile.get(f"/api/outlets/{quote(outlets['Outlet'], safe='')}").json()["blindspots"]["total"] == 0
    for sort in ("newest", "size", "outlets", "contradictions"):
        assert sorted(titles(sort=sort)) == ["Haniyeh", "Storm"]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("url", ["/stories/nope", "/actors/nope", "/outlets/nope", "/articles/nope", "/nope",
                                 "/static/nope.css"])
def test_404(demo: TestClient, url: str) -> None:
    response = demo.get(url)
    assert response.status_code == 404 and response.headers["content-security-policy"] == CSP
    api = demo.get("/api" + url) if not url.startswith("/static") else None
    if api is not None:
        assert api.status_code == 404 and "error" in api.json()


@pytest.mark.parametrize("query", ["since=2024-13-01", "until=yesterday", "sort=best", "page=two", "page=0",
                                   "per_page=-1", "status=maybe"])
def test_bad_parameters_are_400(demo: TestClient, query: str) -> None:
    assert demo.get(f"/?{query}").status_code == 400
    assert demo.get(f"/api/stories?{query}").status_code == 400


def test_read_only_and_local(demo: TestClient) -> None:
    assert demo.post("/").status_code == 405
    assert demo.get("/", headers={"host": "attacker.example"}).status_code == 400  # DNS rebinding
    assert demo.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_merged_ids_redirect(hostile: TestClient) -> None:
    for old, prefix in (("story_old", "/stories/"), ("actor_old", "/actors/")):
        for base in ("", "/api"):
            response = hostile.get(f"{base}{prefix}{old}", follow_redirects=False)
            assert response.status_code == 301 and response.headers["location"].startswith(base + prefix)
            assert hostile.get(response.headers["location"]).status_code == 200


# --------------------------------------------------------------------------- hostile text


def test_hostile_text_is_escaped_everywhere(hostile: TestClient, hostile_store: Path) -> None:
    urls = _urls(hostile, hostile_store) + ["/?" + "&".join(f"{k}={quote(HOSTILE)}" for k in ("q", "actor")),
                                            "/actors?q=" + quote(HOSTILE), "/?outlet=" + quote(HOSTILE)]
    shown = 0
    for url in urls:
        response = hostile.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        assert response.headers["content-security-policy"] == CSP
        if url.startswith("/api"):
            assert response.headers["content-type"].startswith("application/json")
            continue
        page = _parse(response.text)
        assert not {"script", "img"} & page.tags, url
        assert "onerror=" not in response.text.replace("onerror=&#34;", "").replace("onerror=&quot;", ""), url
        shown += response.text.count("&lt;script&gt;window.__xss=1")
    assert shown > 50


def test_every_hostile_field_is_shown_escaped(hostile: TestClient, hostile_store: Path) -> None:
    """Each hostile column reaches some page, escaped (so the escaping test above covers it)."""
    from html import unescape

    with _db(hostile_store) as db:
        (sid,) = db.execute("SELECT story_id FROM labels").fetchone()
        aid = db.execute("SELECT actor_id FROM labels").fetchone()[0]
        outlet = db.execute("SELECT outlet FROM labels").fetchone()[0]
        article = db.execute("SELECT article_id FROM signals").fetchone()[0]
        written = db.execute("SELECT article_id FROM article_authors").fetchone()[0]
    pages = unescape("".join(hostile.get(u).text for u in (
        f"/stories/{sid}", f"/actors/{aid}", f"/outlets/{quote(outlet, safe='')}", f"/articles/{article}",
        f"/articles/{written}",
        "/actors", "/", "/outlets")))
    for expected in ("label " + HOSTILE, "term " + HOSTILE, "signal " + HOSTILE, "chrome " + HOSTILE,
                     "reason " + HOSTILE, "Second " + HOSTILE, "Jane Doe " + HOSTILE):
        assert expected in pages, expected


# --------------------------------------------------------------------------- the command


def test_serve_binds_to_loopback_by_default(demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import uvicorn

    from crossread.cli import main

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    result = CliRunner().invoke(main, ["serve", str(demo_store), "--port", "9999"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 9999, "log_level": "warning", "server_header": False}]
    assert "http://127.0.0.1:9999/" in result.output and "only this computer" in result.output
    missing = CliRunner().invoke(main, ["serve", str(demo_store / "nothing-here")])
    assert missing.exit_code == 2 and "no crossread store" in missing.output


# --------------------------------------------------------------------------- on PostgreSQL

from tests.test_store_postgres import postgres  # noqa: E402,F401 -- the fixture: a throw-away server


def test_the_same_pages_on_postgres(postgres, demo: TestClient, demo_store: Path, tmp_path: Path) -> None:  # noqa: ANN001,F811
    from crossread.pipeline import AnalyzeOptions, run_analyze
    from tests.conftest import SEEDS

    url = postgres("serve")
    assert run_analyze([str(SEEDS)], AnalyzeOptions(outdir=tmp_path, db_url=url, write_outputs=False)).ok
    store = Store(url, migrate=False)
    try:
        with TestClient(create_app(store), base_url="http://127.0.0.1") as on_pg:
            for page in _urls(demo, demo_store):
                response = on_pg.get(page)
                assert response.status_code == 200, (page, response.text[:300])
            for api in ("/api/stories?q=Haniyeh", "/api/stories?actor=Hamas", "/api/actors?per_page=7&page=2",
                        f"/api/outlets/{quote(demo.get('/api/outlets').json()['items'][0]['outlet'])}"):
                assert on_pg.get(api).json() == demo.get(api).json(), api
    finally:
        store.close()


def test_timeline_chart_fits_its_box() -> None:
    from crossread.serve.app import timeline_chart

    months = [{"month": "2024-01", "source": 2, "target": 1}, {"month": "2024-02", "source": 0, "target": 0},
              {"month": "2024-03", "source": 0, "target": 4}, {"month": "undated", "source": 1, "target": 0}]
    chart = timeline_chart(months)
    assert [b["month"] for b in chart["bars"]] == ["2024-01", "2024-02", "2024-03"] and chart["max"] == 4
    for b in chart["bars"]:
        assert 0 < float(b["yt"]) <= float(b["ys"]) <= float(b["ys"]) + float(b["hs"]) <= chart["height"] - 20
    heights = [float(b["hs"]) + float(b["ht"]) for b in chart["bars"]]
    assert heights[1] == 0 and heights[2] == max(heights) and heights[0] == pytest.approx(heights[2] * 3 / 4)
    assert timeline_chart([])["bars"] == []
