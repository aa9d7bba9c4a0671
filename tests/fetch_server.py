"""A local HTTP server for the fetching tests: articles, a feed, a sitemap, robots.txt and hostile pages.

Listens on 127.0.0.1 only, on a free port; records every request (path and headers)."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PARAGRAPHS = [
    "The city council of Riverton voted on Tuesday to close the old harbour bridge for repairs, after "
    "engineers found deep cracks in two of its steel supports during a routine inspection last month.",
    "Mayor Ellen Hart said the closure would last at least six months and that ferries would carry "
    "commuters across the river free of charge while the work goes on.",
    "Local shop owners warned that the detour would cost them customers. \"We depend on people walking "
    "over that bridge every morning,\" said Tom Reyes, who runs a bakery near the eastern end.",
    "The repairs are expected to cost 12 million dollars, most of it paid by the regional government, "
    "according to a statement released by the council after the vote.",
]


def article_html(title: str, paragraphs: list[str], canonical: str | None = None, site: str = "Riverton Daily") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{link}'
            f'<meta property="og:site_name" content="{site}"></head><body><header><nav><a href="/">Home</a>'
            f'</nav></header><article><h1>{title}</h1>{body}</article><footer>Contact us</footer></body></html>')


ARTICLE = article_html("Harbour bridge to close for six months", PARAGRAPHS,
                       canonical="/news/bridge.html?utm_source=feed&id=7&fbclid=abc")
ARTICLE2 = article_html("Ferries to run free during bridge repairs", [
    "Ferries across the river will run every fifteen minutes from next Monday, the transport authority "
    "said, as the harbour bridge closes for at least six months of repairs.",
    "The authority has hired two extra boats and twenty crew members. Passengers will not need tickets, "
    "and bicycles will be carried on every crossing during the day.",
    "Commuter groups welcomed the plan but asked for later evening crossings, saying that many people "
    "working night shifts at the hospital would otherwise have no way home.",
])


def rss(base: str) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><description>Short summary of {t}.</description>"
        f"<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>"
        for t, p in (("Harbour bridge to close", "/news/bridge.html?utm_medium=rss"),
                     ("Ferries to run free", "/news/ferries.html")))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Aggregator Feed</title>'
            f"<link>{base}/</link><description>news</description>{items}</channel></rss>")


def sitemap(base: str) -> str:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in ("/news/bridge.html", "/news/ferries.html"))
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


ETAG = '"feed-v1"'
LAST_MODIFIED = "Tue, 01 Dec 2026 10:00:00 GMT"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per test page
        server = self.server
        server.requests.append((self.path, dict(self.headers.items())))
        base = f"http://127.0.0.1:{server.server_address[1]}"
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path in ("/news/bridge.html", "/private/bridge.html", "/article"):
            self._send(200, ARTICLE.encode())
        elif path == "/news/ferries.html":
            self._send(200, ARTICLE2.encode())
        elif path in ("/feed.xml", "/sitemap.xml"):
            if self.headers.get("If-None-Match") == ETAG or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                self._send(304, headers={"ETag": ETAG})
                return
            body = rss(base) if path == "/feed.xml" else sitemap(base)
            self._send(200, body.encode(), "application/xml", {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})
        elif path == "/to-private":
            self._send(302, headers={"Location": "http://10.0.0.1/admin"})
        elif path == "/to-metadata":
            self._send(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path == "/to-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/loop-a":
            self._send(302, headers={"Location": "/loop-b"})
        elif path == "/loop-b":
            self._send(302, headers={"Location": "/loop-a"})
        elif path == "/hop":
            self._send(301, headers={"Location": "/news/bridge.html"})
        elif path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):  # 10 s of drip if nobody cuts it
                    self.wfile.write(b"<p>")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            self.close_connection = True
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(10_000):  # 640 MB if nobody cuts it
                    self.wfile.write(b"<p>" + b"x" * 65533)
            except OSError:
                pass
            self.close_connection = True
        elif path == "/meet-sitemap.xml":  # pages on two host names of this server, then two on one
            port = server.server_address[1]
            hosts = self.path.split("?hosts=")[-1].split(",") if "?hosts=" in self.path else ["127.0.0.1", "localhost"]
            urls = "".join(f"<url><loc>http://{h}:{port}/meet/{i}</loc></url>" for i, h in enumerate(hosts))
            self._send(200, f'<?xml version="1.0"?><urlset>{urls}</urlset>'.encode(), "application/xml")
        elif path.startswith("/meet/"):
            # waits for a second request to arrive while this one is open: "met" when two are in flight at
            # once, "alone" when none came (the barrier gives up)
            try:
                server.barrier.wait()
                server.meetings.append((path, self.headers.get("Host"), "met"))
            except threading.BrokenBarrierError:
                server.meetings.append((path, self.headers.get("Host"), "alone"))
                server.barrier.reset()
            self._send(200, ARTICLE.replace("Harbour bridge", f"Meeting {path[6:]}: harbour bridge").encode())
        elif path == "/bomb":
            self._send(200, server.bomb, headers={"Content-Encoding": "gzip"})
        elif path == "/gzipped":
            self._send(200, gzip.compress(ARTICLE.encode()), headers={"Content-Encoding": "gzip"})
        elif path == "/flaky":
            server.flaky += 1
            if server.flaky == 1:
                self._send(503, b"busy", headers={"Retry-After": "0"})
            else:
                self._send(200, ARTICLE.encode())
        else:
            self._send(404, b"not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.flaky = 0
        self.barrier = threading.Barrier(2, timeout=1.5)
        self.meetings: list[tuple[str, str | None, str]] = []
        self.bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # 64 MB of zeros in ~64 KB

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


def start() -> Server:
    server = Server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
