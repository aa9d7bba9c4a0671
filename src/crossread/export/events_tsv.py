"""A GDELT-style event table: one tab-separated row per event, GDELT's column names where they mean
the same thing, crossread's own columns after them.

Actor 1 and 2 are the event's first source and first target (``events`` of the CSV/Parquet export
and the ``plover`` export list them all). ``SQLDATE`` is the publication date of the earliest
article that reports the event; ``GoldsteinScale`` and ``QuadClass`` come from the CAMEO code
(:mod:`crossread.extract.cameo`). Unlike GDELT's files the table has a header row, and a field holding
a tab, line break or double quote is quoted as in CSV, so that pandas, DuckDB and Python's csv module
read every field back as it was.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from crossread.extract import cameo
from crossread.export.view import Part, Selection, iter_parts
from crossread.fileio import open_atomic

COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1Type",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2Type",
    "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL",
    # crossread's own
    "PloverType", "PloverMode", "Negated", "Modality", "Trigger", "Actor1ID", "Actor2ID", "StoryID", "Outlets",
    "IndependentSources", "Confidence",
)


def _actor(part: Part, ids: list[str]) -> tuple[str, str, str, str, str]:
    """(code, name, country, type, id) of the first actor of ``ids``; empty strings for none."""
    if not ids:
        return "", "", "", "", ""
    info = part.actor(ids[0])
    if info is None:
        return "", ids[0], "", "", ids[0]
    return info.code, info.name, info.country or "", info.type or "", info.id


def _num(value: Any) -> str:
    return "" if value is None else str(value)


def _action_geo(event: Any) -> tuple[str, ...]:
    """GDELT's ActionGeo columns: type (1 country, 2 US state, 3 US city, 4 other city), the location as
    the text gives it (else the gazetteer's name), country (ISO 3166 alpha-3, not GDELT's FIPS code),
    first-order division (GeoNames code), coordinates, and the GeoNames id as the feature id."""
    if event.geonames_id is None:
        return "", event.location or "", "", "", "", "", ""
    kind = 1 if event.place_admin1 is None else 2 if event.latitude is None else 3 if event.place_country == "USA" else 4
    return (str(kind), event.location or event.place_name or "", event.place_country or "", event.place_admin1 or "",
            _num(event.latitude), _num(event.longitude), str(event.geonames_id))


def event_rows(part: Part) -> list[list[str]]:
    """The table's rows for one part, in the order of its events."""
    articles = {a.id: a for a in part.analysis.articles}
    rows = []
    for event in part.analysis.events:
        article_ids = list(dict.fromkeys(ev.article_id for ev in event.evidence))
        dated = sorted((part.article_dates.get(a) or "", a) for a in article_ids)
        day, first_id = dated[0] if dated else ("", None)
        first = articles.get(first_id or "")
        seen = "".join(ch for ch in part.first_seen.get(first_id or "", "") if ch.isdigit())[:14]
        code = event.cameo or ""
        a1 = _actor(part, event.source)
        a2 = _actor(part, event.target)
        rows.append([
            event.id, day.replace("-", ""), day.replace("-", "")[:6], day[:4],
            *a1[:4], *a2[:4],
            code, cameo.base_code(code) or "", event.cameo_root or "", _num(event.quad_class), _num(event.goldstein),
            str(len(event.evidence)), str(len(event.outlets)), str(len(article_ids)), *_action_geo(event), seen,
            (first.url or first.source) if first else "",
            event.plover, event.mode or "", "1" if event.negated else "0", event.modality, event.trigger,
            a1[4], a2[4], part.record_story(first_id) or "", "; ".join(event.outlets),
            str(event.independent_sources), _num(event.confidence),
        ])
    return rows


def export_events_tsv(store: Any, path: Path | str, selection: Selection = Selection()) -> int:
    """Write the event table to ``path`` (atomically); returns the number of events."""
    count = 0
    with open_atomic(Path(path), "w") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for part in iter_parts(store, selection):
            rows = event_rows(part)
            writer.writerows(rows)
            count += len(rows)
    return count
