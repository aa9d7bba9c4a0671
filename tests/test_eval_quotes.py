"""`crossread eval quotes` on a tiny BRAT fixture (no shared data needed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.extract.eval_quotes import eval_quotes_command

TEXT = ("“We will not give up,” the Hamas leader said on Tuesday.\n\n"
        "His office stated that the abstention undermines their efforts.\n\n"
        "The weather was fine.\n")


def _ann(text: str) -> str:
    def pos(s: str) -> tuple[int, int]:
        i = text.index(s)
        return i, i + len(s)

    rows = []
    spans = [("Content", "“We will not give up,”"), ("Source", "the Hamas leader"), ("Cue", "said"),
             ("Source", "His office"), ("Cue", "stated"),
             ("Content", "that the abstention undermines their efforts")]
    for n, (label, s) in enumerate(spans, 1):
        a, b = pos(s)
        rows.append(f"T{n}\t{label} {a} {b}\t{s}")
    rows.append("E1\tAttribution:T3 Content:T1 Cue:T3 Source:T2")
    rows.append("E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6")
    return "\n".join(rows) + "\n"


def _fixture(root: Path) -> Path:
    for split in ("train", "dev"):
        (root / split / "text").mkdir(parents=True)
        (root / split / "attributions").mkdir(parents=True)
        (root / split / "text" / "art-one.txt").write_text(TEXT, encoding="utf-8")
        (root / split / "attributions" / "art-one_ab12.ann").write_text(_ann(TEXT), encoding="utf-8")
    return root


METRICS = [f"{role}_{mode}_{m}" for role in ("source", "cue", "content") for mode in ("exact", "overlap")
           for m in ("p", "r", "f1")]


def test_eval_quotes_writes_json(tmp_path: Path):
    data = _fixture(tmp_path / "polnear")
    out = tmp_path / "m.json"
    result = CliRunner().invoke(eval_quotes_command, ["--data", str(data), "--split", "dev", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "pipeline:" in result.output and "content" in result.output
    payload = json.loads(out.read_text())
    assert payload["task"] == "quotes" and payload["data"] == str(data)
    for name in METRICS:
        assert name in payload["metrics"]
    m = payload["metrics"]
    assert m["source_exact_f1"] == 100.0 and m["cue_exact_f1"] == 100.0 and m["content_exact_f1"] == 100.0
    assert payload["gold_attributions"] == 2


def test_eval_quotes_registered_in_cli(tmp_path: Path):
    data = _fixture(tmp_path / "polnear")
    out = tmp_path / "m.json"
    result = CliRunner().invoke(main, ["eval", "quotes", "--data", str(data), "--split", "dev",
                                       "--no-train", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["metrics"]["content_overlap_f1"] == 100.0


def test_eval_quotes_missing_split(tmp_path: Path):
    data = _fixture(tmp_path / "polnear")
    result = CliRunner().invoke(eval_quotes_command, ["--data", str(data), "--split", "test"])
    assert result.exit_code == 2


SHARED = Path(os.environ.get("CROSSREAD_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.mark.skipif(not (SHARED / "polnear" / "data" / "dev").is_dir(),
                    reason=f"PolNeAR dev not available under {SHARED}")
def test_eval_quotes_polnear_dev_smoke(tmp_path: Path):
    out = tmp_path / "m.json"
    result = CliRunner().invoke(eval_quotes_command, ["--data", str(SHARED / "polnear" / "data"), "--split", "dev",
                                                      "--limit", "10", "--train-limit", "20", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["metrics"]["cue_overlap_f1"] > 30
