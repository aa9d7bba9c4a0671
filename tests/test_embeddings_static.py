"""The static sentence encoder (distilled from MiniLM), choosing a service per stage, and the two-stage
pruning. Offline; needs numpy + tokenizers and the shipped static model only."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tokenizers")

from crossread.nlp import embeddings as emb  # noqa: E402
from crossread.nlp.embeddings import DIMENSION, EmbeddingService  # noqa: E402

SENTENCES = [
    "The Senate passed the spending bill late on Friday.",
    "Late Friday, senators approved the spending legislation.",
    "A new species of frog was discovered in the rainforest of Ecuador.",
    "Hamas leaders met Iranian officials to discuss the UN cease-fire resolution.",
    "",
]


@pytest.fixture(scope="module")
def static_service() -> EmbeddingService:
    if not (emb.STATIC_DIR / emb.STATIC_MODEL_FILE).is_file():
        pytest.skip(f"no static model in {emb.STATIC_DIR} (run scripts/distill_static_encoder.py)")
    return EmbeddingService(backend="static")


def test_static_vectors_are_384d_normalised_and_batch_independent(static_service: EmbeddingService) -> None:
    together = static_service.encoder.encode(SENTENCES)
    assert together.shape == (len(SENTENCES), DIMENSION) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together[:-1], axis=1), 1.0, atol=1e-5)
    assert np.isfinite(together[-1]).all()  # an empty text: the normalised bias (zero if the table has none)
    alone = np.vstack([static_service.encoder.encode([s]) for s in SENTENCES])
    assert np.allclose(together, alone, atol=1e-6)


def test_static_paraphrase_closer_than_unrelated(static_service: EmbeddingService) -> None:
    v = static_service.embed(SENTENCES)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.3


def test_static_and_minilm_never_share_cache_keys(static_service: EmbeddingService) -> None:
    assert "@static-" in static_service.model_name
    onnx_name = f"{emb.BASE_MODEL}@onnx-int8"
    assert static_service.key("x") != EmbeddingService(encoder=type("E", (), {"model_name": onnx_name})()).key("x")


def test_backend_by_stage_and_environment(monkeypatch) -> None:
    monkeypatch.delenv("CROSSREAD_EMBEDDINGS", raising=False)
    for stage in emb.STAGES:
        monkeypatch.delenv(f"CROSSREAD_EMBEDDINGS_{stage.upper()}", raising=False)
    monkeypatch.setattr(emb, "STAGE_BACKENDS", {**emb.STAGE_BACKENDS, "claims": None, "leads": "static"})
    assert emb.resolve_backend(stage="claims") == "auto"
    assert emb.resolve_backend(stage="leads") == "static"
    assert emb.resolve_backend("onnx", stage="leads") == "onnx"  # a named backend wins
    monkeypatch.setenv("CROSSREAD_EMBEDDINGS", "static")
    assert emb.resolve_backend(stage="claims") == "static"
    monkeypatch.setenv("CROSSREAD_EMBEDDINGS_CLAIMS", "onnx")
    assert emb.resolve_backend(stage="claims") == "onnx"
    with pytest.raises(ValueError, match="unknown embedding stage"):
        emb.resolve_backend(stage="nonsense")


def test_embedder_for_a_mapping_or_one_embedder() -> None:
    one = object()
    assert emb.embedder_for(one, "claims") is one
    assert emb.embedder_for(None, "claims") is None
    assert emb.embedder_for({"claims": one}, "claims") is one
    assert emb.embedder_for({"claims": one}, "quotes") is None


def test_two_stage_prunes_only_pairs_far_below_what_they_need() -> None:
    # a fake cheap encoder: text -> fixed unit vector; the full encoder is never asked by prune
    table = {"a": [1.0, 0.0], "b": [0.8, 0.6], "c": [0.0, 1.0]}
    cheap = lambda texts: np.asarray([table[t] for t in texts])  # noqa: E731
    two = emb.TwoStageEmbedder(full=lambda texts: pytest.fail("full encoder called"), cheap=cheap, margin=0.1)
    texts = ["a", "b", "c"]
    needed = ~np.eye(3, dtype=bool)
    kept = two.prune(texts, texts, needed, 0.75)
    # cos(a,b)=0.8 >= 0.65 kept; cos(a,c)=0 and cos(b,c)=0.6 < 0.65 pruned
    assert kept.tolist() == [[False, True, False], [True, False, False], [False, False, False]]
    assert emb.prune_pairs(cheap, texts, texts, needed, 0.75) is needed  # a plain embedder prunes nothing
