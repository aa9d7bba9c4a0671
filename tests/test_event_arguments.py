"""Event arguments that hold (issue 21, part 3): a peer's regression sentences through the shipped
pipeline, each with its expected PLOVER type, sources, targets, negation and modality.

Expected codings follow the PLOVER manual and its CAMEO crosswalk: restoring or renewing ties is
SUPPORT (CAMEO 054, "grant diplomatic recognition" covers establishing and restoring relations),
abandoning, cutting or suspending them SANCTION (CAMEO 161, "reduce or break diplomatic relations");
future cooperative events are AGREE (manual 3.1); mutual events ("A and B agreed", "met") are coded
in both directions; the giver of what is received is the source."""

from __future__ import annotations

import functools

import pytest

from crossread.extract.actors import resolve_actors
from crossread.extract.events import extract_events
from crossread.records import Article


@functools.lru_cache(maxsize=1)
def _nlp():
    from crossread.nlp import load_pipeline

    return load_pipeline()


def coded(text: str) -> list[tuple[str, frozenset[str], frozenset[str], bool, str]]:
    """(PLOVER type, source names, target names, negated, modality) of each event of ``text``."""
    try:
        nlp = _nlp()
    except Exception as exc:  # noqa: BLE001 - no shipped model: skip, don't fail
        pytest.skip(f"shipped pipeline unavailable: {exc}")
    doc = nlp(text)
    article = Article(id="a1", source="t", outlet=None, title=None, published=None, language="en", text=text)
    actors = resolve_actors(article, doc)
    names = {a.id: a.name for a in actors}
    return [(e.plover, frozenset(names[i] for i in e.source), frozenset(names[i] for i in e.target),
             e.negated, e.modality) for e in extract_events(article, doc, actors)]


def test_about_to_restore_ties_is_a_planned_agreement():
    assert coded("Israel is about to restore ties with Turkey.") == [
        ("AGREE", {"Israel"}, {"Turkey"}, False, "planned")]


def test_will_abandon_ties_is_a_planned_sanction_not_an_agreement():
    assert coded("Israel will abandon ties with Turkey.") == [
        ("SANCTION", {"Israel"}, {"Turkey"}, False, "planned")]


def test_renewed_ties_is_support_not_a_sanction():
    assert coded("Israel renewed ties with Turkey.") == [("SUPPORT", {"Israel"}, {"Turkey"}, False, "asserted")]


def test_suspended_and_cut_ties_are_sanctions():
    assert coded("Egypt suspended ties with Qatar.") == [("SANCTION", {"Egypt"}, {"Qatar"}, False, "asserted")]
    assert coded("Egypt cut ties with Qatar.") == [("SANCTION", {"Egypt"}, {"Qatar"}, False, "asserted")]


def test_neither_nor_keeps_both_sources_and_the_negation():
    assert coded("Neither Britain nor France boycotted Russia.") == [
        ("PROTEST", {"United Kingdom", "France"}, {"Russia"}, True, "asserted")]


def test_ties_with_a_list_reach_every_member():
    events = coded("Israel restored ties with Egypt, Jordan, Turkey and Morocco.")
    assert events == [("SUPPORT", {"Israel"}, {"Egypt", "Jordan", "Turkey", "Morocco"}, False, "asserted")]


def test_a_and_b_agree_is_coded_in_both_directions():
    events = coded("Israel and Turkey agreed to restore ties.")
    assert sorted(events, key=lambda e: sorted(e[1])) == [
        ("AGREE", {"Israel"}, {"Turkey"}, False, "asserted"),
        ("AGREE", {"Turkey"}, {"Israel"}, False, "asserted")]


def test_a_and_b_met_is_coded_in_both_directions():
    events = coded("Putin and Erdogan met in Sochi.")
    pairs = {(e[0], tuple(e[1]), tuple(e[2])) for e in events}
    assert pairs == {("CONSULT", ("Putin",), ("Erdogan",)), ("CONSULT", ("Erdogan",), ("Putin",))}


def test_received_money_from_a_makes_a_the_source():
    assert coded("Hamas received money from Iran.") == [("AID", {"Iran"}, {"Hamas"}, False, "asserted")]


def test_passive_agent_is_the_source():
    assert coded("Hamas was condemned by Egypt.") == [("ACCUSE", {"Egypt"}, {"Hamas"}, False, "asserted")]


def test_called_for_a_boycott_is_a_request_not_a_consultation():
    events = coded("Turkey called for a boycott of Israel.")
    assert events == [("REQUEST", {"Turkey"}, {"Israel"}, False, "asserted")]


def test_plans_to_and_may_have_keep_the_event_with_its_modality():
    assert coded("Russia plans to expel Polish diplomats.") == [
        ("SANCTION", {"Russia"}, {"Poland"}, False, "planned")]
    assert coded("Syria may have attacked Turkey.") == [("ASSAULT", {"Syria"}, {"Turkey"}, False, "hypothetical")]
