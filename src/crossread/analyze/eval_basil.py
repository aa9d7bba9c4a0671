"""``crossread eval basil``: how far an analyst can trust the cross-source conclusions on real news.

The whole job (:func:`crossread.pipeline.run_analyze`: ingest, NLP, extraction, story filing, actor
resolution, the corpus stage) runs on BASIL's articles (Fox News, The New York Times and HuffPost
telling the same events, 2010–2019), and its records are scored against BASIL's phrase-level
annotations (Fan et al., 2019). Those annotations give, for each biased span, its text, whether it is
a quote, who speaks it and whom it targets. Their offsets are relative to one body sentence, so each
span is found again in the cleaned article text by its words.

Metrics:

* ``speaker_acc`` -- over annotated quoted spans whose speaker is a named person or a single
  organisation (:func:`named_entity`; "other_pro", "Democratic_lawmakers", "Obama_campaign" are not),
  the share inside a crossread quote whose speaker is that entity: the entity's surname (last name
  word) is a word of the actor's name or of one of its aliases. ``quote_recall``: the share of those
  spans inside some crossread quote (half of the span's words within the quote's content), and
  ``speaker_null_rate``: the share of all crossread quotes with no speaker.
* ``entity_split`` -- for each (crossread story, annotated target or speaker entity named in it), the
  number of the story's actors that are that entity (:func:`same_entity`: same surname, compatible
  first name and suffix -- "Trump" and "Donald J. Trump" are Donald Trump, "Melania Trump" and
  "Donald Trump Jr." are not), averaged over pairs with at least one such actor. 1.0 = one actor per
  person.
* ``contradiction_self_rate`` -- the share of *contradicted* claims with a contradicting relation
  whose sentence carries at least 80 % of the claim's content words, or whose article carries the
  claim itself.
* ``non_actor_rate`` -- the share of actors whose name is one word that is an adjective, a common noun
  or a demonym (:func:`non_actor_name`; the common-word list is built from UD English EWT + GUM train
  tags, ``scripts/build_common_words.py``).
* ``event_dated_rate`` (issue 21) -- the share of events with a date, and ``event_text_dated_rate`` the
  share dated by their own words (``date_source`` clause or sentence) rather than by the article's
  publication date. Every BASIL article has a publication date.

The folder is laid out like BASIL's release (``articles/<year>/*.json``, ``annotations/<year>/*_ann.json``);
``--years`` picks the years (the dev years are 2010–2017; 2018–2019 are held back).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import click

from crossread.analyze.claims import _content_words
from crossread.evaluation import basil_outlet, basil_paragraphs, emit_metrics
from crossread.extract.names import fold
from crossread.records import Actor, Analysis, Article, Claim, Quote

SELF_OVERLAP = 0.8  # content-word share at which a contradicting sentence restates the claim
SPAN_INSIDE = 0.5  # share of an annotated span's words inside a quote for the span to count as quoted
# plural or collective nouns: a speaker or target named by one of these is a group, not one entity
GROUP_WORDS = {
    "lawmakers", "officials", "democrats", "republicans", "catholics", "companies", "protestors", "protesters",
    "plaintiffs", "members", "leaders", "voters", "supporters", "critics", "activists", "residents", "senators",
    "administration", "campaign", "aides", "staff", "advocates", "groups", "people", "americans", "women", "men",
    "workers", "students", "police", "others", "allies", "opponents", "conservatives", "liberals", "media",
}
# institutions named by one common word ("the House voted"): actors, not common nouns
INSTITUTIONS = {"house", "senate", "congress", "parliament", "court", "cabinet", "pentagon", "kremlin", "army", "navy"}
NAME_PARTICLES = {"de", "da", "del", "van", "von", "bin", "al", "la", "le", "di", "du"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def named_entity(label: str | None) -> bool:
    """Is an annotated speaker/target label ("Donald_Trump", "NAACP", "other_anti") one named entity?"""
    if not label or label.startswith("other") or label.lower() in ("none", "na", "n/a"):
        return False
    parts = [p for p in label.replace("-", "_").split("_") if p]
    if not parts or "and" in (p.lower() for p in parts) or "&" in parts:
        return False
    for part in parts:
        low = part.lower().rstrip(".")
        if low in GROUP_WORDS:
            return False
        if part[:1].islower() and low not in NAME_PARTICLES:
            return False
    return True


@dataclass(frozen=True)
class Name:
    """A person's or organisation's name split for matching."""

    first: str | None
    last: str
    suffix: str | None
    words: tuple[str, ...]


def parse_name(text: str) -> Name | None:
    tokens = [w for w in words(text.replace("_", " "))]
    suffix = None
    while tokens and tokens[-1] in SUFFIXES:
        suffix = tokens.pop()
    tokens = [t for t in tokens if t not in ("mr", "mrs", "ms", "dr", "the")]
    if not tokens:
        return None
    return Name(tokens[0] if len(tokens) > 1 else None, tokens[-1], suffix, tuple(tokens))


def _surname_match(gold_last: str, word: str) -> bool:
    # BASIL truncates some labels at a non-ASCII letter ("Felipe_Calder" for Calderón)
    if word == gold_last:
        return True
    # a family ("the Clintons") is not the person
    return len(gold_last) >= 5 and word.startswith(gold_last) and word != gold_last + "s"


def names_entity(label: str, names: Iterable[str]) -> bool:
    """Surname match: the label's last name word is a word of one of ``names``."""
    gold = parse_name(label)
    if gold is None:
        return False
    return any(_surname_match(gold.last, w) for n in names for w in words(n))


def same_entity(label: str, actor: Actor) -> bool:
    """Is ``actor`` the entity ``label`` names? Same surname with a compatible first name and suffix,
    or (for a person named by first name only, "Donald") the same first name; organisations: all the
    label's words in the actor's name."""
    gold = parse_name(label)
    if gold is None:
        return False
    name = parse_name(actor.name)
    if name is None:
        return False
    if gold.first is None:  # one-word label: an organisation or a mononym
        return gold.last in name.words and len(name.words) <= 3
    if not _surname_match(gold.last, name.last):
        # a first-name-only actor ("Donald") is the person when the story has no other of that name
        return (actor.type == "PERSON" and len(name.words) == 1 and name.suffix is None
                and name.last == gold.first)
    if (name.suffix or None) != (gold.suffix or None):
        return False
    if name.first is None or name.first == gold.first:
        return True
    return len(name.first) == 1 and gold.first.startswith(name.first)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case words UD English tags as common nouns or adjectives far more often than as names."""
    text = resources.files("crossread.data").joinpath("common_words.txt").read_text(encoding="utf-8")
    return frozenset(w for w in text.split() if not w.startswith("#"))


def non_actor_name(name: str) -> bool:
    """One word that is an adjective, a common noun or a demonym ("Islamic", "Earth", "Committee")."""
    from crossread.extract.registry import default_registry

    tokens = name.split()
    if tokens and tokens[0] == "the":  # "the Committee"; "The Hill" is a newspaper's name
        tokens = tokens[1:]
    if len(tokens) != 1:
        return False
    word = tokens[0]
    match = default_registry().lookup(word)
    if match is not None and match.kind == "demonym":
        return True
    if match is not None:
        return False
    return fold(word) in common_words() and fold(word) not in INSTITUTIONS


# ---- reading BASIL -------------------------------------------------------------------------------------


@dataclass
class Span:
    article: str  # BASIL file stem
    triplet: str
    text: str
    quote: bool
    speaker: str
    target: str


def basil_records(folder: Path, years: Sequence[str] | None) -> tuple[list[dict], list[Span]]:
    """Article records (as JSON Lines records the pipeline ingests) and the annotated spans."""
    records, spans = [], []
    for path in sorted((folder / "articles").glob("*/*.json")):
        year = path.parent.name
        if years and year not in years:
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        text = "\n\n".join(" ".join(p) for p in basil_paragraphs(record))
        triplet = record.get("triplet-uuid") or path.stem.rsplit("_", 1)[0]
        records.append({"text": text, "title": record.get("title"), "published": record.get("date"),
                        "outlet": basil_outlet(record.get("source")),
                        "url": f"https://basil.invalid/{year}/{path.stem}", "language": "en"})
        ann_path = folder / "annotations" / year / f"{path.stem}_ann.json"
        if not ann_path.is_file():
            continue
        ann = json.loads(ann_path.read_text(encoding="utf-8"))
        for phrase in ann.get("phrase-level-annotations") or []:
            spans.append(Span(path.stem, triplet, str(phrase.get("txt") or ""), phrase.get("quote") == "yes",
                              str(phrase.get("speaker") or ""), str(phrase.get("target") or "")))
    return records, spans


def find_span(text: str, span: str) -> tuple[int, int] | None:
    """Where the annotated ``span`` is in ``text``, whitespace and quote marks aside."""
    tokens = re.findall(r"\w+", span)
    if not tokens:
        return None
    pattern = r"\W+".join(re.escape(t) for t in tokens)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


# ---- scoring -------------------------------------------------------------------------------------------


def _inside(span: tuple[int, int], start: int, end: int) -> bool:
    lo, hi = max(span[0], start), min(span[1], end)
    return hi > lo and (hi - lo) >= SPAN_INSIDE * (span[1] - span[0])


def self_contradiction(claim: Claim) -> bool:
    """A contradicted claim whose contradicting sentence restates it or comes from an article carrying it."""
    carriers = {e.article_id for e in claim.evidence}
    claim_words = _content_words(claim.text)
    for relation in claim.relations:
        if relation.stance != "contradicts":
            continue
        if relation.article_id in carriers:
            return True
        if relation.evidence is not None and claim_words:
            shared = len(claim_words & _content_words(relation.evidence.sentence)) / len(claim_words)
            if shared >= SELF_OVERLAP:
                return True
    return False


def score(analysis: Analysis, stem_of: dict[str, str], spans: Sequence[Span]) -> tuple[dict[str, float], list[str]]:
    """The metrics of the module docstring, and lines of error examples."""
    articles = {a.id: a for a in analysis.articles}
    article_of_stem = {stem: aid for aid, stem in stem_of.items()}
    actors = {a.id: a for a in analysis.actors}
    story_of = {aid: s.id for s in analysis.stories for aid in s.article_ids}
    quotes_in: dict[str, list[tuple[Quote, int, int]]] = {}
    for quote in analysis.quotes:
        for ev in [quote.evidence, *quote.also_in]:
            quotes_in.setdefault(ev.article_id, []).append((quote, ev.start, ev.end))
    examples: list[str] = []

    # speakers
    quoted = [s for s in spans if s.quote and named_entity(s.speaker)]
    found = right = located = 0
    by_confidence: dict[float | None, list[int]] = {}  # quote confidence -> [spans, right]
    for span in quoted:
        aid = article_of_stem.get(span.article)
        if aid is None:
            continue
        where = find_span(articles[aid].text, span.text)
        if where is None:
            continue
        located += 1
        hits = [q for q, start, end in quotes_in.get(aid, []) if _inside(where, start, end)]
        if not hits:
            if len(examples) < 40:
                examples.append(f"missed quote [{span.speaker}]: {span.text[:110]}")
            continue
        found += 1
        ok = False
        for q in hits:
            actor = actors.get(q.speaker) if q.speaker else None
            if actor is not None and names_entity(span.speaker, [actor.name, *actor.aliases]):
                ok = True
        right += ok
        band = by_confidence.setdefault(hits[0].confidence, [0, 0])
        band[0] += 1
        band[1] += ok
        if not ok and len(examples) < 80:
            got = [(actors[q.speaker].name if q.speaker in actors else None, q.speaker_text) for q in hits]
            examples.append(f"wrong speaker [{span.speaker}] got {got}: {span.text[:90]}")
    null = sum(1 for q in analysis.quotes if not q.speaker)

    # one actor per entity, per story
    story_actors: dict[str, set[str]] = {}
    for actor in analysis.actors:
        for mention in actor.mentions:
            if mention.article_id in story_of:
                story_actors.setdefault(story_of[mention.article_id], set()).add(actor.id)
    pairs: dict[tuple[str, str], set[str]] = {}
    for span in spans:
        for label in (span.speaker, span.target):
            if not named_entity(label):
                continue
            aid = article_of_stem.get(span.article)
            story = story_of.get(aid) if aid else None
            if story is None:
                continue
            key = (story, label.lower())
            if key in pairs:
                continue
            pairs[key] = {a for a in story_actors.get(story, ()) if same_entity(label, actors[a])}
    counted = [len(v) for v in pairs.values() if v]
    for (story, label), ids in pairs.items():
        if len(ids) > 1 and len(examples) < 120:
            examples.append(f"split {label}: {sorted(actors[a].name for a in ids)}")

    # contradictions
    contradicted = [c for c in analysis.claims if c.status == "contradicted"]
    self_rate = [c for c in contradicted if self_contradiction(c)]
    for claim in self_rate[:10]:
        examples.append(f"self-contradiction: {claim.text[:120]}")

    # non-actors
    non_actors = [a for a in analysis.actors if non_actor_name(a.name)]
    common = Counter(a.name for a in non_actors).most_common(15)
    if common:
        examples.append("non-actors: " + ", ".join(f"{n} ({c})" for n, c in common))

    metrics = {
        "speaker_acc": right / found if found else 0.0,
        "quote_recall": found / located if located else 0.0,
        "speaker_null_rate": null / len(analysis.quotes) if analysis.quotes else 0.0,
        "entity_split": sum(counted) / len(counted) if counted else 0.0,
        "contradiction_self_rate": len(self_rate) / len(contradicted) if contradicted else 0.0,
        "non_actor_rate": len(non_actors) / len(analysis.actors) if analysis.actors else 0.0,
        "event_dated_rate": (sum(1 for e in analysis.events if e.date) / len(analysis.events)
                             if analysis.events else 0.0),
        "event_text_dated_rate": (sum(1 for e in analysis.events if e.date_source in ("clause", "sentence"))
                                  / len(analysis.events) if analysis.events else 0.0),
        "quoted_spans": float(located),
        "quotes": float(len(analysis.quotes)),
        "entity_pairs": float(len(counted)),
        "contradicted_claims": float(len(contradicted)),
        "claims": float(len(analysis.claims)),
        "actors": float(len(analysis.actors)),
    }
    examples.insert(0, "speaker accuracy by quote confidence: " + ", ".join(
        f"{'none' if c is None else f'{c:.2f}'}: {m}/{n}" for c, (n, m) in
        sorted(by_confidence.items(), key=lambda kv: -1.0 if kv[0] is None else kv[0])))
    return metrics, examples


def analyse(records: Sequence[dict], outdir: Path, embeddings: bool = True, workers: int = 0) -> Analysis:
    """Run the whole job on the records (JSON Lines in ``outdir``), as a user would."""
    from crossread.pipeline import AnalyzeOptions, run_analyze

    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crossread-basil-input-") as folder:  # a run never reads its outdir
        source = Path(folder) / "basil.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        run_analyze([str(source)], AnalyzeOptions(outdir=outdir, write_outputs=False, json="never",
                                                  embeddings=embeddings, workers=workers))
    return stored_analysis(outdir)


def stored_analysis(outdir: Path) -> Analysis:
    from crossread.store import Store, default_db_url

    store = Store(default_db_url(outdir))
    try:
        return store.analysis()
    finally:
        store.close()


def stems_by_article(analysis: Analysis) -> dict[str, str]:
    return {a.id: (a.url or "").rsplit("/", 1)[-1] for a in analysis.articles if a.url}


@click.command()
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="A folder laid out like BASIL (articles/<year>/, annotations/<year>/), or the shared data root.")
@click.option("--years", default=None, help="Comma-separated years (default: every year in the folder).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the run's store here (reused when it already holds the articles).")
@click.option("--embeddings/--no-embeddings", default=True, show_default=True)
@click.option("--workers", type=int, default=0, show_default=True,
              help="Worker processes for NLP and extraction (0: the pipeline's default).")
@click.option("--rescore", is_flag=True, help="Score the store already in --workdir (no analysis).")
@click.option("--examples", is_flag=True, help="Print error examples.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def eval_basil_command(data: Path, years: str | None, workdir: Path | None, embeddings: bool, workers: int,
                       rescore: bool, examples: bool, json_path: Path | None) -> None:
    """Speakers, one actor per entity, contradictions and non-actors on BASIL (see the module docstring)."""
    folder = data / "basil" if (data / "basil" / "articles").is_dir() else data
    if not (folder / "articles").is_dir():
        raise click.UsageError(f"{data}: no BASIL articles/ folder")
    year_list = [y.strip() for y in years.split(",")] if years else None
    records, spans = basil_records(folder, year_list)
    if not records:
        raise click.UsageError(f"{folder}: no articles for years {years}")
    if rescore:
        if workdir is None:
            raise click.UsageError("--rescore needs --workdir")
        analysis = stored_analysis(workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="crossread-basil-") as tmp:
            analysis = analyse(records, workdir or Path(tmp), embeddings=embeddings, workers=workers)
    metrics, lines = score(analysis, stems_by_article(analysis), spans)
    notes = [f"{len(records)} articles, {len(spans)} annotated spans"
             + (f", years {years}" if years else "")]
    if examples:
        notes += lines
    emit_metrics("basil", data, metrics, json_path, notes=notes)
