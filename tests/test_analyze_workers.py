"""`crossread analyze` with worker processes, and articles on which the NLP or an extractor fails."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import crossread.pipeline as pipeline
from crossread.pipeline import AnalyzeOptions, process_batch, run_analyze
from tests.conftest import store_snapshot
from tests.test_analyze import _make_corpus


def _analysis_json(out: Path) -> dict:
    return json.loads((out / "analysis.json").read_text(encoding="utf-8"))


def test_workers_give_the_same_records_as_one_process(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 7)
    one = run_analyze([str(corpus)], AnalyzeOptions(outdir=tmp_path / "one", batch_size=2, workers=1))
    two = run_analyze([str(corpus)], AnalyzeOptions(outdir=tmp_path / "two", batch_size=2, workers=2))
    assert one.added == two.added == 7 and one.ok and two.ok
    # same articles, records, stories and corpus records, in the same order
    assert store_snapshot(tmp_path / "one" / "crossread.db") == store_snapshot(tmp_path / "two" / "crossread.db")
    assert _analysis_json(tmp_path / "one") == _analysis_json(tmp_path / "two")


@pytest.mark.parametrize("workers", [1, 2])
def test_an_article_that_fails_extraction_is_reported_and_the_rest_go_on(tmp_path: Path, monkeypatch,
                                                                         workers: int) -> None:
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 5)
    real = pipeline.extract_records

    def failing(article, doc):  # noqa: ANN001, ANN202
        if "(item 2)" in article.text:
            raise ValueError("cannot read this one")
        return real(article, doc)

    monkeypatch.setattr(pipeline, "extract_records", failing)  # forked workers inherit the patch
    out = tmp_path / "out"
    summary = run_analyze([str(corpus)], AnalyzeOptions(outdir=out, batch_size=2, workers=workers))
    assert summary.added == 4 and summary.total_articles == 4
    assert summary.skipped == [(str(corpus / "article_002.txt"),
                                "extraction failed: ValueError: cannot read this one")]
    assert not summary.ok  # the CLI exits with the "some inputs skipped" code
    # the failed article is not stored, so a later run (here: with the extractor fixed) adds it
    monkeypatch.setattr(pipeline, "extract_records", real)
    again = run_analyze([str(corpus)], AnalyzeOptions(outdir=out, batch_size=2, workers=workers))
    assert (again.added, again.already_stored, again.total_articles) == (1, 4, 5) and again.ok


def test_strict_stops_at_an_article_that_fails(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 4)
    monkeypatch.setattr(pipeline, "extract_records", lambda article, doc: (_ for _ in ()).throw(KeyError("x")))
    summary = run_analyze([str(corpus)], AnalyzeOptions(outdir=tmp_path / "out", strict=True, workers=1))
    assert summary.stopped_early and summary.added == 0 and len(summary.skipped) == 1
    assert summary.skipped[0][1] == "extraction failed: KeyError: 'x'"


class _NlpFailingOn:
    """A pipeline that fails on any batch holding a text with ``marker``."""

    def __init__(self, marker: str) -> None:
        from crossread.nlp import load_pipeline

        self.marker = marker
        self.nlp = load_pipeline()

    def pipe(self, texts):  # noqa: ANN001, ANN202
        texts = list(texts)
        if any(self.marker in t for t in texts):
            raise RuntimeError("tokenizer exploded")
        return self.nlp.pipe(texts)


def test_an_article_the_nlp_fails_on_does_not_take_its_batch_with_it(tmp_path: Path) -> None:
    from crossread.ingest import ingest

    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 3)
    articles = list(ingest([str(corpus)]))
    results = process_batch(articles, _NlpFailingOn("(item 1)"))
    assert [a.id for a, _, _ in results] == [a.id for a in articles]
    assert results[1][1] == "NLP failed: RuntimeError: tokenizer exploded" and results[1][2] is None
    assert all(not isinstance(r, str) and r.actors for i, (_, r, _) in enumerate(results) if i != 1)
    # the other articles' records are those of a batch without the bad article
    alone = process_batch([articles[0]], _NlpFailingOn("never"))
    assert alone[0][1] == results[0][1]


def test_default_workers_is_one_per_core_at_most_four(monkeypatch) -> None:
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert pipeline.default_workers() == pipeline.MAX_AUTO_WORKERS == 4
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert pipeline.default_workers() == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only; "
                    "elsewhere the dying extractor would end the test process")
def test_a_worker_that_dies_stops_the_run_with_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    import os

    from click.testing import CliRunner

    from crossread.cli import main

    corpus = tmp_path / "corpus"
    _make_corpus(corpus, 20)  # two batches of the CLI's default size: the workers are used
    real = pipeline.extract_records

    def dying(article, doc):  # noqa: ANN001, ANN202
        if "(item 4)" in article.text:
            os._exit(1)  # as the kernel's out-of-memory killer would end it
        return real(article, doc)

    monkeypatch.setattr(pipeline, "extract_records", dying)
    out = tmp_path / "out"
    with pytest.raises(pipeline.WorkerDied, match="worker process died"):
        run_analyze([str(corpus)], AnalyzeOptions(outdir=out, batch_size=2, workers=2))
    result = CliRunner().invoke(main, ["analyze", str(corpus), "-o", str(tmp_path / "cli"), "--workers", "2"])
    assert result.exit_code == 1 and "worker process died" in result.output and "Traceback" not in result.output
    # whatever was stored stays; the same command, once the cause is gone, completes the store
    monkeypatch.setattr(pipeline, "extract_records", real)
    again = run_analyze([str(corpus)], AnalyzeOptions(outdir=out, batch_size=2, workers=2))
    assert again.ok and again.total_articles == 20 and again.added + again.already_stored == 20
