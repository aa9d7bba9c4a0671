"""``crossread eval event-coref``: cross-document event coreference on ECB+.

Gold event mentions (all annotated ACTION_*/NEG_ACTION_* mentions; the "validated
sentences" subset is not applied), clustered within each topic (ECB and ECB+ subtopics
together, gold topics as blocks, as is standard), scored with MUC, B-cubed, CEAF-e and
CoNLL F1 over all evaluated topics at once, singletons included. The pair model is
trained on the train topics the folder holds (all but dev 2, 5, 12, 18, 21, 23, 34, 35
among topics 1-35); with none present, the shipped weights are used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
import numpy as np

from crossread.evaluation import emit_metrics
from crossread.link.coref_metrics import conll_scores
from crossread.link.ecbplus import (DEV_TOPICS, TRAIN_TOPICS, EcbDocument, available_topics, find_corpus_root,
                                    read_topic)
from crossread.link.event_coref import (FEATURES, EventMention, PairModel, average_link, feature_tensor,
                                        load_model)

THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.20, 0.86, 0.05))


def topic_mentions(docs: Sequence[EcbDocument]) -> tuple[list[EventMention], list[str], dict[str, str]]:
    """EventMentions of one topic, their gold cluster ids and the document texts."""
    mentions, gold = [], []
    for doc in docs:
        by_sentence: dict[int, list] = {}
        for ent in doc.entities:
            by_sentence.setdefault(ent.sentence, []).append(ent)
        for ev in doc.events:
            around = by_sentence.get(ev.sentence, [])
            times = [e.text for e in around if e.tag.startswith("TIME")]
            locs = [e.text for e in around if e.tag.startswith("LOC")]
            parts = [e.text for e in around if e.tag.startswith(("HUMAN", "NON_HUMAN"))]
            mentions.append(EventMention(doc_id=doc.name, sentence=doc.sentence_text(ev.sentence), trigger=ev.text,
                                         start=ev.start, end=ev.end, participants=parts,
                                         time=" ".join(times) or None, location=" ".join(locs) or None,
                                         kind=ev.tag.replace("NEG_", "")))
            gold.append(ev.cluster)
    return mentions, gold, {d.name: d.text for d in docs}


def _load(root: Path, topics: Sequence[int]) -> dict[int, tuple[list[EventMention], list[str], dict[str, str]]]:
    return {t: topic_mentions(read_topic(root, t)) for t in topics}


def add_embeddings(data: dict) -> bool:
    """Give every mention the MiniLM vector of its sentence; False where no backend loads."""
    from crossread.nlp.embeddings import optional_embedding_service

    service = optional_embedding_service(None, stage="events")
    if service is None:
        return False
    mentions = [m for ms, _, _ in data.values() for m in ms]
    for mention, vector in zip(mentions, service.embed([m.sentence for m in mentions])):
        mention.embedding = vector
    return True


def _clusters(labels: Sequence[str], prefix: str) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(lab, []).append(f"{prefix}:{i}")
    return list(groups.values())


def train_model(data: dict, max_neg_per_pos: float = 20.0, seed: int = 0) -> PairModel:
    """Logistic regression on all within-topic mention pairs (negatives subsampled), threshold tuned after."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for mentions, gold, texts in data.values():
        n = len(mentions)
        if n < 2:
            continue
        X = feature_tensor(mentions, texts).astype(np.float32)
        iu = np.triu_indices(n, 1)
        g = np.asarray(gold, dtype=object)
        y = (g[:, None] == g[None, :])[iu]
        Xp = X[iu]
        pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
        keep = min(len(neg), int(max_neg_per_pos * max(len(pos), 1)))
        neg = rng.choice(neg, size=keep, replace=False) if keep < len(neg) else neg
        idx = np.concatenate([pos, neg])
        xs.append(Xp[idx])
        ys.append(y[idx])
    X, y = np.concatenate(xs), np.concatenate(ys)
    clf = LogisticRegression(C=1.0, max_iter=500).fit(X, y)
    return PairModel(clf.coef_[0].astype(float), float(clf.intercept_[0]), 0.5)


def predict(data: dict, model: PairModel, threshold: float, probs: dict | None = None) -> tuple[list, list]:
    key, response = [], []
    for topic, (mentions, gold, texts) in data.items():
        if probs is not None and topic in probs:
            p = probs[topic]
        else:
            n = len(mentions)
            p = model.proba(feature_tensor(mentions, texts).reshape(n * n, -1)).reshape(n, n) if n else np.zeros((0, 0))
            p = (p + p.T) / 2
            np.fill_diagonal(p, 1.0)
            if probs is not None:
                probs[topic] = p
        key += _clusters(gold, str(topic))
        pred = [""] * len(mentions)
        for c, members in enumerate(average_link(p, threshold)):
            for i in members:
                pred[i] = str(c)
        response += _clusters(pred, str(topic))
    return key, response


def tune_threshold(data: dict, model: PairModel) -> float:
    probs: dict = {}
    best, best_f = 0.5, -1.0
    for t in THRESHOLDS:
        f = conll_scores(*predict(data, model, t, probs))["conll_f1"]
        if f > best_f:
            best, best_f = t, f
    return best


def lemma_baseline(data: dict) -> tuple[list, list]:
    key, response = [], []
    for topic, (mentions, gold, _) in data.items():
        key += _clusters(gold, str(topic))
        response += _clusters([m.lemma for m in mentions], str(topic))
    return key, response


def error_notes(data: dict, model: PairModel, threshold: float, limit: int = 3) -> list[str]:
    """Counts of wrongly split same-lemma pairs and wrongly merged pairs."""
    split_same_lemma = merged_wrong = missed_other_lemma = 0
    for mentions, gold, texts in data.values():
        n = len(mentions)
        p = model.proba(feature_tensor(mentions, texts).reshape(n * n, -1)).reshape(n, n)
        pred = np.empty(n, dtype=int)
        for c, members in enumerate(average_link((p + p.T) / 2, threshold)):
            pred[members] = c
        g = np.asarray(gold, dtype=object)
        lem = np.asarray([m.lemma for m in mentions], dtype=object)
        iu = np.triu_indices(n, 1)
        same_gold = (g[:, None] == g[None, :])[iu]
        same_pred = (pred[:, None] == pred[None, :])[iu]
        same_lemma = (lem[:, None] == lem[None, :])[iu]
        split_same_lemma += int((same_gold & ~same_pred & same_lemma).sum())
        missed_other_lemma += int((same_gold & ~same_pred & ~same_lemma).sum())
        merged_wrong += int((~same_gold & same_pred).sum())
    return [f"pair errors on evaluated topics: {merged_wrong} wrongly merged pairs, "
            f"{split_same_lemma} missed coreferent pairs with the same head lemma, "
            f"{missed_other_lemma} missed with different lemmas"]


@click.command()
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="The folder holding ECB+/<topic>/*.xml (or ECB+ itself, or the shared data root).")
@click.option("--topics", default=None, help="Comma-separated topics to evaluate (default: all non-train topics present).")
@click.option("--save-weights", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the trained pair model (JSON) here, e.g. src/crossread/data/event_coref_weights.json.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="MiniLM sentence vectors for the emb_cos feature (without: the TF-IDF cosine stands in).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def eval_event_coref_command(data: Path, topics: str | None, save_weights: Path | None, embeddings: bool,
                             json_path: Path | None) -> None:
    """Cross-document event coreference on ECB+ gold mentions (MUC, B3, CEAF-e, CoNLL F1)."""
    try:
        root = find_corpus_root(data)
    except FileNotFoundError as exc:
        raise click.UsageError(str(exc)) from exc
    present = available_topics(root)
    eval_topics = [int(t) for t in topics.split(",")] if topics else [t for t in present if t not in TRAIN_TOPICS]
    eval_topics = [t for t in eval_topics if t in present]
    train_topics = [t for t in present if t in TRAIN_TOPICS and t not in eval_topics]
    if not eval_topics:
        raise click.UsageError(f"{root}: no topics to evaluate (present: {present})")
    notes = []
    if train_topics:
        train = _load(root, train_topics)
        if embeddings:
            add_embeddings(train)
        model = train_model(train)
        model.threshold = tune_threshold(train, model)
        model.meta = {"trained_on": f"ECB+ topics {','.join(map(str, train_topics))} (CC BY 3.0)",
                      "method": "logistic regression on within-topic gold mention pairs; "
                                "average-link threshold tuned on the same topics for CoNLL F1",
                      "embeddings": "MiniLM (all-MiniLM-L6-v2, int8 ONNX) sentence vectors" if embeddings else "none"}
        notes.append(f"trained on {len(train_topics)} train topics; threshold {model.threshold:.2f}")
        if save_weights:
            save_weights.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
            notes.append(f"weights written to {save_weights}")
    else:
        model = load_model()
        notes.append(f"no train topics present: shipped weights, threshold {model.threshold:.2f}")
    test = _load(root, eval_topics)
    used = embeddings and add_embeddings(test)
    notes.append("sentence context: TF-IDF cosine" + (" + MiniLM embedding cosine" if used else " only"))
    scores = conll_scores(*predict(test, model, model.threshold))
    base = conll_scores(*lemma_baseline(test))
    n_mentions = sum(len(m) for m, _, _ in test.values())
    n_clusters = sum(len(set(g)) for _, g, _ in test.values())
    metrics = {"conll_f1": scores["conll_f1"], "muc_f1": scores["muc_f1"], "b3_f1": scores["b3_f1"],
               "ceafe_f1": scores["ceafe_f1"],
               **{k: scores[k] for k in ("muc_p", "muc_r", "b3_p", "b3_r", "ceafe_p", "ceafe_r")},
               "baseline_conll_f1": base["conll_f1"], "baseline_muc_f1": base["muc_f1"],
               "baseline_b3_f1": base["b3_f1"], "baseline_ceafe_f1": base["ceafe_f1"],
               "mentions": n_mentions, "gold_clusters": n_clusters}
    notes.insert(0, f"topics evaluated: {','.join(map(str, eval_topics))}"
                    f"{' (the standard dev split)' if set(eval_topics) == set(DEV_TOPICS) else ''}; "
                    "gold mentions, all annotated (no validated-sentence filter), gold topics as blocks, "
                    "singletons included in all metrics")
    notes.append("baseline = same head lemma within a topic (the floor)")
    notes += error_notes(test, model, model.threshold)
    emit_metrics("event-coref", root, metrics, json_path, notes=notes)
