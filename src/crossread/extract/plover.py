"""PLOVER event typing: the CAMEO→PLOVER crosswalk, a verb lexicon and a linear classifier.

The classifier reads a sentence in which the source and target are marked
(``<s>...</s>`` and ``<t>...</t>``, the layout of PLV's ``marked_sentence``)
and returns a PLOVER type. Features are parse-free so the same model runs on
PLV rows, on the PLOVER gold records and on our own parsed events:

* word 1–2-grams of the sentence with the marked spans replaced by SRC/TGT,
* word n-grams and character n-grams of the text between source and target
  (where the trigger almost always sits),
* lexicon cues: ``LEX_<TYPE>`` for every word that is an inflection of a verb
  in the hand-written PLOVER lexicon (from the manual's category definitions).

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
                "convene", "summit", "travel"],
    "SUPPORT": ["praise", "hail", "commend", "endorse", "back", "support", "applaud", "laud",
                "congratulate", "defend", "recognize", "recognise", "apologize", "apologise",
                "forgive", "thank", "sign", "welcome", "approve", "salute", "honor", "honour",
                "sympathize", "rally"],
    "CONCEDE": ["concede", "yield", "ease", "relax", "lift", "accede", "grant", "allow",
                "permit", "compromise", "reform", "pardon", "amnesty"],
    "COOPERATE": ["cooperate", "collaborate", "partner", "share", "coordinate", "ally",
                  "extradite", "exchange", "trade", "join forces", "work with"],
    "AID": ["aid", "assist", "help", "donate", "fund", "supply", "provide", "give", "deliver",
            "send aid", "contribute", "finance", "rescue", "shelter", "asylum", "relief", "loan"],
    "RETREAT": ["withdraw", "retreat", "release", "free", "return", "pull out", "disarm",
                "demobilize", "surrender", "evacuate", "ceasefire", "truce", "hand over",
                "repatriate", "dismantle", "abandon"],
    "REQUEST": ["demand", "urge", "ask", "request", "call on", "call for", "appeal", "press",
                "insist", "seek", "petition", "plead", "invite", "implore", "require", "push"],
    "ACCUSE": ["accuse", "blame", "criticize", "criticise", "condemn", "denounce", "charge",
               "allege", "sue", "investigate", "probe", "complain", "decry", "slam", "censure",
               "rebuke", "indict", "convict", "lambaste", "fault", "lawsuit", "inquiry"],
    "REJECT": ["reject", "refuse", "deny", "decline", "veto", "oppose", "dismiss", "rebuff",
               "defy", "resist", "boycott talks", "spurn", "snub", "turn down", "rule out",
               "block", "disagree", "repudiate"],
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
                "execute", "behead", "torch", "loot", "storm", "pound", "airstrike", "rocket",
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


def featurize(marked: str) -> tuple[str, str, str]:
    """(context text with SRC/TGT placeholders, between-text, lexicon cue string)."""
    context = _TGT.sub(" TGT ", _SRC.sub(" SRC ", marked))
    between = _between(marked)
    between = _TGT.sub(" ", _SRC.sub(" ", between)).strip()
    index = lexicon_index()
    cues = []
    for i, word in enumerate(_WORD.findall(between.lower())):
        for ptype in sorted(index.get(word, ())):
            cues.append(f"LEX_{ptype}")
            if i < 4:
                cues.append(f"LEXNEAR_{ptype}")
    for word in _WORD.findall(context.lower()):
        for ptype in sorted(index.get(word, ())):
            cues.append(f"LEXANY_{ptype}")
    return context, between or context, " ".join(cues) or "LEX_NONE"


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------

_VECTORIZER_SETTINGS = [
    ("context", dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
    ("between", dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
    ("between_chars", dict(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)),
    ("lexicon", dict(ngram_range=(1, 1), sublinear_tf=True, lowercase=False, token_pattern=r"\S+")),
]
_COLUMN = {"context": 0, "between": 1, "between_chars": 1, "lexicon": 2}


class PloverTypeModel:
    """TF-IDF features + multinomial logistic regression, serialisable to JSON."""

    def __init__(self, vectorizers: list[Any], classes: list[str], coef: np.ndarray,
                 intercept: np.ndarray, meta: dict[str, Any] | None = None):
        self.vectorizers = vectorizers
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = np.asarray(intercept, dtype=float)
        self.meta = meta or {}

    # -- training -----------------------------------------------------------
    @classmethod
    def train(cls, marked: Sequence[str], labels: Sequence[str], C: float = 10.0,
              meta: dict[str, Any] | None = None) -> "PloverTypeModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        feats = [featurize(m) for m in marked]
        vectorizers, blocks = [], []
        for name, settings in _VECTORIZER_SETTINGS:
            vec = TfidfVectorizer(**settings)
            blocks.append(vec.fit_transform([f[_COLUMN[name]] for f in feats]))
            vectorizers.append(vec)
        from scipy.sparse import hstack

        X = hstack(blocks).tocsr()
        clf = LogisticRegression(C=C, max_iter=3000)
        clf.fit(X, list(labels))
        coef = clf.coef_
        intercept = clf.intercept_
        if len(clf.classes_) == 2:  # binary LR stores one row
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
        return cls(vectorizers, [str(c) for c in clf.classes_], coef, intercept, meta)

    # -- inference ----------------------------------------------------------
    def _matrix(self, marked: Sequence[str]):
        from scipy.sparse import hstack

        feats = [featurize(m) for m in marked]
        blocks = [vec.transform([f[_COLUMN[name]] for f in feats])
                  for (name, _), vec in zip(_VECTORIZER_SETTINGS, self.vectorizers)]
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
    def from_json(cls, data: dict[str, Any]) -> "PloverTypeModel":
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizers = []
        for (name, settings), spec in zip(_VECTORIZER_SETTINGS, data["vectorizers"]):
            vec = TfidfVectorizer(vocabulary={w: i for i, w in enumerate(spec["vocabulary"])}, **settings)
            vec.idf_ = np.asarray(spec["idf"], dtype=float)
            vectorizers.append(vec)
        return cls(vectorizers, data["classes"], np.asarray(data["coef"]),
                   np.asarray(data["intercept"]), data.get("meta"))

    @classmethod
    def load(cls, path: str | Path) -> "PloverTypeModel":
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


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
