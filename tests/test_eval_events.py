"""``crossread eval events`` on tiny fixtures (no shared data needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.extract import eval_events
from crossread.extract.eval_events import eval_events_command, run_eval, triple_scores
from crossread.extract.plover import PloverTypeModel

from test_extract_events import TINY, parsed, write_plv

GOLD = [
    {"id": "PLOVER-GSR01-DOCUMENT-0001", "event": "DOCUMENT", "eventText": "doc"},
    {"id": "g1", "event": "FIGHT", "text": "Rebels attacked the army.",
     "source": [{"actorText": "Rebels"}], "target": [{"actorText": "army"}],
     "textInfo": {"markup": "(SRC: Rebels) (EVT: attacked) the (TAR: army)."}},
    {"id": "g2", "event": "CONSULT", "text": "The envoy visited Kyiv.",
     "source": [{"actorText": "envoy"}], "target": [{"actorText": "Kyiv"}],
     "textInfo": {"markup": "The (SRC: envoy) (EVT: visited) (TAR: Kyiv)."}},
]


def make_data(tmp_path: Path) -> Path:
    data = tmp_path / "plover"
    (data / "plv").mkdir(parents=True)
    write_plv(data / "plv" / "PLV_train.tsv", TINY * 2)
    (data / "PLOVER_GSR_CAMEO.txt").write_text(json.dumps(GOLD), encoding="utf-8")
    return data


def test_eval_command_writes_json(tmp_path, monkeypatch):
    monkeypatch.setattr(eval_events, "_load_parser", lambda: None)
    data = make_data(tmp_path)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(eval_events_command, ["--data", str(data), "--folds", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "parser unavailable" in result.output
    payload = json.loads(out.read_text())
    assert payload["task"] == "events" and payload["data"] == str(data)
    metrics = payload["metrics"]
    for name in ("plover_accuracy", "plover_macro_f1", "triple_p", "triple_r", "triple_f1"):
        assert name in metrics
    assert 0.0 <= metrics["plover_accuracy"] <= 1.0
    assert metrics["n"] == 18
    assert metrics["gsr_n"] == 2


def test_eval_with_file(tmp_path, monkeypatch):
    monkeypatch.setattr(eval_events, "_load_parser", lambda: None)
    data = make_data(tmp_path)
    other = tmp_path / "other.tsv"
    write_plv(other, [("<s>Israel</s> bombed <t>Gaza</t>.", "ASSAULT"),
                      ("<s>Police</s> detained <t>the mayor</t>.", "COERCE")])
    metrics = run_eval(data, other, parser=None)
    assert metrics["n"] == 2 and metrics["plover_accuracy"] == 1.0


def test_triples_with_hand_parser():
    doc = parsed([("Israel", 1, "nsubj", "PROPN", "Israel", "B-GPE"), ("bombed", 1, "ROOT", "VERB", "bomb", "O"),
                  ("Gaza", 1, "obj", "PROPN", "Gaza", "B-GPE"), (".", 1, "punct", "PUNCT", ".", "O")])
    model = PloverTypeModel.train([m for m, _ in TINY], [y for _, y in TINY])
    item = {"sentence": doc.text, "source": "Israel", "target": "Gaza", "type": "ASSAULT"}
    scores = triple_scores([item], lambda text: doc, [model])
    assert scores["p"] == 1.0 and scores["r"] == 1.0 and scores["f1"] == 1.0


SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "plover"


@pytest.mark.skipif(not (SHARED / "plv" / "PLV_train.tsv").exists(), reason="shared PLOVER data absent")
def test_shared_crosswalk_roots():
    from crossread.extract.plover import ROOT_CAMEO, Crosswalk, parse_crosswalk

    cw = Crosswalk(parse_crosswalk(SHARED / "CAMEO2PLOVER-2021.txt"))
    assert {t: cw.cameo_for(t) for t in ROOT_CAMEO} == ROOT_CAMEO
