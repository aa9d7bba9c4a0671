"""``crossread eval derivation``: a SYNTHETIC text-reuse benchmark built on the fly.

No public gold set of news text reuse with direction is available to us, so the
command builds one from real news text (BASIL triplets, laid out as in
``../shared/data/basil``): for each chosen source article it makes derived
articles of six kinds (verbatim copy, partial copy, reordered copy, lightly
edited copy, two-source merge, and a "paraphrase": every sentence reworded with an
edit at least every fourth word, so that no 5-gram survives, and sentences shuffled
within paragraphs; a crude stand-in for machine rewriting), dated after their sources, and mixes them with the
original triplets, whose different outlets' independent reports of one event are
the hard negatives. Filler text for partial copies comes from articles held out
of the corpus, so it creates no hidden reuse. Seeded, so numbers are reproducible.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import click

from crossread.analyze.derivation import detect_derivations
from crossread.evaluation import emit_metrics, prf, read_basil
from crossread.records import Article

KINDS = ("verbatim", "partial", "reordered", "edited", "merge", "paraphrase")


@dataclass
class SyntheticCorpus:
    articles: list[Article]
    gold: dict[tuple[str, str], str]  # (source id, derived id) -> synthetic kind


def load_basil(folder: Path) -> list[list[Article]]:
    """BASIL triplets as lists of Articles (paragraph-separated text), skipping very short ones."""
    triplets: dict[str, list[Article]] = {}
    for article, triplet in read_basil(folder):
        if len(article.text.split()) >= 80:
            triplets.setdefault(triplet, []).append(article)
    return [v for _, v in sorted(triplets.items())]


def _edit(text: str, rng: random.Random) -> str:
    """Light copy-editing: drop ~10% of sentences and swap ~5% of words."""
    synonyms = {"said": "stated", "told": "informed", "says": "states", "also": "additionally", "but": "however",
                "big": "large", "after": "following", "before": "prior to", "about": "around", "people": "individuals"}
    sentences = [s for s in text.replace("\n\n", " \n\n ").split(". ") if rng.random() > 0.1]
    words = ". ".join(sentences).split(" ")
    return " ".join(synonyms.get(w, w) if rng.random() < 0.5 else w for w in words)


_FUNCTION_WORDS = frozenset("the a an of to that which very really also just".split())
_REWORD = {"said": "stated", "told": "informed", "says": "states", "but": "however", "big": "large",
           "after": "following", "before": "prior to", "about": "regarding", "people": "individuals",
           "government": "administration", "officials": "authorities", "attack": "assault", "killed": "slain",
           "president": "leader", "announced": "declared", "called": "urged", "week": "seven days",
           "country": "nation", "during": "throughout", "because": "since", "many": "numerous"}


def _paraphrase(text: str, rng: random.Random) -> str:
    """Reword every sentence (an edit at least every 4th word: a synonym, a dropped function
    word or two words swapped) and shuffle the sentences of each paragraph."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        sentences = [s for s in paragraph.split(". ") if s.strip()]
        rewritten = []
        for sentence in sentences:
            words = sentence.split(" ")
            out: list[str] = []
            i = 0
            while i < len(words):
                word = words[i]
                if i % 4 == 2:
                    low = word.lower()
                    if low in _REWORD:
                        out.append(_REWORD[low])
                    elif low in _FUNCTION_WORDS:
                        pass
                    elif i + 1 < len(words):
                        out.extend([words[i + 1], word])
                        i += 1
                    else:
                        out.append(word)
                else:
                    out.append(_REWORD.get(word, word) if rng.random() < 0.3 else word)
                i += 1
            rewritten.append(" ".join(out))
        rng.shuffle(rewritten)
        paragraphs.append(". ".join(rewritten))
    return "\n\n".join(paragraphs)


def build_corpus(triplets: list[list[Article]], seed: int = 13, per_kind: int = 20) -> SyntheticCorpus:
    rng = random.Random(seed)
    triplets = list(triplets)
    rng.shuffle(triplets)
    filler_pool = [a for t in triplets[: max(4, len(triplets) // 5)] for a in t]  # held out of the corpus
    corpus_triplets = triplets[len(filler_pool) // 3 :]
    articles = [a for t in corpus_triplets for a in t]
    sources = [t[0] for t in corpus_triplets]
    gold: dict[tuple[str, str], str] = {}

    def derived(kind: str, n: int, src: Article, text: str) -> Article:
        day = (src.published or "2000-01-01")[:10]
        return Article(id=f"{kind}-{n}-{src.id}", source=f"synthetic:{kind}", outlet=f"Synthetic {kind} {n}",
                       title=src.title, published=f"{day}T23:59:00", language="en", text=text)

    for n in range(min(per_kind, len(sources) - 1)):
        src = sources[n % len(sources)]
        paragraphs = src.text.split("\n\n")
        # each partial copy gets its own filler article, so no two synthetic articles share filler
        filler = filler_pool[n % len(filler_pool)].text.split("\n\n")
        texts = {
            "verbatim": src.text,
            "partial": "\n\n".join(filler[:4] + paragraphs[: max(2, len(paragraphs) // 3)] + filler[4:6]),
            "reordered": "\n\n".join(rng.sample(paragraphs, len(paragraphs))),
            "edited": _edit(src.text, rng),
            "paraphrase": _paraphrase(src.text, rng),
        }
        for kind, text in texts.items():
            doc = derived(kind, n, src, text)
            articles.append(doc)
            gold[(src.id, doc.id)] = kind
        other = sources[(n + 1) % len(sources)]
        merge_text = "\n\n".join(paragraphs[: len(paragraphs) // 2] + other.text.split("\n\n")[: 3])
        later = max(src.published or "", other.published or "")[:10] or "2000-01-01"
        merged = Article(id=f"merge-{n}-{src.id}", source="synthetic:merge", outlet=f"Synthetic merge {n}",
                         title=src.title, published=f"{later}T23:59:00", language="en", text=merge_text)
        articles.append(merged)
        gold[(src.id, merged.id)] = "merge"
        gold[(other.id, merged.id)] = "merge"
    return SyntheticCorpus(articles, gold)


def evaluate(corpus: SyntheticCorpus, embed=None) -> tuple[dict[str, float], list[str]]:
    predicted = detect_derivations(corpus.articles, embed=embed)
    synthetic_ids = {a.id for a in corpus.articles if a.source.startswith("synthetic:")}
    # Two synthetic copies of one source are derived from each other too; those pairs are right, not spurious.
    siblings = {}
    for (src, der) in corpus.gold:
        siblings.setdefault(src, set()).add(der)
    def is_sibling_pair(a: str, b: str) -> bool:
        return any(a in group and b in group for group in siblings.values())

    gold_pairs = {frozenset(p) for p in corpus.gold}
    scored = [d for d in predicted if not is_sibling_pair(d.source_article, d.derived_article)]
    tp = [d for d in scored if frozenset((d.source_article, d.derived_article)) in gold_pairs]
    p, r, f = prf(len(tp), len(scored), len(gold_pairs))
    direction_ok = sum(1 for d in tp if (d.source_article, d.derived_article) in corpus.gold)
    found_by_kind = Counter(corpus.gold.get((d.source_article, d.derived_article)) or
                            corpus.gold.get((d.derived_article, d.source_article)) for d in tp)
    gold_by_kind = Counter(corpus.gold.values())
    metrics = {"derived_p": p, "derived_r": r, "derived_f1": f,
               "direction_acc": direction_ok / len(tp) if tp else 0.0}
    for kind in KINDS:
        metrics[f"recall_{kind}"] = found_by_kind[kind] / gold_by_kind[kind] if gold_by_kind[kind] else 0.0
    false_pos = [d for d in scored if frozenset((d.source_article, d.derived_article)) not in gold_pairs]
    notes = [f"{len(corpus.articles)} articles ({len(synthetic_ids)} synthetic), {len(gold_pairs)} gold derived pairs, "
             f"{len(predicted)} predicted, {len(false_pos)} false positives",
             "SYNTHETIC benchmark: derived articles are generated from real BASIL text by this command."]
    return metrics, notes


@click.command()
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="A folder laid out like ../shared/data/basil (articles/<year>/*.json), or the shared data root.")
@click.option("--seed", default=13, show_default=True)
@click.option("--per-kind", default=20, show_default=True, help="Synthetic derived articles of each kind.")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True,
              help="Also detect paraphrase-level reuse by MiniLM sentence alignment.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def eval_derivation_command(data: Path, seed: int, per_kind: int, embeddings: bool, json_path: Path | None) -> None:
    """Text-reuse detection on a synthetic benchmark built from BASIL news text."""
    folder = data / "basil" if (data / "basil" / "articles").is_dir() else data
    if not (folder / "articles").is_dir():
        raise click.UsageError(f"{data}: no BASIL-style articles/ folder found")
    corpus = build_corpus(load_basil(folder), seed=seed, per_kind=per_kind)
    embed = None
    if embeddings:
        from crossread.nlp.embeddings import resolve_backend, stage_embedders

        # the pipeline's choice for the stage (MiniLM, static, or static-prunes-MiniLM-decides)
        embed = stage_embedders(lambda service: service.embed, None, ("derivation",))
    metrics, notes = evaluate(corpus, embed=embed)
    notes.append("paraphrase detection by sentence embeddings: "
                 + (resolve_backend(stage="derivation") if embed else "off"))
    emit_metrics("derivation", folder, metrics, json_path, notes=notes)
