"""`crossread serve` in a real browser: Debian's chromium (scripts/chromium.sh installs it) driven by Playwright
against uvicorn on 127.0.0.1, over the demo store and the store of hostile text."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        done = subprocess.run(["bash", str(REPO / "scripts" / "chromium.sh")], capture_output=True, text=True,
                              timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"scripts/chromium.sh could not run: {exc}")
    if done.returncode != 0:
        pytest.skip(f"no chromium and it cannot be installed here: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Served:
    """uvicorn serving the app over a store, in a thread, on a free port of 127.0.0.1."""

    def __init__(self, outdir: Path) -> None:
        import uvicorn

        from crossread.serve import create_app
        from crossread.store import Store, default_db_url

        self.store = Store(default_db_url(outdir), migrate=False)
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.store), host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.store.close()


@pytest.fixture(scope="module")
def demo_site(demo_store: Path) -> Iterator[str]:
    served = _Served(demo_store)
    yield served.url
    served.close()


@pytest.fixture(scope="module")
def hostile_site(hostile_store: Path) -> Iterator[str]:
    served = _Served(hostile_store)
    yield served.url
    served.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        # as root (CI) chromium refuses its sandbox
        args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        browser = p.chromium.launch(executable_path=chromium, args=args)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page that fails the test on any dialog (alert/confirm/prompt) and records console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15000)
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: object) -> None:
        dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.dialogs, page.errors = dialogs, errors  # type: ignore[attr-defined]
    yield page
    assert not dialogs, f"a dialog opened: {dialogs}"
    context.close()


def _no_csp_violation(page: object) -> None:
    violations = [e for e in page.errors if "Content Security Policy" in e or "Refused to" in e]  # type: ignore
    assert not violations, violations


def test_story_list_and_story_page(page, demo_site: str) -> None:  # noqa: ANN001
    page.goto(demo_site + "/")
    rows = page.locator("table.story-index tbody tr")
    assert rows.count() == 1
    title = rows.first.locator("td.title a").inner_text()
    rows.first.locator("td.title a").click()
    page.wait_for_url("**/stories/**")
    assert page.locator("h1").inner_text() == title
    # the stylesheet loaded (a file: the CSP allows no inline style)
    assert page.evaluate("getComputedStyle(document.querySelector('td.cell.present')).backgroundColor") \
        == "rgb(212, 243, 220)"
    # a coverage mark jumps to its sentence, highlighted, in the article beside it
    link = page.locator("td.cell.present a").first
    fragment = link.get_attribute("href")
    link.click()
    page.wait_for_function("location.hash.length > 1")
    target = page.locator(f"[id='{fragment[1:]}']")
    assert target.evaluate("e => e.matches(':target')")
    assert target.is_visible() and target.inner_text().strip()
    _no_csp_violation(page)


def test_search(page, demo_site: str) -> None:  # noqa: ANN001
    page.goto(demo_site + "/")
    page.locator("header.site input[name=q]").fill("Haniyeh Tehran")
    page.locator("header.site input[name=q]").press("Enter")
    page.wait_for_url("**/?q=*")
    assert "Best matches" in page.locator("main").inner_text()
    assert page.locator(".hits li").count() >= 1
    assert page.locator("table.story-index tbody tr").count() == 1
    page.locator("header.site input[name=q]").fill("zzqqxx")
    page.locator("header.site input[name=q]").press("Enter")
    page.wait_for_url("**q=zzqqxx*")
    assert page.locator("table.story-index").count() == 0 and "No stories" in page.locator("main").inner_text()
    _no_csp_violation(page)


def test_actor_page(page, demo_site: str) -> None:  # noqa: ANN001
    page.goto(demo_site + "/actors")
    page.locator("table.actors a", has_text="Hamas").first.click()
    page.wait_for_url("**/actors/actor_*")
    assert page.locator("h1").inner_text() == "Hamas"
    assert page.locator("svg.timeline rect").count() >= 2
    nodes = page.locator("svg.network g.node")
    assert nodes.count() >= 3
    # the evidence of an event opens its article with the sentence highlighted
    page.locator("#events a.evlink").first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("span.ev:target").count() == 1
    page.go_back()
    # a neighbour in the network is a link to its own page
    page.locator("svg.network a").nth(1).locator("circle").click()
    page.wait_for_url("**/actors/actor_*")
    assert page.locator("h1").inner_text() != "Hamas"
    _no_csp_violation(page)


def test_outlet_page(page, demo_site: str) -> None:  # noqa: ANN001
    page.goto(demo_site + "/outlets")
    name = page.locator("main table a").first.inner_text()
    page.locator("main table a").first.click()
    page.wait_for_url("**/outlets/**")
    assert page.locator("h1").inner_text() == name
    text = page.locator("main").inner_text()
    for section in ("Stories covered", "Blindspots", "Labels it uses most", "Who copies whom"):
        assert section in text
    page.locator("#covered a", has_text="All 1 stories").click()
    page.wait_for_url("**/?outlet=*")
    assert page.locator("select[name=outlet]").input_value() == name
    _no_csp_violation(page)


def test_paged_list(page, demo_site: str) -> None:  # noqa: ANN001
    page.goto(demo_site + "/actors?per_page=5")
    first = page.locator("table.actors tbody tr").all_inner_texts()
    assert len(first) == 5
    page.locator("a[rel=next]").first.click()
    page.wait_for_url("**page=2*")
    second = page.locator("table.actors tbody tr").all_inner_texts()
    assert len(second) == 5 and not set(first) & set(second)
    assert "page 2 of" in page.locator("nav.pages").first.inner_text()


def test_hostile_text_never_runs(page, hostile_site: str, hostile_store: Path) -> None:  # noqa: ANN001
    import sqlite3

    with sqlite3.connect(hostile_store / "crossread.db") as db:
        stories = [r[0] for r in db.execute("SELECT id FROM stories")]
        actors = [r[0] for r in db.execute("SELECT id FROM actors")]
        outlets = [r[0] for r in db.execute("SELECT DISTINCT outlet FROM articles")]
        articles = [r[0] for r in db.execute("SELECT id FROM articles")]
    urls = ["/", "/actors", "/outlets", "/?q=Haniyeh", "/?q=" + quote("<script>")]
    urls += [f"/stories/{s}" for s in stories] + [f"/actors/{a}" for a in actors]
    urls += [f"/outlets/{quote(o, safe='')}" for o in outlets] + [f"/articles/{a}?s=0&e=10" for a in articles]
    for url in urls:
        page.goto(hostile_site + url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined", url
        assert page.locator("main script, main img").count() == 0, url
    page.goto(hostile_site + f"/stories/{stories[0]}")
    assert "<script>window.__xss=1" in page.locator("h1").inner_text()  # shown as text
