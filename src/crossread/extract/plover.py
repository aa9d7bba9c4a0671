"""PLOVER event typing: the CAMEO→PLOVER crosswalk, a verb lexicon, trigger rules with
modes, and a linear classifier.

The classifier reads a sentence in which the source and target are marked
(``<s>...</s>`` and ``<t>...</t>``, the layout of PLV's ``marked_sentence``)
and returns a PLOVER type. Features run on the marked sentence alone, so the same
model types PLV rows, the PLOVER gold records and our own parsed events:

* word 1–2-grams of the sentence with the marked spans replaced by SRC/TGT,
* word n-grams and character n-grams of the text between source and target
  (where the trigger almost always sits),
* lexicon cues: ``LEX_<TYPE>`` for every word that is an inflection of a verb
  in the hand-written PLOVER lexicon (from the manual's category definitions),
  ``TRIG_<stem>`` for the first content words between the arguments and
  ``LEXAFTER_<TYPE>`` for the complement after them ("urged X *to release*"),
* word n-grams of the words after the later argument,
* MiniLM sentence embeddings (``crossread.nlp.embeddings``) of the sentence, the
  between-text and the trigger+complement, as one dense block.

Class weights are balanced (PLV has 15–141 examples per type). Rule-backed typing for
unambiguous triggers (:data:`TRIGGER_RULES`, :data:`NOUN_RULES`) and the mode/CAMEO tables
follow the PLOVER manual (draft 2.0, ch. 3) and CAMEO2PLOVER-2021; ``extract.events`` applies
them before the classifier.

Models are stored as plain JSON (vocabularies, idf and weights), never pickles.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_MODEL_PATH = DATA_DIR / "plover_type_model.json"

# PLOVER 0.8 (2021) event types, the label set of the crosswalk.
PLOVER_TYPES = [
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]

# Older names (gold records v0.5, PLOVER drafts) → PLOVER 0.8 names.
LEGACY_TYPES = {
    "DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT",
}
# PLV (and POLECAT) collapse CONCEDE and RETREAT into YIELD.
COARSE_TYPES = {"CONCEDE": "YIELD", "RETREAT": "YIELD"}


def normalize_type(label: str) -> str:
    """Map a legacy PLOVER label to its PLOVER 0.8 name (``FIGHT`` → ``ASSAULT``)."""
    label = label.strip().upper()
    return LEGACY_TYPES.get(label, label)


def coarse_type(label: str) -> str:
    """The PLV label set: CONCEDE/RETREAT → YIELD, legacy names normalised."""
    label = normalize_type(label)
    return COARSE_TYPES.get(label, label)


# ---------------------------------------------------------------------------
# Crosswalk
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CrosswalkRow:
    cameo: str
    plover: str
    mode: str | None
    context: str | None
    description: str


def parse_crosswalk(path: str | Path) -> list[CrosswalkRow]:
    """Parse ``CAMEO2PLOVER-2021.txt`` (``CODE: TYPE, mode, context # description``)."""
    rows: list[CrosswalkRow] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("~") or ":" not in line:
            continue
        code, rest = line.split(":", 1)
        code = code.strip()
        if not code.isdigit():
            continue
        rest, _, description = rest.partition("#")
        parts = [p.strip() for p in rest.split(",")]
        plover = parts[0].upper()
        if not plover:
            continue
        mode = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
        context = parts[2].strip() if len(parts) > 2 and parts[2].strip() else None
        rows.append(CrosswalkRow(code, plover, mode, context, description.strip()))
    return rows


class Crosswalk:
    """Lookups over the crosswalk: CAMEO → (type, mode) and (type, mode) → CAMEO."""

    def __init__(self, rows: Iterable[CrosswalkRow]):
        self.rows = list(rows)
        self.by_cameo = {r.cameo: r for r in self.rows}

    def plover_for(self, cameo: str) -> CrosswalkRow | None:
        code = cameo.strip()
        while code:
            if code in self.by_cameo:
                return self.by_cameo[code]
            code = code[:-1]
        return None

    def cameo_for(self, plover: str, mode: str | None = None) -> str | None:
        """CAMEO code of a type (its root-level code) or of a type+mode (the most general
        code carrying that mode, e.g. CONSULT/visit → 042)."""
        plover = normalize_type(plover)
        candidates = [r for r in self.rows if r.plover == plover]
        if not candidates:
            return None
        if mode:
            with_mode = [r for r in candidates if r.mode and r.mode.strip() == mode]
            if with_mode:
                return min(with_mode, key=lambda r: (len(r.cameo), r.cameo)).cameo
        return self.root_code(plover)

    def root_code(self, plover: str) -> str | None:
        """The 2-digit heading under which the type has most rows; where that heading is
        shared with another type (08: CONCEDE/RETREAT), the type's most general code."""
        plover = normalize_type(plover)
        rows = [r for r in self.rows if r.plover == plover]
        if not rows:
            return None
        headings = [r.cameo for r in rows if len(r.cameo) == 2]
        if not headings:
            return min(rows, key=lambda r: (len(r.cameo), r.cameo)).cameo
        best = max(headings, key=lambda h: (sum(1 for r in rows if r.cameo.startswith(h)), -int(h)))
        shared = any(r.cameo == best and r.plover != plover for r in self.rows)
        if shared:
            under = [r for r in rows if r.cameo.startswith(best) and len(r.cameo) > 2]
            if under:
                return min(under, key=lambda r: (len(r.cameo), r.cameo)).cameo
        return best

    def modes(self, plover: str) -> list[str]:
        plover = normalize_type(plover)
        return sorted({r.mode for r in self.rows if r.plover == plover and r.mode})


# Root-level CAMEO code per PLOVER 0.8 type, as ``Crosswalk.root_code`` derives it from
# CAMEO2PLOVER-2021.txt (kept here so extraction needs no data folder).
ROOT_CAMEO = {
    "AGREE": "03", "CONSULT": "04", "SUPPORT": "05", "COOPERATE": "06", "AID": "07",
    "CONCEDE": "080", "RETREAT": "084", "ACCUSE": "11", "REQUEST": "10", "REJECT": "12",
    "THREATEN": "13", "PROTEST": "14", "MOBILIZE": "15", "SANCTION": "16", "COERCE": "17",
    "ASSAULT": "18",
}


def cameo_for(plover: str, mode: str | None = None, crosswalk: "Crosswalk | None" = None) -> str | None:
    """CAMEO code of a PLOVER type/mode: from ``crosswalk`` when given, else the built-in
    root codes (coarse ``YIELD`` maps to CONCEDE's code)."""
    if crosswalk is not None:
        return crosswalk.cameo_for(plover, mode)
    label = normalize_type(plover)
    if label == "YIELD":
        label = "CONCEDE"
    return ROOT_CAMEO.get(label)


def write_crosswalk_table(rows: Sequence[CrosswalkRow], path: str | Path) -> None:
    """Write parsed rows as TSV (for inspection; not shipped)."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["cameo", "plover", "mode", "context", "description"])
        for r in rows:
            writer.writerow([r.cameo, r.plover, r.mode or "", r.context or "", r.description])


# ---------------------------------------------------------------------------
# Lexicon (from the PLOVER manual's category definitions; verbs and nominal cues)
# ---------------------------------------------------------------------------

LEXICON: dict[str, list[str]] = {
    "AGREE": ["agree", "pledge", "promise", "vow", "commit", "offer", "propose", "accept",
              "consent", "endorse plan", "intend", "undertake", "resolve", "settle", "reconcile"],
    "CONSULT": ["meet", "visit", "host", "talk", "discuss", "consult", "negotiate", "confer",
                "receive", "welcome delegation", "call", "phone", "mediate", "hold talks",
                "convene", "summit", "travel", "attend"],
    "SUPPORT": ["praise", "hail", "commend", "endorse", "back", "support", "applaud", "laud",
                "congratulate", "defend", "recognize", "recognise", "apologize", "apologise",
                "forgive", "thank", "sign", "welcome", "approve", "salute", "honor", "honour",
                "sympathize", "rally", "upgrade", "establish", "normalize", "normalise", "restore"],
    "CONCEDE": ["concede", "yield", "ease", "relax", "lift", "accede", "grant", "allow",
                "permit", "compromise", "reform", "pardon", "amnesty"],
    "COOPERATE": ["cooperate", "collaborate", "partner", "share", "coordinate", "ally",
                  "extradite", "exchange", "trade", "join forces", "work with"],
    "AID": ["aid", "assist", "help", "donate", "fund", "supply", "provide", "give", "deliver",
            "send aid", "contribute", "finance", "rescue", "shelter", "asylum", "relief", "loan", "lend"],
    "RETREAT": ["withdraw", "retreat", "release", "free", "return", "pull out", "disarm",
                "demobilize", "surrender", "evacuate", "ceasefire", "truce", "hand over",
                "repatriate", "dismantle", "abandon", "resign", "hand"],
    "REQUEST": ["demand", "urge", "ask", "request", "call on", "call for", "appeal", "press",
                "insist", "seek", "petition", "plead", "invite", "implore", "require", "push"],
    "ACCUSE": ["accuse", "blame", "criticize", "criticise", "condemn", "denounce", "charge",
               "allege", "sue", "investigate", "probe", "complain", "decry", "slam", "censure",
               "rebuke", "indict", "convict", "lambaste", "fault", "lawsuit", "inquiry"],
    "REJECT": ["reject", "refuse", "deny", "decline", "veto", "oppose", "dismiss", "rebuff",
               "defy", "resist", "boycott talks", "spurn", "snub", "turn down", "rule out",
               "block", "disagree", "repudiate", "renege", "distance"],
    "THREATEN": ["threaten", "warn", "vow revenge", "menace", "intimidate", "ultimatum",
                 "threat", "caution"],
    "PROTEST": ["protest", "demonstrate", "rally", "march", "strike", "picket", "riot",
                "boycott", "sit-in", "hunger strike", "demonstrators", "protesters"],
    "SANCTION": ["sanction", "cut ties", "sever", "suspend", "expel", "recall", "downgrade",
                 "halt", "freeze", "cancel", "break off", "embargo", "terminate", "revoke",
                 "postpone"],
    "MOBILIZE": ["mobilize", "mobilise", "deploy", "mass", "station", "alert", "reinforce",
                 "muster", "build up", "patrol", "exercise", "drill"],
    "COERCE": ["arrest", "detain", "seize", "confiscate", "raid", "ban", "impose", "deport",
               "blockade", "occupy", "restrict", "jail", "imprison", "prosecute", "sentence",
               "capture", "censor", "curfew", "crack down", "round up", "besiege", "annex",
               "nationalize", "punish", "fine", "evict", "shut down"],
    "ASSAULT": ["attack", "kill", "bomb", "shell", "shoot", "strike", "fire", "assault",
                "invade", "fight", "clash", "ambush", "assassinate", "abduct", "kidnap",
                "hijack", "torture", "massacre", "wound", "injure", "murder", "raid", "destroy",
                "execute", "behead", "torch", "loot", "storm", "pound", "airstrike", "rocket", "capture",
                "missile", "gun down", "beat", "batter", "hit"],
}

IRREGULAR = {
    "meet": ["met"], "give": ["gave", "given"], "hold": ["held"], "send": ["sent"],
    "strike": ["struck", "stricken"], "shoot": ["shot"], "fight": ["fought"],
    "seek": ["sought"], "beat": ["beaten"], "free": ["freed"], "withdraw": ["withdrew", "withdrawn"],
    "forgive": ["forgave", "forgiven"], "undertake": ["undertook", "undertaken"],
    "break": ["broke", "broken"], "freeze": ["froze", "frozen"], "take": ["took", "taken"],
    "hit": ["hit"], "lead": ["led"], "win": ["won"], "sell": ["sold"], "buy": ["bought"],
    "put": ["put"], "cut": ["cut"], "set": ["set"], "shut": ["shut"], "deal": ["dealt"],
    "tell": ["told"], "bring": ["brought"], "overthrow": ["overthrew", "overthrown"],
}


def inflections(verb: str) -> set[str]:
    """Crude English inflections of a base form (enough for lexicon cues)."""
    v = verb.lower()
    out = {v, v + "s", v + "ed", v + "ing", v + "es"}
    if v.endswith("e"):
        out |= {v + "d", v[:-1] + "ing"}
    if v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        out |= {v[:-1] + "ies", v[:-1] + "ied"}
    if (len(v) <= 5 and len(v) >= 3 and v[-1] not in "aeiouwxy" and v[-2] in "aeiou"
            and v[-3] not in "aeiou"):
        out |= {v + v[-1] + "ed", v + v[-1] + "ing"}
    out |= set(IRREGULAR.get(v, []))
    return out


@lru_cache(maxsize=1)
def lexicon_index() -> dict[str, set[str]]:
    """Word form → PLOVER types whose lexicon entry starts with that verb."""
    index: dict[str, set[str]] = {}
    for ptype, entries in LEXICON.items():
        for entry in entries:
            head = entry.split()[0]
            for form in inflections(head):
                index.setdefault(form, set()).add(ptype)
    return index


def lexicon_types(lemma: str) -> set[str]:
    return set(lexicon_index().get(lemma.lower(), set()))


# ---------------------------------------------------------------------------
# Featurisation
# ---------------------------------------------------------------------------

_SRC = re.compile(r"<s>(.*?)</s>", re.S)
_TGT = re.compile(r"<t>(.*?)</t>", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def mark_sentence(sentence: str, source: tuple[int, int] | None, target: tuple[int, int] | None) -> str:
    """Insert ``<s>``/``<t>`` marks at character offsets into ``sentence``."""
    spans = []
    if source:
        spans.append((source[0], source[1], "s"))
    if target:
        spans.append((target[0], target[1], "t"))
    spans.sort()
    # overlapping spans: keep the first
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    out, pos = [], 0
    for start, end, tag in kept:
        out.append(sentence[pos:start])
        out.append(f"<{tag}>{sentence[start:end]}</{tag}>")
        pos = end
    out.append(sentence[pos:])
    return "".join(out)


def _between(marked: str) -> str:
    s_end, t_start = marked.find("</s>"), marked.find("<t>")
    t_end, s_start = marked.find("</t>"), marked.find("<s>")
    if s_end != -1 and t_start != -1 and s_end < t_start:
        return marked[s_end + 4:t_start]
    if t_end != -1 and s_start != -1 and t_end < s_start:
        return marked[t_end + 4:s_start]
    # one side missing: the words after whichever is present
    for end in (s_end, t_end):
        if end != -1:
            return " ".join(marked[end + 4:].split()[:8])
    return marked


_STEM_SUFFIXES = ("ing", "ed", "es", "s")
_FUNCTION = {"the", "a", "an", "of", "and", "to", "in", "on", "for", "with", "by", "at", "from",
             "has", "have", "had", "is", "are", "was", "were", "be", "been", "will", "would",
             "also", "that", "its", "their", "his", "her", "it", "as", "which", "who", "not"}


def _stem(word: str) -> str:
    """Crude suffix stripping so "condemned"/"condemns"/"condemning" share one feature."""
    w = word.lower()
    for suf in _STEM_SUFFIXES:
        if len(w) > len(suf) + 3 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def _after(marked: str, n: int = 6) -> str:
    """Words right after the later of the two marked spans (complements such as "to
    release ..." or "of killing ..." that decide REQUEST/ACCUSE)."""
    ends = [marked.find(tag) for tag in ("</s>", "</t>")]
    end = max(ends)
    if end == -1:
        return ""
    tail = _TGT.sub(" ", _SRC.sub(" ", marked[end + 4:]))
    return " ".join(_WORD.findall(tail)[:n])


def featurize(marked: str) -> tuple[str, str, str, str]:
    """(context text with SRC/TGT placeholders, between-text, lexicon/trigger cue string,
    after-text)."""
    context = _TGT.sub(" TGT ", _SRC.sub(" SRC ", marked))
    between = _between(marked)
    between = _TGT.sub(" ", _SRC.sub(" ", between)).strip()
    index = lexicon_index()
    cues = []
    content = [w for w in _WORD.findall(between.lower()) if w not in _FUNCTION]
    for i, word in enumerate(_WORD.findall(between.lower())):
        for ptype in sorted(index.get(word, ())):
            cues.append(f"LEX_{ptype}")
            if i < 4:
                cues.append(f"LEXNEAR_{ptype}")
    # the first content words between the arguments are almost always the trigger
    for i, word in enumerate(content[:3]):
        cues.append(f"TRIG{min(i, 1)}_{_stem(word)}")
    if content[:2]:
        cues.append("TRIGBI_" + "_".join(_stem(w) for w in content[:2]))
    after = _after(marked)
    for word in _WORD.findall(after.lower())[:4]:
        for ptype in sorted(index.get(word, ())):
            cues.append(f"LEXAFTER_{ptype}")
    for word in _WORD.findall(context.lower()):
        for ptype in sorted(index.get(word, ())):
            cues.append(f"LEXANY_{ptype}")
    return context, between or context, " ".join(cues) or "LEX_NONE", after or "NONE"


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------

_VECTORIZER_SETTINGS = [
    ("context", dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
    ("between", dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
    ("between_chars", dict(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)),
    ("lexicon", dict(ngram_range=(1, 1), sublinear_tf=True, lowercase=False, token_pattern=r"\S+")),
    ("after", dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
]
_COLUMN = {"context": 0, "between": 1, "between_chars": 1, "lexicon": 2, "after": 3}


EMBED_WEIGHT = 1.0  # scale of the dense block next to the TF-IDF blocks (tuned by 5-fold CV on PLV)


def embedding_texts(feats: Sequence[tuple[str, str, str, str]]) -> list[list[str]]:
    """The three texts embedded per example: the sentence with X/Y for the arguments, the
    between-text, and between+after (the trigger with its complement)."""
    ctx = [f[0].replace(" SRC ", " X ").replace(" TGT ", " Y ") for f in feats]
    between = [f[1] for f in feats]
    trig = [(f[1] + " " + (f[3] if f[3] != "NONE" else "")).strip() for f in feats]
    return [ctx, between, trig]


def _embed_blocks(feats: Sequence[tuple[str, str, str, str]]) -> np.ndarray | None:
    """MiniLM vectors (``crossread.nlp.embeddings``) of :func:`embedding_texts`, side by side;
    ``None`` when no embedding backend is installed."""
    try:
        from crossread.nlp.embeddings import get_embedding_service

        service = get_embedding_service(stage="plover")
    except Exception:  # noqa: BLE001 - no backend: the sparse blocks still work
        return None
    return np.hstack([service.embed(texts) for texts in embedding_texts(feats)])


_SKLEARN_TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # TfidfVectorizer's default token_pattern
_WHITE_SPACES = re.compile(r"\s\s+")  # as sklearn's _VectorizerMixin._white_spaces
_TFIDF_SETTINGS = {"analyzer", "ngram_range", "lowercase", "sublinear_tf", "token_pattern"}


class TfidfFeatures:
    """The transform of a fitted scikit-learn ``TfidfVectorizer`` (norm="l2", use_idf, default
    preprocessing), reimplemented for the settings of :data:`_VECTORIZER_SETTINGS`: "word" n-grams
    over ``token_pattern`` or "char_wb" n-grams, ``lowercase``, ``sublinear_tf``. The same numbers,
    bit for bit, in the same CSR layout (sklearn's analyzers, counting, ``np.log``, idf product and
    row-wise L2 normalisation in the same order; tests/test_extract_events.py compares them), without
    importing scikit-learn (seconds per process) or its per-call validation (most of a small call).
    Has ``vocabulary_`` and ``idf_`` as the vectorizer does (``PloverTypeModel.to_json``)."""

    def __init__(self, settings: dict[str, Any], vocabulary: dict[str, int], idf: np.ndarray):
        unknown = set(settings) - _TFIDF_SETTINGS
        if unknown or settings.get("analyzer", "word") not in ("word", "char_wb"):
            raise ValueError(f"TfidfFeatures does not implement {sorted(unknown) or settings['analyzer']!r}")
        self.vocabulary_ = vocabulary
        self.idf_ = idf
        self.analyzer = settings.get("analyzer", "word")
        self.ngram_range = tuple(settings.get("ngram_range", (1, 1)))
        self.lowercase = bool(settings.get("lowercase", True))
        self.sublinear_tf = bool(settings.get("sublinear_tf", False))
        self.token_pattern = re.compile(settings.get("token_pattern", _SKLEARN_TOKEN_PATTERN))
        if self.token_pattern.groups > 1:
            raise ValueError("More than 1 capturing group in token pattern")

    def analyze(self, doc: Any) -> list[str]:
        """sklearn's ``build_analyzer()(doc)`` for these settings."""
        if isinstance(doc, bytes):
            doc = doc.decode("utf-8", "strict")
        if self.lowercase:
            doc = doc.lower()
        min_n, max_n = self.ngram_range
        if self.analyzer == "char_wb":
            doc = _WHITE_SPACES.sub(" ", doc)
            ngrams: list[str] = []
            for w in doc.split():
                w = " " + w + " "
                w_len = len(w)
                for n in range(min_n, max_n + 1):
                    offset = 0
                    ngrams.append(w[offset:offset + n])
                    while offset + n < w_len:
                        offset += 1
                        ngrams.append(w[offset:offset + n])
                    if offset == 0:  # a short word (w_len < n) counts once
                        break
            return ngrams
        tokens = self.token_pattern.findall(doc)
        if max_n != 1:
            original = tokens
            if min_n == 1:
                tokens = list(original)
                min_n += 1
            else:
                tokens = []
            for n in range(min_n, min(max_n + 1, len(original) + 1)):
                for i in range(len(original) - n + 1):
                    tokens.append(" ".join(original[i:i + n]))
        return tokens

    def transform(self, raw_documents: Sequence[Any]) -> Any:
        """The TF-IDF matrix (scipy CSR, float64, sorted indices) of ``raw_documents``."""
        import math

        from scipy.sparse import csr_matrix

        vocabulary = self.vocabulary_
        indptr = [0]
        indices: list[int] = []
        counts: list[int] = []
        for doc in raw_documents:
            counter: dict[int, int] = {}
            for feature in self.analyze(doc):
                j = vocabulary.get(feature)
                if j is not None:
                    counter[j] = counter.get(j, 0) + 1
            for j in sorted(counter):  # sklearn sorts each row's indices (X.sort_indices())
                indices.append(j)
                counts.append(counter[j])
            indptr.append(len(indices))
        data = np.asarray(counts, dtype=np.float64)
        cols = np.asarray(indices, dtype=np.int32)
        if self.sublinear_tf:
            np.log(data, data)
            data += 1.0
        data *= self.idf_[cols]
        # sklearn.utils.sparsefuncs_fast.inplace_csr_row_normalize_l2: a running double sum of
        # squares per row, its sqrt, then each value divided by it (empty rows left alone)
        for row in range(len(indptr) - 1):
            a, b = indptr[row], indptr[row + 1]
            total = 0.0
            for x in data[a:b].tolist():
                total += x * x
            if total == 0.0:
                continue
            data[a:b] /= math.sqrt(total)
        return csr_matrix((data, cols, np.asarray(indptr, dtype=np.int32)),
                          shape=(len(indptr) - 1, len(vocabulary)))


class PloverTypeModel:
    """TF-IDF features (+ optional MiniLM sentence embeddings) + multinomial logistic
    regression, serialisable to JSON."""

    def __init__(self, vectorizers: list[Any], classes: list[str], coef: np.ndarray,
                 intercept: np.ndarray, meta: dict[str, Any] | None = None):
        self.vectorizers = vectorizers
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = np.asarray(intercept, dtype=float)
        self.meta = meta or {}
        # width of the dense embedding block at the end of ``coef`` (0: sparse only)
        self.embed_dim = int(self.meta.get("embed_dim", 0))
        self.embed_weight = float(self.meta.get("embed_weight", 0.0))

    # -- training -----------------------------------------------------------
    @classmethod
    def train(cls, marked: Sequence[str], labels: Sequence[str], C: float = 10.0,
              meta: dict[str, Any] | None = None,
              class_weight: str | None = "balanced",
              embed_weight: float = EMBED_WEIGHT) -> "PloverTypeModel":
        """Fit on marked sentences. ``class_weight="balanced"`` and the embedding block each
        raised 5-fold macro-F1 on PLV (docs/EVALUATION.md, Events)."""
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        feats = [featurize(m) for m in marked]
        vectorizers, blocks = [], []
        for name, settings in _VECTORIZER_SETTINGS:
            vec = TfidfVectorizer(**settings)
            blocks.append(vec.fit_transform([f[_COLUMN[name]] for f in feats]))
            vectorizers.append(vec)
        meta = dict(meta or {})
        dense = _embed_blocks(feats) if embed_weight > 0 else None
        if dense is not None:
            blocks.append(csr_matrix(dense * embed_weight))
            meta["embed_dim"] = int(dense.shape[1])
            meta["embed_weight"] = embed_weight
        X = hstack(blocks).tocsr()
        clf = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight)
        clf.fit(X, list(labels))
        coef = clf.coef_
        intercept = clf.intercept_
        if len(clf.classes_) == 2:  # binary LR stores one row
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        return cls(vectorizers, [str(c) for c in clf.classes_], coef, intercept, meta)

    # -- inference ----------------------------------------------------------
    def _matrix(self, marked: Sequence[str]):
        from scipy.sparse import csr_matrix, hstack

        feats = [featurize(m) for m in marked]
        blocks = [vec.transform([f[_COLUMN[name]] for f in feats])
                  for (name, _), vec in zip(_VECTORIZER_SETTINGS, self.vectorizers)]
        if self.embed_dim:
            dense = _embed_blocks(feats)
            if dense is None or dense.shape[1] != self.embed_dim:  # no backend: block left at 0
                dense = np.zeros((len(feats), self.embed_dim))
            blocks.append(csr_matrix(dense * self.embed_weight))
        return hstack(blocks).tocsr()

    def predict_proba(self, marked: Sequence[str]) -> np.ndarray:
        scores = self._matrix(marked) @ self.coef.T + self.intercept
        scores = np.asarray(scores)
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        return probs / probs.sum(axis=1, keepdims=True)

    def predict(self, marked: Sequence[str]) -> list[str]:
        if not marked:
            return []
        probs = self.predict_proba(marked)
        return [self.classes[i] for i in probs.argmax(axis=1)]

    # -- persistence --------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        vecs = []
        for vec in self.vectorizers:
            vocab = sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])
            vecs.append({"vocabulary": [k for k, _ in vocab],
                         "idf": [round(float(x), 4) for x in vec.idf_]})
        return {
            "format": "crossread-plover-linear/1",
            "meta": self.meta,
            "classes": self.classes,
            "vectorizers": vecs,
            "coef": [[round(float(x), 4) for x in row] for row in self.coef],
            "intercept": [round(float(x), 4) for x in self.intercept],
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any], sklearn: bool = False) -> "PloverTypeModel":
        """The model of :meth:`to_json`. Its TF-IDF blocks are :class:`TfidfFeatures` (the same
        numbers without scikit-learn); ``sklearn=True`` rebuilds scikit-learn vectorizers instead."""
        vectorizers = []
        for (name, settings), spec in zip(_VECTORIZER_SETTINGS, data["vectorizers"]):
            vocabulary = {w: i for i, w in enumerate(spec["vocabulary"])}
            if not sklearn:
                vectorizers.append(TfidfFeatures(settings, vocabulary, np.asarray(spec["idf"], dtype=float)))
                continue
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(vocabulary=vocabulary, **settings)
            vec.idf_ = np.asarray(spec["idf"], dtype=float)
            vectorizers.append(vec)
        return cls(vectorizers, data["classes"], np.asarray(data["coef"]),
                   np.asarray(data["intercept"]), data.get("meta"))

    @classmethod
    def load(cls, path: str | Path, sklearn: bool = False) -> "PloverTypeModel":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), sklearn=sklearn)


@lru_cache(maxsize=1)
def default_model() -> PloverTypeModel:
    """The shipped model (trained on the open PLOVER gold records + the lexicon)."""
    if DEFAULT_MODEL_PATH.exists():
        return PloverTypeModel.load(DEFAULT_MODEL_PATH)
    # no shipped file: a lexicon-only model keeps extraction working
    marked, labels = lexicon_examples()
    return PloverTypeModel.train(marked, labels, meta={"trained_on": "lexicon"})


# ---------------------------------------------------------------------------
# Training data readers
# ---------------------------------------------------------------------------


def read_plv(path: str | Path) -> list[dict[str, str]]:
    """Rows of a PLV-style TSV with ``marked_sentence``, ``source``, ``target``, ``gold_root``."""
    with Path(path).open(encoding="utf-8") as fh:
        rows = [dict(r) for r in csv.DictReader(fh, delimiter="\t")]
    return [r for r in rows if r.get("marked_sentence") and r.get("gold_root")]


_MARKUP = re.compile(r"\((SRC/TAR|SRC|TAR|EVT):\s*([^()]*)\)")


def gold_record_marked(record: dict[str, Any]) -> str | None:
    """Turn a gold record's ``textInfo.markup`` into a ``<s>/<t>``-marked sentence."""
    info = record.get("textInfo")
    markup = info.get("markup") if isinstance(info, dict) else None
    if not markup:
        return None
    seen = {"s": False, "t": False}

    def repl(m: re.Match[str]) -> str:
        kind, body = m.group(1), m.group(2).strip()
        if kind == "EVT":
            return body
        tag = "s" if kind in ("SRC", "SRC/TAR") else "t"
        if seen[tag]:
            return body
        seen[tag] = True
        return f"<{tag}>{body}</{tag}>"

    return " ".join(_MARKUP.sub(repl, markup).split())


def read_gold_records(path: str | Path) -> list[dict[str, Any]]:
    """PLOVER_GSR_CAMEO.txt records that have text and an event type (DOCUMENT dropped)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for rec in data:
        if rec.get("event") in (None, "DOCUMENT") or not rec.get("text"):
            continue
        marked = gold_record_marked(rec)
        if not marked:
            continue
        out.append({**rec, "marked_sentence": marked, "plover": normalize_type(rec["event"])})
    return out


def lexicon_examples() -> tuple[list[str], list[str]]:
    """Synthetic ``<s>X</s> verbed <t>Y</t>`` examples from the lexicon (one per entry)."""
    marked, labels = [], []
    for ptype, entries in LEXICON.items():
        for entry in entries:
            words = entry.split()
            forms = sorted(inflections(words[0]))
            past = next((f for f in forms if f.endswith("ed")), forms[0])
            phrase = " ".join([past] + words[1:])
            marked.append(f"<s>The government</s> {phrase} <t>the group</t>.")
            labels.append(ptype)
    return marked, labels


def train_default_model(gold_path: str | Path, out: str | Path = DEFAULT_MODEL_PATH) -> PloverTypeModel:
    """Train the shipped model on the open gold records (CC BY-SA) + the lexicon."""
    records = read_gold_records(gold_path)
    marked = [r["marked_sentence"] for r in records]
    labels = [r["plover"] for r in records]
    lm, ll = lexicon_examples()
    model = PloverTypeModel.train(marked + lm, labels + ll, meta={
        "trained_on": "PLOVER_GSR_CAMEO.txt (CC BY-SA 4.0) + crossread PLOVER verb lexicon",
        "license": "CC BY-SA 4.0",
        "n_examples": len(marked) + len(lm),
    })
    model.save(out)
    return model


# ---------------------------------------------------------------------------
# Rule-backed trigger typing, modes and CAMEO codes
# ---------------------------------------------------------------------------
# Unambiguous triggers are typed by rule (the classifier types the rest). Types, modes
# and codes follow the PLOVER manual (draft 2.0, ch. 3: category definitions and mode
# tables) and CAMEO2PLOVER-2021 (the 3/4-digit CAMEO code of the matching description).
# Where the two disagree the manual wins (e.g. "accuse" → ACCUSE 'allege', manual
# table 3.4; the crosswalk's 112 says 'disapprove').

TriggerRule = tuple[str, "str | None", "str | None"]  # (PLOVER type, mode, CAMEO code)

TRIGGER_RULES: dict[str, TriggerRule] = {
    # SUPPORT: "express support for, commend, approve" (3.3; no modes). CAMEO 051 praise/endorse
    **{v: ("SUPPORT", None, "051") for v in (
        "praise", "hail", "commend", "laud", "applaud", "endorse", "salute", "celebrate",
        "congratulate")},
    "defend": ("SUPPORT", None, "052"),
    "recognize": ("SUPPORT", None, "054"), "recognise": ("SUPPORT", None, "054"),
    "sign": ("SUPPORT", None, "057"), "ratify": ("SUPPORT", None, "057"),
    # ACCUSE (3.9; modes disapprove / allege / investigate)
    **{v: ("ACCUSE", "disapprove", "111") for v in (
        "criticize", "criticise", "condemn", "denounce", "decry", "deplore", "censure", "rebuke",
        "lambaste", "slam", "castigate", "disapprove", "chastise")},
    **{v: ("ACCUSE", "allege", "112") for v in ("accuse", "blame", "allege", "indict")},
    "sue": ("ACCUSE", "allege", "115"),
    "investigate": ("ACCUSE", "investigate", "090"), "probe": ("ACCUSE", "investigate", "090"),
    # CONSULT (3.2; modes visit / third-party / multilateral / phone)
    "meet": ("CONSULT", None, None), "confer": ("CONSULT", None, None),
    "visit": ("CONSULT", "visit", "042"), "host": ("CONSULT", "visit", "043"),
    "negotiate": ("CONSULT", None, "046"), "mediate": ("CONSULT", None, "045"),
    "phone": ("CONSULT", "phone", "041"),
    # REJECT (3.10; modes shared with REQUEST)
    "reject": ("REJECT", None, "120"), "rebuff": ("REJECT", None, "120"),
    "spurn": ("REJECT", None, "120"), "repudiate": ("REJECT", None, "120"),
    "distance": ("REJECT", None, "120"), "veto": ("REJECT", "yield", "129"),
    "defy": ("REJECT", "yield", "128"),
    # CONCEDE: abstaining (from a vote, from a veto) lets the other side's measure pass — a
    # verbal concession with no immediate material consequence (3.4), CAMEO 080 "Yield".
    "abstain": ("CONCEDE", None, "080"), "refrain": ("CONCEDE", None, "080"),
    "pardon": ("CONCEDE", None, "081"),
    # AGREE / REQUEST / THREATEN
    "agree": ("AGREE", None, "030"), "pledge": ("AGREE", None, "030"),
    "promise": ("AGREE", None, "030"),
    "demand": ("REQUEST", None, "100"), "urge": ("REQUEST", None, "100"),
    "threaten": ("THREATEN", None, "130"),
    # SANCTION (3.13)
    "sever": ("SANCTION", "discontinue", "161"), "expel": ("SANCTION", "expel", "166"),
    # COERCE (table 3.10)
    "arrest": ("COERCE", "arrest", "173"), "detain": ("COERCE", "arrest", "173"),
    "imprison": ("COERCE", "arrest", "173"), "jail": ("COERCE", "arrest", "173"),
    "deport": ("COERCE", "deport", "174"), "confiscate": ("COERCE", "seize", "1711"),
    "censor": ("COERCE", "censor", "1721"),
    # ASSAULT (table 3.11)
    "kidnap": ("ASSAULT", "abduct", "181"), "abduct": ("ASSAULT", "abduct", "181"),
    "hijack": ("ASSAULT", "abduct", "181"), "torture": ("ASSAULT", "torture", "1822"),
    "assassinate": ("ASSAULT", "targeted", "186"), "massacre": ("ASSAULT", "targeted", "202"),
    "shell": ("ASSAULT", "heavy-weapons", "194"), "invade": ("ASSAULT", None, "190"),
    # PROTEST (table 3.7) / MOBILIZE (table 3.9)
    "protest": ("PROTEST", "demo", "141"), "demonstrate": ("PROTEST", "demo", "141"),
    "riot": ("PROTEST", "riot", "145"),
    "mobilize": ("MOBILIZE", "troops", "154"), "mobilise": ("MOBILIZE", "troops", "154"),
}

# Light verb + event noun: the noun is the trigger ("expressed their disappointment with X",
# "held talks with X", "launched an attack on X").
LIGHT_VERBS = {"express", "voice", "show", "extend", "offer", "convey", "hold", "launch",
               "conduct", "carry", "stage", "issue", "lodge", "file", "impose", "make", "have",
               "order", "open", "begin", "start", "announce", "declare"}
NOUN_RULES: dict[str, TriggerRule] = {
    **{n: ("ACCUSE", "disapprove", "110") for n in (
        "disappointment", "concern", "criticism", "outrage", "anger", "dismay", "displeasure",
        "condemnation", "frustration", "objection", "disapproval", "indignation", "protest")},
    **{n: ("SUPPORT", None, "051") for n in ("support", "solidarity", "gratitude", "appreciation",
                                               "praise", "approval", "condolence", "thanks")},
    **{n: ("CONCEDE", None, "080") for n in ("regret", "remorse", "apology")},
    **{n: ("AGREE", None, "030") for n in ("willingness", "readiness", "commitment")},
    **{n: ("CONSULT", None, "040") for n in ("talk", "talks", "meeting", "consultation",
                                               "negotiation", "discussion", "summit")},
    "visit": ("CONSULT", "visit", "042"),
    "warning": ("THREATEN", None, "130"), "threat": ("THREATEN", None, "130"),
    "ultimatum": ("THREATEN", "relations", "139"),
    **{n: ("ASSAULT", None, "190") for n in ("attack", "offensive", "strike", "airstrike",
                                               "assault", "raid", "war", "warfare",
                                               "bombardment", "bombing")},
    "sanction": ("SANCTION", "discontinue", "160"), "embargo": ("SANCTION", "discontinue", "160"),
    "complaint": ("ACCUSE", "allege", "114"), "lawsuit": ("ACCUSE", "allege", "115"),
    "investigation": ("ACCUSE", "investigate", "090"), "probe": ("ACCUSE", "investigate", "090"),
}

# Nominal events ("the meeting between A and B", "the US decision to abstain", "Iran's
# criticism of X"): event noun → the verb lemma whose rule types it.
NOMINAL_EVENTS: dict[str, str] = {
    "meeting": "meet", "talks": "meet", "visit": "visit", "abstention": "abstain",
    "criticism": "criticize", "condemnation": "condemn", "praise": "praise",
    "endorsement": "endorse", "rejection": "reject", "veto": "veto", "invasion": "invade",
    "arrest": "arrest", "detention": "detain", "expulsion": "expel", "accusation": "accuse",
    "investigation": "investigate", "threat": "threaten", "demand": "demand",
}
# Nouns whose infinitival complement carries the event ("decision to abstain").
DECISION_NOUNS = {"decision", "move", "attempt", "bid", "refusal", "plan", "effort", "choice",
                  "vote"}
# Cancelling/postponing a meeting is REJECT 'meet' (manual 3.13.2: "Cancellation of meetings
# are REJECT"); cancelling anything else reduces relations (SANCTION).
MEETING_NOUNS = {"meeting", "visit", "delegation", "trip", "talks", "talk", "summit",
                 "conference", "negotiation", "consultation", "tour", "session"}
CANCEL_VERBS = {"cancel", "call off", "postpone", "scrap", "suspend", "scrub", "shelve"}

# Verbs of saying, arguing, cognition and evaluation: their content is a quote/claim, not a
# PLOVER event (manual ch. 1: CAMEO 01 "make public statement" was dropped).
NOT_EVENT_LEMMAS = {
    "say", "tell", "claim", "argue", "assert", "state", "stress", "underscore", "underline",
    "highlight", "emphasize", "emphasise", "suggest", "indicate", "show", "prove", "reveal",
    "place", "describe", "refer", "view", "consider", "believe", "think", "know", "see", "mean",
    "note", "explain", "acknowledge", "distort", "exaggerate", "report", "write", "add",
    "insist", "point", "convince", "remain", "seem", "appear", "become", "mention", "observe",
    "label", "characterize", "characterise", "portray", "dub", "deem",
    "reiterate", "maintain", "contend", "speculate", "predict", "estimate", "imply", "reflect",
    "represent", "express", "voice", "be", "have", "do", "get", "quote", "feel", "hope",
    "expect", "want", "wish", "frame", "situate", "contextualize", "interpret", "regard",
    "cite", "describe", "go", "come",
}


def rule_for(lemma: str) -> TriggerRule | None:
    """Rule-backed (type, mode, CAMEO) for a trigger lemma, or ``None``."""
    return TRIGGER_RULES.get(lemma.lower())


# Mode cues for classifier-typed events (manual tables 3.1-3.11): type → word → mode.
MODE_CUES: dict[str, dict[str, str]] = {
    "CONSULT": {"visit": "visit", "visited": "visit", "host": "visit", "hosted": "visit",
                "phone": "phone", "telephone": "phone", "call": "phone", "video": "phone",
                "summit": "multilateral"},
    "ACCUSE": {"investigate": "investigate", "investigation": "investigate", "probe": "investigate",
               "inquiry": "investigate", "accuse": "allege", "accused": "allege", "sue": "allege",
               "sued": "allege", "charge": "allege", "charged": "allege", "allege": "allege",
               "alleged": "allege", "indict": "allege", "condemn": "disapprove",
               "criticize": "disapprove", "criticized": "disapprove", "denounce": "disapprove"},
    "REQUEST": {"release": "yield", "free": "yield", "ceasefire": "yield", "lift": "yield",
                "talks": "meet", "meet": "meet", "negotiate": "meet", "meeting": "meet",
                "aid": "assist", "assistance": "assist", "help": "assist", "resign": "change",
                "reform": "change", "step": "change"},
    "REJECT": {"release": "yield", "ceasefire": "yield", "veto": "yield", "talks": "meet",
               "meet": "meet", "meeting": "meet", "aid": "assist", "assistance": "assist",
               "reform": "change", "resign": "change"},
    "RETREAT": {"release": "release", "released": "release", "freed": "release",
                "withdraw": "withdraw", "withdrew": "withdraw", "pulled": "withdraw",
                "disarm": "disarm", "ceasefire": "ceasefire", "truce": "ceasefire",
                "resign": "resign", "resigned": "resign", "access": "access"},
    "COERCE": {"arrest": "arrest", "arrested": "arrest", "detain": "arrest", "detained": "arrest",
               "deport": "deport", "deported": "deport", "curfew": "curfew", "censor": "censor",
               "seize": "seize", "seized": "seize", "confiscate": "seize", "raid": "seize",
               "ban": "restrict", "banned": "restrict"},
    "ASSAULT": {"shot": "firearms", "shoot": "firearms", "gunmen": "firearms", "rifle": "firearms",
                "shelled": "heavy-weapons", "artillery": "heavy-weapons", "tank": "heavy-weapons",
                "rocket": "heavy-weapons", "airstrike": "aerial", "airstrikes": "aerial",
                "drone": "drone", "bomb": "explosives", "bombing": "explosives",
                "kidnapped": "abduct", "abducted": "abduct", "torture": "torture",
                "tortured": "torture", "assassinated": "targeted", "executed": "targeted",
                "beat": "beat", "beaten": "beat", "stabbed": "primitive"},
    "PROTEST": {"rally": "demo", "demonstrate": "demo", "demonstrators": "demo", "march": "demo",
                "riot": "riot", "rioters": "riot", "strike": "strike", "hunger": "hunger",
                "boycott": "boycott", "block": "obstruct", "blocked": "obstruct"},
    "MOBILIZE": {"troops": "troops", "soldiers": "troops", "police": "police",
                 "missiles": "weapons", "warships": "weapons", "militia": "militia"},
    "SANCTION": {"expel": "expel", "expelled": "expel", "withdraw": "withdraw",
                 "recall": "withdraw", "sanctions": "discontinue", "cut": "discontinue",
                 "suspend": "discontinue", "suspended": "discontinue", "convicted": "convict"},
    "THREATEN": {"attack": "violence", "force": "violence", "strike": "violence",
                 "arrest": "arrest", "sanctions": "restrict", "boycott": "restrict",
                 "expel": "expel", "occupy": "territory", "annex": "territory",
                 "talks": "relations", "relations": "relations"},
}


def mode_for(ptype: str, words: Iterable[str]) -> str | None:
    """The first manual-defined mode of ``ptype`` cued by ``words`` (trigger first, then its
    clause); ``None`` where the type has no modes (AGREE, SUPPORT, CONCEDE, COOPERATE, AID)."""
    cues = MODE_CUES.get(normalize_type(ptype), {})
    for w in words:
        mode = cues.get(w.lower())
        if mode:
            return mode
    return None


# (type, mode) → the most general CAMEO code carrying that mode (CAMEO2PLOVER-2021; modes
# the crosswalk lacks take the code of the matching description).
MODE_CAMEO: dict[tuple[str, str], str] = {
    ("CONSULT", "visit"): "042", ("CONSULT", "phone"): "041", ("CONSULT", "third-party"): "044",
    ("ACCUSE", "disapprove"): "111", ("ACCUSE", "allege"): "112", ("ACCUSE", "investigate"): "090",
    ("REQUEST", "assist"): "101", ("REQUEST", "change"): "104", ("REQUEST", "yield"): "105",
    ("REQUEST", "meet"): "106", ("REJECT", "assist"): "121", ("REJECT", "change"): "123",
    ("REJECT", "yield"): "124", ("REJECT", "meet"): "125",
    ("RETREAT", "release"): "0841", ("RETREAT", "withdraw"): "0872", ("RETREAT", "disarm"): "087",
    ("RETREAT", "ceasefire"): "0871", ("RETREAT", "access"): "086",
    ("COERCE", "seize"): "171", ("COERCE", "restrict"): "172", ("COERCE", "censor"): "1721",
    ("COERCE", "curfew"): "1723", ("COERCE", "martial-law"): "1724", ("COERCE", "arrest"): "173",
    ("COERCE", "deport"): "174",
    ("ASSAULT", "abduct"): "181", ("ASSAULT", "beat"): "182", ("ASSAULT", "torture"): "1822",
    ("ASSAULT", "explosives"): "183", ("ASSAULT", "targeted"): "186",
    ("ASSAULT", "firearms"): "193", ("ASSAULT", "heavy-weapons"): "194",
    ("ASSAULT", "aerial"): "195", ("ASSAULT", "drone"): "195",
    ("PROTEST", "demo"): "141", ("PROTEST", "hunger"): "142", ("PROTEST", "strike"): "143",
    ("PROTEST", "boycott"): "143", ("PROTEST", "obstruct"): "144", ("PROTEST", "riot"): "145",
    ("MOBILIZE", "police"): "153", ("MOBILIZE", "troops"): "154",
    ("SANCTION", "withdraw"): "161", ("SANCTION", "discontinue"): "162",
    ("SANCTION", "expel"): "166",
    ("THREATEN", "restrict"): "1312", ("THREATEN", "relations"): "1313",
    ("THREATEN", "expel"): "136", ("THREATEN", "violence"): "138",
    ("THREATEN", "territory"): "1382",
}


def cameo_for_mode(plover: str, mode: str | None) -> str | None:
    """CAMEO code of a type+mode (:data:`MODE_CAMEO`), else the type's root code."""
    if mode and (normalize_type(plover), mode) in MODE_CAMEO:
        return MODE_CAMEO[(normalize_type(plover), mode)]
    return cameo_for(plover)
