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
    not_analysed: str | None = None  # why the extractors did not run (the article is stored all the same)


#: The language of the NLP pipeline and the extractors' lexicons.
EXTRACTION_LANGUAGE = "en"


def not_analysable(article: Article) -> str | None:
    """Why the English NLP and extractors must not run on ``article`` (its text is in another
    language), or None. An article of unknown language (detection unsure: short text) is read as
    English."""
    if article.language and article.language != EXTRACTION_LANGUAGE:
        return (f"not analysed: the text is in another language ({article.language}); stored with its "
                f"metadata, without actors, events, quotes or claims")
    return None


def actor_at(actors: Sequence[Actor], start: int | None, end: int | None) -> str | None:
    """The actor whose mention best covers the character span [start, end)."""
    return _actor_at(_mention_index(actors), start, end)


def _mention_index(actors: Sequence[Actor]) -> list[tuple[int, int, str]]:
    """(start, end, actor id) of every mention, in actor then mention order (read once per article)."""
    return [(m.start, m.end, actor.id) for actor in actors for m in actor.mentions]


def _actor_at(index: Sequence[tuple[int, int, str]], start: int | None, end: int | None) -> str | None:
    """:func:`actor_at` over a :func:`_mention_index`: the first mention with the largest
    (overlap, -mention length)."""
    if start is None or end is None or start >= end:
        return None
    best: str | None = None
    best_key: tuple[int, int] | None = None  # (overlap, -mention length)
    for m_start, m_end, actor_id in index:
        overlap = (end if end < m_end else m_end) - (start if start > m_start else m_start)
        if overlap <= 0:
            continue
        key = (overlap, m_start - m_end)
        if best_key is None or key > best_key:
            best_key, best = key, actor_id
    return best


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
    from crossread.extract.coref import resolve_speakers, speaker_confidence
    from crossread.extract.events import extract_events
    from crossread.extract.quotes import extract_quote_spans

    actors = resolve_actors(article, doc)
    events = extract_events(article, doc, actors)

    mentions = _mention_index(actors)
    quote_spans = extract_quote_spans(article, doc)
    # the speaker of each quote: names, pronouns, role nouns and relative pronouns resolved to
    # actors (extract/coref.py); the speaker span as it should be shown
    speakers = resolve_speakers(article.text, doc, actors, quote_spans)
    speaker_of: dict[tuple[int, int], str | None] = {}
    quotes: list[Quote] = []
    seen: set[str] = set()
    for span, speaker in zip(quote_spans, speakers):
        if span.source_start is not None and span.source_end is not None:
            speaker_of[(span.source_start, span.source_end)] = speaker.actor
        span.source_start, span.source_end = speaker.start, speaker.end
        quote = span.to_record(article)
        if quote.id in seen:
            continue
        seen.add(quote.id)
        quote.speaker = speaker.actor
        quote.confidence = speaker_confidence(speaker)
        quotes.append(quote)
        if speaker.start is not None and speaker.end is not None:
            speaker_of[(speaker.start, speaker.end)] = speaker.actor

    claims: list[Claim] = []
    for claim_span in extract_claim_spans(article, doc, quote_spans, signal_spans=article.signals):
        claim = claim_span.claim
        key = (claim_span.source_start, claim_span.source_end)
        if key in speaker_of:
            claim.attributed_to = speaker_of[key]
        else:
            claim.attributed_to = _actor_at(mentions, claim_span.source_start, claim_span.source_end)
        claims.append(claim)
    framing = framing_for_article(article, doc, actors)
    return ArticleRecords(actors=actors, events=events, quotes=quotes, claims=claims, framing=framing)
