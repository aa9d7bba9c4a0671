"""Coverage matrix, exclusives/omissions and the actor network over a hand-made Analysis."""

from __future__ import annotations

import pytest

from crossread.analyze.coverage import (
    actor_network,
    coverage_matrix,
    edge_kind,
    event_label,
    not_in,
    only_in,
)
from crossread.records import Actor, Analysis, Article, Claim, Event, Evidence, Story

TEXT_A = "Ruritania attacked Freedonia. Talks resume Monday. The ceasefire holds. Envoys met in Geneva."
TEXT_B = "Ruritania attacked Freedonia. The ceasefire collapsed. Aid arrived."
TEXT_C = "Unrelated: Freedonia praised Ruritania."


def ev(article: Article, needle: str) -> Evidence:
    start = article.text.index(needle)
    return Evidence(article.id, start, start + len(needle), needle)


def two_outlet_analysis() -> Analysis:
    a = Article("a", "a.txt", "Alpha News", "A", None, "en", TEXT_A)
    b = Article("b", "b.txt", "Beta Wire", "B", None, "en", TEXT_B)
    c = Article("c", "c.txt", "Gamma Post", "C", None, "en", TEXT_C)
    actors = [Actor("ru", "Ruritania", "COUNTRY"), Actor("fr", "Freedonia", "COUNTRY"),
              Actor("un", "United Nations", "IGO")]
    events = [
        # both outlets; conflict
        Event("e_attack", "ASSAULT", None, None, ["ru"], ["fr"], "attacked",
              evidence=[ev(a, "Ruritania attacked Freedonia."), ev(b, "Ruritania attacked Freedonia.")]),
        # only in Alpha; cooperation
        Event("e_meet", "CONSULT", None, None, ["un"], ["ru", "fr"], "met",
              evidence=[ev(a, "Envoys met in Geneva.")]),
        # only in Beta; cooperation
        Event("e_aid", "AID", None, None, ["un"], ["fr"], "arrived", evidence=[ev(b, "Aid arrived.")]),
        # a second assault between the same pair, in Beta: weight 2
        Event("e_attack2", "ASSAULT", None, None, ["ru"], ["fr"], "collapsed",
              evidence=[ev(b, "The ceasefire collapsed.")]),
        # outside the story (Gamma): counted in the global network only
        Event("e_praise", "REQUEST", None, None, ["fr"], ["ru"], "praised",
              evidence=[ev(c, "Freedonia praised Ruritania.")]),
        # negated conflict is neutral
        Event("e_neg", "THREATEN", None, None, ["fr"], ["ru"], "threaten", negated=True,
              evidence=[ev(c, "Unrelated")]),
    ]
    claims = [
        Claim("c_ceasefire", "The ceasefire holds.", None,
              [ev(a, "The ceasefire holds."), ev(b, "The ceasefire collapsed.")], status="contradicted"),
        Claim("c_talks", "Talks resume Monday.", None, [ev(a, "Talks resume Monday.")], status="single_source"),
    ]
    return Analysis(articles=[a, b, c], actors=actors, events=events, claims=claims,
                    stories=[Story("s1", "War", ["a", "b"]), Story("s2", "Praise", ["c"])])


def test_matrix_columns_rows_and_cells() -> None:
    m = coverage_matrix(two_outlet_analysis(), "s1")
    assert m.outlets == ["Alpha News", "Beta Wire"]
    assert m.title == "War"
    ids = [r.id for r in m.rows]
    # events first (most-covered first), then claims; records of other stories are not rows
    assert ids == ["e_attack", "e_meet", "e_aid", "e_attack2", "c_ceasefire", "c_talks"]
    assert m.cell("e_attack", "Alpha News") == "present" and m.cell("e_attack", "Beta Wire") == "present"
    assert m.cell("e_meet", "Alpha News") == "present" and m.cell("e_meet", "Beta Wire") == "absent"
    assert m.cell("e_aid", "Alpha News") == "absent" and m.cell("e_aid", "Beta Wire") == "present"
    # contradicted claim: contradicted wherever it is carried
    assert m.cell("c_ceasefire", "Alpha News") == "contradicted"
    assert m.cell("c_ceasefire", "Beta Wire") == "contradicted"
    assert m.cell("c_talks", "Alpha News") == "present" and m.cell("c_talks", "Beta Wire") == "absent"


def test_matrix_row_labels_and_evidence() -> None:
    m = coverage_matrix(two_outlet_analysis(), "s1")
    assert m.row("e_attack").label == "Ruritania ASSAULT Freedonia (attacked)"
    assert m.row("e_meet").label == "United Nations CONSULT Ruritania, Freedonia (met)"
    assert m.row("c_talks").label == "Talks resume Monday."
    assert m.row("c_ceasefire").status == "contradicted" and m.row("e_attack").status is None
    row = m.row("e_attack")
    assert [e.article_id for e in row.evidence] == ["a", "b"]
    assert list(row.evidence_by_outlet) == ["Alpha News", "Beta Wire"]


def test_contradicted_claim_absent_where_not_carried() -> None:
    analysis = two_outlet_analysis()
    analysis.claims[1].status = "contradicted"  # carried by Alpha only
    m = coverage_matrix(analysis, "s1")
    assert m.row("c_talks").cells == {"Alpha News": "contradicted", "Beta Wire": "absent"}


def test_matrix_whole_analysis_and_unknown_story() -> None:
    m = coverage_matrix(two_outlet_analysis())
    assert m.outlets == ["Alpha News", "Beta Wire", "Gamma Post"]
    assert m.cell("e_praise", "Gamma Post") == "present"
    with pytest.raises(KeyError):
        coverage_matrix(two_outlet_analysis(), "nope")


def test_articles_without_outlet_get_their_own_column() -> None:
    a = Article("x1", "x1.txt", None, None, None, None, "One two.")
    b = Article("x2", "x2.txt", None, None, None, None, "One two.")
    analysis = Analysis(articles=[a, b], claims=[Claim("c", "One", None, [ev(a, "One")])],
                        stories=[Story("s", "S", ["x1", "x2"])])
    m = coverage_matrix(analysis, "s")
    assert m.outlets == ["unknown outlet x1", "unknown outlet x2"]
    assert only_in(analysis, "s") == {"unknown outlet x1": [m.rows[0]]}


def test_only_in_and_not_in() -> None:
    analysis = two_outlet_analysis()
    only = {o: [r.id for r in rows] for o, rows in only_in(analysis, "s1").items()}
    assert only == {"Alpha News": ["e_meet", "c_talks"], "Beta Wire": ["e_aid", "e_attack2"]}
    missing = {o: [r.id for r in rows] for o, rows in not_in(analysis, "s1").items()}
    # with two outlets, "not in A" is "only in B"
    assert missing == {"Alpha News": ["e_aid", "e_attack2"], "Beta Wire": ["e_meet", "c_talks"]}


def test_only_in_needs_two_outlets() -> None:
    analysis = two_outlet_analysis()
    assert only_in(analysis, "s2") == {} and not_in(analysis, "s2") == {}


def test_not_in_with_three_outlets() -> None:
    analysis = two_outlet_analysis()
    analysis.stories.append(Story("s3", "All", ["a", "b", "c"]))
    missing = {o: [r.id for r in rows] for o, rows in not_in(analysis, "s3").items()}
    assert missing == {"Gamma Post": ["e_attack", "c_ceasefire"]}  # what both Alpha and Beta carry
    only = {o: [r.id for r in rows] for o, rows in only_in(analysis, "s3").items()}
    assert only["Gamma Post"] == ["e_praise", "e_neg"]


def test_edge_kinds() -> None:
    for t in ("AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "CONCEDE", "YIELD", "consult"):
        assert edge_kind(t) == "cooperation", t
    for t in ("DEMAND", "DISAPPROVE", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "MOBILIZE", "SANCTION",
              "COERCE", "ASSAULT"):
        assert edge_kind(t) == "conflict", t
    for t in ("REQUEST", "OTHER", "", None):
        assert edge_kind(t) == "neutral", t
    assert edge_kind("ASSAULT", negated=True) == "neutral"


def test_actor_network_kinds_and_weights() -> None:
    nodes, edges = actor_network(two_outlet_analysis())
    got = {(e.source, e.target, e.kind): e.weight for e in edges}
    assert got == {
        ("ru", "fr", "conflict"): 2,
        ("un", "ru", "cooperation"): 1,
        ("un", "fr", "cooperation"): 2,  # CONSULT + AID
        ("fr", "ru", "neutral"): 2,  # REQUEST + negated THREATEN
    }
    heavy = next(e for e in edges if e.kind == "conflict")
    assert heavy.events == ["e_attack", "e_attack2"] and heavy.types == {"ASSAULT": 2}
    assert len(heavy.evidence) == 3
    names = {n.id: n.name for n in nodes}
    assert names == {"ru": "Ruritania", "fr": "Freedonia", "un": "United Nations"}
    assert edges[0].weight == 2


def test_actor_network_per_story() -> None:
    _, edges = actor_network(two_outlet_analysis(), "s1")
    got = {(e.source, e.target, e.kind): e.weight for e in edges}
    assert got == {("ru", "fr", "conflict"): 2, ("un", "ru", "cooperation"): 1, ("un", "fr", "cooperation"): 2}


def test_actor_network_skips_self_loops_and_one_sided_events() -> None:
    art = Article("a", "a", "O", None, None, None, "x y")
    analysis = Analysis(articles=[art], events=[
        Event("e1", "AGREE", None, None, ["p"], ["p"], "agreed"),
        Event("e2", "AGREE", None, None, ["p"], [], "agreed"),
    ])
    assert actor_network(analysis) == ([], [])


def test_event_label_negated_and_unknown_actor() -> None:
    e = Event("e", "ASSAULT", None, None, ["ghost"], [], "attack", negated=True)
    assert event_label(e, {}) == "ghost not ASSAULT (attack)"


def test_contradicted_cell_only_for_the_outlet_that_contradicts() -> None:
    from crossread.records import ClaimRelation

    analysis = two_outlet_analysis()
    claim = next(c for c in analysis.claims if c.id == "c_ceasefire")
    a, b = claim.evidence
    claim.relations = [ClaimRelation("a", "Alpha News", "supports", 1.0, a),
                       ClaimRelation("b", "Beta Wire", "contradicts", 1.0, b)]
    m = coverage_matrix(analysis, "s1")
    assert m.cell("c_ceasefire", "Alpha News") == "present"
    assert m.cell("c_ceasefire", "Beta Wire") == "contradicted"
