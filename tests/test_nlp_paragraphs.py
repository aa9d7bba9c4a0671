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
