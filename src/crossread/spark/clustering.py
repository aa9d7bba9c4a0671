"""Story filing in batch: the rule of :mod:`crossread.link.story_assign`, over candidate pairs from LSH.

The incremental filer compares each article with every article filed in the previous
``window_days`` days. At millions of articles a batch job cannot afford every pair, so it

1. **blocks** articles into candidate pairs (:func:`blocking_keys`): random-projection LSH
   (SimHash: one bit per random hyperplane, ``P[bit agrees] = 1 - angle/π``) over the same stored
   vector (hashed text + lead embedding), cut into bands of :data:`BAND_BITS` bits, plus each actor and
   event key the article names (the rule's entity boost can lift a pair with a low cosine over the
   threshold); a key is only shared inside a time bucket of ``window_days + 1`` days and with the next
   bucket, so any two articles at most ``window_days`` apart meet in one block;
2. **scores** each candidate pair exactly as the incremental filer does (:func:`pair_score`: cosine
   raised by shared actors/events) and keeps the pairs over the threshold;
3. **files** in publication order with the incremental rule (:func:`file_in_order`): an article joins
   the story of its best-scoring earlier match (ties: the older story), else opens the story
   ``record_id("story", its id)``. Only each article's best matches travel to this step, so it is a
   linear pass over one small row per article.

Everything is a function of the features alone (hyperplanes come from a fixed hash, not a random
state), so the stories do not depend on partitioning. The only difference from the incremental filer
is LSH recall: a best match that shares no band and no entity key with the article is missed
(``docs/SPARK.md`` gives the measured agreement).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from crossread.link.story_assign import ACTOR_BOOST, N_HASH_FEATURES, WINDOW_DAYS, StoryFeatures
from crossread.records import record_id

BAND_BITS = 8  # hyperplanes per band: P[band agrees] = (1 - angle/π)**8
BANDS = 32  # bands per article: 256 hyperplanes
MAX_ENTITY_BLOCK = 400  # an actor/event key shared by more articles in one time bucket blocks nothing (too common)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a fixed, well-spread hash of uint64 values."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def plane_signs(indices: np.ndarray, bits: int) -> np.ndarray:
    """±1 entries of ``bits`` fixed random hyperplanes at these dimensions, (len(indices), bits) float32:
    bit ``b`` of dimension ``i`` is a bit of splitmix64(i·φ + word), the same on every machine."""
    words = (bits + 63) // 64
    idx = indices.astype(np.uint64)
    with np.errstate(over="ignore"):
        hashes = np.stack([_mix(idx * _GOLDEN + np.uint64(w + 1)) for w in range(words)], axis=1)
    bits_ = np.unpackbits(hashes.astype("<u8").view(np.uint8), axis=1, bitorder="little")[:, :bits]
    return bits_.astype(np.float32) * 2.0 - 1.0


def simhash(indices: np.ndarray, values: np.ndarray, bits: int = BAND_BITS * BANDS) -> np.ndarray:
    """Signs of the projections of a sparse vector on ``bits`` fixed random hyperplanes
    (:func:`plane_signs`), as a bool array."""
    if indices.size == 0:
        return np.zeros(bits, dtype=bool)
    values = values.astype(np.float32)
    dense = indices >= N_HASH_FEATURES  # the lead embedding's dimensions: the same in every vector, cached
    projection = values[~dense] @ plane_signs(indices[~dense], bits)
    if dense.any():
        offsets = indices[dense] - N_HASH_FEATURES
        planes = _dense_planes(bits, max(512, 1 << int(offsets.max()).bit_length()))
        projection += values[dense] @ planes[offsets]
    return projection > 0


@functools.lru_cache(maxsize=4)
def _dense_planes(bits: int, size: int) -> np.ndarray:
    return plane_signs(np.arange(N_HASH_FEATURES, N_HASH_FEATURES + size, dtype=np.int64), bits)


def time_bucket(day: int, window_days: int = WINDOW_DAYS) -> int:
    return day // (window_days + 1)


def blocking_keys(features: StoryFeatures, window_days: int = WINDOW_DAYS, band_bits: int = BAND_BITS,
                  bands: int = BANDS) -> list[tuple[str, bool]]:
    """(block key, home) pairs of one article: each band and entity key in its own time bucket (home)
    and in the next one (visiting), so that articles up to ``window_days`` apart share a block."""
    signature = simhash(features.indices, features.values, band_bits * bands)
    keys = [f"b{b}:" + np.packbits(signature[b * band_bits:(b + 1) * band_bits]).tobytes().hex() for b in range(bands)]
    keys += [f"e:{e}" for e in sorted(features.entities)]
    bucket = time_bucket(features.day, window_days)
    return [(f"{bucket}|{k}", True) for k in keys] + [(f"{bucket + 1}|{k}", False) for k in keys]


def block_pairs(members: Sequence[tuple[str, str, int, bool]], window_days: int = WINDOW_DAYS,
                max_block: int | None = None) -> Iterator[tuple[str, str]]:
    """(earlier id, later id) candidate pairs in one block of (article id, order key, day, home)
    members: home × home and home × visiting, at most ``window_days`` apart. A block over
    ``max_block`` homes yields nothing."""
    homes = [m for m in members if m[3]]
    if max_block is not None and len(homes) > max_block:
        return
    visitors = [m for m in members if not m[3]]
    for i, a in enumerate(homes):
        for b in [*homes[i + 1:], *visitors]:
            if abs(a[2] - b[2]) <= window_days and a[1] != b[1]:
                yield (a[0], b[0]) if a[1] < b[1] else (b[0], a[0])


def pair_score(a: StoryFeatures, b: StoryFeatures, actor_boost: float = ACTOR_BOOST) -> float:
    """The incremental filer's score of two articles: cosine of their stored vectors, raised by the
    Jaccard overlap of their actor/event keys (``s + boost·jaccard·(1-s)``)."""
    _, ia, ib = np.intersect1d(a.indices, b.indices, assume_unique=True, return_indices=True)
    score = float(np.dot(a.values[ia].astype(np.float64), b.values[ib].astype(np.float64))) if ia.size else 0.0
    if actor_boost and a.entities and b.entities:
        jaccard = len(a.entities & b.entities) / len(a.entities | b.entities)
        score = min(1.0, score + actor_boost * jaccard * (1 - score))
    return score


def best_matches(later_id: str, scored: Iterable[tuple[str, float]]) -> tuple[str, float, list[str]]:
    """(article, best score, the earlier articles reaching it) of one article's scored candidates."""
    best, ids = -1.0, []
    for other, score in scored:
        if score > best:
            best, ids = score, [other]
        elif score == best:
            ids.append(other)
    return later_id, best, sorted(ids)


def file_in_order(order_keys: dict[str, str], matches: dict[str, list[str]]) -> dict[str, str]:
    """Article id -> story id, filing in order-key order: an article joins the story of its best
    earlier match (``matches``: the earlier articles tied at its best score over the threshold; ties:
    the story founded first), else founds ``record_id("story", its id)``."""
    story: dict[str, str] = {}
    founded: dict[str, str] = {}
    for article_id in sorted(order_keys, key=order_keys.__getitem__):
        candidates = [story[m] for m in matches.get(article_id, ()) if m in story]
        if candidates:
            story[article_id] = min(candidates, key=founded.__getitem__)
        else:
            sid = story[article_id] = record_id("story", article_id)
            founded.setdefault(sid, order_keys[article_id])
    return story


def cluster_stories(features: Any, threshold: float, window_days: int = WINDOW_DAYS, band_bits: int = BAND_BITS,
                    bands: int = BANDS, max_entity_block: int = MAX_ENTITY_BLOCK) -> dict[str, str]:
    """Stories of an RDD of :class:`StoryFeatures`: article id -> story id (see the module docstring).
    Blocking, pair generation and scoring run on the cluster; the driver receives one row per
    article (its order key and best earlier matches) for the in-order filing pass."""

    def keyed(f: StoryFeatures) -> list[tuple[str, tuple[str, str, int, bool]]]:
        return [(key, (f.article_id, f.order_key, f.day, home)) for key, home in
                blocking_keys(f, window_days, band_bits, bands)]

    def pairs_of(block: tuple[str, Iterable[tuple[str, str, int, bool]]]) -> Iterator[tuple[str, str]]:
        key, members = block
        members = sorted(members)  # a block's members in a fixed order, whatever the shuffle gave
        limit = max_entity_block if key.split("|", 1)[1].startswith("e:") else None
        return block_pairs(members, window_days, limit)

    from pyspark import StorageLevel

    features = features.persist(StorageLevel.MEMORY_AND_DISK)  # read four times below
    by_id = features.map(lambda f: (f.article_id, f))
    pairs = features.flatMap(keyed).groupByKey().flatMap(pairs_of).distinct()
    scored = (pairs.join(by_id)  # (earlier, (later, features of earlier))
              .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
              .join(by_id)  # (later, ((earlier, its features), features of later))
              .map(lambda kv: (kv[0], (kv[1][0][0], pair_score(kv[1][0][1], kv[1][1]))))
              .filter(lambda kv: kv[1][1] >= threshold))
    best = scored.groupByKey().map(lambda kv: best_matches(kv[0], kv[1]))
    matches = {article_id: ids for article_id, _, ids in best.collect()}
    order_keys = dict(features.map(lambda f: (f.article_id, f.order_key)).collect())
    features.unpersist()
    return file_in_order(order_keys, matches)
