"""Aligning the same claim across articles, and its status."""

from __future__ import annotations

from crossread.analyze import analyze_corpus
from crossread.analyze.claims import align_claims
from crossread.records import Analysis, Article, Claim, Evidence, Story


def claim(claim_id: str, article_id: str, text: str, outlet: str) -> Claim:
    return Claim(id=claim_id, text=text, attributed_to=None,
                 evidence=[Evidence(article_id, 0, len(text), text)], outlets=[outlet])


def article(article_id: str, text: str, outlet: str) -> Article:
    return Article(id=article_id, source=article_id, outlet=outlet, title=None, published=None, language="en", text=text)


SAME_A = "Haniyeh met with Iranian Supreme Leader Ali Khamenei in Tehran to discuss the war in Gaza."
SAME_B = "Ismail Haniyeh met Supreme Leader Ali Khamenei in Tehran on Tuesday to discuss the Gaza war."
OTHER = "The death toll figures were analysed by a statistics professor at a university."


def test_same_claim_in_two_outlets_is_one_corroborated_claim() -> None:
    arts = [article("a", SAME_A, "Outlet A"), article("b", SAME_B + " " + OTHER, "Outlet B")]
    claims = [claim("c1", "a", SAME_A, "Outlet A"), claim("c2", "b", SAME_B, "Outlet B"), claim("c3", "b", OTHER, "Outlet B")]
    analysis = Analysis(articles=arts, claims=claims, stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    assert len(analysis.claims) == 2
    merged = next(c for c in analysis.claims if len(c.evidence) == 2)
    assert merged.status == "corroborated" and merged.independent_sources == 2
    assert merged.outlets == ["Outlet A", "Outlet B"]
    single = next(c for c in analysis.claims if len(c.evidence) == 1)
    assert single.status == "single_source" and single.independent_sources == 1


def test_claims_in_different_stories_are_not_aligned() -> None:
    claims = [claim("c1", "a", SAME_A, "A"), claim("c2", "b", SAME_B, "B")]
    stories = [Story("s1", "t", ["a"]), Story("s2", "t", ["b"])]
    assert len(align_claims(claims, stories)) == 2


def test_opposite_polarity_marks_contradiction() -> None:
    a = "Iran trained Hamas fighters for the October 7 attack, officials said."
    b = "Iran did not train Hamas fighters for the October 7 attack, officials said."
    merged = align_claims([claim("c1", "a", a, "A"), claim("c2", "b", b, "B")], [Story("s", "t", ["a", "b"])])
    assert len(merged) == 1 and merged[0].status == "contradicted"


def test_wire_copy_counts_once() -> None:
    arts = [article("a", SAME_A, "Wire"), article("b", SAME_A, "Paper")]
    analysis = Analysis(articles=arts, claims=[claim("c1", "a", SAME_A, "Wire"), claim("c2", "b", SAME_A, "Paper")],
                        stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    assert [(d.source_article, d.derived_article) for d in analysis.derivations] in ([("a", "b")], [("b", "a")])
    [merged] = analysis.claims
    assert merged.outlets == ["Paper", "Wire"]
    assert merged.independent_sources == 1 and merged.status == "single_source"
