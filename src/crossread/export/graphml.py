"""The actor network as GraphML (networkx, Gephi, Cytoscape, igraph read it).

Nodes are actors, edges events, as in the report's network (:func:`crossread.analyze.coverage.actor_network`):
every source x every target of an event, self-loops left out, one edge per (source, target, PLOVER
type, cooperation/conflict kind) with ``weight`` = the number of events behind it (a negated event
is ``neutral``: it reports that something did not happen). Node data: label (the actor's name), type,
country, sector, role, mentions, articles, events; edge data: plover, kind, weight, outlets, events (ids).

Written streaming, straight from SQL: the edges come sorted by (source, target, type) and are summed
as they pass, so memory holds one edge at a time whatever the store's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from sqlalchemy import and_, func, select, union_all

from crossread.analyze.coverage import edge_kind
from crossread.export.view import Selection, story_filter
from crossread.fileio import open_atomic
from crossread.store import schema as s

# (id, for, attr.name, attr.type): GraphML needs every data key declared before the graph
NODE_KEYS = (("label", "string"), ("type", "string"), ("country", "string"), ("sector", "string"), ("role", "string"),
             ("mentions", "int"), ("articles", "int"), ("events", "int"))
EDGE_KEYS = (("plover", "string"), ("kind", "string"), ("weight", "int"), ("outlets", "string"), ("events", "string"))
# characters XML 1.0 cannot carry at all, even escaped (controls other than tab/LF/CR, lone surrogates, U+FFFE/F)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    text = _NOT_XML.sub("\ufffd", str(value))
    # escape CR too: a parser would turn a bare one into LF
    return escape(text, {"\r": "&#13;"})


def _pairs(selection: Selection) -> Any:
    """(event id, source actor, target actor, plover, negated) of the selection's events, self-loops out."""
    e, src, tgt = s.events, s.event_actors.alias("src"), s.event_actors.alias("tgt")
    return (select(e.c.id.label("event_id"), src.c.actor_id.label("source"), tgt.c.actor_id.label("target"),
                   e.c.plover, e.c.negated)
            .select_from(e.join(src, and_(src.c.event_id == e.c.id, src.c.role == "source"))
                         .join(tgt, and_(tgt.c.event_id == e.c.id, tgt.c.role == "target")))
            .where(and_(src.c.actor_id != tgt.c.actor_id, story_filter(selection, e.c.story_id)))
            .distinct())


def _nodes(conn: Any, selection: Selection) -> Iterator[tuple]:
    pairs = _pairs(selection).subquery()
    ends = union_all(select(pairs.c.source.label("actor_id"), pairs.c.event_id),
                     select(pairs.c.target.label("actor_id"), pairs.c.event_id)).subquery()
    involvement = (select(ends.c.actor_id, func.count(ends.c.event_id.distinct()).label("events"))
                   .group_by(ends.c.actor_id).subquery())
    a = s.actors
    query = (select(involvement.c.actor_id, a.c.name, a.c.type, a.c.country, a.c.sector, a.c.role, a.c.mentions,
                    a.c.articles, involvement.c.events)
             .select_from(involvement.outerjoin(a, a.c.id == involvement.c.actor_id))
             .order_by(involvement.c.actor_id))
    yield from conn.execution_options(yield_per=1000).execute(query)


def _edge_rows(conn: Any, selection: Selection) -> Iterator[tuple]:
    pairs = _pairs(selection).subquery()
    ev, art = s.event_evidence, s.articles
    query = (select(pairs.c.source, pairs.c.target, pairs.c.plover, pairs.c.negated, pairs.c.event_id, art.c.outlet)
             .select_from(pairs.outerjoin(ev, ev.c.event_id == pairs.c.event_id)
                          .outerjoin(art, art.c.id == ev.c.article_id))
             .order_by(pairs.c.source, pairs.c.target, pairs.c.plover, pairs.c.negated, pairs.c.event_id))
    yield from conn.execution_options(yield_per=1000).execute(query)


def _edges(conn: Any, selection: Selection) -> Iterator[tuple[str, str, str, str, list[str], list[str]]]:
    """(source, target, plover, kind, event ids, outlets), summed over consecutive sorted rows."""
    key = None
    events: dict[str, None] = {}
    outlets: set[str] = set()
    for source, target, plover, negated, event_id, outlet in _edge_rows(conn, selection):
        row_key = (source, target, plover, edge_kind(plover, negated=bool(negated)))
        if row_key != key:
            if key is not None:
                yield (*key, list(events), sorted(outlets))
            key, events, outlets = row_key, {}, set()
        events[event_id] = None
        outlets.add(outlet or "unknown")
    if key is not None:
        yield (*key, list(events), sorted(outlets))


def _data(out: IO[str], prefix: str, name: str, value: Any) -> None:
    if value is not None and value != "":
        out.write(f'      <data key="{prefix}_{name}">{_text(value)}</data>\n')


def export_graphml(store: Any, path: Path | str, selection: Selection = Selection()) -> dict[str, int]:
    """Write the actor network of the selection to ``path`` (atomically); returns node and edge counts."""
    counts = {"nodes": 0, "edges": 0}
    with open_atomic(Path(path), "w") as out, store.engine.connect() as conn:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                  'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for prefix, scope, keys in (("n", "node", NODE_KEYS), ("e", "edge", EDGE_KEYS)):
            for name, type_ in keys:
                out.write(f'  <key id="{prefix}_{name}" for="{scope}" attr.name="{name}" attr.type="{type_}"/>\n')
        out.write('  <graph id="crossread" edgedefault="directed">\n')
        for actor_id, name, type_, country, sector, role, mentions, n_articles, n_events in _nodes(conn, selection):
            out.write(f"    <node id={_attr(actor_id)}>\n")
            for key, value in (("label", name or actor_id), ("type", type_), ("country", country), ("sector", sector),
                               ("role", role),
                               ("mentions", mentions), ("articles", n_articles), ("events", n_events)):
                _data(out, "n", key, value)
            out.write("    </node>\n")
            counts["nodes"] += 1
        for source, target, plover, kind, event_ids, outlets in _edges(conn, selection):
            counts["edges"] += 1
            out.write(f'    <edge id="e{counts["edges"]}" source={_attr(source)} target={_attr(target)}>\n')
            for key, value in (("plover", plover), ("kind", kind), ("weight", len(event_ids)),
                               ("outlets", "; ".join(outlets)), ("events", " ".join(event_ids))):
                _data(out, "e", key, value)
            out.write("    </edge>\n")
        out.write("  </graph>\n</graphml>\n")
    return counts


def _attr(value: str) -> str:
    """An XML attribute value, quoted and escaped (ids are hex here, but never trusted)."""
    return quoteattr(_NOT_XML.sub("\ufffd", value), {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"})
