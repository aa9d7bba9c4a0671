"""Training and evaluation commands on tiny fixtures (no shared data, no network)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from test_nlp_fixtures import write_fixture


@pytest.mark.parametrize("config_name", ["default", "novectors"])
def test_tiny_training_run(tmp_path, config_name):
    import spacy

    from crossread.nlp.train import DEFAULT_CONFIG, NOVECTORS_CONFIG, train

    data = write_fixture(tmp_path / "data")
    config = {"default": DEFAULT_CONFIG, "novectors": NOVECTORS_CONFIG}[config_name]
    final = train(data, tmp_path / "out", tiny=True, config=config)
    assert (final / "config.cfg").exists()
    nlp = spacy.load(final)
    assert {"tagger", "parser", "ner", "crossread_gazetteer", "crossread_crf_ner"} <= set(nlp.pipe_names)
    # the CRF layer comes right after the CNN NER, before the gazetteer, and is trained on the same corpus
    assert nlp.pipe_names.index("ner") + 1 == nlp.pipe_names.index("crossread_crf_ner") < \
        nlp.pipe_names.index("crossread_gazetteer")
    crf = nlp.get_pipe("crossread_crf_ner")
    assert crf.model_bytes and crf.info["sentences"] > 0
    assert (crf.clusters is not None) == (config_name == "default")  # clusters of the static vectors
    doc = nlp("Germany and France signed the deal.")
    assert [e.label_ for e in doc.ents if e.text == "Germany"] == ["GPE"]
    if config_name == "default":
        # static vectors distilled from the MiniLM encoder travel with the pipeline, one row per word
        # for all its case variants
        vectors = nlp.vocab.vectors
        assert vectors.shape[0] > 0 and vectors.find(key="troops") == vectors.find(key="Troops") >= 0
    else:
        assert nlp.vocab.vectors.shape[0] == 0
    report = json.loads((tmp_path / "out" / "training_scores.json").read_text())
    assert report["split"] == "dev" and "tag_acc" in report["metrics"]
    assert report["crf"]["sentences"] == crf.info["sentences"]
    if config_name == "default":
        _package_like_the_shipped_pipeline(final, tmp_path / "packaged")
        # --crf-only: the same checkpoint and corpus, the CRF layer trained again
        again = spacy.load(train(data, tmp_path / "out", crf_only=True))
        assert again.get_pipe("crossread_crf_ner").info["sentences"] == crf.info["sentences"]
        assert again.get_pipe("crossread_crf_ner").info["max_iterations"] > crf.info["max_iterations"]


def _package_like_the_shipped_pipeline(trained, dest):
    """``package``: the trained syntax components, the transformer NER instead of the CNN ner and CRF
    layer, compact tables; the folder loads on its own and parses as the trained pipeline does."""
    import numpy as np
    import spacy

    from crossread.cli import main
    from crossread.nlp import compact, transformer_ner

    if not transformer_ner.model_available():
        pytest.fail(f"shipped transformer NER model missing at {transformer_ner.MODEL_DIR}")
    result = CliRunner().invoke(main, ["models", "package", "--trained", str(trained), "--output", str(dest)])
    assert result.exit_code == 0, result.output
    assert f"pipeline written to {dest}" in result.output
    nlp = spacy.load(dest)
    assert nlp.pipe_names == ["tok2vec", "tagger", "morphologizer", "parser", "crossread_transformer_ner",
                              "crossread_gazetteer", "trainable_lemmatizer"]
    assert (dest / "crossread_transformer_ner" / "model_int8.onnx").exists()
    assert nlp.get_pipe("crossread_transformer_ner").model_dir == dest / "crossread_transformer_ner"
    assert {compact.QUANTIZED_FILE, compact.SCALES_FILE} <= {p.name for p in (dest / "vocab").iterdir()}
    assert (dest / "tok2vec" / "model").stat().st_size < (trained / "tok2vec" / "model").stat().st_size
    original = spacy.load(trained, exclude=["ner", "crossread_crf_ner"])
    text = "The troops of Germany crossed into France on Monday, officials said."
    ours, theirs = nlp(text), original(text)
    assert np.abs(ours.tensor - theirs.tensor).max() < 0.05 * np.abs(theirs.tensor).max()
    assert ("Germany", "GPE") in {(e.text, e.label_) for e in ours.ents}


def test_package_needs_a_trained_pipeline(tmp_path):
    from crossread.cli import main

    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["models", "package", "--trained", str(tmp_path / "empty"),
                                       "--output", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not a trained crossread CNN pipeline" in result.output
    result = CliRunner().invoke(main, ["models", "package", "--trained", str(tmp_path / "empty"),
                                       "--ner", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no exported transformer NER model" in result.output
    assert not (tmp_path / "out").exists()


def test_crf_only_needs_an_earlier_run(tmp_path):
    from click.testing import CliRunner

    from crossread.cli import main

    data = write_fixture(tmp_path / "data")
    result = CliRunner().invoke(main, ["models", "train", "--data", str(data), "--output", str(tmp_path / "none"),
                                       "--crf-only"])
    assert result.exit_code == 2 and "no trained checkpoint" in result.output


def test_train_command_without_data(tmp_path):
    from crossread.nlp.commands import train_command

    result = CliRunner().invoke(train_command, ["--data", str(tmp_path / "missing"), "--output", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_eval_command_json(tmp_path):
    from crossread.nlp.commands import eval_nlp_command

    data = write_fixture(tmp_path / "data", splits=("test",))
    out = tmp_path / "nlp.json"
    result = CliRunner().invoke(eval_nlp_command, ["--data", str(data), "--json", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["task"] == "nlp" and payload["data"] == str(data)
    m = payload["metrics"]
    for name in ("ner_f", "las", "uas", "tag_acc", "sent_f", "words_per_s", "re3d_ner_f"):
        assert name in m, name
    assert any(k.startswith("ner_f_") for k in m)
    for t in ("PER", "LOC"):  # per-type precision, recall and F
        assert {f"ner_p_{t}", f"ner_r_{t}", f"ner_f_{t}"} <= set(m), t
    assert 0.0 <= m["las"] <= 1.0 and m["words_per_s"] > 0
    assert "las" in result.output


def test_eval_command_without_data(tmp_path):
    from crossread.nlp.commands import eval_nlp_command

    result = CliRunner().invoke(eval_nlp_command, ["--data", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_converters_on_shared_data(shared_data):
    from crossread.nlp import convert

    if not (shared_data / "ud" / "gum").exists():
        pytest.skip("GUM not in shared data")
    gum = convert.gum_sents(shared_data, "dev")
    genres = {convert.gum_genre(s.doc_id) for s in gum}
    assert genres <= convert.GUM_OPEN_GENRES and "news" in genres
    assert not genres & {"whow", "fiction", "academic", "court", "essay", "letter", "podcast", "reddit"}
    ewt = convert.ewt_sents(shared_data, "dev")
    aligned = sum(s.ents is not None for s in ewt)
    assert aligned / len(ewt) > 0.95
    labels = {lab for s in ewt if s.ents for _, _, lab in convert.iob_spans(s.ents)}
    assert {"PERSON", "ORG", "GPE"} <= labels
