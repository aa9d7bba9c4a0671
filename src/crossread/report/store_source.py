"""The report's view of a store: story summaries from the ``stories`` table, one story's records at a time."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from crossread.analyze.coverage import outlet_column
from crossread.records import Analysis
from crossread.report.source import StorySummary
from crossread.store import Store
from crossread.store import schema as s


class StoreSource:
    """:class:`crossread.report.source.ReportSource` over a :class:`crossread.store.Store` (never the whole
    corpus in memory: one story's analysis at a time)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def story_summaries(self) -> list[StorySummary]:
        st = s.stories
        with self.store.engine.connect() as conn:
            outlets: dict[str, set[str]] = defaultdict(set)
            for story_id, article_id, outlet in conn.execute(
                    select(s.articles.c.story_id, s.articles.c.id, s.articles.c.outlet)
                    .where(s.articles.c.story_id.is_not(None))):
                outlets[story_id].add(outlet_column(outlet, article_id))
            rows = conn.execute(select(st.c.id, st.c.title, st.c.first_date, st.c.last_date, st.c.articles,
                                       st.c.events, st.c.claims, st.c.quotes, st.c.contradicted_claims,
                                       st.c.derivations).order_by(st.c.order_key)).all()
        return [StorySummary(id=sid, title=title, first_date=first, last_date=last, outlets=sorted(outlets[sid]),
                             articles=n_articles, events=n_events, claims=n_claims, quotes=n_quotes,
                             contradicted_claims=n_contradicted, derivations=n_derivations)
                for sid, title, first, last, n_articles, n_events, n_claims, n_quotes, n_contradicted, n_derivations
                in rows]

    def story_analysis(self, story_id: str) -> Analysis:
        return self.store.analysis([story_id])

    def totals(self) -> dict[str, int]:
        def count(conn, table) -> int:  # noqa: ANN001
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        with self.store.engine.connect() as conn:
            framing = set()
            for table in (s.labels, s.loaded_terms):
                framing.update(conn.execute(select(table.c.outlet, table.c.actor_id).distinct()).all())
            # record counts from the stories' own counts (one row per story, not one per record)
            events, quotes, claims, derivations = conn.execute(select(
                func.coalesce(func.sum(s.stories.c.events), 0), func.coalesce(func.sum(s.stories.c.quotes), 0),
                func.coalesce(func.sum(s.stories.c.claims), 0),
                func.coalesce(func.sum(s.stories.c.derivations), 0))).one()
            return {"articles": count(conn, s.articles), "stories": count(conn, s.stories),
                    "actors": count(conn, s.actors), "events": int(events), "quotes": int(quotes),
                    "claims": int(claims), "derivations": int(derivations),
                    "framing": len(framing), "signals": count(conn, s.signals),
                    "removed chrome": count(conn, s.removed_chrome)}
