"""The actor registry: countries (names, ISO3, demonyms, capitals), international
organisations and user-supplied actors, with their aliases.

Lookups are by normalised surface text (case-folded, leading "the" and a
trailing possessive dropped). All-caps aliases (ISO3 codes, acronyms) only
match text written in capitals, so "who" never becomes the WHO.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_MEMO_SIZE = 50_000  # lookups remembered per registry (cleared when full)


@dataclass
class RegistryEntry:
    key: str
    name: str
    type: str  # GPE / ORG / PERSON / NORP ...
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    capital: str | None = None
    role: str | None = None
    sector: str | None = None  # CAMEO agent code (REB for Hamas, LEG for Congress); None for a state


@dataclass(frozen=True)
class Match:
    """How a surface text matched: ``kind`` is name/alias/acronym/demonym/capital."""

    entry: RegistryEntry
    kind: str


_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_LEADING_THE_MIXED = re.compile(r"^(?:the|The)\s+")
_POSSESSIVE_END = re.compile(r"'s?$")


def normalize(text: str) -> str:
    text = " ".join(text.replace("\u2019", "'").split())
    text = _LEADING_THE.sub("", text)
    text = _POSSESSIVE_END.sub("", text)
    return text.strip(" .,;:").lower()


def _is_caps(text: str) -> bool:
    """1 to 6 letters, all capitals (other characters ignored)."""
    letters = 0
    for c in text:
        if c.isalpha():
            letters += 1
            if letters > 6 or not c.isupper():
                return False
    return letters > 0


class ActorRegistry:
    def __init__(self, entries: Iterable[RegistryEntry] = ()):
        self.entries: dict[str, RegistryEntry] = {}
        self._index: dict[str, Match] = {}
        self._caps: dict[str, Match] = {}
        self._memo: dict[str, Match | None] = {}
        self._max_tokens: int | None = None
        for entry in entries:
            self.add(entry)

    def _index_text(self, text: str, match: Match, overwrite: bool = False) -> None:
        self._memo.clear()
        self._max_tokens = None
        if not text.strip():
            return
        if _is_caps(text):
            key = text.replace(".", "").strip()
            if overwrite or key not in self._caps:
                self._caps[key] = match
            return
        norm = normalize(text)
        if norm and (overwrite or norm not in self._index):
            self._index[norm] = match

    def add(self, entry: RegistryEntry, overwrite: bool = False) -> RegistryEntry:
        """Add an entry, or merge its aliases into an existing one with the same key."""
        if entry.key in self.entries:
            existing = self.entries[entry.key]
            for alias in entry.aliases:
                if alias not in existing.aliases:
                    existing.aliases.append(alias)
            for dem in entry.demonyms:
                if dem not in existing.demonyms:
                    existing.demonyms.append(dem)
            existing.role = entry.role or existing.role
            existing.country = entry.country or existing.country
            existing.sector = entry.sector or existing.sector
            entry = existing
        else:
            self.entries[entry.key] = entry
        self._index_text(entry.name, Match(entry, "name"), overwrite)
        for alias in entry.aliases:
            self._index_text(alias, Match(entry, "acronym" if _is_caps(alias) else "alias"), overwrite)
        for dem in entry.demonyms:
            self._index_text(dem, Match(entry, "demonym"), overwrite)
        if entry.capital:
            self._index_text(entry.capital, Match(entry, "capital"), overwrite)
        return entry

    def lookup(self, text: str) -> Match | None:
        """The entry ``text`` names, if any (memoised: extraction asks for the same texts over and
        over; ``add`` clears the memo)."""
        memo = self._memo
        if text in memo:
            return memo[text]
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        hit = memo[text] = self._lookup(text)
        return hit

    def _lookup(self, text: str) -> Match | None:
        stripped = _LEADING_THE_MIXED.sub("", text.strip()).replace("\u2019", "'")
        stripped = _POSSESSIVE_END.sub("", stripped).strip(" ,;:")
        if _is_caps(stripped):
            hit = self._caps.get(stripped.replace(".", ""))
            if hit:
                return hit
        return self._index.get(normalize(text))

    def get(self, key: str) -> RegistryEntry | None:
        return self.entries.get(key)

    def aliases(self) -> Iterable[str]:
        yield from self._index
        yield from self._caps

    def max_alias_tokens(self) -> int:
        if self._max_tokens is None:
            self._max_tokens = max((len(a.split()) for a in self.aliases()), default=1)
        return self._max_tokens


def _country_entries() -> list[RegistryEntry]:
    import pycountry

    table: dict[str, tuple[list[str], str, list[str]]] = {}
    with (DATA_DIR / "countries.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t") + ["", "", ""]
            iso3, dems, capital, extra = parts[:4]
            table[iso3] = ([d.strip() for d in dems.split(",") if d.strip()], capital.strip(),
                           [a.strip() for a in re.split(r",(?! D\.C\.)", extra) if a.strip()])
    entries = []
    for iso3, (dems, capital, extra) in table.items():
        # "=Russia": the display name news uses, where ISO's ("Russian Federation") is not it
        preferred = next((a[1:] for a in extra if a.startswith("=")), None)
        extra = [a.lstrip("=") for a in extra]
        country = pycountry.countries.get(alpha_3=iso3)
        names: list[str] = []
        if country is not None:
            for attr in ("common_name", "name", "official_name"):
                value = getattr(country, attr, None)
                if value and value not in names:
                    names.append(value)
        # ISO's inverted forms ("Palestine, State of") are not how news names a country
        spelled = [a for a in extra if not a.isupper()]
        plain = [n for n in names if ", " not in n and not n.lower().startswith("the ")]
        name = preferred or (plain or spelled or extra or names or [iso3])[0]
        aliases = [n for n in names + extra if n != name] + [iso3]
        entries.append(RegistryEntry(key=iso3, name=name, type="GPE", country=iso3,
                                     aliases=aliases, demonyms=dems, capital=capital or None))
    return entries


def _igo_entries() -> list[RegistryEntry]:
    """``actors_igo.json`` (keys ``IGO:...``) and every other ``actors_<kind>.json`` (keys
    ``<KIND>:...``, e.g. ``REGIONS:GAZA``, ``PARTIES:USA_REPUBLICAN``): organisations, armed groups,
    sub-national regions, political parties (whose member adjective, "Republican", is a demonym).
    ``country`` is ISO 3166 alpha-3, or ``IGO``/``NGO`` for an international organisation as CAMEO
    codes it; ``sector`` the CAMEO agent code (``data/actor_sectors.tsv`` names the codebook)."""
    entries = []
    igo = DATA_DIR / "actors_igo.json"
    for path in [igo, *(p for p in sorted(DATA_DIR.glob("actors_*.json")) if p != igo)]:
        prefix = path.stem.split("_", 1)[1].upper()
        data = json.loads(path.read_text(encoding="utf-8"))
        entries.extend(RegistryEntry(key=f"{prefix}:{d['key']}", name=d["name"], type=d.get("type", "ORG"),
                                     country=d.get("country"), aliases=list(d.get("aliases", [])),
                                     demonyms=list(d.get("demonyms", [])), sector=d.get("sector"))
                       for d in data)
    return entries


def build_default_registry() -> ActorRegistry:
    registry = ActorRegistry()
    # "Congolese" and "Dominican" are shared: the first listed wins, so order matters
    for entry in _country_entries():
        registry.add(entry)
    for entry in _igo_entries():
        registry.add(entry)
    return registry


@lru_cache(maxsize=1)
def _default() -> ActorRegistry:
    return build_default_registry()


def default_registry() -> ActorRegistry:
    """The built-in registry (cached; copy it with ``build_default_registry`` before mutating)."""
    return _default()


def _split_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[|;]", str(value)) if v.strip()]


def load_user_actors(path: str | Path, registry: ActorRegistry | None = None) -> ActorRegistry:
    """Add actors/aliases from a CSV (columns: name, type, aliases ``a|b``, country, role, sector, key)
    or JSON (a list of objects with the same fields) file. Returns the registry (a fresh copy
    of the built-in one unless ``registry`` is given). A row whose ``key`` or ``name`` names an
    existing entry adds aliases to it."""
    path = Path(path)
    registry = registry if registry is not None else build_default_registry()
    if path.suffix.lower() == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(rows, dict):
            rows = rows.get("actors", [])
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    for row in rows:
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        key = str(row.get("key") or "").strip()
        if not key:
            hit = registry.lookup(name)
            key = hit.entry.key if hit else f"USER:{normalize(name)}"
        registry.add(RegistryEntry(
            key=key, name=name if key not in registry.entries else registry.entries[key].name,
            type=str(row.get("type") or "ORG").strip().upper(),
            country=(str(row.get("country")).strip().upper() or None) if row.get("country") else None,
            aliases=_split_list(row.get("aliases")),
            demonyms=_split_list(row.get("demonyms")),
            role=(str(row.get("role")).strip() or None) if row.get("role") else None,
            sector=(str(row.get("sector")).strip().upper() or None) if row.get("sector") else None,
        ), overwrite=True)
    return registry
