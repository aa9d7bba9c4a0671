"""Within-article extraction: actors, events, quotes, claims.

Each extractor is a spaCy pipeline component (:mod:`crossread.extract.components`) that reads the
Doc's tokens, sentences and entities and writes its result to a Doc extension, in dependency order
(actors first: events, quote speakers and claim attributions resolve to them);
``records_from_doc`` converts those annotations to records, ``extract_records`` runs the components
on a Doc that lacks them and converts.
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
    """The records of one article from its parsed ``doc``: the extraction components
    (:mod:`crossread.extract.components`) run on the Doc unless it already holds their results for
    ``article``; :func:`records_from_doc` converts what they wrote."""
    from crossread.extract.components import annotate

    return records_from_doc(annotate(doc, article))


def records_from_doc(doc: Any) -> ArticleRecords:
    """The one conversion from the Doc's extraction annotations (``doc._.crossread_*``, written by the
    components) to records: quotes get their resolved speaker and confidence (one record per quote id),
    claims the speaker of the quote they come from, else the actor whose mention covers them."""
    from crossread.extract.components import OUTPUTS, doc_article
    from crossread.extract.coref import speaker_confidence

    ext = doc._
    missing = [name for name in OUTPUTS if getattr(ext, name) is None]
    if missing:
        raise ValueError(f"the Doc has no {', '.join(missing)} results: run the extraction components first "
                         "(extract_records(article, doc) does)")
    article = doc_article(doc)
    actors, events = ext.crossread_actors, ext.crossread_events
    mentions = _mention_index(actors)
    speaker_of: dict[tuple[int, int], str | None] = {}
    quotes: list[Quote] = []
    seen: set[str] = set()
    for annotation in ext.crossread_quotes:
        span, speaker = annotation.span, annotation.speaker
        if annotation.cue_source is not None:
            speaker_of[annotation.cue_source] = speaker.actor
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
    for claim_span in ext.crossread_claims:
        claim = claim_span.claim
        key = (claim_span.source_start, claim_span.source_end)
        if key in speaker_of:
            claim.attributed_to = speaker_of[key]
        else:
            claim.attributed_to = _actor_at(mentions, claim_span.source_start, claim_span.source_end)
        claims.append(claim)
    return ArticleRecords(actors=list(actors), events=list(events), quotes=quotes, claims=claims,
                          framing=list(ext.crossread_framing))
