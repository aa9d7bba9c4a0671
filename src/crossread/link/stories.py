"""Story clustering: which articles tell the same story.

Method: TF-IDF cosine over the articles' cleaned text (sublinear tf, English stop
words, unigrams + bigrams), boosted by the overlap of named actors when the
extractors provide them, then single-link grouping above a threshold (the
event-clustering baseline of Event Registry-style systems, cf. Leban et al. 2014).
A story's id is derived from its earliest member so that it stays stable when
later articles join it on a rerun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crossread.grouping import MinRootGroups
from crossread.records import Article, Story, record_id

# Tuned on the ECB+ train topics (``crossread eval stories``): 0.14 beats the former 0.18 on the
# ECB+ dev topics (B3 F1 0.845 vs 0.820) and on BASIL triplets (0.881 vs 0.789).
DEFAULT_THRESHOLD = 0.14


def _sort_key(article: Article) -> tuple[str, str]:
    # Undated articles sort after dated ones; the id breaks ties deterministically.
    return (article.published or "9999", article.id)


def similarity_matrix(articles: Sequence[Article], actor_names: Mapping[str, set[str]] | None = None) -> list[list[float]]:
    """Pairwise similarity in [0, 1]: text cosine, raised by shared actors."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(articles)
    if n == 0:
        return []
    texts = [f"{a.title or ''}\n{a.text}" for a in articles]
    try:
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2), min_df=1).fit_transform(texts)
        cosine = (matrix @ matrix.T).toarray()
    except ValueError:  # every document is empty or only stop words
        cosine = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    sims = [[float(cosine[i][j]) for j in range(n)] for i in range(n)]
    if actor_names:
        for i in range(n):
            for j in range(i + 1, n):
                a = actor_names.get(articles[i].id, set())
                b = actor_names.get(articles[j].id, set())
                if a and b:
                    jaccard = len(a & b) / len(a | b)
                    boosted = min(1.0, sims[i][j] + 0.5 * jaccard * (1 - sims[i][j]))
                    sims[i][j] = sims[j][i] = boosted
    return sims


def cluster_stories(
    articles: Sequence[Article],
    actor_names: Mapping[str, set[str]] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Story]:
    """Group articles into stories (every article belongs to exactly one story)."""
    ordered = sorted(articles, key=_sort_key)
    sims = similarity_matrix(ordered, actor_names)
    linked = MinRootGroups(range(len(ordered)))  # the earliest article stays the root
    for i in range(len(ordered)):
        for j in range(i + 1, len(ordered)):
            if sims[i][j] >= threshold:
                linked.union(i, j)

    stories = []
    for root, members in linked.groups().items():
        member_articles = [ordered[i] for i in members]
        stories.append(
            Story(
                id=record_id("story", ordered[root].id),
                title=_story_title(member_articles, sims, members),
                article_ids=[a.id for a in member_articles],
            )
        )
    return stories


def _story_title(members: Sequence[Article], sims: list[list[float]], indices: Sequence[int]) -> str:
    """The title of the most central member: the headline that best stands for all."""
    best, best_score = members[0], -1.0
    for article, i in zip(members, indices):
        score = sum(sims[i][j] for j in indices if j != i)
        if article.title and score > best_score:
            best, best_score = article, score
    if best.title:
        return best.title
    first_sentence = best.text.strip().split("\n", 1)[0]
    return first_sentence[:120]
