"""How many BASIL events have a gazetteer place, by how it was found (docs/EVALUATION.md, "Event places").

Parses every BASIL article once with the shipped pipeline and runs ``extract_records`` per article
(events before merging across articles). ``--sample N`` prints N events with a place, drawn at random
(seed 2026), with their sentence, headline and dateline, for a hand check.

    python benchmarks/basil_event_places.py ../shared/data/basil --sample 40
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from crossread.evaluation import read_basil
from crossread.extract import extract_records
from crossread.nlp import load_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("basil", type=Path, help="the BASIL folder (articles/<year>/*.json)")
    parser.add_argument("--sample", type=int, default=0, help="print this many placed events to check by hand")
    args = parser.parse_args()
    nlp = load_pipeline()
    sources: Counter[str | None] = Counter()
    countries: Counter[str | None] = Counter()
    placed = []
    articles = [a for a, _ in read_basil(args.basil)]
    for article in articles:
        for event in extract_records(article, nlp(article.text)).events:
            sources[event.place_source] += 1
            countries[event.place_country] += 1
            if event.geonames_id is not None:
                placed.append((article, event))
    total = sum(sources.values())
    print(f"{len(articles)} articles, {total} events, {len(placed)} with a place "
          f"({len(placed) / total:.1%}); by source: {dict(sources)}")
    print("countries:", countries.most_common(8))
    random.Random(2026).shuffle(placed)
    for k, (article, event) in enumerate(placed[:args.sample]):
        print(k, event.place_source, "|", event.place_name, event.place_country, event.place_admin1,
              "| trigger:", event.trigger)
        print("   title:", article.title, "| starts:", article.text[:60].replace("\n", " "))
        print("   sentence:", event.evidence[0].sentence[:300].replace("\n", " "))


if __name__ == "__main__":
    main()
