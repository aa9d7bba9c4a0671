"""The corpus stage's decisions with another sentence encoder, against MiniLM's, story by story.

Usage:
    python -m crossread analyze basil.jsonl --out OUT            # once, MiniLM (the default)
    python benchmarks/compare_encoders.py OUT [--variants all-static,claims,claims-prefilter,...]

Every story of the store is analysed again (:func:`crossread.analyze.story.analyze_story`) with
MiniLM for every stage (vectors from the store's cache, so this reference equals the stored run) and
with each variant: ``all-static`` (the static encoder for every stage) or one stage name (the static
encoder for that stage only, MiniLM for the rest). For each, per record kind, the links the stage
makes are compared with the reference's: pairs of evidence grouped into one event / claim / quote, and
derivations (source, derived, kind). Printed: links in the reference, lost, gained; and the distinct
texts each encoder embedded. A variant ``<stage>-prefilter`` gives that stage the two-stage embedder
(``crossread.nlp.embeddings.TwoStageEmbedder``: the static cosine prunes pairs, MiniLM decides; only
claims and derivation ask it to prune). Results: docs/EVALUATION.md, "Static sentence encoder".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

STORY_STAGES = ("events", "derivation", "claims", "quotes")


class Recording:
    """An embedder that remembers the distinct texts it was asked for."""

    def __init__(self, service: Any, store: Any) -> None:
        self.service, self.store, self.texts = service, store, set()

    def __call__(self, sentences: list[str]) -> Any:
        self.texts.update(sentences)
        return self.service.embed(sentences, cache=self.store)


def links(out: Any) -> dict[str, set]:
    """The links of one story's output, per kind, as comparable keys."""
    def ev(e: Any) -> tuple:
        return (e.article_id, e.start, e.end)

    found: dict[str, set] = defaultdict(set)
    for kind, records in (("events", out.events), ("claims", out.claims)):
        for r in records:
            for a, b in combinations(sorted({ev(e) for e in r.evidence}), 2):
                found[kind].add((a, b))
    for q in out.quotes:
        for a, b in combinations(sorted({ev(e) for e in [q.evidence, *q.also_in]}), 2):
            found["quotes"].add((a, b))
    for d in out.derivations:
        found["derivation"].add((d.source_article, d.derived_article, d.kind))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder of a MiniLM `crossread analyze` run (its store)")
    parser.add_argument("--variants", default="all-static," + ",".join(STORY_STAGES))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from crossread.analyze.story import analyze_story
    from crossread.nlp.embeddings import get_embedding_service
    from crossread.store import Store, default_db_url

    store = Store(default_db_url(args.out), migrate=False)
    minilm = get_embedding_service("onnx")
    static = get_embedding_service("static")
    variants = [v for v in args.variants.split(",") if v]
    inputs = [store.story_input(sid) for sid in store.story_ids()]
    results: dict[str, Any] = {}
    reference: list[dict[str, set]] = []
    start = time.perf_counter()
    ref_embed = Recording(minilm, store)
    for inp in inputs:
        reference.append(links(analyze_story(inp, embed=ref_embed)))
    results["minilm"] = {"texts_minilm": len(ref_embed.texts), "seconds": round(time.perf_counter() - start, 1)}
    for variant in variants:
        start = time.perf_counter()
        cheap, full = Recording(static, None), Recording(minilm, store)
        stages = STORY_STAGES if variant == "all-static" else (variant.removesuffix("-prefilter"),)
        lost: dict[str, int] = defaultdict(int)
        gained: dict[str, int] = defaultdict(int)
        total: dict[str, int] = defaultdict(int)
        for inp, ref in zip(inputs, reference):
            if variant.endswith("-prefilter"):
                from crossread.nlp.embeddings import TwoStageEmbedder

                embed = {s: full for s in STORY_STAGES}
                embed[stages[0]] = TwoStageEmbedder(full, cheap)
            else:
                embed = {s: (cheap if s in stages else full) for s in STORY_STAGES}
            got = links(analyze_story(inp, embed=embed))
            for kind in STORY_STAGES:
                total[kind] += len(ref[kind])
                lost[kind] += len(ref[kind] - got[kind])
                gained[kind] += len(got[kind] - ref[kind])
        results[variant] = {
            "links": {k: {"reference": total[k], "lost": lost[k], "gained": gained[k]} for k in STORY_STAGES},
            "texts_static": len(cheap.texts), "texts_minilm": len(full.texts),
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(variant, json.dumps(results[variant]), flush=True)
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
