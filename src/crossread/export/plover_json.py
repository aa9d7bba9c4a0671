"""Events as PLOVER records: the field layout of the PLOVER gold-standard records
(``PLOVER_GSR_CAMEO.txt`` of the PLOVER project), one record per event, plus crossread's evidence.

The PLOVER fields: ``id``, ``date`` (the publication date of the earliest article reporting the
event), ``source``/``target`` (lists of ``{"actorText", "code"}``: the actor's name and its CAMEO-style
code, a country's ISO 3166 alpha-3 or ``IGO``, and ``sector``, the CAMEO agent code, where crossread
found one — GOV, MIL, LEG, REB, … — left out otherwise, as in gold records where it is not known), ``event`` (the PLOVER type), ``eventText`` (the trigger), ``mode``, ``context`` (empty:
crossread does not type contexts), ``text`` (the sentence), ``language``, ``publication`` (the outlet),
``coder``, ``version``, ``dateCoded`` (the day the article was stored) and ``eventLoc``. crossread's
additions: ``cameo``, ``negated``, ``modality``, ``confidence``, ``storyId``, ``outlets``,
``independentSources``, ``actorId``/``type``/``role`` on each actor, and ``evidence`` (every sentence
behind the event, with its article, outlet, URL, date and offsets).

Written as JSON Lines (one record a line), or as one JSON array like the gold file when the path ends
in ``.json``; either way streamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crossread import __version__
from crossread.export.view import Part, Selection, iter_parts
from crossread.fileio import open_atomic
from crossread.records import Article, Event


def _actors(part: Part, ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for actor_id in ids:
        info = part.actor(actor_id)
        if info is None:
            out.append({"actorText": actor_id, "code": "", "actorId": actor_id})
            continue
        actor: dict[str, Any] = {"actorText": info.name, "code": info.country_code, "actorId": info.id,
                                 "type": info.type}
        if info.sector:
            actor["sector"] = info.sector
        if info.role:
            actor["role"] = info.role
        out.append(actor)
    return out


def plover_records(part: Part) -> Iterator[dict[str, Any]]:
    """The part's events in the PLOVER gold records' layout (see the module docstring)."""
    articles = {a.id: a for a in part.analysis.articles}
    for event in part.analysis.events:
        yield _record(part, articles, event)


def _record(part: Part, articles: dict[str, Article], event: Event) -> dict[str, Any]:
    first = event.evidence[0] if event.evidence else None
    article = articles.get(first.article_id) if first else None
    dates = sorted(d for d in (part.article_dates.get(ev.article_id) for ev in event.evidence) if d)
    record: dict[str, Any] = {
        "id": event.id,
        "date": dates[0] if dates else "",
        "source": _actors(part, event.source),
        "target": _actors(part, event.target),
        "event": event.plover,
        "eventText": event.trigger,
        "mode": event.mode or "",
        "context": "",
        "text": first.sentence if first else "",
        "language": (article.language if article else None) or "",
        "publication": (article.outlet if article else None) or "",
        "coder": "crossread",
        "version": __version__,
        "dateCoded": (part.first_seen.get(first.article_id) or "")[:10] if first else "",
    }
    if event.location or event.geonames_id is not None:
        # the place as the text gives it, and its GeoNames entry where one was resolved
        record["eventLoc"] = {"name": event.location or event.place_name}
        if event.geonames_id is not None:
            record["eventLoc"].update({"geonamesId": event.geonames_id, "placeName": event.place_name,
                                       "country": event.place_country, "admin1": event.place_admin1,
                                       "lat": event.latitude, "lon": event.longitude, "source": event.place_source})
    evidence = []
    for ev in event.evidence:
        source = articles.get(ev.article_id)
        evidence.append({"articleId": ev.article_id, "outlet": source.outlet if source else None,
                         "url": source.url if source else None, "date": part.article_dates.get(ev.article_id),
                         "start": ev.start, "end": ev.end,
                         "text": source.text[ev.start:ev.end] if source else None, "sentence": ev.sentence})
    # "date" is the story's (publication) date, as in the gold records; when the event happened is crossread's
    record.update({"eventDate": event.date, "eventDateSource": event.date_source,
                   "cameo": event.cameo, "negated": event.negated, "modality": event.modality,
                   "confidence": event.confidence, "storyId": part.record_story(first.article_id if first else None),
                   "outlets": event.outlets, "independentSources": event.independent_sources, "evidence": evidence})
    return record


def export_plover(store: Any, path: Path | str, selection: Selection = Selection()) -> int:
    """Write every selected event as a PLOVER record to ``path`` (atomically); returns the count."""
    path = Path(path)
    as_array = path.suffix.lower() == ".json"
    count = 0
    with open_atomic(path, "w") as handle:
        if as_array:
            handle.write("[")
        for part in iter_parts(store, selection):
            for record in plover_records(part):
                line = json.dumps(record, ensure_ascii=False)
                if as_array:
                    handle.write(("\n" if count == 0 else ",\n") + line)
                else:
                    handle.write(line + "\n")
                count += 1
        if as_array:
            handle.write("\n]\n")
    return count
