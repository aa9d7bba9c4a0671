"""``crossread eval quotes``: attribution (quote) extraction against PolNeAR-style gold.

Metrics follow the PolNeAR attribution papers, per role (source, cue, content),
each attribution contributing at most one span per role:

* spans are compared as sets of word tokens (``\\w+``), so punctuation,
  quotation marks and whitespace at the boundaries are trimmed and
  discontinuous gold spans ("“A,” he said. “B.”") are the union of their pieces;
* **exact**: a predicted span matches a gold span of the same role in the same
  article when both token sets are equal;
* **overlap**: when they share at least one token;
* matching is one-to-one (greedy, largest overlap first); precision = matched /
  predicted spans, recall = matched / gold spans, micro-averaged over articles.

Predicted quotes that continue one attribution (same ``group``) are merged into
one attribution before scoring, as PolNeAR annotates them.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from crossread.extract.quotes import (
    _WORD_RE,
    CueLexicon,
    GoldDoc,
    QuoteSpan,
    default_lexicon,
    extract_quote_spans,
    load_cue_lexicon,
    load_polnear,
    save_cue_lexicon,
    train_cue_lexicon,
)
from crossread.records import Article

log = logging.getLogger(__name__)

ROLES = ("source", "cue", "content")


def load_nlp() -> tuple[Any, str]:
    """The crossread pipeline when it imports and loads, else blank English + sentencizer."""
    try:
        from crossread.nlp import load_pipeline  # type: ignore[attr-defined]

        nlp = load_pipeline()
        names = list(getattr(nlp, "pipe_names", []))
        if not any(n in names for n in ("parser", "tagger", "morphologizer", "ner")):
            return nlp, f"crossread.nlp.load_pipeline() fell back to a blank pipeline ({', '.join(names) or 'no components'})"
        return nlp, f"crossread pipeline ({getattr(nlp, 'meta', {}).get('name', 'loaded')}: {', '.join(names)})"
    except Exception as exc:  # noqa: BLE001 -- any failure falls back, and says so
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        return nlp, f"blank English + sentencizer (crossread.nlp.load_pipeline unavailable: {type(exc).__name__})"


def _token_index(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _tokset(index: list[tuple[int, int]], pieces: list[tuple[int, int]]) -> frozenset[int]:
    out = set()
    for a, b in pieces:
        for k, (ta, tb) in enumerate(index):
            if ta < b and a < tb:
                out.add(k)
    return frozenset(out)


def _pred_attributions(spans: list[QuoteSpan]) -> list[dict[str, list[tuple[int, int]]]]:
    groups: dict[Any, dict[str, list[tuple[int, int]]]] = {}
    for n, s in enumerate(spans):
        key = s.group if s.group >= 0 else f"solo{n}"
        g = groups.setdefault(key, {"source": [], "cue": [], "content": []})
        if s.source_start is not None and not g["source"]:
            g["source"].append((s.source_start, s.source_end))
        if s.cue_start is not None and not g["cue"]:
            g["cue"].append((s.cue_start, s.cue_end))
        g["content"].append((s.content_start, s.content_end))
    return list(groups.values())


def _match(gold: list[frozenset[int]], pred: list[frozenset[int]], exact: bool) -> int:
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if exact:
                if g == p:
                    pairs.append((len(g), i, j))
            else:
                inter = len(g & p)
                if inter:
                    pairs.append((inter, i, j))
    pairs.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    n = 0
    for _, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        n += 1
    return n


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(docs: list[GoldDoc], nlp: Any, lexicon: CueLexicon | None = None) -> dict[str, Any]:
    counts = {(role, mode): [0, 0, 0] for role in ROLES for mode in ("exact", "overlap")}
    per_rule: dict[str, int] = {}
    texts = [d.text for d in docs]
    for gdoc, sdoc in zip(docs, nlp.pipe(texts, batch_size=8)):
        article = Article(id=gdoc.name, source=gdoc.name, outlet=None, title=None, published=None,
                          language="en", text=gdoc.text)
        spans = extract_quote_spans(article, sdoc, lexicon)
        for s in spans:
            per_rule[s.rule] = per_rule.get(s.rule, 0) + 1
        index = _token_index(gdoc.text)
        preds = _pred_attributions(spans)
        for role in ROLES:
            gold_sets = [t for t in (_tokset(index, getattr(a, role)) for a in gdoc.attributions) if t]
            pred_sets = [t for t in (_tokset(index, p[role]) for p in preds) if t]
            for mode in ("exact", "overlap"):
                c = counts[(role, mode)]
                c[0] += _match(gold_sets, pred_sets, mode == "exact")
                c[1] += len(pred_sets)
                c[2] += len(gold_sets)
    metrics: dict[str, float] = {}
    for (role, mode), (tp, n_pred, n_gold) in counts.items():
        p, r, f = _prf(tp, n_pred, n_gold)
        metrics[f"{role}_{mode}_p"] = round(100 * p, 2)
        metrics[f"{role}_{mode}_r"] = round(100 * r, 2)
        metrics[f"{role}_{mode}_f1"] = round(100 * f, 2)
    gold_n = counts[("content", "exact")][2]
    pred_n = counts[("content", "exact")][1]
    return {"metrics": metrics, "gold_attributions": gold_n, "predicted_attributions": pred_n,
            "rules": per_rule}


@click.command()
@click.option("--data", "data", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder laid out like PolNeAR (<data>/<split>/{text,attributions} or <data>/data/<split>/...).")
@click.option("--split", default="dev", show_default=True, help="Split to evaluate.")
@click.option("--train-split", default="train", show_default=True,
              help="Split to learn the cue lexicon from at eval time (skipped when absent).")
@click.option("--no-train", is_flag=True, help="Use only the shipped (curated) cue lexicon.")
@click.option("--lexicon", "lexicon_path", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Use this saved lexicon (from --save-lexicon) instead of training.")
@click.option("--save-lexicon", "save_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the lexicon learnt from --train-split to this JSON file.")
@click.option("--limit", default=0, type=int, help="Evaluate only the first N articles (0 = all).")
@click.option("--train-limit", default=0, type=int,
              help="Learn frames from the first N train articles only (0 = all; parsing them takes ~2 min).")
@click.option("--json", "json_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the metrics as JSON to this file.")
def eval_quotes_command(data: Path, split: str, train_split: str, no_train: bool, lexicon_path: Path | None,
                        save_path: Path | None, limit: int, train_limit: int, json_path: Path | None) -> None:
    """Exact and overlap P/R/F1 of source, cue and content spans on PolNeAR-style gold."""
    t0 = time.time()
    try:
        docs = load_polnear(data, split)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    if limit:
        docs = docs[:limit]
    nlp, pipeline_note = load_nlp()
    lexicon = default_lexicon()
    lexicon_note = "shipped curated cue lexicon"
    if lexicon_path is not None:
        lexicon = load_cue_lexicon(lexicon_path)
        lexicon_note = f"{lexicon_path} ({len(lexicon.forms)} forms, {len(lexicon.frames)} frames)"
    elif not no_train:
        try:
            # word forms, head-word frames and multiword cues learnt from the train split
            # (parsed with the same pipeline), on top of the curated lexicon
            lexicon = train_cue_lexicon(data, split=train_split, nlp=nlp, base=default_lexicon(), limit=train_limit)
            lexicon_note = (f"curated + learnt from {train_split} ({len(lexicon.forms)} forms, "
                            f"{len(lexicon.frames)} frames, {len(lexicon.phrases)} multiword cues)")
            if save_path is not None:
                save_cue_lexicon(lexicon, save_path, about=f"cue lexicon learnt from {data} [{train_split}] "
                                 "by crossread eval quotes --save-lexicon; PolNeAR is research/evaluation "
                                 "only: do not ship a lexicon learnt from it")
        except FileNotFoundError:
            lexicon_note = f"shipped curated cue lexicon ({train_split} split absent)"
    result = evaluate(docs, nlp, lexicon)
    m = result["metrics"]
    click.echo(f"quotes on {data} [{split}]: {len(docs)} articles, {result['gold_attributions']} gold / "
               f"{result['predicted_attributions']} predicted attributions")
    click.echo(f"pipeline: {pipeline_note}")
    click.echo(f"lexicon: {lexicon_note}")
    click.echo(f"{'role':<8} {'exact P':>8} {'R':>6} {'F1':>6}   {'overlap P':>9} {'R':>6} {'F1':>6}")
    for role in ROLES:
        click.echo(f"{role:<8} {m[role + '_exact_p']:>8.1f} {m[role + '_exact_r']:>6.1f} {m[role + '_exact_f1']:>6.1f}"
                   f"   {m[role + '_overlap_p']:>9.1f} {m[role + '_overlap_r']:>6.1f} {m[role + '_overlap_f1']:>6.1f}")
    click.echo(f"({time.time() - t0:.1f}s)")
    if json_path is not None:
        payload = {"task": "quotes", "data": str(data), "split": split, "pipeline": pipeline_note,
                   "lexicon": lexicon_note, "articles": len(docs),
                   "gold_attributions": result["gold_attributions"],
                   "predicted_attributions": result["predicted_attributions"], "metrics": m}
        json_path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    sys.stdout.flush()
