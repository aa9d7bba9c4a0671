"""``crossread eval stories``: story clustering (:func:`crossread.link.stories.cluster_stories`).

Two gold document clusterings:

* ECB+ subtopics: within the ECB+ corpus every topic has two subtopics (files
  ``N_Mecb.xml`` and ``N_Mecbplus.xml``: two different real events of one kind), so
  the task is hard by design. All documents of the evaluated topics are clustered
  together (no gold topic blocking). The threshold is tuned on the train topics only;
  the dev topics (2, 5, 12, 18, 21, 23, 34, 35) are reported.
* BASIL triplets: the same event reported by Fox, NYT and HuffPost; all articles
  are clustered at once, gold = triplet uuid.

Scores: B-cubed F1 (singletons included) and the adjusted Rand index.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
import numpy as np

from crossread.evaluation import emit_metrics, read_basil
from crossread.link.coref_metrics import b_cubed
from crossread.link.ecbplus import DEV_TOPICS, TRAIN_TOPICS, available_topics, find_corpus_root, read_topic
from crossread.link.stories import DEFAULT_THRESHOLD, cluster_stories
from crossread.records import Article, Story

THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.04, 0.61, 0.02))


def ecb_articles(root: Path, topics: Sequence[int]) -> tuple[list[Article], dict[str, str]]:
    articles, gold = [], {}
    for t in topics:
        for doc in read_topic(root, t):
            articles.append(Article(id=doc.name, source=doc.name, outlet=None, title=None, published=None,
                                    language="en", text=doc.text))
            gold[doc.name] = doc.subtopic
    return articles, gold


def basil_articles(folder: Path) -> tuple[list[Article], dict[str, str]]:
    pairs = read_basil(folder)
    return [a for a, _ in pairs], {a.id: uuid for a, uuid in pairs}


class Clusterer:
    """The story method under evaluation: ``batch`` (cluster_stories) or ``incremental``
    (the pipeline's :func:`crossread.link.story_assign.assign_stories`, with MiniLM lead
    embeddings unless ``embeddings`` is False). Actors are not extracted here (cost);
    the pipeline adds shared actors and events on top."""

    def __init__(self, method: str = "incremental", embeddings: bool = True,
                 embedding_weight: float | None = None) -> None:
        self.method = method
        self.embedding_weight = embedding_weight
        self._vectors: dict[str, np.ndarray] = {}
        self._service = None
        if method == "incremental" and embeddings:
            from crossread.nlp.embeddings import optional_embedding_service

            self._service = optional_embedding_service(None, stage="leads")

    def _embed(self, articles: Sequence[Article]) -> None:
        from crossread.link.story_assign import lead_text

        todo = [a for a in articles if a.id not in self._vectors]
        if self._service is not None and todo:
            for a, v in zip(todo, self._service.embed([lead_text(a) for a in todo])):
                self._vectors[a.id] = v

    def __call__(self, articles: Sequence[Article], threshold: float) -> list[Story]:
        if self.method == "batch":
            return cluster_stories(articles, threshold=threshold)
        from crossread.link.story_assign import EMBEDDING_WEIGHT, assign_stories, story_features

        self._embed(articles)
        weight = EMBEDDING_WEIGHT if self.embedding_weight is None else self.embedding_weight
        # undated documents (ECB+) are filed as if published the same day, as the pipeline files
        # articles without a date on the day it first stores them
        features = [story_features(a, {}, a.published or "2000-01-01", self._vectors.get(a.id), weight)
                    for a in articles]
        story_of = assign_stories(features, threshold=threshold)
        members: dict[str, list[str]] = {}
        for f in sorted(features, key=lambda f: f.order_key):
            members.setdefault(story_of[f.article_id], []).append(f.article_id)
        return [Story(id=sid, title="", article_ids=ids) for sid, ids in members.items()]


def score(articles: Sequence[Article], gold: dict[str, str], threshold: float,
          clusterer: Clusterer | None = None) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    stories = (clusterer or Clusterer("batch"))(articles, threshold)
    pred = {aid: s.id for s in stories for aid in s.article_ids}
    ids = [a.id for a in articles]
    key: dict[str, list[str]] = {}
    for aid in ids:
        key.setdefault(gold[aid], []).append(aid)
    _, _, f = b_cubed(list(key.values()), [s.article_ids for s in stories])
    ari = adjusted_rand_score([gold[i] for i in ids], [pred[i] for i in ids])
    return {"b3_f1": f, "ari": float(ari), "stories": len(stories), "gold_stories": len(key)}


def tune(articles: Sequence[Article], gold: dict[str, str], clusterer: Clusterer | None = None) -> tuple[float, float]:
    best, best_f = DEFAULT_THRESHOLD, -1.0
    for t in THRESHOLDS:
        f = score(articles, gold, t, clusterer)["b3_f1"]
        if f > best_f:
            best, best_f = t, f
    return best, best_f


@click.command()
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="The shared data root, or a folder with ecbplus/ and/or basil/.")
@click.option("--threshold", type=float, default=None,
              help="Fixed threshold (default: tuned on ECB+ train topics when present, else the library default).")
@click.option("--method", type=click.Choice(["incremental", "batch"]), default="incremental", show_default=True,
              help="incremental: the pipeline's story index; batch: all-pairs TF-IDF single link.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Mix MiniLM lead embeddings into the incremental index's vectors.")
@click.option("--embedding-weight", type=float, default=None,
              help="Share of the embedding cosine in the index's similarity (default: the library's).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def eval_stories_command(data: Path, threshold: float | None, method: str, embeddings: bool,
                         embedding_weight: float | None, json_path: Path | None) -> None:
    """Story clustering on ECB+ subtopics (dev topics) and BASIL triplets: B3 F1 and ARI."""
    clusterer = Clusterer(method, embeddings, embedding_weight)
    notes: list[str] = [f"method {method}" + (" + MiniLM lead embeddings" if clusterer._service else "")]
    ecb = None
    try:
        root = find_corpus_root(data)
        present = available_topics(root)
        ecb = (root, present)
    except FileNotFoundError:
        root = None
    basil = data / "basil" if (data / "basil" / "articles").is_dir() else data if (data / "articles").is_dir() else None
    if ecb is None and basil is None:
        raise click.UsageError(f"{data}: neither ECB+ topics nor BASIL articles/ found")

    if threshold is None:
        train_topics = [t for t in ecb[1] if t in TRAIN_TOPICS] if ecb else []
        if train_topics:
            arts, gold = ecb_articles(ecb[0], train_topics)
            threshold, train_f = tune(arts, gold, clusterer)
            notes.append(f"threshold {threshold:.2f} tuned on {len(train_topics)} ECB+ train topics "
                         f"(train B3 F1 {train_f:.3f})")
        else:
            if method == "batch":
                threshold = DEFAULT_THRESHOLD
            else:
                from crossread.link.story_assign import threshold_for

                threshold = threshold_for(clusterer._service is not None)
            notes.append(f"no ECB+ train topics: library default threshold {threshold:.2f}")
    else:
        notes.append(f"fixed threshold {threshold:.2f}")

    metrics: dict[str, float] = {}
    parts = []
    if ecb:
        eval_topics = [t for t in ecb[1] if t not in TRAIN_TOPICS]
        if eval_topics:
            arts, gold = ecb_articles(ecb[0], eval_topics)
            s = score(arts, gold, threshold, clusterer)
            metrics.update({"ecb_b3_f1": s["b3_f1"], "ecb_ari": s["ari"]})
            parts.append(s)
            label = "dev" if set(eval_topics) == set(DEV_TOPICS) else "non-train"
            notes.append(f"ECB+ {label} topics {','.join(map(str, eval_topics))}: {len(arts)} documents, "
                         f"{s['gold_stories']} gold subtopics, {s['stories']} predicted stories")
    if basil:
        arts, gold = basil_articles(basil)
        s = score(arts, gold, threshold, clusterer)
        metrics.update({"basil_b3_f1": s["b3_f1"], "basil_ari": s["ari"]})
        parts.append(s)
        notes.append(f"BASIL: {len(arts)} articles, {s['gold_stories']} triplets, {s['stories']} predicted stories")
    if not parts:
        raise click.UsageError(f"{data}: no evaluation documents (ECB+ holds only train topics?)")
    metrics = {"b3_f1": float(np.mean([p["b3_f1"] for p in parts])), "ari": float(np.mean([p["ari"] for p in parts])),
               **metrics, "threshold": float(threshold)}
    notes.append("b3_f1 / ari = mean over the datasets evaluated; singletons included")
    emit_metrics("stories", data, metrics, json_path, notes=notes)
