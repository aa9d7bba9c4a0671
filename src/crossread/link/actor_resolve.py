"""One actor per real-world actor across articles, decided the same way however the articles arrive.

Each article names its actors (``article_actors`` in the store: "Ismail Haniyeh", "Haniyeh",
"Hamas"). Distinct **forms** — (name, type, merge key) — are grouped:

* the merge key is the registry entry's key when the name is a known actor, else
  ``TYPE:normalised name`` (:func:`merge_key`);
* forms are visited longest person names first (then by key and name, so the visit order is a
  function of the set of forms, never of arrival order); a form joins the group whose key it
  shares; or, for a person, the first group whose founding name can name the same person
  (:func:`crossread.extract.names.compatible_names`: "Haniyeh" and "Ismail Haniyeh", "Donald J.
  Trump" and "Donald John Trump", "Pena Nieto" and "Enrique Peña Nieto"; not "Melania Trump" or
  "Donald Trump Jr."); or the group founded by the same name under another type (the tagger read
  "WikiLeaks" as a person in one article, an organisation in another; registry names excepted:
  "Jordan" the country is not "Jordan" the congressman); otherwise it founds a group.

A group's id is ``record_id("actor", "*", founding key)``. A form only ever meets forms that share
its key or its **link word** (:func:`link_word`: a person's surname, accents folded and "Jr." left
out; the last word of a name outside the registry that could be a person's), so a new form can change groups only within that **unit**
(:func:`expand_unit`): an increment regroups the units its new forms touch, never the corpus, and
ends with the same groups as one run over everything. When a new founding name takes over a group
("Donald Trump" arriving after "Trump"), the old id is kept as a redirect to the new one.

The attributes of an actor are functions of the article rows it groups, never of their order:
name of the founding form; type the founding form's when it is a person's full name, else the most
frequent type (ties: the founding form's); role, country and sector the most frequent non-empty value (ties: the
alphabetically first); aliases every other name used, most frequent first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from crossread.extract.names import compatible_names, name_words
from crossread.extract.registry import ActorRegistry, default_registry, normalize
from crossread.records import Actor, record_id


@dataclass(frozen=True, order=True)
class ActorForm:
    """A distinct way articles name an actor."""

    name: str
    type: str
    merge_key: str

    @property
    def surname(self) -> str | None:
        return _link_word(self.name, self.type, self.merge_key)

    def sort_key(self) -> tuple:
        return (self.type != "PERSON", -len(self.name.split()), self.merge_key, self.name, self.type)


# last words that make a name an institution's, never a person's: such names link by key only
_INSTITUTION_LAST = {"committee", "department", "party", "court", "council", "house", "senate", "congress",
                     "office", "news", "times", "post", "journal", "agency", "ministry", "university",
                     "association", "union", "center", "centre", "foundation", "institute", "commission",
                     "administration", "campaign", "network", "group", "service", "board", "bank", "company"}


def _registry_keyed(merge_key: str) -> bool:
    return not merge_key.startswith(("PERSON:", "ORG:", "GPE:", "LOC:", "NORP:"))


def _link_word(name: str, type_: str, merge_key: str) -> str | None:
    """A person's surname (folded, suffix left out); for another name outside the registry of up
    to three capitalised words, its last word (the tagger may have mistyped a person's name)."""
    parts = name_words(name)
    if type_ == "PERSON":
        return parts.last
    if _registry_keyed(merge_key) or not 1 <= len(parts.words) <= 3 or parts.last in _INSTITUTION_LAST:
        return None
    if not all(w[:1].isupper() for w in name.split()):
        return None
    return parts.last


def _same_name(form: "ActorForm") -> str:
    return " ".join(name_words(form.name).words)


def merge_key(actor: Actor, registry: ActorRegistry | None = None) -> str:
    """The registry key of a known actor, else ``TYPE:normalised name``."""
    registry = registry or default_registry()
    match = registry.lookup(actor.name)
    if match is not None and match.entry.type == actor.type or (match and actor.type in ("GPE", "ORG", "NORP")):
        return match.entry.key
    return f"{actor.type}:{normalize(actor.name)}"


def surname_of(actor: Actor, registry: ActorRegistry | None = None) -> str | None:
    """The link word of an actor's name (:func:`link_word`): where variants of one name are matched
    (the store's ``surname`` column)."""
    return _link_word(actor.name, actor.type, merge_key(actor, registry))


def link_word(form: "ActorForm") -> str | None:
    return form.surname


def form_of(actor: Actor, registry: ActorRegistry | None = None) -> ActorForm:
    return ActorForm(actor.name, actor.type, merge_key(actor, registry))


def actor_id(founder: ActorForm) -> str:
    return record_id("actor", "*", founder.merge_key)


def group_forms(forms: Iterable[ActorForm]) -> dict[ActorForm, ActorForm]:
    """form -> the founding form of its group (see the module docstring)."""
    founders: dict[str, ActorForm] = {}  # founding key -> founding form, in founding order
    person_founders: list[tuple[object, ActorForm]] = []
    by_name: dict[str, ActorForm] = {}  # folded name outside the registry -> the first founder so named
    out: dict[ActorForm, ActorForm] = {}
    for form in sorted(set(forms), key=ActorForm.sort_key):
        founder = founders.get(form.merge_key)
        if founder is None and form.type == "PERSON":
            words = name_words(form.name)
            for other_words, other in person_founders:
                if compatible_names(words, other_words):
                    founder = other
                    break
        if founder is None and not _registry_keyed(form.merge_key) and form.surname:
            founder = by_name.get(_same_name(form))
        if founder is None:
            founder = founders[form.merge_key] = form
            if form.type == "PERSON":
                person_founders.append((name_words(form.name), form))
        if not _registry_keyed(form.merge_key) and form.surname:
            by_name.setdefault(_same_name(form), founder)
        out[form] = founder
    return out


def unit_keys(form: ActorForm) -> list[tuple[str, str]]:
    """What links a form to the others it may group with: its key and, for a person, its surname."""
    keys = [("merge_key", form.merge_key)]
    if form.surname:
        keys.append(("surname", form.surname))
    return keys


def expand_unit(seeds: Iterable[ActorForm], lookup) -> set[ActorForm]:  # noqa: ANN001 - a callable
    """Every form linked to ``seeds`` through shared keys or surnames. ``lookup(kind, values)`` returns
    the forms whose ``kind`` ("merge_key" / "surname") is among ``values``."""
    unit = set(seeds)
    todo = list(unit)
    asked: set[tuple[str, str]] = set()
    while todo:
        wanted: dict[str, set[str]] = {"merge_key": set(), "surname": set()}
        for form in todo:
            for kind, value in unit_keys(form):
                if (kind, value) not in asked:
                    asked.add((kind, value))
                    wanted[kind].add(value)
        todo = []
        for kind, values in wanted.items():
            if values:
                for form in lookup(kind, sorted(values)):
                    if form not in unit:
                        unit.add(form)
                        todo.append(form)
    return unit


@dataclass
class ActorRow:
    """One article's actor as grouping sees it (an ``article_actors`` row and its aliases)."""

    article_id: str
    local_id: str
    form: ActorForm
    role: str | None = None
    country: str | None = None
    aliases: Sequence[str] = field(default_factory=tuple)
    mentions: int = 0
    sector: str | None = None


def _most_common(counts: Counter) -> str | None:
    """The most frequent non-empty value; ties: the alphabetically first."""
    counts = Counter({v: n for v, n in counts.items() if v})
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def group_type(founder: ActorForm, types: Counter | None) -> str:
    """The type of a group: its founder's when that is a person's full name (the tagger reads names
    as places or organisations far more often than the reverse), else its rows' most frequent type
    (ties: the founder's)."""
    if not types or (founder.type == "PERSON" and len(name_words(founder.name).words) >= 2):
        return founder.type
    best = max(types.values())
    tied = sorted(t for t, n in types.items() if n == best)
    return founder.type if founder.type in tied else tied[0]


def describe_counts(founder: ActorForm, names: Counter, roles: Counter, countries: Counter,
                    types: Counter | None = None, sectors: Counter | None = None) -> Actor:
    """The actor a group stands for, from how often its rows use each name or alias, role, country,
    sector and type (no mentions: the store joins them). The store keeps these counts per actor
    (``actor_counts``)."""
    names = Counter(names)
    names.pop(founder.name, None)
    aliases = [n for n, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Actor(id=actor_id(founder), name=founder.name, type=group_type(founder, types), aliases=aliases,
                 mentions=[], role=_most_common(roles), country=_most_common(countries),
                 sector=_most_common(sectors or Counter()))


def describe_actor(founder: ActorForm, rows: Sequence[ActorRow]) -> Actor:
    """The actor a group of article rows stands for (:func:`describe_counts` of the rows)."""
    names: Counter = Counter()
    for row in rows:
        names[row.form.name] += 1
        names.update(row.aliases)
    return describe_counts(founder, names, Counter(r.role for r in rows), Counter(r.country for r in rows),
                           Counter(r.form.type for r in rows), Counter(r.sector for r in rows))


def merge_actors(actors_by_article: Mapping[str, Sequence[Actor]] | Sequence[Sequence[Actor]],
                 registry: ActorRegistry | None = None) -> tuple[list[Actor], dict[str, str]]:
    """Merge the same actor across articles held in memory (the store does the same incrementally).

    Returns the merged actors (mentions sorted by article and offset; in the order their groups were
    founded) and ``id_map``: every article-local id -> merged id."""
    registry = registry or default_registry()
    groups = actors_by_article.values() if isinstance(actors_by_article, Mapping) else actors_by_article
    flat = [a for group in groups for a in group]
    forms = {id(a): form_of(a, registry) for a in flat}
    founder_of = group_forms(forms.values())
    members: dict[ActorForm, list[Actor]] = {}
    for actor in flat:
        members.setdefault(founder_of[forms[id(actor)]], []).append(actor)
    merged: list[Actor] = []
    id_map: dict[str, str] = {}
    for founder in sorted(members, key=ActorForm.sort_key):
        group = members[founder]
        rows = [ActorRow("", a.id, forms[id(a)], a.role, a.country, tuple(a.aliases), sector=a.sector)
                for a in group]
        actor = describe_actor(founder, rows)
        actor.mentions = sorted((m for a in group for m in a.mentions), key=lambda m: (m.article_id, m.start))
        merged.append(actor)
        for a in group:
            id_map[a.id] = actor.id
    return merged, id_map
