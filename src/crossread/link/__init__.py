"""Cross-article linking: one actor per real-world actor, stories, merged events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crossread.link.stories import cluster_stories, stories_from_assignments
from crossread.records import Actor, Analysis, Article, Claim, Event, Framing, Quote, from_dict


def _remap(ids: list[str], id_map: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for actor_id in ids:
        mapped = id_map.get(actor_id, actor_id)
        if mapped not in out:
            out.append(mapped)
    return out


def link_corpus(
    articles: Sequence[Article],
    article_records: Mapping[str, Mapping[str, list[dict[str, Any]]]],
    story_of: Mapping[str, str] | None = None,
    embed: Any = None,
) -> Analysis:
    """Build the corpus-level analysis from stored articles and their records.

    ``story_of`` (article id -> story id) holds the incremental assignments the
    pipeline made as articles arrived; articles without one are clustered in batch.
    ``embed`` (sentences -> vectors) gives event coreference its embedding feature.
    A pure function of its inputs, so reruns over the same store give the same output.
    """
    from crossread.analyze.framing import aggregate_framing
    from crossread.extract.actors import merge_actors

    actors_by_article: dict[str, list[Actor]] = {}
    events: list[Event] = []
    quotes: list[Quote] = []
    claims: list[Claim] = []
    framing: list[Framing] = []
    for article in articles:
        records = article_records.get(article.id, {})
        actors_by_article[article.id] = [from_dict(Actor, r) for r in records.get("actors", [])]
        events.extend(from_dict(Event, r) for r in records.get("events", []))
        quotes.extend(from_dict(Quote, r) for r in records.get("quotes", []))
        claims.extend(from_dict(Claim, r) for r in records.get("claims", []))
        framing.extend(from_dict(Framing, r) for r in records.get("framing", []))

    actors, id_map = merge_actors(actors_by_article)
    for event in events:
        event.source = _remap(event.source, id_map)
        event.target = _remap(event.target, id_map)
    for quote in quotes:
        quote.speaker = id_map.get(quote.speaker, quote.speaker) if quote.speaker else None
    for claim in claims:
        claim.attributed_to = id_map.get(claim.attributed_to, claim.attributed_to) if claim.attributed_to else None

    # Stories use the merged actors, so "Haniyeh" in one article and "Ismail Haniyeh" in another count as shared.
    actor_names: dict[str, set[str]] = {a.id: set() for a in articles}
    for actor in actors:
        for mention in actor.mentions:
            actor_names.setdefault(mention.article_id, set()).add(actor.id)
    assigned = [a for a in articles if story_of and a.id in story_of]
    rest = [a for a in articles if not (story_of and a.id in story_of)]
    stories = stories_from_assignments(assigned, story_of or {}) + (cluster_stories(rest, actor_names) if rest else [])
    story_of_article = {aid: s.id for s in stories for aid in s.article_ids}
    events = _merge_events(events, articles, story_of_article, actors, embed)
    return Analysis(articles=list(articles), actors=actors, events=events, quotes=quotes, claims=claims,
                    stories=stories, framing=aggregate_framing(framing, id_map))


def _merge_events(events: list[Event], articles: Sequence[Article], story_of: Mapping[str, str],
                  actors: Sequence[Actor], embed: Any = None) -> list[Event]:
    """Cross-document event coreference, blocked by the stories just built."""
    from crossread.link.event_coref import merge_events

    return merge_events(events, articles, story_of=story_of, actors=actors, embed=embed)
