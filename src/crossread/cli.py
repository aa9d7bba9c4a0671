"""The crossread command line: a thin layer over the library.

Stage-specific commands (training, evaluation) live next to their stage and are
plugged in through ``PLUGIN_COMMANDS`` so this file stays small.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from crossread import __version__

# (group, "module:attribute", command name). Each attribute is a click.Command.
PLUGIN_COMMANDS: list[tuple[str, str, str]] = [
    ("eval", "crossread.analyze.eval_derivation:eval_derivation_command", "derivation"),
    ("eval", "crossread.extract.eval_quotes:eval_quotes_command", "quotes"),
    ("models", "crossread.nlp.commands:train_command", "train"),
    ("models", "crossread.nlp.commands:train_accurate_ner_command", "train-accurate-ner"),
    ("models", "crossread.nlp.commands:package_command", "package"),
    ("eval", "crossread.nlp.commands:eval_nlp_command", "nlp"),
    ("eval", "crossread.extract.eval_events:eval_events_command", "events"),
    ("eval", "crossread.analyze.eval_framing:eval_framing_command", "framing"),
    ("eval", "crossread.link.eval_event_coref:eval_event_coref_command", "event-coref"),
    ("eval", "crossread.link.eval_stories:eval_stories_command", "stories"),
    ("eval", "crossread.ingest.eval_signals:eval_signals_command", "signals"),
    ("eval", "crossread.ingest.eval_extraction:eval_extraction_command", "extraction"),
    ("eval", "crossread.analyze.eval_stance:eval_stance_command", "stance"),
    ("eval", "crossread.analyze.eval_basil:eval_basil_command", "basil"),
    ("eval", "crossread.extract.eval_geocode:eval_geocode_command", "geocode"),
]

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crossread")
def main() -> None:
    """Read the same story across many outlets: who did what to whom, who said what,
    which claims stand, who copied whom and how each outlet framed it."""


def _fetch_args(function):  # noqa: ANN001, ANN202
    """The options of commands that fetch URLs (analyze, watch)."""
    for decorator in reversed([
        click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
                     help="Fetch from HOST even where it is a private, loopback or link-local address "
                          "(refused by default: docs/FETCHING.md); repeatable."),
        click.option("--save-warc", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Keep every fetched response in this WARC file (replay: crossread analyze FILE)."),
        click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
                     help="Seconds between two requests to one host (a longer robots.txt Crawl-delay wins)."),
        click.option("--concurrency", type=click.IntRange(min=1, max=64), default=1, show_default=True,
                     help="Pages of a feed or sitemap fetched at once (threads); one request per host at a "
                          "time whatever the number, --delay apart."),
    ]):
        function = decorator(function)
    return function


def _fetch_options(max_bytes: int, allow_hosts: tuple[str, ...], save_warc: Path | None, delay: float,  # noqa: ANN202
                   concurrency: int = 1):
    from crossread.ingest.fetch import FetchOptions

    return FetchOptions(max_bytes=max_bytes, allow_hosts=frozenset(allow_hosts), save_warc=save_warc, delay=delay,
                        concurrency=concurrency)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder for analysis.json, report.html and (by default) the SQLite store.")
@click.option("--db", default=None, help="SQLAlchemy URL of the store (default: sqlite in OUTDIR).")
@click.option("--nlp", "nlp_name", default=None, envvar="CROSSREAD_NLP",
              help="spaCy pipeline name or path (default: the shipped crossread pipeline; "
                   "e.g. en_core_web_trf where installed).")
@click.option("--max-bytes", default=20 * 1024 * 1024, show_default=True, type=click.IntRange(min=1),
              help="Skip input files and fetched responses larger than this (decompressed).")
@click.option("--strict", is_flag=True, help="Stop at the first bad input.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Use MiniLM sentence embeddings for stories, claim alignment and paraphrase detection.")
@click.option("--workers", type=click.IntRange(min=0), default=0, envvar="CROSSREAD_WORKERS",
              help="Processes for NLP and extraction: 0 (default) one per core, at most 4; "
                   "1 runs everything in this process (least memory).")
@click.option("--json", "json_mode", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Write OUTDIR/analysis.json: auto = while the store holds at most 200 articles "
                   "(larger stores: `crossread export`).")
@_fetch_args
@click.option("-v", "--verbose", count=True, help="More detail in the logs (-vv for debug).")
def analyze(inputs: tuple[str, ...], outdir: Path, db: str | None, nlp_name: str | None,
            max_bytes: int, strict: bool, embeddings: bool, workers: int, json_mode: str, verbose: int,
            allow_hosts: tuple[str, ...], save_warc: Path | None, delay: float, concurrency: int) -> None:
    """Ingest INPUTS (files, folders, globs, and http(s) URLs of articles, RSS/Atom feeds and sitemaps)
    into the store, bring its stories up to date and write OUTDIR/report.html (and OUTDIR/analysis.json)."""
    from crossread.pipeline import AnalyzeOptions, WorkerDied, run_analyze
    from crossread.store import default_db_url

    _setup_logging(verbose)
    _check_db_url(db)
    _check_pipeline(nlp_name)
    options = AnalyzeOptions(outdir=outdir, db_url=db, nlp=nlp_name, max_bytes=max_bytes, strict=strict,
                             embeddings=embeddings, workers=workers, json=json_mode,
                             fetch=_fetch_options(max_bytes, allow_hosts, save_warc, delay, concurrency))
    with _faults_in_words(db or default_db_url(outdir)):
        try:
            summary = run_analyze(list(inputs), options)
        except WorkerDied as exc:
            raise click.ClickException(str(exc)) from exc
    if summary.found_nothing:
        raise click.UsageError(f"no input files found in {', '.join(inputs)}")
    sys.exit(EXIT_OK if summary.ok else EXIT_SKIPPED)


@main.command()
@click.argument("sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder (store, report, and watch-state.json: what was read, for conditional requests).")
@click.option("--db", default=None, help="SQLAlchemy URL of the store (default: sqlite in OUTDIR).")
@click.option("--every", default="15m", show_default=True, help="Time between rounds: 30s, 15m, 2h, 1d.")
@click.option("--once", is_flag=True, help="One round, then stop.")
@click.option("--nlp", "nlp_name", default=None, envvar="CROSSREAD_NLP", help="spaCy pipeline (as for analyze).")
@click.option("--max-bytes", default=20 * 1024 * 1024, show_default=True, type=click.IntRange(min=1),
              help="Skip fetched responses larger than this (decompressed).")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True)
@click.option("--workers", type=click.IntRange(min=0), default=0, envvar="CROSSREAD_WORKERS")
@_fetch_args
@click.option("-v", "--verbose", count=True, help="More detail in the logs (-vv for debug).")
def watch(sources_file: Path, outdir: Path, db: str | None, every: str, once: bool, nlp_name: str | None,
          max_bytes: int, embeddings: bool, workers: int, allow_hosts: tuple[str, ...], save_warc: Path | None,
          delay: float, concurrency: int, verbose: int) -> None:
    """Poll the feeds and sitemaps listed in SOURCES_FILE (one URL a line, # comments) and add their new
    articles to the store, as `crossread analyze` would; unchanged sources cost one conditional request."""
    from crossread.pipeline import AnalyzeOptions, WorkerDied
    from crossread.store import default_db_url
    from crossread.watch import parse_every, read_sources
    from crossread.watch import watch as run_watch

    _setup_logging(verbose)
    _check_db_url(db)
    _check_pipeline(nlp_name)
    try:
        seconds = parse_every(every)
        sources = read_sources(sources_file)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(str(exc)) from None
    options = AnalyzeOptions(outdir=outdir, db_url=db, nlp=nlp_name, max_bytes=max_bytes, embeddings=embeddings,
                             workers=workers, fetch=_fetch_options(max_bytes, allow_hosts, save_warc, delay,
                                                                   concurrency))
    with _faults_in_words(db or default_db_url(outdir)):
        try:
            summary = run_watch(sources, options, seconds, once=once, announce=lambda line: click.echo(line, err=True))
        except WorkerDied as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            sys.exit(EXIT_OK)
    sys.exit(EXIT_OK if summary.ok else EXIT_SKIPPED)


def _check_db_url(db: str | None) -> None:
    """A --db that is no database URL is a usage error, said in the user's words."""
    if db is None:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db)
    except ArgumentError:
        raise click.UsageError(f"--db {db!r} is not a database URL (e.g. sqlite:///out/crossread.db or "
                               "postgresql+psycopg://user@host/crossread)") from None
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise click.UsageError(f"--db {db}: the folder {folder} does not exist")


def _check_pipeline(name: str | None) -> None:
    """An --nlp that names no installed spaCy pipeline (package or folder) is a usage error."""
    import os

    name = name or os.environ.get("CROSSREAD_NLP") or None
    if name is None:
        return
    from spacy.util import is_package

    from crossread.nlp import transformer_ner

    if name == transformer_ner.ACCURATE_PIPELINE or is_package(name) or Path(name).exists():
        return
    raise click.UsageError(f"--nlp {name!r}: no installed spaCy pipeline or pipeline folder of that name")


@contextmanager
def _faults_in_words(url: str) -> Iterator[None]:
    """Faults of the environment or of the store at ``url`` (full disk, read-only folder, damaged or
    busy store) end the command with one line in the user's words and exit status 1."""
    from crossread.faults import describe_fault, store_label_of

    try:
        yield
    except click.ClickException:
        raise
    except Exception as exc:
        message = describe_fault(exc, store_label_of(url))
        if message is None:
            raise
        logging.getLogger("crossread").debug("fault", exc_info=True)
        raise click.ClickException(message) from exc


def _store_url(outdir: Path | None, db: str | None) -> str:
    """The URL of the store of OUTDIR (or --db): a clear usage error where there is none."""
    from crossread.store import default_db_url

    _check_db_url(db)
    if db is not None:
        return db
    if outdir is None:
        raise click.UsageError("give the output folder of an analysis, or --db URL")
    if not (outdir / "crossread.db").is_file():
        raise click.UsageError(f"{outdir}: no crossread store there (crossread.db); give --db URL if it is elsewhere")
    return default_db_url(outdir)


def _open_store(url: str, lock: bool = False):  # noqa: ANN202
    """The store at ``url``, upgraded; ``lock``: as its one writer (the command writes to it)."""
    from crossread.store import Store

    return Store(url, lock=lock)


_STORE_ARGS = [
    click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path)),
    click.option("--db", default=None, help="SQLAlchemy URL of the store (default: OUTDIR/crossread.db)."),
]


def _store_args(function):  # noqa: ANN001, ANN202
    for decorator in reversed(_STORE_ARGS):
        function = decorator(function)
    return function


@main.command()
@_store_args
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the report (default: OUTDIR/report.html).")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None,
              help="Leave out events, quotes and claims below this confidence (docs/CONFIDENCE.md); "
                   "by default every record is shown and those under 0.5 are flagged.")
def report(outdir: Path | None, db: str | None, output: Path | None, min_confidence: float | None) -> None:
    """Rebuild the HTML report from the store (nothing is analysed again)."""
    from crossread.pipeline import rebuild_report

    url = _store_url(outdir, db)
    with _faults_in_words(url):
        store = _open_store(url, lock=True)  # it marks the report pages written
        try:
            path = output or (outdir or Path(".")) / "report.html"
            written = rebuild_report(store, path, min_confidence=min_confidence)
            behind = len(store.stale_stories()) + len(store.pending("import_v1")) + len(store.unfiled_features())
        finally:
            store.close()
    if behind:
        click.echo(f"note: {behind} stor(ies) or article(s) are not analysed yet; `crossread analyze` with the "
                   "same store brings them up to date", err=True)
    click.echo(f"wrote {path}" + (f" and {len(written) - 1} more page(s) in {path.with_suffix('')}/"
                                   if len(written) > 1 else ""), err=True)


EXPORT_FORMATS = {  # format -> what -o names
    "json": "file", "jsonl": "folder", "csv": "folder", "parquet": "folder",
    "graphml": "file", "plover": "file", "events-tsv": "file",
}


@main.command()
@_store_args
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="jsonl", show_default=True,
              help="json: one analysis.json; jsonl: one JSON Lines file per record kind; csv / parquet: one "
                   "table per record kind; graphml: the actor network; plover: PLOVER event records (JSON "
                   "Lines, or a JSON array for a .json path); events-tsv: a GDELT-style event table.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="A folder (jsonl, csv, parquet) or a file (the other formats).")
@click.option("--story", default=None, help="Export this story only (its id, as in the report or the store).")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Export only the stories with an article dated on or after this day (with all their records).")
def export(outdir: Path | None, db: str | None, fmt: str, output: Path, story: str | None,
           since: str | None) -> None:
    """Export the store's records for other tools (docs/EXPORT.md), streamed from the store."""
    from crossread.export.view import ExportError, parse_since, resolve_selection

    _check_output(output, EXPORT_FORMATS[fmt])
    try:
        parse_since(since)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    url = _store_url(outdir, db)
    with _faults_in_words(url):
        store = _open_store(url)
        try:
            try:
                selection = resolve_selection(store, story, since)
            except ExportError as exc:
                raise click.UsageError(str(exc)) from None
            click.echo(f"wrote {output}" + _run_export(store, fmt, output, selection), err=True)
        finally:
            store.close()


def _check_output(output: Path, kind: str) -> None:
    """-o must be able to become the folder or file the format writes: a usage error before any work."""
    if kind == "folder":
        if output.exists() and not output.is_dir():
            raise click.UsageError(f"-o {output}: a file is there; this format writes a folder")
        return
    if output.is_dir():
        raise click.UsageError(f"-o {output}: a folder is there; this format writes a file")
    if not output.parent.is_dir():
        raise click.UsageError(f"-o {output}: the folder {output.parent} does not exist")


def _run_export(store, fmt: str, output: Path, selection) -> str:  # noqa: ANN001
    """Run one export; returns what it wrote, in words."""
    from crossread.export.view import Selection

    if fmt == "json":
        from crossread.export import write_analysis_json
        from crossread.export.view import selected_story_ids

        write_analysis_json(store.analysis(None if selection == Selection() else
                                           selected_story_ids(store, selection)), output)
        return ""
    if fmt == "jsonl":
        from crossread.export.jsonl import export_jsonl

        counts = export_jsonl(store, output, selection)
    elif fmt in ("csv", "parquet"):
        from crossread.export.tabular import export_tables

        if fmt == "parquet":
            import importlib.util

            if importlib.util.find_spec("pyarrow") is None:
                raise click.ClickException("the parquet export needs pyarrow: pip install pyarrow")
        counts = export_tables(store, output, fmt, selection)
    elif fmt == "graphml":
        from crossread.export.graphml import export_graphml

        counts = export_graphml(store, output, selection)
    elif fmt == "plover":
        from crossread.export.plover_json import export_plover

        counts = {"events": export_plover(store, output, selection)}
    else:
        from crossread.export.events_tsv import export_events_tsv

        counts = {"events": export_events_tsv(store, output, selection)}
    return ": " + ", ".join(f"{n} {k}" for k, n in counts.items())


@main.command()
@click.argument("query")
@_store_args
@click.option("--claims", is_flag=True, help="Search claims instead of articles.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def search(query: str, outdir: Path | None, db: str | None, claims: bool, limit: int) -> None:
    """Full-text search over the stored articles (or claims), best matches first."""
    url = _store_url(outdir, db)
    with _faults_in_words(url):
        store = _open_store(url)
        try:
            hits = store.search(query, kind="claims" if claims else "articles", limit=limit)
        finally:
            store.close()
    for hit in hits:
        if claims:
            click.echo(f"{hit['id']}\t{hit['status']}\t{hit['story_id']}\t{hit['text']}")
        else:
            click.echo(f"{hit['id']}\t{hit['date']}\t{hit['outlet'] or ''}\t{hit['title'] or ''}\t{' '.join(hit['snippet'].split())}")


@main.group(name="store")
def store_group() -> None:
    """Look after a store."""


@store_group.command(name="check")
@_store_args
def store_check(outdir: Path | None, db: str | None) -> None:
    """Say what is wrong with the store of OUTDIR (or --db), changing nothing: SQLite's integrity and
    foreign-key checks, the schema revision and its tables. Exit status 1 when something is wrong."""
    from crossread.faults import store_label_of
    from crossread.store.check import check_store

    url = _store_url(outdir, db)
    label = store_label_of(url)
    result = check_store(url)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if not result.ok:
        for problem in result.problems:
            click.echo(f"store {label} is damaged: {problem}", err=True)
        sys.exit(EXIT_SKIPPED)
    articles = f", {result.articles} article(s)" if result.articles is not None else ""
    click.echo(f"store {label}: ok (schema revision {result.revision or 'none'}{articles})", err=True)


@store_group.command(name="import-parquet")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_store_args
def store_import_parquet(path: Path, outdir: Path | None, db: str | None) -> None:
    """Load the Parquet tables that `crossread spark` wrote to PATH into a new store: OUTDIR/crossread.db
    (or --db). `crossread serve`, `report` and `export` then read it."""
    from crossread.store import default_db_url
    from crossread.store.parquet_import import ParquetImportError, import_parquet

    _check_db_url(db)
    if db is None and outdir is None:
        raise click.UsageError("give the folder for the new store (OUTDIR), or --db URL")
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
    url = db or default_db_url(outdir)
    with _faults_in_words(url):
        store = _open_store(url, lock=True)
        try:
            counts = import_parquet(path, store)
        except ParquetImportError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            store.close()
    click.echo(f"imported {counts.get('articles', 0)} article(s) and {counts.get('stories', 0)} stor"
               f"{'y' if counts.get('stories', 0) == 1 else 'ies'} into {url}", err=True)


@main.command(name="spark")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True,
              help="Folder (local path or Hadoop-compatible URI) for the Parquet tables, one folder per table.")
@click.option("--master", default=None,
              help="Spark master URL (local[4], yarn, spark://HOST:7077, k8s://...); default: spark-submit's, "
                   "else local[*].")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Partitions of the per-article stage (default: twice the cluster's cores).")
@click.option("--nlp", "nlp_name", default=None, envvar="CROSSREAD_NLP",
              help="spaCy pipeline name or path, installed on every executor (default: the shipped one).")
@click.option("--no-embeddings", is_flag=True, help="Lexical features only (no MiniLM): as analyze --no-embeddings.")
@click.option("--first-seen", default=None,
              help="UTC time the run files undated articles at (default: now); give it to rerun identically.")
@click.option("--max-bytes", type=int, default=20 * 1024 * 1024, show_default=True, help="Skip inputs larger than this.")
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE", help="A Spark setting; repeatable.")
@click.option("-v", "--verbose", count=True)
def spark_command(inputs: tuple[str, ...], out: str, master: str | None, partitions: int | None, nlp_name: str | None,
                  no_embeddings: bool, first_seen: str | None, max_bytes: int, confs: tuple[str, ...],
                  verbose: int) -> None:
    """Run the analysis as an Apache Spark job and write the store's tables as Parquet under --out
    (docs/SPARK.md); `crossread store import-parquet OUT DIR` loads them into a store."""
    _setup_logging(verbose)
    conf = {}
    for item in confs:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--conf {item!r}: expected KEY=VALUE")
        conf[key] = value
    try:
        from crossread.spark import SparkOptions, run_spark
    except ImportError as exc:
        raise click.ClickException(f"crossread spark needs pyspark: pip install 'crossread[spark]' ({exc})") from exc
    options = SparkOptions(out=out, master=master, partitions=partitions or 0, nlp=nlp_name,
                           embeddings=not no_embeddings, max_bytes=max_bytes, first_seen=first_seen, conf=conf)
    summary = run_spark(inputs, options)
    for item, reason in summary.errors:
        click.echo(f"skipped {item}: {reason}", err=True)
    click.echo(summary.line() + f"; tables in {out}", err=True)
    if summary.errors:
        sys.exit(EXIT_SKIPPED)


@main.command()
@_store_args
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default: this computer only).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
def serve(outdir: Path | None, db: str | None, host: str, port: int) -> None:
    """Browse the store in a web browser: stories, actors, outlets, articles, and a JSON API (read-only)."""
    from crossread.serve import run

    url = _store_url(outdir, db)
    with _faults_in_words(url):
        store = _open_store(url)  # read-only: no writer's lock, an analyze can add to it meanwhile
    try:
        run(store, host, port, announce=lambda line: click.echo(line, err=True))
    finally:
        store.close()


class LazyGroup(click.Group):
    """A group whose plugged-in commands are imported when they are run (or their help is shown): the
    eval and training modules import spaCy and more, seconds that every other command would pay."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}  # command name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            module_name, attribute = self.lazy[name].split(":")
            self.add_command(getattr(importlib.import_module(module_name), attribute), name)
        return super().get_command(ctx, name)


@main.group(name="eval", cls=LazyGroup)
def eval_group() -> None:
    """Measure an extractor on gold data (each takes the data folder as an argument)."""


@main.group(cls=LazyGroup)
def models() -> None:
    """Train and inspect the NLP models crossread ships."""


def _plug_commands() -> None:
    groups = {"eval": eval_group, "models": models}
    for group_name, target, command_name in PLUGIN_COMMANDS:
        groups[group_name].lazy[command_name] = target


_plug_commands()
