"""Cross-document event coreference: which event mentions, across outlets, are the same event.

Method (a feature-based mention-pair model, cf. Cybulska & Vossen 2015, Kenyon-Dean et
al. 2018's lemma baselines): for every pair of mentions inside one block (a topic or
story: candidate blocking, never across unrelated stories) a small logistic regression
scores the probability that both mention one event, from

* trigger head lemma equality, membership of one hand-written synonym set, shared
  5-character lemma prefix (arrest/arrested, explosion/explode);
* sentence-context TF-IDF cosine and MiniLM sentence-embedding cosine (the TF-IDF
  cosine stands in where mentions carry no ``embedding``), document TF-IDF cosine (when
  document texts are given);
* participant token overlap, time and location compatibility (match / conflict);
* same document, same mention kind, and lemma x context interactions.

Mentions are then grouped by average-link agglomerative clustering on ``1 - p`` with a
threshold tuned on the ECB+ train topics. Weights and threshold ship in
``crossread/data/event_coref_weights.json`` (trained on ECB+, CC BY 3.0).

:func:`merge_events` applies this to crossread :class:`~crossread.records.Event`
records, with the same PLOVER type, the same polarity and compatible source/target
actors as hard constraints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np

from crossread.extract.events import DATE_SOURCES
from crossread.extract.geocode import PLACE_SOURCES
from crossread.records import Actor, Article, Event, Evidence, record_id

FEATURES = (
    "lemma_eq", "synonym", "prefix_eq", "sent_cos", "doc_cos", "lemma_x_doc", "lemma_x_sent",
    "part_jacc", "time_match", "time_conflict", "loc_match", "loc_conflict", "same_doc", "same_kind",
    "emb_cos", "lemma_x_emb",
)
WEIGHTS_RESOURCE = "event_coref_weights.json"
BLOCKED = 1e6  # distance given to pairs a hard constraint forbids

_STOP = frozenset(
    "a an the of in on at to for by with from into onto over under as and or but is are was were be been being "
    "has have had do does did will would shall should can could may might must not no it its this that these "
    "those he she they we i you his her their our my your him them us who whom which what when where there "
    "than then so up out off about after before during s 's".split()
)

# irregular forms and derivations that suffix rules get wrong (WordNet-free)
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "went": "go", "gone": "go", "goes": "go", "took": "take",
    "taken": "take", "took over": "take", "made": "make", "came": "come", "gave": "give", "given": "give",
    "got": "get", "gotten": "get", "shot": "shoot", "hit": "hit", "struck": "strike", "stricken": "strike",
    "won": "win", "lost": "lose", "left": "leave", "held": "hold", "led": "lead", "sent": "send",
    "sentenced": "sentence", "began": "begin", "begun": "begin", "fell": "fall", "fallen": "fall",
    "found": "find", "fought": "fight", "bought": "buy", "sold": "sell", "met": "meet", "ran": "run",
    "died": "die", "dies": "die", "dying": "die", "death": "die", "deaths": "die", "dead": "die",
    "killed": "kill", "slain": "slay", "slew": "slay", "arrested": "arrest", "seized": "seize",
    "hurt": "hurt", "wounded": "wound", "injured": "injure", "injuries": "injure", "injury": "injure",
    "fired": "fire", "firing": "fire", "hired": "hire", "announced": "announce", "announcement": "announce",
    "released": "release", "acquired": "acquire", "acquisition": "acquire", "acquisitions": "acquire",
    "quake": "earthquake", "quakes": "earthquake", "earthquakes": "earthquake", "was": "be", "were": "be",
    "is": "be", "are": "be", "been": "be", "had": "have", "has": "have", "did": "do", "done": "do",
    "drove": "drive", "driven": "drive", "flew": "fly", "flown": "fly", "wrote": "write", "written": "write",
    "broke": "break", "broken": "break", "chose": "choose", "chosen": "choose", "rose": "rise", "risen": "rise",
    "swore": "swear", "sworn": "swear", "stole": "steal", "stolen": "steal", "caught": "catch", "thought": "think",
    "brought": "bring", "built": "build", "spent": "spend", "paid": "pay", "laid": "lay", "put": "put",
    "set": "set", "cut": "cut", "quit": "quit", "beat": "beat", "beaten": "beat", "blew": "blow", "blown": "blow",
    "bled": "bleed", "fled": "flee", "knew": "know", "known": "know", "saw": "see", "seen": "see",
    "trial": "try", "tried": "try", "tries": "try", "arrival": "arrive", "departure": "depart",
    "explosion": "explode", "explosions": "explode", "collision": "collide", "election": "elect",
    "elections": "elect", "nomination": "nominate", "appointment": "appoint", "resignation": "resign",
    "conviction": "convict", "robbery": "rob", "robberies": "rob", "murders": "murder",
    "welcomed": "welcome", "welcoming": "welcome", "welcomes": "welcome",
}

# small hand-made synonym sets for news events (the "WordNet-free lemma lists")
_SYNSETS = [
    {"kill", "slay", "murder", "assassinate", "execute", "homicide", "slaying"},
    {"die", "perish", "fatality", "fatal"},
    {"arrest", "detain", "apprehend", "capture", "nab", "custody", "seize", "bust"},
    {"earthquake", "temblor", "tremor", "quake", "shake"},
    {"fire", "sack", "dismiss", "oust", "layoff", "lay", "axe", "cut"},
    {"acquire", "buy", "purchase", "takeover", "take", "deal", "merger", "merge"},
    {"announce", "unveil", "introduce", "launch", "release", "reveal", "debut", "present"},
    {"sentence", "jail", "imprison", "prison"},
    {"attack", "assault", "raid", "strike", "bomb", "bombing", "airstrike", "shelling", "shell"},
    {"shoot", "shooting", "gunfire", "gun"},
    {"win", "victory", "beat", "defeat", "triumph", "clinch"},
    {"lose", "loss", "defeat"},
    {"injure", "wound", "hurt", "injury"},
    {"say", "tell", "state", "report", "announce", "confirm", "add", "explain", "note"},
    {"enter", "check", "admit"},
    {"crash", "collide", "accident", "wreck"},
    {"appoint", "name", "nominate", "pick", "choose", "select", "tap"},
    {"resign", "quit", "step", "leave", "depart"},
    {"elect", "vote", "ballot"},
    {"convict", "guilty", "verdict"},
    {"charge", "indict", "accuse"},
    {"rob", "steal", "theft", "heist", "burglary", "loot"},
    {"protest", "demonstrate", "rally", "march"},
    {"flee", "escape"},
    {"sign", "agree", "agreement", "accord", "treaty"},
    # diplomatic news (PLOVER's domain), not in ECB+
    {"praise", "welcome", "hail", "laud", "commend", "celebrate", "applaud", "endorse"},
    {"abstain", "abstention", "refrain"},
    {"meet", "meeting", "visit", "talks", "confer"},
    {"criticize", "criticise", "criticism", "condemn", "denounce", "slam", "blast", "disapprove", "disappointment"},
    {"cancel", "postpone", "scrap", "suspend", "withdraw"},
]
_SYNSET_OF: dict[str, int] = {}
for _i, _s in enumerate(_SYNSETS):
    for _w in _s:
        _SYNSET_OF.setdefault(_w, _i)

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")


_DATE_SOURCE_RANK = {source: rank for rank, source in enumerate(DATE_SOURCES)}  # surest first
_PLACE_SOURCE_RANK = {source: rank for rank, source in enumerate(PLACE_SOURCES)}
_PLACE_FIELDS = ("geonames_id", "place_name", "place_country", "place_admin1", "latitude", "longitude", "place_source")


def lemmatize(word: str) -> str:
    """A WordNet-free English lemma: an irregular-form table, then suffix rules."""
    w = word.lower().strip(" .,;:!?\"'`()[]")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ying", "ie"), ("sses", "ss")):
        if w.endswith(suffix):
            return w[: -len(suffix)] + repl
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            stem = w[: -len(suffix)]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                return stem[:-1]  # stopped -> stop, planned -> plan
            if stem.endswith(("at", "iz", "is", "v", "uc", "rg", "ur", "id", "ag", "ok", "ov", "ir", "ar", "as")):
                return stem + "e"  # created -> create, raised -> raise, moved -> move
            return stem
    if w.endswith("es") and w[:-2].endswith(("sh", "ch", "x", "z", "s")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def head_word(trigger: str) -> str:
    """The head of a (possibly multi-word) trigger: its first content word."""
    words = _WORD.findall(trigger)
    if not words:
        return trigger.strip().lower()
    content = [w for w in words if w.lower() not in _STOP]
    return (content or words)[0]


def _content_tokens(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    return frozenset(lemmatize(w) for w in _WORD.findall(text) if w.lower() not in _STOP)


@dataclass
class EventMention:
    """One mention of an event in one document (generic: ECB+ gold mentions, crossread Events, ...)."""

    doc_id: str
    sentence: str
    trigger: str
    lemma: str = ""  # head lemma; derived from the trigger when empty
    start: int = 0  # character span of the trigger in the document
    end: int = 0
    participants: list[str] = field(default_factory=list)
    time: str | None = None
    location: str | None = None
    embedding: Sequence[float] | None = None  # optional sentence vector (MiniLM): the emb_cos feature
    kind: str | None = None  # mention class (ECB+ tag, PLOVER type, ...)

    def __post_init__(self) -> None:
        if not self.lemma:
            self.lemma = lemmatize(head_word(self.trigger))


@dataclass
class PairModel:
    coef: np.ndarray
    intercept: float
    threshold: float
    features: tuple[str, ...] = FEATURES
    meta: dict = field(default_factory=dict)

    def proba(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict:
        return {"features": list(self.features), "coef": [round(float(c), 6) for c in self.coef],
                "intercept": round(float(self.intercept), 6), "threshold": round(float(self.threshold), 4),
                **self.meta}

    @classmethod
    def from_json(cls, data: Mapping) -> PairModel:
        features = tuple(data["features"])
        if features != FEATURES:
            raise ValueError(f"event coref weights are for features {features}, code has {FEATURES}")
        meta = {k: v for k, v in data.items() if k not in ("features", "coef", "intercept", "threshold")}
        return cls(np.asarray(data["coef"], dtype=float), float(data["intercept"]), float(data["threshold"]),
                   features, meta)


@lru_cache(maxsize=1)
def load_model() -> PairModel:
    """The shipped weights (trained on ECB+ train topics by ``crossread eval event-coref``)."""
    text = resources.files("crossread.data").joinpath(WEIGHTS_RESOURCE).read_text(encoding="utf-8")
    return PairModel.from_json(json.loads(text))


def _tfidf_cosine(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    try:
        m = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
        return (m @ m.T).toarray()
    except ValueError:  # nothing but stop words
        return np.eye(n)


def _set_overlap(sets: Sequence[frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise (jaccard, both-non-empty) matrices of token sets."""
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for tok in s:
            rows.append(i)
            cols.append(vocab.setdefault(tok, len(vocab)))
    n = len(sets)
    if not vocab:
        z = np.zeros((n, n))
        return z, z
    b = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    inter = (b @ b.T).toarray()
    size = np.asarray([len(s) for s in sets], dtype=float)
    union = size[:, None] + size[None, :] - inter
    jacc = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    both = ((size[:, None] > 0) & (size[None, :] > 0)).astype(float)
    return jacc, both


def feature_tensor(mentions: Sequence[EventMention], doc_texts: Mapping[str, str] | None = None) -> np.ndarray:
    """Features of every ordered pair, shape (n, n, len(FEATURES)); the diagonal is meaningless."""
    n = len(mentions)
    lemmas = np.asarray([m.lemma for m in mentions], dtype=object)
    lemma_eq = (lemmas[:, None] == lemmas[None, :]).astype(float)
    syn = np.asarray([_SYNSET_OF.get(m.lemma, -1 - i) for i, m in enumerate(mentions)])
    synonym = ((syn[:, None] == syn[None, :]) & (lemma_eq == 0)).astype(float)
    pre = np.asarray([m.lemma[:5] if len(m.lemma) >= 5 else f"#{i}" for i, m in enumerate(mentions)], dtype=object)
    prefix_eq = ((pre[:, None] == pre[None, :]) & (lemma_eq == 0)).astype(float)

    sents = sorted({m.sentence for m in mentions})
    idx = {s: i for i, s in enumerate(sents)}
    cos = _tfidf_cosine(sents)
    si = np.asarray([idx[m.sentence] for m in mentions], dtype=int)
    sent_cos = cos[np.ix_(si, si)]
    if all(m.embedding is not None for m in mentions) and n:
        e = np.asarray([np.asarray(m.embedding, dtype=float) for m in mentions])
        e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)
        emb_cos = np.clip(e @ e.T, 0, 1)
    else:  # no sentence vectors: the lexical context cosine stands in
        emb_cos = sent_cos
    docs = sorted({m.doc_id for m in mentions})
    didx = {d: i for i, d in enumerate(docs)}
    di = np.asarray([didx[m.doc_id] for m in mentions])
    same_doc = (di[:, None] == di[None, :]).astype(float)
    if doc_texts:
        dcos = _tfidf_cosine([doc_texts.get(d, "") for d in docs])
        doc_cos = dcos[np.ix_(di, di)]
    else:
        doc_cos = same_doc.copy()

    part_jacc, _ = _set_overlap([frozenset(t for p in m.participants for t in _content_tokens(p)) for m in mentions])
    tj, tboth = _set_overlap([_content_tokens(m.time) for m in mentions])
    lj, lboth = _set_overlap([_content_tokens(m.location) for m in mentions])
    kinds = np.asarray([m.kind or "" for m in mentions], dtype=object)
    unknown = kinds == ""
    # a mention without a kind is compatible with any kind
    same_kind = ((kinds[:, None] == kinds[None, :]) | unknown[:, None] | unknown[None, :]).astype(float)

    cols = {
        "lemma_eq": lemma_eq, "synonym": synonym, "prefix_eq": prefix_eq, "sent_cos": sent_cos,
        "doc_cos": doc_cos, "lemma_x_doc": lemma_eq * doc_cos, "lemma_x_sent": lemma_eq * sent_cos,
        "part_jacc": part_jacc, "time_match": (tj > 0).astype(float), "time_conflict": tboth * (tj == 0),
        "loc_match": (lj > 0).astype(float), "loc_conflict": lboth * (lj == 0), "same_doc": same_doc,
        "same_kind": same_kind, "emb_cos": emb_cos, "lemma_x_emb": lemma_eq * emb_cos,
    }
    return np.stack([cols[f] for f in FEATURES], axis=-1)


def pair_probabilities(mentions: Sequence[EventMention], doc_texts: Mapping[str, str] | None = None,
                       model: PairModel | None = None) -> np.ndarray:
    model = model or load_model()
    n = len(mentions)
    if n == 0:
        return np.zeros((0, 0))
    X = feature_tensor(mentions, doc_texts)
    p = model.proba(X.reshape(n * n, -1)).reshape(n, n)
    p = (p + p.T) / 2
    np.fill_diagonal(p, 1.0)
    return p


def average_link(prob: np.ndarray, threshold: float, allowed: np.ndarray | None = None) -> list[list[int]]:
    """Average-link agglomerative clustering on distance ``1 - prob``, merging while below ``1 - threshold``."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = prob.shape[0]
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    dist = 1.0 - prob
    if allowed is not None:
        dist = np.where(allowed, dist, BLOCKED)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), []).append(i)
    clusters = sorted(groups.values(), key=lambda c: c[0])
    if allowed is not None:  # the huge distance makes violations practically impossible; make them impossible
        clusters = [part for c in clusters for part in _split_forbidden(c, allowed)]
    return clusters


def _split_forbidden(cluster: list[int], allowed: np.ndarray) -> list[list[int]]:
    parts: list[list[int]] = []
    for i in cluster:
        for part in parts:
            if all(allowed[i, j] for j in part):
                part.append(i)
                break
        else:
            parts.append([i])
    return parts


def cluster_event_mentions(
    mentions: Sequence[EventMention],
    doc_texts: Mapping[str, str] | None = None,
    *,
    blocks: Sequence[str] | None = None,
    threshold: float | None = None,
    model: PairModel | None = None,
    allowed: Callable[[EventMention, EventMention], bool] | None = None,
    prior: Callable[[EventMention, EventMention], float] | None = None,
) -> list[list[int]]:
    """Cluster mentions into events; returns lists of indices into ``mentions`` (each index once).

    ``blocks`` gives each mention's topic/story: mentions of different blocks are never
    clustered together (default: one block). ``doc_texts`` maps ``doc_id`` to the document
    text for the document-similarity feature (without it, that feature is only "same
    document"). ``allowed`` is an optional hard constraint on a pair; ``prior`` an optional
    lower bound on a pair's probability (evidence the mention-pair model does not see).
    """
    model = model or load_model()
    threshold = model.threshold if threshold is None else threshold
    block_of = list(blocks) if blocks is not None else ["" for _ in mentions]
    if len(block_of) != len(mentions):
        raise ValueError("blocks must give one block per mention")
    by_block: dict[str, list[int]] = {}
    for i, b in enumerate(block_of):
        by_block.setdefault(b, []).append(i)
    clusters: list[list[int]] = []
    for members in by_block.values():
        sub = [mentions[i] for i in members]
        prob = pair_probabilities(sub, doc_texts, model)
        if prior is not None:
            for a in range(len(sub)):
                for b in range(a + 1, len(sub)):
                    floor = prior(sub[a], sub[b])
                    if floor > prob[a, b]:
                        prob[a, b] = prob[b, a] = floor
        mask = None
        if allowed is not None:
            mask = np.ones((len(sub), len(sub)), dtype=bool)
            for a in range(len(sub)):
                for b in range(a + 1, len(sub)):
                    mask[a, b] = mask[b, a] = bool(allowed(sub[a], sub[b]))
        for c in average_link(prob, threshold, mask):
            clusters.append([members[k] for k in c])
    return sorted(clusters, key=lambda c: c[0])


# --------------------------------------------------------------------------- crossread Events


ActorGroups = Mapping[str, frozenset[str]]


def actor_groups(actors: Sequence[Actor]) -> dict[str, frozenset[str]]:
    """Each actor with the actors it stands for or belongs to, for argument matching.

    One outlet writes "Haniyeh and the Iranian foreign minister praised the resolution",
    another "Hamas and the Iranian regime welcomed it": people count for the
    organisation their role names ("head of Hamas") and the state of their
    nationality, and a body for the organisation whose name it extends (the UN
    Security Council for the UN).
    """
    by_country = {a.country: a.id for a in actors if a.type == "GPE" and a.country}
    # each name's pattern compiled once: a corpus has thousands of actors, and compiling per actor
    # and name (far more patterns than re's cache holds) made this most of the linking time
    orgs = [(a.id, [(name, re.compile(rf"\b{re.escape(name)}\b"))
                    for name in dict.fromkeys(n.casefold() for n in [a.name, *a.aliases] if len(n) > 2)])
            for a in actors if a.type in ("ORG", "NORP", "GPE")]
    groups: dict[str, frozenset[str]] = {}
    for actor in actors:
        group = {actor.id}
        if actor.country and actor.type != "GPE" and actor.country in by_country:
            group.add(by_country[actor.country])
        descriptions = [d.casefold() for d in ([actor.role] if actor.role else [])]
        if actor.type == "PERSON":
            descriptions += [alias.casefold() for alias in actor.aliases if " " in alias]
        own_names = [n.casefold() for n in [actor.name, *actor.aliases]] if actor.type == "ORG" else []
        if descriptions or own_names:
            for org_id, names in orgs:
                if org_id == actor.id:
                    continue
                for name, pattern in names:
                    # the substring test only skips the regex where it cannot match
                    if any(name in d and pattern.search(d) for d in descriptions):
                        group.add(org_id)
                    elif any(own.startswith(name + " ") for own in own_names):
                        group.add(org_id)  # "united nations security council" belongs to "united nations"
        groups[actor.id] = frozenset(group)
    return groups


# Two mentions with the same kind of trigger and matching source AND target actors (through
# actor_groups) report the same event far more often than ECB+'s pair model expects: in
# diplomatic news one meeting or one vote is told many times (cf. argument-agreement
# features in Lee et al. 2012). Such pairs get at least this probability.
ARGUMENT_MATCH_P = 0.8


@lru_cache(maxsize=4096)
def trigger_classes(trigger: str | None) -> frozenset[str]:
    """Lemmas and synonym-set ids of a trigger's content words ("decision to abstain" -> abstain, ...)."""
    if not trigger:
        return frozenset()
    lemmas = _content_tokens(trigger)
    return frozenset(lemmas | {f"syn:{_SYNSET_OF[w]}" for w in lemmas if w in _SYNSET_OF})


def arguments_match(a: Event, b: Event, groups: ActorGroups | None = None) -> bool:
    """Same kind of trigger, and both events name a source and a target that match."""
    return (bool(a.source and a.target and b.source and b.target)
            and bool(trigger_classes(a.trigger) & trigger_classes(b.trigger))
            and events_compatible(a, b, groups))


def _compatible_actors(a: Sequence[str], b: Sequence[str], groups: ActorGroups | None = None) -> bool:
    if not a or not b:
        return True
    if groups is None:
        return bool(set(a) & set(b))
    # one side's affiliations against the other side's own actors: a person matches their
    # organisation or state, but two people of one state do not match each other
    expand = lambda ids: set().union(*(groups.get(i, frozenset([i])) for i in ids))  # noqa: E731
    return bool(expand(a) & set(b)) or bool(set(a) & expand(b))


def events_compatible(a: Event, b: Event, groups: ActorGroups | None = None) -> bool:
    """The hard constraints of :func:`merge_events`: same PLOVER type and polarity, compatible
    actors (sharing an actor, or with ``groups`` an actor's organisation or state)."""
    return (a.plover == b.plover and a.negated == b.negated
            and _compatible_actors(a.source, b.source, groups) and _compatible_actors(a.target, b.target, groups))


def _event_mention(event: Event) -> EventMention:
    ev = event.evidence[0] if event.evidence else None
    return EventMention(doc_id=ev.article_id if ev else event.id, sentence=ev.sentence if ev else event.trigger,
                        trigger=event.trigger, start=ev.start if ev else 0, end=ev.end if ev else 0,
                        participants=list(event.source) + list(event.target), time=event.date,
                        location=event.location, kind=event.plover)


def _unique(items):
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def _merge_group(group: Sequence[Event], outlet_of: Mapping[str, str | None]) -> Event:
    if len(group) == 1:
        return group[0]
    first = group[0]
    evidence: list[Evidence] = []
    seen = set()
    for e in group:
        for ev in e.evidence:
            key = (ev.article_id, ev.start, ev.end)
            if key not in seen:
                seen.add(key)
                evidence.append(ev)
    outlets = _unique([o for e in group for o in e.outlets]
                      + [outlet_of.get(ev.article_id) for ev in evidence if outlet_of.get(ev.article_id)])
    # the date the text gives over one read from a publication date, a day over a month, then the earliest
    # the place its surest report gives (clause before sentence, dateline, article), as for the date
    placed = min((e for e in group if e.geonames_id is not None),
                 key=lambda e: _PLACE_SOURCE_RANK.get(e.place_source or "", len(_PLACE_SOURCE_RANK)), default=None)
    dated = sorted((_DATE_SOURCE_RANK.get(e.date_source, len(_DATE_SOURCE_RANK)), -len(e.date), e.date, e.date_source)
                   for e in group if e.date)
    return Event(
        id=record_id("event", *sorted(e.id for e in group)), plover=first.plover, mode=first.mode,
        cameo=first.cameo, source=_unique(a for e in group for a in e.source),
        target=_unique(a for e in group for a in e.target), trigger=first.trigger, negated=first.negated,
        modality=first.modality, date=dated[0][2] if dated else None, date_source=dated[0][3] if dated else None,
        location=next((e.location for e in group if e.location), None), evidence=evidence, outlets=outlets,
        independent_sources=max(e.independent_sources for e in group),
        # the type as the surest report gives it (the merged event takes the first report's type)
        confidence=max((e.confidence for e in group if e.plover == first.plover and e.confidence is not None),
                       default=None),
        **({name: getattr(placed, name) for name in _PLACE_FIELDS} if placed is not None else {}),
    )


def merge_events(
    events: Sequence[Event],
    articles: Sequence[Article],
    *,
    story_of: Mapping[str, str] | None = None,
    threshold: float | None = None,
    actors: Sequence[Actor] | None = None,
    embed: Callable[[list[str]], np.ndarray] | None = None,
) -> list[Event]:
    """Merge Events that report the same real-world event, across articles.

    Blocking: events are only compared within one story (``story_of`` maps article id to
    story id; by default :func:`crossread.link.stories.cluster_stories` is run on
    ``articles``). Hard constraints: same PLOVER type, same ``negated``, and overlapping
    source actors and target actors where both sides name them (with ``actors``,
    overlapping through :func:`actor_groups`). A merged event gets a
    deterministic id from its members' ids, the union of their evidence, actors and
    outlets (evidence articles' outlets included) and the earliest date; an event that
    merges with nothing is returned unchanged. Output order follows the first member's
    input order. ``independent_sources`` is carried over (max), not recomputed.
    """
    events = list(events)
    if not events:
        return []
    by_id = {a.id: a for a in articles}
    if story_of is None:
        from crossread.link.stories import cluster_stories

        story_of = {aid: s.id for s in cluster_stories(articles) for aid in s.article_ids}
    mentions = [_event_mention(e) for e in events]
    # sentence vectors only for weights trained with them: the emb_cos weight of a lexical-only
    # model was learnt on TF-IDF cosines, whose scale embedding cosines do not share
    if embed is not None and load_model().meta.get("embeddings", "none") != "none":
        for mention, vector in zip(mentions, embed([m.sentence for m in mentions])):
            mention.embedding = vector
    blocks = [f"{e.plover}|{story_of.get(m.doc_id, m.doc_id)}" for e, m in zip(events, mentions)]
    doc_texts = {aid: a.text for aid, a in by_id.items()}
    index = {id(m): i for i, m in enumerate(mentions)}

    groups = actor_groups(actors) if actors else None

    def allowed(a: EventMention, b: EventMention) -> bool:
        return events_compatible(events[index[id(a)]], events[index[id(b)]], groups)

    def prior(a: EventMention, b: EventMention) -> float:
        return ARGUMENT_MATCH_P if arguments_match(events[index[id(a)]], events[index[id(b)]], groups) else 0.0

    clusters = cluster_event_mentions(mentions, doc_texts, blocks=blocks, threshold=threshold, allowed=allowed,
                                      prior=prior)
    outlet_of = {aid: a.outlet for aid, a in by_id.items()}
    return [_merge_group([events[i] for i in sorted(c)], outlet_of) for c in sorted(clusters, key=min)]
