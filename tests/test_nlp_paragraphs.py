"""Line breaks end sentences whatever pipeline is loaded."""

from __future__ import annotations

import spacy

from crossread.nlp import load_pipeline
from crossread.nlp.loader import paragraph_breaks

TEXT = "The resolution passed after the US refrained from a veto on Oct. 7\n\nHaniyeh traveled to Iran on Tuesday."


def test_paragraph_without_final_period_is_its_own_sentence() -> None:
    doc = load_pipeline()(TEXT)
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences[0].endswith("Oct. 7")
    assert sentences[-1] == "Haniyeh traveled to Iran on Tuesday."


def test_component_marks_token_after_newline() -> None:
    doc = paragraph_breaks(spacy.blank("en")("One line\nSecond line"))
    second = next(t for t in doc if t.text == "Second")
    assert second.is_sent_start


def test_place_abbreviation_closing_a_sentence_ends_it() -> None:
    doc = paragraph_breaks(spacy.blank("en")(
        "Officials canceled a delegation to Washington, D.C. Netanyahu's office said it was upset."))
    assert next(t for t in doc if t.text == "Netanyahu").is_sent_start
    sentences = [s.text for s in load_pipeline()(
        "Officials canceled a delegation to Washington, D.C. Netanyahu's office said it was upset.").sents]
    assert sentences[0].endswith("Washington, D.C.")


def test_place_abbreviation_inside_a_sentence_does_not_end_it() -> None:
    for text in ("Officials flew to Washington, D.C. on Monday.", "The U.S. President spoke in Portland, Ore., on Monday.",
                 "Lawmakers in D.C. Friday said no."):
        doc = paragraph_breaks(spacy.blank("en")(text))
        assert not any(t.is_sent_start for t in doc[1:]), text
