"""One adapter for every spaCy pipeline: normalise dependency and entity labels.

After ``crossread_adapter`` runs:
- ``token._.udep``: a UD-style relation (nsubj, nsubj:pass, obj, iobj, obl, nmod, flat, compound, ...),
  whatever scheme the parser used (UD as in our pipeline, ClearNLP as in en_core_web_*).
- ``token._.is_negation``: the token negates its head (ClearNLP ``neg``; UD ``advmod``/``det`` "not",
  "n't", "never", "no", ...; or Polarity=Neg).
- ``span._.ctype``: coarse entity type in {PERSON, ORG, GPE, LOC, NORP, TITLE, DATE, MISC}.
Extractors should read these attributes and never ``token.dep_``/``ent.label_`` directly.
"""

from __future__ import annotations

from spacy.attrs import DEP
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

# ClearNLP (spaCy en_core_web_*) -> UD. Context-dependent cases (pobj -> obl|nmod, compound of two
# proper nouns -> flat) are refined in ``udep_of``.
CLEARNLP_TO_UD: dict[str, str] = {
    "ROOT": "root", "root": "root",
    "nsubj": "nsubj", "nsubjpass": "nsubj:pass", "csubj": "csubj", "csubjpass": "csubj:pass",
    "dobj": "obj", "obj": "obj", "iobj": "iobj", "dative": "iobj",
    "attr": "xcomp", "oprd": "xcomp", "acomp": "xcomp", "xcomp": "xcomp", "ccomp": "ccomp",
    "pobj": "obl", "prep": "case", "agent": "case", "pcomp": "advcl",
    "advcl": "advcl", "acl": "acl", "relcl": "acl:relcl", "rcmod": "acl:relcl", "partmod": "acl", "infmod": "acl",
    "amod": "amod", "advmod": "advmod", "npadvmod": "obl:npmod", "tmod": "obl:tmod", "quantmod": "advmod",
    "neg": "advmod", "nummod": "nummod", "num": "nummod", "appos": "appos", "nmod": "nmod",
    "det": "det", "predet": "det:predet", "poss": "nmod:poss", "possessive": "case", "case": "case",
    "aux": "aux", "auxpass": "aux:pass", "cop": "cop", "mark": "mark", "complm": "mark",
    "cc": "cc", "preconj": "cc:preconj", "conj": "conj",
    "compound": "compound", "nn": "compound", "hmod": "compound", "prt": "compound:prt",
    "expl": "expl", "intj": "discourse", "discourse": "discourse", "parataxis": "parataxis",
    "punct": "punct", "p": "punct", "hyph": "punct", "meta": "dep", "dep": "dep", "dislocated": "dislocated",
    "list": "list", "vocative": "vocative", "orphan": "orphan", "goeswith": "goeswith", "reparandum": "reparandum",
    "fixed": "fixed", "flat": "flat", "obl": "obl", "": "dep",
}
# labels that only occur in ClearNLP-style output
CLEARNLP_ONLY = frozenset({"dobj", "pobj", "nsubjpass", "csubjpass", "auxpass", "prep", "attr", "acomp", "oprd",
                           "dative", "agent", "pcomp", "relcl", "npadvmod", "quantmod", "neg", "poss",
                           "possessive", "predet", "prt", "preconj", "intj", "meta", "nn", "hmod", "hyph"})

ENT_MAP: dict[str, str] = {
    "PERSON": "PERSON", "PER": "PERSON", "PERS": "PERSON",
    "ORG": "ORG", "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
    "GPE": "GPE", "LOC": "LOC", "LOCATION": "LOC", "FAC": "LOC", "FACILITY": "LOC",
    "NORP": "NORP", "NAT": "NORP", "NATIONALITY": "NORP",
    "TITLE": "TITLE", "ROLE": "TITLE", "JOB": "TITLE",
    "DATE": "DATE", "TIME": "DATE", "TEMPORAL": "DATE",
}
NEGATION_WORDS = frozenset({"not", "n't", "never", "no", "nor", "neither", "nobody", "nothing", "none", "nowhere",
                            "cannot", "without"})
CTYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "TITLE", "DATE", "MISC")


def normalize_dep(label: str) -> str:
    """Map one dependency label (UD or ClearNLP) to UD. UD labels pass through unchanged."""
    if label in CLEARNLP_TO_UD:
        return CLEARNLP_TO_UD[label]
    if label.lower() == "root":
        return "root"
    return label  # UD labels (incl. subtypes such as obl:tmod, acl:relcl) pass through


def normalize_ent(label: str) -> str:
    """Map an entity label (ours, OntoNotes, CoNLL, UNER, re3d) to a crossread ctype."""
    return ENT_MAP.get(label.upper(), "MISC")


def detect_scheme(labels) -> str:
    return "clearnlp" if any(lab in CLEARNLP_ONLY for lab in labels) else "ud"


_NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM"})


def udep_of(token: Token, scheme: str) -> str:
    dep = token.dep_
    if scheme == "clearnlp":
        if dep == "pobj":
            prep = token.head
            if prep.dep_ == "agent":
                return "obl:agent"
            return "nmod" if prep.head.pos_ in _NOMINAL and prep.head.i != prep.i else "obl"
        if dep == "compound" and token.pos_ == "PROPN" and token.head.pos_ == "PROPN":
            return "flat"
    return normalize_dep(dep)


def is_negation(token: Token) -> bool:
    if token.dep_ == "neg":
        return True
    if token.lower_ in NEGATION_WORDS and token.dep_ in ("advmod", "det", "cc", "neg", "cc:preconj", "ROOT", "root",
                                                        "advmod:neg", "dep", "discourse", "case", "mark"):
        return token.lower_ != "without" or token.dep_ != "case"
    return "Neg" in token.morph.get("Polarity")


def _ctype(span: Span) -> str:
    return normalize_ent(span.label_)


def _doc_scheme(doc: Doc) -> str:
    scheme = doc.user_data.get("crossread_dep_scheme")
    if scheme is None:
        scheme = detect_scheme({doc.vocab.strings[h] for h in doc.count_by(DEP)})
        doc.user_data["crossread_dep_scheme"] = scheme
    return scheme


def _udep(token: Token) -> str:
    return udep_of(token, _doc_scheme(token.doc))


def register_extensions() -> None:
    # getters: computed on access, so the adapter costs (almost) nothing per token in the pipeline
    if not Token.has_extension("udep"):
        Token.set_extension("udep", getter=_udep)
    if not Token.has_extension("is_negation"):
        Token.set_extension("is_negation", getter=is_negation)
    if not Span.has_extension("ctype"):
        Span.set_extension("ctype", getter=_ctype)
    if not Doc.has_extension("dep_scheme"):
        Doc.set_extension("dep_scheme", getter=_doc_scheme)


register_extensions()


@Language.factory("crossread_adapter", default_config={"scheme": "auto"})
def make_adapter(nlp: Language, name: str, scheme: str) -> "Adapter":
    return Adapter(nlp, name, scheme=scheme)


class Adapter:
    """Pipeline component that records the doc's dependency scheme; ``token._.udep``,
    ``token._.is_negation`` and ``span._.ctype`` are then available on every token / entity."""

    def __init__(self, nlp: Language, name: str = "crossread_adapter", scheme: str = "auto") -> None:
        self.name = name
        self.scheme = scheme
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        # token._.udep / token._.is_negation / span._.ctype are getters; here we only fix the scheme
        if self.scheme == "auto":
            doc.user_data.pop("crossread_dep_scheme", None)
            _doc_scheme(doc)
        else:
            doc.user_data["crossread_dep_scheme"] = self.scheme
        return doc

    # stateless: nothing to serialise
    def to_disk(self, path, exclude=tuple()) -> None:
        pass

    def from_disk(self, path, exclude=tuple()) -> "Adapter":
        return self
