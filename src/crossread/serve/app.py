"""The web app: Starlette routes over :mod:`crossread.serve.queries`, HTML pages and a JSON API.

Read-only (GET only). Every page renders with Jinja's autoescape on (article text is untrusted);
the report's templates and view model are reused for stories and articles. Every response has a
strict Content-Security-Policy: no inline script or style, nothing from another origin, so that
even text that slipped past escaping could not run. Requests must name this machine (Host
header), which keeps other web sites from reading the store through DNS rebinding.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from crossread.records import SCHEMA_VERSION, analysis_to_dict, to_dict
from crossread.report.network import layout
from crossread.report.render import (
    LOW_CONFIDENCE,
    anchor_id,
    article_page_view,
    build_story_context,
    index_row,
    signal_id,
)
from crossread.serve import queries as Q
from crossread.store import Store

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
}
LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]
FACETS_TTL_S = 60.0
HIGHLIGHT_KINDS = ("event", "quote", "claim", "framing", "passage", "mention")


# --------------------------------------------------------------------------- links


def story_url(story_id: str) -> str:
    return "/stories/" + quote(story_id, safe="")


def actor_url(actor_id: str) -> str:
    return "/actors/" + quote(actor_id, safe="")


def outlet_url(name: str) -> str:
    return "/outlets/" + quote(name, safe="")


def article_url(article_id: str, start: int | None = None, end: int | None = None, kind: str | None = None) -> str:
    """The article's page; with a span, that span highlighted and scrolled to."""
    url = "/articles/" + quote(article_id, safe="")
    if start is None or end is None:
        return url
    params = {"s": start, "e": end, **({"k": kind} if kind else {})}
    return f"{url}?{urlencode(params)}#{anchor_id(article_id, start, end)}"


def _with(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


# --------------------------------------------------------------------------- parameters


def _int(request: Request, name: str, default: int | None = None) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise HTTPException(400, f"{name} must be a whole number") from None


def _date(request: Request, name: str) -> str | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise HTTPException(400, f"{name} must be a date as YYYY-MM-DD") from None


def _choice(request: Request, name: str, choices: tuple[str, ...] | list[str], default: str | None = None) -> str | None:
    value = (request.query_params.get(name) or "").strip() or default
    if value is not None and value not in choices:
        raise HTTPException(400, f"{name} must be one of {', '.join(choices)}")
    return value


def _text(request: Request, name: str) -> str | None:
    value = (request.query_params.get(name) or "").strip()
    return value or None


def story_filter(request: Request) -> Q.StoryFilter:
    return Q.StoryFilter(q=(request.query_params.get("q") or "").strip(), outlet=_text(request, "outlet"),
                         actor=_text(request, "actor"), plover=_text(request, "plover"),
                         since=_date(request, "since"), until=_date(request, "until"),
                         status=_choice(request, "status", Q.CLAIM_STATUSES))


def _paging(request: Request, name: str = "page") -> tuple[int, int]:
    page = _int(request, name, 1)
    per_page = _int(request, "per_page", Q.PER_PAGE)
    if page is None or per_page is None or page < 1 or per_page < 1:
        raise HTTPException(400, f"{name} and per_page must be at least 1")
    return Q.paging(page, per_page)


def _page_json(request: Request, page: Q.Page, items: list[Any], name: str = "page") -> dict[str, Any]:
    return {"items": items, "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages,
            "next": _with(request, **{name: page.page + 1}) if page.has_next else None,
            "prev": _with(request, **{name: page.page - 1}) if page.has_prev else None}


def _pager(request: Request, page: Q.Page, name: str = "page") -> dict[str, Any]:
    return {"page": page.page, "pages": page.pages, "total": page.total,
            "prev": _with(request, **{name: page.page - 1}) if page.has_prev else None,
            "next": _with(request, **{name: page.page + 1}) if page.has_next else None,
            "first": _with(request, **{name: None}) if page.page > 1 else None,
            "last": _with(request, **{name: page.pages}) if page.has_next else None}


def _summary_json(summary: Any) -> dict[str, Any]:
    return {**{name: getattr(summary, name) for name in (
        "id", "title", "first_date", "last_date", "outlets", "articles", "events", "claims", "quotes",
        "contradicted_claims", "derivations")}, "url": story_url(summary.id)}


# --------------------------------------------------------------------------- the app


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # The serve templates first, then the report's (its macros and article view): one copy of each.
    env = Environment(loader=ChoiceLoader([PackageLoader("crossread.serve", "templates"),
                                           PackageLoader("crossread.report", "templates")]),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(low_confidence=LOW_CONFIDENCE, schema_version=SCHEMA_VERSION, story_url=story_url,
                       actor_url=actor_url, outlet_url=outlet_url, article_url=article_url,
                       sorts=Q.SORTS, dead_span_title="span not in the articles shown",
                       absent_ref="not on this page")
    return env


@lru_cache(maxsize=1)
def _report_css() -> bytes:
    return resources.files("crossread.report").joinpath("templates/report.css").read_bytes()


class SecurityHeaders:
    """ASGI middleware: the security headers on every response (pages, API, static files, errors)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Views:
    """The route handlers over one store."""

    def __init__(self, store: Store, title: str) -> None:
        self.store = store
        self.title = title
        self._facets: tuple[float, dict[str, list[Any]]] | None = None

    def facets(self) -> dict[str, list[Any]]:
        """The filters' choices, read again at most once a minute: every story list shows them, and they
        change only when a run adds articles (~0.1 s at 100k articles)."""
        now = time.monotonic()
        if self._facets is None or now - self._facets[0] > FACETS_TTL_S:
            with self.connect() as conn:
                self._facets = (now, Q.facets(conn))
        return self._facets[1]

    # ------------------------------------------------------------------ helpers
    def html(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        body = _environment().get_template(template).render({"title": self.title, **context})
        return HTMLResponse(body, status_code=status_code)

    def connect(self) -> Any:
        return self.store.engine.connect()

    # ------------------------------------------------------------------ stories
    def _stories(self, request: Request) -> tuple[Q.StoryFilter, str, Q.Page, dict[str, list[Any]] | None]:
        f = story_filter(request)
        sort = _choice(request, "sort", tuple(Q.SORTS), "newest") or "newest"
        page, per_page = _paging(request)
        with self.connect() as conn:
            result = Q.stories(conn, f, sort, page, per_page)
            hits = Q.search_hits(conn, f.q) if f.q and page == 1 else None
        return f, sort, result, hits

    def stories_page(self, request: Request) -> Response:
        f, sort, result, hits = self._stories(request)
        facets = self.facets()
        with self.connect() as conn:
            actor_names = Q.actor_names(conn, [f.actor]) if f.actor else {}
        rows = [index_row(x, story_url(x.id)) for x in result.items]
        orders = [{"label": label, "href": _with(request, sort=None if key == "newest" else key, page=None),
                   "current": key == sort} for key, label in Q.SORTS.items()]
        return self.html("stories.html.j2", filters=f, sort=sort, rows=rows, pager=_pager(request, result),
                         hits=hits, facets=facets, orders=orders, actor_name=actor_names.get(f.actor or ""),
                         clear=request.url.path if f.active() else None)

    def stories_api(self, request: Request) -> Response:
        _, _, result, _ = self._stories(request)
        return JSONResponse(_page_json(request, result, [_summary_json(x) for x in result.items]))

    def _story(self, story_id: str) -> tuple[Any, Any] | str:
        """(summary, analysis), or the id it now has (a merged story), or raises 404."""
        with self.connect() as conn:
            now = Q.story_id_now(conn, story_id)
            if now is None:
                raise HTTPException(404, "no such story")
            if now != story_id:
                return now
            summary = Q.story_summary(conn, story_id)
        return summary, self.store.analysis([story_id])

    def story_page(self, request: Request) -> Response:
        found = self._story(request.path_params["story_id"])
        if isinstance(found, str):
            return RedirectResponse(story_url(found), status_code=301)
        summary, analysis = found
        context = build_story_context(analysis, summary, self.title, "/", claims=True)
        actors = sorted(analysis.actors, key=lambda a: (-len(a.mentions), a.name.casefold()))
        return self.html("story_page.html.j2", **context, actors=actors)

    def story_api(self, request: Request) -> Response:
        found = self._story(request.path_params["story_id"])
        if isinstance(found, str):
            return RedirectResponse("/api" + story_url(found), status_code=301)
        summary, analysis = found
        return JSONResponse({"summary": _summary_json(summary), "analysis": analysis_to_dict(analysis)})

    # ------------------------------------------------------------------ actors
    def actors_page(self, request: Request) -> Response:
        q, type_ = (request.query_params.get("q") or "").strip(), _text(request, "type")
        page, per_page = _paging(request)
        with self.connect() as conn:
            result = Q.actors(conn, q, type_, page, per_page)
            types = Q.actor_types(conn)
        return self.html("actors.html.j2", q=q, type=type_, types=types, result=result,
                         pager=_pager(request, result))

    def actors_api(self, request: Request) -> Response:
        q, type_ = (request.query_params.get("q") or "").strip(), _text(request, "type")
        page, per_page = _paging(request)
        with self.connect() as conn:
            result = Q.actors(conn, q, type_, page, per_page)
        return JSONResponse(_page_json(request, result, [{**r, "url": actor_url(r["id"])} for r in result.items]))

    def _actor(self, request: Request) -> dict[str, Any] | str:
        actor_id = request.path_params["actor_id"]
        role = _choice(request, "role", ("source", "target"))
        page, per_page = _paging(request)
        quote_page, _ = _paging(request, "quotes_page")
        with self.connect() as conn:
            now = Q.actor_id_now(conn, actor_id)
            if now is None:
                raise HTTPException(404, "no such actor")
            if now != actor_id:
                return now
            nodes, edges = Q.actor_network(conn, actor_id)
            return {"actor": Q.actor(conn, actor_id), "events": Q.actor_events(conn, actor_id, page, per_page, role),
                    "quotes": Q.actor_quotes(conn, actor_id, quote_page, per_page),
                    "timeline": Q.actor_timeline(conn, actor_id), "framing": Q.actor_framing(conn, actor_id),
                    "nodes": nodes, "edges": edges, "role": role}

    def actor_page(self, request: Request) -> Response:
        found = self._actor(request)
        if isinstance(found, str):
            return RedirectResponse(actor_url(found), status_code=301)
        net = layout(found["nodes"], found["edges"], centre=found["actor"]["id"])
        names = {n.id: n.name for n in found["nodes"]}
        net["marker_prefix"] = "arrow-actor"
        relations = [{"source": e.source, "target": e.target, "source_name": names[e.source],
                      "target_name": names[e.target], "kind": e.kind, "weight": e.weight,
                      "types": sorted(e.types.items(), key=lambda kv: (-kv[1], kv[0]))} for e in found["edges"]]
        framing: dict[str, list[dict[str, Any]]] = {}
        for row in found["framing"]:
            framing.setdefault(row["outlet"], []).append(row)
        return self.html("actor.html.j2", **found, network=net, relations=relations, framing_by_outlet=framing,
                         timeline_chart=timeline_chart(found["timeline"]),
                         events_pager=_pager(request, found["events"]),
                         quotes_pager=_pager(request, found["quotes"], "quotes_page"),
                         role_links=[{"label": label, "href": _with(request, role=value, page=None),
                                      "current": value == found["role"]}
                                     for value, label in ((None, "all"), ("source", "as source"),
                                                          ("target", "as target"))])

    def actor_api(self, request: Request) -> Response:
        found = self._actor(request)
        if isinstance(found, str):
            return RedirectResponse("/api" + actor_url(found), status_code=301)
        events = found["events"]
        quotes = found["quotes"]
        return JSONResponse({
            "actor": found["actor"], "timeline": found["timeline"], "framing": found["framing"],
            "network": {"nodes": [to_dict(n) for n in found["nodes"]],
                        "edges": [{"source": e.source, "target": e.target, "kind": e.kind, "weight": e.weight,
                                   "types": e.types} for e in found["edges"]]},
            "events": _page_json(request, events, [{"role": x.role, "date": x.date, "story_id": x.story_id,
                                                    "event": to_dict(x.event)} for x in events.items]),
            "quotes": _page_json(request, quotes, [{"story_id": x["story_id"], "date": x["date"],
                                                    "quote": to_dict(x["quote"])} for x in quotes.items],
                                 "quotes_page")})

    # ------------------------------------------------------------------ outlets
    def outlets_page(self, request: Request) -> Response:
        with self.connect() as conn:
            rows = Q.outlets(conn)
        return self.html("outlets.html.j2", outlets=rows)

    def outlets_api(self, request: Request) -> Response:
        with self.connect() as conn:
            rows = Q.outlets(conn)
        return JSONResponse({"items": [{**r, "url": outlet_url(r["outlet"])} for r in rows], "total": len(rows)})

    def _outlet(self, request: Request) -> dict[str, Any]:
        name = request.path_params["name"]
        page, per_page = _paging(request)
        with self.connect() as conn:
            info = Q.outlet(conn, name)
            if info is None:
                raise HTTPException(404, "no such outlet")
            covered = Q.stories(conn, Q.StoryFilter(outlet=name), "newest", 1, 10)
            info["stories"] = covered.total
            return {"outlet": info, "covered": covered, "blindspots": Q.outlet_blindspots(conn, name, page, per_page),
                    "labels": Q.outlet_labels(conn, name), "derivations": Q.outlet_derivations(conn, name),
                    "signals": Q.outlet_signals(conn, name)}

    def outlet_page(self, request: Request) -> Response:
        found = self._outlet(request)
        name = found["outlet"]["outlet"]
        signals = {**found["signals"], "examples": [
            {**x, "href": article_url(x["article_id"]) + "#" + signal_id(x["article_id"], x["position"])}
            for x in found["signals"]["examples"]]}
        return self.html("outlet.html.j2", **{**found, "signals": signals},
                         covered_rows=[index_row(x, story_url(x.id)) for x in found["covered"].items],
                         blind_rows=[index_row(x, story_url(x.id)) for x in found["blindspots"].items],
                         blind_pager=_pager(request, found["blindspots"]),
                         covered_href="/?" + urlencode({"outlet": name}))

    def outlet_api(self, request: Request) -> Response:
        found = self._outlet(request)
        return JSONResponse({**{k: found[k] for k in ("outlet", "labels", "derivations", "signals")},
                             "covered": {"total": found["covered"].total,
                                         "url": "/api/stories?" + urlencode({"outlet": found["outlet"]["outlet"]})},
                             "blindspots": _page_json(request, found["blindspots"],
                                                      [_summary_json(x) for x in found["blindspots"].items])})

    # ------------------------------------------------------------------ articles and search
    def _article(self, request: Request) -> tuple[Any, dict[str, Any]]:
        with self.connect() as conn:
            found = Q.article(conn, request.path_params["article_id"])
        if found is None:
            raise HTTPException(404, "no such article")
        return found

    def article_page(self, request: Request) -> Response:
        article, place = self._article(request)
        start, end = _int(request, "s"), _int(request, "e")
        kind = _choice(request, "k", HIGHLIGHT_KINDS, "event") or "event"
        spans = [(start, end, kind, "the evidence you followed")] if start is not None and end is not None else []
        view, links = article_page_view(article, spans)
        return self.html("article.html.j2", article=view, place=place, highlight=links[0] if links else None,
                         requested=bool(spans))

    def article_api(self, request: Request) -> Response:
        article, place = self._article(request)
        return JSONResponse({"article": to_dict(article), **place})

    def search_api(self, request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()
        kind = _choice(request, "kind", ("articles", "claims"), "articles") or "articles"
        limit = min(Q.MAX_PER_PAGE, max(1, _int(request, "limit", 20) or 20))
        from crossread.store.fts import search

        with self.connect() as conn:
            hits = search(conn, conn.dialect.name, query, kind, limit)
        return JSONResponse({"query": query, "kind": kind, "items": hits})

    def api_index(self, request: Request) -> Response:
        return JSONResponse({"schema_version": SCHEMA_VERSION, "endpoints": {
            "/api/stories": "stories, paged: q, outlet, actor, plover, since, until, status, sort, page, per_page",
            "/api/stories/{id}": "one story: its summary and its analysis (the published schema)",
            "/api/actors": "actors, paged: q, type, page, per_page",
            "/api/actors/{id}": "one actor: events (paged: page, role), quotes (paged: quotes_page), timeline, "
                                "framing, network",
            "/api/outlets": "every outlet with its counts",
            "/api/outlets/{name}": "one outlet: counts, labels, derivations, signals, blindspots (paged)",
            "/api/articles/{id}": "one article (the published schema's record)",
            "/api/search": "full-text search: q, kind (articles or claims), limit"}})


def timeline_chart(months: list[dict[str, Any]], width: int = 640, height: int = 140) -> dict[str, Any]:
    """Bars per month (source stacked under target) as SVG geometry: numbers only."""
    dated = [m for m in months if m["month"] != "undated"]
    if not dated:
        return {"bars": [], "width": width, "height": height, "max": 0, "ticks": []}
    top = max(m["source"] + m["target"] for m in dated) or 1
    top_margin = 6.0
    plot = height - 20 - top_margin
    step = width / len(dated)
    bar = min(24.0, max(1.0, step * 0.8))
    bars, ticks = [], []
    for i, m in enumerate(dated):
        x = i * step
        hs, ht = plot * m["source"] / top, plot * m["target"] / top
        base = top_margin + plot
        bars.append({"x": f"{x:.1f}", "w": f"{bar:.1f}", "ys": f"{base - hs:.1f}", "hs": f"{hs:.1f}",
                     "yt": f"{base - hs - ht:.1f}", "ht": f"{ht:.1f}", "month": m["month"],
                     "source": m["source"], "target": m["target"]})
        if m["month"].endswith("-01") or i == 0 or len(dated) <= 12:
            ticks.append({"x": f"{x:.1f}", "label": m["month"] if len(dated) <= 12 or i == 0 else m["month"][:4]})
    return {"bars": bars, "width": width, "height": height, "max": top, "ticks": ticks}


def create_app(store: Store, *, title: str = "crossread", allowed_hosts: list[str] | None = None) -> Starlette:
    """The web app over an open store (read-only: it only runs SELECTs)."""
    # Story pages read framing with crossread.analyze.framing, which imports spaCy (seconds): import it now
    # rather than in the first story page a user opens.
    import crossread.analyze.framing  # noqa: F401

    views = Views(store, title)

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/api":
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return views.html("error.html.j2", status_code=exc.status_code, status=exc.status_code, message=exc.detail)

    def report_css(request: Request) -> Response:
        return Response(_report_css(), media_type="text/css")

    routes = [
        Route("/", views.stories_page),
        Route("/stories/{story_id}", views.story_page),
        Route("/actors", views.actors_page),
        Route("/actors/{actor_id}", views.actor_page),
        Route("/outlets", views.outlets_page),
        Route("/outlets/{name:path}", views.outlet_page),
        Route("/articles/{article_id}", views.article_page),
        Route("/api", views.api_index),
        Route("/api/stories", views.stories_api),
        Route("/api/stories/{story_id}", views.story_api),
        Route("/api/actors", views.actors_api),
        Route("/api/actors/{actor_id}", views.actor_api),
        Route("/api/outlets", views.outlets_api),
        Route("/api/outlets/{name:path}", views.outlet_api),
        Route("/api/articles/{article_id}", views.article_api),
        Route("/api/search", views.search_api),
        Route("/static/report.css", report_css),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(packages=[("crossread.serve", "static")]), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders),
                  Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOCAL_HOSTS)]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: not_found})
