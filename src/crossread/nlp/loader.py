"""Load the shipped crossread pipeline or any installed spaCy pipeline, with the adapter appended."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from crossread.nlp import adapter as _adapter  # noqa: F401  (registers crossread_adapter)
from crossread.nlp import gazetteer_component as _gaz  # noqa: F401  (registers crossread_gazetteer)

log = logging.getLogger(__name__)

SHIPPED_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "en_crossread"
_CACHE: dict[str, Language] = {}
_LOCK = threading.Lock()


@Language.component("crossread_paragraphs")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, captions and paragraphs without final
    punctuation must not run into the next paragraph. Set before the parser, which
    respects preset boundaries."""
    for token in doc[1:]:
        if doc[token.i - 1].is_space and "\n" in doc[token.i - 1].text:
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


def _load(name: str | None) -> Language:
    if name is None:
        if not shipped_model_available():
            return _fallback()
        return spacy.load(SHIPPED_MODEL_DIR)
    path = Path(name).expanduser()
    if path.exists():
        return spacy.load(path)
    return spacy.load(name)  # an installed package, e.g. en_core_web_trf


def load_pipeline(name: str | None = None) -> Language:
    """Load a spaCy pipeline by package name or path (None: the shipped crossread pipeline), append the
    ``crossread_adapter`` component and cache it per name."""
    key = "<shipped>" if name is None else str(name)
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


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
