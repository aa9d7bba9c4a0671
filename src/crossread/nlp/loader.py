"""Load the shipped crossread pipeline or any installed spaCy pipeline, with the adapter appended."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from crossread.nlp import adapter as _adapter  # noqa: F401  (registers crossread_adapter)
from crossread.nlp import compact as _compact  # noqa: F401  (registers the compact vectors and embedding)
from crossread.nlp import crf_ner as _crf_ner  # noqa: F401  (registers crossread_crf_ner)
from crossread.nlp import gazetteer_component as _gaz  # noqa: F401  (registers crossread_gazetteer)
from crossread.nlp import transformer_ner

log = logging.getLogger(__name__)

SHIPPED_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "en_crossread"
PIPELINE_ENV = "CROSSREAD_NLP"  # names the pipeline wherever none is given (analyze, every eval command)
_CACHE: dict[str, Language] = {}
_LOCK = threading.Lock()


# US state and district abbreviations as AP style writes them after a city ("Portland, Ore.")
STATE_ABBREVIATIONS = frozenset("""
Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. Minn.
Miss. Mo. Mont. Neb. Nev. Okla. Ore. Pa. Tenn. Tex. Vt. Va. Wash. Wis. Wyo.
""".split())
_INITIALISM = re.compile(r"^(?:[A-Z]\.){2,}$")  # D.C., N.Y., U.K.


def _ends_place_name(doc: Doc, i: int) -> bool:
    """``doc[i]`` is the abbreviation closing "City, ST." and the next word is capitalised: the
    abbreviation's period is also the sentence's ("...a delegation to Washington, D.C. Netanyahu's
    office stated"), which statistical segmenters read as one sentence."""
    token = doc[i]
    if i < 2 or i + 1 >= len(doc) or doc[i - 1].text != "," or not doc[i - 2].is_title:
        return False
    if token.text not in STATE_ABBREVIATIONS and not _INITIALISM.match(token.text):
        return False
    following = doc[i + 1]
    return following.is_alpha and following.text[:1].isupper()


@Language.component("crossread_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, captions and paragraphs without final
    punctuation must not run into the next paragraph. So does a place abbreviation that
    closes a sentence (:func:`_ends_place_name`). Set before the parser, which respects
    preset boundaries."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if (previous.is_space and "\n" in previous.text) or _ends_place_name(doc, token.i - 1):
            token.is_sent_start = True
    return doc


def shipped_model_available() -> bool:
    return (SHIPPED_MODEL_DIR / "config.cfg").exists()


def _fallback() -> Language:
    log.warning("shipped NLP model missing at %s; falling back to spacy.blank('en') + sentencizer "
                "(no POS, dependencies or entities)", SHIPPED_MODEL_DIR)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _with_ner_model(model_dir: Path) -> Language:
    """The shipped pipeline with the transformer NER weights exported in ``model_dir``."""
    if not shipped_model_available():
        raise FileNotFoundError(f"{model_dir} needs the shipped pipeline, missing at {SHIPPED_MODEL_DIR}")
    nlp = spacy.load(SHIPPED_MODEL_DIR)
    nlp.get_pipe("crossread_transformer_ner").use_model(model_dir)
    return nlp


def _load(name: str | None) -> Language:
    if name is None:
        if not shipped_model_available():
            return _fallback()
        return spacy.load(SHIPPED_MODEL_DIR)
    path = Path(name).expanduser()
    if path.exists() and not (path / "config.cfg").exists() and transformer_ner.model_available(path):
        # an exported transformer NER model (crossread models train-accurate-ner: OUTPUT/model): the
        # shipped pipeline with these weights, e.g. to evaluate a run before installing it
        return _with_ner_model(path)
    if path.exists():
        return spacy.load(path)
    return spacy.load(name)  # an installed package, e.g. en_core_web_trf


def load_pipeline(name: str | None = None) -> Language:
    """Load a spaCy pipeline by package name or path (None: the one named by ``$CROSSREAD_NLP`` when set,
    else the shipped crossread pipeline, also named ``en_crossread_accurate``; the folder of an exported
    transformer NER model: the shipped one with those weights), append the ``crossread_adapter``
    component and cache it per name."""
    if name is None:
        name = os.environ.get(PIPELINE_ENV) or None
    if name == transformer_ner.ACCURATE_PIPELINE:
        name = None  # the opt-in name of the transformer NER pipeline, which is now the shipped one
    key = "<shipped>" if name is None else str(name)
    # the extraction components' factories (crossread_actors ... crossread_framing), so that
    # ``nlp.add_pipe("crossread_actors")`` works without the entry points installed; not imported at
    # module level: crossread.extract.components reads crossread.nlp.docview
    from crossread.extract import components as _components  # noqa: F401
    with _LOCK:
        nlp = _CACHE.get(key)
        if nlp is None:
            nlp = _load(name)
            if "crossread_paragraphs" not in nlp.pipe_names:
                # the parser respects preset boundaries; senter/sentencizer overwrite them, so go after those
                if "parser" in nlp.pipe_names:
                    nlp.add_pipe("crossread_paragraphs", before="parser")
                elif segmenter := next((p for p in ("senter", "sentencizer") if p in nlp.pipe_names), None):
                    nlp.add_pipe("crossread_paragraphs", after=segmenter)
                else:
                    nlp.add_pipe("crossread_paragraphs")
            if "crossread_adapter" not in nlp.pipe_names:
                nlp.add_pipe("crossread_adapter", last=True)
            _CACHE[key] = nlp
        return nlp


def pipeline_provenance(nlp: Language) -> dict[str, Any]:
    """Which NLP pipeline made an article's records: its name, version, components and a fingerprint of
    its config, meta and the exported models its components read (``model_dir``), so that a retrained
    or swapped pipeline is told apart from the one that filled a store."""
    digest = hashlib.sha256()
    digest.update(nlp.config.to_str().encode("utf8"))
    digest.update(json.dumps(nlp.meta, sort_keys=True, default=str).encode("utf8"))
    for name in nlp.pipe_names:
        model_dir = getattr(nlp.get_pipe(name), "model_dir", None)
        for part in ("labels.json", "training.json"):  # small files that change with every export
            if model_dir is not None and (Path(model_dir) / part).is_file():
                digest.update((Path(model_dir) / part).read_bytes())
    return {"name": f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}", "version": nlp.meta.get("version"),
            "components": list(nlp.pipe_names), "fingerprint": digest.hexdigest()[:16]}


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
