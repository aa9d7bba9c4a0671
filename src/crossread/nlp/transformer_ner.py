"""``crossread_transformer_ner``: named entities from all-MiniLM-L6-v2 fine-tuned for token classification.

The statistical NER of the shipped ``en_crossread`` pipeline (since 2026-11-24, sixth update; before, it
was the opt-in ``en_crossread_accurate``, a name kept as an alias). It decides the entities, then the
gazetteer layer relabels, completes and trims them. The shipped model keeps the bottom 3 of MiniLM's 6
layers, distilled from a fine-tuned 6-layer teacher (:mod:`crossread.nlp.transformer_ner_train`), so
that the pipeline runs as fast as the CNN NER it replaced (docs/EVALUATION.md, "Transformer NER"
and "Sixth update"; docs/BENCHMARKS.md).

Method: BERT-style token classification (Devlin et al. 2019, "BERT", §5.3): each word is split into word
pieces, the first piece of a word carries the word's BIO tag, the others are ignored. Decoding is a Viterbi
pass over the first pieces' log-probabilities under the BIO constraint (``I-X`` only after ``B-X`` or
``I-X``), so every span is well-formed. The model reads segments of whole consecutive sentences packed up
to 126 pieces (:meth:`WordPieceWindows.pack`), in training and at run time alike: neighbouring sentences
are context, and a wrong predicted boundary rarely cuts a name. A longer sentence is cut at word boundaries.

Case: all-MiniLM-L6-v2 is uncased (its tokenizer lower-cases), which hides the strongest single cue
for names. Each piece's segment id (``token_type_ids``, constant in a one-sentence input) carries
instead the case of the word it belongs to (:func:`case_type`: lower, Title, UPPER, iNner); the
segment-embedding table is grown from 2 to 4 rows at fine-tuning, every row starting as the
pretrained row 0, so the untrained model behaves exactly as the original.

Weights: the component's folder in the pipeline (``crossread/models/en_crossread/crossread_transformer_ner/``:
``model_int8.onnx``, ``labels.json``, model card), written by ``nlp.to_disk`` like any spaCy component's; the
tokenizer is the embedding model's (``crossread/models/minilm_onnx/tokenizer.json``, same vocabulary).
Training: :mod:`crossread.nlp.transformer_ner_train` (``crossread models train-accurate-ner``).
"""

from __future__ import annotations

import functools
import itertools
import json
import multiprocessing
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from crossread.nlp.compact import unpack_int4_blocks
from crossread.nlp.crf_ner import LazyRuntime, set_entities
from crossread.nlp.onnx_export import INT4_TABLE_FILE, INT4_TABLE_INPUT  # constants only: onnx not needed

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
MODEL_DIR = MODELS_DIR / "en_crossread" / "crossread_transformer_ner"  # the shipped pipeline's copy
TOKENIZER_PATH = MODELS_DIR / "minilm_onnx" / "tokenizer.json"
ACCURATE_PIPELINE = "en_crossread_accurate"  # its opt-in name in the fourth and fifth updates: now the default
MAX_PIECES = 126  # word pieces per window, plus [CLS] and [SEP]: 128, the length the model was trained at
CASE_TYPES = 4
# windows per onnxruntime call, never from two texts: dynamic int8 quantises each call's activations with
# one scale, so windows that share a call change each other's scores, and a text's entities must not
# depend on the other texts of its batch (reruns must reproduce them). A few windows of similar length
# keep the activations in the CPU cache: measured on EWT test, 1 thread, 4 windows 0.80 s, 8 0.84 s,
# 16 0.87 s, 32 0.94 s; one window per call is 3 % slower in the pipeline (docs/BENCHMARKS.md)
RUN_BATCH = 4


@functools.lru_cache(maxsize=1 << 16)  # words repeat (Zipf): most calls are hits
def case_type(word: str) -> int:
    """0: no capital letter (also digits, punctuation); 1: capitalised ("Hamas", "I"); 2: all capitals,
    two letters or more ("NATO"); 3: a capital inside a word starting lower-case ("iPhone")."""
    letters = [c for c in word if c.isalpha()]
    if not any(c.isupper() for c in letters):
        return 0
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return 2
    return 1 if word[:1].isupper() else 3


_MODEL_FILES = ("model_int8.onnx", "model_fp32.onnx")  # first present wins
# what a model folder holds: the graph, its word-embedding table in int4 (fed to the graph as an input),
# the labels, how the model was made and its card
_CARRIED_FILES = (*_MODEL_FILES, INT4_TABLE_FILE, "labels.json", "training.json", "MODEL_CARD.md")


def copy_model(source: Path, dest: Path) -> Path:
    """Copy the files of an exported model (those present) from ``source`` into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in _CARRIED_FILES:
        if (source / name).exists():
            shutil.copy2(source / name, dest / name)
    return dest


def model_available(model_dir: Path = MODEL_DIR) -> bool:
    return (model_dir / "labels.json").exists() and any((model_dir / f).exists() for f in _MODEL_FILES)


def allowed_transitions(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(start, transition) masks of the BIO scheme: True where allowed. ``I-X`` may only follow ``B-X`` or
    ``I-X`` and never starts a sentence."""
    n = len(labels)
    start = np.array([not lab.startswith("I-") for lab in labels])
    trans = np.ones((n, n), dtype=bool)
    for j, lab in enumerate(labels):
        if lab.startswith("I-"):
            for i, prev in enumerate(labels):
                trans[i, j] = prev[2:] == lab[2:] and prev[:2] in ("B-", "I-")
    return start, trans


def viterbi_bio(log_probs: np.ndarray, start: np.ndarray, trans: np.ndarray) -> list[int]:
    """Best label sequence of ``log_probs`` (words x labels) among the BIO-valid ones."""
    n_words, _ = log_probs.shape
    if n_words == 0:
        return []
    greedy = log_probs.argmax(axis=1)
    if start[greedy[0]] and trans[greedy[:-1], greedy[1:]].all():
        return greedy.tolist()  # the unconstrained best path is valid, hence also the constrained best
    forbid = np.float32(-1e9)
    trans_score = np.where(trans, np.float32(0.0), forbid)
    score = log_probs[0] + np.where(start, np.float32(0.0), forbid)
    back = np.zeros(log_probs.shape, dtype=np.int64)
    for t in range(1, n_words):
        candidates = score[:, None] + trans_score  # previous x current
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[t]
    best = [int(score.argmax())]
    for t in range(n_words - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return best[::-1]


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def first_pieces(word_ids: Sequence[int | None]) -> Iterator[tuple[int, int]]:
    """(piece position, word index) of each word's first piece: where a word's tag is read and trained."""
    previous = None
    for p, w in enumerate(word_ids):
        if w is not None and w != previous:
            yield p, w
        previous = w


def pad_windows(windows: Sequence[tuple[Sequence[int], Sequence[int]]]) -> dict[str, np.ndarray]:
    """Model inputs for windows given as (piece ids, segment ids), padded to the longest."""
    width = max(len(ids) for ids, _ in windows)
    ids = np.zeros((len(windows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for r, (piece_ids, segment_ids) in enumerate(windows):
        ids[r, :len(piece_ids)] = piece_ids
        mask[r, :len(piece_ids)] = 1
        types[r, :len(segment_ids)] = segment_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def word_log_probs(windows: "WordPieceWindows", sentences: Sequence[Sequence[str]],
                   logits_of: Callable[[dict[str, np.ndarray]], np.ndarray], n_labels: int,
                   batch_size: int = 32, groups: Sequence[int] | None = None) -> list[np.ndarray]:
    """Per sentence, an array (words x labels) of the model's log-probabilities at each word's first
    piece; a word without pieces (whitespace) gets 0 for O (label 0) and -1e4 for the others.
    ``logits_of`` runs the model on :func:`pad_windows` inputs (onnxruntime at run time, torch in
    training), batches of similar length; with ``groups`` (one id per sentence, e.g. its document), a
    batch never mixes groups, so a group's scores do not depend on the others."""
    encoded = [(k, win) for k, words in enumerate(sentences) for win in windows(words)]
    out = [np.full((len(words), n_labels), -1e4, dtype=np.float32) for words in sentences]
    for scores in out:
        scores[:, 0] = 0.0  # "O" unless a piece says otherwise
    group = groups if groups is not None else [0] * len(sentences)
    order = sorted(range(len(encoded)), key=lambda i: (group[encoded[i][0]], len(encoded[i][1][0])))
    batches = [members[b:b + batch_size]
               for _, grouped in itertools.groupby(order, key=lambda i: group[encoded[i][0]])
               for members in [list(grouped)] for b in range(0, len(members), batch_size)]
    for batch in batches:
        chunk = [encoded[i] for i in batch]
        feed = pad_windows([(ids, cases) for _, (ids, _, _, cases) in chunk])
        log_probs = _log_softmax(np.asarray(logits_of(feed), dtype=np.float32))
        for r, (k, (_, word_ids, offset, _)) in enumerate(chunk):
            found = np.asarray(list(first_pieces(word_ids)), dtype=np.int64).reshape(-1, 2)
            out[k][offset + found[:, 1]] = log_probs[r, found[:, 0]]
    return out


class WordPieceWindows:
    """Cut word sequences into windows of at most :data:`MAX_PIECES` word pieces at word boundaries and
    encode them; shared by training and tagging so both see the same windows.

    Each word is split into pieces on its own (what the tokenizer does with pre-tokenized input) and
    the split is cached: words repeat, and a dictionary hit is much cheaper than the tokenizer call,
    which was a tenth of the component's time."""

    CACHE_WORDS = 200_000  # the cache is cleared when it holds more words than this

    def __init__(self, tokenizer_path: Path = TOKENIZER_PATH, max_pieces: int = MAX_PIECES,
                 case_ids: bool = True) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.max_pieces = max_pieces
        self.case_ids = case_ids  # False: every segment id 0, as the original model was trained
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")
        self._pieces: dict[str, list[int]] = {}

    def pieces(self, word: str) -> list[int]:
        """The word's piece ids (none for whitespace)."""
        found = self._pieces.get(word)
        if found is None:
            if len(self._pieces) >= self.CACHE_WORDS:
                self._pieces.clear()
            found = self._pieces[word] = self.tokenizer.encode([word], is_pretokenized=True,
                                                               add_special_tokens=False).ids
        return found

    def encode(self, words: Sequence[str]) -> tuple[list[int], list[int | None]]:
        """(piece ids with [CLS]/[SEP], word index of each piece or None): the tokenizer's encoding of
        ``words`` as pre-tokenized input."""
        ids, word_ids = [self.cls_id], [None]
        for w, word in enumerate(words):
            found = self.pieces(word)
            ids.extend(found)
            word_ids.extend([w] * len(found))
        ids.append(self.sep_id)
        word_ids.append(None)
        return ids, word_ids

    def pack(self, words: Sequence[str], sentence_starts: Sequence[int]) -> list[tuple[int, int]]:
        """Consecutive sentences joined into segments of at most ``max_pieces`` pieces: [(first word, end
        word)]. A sentence longer than that is a segment of its own (``__call__`` cuts it). Packing gives
        the model the neighbouring sentences as context, and a wrong sentence boundary rarely cuts a name."""
        if not words:
            return []
        pieces_per_word = [len(self.pieces(word)) for word in words]
        bounds = sorted({0, *(s for s in sentence_starts if 0 < s < len(words))}) + [len(words)]
        segments: list[tuple[int, int]] = []
        start, used = 0, 0
        for first, end in zip(bounds, bounds[1:]):
            size = sum(pieces_per_word[first:end])
            if first > start and used + size > self.max_pieces:
                segments.append((start, first))
                start, used = first, 0
            used += size
        segments.append((start, len(words)))
        return segments

    def __call__(self, words: Sequence[str]) -> list[tuple[list[int], list[int | None], int, list[int]]]:
        """[(piece ids with [CLS]/[SEP], word index of each piece within the window or None, offset of
        the window's first word, case type of each piece's word)]. Words without pieces (whitespace
        tokens) get no piece and so tag O."""
        cases = [case_type(word) if self.case_ids else 0 for word in words]
        return [(ids, word_ids, offset, [0 if w is None else cases[offset + w] for w in word_ids])
                for ids, word_ids, offset in self._windows(words)]

    def _windows(self, words: Sequence[str]) -> list[tuple[list[int], list[int | None], int]]:
        if not words:
            return []
        ids, word_ids = self.encode(words)
        if len(ids) <= self.max_pieces + 2:
            return [(ids, word_ids, 0)]
        pieces_per_word = [len(self.pieces(word)) for word in words]
        windows = []
        start = 0
        while start < len(words):
            end, used = start, 0
            while end < len(words) and (used + pieces_per_word[end] <= self.max_pieces or end == start):
                used += pieces_per_word[end]
                end += 1
            ids, wids = self.encode(words[start:end])
            if len(ids) > self.max_pieces + 2:  # one word longer than the window: keep its first pieces
                ids, wids = ids[: self.max_pieces + 1] + ids[-1:], wids[: self.max_pieces + 1] + wids[-1:]
            windows.append((ids, wids, start))
            start = end
        return windows


@Language.factory(
    "crossread_transformer_ner",
    default_config={"model_dir": None, "batch_size": RUN_BATCH, "threads": 0, "propagate": False, "merge": False},
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
)
def make_transformer_ner(nlp: Language, name: str, model_dir: str | None, batch_size: int, threads: int,
                         propagate: bool, merge: bool) -> "TransformerNer":
    return TransformerNer(nlp, name, model_dir=model_dir, batch_size=batch_size, threads=threads,
                          propagate=propagate, merge=merge)


class TransformerNer(LazyRuntime):
    """Pipeline component: replaces ``doc.ents`` with the fine-tuned MiniLM's entities, over segments of
    whole consecutive sentences (``doc.sents`` when set) packed up to the window size.

    ``merge`` (join adjacent PERSON entities) and ``propagate`` (tag a name at its other occurrences) are
    the CRF layer's repairs; off by default here, since the model reads across sentence boundaries
    itself and both cost UNER dev F (docs/EVALUATION.md, "Transformer NER").

    Weights: ``model_dir`` when given (a model exported by ``crossread models train-accurate-ner``), else
    the shipped model; ``from_disk`` then reads them from the component's folder of the loaded pipeline,
    which ``to_disk`` fills, so a saved pipeline loads on its own."""

    _TRANSIENT = ("_session", "_windows", "_table")

    def __init__(self, nlp: Language, name: str, *, model_dir: str | None = None, batch_size: int = RUN_BATCH,
                 threads: int = 0, propagate: bool = False, merge: bool = False) -> None:
        self.nlp = nlp
        self.name = name
        self.model_dir = Path(model_dir) if model_dir else MODEL_DIR
        self.batch_size = batch_size
        self.threads = threads
        self.propagate = propagate
        self.merge = merge
        self._session = None
        self._windows: WordPieceWindows | None = None
        self._table: np.ndarray | None = None
        self._lock = threading.Lock()
        self.labels: list[str] = []
        self.case_types = False
        if model_available(self.model_dir):
            self._read_labels()
        elif model_dir:  # the default may be missing while a saved pipeline's own copy is about to load
            raise self._missing()

    def _missing(self) -> FileNotFoundError:
        return FileNotFoundError(
            f"no transformer NER model in {self.model_dir} (expected labels.json and model_int8.onnx; "
            "train one with `crossread models train-accurate-ner`)")

    def _read_labels(self) -> None:
        meta = json.loads((self.model_dir / "labels.json").read_text(encoding="utf8"))
        self.labels = meta["labels"]
        self.case_types = bool(meta.get("case_types"))  # segment ids carry the words' case
        self._start, self._trans = allowed_transitions(self.labels)

    def use_model(self, model_dir: Path) -> None:
        """Decide entities with the model exported in ``model_dir`` from now on."""
        self.model_dir = Path(model_dir)
        if not model_available(self.model_dir):
            raise self._missing()
        self._read_labels()
        with self._lock:
            self._session = None

    def _ready(self) -> None:
        import onnxruntime as ort

        if not model_available(self.model_dir):
            raise self._missing()
        path = next(self.model_dir / f for f in _MODEL_FILES if (self.model_dir / f).exists())
        options = ort.SessionOptions()
        threads = self.threads or int(os.environ.get("CROSSREAD_NER_THREADS", "0"))
        if not threads and multiprocessing.parent_process() is not None:
            threads = 1  # a worker of nlp.pipe(n_process=N): N workers already share the cores
        if threads:
            options.intra_op_num_threads = threads
        # idle intra-op threads sleep instead of spinning: the CNN components run between calls on the
        # same cores (2-process EWT speed +2 %, docs/BENCHMARKS.md)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._table = None
        if INT4_TABLE_INPUT in self._input_names:
            table_file = self.model_dir / INT4_TABLE_FILE
            if not table_file.exists():
                raise FileNotFoundError(f"{path} reads its word embeddings from {table_file}, which is missing")
            with np.load(table_file) as stored:
                self._table = unpack_int4_blocks(stored["packed"], stored["scale"])
        self._windows = WordPieceWindows(case_ids=self.case_types)

    # ----------------------------------------------------------------------------------- tagging
    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._tag_docs(batch)
                batch = []
        if batch:
            yield from self._tag_docs(batch)

    def _ensure_ready(self) -> None:
        with self._lock:
            if self._session is None:
                self._ready()

    def _logits(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        if "token_type_ids" not in self._input_names:
            feed = {k: v for k, v in feed.items() if k != "token_type_ids"}
        if self._table is not None:
            feed = {**feed, INT4_TABLE_INPUT: self._table}  # read in place, not copied
        return self._session.run(None, feed)[0]

    def word_log_probs(self, sentences: Sequence[Sequence[str]],
                       groups: Sequence[int] | None = None) -> list[np.ndarray]:
        """:func:`word_log_probs` of this component's model; sentences of different ``groups`` (default:
        each sentence its own) never share an onnxruntime call."""
        self._ensure_ready()
        if groups is None:
            groups = range(len(sentences))
        return word_log_probs(self._windows, sentences, self._logits, len(self.labels), self.batch_size,
                              groups=groups)

    def tag_words(self, sentences: Sequence[Sequence[str]],
                  groups: Sequence[int] | None = None) -> list[list[str]]:
        """BIO tags for each word of each sentence (or segment of sentences)."""
        return [[self.labels[i] for i in viterbi_bio(scores, self._start, self._trans)]
                for scores in self.word_log_probs(sentences, groups)]

    def _tag_docs(self, docs: list[Doc]) -> list[Doc]:
        from crossread.nlp.convert import iob_spans

        self._ensure_ready()
        spans = []  # (doc index, first token of the segment)
        sentences = []
        for d, doc in enumerate(docs):
            words = [t.text for t in doc]
            starts = [s.start for s in doc.sents] if doc.has_annotation("SENT_START") else [0]
            for start, end in self._windows.pack(words, starts):
                spans.append((d, start))
                sentences.append(words[start:end])
        ents: list[list[Span]] = [[] for _ in docs]
        # a document's windows share onnxruntime calls, never with another document's
        for (d, off), tags in zip(spans, self.tag_words(sentences, groups=[d for d, _ in spans])):
            for start, end, label in iob_spans(tags):
                ents[d].append(Span(docs[d], off + start, off + end, label=label))
        for doc, found in zip(docs, ents):
            set_entities(doc, found, merge=self.merge, propagate=self.propagate)
        return docs

    # ---------------------------------------------------------------------------- serialisation
    def to_disk(self, path, exclude=tuple()) -> None:
        """Copy the model files into the component's folder of the saved pipeline."""
        path = Path(path)
        if path.resolve() != self.model_dir.resolve():
            copy_model(self.model_dir, path)

    def from_disk(self, path, exclude=tuple()) -> "TransformerNer":
        path = Path(path)
        if model_available(path):
            self.use_model(path)
        elif not self.labels:
            raise self._missing()
        return self

    def initialize(self, get_examples=None, nlp=None) -> None:
        """Trained by :mod:`crossread.nlp.transformer_ner_train`, not by spaCy's training loop."""


def add_transformer_ner(nlp: Language, model_dir: Path | None = None, *, replace_cnn: bool = True) -> Language:
    """Put ``crossread_transformer_ner`` where the statistical NER decides entities: before the gazetteer
    layer (which relabels, expands and completes them). With ``replace_cnn`` the CNN ``ner`` and the CRF
    layer, whose entities it overwrites, are removed (faster). How the shipped pipeline is assembled from
    a trained CNN pipeline (:func:`crossread.nlp.train.package`)."""
    config = {"model_dir": str(model_dir) if model_dir else None}
    if replace_cnn:
        for name in ("crossread_crf_ner", "ner"):
            if name in nlp.pipe_names:
                nlp.remove_pipe(name)
    if "crossread_gazetteer" in nlp.pipe_names:
        nlp.add_pipe("crossread_transformer_ner", before="crossread_gazetteer", config=config)
        # the rule layer drops all-lowercase entities, a guard against the CNN's junk; the transformer's
        # lowercase names ("jill allen" in e-mail) are mostly right (+1.1 UNER dev F when kept). Replaced
        # through the config, so that a saved copy of this pipeline keeps the setting.
        gazetteer = nlp.get_pipe("crossread_gazetteer")
        config = {k: getattr(gazetteer, k) for k in ("relabel", "add", "expand")}
        nlp.replace_pipe("crossread_gazetteer", "crossread_gazetteer", config={**config, "drop_lowercase": False})
        nlp.get_pipe("crossread_gazetteer").set_table(gazetteer.table)
    else:
        nlp.add_pipe("crossread_transformer_ner", config=config)
    return nlp
