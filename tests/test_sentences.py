"""The one sentence splitter for text without a Doc (crossread/sentences.py)."""

from __future__ import annotations

from crossread.sentences import sentence_spans, sentences


def test_sentences_end_at_punctuation_before_a_capital_or_a_digit():
    assert sentences("Talks resumed. 3 people died! Why? Nobody knows.") == [
        "Talks resumed.", "3 people died!", "Why?", "Nobody knows."]


def test_title_abbreviations_and_lower_case_continuations_do_not_end_a_sentence():
    text = "Gen. Michael Flynn met Sen. Warren. Its No. 1 ally is the U.S. after all e.g. here."
    assert sentences(text) == ["Gen. Michael Flynn met Sen. Warren.", "Its No. 1 ally is the U.S. after all e.g. here."]


def test_closing_marks_stay_with_their_sentence_and_line_breaks_end_one():
    text = '  He said "no." Then he left\nHeadline without a stop\n\n"Is it?" he asked.  '
    assert sentences(text) == ['He said "no."', "Then he left", "Headline without a stop", '"Is it?" he asked.']


def test_spans_are_offsets_into_the_text():
    text = " A first one.  (A second one.) "
    assert [text[a:b] for a, b in sentence_spans(text)] == ["A first one.", "(A second one.)"]
    assert sentence_spans("") == [] and sentence_spans(" \n ") == []
