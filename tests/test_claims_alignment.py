"""Aligning the same claim across articles, and its status."""

from __future__ import annotations

from crossread.analyze import analyze_corpus
from crossread.analyze.claims import align_claims
from crossread.records import Analysis, Article, Claim, Evidence, Story


def claim(claim_id: str, article_id: str, text: str, outlet: str, start: int = 0, negated: bool = False,
          hedged: bool = False, speaker: str | None = None) -> Claim:
    return Claim(id=claim_id, text=text, attributed_to=speaker,
                 evidence=[Evidence(article_id, start, start + len(text), text)], outlets=[outlet],
                 negated=negated, hedged=hedged)


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


TRAINED = "Iran trained Hamas fighters for the October 7 attack, officials said."
NOT_TRAINED = "Iran did not train Hamas fighters for the October 7 attack, officials said."


def test_opposite_polarity_is_not_merged_but_contradicts() -> None:
    merged = align_claims([claim("c1", "a", TRAINED, "A"), claim("c2", "b", NOT_TRAINED, "B", negated=True)],
                          [Story("s", "t", ["a", "b"])])
    assert len(merged) == 2
    by_text = {c.text: c for c in merged}
    [relation] = by_text[TRAINED].relations
    assert relation.stance == "contradicts" and relation.article_id == "b"
    assert relation.evidence.sentence == NOT_TRAINED and 0.5 <= relation.confidence <= 1.0


def test_a_negation_outside_the_claim_never_contradicts_it() -> None:
    # both outlets carry the same claim; one sentence has a "not" elsewhere (the polarity of the
    # claim itself, from its parse, is the same): one corroborated claim, no contradiction
    a = "Trump said he will fight for you with every breath in his body."
    b = "Trump said he will fight for you with every breath in his body, though he did not say how."
    arts = [article("a", a, "A"), article("b", b, "B")]
    claims = [claim("c1", "a", a[12:-1], "A", start=12), claim("c2", "b", b[12:60], "B", start=12)]
    analysis = Analysis(articles=arts, claims=claims, stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    [merged] = analysis.claims
    assert merged.status != "contradicted"  # (one source: b copies a)
    assert {r.stance for r in merged.relations} == {"supports"}


def test_hedged_claim_is_not_contradicted() -> None:
    may = "Iran may have trained Hamas fighters for the October 7 attack, officials said."
    arts = [article("a", may, "A"), article("b", NOT_TRAINED, "B")]
    analysis = Analysis(articles=arts, claims=[claim("c1", "a", may, "A", hedged=True),
                                               claim("c2", "b", NOT_TRAINED, "B", negated=True)],
                        stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    assert all(c.status != "contradicted" for c in analysis.claims)


def test_wire_copy_counts_once() -> None:
    arts = [article("a", SAME_A, "Wire"), article("b", SAME_A, "Paper")]
    analysis = Analysis(articles=arts, claims=[claim("c1", "a", SAME_A, "Wire"), claim("c2", "b", SAME_A, "Paper")],
                        stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    assert [(d.source_article, d.derived_article) for d in analysis.derivations] in ([("a", "b")], [("b", "a")])
    [merged] = analysis.claims
    assert merged.outlets == ["Paper", "Wire"]
    assert merged.independent_sources == 1 and merged.status == "single_source"


def test_every_article_of_the_story_gets_a_stance() -> None:
    arts = [article("a", SAME_A, "Outlet A"), article("b", SAME_B + " " + OTHER, "Outlet B"),
            article("c", "Iran did not host Haniyeh; Khamenei did not meet him in Tehran this week.", "Outlet C")]
    claims = [claim("c1", "a", SAME_A, "Outlet A"), claim("c3", "b", OTHER, "Outlet B", start=len(SAME_B) + 1)]
    analysis = Analysis(articles=arts, claims=claims, stories=[Story("s", "t", ["a", "b", "c"])])
    analyze_corpus(analysis)
    for c in analysis.claims:
        assert [r.article_id for r in c.relations] == ["a", "b", "c"]
        for r in c.relations:
            assert r.stance in ("supports", "contradicts", "discusses", "unrelated")
            if r.evidence is not None:
                text = next(x.text for x in arts if x.id == r.article_id)
                assert text[r.evidence.start:r.evidence.end] == r.evidence.sentence
    meeting = next(c for c in analysis.claims if c.text == SAME_A)
    stances = {r.article_id: r.stance for r in meeting.relations}
    assert stances["a"] == "supports" and stances["b"] == "supports"  # b states it without an extracted claim
    assert meeting.status == "corroborated"
    statistics = next(c for c in analysis.claims if c.text == OTHER)
    assert {r.article_id: r.stance for r in statistics.relations}["a"] == "unrelated"


def test_contradicting_outlet_speaker_and_sentence_are_named() -> None:
    arts = [article("a", TRAINED, "A"), article("b", NOT_TRAINED, "B")]
    analysis = Analysis(articles=arts, claims=[claim("c1", "a", TRAINED, "A", speaker="actor_officials_a"),
                                               claim("c2", "b", NOT_TRAINED, "B", negated=True,
                                                     speaker="actor_tehran")],
                        stories=[Story("s", "t", ["a", "b"])])
    analyze_corpus(analysis)
    trained = next(c for c in analysis.claims if c.text == TRAINED)
    assert trained.status == "contradicted"
    assert {r.outlet: r.stance for r in trained.relations} == {"A": "supports", "B": "contradicts"}
    contra = next(r for r in trained.relations if r.stance == "contradicts")
    assert contra.speaker == "actor_tehran" and contra.evidence.sentence == NOT_TRAINED
    # the contradicting sentence is never evidence of the claim it contradicts
    assert {e.article_id for e in trained.evidence} == {"a"}
    supports = next(r for r in trained.relations if r.stance == "supports")
    assert supports.speaker == "actor_officials_a" and supports.confidence == 1.0


def test_paraphrased_claims_align_with_embeddings() -> None:
    from crossread.nlp.embeddings import get_embedding_service

    embed = get_embedding_service().embed
    a = ["The Security Council resolution passed after the United States abstained from the vote.",
         "Rescue teams searched collapsed buildings in the capital overnight."]
    b = ["Washington's decision to abstain allowed the UN Security Council to adopt the resolution.",
         "Prices of grain rose sharply on commodity markets in Chicago."]
    claims = [claim(f"a{i}", "a", t, "A") for i, t in enumerate(a)] + [claim(f"b{i}", "b", t, "B") for i, t in enumerate(b)]
    stories = [Story("s", "t", ["a", "b"])]
    assert len(align_claims(claims, stories)) == 4  # lexical overlap alone is too weak
    merged = align_claims(claims, stories, embed=embed)
    assert len(merged) == 3
    [pair] = [c for c in merged if len(c.evidence) == 2]
    assert {e.article_id for e in pair.evidence} == {"a", "b"} and "abstain" in pair.text


def test_claims_reporting_one_merged_event_align_at_a_lower_score() -> None:
    from crossread.analyze.claims import ANCHORED_THRESHOLD, MUTUAL_THRESHOLD, pair_scores
    from crossread.nlp.embeddings import get_embedding_service
    from crossread.records import Event

    embed = get_embedding_service().embed

    a = ("The resolution, which passed with the help of the United States' abstention from voting, has drawn "
         "criticism from officials who view it as damaging to their country's position in the conflict.")
    b = ("The resolution was passed after the United States refrained from vetoing the call for a ceasefire, "
         "unlike previous votes regarding the war.")
    other = "Rescue teams searched the rubble for survivors overnight."
    claims = [claim("c1", "a", a, "A"), claim("c2", "b", b, "B"), claim("c3", "b", other, "B", start=len(b) + 1)]
    stories = [Story("s", "t", ["a", "b"])]
    score = float(pair_scores(claims[:2], embed)[0, 1])
    assert ANCHORED_THRESHOLD <= score < MUTUAL_THRESHOLD  # too weak alone, enough with an event in common
    assert len(align_claims(claims, stories, embed=embed)) == 3
    abstention = Event("e", "CONCEDE", None, "080", ["us"], ["unsc"], "abstention",
                       evidence=[Evidence("a", 0, len(a), a), Evidence("b", 0, len(b), b)])
    merged = align_claims(claims, stories, embed=embed, events=[abstention])
    assert len(merged) == 2
    [pair] = [c for c in merged if len(c.evidence) == 2]
    assert {e.article_id for e in pair.evidence} == {"a", "b"}


def test_claims_are_embedded_only_where_the_cosine_can_link() -> None:
    from crossread.nlp.embeddings import get_embedding_service

    service = get_embedding_service()
    seen: list[str] = []

    def embed(texts: list[str]):
        seen.extend(texts)
        return service.embed(texts)

    a = ["The Security Council resolution passed after the United States abstained from the vote.",
         "Rescue teams searched collapsed buildings in the capital overnight."]
    b = ["Washington's decision to abstain allowed the UN Security Council to adopt the resolution.",
         "Prices of grain rose sharply on commodity markets in Chicago."]
    claims = [claim(f"a{i}", "a", t, "A") for i, t in enumerate(a)] + [claim(f"b{i}", "b", t, "B") for i, t in enumerate(b)]
    assert len(align_claims(claims, [Story("s", "t", ["a", "b"])], embed=embed)) == 3
    # the other claims share no word with any claim of the other article: no cosine could link them
    assert sorted(seen) == sorted([a[0], b[0]])
    seen.clear()
    # claims of a story with one article are never linked: nothing to embed
    assert len(align_claims(claims, [Story("s1", "t", ["a"]), Story("s2", "t", ["b"])], embed=embed)) == 4
    assert seen == []


def test_pruned_cosines_give_the_links_of_all_cosines() -> None:
    """With an embedder whose cosine >= 0.85 needs shared words (bag of words), skipping the
    cosines that cannot reach a threshold changes no link, at any absolute threshold."""
    from crossread.analyze.claims import _links, pair_scores, sentence_spans
    from crossread.grouping import MinRootGroups
    from tests.test_derivation import ALL_ISRAEL, ICARO, _bag_of_words_embedder

    seen: list[str] = []
    embed = _bag_of_words_embedder(seen)
    claims = []
    weather = ("Heavy rain is expected across the northern valleys on Thursday morning. Forecasters warned drivers "
               "about flooded roads near the river crossings. Temperatures will drop sharply after sunset in the hills.")
    for article_id, text in (("a", ICARO), ("b", ALL_ISRAEL), ("c", ICARO[: len(ICARO) // 2]), ("d", weather)):
        for k, (s, e) in enumerate(sentence_spans(text)):
            if len(text[s:e].split()) < 3:
                continue  # "U.S." splits into fragments; a text without word stems can never be ruled out
            c = claim(f"{article_id}{k}", article_id, text[s:e], article_id.upper(), start=s)
            c.attributed_to = ("x" if k % 2 else "y") if k % 5 == 0 else None  # same and different speakers
            claims.append(c)

    def spans(groups: list[list[Claim]]) -> list[list[tuple[str, int]]]:
        return sorted(sorted((e.article_id, e.start) for c in g for e in c.evidence) for g in groups)

    for threshold in (None, 0.3, 0.5):
        groups = MinRootGroups(range(len(claims)))
        for i, j in _links(claims, pair_scores(claims, embed), embed, threshold):  # every cross-article cosine
            groups.union(i, j)
        expected = spans([[claims[m] for m in members] for members in groups.groups().values()])
        seen.clear()
        merged = align_claims(claims, [Story("s", "t", ["a", "b", "c", "d"])], threshold=threshold, embed=embed)
        assert spans([[c] for c in merged]) == expected
        assert any(len(g) > 1 for g in expected)
        if threshold is None:
            assert "Forecasters warned" not in " ".join(seen)  # no cosine could link this claim (no speaker)


def test_a_negation_of_another_clause_does_not_contradict() -> None:
    from crossread.analyze.claims import negates_shared_words

    longer = claim("c1", "a", "I will fight for you with every breath, and I will never, ever let you down", "A",
                   negated=True)
    shorter = claim("c2", "b", "I will fight for you with every breath", "B")
    assert not negates_shared_words(longer, shorter)
    assert negates_shared_words(claim("c3", "a", "he had not served in Vietnam", "A", negated=True),
                                claim("c4", "b", "he was described as having served in Vietnam", "B"))
    # a mentioned word is no negation
    assert not negates_shared_words(claim("c5", "a", 'The lone "no" vote in the Senate was Reid', "A"),
                                    claim("c6", "b", "Reid was the lone opposition in the Senate", "B"))


def test_one_speaker_quoted_both_ways_is_not_a_contradiction() -> None:
    merged = align_claims([claim("c1", "a", TRAINED, "A", speaker="actor_x"),
                           claim("c2", "b", NOT_TRAINED, "B", negated=True, speaker="actor_x")],
                          [Story("s", "t", ["a", "b"])])
    assert all(r.stance != "contradicts" for c in merged for r in c.relations)
