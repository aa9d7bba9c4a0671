"""``crossread eval framing``: the loaded-term lexicon and a bias-sentence classifier on public gold data.

* BASIL (``<data>/basil``: ``articles/<year>/<id>.json`` with ``body-paragraphs`` = lists of sentences,
  ``annotations/<year>/<id>_ann.json`` with phrase-level spans; ``start``/``end`` index one sentence).
  Gold = the *lexical* bias spans (``"bias": "lex"``). Predictions = loaded-term matches in every sentence.
  Span P/R/F1 with overlap matching (``span_f1``) and exact boundaries (``span_exact_f1``), plus
  sentence-level "has lexical bias" P/R/F1 of the lexicon.
* BABE (``<data>/babe/final_labels_SG2.csv``; ``;``-separated, ``label_bias`` Biased/Non-biased).
  Sentence classification with 5-fold stratified CV: logistic regression over TF-IDF word (1-2) and
  char_wb (2-5) n-grams plus per-family lexicon counts, trained in-process only (``macro_f1``; the
  published large-transformer result is 0.804), and the lexicon-only baseline (biased iff any match,
  ``lexicon_macro_f1``). Word-level P/R/F1 of the lexicon against ``biased_words`` as well.

Nothing derived from these corpora is written anywhere: they are evaluation data only.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import click

from crossread.analyze.framing import load_lexicon, match_loaded_terms
from crossread.evaluation import basil_paragraphs, emit_metrics, prf

PUBLISHED_BABE_MACRO_F1 = 0.804


# ----------------------------------------------------------------------------------------------------------------
# BASIL


def _sentences(record: dict) -> list[str]:
    return [sentence for paragraph in basil_paragraphs(record) for sentence in paragraph]


def _locate(sentences: list[str], start: int, end: int, txt: str) -> tuple[int, int, int] | None:
    """(sentence index, start, end) of an annotation whose offsets index one (unknown) sentence."""
    txt_n = txt.strip()
    for i, s in enumerate(sentences):
        if s[start:end] == txt:
            return i, start, end
    for i, s in enumerate(sentences):
        if s[start:end].strip().lower() == txt_n.lower() and txt_n:
            return i, start, end
    for i, s in enumerate(sentences):  # offsets off: first occurrence of the text
        pos = s.find(txt_n) if txt_n else -1
        if pos >= 0:
            return i, pos, pos + len(txt_n)
    return None


def evaluate_basil(folder: Path) -> tuple[dict[str, float], list[str]]:
    lexicon = load_lexicon()
    n_gold = n_pred = exact_tp = gold_hit = pred_hit = unlocated = 0
    sent_tp = sent_pred = sent_gold = n_articles = 0
    for ann_path in sorted((folder / "annotations").rglob("*_ann.json")):
        art_path = folder / "articles" / ann_path.parent.name / (ann_path.name[: -len("_ann.json")] + ".json")
        if not art_path.exists():
            candidates = list((folder / "articles").rglob(ann_path.name[: -len("_ann.json")] + ".json"))
            if not candidates:
                continue
            art_path = candidates[0]
        record = json.loads(art_path.read_text(encoding="utf-8"))
        ann = json.loads(ann_path.read_text(encoding="utf-8"))
        sentences = _sentences(record)
        n_articles += 1
        gold: dict[int, list[tuple[int, int]]] = {}
        for a in ann.get("phrase-level-annotations", []):
            if a.get("bias") != "lex":
                continue
            loc = _locate(sentences, int(a.get("start", 0)), int(a.get("end", 0)), a.get("txt", ""))
            if loc is None:
                unlocated += 1
                continue
            gold.setdefault(loc[0], []).append((loc[1], loc[2]))
        for i, sentence in enumerate(sentences):
            preds = [(m.start, m.end) for m in match_loaded_terms(sentence, lexicon=lexicon)]
            golds = sorted(set(gold.get(i, [])))
            n_gold += len(golds)
            n_pred += len(preds)
            exact_tp += len(set(preds) & set(golds))
            gold_hit += sum(1 for g in golds if any(p[0] < g[1] and g[0] < p[1] for p in preds))
            pred_hit += sum(1 for p in preds if any(p[0] < g[1] and g[0] < p[1] for g in golds))
            sent_pred += bool(preds)
            sent_gold += bool(golds)
            sent_tp += bool(preds) and bool(golds)
    p_ex, r_ex, f_ex = prf(exact_tp, n_pred, n_gold)
    p_ov = pred_hit / n_pred if n_pred else 0.0
    r_ov = gold_hit / n_gold if n_gold else 0.0
    f_ov = 2 * p_ov * r_ov / (p_ov + r_ov) if p_ov + r_ov else 0.0
    sp, sr, sf = prf(sent_tp, sent_pred, sent_gold)
    metrics = {
        "basil_articles": n_articles, "basil_gold_spans": n_gold, "basil_predicted_spans": n_pred,
        "span_precision": p_ov, "span_recall": r_ov, "span_f1": f_ov,
        "span_exact_precision": p_ex, "span_exact_recall": r_ex, "span_exact_f1": f_ex,
        "sentence_precision": sp, "sentence_recall": sr, "sentence_f1": sf,
    }
    notes = [f"BASIL: {unlocated} lexical-bias annotation(s) could not be located in their article."] if unlocated else []
    return metrics, notes


# ----------------------------------------------------------------------------------------------------------------
# BABE


def load_babe(folder: Path) -> list[tuple[str, int, list[str]]]:
    """(sentence, 1 if Biased else 0, biased words) from SG2 (rows without agreement are dropped)."""
    path = folder / "final_labels_SG2.csv"
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            label = (row.get("label_bias") or "").strip().lower()
            if label not in ("biased", "non-biased"):
                continue
            try:
                words = ast.literal_eval(row.get("biased_words") or "[]")
            except (ValueError, SyntaxError):
                words = []
            rows.append(((row.get("text") or "").strip(), int(label == "biased"), [str(w) for w in words]))
    return rows


def _lexicon_features(texts: list[str]):
    import numpy as np

    lexicon = load_lexicon()
    families = sorted({e.family for e in lexicon})
    feats = np.zeros((len(texts), len(families) + 1), dtype=float)
    for i, text in enumerate(texts):
        matches = match_loaded_terms(text, lexicon=lexicon)
        for m in matches:
            feats[i, families.index(m.family)] += 1.0
        feats[i, -1] = float(bool(matches))
    return feats


def _macro_f1(gold, pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro"))


def evaluate_babe(folder: Path, folds: int = 5, seed: int = 13) -> tuple[dict[str, float], list[str]]:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    rows = load_babe(folder)
    texts = [r[0] for r in rows]
    y = np.array([r[1] for r in rows])
    lex = _lexicon_features(texts)
    lexicon_pred = (lex[:, -1] > 0).astype(int)
    n_splits = max(2, min(folds, int(np.bincount(y, minlength=2).min()))) if len(set(y)) > 1 else 0
    cv_pred = np.zeros_like(y)
    if n_splits >= 2:
        for train, test in StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(texts, y):
            word = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True)
            char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2 if len(train) > 50 else 1,
                                   sublinear_tf=True, max_features=200_000)
            tr = [texts[i] for i in train]
            te = [texts[i] for i in test]
            x_tr = hstack([word.fit_transform(tr), char.fit_transform(tr), csr_matrix(np.log1p(lex[train]))]).tocsr()
            x_te = hstack([word.transform(te), char.transform(te), csr_matrix(np.log1p(lex[test]))]).tocsr()
            clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced", solver="liblinear")
            clf.fit(x_tr, y[train])
            cv_pred[test] = clf.predict(x_te)
    # word level: lexicon matches vs annotators' biased words
    tp = n_pred = n_gold = 0
    lexicon = load_lexicon()
    for text, _, words in rows:
        gold = {w.lower() for w in words}
        pred = set()
        for m in match_loaded_terms(text, lexicon=lexicon):
            pred.update(w.lower() for w in re.findall(r"[\w'-]+", text[m.start:m.end]))
        n_gold += len(gold)
        n_pred += len(pred)
        tp += len(gold & pred)
    wp, wr, wf = prf(tp, n_pred, n_gold)
    metrics = {
        "babe_sentences": len(rows), "babe_folds": n_splits,
        "macro_f1": _macro_f1(y, cv_pred) if n_splits >= 2 else 0.0,
        "lexicon_macro_f1": _macro_f1(y, lexicon_pred) if len(rows) else 0.0,
        "lexicon_biased_recall": float(lexicon_pred[y == 1].mean()) if (y == 1).any() else 0.0,
        "word_precision": wp, "word_recall": wr, "word_f1": wf,
        "published_macro_f1": PUBLISHED_BABE_MACRO_F1,
    }
    notes = [f"BABE SG2: {n_splits}-fold stratified CV; published {PUBLISHED_BABE_MACRO_F1} is a large "
             "transformer with distant-supervision pre-training."]
    return metrics, notes


# ----------------------------------------------------------------------------------------------------------------


def _find(root: Path, name: str, marker: str) -> Path | None:
    for candidate in (root / name, root):
        if (candidate / marker).exists():
            return candidate
    return None


@click.command(name="framing")
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Shared data root, or a folder holding basil/ and/or babe/.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the metrics as JSON.")
@click.option("--folds", default=5, show_default=True, help="CV folds for BABE.")
def eval_framing_command(data: Path, json_path: Path | None, folds: int) -> None:
    """Loaded-term lexicon vs BASIL lexical-bias spans; bias-sentence classifier on BABE SG2."""
    metrics: dict[str, float] = {}
    notes: list[str] = []
    basil = _find(data, "basil", "annotations")
    if basil is not None:
        m, n = evaluate_basil(basil)
        metrics.update(m)
        notes.extend(n)
    else:
        notes.append(f"BASIL skipped: no basil/annotations under {data}")
    babe = _find(data, "babe", "final_labels_SG2.csv")
    if babe is not None:
        m, n = evaluate_babe(babe, folds=folds)
        metrics.update(m)
        notes.extend(n)
    else:
        notes.append(f"BABE skipped: no babe/final_labels_SG2.csv under {data}")
    for note in notes:
        if "skipped" in note:
            click.echo(note, err=True)
    emit_metrics("framing", data, metrics, json_path, notes=notes)
