"""``crossread eval events``: PLOVER typing and end-to-end triples on PLV / the gold records.

* Type accuracy + macro-F1 on PLV_train by stratified k-fold cross-validation (a
  fold is never scored by a model that saw it), or — with ``--file`` — train on
  PLV_train and score another PLV-style TSV. Labels are PLV's (CONCEDE/RETREAT
  collapse to YIELD, legacy names normalised).
* Gold-record type accuracy/macro-F1: trained on all of PLV_train, scored on
  PLOVER_GSR_CAMEO.txt (a transfer test).
* Actor codes (:func:`actor_code_scores`): country and sector accuracy over the gold records'
  source/target actors.
* Triples (type + source head + target head) need the parser
  (``crossread.nlp.load_pipeline``); without it they are reported as unavailable.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Sequence

import click
import numpy as np

from crossread.extract.plover import (
    PloverTypeModel,
    coarse_type,
    read_gold_records,
    read_plv,
)

STOP = {"the", "a", "an", "of", "and", "'s", "in", "on", "to", "for", "by", "with"}


def _f1s(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    labels = sorted(set(gold))
    per = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = {"p": prec, "r": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
                    "n": tp + fn}
    acc = sum(1 for g, p in zip(gold, pred) if g == p) / len(gold) if gold else 0.0
    macro = float(np.mean([v["f1"] for v in per.values()])) if per else 0.0
    return {"accuracy": acc, "macro_f1": macro, "per_type": per}


def _folds(labels: Sequence[str], k: int, seed: int = 0) -> list[np.ndarray]:
    """Stratified folds (round-robin per label after a seeded shuffle)."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    by_label: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by_label.setdefault(lab, []).append(i)
    offset = 0
    for lab in sorted(by_label):
        idx = list(by_label[lab])
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(i)
        offset += len(idx)
    return [np.array(sorted(f), dtype=int) for f in folds if f]


def cross_validate(rows: Sequence[dict[str, str]], k: int = 5, C: float = 10.0,
                   extra: tuple[list[str], list[str]] | None = None,
                   models_out: list[PloverTypeModel] | None = None) -> tuple[list[str], list[str], list[int]]:
    """Out-of-fold predictions: (gold, predicted, fold index per row). ``extra`` examples join
    every training fold; ``models_out`` receives the fold models (index = fold)."""
    marked = [r["marked_sentence"] for r in rows]
    gold = [coarse_type(r["gold_root"]) for r in rows]
    k = max(2, min(k, len(rows)))
    pred: list[str] = [""] * len(rows)
    fold_of = [0] * len(rows)
    folds = _folds(gold, k)
    for f, test in enumerate(folds):
        test_set = set(test.tolist())
        train = [i for i in range(len(rows)) if i not in test_set]
        xm = [marked[i] for i in train]
        ym = [gold[i] for i in train]
        if extra:
            xm, ym = xm + extra[0], ym + extra[1]
        model = PloverTypeModel.train(xm, ym, C=C)
        if models_out is not None:
            models_out.append(model)
        for i, p in zip(test, model.predict([marked[i] for i in test])):
            pred[i] = coarse_type(p)
            fold_of[i] = f
    return gold, pred, fold_of


# ---------------------------------------------------------------------------
# Triples
# ---------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w'-]+", text) if w.lower() not in STOP}


def _head_word(text: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", text) if w.lower() not in STOP]
    return words[-1].lower() if words else ""


def triple_scores(items: Sequence[dict[str, Any]], nlp: Callable[[str], Any],
                  models: Sequence[PloverTypeModel], fold_of: Sequence[int] | None = None) -> dict[str, float]:
    """End-to-end triples. Each item: ``sentence``, ``source``, ``target``, ``type`` (coarse).
    A predicted event matches when its coarse type equals the gold type and the head word of
    the gold source (target) is among the words of a source (target) actor's mention in the
    sentence. ``models[fold_of[i]]`` types item ``i`` (so CV never scores its own fold)."""
    from crossread.extract.actors import resolve_actors
    from crossread.extract.events import extract_events
    from crossread.records import Article

    n_pred = n_gold = n_match_p = n_match_g = 0
    by_band: dict[str, list[int]] = {}  # confidence band -> [events, matched]
    for i, item in enumerate(items):
        model = models[fold_of[i] if fold_of is not None else 0]
        text = item["sentence"]
        doc = nlp(text)
        article = Article(id=f"eval{i}", source="eval", outlet=None, title=None, published=None,
                          language="en", text=doc.text)
        actors = resolve_actors(article, doc)
        events = extract_events(article, doc, actors, model=model)
        words_of = {a.id: set().union(*[_words(m.text) for m in a.mentions]) if a.mentions else set()
                    for a in actors}
        gold_src, gold_tgt = _head_word(item["source"]), _head_word(item["target"])
        n_gold += 1
        n_pred += len(events)
        matched = 0
        for ev in events:
            src_words = set().union(*[words_of.get(a, set()) for a in ev.source]) if ev.source else set()
            tgt_words = set().union(*[words_of.get(a, set()) for a in ev.target]) if ev.target else set()
            hit = coarse_type(ev.plover) == item["type"] and gold_src in src_words and gold_tgt in tgt_words
            matched += hit
            band = by_band.setdefault(confidence_band(ev.confidence), [0, 0])
            band[0] += 1
            band[1] += hit
        n_match_p += matched
        n_match_g += 1 if matched else 0
    p = n_match_p / n_pred if n_pred else 0.0
    r = n_match_g / n_gold if n_gold else 0.0
    order = [confidence_band(v) for v in (0.0, *CONFIDENCE_BANDS)] + ["none"]
    bands = {b: {"events": by_band[b][0], "precision": by_band[b][1] / by_band[b][0]}
             for b in order if by_band.get(b, [0])[0]}
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "n_pred": n_pred, "n_gold": n_gold,
            "by_confidence": bands}


# CAMEO country codes older than ISO 3166 alpha-3 that the gold records still use
CAMEO_LEGACY_COUNTRIES = {"JAP": "JPN"}


def _gold_code(value: Any) -> str | None:
    """A gold country or sector code reduced to its first three letters ("CVLalb" -> CVL; legacy
    CAMEO country codes to ISO); empty -> None."""
    code = str(value or "").strip()[:3].upper()
    return CAMEO_LEGACY_COUNTRIES.get(code, code) or None


def actor_code_scores(records: Sequence[dict[str, Any]], nlp: Callable[[str], Any],
                      model: PloverTypeModel) -> dict[str, Any]:
    """Country and sector accuracy over the gold records' source/target actors.

    Each gold actor (``source``/``target`` lists, ``code`` and ``sector``) is matched to one crossread
    actor of its sentence: an actor in the same role of a predicted event whose mention words include
    the head word (last non-stopword) of the gold ``actorText``; failing that, any actor of the sentence
    whose mention words include it. ``actor_country_acc``: the share of all gold actors whose matched
    actor's country equals the gold ``code`` (first three letters, legacy CAMEO codes mapped to ISO);
    ``actor_sector_acc``: the share whose matched actor's sector equals the gold ``sector`` (first three
    letters; no sector equals no sector), over the gold actors whose sector is not the placeholder
    ``***``. An unmatched gold actor counts as wrong; ``actor_matched`` says how many were matched, and
    the ``*_matched_acc`` values are the same shares over the matched ones only."""
    from crossread.extract.actors import resolve_actors
    from crossread.extract.events import extract_events
    from crossread.records import Article

    n = matched = country_ok = 0
    n_sector = sector_ok = matched_sector = 0
    for i, rec in enumerate(records):
        golds = [(role, a) for role in ("source", "target") if isinstance(rec.get(role), list)
                 for a in rec[role] if isinstance(a, dict) and a.get("actorText")]
        if not golds:
            continue
        doc = nlp(rec["text"])
        article = Article(id=f"codes{i}", source="eval", outlet=None, title=None, published=None,
                          language="en", text=doc.text)
        actors = resolve_actors(article, doc)
        events = extract_events(article, doc, actors, model=model)
        words_of = {a.id: set().union(*[_words(m.text) for m in a.mentions]) if a.mentions else set()
                    for a in actors}
        by_id = {a.id: a for a in actors}
        for role, gold in golds:
            head = _head_word(gold["actorText"])
            in_role = [x for ev in events for x in (ev.source if role == "source" else ev.target)]
            found = next((by_id[x] for x in in_role if x in by_id and head in words_of.get(x, ())), None)
            if found is None:
                found = next((a for a in actors if head in words_of[a.id]), None)
            n += 1
            has_sector = str(gold.get("sector") or "").strip() != "***"
            n_sector += has_sector
            if found is None:
                continue
            matched += 1
            matched_sector += has_sector
            country_ok += (found.country or None) == _gold_code(gold.get("code"))
            if has_sector:
                sector_ok += (getattr(found, "sector", None) or None) == _gold_code(gold.get("sector"))
    return {"actor_n": n, "actor_matched": matched,
            "actor_country_acc": country_ok / n if n else 0.0,
            "actor_sector_acc": sector_ok / n_sector if n_sector else 0.0,
            "actor_country_matched_acc": country_ok / matched if matched else 0.0,
            "actor_sector_matched_acc": sector_ok / matched_sector if matched_sector else 0.0}


CONFIDENCE_BANDS = (0.5, 0.7, 0.9)


def confidence_band(value: float | None) -> str:
    """"<0.5", "0.5-0.7", "0.7-0.9", ">=0.9" or "none"."""
    if value is None:
        return "none"
    lower = 0.0
    for edge in CONFIDENCE_BANDS:
        if value < edge:
            return f"<{edge}" if lower == 0.0 else f"{lower}-{edge}"
        lower = edge
    return f">={lower}"


def _load_parser() -> Callable[[str], Any] | None:
    try:
        from crossread.nlp import load_pipeline  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        nlp = load_pipeline()
        probe = nlp("Israel attacked Gaza.")
    except Exception:  # noqa: BLE001 - any failure means "no parser" for this report
        return None
    return nlp if probe.has_annotation("DEP") else None


def _gold_items(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for rec in records:
        src = rec.get("source") or []
        tgt = rec.get("target") or []
        if not isinstance(src, list) or not isinstance(tgt, list) or not src or not tgt:
            continue
        items.append({"sentence": rec["text"], "source": src[0].get("actorText", ""),
                      "target": tgt[0].get("actorText", ""), "type": coarse_type(rec["plover"])})
    return items


def run_eval(data: Path, file: Path | None = None, folds: int = 5,
             parser: Callable[[str], Any] | None | str = "auto", with_gold: bool = False) -> dict[str, Any]:
    """All metrics. ``with_gold`` adds the (open) PLOVER gold records to every PLV training
    fold (they are never scored in the PLV CV); the gold-record metrics then stop being a
    transfer test and are reported from the PLV-only model as before."""
    plv_path = data / "plv" / "PLV_train.tsv"
    if not plv_path.exists():
        alt = data / "PLV_train.tsv"
        plv_path = alt if alt.exists() else plv_path
    rows = read_plv(plv_path)
    metrics: dict[str, Any] = {}
    extra: tuple[list[str], list[str]] | None = None
    fold_models: list[PloverTypeModel] = []
    if file is not None:
        test_rows = read_plv(file)
        model = PloverTypeModel.train([r["marked_sentence"] for r in rows],
                                      [coarse_type(r["gold_root"]) for r in rows])
        gold = [coarse_type(r["gold_root"]) for r in test_rows]
        pred = [coarse_type(p) for p in model.predict([r["marked_sentence"] for r in test_rows])]
        fold_of = [0] * len(test_rows)
        models = [model]
        scored_rows = test_rows
        metrics["protocol"] = f"train PLV_train ({len(rows)}), score {file}"
    else:
        gold_file = data / "PLOVER_GSR_CAMEO.txt"
        if with_gold and gold_file.exists():
            recs = read_gold_records(gold_file)
            extra = ([r["marked_sentence"] for r in recs], [coarse_type(r["plover"]) for r in recs])
        gold, pred, fold_of = cross_validate(rows, folds, extra=extra, models_out=fold_models)
        scored_rows = rows
        metrics["protocol"] = f"{folds}-fold stratified CV on PLV_train ({len(rows)})" + (
            f" + {len(extra[0])} gold records in every training fold" if extra else "")
        models = list(fold_models)  # reused for the triples: same folds, same training data
    scores = _f1s(gold, pred)
    metrics.update({"plover_accuracy": scores["accuracy"], "plover_macro_f1": scores["macro_f1"],
                    "per_type": scores["per_type"], "n": len(gold)})
    gold_path = data / "PLOVER_GSR_CAMEO.txt"
    full_model = None
    gsr_items: list[dict[str, Any]] = []
    if gold_path.exists():
        records = read_gold_records(gold_path)
        full_model = PloverTypeModel.train([r["marked_sentence"] for r in rows],
                                           [coarse_type(r["gold_root"]) for r in rows])
        g_gold = [coarse_type(r["plover"]) for r in records]
        g_pred = [coarse_type(p) for p in full_model.predict([r["marked_sentence"] for r in records])]
        gs = _f1s(g_gold, g_pred)
        metrics["gsr_plover_accuracy"] = gs["accuracy"]
        metrics["gsr_plover_macro_f1"] = gs["macro_f1"]
        metrics["gsr_n"] = len(g_gold)
        gsr_items = _gold_items(records)
    nlp = _load_parser() if parser == "auto" else parser
    if nlp is None:
        metrics.update({"triple_p": None, "triple_r": None, "triple_f1": None,
                        "triples": "parser unavailable"})
        return metrics
    items = [{"sentence": r["sentence"], "source": r["source"], "target": r["target"],
              "type": coarse_type(r["gold_root"])} for r in scored_rows]
    if not models:  # CV: one model per fold, trained without that fold
        k = max(fold_of) + 1 if fold_of else 1
        all_gold = [coarse_type(r["gold_root"]) for r in rows]
        for f in range(k):
            train = [i for i in range(len(rows)) if fold_of[i] != f]
            xm = [rows[i]["marked_sentence"] for i in train]
            ym = [all_gold[i] for i in train]
            if extra:
                xm, ym = xm + extra[0], ym + extra[1]
            models.append(PloverTypeModel.train(xm, ym))
    t = triple_scores(items, nlp, models, fold_of)
    metrics.update({"triple_p": t["p"], "triple_r": t["r"], "triple_f1": t["f1"],
                    "triple_n_pred": t["n_pred"], "triple_n_gold": t["n_gold"],
                    "triple_p_by_confidence": t["by_confidence"]})
    if gsr_items and full_model is not None:
        tg = triple_scores(gsr_items, nlp, [full_model])
        metrics.update({"gsr_triple_p": tg["p"], "gsr_triple_r": tg["r"], "gsr_triple_f1": tg["f1"]})
        metrics.update(actor_code_scores(records, nlp, full_model))
    return metrics


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else str(value))


def render_table(metrics: dict[str, Any]) -> str:
    lines = [f"PLOVER events — {metrics.get('protocol', '')}", ""]
    rows = [("PLOVER type accuracy (PLV)", metrics.get("plover_accuracy")),
            ("PLOVER type macro-F1 (PLV)", metrics.get("plover_macro_f1"))]
    if "gsr_plover_accuracy" in metrics:
        rows += [("type accuracy (gold records, trained on PLV)", metrics["gsr_plover_accuracy"]),
                 ("type macro-F1 (gold records, trained on PLV)", metrics["gsr_plover_macro_f1"])]
    if metrics.get("triples") == "parser unavailable":
        rows.append(("triples P/R/F1", "parser unavailable"))
    else:
        rows += [("triple P (PLV)", metrics.get("triple_p")), ("triple R (PLV)", metrics.get("triple_r")),
                 ("triple F1 (PLV)", metrics.get("triple_f1"))]
        if "gsr_triple_f1" in metrics:
            rows += [("triple P (gold records)", metrics["gsr_triple_p"]),
                     ("triple R (gold records)", metrics["gsr_triple_r"]),
                     ("triple F1 (gold records)", metrics["gsr_triple_f1"])]
        if "actor_country_acc" in metrics:
            rows += [("gold actors matched to an actor", f"{metrics['actor_matched']}/{metrics['actor_n']}"),
                     ("actor country accuracy (gold records)", metrics["actor_country_acc"]),
                     ("actor sector accuracy (gold records)", metrics["actor_sector_acc"]),
                     ("actor country accuracy (matched only)", metrics["actor_country_matched_acc"]),
                     ("actor sector accuracy (matched only)", metrics["actor_sector_matched_acc"])]
    width = max(len(r[0]) for r in rows)
    lines += [f"{name.ljust(width)}  {_fmt(value)}" for name, value in rows]
    bands = metrics.get("triple_p_by_confidence") or {}
    if bands:
        lines += ["", "triple precision by event confidence (PLV; a lower bound: one gold event per sentence)"]
        lines += [f"  {band:<8} {v['events']:5d} events  P {v['precision']:.3f}" for band, v in bands.items()]
    per = metrics.get("per_type") or {}
    if per:
        lines += ["", f"{'type'.ljust(10)} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}"]
        for lab, v in sorted(per.items()):
            lines.append(f"{lab.ljust(10)} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f} {v['n']:5d}")
    return "\n".join(lines)


@click.command(name="events")
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder laid out like shared/data/plover (plv/PLV_train.tsv, PLOVER_GSR_CAMEO.txt).")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Score this PLV-style TSV with a model trained on PLV_train (instead of CV).")
@click.option("--folds", default=5, show_default=True, type=int, help="Cross-validation folds.")
@click.option("--with-gold", is_flag=True, default=False,
              help="Add the PLOVER gold records to every PLV training fold.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the metrics as JSON here.")
def eval_events_command(data: Path, file: Path | None, folds: int, with_gold: bool,
                        json_out: Path | None) -> None:
    """PLOVER type accuracy/macro-F1 and end-to-end triple P/R/F1."""
    metrics = run_eval(data, file, folds, with_gold=with_gold)
    click.echo(render_table(metrics))
    if json_out is not None:
        json_out.write_text(json.dumps({"task": "events", "data": str(data), "metrics": metrics},
                                       indent=2), encoding="utf-8")


__all__ = ["eval_events_command", "run_eval", "cross_validate", "triple_scores", "actor_code_scores", "render_table",
           "Counter"]
