"""Cross-article linking: stories, and (later) merged actors and events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crossread.link.stories import cluster_stories
from crossread.records import Actor, Analysis, Article, Claim, Event, Quote, from_dict


def link_corpus(
    articles: Sequence[Article],
    article_records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
) -> Analysis:
    """Build the corpus-level analysis from stored articles and their records.

    Pure function of its inputs, so reruns over the same store give the same output.
    """
    actors: list[Actor] = []
    events: list[Event] = []
    quotes: list[Quote] = []
    claims: list[Claim] = []
    actor_names: dict[str, set[str]] = {}
    for article in articles:
        records = article_records.get(article.id, {})
        article_actors = [from_dict(Actor, r) for r in records.get("actors", [])]
        actors.extend(article_actors)
        actor_names[article.id] = {a.name.lower() for a in article_actors}
        events.extend(from_dict(Event, r) for r in records.get("events", []))
        quotes.extend(from_dict(Quote, r) for r in records.get("quotes", []))
        claims.extend(from_dict(Claim, r) for r in records.get("claims", []))

    stories = cluster_stories(articles, actor_names)
    return Analysis(
        articles=list(articles),
        actors=actors,
        events=events,
        quotes=quotes,
        claims=claims,
        stories=stories,
    )
