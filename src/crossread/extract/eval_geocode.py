"""``crossread eval geocode``: the gazetteer resolver (:mod:`crossread.extract.geocode`) on the hand-labelled
dev set ``data/geocode_dev.tsv`` (its rule and labelling in docs/EVALUATION.md, "Geocoding").

Each mention is resolved as extraction resolves an event's place: in the context of its document's places
(the shipped pipeline's GPE/LOC/FAC and NORP entities and the dateline; :class:`geocode.ArticlePlaces`).
Accuracy at three levels, each over the mentions whose gold label has that level or a finer one, a refusal
counting as wrong:

* ``country_acc``: the resolved place is in the gold country (mentions with a gold country);
* ``admin1_acc``: ... in the gold first-order division (mentions with a gold admin1 code);
* ``city_acc``: the resolved place is the gold populated place (gold level ``city``, including the ones
  the gazetteer lacks: they count against it);
* ``exact_acc``: the GeoNames id is the gold one, over every mention with a gold id;
* ``refused_rate`` over the place mentions; ``false_place`` mentions of gold level ``none`` given a place.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from crossread.extract.geocode import ArticlePlaces, Place

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "geocode_dev.tsv"


@dataclass(frozen=True)
class GoldPlace:
    corpus: str
    document: str
    start: int
    end: int
    level: str  # country / admin1 / city / other / none
    geonames_id: int | None
    country: str | None
    admin1: str | None


def read_dev_set(path: Path = DEV_SET) -> list[GoldPlace]:
    """The labelled mentions (``#`` lines are the file's notes)."""
    def opt(value: str) -> str | None:
        return None if value in ("", "-") else value

    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return [GoldPlace(r["corpus"], r["document"], int(r["start"]), int(r["end"]), r["level"],
                          int(r["geonames_id"]) if opt(r["geonames_id"]) else None, opt(r["country"]),
                          opt(r["admin1"])) for r in rows]


def _ecbplus_texts(data: Path, names: set[str]) -> dict[str, str]:
    from crossread.link.ecbplus import find_corpus_root, read_document

    if not names:
        return {}
    root = find_corpus_root(data / "ecbplus" if (data / "ecbplus").is_dir() else data)
    texts = {}
    for name in sorted(names):
        topic = name.split("_", 1)[0]
        texts[name] = read_document(root / topic / f"{name}.xml").text
    return texts


def _basil_texts(data: Path, names: set[str]) -> dict[str, str]:
    """BASIL article texts as :func:`crossread.evaluation.read_basil` joins them (the offsets index these)."""
    from crossread.evaluation import read_basil

    if not names:
        return {}
    folder = data / "basil" if (data / "basil").is_dir() else data
    texts = {article.id: article.text for article, _ in read_basil(folder) if article.id in names}
    missing = names - set(texts)
    if missing:
        raise ValueError(f"{folder}: BASIL articles {sorted(missing)[:3]} not found")
    return texts


def score(gold: list[GoldPlace], predicted: list[Place | None]) -> dict[str, float | int]:
    """The metrics of the module doc for aligned gold and predicted places."""
    def acc(pairs: list[tuple[GoldPlace, Place | None]], ok: Callable[[GoldPlace, Place], bool]) -> float:
        return sum(1 for g, p in pairs if p is not None and ok(g, p)) / len(pairs) if pairs else 0.0

    pairs = list(zip(gold, predicted))
    places = [(g, p) for g, p in pairs if g.level != "none"]
    return {
        "mentions": len(pairs),
        "place_mentions": len(places),
        "country_n": sum(1 for g, _ in places if g.country),
        "country_acc": acc([(g, p) for g, p in places if g.country], lambda g, p: p.country == g.country),
        "admin1_n": sum(1 for g, _ in places if g.admin1),
        "admin1_acc": acc([(g, p) for g, p in places if g.admin1], lambda g, p: p.admin1 == g.admin1),
        "city_n": sum(1 for g, _ in places if g.level == "city"),
        "city_acc": acc([(g, p) for g, p in places if g.level == "city"], lambda g, p: p.geonames_id == g.geonames_id),
        "exact_n": sum(1 for g, _ in places if g.geonames_id is not None),
        "exact_acc": acc([(g, p) for g, p in places if g.geonames_id is not None],
                         lambda g, p: p.geonames_id == g.geonames_id),
        "refused_rate": sum(1 for _, p in places if p is None) / len(places) if places else 0.0,
        "false_place": sum(1 for g, p in pairs if g.level == "none" and p is not None),
    }


def run_eval(data: Path, nlp: Callable[[str], Any] | None = None,
             dev_set: Path = DEV_SET) -> tuple[dict[str, float | int], list[tuple[GoldPlace, str, Place | None]]]:
    """Resolve every dev-set mention in its document's context; (metrics, (gold, mention text, place) rows)."""
    gold = read_dev_set(dev_set)
    unknown = {g.corpus for g in gold} - {"ecbplus", "basil"}
    if unknown:
        raise ValueError(f"{dev_set}: corpus {sorted(unknown)} has no reader here")
    texts = {("ecbplus", name): text
             for name, text in _ecbplus_texts(data, {g.document for g in gold if g.corpus == "ecbplus"}).items()}
    texts.update({("basil", name): text for name, text in _basil_texts(
        data, {g.document for g in gold if g.corpus == "basil"}).items()})
    if nlp is None:
        from crossread.nlp import load_pipeline  # type: ignore[attr-defined]

        nlp = load_pipeline()
    places: dict[tuple[str, str], ArticlePlaces] = {}
    rows = []
    for g in gold:
        text = texts[(g.corpus, g.document)]
        if g.end > len(text):
            raise ValueError(f"{g.document}: mention {g.start}-{g.end} lies outside the document: another version?")
        if (g.corpus, g.document) not in places:
            places[(g.corpus, g.document)] = ArticlePlaces(nlp(text).ents, text)
        mention = text[g.start:g.end]
        rows.append((g, mention, places[(g.corpus, g.document)].resolve(mention)))
    return score(gold, [p for _, _, p in rows]), rows


@click.command(name="geocode")
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder holding ecbplus/ and basil/ (as shared/data).")
@click.option("--errors", is_flag=True, default=False, help="List the mentions resolved wrongly or refused.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the metrics as JSON here.")
def eval_geocode_command(data: Path, errors: bool, json_out: Path | None) -> None:
    """Gazetteer accuracy (country, admin1, city) on the hand-labelled geocoding dev set."""
    from crossread.evaluation import emit_metrics

    metrics, rows = run_eval(data)
    notes = []
    for corpus in sorted({g.corpus for g, _, _ in rows}):
        part = score([g for g, _, _ in rows if g.corpus == corpus], [p for g, _, p in rows if g.corpus == corpus])
        notes.append(f"{corpus}: " + ", ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in part.items()))
    if errors:
        for g, mention, p in rows:
            if g.level == "none" or (p is not None and p.geonames_id == g.geonames_id):
                continue
            got = "refused" if p is None else f"{p.name} {p.geonames_id} {p.country} {p.admin1}"
            notes.append(f"{g.document} {mention!r} gold {g.level} {g.geonames_id} {g.country} {g.admin1} -> {got}")
    emit_metrics("geocode", data, metrics, json_out, notes=notes)
