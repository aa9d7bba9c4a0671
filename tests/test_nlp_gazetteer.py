"""The gazetteer rule layer (crossread_gazetteer) over the statistical entities."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from crossread.nlp import gazetteer_component  # noqa: F401  (registers the factory)

TABLE = {"United States": "GPE", "United Nations": "ORG", "France": "GPE", "French": "NORP", "Palestinian": "NORP",
         "Iranian": "NORP"}


@pytest.fixture()
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("crossread_gazetteer").set_table(TABLE)
    return nlp


def run(nlp, text: str, ents: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    doc = Doc(nlp.vocab, words=text.split())
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
    return [(e.text, e.label_) for e in nlp(doc).ents]


def test_exact_names_are_relabelled(nlp):
    assert run(nlp, "France and French troops", [(0, 1, "ORG"), (2, 3, "MISC")]) == \
        [("France", "GPE"), ("French", "NORP")]


def test_unclaimed_gazetteer_names_are_added(nlp):
    assert run(nlp, "Talks in France", []) == [("France", "GPE")]


def test_a_part_of_a_gazetteer_phrase_grows_to_the_phrase(nlp):
    assert run(nlp, "ally , the United States .", [(4, 5, "LOC")]) == [("United States", "GPE")]


def test_a_name_that_starts_inside_a_gazetteer_phrase_grows_to_its_start(nlp):
    text = "the recent United Nations Security Council resolution"
    assert run(nlp, text, [(3, 6, "ORG")]) == [("United Nations Security Council", "ORG")]


def test_lowercase_entities_are_dropped_and_edges_trimmed(nlp):
    assert run(nlp, "send e-mail to Idlib , now", [(1, 2, "ORG"), (3, 5, "GPE")]) == [("Idlib", "GPE")]


def test_a_demonym_with_a_description_is_cut_to_the_demonym(nlp):
    assert run(nlp, "the Palestinian militant group said", [(1, 4, "ORG")]) == [("Palestinian", "NORP")]
    assert run(nlp, "the French Foreign Ministry said", [(1, 4, "ORG")]) == [("French Foreign Ministry", "ORG")]


def test_a_person_of_title_words_only_is_no_name(nlp):
    # the transformer's "Iranian Supreme" | "Leader" | "Ali Khamenei": the demonym stays, as NORP
    text = "met Iranian Supreme Leader Ali Khamenei and Sen. Leahy"
    assert run(nlp, text, [(1, 3, "PERSON"), (4, 6, "PERSON"), (7, 9, "PERSON")]) == \
        [("Iranian", "NORP"), ("Ali Khamenei", "PERSON"), ("Sen. Leahy", "PERSON")]  # a title before a name stays
    assert run(nlp, "the Foreign Minister said", [(1, 3, "PERSON")]) == []
    assert run(nlp, "Foreign Minister said", [(0, 2, "ORG")]) == [("Foreign Minister", "ORG")]  # PERSON only
    assert run(nlp, "Iranian officials", [(0, 1, "PERSON")]) == [("Iranian", "NORP")]  # relabelled, not dropped


def test_titles_can_be_kept():
    nlp = spacy.blank("en")
    nlp.add_pipe("crossread_gazetteer", config={"trim_titles": False}).set_table(TABLE)
    assert run(nlp, "met Iranian Supreme Leader", [(1, 3, "PERSON")]) == [("Iranian Supreme", "PERSON")]


def test_a_name_before_administration_is_its_leader(nlp):
    assert run(nlp, "the Biden administration and the France administration", [(1, 2, "ORG"), (4, 5, "ORG")]) == \
        [("Biden", "PERSON"), ("France", "GPE")]  # a gazetteer name keeps its own label


def test_a_name_never_ends_in_a_connecting_word(nlp):
    # UNER dev: the tagger ran past a name, or switched type in the middle of one
    assert run(nlp, "both Google and Amazon", [(1, 3, "ORG"), (3, 4, "ORG")]) == [("Google", "ORG"), ("Amazon", "ORG")]
    assert run(nlp, "the Housing Authority of New Orleans said", [(1, 4, "ORG"), (4, 6, "GPE")]) == \
        [("Housing Authority of New Orleans", "ORG")]
    # a company suffix ends the name; a description before the connector goes with it
    assert run(nlp, "Google , Inc. of Mountain View", [(0, 4, "ORG"), (4, 6, "GPE")]) == \
        [("Google , Inc.", "ORG"), ("Mountain View", "GPE")]
    assert run(nlp, "the West Bank town of Ramallah", [(1, 5, "LOC"), (5, 6, "GPE")]) == \
        [("West Bank", "LOC"), ("Ramallah", "GPE")]
    # "in" ends no name and joins none; a person never swallows the next name
    assert run(nlp, "Al-Qaeda in Afghanistan", [(0, 2, "ORG"), (2, 3, "GPE")]) == \
        [("Al-Qaeda", "ORG"), ("Afghanistan", "GPE")]
    assert run(nlp, "Smith of Reuters", [(0, 2, "PERSON"), (2, 3, "ORG")]) == [("Smith", "PERSON"), ("Reuters", "ORG")]
    # a determiner alone is no name
    assert run(nlp, "The African Union met", [(0, 1, "ORG"), (1, 3, "ORG")]) == [("African Union", "ORG")]
    assert run(nlp, "The people of the north", [(0, 3, "ORG")]) == []
