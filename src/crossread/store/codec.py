"""Binary forms of vectors, and sentence offsets for evidence, as the store keeps them."""

from __future__ import annotations

import numpy as np

DENSE_DTYPE = np.dtype("<f2")  # float16: a 384-d sentence vector in 768 bytes, cosines good to ~1e-3
_INDEX_DTYPE = np.dtype("<i4")


def pack_dense(vector: np.ndarray) -> bytes:
    """A dense vector as little-endian float16 bytes."""
    return np.asarray(vector, dtype=DENSE_DTYPE).tobytes()


def unpack_dense(blob: bytes) -> np.ndarray:
    """Inverse of :func:`pack_dense`, as float32."""
    return np.frombuffer(blob, dtype=DENSE_DTYPE).astype(np.float32)


def round_dense(vector: np.ndarray) -> np.ndarray:
    """The vector exactly as the store will return it, so a fresh vector and a stored one give the same
    decisions (an incremental run then equals a full one)."""
    return np.asarray(vector, dtype=DENSE_DTYPE).astype(np.float32)


def pack_sparse(indices: np.ndarray, values: np.ndarray) -> bytes:
    """A sparse vector: a uint32 count, the int32 indices, then float16 values."""
    indices = np.asarray(indices, dtype=_INDEX_DTYPE)
    values = np.asarray(values, dtype=DENSE_DTYPE)
    if indices.shape != values.shape:
        raise ValueError("indices and values differ in length")
    return np.asarray([indices.size], dtype="<u4").tobytes() + indices.tobytes() + values.tobytes()


def unpack_sparse(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pack_sparse`: (int32 indices, float32 values)."""
    n = int(np.frombuffer(blob[:4], dtype="<u4")[0])
    indices = np.frombuffer(blob, dtype=_INDEX_DTYPE, count=n, offset=4)
    values = np.frombuffer(blob, dtype=DENSE_DTYPE, count=n, offset=4 + 4 * n).astype(np.float32)
    return indices, values


def sentence_offsets(text: str, start: int, end: int, sentence: str | None) -> tuple[int | None, int | None, str | None]:
    """(sentence_start, sentence_end, sentence_text) for evidence ``text[start:end]`` inside ``sentence``.

    The sentence is almost always a verbatim slice of the text around the span: then only its offsets
    are stored. Otherwise (a normalised sentence) the sentence is kept as text."""
    if sentence is None:
        return None, None, None
    if not sentence:
        return None, None, ""
    # the slice that contains the span: search from the furthest possible start
    lo = max(0, end - len(sentence))
    at = text.find(sentence, lo, min(len(text), start + len(sentence)))
    while at != -1 and at <= start:
        if at + len(sentence) >= end:
            return at, at + len(sentence), None
        at = text.find(sentence, at + 1, min(len(text), start + len(sentence)))
    return None, None, sentence


def sentence_from(text: str, sentence_start: int | None, sentence_end: int | None,
                  sentence_text: str | None) -> str | None:
    """Inverse of :func:`sentence_offsets`."""
    if sentence_text is not None:
        return sentence_text
    if sentence_start is None or sentence_end is None:
        return None
    return text[sentence_start:sentence_end]
