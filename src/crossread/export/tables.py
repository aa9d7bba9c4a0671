"""Flat tables of the records, one per record kind: what the CSV and Parquet exports write.

Each table is a list of typed columns and a function from one :class:`~crossread.export.view.Part`
to its rows. A record's main table carries its first evidence flattened (article, outlet, offsets,
sentence) and its actors' ids and names joined with ``"; "``; the ``*_evidence`` and
``event_actors`` tables list all of them, one row each. Offsets index the article's ``text`` (in
``articles``): ``text[char_start:char_end]`` is the evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from crossread.analyze.coverage import edge_kind
from crossread.export.view import ActorInfo, Part
from crossread.records import Article, Evidence

ColumnType = Literal["str", "int", "float", "bool", "date"]
JOIN = "; "  # between the ids/names of a record's several actors or outlets


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Part], Iterator[tuple]] | None  # None: written from the actor list, not from parts

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _cols(spec: str) -> tuple[Column, ...]:
    """``"name:type name:type ..."`` -> columns (type defaults to str)."""
    out = []
    for item in spec.split():
        name, _, type_ = item.partition(":")
        out.append(Column(name, (type_ or "str")))  # type: ignore[arg-type]
    return tuple(out)


EVIDENCE = "article_id outlet article_date:date char_start:int char_end:int evidence_text sentence"


class _Context:
    """Lookups one part's rows need: articles and actors by id."""

    def __init__(self, part: Part) -> None:
        self.part = part
        self.articles: dict[str, Article] = {a.id: a for a in part.analysis.articles}

    def outlet(self, article_id: str | None) -> str | None:
        article = self.articles.get(article_id or "")
        return article.outlet if article else None

    def evidence(self, ev: Evidence | None) -> tuple:
        """The EVIDENCE columns of one span (all None for none)."""
        if ev is None:
            return (None,) * 7
        article = self.articles.get(ev.article_id)
        text = article.text[ev.start:ev.end] if article else None
        return (ev.article_id, self.outlet(ev.article_id), self.part.article_dates.get(ev.article_id),
                ev.start, ev.end, text, ev.sentence)

    def name(self, actor_id: str | None) -> str | None:
        info = self.part.actor(actor_id)
        return info.name if info else None

    def names(self, actor_ids: Sequence[str]) -> str:
        return JOIN.join(self.name(a) or a for a in actor_ids)


# Parts are turned into rows table by table; the context is made once per part and table.
def _articles(part: Part) -> Iterator[tuple]:
    for a in part.analysis.articles:
        yield (a.id, part.story_of.get(a.id), a.outlet, a.title, JOIN.join(a.authors), a.url, a.source, a.published,
               part.article_dates.get(a.id), part.first_seen.get(a.id), a.language, a.format, a.word_count, a.text)


def _authors(part: Part) -> Iterator[tuple]:
    for a in part.analysis.articles:
        for i, name in enumerate(a.authors):
            yield (a.id, a.outlet, i, name)


def _signals(part: Part) -> Iterator[tuple]:
    for a in part.analysis.articles:
        for i, sig in enumerate(a.signals):
            yield (a.id, a.outlet, i, sig.kind, sig.text, sig.start, sig.end)


def _stories(part: Part) -> Iterator[tuple]:
    for story in part.analysis.stories:
        row = part.stories.get(story.id, {})
        yield (story.id, story.title, row.get("first_date"), row.get("last_date"), len(story.article_ids),
               row.get("outlets"), row.get("events"), row.get("quotes"), row.get("claims"),
               row.get("contradicted_claims"), row.get("derivations"))


def _mentions(part: Part) -> Iterator[tuple]:
    ctx = _Context(part)
    for actor in part.analysis.actors:
        for m in actor.mentions:
            yield (actor.id, actor.name, m.article_id, ctx.outlet(m.article_id), m.start, m.end, m.text, m.sentence)


def _event_main(ctx: _Context, event: Any) -> tuple:
    first = event.evidence[0] if event.evidence else None
    return (event.id, ctx.part.record_story(first.article_id if first else None), event.plover, event.mode,
            event.cameo, event.cameo_root, event.quad_class, event.goldstein,
            edge_kind(event.plover, negated=event.negated), event.trigger, event.negated, event.modality, event.date,
            event.date_source, event.location, event.geonames_id, event.place_name, event.place_country,
            event.place_admin1, event.latitude, event.longitude, event.place_source, JOIN.join(event.source), ctx.names(event.source), JOIN.join(event.target),
            ctx.names(event.target), JOIN.join(event.outlets), len(event.outlets), event.independent_sources,
            len(event.evidence), event.confidence, *ctx.evidence(first))


def _events(part: Part) -> Iterator[tuple]:
    ctx = _Context(part)
    for event in part.analysis.events:
        yield _event_main(ctx, event)


def _actor_columns(info: ActorInfo | None) -> tuple:
    return (info.name, info.type, info.country, info.sector) if info else (None, None, None, None)


def _event_actors(part: Part) -> Iterator[tuple]:
    for event in part.analysis.events:
        for role, ids in (("source", event.source), ("target", event.target)):
            for i, actor_id in enumerate(ids):
                yield (event.id, role, i, actor_id, *_actor_columns(part.actor(actor_id)))


def _evidence_rows(part: Part, records: Iterable[tuple[str, Sequence[Any]]]) -> Iterator[tuple]:
    """(record id, position, evidence columns) of each (record id, its evidence spans)."""
    ctx = _Context(part)
    for record_id, spans in records:
        for i, ev in enumerate(spans):
            yield (record_id, i, *ctx.evidence(ev))


def _event_evidence(part: Part) -> Iterator[tuple]:
    return _evidence_rows(part, ((e.id, e.evidence) for e in part.analysis.events))


def _quotes(part: Part) -> Iterator[tuple]:
    ctx = _Context(part)
    for q in part.analysis.quotes:
        yield (q.id, part.record_story(q.evidence.article_id), q.speaker, ctx.name(q.speaker), q.speaker_text, q.cue,
               q.content, q.kind, JOIN.join(q.outlets), len(q.outlets), q.independent_sources, q.confidence,
               *ctx.evidence(q.evidence))


def _quote_evidence(part: Part) -> Iterator[tuple]:
    return _evidence_rows(part, ((q.id, [q.evidence, *q.also_in]) for q in part.analysis.quotes))


def _claims(part: Part) -> Iterator[tuple]:
    ctx = _Context(part)
    for c in part.analysis.claims:
        first = c.evidence[0] if c.evidence else None
        yield (c.id, part.record_story(first.article_id if first else None), c.text, c.attributed_to,
               ctx.name(c.attributed_to), c.status, c.negated, c.hedged, JOIN.join(c.outlets), len(c.outlets),
               c.independent_sources, c.confidence, *ctx.evidence(first))


def _claim_evidence(part: Part) -> Iterator[tuple]:
    return _evidence_rows(part, ((c.id, c.evidence) for c in part.analysis.claims))


def _claim_relations(part: Part) -> Iterator[tuple]:
    ctx = _Context(part)
    for c in part.analysis.claims:
        first = c.evidence[0] if c.evidence else None
        story = part.record_story(first.article_id if first else None)
        for i, r in enumerate(c.relations):
            ev = ctx.evidence(r.evidence)
            yield (c.id, story, i, r.article_id, r.outlet, r.stance, r.score, r.speaker, ctx.name(r.speaker),
                   r.confidence, *ev[3:])


def _derivations(part: Part) -> Iterator[tuple]:
    ctx = _Context(part)
    for d in part.analysis.derivations:
        yield (part.record_story(d.derived_article), d.source_article, ctx.outlet(d.source_article),
               d.derived_article, ctx.outlet(d.derived_article), d.kind, d.score, len(d.passages))


def _derivation_passages(part: Part) -> Iterator[tuple]:
    for d in part.analysis.derivations:
        for i, p in enumerate(d.passages):
            yield (d.source_article, d.derived_article, i, p.source_start, p.source_end, p.derived_start,
                   p.derived_end, p.text)


def _framing(kind: str) -> Callable[[Part], Iterator[tuple]]:
    def rows(part: Part) -> Iterator[tuple]:
        ctx = _Context(part)
        for story_id, frames in part.framing.items():
            for frame in frames:
                for item in getattr(frame, kind):
                    for i, ev in enumerate(item.evidence):
                        yield (story_id, frame.actor, ctx.name(frame.actor), item.text, i, *ctx.evidence(ev))
    return rows


def actor_rows(info: ActorInfo) -> tuple:
    return (info.id, info.name, info.type, info.role, info.country, info.sector, info.code, info.mentions, info.articles,
            JOIN.join(info.aliases))


def alias_rows(info: ActorInfo) -> Iterator[tuple]:
    for i, alias in enumerate(info.aliases):
        yield (info.id, i, alias)


TABLES: tuple[Table, ...] = (
    Table("articles", "one row per article; offsets everywhere index its text",
          _cols("article_id story_id outlet title authors url source published date:date first_seen language format "
                "word_count:int text"), _articles),
    Table("article_authors", "an article's authors (bylines), one row each, in the byline's order",
          _cols("article_id outlet position:int name"), _authors),
    Table("stories", "one row per story (dates: its earliest and latest published article)",
          _cols("story_id title first_date:date last_date:date articles:int outlets:int events:int quotes:int "
                "claims:int contradicted_claims:int derivations:int"), _stories),
    Table("actors", "one row per actor across the corpus (code: country, else IGO, then sector)",
          _cols("actor_id name type role country sector code mentions:int articles:int aliases"), None),
    Table("actor_aliases", "the names an actor goes by, most used first",
          _cols("actor_id position:int alias"), None),
    Table("actor_mentions", "every mention of an actor in the exported articles",
          _cols("actor_id actor_name article_id outlet char_start:int char_end:int text sentence"), _mentions),
    Table("events", "one row per event (merged across the story's articles), its first evidence flattened",
          _cols("event_id story_id plover mode cameo cameo_root quad_class:int goldstein:float cooperation trigger "
                "negated:bool modality date date_source location geonames_id:int place_name place_country place_admin1 "
                "latitude:float longitude:float place_source source_actor_ids source_actor_names target_actor_ids "
                "target_actor_names outlets n_outlets:int independent_sources:int n_evidence:int confidence:float "
                + EVIDENCE), _events),
    Table("event_actors", "the sources and targets of each event",
          _cols("event_id role position:int actor_id actor_name actor_type actor_country actor_sector"),
          _event_actors),
    Table("event_evidence", "every sentence behind each event",
          _cols("event_id position:int " + EVIDENCE), _event_evidence),
    Table("quotes", "one row per quote, as first recorded",
          _cols("quote_id story_id speaker_id speaker_name speaker_text cue content kind outlets n_outlets:int "
                "independent_sources:int confidence:float " + EVIDENCE), _quotes),
    Table("quote_evidence", "position 0: the quote as recorded; 1, 2 ...: the same quote in other articles",
          _cols("quote_id position:int " + EVIDENCE), _quote_evidence),
    Table("claims", "one row per claim, its first evidence flattened",
          _cols("claim_id story_id text attributed_to attributed_name status negated:bool hedged:bool outlets "
                "n_outlets:int independent_sources:int confidence:float " + EVIDENCE), _claims),
    Table("claim_evidence", "every sentence that states each claim",
          _cols("claim_id position:int " + EVIDENCE), _claim_evidence),
    Table("claim_relations", "how each article of the claim's story stands to it",
          _cols("claim_id story_id position:int article_id outlet stance score:float speaker_id speaker_name "
                "confidence:float char_start:int char_end:int evidence_text sentence"), _claim_relations),
    Table("derivations", "one article copying or paraphrasing another",
          _cols("story_id source_article_id source_outlet derived_article_id derived_outlet kind score:float "
                "passages:int"), _derivations),
    Table("derivation_passages", "aligned passages: source text[source_start:source_end] reused in the derived one",
          _cols("source_article_id derived_article_id position:int source_start:int source_end:int "
                "derived_start:int derived_end:int text"), _derivation_passages),
    Table("labels", "one row per use of a label for an actor by an outlet",
          _cols("story_id actor_id actor_name label position:int " + EVIDENCE), _framing("labels")),
    Table("loaded_terms", "one row per use of a loaded term about an actor by an outlet",
          _cols("story_id actor_id actor_name term position:int " + EVIDENCE), _framing("loaded_terms")),
    Table("signals", "machine-generation tells: evidence, never a verdict",
          _cols("article_id outlet position:int kind text char_start:int char_end:int"), _signals),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}
