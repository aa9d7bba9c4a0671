"""The per-Doc token view (crossread.nlp.docview) reads exactly what spaCy's Token API gives."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

import crossread.nlp.adapter  # noqa: F401  (registers token._.udep)
from crossread.nlp import docview

WORDS = ["Barack", "Obama", "was", "not", "praised", "by", "critics", ",", "who", "gave", "the", "book", "to",
         "Anne", "Smith", "in", "Paris", ".", "He", "left", "."]
HEADS = [1, 4, 4, 4, 4, 4, 5, 6, 9, 6, 11, 9, 9, 14, 12, 9, 15, 4, 19, 19, 19]
DEPS = ["compound", "nsubjpass", "auxpass", "neg", "ROOT", "agent", "pobj", "punct", "nsubj", "relcl", "det",
        "dobj", "dative", "compound", "pobj", "prep", "pobj", "punct", "nsubj", "ROOT", "punct"]
POS = ["PROPN", "PROPN", "AUX", "PART", "VERB", "ADP", "NOUN", "PUNCT", "PRON", "VERB", "DET", "NOUN", "ADP",
       "PROPN", "PROPN", "ADP", "PROPN", "PUNCT", "PRON", "VERB", "PUNCT"]


def _doc(heads=HEADS, deps=DEPS) -> Doc:
    vocab = spacy.blank("en").vocab
    doc = Doc(vocab, words=WORDS, heads=heads, deps=deps, pos=POS, lemmas=[w.lower() for w in WORDS])
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 13, 15, "PERSON"), Span(doc, 16, 17, "GPE")]
    return doc


def _same(doc: Doc) -> None:
    view = docview.DocView(doc)
    assert len(view) == len(doc) and view.text == doc.text
    for t in doc:
        v = view[t.i]
        assert (v.i, v.text, v.lower_, v.lemma_, v.pos_, v.tag_, v.dep_, v.idx, v.ent_type_, v.ent_iob_) == (
            t.i, t.text, t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_, t.idx, t.ent_type_, t.ent_iob_)
        assert (v.is_alpha, v.is_punct, v.is_space, v.whitespace_, v.is_sent_start) == (
            t.is_alpha, t.is_punct, t.is_space, t.whitespace_, t.is_sent_start)
        assert v.udep == t._.udep
        assert v.head.i == t.head.i
        assert [c.i for c in v.children] == [c.i for c in t.children]
        assert [c.i for c in v.lefts] == [c.i for c in t.lefts]
        assert [c.i for c in v.rights] == [c.i for c in t.rights]
        assert [c.i for c in v.subtree] == [c.i for c in t.subtree]
        assert (v.left_edge.i, v.right_edge.i) == (t.left_edge.i, t.right_edge.i)
        s, vs = t.sent, v.sent
        assert (vs.start, vs.end, vs.start_char, vs.end_char, vs.text, vs.root.i) == (
            s.start, s.end, s.start_char, s.end_char, s.text, s.root.i)
    assert [(s.start, s.end, s.root.i) for s in view.sents] == [(s.start, s.end, s.root.i) for s in doc.sents]
    for i in range(len(doc)):
        for j in range(i + 1, min(len(doc), i + 5) + 1):
            assert view.span_text(i, j) == doc[i:j].text


def test_view_matches_spacy_tokens():
    doc = _doc()
    _same(doc)
    assert docview.DocView(doc).has_udep


def test_view_non_projective_parse():
    # "not" (3) attached to "gave" (9) across "praised by critics": spaCy's edges are read, not recomputed
    heads = list(HEADS)
    heads[3] = 9
    _same(_doc(heads=heads))


def test_view_without_parse_or_sentences():
    doc = spacy.blank("en")("Hamas met Iran in Tehran .")
    view = docview.DocView(doc)
    try:
        view.sents
    except ValueError:
        pass
    else:
        raise AssertionError("a Doc without sentence boundaries has no sents")
    assert [t.head.i for t in view] == [t.head.i for t in doc]
    assert all(t.children == () for t in view)


def test_scope_shares_one_view_and_drops_it():
    doc = _doc()
    with docview.scope(doc) as outer:
        with docview.scope(doc) as inner:
            assert inner is outer
        assert docview.view_of(doc) is outer
    assert docview.view_of(doc) is not outer  # outside a scope: a fresh view each time
    with docview.scope(None) as none:
        assert none is None
