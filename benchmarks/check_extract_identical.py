"""Gate for extraction speed work: the records ``extract_records`` yields must stay byte-identical.

Parses the BASIL JSONL (240 articles) and the demo corpus ``examples/seeds`` once (the parsed docs are
cached with ``Doc.to_bytes``, user_data included), runs ``extract_records`` on each article and writes
every record (actors, events, quotes, claims, framing; in order) as JSON.

    PY="env PYTHONPATH=src /work/main/.venv/bin/python"
    $PY benchmarks/check_extract_identical.py --out /tmp/extract_ref.json          # on the unchanged code
    $PY benchmarks/check_extract_identical.py --out /tmp/extract_new.json --compare /tmp/extract_ref.json
    $PY benchmarks/check_extract_identical.py --check-cache   # extraction from fresh docs == from cached docs
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUTS = ["/tmp/basil/basil.jsonl", str(ROOT / "examples" / "seeds")]
DEFAULT_CACHE = "/tmp/crossread_extract_docs.pkl"


def load_articles(inputs: list[str]) -> list:
    from crossread.ingest import IngestError, ingest

    arts = []
    for path in inputs:
        arts.extend(a for a in ingest([path]) if not isinstance(a, IngestError))
    return arts


def parsed_docs(nlp, articles: list, cache: str | None, refresh: bool = False) -> list:
    """The articles' docs: parsed once, then read back from ``cache`` (keyed by the texts)."""
    from spacy.tokens import Doc

    texts = [a.text for a in articles]
    if cache and os.path.exists(cache) and not refresh:
        with open(cache, "rb") as fh:
            data = pickle.load(fh)
        if data["texts"] == texts:
            return [Doc(nlp.vocab).from_bytes(b) for b in data["docs"]]
        print("cache: texts differ, reparsing", file=sys.stderr)
    t = time.perf_counter()
    docs = list(nlp.pipe(texts))
    print(f"nlp: {time.perf_counter() - t:.1f}s for {len(docs)} docs", file=sys.stderr)
    if cache:
        with open(cache, "wb") as fh:
            pickle.dump({"texts": texts, "docs": [d.to_bytes() for d in docs]}, fh)
    return docs


def records_of(article, doc) -> dict:
    from crossread.extract import extract_records
    from crossread.records import to_dict

    rec = extract_records(article, doc)
    return {"article": article.id,
            **{kind: [to_dict(r) for r in getattr(rec, kind)]
               for kind in ("actors", "events", "quotes", "claims", "framing")}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", default=DEFAULT_INPUTS)
    ap.add_argument("--out", help="write the records here (JSON)")
    ap.add_argument("--compare", help="reference JSON: exit 1 unless identical")
    ap.add_argument("--cache", default=DEFAULT_CACHE, help="parsed-doc cache (pickle of Doc.to_bytes)")
    ap.add_argument("--refresh", action="store_true", help="reparse even if the cache matches")
    ap.add_argument("--check-cache", action="store_true",
                    help="also extract from freshly parsed docs and require the same records")
    args = ap.parse_args(argv)

    from crossread.nlp import load_pipeline

    nlp = load_pipeline()
    articles = load_articles(args.inputs)
    docs = parsed_docs(nlp, articles, args.cache, args.refresh)
    t = time.perf_counter()
    out = [records_of(a, d) for a, d in zip(articles, docs)]
    print(f"extract: {time.perf_counter() - t:.1f}s for {len(out)} articles", file=sys.stderr)
    text = json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True)
    if args.check_cache:
        fresh = list(nlp.pipe([a.text for a in articles]))
        again = json.dumps([records_of(a, d) for a, d in zip(articles, fresh)], ensure_ascii=False, indent=1,
                           sort_keys=True)
        print("cached docs == fresh docs:", again == text, file=sys.stderr)
        if again != text:
            return 1
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    counts = {k: sum(len(r[k]) for r in out) for k in ("actors", "events", "quotes", "claims", "framing")}
    print("records:", counts, file=sys.stderr)
    if args.compare:
        ref = Path(args.compare).read_text(encoding="utf-8")
        if ref == text:
            print("IDENTICAL to", args.compare, file=sys.stderr)
            return 0
        ref_rows = json.loads(ref)
        diffs = [i for i, (a, b) in enumerate(zip(ref_rows, out)) if a != b]
        print(f"DIFFERENT from {args.compare}: {len(diffs)} article(s) differ, e.g. "
              f"{[out[i]['article'] for i in diffs[:5]]}; lengths {len(ref_rows)} vs {len(out)}", file=sys.stderr)
        for i in diffs[:2]:
            for kind in ("actors", "events", "quotes", "claims", "framing"):
                if ref_rows[i][kind] != out[i][kind]:
                    print(f"  {out[i]['article']} {kind}: {len(ref_rows[i][kind])} vs {len(out[i][kind])}",
                          file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
