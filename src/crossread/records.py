"""The one record model that flows through every stage.

Records are plain dataclasses so that stages stay pure functions over batches
(the same code runs in one process and on Spark: ``to_dict``/``from_dict``
give a JSON-safe row). Offsets are character offsets into the article's
*cleaned* ``text``; ``text[start:end]`` is always the evidence itself.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any, Literal, TypeVar

SCHEMA_VERSION = "1.0"

QuoteKind = Literal["direct", "indirect", "mixed"]
ClaimStatus = Literal["corroborated", "single_source", "contradicted"]
ClaimStance = Literal["supports", "contradicts", "discusses", "unrelated"]
DerivationKind = Literal["copy", "partial", "paraphrase"]

T = TypeVar("T")


def content_id(text: str, length: int = 16) -> str:
    """Stable id from content: the same text always gets the same id (idempotent reruns)."""
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:length]


def record_id(prefix: str, *parts: object) -> str:
    """Deterministic id for a derived record, so reruns produce identical ids."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}_{digest}"


@dataclass
class Evidence:
    """Where a record comes from: ``article.text[start:end]`` inside ``sentence``."""

    article_id: str
    start: int
    end: int
    sentence: str


@dataclass
class Removed:
    """A piece of page chrome removed during cleaning, kept for the audit trail."""

    text: str
    reason: str


@dataclass
class Signal:
    """A machine-generation tell: evidence, never a verdict."""

    kind: str
    text: str
    start: int
    end: int


@dataclass
class Article:
    id: str
    source: str
    outlet: str | None
    title: str | None
    published: str | None
    language: str | None
    text: str
    url: str | None = None
    format: str | None = None
    authors: list[str] = field(default_factory=list)  # bylines, in order (crossread.ingest.authors)
    removed: list[Removed] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass
class Mention:
    """One textual mention of an actor (evidence plus the surface text)."""

    article_id: str
    start: int
    end: int
    sentence: str
    text: str


@dataclass
class Actor:
    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    role: str | None = None
    country: str | None = None
    sector: str | None = None  # CAMEO agent code (GOV, MIL, COP, ...; extract.actor_codes)


@dataclass
class Event:
    id: str
    plover: str
    mode: str | None
    cameo: str | None
    source: list[str]
    target: list[str]
    trigger: str
    negated: bool = False
    modality: str = "asserted"
    date: str | None = None
    location: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    independent_sources: int = 0
    confidence: float | None = None  # see docs/CONFIDENCE.md; None: stored by a release that had none
    date_source: str | None = None  # "clause" / "sentence" / "published" (extract.events.DATE_SOURCES)
    # what event-data tools read off the CAMEO code (crossread.extract.cameo), derived from ``cameo``
    # whenever a record is made, so they never disagree with it
    cameo_root: str | None = None  # the two-digit root ("0841" -> "08")
    quad_class: int | None = None  # 1 verbal cooperation, 2 material cooperation, 3 verbal / 4 material conflict
    goldstein: float | None = None  # the published Goldstein weight, -10 (most hostile) to +10
    # where it happened, resolved offline to a GeoNames entry (crossread.extract.geocode); ``location``
    # stays the place phrase of the event's own clause as written
    geonames_id: int | None = None
    place_name: str | None = None  # the gazetteer's name ("Washington")
    place_country: str | None = None  # ISO 3166 alpha-3
    place_admin1: str | None = None  # GeoNames first-order division code ("US.DC"); None for a country
    latitude: float | None = None  # None for a country or US state (the gazetteer gives no centroid)
    longitude: float | None = None
    place_source: str | None = None  # "clause" / "sentence" / "dateline" / "article" (geocode.PLACE_SOURCES)

    def __post_init__(self) -> None:
        from crossread.extract import cameo as codebook  # here: crossread.extract imports this module

        self.cameo_root = codebook.root_code(self.cameo)
        self.quad_class = codebook.quad_class(self.cameo)
        self.goldstein = codebook.goldstein(self.cameo)


@dataclass
class Quote:
    id: str
    speaker: str | None
    speaker_text: str | None
    cue: str | None
    content: str
    kind: QuoteKind
    evidence: Evidence
    also_in: list[Evidence] = field(default_factory=list)  # the same quote as other articles carry it
    outlets: list[str] = field(default_factory=list)
    independent_sources: int = 0
    confidence: float | None = None  # see docs/CONFIDENCE.md


@dataclass
class ClaimRelation:
    """How one article of the claim's story stands to the claim."""

    article_id: str
    outlet: str | None
    stance: ClaimStance
    score: float = 0.0
    evidence: Evidence | None = None  # the article's sentence that supports/contradicts/discusses it
    speaker: str | None = None  # actor id: who makes the supporting/contradicting statement (None: the outlet)
    confidence: float | None = None  # see docs/CONFIDENCE.md


@dataclass
class Claim:
    id: str
    text: str
    attributed_to: str | None
    evidence: list[Evidence] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    status: ClaimStatus = "single_source"
    independent_sources: int = 0
    relations: list[ClaimRelation] = field(default_factory=list)
    negated: bool = False  # the claim's own predicate is negated ("did not vote")
    hedged: bool = False  # stated as possible, reported or conditional, not asserted ("may", "reportedly", "if")
    confidence: float | None = None  # see docs/CONFIDENCE.md


@dataclass
class Story:
    id: str
    title: str
    article_ids: list[str] = field(default_factory=list)


@dataclass
class Passage:
    source_start: int
    source_end: int
    derived_start: int
    derived_end: int
    text: str


@dataclass
class Derivation:
    source_article: str
    derived_article: str
    kind: DerivationKind
    score: float
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Label:
    text: str
    count: int
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class LoadedTerm:
    text: str
    evidence: list[Evidence] = field(default_factory=list)


def sorted_labels(labels: Iterable[Label]) -> list[Label]:
    """The order a framing record lists its labels in: most used first, then by text."""
    return sorted(labels, key=lambda lb: (-lb.count, lb.text))


def sorted_terms(terms: Iterable[LoadedTerm]) -> list[LoadedTerm]:
    """The order a framing record lists its loaded terms in: most evidence first, then by text."""
    return sorted(terms, key=lambda t: (-len(t.evidence), t.text))


@dataclass
class Framing:
    outlet: str
    actor: str
    labels: list[Label] = field(default_factory=list)
    loaded_terms: list[LoadedTerm] = field(default_factory=list)


@dataclass
class Analysis:
    """Everything one run knows: what ``analysis.json`` serialises."""

    articles: list[Article] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    derivations: list[Derivation] = field(default_factory=list)
    framing: list[Framing] = field(default_factory=list)

    def article(self, article_id: str) -> Article | None:
        for article in self.articles:
            if article.id == article_id:
                return article
        return None


def to_dict(record: Any) -> dict[str, Any]:
    """JSON-safe dict of any record (dataclasses nest)."""
    return dataclasses.asdict(record)


@functools.lru_cache(maxsize=None)
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, resolved type) of each field of a record class: resolving the hints is the slow part of
    rebuilding records, and a corpus rebuilds tens of thousands of them."""
    import typing

    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _build(cls: type, value: Any) -> Any:
    """Rebuild a dataclass (and its nested dataclasses) from a dict."""
    if not dataclasses.is_dataclass(cls) or not isinstance(value, dict):
        return value
    return cls(**{name: _coerce(hint, value[name]) for name, hint in _field_hints(cls) if name in value})


def _coerce(hint: Any, value: Any) -> Any:
    import typing

    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list and args:
        return [_coerce(args[0], v) for v in (value or [])]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in args:
            if dataclasses.is_dataclass(arg) and isinstance(value, dict):
                return _build(arg, value)
        return value
    if dataclasses.is_dataclass(hint):
        return _build(hint, value)
    return value


def from_dict(cls: type[T], value: dict[str, Any]) -> T:
    """Inverse of :func:`to_dict`."""
    return _build(cls, value)


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    data = to_dict(analysis)
    return {"schema_version": SCHEMA_VERSION, **data}


def analysis_from_dict(data: dict[str, Any]) -> Analysis:
    data = {k: v for k, v in data.items() if k != "schema_version"}
    return from_dict(Analysis, data)
