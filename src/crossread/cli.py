"""The crossread command line: a thin layer over the library.

Stage-specific commands (training, evaluation) live next to their stage and are
plugged in through ``PLUGIN_COMMANDS`` so this file stays small.
"""

from __future__ import annotations

import importlib
import logging
import sys
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
    ("eval", "crossread.analyze.eval_stance:eval_stance_command", "stance"),
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


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder for analysis.json, report.html and (by default) the SQLite store.")
@click.option("--db", default=None, help="SQLAlchemy URL of the store (default: sqlite in OUTDIR).")
@click.option("--nlp", "nlp_name", default=None, envvar="CROSSREAD_NLP",
              help="spaCy pipeline name or path (default: the shipped crossread pipeline; "
                   "e.g. en_core_web_trf where installed).")
@click.option("--max-bytes", default=20 * 1024 * 1024, show_default=True, type=int,
              help="Skip input files larger than this.")
@click.option("--strict", is_flag=True, help="Stop at the first bad input.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Use MiniLM sentence embeddings for stories, claim alignment and paraphrase detection.")
@click.option("--workers", type=click.IntRange(min=0), default=0, envvar="CROSSREAD_WORKERS",
              help="Processes for NLP and extraction: 0 (default) one per core, at most 4; "
                   "1 runs everything in this process (least memory).")
@click.option("-v", "--verbose", count=True, help="More detail in the logs (-vv for debug).")
def analyze(inputs: tuple[str, ...], outdir: Path, db: str | None, nlp_name: str | None,
            max_bytes: int, strict: bool, embeddings: bool, workers: int, verbose: int) -> None:
    """Ingest INPUTS (files, folders, globs), analyse them and write OUTDIR/analysis.json
    and OUTDIR/report.html."""
    from crossread.pipeline import AnalyzeOptions, WorkerDied, run_analyze

    _setup_logging(verbose)
    options = AnalyzeOptions(outdir=outdir, db_url=db, nlp=nlp_name, max_bytes=max_bytes, strict=strict,
                             embeddings=embeddings, workers=workers)
    try:
        summary = run_analyze(list(inputs), options)
    except WorkerDied as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(EXIT_OK if summary.ok else EXIT_SKIPPED)


@main.group(name="eval")
def eval_group() -> None:
    """Measure an extractor on gold data (each takes the data folder as an argument)."""


@main.group()
def models() -> None:
    """Train and inspect the NLP models crossread ships."""


def _plug_commands() -> None:
    groups = {"eval": eval_group, "models": models, "main": main}
    for group_name, target, command_name in PLUGIN_COMMANDS:
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        groups[group_name].add_command(command, command_name)


_plug_commands()
