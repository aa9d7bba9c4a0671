"""Static word vectors distilled from the MiniLM encoder (crossread.nlp.vectors)."""

from __future__ import annotations

from collections import Counter

import numpy as np


class HashEncoder:
    """Deterministic stand-in encoder: a fixed random unit vector per lower-cased word."""

    def encode(self, words: list[str]) -> np.ndarray:
        rows = []
        for word in words:
            rng = np.random.default_rng(abs(hash(word.lower())) % (2**32))
            v = rng.normal(size=384).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows)


def test_case_variants_share_one_row(tmp_path):
    import spacy

    from crossread.nlp.vectors import build_vectors, write_vectors

    words = ["london", "paris", "said", "iran", "hamas", "tuesday", "smith", "deal"]
    table = build_vectors(words, dims=4, encoder=HashEncoder())
    assert table.shape == (8, 4)
    assert np.allclose(np.linalg.norm(table, axis=1), 1.0, atol=1e-5)
    nlp = spacy.load(write_vectors(words, table, tmp_path / "vec"))
    vectors = nlp.vocab.vectors
    assert vectors.shape == (8, 4)
    row = {form: vectors.find(key=form) for form in ("london", "London", "LONDON")}
    assert len(set(row.values())) == 1 and row["london"] >= 0
    assert vectors.find(key="paris") != row["london"]
    assert vectors.find(key="Haniyeh") == -1  # not in the vocabulary: no vector, no error
    doc = nlp("London said")
    assert doc[0].has_vector and np.allclose(doc[0].vector, table[words.index("london")])


def test_pca_is_deterministic_and_keeps_order():
    from crossread.nlp.vectors import pca

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(50, 16)).astype(np.float32)
    a, b = pca(matrix, 3), pca(matrix.copy(), 3)
    assert np.array_equal(a, b)
    # the first kept component is the dominant direction of the data (rows are unit length after)
    matrix[:, 0] *= 20
    reduced = pca(matrix, 2)
    agree = np.mean(np.sign(reduced[:, 0]) == np.sign(matrix[:, 0] - matrix[:, 0].mean()))
    assert max(agree, 1 - agree) > 0.9


def test_select_words_prefers_corpus_frequency():
    from crossread.nlp.vectors import select_words

    counts = Counter({"the": 10, "gaza": 3, "said": 5})
    words = select_words(counts, ["Paris", "gaza", "Tehran"], max_words=4)
    assert words == ["the", "said", "gaza", "paris"]


def test_spellings():
    from crossread.nlp.vectors import spellings

    assert spellings("iran") == ["iran", "Iran", "IRAN"]
    assert spellings("a") == ["a", "A"]


def test_real_encoder_puts_related_words_together(tmp_path):
    """With the shipped ONNX encoder, weekdays sit nearer each other than a weekday and a country."""
    from crossread.nlp.vectors import build_vectors

    words = ["monday", "tuesday", "wednesday", "iran", "iraq", "syria", "bread", "butter"]
    table = build_vectors(words, dims=6)
    sim = table @ table.T
    i = {w: n for n, w in enumerate(words)}
    assert sim[i["monday"], i["tuesday"]] > sim[i["monday"], i["iran"]]
    assert sim[i["iran"], i["iraq"]] > sim[i["iran"], i["bread"]]
