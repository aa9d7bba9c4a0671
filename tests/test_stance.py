"""Claim-article stance: the shipped unsupervised scorer and ``crossread eval stance``."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from crossread.analyze.eval_stance import eval_stance_command, fnc_score
from crossread.analyze.stance import LABELS, classify_stance

CLAIM = "Apple will unveil a new Retina MacBook Air at its spring event"
AGREE = ("Apple will unveil a new Retina MacBook Air at its spring event next week. "
         "The Retina MacBook Air is expected to ship soon after the spring event, Apple confirmed.")
DISAGREE = ("A report that Apple will unveil a Retina MacBook Air at its spring event is false. "
            "Apple denied the rumor and called the claim about a new Retina MacBook Air a hoax, not true.")
DISCUSS = ("Apple could reportedly unveil a new MacBook Air with a Retina display, according to unconfirmed rumors. "
           "It is unclear whether the spring event will include the Retina MacBook Air, sources say.")
UNRELATED = "A cat found alive after being buried for five days clawed its way out of a grave in Florida."


def test_classify_stance():
    assert classify_stance(CLAIM, UNRELATED)[0] == "unrelated"
    assert classify_stance(CLAIM, DISAGREE)[0] == "disagree"
    assert classify_stance(CLAIM, DISCUSS)[0] == "discuss"
    assert classify_stance(CLAIM, AGREE)[0] == "agree"
    label, confidence = classify_stance("", "")
    assert label in LABELS and 0.0 <= confidence <= 1.0


def test_fnc_score():
    gold = ["agree", "unrelated", "discuss", "disagree"]
    assert fnc_score(gold, gold) == 1.0
    # related-but-wrong earns the 0.25 relatedness credit; unrelated wrongly called related earns nothing
    assert fnc_score(gold, ["discuss", "agree", "unrelated", "disagree"]) == (0.25 + 0 + 0 + 1.0) / 3.25


def test_eval_stance(tmp_path):
    bodies = {str(i): text for i, text in enumerate([AGREE, DISAGREE, DISCUSS, UNRELATED] * 3)}
    with (tmp_path / "x_bodies.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Body ID", "articleBody"])
        w.writerows(bodies.items())
    with (tmp_path / "x_stances.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Headline", "Body ID", "Stance"])
        for i in range(12):
            w.writerow([CLAIM, str(i), ["agree", "disagree", "discuss", "unrelated"][i % 4]])
            w.writerow(["Zombie cat claws its way out of grave", str(i), "unrelated" if i % 4 != 3 else "discuss"])
    out = tmp_path / "m.json"
    result = CliRunner().invoke(eval_stance_command, ["--data", str(tmp_path), "--folds", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())["metrics"]
    assert 0.0 <= metrics["fnc_score"] <= 1.0 and 0.0 <= metrics["macro_f1"] <= 1.0
