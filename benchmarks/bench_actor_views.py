"""Time the actor page's queries (``crossread.serve.queries``) on a store, per actor.

Usage:
    python benchmarks/bench_actor_views.py --db sqlite:///OUTDIR/crossread.db [--top 3] [--repeat 3]

For the ``--top`` actors in most articles and the actor in fewest articles: the events list (page 1 and
page 50), the timeline and the network, each the best of ``--repeat`` calls on one connection.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import create_engine, select

from crossread.serve import queries as q
from crossread.store import schema as s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = create_engine(args.db)
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        actors = list(conn.execute(select(s.actors.c.id).order_by(s.actors.c.articles.desc(), s.actors.c.id)
                                   .limit(args.top)).scalars())
        small = conn.execute(select(s.actors.c.id).where(s.actors.c.articles > 0)
                             .order_by(s.actors.c.articles, s.actors.c.id).limit(1)).scalar()
        for actor_id in actors + ([small] if small else []):
            views = {"events, page 1": lambda: q.actor_events(conn, actor_id),
                     "events, page 50": lambda: q.actor_events(conn, actor_id, page=50),
                     "timeline": lambda: q.actor_timeline(conn, actor_id),
                     "network": lambda: q.actor_network(conn, actor_id)}
            for name, call in views.items():
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    call()
                    times.append(time.perf_counter() - start)
                out.setdefault(name, []).append(f"{min(times) * 1000:.0f}")
    print(f"| query | ms: the {args.top} actors in most articles / the one in fewest articles |\n|---|---|")
    for name, values in out.items():
        print(f"| {name} | {' / '.join(values)} |")


if __name__ == "__main__":
    main()
