"""Per-story tallies of each actor's events: ``actor_story_months`` and ``actor_story_links``.

An actor's page shows its events per month and its most frequent counterparts. Computed from the
events, both read every event of the actor: 27,000 events and 0.3–0.6 s for "United States" in a
100,000-article store, growing with the store. The tallies are written with a story's events and
deleted with them (a story's records are always replaced whole), so they are exact by construction:
the timeline and the network are sums over one row per (story, month, role) or (story, counterpart,
role, type) of the actor, read from the primary key alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, case, delete, distinct, func, insert, select
from sqlalchemy.engine import Connection

from crossread.store import schema as s

TALLY_TABLES = (s.actor_story_months, s.actor_story_links)


def _month_select(story_ids: Sequence[str]):  # noqa: ANN202 -- a sqlalchemy Select
    """(actor, story, month, role, events) of these stories' events. An event's month is its own date's
    (``events.date``, from its text or its first report's publication date) when that has one, else
    that of the article it was first recorded from; "undated" when neither has a date."""
    ea, e, ev, a = s.event_actors, s.events, s.event_evidence, s.articles
    month = case((func.length(e.c.date) >= 7, func.substr(e.c.date, 1, 7)),
                 else_=func.coalesce(func.substr(a.c.date, 1, 7), "undated"))
    return (select(ea.c.actor_id, e.c.story_id, month.label("month"), ea.c.role,
                   func.count(distinct(e.c.id)).label("events"))
            .select_from(ea.join(e, e.c.id == ea.c.event_id)
                         .outerjoin(ev, and_(ev.c.event_id == e.c.id, ev.c.position == 0))
                         .outerjoin(a, a.c.id == ev.c.article_id))
            .where(e.c.story_id.in_(list(story_ids)), ea.c.actor_id.is_not(None))
            .group_by(ea.c.actor_id, e.c.story_id, month, ea.c.role))


def _link_select(story_ids: Sequence[str]):  # noqa: ANN202 -- a sqlalchemy Select
    """(actor, story, counterpart, actor's role, PLOVER type, negated, events) of these stories'
    events: every pair of a source and a target of one event, from both sides."""
    ea, other, e = s.event_actors, s.event_actors.alias("other"), s.events
    return (select(ea.c.actor_id, e.c.story_id, other.c.actor_id.label("other_id"), ea.c.role, e.c.plover,
                   e.c.negated, func.count(distinct(e.c.id)).label("events"))
            .select_from(ea.join(e, e.c.id == ea.c.event_id)
                         .join(other, and_(other.c.event_id == e.c.id, other.c.role != ea.c.role)))
            .where(e.c.story_id.in_(list(story_ids)), other.c.actor_id != ea.c.actor_id,
                   ea.c.actor_id.is_not(None), other.c.actor_id.is_not(None))
            .group_by(ea.c.actor_id, e.c.story_id, other.c.actor_id, ea.c.role, e.c.plover, e.c.negated))


def tally_stories(conn: Connection, story_ids: Sequence[str]) -> None:
    """Write the tallies of these stories from their stored events (after the events are written)."""
    if not story_ids:
        return
    m, k = s.actor_story_months, s.actor_story_links
    conn.execute(insert(m).from_select(["actor_id", "story_id", "month", "role", "events"], _month_select(story_ids)))
    conn.execute(insert(k).from_select(["actor_id", "story_id", "other_id", "role", "plover", "negated", "events"],
                                       _link_select(story_ids)))


def untally_stories(conn: Connection, story_ids: Sequence[str]) -> None:
    """Delete the tallies of these stories (with their events)."""
    for table in TALLY_TABLES:
        conn.execute(delete(table).where(table.c.story_id.in_(list(story_ids))))


def retally_all(conn: Connection, chunk: int = 500) -> int:
    """Rebuild every tally from the stored events (a store migrated from before the tallies, or one
    whose events were loaded by other means). Returns the number of stories."""
    for table in TALLY_TABLES:
        conn.execute(delete(table))
    ids = list(conn.execute(select(s.stories.c.id).order_by(s.stories.c.id)).scalars())
    for start in range(0, len(ids), chunk):
        tally_stories(conn, ids[start:start + chunk])
    return len(ids)
