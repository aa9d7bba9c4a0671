"""The same quote across outlets becomes one record with every article's evidence."""

from __future__ import annotations

from crossread.analyze import analyze_corpus
from crossread.link.quote_merge import merge_quotes
from crossread.records import Analysis, Article, Evidence, Quote, Story


def quote(qid: str, article: str, speaker: str | None, content: str, kind: str = "direct") -> Quote:
    return Quote(qid, speaker, None, "said", content, kind, Evidence(article, 0, len(content), content))


STORY = {"a": "s", "b": "s", "c": "other"}


def test_same_speaker_same_words_merge_across_articles() -> None:
    quotes = [quote("q1", "a", "haniyeh", "We are at a fateful turning point in the historical conflict"),
              quote("q2", "b", "haniyeh", "the current situation is a pivotal turning point in the historical conflict",
                    "indirect")]
    [merged] = merge_quotes(quotes, STORY)
    assert merged.id == "q1" and [e.article_id for e in merged.also_in] == ["b"]
    # the direct quote is the record even when the indirect report comes first
    [merged] = merge_quotes(list(reversed(quotes)), STORY)
    assert merged.id == "q1" and merged.kind == "direct" and [e.article_id for e in merged.also_in] == ["b"]


def test_different_speaker_story_or_content_stay_apart() -> None:
    text = "We are at a fateful turning point in the historical conflict"
    quotes = [quote("q1", "a", "haniyeh", text), quote("q2", "b", "khamenei", text),
              quote("q3", "c", "haniyeh", text), quote("q4", "b", "haniyeh", "Prices of bread doubled in the market"),
              quote("q5", "b", None, text), quote("q6", "a", "haniyeh", text + " again")]
    assert [q.id for q in merge_quotes(quotes, STORY)] == ["q1", "q2", "q3", "q4", "q5", "q6"]


def test_paraphrased_quote_merges_with_embeddings() -> None:
    from crossread.nlp.embeddings import get_embedding_service

    quotes = [quote("q1", "a", "fm", "The resolution shows that even the great powers admit Hamas cannot be eliminated"),
              quote("q2", "b", "fm", "Even major powers now acknowledge that eliminating Hamas is an unachievable goal",
                    "indirect")]
    assert len(merge_quotes(quotes, STORY)) == 2
    assert len(merge_quotes(quotes, STORY, embed=get_embedding_service().embed)) == 1


def test_merged_quote_counts_independent_outlets() -> None:
    text = "We are at a fateful turning point in the historical conflict"
    arts = [Article(i, i, f"Outlet {i}", None, None, "en", text + " Other words follow here.") for i in ("a", "b")]
    analysis = Analysis(articles=arts, quotes=[quote("q1", "a", "x", text), quote("q2", "b", "x", text)],
                        stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    [q] = analysis.quotes
    assert q.outlets == ["Outlet a", "Outlet b"]
    # the two articles are verbatim copies of each other: one independent source
    assert q.independent_sources == 1


def test_only_quotes_whose_cosine_decides_are_embedded() -> None:
    import numpy as np

    seen: list[str] = []

    def embed(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return np.ones((len(texts), 4)) / 2.0  # every cosine is 1: every undecided pair merges

    same = "We are at a fateful turning point in the historical conflict"
    quotes = [quote("q1", "a", "x", same), quote("q2", "b", "x", same),  # overlap 1: merge without vectors
              quote("q3", "a", "y", "The fateful conflict will end soon, officials believe"),
              quote("q4", "b", "y", "A historical conflict is ending, the minister said"),  # overlap 1/4: the cosine decides
              quote("q5", "b", "y", "Prices of bread doubled in the market"),  # no word in common: never merges
              quote("q6", "a", "z", "The fateful conflict will end soon"),  # same article, only speaker z
              quote("q7", "a", "z", "A historical conflict is ending")]
    merged = merge_quotes(quotes, STORY, embed=embed)
    assert sorted(seen) == sorted([quotes[2].content, quotes[3].content])
    assert [q.id for q in merged] == ["q1", "q3", "q5", "q6", "q7"]
    assert merge_quotes(quotes, STORY, embed=lambda texts: np.zeros((len(texts), 4))) != merged  # the cosine mattered
