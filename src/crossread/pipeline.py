"""Orchestration of ``crossread analyze``: ingest → nlp → extract → store → link → report/export.

The stages are pure functions over batches of records; this module is the only
place that writes to the store, and it writes each article together with its
records in one transaction (see :mod:`crossread.store`).
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossread.extract import ArticleRecords, extract_records
from crossread.records import Analysis, Article
from crossread.store import Store, default_db_url

log = logging.getLogger("crossread")

DEFAULT_BATCH_SIZE = 16
MAX_AUTO_WORKERS = 4  # each worker holds its own copy of the models (about 0.5 GB)


def default_workers() -> int:
    """Worker processes for NLP and extraction when none are asked for: one per usable core, at most
    :data:`MAX_AUTO_WORKERS`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_AUTO_WORKERS))


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
    workers: int = 0  # processes for NLP + extraction; 0: default_workers(); 1: all in this process


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


def process_batch(articles: Sequence[Article], nlp: Any) -> list[tuple[Article, ArticleRecords | str]]:
    """nlp + extract over a batch: a pure function (same input, same records; an article's records do
    not depend on the rest of its batch). An article on which the NLP or an extractor fails gets the
    reason, a string, instead of its records; the other articles of the batch are unaffected."""
    try:
        docs = list(nlp.pipe([a.text for a in articles]))
    except Exception as exc:  # noqa: BLE001 - any failure is reported against the article
        if len(articles) > 1:  # find the article that fails: the others still go through
            return [result for article in articles for result in process_batch([article], nlp)]
        log.debug("NLP failed on %s", articles[0].source, exc_info=True)
        return [(articles[0], f"NLP failed: {type(exc).__name__}: {exc}")]
    results: list[tuple[Article, ArticleRecords | str]] = []
    for article, doc in zip(articles, docs):
        try:
            results.append((article, extract_records(article, doc)))
        except Exception as exc:  # noqa: BLE001
            log.debug("extraction failed on %s", article.source, exc_info=True)
            results.append((article, f"extraction failed: {type(exc).__name__}: {exc}"))
    return results


class WorkerDied(RuntimeError):
    """A worker process ended without returning its batch (killed, e.g. for memory)."""


# The pipeline a forked worker uses: set in the parent just before the workers are forked, so they
# inherit it instead of unpickling it.
_WORKER_NLP: Any = None
_PR_SET_PDEATHSIG = 1
# A worker's inherited onnxruntime sessions, never freed: their destructor would wait forever for
# thread-pool threads that exist only in the parent (workers end with os._exit, which frees nothing).
_INHERITED_RUNTIMES: list = []


def _init_worker(parent_pid: int) -> None:
    """Set up a forked worker: it dies with the parent (a killed run leaves no orphans), leaves Ctrl-C
    to the parent, and builds its own onnxruntime sessions on one thread each (a session's threads do
    not survive a fork; the workers already share the cores)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # workers are forked on Linux only, where libc has prctl
        pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    os.environ["CROSSREAD_EMBED_THREADS"] = "1"
    from crossread.nlp.embeddings import forget_loaded_encoders

    _INHERITED_RUNTIMES.extend(forget_loaded_encoders())
    for _, component in _WORKER_NLP.pipeline:
        if hasattr(component, "release_runtime"):
            _INHERITED_RUNTIMES.extend(component.release_runtime())


def _process_in_worker(articles: list[Article]) -> list[tuple[Article, ArticleRecords | str]]:
    return process_batch(articles, _WORKER_NLP)


def processed_batches(batches: Iterator[list[Article]], nlp: Any, workers: int = 1
                      ) -> Iterator[list[tuple[Article, ArticleRecords | str]]]:
    """:func:`process_batch` of each batch, in input order. With ``workers`` > 1 and more than one
    batch (on Linux), the batches run in that many forked processes, at most two per worker in
    flight, so a large input is never read ahead into memory; the results are the same."""
    global _WORKER_NLP
    first, second = next(batches, None), next(batches, None)
    if first is None:
        return
    if second is None or workers <= 1 or not sys.platform.startswith("linux"):
        for batch in itertools.chain([first], [second] if second else [], batches):
            yield process_batch(batch, nlp)
        return
    _WORKER_NLP = nlp
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(os.getpid(),))
    pending: deque = deque()
    finished = False
    try:
        for batch in itertools.chain([first, second], batches):
            pending.append(executor.submit(_process_in_worker, batch))
            while len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        finished = True
    except BrokenProcessPool as exc:
        raise WorkerDied("a worker process died (out of memory?); the articles stored so far are kept: "
                         "run the same command again to go on, with --workers 1 to use less memory") from exc
    finally:
        # idle workers are joined; after an error or an early stop, a worker may finish its batch alone
        executor.shutdown(wait=finished, cancel_futures=True)
        _WORKER_NLP = None


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

    workers = options.workers or default_workers()
    try:
        with _Progress() as progress:
            results = processed_batches(_batches(new_articles(progress), options.batch_size), nlp, workers)
            try:
                for batch_results in results:
                    for article, records in batch_results:
                        progress.advance()
                        if isinstance(records, str):  # the NLP or an extractor failed on this article
                            summary.skipped.append((article.source, records))
                            progress.print(f"skipped {article.source}: {records}")
                            if options.strict:
                                summary.stopped_early = True
                                break
                            continue
                        by_kind = _records_by_kind(records)
                        story_id = stories.assign(article, by_kind)
                        if store.add_article(article, by_kind, story_id=story_id, nlp=provenance):
                            summary.added += 1
                            log.info("stored %s from %s (story %s)", article.id, article.source, story_id)
                    stories.save_if_due()
                    if summary.stopped_early:
                        break
            finally:
                results.close()
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
