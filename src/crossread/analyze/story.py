"""The corpus stage of one story: its articles' records in, its cross-source records out.

:func:`analyze_story` is a pure function (no store, no global state; ``embed`` is the only
service it calls), so the same code runs in the pipeline's process, in its worker processes
and on a distributed engine, one story at a time: a run recomputes only the stories whose
articles (or whose actors' identities) changed.

What it does, in order: the story's own view of its actors (every article's actors grouped by
their corpus-wide id, named by the group's best name among this story's articles), the story
title (its most central headline), same-event merging across articles
(:mod:`crossread.link.event_coref`), then :func:`crossread.analyze.analyze_corpus` on the
story: derivation, claim alignment and relations, quote merging, outlets and independent
sources, and framing per outlet and actor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from crossread.extract import ArticleRecords
from crossread.nlp.embeddings import embedder_for
from crossread.records import Actor, Analysis, Article, Claim, Derivation, Event, Framing, Quote, Story

Embedder = Callable[[list[str]], np.ndarray]
MAX_TITLE_POOL = 200  # headlines compared to pick a story's title


@dataclass
class StoryInput:
    story_id: str
    articles: list[Article]  # in filing order
    records: dict[str, ArticleRecords]  # article id -> what the extractors found (article-local actor ids)
    actor_ids: dict[tuple[str, str], str]  # (article id, local actor id) -> actor id across the corpus
    merge_keys: dict[tuple[str, str], str] = field(default_factory=dict)  # same keys -> merge key


@dataclass
class StoryOutput:
    story: Story
    actors: list[Actor]  # this story's view of its actors (mentions in its articles only)
    events: list[Event]
    quotes: list[Quote]
    claims: list[Claim]
    derivations: list[Derivation]
    framing: list[Framing]


def story_actors(inp: StoryInput) -> list[Actor]:
    """The story's actors: article actors grouped by corpus-wide id, described from this story alone."""
    from crossread.extract.registry import default_registry
    from crossread.link.actor_resolve import ActorForm, ActorRow, describe_actor, form_of

    registry = default_registry()
    groups: dict[str, list[tuple[ActorRow, Actor]]] = {}
    for article in inp.articles:
        for actor in inp.records[article.id].actors:
            key = (article.id, actor.id)
            form = (ActorForm(actor.name, actor.type, inp.merge_keys[key]) if key in inp.merge_keys
                    else form_of(actor, registry))
            row = ActorRow(article.id, actor.id, form, actor.role, actor.country, tuple(actor.aliases),
                           len(actor.mentions), sector=actor.sector)
            groups.setdefault(inp.actor_ids.get(key, actor.id), []).append((row, actor))
    out = []
    for actor_id, members in groups.items():
        founder = min((row.form for row, _ in members), key=ActorForm.sort_key)
        actor = describe_actor(founder, [row for row, _ in members])
        actor.id = actor_id
        actor.mentions = sorted((m for _, a in members for m in a.mentions), key=lambda m: (m.article_id, m.start))
        out.append(actor)
    out.sort(key=lambda a: a.id)
    return out


def _remap(ids: Sequence[str], id_map: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for actor_id in ids:
        mapped = id_map.get(actor_id, actor_id)
        if mapped not in out:
            out.append(mapped)
    return out


def story_title(articles: Sequence[Article]) -> str:
    """The most central headline among the story's first articles (TF-IDF similarity)."""
    from crossread.link.stories import _story_title, similarity_matrix

    pool = list(articles[:MAX_TITLE_POOL])
    sims = similarity_matrix(pool) if len(pool) > 1 else [[1.0]]
    return _story_title(pool, sims, range(len(pool)))


def analyze_story(inp: StoryInput, embed: Embedder | Mapping[str, Embedder | None] | None = None) -> StoryOutput:
    """Cross-source records of one story (see the module docstring). ``embed``: one embedder for every
    stage, or one per stage (``crossread.nlp.embeddings.stage_embedders``)."""
    import copy

    from crossread.analyze import analyze_corpus
    from crossread.analyze.framing import aggregate_framing
    from crossread.link.event_coref import merge_events

    articles = list(inp.articles)
    ids = [a.id for a in articles]
    story = Story(id=inp.story_id, title=story_title(articles), article_ids=ids)
    actors = story_actors(inp)
    events: list[Event] = []
    quotes: list[Quote] = []
    claims: list[Claim] = []
    framing: list[Framing] = []
    id_map: dict[str, str] = {}
    for article in articles:
        records = copy.deepcopy(inp.records[article.id])  # the input stays as given
        local = {a.id: inp.actor_ids.get((article.id, a.id), a.id) for a in records.actors}
        id_map.update(local)
        for event in records.events:
            event.source = _remap(event.source, local)
            event.target = _remap(event.target, local)
        for quote in records.quotes:
            quote.speaker = local.get(quote.speaker, quote.speaker) if quote.speaker else None
        for claim in records.claims:
            claim.attributed_to = local.get(claim.attributed_to, claim.attributed_to) if claim.attributed_to else None
        for frame in records.framing:
            frame.actor = local.get(frame.actor, frame.actor)
        events += records.events
        quotes += records.quotes
        claims += records.claims
        framing += records.framing
    story_of = dict.fromkeys(ids, inp.story_id)
    events = merge_events(events, articles, story_of=story_of, actors=actors, embed=embedder_for(embed, "events"))
    analysis = Analysis(articles=articles, actors=actors, events=events, quotes=quotes, claims=claims,
                        stories=[story], framing=aggregate_framing(framing))
    analysis = analyze_corpus(analysis, embed=embed)
    return StoryOutput(story=story, actors=actors, events=analysis.events, quotes=analysis.quotes,
                       claims=analysis.claims, derivations=analysis.derivations, framing=analysis.framing)
