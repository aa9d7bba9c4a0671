"""crossread's NLP backbone: the shipped English pipeline, swap-in loading and the label adapter.

    from crossread.nlp import load_pipeline, normalize_dep, normalize_ent
    nlp = load_pipeline()            # shipped pipeline (src/crossread/models/en_crossread), or $CROSSREAD_NLP's
    nlp = load_pipeline("training/minilm_ner_l3/model")   # the same with another exported NER model
    nlp = load_pipeline("en_core_web_trf")   # any installed spaCy pipeline, by name or path
    doc = nlp(text); tok._.udep; tok._.is_negation; ent._.ctype
"""

from crossread.nlp.adapter import CTYPES, normalize_dep, normalize_ent
from crossread.nlp.loader import SHIPPED_MODEL_DIR, clear_cache, load_pipeline

__all__ = ["load_pipeline", "normalize_dep", "normalize_ent", "CTYPES", "SHIPPED_MODEL_DIR", "clear_cache"]
