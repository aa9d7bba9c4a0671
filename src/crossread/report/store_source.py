"""The report's view of a store: story summaries from the ``stories`` table, one story's records at a time."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

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
        with self.store.engine.connect() as conn:
            outlets: dict[str, set[str]] = defaultdict(set)
            for story_id, article_id, outlet in conn.execute(
                    select(s.articles.c.story_id, s.articles.c.id, s.articles.c.outlet)
                    .where(s.articles.c.story_id.is_not(None))):
                outlets[story_id].add(outlet or f"unknown outlet {article_id}")
            rows = conn.execute(select(s.stories).order_by(s.stories.c.order_key)).mappings().all()
        return [StorySummary(id=r["id"], title=r["title"], first_date=r["first_date"], last_date=r["last_date"],
                             outlets=sorted(outlets[r["id"]]), articles=r["articles"], events=r["events"],
                             claims=r["claims"], quotes=r["quotes"], contradicted_claims=r["contradicted_claims"],
                             derivations=r["derivations"]) for r in rows]

    def story_analysis(self, story_id: str) -> Analysis:
        return self.store.analysis([story_id])

    def totals(self) -> dict[str, int]:
        def count(conn, table) -> int:  # noqa: ANN001
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        with self.store.engine.connect() as conn:
            framing = set()
            for table in (s.labels, s.loaded_terms):
                framing.update(conn.execute(select(table.c.outlet, table.c.actor_id).distinct()).all())
            return {"articles": count(conn, s.articles), "stories": count(conn, s.stories),
                    "actors": count(conn, s.actors), "events": count(conn, s.events), "quotes": count(conn, s.quotes),
                    "claims": count(conn, s.claims), "derivations": count(conn, s.derivations),
                    "framing": len(framing), "signals": count(conn, s.signals),
                    "removed chrome": count(conn, s.removed_chrome)}
