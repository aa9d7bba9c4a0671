"""Compact at-rest storage for the shipped pipeline's two big float tables.

The static word vectors (39k × 80) and the tok2vec hash-embedding tables (20k × 96) are most of the
pipeline's size. Both are stored in reduced precision on disk and restored to float32 when loaded, so
every computation runs exactly as spaCy runs it:

- :class:`QuantizedVectors` (``[nlp.vectors] @vectors = "crossread.QuantizedVectors.v1"``): the vectors
  table as int8 with one absmax scale per row (symmetric linear quantisation, as in Jacob et al. 2018,
  "Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference"),
  4× smaller; the rounding error is at most half a step, 1/254 of the row's largest value.
- ``crossread.MultiHashEmbed.v1``: spaCy's ``MultiHashEmbed.v2``, node for node, whose hash tables may
  be stored as float16 (2× smaller) and are cast back to float32 the first time they are used.

The transformer NER's word-embedding table is stored the same way, in int4 blocks beside its ONNX
model (:func:`pack_int4_blocks`, :func:`unpack_int4_blocks`; :mod:`crossread.nlp.onnx_export`).

Both are registered through entry points (``spacy_vectors``, ``spacy_architectures``), so a plain
``spacy.load()`` of the shipped folder works wherever crossread is installed. Their effect on the
scores is measured in docs/EVALUATION.md ("Compact storage").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
from spacy.util import registry
from spacy.vectors import Vectors
from thinc.api import Model

QUANTIZED_FILE = "vectors.int8.npy"
SCALES_FILE = "vectors.scale.npy"


def quantize_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantisation with one scale per row: ``table ≈ q * scale[:, None]``."""
    table = np.asarray(table, dtype=np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0  # an all-zero row stays zero
    q = np.clip(np.rint(table / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def dequantize_rows(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return q.astype(np.float32) * scale[:, None]


def pack_int4_blocks(table: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int4 with one float32 scale per ``block`` values of a row, two values per byte (even
    column in the low nibble): ``packed`` (rows × width/2, uint8), ``scale`` (rows × width/block)."""
    rows, width = table.shape
    blocks = np.asarray(table, dtype=np.float32).reshape(rows, width // block, block)
    scale = np.maximum(np.abs(blocks).max(axis=2), 1e-8) / 7.0
    q = np.clip(np.round(blocks / scale[:, :, None]), -8, 7).astype(np.int8).reshape(rows, width)
    packed = ((q[:, 0::2] & 0x0F) | ((q[:, 1::2] & 0x0F) << 4)).astype(np.uint8)
    return packed, scale.astype(np.float32)


def unpack_int4_blocks(packed: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The float32 table of :func:`pack_int4_blocks`, built in place (peak ≈ 1.5× the table)."""
    rows, half = packed.shape
    table = np.empty((rows, 2 * half), dtype=np.float32)
    for column, nibbles in ((0, packed & 0x0F), (1, packed >> 4)):
        signed = nibbles.astype(np.int8)
        signed[signed >= 8] -= 16
        table[:, column::2] = signed
    table.reshape(rows, scale.shape[1], -1)[...] *= scale[:, :, None]
    return table


class QuantizedVectors(Vectors):
    """spaCy ``Vectors`` written to disk as int8 rows + float32 row scales, float32 in memory.

    ``to_bytes``/``from_bytes`` (pickling, ``nlp.pipe(n_process=N)``) keep spaCy's float32 format; a
    folder written by plain ``Vectors`` (a ``vectors`` file) still loads."""

    def to_disk(self, path, *, exclude=tuple()) -> None:
        super().to_disk(path, exclude=exclude)
        if "vectors" in exclude:
            return
        path = Path(path)
        q, scale = quantize_rows(self.data)
        np.save(path / QUANTIZED_FILE, q, allow_pickle=False)
        np.save(path / SCALES_FILE, scale, allow_pickle=False)
        (path / "vectors").unlink()  # spaCy's float32 table: the int8 one replaces it

    def from_disk(self, path, *, exclude=tuple()) -> "QuantizedVectors":
        path = Path(path)
        if "vectors" not in exclude and (path / QUANTIZED_FILE).exists() and not (path / "vectors").exists():
            # set before the keys load (spaCy marks the rows the keys use as taken); with no float32
            # "vectors" file, spaCy's loader keeps this table
            self.data = dequantize_rows(np.load(path / QUANTIZED_FILE), np.load(path / SCALES_FILE))
        super().from_disk(path, exclude=exclude)
        return self


@registry.vectors("crossread.QuantizedVectors.v1")
def create_quantized_vectors() -> Callable:
    def vectors_factory(vocab) -> QuantizedVectors:
        return QuantizedVectors(strings=vocab.strings)

    return vectors_factory


def _float32_on_first_use(forward: Callable, model: Model, ids, is_train: bool):
    table = model.get_param("E")
    if table.dtype != np.float32:  # stored as float16: thinc's gather_add needs float32
        model.set_param("E", table.astype(np.float32))
    return forward(model, ids, is_train)


@registry.architectures("crossread.MultiHashEmbed.v1")
def half_precision_multi_hash_embed(width: int, attrs: list, rows: list[int],
                                    include_static_vectors: bool) -> Model:
    """spaCy's ``MultiHashEmbed.v2`` (same layers, same weights file layout) whose hash tables may be
    loaded as float16: see :func:`halve_hash_tables`."""
    from spacy.ml.models.tok2vec import MultiHashEmbed

    model = MultiHashEmbed(width, attrs, rows, include_static_vectors)
    for node in model.walk():
        if node.name == "hashembed":
            # thinc has no load hook; wrapping the layer's forward keeps the node structure (and so the
            # weights file) identical to spaCy's. A partial, not a closure: pipelines are pickled for
            # spawn-mode worker processes
            node._func = functools.partial(_float32_on_first_use, node._func)
    return model


def halve_hash_tables(nlp) -> int:
    """Switch the pipeline's tok2vec embedding to ``crossread.MultiHashEmbed.v1`` (config) and cast its
    hash tables to float16, so that ``nlp.to_disk`` writes them at half size. Returns the bytes saved."""
    tok2vec = nlp.get_pipe("tok2vec")
    embed = nlp.config["components"]["tok2vec"]["model"]["embed"]
    if embed.get("@architectures") not in ("spacy.MultiHashEmbed.v2", "crossread.MultiHashEmbed.v1"):
        raise ValueError(f"tok2vec embedding {embed.get('@architectures')!r} is not a MultiHashEmbed")
    embed["@architectures"] = "crossread.MultiHashEmbed.v1"
    saved = 0
    for node in tok2vec.model.walk():
        if node.name == "hashembed" and node.has_param("E"):
            table = node.get_param("E")
            if table.dtype == np.float32:
                node.set_param("E", table.astype(np.float16))
                saved += table.nbytes // 2
    return saved


def quantize_vectors(nlp) -> int:
    """Replace the vocabulary's vectors by :class:`QuantizedVectors` (config and object), so that
    ``nlp.to_disk`` writes them as int8. Returns the bytes saved."""
    old = nlp.vocab.vectors
    if not old.shape[0]:
        return 0
    vectors = QuantizedVectors(strings=nlp.vocab.strings, data=np.asarray(old.data, dtype=np.float32),
                               name=old.name)
    for key, row in old.key2row.items():
        vectors.add(key, row=row)
    nlp.vocab.vectors = vectors
    nlp.config["nlp"]["vectors"] = {"@vectors": "crossread.QuantizedVectors.v1"}
    return old.data.nbytes - old.data.nbytes // 4 - old.shape[0] * 4
