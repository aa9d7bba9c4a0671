"""Which story each article tells: incremental, and the same whatever order the articles arrive in.

Features (:func:`story_features`, computed per article, beside its NLP):

* its text as hashed uni/bigrams (``HashingVectorizer``: English stop words, sublinear tf,
  2**18 features; no vocabulary to refit) mixed with a MiniLM sentence embedding of its headline
  and lead (the first sentences carry the story in news writing): the stored vector is
  ``[sqrt(1-w)·hashed, sqrt(w)·embedding]``, so its cosine is ``(1-w)·cos_text + w·cos_embedding``;
* the actors it names, by their cross-article merge key (so "Haniyeh" in one outlet and "Ismail
  Haniyeh" in another count as shared), and its events as (type, source, target) keys;
* its date (the publication date, else the day crossread first stored it) and an order key.

Assignment (:func:`assign_stories`, after Event Registry-style incremental event clustering):
articles are filed in **publication order** (order key: date and time, then id). Each is compared
with every article already filed within the previous ``window_days`` days — exactly, not through an
approximate index, so nothing in the window is missed — by cosine raised by shared actors/events
(``s + 0.5·jaccard·(1-s)``). It joins the story of its best match if that reaches the threshold
(ties: the older story), else it opens a story whose id is ``record_id("story", its id)``.

Each decision looks only at earlier articles, so articles that arrive after everything stored
(a daily intake) are simply filed. An article older than some stored ones (a backfill) is filed
together with the stored articles after it, which are filed again: the result is the one a single
run over all articles gives, in any arrival order. Costs grow with the articles filed and the
articles inside their windows, not with the store.

Tuned on the ECB+ train topics (``crossread eval stories``); results in docs/EVALUATION.md.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from crossread.records import Article, record_id
from crossread.sentences import sentences as split_sentences

N_HASH_FEATURES = 2**18
EMBEDDING_WEIGHT = 0.5
ACTOR_BOOST = 0.5
WINDOW_DAYS = 7
# Tuned on the ECB+ train topics (`crossread eval stories`): with MiniLM lead embeddings mixed in at
# weight 0.5, and with hashed text alone.
EMBEDDING_THRESHOLD = 0.34
TEXT_ONLY_THRESHOLD = 0.18
LEAD_SENTENCES = 3


def lead_text(article: Article, sentences: int = LEAD_SENTENCES, max_chars: int = 1000) -> str:
    """Headline plus the first ``sentences`` sentences of the body."""
    # stored text, no Doc: the one shared splitter
    parts = [p for p in split_sentences(article.text) if len(p) > 20]
    lead = " ".join(parts[:sentences])
    return f"{article.title or ''}. {lead}".strip(" .")[:max_chars]


def article_entities(records: Mapping[str, Sequence[Any]]) -> tuple[list[str], list[str]]:
    """(actor keys, event keys) of one article's records (records or their dicts)."""
    from crossread.link.actor_resolve import merge_key
    from crossread.records import Actor, from_dict

    def records_of(kind: str, cls: type) -> list[Any]:
        return [from_dict(cls, r) if isinstance(r, dict) else r for r in records.get(kind, [])]

    keys = {a.id: merge_key(a) for a in records_of("actors", Actor)}
    events = []
    for event in records.get("events", []):
        source = event["source"] if isinstance(event, dict) else event.source
        target = event["target"] if isinstance(event, dict) else event.target
        plover = event["plover"] if isinstance(event, dict) else event.plover
        source = sorted({keys.get(a, a) for a in source})
        target = sorted({keys.get(a, a) for a in target})
        if source or target:
            events.append(f"{plover}|{'+'.join(source)}|{'+'.join(target)}")
    return sorted(set(keys.values())), sorted(set(events))


# --------------------------------------------------------------------------- features

_HASHER = None


def hashed_text(article: Article) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) of the headline and text as hashed uni/bigrams, 1 + log tf, L2-normalised."""
    global _HASHER
    if _HASHER is None:
        from sklearn.feature_extraction.text import HashingVectorizer

        _HASHER = HashingVectorizer(n_features=N_HASH_FEATURES, ngram_range=(1, 2), stop_words="english",
                                    alternate_sign=False, norm=None)
    row = _HASHER.transform([f"{article.title or ''}\n{article.text}"]).tocsr()
    row.sum_duplicates()
    data = row.data.astype(np.float64)
    if data.size:
        data = 1.0 + np.log(data)
        data /= math.sqrt(float(np.dot(data, data)))
    return row.indices.astype(np.int32), data


def day_of(date: str) -> int:
    """Day number of an ISO date (YYYY-MM-DD...)."""
    return _dt.date.fromisoformat(date[:10]).toordinal()


def order_key(when: str, article_id: str) -> str:
    """The order articles are filed in: date and time (ISO), then id."""
    return f"{when}\x1f{article_id}"


@dataclass
class StoryFeatures:
    """What story assignment knows of one article (``story_features`` in the store)."""

    article_id: str
    order_key: str
    day: int
    indices: np.ndarray  # int32, sorted
    values: np.ndarray  # float32 (float16 precision: exactly what the store gives back), unit length
    entities: frozenset[str]


def story_features(article: Article, records: Mapping[str, Sequence[Any]], when: str,
                   embedding: np.ndarray | None = None, embedding_weight: float = EMBEDDING_WEIGHT) -> StoryFeatures:
    """The features of one article (see the module docstring); ``when`` is its ISO publication date,
    or the first-seen time for an undated article."""
    from crossread.store.codec import round_dense

    idx, data = hashed_text(article)
    if embedding is not None and embedding_weight > 0:
        emb = np.asarray(embedding, dtype=np.float64).ravel()
        norm = float(np.linalg.norm(emb))
        if norm > 0:
            nz = np.flatnonzero(emb)
            idx = np.concatenate([idx, (nz + N_HASH_FEATURES).astype(np.int32)])
            data = np.concatenate([data * math.sqrt(1 - embedding_weight), emb[nz] / norm * math.sqrt(embedding_weight)])
    norm = float(np.sqrt(np.dot(data, data)))
    if norm > 0:
        data = data / norm
    order = np.argsort(idx, kind="stable")
    actors, events = article_entities(records)
    entities = frozenset([f"a:{a}" for a in actors] + [f"e:{e}" for e in events])
    return StoryFeatures(article.id, order_key(when, article.id), day_of(when), idx[order].astype(np.int32),
                         round_dense(data[order]), entities)


# --------------------------------------------------------------------------- assignment

# (day from, day to) -> filed articles of those days: (features, story id, the story's first order key)
FiledLookup = Callable[[int, int], Iterable[tuple[StoryFeatures, str, str]]]


@dataclass
class Filed:
    """A stored article that comes after the earliest new one in filing order (it may be filed again)."""

    article_id: str
    order_key: str
    day: int
    story: str
    story_key: str  # order key of its story's first article


@dataclass
class _Entry:
    article_id: str
    order_key: str
    day: int
    story: str
    features: StoryFeatures | None = None  # loaded when a decision needs it


class _Window:
    """Filed articles of the last ``days`` days, as the sweep moves forward in time."""

    def __init__(self, lookup: FiledLookup | None, days: int, skip: set[str], founded: dict[str, str]) -> None:
        self.lookup, self.days, self.skip, self.founded = lookup, days, skip, founded
        self.by_day: dict[int, list[_Entry]] = {}
        self.loaded_to: int | None = None
        self.scratch = np.zeros(N_HASH_FEATURES + 4096, dtype=np.float64)

    def advance(self, day: int) -> None:
        low = day - self.days
        for d in [d for d in self.by_day if d < low]:
            del self.by_day[d]
        start = low if self.loaded_to is None or self.loaded_to < low else self.loaded_to + 1
        if self.lookup is not None and start <= day:
            for features, story, story_key in self.lookup(start, day):
                if features.article_id not in self.skip:
                    self.add(_Entry(features.article_id, features.order_key, features.day, story, features))
                    self.founded.setdefault(story, story_key)
        self.loaded_to = day if self.loaded_to is None else max(self.loaded_to, day)

    def candidates(self, key: str, day: int) -> list[_Entry]:
        low = day - self.days
        return [e for d, entries in self.by_day.items() if low <= d <= day for e in entries if e.order_key < key]

    def add(self, entry: _Entry) -> None:
        self.by_day.setdefault(entry.day, []).append(entry)

    def cosines(self, features: StoryFeatures, others: Sequence[_Entry]) -> np.ndarray:
        if not others or features.indices.size == 0:
            return np.zeros(len(others))
        scratch = self.scratch
        if features.indices.max() >= scratch.size:
            scratch = self.scratch = np.zeros(int(features.indices.max()) + 1, dtype=np.float64)
        scratch[features.indices] = features.values
        vectors = [o.features for o in others]
        lengths = np.fromiter((v.indices.size for v in vectors), dtype=np.int64, count=len(others))
        all_idx = np.concatenate([v.indices for v in vectors])
        inside = all_idx < scratch.size
        products = np.zeros(all_idx.size)
        products[inside] = scratch[all_idx[inside]] * np.concatenate([v.values for v in vectors])[inside]
        scratch[features.indices] = 0.0
        sums = np.zeros(len(others))
        nonempty = lengths > 0
        if products.size:
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            sums[nonempty] = np.add.reduceat(products, starts)
        return sums


def assign_stories(to_file: Iterable[StoryFeatures], filed: FiledLookup | None = None,
                   threshold: float = EMBEDDING_THRESHOLD, window_days: int = WINDOW_DAYS,
                   actor_boost: float = ACTOR_BOOST, later: Sequence[Filed] = (),
                   load: Callable[[list[str]], Iterable[StoryFeatures]] | None = None) -> dict[str, str]:
    """File articles into stories (see the module docstring); article id -> story id, for the new
    articles and for the stored ones whose story changed.

    ``filed(day_from, day_to)`` yields the articles already filed on those days (see
    :data:`FiledLookup`); ``later`` are the stored articles that come after the earliest new one in
    filing order (:meth:`crossread.store.Store.filed_after`), whose features ``load(ids)`` gives.
    A stored article is decided again only when an article in its window changed story (or is new):
    changes die out within a window or two, so a backfill costs what it changes, not what follows it."""
    pending = sorted(to_file, key=lambda f: f.order_key)
    later = sorted(later, key=lambda f: f.order_key)
    founded: dict[str, str] = {f.story: f.story_key for f in later}
    window = _Window(filed, window_days, {f.article_id for f in pending} | {f.article_id for f in later}, founded)
    out: dict[str, str] = {}
    last_change: int | None = None  # day of the latest new or changed article
    i = j = 0
    while i < len(pending) or j < len(later):
        take_new = j >= len(later) or (i < len(pending) and pending[i].order_key < later[j].order_key)
        if take_new:
            features = pending[i]
            i += 1
            entry = _Entry(features.article_id, features.order_key, features.day, "", features)
        else:
            stored = later[j]
            j += 1
            if i >= len(pending) and (last_change is None or stored.day - window_days > last_change):
                break  # nothing new is left and no change can reach further
            entry = _Entry(stored.article_id, stored.order_key, stored.day, stored.story)
            if last_change is None or stored.day - window_days > last_change:
                window.add(entry)  # no change in its window: its decision stands
                continue
        window.advance(entry.day)
        others = window.candidates(entry.order_key, entry.day)
        missing = [o for o in others if o.features is None] + ([entry] if entry.features is None else [])
        if missing and load is not None:
            loaded = {f.article_id: f for f in load([o.article_id for o in missing])}
            for o in missing:
                o.features = loaded[o.article_id]
        best_story, best_score = None, -1.0
        for other, sim in zip(others, window.cosines(entry.features, others)):
            score = float(sim)
            mine, theirs = entry.features.entities, other.features.entities
            if actor_boost and mine and theirs:
                jaccard = len(mine & theirs) / len(mine | theirs)
                score = min(1.0, score + actor_boost * jaccard * (1 - score))
            if score > best_score or (score == best_score and founded[other.story] < founded[best_story]):
                best_story, best_score = other.story, score
        if best_story is None or best_score < threshold:
            best_story = record_id("story", entry.article_id)
            founded.setdefault(best_story, entry.order_key)
            founded[best_story] = min(founded[best_story], entry.order_key)
        if best_story != entry.story:
            out[entry.article_id] = best_story
            last_change = entry.day if last_change is None else max(last_change, entry.day)
        entry.story = best_story
        window.add(entry)
    return out


def threshold_for(embeddings: bool) -> float:
    return EMBEDDING_THRESHOLD if embeddings else TEXT_ONLY_THRESHOLD
