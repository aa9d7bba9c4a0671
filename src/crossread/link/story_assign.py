"""Incremental story assignment as the pipeline runs it: features, persistence, recovery.

Each new article is filed into the persistent :class:`~crossread.link.story_index.StoryIndex`
with three kinds of evidence:

* its text (hashed uni/bigrams) mixed with a MiniLM sentence embedding of its
  headline and lead (the first sentences carry the story in news writing),
* the actors it names, by their cross-article merge key (so "Haniyeh" in one
  outlet and "Ismail Haniyeh" in another count as shared),
* its events as (type, source, target) keys over the same actor keys,

and its publication date (the index's time window). The story each article joins is
stored in the article's own transaction (:meth:`crossread.store.Store.add_article`);
the index itself is snapshotted into the store every ``SNAPSHOT_EVERY`` articles and at
the end of a run, and caught up from the stored assignments when a snapshot lags behind
(a run killed before its snapshot).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from crossread.nlp.embeddings import optional_embedding_service
from crossread.link.story_index import EMBEDDING_THRESHOLD, TEXT_ONLY_THRESHOLD, StoryIndex
from crossread.records import Actor, Article, from_dict

log = logging.getLogger("crossread")

INDEX_NAME = "stories"
# Articles between snapshots: after a crash at most this many are re-filed from the store on
# the next start (each ~2 ms plus cached embeddings), while a snapshot of a 10k-article store
# takes ~0.7 s to write (docs/BENCHMARKS.md).
SNAPSHOT_EVERY = 1000
LEAD_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def lead_text(article: Article, sentences: int = LEAD_SENTENCES, max_chars: int = 1000) -> str:
    """Headline plus the first ``sentences`` sentences of the body."""
    parts = [p.strip() for p in _SENTENCE_END.split(article.text) if len(p.strip()) > 20]
    lead = " ".join(parts[:sentences])
    return f"{article.title or ''}. {lead}".strip(" .")[:max_chars]


def actor_keys(actor_dicts: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """article-local actor id -> cross-article merge key."""
    from crossread.extract.actors import _merge_key
    from crossread.extract.registry import default_registry

    registry = default_registry()
    keys: dict[str, str] = {}
    for record in actor_dicts:
        actor = from_dict(Actor, dict(record))
        keys[actor.id] = _merge_key(actor, registry)
    return keys


def article_entities(records: Mapping[str, Sequence[Any]]) -> tuple[list[str], list[str]]:
    """(actor keys, event keys) of one article's stored records (dicts or records)."""
    from crossread.records import to_dict

    def as_dicts(kind: str) -> list[dict[str, Any]]:
        return [r if isinstance(r, dict) else to_dict(r) for r in records.get(kind, [])]

    keys = actor_keys(as_dicts("actors"))
    events = []
    for event in as_dicts("events"):
        source = sorted({keys.get(a, a) for a in event.get("source", [])})
        target = sorted({keys.get(a, a) for a in event.get("target", [])})
        if source or target:
            events.append(f"{event.get('plover')}|{'+'.join(source)}|{'+'.join(target)}")
    return sorted(set(keys.values())), sorted(set(events))


class StoryAssigner:
    """The pipeline's story index: ``assign`` per new article, ``save`` per batch."""

    def __init__(self, store: Any = None, use_embeddings: bool = True) -> None:
        self.store = store
        self.embeddings = optional_embedding_service(store) if use_embeddings else None
        self.index = StoryIndex(threshold=EMBEDDING_THRESHOLD if self.embeddings else TEXT_ONLY_THRESHOLD)
        self._unsaved = 0
        if store is not None:
            blob = store.get_index_state(INDEX_NAME)
            if blob is not None:
                try:
                    self.index = StoryIndex.from_bytes(blob)
                except ValueError as exc:  # an incompatible snapshot: rebuild from the stored assignments
                    log.warning("story index snapshot not usable (%s); rebuilding it", exc)
                expected = EMBEDDING_THRESHOLD if self.embeddings else TEXT_ONLY_THRESHOLD
                if self.index.threshold != expected:
                    # the store's stories were built the other way; its threshold is kept for consistency
                    log.warning("this store's stories were built %s sentence embeddings; new articles are "
                                "compared %s them, so their story assignment is less reliable",
                                "with" if self.index.threshold == EMBEDDING_THRESHOLD else "without",
                                "with" if self.embeddings else "without")
            self._catch_up()

    def _embedding(self, article: Article) -> np.ndarray | None:
        if self.embeddings is None:
            return None
        return self.embeddings.embed([lead_text(article)])[0]

    def assign(self, article: Article, records: Mapping[str, Sequence[Any]], story_id: str | None = None) -> str:
        """The story ``article`` joins (or opens); ``story_id`` re-files a known decision."""
        actors, events = article_entities(records)
        self._unsaved += 1
        return self.index.add(article, actors, events, embedding=self._embedding(article), story_id=story_id)

    def _catch_up(self) -> None:
        """File stored articles the snapshot does not hold: their recorded story, or a new decision."""
        assignments = self.store.story_assignments()
        missing = [a for a in self.store.iter_articles() if a.id not in self.index]
        if not missing:
            return
        records = self.store.article_records()
        undecided: dict[str, str] = {}
        for article in missing:  # stored order = the order the decisions were made in
            known = assignments.get(article.id)
            story = self.assign(article, records.get(article.id, {}), story_id=known)
            if known is None:
                undecided[article.id] = story
        if undecided:
            self.store.set_story_assignments(undecided)
        self.save()

    def save(self) -> None:
        if self.store is not None and self._unsaved:
            self.store.put_index_state(INDEX_NAME, self.index.to_bytes())
        self._unsaved = 0

    def save_if_due(self, every: int = SNAPSHOT_EVERY) -> None:
        """Snapshot after ``every`` new articles: a snapshot costs O(store), so not per batch."""
        if self._unsaved >= every:
            self.save()

