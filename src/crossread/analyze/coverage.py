"""Who reports what: the coverage matrix of a story, its exclusives and omissions, the actor network.

Pure functions over an :class:`~crossread.records.Analysis`; nothing here mutates it.

*Membership.* A record (a merged event or claim) belongs to a story when at least
one of its evidence spans lies in one of the story's articles; an outlet *carries*
it when one of the outlet's articles in that story holds such a span. Presence is
read from the evidence (not from ``record.outlets``) so that a record merged across
several stories only counts the articles of the story at hand.

*Outlets.* A column is an outlet name (``Article.outlet``); an article without an
outlet is its own column, named ``"unknown outlet <article id>"`` (the same
convention as :func:`crossread.analyze.independent_source_count`). Two articles of
one outlet share its column.

*Contradictions.* A claim's ``relations`` give each article's stance to it; an
outlet whose article ``contradicts`` the claim gets ``"contradicted"`` in its cell,
so the row shows who disagrees. (Records written before relations existed fall
back to marking every carrier of a ``"contradicted"`` claim.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from crossread.records import Analysis, Article, Claim, Event, Evidence, Story

Cell = Literal["present", "absent", "contradicted"]
RowKind = Literal["event", "claim"]
EdgeKind = Literal["cooperation", "conflict", "neutral"]

# PLOVER types (0.8 names plus the legacy/coarse names still found in data) by tone.
COOPERATION_TYPES = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "CONCEDE", "YIELD"})
CONFLICT_TYPES = frozenset({
    "DEMAND", "DISAPPROVE", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "MOBILIZE", "SANCTION", "COERCE",
    "ASSAULT", "FIGHT",
})


def outlet_name(article: Article) -> str:
    """The column an article belongs to: its outlet, or a per-article placeholder."""
    return outlet_column(article.outlet, article.id)


def outlet_column(outlet: str | None, article_id: str) -> str:
    """:func:`outlet_name` from an article's outlet and id (as a store row holds them)."""
    return outlet or f"unknown outlet {article_id}"


def edge_kind(plover: str | None, *, negated: bool = False) -> EdgeKind:
    """``cooperation`` / ``conflict`` / ``neutral`` for a PLOVER type.

    A negated event ("did not attack") is ``neutral``: it reports that the
    cooperation or conflict did *not* happen.
    """
    if negated or not plover:
        return "neutral"
    label = plover.strip().upper()
    if label in COOPERATION_TYPES:
        return "cooperation"
    if label in CONFLICT_TYPES:
        return "conflict"
    return "neutral"


# --------------------------------------------------------------------------- coverage


@dataclass
class CoverageRow:
    """One merged record of a story and which outlets carry it."""

    kind: RowKind
    id: str
    label: str
    status: str | None  # a claim's status; None for events
    cells: dict[str, Cell]  # outlet → cell, for every column of the matrix
    evidence: list[Evidence] = field(default_factory=list)  # the record's evidence inside the story
    evidence_by_outlet: dict[str, list[Evidence]] = field(default_factory=dict)
    confidence: float | None = None  # the record's confidence (docs/CONFIDENCE.md)

    @property
    def outlets(self) -> list[str]:
        """Outlets that carry the record (present or contradicted), in column order."""
        return [o for o, c in self.cells.items() if c != "absent"]


@dataclass
class CoverageMatrix:
    story_id: str | None
    title: str
    outlets: list[str]
    rows: list[CoverageRow]

    def row(self, record_id: str) -> CoverageRow:
        for r in self.rows:
            if r.id == record_id:
                return r
        raise KeyError(record_id)

    def cell(self, record_id: str, outlet: str) -> Cell:
        return self.row(record_id).cells[outlet]


def find_story(analysis: Analysis, story_id: str) -> Story:
    for story in analysis.stories:
        if story.id == story_id:
            return story
    raise KeyError(f"no story {story_id!r}")


def story_article_ids(analysis: Analysis, story_id: str | None) -> list[str]:
    """The story's articles that are in the analysis (all articles when ``story_id`` is None)."""
    known = {a.id for a in analysis.articles}
    if story_id is None:
        ids = [a.id for a in analysis.articles]
    else:
        ids = [i for i in find_story(analysis, story_id).article_ids if i in known]
    return list(dict.fromkeys(ids))


def story_outlets(analysis: Analysis, story_id: str | None) -> list[str]:
    """The columns of a story: its outlets in the order their first article is listed."""
    by_id = {a.id: a for a in analysis.articles}
    return list(dict.fromkeys(outlet_name(by_id[i]) for i in story_article_ids(analysis, story_id)))


def in_story(evidence: Iterable[Evidence], article_ids: Iterable[str]) -> list[Evidence]:
    ids = set(article_ids)
    return [e for e in evidence if e.article_id in ids]


def event_label(event: Event, actor_names: dict[str, str]) -> str:
    """``SOURCE PLOVER TARGET (trigger)`` with actor names; ``not`` before a negated type."""
    def names(ids: Sequence[str]) -> str:
        return ", ".join(actor_names.get(i, i) for i in ids)

    plover = f"not {event.plover}" if event.negated else event.plover
    parts = [names(event.source), plover, names(event.target)]
    label = " ".join(p for p in parts if p)
    return f"{label} ({event.trigger})" if event.trigger else label


def _claim_cell(claim: Claim, outlet: str, carried: bool, outlet_of: dict[str, str]) -> Cell:
    if claim.relations:
        if any(r.stance == "contradicts" and outlet_of.get(r.article_id) == outlet for r in claim.relations):
            return "contradicted"
        return "present" if carried else "absent"
    if not carried:
        return "absent"
    return "contradicted" if claim.status == "contradicted" else "present"


def coverage_matrix(analysis: Analysis, story_id: str | None = None) -> CoverageMatrix:
    """Rows = the story's merged events then claims, columns = its outlets.

    ``story_id=None`` treats the whole analysis as one story. Within each kind,
    rows are ordered by how many outlets carry them (most first), then as in the
    analysis. Raises ``KeyError`` for an unknown story.
    """
    article_ids = story_article_ids(analysis, story_id)
    outlets = story_outlets(analysis, story_id)
    outlet_of = {a.id: outlet_name(a) for a in analysis.articles}
    actor_names = {a.id: a.name for a in analysis.actors}
    title = find_story(analysis, story_id).title if story_id is not None else "All articles"

    def build(kind: RowKind, record: Event | Claim, label: str) -> CoverageRow | None:
        evidence = in_story(record.evidence, article_ids)
        if not evidence:
            return None
        by_outlet: dict[str, list[Evidence]] = {}
        for ev in evidence:
            by_outlet.setdefault(outlet_of[ev.article_id], []).append(ev)
        cells: dict[str, Cell] = {}
        for outlet in outlets:
            carried = outlet in by_outlet
            if isinstance(record, Claim):
                cells[outlet] = _claim_cell(record, outlet, carried, outlet_of)
            else:
                cells[outlet] = "present" if carried else "absent"
        status = record.status if isinstance(record, Claim) else None
        ordered = {o: by_outlet[o] for o in outlets if o in by_outlet}
        return CoverageRow(kind, record.id, label, status, cells, evidence, ordered, record.confidence)

    def ordered(rows: list[CoverageRow | None]) -> list[CoverageRow]:
        kept = [r for r in rows if r is not None]
        return sorted(kept, key=lambda r: -len(r.outlets))  # stable: ties keep analysis order

    events = ordered([build("event", e, event_label(e, actor_names)) for e in analysis.events])
    claims = ordered([build("claim", c, c.text) for c in analysis.claims])
    return CoverageMatrix(story_id, title, outlets, events + claims)


def only_in(analysis: Analysis, story_id: str | None = None) -> dict[str, list[CoverageRow]]:
    """Records carried by exactly one outlet of a story that has at least two outlets.

    Keys are the outlets that have such exclusives, in column order.
    """
    matrix = coverage_matrix(analysis, story_id)
    if len(matrix.outlets) < 2:
        return {}
    out: dict[str, list[CoverageRow]] = {}
    for row in matrix.rows:
        carriers = row.outlets
        if len(carriers) == 1:
            out.setdefault(carriers[0], []).append(row)
    return {o: out[o] for o in matrix.outlets if o in out}


def not_in(analysis: Analysis, story_id: str | None = None) -> dict[str, list[CoverageRow]]:
    """Records every other outlet of the story carries but this one omits (stories with ≥ 2 outlets).

    Keys are the outlets that have such omissions, in column order.
    """
    matrix = coverage_matrix(analysis, story_id)
    if len(matrix.outlets) < 2:
        return {}
    out: dict[str, list[CoverageRow]] = {}
    for row in matrix.rows:
        missing = [o for o, c in row.cells.items() if c == "absent"]
        if len(missing) == 1:
            out.setdefault(missing[0], []).append(row)
    return {o: out[o] for o in matrix.outlets if o in out}


# --------------------------------------------------------------------------- actor network


@dataclass
class Node:
    id: str
    name: str
    type: str | None
    events: int  # events the actor takes part in (as source or target) that produced an edge


@dataclass
class Edge:
    """Directed: ``source`` acted on ``target``; one edge per (source, target, kind)."""

    source: str
    target: str
    kind: EdgeKind
    weight: int  # number of events
    events: list[str] = field(default_factory=list)
    types: dict[str, int] = field(default_factory=dict)  # PLOVER type → events
    evidence: list[Evidence] = field(default_factory=list)


def actor_network(analysis: Analysis, story_id: str | None = None) -> tuple[list[Node], list[Edge]]:
    """Actors as nodes, events as directed edges (every source × every target of an event).

    ``kind`` comes from the PLOVER type (:func:`edge_kind`), ``weight`` is the number of
    events behind the edge. Events without both a source and a target, and self-loops,
    make no edge. With ``story_id``, only events with evidence in that story count (and
    only that evidence is kept). Nodes are the actors that have an edge, ordered by
    how many events they take part in, then by name.
    """
    article_ids = story_article_ids(analysis, story_id) if story_id is not None else None
    actors = {a.id: a for a in analysis.actors}
    edges: dict[tuple[str, str, EdgeKind], Edge] = {}
    involvement: dict[str, set[str]] = {}
    for event in analysis.events:
        evidence = list(event.evidence) if article_ids is None else in_story(event.evidence, article_ids)
        if article_ids is not None and not evidence:
            continue
        kind = edge_kind(event.plover, negated=event.negated)
        for s in dict.fromkeys(event.source):
            for t in dict.fromkeys(event.target):
                if s == t:
                    continue
                edge = edges.setdefault((s, t, kind), Edge(s, t, kind, 0))
                if event.id in edge.events:
                    continue
                edge.weight += 1
                edge.events.append(event.id)
                edge.types[event.plover] = edge.types.get(event.plover, 0) + 1
                edge.evidence.extend(evidence)
                involvement.setdefault(s, set()).add(event.id)
                involvement.setdefault(t, set()).add(event.id)
    nodes = [
        Node(aid, actors[aid].name if aid in actors else aid, actors[aid].type if aid in actors else None, len(evs))
        for aid, evs in involvement.items()
    ]
    nodes.sort(key=lambda n: (-n.events, n.name.casefold(), n.id))
    order = {n.id: i for i, n in enumerate(nodes)}
    edge_list = sorted(edges.values(), key=lambda e: (-e.weight, order[e.source], order[e.target], e.kind))
    return nodes, edge_list
