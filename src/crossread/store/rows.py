"""Records to table rows and back: the one place that knows how each record kind is laid out.

Evidence keeps offsets, not text: a sentence is stored as its slice of the article text
(:func:`crossread.store.codec.sentence_offsets`), so rebuilding a record needs the article text.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from crossread.analyze import record_outlets
from crossread.extract import ArticleRecords
from crossread.records import (
    Actor,
    Article,
    Claim,
    ClaimRelation,
    Derivation,
    Event,
    Evidence,
    Framing,
    Label,
    LoadedTerm,
    Mention,
    Passage,
    Quote,
    Removed,
    Signal,
    sorted_labels,
    sorted_terms,
)
from crossread.store.codec import pack_sparse, sentence_from, sentence_offsets
from crossread.store.schema import PLACE_COLUMNS

Row = dict[str, Any]


class RecordLayoutError(ValueError):
    """A record the store cannot hold as it is (e.g. evidence outside its article)."""


# --------------------------------------------------------------------------- evidence


def span_row(text: str, start: int, end: int, sentence: str | None, prefix: str = "") -> Row:
    ss, se, st = sentence_offsets(text, start, end, sentence)
    return {f"{prefix}char_start": start, f"{prefix}char_end": end, f"{prefix}sentence_start": ss,
            f"{prefix}sentence_end": se, f"{prefix}sentence_text": st}


def evidence_row(texts: Mapping[str, str], ev: Evidence) -> Row:
    text = texts.get(ev.article_id)
    if text is None:
        raise RecordLayoutError(f"evidence points to article {ev.article_id!r}, which is not stored")
    return {"article_id": ev.article_id, **span_row(text, ev.start, ev.end, ev.sentence)}


def evidence_of(row: Mapping[str, Any], texts: Mapping[str, str]) -> Evidence:
    text = texts[row["article_id"]]
    return Evidence(article_id=row["article_id"], start=row["char_start"], end=row["char_end"],
                    sentence=sentence_from(text, row["sentence_start"], row["sentence_end"], row["sentence_text"]) or "")


# --------------------------------------------------------------------------- articles


def article_rows(article: Article, *, seq: int, date: str, first_seen: str, nlp_pipeline_id: int | None
                 ) -> dict[str, list[Row]]:
    return {
        "articles": [{
            "seq": seq, "id": article.id, "source": article.source, "url": article.url, "outlet": article.outlet,
            "title": article.title, "published": article.published, "date": date, "first_seen": first_seen,
            "language": article.language, "format": article.format, "word_count": article.word_count,
            "text": article.text, "story_id": None, "nlp_pipeline_id": nlp_pipeline_id,
        }],
        "removed_chrome": [{"article_id": article.id, "position": i, "text": r.text, "reason": r.reason}
                           for i, r in enumerate(article.removed)],
        "article_authors": [{"article_id": article.id, "position": i, "name": name}
                            for i, name in enumerate(article.authors)],
        "signals": [{"article_id": article.id, "position": i, "kind": s.kind, "text": s.text,
                     "char_start": s.start, "char_end": s.end} for i, s in enumerate(article.signals)],
    }


def article_of(row: Mapping[str, Any], removed: Iterable[Mapping[str, Any]] = (),
               signals: Iterable[Mapping[str, Any]] = (), authors: Iterable[Mapping[str, Any]] = ()) -> Article:
    """The Article of an ``articles`` row and its child rows (each in ``position`` order)."""
    return Article(
        id=row["id"], source=row["source"], outlet=row["outlet"], title=row["title"], published=row["published"],
        language=row["language"], text=row["text"], url=row["url"], format=row["format"],
        authors=[r["name"] for r in authors],
        removed=[Removed(text=r["text"], reason=r["reason"]) for r in removed],
        signals=[Signal(kind=s["kind"], text=s["text"], start=s["char_start"], end=s["char_end"]) for s in signals],
    )


def published_date(published: str | None) -> str | None:
    """The YYYY-MM-DD date of a publication time, None when it has none."""
    day = (published or "").strip()[:10]
    try:
        _dt.date.fromisoformat(day)
    except ValueError:
        return None
    return day


def feature_row(features: Any) -> Row:
    """The ``story_features`` row of one article's :class:`~crossread.link.story_assign.StoryFeatures`."""
    return {"article_id": features.article_id, "day": features.day, "order_key": features.order_key,
            "vector": pack_sparse(features.indices, features.values),
            "entities": "\n".join(sorted(features.entities))}


# --------------------------------------------------------------------------- what one article says


def place_row(event: Event) -> Row:
    """The event's gazetteer place as columns (:data:`crossread.store.schema.PLACE_COLUMNS`)."""
    return {name: getattr(event, name) for name in PLACE_COLUMNS}


def place_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The Event fields of a row's place columns (absent columns: None)."""
    return {name: row.get(name) for name in PLACE_COLUMNS}


def _single(evidence: Sequence[Evidence], what: str, record_id: str) -> Evidence:
    if len(evidence) != 1:
        raise RecordLayoutError(f"{what} {record_id} has {len(evidence)} evidence spans; an extracted "
                                f"{what} has exactly one")
    return evidence[0]


def extraction_rows(article: Article, records: ArticleRecords) -> dict[str, list[Row]]:
    """Rows of the ``article_*`` tables (and ``actor_mentions``) for one article's extracted records."""
    aid, text = article.id, article.text
    texts = {aid: text}
    out: dict[str, list[Row]] = defaultdict(list)
    from crossread.link.actor_resolve import merge_key, surname_of

    seen: set[str] = set()
    for position, actor in enumerate(records.actors):
        if actor.id in seen:
            raise RecordLayoutError(f"actor id {actor.id} appears twice in article {aid}")
        seen.add(actor.id)
        out["article_actors"].append({
            "article_id": aid, "local_id": actor.id, "position": position, "name": actor.name, "type": actor.type,
            "role": actor.role, "country": actor.country, "merge_key": merge_key(actor),
            "surname": surname_of(actor), "mentions": len(actor.mentions), "actor_id": None,
            "sector": actor.sector})
        out["article_actor_aliases"] += [{"article_id": aid, "local_id": actor.id, "position": i, "alias": alias}
                                         for i, alias in enumerate(actor.aliases)]
        out["actor_mentions"] += [{"article_id": aid, "local_id": actor.id, "position": i, "text": m.text,
                                   **span_row(text, m.start, m.end, m.sentence)} for i, m in enumerate(actor.mentions)]
    for position, event in enumerate(records.events):
        ev = _single(event.evidence, "event", event.id)
        out["article_events"].append({
            "article_id": aid, "local_id": event.id, "position": position, "plover": event.plover, "mode": event.mode,
            "cameo": event.cameo, "trigger": event.trigger, "negated": event.negated, "modality": event.modality,
            "date": event.date, "date_source": event.date_source, "location": event.location,
            **place_row(event), "confidence": event.confidence,
            **span_row(text, ev.start, ev.end, ev.sentence)})
        for role, ids in (("source", event.source), ("target", event.target)):
            out["article_event_actors"] += [{"article_id": aid, "event_position": position, "role": role,
                                             "position": i, "actor_local_id": a} for i, a in enumerate(ids)]
    for position, quote in enumerate(records.quotes):
        if quote.also_in:
            raise RecordLayoutError(f"quote {quote.id}: an extracted quote has no also_in evidence")
        out["article_quotes"].append({
            "article_id": aid, "local_id": quote.id, "position": position, "speaker_local_id": quote.speaker,
            "speaker_text": quote.speaker_text, "cue": quote.cue, "content": quote.content, "kind": quote.kind,
            "confidence": quote.confidence,
            **span_row(text, quote.evidence.start, quote.evidence.end, quote.evidence.sentence)})
    for position, claim in enumerate(records.claims):
        ev = _single(claim.evidence, "claim", claim.id)
        out["article_claims"].append({
            "article_id": aid, "local_id": claim.id, "position": position, "text": claim.text,
            "attributed_local_id": claim.attributed_to, "negated": claim.negated, "hedged": claim.hedged,
            "confidence": claim.confidence, **span_row(text, ev.start, ev.end, ev.sentence)})
    for framing in records.framing:
        for kind, items in (("label", framing.labels), ("loaded_term", framing.loaded_terms)):
            for item in items:
                if kind == "label" and item.count != len(item.evidence):
                    raise RecordLayoutError(f"label {item.text!r} counts {item.count} uses but has "
                                            f"{len(item.evidence)} evidence spans")
                out["article_framing"] += [{"article_id": aid, "actor_local_id": framing.actor, "kind": kind,
                                            "term": item.text, "position": i, **evidence_row(texts, ev)}
                                           for i, ev in enumerate(item.evidence)]
    return dict(out)


def _by(rows: Iterable[Mapping[str, Any]], *keys: str) -> dict[tuple, list[Mapping[str, Any]]]:
    grouped: dict[tuple, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[tuple(row[k] for k in keys)].append(row)
    for members in grouped.values():
        members.sort(key=lambda r: r["position"])
    return grouped


def records_of(article: Article, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> ArticleRecords:
    """Inverse of :func:`extraction_rows` (rows of this one article)."""
    aid, text = article.id, article.text
    texts = {aid: text}
    outlet = [article.outlet] if article.outlet else []
    aliases = _by(tables.get("article_actor_aliases", ()), "local_id")
    mentions = _by(tables.get("actor_mentions", ()), "local_id")
    actors = [Actor(id=r["local_id"], name=r["name"], type=r["type"],
                    aliases=[a["alias"] for a in aliases.get((r["local_id"],), [])],
                    mentions=[Mention(article_id=aid, start=m["char_start"], end=m["char_end"],
                                      sentence=sentence_from(text, m["sentence_start"], m["sentence_end"],
                                                             m["sentence_text"]) or "", text=m["text"])
                              for m in mentions.get((r["local_id"],), [])],
                    role=r["role"], country=r["country"], sector=r.get("sector"))
              for r in sorted(tables.get("article_actors", ()), key=lambda r: r["position"])]
    roles = _by(tables.get("article_event_actors", ()), "event_position", "role")
    events = [Event(id=r["local_id"], plover=r["plover"], mode=r["mode"], cameo=r["cameo"],
                    source=[a["actor_local_id"] for a in roles.get((r["position"], "source"), [])],
                    target=[a["actor_local_id"] for a in roles.get((r["position"], "target"), [])],
                    trigger=r["trigger"], negated=bool(r["negated"]), modality=r["modality"], date=r["date"],
                    location=r["location"], evidence=[evidence_of({**r, "article_id": aid}, texts)], outlets=list(outlet),
                    confidence=r.get("confidence"), date_source=r.get("date_source"), **place_fields(r))
              for r in sorted(tables.get("article_events", ()), key=lambda r: r["position"])]
    quotes = [Quote(id=r["local_id"], speaker=r["speaker_local_id"], speaker_text=r["speaker_text"], cue=r["cue"],
                    content=r["content"], kind=r["kind"], evidence=evidence_of({**r, "article_id": aid}, texts),
                    confidence=r.get("confidence"))
              for r in sorted(tables.get("article_quotes", ()), key=lambda r: r["position"])]
    claims = [Claim(id=r["local_id"], text=r["text"], attributed_to=r["attributed_local_id"],
                    evidence=[evidence_of({**r, "article_id": aid}, texts)], outlets=list(outlet),
                    negated=bool(r.get("negated")), hedged=bool(r.get("hedged")), confidence=r.get("confidence"))
              for r in sorted(tables.get("article_claims", ()), key=lambda r: r["position"])]
    return ArticleRecords(actors=actors, events=events, quotes=quotes, claims=claims,
                          framing=framing_of(article, tables.get("article_framing", ())))


def framing_of(article: Article, rows: Iterable[Mapping[str, Any]]) -> list[Framing]:
    """Per-article framing records (one per actor, labels and loaded terms sorted as extraction sorts them)."""
    texts = {article.id: article.text}
    by_actor: dict[str, tuple[dict[str, Label], dict[str, LoadedTerm]]] = {}
    order: list[str] = []
    for row in sorted(rows, key=lambda r: (r["actor_local_id"], r["kind"], r["term"], r["position"])):
        if row["actor_local_id"] not in by_actor:
            by_actor[row["actor_local_id"]] = ({}, {})
            order.append(row["actor_local_id"])
        labels, terms = by_actor[row["actor_local_id"]]
        ev = evidence_of({**row, "article_id": article.id}, texts)
        if row["kind"] == "label":
            label = labels.setdefault(row["term"], Label(text=row["term"], count=0))
            label.count += 1
            label.evidence.append(ev)
        else:
            terms.setdefault(row["term"], LoadedTerm(text=row["term"])).evidence.append(ev)
    outlet = article.outlet or "unknown"
    return [Framing(outlet=outlet, actor=a, labels=sorted_labels(by_actor[a][0].values()),
                    loaded_terms=sorted_terms(by_actor[a][1].values())) for a in order]


# --------------------------------------------------------------------------- across the articles of a story


def story_record_rows(story_id: str, texts: Mapping[str, str], events: Sequence[Event], quotes: Sequence[Quote],
                      claims: Sequence[Claim], derivations: Sequence[Derivation],
                      framing: Sequence[Framing]) -> dict[str, list[Row]]:
    """Rows of the per-story tables for one story's cross-source records."""
    out: dict[str, list[Row]] = defaultdict(list)
    for position, e in enumerate(events):
        out["events"].append({"id": e.id, "story_id": story_id, "position": position, "plover": e.plover,
                              "mode": e.mode, "cameo": e.cameo, "trigger": e.trigger, "negated": e.negated,
                              "modality": e.modality, "date": e.date, "date_source": e.date_source,
                              "location": e.location, **place_row(e),
                              "outlets": len(e.outlets), "independent_sources": e.independent_sources,
                              "confidence": e.confidence})
        for role, ids in (("source", e.source), ("target", e.target)):
            out["event_actors"] += [{"event_id": e.id, "role": role, "position": i, "actor_id": a}
                                    for i, a in enumerate(ids)]
        out["event_evidence"] += [{"event_id": e.id, "position": i, **evidence_row(texts, ev)}
                                  for i, ev in enumerate(e.evidence)]
    for position, q in enumerate(quotes):
        out["quotes"].append({"id": q.id, "story_id": story_id, "position": position, "speaker_id": q.speaker,
                              "speaker_text": q.speaker_text, "cue": q.cue, "content": q.content, "kind": q.kind,
                              "outlets": len(q.outlets), "independent_sources": q.independent_sources,
                              "confidence": q.confidence})
        out["quote_evidence"] += [{"quote_id": q.id, "position": i, **evidence_row(texts, ev)}
                                  for i, ev in enumerate([q.evidence, *q.also_in])]
    for position, c in enumerate(claims):
        out["claims"].append({"id": c.id, "story_id": story_id, "position": position, "text": c.text,
                              "attributed_to": c.attributed_to, "status": c.status, "outlets": len(c.outlets),
                              "independent_sources": c.independent_sources, "negated": c.negated,
                              "hedged": c.hedged, "confidence": c.confidence})
        out["claim_evidence"] += [{"claim_id": c.id, "position": i, **evidence_row(texts, ev)}
                                  for i, ev in enumerate(c.evidence)]
        for i, r in enumerate(c.relations):
            span = (evidence_row(texts, r.evidence) if r.evidence is not None else
                    {"article_id": r.article_id, "char_start": None, "char_end": None, "sentence_start": None,
                     "sentence_end": None, "sentence_text": None})
            out["claim_relations"].append({"claim_id": c.id, "position": i, **span, "article_id": r.article_id,
                                           "stance": r.stance, "score": float(r.score), "speaker_id": r.speaker,
                                           "confidence": r.confidence})
    for position, d in enumerate(derivations):
        out["derivations"].append({"story_id": story_id, "source_article_id": d.source_article,
                                   "derived_article_id": d.derived_article, "position": position, "kind": d.kind,
                                   "score": float(d.score)})
        out["derivation_passages"] += [{"source_article_id": d.source_article, "derived_article_id": d.derived_article,
                                        "position": i, "source_start": p.source_start, "source_end": p.source_end,
                                        "derived_start": p.derived_start, "derived_end": p.derived_end}
                                       for i, p in enumerate(d.passages)]
    for f in framing:
        for table, column, items in (("labels", "label", f.labels), ("loaded_terms", "term", f.loaded_terms)):
            for item in items:
                out[table] += [{"story_id": story_id, "outlet": f.outlet, "actor_id": f.actor, column: item.text,
                                "position": i, **evidence_row(texts, ev)} for i, ev in enumerate(item.evidence)]
    return dict(out)


def story_summary(output: Any, outlet_of: Mapping[str, str | None], published_of: Mapping[str, str | None]) -> Row:
    """The ``stories`` columns the story stage fills for one :class:`~crossread.analyze.story.StoryOutput`
    (``outlet_of`` / ``published_of``: article id -> outlet / publication time, for the story's articles):
    its title, dates and counts, as the report counts them (:mod:`crossread.report.source`): published
    dates only; a claim is contradicted when an article of the story contradicts it."""
    from crossread.analyze.coverage import outlet_column

    dates = sorted(d for p in published_of.values() if (d := published_date(p)))
    contradicted = sum(any(r.stance == "contradicts" for r in c.relations) if c.relations
                       else c.status == "contradicted" for c in output.claims)
    return {"title": output.story.title, "first_date": dates[0] if dates else None,
            "last_date": dates[-1] if dates else None, "articles": len(outlet_of),
            "outlets": len({outlet_column(o, a) for a, o in outlet_of.items()}), "events": len(output.events),
            "quotes": len(output.quotes), "claims": len(output.claims), "contradicted_claims": contradicted,
            "derivations": len(output.derivations)}


def story_records_of(tables: Mapping[str, Sequence[Mapping[str, Any]]], texts: Mapping[str, str],
                     outlet_of: Mapping[str, str | None]) -> dict[str, list[Any]]:
    """Inverse of :func:`story_record_rows` over the rows of one or more stories (in story, position order)."""
    actors = _by(tables.get("event_actors", ()), "event_id", "role")
    evidence = _by(tables.get("event_evidence", ()), "event_id")
    events = []
    for r in tables.get("events", ()):
        evs = [evidence_of(e, texts) for e in evidence.get((r["id"],), [])]
        events.append(Event(
            id=r["id"], plover=r["plover"], mode=r["mode"], cameo=r["cameo"],
            source=[a["actor_id"] for a in actors.get((r["id"], "source"), [])],
            target=[a["actor_id"] for a in actors.get((r["id"], "target"), [])],
            trigger=r["trigger"], negated=bool(r["negated"]), modality=r["modality"], date=r["date"],
            location=r["location"], evidence=evs, outlets=record_outlets((e.article_id for e in evs), outlet_of),
            independent_sources=r["independent_sources"], confidence=r.get("confidence"),
            date_source=r.get("date_source"), **place_fields(r)))
    quote_evidence = _by(tables.get("quote_evidence", ()), "quote_id")
    quotes = []
    for r in tables.get("quotes", ()):
        evs = [evidence_of(e, texts) for e in quote_evidence.get((r["id"],), [])]
        quotes.append(Quote(id=r["id"], speaker=r["speaker_id"], speaker_text=r["speaker_text"], cue=r["cue"],
                            content=r["content"], kind=r["kind"], evidence=evs[0], also_in=evs[1:],
                            outlets=record_outlets((e.article_id for e in evs), outlet_of),
                            independent_sources=r["independent_sources"], confidence=r.get("confidence")))
    claim_evidence = _by(tables.get("claim_evidence", ()), "claim_id")
    relations = _by(tables.get("claim_relations", ()), "claim_id")
    claims = []
    for r in tables.get("claims", ()):
        evs = [evidence_of(e, texts) for e in claim_evidence.get((r["id"],), [])]
        rels = [ClaimRelation(article_id=x["article_id"], outlet=outlet_of.get(x["article_id"]), stance=x["stance"],
                              score=x["score"],
                              evidence=evidence_of(x, texts) if x["char_start"] is not None else None,
                              speaker=x.get("speaker_id"), confidence=x.get("confidence"))
                for x in relations.get((r["id"],), [])]
        claims.append(Claim(id=r["id"], text=r["text"], attributed_to=r["attributed_to"], evidence=evs,
                            outlets=record_outlets((e.article_id for e in evs), outlet_of), status=r["status"],
                            independent_sources=r["independent_sources"], relations=rels,
                            negated=bool(r.get("negated")), hedged=bool(r.get("hedged")), confidence=r.get("confidence")))
    passages = _by(tables.get("derivation_passages", ()), "source_article_id", "derived_article_id")
    derivations = []
    for r in tables.get("derivations", ()):
        source_text = texts[r["source_article_id"]]
        derivations.append(Derivation(
            source_article=r["source_article_id"], derived_article=r["derived_article_id"], kind=r["kind"],
            score=r["score"],
            passages=[Passage(p["source_start"], p["source_end"], p["derived_start"], p["derived_end"],
                              source_text[p["source_start"]:p["source_end"]])
                      for p in passages.get((r["source_article_id"], r["derived_article_id"]), [])]))
    return {"events": events, "quotes": quotes, "claims": claims, "derivations": derivations,
            "framing": framing_rows_of(tables.get("labels", ()), tables.get("loaded_terms", ()), texts)}


def framing_rows_of(label_rows: Iterable[Mapping[str, Any]], term_rows: Iterable[Mapping[str, Any]],
                    texts: Mapping[str, str]) -> list[Framing]:
    """Framing records per (outlet, actor) from label and loaded-term rows, summed over the stories given."""
    merged: dict[tuple[str, str], tuple[dict[str, Label], dict[str, LoadedTerm]]] = {}
    for row in label_rows:
        labels, _ = merged.setdefault((row["outlet"], row["actor_id"]), ({}, {}))
        label = labels.setdefault(row["label"], Label(text=row["label"], count=0))
        label.count += 1
        label.evidence.append(evidence_of(row, texts))
    for row in term_rows:
        _, terms = merged.setdefault((row["outlet"], row["actor_id"]), ({}, {}))
        terms.setdefault(row["term"], LoadedTerm(text=row["term"])).evidence.append(evidence_of(row, texts))
    return [Framing(outlet=o, actor=a, labels=sorted_labels(lbs.values()), loaded_terms=sorted_terms(ts.values()))
            for (o, a), (lbs, ts) in sorted(merged.items())]
