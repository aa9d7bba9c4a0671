"""The per-story part of the report's view model (report v1).

Per story, in reading order: the coverage matrix, "Only in X" / "Not in X", the
story's events, its quotes grouped by speaker, the framing table (outlet × actor),
derivations beside the machine-generation signals of the articles involved, and the
actor network. Every row carries links to its evidence, registered with the shared
:class:`~crossread.report.render._Context` so that the articles highlight them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossread.analyze.coverage import (
    CoverageRow,
    actor_network,
    coverage_matrix,
    in_story,
    not_in,
    only_in,
    outlet_name,
    story_article_ids,
)
from crossread.records import Story
from crossread.report.network import layout

if TYPE_CHECKING:
    from crossread.report.render import _Context


def _row_link(ctx: _Context, row: CoverageRow) -> dict[str, Any]:
    ev = row.evidence[0]
    return ctx.link(ev.article_id, ev.start, ev.end, ev.sentence, row.kind, f"{row.kind}: {row.label}")


def _row_ref(ctx: _Context, row: CoverageRow) -> dict[str, Any]:
    return {"label": row.label, "kind": row.kind, "status": row.status, "link": _row_link(ctx, row),
            "confidence": row.confidence}


def coverage_view(ctx: _Context, story: Story) -> dict[str, Any]:
    analysis = ctx.analysis
    matrix = coverage_matrix(analysis, story.id)
    rows = []
    for row in matrix.rows:
        cells = []
        for outlet in matrix.outlets:
            state = row.cells[outlet]
            evs = row.evidence_by_outlet.get(outlet, [])
            link = (ctx.link(evs[0].article_id, evs[0].start, evs[0].end, evs[0].sentence, row.kind,
                             f"{row.kind}: {row.label}") if evs else None)
            cells.append({"outlet": outlet, "state": state, "link": link})
        rows.append({"label": row.label, "kind": row.kind, "status": row.status, "link": _row_link(ctx, row),
                     "confidence": row.confidence,
                     "cells": cells, "carried": len(row.outlets),
                     "links": ctx.ev_links(row.evidence, row.kind, f"{row.kind}: {row.label}")})
    exclusive = [{"outlet": o, "rows": [_row_ref(ctx, r) for r in rs]} for o, rs in only_in(analysis, story.id).items()]
    omitted = [{"outlet": o, "rows": [_row_ref(ctx, r) for r in rs]} for o, rs in not_in(analysis, story.id).items()]
    return {"outlets": matrix.outlets, "rows": rows, "only_in": exclusive, "not_in": omitted}


def story_sections(ctx: _Context, story: Story, index: int) -> dict[str, Any]:
    analysis = ctx.analysis
    article_ids = story_article_ids(analysis, story.id)
    ids = set(article_ids)
    outlets = list(dict.fromkeys(outlet_name(ctx.articles[i]) for i in article_ids))

    events = []
    for e in analysis.events:
        evidence = in_story(e.evidence, ids)
        if evidence:
            events.append(ctx.event_row(e, evidence))

    groups: dict[str, dict[str, Any]] = {}
    for q in analysis.quotes:
        if q.evidence.article_id not in ids:
            continue
        speaker = ctx.actor(q.speaker) or q.speaker_text
        key = f"actor:{q.speaker}" if q.speaker else f"text:{(q.speaker_text or '').casefold()}"
        group = groups.setdefault(key, {"speaker": speaker, "known": q.speaker is not None,
                                        "outlets": [], "quotes": []})
        group["quotes"].append(ctx.quote_row(q))
        for ev in [q.evidence, *q.also_in]:  # a merged quote counts for every outlet carrying it
            outlet = ctx.outlet_of(ev.article_id)
            if ev.article_id in ids and outlet not in group["outlets"]:
                group["outlets"].append(outlet)
    quote_groups = sorted(groups.values(), key=lambda g: (-len(g["quotes"]), g["speaker"] is None,
                                                         (g["speaker"] or "").casefold()))

    framing_columns = list(outlets)
    framing_cells: dict[str, dict[str, dict[str, Any]]] = {}
    actor_order: list[str] = []
    for f in analysis.framing:
        # framing records are per (outlet, actor) over the whole corpus: a story shows only the labels
        # and loaded terms its own articles use, counted in its own articles
        labels = [(lb, evs) for lb in f.labels if (evs := in_story(lb.evidence, ids))]
        terms = [(lt, evs) for lt in f.loaded_terms if (evs := in_story(lt.evidence, ids))]
        if not labels and not terms:
            continue
        if f.outlet not in framing_columns:
            framing_columns.append(f.outlet)
        actor = ctx.actor(f.actor) or f.actor
        if f.actor not in actor_order:
            actor_order.append(f.actor)
        cell = framing_cells.setdefault(f.actor, {}).setdefault(f.outlet, {"labels": [], "loaded_terms": []})
        cell["labels"] += [{"text": lb.text, "count": len(evs),
                            "links": ctx.ev_links(evs, "framing", f"label for {actor}: {lb.text}")}
                           for lb, evs in labels]
        cell["loaded_terms"] += [{"text": lt.text,
                                  "links": ctx.ev_links(evs, "framing", f"loaded term: {lt.text}")}
                                 for lt, evs in terms]
    framing = {"outlets": framing_columns,
               "rows": [{"actor": ctx.actor(a) or a,
                         "cells": [framing_cells[a].get(o) for o in framing_columns]} for a in actor_order]}

    derivations = []
    for d in analysis.derivations:
        if d.source_article not in ids and d.derived_article not in ids:
            continue
        passages = [{"text": p.text,
                     "source": ctx.link(d.source_article, p.source_start, p.source_end, None, "passage",
                                        f"{d.kind} passage (source)"),
                     "derived": ctx.link(d.derived_article, p.derived_start, p.derived_end, None, "passage",
                                         f"{d.kind} passage (derived)")}
                    for p in d.passages]
        derivations.append({"source": ctx.article_ref(d.source_article), "derived": ctx.article_ref(d.derived_article),
                            "kind": d.kind, "score": d.score, "passages": passages,
                            "signals": [ctx.signal_refs(d.source_article), ctx.signal_refs(d.derived_article)]})

    nodes, edges = actor_network(analysis, story.id)
    net = layout(nodes, edges)
    names = {n.id: n.name for n in nodes}
    net["rows"] = [{"source": names[e.source], "target": names[e.target], "kind": e.kind, "weight": e.weight,
                    "types": sorted(e.types.items(), key=lambda kv: (-kv[1], kv[0])),
                    "links": ctx.ev_links(e.evidence, "event", f"{names[e.source]} → {names[e.target]} ({e.kind})")}
                   for e in edges]
    net["marker_prefix"] = f"arrow-{index}"

    return {"sid": f"story-{index}", "coverage": coverage_view(ctx, story), "events": events,
            "quote_groups": quote_groups, "framing": framing, "derivations": derivations, "network": net}
