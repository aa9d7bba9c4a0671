#!/usr/bin/env python3
"""CRF NER (python-crfsuite) alone and combined with the spaCy CNN NER, scored like ``crossread eval nlp``.

    crossread models train --data ../shared/data --output training/en_crossread   # writes OUTPUT/corpus
    OMP_NUM_THREADS=1 python benchmarks/ner_crf.py --data ../shared/data --model src/crossread/models/en_crossread \
        --corpus training/en_crossread/corpus --out /tmp/crf/out [--sentences predicted|gold]

One process, one thread. Results: docs/EVALUATION.md, "NLP pipeline", "CRF NER".

Training: the CNN's own training corpus (``train.spacy``; docs without NER annotation skipped), one CRF
sequence per gold sentence, BIO labels over PERSON/ORG/LOC(=GPE+LOC)/NORP/MISC. L-BFGS; c1/c2 picked on
``dev.spacy`` (exact-span micro F over PER/ORG/LOC) from a small grid trained with ``--tune-iter``
iterations, then the chosen setting retrained with ``--max-iter``.

Features: those of the pipeline component ``crossread_crf_ner`` (``crossread.nlp.crf_ner.CrfFeaturizer``:
word, shape, affixes, +-2 context, gazetteer phrases, k-means clusters of the static vectors), trained as
the component trains them (clusters of hapax training words hidden, ``--unseen-max-count``). The
component itself is scored by ``crossread eval nlp``; this script compares the ways of combining the
CRF with the CNN.

Test sets and scoring are those of ``crossread.nlp.evaluate.evaluate`` (same readers, same helpers):
UNER EWT test with the raw UNER tags as gold (OTH ignored), the CNN run on gold words grouped by document
(``_group_by_doc`` / ``_run``), spans scored per sentence (``_pred_ents``); re3d test (the whole file, as
``evaluate`` reads it), one Doc per sentence; ``NerCounter`` exact-span micro P/R/F over PER/ORG/LOC.
With ``--sentences predicted`` (default) the CRF tags the pipeline's
predicted sentences, as a pipeline component would, and its spans are scored per gold sentence like the
CNN's; ``--sentences gold`` tags each gold sentence on its own (dev and the stacking variants always use
gold sentences).

Variants:
  cnn          the spaCy pipeline alone (should reproduce ``crossread eval nlp``)
  crf          the CRF alone
  union        CNN spans + CRF spans (PER/ORG/LOC) that overlap no CNN entity (of any label)
  gated_min / gated_mean
               union, adding a CRF span only if its CRF marginal probability (min / mean over its
               tokens of P(B-X) at the first token and P(I-X) after) >= a threshold tuned on dev.spacy
  stack        a second CRF with the same features plus the CNN's predicted BIO tag (token and +-1),
               trained on train.spacy with the CNN's predictions on train.spacy. Caveat: the CNN was
               trained on these very docs, so its train predictions are far more accurate than on
               unseen text and the CRF learns to over-trust them.
  stack_dev    the same stacking CRF trained on dev.spacy instead (the CNN never trained on it; only
               ~40k tokens) -- scored on test only (its dev score would be a training score)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from crossread.nlp.crf_ner import CRF_LABELS as LABEL_MAP  # noqa: E402
SCORED = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC"}  # CRF label -> scoring type


# --------------------------------------------------------------------------------------------- features
# The features are those of the pipeline component (crossread.nlp.crf_ner); the stacking variants add the
# CNN's own BIO tags.

def make_featurizers(nlp, train_sentences: list[list[str]], unseen_max_count: int = 1):
    """(run-time featurizer, training featurizer), built as the component builds them (CrfNer.train):
    the training one hides the clusters of rare training words."""
    from crossread.nlp.crf_ner import CrfFeaturizer, gazetteer_phrases, kmeans_clusters, rare_words

    phrases = gazetteer_phrases()
    clusters = kmeans_clusters(nlp.vocab.vectors.data) if nlp.vocab.vectors.shape[0] else None
    unseen = rare_words(train_sentences, unseen_max_count) if unseen_max_count > 0 else ()
    return (CrfFeaturizer(nlp.vocab, phrases, clusters),
            CrfFeaturizer(nlp.vocab, phrases, clusters, unseen=unseen))


def sent_features(words: list[str], featurize, cnn: list[str] | None = None) -> list[list[str]]:
    feats = featurize(words)
    if cnn is not None:
        n = len(words)
        for i, f in enumerate(feats):
            f.append("cnn=" + cnn[i])
            f.append("cnn-1=" + (cnn[i - 1] if i else "<s>"))
            f.append("cnn+1=" + (cnn[i + 1] if i + 1 < n else "</s>"))
    return feats


# ------------------------------------------------------------------------------------------------- data

def ents_to_bio(n: int, spans) -> list[str]:
    from crossread.nlp.crf_ner import bio_tags

    return bio_tags(n, spans)


def cnn_label(ent) -> str:
    lab = ent._.ctype if ent.has_extension("ctype") else ent.label_
    return LABEL_MAP.get(lab, "OTHER")


def corpus_sents(nlp, path: Path, with_cnn: bool, label: str, limit: int = 0):
    """[(words, gold_bio, cnn_bio | None, doc_index, offset)] per gold sentence, plus gold coarse spans per doc."""
    from spacy.tokens import Doc, DocBin

    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    kept = [d for d in docs if d.has_annotation("ENT_IOB") and all(t.ent_iob_ for t in d)]
    if limit:
        kept = kept[:limit]
    print(f"{label}: {len(docs)} docs, {len(kept)} with full NER annotation, {sum(len(d) for d in kept)} tokens",
          flush=True)
    cnn_docs = [None] * len(kept)
    if with_cnn:
        t0 = time.perf_counter()
        raw = [Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in kept]
        cnn_docs = list(nlp.pipe(raw, batch_size=64))
        print(f"  CNN over {label}: {time.perf_counter() - t0:.0f}s", flush=True)
    out, gold_by_doc, cnn_by_doc = [], [], []
    for di, (d, cd) in enumerate(zip(kept, cnn_docs)):
        gold_bio = ents_to_bio(len(d), [(e.start, e.end, LABEL_MAP.get(e.label_)) for e in d.ents])
        gold_by_doc.append({(e.start, e.end, SCORED[LABEL_MAP[e.label_]]) for e in d.ents
                            if LABEL_MAP.get(e.label_) in SCORED})
        cnn_bio = None
        if cd is not None:
            cnn_bio = ents_to_bio(len(cd), [(e.start, e.end, cnn_label(e)) for e in cd.ents])
            cnn_by_doc.append([(e.start, e.end, cnn_label(e)) for e in cd.ents])
        sents = list(d.sents) if d.has_annotation("SENT_START") else [d[:]]
        for s in sents:
            words = [t.text for t in s]
            out.append((words, gold_bio[s.start:s.end], cnn_bio[s.start:s.end] if cnn_bio else None, di, s.start))
    return out, gold_by_doc, cnn_by_doc


# ---------------------------------------------------------------------------------------------- the CRF

def train_crf(xs, ys, c1: float, c2: float, max_iter: int, model_path: str) -> float:
    import pycrfsuite

    tr = pycrfsuite.Trainer(verbose=False, algorithm="lbfgs")
    for x, y in zip(xs, ys):
        tr.append(x, y)
    tr.set_params({"c1": c1, "c2": c2, "max_iterations": max_iter, "feature.possible_transitions": True})
    t0 = time.perf_counter()
    tr.train(model_path)
    return time.perf_counter() - t0


def _span_probs(tagger, s: int, e: int, lab: str) -> tuple[float, float]:
    ps = [tagger.marginal("B-" + lab, s)] + [tagger.marginal("I-" + lab, i) for i in range(s + 1, e)]
    return min(ps), sum(ps) / len(ps)


CRF_LABEL = {v: k for k, v in SCORED.items()}  # PER -> PERSON, ...


def crf_spans(tagger, x, with_probs: bool = True, cnn_all: list | None = None):
    """Spans (s, e, TYPE | None, min_prob, mean_prob) from the Viterbi path of one sentence (TYPE None: a
    NORP/MISC span, not scored); with ``cnn_all`` also returns the CRF marginal (min, mean) of each scored
    CNN span under the same labelling."""
    from crossread.nlp import convert

    if not x:
        return ([], {}) if cnn_all is not None else []
    tagger.set(x)
    tags = tagger.tag()
    out = []
    for s, e, lab in convert.iob_spans(tags):
        if lab not in SCORED:
            out.append((s, e, None, 0.0, 0.0))
        elif with_probs:
            out.append((s, e, SCORED[lab], *_span_probs(tagger, s, e, lab)))
        else:
            out.append((s, e, SCORED[lab], 1.0, 1.0))
    if cnn_all is None:
        return out
    return out, {(s, e, t): _span_probs(tagger, s, e, CRF_LABEL[t]) for s, e, t in cnn_all if t}


MODES = ("cnn", "crf", "union", "gated_min", "gated_mean", "crf_union", "crf_union_gated")


def combine(cnn_all: list, crf: list, cnn_probs: dict, mode: str, thr: float = 0.0) -> set:
    """cnn_all: [(s, e, coarse type | None)], every CNN entity (None: a type the scorer ignores); crf: the
    same from the CRF with span marginals; cnn_probs: CRF marginal (min, mean) of each scored CNN span.

    union / gated_*: CNN spans + CRF spans overlapping no CNN entity (gated: CRF span marginal >= thr).
    crf_union(_gated): CRF spans + CNN spans overlapping no CRF entity (gated: the CRF's own min marginal
    of the CNN span's labelling >= thr)."""
    cnn = {(s, e, t) for s, e, t in cnn_all if t}
    crf_set = {(s, e, t) for s, e, t, _, _ in crf if t}
    if mode == "cnn":
        return cnn
    if mode == "crf":
        return crf_set
    if mode.startswith("crf_union"):
        out = set(crf_set)
        for s, e, t in cnn:
            if any(s < ce and cs < e for cs, ce, _, _, _ in crf):
                continue
            # (a CNN span across a gold sentence boundary of a dev doc has no CRF marginal: prob 0)
            if mode == "crf_union" or cnn_probs.get((s, e, t), (0.0, 0.0))[0] >= thr:
                out.add((s, e, t))
        return out
    out = set(cnn)
    for s, e, t, pmin, pmean in crf:
        if t is None or any(s < ce and cs < e for cs, ce, _ in cnn_all):
            continue
        p = {"union": 1.0, "gated_min": pmin, "gated_mean": pmean}[mode]
        if p >= thr:
            out.add((s, e, t))
    return out


# ------------------------------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max-iter", type=int, default=150)
    ap.add_argument("--tune-iter", type=int, default=100, help="iterations for the c1/c2 grid runs")
    ap.add_argument("--grid", default="0.1,0.01;0.2,0.01;0.5,0.01;1.0,0.01;0.2,0.001;0.2,0.1",
                    help="c1,c2 pairs separated by ';' (one pair: no tuning)")
    ap.add_argument("--no-stack", action="store_true")
    ap.add_argument("--sentences", choices=("predicted", "gold"), default="predicted",
                    help="test sets: the CRF tags the pipeline's predicted sentences (as it would inside the "
                         "pipeline; spans crossing a gold boundary are dropped, as for the CNN) or the gold ones")
    ap.add_argument("--unseen-max-count", type=int, default=1,
                    help="hide the clusters of training words seen at most this often (0: none), as the component does")
    ap.add_argument("--limit-train", type=int, default=0, help="debug: only the first N train docs")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    import pycrfsuite

    from crossread.nlp.evaluate import (NerCounter, _gold_ents, _group_by_doc, _named_only, _pred_ents, _run,
                                        re3d_pairs, uner_ewt_sents)
    from crossread.nlp.loader import load_pipeline

    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        pass

    T0 = time.perf_counter()
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}}
    nlp = load_pipeline(args.model)
    if "crossread_crf_ner" in nlp.pipe_names:  # the CNN alone is the baseline here
        nlp.remove_pipe("crossread_crf_ner")
    print("pipeline:", nlp.pipe_names, flush=True)

    # ---- training / dev data
    train, _, _ = corpus_sents(nlp, args.corpus / "train.spacy", with_cnn=not args.no_stack, label="train",
                             limit=args.limit_train)
    dev, dev_gold, dev_cnn = corpus_sents(nlp, args.corpus / "dev.spacy", with_cnn=True, label="dev")
    t0 = time.perf_counter()
    featurize, train_featurize = make_featurizers(nlp, [w for w, _, _, _, _ in train], args.unseen_max_count)
    results["prep_s"] = time.perf_counter() - t0
    print(f"gazetteer {len(featurize.table)} phrases; clusters {featurize.cluster_sizes} in {results['prep_s']:.0f}s",
          flush=True)
    t0 = time.perf_counter()
    X_tr = [sent_features(w, train_featurize) for w, _, _, _, _ in train]
    Y_tr = [g for _, g, _, _, _ in train]
    X_dev = [sent_features(w, featurize) for w, _, _, _, _ in dev]
    print(f"features: {sum(map(len, X_tr))} train tokens in {time.perf_counter() - t0:.0f}s", flush=True)

    def dev_crf_spans(tagger, xs, with_cnn: bool = False):
        """CRF spans per dev doc (doc offsets); with_cnn: also the CRF marginals of the CNN spans."""
        by_doc: list[list] = [[] for _ in dev_gold]
        probs: list[dict] = [{} for _ in dev_gold]
        for (w, _, _, di, off), x in zip(dev, xs):
            n = len(w)
            cnn_here = [(s - off, e - off, SCORED.get(lab)) for s, e, lab in dev_cnn[di]
                        if s >= off and e <= off + n] if with_cnn else None
            r = crf_spans(tagger, x, cnn_all=cnn_here)
            if with_cnn:
                r, pr = r
                probs[di].update({(s + off, e + off, t): v for (s, e, t), v in pr.items()})
            by_doc[di] += [(s + off, e + off, t, p1, p2) for s, e, t, p1, p2 in r]
        return (by_doc, probs) if with_cnn else by_doc

    def dev_cnn_coarse():
        return [[(s, e, SCORED.get(lab)) for s, e, lab in ents] for ents in dev_cnn]

    def score(golds, preds) -> dict:
        c = NerCounter()
        for g, p in zip(golds, preds):
            c.add(g, p)
        return c.metrics()

    # ---- c1/c2 grid on dev
    grid = [tuple(float(v) for v in p.split(",")) for p in args.grid.split(";")]
    tuning = []
    best = grid[0]
    if len(grid) > 1:
        best_f = -1.0
        for c1, c2 in grid:
            path = str(args.out / f"crf_c1{c1}_c2{c2}.crfsuite")
            dt = train_crf(X_tr, Y_tr, c1, c2, args.tune_iter, path)
            tg = pycrfsuite.Tagger()
            tg.open(path)
            m = score(dev_gold, [{(s, e, t) for s, e, t, _, _ in sp if t} for sp in dev_crf_spans(tg, X_dev)])
            tuning.append({"c1": c1, "c2": c2, "iters": args.tune_iter, "train_s": dt, "dev_f": m["ner_f"]})
            print(f"  c1={c1} c2={c2} iters={args.tune_iter}: dev F {m['ner_f']:.4f} ({dt:.0f}s)", flush=True)
            if m["ner_f"] > best_f:
                best, best_f = (c1, c2), m["ner_f"]
            os.remove(path)
    results["tuning"] = tuning
    c1, c2 = best
    crf_path = str(args.out / "crf.crfsuite")
    train_s = train_crf(X_tr, Y_tr, c1, c2, args.max_iter, crf_path)
    tagger = pycrfsuite.Tagger()
    tagger.open(crf_path)
    results["crf"] = {"c1": c1, "c2": c2, "max_iter": args.max_iter, "train_s": train_s,
                      "n_features": len(tagger.info().state_features),
                      "train_tokens": sum(map(len, Y_tr)), "train_sents": len(Y_tr)}
    print(f"final CRF c1={c1} c2={c2}: {train_s:.0f}s", flush=True)

    # ---- dev: CRF/CNN/union scores and gating thresholds
    dev_crf, dev_probs = dev_crf_spans(tagger, X_dev, with_cnn=True)
    dev_cnn_c = dev_cnn_coarse()
    dev_res = {m: score(dev_gold, [combine(a, b, p, m) for a, b, p in zip(dev_cnn_c, dev_crf, dev_probs)])
               for m in ("cnn", "crf", "union", "crf_union")}
    thresholds = {}
    for mode in ("gated_min", "gated_mean", "crf_union_gated"):
        best_thr, best_f = 1.01, -1.0
        for thr in [i / 100 for i in range(0, 100, 2)] + [0.99, 1.01]:
            f = score(dev_gold, [combine(a, b, p, mode, thr)
                                 for a, b, p in zip(dev_cnn_c, dev_crf, dev_probs)])["ner_f"]
            if f > best_f + 1e-12:
                best_thr, best_f = thr, f
        thresholds[mode] = best_thr
        dev_res[mode] = score(dev_gold, [combine(a, b, p, mode, best_thr)
                                         for a, b, p in zip(dev_cnn_c, dev_crf, dev_probs)])
        print(f"  {mode}: dev threshold {best_thr} -> dev F {best_f:.4f}", flush=True)
    results["thresholds"] = thresholds

    # ---- stacking
    stack_tagger = stackdev_tagger = None
    if not args.no_stack:
        Xs_tr = [sent_features(w, train_featurize, cnn) for w, _, cnn, _, _ in train]
        Xs_dev = [sent_features(w, featurize, cnn) for w, _, cnn, _, _ in dev]
        st_path = str(args.out / "crf_stack.crfsuite")
        results["stack_train_s"] = train_crf(Xs_tr, Y_tr, c1, c2, args.max_iter, st_path)
        stack_tagger = pycrfsuite.Tagger()
        stack_tagger.open(st_path)
        dev_res["stack"] = score(dev_gold, [{(s, e, t) for s, e, t, _, _ in sp if t}
                                            for sp in dev_crf_spans(stack_tagger, Xs_dev)])
        sd_path = str(args.out / "crf_stack_dev.crfsuite")
        results["stack_dev_train_s"] = train_crf(Xs_dev, [g for _, g, _, _, _ in dev], c1, c2, args.max_iter, sd_path)
        stackdev_tagger = pycrfsuite.Tagger()
        stackdev_tagger.open(sd_path)
        del Xs_tr
    results["dev"] = dev_res
    del X_tr
    for k, v in dev_res.items():
        print(f"  dev {k:<11} P {v['ner_p']:.4f} R {v['ner_r']:.4f} F {v['ner_f']:.4f}", flush=True)

    # ---- test sets, read exactly as crossread.nlp.evaluate.evaluate does
    test_sets = {}
    sents = uner_ewt_sents(args.data, "test")
    groups = _group_by_doc(sents)
    t0 = time.perf_counter()
    docs = _run(nlp, groups)
    items = []  # (words, gold set, cnn entities [(s, e, coarse|None)])
    where: dict[str, list] = {"uner": [], "re3d": []}  # (pipeline Doc, gold sentence offset) per item
    for g, doc in zip(groups, docs):
        off = 0
        for s in g:
            n = len(s.words)
            if s.ents is not None:
                cnn_all = [(e.start - off, e.end - off, SCORED.get(cnn_label(e))) for e in doc.ents
                           if e.start >= off and e.end <= off + n]
                # the evaluate helper and ours must agree on the scored CNN spans
                assert {x for x in cnn_all if x[2]} == _pred_ents(doc, off, n)
                items.append((s.words, _gold_ents(s.ents), cnn_all))
                where["uner"].append((doc, off))
            off += n
    test_sets["uner"] = items
    print(f"UNER test: {len(items)} sentences with NER (of {len(sents)}); CNN {time.perf_counter() - t0:.0f}s",
          flush=True)
    ewt_sents_words = [s.words for s in sents]

    from spacy.tokens import Doc

    pairs = re3d_pairs(args.data, "test")
    items = []
    for (words, tags), doc in zip(pairs, nlp.pipe([Doc(nlp.vocab, words=w) for w, _ in pairs], batch_size=64)):
        cnn_all = [(e.start, e.end, SCORED.get(cnn_label(e))) for e in doc.ents]
        assert {x for x in cnn_all if x[2]} == _pred_ents(doc, 0, len(words))
        items.append((words, _gold_ents(tags), cnn_all))
        where["re3d"].append((doc, 0))
    test_sets["re3d"] = items
    print(f"re3d test: {len(items)} sentences", flush=True)

    test_res: dict = {}
    def crf_on_doc(doc) -> tuple[list, dict]:
        """CRF spans and CNN-span marginals over a pipeline Doc, one CRF sequence per predicted sentence."""
        cnn_doc = [(e.start, e.end, SCORED.get(cnn_label(e))) for e in doc.ents]
        spans, probs = [], {}
        for sent in doc.sents:
            off, n = sent.start, len(sent)
            here = [(a - off, b - off, t) for a, b, t in cnn_doc if a >= off and b <= off + n]
            r, pr = crf_spans(tagger, sent_features([t.text for t in sent], featurize), cnn_all=here)
            spans += [(a + off, b + off, t, p1, p2) for a, b, t, p1, p2 in r]
            probs.update({(a + off, b + off, t): v for (a, b, t), v in pr.items()})
        return spans, probs

    def crf_for_items(name: str, items: list) -> list:
        if args.sentences == "gold":
            return [crf_spans(tagger, sent_features(w, featurize), cnn_all=c) for w, _, c in items]
        by_doc: dict[int, tuple[list, dict]] = {}
        out = []
        for (w, _, _), (doc, off) in zip(items, where[name]):
            spans, probs = by_doc.setdefault(id(doc), crf_on_doc(doc))
            n = len(w)
            out.append(([(a - off, b - off, t, p1, p2) for a, b, t, p1, p2 in spans if a >= off and b <= off + n],
                        {(a - off, b - off, t): v for (a, b, t), v in probs.items() if a >= off and b <= off + n}))
        return out

    results["sentences"] = args.sentences
    for name, items in test_sets.items():
        crf = crf_for_items(name, items)
        variants = {}
        for mode in MODES:
            variants[mode] = [combine(c, r, pr, mode, thresholds.get(mode, 0.0))
                              for (_, _, c), (r, pr) in zip(items, crf)]
        test_res[name] = {"variants": variants, "crf": crf}

    # stacking needs the CNN's full-label BIO per test sentence: recompute from the pipeline output
    if stack_tagger is not None:
        full = {"uner": [], "re3d": []}
        for g, doc in zip(groups, docs):
            off = 0
            for s in g:
                n = len(s.words)
                if s.ents is not None:
                    full["uner"].append(ents_to_bio(n, [(e.start - off, e.end - off, cnn_label(e)) for e in doc.ents
                                                        if e.start >= off and e.end <= off + n]))
                off += n
        for doc in nlp.pipe([Doc(nlp.vocab, words=w) for w, _ in pairs], batch_size=64):
            full["re3d"].append(ents_to_bio(len(doc), [(e.start, e.end, cnn_label(e)) for e in doc.ents]))
        for name, items in test_sets.items():
            for vname, tg in (("stack", stack_tagger), ("stack_dev", stackdev_tagger)):
                test_res[name]["variants"][vname] = [
                    {(s, e, t) for s, e, t, _, _ in crf_spans(tg, sent_features(w, featurize, cb), with_probs=False)
                     if t}
                    for (w, _, _), cb in zip(items, full[name])]

    table = {}
    for name, items in test_sets.items():
        for vname, preds in test_res[name]["variants"].items():
            m = score([g for _, g, _ in items], preds)
            row = table.setdefault(vname, {})
            row.update({f"{name}_{k}": v for k, v in m.items()})
            if name == "re3d":
                row.update({f"re3d_named_{k}": v for k, v in score([_named_only(w, g) for w, g, _ in items],
                                                                    [_named_only(w, p) for (w, _, _), p in
                                                                     zip(items, preds)]).items()})
    results["test"] = table

    # ---- paired bootstrap over test sentences: F(variant) - F(cnn), 95% interval (seed 0, 2000 resamples)
    rng = np.random.default_rng(0)
    boot: dict = {}
    for name, items in test_sets.items():
        golds = [g for _, g, _ in items]
        idx = rng.integers(0, len(items), size=(2000, len(items)))

        def counts(preds):
            return np.array([(len(g & p), len(p - g), len(g - p)) for g, p in zip(golds, preds)], dtype=np.int64)

        def boot_f(c):
            tp, fp, fn = (c[:, k][idx].sum(axis=1) for k in range(3))
            return 2 * tp / np.maximum(2 * tp + fp + fn, 1)

        f_cnn = boot_f(counts(test_res[name]["variants"]["cnn"]))
        for vname, preds in test_res[name]["variants"].items():
            if vname == "cnn":
                continue
            d = boot_f(counts(preds)) - f_cnn
            boot.setdefault(vname, {})[name] = {"diff_lo": float(np.percentile(d, 2.5)),
                                                "diff_hi": float(np.percentile(d, 97.5)),
                                                "p_not_better": float((d <= 0).mean())}
    results["bootstrap_vs_cnn"] = boot

    # ---- speed: CRF feature extraction + Viterbi tagging (+ marginals for gating) over the EWT test sentences
    n_words = sum(len(w) for w in ewt_sents_words)
    for label, probs in (("crf_words_per_s", False), ("crf_words_per_s_with_marginals", True)):
        best = None
        for _ in range(3):
            featurize._word_cache.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            for w in ewt_sents_words:
                crf_spans(tagger, sent_features(w, featurize), with_probs=probs)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            best = (wall, cpu) if best is None or wall < best[0] else best
        results[label] = n_words / best[0]
        results[label.replace("words_per_s", "words_per_cpu_s")] = n_words / best[1]
    results["speed_words"] = n_words
    # the CNN pipeline on the same text, for scale (as evaluate.measure_speed: whitespace words, 1 process)
    from crossread.nlp.evaluate import document_texts, measure_speed

    texts = document_texts(sents)
    results["cnn_pipeline_words_per_s"], results["cnn_pipeline_words_per_cpu_s"] = measure_speed(nlp, texts, cpu=True)
    keep = {"tok2vec", "ner", "crossread_gazetteer"}
    with nlp.select_pipes(disable=[p for p in nlp.pipe_names if p not in keep]):
        results["cnn_ner_only_words_per_s"], results["cnn_ner_only_words_per_cpu_s"] = measure_speed(nlp, texts, cpu=True)
    results["total_s"] = time.perf_counter() - T0

    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print(format_table(results))
    return 0


def format_table(results: dict) -> str:
    lines = ["| variant | UNER P | UNER R | UNER F | UNER F PER | UNER F ORG | UNER F LOC | re3d F (strict) "
             "| re3d named F | dev F | UNER dF vs cnn, 95% | re3d dF vs cnn, 95% |", "|" + "---|" * 12]
    for v, r in results["test"].items():
        dev_f = results["dev"].get(v, {}).get("ner_f")
        lines.append(f"| {v} | " + " | ".join(f"{100 * r.get(k, 0):.1f}" for k in (
            "uner_ner_p", "uner_ner_r", "uner_ner_f", "uner_ner_f_PER", "uner_ner_f_ORG", "uner_ner_f_LOC",
            "re3d_ner_f", "re3d_named_ner_f")) + f" | {'' if dev_f is None else f'{100 * dev_f:.1f}'} | "
            + " | ".join(f"[{100 * b['diff_lo']:+.1f}, {100 * b['diff_hi']:+.1f}]" if (b := results["bootstrap_vs_cnn"]
                         .get(v, {}).get(ts)) else "" for ts in ("uner", "re3d")) + " |")
    c = results["crf"]
    lines.append("")
    lines.append(f"CRF c1={c['c1']} c2={c['c2']} iters<={c['max_iter']}, train {c['train_s']:.0f}s on "
                 f"{c['train_tokens']} tokens, {c['n_features']} state features; thresholds {results['thresholds']}")
    lines.append(f"CRF speed (EWT test, {results['speed_words']} words, 1 process): "
                 f"{results['crf_words_per_s']:.0f} words/s Viterbi, "
                 f"{results['crf_words_per_s_with_marginals']:.0f} words/s with marginals "
                 f"(per CPU-s: {results['crf_words_per_cpu_s']:.0f} / "
                 f"{results['crf_words_per_cpu_s_with_marginals']:.0f})")
    lines.append(f"CNN speed (same text, 1 process): full pipeline {results['cnn_pipeline_words_per_s']:.0f} words/s "
                 f"({results['cnn_pipeline_words_per_cpu_s']:.0f}/CPU-s); tok2vec+ner+gazetteer only "
                 f"{results['cnn_ner_only_words_per_s']:.0f} words/s ({results['cnn_ner_only_words_per_cpu_s']:.0f}/CPU-s)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
