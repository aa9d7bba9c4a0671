"""What every ``crossread eval`` command shares: the table and the JSON result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from crossread.records import Article


def prf(true_positives: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0 where undefined)."""
    p = true_positives / predicted if predicted else 0.0
    r = true_positives / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def emit_metrics(task: str, data: str | Path, metrics: Mapping[str, float], json_path: Path | None = None,
                 title: str | None = None, notes: list[str] | None = None) -> dict:
    """Print a readable table and, when asked, write ``{"task", "data", "metrics"}``."""
    table = Table(title=title or f"crossread eval {task}  ({data})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in metrics.items():
        table.add_row(name, f"{value:.4f}" if isinstance(value, float) else str(value))
    console = Console(width=max(100, Console().width))
    console.print(table)
    for note in notes or []:
        console.print(note, markup=False, highlight=False)
    result = {"task": task, "data": str(data), "metrics": dict(metrics)}
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def basil_paragraphs(record: dict) -> list[list[str]]:
    """A BASIL record's body as paragraphs of sentences (the field is sometimes a Python-literal string)."""
    import ast

    paragraphs = record.get("body-paragraphs") or []
    if isinstance(paragraphs, str):
        paragraphs = ast.literal_eval(paragraphs)
    return [[str(s) for s in p] if isinstance(p, list) else [str(p)] for p in paragraphs]


# BASIL's source codes -> the outlets' domains; their names come from the one domain table
# (crossread/data/outlet_domains.tsv, crossread.ingest.outlets)
BASIL_DOMAINS = {"fox": "foxnews.com", "nyt": "nytimes.com", "hpo": "huffpost.com"}


def basil_outlet(code: str | None) -> str | None:
    """The outlet of a BASIL ``source`` code, whatever its case (12 articles say "FOX", "HPO", "NYT")."""
    from crossread.ingest.outlets import outlet_for_host

    listed = outlet_for_host(BASIL_DOMAINS.get((code or "").lower()))
    return listed.name if listed else code


def read_basil(folder: Path) -> list[tuple[Article, str]]:
    """BASIL articles (``folder/articles/<year>/*.json``) with their triplet id, in file order."""
    from crossread.records import Article

    out = []
    for path in sorted((folder / "articles").rglob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        text = "\n\n".join(" ".join(p) for p in basil_paragraphs(record))
        article = Article(id=path.stem, source=str(path), outlet=(record.get("source") or "").lower() or None,
                          title=record.get("title"),
                          published=record.get("date"), language="en", text=text, url=record.get("url"))
        out.append((article, record.get("triplet-uuid") or path.stem.rsplit("_", 1)[0]))
    return out
