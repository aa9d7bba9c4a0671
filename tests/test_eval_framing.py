"""``crossread eval framing`` on tiny BASIL/BABE-shaped fixtures written into tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crossread.cli import main

SENTENCES = [
    ["The senator slammed the brutal crackdown on Tuesday."],
    ["Officials met in the capital to discuss the budget."],
    ["Critics called it propaganda, and the regime denied it."],
]


def write_basil(root: Path) -> None:
    (root / "basil" / "articles" / "2020").mkdir(parents=True)
    (root / "basil" / "annotations" / "2020").mkdir(parents=True)
    article = {"title": "t", "uuid": "u1", "source": "nyt", "triplet-uuid": "t1", "body-paragraphs": SENTENCES}
    (root / "basil" / "articles" / "2020" / "t1_1.json").write_text(json.dumps(article), encoding="utf-8")
    s0 = SENTENCES[0][0]
    s2 = SENTENCES[2][0]
    anns = [
        {"bias": "lex", "start": s0.index("slammed"), "end": s0.index("slammed") + 7, "txt": "slammed"},
        {"bias": "lex", "start": s0.index("brutal crackdown"), "end": s0.index("brutal crackdown") + 16,
         "txt": "brutal crackdown"},
        {"bias": "lex", "start": s2.index("denied"), "end": s2.index("denied") + 6, "txt": "denied"},
        {"bias": "inf", "start": 0, "end": 10, "txt": s2[:10]},
    ]
    (root / "basil" / "annotations" / "2020" / "t1_1_ann.json").write_text(
        json.dumps({"phrase-level-annotations": anns}), encoding="utf-8")


def write_babe(root: Path) -> None:
    (root / "babe").mkdir(parents=True)
    biased = ["The radical mayor slammed critics in a brutal rant.", "Propaganda from the regime spread lies.",
              "The extremist group staged a savage attack.", "Hardline senators blasted the so-called reform.",
              "The heroic activists defied the notorious regime.", "A shameful and reckless plan was touted."]
    neutral = ["The council met on Tuesday to discuss the budget.", "Rain is expected across the region tomorrow.",
               "The company reported quarterly earnings.", "The minister visited the hospital on Monday.",
               "Voters will elect a new mayor in May.", "The bridge will reopen next week."]
    lines = ["\ufefftext;news_link;outlet;topic;type;label_bias;label_opinion;biased_words"]
    for s in biased:
        lines.append(f"{s};http://x;X;t;left;Biased;Expresses writer's opinion;['{s.split()[1].lower()}']")
    for s in neutral:
        lines.append(f"{s};http://x;X;t;right;Non-biased;Entirely factual;[]")
    lines.append("Ambiguous sentence.;http://x;X;t;right;No agreement;Entirely factual;[]")
    (root / "babe" / "final_labels_SG2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_eval_framing_both_parts(tmp_path):
    write_basil(tmp_path)
    write_babe(tmp_path)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(main, ["eval", "framing", "--data", str(tmp_path), "--json", str(out), "--folds", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["task"] == "framing"
    m = data["metrics"]
    for name in ("span_f1", "span_exact_f1", "span_precision", "span_recall", "sentence_f1", "macro_f1",
                 "lexicon_macro_f1", "word_f1"):
        assert name in m and 0.0 <= m[name] <= 1.0
    assert m["basil_gold_spans"] == 3
    # predictions: slammed (exact), brutal (overlaps "brutal crackdown"), propaganda, regime
    assert m["basil_predicted_spans"] == 4
    assert abs(m["span_recall"] - 2 / 3) < 1e-9 and abs(m["span_precision"] - 2 / 4) < 1e-9
    assert abs(m["span_exact_recall"] - 1 / 3) < 1e-9
    assert m["babe_sentences"] == 12 and m["babe_folds"] == 3
    assert m["lexicon_macro_f1"] > 0.9


def test_eval_framing_skips_missing_parts(tmp_path):
    write_babe(tmp_path)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(main, ["eval", "framing", "--data", str(tmp_path / "babe"), "--json", str(out),
                                       "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "BASIL skipped" in result.output
    m = json.loads(out.read_text())["metrics"]
    assert "span_f1" not in m and "macro_f1" in m
