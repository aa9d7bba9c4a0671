"""Orchestration of ``crossread analyze``: ingest → nlp → extract → store → link → report/export.

The stages are pure functions over batches of records; this module is the only
place that writes to the store, and it writes each article together with its
records in one transaction (see :mod:`crossread.store`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossread.extract import ArticleRecords, extract_records
from crossread.records import Analysis, Article
from crossread.store import Store, default_db_url

log = logging.getLogger("crossread")

DEFAULT_BATCH_SIZE = 16


@dataclass
class AnalyzeOptions:
    outdir: Path
    db_url: str | None = None
    nlp: str | None = None
    max_bytes: int = 20 * 1024 * 1024
    strict: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    write_outputs: bool = True
    embeddings: bool = True  # MiniLM features for stories, claims and paraphrase (lexical only when False)


@dataclass
class RunSummary:
    added: int = 0
    already_stored: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    stopped_early: bool = False
    total_articles: int = 0
    other_nlp: int = 0  # stored articles whose records another (or an unrecorded) NLP pipeline made
    outputs: list[Path] = field(default_factory=list)
    analysis: Analysis | None = None

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.stopped_early

    def line(self) -> str:
        parts = [f"{self.added} article(s) added", f"{self.already_stored} already stored"]
        parts.append(f"{len(self.skipped)} input(s) skipped")
        text = f"crossread: {', '.join(parts)}; {self.total_articles} article(s) in the store"
        if self.other_nlp:
            text += (f"; {self.other_nlp} stored article(s) keep records made by another or an unrecorded NLP "
                     "pipeline (analyse into a new store to redo them with this one)")
        if self.stopped_early:
            text += "; stopped at the first bad input (--strict)"
        return text


def process_batch(articles: Sequence[Article], nlp: Any) -> list[tuple[Article, ArticleRecords]]:
    """nlp + extract over a batch: a pure function (same input, same records)."""
    docs = nlp.pipe([a.text for a in articles])
    return [(article, extract_records(article, doc)) for article, doc in zip(articles, docs)]


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Progress:
    """A rich progress bar on a terminal, nothing otherwise (logs stay quiet)."""

    def __init__(self) -> None:
        self._progress = None
        if sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} articles"),
                TimeElapsedColumn(), transient=True,
            )
            self._task = self._progress.add_task("analysing", total=None)

    def __enter__(self) -> _Progress:
        if self._progress:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress:
            self._progress.stop()

    def advance(self, n: int = 1, description: str | None = None) -> None:
        if self._progress:
            self._progress.update(self._task, advance=n, description=description or "analysing")

    def print(self, message: str) -> None:
        if self._progress:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr)


def load_analysis(store: Store, embeddings: bool = True) -> Analysis:
    """Recompute the corpus-level records from everything stored (sentence vectors are
    cached in the store, so a rerun embeds nothing twice)."""
    from crossread.analyze import analyze_corpus
    from crossread.link import link_corpus
    from crossread.nlp.embeddings import optional_embedding_service

    service = optional_embedding_service(store) if embeddings else None
    articles = list(store.iter_articles())
    linked = link_corpus(articles, store.article_records(), story_of=store.story_assignments(),
                         embed=service.embed if service else None)
    return analyze_corpus(linked, embed=service.embed if service else None)


def run_analyze(inputs: Sequence[str], options: AnalyzeOptions) -> RunSummary:
    """Ingest ``inputs`` into the store, link the corpus and write the outputs."""
    from crossread.ingest import IngestError, ingest
    from crossread.nlp import load_pipeline
    from crossread.nlp.loader import pipeline_provenance

    options.outdir.mkdir(parents=True, exist_ok=True)
    store = Store(options.db_url or default_db_url(options.outdir))
    summary = RunSummary()
    nlp = load_pipeline(options.nlp)
    provenance = pipeline_provenance(nlp)
    from crossread.link.story_assign import StoryAssigner

    stories = StoryAssigner(store, use_embeddings=options.embeddings)
    seen_in_run: set[str] = set()

    def new_articles(progress: _Progress) -> Iterator[Article]:
        for item in ingest(inputs, max_bytes=options.max_bytes):
            if isinstance(item, IngestError):
                summary.skipped.append((item.item, item.reason))
                progress.print(f"skipped {item.item}: {item.reason}")
                if options.strict:
                    summary.stopped_early = True
                    return
                continue
            if item.id in seen_in_run or store.has_article(item.id):
                summary.already_stored += 1
                log.info("already stored: %s (%s)", item.source, item.id)
                progress.advance()
                continue
            seen_in_run.add(item.id)
            yield item

    try:
        with _Progress() as progress:
            for batch in _batches(new_articles(progress), options.batch_size):
                for article, records in process_batch(batch, nlp):
                    by_kind = _records_by_kind(records)
                    story_id = stories.assign(article, by_kind)
                    if store.add_article(article, by_kind, story_id=story_id, nlp=provenance):
                        summary.added += 1
                        log.info("stored %s from %s (story %s)", article.id, article.source, story_id)
                    progress.advance()
                stories.save_if_due()
        stories.save()
        analysis = load_analysis(store, embeddings=options.embeddings)
        store.replace_corpus_records(_corpus_records(analysis))
        summary.total_articles = len(analysis.articles)
        summary.other_nlp = sum(fp != provenance["fingerprint"] for fp in store.nlp_fingerprints().values())
        summary.analysis = analysis
        if options.write_outputs and not summary.stopped_early:
            summary.outputs = write_outputs(analysis, options.outdir)
    finally:
        store.close()
    print(summary.line(), file=sys.stderr)
    for path in summary.outputs:
        print(f"wrote {path}", file=sys.stderr)
    return summary


def write_outputs(analysis: Analysis, outdir: Path) -> list[Path]:
    from crossread.export import write_analysis_json
    from crossread.report import write_report

    json_path = outdir / "analysis.json"
    report_path = outdir / "report.html"
    write_analysis_json(analysis, json_path)
    write_report(analysis, report_path)
    return [json_path, report_path]


def _records_by_kind(records: ArticleRecords) -> dict[str, list[Any]]:
    return {"actors": records.actors, "events": records.events, "quotes": records.quotes, "claims": records.claims,
            "framing": records.framing}


def _corpus_records(analysis: Analysis) -> dict[str, list[Any]]:
    return {
        "actors": analysis.actors,
        "events": analysis.events,
        "quotes": analysis.quotes,
        "claims": analysis.claims,
        "stories": analysis.stories,
        "derivations": analysis.derivations,
        "framing": analysis.framing,
    }


def analyze(inputs: Sequence[str], outdir: str | Path, **kwargs: Any) -> Analysis:
    """Library entry point: run the whole job and return the corpus analysis."""
    summary = run_analyze(inputs, AnalyzeOptions(outdir=Path(outdir), **kwargs))
    assert summary.analysis is not None
    return summary.analysis
