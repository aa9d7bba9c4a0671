"""Reproducible training of the default crossread English pipeline (issue 3).

    crossread models train --data ../shared/data --output training/en_crossread [--max-epochs N] [--tiny]

Steps: convert the open corpora to DocBin (``convert.build_corpora``), distil static word vectors
from the shipped MiniLM encoder when the config uses them (``vectors.build_static_vectors``), train
with ``configs/nlp/en_crossread.cfg`` (fixed seeds, wall-clock budget), then add the gazetteer
component and the CRF NER layer (trained on the same corpus, ``crossread.nlp.crf_ner``) to the best
checkpoint and write it to ``OUTPUT/model-final``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import spacy

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "nlp" / "en_crossread.cfg"
NOVECTORS_CONFIG = REPO_ROOT / "configs" / "nlp" / "en_crossread_novectors.cfg"


# CRF NER layer: L1/L2 weights chosen on the UNER dev set within the shipped pipeline's 30 MB budget
# (docs/EVALUATION.md, "CRF NER layer")
CRF_C1 = 0.7
CRF_C2 = 0.01
CRF_MAX_ITERATIONS = 300


class TrainingDeadline(Exception):
    """Raised by the before_update callback when the wall-clock budget is spent."""


@spacy.registry.callbacks("crossread.train_deadline.v1")
def make_deadline_callback(seconds: float = 0):
    """Stop training once ``seconds`` of wall-clock time have passed (0: never). The budget can be changed
    while training runs by writing a number of seconds (from the start) into $CROSSREAD_DEADLINE_FILE."""
    import os

    start = time.time()
    state = {"budget": float(seconds or 0), "checked": 0.0}
    override = os.environ.get("CROSSREAD_DEADLINE_FILE")

    def before_update(nlp, args):
        now = time.time()
        if override and now - state["checked"] > 30:
            state["checked"] = now
            try:
                state["budget"] = float(Path(override).read_text().strip())
            except (OSError, ValueError):
                pass
        if state["budget"] > 0 and now - start > state["budget"]:
            raise TrainingDeadline(f"time budget of {state['budget']:.0f}s spent at step {args.get('step')}")

    return before_update


def find_config() -> Path:
    if DEFAULT_CONFIG.exists():
        return DEFAULT_CONFIG
    raise FileNotFoundError(f"training config not found: {DEFAULT_CONFIG}")


def static_vector_settings(config: Path) -> tuple[int, int] | None:
    """(dims, max_words) of the static vectors the config asks for, or None when it uses none."""
    from spacy.util import load_config

    cfg = load_config(config, interpolate=False)
    embed = cfg["components"]["tok2vec"]["model"].get("embed", {})
    if not embed.get("include_static_vectors"):
        return None
    variables = cfg.get("vars", {})
    return int(variables.get("static_vector_dims", 80)), int(variables.get("static_vector_words", 40000))


def train(data: Path, output: Path, *, max_epochs: int | None = None, tiny: bool = False, seed: int = 42,
          time_budget_s: float = 0, config: Path | None = None, btc_fraction: float = 0.5,
          crf_only: bool = False) -> Path:
    """Train and return the path of the final pipeline (OUTPUT/model-final). ``crf_only``: keep the CNN
    checkpoint and corpus already in ``output`` and train only the CRF NER layer again."""
    data, output = Path(data), Path(output)
    corpus = output / "corpus"
    if crf_only:
        if not (corpus / "train.spacy").exists() or not any((output / d / "meta.json").exists()
                                                            for d in ("model-best", "model-last")):
            raise FileNotFoundError(f"{output} has no trained checkpoint (model-best) and corpus to add a CRF layer to")
    else:
        _train_cnn(data, output, corpus, max_epochs=max_epochs, tiny=tiny, seed=seed, time_budget_s=time_budget_s,
                   config=config, btc_fraction=btc_fraction)
    best = output / "model-best"
    if not best.exists():
        best = output / "model-last"
    final = finalize(best, output / "model-final", train_corpus=corpus / "train.spacy",
                     crf_max_iterations=20 if tiny else CRF_MAX_ITERATIONS)
    write_training_report(final, output / "training_scores.json", data=data)
    return final


def _train_cnn(data: Path, output: Path, corpus: Path, *, max_epochs: int | None, tiny: bool, seed: int,
               time_budget_s: float, config: Path | None, btc_fraction: float) -> None:
    """Corpora, static vectors and spaCy's training loop: OUTPUT/model-best (or model-last)."""
    from spacy.cli.train import train as spacy_train

    from crossread.nlp.convert import build_corpora

    output.mkdir(parents=True, exist_ok=True)
    counts = build_corpora(data, corpus, tiny=tiny, seed=seed, btc_fraction=btc_fraction)
    log.info("corpora: %s", counts)
    (output / "corpus_counts.json").write_text(json.dumps(counts, indent=2))
    config = Path(config or find_config())
    overrides = {
        "paths.train": str(corpus / "train.spacy"),
        "paths.dev": str(corpus / "dev.spacy"),
        "system.seed": seed,
        "vars.time_budget_s": float(time_budget_s),
    }
    vector_settings = static_vector_settings(config)
    if vector_settings:
        from crossread.nlp.vectors import build_static_vectors

        dims, max_words = vector_settings
        overrides["paths.vectors"] = str(build_static_vectors(corpus, output / "vectors", dims=dims,
                                                              max_words=500 if tiny else max_words))
    if max_epochs is not None:
        overrides["training.max_epochs"] = int(max_epochs)
    if tiny:
        overrides.update({"training.max_epochs": 1, "training.max_steps": 0, "training.eval_frequency": 5,
                          "components.parser.min_action_freq": 1, "components.trainable_lemmatizer.min_tree_freq": 1,
                          "training.patience": 0})
    try:
        spacy_train(config, output, overrides=overrides)
    except TrainingDeadline as exc:
        log.warning("training stopped: %s", exc)


def write_training_report(model_dir: Path, dest: Path, *, data: Path) -> dict[str, float]:
    """The kept checkpoint's dev-set scores (from spaCy's meta.json) as ``{"task", "data", "metrics"}``.
    Test-set scores come from ``crossread eval nlp``, not from training."""
    meta = json.loads((Path(model_dir) / "meta.json").read_text(encoding="utf8"))
    metrics = {name: round(float(value), 4) for name, value in (meta.get("performance") or {}).items()
               if isinstance(value, (int, float)) and not name.endswith("_loss") and "micro" not in name}
    report = {"task": "nlp-train", "data": str(data), "split": "dev", "metrics": metrics}
    crf_info = Path(model_dir) / "crossread_crf_ner" / "info.json"
    if crf_info.exists():  # the CRF layer's training settings and size (its scores: crossread eval nlp)
        report["crf"] = json.loads(crf_info.read_text(encoding="utf8"))
    Path(dest).write_text(json.dumps(report, indent=2) + "\n")
    log.info("dev scores of the kept checkpoint: %s", ", ".join(f"{k} {v:.4f}" for k, v in sorted(metrics.items())))
    return metrics


def finalize(model_dir: Path, dest: Path, *, train_corpus: Path | None = None,
             crf_max_iterations: int = CRF_MAX_ITERATIONS) -> Path:
    """Load a trained checkpoint, add the gazetteer component and (given the training corpus) the CRF
    NER layer trained on it (``crossread.nlp.crf_ner``), write to ``dest``."""
    from spacy.tokens import DocBin

    from crossread.nlp.crf_ner import add_crf_ner
    from crossread.nlp.gazetteer_component import add_gazetteer

    nlp = spacy.load(model_dir)
    add_gazetteer(nlp)
    if train_corpus is not None:
        docs = DocBin().from_disk(train_corpus).get_docs(nlp.vocab)
        add_crf_ner(nlp, docs, c1=CRF_C1, c2=CRF_C2, max_iterations=crf_max_iterations)
    nlp.meta["name"] = "crossread"
    nlp.meta["license"] = "CC BY-SA 4.0"
    nlp.meta["description"] = ("crossread default English pipeline: tagger, morphologizer, parser, NER "
                               "(PERSON/ORG/GPE/LOC/NORP/MISC) with a gazetteer and a CRF layer, lemmatizer. "
                               "Trained on UD EWT, "
                               "GUM (open genres), UNER, re3d, wikigold, BTC.")
    nlp.to_disk(dest)
    return dest


def use_rule_lemmatizer(nlp) -> None:
    """Swap the trainable (edit-tree) lemmatizer for spaCy's rule lemmatizer (tables from
    spacy-lookups-data, stored inside the pipeline so loading needs no extra package)."""
    if "trainable_lemmatizer" in nlp.pipe_names:
        nlp.remove_pipe("trainable_lemmatizer")
    if "lemmatizer" not in nlp.pipe_names:
        after = "morphologizer" if "morphologizer" in nlp.pipe_names else None
        lem = nlp.add_pipe("lemmatizer", config={"mode": "rule"}, after=after)
        lem.initialize()


# the shipped pipeline's version (meta.json; recorded with every article's records in the store): raise it
# with each newly packaged pipeline
PIPELINE_VERSION = "1.0.0"


def package(model_dir: Path, dest: Path | None = None, *, ner_model: Path | None = None,
            rule_lemmatizer: bool = False) -> Path:
    """Assemble the shipped pipeline from a trained CNN pipeline (``crossread models train``: OUTPUT/model-final)
    and write it to ``dest`` (default: src/crossread/models/en_crossread), keeping the model cards.

    Kept from the CNN pipeline: tok2vec, tagger, morphologizer, parser, lemmatizer and gazetteer. Its CNN
    ``ner`` and CRF layer give way to ``crossread_transformer_ner`` with the model exported in
    ``ner_model`` (``crossread models train-accurate-ner``: OUTPUT/model; default: the model shipped now).
    The vectors and hash tables are stored compactly (:mod:`crossread.nlp.compact`)."""
    import shutil
    import tempfile

    from crossread.nlp import compact, transformer_ner
    from crossread.nlp.loader import SHIPPED_MODEL_DIR

    dest = Path(dest or SHIPPED_MODEL_DIR)
    nlp = spacy.load(model_dir, exclude=["ner", "crossread_crf_ner"])
    if "crossread_gazetteer" not in nlp.pipe_names:
        from crossread.nlp.gazetteer_component import add_gazetteer

        add_gazetteer(nlp)
    if rule_lemmatizer:
        use_rule_lemmatizer(nlp)
    # training-machine paths mean nothing to users; the vectors travel inside the vocab
    for name in ("train", "dev", "vectors", "init_tok2vec"):
        if name in nlp.config["paths"]:
            nlp.config["paths"][name] = None
    nlp.meta["name"] = "crossread"
    nlp.meta["version"] = PIPELINE_VERSION
    nlp.meta["license"] = "CC BY-SA 4.0"
    nlp.meta["description"] = ("crossread default English pipeline: tagger, morphologizer, parser (CNN), NER "
                               "(PERSON/ORG/GPE/LOC/NORP/MISC) by a distilled MiniLM with a gazetteer layer, "
                               "lemmatizer. Trained on UD EWT, GUM (open genres), UNER, re3d, wikigold, BTC.")
    cards = {card: (dest / card).read_text(encoding="utf8")
             for card in ("MODEL_CARD.md", "crossread_transformer_ner/MODEL_CARD.md") if (dest / card).exists()}
    with tempfile.TemporaryDirectory() as tmp:
        # dest is replaced below and may hold the NER model to use: stage it outside first
        staged = Path(tmp) / "ner"
        shutil.copytree(Path(ner_model) if ner_model else transformer_ner.MODEL_DIR, staged)
        # no model_dir in the config: a saved pipeline reads the model from its own folder
        transformer_ner.add_transformer_ner(nlp)
        nlp.get_pipe("crossread_transformer_ner").use_model(staged)
        compact.quantize_vectors(nlp)
        compact.halve_hash_tables(nlp)
        if dest.exists():
            shutil.rmtree(dest)
        nlp.to_disk(dest)
    for card, text in cards.items():
        (dest / card).write_text(text, encoding="utf8")
    return dest
