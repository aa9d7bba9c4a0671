"""Align the same claim across articles and decide whether it stands.

Method: within each story, claims from different articles are compared by
TF-IDF cosine over their words (unigrams + bigrams, sublinear tf) combined with
the overlap of their content words; pairs above a threshold are linked and
linked claims form one claim with all its evidence (single-link clustering, as
in claim-matching baselines, cf. Shaar et al. 2020). Two aligned claims whose
polarity differs (one negated, one not) mark the claim contradicted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crossread.records import Article, Claim, Story, record_id

ALIGN_THRESHOLD = 0.4
NEGATION = re.compile(r"\b(not|no|never|n't|denied|denies|deny|false|falsely|little evidence)\b", re.IGNORECASE)
STOP = {"the", "a", "an", "of", "to", "in", "on", "and", "or", "that", "this", "is", "was", "were", "be", "has",
        "have", "had", "for", "with", "by", "as", "at", "it", "its", "their", "his", "her", "from", "which", "who"}


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 2}


def _negated(text: str) -> bool:
    return bool(NEGATION.search(text))


def claim_similarity(texts: Sequence[str]) -> list[list[float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return [[1.0] * len(texts) for _ in texts]
    try:
        matrix = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english").fit_transform(texts)
        cosine = (matrix @ matrix.T).toarray()
    except ValueError:
        cosine = [[0.0] * len(texts) for _ in texts]
    words = [_content_words(t) for t in texts]
    sims = []
    for i in range(len(texts)):
        row = []
        for j in range(len(texts)):
            union = words[i] | words[j]
            jaccard = len(words[i] & words[j]) / len(union) if union else 0.0
            row.append(0.6 * float(cosine[i][j]) + 0.4 * jaccard)
        sims.append(row)
    return sims


def align_claims(claims: Sequence[Claim], stories: Sequence[Story], threshold: float = ALIGN_THRESHOLD) -> list[Claim]:
    """Merge claims that state the same proposition in different articles of one story."""
    story_of: dict[str, str] = {a: s.id for s in stories for a in s.article_ids}
    by_story: dict[str, list[Claim]] = {}
    for claim in claims:
        article_id = claim.evidence[0].article_id if claim.evidence else ""
        by_story.setdefault(story_of.get(article_id, article_id), []).append(claim)

    merged: list[Claim] = []
    for story_id in sorted(by_story):
        group = by_story[story_id]
        sims = claim_similarity([c.text for c in group])
        parent = list(range(len(group)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        articles = [c.evidence[0].article_id if c.evidence else "" for c in group]
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                if articles[i] != articles[j] and sims[i][j] >= threshold:
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
        clusters: dict[int, list[int]] = {}
        for i in range(len(group)):
            clusters.setdefault(find(i), []).append(i)
        for root, members in sorted(clusters.items()):
            if len(members) == 1:
                merged.append(group[root])
                continue
            first = group[root]
            polarities = {_negated(group[m].text) for m in members}
            merged.append(Claim(
                id=record_id("claim", *sorted(group[m].id for m in members)),
                text=first.text,
                attributed_to=next((group[m].attributed_to for m in members if group[m].attributed_to), None),
                evidence=[e for m in members for e in group[m].evidence],
                outlets=sorted({o for m in members for o in group[m].outlets}),
                status="contradicted" if len(polarities) > 1 else "single_source",
            ))
    return merged


