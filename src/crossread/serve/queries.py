"""What the web app shows, read from the store a page at a time.

Every function takes an open connection and returns plain data (records of
:mod:`crossread.records`, :class:`~crossread.report.source.StorySummary` or small dicts) that
both the HTML pages and the JSON API render: one query set per view, each bounded by
LIMIT/OFFSET or by one story, never the whole store. Records are rebuilt with the store's own
row mapping (:func:`crossread.store.rows.story_records_of`), so the API's records are the
published schema's.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, text
from sqlalchemy.engine import Connection

from crossread.analyze.coverage import Edge, Node, edge_kind, outlet_column
from crossread.records import Article, Event, Quote
from crossread.report.source import StorySummary
from crossread.store import schema as s
from crossread.store.rows import article_of, story_records_of

PER_PAGE = 50
MAX_PER_PAGE = 200
CLAIM_STATUSES = ("corroborated", "single_source", "contradicted")
NEIGHBOURS = 24  # actors shown around an actor in its network


# --------------------------------------------------------------------------- paging


@dataclass
class Page:
    """One page of a list: its items and where it sits in the whole."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(page: int | None, per_page: int | None) -> tuple[int, int]:
    """A page number (from 1) and a page size within bounds."""
    return max(1, page or 1), min(MAX_PER_PAGE, max(1, per_page or PER_PAGE))


# --------------------------------------------------------------------------- stories

SORTS: dict[str, str] = {
    "newest": "Newest first",
    "size": "Largest first",
    "outlets": "Most outlets",
    "contradictions": "Most contradicted claims",
}


def _story_order(sort: str) -> list[Any]:
    st = s.stories
    newest = [st.c.last_date.desc().nulls_last(), st.c.first_date.desc().nulls_last()]
    first = {
        "newest": [],
        "size": [st.c.articles.desc(), (st.c.events + st.c.claims).desc()],
        "outlets": [st.c.outlets.desc(), st.c.articles.desc()],
        "contradictions": [st.c.contradicted_claims.desc(), st.c.claims.desc()],
    }[sort]
    return [*first, *newest, st.c.id]


@dataclass(frozen=True)
class StoryFilter:
    """The filters of the story list; empty fields filter nothing."""

    q: str = ""  # full-text search over articles and claims
    outlet: str | None = None
    actor: str | None = None  # an actor id, or a name or alias (every actor of that name)
    plover: str | None = None
    since: str | None = None  # YYYY-MM-DD: stories with an article dated on or after (and on or before until)
    until: str | None = None  # YYYY-MM-DD (``articles.date``: published, else the day it was first stored)
    status: str | None = None  # a claim status the story must have a claim of

    def active(self) -> bool:
        return any((self.q.strip(), self.outlet, self.actor, self.plover, self.since, self.until, self.status))


def resolve_actor_ids(conn: Connection, value: str) -> list[str]:
    """Actor ids for a filter value: the id (or an id merged into another), else every actor whose name
    or alias is the value (ignoring case)."""
    found = actor_id_now(conn, value)
    if found is not None:
        return [found]
    folded = value.strip().lower()
    ids = set(conn.execute(select(s.actors.c.id).where(func.lower(s.actors.c.name) == folded)).scalars())
    ids.update(conn.execute(select(s.actor_aliases.c.actor_id)
                            .where(func.lower(s.actor_aliases.c.alias) == folded)).scalars())
    return sorted(ids)


def _fts_story_ids(dialect: str, query: str) -> Any:
    """A selectable of the story ids whose articles or claims match a full-text query."""
    if dialect == "sqlite":
        from crossread.store.fts import fts5_query

        sql = ("SELECT a.story_id FROM articles_fts JOIN articles a INDEXED BY ix_articles_seq_story "
               "ON a.seq = articles_fts.rowid "
               "WHERE articles_fts MATCH :fts_q UNION "
               "SELECT c.story_id FROM claims_fts JOIN claims c ON c.seq = claims_fts.rowid "
               "WHERE claims_fts MATCH :fts_q")
        q = fts5_query(query)
    elif dialect == "postgresql":
        sql = ("SELECT story_id FROM articles WHERE search @@ websearch_to_tsquery('english', :fts_q) UNION "
               "SELECT story_id FROM claims WHERE search @@ websearch_to_tsquery('english', :fts_q)")
        q = query
    else:
        raise NotImplementedError(f"full-text search is not available on {dialect}")
    return text(sql).bindparams(fts_q=q).columns(story_id=s.stories.c.id.type)


def _story_conditions(conn: Connection, f: StoryFilter) -> list[Any] | None:
    """WHERE conditions on ``stories``; None when the filter can match nothing (an unknown actor)."""
    st, a = s.stories, s.articles
    conds: list[Any] = []
    if f.q.strip():
        conds.append(st.c.id.in_(select(_fts_story_ids(conn.dialect.name, f.q).subquery().c.story_id)))
    if f.outlet:
        conds.append(st.c.id.in_(select(a.c.story_id).where(a.c.outlet == f.outlet)))
    if f.actor:
        ids = resolve_actor_ids(conn, f.actor)
        if not ids:
            return None
        conds.append(st.c.id.in_(select(a.c.story_id).select_from(
            s.article_actors.join(a, a.c.id == s.article_actors.c.article_id))
            .where(s.article_actors.c.actor_id.in_(ids))))
    if f.plover:
        conds.append(st.c.id.in_(select(s.events.c.story_id).where(s.events.c.plover == f.plover)))
    if f.status:
        conds.append(st.c.id.in_(select(s.claims.c.story_id).where(s.claims.c.status == f.status)))
    if f.since or f.until:
        dated = [a.c.story_id.is_not(None)] + ([a.c.date >= f.since] if f.since else []) + \
            ([a.c.date <= f.until] if f.until else [])
        conds.append(st.c.id.in_(select(a.c.story_id).where(*dated)))
    return conds


def _summaries(conn: Connection, rows: Sequence[Any]) -> list[StorySummary]:
    """Story summaries of ``stories`` rows, with their outlets (one query for the page)."""
    outlets: dict[str, set[str]] = defaultdict(set)
    ids = [r.id for r in rows]
    if ids:
        for story_id, article_id, outlet in conn.execute(
                select(s.articles.c.story_id, s.articles.c.id, s.articles.c.outlet)
                .where(s.articles.c.story_id.in_(ids))):
            outlets[story_id].add(outlet_column(outlet, article_id))
    return [StorySummary(id=r.id, title=r.title, first_date=r.first_date, last_date=r.last_date,
                         outlets=sorted(outlets[r.id]), articles=r.articles, events=r.events, claims=r.claims,
                         quotes=r.quotes, contradicted_claims=r.contradicted_claims, derivations=r.derivations)
            for r in rows]


def _story_columns() -> list[Any]:
    st = s.stories
    return [st.c.id, st.c.title, st.c.first_date, st.c.last_date, st.c.articles, st.c.events, st.c.claims,
            st.c.quotes, st.c.contradicted_claims, st.c.derivations]


def stories(conn: Connection, f: StoryFilter = StoryFilter(), sort: str = "newest", page: int = 1,
            per_page: int = PER_PAGE) -> Page:
    """A page of story summaries, filtered and sorted."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    page, per_page = paging(page, per_page)
    conds = _story_conditions(conn, f)
    if conds is None:
        return Page([], page, per_page, 0)
    where = and_(True, *conds)
    query = select(*_story_columns()).where(where).order_by(*_story_order(sort)).limit(per_page) \
        .offset((page - 1) * per_page)
    total = None
    if conds:  # the total with the page in one query: the filters (a full-text match, an actor's articles) run once
        rows = conn.execute(query.add_columns(func.count().over().label("total"))).all()
        total = rows[0].total if rows else None
    else:
        rows = conn.execute(query).all()
    if total is None:  # no filter (counting the stories is quick), or past the last page
        total = conn.execute(select(func.count()).select_from(s.stories).where(where)).scalar_one()
    return Page(_summaries(conn, rows), page, per_page, int(total))


def story_summary(conn: Connection, story_id: str) -> StorySummary | None:
    rows = conn.execute(select(*_story_columns()).where(s.stories.c.id == story_id)).all()
    return _summaries(conn, rows)[0] if rows else None


def story_id_now(conn: Connection, story_id: str) -> str | None:
    """The story's id, or the id of the story it was merged into; None when neither exists."""
    if conn.execute(select(s.stories.c.id).where(s.stories.c.id == story_id)).first():
        return story_id
    return conn.execute(select(s.story_redirects.c.story_id)
                        .where(s.story_redirects.c.old_id == story_id)).scalar()


def actor_id_now(conn: Connection, actor_id: str) -> str | None:
    """The actor's id, or the id of the actor it was merged into; None when neither exists."""
    if conn.execute(select(s.actors.c.id).where(s.actors.c.id == actor_id)).first():
        return actor_id
    return conn.execute(select(s.actor_redirects.c.actor_id)
                        .where(s.actor_redirects.c.old_id == actor_id)).scalar()


def facets(conn: Connection) -> dict[str, list[Any]]:
    """The choices of the story list's filters: outlets (most articles first) and PLOVER types."""
    a = s.articles
    outlets = [o for o, _ in conn.execute(select(a.c.outlet, func.count()).where(a.c.outlet.is_not(None))
                                           .group_by(a.c.outlet).order_by(func.count().desc(), a.c.outlet))]
    plover = list(conn.execute(select(s.events.c.plover).distinct().order_by(s.events.c.plover)).scalars())
    return {"outlets": outlets, "plover": plover, "statuses": list(CLAIM_STATUSES)}


def search_hits(conn: Connection, query: str, limit: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The best-matching articles and claims (the store's full-text search)."""
    from crossread.store.fts import search

    return {kind: search(conn, conn.dialect.name, query, kind, limit) for kind in ("articles", "claims")}


# --------------------------------------------------------------------------- records by id


def _texts(conn: Connection, article_ids: Iterable[str]) -> tuple[dict[str, str], dict[str, str | None]]:
    ids = sorted(set(article_ids))
    texts: dict[str, str] = {}
    outlets: dict[str, str | None] = {}
    if ids:
        for aid, body, outlet in conn.execute(select(s.articles.c.id, s.articles.c.text, s.articles.c.outlet)
                                              .where(s.articles.c.id.in_(ids))):
            texts[aid], outlets[aid] = body, outlet
    return texts, outlets


def _rows(conn: Connection, statement: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(statement).mappings()]


def events_by_id(conn: Connection, ids: Sequence[str]) -> dict[str, Event]:
    """Story events (schema records, every evidence span) by id."""
    if not ids:
        return {}
    tables = {"events": _rows(conn, select(s.events).where(s.events.c.id.in_(ids))),
              "event_actors": _rows(conn, select(s.event_actors).where(s.event_actors.c.event_id.in_(ids))),
              "event_evidence": _rows(conn, select(s.event_evidence).where(s.event_evidence.c.event_id.in_(ids)))}
    texts, outlets = _texts(conn, (r["article_id"] for r in tables["event_evidence"]))
    return {e.id: e for e in story_records_of(tables, texts, outlets)["events"]}


def quotes_by_id(conn: Connection, ids: Sequence[str]) -> dict[str, Quote]:
    """Story quotes (schema records) by id."""
    if not ids:
        return {}
    tables = {"quotes": _rows(conn, select(s.quotes).where(s.quotes.c.id.in_(ids))),
              "quote_evidence": _rows(conn, select(s.quote_evidence).where(s.quote_evidence.c.quote_id.in_(ids)))}
    texts, outlets = _texts(conn, (r["article_id"] for r in tables["quote_evidence"]))
    return {q.id: q for q in story_records_of(tables, texts, outlets)["quotes"]}


def actor_names(conn: Connection, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return dict(conn.execute(select(s.actors.c.id, s.actors.c.name).where(s.actors.c.id.in_(wanted))).all())


def article(conn: Connection, article_id: str) -> tuple[Article, dict[str, Any]] | None:
    """An article (with removed chrome, signals and authors) and its place: date, story id and title."""
    a = s.articles
    row = conn.execute(select(a).where(a.c.id == article_id)).mappings().first()
    if row is None:
        return None
    removed = _rows(conn, select(s.removed_chrome).where(s.removed_chrome.c.article_id == article_id)
                    .order_by(s.removed_chrome.c.position))
    signals = _rows(conn, select(s.signals).where(s.signals.c.article_id == article_id).order_by(s.signals.c.position))
    authors = _rows(conn, select(s.article_authors).where(s.article_authors.c.article_id == article_id)
                    .order_by(s.article_authors.c.position))
    story_title = (conn.execute(select(s.stories.c.title).where(s.stories.c.id == row["story_id"])).scalar()
                   if row["story_id"] else None)
    return article_of(row, removed, signals, authors), {"date": row["date"], "story_id": row["story_id"],
                                               "story_title": story_title, "word_count": row["word_count"]}


# --------------------------------------------------------------------------- actors


def actors(conn: Connection, q: str = "", type_: str | None = None, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Actors, most articles first; ``q``: a part of the name (ignoring case)."""
    page, per_page = paging(page, per_page)
    act = s.actors
    conds = []
    if q.strip():
        pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append(func.lower(act.c.name).like(pattern, escape="\\"))
    if type_:
        conds.append(act.c.type == type_)
    where = and_(True, *conds)
    total = conn.execute(select(func.count()).select_from(act).where(where)).scalar_one()
    rows = _rows(conn, select(act).where(where).order_by(act.c.articles.desc(), act.c.mentions.desc(), act.c.name,
                                                         act.c.id).limit(per_page).offset((page - 1) * per_page))
    return Page(rows, page, per_page, int(total))


def actor_types(conn: Connection) -> list[str]:
    return list(conn.execute(select(s.actors.c.type).distinct().order_by(s.actors.c.type)).scalars())


def actor(conn: Connection, actor_id: str) -> dict[str, Any] | None:
    """An actor: its row, aliases, and how its articles name, describe and place it."""
    row = conn.execute(select(s.actors).where(s.actors.c.id == actor_id)).mappings().first()
    if row is None:
        return None
    aliases = list(conn.execute(select(s.actor_aliases.c.alias).where(s.actor_aliases.c.actor_id == actor_id)
                                .order_by(s.actor_aliases.c.position)).scalars())
    counts: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for kind, value, n in conn.execute(select(s.actor_counts.c.kind, s.actor_counts.c.value, s.actor_counts.c.n)
                                       .where(s.actor_counts.c.actor_id == actor_id)
                                       .order_by(s.actor_counts.c.kind, s.actor_counts.c.n.desc(),
                                                 s.actor_counts.c.value)):
        counts[kind].append((value, n))
    return {**dict(row), "aliases": aliases, "counts": dict(counts)}


def event_dates(conn: Connection, event_ids: Sequence[str]) -> dict[str, str]:
    """The date of each story event: its earliest evidence article's date (``articles.date``)."""
    if not event_ids:
        return {}
    ev, a = s.event_evidence, s.articles
    return dict(conn.execute(select(ev.c.event_id, func.min(a.c.date)).select_from(ev.join(a, a.c.id == ev.c.article_id))
                             .where(ev.c.event_id.in_(list(event_ids))).group_by(ev.c.event_id)).all())


@dataclass
class ActorEvent:
    """An event an actor takes part in, as the actor's page lists it."""

    role: str  # source / target
    date: str | None
    story_id: str
    story_title: str | None
    event: Event
    names: dict[str, str] = field(default_factory=dict)  # actor id -> name, for source and target


@dataclass
class _ActorEventRow:
    event_id: str
    role: str
    story_id: str


def actor_events(conn: Connection, actor_id: str, page: int = 1, per_page: int = PER_PAGE,
                 role: str | None = None) -> Page:
    """The events an actor is a source or target of, the newest stories first (then in story order).

    The stories come first, from the per-story tallies (:mod:`crossread.store.tallies`): the actor's
    number of events in each story, in story order newest first, tells which stories the page
    covers, and only their events are read; the total is the tallies' sum. Reading and sorting every
    event of a much-named actor (27,000 for "United States" in a 100,000-article store) is what
    this avoids."""
    page, per_page = paging(page, per_page)
    ea, e, st, t = s.event_actors, s.events, s.stories, s.actor_story_months
    mine = [t.c.actor_id == actor_id] + ([t.c.role == role] if role else [])
    start, stop = (page - 1) * per_page, page * per_page
    total, own_stories = (int(x or 0) for x in conn.execute(
        select(func.sum(t.c.events), func.count(func.distinct(t.c.story_id))).where(*mine)).one())
    all_stories = conn.execute(select(func.count()).select_from(st)).scalar_one()
    wanted: list[tuple[str, str | None]] = []
    seen = skipped = 0  # events in the stories walked so far; of them, before the page's first story
    in_story = select(func.sum(t.c.events)).where(*mine, t.c.story_id == st.c.id).scalar_subquery()
    # Two ways to the page's stories, each cheap where the other is not: walk every story newest first
    # (stories(last_date)) probing the actor's tally in each, which stops early for an actor in many
    # stories; or read the actor's own stories from its tallies and sort them, which costs what the
    # actor has. A story walked costs about half a story read and sorted (measured on a 100k store).
    if all_stories * min(1.0, stop / max(total, 1)) < 2 * own_stories:
        candidates = conn.execute(
            select(st.c.id, in_story.label("n"), st.c.title)
            .where(select(t.c.story_id).where(*mine, t.c.story_id == st.c.id).exists())
            .order_by(st.c.last_date.desc().nulls_last(), st.c.id)
            .execution_options(stream_results=True, yield_per=200))
    else:
        rows_by_story = conn.execute(select(t.c.story_id, func.sum(t.c.events), st.c.title, st.c.last_date)
                                     .select_from(t.join(st, st.c.id == t.c.story_id)).where(*mine)
                                     .group_by(t.c.story_id, st.c.title, st.c.last_date)).all()
        rows_by_story.sort(key=lambda r: r[0])
        rows_by_story.sort(key=lambda r: r[3] or "", reverse=True)
        rows_by_story.sort(key=lambda r: r[3] is None)  # undated stories last, as NULLS LAST
        candidates = ((story_id, n, title) for story_id, n, title, _ in rows_by_story)
    for story_id, n, title in candidates:
        if seen >= stop:
            break
        if seen + int(n) > start:
            wanted.append((story_id, title))
        else:
            skipped += int(n)
        seen += int(n)
    rows: list[Any] = []
    if wanted:
        # the events of the page's stories first, then their actors: asked at once, SQLite would walk
        # every event of the actor by its actor index
        place = {event_id: (story_id, position) for event_id, story_id, position in conn.execute(
            select(e.c.id, e.c.story_id, e.c.position).where(e.c.story_id.in_([sid for sid, _ in wanted])))}
        found = {(event_id, r) for event_id, r, aid in conn.execute(
            select(ea.c.event_id, ea.c.role, ea.c.actor_id).where(ea.c.event_id.in_(list(place))))
            if aid == actor_id and (role is None or r == role)}
        rank = {sid: i for i, (sid, _) in enumerate(wanted)}
        ordered = sorted(found, key=lambda x: (rank[place[x[0]][0]], place[x[0]][1], x[1]))
        rows = [_ActorEventRow(event_id, r, place[event_id][0]) for event_id, r in ordered[start - skipped:stop - skipped]]
    titles = dict(wanted)
    records = events_by_id(conn, [r.event_id for r in rows])
    dates = event_dates(conn, [r.event_id for r in rows])
    names = actor_names(conn, (x for r in records.values() for x in (*r.source, *r.target)))
    items = [ActorEvent(r.role, dates.get(r.event_id), r.story_id, titles.get(r.story_id), records[r.event_id],
                        {x: names.get(x, x) for x in (*records[r.event_id].source, *records[r.event_id].target)})
             for r in rows if r.event_id in records]
    return Page(items, page, per_page, total)


def actor_timeline(conn: Connection, actor_id: str) -> list[dict[str, Any]]:
    """Events per month with the actor as source and as target: ``[{month, source, target}]``, in order
    (months without events between the first and the last included; events dated only to a year, or
    not at all, as "undated"). Summed from the per-story tallies (:mod:`crossread.store.tallies`): an
    event's month is when it happened (``events.date``), else that of the article it was first
    recorded from."""
    t = s.actor_story_months
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for m, role, n in conn.execute(select(t.c.month, t.c.role, func.sum(t.c.events)).where(t.c.actor_id == actor_id)
                                   .group_by(t.c.month, t.c.role)):
        counts[m if len(m) == 7 else "undated"][role] += int(n)
    months = sorted(k for k in counts if k != "undated")
    out = []
    if months:
        y, m = int(months[0][:4]), int(months[0][5:7])
        last = (int(months[-1][:4]), int(months[-1][5:7]))
        # no gaps: the timeline's x axis is time; capped so that a stray date cannot make it huge
        while (y, m) <= last and len(out) < 600:
            key = f"{y:04d}-{m:02d}"
            out.append({"month": key, "source": counts[key]["source"], "target": counts[key]["target"]})
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if "undated" in counts:
        out.append({"month": "undated", "source": counts["undated"]["source"], "target": counts["undated"]["target"]})
    return out


def actor_quotes(conn: Connection, actor_id: str, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The quotes an actor is the speaker of, newest story first."""
    page, per_page = paging(page, per_page)
    q, st = s.quotes, s.stories
    total = conn.execute(select(func.count()).select_from(q).where(q.c.speaker_id == actor_id)).scalar_one()
    rows = conn.execute(select(q.c.id, q.c.story_id, st.c.title, st.c.last_date)
                        .select_from(q.join(st, st.c.id == q.c.story_id)).where(q.c.speaker_id == actor_id)
                        .order_by(st.c.last_date.desc().nulls_last(), q.c.story_id, q.c.position)
                        .limit(per_page).offset((page - 1) * per_page)).all()
    records = quotes_by_id(conn, [r.id for r in rows])
    items = [{"quote": records[r.id], "story_id": r.story_id, "story_title": r.title, "date": r.last_date}
             for r in rows if r.id in records]
    return Page(items, page, per_page, int(total))


def actor_framing(conn: Connection, actor_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """How each outlet labels an actor: ``[{outlet, kind, term, uses}]``, most used first per outlet."""
    out = []
    for table, column, kind in ((s.labels, "label", "label"), (s.loaded_terms, "term", "loaded_term")):
        for outlet, term, n in conn.execute(select(table.c.outlet, table.c[column], func.count())
                                            .where(table.c.actor_id == actor_id)
                                            .group_by(table.c.outlet, table.c[column])
                                            .order_by(func.count().desc(), table.c.outlet, table.c[column])
                                            .limit(limit)):
            out.append({"outlet": outlet, "kind": kind, "term": term, "uses": int(n)})
    out.sort(key=lambda r: (r["outlet"], r["kind"] != "label", -r["uses"], r["term"]))
    return out


def actor_network(conn: Connection, actor_id: str, limit: int = NEIGHBOURS) -> tuple[list[Node], list[Edge]]:
    """The actor and its ``limit`` most frequent counterparts in events, as nodes and directed edges (one
    per source, target and kind; the kind from the PLOVER type as in the story networks). Summed from
    the per-story tallies (:mod:`crossread.store.tallies`)."""
    t = s.actor_story_links
    rows = conn.execute(select(t.c.role, t.c.other_id, t.c.plover, t.c.negated, func.sum(t.c.events))
                        .where(t.c.actor_id == actor_id)
                        .group_by(t.c.role, t.c.other_id, t.c.plover, t.c.negated)).all()
    weight: Counter[str] = Counter()
    edges: dict[tuple[str, str, str], Edge] = {}
    for role, other_id, plover, negated, n in rows:
        n = int(n)
        weight[other_id] += n
        source, target = (actor_id, other_id) if role == "source" else (other_id, actor_id)
        kind = edge_kind(plover, negated=bool(negated))
        edge = edges.setdefault((source, target, kind), Edge(source, target, kind, 0))
        edge.weight += n
        edge.types[plover] = edge.types.get(plover, 0) + n
    kept = [a for a, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
    names = dict(conn.execute(select(s.actors.c.id, s.actors.c.name).where(s.actors.c.id.in_([actor_id, *kept]))).all())
    types = dict(conn.execute(select(s.actors.c.id, s.actors.c.type).where(s.actors.c.id.in_([actor_id, *kept]))).all())
    if not kept:
        return [], []
    nodes = [Node(actor_id, names.get(actor_id, actor_id), types.get(actor_id), sum(weight.values()))]
    nodes += [Node(a, names.get(a, a), types.get(a), weight[a]) for a in kept]
    keep = set(kept)
    edge_list = sorted((x for x in edges.values() if (x.target if x.source == actor_id else x.source) in keep),
                       key=lambda x: (-x.weight, x.source, x.target, x.kind))
    return nodes, edge_list


# --------------------------------------------------------------------------- outlets


def outlets(conn: Connection) -> list[dict[str, Any]]:
    """Every named outlet: articles, stories, first and last dates; most articles first."""
    a = s.articles
    rows = conn.execute(select(a.c.outlet, func.count(), func.count(func.distinct(a.c.story_id)),
                               func.min(a.c.date), func.max(a.c.date))
                        .where(a.c.outlet.is_not(None)).group_by(a.c.outlet)
                        .order_by(func.count().desc(), a.c.outlet)).all()
    return [{"outlet": o, "articles": int(n), "stories": int(k), "first_date": d0, "last_date": d1}
            for o, n, k, d0, d1 in rows]


def outlet(conn: Connection, name: str) -> dict[str, Any] | None:
    """An outlet's counts and date span; None when no article has that outlet. (Its stories are counted
    by the story list filtered by outlet: ``stories(conn, StoryFilter(outlet=name)).total``.)"""
    a = s.articles
    n, d0, d1 = conn.execute(select(func.count(), func.min(a.c.date), func.max(a.c.date))
                             .where(a.c.outlet == name)).one()
    if not n:
        return None
    signals = conn.execute(select(func.count()).select_from(s.signals.join(a, a.c.id == s.signals.c.article_id))
                           .where(a.c.outlet == name)).scalar_one()
    return {"outlet": name, "articles": int(n), "first_date": d0, "last_date": d1, "signals": int(signals)}


def outlet_blindspots(conn: Connection, name: str, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Stories other outlets covered (at least two of them) while this one has no article in them, within
    the outlet's own date span; most outlets first."""
    page, per_page = paging(page, per_page)
    a, st = s.articles, s.stories
    d0, d1 = conn.execute(select(func.min(a.c.date), func.max(a.c.date)).where(a.c.outlet == name)).one()
    if d0 is None:
        return Page([], page, per_page, 0)
    where = and_(st.c.outlets >= 2, st.c.id.not_in(select(a.c.story_id).where(a.c.outlet == name,
                                                                              a.c.story_id.is_not(None))),
                 or_(st.c.last_date.is_(None), st.c.last_date >= d0),
                 or_(st.c.first_date.is_(None), st.c.first_date <= d1))
    rows = conn.execute(select(*_story_columns(), func.count().over().label("total")).where(where)
                        .order_by(*_story_order("outlets")).limit(per_page).offset((page - 1) * per_page)).all()
    total = rows[0].total if rows else conn.execute(select(func.count()).select_from(st).where(where)).scalar_one()
    return Page(_summaries(conn, rows), page, per_page, int(total))


def outlet_labels(conn: Connection, name: str, limit: int = 40) -> list[dict[str, Any]]:
    """The labels an outlet uses most: ``[{label, actor_id, actor, uses}]``."""
    lb, act = s.labels, s.actors
    rows = conn.execute(select(lb.c.label, lb.c.actor_id, act.c.name, func.count().label("uses"))
                        .select_from(lb.outerjoin(act, act.c.id == lb.c.actor_id)).where(lb.c.outlet == name)
                        .group_by(lb.c.label, lb.c.actor_id, act.c.name)
                        .order_by(func.count().desc(), lb.c.label, lb.c.actor_id).limit(limit)).all()
    return [{"label": label, "actor_id": aid, "actor": actor_name or aid, "uses": int(n)}
            for label, aid, actor_name, n in rows]


def outlet_derivations(conn: Connection, name: str) -> dict[str, list[dict[str, Any]]]:
    """Which outlets this one copies from (``copies``) and is copied by (``copied_by``): ``[{outlet, kind,
    articles}]``, most first."""
    d = s.derivations
    src, der = s.articles.alias("src"), s.articles.alias("der")
    joined = d.join(src, src.c.id == d.c.source_article_id).join(der, der.c.id == d.c.derived_article_id)
    out: dict[str, list[dict[str, Any]]] = {}
    for key, mine, theirs in (("copies", der, src), ("copied_by", src, der)):
        other = func.coalesce(theirs.c.outlet, literal("unknown outlet"))
        rows = conn.execute(select(other, d.c.kind, func.count()).select_from(joined).where(mine.c.outlet == name)
                            .group_by(other, d.c.kind).order_by(func.count().desc(), other, d.c.kind)).all()
        out[key] = [{"outlet": o, "kind": kind, "articles": int(n)} for o, kind, n in rows]
    return out


def outlet_signals(conn: Connection, name: str, limit: int = 30) -> dict[str, Any]:
    """An outlet's machine-generation signals: counts by kind and the latest examples."""
    sg, a = s.signals, s.articles
    joined = sg.join(a, a.c.id == sg.c.article_id)
    kinds = [{"kind": k, "signals": int(n), "articles": int(m)} for k, n, m in conn.execute(
        select(sg.c.kind, func.count(), func.count(func.distinct(sg.c.article_id))).select_from(joined)
        .where(a.c.outlet == name).group_by(sg.c.kind).order_by(func.count().desc(), sg.c.kind))]
    examples = _rows(conn, select(sg.c.article_id, sg.c.position, sg.c.kind, sg.c.text, sg.c.char_start,
                                  sg.c.char_end, a.c.title, a.c.date).select_from(joined).where(a.c.outlet == name)
                     .order_by(a.c.date.desc(), a.c.seq.desc(), sg.c.position).limit(limit))
    return {"kinds": kinds, "examples": examples}


__all__ = [
    "CLAIM_STATUSES", "MAX_PER_PAGE", "NEIGHBOURS", "PER_PAGE", "SORTS", "ActorEvent", "Page", "StoryFilter", "actor",
    "actor_events", "actor_framing", "actor_id_now", "actor_names", "actor_network", "actor_quotes", "actor_timeline",
    "actor_types", "actors", "article", "event_dates", "events_by_id", "facets", "outlet", "outlet_blindspots",
    "outlet_derivations", "outlet_labels", "outlet_signals", "outlets", "paging", "quotes_by_id", "resolve_actor_ids",
    "search_hits", "stories", "story_id_now", "story_summary",
]
