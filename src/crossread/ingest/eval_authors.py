"""Bylines on the Scrapinghub article-extraction benchmark: precision and recall of article authors.

The benchmark's ``ground-truth.json`` has no authors (only ``articleBody`` and ``url``), so samples
were labelled by hand for crossread (``crossread/data/extraction_benchmark_authors.tsv``), each page
with the people its visible byline names (an organisation, a desk, an agency, "admin" or "Editorial
Staff" is no person: those pages have no authors). ``dev``: 40 pages drawn with
``random.Random(22).sample`` from the sorted page ids, labelled before crossread's author rules ran on
them and then used to refine the rules; ``test``: 30 of the other pages (``random.Random(23)``),
labelled afterwards and never used for tuning: its scores are the ones to quote.

Scoring: names are compared case- and space-insensitively; precision is the share of predicted names
that are right, recall the share of labelled names found (both over all names, micro-averaged), F1 of
the two, and ``author_exact`` the share of pages whose list is right as a whole (order included; a page
with no person is right when nothing is predicted). ``trafilatura_author_*`` scores trafilatura's own
``author`` metadata (split at ";") on the same pages, as a baseline.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

__all__ = ["AUTHOR_LABELS", "load_author_labels", "author_scores"]

AUTHOR_LABELS = "extraction_benchmark_authors.tsv"


def load_author_labels(path: Path | None = None) -> dict[str, tuple[str, list[str]]]:
    """Page id -> (its set, ``dev`` or ``test``; the labelled authors in byline order, [] where no person
    is named)."""
    text = (path.read_text(encoding="utf-8") if path is not None
            else resources.files("crossread.data").joinpath(AUTHOR_LABELS).read_text(encoding="utf-8"))
    labels: dict[str, tuple[str, list[str]]] = {}
    for number, row in enumerate(csv.reader((line for line in text.splitlines() if line and not line.startswith("#")),
                                            delimiter="\t"), start=1):
        if len(row) < 2 or row[1] not in ("dev", "test"):
            raise ValueError(f"author labels, row {number}: expected page<TAB>dev|test<TAB>authors")
        names = row[2] if len(row) > 2 else ""
        labels[row[0]] = (row[1], [n.strip() for n in names.split(";") if n.strip()])
    return labels


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def author_scores(pairs: Sequence[tuple[list[str], list[str]]], prefix: str = "author") -> dict[str, float]:
    """``{prefix}_precision``, ``_recall``, ``_f1``, ``_exact`` of (labelled, predicted) name lists."""
    hits = predicted = labelled = exact = 0
    for truth, guess in pairs:
        t, g = [_key(n) for n in truth], [_key(n) for n in guess]
        hits += len(set(t) & set(g))
        predicted += len(set(g))
        labelled += len(set(t))
        exact += t == g
    precision = hits / predicted if predicted else 1.0
    recall = hits / labelled if labelled else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {f"{prefix}_precision": precision, f"{prefix}_recall": recall, f"{prefix}_f1": f1,
            f"{prefix}_exact": exact / len(pairs) if pairs else 0.0}
