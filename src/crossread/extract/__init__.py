"""Within-article extraction: actors, events, quotes, claims.

Each extractor is a pure function over one article and its parsed ``doc``;
``extract_records`` runs them in dependency order (actors first: events, quote
speakers and claim attributions resolve to them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crossread.records import Actor, Article, Claim, Event, Framing, Quote


@dataclass
class ArticleRecords:
    """What extraction yields for one article; actor ids are article-local until linking."""

    actors: list[Actor] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    framing: list[Framing] = field(default_factory=list)  # per outlet and article-local actor


def actor_at(actors: Sequence[Actor], start: int | None, end: int | None) -> str | None:
    """The actor whose mention best covers the character span [start, end)."""
    if start is None or end is None or start >= end:
        return None
    best: tuple[int, int, str] | None = None  # (overlap, -mention length, actor id)
    for actor in actors:
        for m in actor.mentions:
            overlap = min(end, m.end) - max(start, m.start)
            if overlap <= 0:
                continue
            candidate = (overlap, -(m.end - m.start), actor.id)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None


def extract_records(article: Article, doc: Any) -> ArticleRecords:
    """Run every extractor over one article's parsed ``doc``."""
    from crossread.nlp import docview

    # one token view of ``doc`` for all the extractors (read once; dropped at the end)
    with docview.scope(doc):
        return _extract_all(article, doc)


def _extract_all(article: Article, doc: Any) -> ArticleRecords:
    from crossread.analyze.framing import framing_for_article
    from crossread.extract.actors import resolve_actors
    from crossread.extract.claims import extract_claim_spans
    from crossread.extract.events import extract_events
    from crossread.extract.quotes import extract_quote_spans

    actors = resolve_actors(article, doc)
    events = extract_events(article, doc, actors)

    quote_spans = extract_quote_spans(article, doc)
    quotes: list[Quote] = []
    seen: set[str] = set()
    for span in quote_spans:
        quote = span.to_record(article)
        if quote.id in seen:
            continue
        seen.add(quote.id)
        quote.speaker = actor_at(actors, span.source_start, span.source_end)
        quotes.append(quote)

    claims: list[Claim] = []
    for claim_span in extract_claim_spans(article, doc, quote_spans, signal_spans=article.signals):
        claim = claim_span.claim
        claim.attributed_to = actor_at(actors, claim_span.source_start, claim_span.source_end)
        claims.append(claim)
    framing = framing_for_article(article, doc, actors)
    return ArticleRecords(actors=actors, events=events, quotes=quotes, claims=claims, framing=framing)
