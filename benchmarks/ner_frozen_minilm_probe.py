#!/usr/bin/env python3
"""Could the MiniLM encoder crossread already ships (ONNX, for sentence embeddings) tag entities
without new weights? A linear probe: frozen contextual token vectors + a softmax head over BIO tags.

    python benchmarks/ner_frozen_minilm_probe.py --data ../shared/data [--train-limit N] [--threads 2]

Each word is represented by the ``last_hidden_state`` vector of its first WordPiece (384 dims) from the
shipped ONNX export (``crossread.nlp.embeddings.OnnxEncoder``; gold words, pre-tokenised, batches of
32 sentences). The head is scikit-learn's multinomial logistic regression (standardised inputs) trained on UNER English-EWT
train, scored on UNER dev with the exact-span PER/ORG/LOC micro F of ``crossread eval nlp``
(``NerCounter``; an I- tag after another type starts a span). It also prints the encoder's
throughput in words/s, the cost of any NER built on this encoder. Results: docs/EVALUATION.md,
"Further CRF-layer experiments".
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from crossread.nlp import evaluate as ev
from crossread.nlp.embeddings import OnnxEncoder


def uner_sentences(data: Path, split: str) -> list[tuple[list[str], list[str]]]:
    """(words, raw UNER tags) of the EWT sentences with UNER annotation, read as ``crossread eval nlp`` reads them."""
    return [(s.words, s.ents) for s in ev.uner_ewt_sents(data, split) or [] if s.ents is not None]


def word_vectors(encoder: OnnxEncoder, sentences: list[list[str]], batch_size: int = 32) -> tuple[list[np.ndarray], float]:
    """One (words, 384) array per sentence (first WordPiece of each word) and the words/s it took."""
    out: list[np.ndarray] = []
    start, n_words = time.perf_counter(), 0
    for i in range(0, len(sentences), batch_size):
        batch = sentences[i:i + batch_size]
        encodings = encoder.tokenizer.encode_batch(batch, is_pretokenized=True)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64)}
        if "token_type_ids" in encoder._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = encoder.session.run(["last_hidden_state"], feeds)
        for b, encoding in enumerate(encodings):
            first: dict[int, int] = {}
            for k, word_id in enumerate(encoding.word_ids):
                if word_id is not None:
                    first.setdefault(word_id, k)
            zero = np.zeros(hidden.shape[2], dtype=np.float32)  # a word cut off by truncation
            out.append(np.stack([hidden[b, first[j]] if j in first else zero for j in range(len(batch[b]))]))
            n_words += len(batch[b])
    return out, n_words / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder laid out like shared/data")
    parser.add_argument("--train-limit", type=int, default=0, help="use only the first N training sentences")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    encoder = OnnxEncoder(threads=args.threads)
    train, dev = uner_sentences(args.data, "train"), uner_sentences(args.data, "dev")
    if args.train_limit:
        train = train[:args.train_limit]
    train_x, _ = word_vectors(encoder, [words for words, _ in train])
    dev_x, words_per_s = word_vectors(encoder, [words for words, _ in dev])
    labels = sorted({tag for _, tags in train for tag in tags})
    index = {label: i for i, label in enumerate(labels)}
    head = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(np.concatenate(train_x),
                                                np.asarray([index[tag] for _, tags in train for tag in tags]))
    counter = ev.NerCounter()
    for (_, gold_tags), x in zip(dev, dev_x):
        predicted, previous = [], "O"
        for tag in (labels[i] for i in head.predict(x)):
            if tag.startswith("I-") and previous[2:] != tag[2:]:
                tag = "B-" + tag[2:]
            predicted.append(tag)
            previous = tag
        counter.add(ev._gold_ents(gold_tags), ev._gold_ents(predicted))
    metrics = counter.metrics()
    print(f"encoder throughput: {words_per_s:,.0f} words/s ({args.threads} threads, UNER dev)")
    print("UNER dev, frozen MiniLM + linear head: " + ", ".join(
        f"{name} {metrics[name] * 100:.1f}" for name in ("ner_p", "ner_r", "ner_f", "ner_f_PER", "ner_f_ORG", "ner_f_LOC")))


if __name__ == "__main__":
    main()
