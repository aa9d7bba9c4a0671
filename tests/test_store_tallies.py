"""Per-story tallies of actors' events (store revision 0005) and the actor views read from them."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import and_, create_engine, func, select

from crossread.serve import queries as Q
from crossread.store import schema as s
from crossread.store.tallies import TALLY_TABLES, retally_all


def _tallies(conn) -> dict[str, list[tuple]]:  # noqa: ANN001
    return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in TALLY_TABLES}


@pytest.fixture(params=["demo_store", "export_store"])
def store_url(request, tmp_path: Path) -> str:  # noqa: ANN001
    """A copy of an analysed store (the tests may rewrite its tallies)."""
    folder = request.getfixturevalue(request.param)
    shutil.copy(folder / "crossread.db", tmp_path / "crossread.db")
    return f"sqlite:///{tmp_path / 'crossread.db'}"


def test_tallies_written_with_the_stories_equal_a_rebuild_from_the_events(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        written = _tallies(conn)
        assert written["actor_story_months"] and written["actor_story_links"]
        retally_all(conn)
        assert _tallies(conn) == written


def _events_by_brute_force(conn, actor_id: str, role: str | None) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """Every (event, role, story) of the actor, sorted as the actor page lists them, from the events."""
    ea, e, st = s.event_actors, s.events, s.stories
    conds = [ea.c.actor_id == actor_id] + ([ea.c.role == role] if role else [])
    base = select(ea.c.event_id, ea.c.role).distinct().where(*conds).subquery()
    rows = conn.execute(select(base.c.event_id, base.c.role, e.c.story_id)
                        .select_from(base.join(e, e.c.id == base.c.event_id).join(st, st.c.id == e.c.story_id))
                        .order_by(st.c.last_date.desc().nulls_last(), e.c.story_id, e.c.position, base.c.role)).all()
    return [tuple(r) for r in rows]


def test_actor_events_pages_walk_every_event_once_in_order(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.connect() as conn:
        actors = list(conn.execute(select(s.event_actors.c.actor_id).distinct()).scalars())
        assert actors
        for actor_id in actors:
            for role in (None, "source", "target"):
                expected = _events_by_brute_force(conn, actor_id, role)
                for per_page in (1, 2, 3, 50):
                    got, page = [], 1
                    while True:
                        result = Q.actor_events(conn, actor_id, page=page, per_page=per_page, role=role)
                        assert result.total == len(expected)
                        if not result.items:
                            break
                        got += [(x.event.id, x.role, x.story_id) for x in result.items]
                        page += 1
                    assert got == expected, (actor_id, role, per_page)


def test_timeline_and_network_equal_counts_over_the_events(store_url: str) -> None:
    engine = create_engine(store_url)
    ea, other, e, ev, a = s.event_actors, s.event_actors.alias("other"), s.events, s.event_evidence, s.articles
    with engine.connect() as conn:
        for actor_id in conn.execute(select(ea.c.actor_id).distinct()).scalars():
            months: Counter[tuple[str, str]] = Counter()
            for event_id, role, date, first_date in conn.execute(
                    select(ea.c.event_id, ea.c.role, e.c.date, func.min(a.c.date))
                    .select_from(ea.join(e, e.c.id == ea.c.event_id)
                                 .outerjoin(ev, and_(ev.c.event_id == e.c.id, ev.c.position == 0))
                                 .outerjoin(a, a.c.id == ev.c.article_id))
                    .where(ea.c.actor_id == actor_id).group_by(ea.c.event_id, ea.c.role, e.c.date)):
                month = date[:7] if date and len(date) >= 7 else (first_date or "undated")[:7]
                months[(month if len(month) == 7 else "undated", role)] += 1
            timeline = Q.actor_timeline(conn, actor_id)
            assert {(m["month"], r): m[r] for m in timeline for r in ("source", "target") if m[r]} == dict(months)
            weights: Counter[str] = Counter()
            for other_id, n in conn.execute(
                    select(other.c.actor_id, func.count(func.distinct(e.c.id)))
                    .select_from(ea.join(e, e.c.id == ea.c.event_id)
                                 .join(other, and_(other.c.event_id == e.c.id, other.c.role != ea.c.role)))
                    .where(ea.c.actor_id == actor_id, other.c.actor_id != actor_id)
                    .group_by(other.c.actor_id, ea.c.role, e.c.plover, e.c.negated)):
                weights[other_id] += n
            nodes, _ = Q.actor_network(conn, actor_id)
            assert {n.id: n.events for n in nodes[1:]} == dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
                                                                [:Q.NEIGHBOURS])


def test_a_store_of_revision_0004_gets_its_tallies_from_its_events(store_url: str) -> None:
    from alembic import command

    from crossread.store import Store
    from crossread.store.migrate import HEAD, _config, current_revision

    engine = create_engine(store_url)
    with engine.connect() as conn:
        written = _tallies(conn)
    engine.dispose()
    store = Store(store_url)
    with store.engine.begin() as conn:
        command.downgrade(_config(conn), "0004")  # as revision 0004 had it: no tallies
    store.close()
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert current_revision(engine) == "0004"
        assert not {t.name for t in TALLY_TABLES} & set(conn.dialect.get_table_names(conn))
    engine.dispose()
    store = Store(store_url)  # upgrades, filling the tallies from the stored events
    try:
        assert current_revision(store.engine) == HEAD
        with store.engine.connect() as conn:
            assert _tallies(conn) == written
    finally:
        store.close()
