"""``crossread eval extraction``: the benchmark's shingle scoring, and a run on a tiny invented benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.ingest.eval_extraction import (
    benchmark_metrics,
    evaluate_extraction,
    find_benchmark,
    score_page,
    shingle_counts,
)

FIXTURE = Path(__file__).parent / "data" / "extraction_benchmark"


def test_shingles_are_four_tokens_and_normalised_per_page() -> None:
    # shingles (a b c d), (b c d e) against (a b c d), (b c d x): one hit, one extra, one missed
    assert shingle_counts("a b c d e", "a, b. c d x") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    # repeats count with multiplicity: the prediction has (w x y z) twice, the truth once; its other
    # three shingles (x y z w, y z w x, z w x y) are extra too
    assert shingle_counts("w x y z", "w x y z w x y z") == pytest.approx((1 / 5, 4 / 5, 0.0))
    # a text shorter than four tokens is one shingle
    assert shingle_counts("Hello world", "hello world") == (0.0, 0.5, 0.5)  # case is kept
    assert shingle_counts("Hello world", "Hello world") == (1.0, 0.0, 0.0)


def test_an_empty_prediction_counts_for_recall_only() -> None:
    tp, fp, fn = shingle_counts("one two three four five", "")
    assert score_page(tp, fp, fn) == (None, 0.0)
    metrics = benchmark_metrics([(tp, fp, fn), (1.0, 0.0, 0.0)])
    assert metrics["precision"] == 1.0 and metrics["recall"] == 0.5
    assert metrics["f1"] == pytest.approx(2 * 0.5 / 1.5)


def test_the_invented_benchmark_scores_crossread_text_above_raw_trafilatura() -> None:
    metrics, notes = evaluate_extraction(FIXTURE)
    assert metrics["pages"] == 2 and metrics["pages_without_article"] == 0
    assert metrics["recall"] == 1.0
    # both pages end in a line of chrome (a paywall line, a newsletter plug) that cleaning removes
    assert metrics["precision"] == 1.0 and metrics["raw_precision"] < 1.0
    assert any("0001" in n for n in notes)


def test_the_command_finds_the_benchmark_under_a_data_root(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "article-extraction-benchmark").mkdir(parents=True)
    for item in ("ground-truth.json", "html"):
        (root / "article-extraction-benchmark" / item).symlink_to(FIXTURE / item)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(main, ["eval", "extraction", "--data", str(root), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert set(json.loads(out.read_text())["metrics"]) >= {"precision", "recall", "f1"}
    with pytest.raises(click.UsageError, match="no ground-truth.json"):
        find_benchmark(tmp_path)


def test_authors_are_scored_on_the_labelled_pages(tmp_path: Path) -> None:
    import gzip
    import shutil

    folder = tmp_path / "bench"
    shutil.copytree(FIXTURE, folder)
    body = " ".join(["The harbour council voted on Tuesday to build a new pier on the northern quay."] * 6)
    page = (f'<html><head><meta name="author" content="By JANE DOE and John Roe, Staff Writers"></head><body>'
            f"<article><h1>New pier planned</h1><p>{body}</p></article></body></html>")
    with gzip.open(folder / "html" / "0003.html.gz", "wt", encoding="utf-8") as fh:
        fh.write(page)
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    truth["0003"] = {"articleBody": body, "url": "https://valley.example/pier"}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    labels = tmp_path / "authors.tsv"
    # page 0003: both names right; 0001 has no byline and is labelled so; 0002 is labelled with a
    # name its page does not carry: a miss
    labels.write_text("# page\tset\tauthors\n0003\ttest\tJane Doe; John Roe\n0001\ttest\t\n0002\tdev\tMara Lind\n",
                      encoding="utf-8")
    metrics, notes = evaluate_extraction(folder, author_labels=labels)
    assert metrics["author_pages"] == 2 and metrics["author_dev_pages"] == 1
    assert metrics["author_precision"] == metrics["author_recall"] == metrics["author_exact"] == 1.0
    assert metrics["author_dev_recall"] == 0.0 and metrics["author_dev_exact"] == 0.0
    assert {"trafilatura_author_f1", "trafilatura_author_dev_f1"} <= set(metrics)  # the baseline, on the same pages
    assert any("dev 0002" in n and "Mara Lind" in n for n in notes)
    labels.write_text("0003\tnot-a-set\tJane Doe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 1"):
        evaluate_extraction(folder, author_labels=labels)
