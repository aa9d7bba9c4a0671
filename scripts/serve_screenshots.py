"""Screenshots of `crossread serve`'s main pages for the docs (docs/img/serve-*.png).

    python scripts/serve_screenshots.py OUTDIR [--out docs/img]

Serves OUTDIR's store on a free port of 127.0.0.1 and photographs, with Debian's chromium
(scripts/chromium.sh) driven by Playwright, the story list, the largest story, the actor in most
articles and the outlet with most articles (the top of each page, 1280 × 800).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from crossread.serve import create_app  # noqa: E402
from crossread.store import Store, default_db_url  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    args = parser.parse_args()
    import socket

    import uvicorn

    store = Store(default_db_url(args.outdir))
    with store.engine.connect() as conn:
        story = conn.execute(text("SELECT id FROM stories ORDER BY outlets DESC, articles DESC, id LIMIT 1")).scalar()
        actor = conn.execute(text("SELECT id FROM actors ORDER BY articles DESC, id LIMIT 1")).scalar()
        outlet = conn.execute(text("SELECT outlet FROM articles WHERE outlet IS NOT NULL GROUP BY outlet "
                                   "ORDER BY count(*) DESC LIMIT 1")).scalar()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    chromium = subprocess.run(["bash", str(REPO / "scripts" / "chromium.sh")], check=True, capture_output=True,
                              text=True).stdout.strip().splitlines()[-1]
    pages = {"stories": "/", "story": f"/stories/{quote(story)}", "actor": f"/actors/{quote(actor)}",
             "outlet": f"/outlets/{quote(outlet, safe='')}"}
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox"] if os.geteuid() == 0 else [])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for name, path in pages.items():
            page.goto(f"http://127.0.0.1:{port}{path}")
            target = args.out / f"serve-{name}.png"
            page.screenshot(path=str(target))
            print(target)
        browser.close()
    server.should_exit = True
    store.close()


if __name__ == "__main__":
    main()
