"""The CRF NER layer (crossread_crf_ner): features, training, gating of the CNN's entities, GPE/LOC split,
saving and loading."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc, Span

from crossread.nlp import crf_ner
from crossread.nlp.crf_ner import CrfFeaturizer, bio_tags, training_sequences, word_shape

PHRASES = {"France": ["COUNTRY"], "Paris": ["CAPITAL", "CITY"], "United Nations": ["ORG"], "French": ["NORP"]}

TRAINING = [
    ("Maria Lopez visited France on Monday .", [(0, 2, "PERSON"), (3, 4, "GPE")]),
    ("John Smith left Paris for the Alps .", [(0, 2, "PERSON"), (3, 4, "GPE"), (6, 7, "LOC")]),
    ("The United Nations praised Maria Lopez .", [(1, 3, "ORG"), (4, 6, "PERSON")]),
    ("French officials met John Smith in Paris .", [(0, 1, "NORP"), (3, 5, "PERSON"), (6, 7, "GPE")]),
    ("Anna Berg spoke to the United Nations .", [(0, 2, "PERSON"), (5, 7, "ORG")]),
    ("Officials in France said nothing .", [(2, 3, "GPE")]),
    ("He walked in the Alps with Anna Berg .", [(4, 5, "LOC"), (6, 8, "PERSON")]),
]


def _doc(vocab, text: str, ents) -> Doc:
    words = text.split()
    doc = Doc(vocab, words=words, sent_starts=[True] + [False] * (len(words) - 1))
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


@pytest.fixture(scope="module")
def trained():
    nlp = spacy.blank("en")
    docs = [_doc(nlp.vocab, t, e) for t, e in TRAINING] * 5
    component = nlp.add_pipe("crossread_crf_ner")
    info = component.train(docs, c1=0.0, c2=0.01, max_iterations=60, phrases=PHRASES, clusters=None)
    return nlp, component, info


def test_word_shape():
    assert word_shape("Haniyeh") == "Xx"
    assert word_shape("U.S.") == "X.X."
    assert word_shape("2024") == "d"
    assert word_shape("Élysée") == "Xx"


def test_features_mark_gazetteer_phrases_and_context():
    vocab = spacy.blank("en").vocab
    feats = CrfFeaturizer(vocab, PHRASES, clusters=None)(["the", "United", "Nations", "met"])
    assert "gz=B-ORG" in feats[1] and "gz=I-ORG" in feats[2] and not any(f.startswith("gz") for f in feats[0])
    assert "w=united" in feats[1] and "w-1=the" in feats[1] and "w1=nations" in feats[1]
    assert "c0=none" in feats[1]  # no vectors: no cluster ids
    assert "pos=first" in feats[0] and "pos=last" in feats[3]


def test_cluster_features_follow_the_vector_table():
    nlp = spacy.blank("en")
    rng = np.random.default_rng(0)
    for word in ("paris", "london", "tree", "leaf"):
        nlp.vocab.set_vector(word, rng.normal(size=8).astype("float32"))
    clusters = crf_ner.kmeans_clusters(nlp.vocab.vectors.data, sizes=(2, 3))
    assert clusters.shape == (nlp.vocab.vectors.shape[0], 2) and clusters.dtype == np.int16
    feats = CrfFeaturizer(nlp.vocab, {}, clusters, cluster_sizes=(2, 3))(["Paris", "unknownword", ","])
    row = nlp.vocab.vectors.find(key="paris")
    assert f"c20={clusters[row][0]}" in feats[0] and f"c30={clusters[row][1]}" in feats[0]  # lower-case fallback
    assert "c0=oov" in feats[1] and "c0=none" in feats[2]  # an unknown word is not punctuation
    # training hides the clusters of rare words, which stand in for the unknown words of new text
    masked = CrfFeaturizer(nlp.vocab, {}, clusters, cluster_sizes=(2, 3), unseen={"paris"})(["Paris"])
    assert "c0=oov" in masked[0] and not any(f.startswith("c20=") for f in masked[0])


def test_training_sequences_skip_docs_without_complete_ner():
    vocab = spacy.blank("en").vocab
    annotated = _doc(vocab, "Maria Lopez visited France .", [(0, 2, "PERSON"), (3, 4, "GPE")])
    bare = Doc(vocab, words=["No", "annotation", "here"])
    seqs = list(training_sequences([annotated, bare]))
    assert seqs == [(["Maria", "Lopez", "visited", "France", "."], ["B-PERSON", "I-PERSON", "O", "B-LOC", "O"])]
    assert bio_tags(3, [(0, 2, "ORG"), (1, 3, "PERSON")]) == ["B-ORG", "I-ORG", "O"]  # overlap skipped


def test_trained_crf_tags_and_splits_gpe_from_loc(trained):
    nlp, component, info = trained
    assert info["sentences"] == 35 and info["model_bytes"] > 0
    doc = nlp(_doc(nlp.vocab, "Anna Berg visited Paris and the Alps .", []))
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Anna Berg", "PERSON") in ents
    assert ("Paris", "GPE") in ents  # LOC class of the CRF, a gazetteer place: GPE
    assert ("Alps", "LOC") in ents  # not in the gazetteer: LOC


def test_cnn_entities_are_gated_by_the_crf(trained):
    nlp, component, _ = trained
    doc = _doc(nlp.vocab, "Anna Berg visited Paris and the Alps .", [])
    # the CNN's entities that overlap no CRF entity: a plausible one is kept, an implausible one dropped
    doc.ents = [Span(doc, 0, 1, label="ORG"), Span(doc, 2, 3, label="PERSON"), Span(doc, 4, 5, label="DATE")]
    doc = component(doc)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Anna Berg", "PERSON") in ents and ("Anna", "ORG") not in ents  # the CRF's own entity wins
    assert ("visited", "PERSON") not in ents  # the CRF finds a lower-case verb implausible as a name
    assert ("and", "DATE") in ents  # a label the CRF does not model is left to the CNN


def test_save_and_load_round_trip(trained, tmp_path):
    nlp, component, _ = trained
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    text = "John Smith met French officials in France ."
    assert [(e.text, e.label_) for e in loaded(_doc(loaded.vocab, text, [])).ents] == \
        [(e.text, e.label_) for e in nlp(_doc(nlp.vocab, text, [])).ents]
    assert loaded.get_pipe("crossread_crf_ner").info["sentences"] == 35


def test_untrained_component_passes_docs_through():
    nlp = spacy.blank("en")
    nlp.add_pipe("crossread_crf_ner")
    doc = _doc(nlp.vocab, "Maria Lopez visited France .", [(0, 2, "PERSON")])
    assert [(e.text, e.label_) for e in nlp(doc).ents] == [("Maria Lopez", "PERSON")]


def test_training_without_annotated_sentences_is_an_error():
    nlp = spacy.blank("en")
    component = nlp.add_pipe("crossread_crf_ner")
    with pytest.raises(ValueError, match="no training sentences"):
        component.train([Doc(nlp.vocab, words=["plain", "text"])], phrases={}, clusters=None)


def test_names_found_once_are_tagged_at_their_other_occurrences():
    vocab = spacy.blank("en").vocab
    doc = _doc(vocab, "Debra Perlingiere called US . Later Debra Perlingiere and Debra left the US .", [])
    ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 4, label="GPE")]
    out = sorted((e.start, e.end, e.label_) for e in crf_ner.propagate_names(doc, ents))
    # the whole name spreads, not its parts; "US" is too short to spread
    assert out == [(0, 2, "PERSON"), (3, 4, "GPE"), (6, 8, "PERSON")]


def test_adjacent_person_entities_are_one_name():
    vocab = spacy.blank("en").vocab
    doc = _doc(vocab, "Thanks , Debra Perlingiere Enron North America", [])
    ents = [Span(doc, 2, 3, label="PERSON"), Span(doc, 3, 4, label="PERSON"), Span(doc, 4, 7, label="ORG")]
    out = [(e.text, e.label_) for e in crf_ner.merge_split_names(doc, ents)]
    assert out == [("Debra Perlingiere", "PERSON"), ("Enron North America", "ORG")]


def test_threads_share_one_component(trained):
    from concurrent.futures import ThreadPoolExecutor

    nlp, component, _ = trained
    texts = ["Maria Lopez visited France .", "John Smith left Paris for the Alps .", "Anna Berg spoke ."] * 20
    expected = [[(e.text, e.label_) for e in nlp(_doc(nlp.vocab, t, [])).ents] for t in texts]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: [(e.text, e.label_) for e in nlp(_doc(nlp.vocab, t, [])).ents], texts))
    assert got == expected


def test_component_pickles_for_worker_processes(trained):
    import pickle

    nlp, component, _ = trained
    clone = pickle.loads(pickle.dumps(component))
    doc = _doc(nlp.vocab, "Maria Lopez visited France .", [])
    assert [(e.text, e.label_) for e in clone(doc).ents] == \
        [(e.text, e.label_) for e in component(_doc(nlp.vocab, "Maria Lopez visited France .", [])).ents]
