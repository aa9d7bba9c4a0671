"""``crossread eval signals``: machine-generation signals must stay silent on human-written news.

Counts the signals :func:`crossread.ingest.signals.find_signals` raises on the
human-written gold corpora found under the data folder: ECB+ (every topic present),
BASIL (every article) and PolNeAR (every split present). Any signal there is a false
positive; each is listed with its document and text so the lexicon can be fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from crossread.evaluation import emit_metrics
from crossread.ingest.signals import find_signals


def _ecbplus(data: Path) -> Iterator[tuple[str, str]]:
    from crossread.link.ecbplus import available_topics, find_corpus_root, read_topic

    try:
        root = find_corpus_root(data / "ecbplus" if (data / "ecbplus").is_dir() else data)
    except FileNotFoundError:
        return
    for topic in available_topics(root):
        for doc in read_topic(root, topic):
            yield doc.name, doc.text


def _basil(data: Path) -> Iterator[tuple[str, str]]:
    from crossread.evaluation import read_basil

    folder = data / "basil" if (data / "basil" / "articles").is_dir() else data
    if (folder / "articles").is_dir():
        for article, _ in read_basil(folder):
            yield article.source, article.text


def _polnear(data: Path) -> Iterator[tuple[str, str]]:
    root = next((p for p in (data / "polnear" / "data", data / "data", data) if p.is_dir() and
                 any((p / s / "text").is_dir() for s in ("train", "dev", "test"))), None)
    if root is None:
        return
    for split in ("train", "dev", "test"):
        for path in sorted((root / split / "text").glob("*.txt")) if (root / split / "text").is_dir() else []:
            yield f"{split}/{path.name}", path.read_text(encoding="utf-8")


CORPORA = {"ecbplus": _ecbplus, "basil": _basil, "polnear": _polnear}


def count_signals(data: Path) -> tuple[dict[str, float], list[str]]:
    metrics: dict[str, float] = {}
    hits: list[str] = []
    for name, reader in CORPORA.items():
        docs = signals = 0
        for doc_id, text in reader(data):
            docs += 1
            found = find_signals(text)
            signals += len(found)
            hits += [f"{name} {doc_id}: {s.kind}: {s.text[:80]!r}" for s in found]
        if docs:
            metrics[f"{name}_documents"] = docs
            metrics[f"{name}_signals"] = signals
    if not metrics:
        raise click.UsageError(f"{data}: no ECB+, BASIL or PolNeAR documents found")
    metrics["signals"] = sum(v for k, v in metrics.items() if k.endswith("_signals"))
    return metrics, hits


@click.command()
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="The shared data root (or a folder with ecbplus/, basil/, polnear/).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def eval_signals_command(data: Path, json_path: Path | None) -> None:
    """False machine-generation signals on human-written gold news (ECB+, BASIL, PolNeAR): should be 0."""
    metrics, hits = count_signals(data)
    notes = ["every signal on these human-written corpora is a false positive"] + hits[:50]
    emit_metrics("signals", data, metrics, json_path, notes=notes)
