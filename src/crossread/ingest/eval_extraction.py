"""``crossread eval extraction``: main-text quality on the Scrapinghub article-extraction benchmark.

Each ``html/<id>.html.gz`` page goes through the same path as ``crossread analyze`` (decode,
trafilatura, cleaning) and the stored article text is scored against ``ground-truth.json``'s
``articleBody``. The scoring is the benchmark's own ``evaluate.py``, reimplemented here:
``\\w+`` tokens, shingles of 4 tokens counted with multiplicity, per page TP/FP/FN normalised to
sum 1 (long pages weigh no more than short ones), precision and recall each averaged over the
pages where they are defined, F1 from those two means. A page crossread finds no article in
scores an empty prediction, as a failed extractor does there.

``raw_*`` metrics score trafilatura's text before crossread's cleaning, so what cleaning adds
(or costs) is measured on the same run. ``author_*`` metrics score the articles' authors on the pages
labelled for that (:mod:`crossread.ingest.eval_authors`; the benchmark itself has no authors).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from crossread.evaluation import emit_metrics

__all__ = ["shingle_counts", "score_page", "benchmark_metrics", "find_benchmark", "evaluate_extraction"]

TpFpFn = tuple[float, float, float]

_TOKEN = re.compile(r"\w+", re.UNICODE)
_NGRAM = 4


def _shingles(text: str, n: int = _NGRAM) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # As evaluate.py: a text shorter than n tokens is one (short) shingle, an empty one none.
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shingle_counts(true: str, pred: str) -> TpFpFn:
    """Normalised (TP, FP, FN) of 4-token shingles of ``pred`` against ``true`` (evaluate.py's
    ``string_shingle_matching``)."""
    t, p = _shingles(true), _shingles(pred)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s > 0 else (tp, fp, fn)


def score_page(tp: float, fp: float, fn: float) -> tuple[float | None, float | None]:
    """(precision, recall) of one page, None where evaluate.py leaves the page out of that mean."""
    def one(hit: float, miss: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if hit == miss == 0 else hit / (hit + miss)

    return (one(tp, fp) if tp + fp > 0 else None, one(tp, fn) if tp + fn > 0 else None)


def benchmark_metrics(counts: Sequence[TpFpFn]) -> dict[str, float]:
    """precision, recall (means over pages) and F1 of those means, as evaluate.py reports them."""
    scores = [score_page(*c) for c in counts]
    precisions = [p for p, _ in scores if p is not None]
    recalls = [r for _, r in scores if r is not None]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _f1_ci(counts: Sequence[TpFpFn], n_bootstrap: int = 1000) -> float:
    """Half-width of the 95 % bootstrap interval of F1 (evaluate.py's ±), seeded so runs agree."""
    rng = random.Random(0)
    n = len(counts)
    values = [benchmark_metrics([counts[rng.randrange(n)] for _ in range(n)])["f1"] for _ in range(n_bootstrap)]
    return 1.96 * statistics.stdev(values) if len(values) > 1 else 0.0


def find_benchmark(data: Path) -> Path:
    """The benchmark folder: ``data`` itself or ``data/article-extraction-benchmark``."""
    for folder in (data, data / "article-extraction-benchmark"):
        if (folder / "ground-truth.json").is_file() and (folder / "html").is_dir():
            return folder
    raise click.UsageError(f"{data}: no ground-truth.json and html/ folder of the article-extraction benchmark")


def _pages(folder: Path) -> Iterator[tuple[str, str, str | None, bytes | None]]:
    """(item id, true article body, url, page bytes or None when the page file is missing)."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        path = folder / "html" / f"{key}.html.gz"
        data = None
        if path.is_file():
            with gzip.open(path, "rb") as fh:
                data = fh.read()
        yield key, truth[key].get("articleBody", "") or "", truth[key].get("url"), data


def crossread_text(page: bytes, name: str) -> tuple[str, str]:
    """(stored article text, trafilatura's text before cleaning) of one page as ``crossread analyze``
    reads an HTML file; empty strings where it finds no article."""
    text, raw, _ = crossread_page(page, name)
    return text, raw


def crossread_page(page: bytes, name: str) -> tuple[str, str, list[str]]:
    """:func:`crossread_text` and the article's authors ([] where it finds no article)."""
    from crossread.ingest import article_from_html_parts
    from crossread.ingest.decode import DecodeError, decode_bytes
    from crossread.ingest.html import extract_html
    from crossread.records import Article

    try:
        html = decode_bytes(page)
    except DecodeError:
        return "", "", []
    parts = extract_html(html)
    article = article_from_html_parts(parts, name)
    raw = parts.text if parts is not None else ""
    if not isinstance(article, Article):
        return "", raw, []
    return article.text, raw, article.authors


def trafilatura_authors(page: bytes) -> list[str]:
    """trafilatura's own ``author`` metadata of a page, split at ";" (the author baseline)."""
    from crossread.ingest.decode import DecodeError, decode_bytes
    from crossread.ingest.html import _bare_extraction

    try:
        data = _bare_extraction(decode_bytes(page), None) or {}
    except DecodeError:
        return []
    return [n.strip() for n in (data.get("author") or "").split(";") if n.strip()]


def evaluate_extraction(data: Path, progress: Callable[[str], None] | None = None,
                        author_labels: Path | None = None) -> tuple[dict[str, float], list[str]]:
    """Metrics (``precision``, ``recall``, ``f1``, ``f1_ci``, ``raw_*``, counts; ``author_*`` on the pages
    of ``author_labels``, by default the labelled sample shipped with crossread) and notes naming the
    worst pages and every author error."""
    from crossread.ingest.eval_authors import author_scores, load_author_labels

    folder = find_benchmark(data)
    labels = load_author_labels(author_labels)
    author_pairs: dict[str, list[tuple[list[str], list[str]]]] = {"test": [], "dev": []}
    baseline_pairs: dict[str, list[tuple[list[str], list[str]]]] = {"test": [], "dev": []}
    author_notes: list[str] = []
    counts: list[TpFpFn] = []
    raw_counts: list[TpFpFn] = []
    per_page: list[tuple[float, str, str]] = []
    missing = empty = 0
    for key, true, url, page in _pages(folder):
        if page is None:
            missing += 1
            text = raw = ""
        else:
            text, raw, authors = crossread_page(page, f"{key}.html")
            empty += not text
            if key in labels:
                split, truth = labels[key]
                author_pairs[split].append((truth, authors))
                baseline_pairs[split].append((truth, trafilatura_authors(page)))
                if [n.casefold() for n in authors] != [n.casefold() for n in truth]:
                    author_notes.append(f"  {split} {key[:12]} labelled {truth} found {authors}  {url or ''}")
        counts.append(shingle_counts(true, text))
        raw_counts.append(shingle_counts(true, raw))
        p, r = score_page(*counts[-1])
        f = 2 * p * r / (p + r) if p and r else 0.0
        per_page.append((f, key, url or ""))
        if progress:
            progress(key)
    if not counts:
        raise click.UsageError(f"{folder}: ground-truth.json has no items")
    metrics: dict[str, float] = dict(benchmark_metrics(counts))
    metrics["f1_ci"] = _f1_ci(counts)
    metrics.update({f"raw_{k}": v for k, v in benchmark_metrics(raw_counts).items()})
    metrics["pages"] = len(counts)
    metrics["pages_without_article"] = empty + missing
    if missing:
        metrics["pages_missing"] = missing
    for split, prefix in (("test", "author"), ("dev", "author_dev")):
        if author_pairs[split]:
            metrics.update(author_scores(author_pairs[split], prefix=prefix))
            metrics.update(author_scores(baseline_pairs[split], prefix=f"trafilatura_{prefix}"))
            metrics[f"{prefix}_pages"] = len(author_pairs[split])
    notes = ["precision/recall/F1 over 4-token shingles as the benchmark's evaluate.py defines them; "
             "raw_* = trafilatura's text before crossread's cleaning",
             "lowest page F1:"] + [f"  {f:.3f} {key} {url}" for f, key, url in sorted(per_page)[:10]]
    if labels:
        notes += ["author_* over the held-out hand-labelled pages, author_dev_* over those the rules were refined "
                  "on (crossread.ingest.eval_authors); pages where they differ:"]
        notes += author_notes or ["  none"]
    return metrics, notes


@click.command()
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="The benchmark folder (ground-truth.json, html/) or the shared data root holding it.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--author-labels", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="TSV of page id and its authors (\"; \" between names); default: the sample labelled for "
                   "crossread (crossread/data/extraction_benchmark_authors.tsv).")
def eval_extraction_command(data: Path, json_path: Path | None, author_labels: Path | None) -> None:
    """Main-text precision/recall/F1 on the Scrapinghub article-extraction benchmark (published:
    trafilatura 2.0.0 F1 0.958), and the authors' precision/recall on its hand-labelled pages."""
    metrics, notes = evaluate_extraction(data, author_labels=author_labels)
    emit_metrics("extraction", data, metrics, json_path, notes=notes)
