"""`crossread export --format plover`: one PLOVER record per event, in the layout of the PLOVER gold
records, read back as JSON and compared with the store (and with the gold file's layout where the
shared data is present)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from tests.conftest import HOSTILE_ACTOR, HOSTILE_OUTLET, sql

PLOVER_FIELDS = {"id", "date", "source", "target", "event", "eventText", "mode", "context", "text", "language",
                 "publication", "coder", "version", "dateCoded"}


def _export(store: Path, path: Path) -> None:
    result = CliRunner().invoke(main, ["export", str(store), "--format", "plover", "-o", str(path)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def records(export_store: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    path = tmp_path_factory.mktemp("plover") / "events.jsonl"
    _export(export_store, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_one_record_per_event_with_the_plover_fields(export_store: Path, records: list[dict]) -> None:
    assert sorted(r["id"] for r in records) == sorted(r[0] for r in sql(export_store, "SELECT id FROM events"))
    stored = {r[0]: r[1:] for r in sql(export_store, "SELECT id, plover, mode, trigger, cameo FROM events")}
    for record in records:
        assert PLOVER_FIELDS <= set(record)
        plover, mode, trigger, code = stored[record["id"]]
        assert (record["event"], record["mode"], record["eventText"], record["cameo"]) == (plover, mode or "", trigger, code)
        assert record["coder"] == "crossread" and len(record["date"]) == 10


def test_actors_and_evidence_match_the_store(export_store: Path, records: list[dict]) -> None:
    roles: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for event_id, role, position, actor_id in sql(export_store, "SELECT event_id, role, position, actor_id FROM event_actors"):
        roles.setdefault((event_id, role), []).append((position, actor_id))
    actors = {r[0]: r[1:] for r in sql(export_store, "SELECT id, name, country FROM actors")}
    texts = dict(sql(export_store, "SELECT id, text FROM articles"))
    n_evidence = dict(sql(export_store, "SELECT event_id, count(*) FROM event_evidence GROUP BY event_id"))
    for record in records:
        for side in ("source", "target"):
            ids = [a for _, a in sorted(roles.get((record["id"], side), []))]
            assert [a["actorId"] for a in record[side]] == ids
            for actor in record[side]:
                name, country = actors[actor["actorId"]]
                assert actor["actorText"] == name and actor["code"] in (country, "IGO", "")
        assert len(record["evidence"]) == n_evidence[record["id"]]
        for ev in record["evidence"]:
            assert texts[ev["articleId"]][ev["start"]:ev["end"]] == ev["text"] and ev["text"] in ev["sentence"]
        assert record["text"] == record["evidence"][0]["sentence"]
    assert any(a["actorText"] == HOSTILE_ACTOR for r in records for a in r["source"] + r["target"])
    assert any(r["publication"] == HOSTILE_OUTLET for r in records)


def test_a_json_path_gets_one_array_like_the_gold_file(export_store: Path, records: list[dict], tmp_path: Path) -> None:
    _export(export_store, tmp_path / "events.json")
    assert json.loads((tmp_path / "events.json").read_text(encoding="utf-8")) == records


def test_the_layout_matches_the_gold_records(records: list[dict], shared_data: Path) -> None:
    gold_path = shared_data / "plover" / "PLOVER_GSR_CAMEO.txt"
    if not gold_path.is_file():
        pytest.skip(f"no PLOVER gold records at {gold_path}")
    gold = [g for g in json.loads(gold_path.read_text(encoding="utf-8")) if g.get("event") != "DOCUMENT"]
    gold_types: dict[str, set[type]] = {}
    for g in gold:
        for key, value in g.items():
            gold_types.setdefault(key, set()).add(type(value))
    actor_keys = {k for g in gold for side in ("source", "target") if isinstance(g.get(side), list)
                  for a in g[side] for k in a}
    for record in records:
        for key in PLOVER_FIELDS:
            assert type(record[key]) in gold_types[key], key
        for actor in record["source"] + record["target"]:
            assert {"actorText", "code"} <= set(actor) and {"actorText", "code"} <= actor_keys
