"""JSON Lines export of a store: one file per record kind, streamed story by story.

For stores too large for one ``analysis.json``. Each line is one record exactly as in
``analysis.json`` (the same JSON Schema definitions), with two differences, both stated in
``manifest.json``: records of stories carry the ``story_id`` they belong to, and framing
records are per story, outlet and actor (``analysis.json`` sums them over the stories).
Memory holds one chunk of stories at a time (:func:`crossread.export.view.iter_parts`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from crossread.export.view import Selection, iter_parts, record_actor_ids
from crossread.fileio import write_text_atomic
from crossread.records import SCHEMA_VERSION, to_dict

KINDS = ("articles", "stories", "actors", "events", "quotes", "claims", "derivations", "framing")


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_jsonl(store: Any, folder: Path | str, selection: Selection = Selection()) -> dict[str, int]:
    """Write ``folder/<kind>.jsonl`` for every record kind and ``folder/manifest.json``; returns the counts.

    With a selection (one story, or the stories since a day: :mod:`crossread.export.view`), the
    actors are those its records name. Files are written under temporary names and renamed at the
    end, so a reader never sees a half-written export next to a complete one."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(KINDS, 0)
    handles: dict[str, TextIO] = {k: (folder / f".{k}.jsonl.tmp").open("w", encoding="utf-8") for k in KINDS}
    named: set[str] = set()
    try:
        for part in iter_parts(store, selection):
            for article in part.analysis.articles:
                handles["articles"].write(_line(to_dict(article)))
                counts["articles"] += 1
            for story in part.analysis.stories:
                handles["stories"].write(_line(to_dict(story)))
                counts["stories"] += 1
            for kind in ("events", "quotes", "claims", "derivations"):
                for record in getattr(part.analysis, kind):
                    data = to_dict(record)
                    handles[kind].write(_line({"story_id": part.record_story(_first_article(kind, record)), **data}))
                    counts[kind] += 1
            for story_id, frames in part.framing.items():
                for frame in frames:
                    handles["framing"].write(_line({"story_id": story_id, **to_dict(frame)}))
                    counts["framing"] += 1
            if selection != Selection():
                named |= record_actor_ids(part.analysis)
        for actor in _iter_actors(store, None if selection == Selection() else sorted(named)):
            handles["actors"].write(_line(to_dict(actor)))
            counts["actors"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    for kind in KINDS:
        (folder / f".{kind}.jsonl.tmp").replace(folder / f"{kind}.jsonl")
    manifest = {"schema_version": SCHEMA_VERSION, "format": "crossread JSON Lines",
                "selection": {"story": selection.story, "since": selection.since},
                "files": {k: f"{k}.jsonl" for k in KINDS}, "counts": counts,
                "notes": ["each line is a record as in analysis.json (docs/schema/analysis.schema.json)",
                          "events, quotes, claims, derivations and framing carry the story_id they belong to",
                          "framing is per story, outlet and actor; analysis.json sums it over the stories"]}
    write_text_atomic(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return counts


def _first_article(kind: str, record: Any) -> str | None:
    if kind == "derivations":
        return record.derived_article
    if kind == "quotes":
        return record.evidence.article_id
    return record.evidence[0].article_id if record.evidence else None


def _iter_actors(store: Any, ids: list[str] | None = None) -> Iterator[Any]:
    """Every actor (or these) with all its mentions, a chunk of actors at a time."""
    ids = store.actor_ids() if ids is None else ids
    for start in range(0, len(ids), 500):
        yield from store.actors(ids[start:start + 500])
