"""The label adapter: ClearNLP/OntoNotes output is normalised to UD / crossread ctypes."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Span

from crossread.nlp import normalize_dep, normalize_ent
from crossread.nlp.adapter import CTYPES


@pytest.mark.parametrize("label, expected", [
    ("dobj", "obj"), ("obj", "obj"), ("nsubjpass", "nsubj:pass"), ("nsubj:pass", "nsubj:pass"),
    ("pobj", "obl"), ("compound", "compound"), ("flat", "flat"), ("auxpass", "aux:pass"), ("neg", "advmod"),
    ("relcl", "acl:relcl"), ("acl:relcl", "acl:relcl"), ("poss", "nmod:poss"), ("dative", "iobj"),
    ("ROOT", "root"), ("root", "root"), ("prt", "compound:prt"), ("obl:tmod", "obl:tmod"), ("csubjpass", "csubj:pass"),
])
def test_normalize_dep(label, expected):
    assert normalize_dep(label) == expected


@pytest.mark.parametrize("label, expected", [
    ("PERSON", "PERSON"), ("PER", "PERSON"), ("ORG", "ORG"), ("GPE", "GPE"), ("LOC", "LOC"), ("FAC", "LOC"),
    ("NORP", "NORP"), ("DATE", "DATE"), ("TIME", "DATE"), ("EVENT", "MISC"), ("WORK_OF_ART", "MISC"),
    ("MISC", "MISC"), ("OTH", "MISC"), ("Organisation", "ORG"), ("Nationality", "NORP"), ("CARDINAL", "MISC"),
])
def test_normalize_ent(label, expected):
    assert normalize_ent(label) == expected
    assert normalize_ent(label) in CTYPES


@Language.component("fake_clearnlp_parser")
def fake_clearnlp_parser(doc):
    # "Barack Obama was not praised by critics , who gave the book to Anne Smith in Paris ."
    #   0      1    2   3    4      5   6      7  8   9    10  11   12 13   14   15 16   17
    heads = [1, 4, 4, 4, 4, 4, 5, 6, 9, 6, 11, 9, 9, 14, 12, 9, 15, 4]
    deps = ["compound", "nsubjpass", "auxpass", "neg", "ROOT", "agent", "pobj", "punct", "nsubj", "relcl", "det",
            "dobj", "dative", "compound", "pobj", "prep", "pobj", "punct"]
    pos = ["PROPN", "PROPN", "AUX", "PART", "VERB", "ADP", "NOUN", "PUNCT", "PRON", "VERB", "DET", "NOUN", "ADP",
           "PROPN", "PROPN", "ADP", "PROPN", "PUNCT"]
    for tok, h, d, p in zip(doc, heads, deps, pos):
        tok.head = doc[h]
        tok.dep_ = d
        tok.pos_ = p
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 13, 15, "PERSON"), Span(doc, 16, 17, "GPE"),
                Span(doc, 10, 12, "WORK_OF_ART")]
    return doc


def test_adapter_normalises_clearnlp_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("fake_clearnlp_parser")
    import crossread.nlp.adapter  # noqa: F401  (registers the factory)

    nlp.add_pipe("crossread_adapter", last=True)
    doc = nlp("Barack Obama was not praised by critics , who gave the book to Anne Smith in Paris .")
    ud = [t._.udep for t in doc]
    assert doc._.dep_scheme == "clearnlp"
    assert ud[0] == "flat"  # compound between proper nouns -> flat
    assert ud[1] == "nsubj:pass"
    assert ud[2] == "aux:pass"
    assert ud[4] == "root"
    assert ud[6] == "obl:agent"
    assert ud[9] == "acl:relcl"
    assert ud[11] == "obj"
    assert ud[12] == "iobj"
    assert ud[16] == "obl"  # pobj of a preposition attached to a verb
    assert doc[3]._.is_negation and not doc[4]._.is_negation
    assert [e._.ctype for e in doc.ents] == ["PERSON", "MISC", "PERSON", "GPE"]


def test_adapter_keeps_ud_labels():
    nlp = spacy.blank("en")

    @Language.component("fake_ud_parser")
    def fake_ud_parser(doc):
        deps = ["nsubj", "aux", "advmod", "ROOT", "punct"]
        for tok, h, d in zip(doc, [3, 3, 3, 3, 3], deps):
            tok.head = doc[h]
            tok.dep_ = d
        return doc

    nlp.add_pipe("fake_ud_parser")
    nlp.add_pipe("crossread_adapter")
    doc = nlp("They did n't go .")
    assert doc._.dep_scheme == "ud"
    assert [t._.udep for t in doc] == ["nsubj", "aux", "advmod", "root", "punct"]
    assert doc[2]._.is_negation is True and doc[3]._.is_negation is False
