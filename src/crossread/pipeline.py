"""Orchestration of ``crossread analyze``: ingest → nlp → extract → store → link → analyze → report/export.

Two stages, each a pure function run in worker processes, with this module the only writer of
the store (see :mod:`crossread.store`):

* **per article** (:func:`process_batch`): NLP, extraction and the story features of each new
  article, stored batch by batch;
* **per story** (:func:`crossread.analyze.story.analyze_story`): after new articles are filed into
  stories (:mod:`crossread.link.story_assign`) and their actors resolved across the corpus
  (:mod:`crossread.link.actor_resolve`), only the stories that changed are analysed again.

Outputs are then brought up to date from the store: the report pages of the changed stories and its
index, and ``analysis.json`` for stores small enough to hold in one file.
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

from crossread.extract import ArticleRecords, extract_records, not_analysable
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
    json: str = "auto"  # analysis.json: "auto" (stores up to JSON_AUTO_MAX articles), "always" or "never"
    fetch: Any = None  # FetchOptions for URL inputs (default: crossread.ingest.fetch's, with max_bytes)
    fetch_state: Any = None  # FetchState kept between watch rounds (conditional requests, items read)


@dataclass
class RunSummary:
    added: int = 0
    already_stored: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    stopped_early: bool = False
    total_articles: int = 0
    other_nlp: int = 0  # stored articles whose records another (or an unrecorded) NLP pipeline made
    stories_analysed: int = 0
    other_language: int = 0  # added articles not in English: stored, not analysed
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    analysis: Analysis | None = None

    @property
    def found_nothing(self) -> bool:
        """No input file was found at all (nothing added, stored before or skipped)."""
        return self.added == self.already_stored == 0 and not self.skipped

    @property
    def ok(self) -> bool:
        return not self.skipped and not self.stopped_early

    def line(self) -> str:
        parts = [f"{self.added} article(s) added", f"{self.already_stored} already stored"]
        if self.other_language:
            parts.append(f"{self.other_language} of them not in English (stored, not analysed)")
        parts.append(f"{len(self.skipped)} input(s) skipped")
        text = f"crossread: {', '.join(parts)}; {self.total_articles} article(s) in the store"
        if self.other_nlp:
            text += (f"; {self.other_nlp} stored article(s) keep records made by another or an unrecorded NLP "
                     "pipeline (analyse into a new store to redo them with this one)")
        if self.stopped_early:
            text += "; stopped at the first bad input (--strict)"
        return text + f"; {self.stories_analysed} stor{'y' if self.stories_analysed == 1 else 'ies'} analysed"


@dataclass
class ArticleContext:
    """What the per-article stage needs besides the pipeline: the run's time (undated articles are
    filed at it) and whether to embed the lead for story filing."""

    first_seen: str
    embeddings: bool = True


ArticleResult = tuple[Article, "ArticleRecords | str", Any]


def process_batch(articles: Sequence[Article], nlp: Any, context: ArticleContext | None = None
                  ) -> list[ArticleResult]:
    """NLP, extraction and story features over a batch: a pure function (same input, same records; an
    article's records do not depend on the rest of its batch). An article on which the NLP or an
    extractor fails gets the reason, a string, instead of its records; the others are unaffected. An
    article in another language than the pipeline's gets empty records saying so (``not_analysed``)."""
    from crossread.store import effective_when

    context = context or ArticleContext(first_seen=_utc_now(), embeddings=False)
    skip = {a.id: reason for a in articles if (reason := not_analysable(a))}
    if skip:  # the English pipeline never sees other languages; they are stored without records
        own = [a for a in articles if a.id not in skip]
        done = {result[0].id: result for result in (process_batch(own, nlp, context) if own else [])}
        foreign = [(a, ArticleRecords(not_analysed=skip[a.id])) for a in articles if a.id in skip]
        features = features_of([(a, r, effective_when(a, context.first_seen)) for a, r in foreign], None,
                               context.embeddings)
        done.update({a.id: (a, r, f) for (a, r), f in zip(foreign, features)})
        return [done[a.id] for a in articles]
    try:
        docs = list(nlp.pipe([a.text for a in articles]))
    except Exception as exc:  # noqa: BLE001 - any failure is reported against the article
        if len(articles) > 1:  # find the article that fails: the others still go through
            return [result for article in articles for result in process_batch([article], nlp, context)]
        log.debug("NLP failed on %s", articles[0].source, exc_info=True)
        return [(articles[0], f"NLP failed: {type(exc).__name__}: {exc}", None)]
    extracted: list[tuple[Article, ArticleRecords | str]] = []
    for article, doc in zip(articles, docs):
        try:
            extracted.append((article, extract_records(article, doc)))
        except Exception as exc:  # noqa: BLE001
            log.debug("extraction failed on %s", article.source, exc_info=True)
            extracted.append((article, f"extraction failed: {type(exc).__name__}: {exc}"))
    good = [(a, r, effective_when(a, context.first_seen)) for a, r in extracted if not isinstance(r, str)]
    features = dict(zip([a.id for a, _, _ in good], features_of(good, None, context.embeddings)))
    return [(article, records, features.get(article.id)) for article, records in extracted]


def features_of(items: Sequence[tuple[Article, ArticleRecords, str]], cache: Any = None, embeddings: bool = True
                ) -> list[Any]:
    """Story features of (article, records, filing time) triples: hashed text, the MiniLM vector of the
    lead (through ``cache``, a store, if given) and the actor and event keys."""
    from crossread.link.story_assign import lead_text, story_features
    from crossread.nlp.embeddings import optional_embedding_service

    service = optional_embedding_service(cache, stage="leads") if embeddings and items else None
    leads = service.embed([lead_text(a) for a, _, _ in items]) if service is not None else [None] * len(items)
    return [story_features(article, _records_by_kind(records), when, lead)
            for (article, records, when), lead in zip(items, leads)]


class WorkerDied(RuntimeError):
    """A worker process ended without returning its batch (killed, e.g. for memory)."""


# What a forked worker uses: set in the parent just before the workers are forked, so they inherit
# it instead of unpickling it.
_WORKER_STATE: dict[str, Any] = {}
_READER: dict[str, Store] = {}  # a story worker's read-only connection to the store, by URL
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
    nlp = _WORKER_STATE.get("nlp")
    for _, component in (nlp.pipeline if nlp is not None else []):
        if hasattr(component, "release_runtime"):
            _INHERITED_RUNTIMES.extend(component.release_runtime())


def _process_in_worker(articles: list[Article]) -> list[ArticleResult]:
    return process_batch(articles, _WORKER_STATE["nlp"], _WORKER_STATE["context"])


def _story_in_worker(inp: Any) -> tuple[Any, dict[bytes, Any]]:
    url = _WORKER_STATE["db_url"]
    if url not in _READER:  # the worker's own connection to the store, for cached vectors (read only)
        _READER[url] = Store(url, migrate=False)
    return analyze_one_story(inp, _READER[url], _WORKER_STATE.get("embeddings", True))


def in_workers(function: Any, items: Iterator[Any], workers: int, state: dict[str, Any],
               in_process: Any) -> Iterator[Any]:
    """``function`` of each item, in input order. With ``workers`` > 1 and more than one item (on
    Linux), the items run in that many forked processes, at most two per worker in flight, so a large
    input is never read ahead into memory; ``in_process`` runs them here otherwise (same results)."""
    first, second = next(items, None), next(items, None)
    if first is None:
        return
    if second is None or workers <= 1 or not sys.platform.startswith("linux"):
        for item in itertools.chain([first], [second] if second is not None else [], items):
            yield in_process(item)
        return
    _WORKER_STATE.clear()
    _WORKER_STATE.update(state)
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(os.getpid(),))
    pending: deque = deque()
    finished = False
    try:
        for item in itertools.chain([first, second], items):
            pending.append(executor.submit(function, item))
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
        _WORKER_STATE.clear()


def processed_batches(batches: Iterator[list[Article]], nlp: Any, workers: int = 1,
                      context: ArticleContext | None = None) -> Iterator[list[ArticleResult]]:
    """:func:`process_batch` of each batch, in input order, in ``workers`` processes (see :func:`in_workers`)."""
    context = context or ArticleContext(first_seen=_utc_now(), embeddings=False)
    yield from in_workers(_process_in_worker, batches, workers, {"nlp": nlp, "context": context},
                          lambda batch: process_batch(batch, nlp, context))


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _utc_now() -> str:
    from crossread.store import utc_now

    return utc_now()


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


class _CachedEmbedder:
    """Sentence vectors through the store's cache: read from it, new ones collected for the caller to
    store (a worker process reads the store but never writes it)."""

    def __init__(self, service: Any, store: Store | None) -> None:
        self.service, self.store, self.new = service, store, {}

    def __call__(self, sentences: list[str]) -> Any:
        return self.service.embed(sentences, cache=self)

    def get_embeddings(self, keys: Iterable[bytes]) -> dict[bytes, Any]:
        return self.store.get_embeddings(keys) if self.store is not None else {}

    def put_embeddings(self, vectors: dict[bytes, Any]) -> None:
        self.new.update(vectors)


def analyze_one_story(inp: Any, store: Store | None, embeddings: bool = True) -> tuple[Any, dict[bytes, Any]]:
    """:func:`crossread.analyze.story.analyze_story` with the embedding service, reading cached vectors
    from ``store``; (output, new vectors for the caller to cache)."""
    from crossread.analyze.story import analyze_story
    from crossread.nlp.embeddings import stage_embedders

    stages = ("events", "derivation", "claims", "quotes")
    embed = stage_embedders(lambda service: _CachedEmbedder(service, store), None, stages) if embeddings else None
    if embed is None:
        return analyze_story(inp, embed=None), {}
    output = analyze_story(inp, embed=embed)
    new: dict[bytes, Any] = {}
    for embedder in (embed.values() if isinstance(embed, dict) else [embed]):
        for part in (embedder, getattr(embedder, "full", None)):  # a two-stage embedder caches its full stage
            new.update(getattr(part, "new", {}))
    return output, new


def stored_features(store: Store, article_ids: Sequence[str], embeddings: bool = True) -> list[Any]:
    """Story features of stored articles, as :func:`process_batch` computes them for new ones."""
    from crossread.store import effective_when

    articles = store.articles_by_id(article_ids)
    records = store.extraction(article_ids, articles=articles)
    seen = store.first_seen(article_ids)
    return features_of([(articles[i], records[i], effective_when(articles[i], seen[i])) for i in article_ids],
                       store, embeddings)


def update_corpus(store: Store, options: AnalyzeOptions, progress: _Progress | None = None) -> list[str]:
    """Bring the corpus-level records up to date: file unfiled articles into stories, resolve new actors,
    analyse the stale stories (in worker processes). Returns the stories analysed."""
    from crossread.link.story_assign import threshold_for

    missing = store.pending("features")
    for start in range(0, len(missing), 200):  # stored without story features (imported): compute them now
        store.set_features(stored_features(store, missing[start:start + 200], options.embeddings))
    unfiled = store.unfiled_features()
    if unfiled:
        from crossread.link.story_assign import assign_stories

        later = store.filed_after(min(f.order_key for f in unfiled))
        assignment = assign_stories(unfiled, store.filed_between, threshold=threshold_for(options.embeddings),
                                    later=later, load=store.features)
        if later:
            log.info("%d stored article(s) come after new ones in publication order; %d of them changed story",
                     len(later), sum(1 for f in later if f.article_id in assignment))
        keys = {f.article_id: f.order_key for f in [*unfiled, *later]}
        store.file_articles(assignment, keys)
    store.resolve_actors()
    stale = store.stale_stories()
    if not stale:
        return []
    # worker processes pay for themselves beyond a few stories (each loads the sentence encoder)
    workers = options.workers or default_workers()
    workers = workers if len(stale) >= 2 * workers else 1
    done: list[str] = []
    inputs = (store.story_input(story_id) for story_id in stale)
    state = {"db_url": store.url, "embeddings": options.embeddings}
    for output, vectors in in_workers(_story_in_worker, inputs, workers, state,
                                      lambda inp: analyze_one_story(inp, store, options.embeddings)):
        store.put_embeddings(vectors)
        store.write_story(output)
        done.append(output.story.id)
        if progress is not None:
            progress.advance(0, f"stories {len(done)}/{len(stale)}")
    return done


def _own_outputs(options: AnalyzeOptions) -> list[str]:
    """What a run writes, never to be read as its input: the output folder, a SQLite store file and the
    files SQLite and the writer lock keep beside it."""
    own = [str(options.outdir)]
    if options.db_url and options.db_url.startswith("sqlite:///"):
        database = options.db_url[len("sqlite:///"):]
        own += [database] + [database + suffix for suffix in (".lock", "-wal", "-shm", "-journal")]
    return own


def run_analyze(inputs: Sequence[str], options: AnalyzeOptions) -> RunSummary:
    """Ingest ``inputs`` into the store, bring the stories up to date and write the outputs."""
    options.outdir.mkdir(parents=True, exist_ok=True)
    store = Store(options.db_url or default_db_url(options.outdir), lock=True)  # one writer per store
    try:  # whatever happens, the store is closed and its writer lock released
        summary = _run_on_store(store, inputs, options)
    finally:
        store.close()
    print(summary.line(), file=sys.stderr)
    for note in summary.notes:
        print(note, file=sys.stderr)
    for path in summary.outputs:
        print(f"wrote {path}", file=sys.stderr)
    return summary


def _run_on_store(store: Store, inputs: Sequence[str], options: AnalyzeOptions) -> RunSummary:
    from crossread.nlp import load_pipeline
    from crossread.nlp.loader import pipeline_provenance

    if store.import_v1():  # a store of the previous release: its articles count as stored
        log.info("imported the articles of a store of the previous release")
    summary = RunSummary()
    nlp = load_pipeline(options.nlp)
    provenance = pipeline_provenance(nlp)
    context = ArticleContext(first_seen=_utc_now(), embeddings=options.embeddings)
    fetcher = None
    if options.fetch is not None or options.fetch_state is not None:
        from crossread.ingest.fetch import FetchOptions, Fetcher

        fetcher = Fetcher(options.fetch or FetchOptions(max_bytes=options.max_bytes), options.fetch_state)
    try:
        return _run_with(store, inputs, options, summary, nlp, provenance, context, fetcher)
    finally:
        if fetcher is not None:
            fetcher.close()


def _run_with(store: Store, inputs: Sequence[str], options: AnalyzeOptions, summary: RunSummary, nlp: Any,
              provenance: dict[str, Any], context: ArticleContext, fetcher: Any) -> RunSummary:
    from crossread.ingest import IngestError, ingest
    from crossread.store import ArticleBundle

    seen_in_run: set[str] = set()

    def new_articles(progress: _Progress) -> Iterator[Article]:
        for item in ingest(inputs, max_bytes=options.max_bytes, exclude=_own_outputs(options), fetcher=fetcher):
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
    with _Progress() as progress:
        results = processed_batches(_batches(new_articles(progress), options.batch_size), nlp, workers, context)
        try:
            for batch_results in results:
                bundles = []
                for article, records, features in batch_results:
                    progress.advance()
                    if isinstance(records, str):  # the NLP or an extractor failed on this article
                        summary.skipped.append((article.source, records))
                        progress.print(f"skipped {article.source}: {records}")
                        if options.strict:
                            summary.stopped_early = True
                            break
                        continue
                    if records.not_analysed:
                        summary.other_language += 1
                        progress.print(f"{article.source}: {records.not_analysed}")
                    bundles.append(ArticleBundle(article, records, features, provenance))
                added = store.add_articles(bundles, context.first_seen)
                summary.added += len(added)
                for article_id in added:
                    log.info("stored %s", article_id)
                if summary.stopped_early:
                    break
        finally:
            results.close()
        if not summary.stopped_early:
            summary.stories_analysed = len(update_corpus(store, options, progress))
    summary.total_articles = store.article_count()
    summary.other_nlp = sum(n for fp, n in store.nlp_fingerprints().items() if fp != provenance["fingerprint"])
    if summary.total_articles <= JSON_AUTO_MAX or options.json == "always":
        summary.analysis = store.analysis()  # small enough to hand back whole
    if options.write_outputs and not summary.stopped_early and not summary.found_nothing:
        summary.outputs, notes = write_outputs(store, options.outdir, json=options.json, analysis=summary.analysis)
        summary.notes += notes
    return summary


# articles: beyond this analysis.json is not rewritten by every run (it is O(store): `crossread export`
# streams the records instead); the same size up to which the report is one file
JSON_AUTO_MAX = 200


def write_outputs(store: Store, outdir: Path, json: str = "auto", analysis: Analysis | None = None
                  ) -> tuple[list[Path], list[str]]:
    """Bring the outputs up to date from the store: the report (pages of changed stories, the index) and
    ``analysis.json`` (see :data:`JSON_AUTO_MAX`; ``analysis``: the store's, when already read). Returns
    the paths written and notes for the user."""
    from crossread.export import write_analysis_json
    from crossread.report import write_report
    from crossread.report.store_source import StoreSource

    notes: list[str] = []
    written: list[Path] = []
    n = store.article_count()
    json_path = outdir / "analysis.json"
    if json == "always" or (json == "auto" and n <= JSON_AUTO_MAX):
        analysis = analysis or store.analysis()
        write_analysis_json(analysis, json_path)
        written.append(json_path)
    elif json == "auto":
        notes.append(f"analysis.json not rewritten: the store holds {n} articles (over {JSON_AUTO_MAX}); "
                     f"`crossread export {outdir} --format jsonl` writes every record as JSON Lines")
    report_path = outdir / "report.html"
    changed = set(store.pending("report"))
    write_report(analysis if analysis is not None else StoreSource(store), report_path, only_stories=changed)
    store.clear_pending("report", changed)
    written.append(report_path)
    return written, notes


def rebuild_report(store: Store, path: Path, title: str = "crossread report",
                   min_confidence: float | None = None) -> list[Path]:
    """Write the whole report from the store (``crossread report``); nothing is analysed again.
    ``min_confidence``: leave out the events, quotes and claims below it."""
    from crossread.report import write_report
    from crossread.report.store_source import StoreSource

    changed = set(store.pending("report"))
    written = write_report(StoreSource(store), path, title=title, min_confidence=min_confidence)
    store.clear_pending("report", changed)
    return written


def _records_by_kind(records: ArticleRecords) -> dict[str, list[Any]]:
    return {"actors": records.actors, "events": records.events, "quotes": records.quotes, "claims": records.claims,
            "framing": records.framing}


def analyze(inputs: Sequence[str], outdir: str | Path, **kwargs: Any) -> Analysis:
    """Library entry point: run the whole job and return the stored analysis."""
    summary = run_analyze(inputs, AnalyzeOptions(outdir=Path(outdir), **kwargs))
    if summary.analysis is not None:
        return summary.analysis
    store = Store((kwargs.get("db_url") or default_db_url(Path(outdir))))
    try:
        return store.analysis()
    finally:
        store.close()
