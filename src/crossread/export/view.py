"""The exports' view of a store: which stories an export covers, and their records a chunk at a time.

Every export streams: stories are read ``STORIES_PER_CHUNK`` at a time (fewer when they reach
``ARTICLES_PER_CHUNK`` articles) as records (:meth:`crossread.store.Store.analysis` of the chunk), with what the records do not carry (an
article's effective date, a story's dates and counts, the actors' descriptions) read for that chunk
only. Memory holds one chunk, never the store.

A :class:`Selection` narrows an export: ``story`` keeps one story; ``since`` keeps the stories with
an article dated on or after that day (``articles.date``: published, else first stored), with all
their articles and records, so that every record's evidence is in the export too. Articles not yet
filed into a story (only while a run is unfinished) come last, as a part of their own.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select, true

from crossread.records import Analysis, Framing
from crossread.store import Store
from crossread.store import schema as s

STORIES_PER_CHUNK = 50
ARTICLES_PER_CHUNK = 200  # a chunk closes at 50 stories or at this many articles (a story is never split)
_IN = 500  # values per IN (...) list


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown story, bad date, unusable output path)."""


@dataclass(frozen=True)
class Selection:
    """What an export covers: everything (the default), one story, or the stories active since a day."""

    story: str | None = None
    since: str | None = None  # YYYY-MM-DD


@dataclass
class ActorInfo:
    """An actor as the flat exports describe it (``actors`` row, its aliases, whether it is an IGO)."""

    id: str
    name: str
    type: str | None = None
    role: str | None = None
    country: str | None = None
    sector: str | None = None  # CAMEO agent code: GOV, MIL, LEG, REB, ...
    mentions: int = 0
    articles: int = 0
    aliases: list[str] = field(default_factory=list)
    igo: bool = False  # founded on an international-organisation registry entry (merge key IGO:...)

    @property
    def country_code(self) -> str:
        """Its country (ISO 3166 alpha-3), else ``IGO`` for a country-less international organisation,
        else empty."""
        return self.country or ("IGO" if self.igo else "")

    @property
    def code(self) -> str:
        """The CAMEO-style actor code: :attr:`country_code` then the sector ("ISRGOV", "USALEG", "PSEREB")."""
        country = self.country_code
        return country + (self.sector if self.sector and self.sector != country else "")


@dataclass
class Part:
    """One chunk of an export: records of some stories, and what the records leave out."""

    analysis: Analysis
    stories: dict[str, dict[str, Any]]  # story id -> its ``stories`` row
    story_of: dict[str, str]  # article id -> story id
    article_dates: dict[str, str]  # article id -> ``articles.date``
    first_seen: dict[str, str]  # article id -> ``articles.first_seen``
    actors: dict[str, ActorInfo]  # every actor the part's records name
    # framing per story (``analysis.framing`` sums it over the part's stories)
    framing: dict[str, list[Framing]] = field(default_factory=dict)

    def actor(self, actor_id: str | None) -> ActorInfo | None:
        return self.actors.get(actor_id) if actor_id else None

    def record_story(self, article_id: str | None) -> str | None:
        """The story a record belongs to: that of its (first) evidence article."""
        return self.story_of.get(article_id) if article_id else None


def _chunks(items: Sequence[Any], size: int = _IN) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def parse_since(value: str | None) -> str | None:
    """``--since`` as YYYY-MM-DD (a date or an ISO date-time; its day counts)."""
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise ExportError(f"--since {value!r} is not a date (YYYY-MM-DD)") from None


def resolve_selection(store: Store, story: str | None = None, since: str | None = None) -> Selection:
    """A checked selection: the story exists (an id that later evidence merged follows its redirect) and
    ``since`` is a date."""
    since = parse_since(since)
    if story is None:
        return Selection(None, since)
    with store.engine.connect() as conn:
        if conn.execute(select(s.stories.c.id).where(s.stories.c.id == story)).first() is None:
            moved = conn.execute(select(s.story_redirects.c.story_id)
                                 .where(s.story_redirects.c.old_id == story)).scalar()
            if moved is None:
                raise ExportError(f"--story {story}: no story of that id in the store")
            story = moved
    return Selection(story, since)


def story_filter(selection: Selection, column: Any) -> Any:
    """A SQL condition on a ``story_id`` column: the selection's stories."""
    conditions = []
    if selection.story is not None:
        conditions.append(column == selection.story)
    if selection.since is not None:
        conditions.append(column.in_(select(s.articles.c.story_id).where(s.articles.c.date >= selection.since)))
    return and_(*conditions) if conditions else true()


def selected_story_ids(store: Store, selection: Selection) -> list[str]:
    """The selection's stories in filing order (ids only: small even for a large store)."""
    return [story_id for story_id, _ in _selected_stories(store, selection)]


def _selected_stories(store: Store, selection: Selection) -> list[tuple[str, int]]:
    """(id, articles) of the selection's stories in filing order."""
    st = s.stories
    with store.engine.connect() as conn:
        return [(i, n or 0) for i, n in conn.execute(select(st.c.id, st.c.articles)
                                                     .where(story_filter(selection, st.c.id)).order_by(st.c.order_key))]


def story_chunks(stories: Sequence[tuple[str, int]], max_stories: int, max_articles: int) -> Iterator[list[str]]:
    """Consecutive chunks of story ids: at most ``max_stories`` stories, and no more than ``max_articles``
    articles unless one story alone has more."""
    chunk: list[str] = []
    articles = 0
    for story_id, n in stories:
        if chunk and (len(chunk) >= max_stories or articles + n > max_articles):
            yield chunk
            chunk, articles = [], 0
        chunk.append(story_id)
        articles += n
    if chunk:
        yield chunk


def unfiled_article_ids(store: Store, selection: Selection) -> list[str]:
    """Articles in no story yet (a run stopped before filing them), dated since the selection's day."""
    if selection.story is not None:
        return []
    a = s.articles
    where = a.c.story_id.is_(None)
    if selection.since is not None:
        where = and_(where, a.c.date >= selection.since)
    with store.engine.connect() as conn:
        return list(conn.execute(select(a.c.id).where(where).order_by(a.c.seq)).scalars())


def actor_infos(store: Store, actor_ids: Iterable[str] | None = None) -> Iterator[ActorInfo]:
    """Actors by id order: these (ids not in the store are left out) or, with None, every actor; a chunk
    of rows in memory at a time."""
    a, al, aa = s.actors, s.actor_aliases, s.article_actors
    columns = (a.c.id, a.c.name, a.c.type, a.c.role, a.c.country, a.c.mentions, a.c.articles, a.c.sector)
    with store.engine.connect() as conn:
        if actor_ids is None:
            def chunks() -> Iterator[list[Any]]:
                last = ""
                while True:
                    rows = conn.execute(select(*columns).where(a.c.id > last).order_by(a.c.id).limit(_IN)).all()
                    if not rows:
                        return
                    yield rows
                    last = rows[-1][0]
            batches: Iterable[list[Any]] = chunks()
        else:
            wanted = sorted(set(actor_ids))
            batches = (conn.execute(select(*columns).where(a.c.id.in_(chunk)).order_by(a.c.id)).all()
                       for chunk in _chunks(wanted))
        for rows in batches:
            ids = [r[0] for r in rows]
            aliases: dict[str, list[str]] = {}
            for actor_id, alias in conn.execute(select(al.c.actor_id, al.c.alias).where(al.c.actor_id.in_(ids))
                                                .order_by(al.c.actor_id, al.c.position)):
                aliases.setdefault(actor_id, []).append(alias)
            igo = set(conn.execute(select(aa.c.actor_id).where(and_(aa.c.actor_id.in_(ids),
                                                                    aa.c.merge_key.like("IGO:%"))).distinct()).scalars())
            for id_, name, type_, role, country, mentions, n_articles, sector in rows:
                yield ActorInfo(id=id_, name=name, type=type_, role=role, country=country, sector=sector,
                                mentions=mentions or 0,
                                articles=n_articles or 0, aliases=aliases.get(id_, []), igo=id_ in igo)


def record_actor_ids(analysis: Analysis) -> set[str]:
    """Every actor id the records of ``analysis`` name (mentioned, acting, speaking, framed)."""
    ids = {a.id for a in analysis.actors}
    for event in analysis.events:
        ids.update(event.source)
        ids.update(event.target)
    ids.update(q.speaker for q in analysis.quotes if q.speaker)
    for claim in analysis.claims:
        if claim.attributed_to:
            ids.add(claim.attributed_to)
        ids.update(r.speaker for r in claim.relations if r.speaker)
    ids.update(f.actor for f in analysis.framing)
    return ids


def iter_parts(store: Store, selection: Selection = Selection(), stories_per_chunk: int | None = None) -> Iterator[Part]:
    """The selection's records, a chunk of stories at a time (then the unfiled articles, if any)."""
    stories = _selected_stories(store, selection)
    for chunk in story_chunks(stories, stories_per_chunk or STORIES_PER_CHUNK, ARTICLES_PER_CHUNK):
        yield _part(store, store.analysis(chunk), story_ids=chunk, framing=store.framing_by_story(chunk))
    unfiled = unfiled_article_ids(store, selection)
    for chunk in _chunks(unfiled, ARTICLES_PER_CHUNK):
        articles = store.articles_by_id(chunk)
        yield _part(store, Analysis(articles=[articles[i] for i in chunk]), story_ids=[], framing={})


def _part(store: Store, analysis: Analysis, story_ids: Sequence[str], framing: dict[str, list[Framing]]) -> Part:
    st, a = s.stories, s.articles
    article_ids = [x.id for x in analysis.articles]
    stories: dict[str, dict[str, Any]] = {}
    story_of: dict[str, str] = {}
    dates: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    with store.engine.connect() as conn:
        for chunk in _chunks(list(story_ids)):
            for row in conn.execute(select(st).where(st.c.id.in_(chunk))).mappings():
                stories[row["id"]] = dict(row)
        for chunk in _chunks(article_ids):
            for aid, sid, date, seen in conn.execute(select(a.c.id, a.c.story_id, a.c.date, a.c.first_seen)
                                                     .where(a.c.id.in_(chunk))):
                if sid is not None:
                    story_of[aid] = sid
                dates[aid] = date
                first_seen[aid] = seen
    actors = {info.id: info for info in actor_infos(store, record_actor_ids(analysis))}
    return Part(analysis=analysis, stories=stories, story_of=story_of, article_dates=dates,
                first_seen=first_seen, actors=actors, framing=framing)
