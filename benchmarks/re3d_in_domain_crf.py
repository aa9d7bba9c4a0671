#!/usr/bin/env python3
"""How far can a CRF get on re3d when it learns re3d's own mention convention? A probe for the re3d
target of issue 3, not a pipeline component.

    OMP_NUM_THREADS=1 python benchmarks/re3d_in_domain_crf.py --data ../shared/data \
        [--model src/crossread/models/en_crossread] [--c1 0.05,0.2,0.7]

The CRF has the features of the shipped layer (``crossread.nlp.crf_ner.CrfFeaturizer``, with the shipped
pipeline's phrase table and vector clusters) but is trained on re3d train alone (the openly licensed
documents ``crossread.nlp.convert.re3d_sents`` keeps), so it learns re3d's convention: pronouns and
common-noun mentions ("the local forces") marked, determiners inside spans, countries as Organisation.
It tags each re3d test sentence on its own (gold sentences, no CNN) and is scored exactly like
``crossread eval nlp`` scores the pipeline (``re3d_ner_f`` strict, ``re3d_named_ner_f`` named view).
Results: docs/EVALUATION.md, "CRF NER layer".
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pycrfsuite
import spacy

from crossread.nlp import convert
from crossread.nlp import evaluate as ev
from crossread.nlp.crf_ner import CRF_LABELS, CrfFeaturizer, bio_tags, rare_words
from crossread.nlp.loader import SHIPPED_MODEL_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder laid out like shared/data")
    parser.add_argument("--model", default=str(SHIPPED_MODEL_DIR), help="pipeline whose CRF tables to use")
    parser.add_argument("--c1", default="0.05,0.2,0.7", help="L1 weights to try (c2 0.01, 300 iterations)")
    args = parser.parse_args()

    nlp = spacy.load(args.model)
    layer = nlp.get_pipe("crossread_crf_ner")
    sequences = []
    for sent in convert.re3d_sents(args.data, "train"):
        spans = [(s, e, CRF_LABELS.get(label)) for s, e, label in convert.iob_spans(sent.ents)]
        sequences.append((sent.words, bio_tags(len(sent.words), spans)))
    train_features = CrfFeaturizer(nlp.vocab, layer.phrases, layer.clusters,
                                   unseen=rare_words(words for words, _ in sequences))
    train_items = [(train_features(words), tags) for words, tags in sequences]
    features = CrfFeaturizer(nlp.vocab, layer.phrases, layer.clusters)
    test = ev.re3d_pairs(args.data, "test") or []
    test_items = [(words, features(words), tags) for words, tags in test]
    print(f"re3d train sentences: {len(sequences)}; test sentences: {len(test)}")
    print(f"{'c1':>5}  {'strict F':>8}  {'named F':>8}")
    for c1 in (float(x) for x in args.c1.split(",")):
        trainer = pycrfsuite.Trainer(verbose=False, algorithm="lbfgs")
        for items, tags in train_items:
            trainer.append(items, tags)
        trainer.set_params({"c1": c1, "c2": 0.01, "max_iterations": 300, "feature.possible_transitions": True})
        with tempfile.TemporaryDirectory() as tmp:
            trainer.train(f"{tmp}/model")
            tagger = pycrfsuite.Tagger()
            tagger.open(f"{tmp}/model")
            strict, named = ev.NerCounter(), ev.NerCounter()
            for words, items, tags in test_items:
                predicted = {(s, e, ev.COARSE.get(label)) for s, e, label in convert.iob_spans(tagger.tag(items))}
                predicted = {span for span in predicted if span[2]}
                gold = ev._gold_ents(tags)
                strict.add(gold, predicted)
                named.add(ev._named_only(words, gold), ev._named_only(words, predicted))
        print(f"{c1:>5}  {strict.metrics()['ner_f'] * 100:>8.1f}  {named.metrics()['ner_f'] * 100:>8.1f}")


if __name__ == "__main__":
    main()
