"""PLV triple P/R/F1 of `crossread eval events` with cached fold models and parses, plus a per-row dump.

Usage:
    python benchmarks/event_triples_diag.py --data ../shared/data/plover --cache /tmp/triples-cache --out rows.json

Scores exactly what `crossread eval events --folds 5` scores for the PLV triples (same stratified
folds, same fold models, `crossread.extract.eval_events` matching rule), but trains the five fold
models and parses the 1,050 sentences once and keeps them in ``--cache`` (pickles; never in the
repository), so an extraction change is measured in about a minute instead of several. The type
classifier does not read the parse or the actors, so cached fold models stay valid while the
extractor changes; delete the cache after changing the classifier or the NLP pipeline. ``--out``
writes every row with its gold triple, the actors (with whether their mention words hold the gold
head words) and the predicted events, for error analysis.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="folder laid out like shared/data/plover")
    ap.add_argument("--cache", type=Path, required=True, help="folder for the fold models and parses")
    ap.add_argument("--out", type=Path, default=None, help="per-row JSON dump")
    args = ap.parse_args()

    from spacy.tokens import Doc

    from crossread.extract import eval_events as ee
    from crossread.extract.actors import resolve_actors
    from crossread.extract.events import extract_events
    from crossread.extract.plover import coarse_type, read_plv
    from crossread.nlp import load_pipeline
    from crossread.records import Article

    rows = read_plv(args.data / "plv" / "PLV_train.tsv")
    args.cache.mkdir(parents=True, exist_ok=True)
    models_path = args.cache / "folds.pkl"
    if models_path.exists():
        models, fold_of = pickle.loads(models_path.read_bytes())
    else:
        models: list = []
        _, _, fold_of = ee.cross_validate(rows, 5, models_out=models)
        models_path.write_bytes(pickle.dumps((models, fold_of)))
    nlp = load_pipeline()
    docs_path = args.cache / "plv_docs.pkl"
    if docs_path.exists():
        docs = [Doc(nlp.vocab).from_bytes(b) for b in pickle.loads(docs_path.read_bytes())]
    else:
        docs = [nlp(r["sentence"]) for r in rows]
        docs_path.write_bytes(pickle.dumps([d.to_bytes() for d in docs]))

    started = time.time()
    dump, n_pred, n_match_p, n_match_g = [], 0, 0, 0
    for i, (row, doc) in enumerate(zip(rows, docs)):
        gold_type = coarse_type(row["gold_root"])
        article = Article(id=f"eval{i}", source="eval", outlet=None, title=None, published=None,
                          language="en", text=doc.text)
        actors = resolve_actors(article, doc)
        events = extract_events(article, doc, actors, model=models[fold_of[i]])
        words_of = {a.id: set().union(*[ee._words(m.text) for m in a.mentions]) if a.mentions else set()
                    for a in actors}
        name = {a.id: a.name for a in actors}
        gold_src, gold_tgt = ee._head_word(row["source"]), ee._head_word(row["target"])
        shown, matched = [], 0
        for ev in events:
            src_words = set().union(*[words_of.get(a, set()) for a in ev.source]) if ev.source else set()
            tgt_words = set().union(*[words_of.get(a, set()) for a in ev.target]) if ev.target else set()
            hit = coarse_type(ev.plover) == gold_type and gold_src in src_words and gold_tgt in tgt_words
            matched += hit
            shown.append({"type": ev.plover, "trigger": ev.trigger, "source": [name.get(a, a) for a in ev.source],
                          "target": [name.get(a, a) for a in ev.target], "negated": ev.negated,
                          "modality": ev.modality, "source_ok": gold_src in src_words,
                          "target_ok": gold_tgt in tgt_words, "hit": bool(hit)})
        n_pred += len(events)
        n_match_p += matched
        n_match_g += bool(matched)
        dump.append({"row": i, "sentence": row["sentence"], "gold": [gold_type, row["source"], row["target"]],
                     "heads": [gold_src, gold_tgt], "hit": bool(matched),
                     "actors": [{"name": a.name, "country": a.country, "sector": a.sector,
                                 "mentions": [m.text for m in a.mentions],
                                 "has_source_head": gold_src in words_of[a.id],
                                 "has_target_head": gold_tgt in words_of[a.id]} for a in actors],
                     "events": shown})
    p = n_match_p / n_pred if n_pred else 0.0
    r = n_match_g / len(rows) if rows else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"PLV triples (5-fold): P {p:.3f} R {r:.3f} F1 {f1:.3f}  events {n_pred}  rows matched "
          f"{n_match_g}/{len(rows)}  ({time.time() - started:.0f} s extraction)")
    if args.out is not None:
        args.out.write_text(json.dumps(dump, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
