"""The same quote across articles: one record with every article's evidence.

Two quotes merge when they have the same (resolved) speaker, lie in different articles
of one story, and say the same thing: their content words overlap by at least
``MIN_OVERLAP`` of the shorter quote's, or, with sentence embeddings, their cosine
reaches ``MIN_COSINE`` with some word overlap (outlets quote the same remark
differently: one verbatim, one paraphrased as indirect speech). Merging is
single-link within a speaker; the record kept is the one closest to the speaker's
own words (a direct quote, then a mixed one, then the earliest), the others become
its ``also_in`` evidence.

Only quotes that can change a decision are embedded: the cosine decides a pair only when
its word overlap lies in [``MIN_OVERLAP_WITH_COSINE``, ``MIN_OVERLAP``) (above, the pair
merges anyway; below, it cannot merge), so only the quotes of such pairs (same speaker,
different articles of one story) are embedded, in one call. The merges are exactly those
of embedding every quote of every speaker (the vectors of the other quotes were never
read).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from crossread.grouping import MinRootGroups
from crossread.records import Quote

Embedder = Callable[[list[str]], np.ndarray]

_KIND_RANK = {"direct": 0, "mixed": 1, "indirect": 2}
MIN_OVERLAP = 0.5
MIN_COSINE = 0.75
MIN_OVERLAP_WITH_COSINE = 0.2
_STOP = frozenset("the a an of to in on and or that this is was were be been has have had for with by as at it its "
                  "their his her from which who we our they he she i you not will would".split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def merge_quotes(quotes: Sequence[Quote], story_of: Mapping[str, str], embed: Embedder | None = None) -> list[Quote]:
    """Merge quotes of one speaker that say the same thing in different articles of a story."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, q in enumerate(quotes):
        if q.speaker:
            article = q.evidence.article_id
            groups.setdefault((story_of.get(article, article), q.speaker), []).append(i)
    same_quote = MinRootGroups(range(len(quotes)))
    undecided: list[tuple[int, int]] = []  # pairs whose verdict rests on the cosine
    for members in groups.values():
        if len(members) < 2:
            continue
        words = [_words(quotes[i].content) for i in members]
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = quotes[members[x]], quotes[members[y]]
                if a.evidence.article_id == b.evidence.article_id:
                    continue
                overlap = _overlap(words[x], words[y])
                if overlap >= MIN_OVERLAP:
                    same_quote.union(members[x], members[y])
                elif embed is not None and overlap >= MIN_OVERLAP_WITH_COSINE:
                    undecided.append((members[x], members[y]))
    if undecided and embed is not None:
        texts = list(dict.fromkeys(quotes[i].content for pair in undecided for i in pair))
        vectors = dict(zip(texts, np.asarray(embed(texts), dtype=np.float64)))
        for i, j in undecided:
            if float(vectors[quotes[i].content] @ vectors[quotes[j].content]) >= MIN_COSINE:
                same_quote.union(i, j)
    clusters = same_quote.groups()
    merged = []
    for root in clusters:
        # the record is the speaker's own words where an outlet printed them: direct, then mixed
        members = sorted(clusters[root], key=lambda i: (_KIND_RANK.get(quotes[i].kind, 3), i))
        first = quotes[members[0]]
        others = [quotes[i] for i in members[1:]]
        if others:
            seen = {(ev.article_id, ev.start) for ev in [first.evidence, *first.also_in]}
            also = list(first.also_in)
            for q in others:
                for ev in [q.evidence, *q.also_in]:
                    if (ev.article_id, ev.start) not in seen:
                        seen.add((ev.article_id, ev.start))
                        also.append(ev)
            # the speaker is as sure as the surest of the outlets' attributions to it
            sure = max((q.confidence for q in [first, *others] if q.confidence is not None), default=None)
            first = dataclasses.replace(first, also_in=also, confidence=sure)  # never mutate the input records
        merged.append(first)
    return merged
