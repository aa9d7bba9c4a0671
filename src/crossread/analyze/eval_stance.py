"""``crossread eval stance``: claim-article stance on FNC-1-style data.

The folder holds ``*bodies.csv`` (Body ID, articleBody) and ``*stances.csv`` (Headline,
Body ID, Stance), as ``../shared/data/fnc1``. FNC-1 is research-only, so no model trained
on it ships: this command trains in-process with k-fold cross-validation grouped by body
id (no body is ever scored by a model that saw it), and also scores the shipped
unsupervised :func:`crossread.analyze.stance.classify_stance`.

Score: the official FNC-1 weighting (+0.25 for a correct related/unrelated decision,
+0.75 more for the correct agree/disagree/discuss label of a related pair), reported as
a share of the best possible score, and the macro-F1 over the four labels.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import click
import numpy as np

from crossread.analyze.stance import FEATURE_NAMES, LABELS, classify_stance, pair_features
from crossread.evaluation import emit_metrics

RELATED = ("agree", "disagree", "discuss")


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> float:
    """The official FNC-1 score as a share of the maximum."""
    score = best = 0.0
    for g, p in zip(gold, pred):
        best += 0.25 + (0.75 if g in RELATED else 0.0)
        if g == p:
            score += 0.25
            if g in RELATED:
                score += 0.75
        if g in RELATED and p in RELATED:
            score += 0.25 if g != p else 0.0
    return score / best if best else 0.0


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=list(LABELS), average="macro", zero_division=0))


def load_fnc(folder: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(headlines, bodies, body ids, stances) of every labelled pair in the folder."""
    csv.field_size_limit(10**8)
    body_files = sorted(folder.glob("*bodies.csv"))
    stance_files = sorted(f for f in folder.glob("*stances*.csv") if "unlabeled" not in f.name)
    if not body_files or not stance_files:
        raise FileNotFoundError(f"{folder}: no *bodies.csv / *stances.csv")
    bodies: dict[str, str] = {}
    for f in body_files:
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                bodies[row["Body ID"]] = row["articleBody"]
    heads, texts, ids, labels = [], [], [], []
    for f in stance_files:
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("Stance") in LABELS and row["Body ID"] in bodies:
                    heads.append(row["Headline"])
                    texts.append(bodies[row["Body ID"]])
                    ids.append(row["Body ID"])
                    labels.append(row["Stance"])
    return heads, texts, ids, labels


def _tfidf_features(train_h, train_b, heads, bodies):
    """TF-IDF cosine headline-body, fitted on the training fold's texts only."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_features=30000, ngram_range=(1, 2))
    vec.fit(list(set(train_h)) + list(set(train_b)))
    h, b = vec.transform(heads), vec.transform(bodies)
    return np.asarray(h.multiply(b).sum(axis=1)).ravel()


def _bow(train_h, train_b, heads, bodies):
    """Riedel et al.-style term-frequency vectors of headline and body (top 3000 terms each)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    vh = TfidfVectorizer(stop_words="english", max_features=3000, use_idf=False, norm="l2").fit(train_h)
    vb = TfidfVectorizer(stop_words="english", max_features=3000, use_idf=False, norm="l2").fit(list(set(train_b)))
    return hstack([vh.transform(heads), vb.transform(bodies)]).tocsr()


def cross_validate(heads, bodies, ids, labels, folds: int = 5, seed: int = 0) -> list[str]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    dense = np.asarray([pair_features(h, b) for h, b in zip(heads, bodies)], dtype=float)
    y = np.asarray(labels)
    pred = np.empty(len(y), dtype=object)
    for train, test in GroupKFold(n_splits=folds).split(dense, y, groups=ids):
        th, tb = [heads[i] for i in train], [bodies[i] for i in train]
        cos = _tfidf_features(th, tb, heads, bodies)[:, None]
        X = np.hstack([dense, cos])
        # a linear model over the bag of words feeds its class probabilities to the boosted trees
        # (out-of-fold inside the training part, so the trees never see over-confident inputs)
        Xs = _bow(th, tb, heads, bodies)
        inner = np.zeros((len(train), len(LABELS)))
        groups_train = [ids[i] for i in train]
        for a, b in GroupKFold(n_splits=2).split(train, groups=groups_train):
            lr = LogisticRegression(C=4.0, max_iter=200).fit(Xs[train[a]], y[train[a]])
            inner[b] = _proba(lr, Xs[train[b]])
        lr = LogisticRegression(C=4.0, max_iter=200).fit(Xs[train], y[train])
        stacked_train = np.hstack([X[train], inner])
        stacked_test = np.hstack([X[test], _proba(lr, Xs[test])])
        gb = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.08, random_state=seed)
        gb.fit(stacked_train, y[train])
        pred[test] = gb.predict(stacked_test)
    return list(pred)


def _proba(model, X) -> np.ndarray:
    p = model.predict_proba(X)
    out = np.zeros((X.shape[0], len(LABELS)))
    for k, c in enumerate(model.classes_):
        out[:, LABELS.index(c)] = p[:, k]
    return out


@click.command()
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="A folder laid out like ../shared/data/fnc1 (*bodies.csv, *stances.csv), or the shared data root.")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds, grouped by body id.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def eval_stance_command(data: Path, folds: int, json_path: Path | None) -> None:
    """Claim-article stance (FNC-1 score, macro-F1) with body-grouped cross-validation."""
    from sklearn.metrics import confusion_matrix

    folder = data / "fnc1" if (data / "fnc1").is_dir() else data
    try:
        heads, bodies, ids, labels = load_fnc(folder)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    n_bodies = len(set(ids))
    folds = max(2, min(folds, n_bodies))
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one core: OpenMP oversubscription on a busy machine is very slow
        pred = cross_validate(heads, bodies, ids, labels, folds=folds)
    unsup = [classify_stance(h, b)[0] for h, b in zip(heads, bodies)]
    related_gold = [lab != "unrelated" for lab in labels]
    metrics = {
        "fnc_score": fnc_score(labels, pred), "macro_f1": macro_f1(labels, pred),
        "accuracy": float(np.mean([g == p for g, p in zip(labels, pred)])),
        "related_acc": float(np.mean([g == (p != "unrelated") for g, p in zip(related_gold, pred)])),
        "unsupervised_fnc_score": fnc_score(labels, unsup), "unsupervised_macro_f1": macro_f1(labels, unsup),
        "pairs": len(labels), "bodies": n_bodies,
    }
    cm = confusion_matrix(labels, pred, labels=list(LABELS))
    notes = [f"{folds}-fold cross-validation grouped by body id ({len(labels)} pairs, {n_bodies} bodies); "
             f"model: {len(FEATURE_NAMES)} cue/overlap features + TF-IDF cosine + stacked bag-of-words "
             "logistic regression -> gradient boosting, trained in-process (nothing saved)",
             "unsupervised_* = the shipped classify_stance (hand-set rules, no training)",
             "confusion (rows gold, cols predicted; " + "/".join(LABELS) + "): "
             + "; ".join(f"{g}: {' '.join(str(int(v)) for v in row)}" for g, row in zip(LABELS, cm))]
    emit_metrics("stance", folder, metrics, json_path, notes=notes)
