"""One actor per real-world actor across articles, decided the same way however the articles arrive.

Each article names its actors (``article_actors`` in the store: "Ismail Haniyeh", "Haniyeh",
"Hamas"). Distinct **forms** — (name, type, merge key) — are grouped:

* the merge key is the registry entry's key when the name is a known actor, else
  ``TYPE:normalised name`` (:func:`merge_key`);
* forms are visited longest person names first (then by key and name, so the visit order is a
  function of the set of forms, never of arrival order); a form joins the group whose key it
  shares, or, for a person, the first group whose founding name has the same last word and one
  name's words contain the other's ("Haniyeh" joins "Ismail Haniyeh"); otherwise it founds a group.

A group's id is ``record_id("actor", "*", founding key)``. A form only ever meets forms that share
its key or its surname, so a new form can change groups only within that **unit**
(:func:`expand_unit`): an increment regroups the units its new forms touch, never the corpus, and
ends with the same groups as one run over everything. When a new founding name takes over a group
("Donald Trump" arriving after "Trump"), the old id is kept as a redirect to the new one.

The attributes of an actor are functions of the article rows it groups, never of their order:
name and type of the founding form; role and country the most frequent non-empty value (ties: the
alphabetically first); aliases every other name used, most frequent first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
        return _surname(self.name, self.type)

    def sort_key(self) -> tuple:
        return (self.type != "PERSON", -len(self.name.split()), self.merge_key, self.name, self.type)


def _surname(name: str, type_: str) -> str | None:
    words = name.split()
    return words[-1].lower() if type_ == "PERSON" and words else None


def merge_key(actor: Actor, registry: ActorRegistry | None = None) -> str:
    """The registry key of a known actor, else ``TYPE:normalised name``."""
    registry = registry or default_registry()
    match = registry.lookup(actor.name)
    if match is not None and match.entry.type == actor.type or (match and actor.type in ("GPE", "ORG", "NORP")):
        return match.entry.key
    return f"{actor.type}:{normalize(actor.name)}"


def surname_of(actor: Actor) -> str | None:
    """The last word of a person's name (lower case): where variants of one person's name are matched."""
    return _surname(actor.name, actor.type)


def form_of(actor: Actor, registry: ActorRegistry | None = None) -> ActorForm:
    return ActorForm(actor.name, actor.type, merge_key(actor, registry))


def actor_id(founder: ActorForm) -> str:
    return record_id("actor", "*", founder.merge_key)


def group_forms(forms: Iterable[ActorForm]) -> dict[ActorForm, ActorForm]:
    """form -> the founding form of its group (see the module docstring)."""
    founders: dict[str, ActorForm] = {}  # founding key -> founding form, in founding order
    person_founders: list[tuple[list[str], ActorForm]] = []
    out: dict[ActorForm, ActorForm] = {}
    for form in sorted(set(forms), key=ActorForm.sort_key):
        founder = founders.get(form.merge_key)
        if founder is None and form.type == "PERSON":
            words = [w.lower() for w in form.name.split()]
            for other_words, other in person_founders:
                if words and other_words and words[-1] == other_words[-1] and (
                        set(words) <= set(other_words) or set(other_words) <= set(words)):
                    founder = other
                    break
        if founder is None:
            founder = founders[form.merge_key] = form
            if form.type == "PERSON":
                person_founders.append(([w.lower() for w in form.name.split()], form))
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


def _most_common(counts: Counter) -> str | None:
    """The most frequent non-empty value; ties: the alphabetically first."""
    counts = Counter({v: n for v, n in counts.items() if v})
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def describe_counts(founder: ActorForm, names: Counter, roles: Counter, countries: Counter) -> Actor:
    """The actor a group stands for, from how often its rows use each name or alias, role and country
    (no mentions: the store joins them). The store keeps these counts per actor (``actor_counts``)."""
    names = Counter(names)
    names.pop(founder.name, None)
    aliases = [n for n, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Actor(id=actor_id(founder), name=founder.name, type=founder.type, aliases=aliases, mentions=[],
                 role=_most_common(roles), country=_most_common(countries))


def describe_actor(founder: ActorForm, rows: Sequence[ActorRow]) -> Actor:
    """The actor a group of article rows stands for (:func:`describe_counts` of the rows)."""
    names: Counter = Counter()
    for row in rows:
        names[row.form.name] += 1
        names.update(row.aliases)
    return describe_counts(founder, names, Counter(r.role for r in rows), Counter(r.country for r in rows))


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
        rows = [ActorRow("", a.id, forms[id(a)], a.role, a.country, tuple(a.aliases)) for a in group]
        actor = describe_actor(founder, rows)
        actor.mentions = sorted((m for a in group for m in a.mentions), key=lambda m: (m.article_id, m.start))
        merged.append(actor)
        for a in group:
            id_map[a.id] = actor.id
    return merged, id_map
