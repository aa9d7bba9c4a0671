"""Loading pipelines: the shipped crossread model (offline), by path, and the fallback."""

from __future__ import annotations

import logging

import pytest
import spacy

from crossread import nlp as crossread_nlp
from crossread.nlp import loader
from crossread.nlp.adapter import CTYPES

NEWS = ("Angela Merkel met Chinese officials in Beijing on Tuesday, her spokesman said. "
        "The United Nations did not comment on the talks with France.")


@pytest.fixture(scope="module")
def shipped():
    if not loader.shipped_model_available():
        pytest.fail(f"shipped pipeline missing at {loader.SHIPPED_MODEL_DIR}")
    return crossread_nlp.load_pipeline()


def test_shipped_pipeline_parses_news(shipped):
    doc = shipped(NEWS)
    assert len(list(doc.sents)) == 2
    assert all(t.pos_ for t in doc) and all(t.tag_ for t in doc)
    assert {t._.udep for t in doc} & {"nsubj", "obj", "obl"}
    assert any(t._.udep == "root" for t in doc)
    assert doc.ents, "no entities found"
    assert all(e._.ctype in CTYPES for e in doc.ents)
    by_text = {e.text: e._.ctype for e in doc.ents}
    assert by_text.get("Beijing") == "GPE"
    assert by_text.get("France") == "GPE"
    assert by_text.get("Chinese") == "NORP"
    assert "Merkel" in " ".join(t for t, c in by_text.items() if c == "PERSON")
    assert any(t._.is_negation for t in doc if t.lower_ == "not")
    assert shipped.pipe_names[-1] == "crossread_adapter"
    assert "crossread_gazetteer" in shipped.pipe_names
    # the distilled transformer decides the entities, the gazetteer layer after it; the CNN ner and the
    # CRF layer of the training run are not shipped
    assert shipped.pipe_names.index("crossread_transformer_ner") < shipped.pipe_names.index("crossread_gazetteer")
    assert not {"ner", "crossread_crf_ner"} & set(shipped.pipe_names)


def test_shipped_pipeline_fits_its_size_budget():
    """Issue 3: the default pipeline lives in the package, at most 30 MB in total (int8 vectors, float16
    hash tables, the 3-layer NER model; the tokenizer is the embedding model's, shared)."""
    size = sum(p.stat().st_size for p in loader.SHIPPED_MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 30_000_000, f"{size:,} bytes"


def test_shipped_ner_on_news_names(shipped):
    doc = shipped("Former US Ambassador to Israel David Friedman criticized the Biden administration. "
                  "Hamas leader Ismail Haniyeh met Iranian Foreign Minister Hossein Amir-Abdollahian in Tehran.")
    by_text = {e.text: e.label_ for e in doc.ents}
    assert by_text.get("David Friedman") == "PERSON"
    assert by_text.get("Biden") == "PERSON"  # "the <surname> administration" (the transformer says ORG)
    assert "Haniyeh" in " ".join(t for t, lab in by_text.items() if lab == "PERSON")
    assert "Amir-Abdollahian" in " ".join(t for t, lab in by_text.items() if lab == "PERSON")
    assert by_text.get("Tehran") == "GPE" and by_text.get("Hamas") == "ORG"


def test_load_pipeline_is_cached(shipped):
    assert crossread_nlp.load_pipeline() is shipped


def test_load_pipeline_by_path(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "mini")
    loaded = crossread_nlp.load_pipeline(str(tmp_path / "mini"))
    assert loaded.pipe_names == ["sentencizer", "crossread_paragraphs", "crossread_adapter"]
    doc = loaded("One sentence. Another one.")
    assert len(list(doc.sents)) == 2
    assert all(t._.udep is not None for t in doc)


def test_pipeline_named_by_the_environment(tmp_path, monkeypatch):
    """CROSSREAD_NLP picks the pipeline wherever none is named (the eval commands among them)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "mini")
    monkeypatch.setenv("CROSSREAD_NLP", str(tmp_path / "mini"))
    assert crossread_nlp.load_pipeline().pipe_names[0] == "sentencizer"
    monkeypatch.delenv("CROSSREAD_NLP")
    assert "parser" in crossread_nlp.load_pipeline().pipe_names  # the shipped one again


def test_fallback_when_shipped_model_missing(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(loader, "SHIPPED_MODEL_DIR", tmp_path / "nope")
    monkeypatch.setattr(loader, "_CACHE", {})
    with caplog.at_level(logging.WARNING):
        nlp = loader.load_pipeline()
    assert "falling back" in caplog.text
    assert nlp.pipe_names == ["sentencizer", "crossread_paragraphs", "crossread_adapter"]


def test_spacy_load_finds_our_components_through_entry_points() -> None:
    """`spacy.load` of the shipped model works in a process that never imported crossread."""
    import subprocess
    import sys

    from crossread.nlp.loader import SHIPPED_MODEL_DIR

    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); "
            "assert 'crossread_gazetteer' in nlp.pipe_names; print(len(nlp('Tehran, Iran.').ents))")
    out = subprocess.run([sys.executable, "-c", code, str(SHIPPED_MODEL_DIR)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.strip().splitlines()[-1]) >= 1
