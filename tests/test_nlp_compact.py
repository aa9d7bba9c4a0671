"""Compact at-rest storage of the pipeline's vectors and hash tables (crossread.nlp.compact)."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.training import Example
from spacy.vectors import Vectors

from crossread.nlp import compact


def test_int8_rows_round_trip_within_half_a_step():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(50, 80)).astype(np.float32) * rng.uniform(0.01, 3, size=(50, 1)).astype(np.float32)
    table[7] = 0.0
    q, scale = compact.quantize_rows(table)
    assert q.dtype == np.int8 and scale.shape == (50,)
    restored = compact.dequantize_rows(q, scale)
    # each row's error is at most half its own step, however small the row's values
    assert np.all(np.abs(restored - table) <= scale[:, None] / 2 + 1e-7)
    assert np.all(restored[7] == 0)
    assert np.abs(q).max() == 127


def _vocab_with_vectors(nlp, words, table):
    for row, word in enumerate(words):
        nlp.vocab.vectors.add(nlp.vocab.strings.add(word), row=row)


def test_quantized_vectors_save_int8_and_load_float32(tmp_path):
    words = ["london", "paris", "said", "iran"]
    table = np.random.default_rng(1).normal(size=(4, 8)).astype(np.float32)
    nlp = spacy.blank("en", config={"nlp": {"vectors": {"@vectors": "crossread.QuantizedVectors.v1"}}})
    assert isinstance(nlp.vocab.vectors, compact.QuantizedVectors)
    nlp.vocab.vectors = compact.QuantizedVectors(strings=nlp.vocab.strings, data=table.copy())
    _vocab_with_vectors(nlp, words, table)
    nlp.vocab.vectors.add(nlp.vocab.strings.add("London"), row=0)  # two keys, one row
    nlp.to_disk(tmp_path / "p")
    files = {p.name for p in (tmp_path / "p" / "vocab").iterdir()}
    assert {compact.QUANTIZED_FILE, compact.SCALES_FILE, "vectors.cfg"} <= files and "vectors" not in files
    again = spacy.load(tmp_path / "p")
    vectors = again.vocab.vectors
    assert isinstance(vectors, compact.QuantizedVectors) and vectors.data.dtype == np.float32
    assert vectors.shape == (4, 8)
    assert vectors.find(key="London") == vectors.find(key="london") == 0
    assert np.abs(vectors.data - table).max() <= np.abs(table).max() / 254 + 1e-7
    assert np.allclose(again("paris")[0].vector, table[1], atol=np.abs(table[1]).max() / 254 + 1e-7)
    # the pipeline's own vectors are intact in memory and a second save replaces, not adds
    again.to_disk(tmp_path / "p")
    assert "vectors" not in {p.name for p in (tmp_path / "p" / "vocab").iterdir()}


def test_quantize_vectors_converts_a_pipeline_with_plain_vectors(tmp_path):
    words = ["troops", "border", "talks"]
    table = np.random.default_rng(2).normal(size=(3, 6)).astype(np.float32)
    nlp = spacy.blank("en")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=table.copy())
    _vocab_with_vectors(nlp, words, table)
    saved = compact.quantize_vectors(nlp)
    assert saved == table.nbytes - table.nbytes // 4 - 3 * 4
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert isinstance(again.vocab.vectors, compact.QuantizedVectors)
    assert [again.vocab.vectors.find(key=w) for w in words] == [0, 1, 2]
    assert np.abs(again.vocab.vectors.data - table).max() < np.abs(table).max() / 100
    # a folder in spaCy's own float32 format still loads
    Vectors.to_disk(nlp.vocab.vectors, tmp_path / "plain")
    plain = compact.QuantizedVectors(strings=nlp.vocab.strings).from_disk(tmp_path / "plain")
    assert np.array_equal(plain.data, nlp.vocab.vectors.data)


def _tiny_tagger():
    """The shipped pipeline's tok2vec architecture (configs/nlp/en_crossread.cfg), small."""
    model = {"@architectures": "spacy.Tok2Vec.v2",
             "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 32, "rows": [500, 200, 200, 100],
                       "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "include_static_vectors": False},
             "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 32, "depth": 2,
                        "window_size": 1, "maxout_pieces": 3}}
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec", config={"model": model})
    nlp.add_pipe("tagger")
    train = [("The troops crossed the border .", ["DT", "NNS", "VBD", "DT", "NN", "."]),
             ("Talks resumed in Cairo .", ["NNS", "VBD", "IN", "NNP", "."])]
    examples = [Example.from_dict(nlp.make_doc(t), {"tags": tags}) for t, tags in train]
    nlp.initialize(lambda: examples)
    for _ in range(5):
        nlp.update(examples)
    return nlp


def test_half_precision_hash_tables_load_as_float32_and_tag_the_same(tmp_path):
    nlp = _tiny_tagger()
    text = "The troops resumed talks in Cairo ."
    before = nlp(text)
    saved = compact.halve_hash_tables(nlp)
    assert saved > 0
    assert nlp.config["components"]["tok2vec"]["model"]["embed"]["@architectures"] == "crossread.MultiHashEmbed.v1"
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    tables = [n for n in again.get_pipe("tok2vec").model.walk() if n.name == "hashembed"]
    assert tables and all(n.get_param("E").dtype == np.float16 for n in tables)  # as stored
    after = again(text)
    assert all(n.get_param("E").dtype == np.float32 for n in tables)  # cast on first use
    assert [t.tag_ for t in after] == [t.tag_ for t in before]
    assert np.abs(after.tensor - before.tensor).max() < 0.01 * np.abs(before.tensor).max()


def test_halve_hash_tables_refuses_another_embedding():
    nlp = _tiny_tagger()
    nlp.config["components"]["tok2vec"]["model"]["embed"]["@architectures"] = "spacy.CharacterEmbed.v2"
    with pytest.raises(ValueError, match="not a MultiHashEmbed"):
        compact.halve_hash_tables(nlp)


def test_int4_blocks_round_trip_within_half_a_step():
    rng = np.random.default_rng(3)
    table = rng.normal(scale=0.05, size=(40, 64)).astype(np.float32)
    table[5, 40] = 1.5  # an outlier coarsens only its own block of 32 values
    packed, scale = compact.pack_int4_blocks(table, 32)
    assert packed.shape == (40, 32) and packed.dtype == np.uint8 and scale.shape == (40, 2)
    restored = compact.unpack_int4_blocks(packed, scale)
    assert restored.dtype == np.float32 and restored.shape == table.shape
    assert np.all(np.abs(restored - table) <= np.repeat(scale, 32, axis=1) / 2 + 1e-7)
    assert np.abs(restored[5, :32] - table[5, :32]).max() < 0.05  # the outlier's other block
