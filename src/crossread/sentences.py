"""The one sentence splitter for text that has no parsed Doc.

Within an article the sentences are the spaCy Doc's (``doc.sents``, read through
:mod:`crossread.nlp.docview`); this module is for text read back without one: story-level stages over
stored text (claim alignment, derivation, story leads), FNC-1 bodies (stance) and the extractors'
fallback when called without a Doc. Every such stage splits here instead of keeping its own regex.

Rule (punctuation-based, as the Punkt-style baselines): a sentence ends at ``.``, ``!`` or ``?`` (with
any closing quotation marks or brackets after it) followed by whitespace and a capital letter or a
digit (after any opening marks), unless the period closes a title abbreviation ("Gen. Michael
Flynn", "its No. 1 ally"); every line break also ends one (headlines, paragraphs). Spans are
stripped of surrounding whitespace; empty ones are dropped. No dependency beyond ``re``, so light
modules can import it without spaCy.
"""

from __future__ import annotations

import re

#: Title and reference abbreviations whose period does not end a sentence (news style). The quote
#: extractor also joins Doc sentences that a statistical splitter broke after one of these.
TITLE_ABBREVIATIONS = ("No", "Nos", "Mr", "Mrs", "Ms", "Dr", "Gen", "Sen", "Rep", "Reps", "Gov", "Lt", "Col",
                       "Sgt", "Capt", "Adm", "Prof", "Rev", "St", "Sens", "Gens", "Maj", "Cmdr", "Supt", "Insp",
                       "Amb", "Pres", "vs", "Vol", "Art", "Sec", "Fig")
#: A text (a sentence) ending in one of :data:`TITLE_ABBREVIATIONS` and its period.
ENDS_WITH_TITLE_ABBREVIATION = re.compile(r"(?:^|\s)(?:" + "|".join(TITLE_ABBREVIATIONS) + r")\.\s*$")
_BEFORE_PERIOD = re.compile(r"(?:^|[^\w.])(?:" + "|".join(TITLE_ABBREVIATIONS) + r")$")

_BOUNDARY = re.compile(r"(?P<end>[.!?][\"'\u201d\u2019)\]]*)\s+(?=[\"'\u201c\u2018(\[]*[A-Z0-9])|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of ``text`` (see the module docstring)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end("end")
        if end >= 0:
            period = m.start("end")
            # longest abbreviation: 4 letters, so 8 characters before the period hold it and what precedes it
            if text[period] == "." and _BEFORE_PERIOD.search(text, max(0, period - 8), period):
                continue
        else:
            end = m.start()
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (:func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]
