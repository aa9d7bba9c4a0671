"""How fast `crossread serve` answers: every kind of page and API call over a store, timed over HTTP.

Usage:
    python benchmarks/bench_serve.py OUTDIR [--db URL] [--samples 5] [--rounds 3] [--json results.json]
        [--kinds "actor page,API: one actor"]

Serves the store with uvicorn on 127.0.0.1 (a thread of this process, as ``crossread serve`` does) and
times requests with httpx from the same process: the wall time of each request as a client sees it,
body included. Each URL is requested once to warm it up, then ``--rounds`` times; a kind's figure is
the median and the worst over its URLs and rounds. URLs: the story list (first and last page, each
sort, each filter, a search), the ``--samples`` largest stories and a median one, the actors with most
articles, every outlet (up to ``--samples``), articles with a highlighted span, and the API calls of
the same views. Target: ≤ 300 ms a page on the BASIL store (issue 20), ≤ 1 s at 100k articles.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import uvicorn
from sqlalchemy import text

from crossread.serve import create_app
from crossread.store import Store, default_db_url


def _urls(store: Store, samples: int) -> dict[str, list[str]]:
    def rows(sql: str, **params: object) -> list[tuple]:
        with store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    n_stories = rows("SELECT count(*) FROM stories")[0][0]
    largest = [r[0] for r in rows("SELECT id FROM stories ORDER BY articles DESC, id LIMIT :n", n=samples)]
    median = [r[0] for r in rows("SELECT id FROM stories ORDER BY articles, id LIMIT 1 OFFSET :o", o=n_stories // 2)]
    actors = [r[0] for r in rows("SELECT id FROM actors ORDER BY articles DESC, id LIMIT :n", n=samples)]
    outlets = [r[0] for r in rows("SELECT outlet FROM articles WHERE outlet IS NOT NULL GROUP BY outlet "
                                  "ORDER BY count(*) DESC LIMIT :n", n=samples)]
    articles = rows("SELECT id, length(text) FROM articles ORDER BY seq DESC LIMIT :n", n=samples)
    plover = rows("SELECT plover FROM events GROUP BY plover ORDER BY count(*) DESC LIMIT 1")
    word = rows("SELECT substr(title, 1, instr(title || ' ', ' ') - 1) FROM stories ORDER BY articles DESC LIMIT 1")
    last_page = max(1, -(-n_stories // 50))
    lists = ["/", f"/?page={last_page}", "/?sort=size", "/?sort=outlets", "/?sort=contradictions",
             "/?status=contradicted"]
    if outlets:
        lists.append(f"/?outlet={quote(outlets[0])}")
    if actors:
        lists.append(f"/?actor={quote(actors[0])}")
    if plover:
        lists.append(f"/?plover={quote(plover[0][0])}")
    lists.append("/?since=2000-01-01&until=2100-01-01")
    search = [f"/?q={quote(word[0][0])}"] if word and word[0][0] else []
    search.append("/?q=president")
    return {
        "story list (filters, sorts, pages)": lists,
        "story list with search": search,
        "story page": [f"/stories/{quote(s)}" for s in largest + median],
        "actor page": [f"/actors/{quote(a)}" for a in actors],
        "actor list": ["/actors", "/actors?q=an"],
        "outlet page": [f"/outlets/{quote(o, safe='')}" for o in outlets],
        "outlet list": ["/outlets"],
        "article page": [f"/articles/{a}?s=0&e={min(40, n)}" for a, n in articles],
        "API: stories": ["/api/stories", "/api/stories?sort=size", "/api/search?q=president"],
        "API: one story": [f"/api/stories/{quote(s)}" for s in largest[:2] + median],
        "API: one actor": [f"/api/actors/{quote(a)}" for a in actors[:2]],
        "API: one outlet": [f"/api/outlets/{quote(o, safe='')}" for o in outlets[:2]],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, nargs="?")
    parser.add_argument("--db", default=None)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--kinds", default=None, help="only these kinds of page, comma-separated (e.g. 'actor page')")
    args = parser.parse_args()
    kinds = set(args.kinds.split(",")) if args.kinds else None
    url = args.db or default_db_url(args.outdir)
    store = Store(url)
    with store.engine.connect() as conn:
        n_articles = conn.execute(text("SELECT count(*) FROM articles")).scalar()
        n_stories = conn.execute(text("SELECT count(*) FROM stories")).scalar()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    results: dict[str, dict[str, float]] = {}
    print(f"{url}: {n_articles} articles, {n_stories} stories; {args.rounds} rounds after a warm-up", file=sys.stderr)
    print("| page | URLs | median ms | worst ms | median KB |\n|---|---:|---:|---:|---:|")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for kind, urls in _urls(store, args.samples).items():
            if kinds is not None and kind not in kinds:
                continue
            times, sizes = [], []
            for u in urls:
                response = client.get(u)
                if response.status_code != 200:
                    raise SystemExit(f"{u}: HTTP {response.status_code}")
                for _ in range(args.rounds):
                    start = time.perf_counter()
                    response = client.get(u)
                    times.append((time.perf_counter() - start) * 1000)
                    sizes.append(len(response.content) / 1024)
            if not times:
                continue
            results[kind] = {"urls": len(urls), "median_ms": statistics.median(times), "worst_ms": max(times),
                             "median_kb": statistics.median(sizes)}
            print(f"| {kind} | {len(urls)} | {results[kind]['median_ms']:.0f} | {results[kind]['worst_ms']:.0f} | "
                  f"{results[kind]['median_kb']:.0f} |", flush=True)
    server.should_exit = True
    thread.join(timeout=10)
    store.close()
    if args.json:
        args.json.write_text(json.dumps({"store": url, "articles": n_articles, "stories": n_stories,
                                         "pages": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
