"""Time (or profile) the per-article extraction stage alone, NLP excluded.

Docs come from the cache ``check_extract_identical.py`` writes (parsed once). Reports the total
``extract_records`` time and the time of each extractor (actors, events, quotes, claims, framing).

    PY="env PYTHONPATH=src /work/main/.venv/bin/python"
    $PY benchmarks/bench_extract.py                      # timing, one pass
    $PY benchmarks/bench_extract.py --profile 40         # cProfile, top 40 by cumulative time
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_extract_identical import DEFAULT_CACHE, DEFAULT_INPUTS, load_articles, parsed_docs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--with-seeds", action="store_true", help="also the demo corpus (default: BASIL only)")
    ap.add_argument("--cache", default=DEFAULT_CACHE)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--profile", type=int, default=0, help="cProfile: print this many rows")
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--dump", help="also write the raw cProfile stats here (pstats)")
    ap.add_argument("--warm", action="store_true", help="extract one article first (one-off imports, model load)")
    ap.add_argument("--fake-embed", action="store_true",
                    help="zero vectors instead of MiniLM (to profile the Python side only; records differ)")
    args = ap.parse_args(argv)

    from crossread.nlp import load_pipeline

    nlp = load_pipeline()
    basil = load_articles(DEFAULT_INPUTS[:1])
    articles = basil + load_articles(DEFAULT_INPUTS[1:])
    docs = parsed_docs(nlp, articles, args.cache)
    pairs = list(zip(articles, docs))[:None if args.with_seeds else len(basil)]
    if args.limit:
        pairs = pairs[:args.limit]

    import crossread.analyze.framing as framing
    import crossread.extract as ex
    import crossread.extract.actors as actors
    import crossread.extract.claims as claims
    import crossread.extract.events as events
    import crossread.extract.quotes as quotes

    import crossread.nlp.embeddings as embeddings

    stage = {"actors": 0.0, "events": 0.0, "quotes": 0.0, "claims": 0.0, "framing": 0.0, "embed": 0.0}

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                stage[name] += time.process_time() - t
        return wrapper

    actors.resolve_actors = timed("actors", actors.resolve_actors)
    events.extract_events = timed("events", events.extract_events)
    quotes.extract_quote_spans = timed("quotes", quotes.extract_quote_spans)
    claims.extract_claim_spans = timed("claims", claims.extract_claim_spans)
    framing.framing_for_article = timed("framing", framing.framing_for_article)
    # the MiniLM embeddings the PLOVER classifier needs (part of events)
    if args.fake_embed:
        import numpy as np

        embeddings.EmbeddingService.embed = lambda self, s: np.zeros((len(s), embeddings.DIMENSION), np.float32)
    embeddings.EmbeddingService.embed = timed("embed", embeddings.EmbeddingService.embed)

    if args.warm:
        ex.extract_records(*pairs[0])
        stage.update({k: 0.0 for k in stage})
    if args.profile:
        import cProfile
        import pstats

        pr = cProfile.Profile()
        cpu = 0.0
        t = time.perf_counter()
        pr.enable()
        for a, d in pairs:
            ex.extract_records(a, d)
        pr.disable()
        total = time.perf_counter() - t
        stats = pstats.Stats(pr)
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats(args.sort).print_stats(args.profile)
    else:
        t = time.perf_counter()
        c = time.process_time()
        for a, d in pairs:
            ex.extract_records(a, d)
        total = time.perf_counter() - t
        cpu = time.process_time() - c
    print(f"extract_records: {total:.2f}s wall, {cpu:.2f}s CPU for {len(pairs)} articles; CPU by stage: "
          + " ".join(f"{k}={v:.2f}" for k, v in stage.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
