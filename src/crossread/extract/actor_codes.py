"""CAMEO/PLOVER actor codes: an actor's sector (agent) code from the registry, its title or role noun,
its institution's head word ("Foreign Ministry" -> GOV) or its affiliation ("Hamas leader" -> REB).

The role nouns and head words are one table, ``data/actor_sectors.tsv`` (its header names the CAMEO
codebook it follows). Countries come from the registry and the title rules in :mod:`actors`; a state
as a whole has no sector, as CAMEO codes it (``ISR``, not ``ISRGOV``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from crossread.extract.registry import DATA_DIR, RegistryEntry

# head words that say who leads, not what kind of body: the affiliation decides ("Hamas leader" -> REB)
GENERIC_ROLES = {"leader", "leaders", "head", "chief", "chairman", "chairwoman", "chair", "boss", "founder",
                 "co-founder", "member", "members", "spokesman", "spokeswoman", "spokesperson", "official",
                 "officials", "adviser", "advisor", "director", "manager", "aide", "aides", "deputy"}
_WORD = re.compile(r"[\w'-]+")


@lru_cache(maxsize=1)
def sector_nouns() -> dict[str, str]:
    """Word -> CAMEO agent code (``data/actor_sectors.tsv``)."""
    table: dict[str, str] = {}
    with (DATA_DIR / "actor_sectors.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            word, code = line.rstrip("\n").split("\t")[:2]
            table[word.strip().lower()] = code.strip().upper()
    return table


def sector_of_words(text: str, skip_generic: bool = False) -> str | None:
    """The code of the last word of ``text`` the table knows (the head of an English noun phrase comes
    last: "Foreign Minister" -> GOV, "Supreme Court judge" -> JUD); a phrase cut by "of" is read before
    it ("Minister of Defence" -> GOV). ``skip_generic``: leave out words like "leader"."""
    table = sector_nouns()
    head = re.split(r"\s(?:of|for|to|at|in|from)\s", text, maxsplit=1)[0]
    for part in (head, text):
        for word in reversed(_WORD.findall(part)):
            w = word.lower().rstrip(".")
            if skip_generic and w in GENERIC_ROLES:
                continue
            if w in table:
                return table[w]
    return None


def actor_sector(type_: str, name: str, role: str | None, entry: RegistryEntry | None,
                 affiliation: RegistryEntry | None = None) -> str | None:
    """An actor's CAMEO sector code, or None (a state as a whole, or nothing known).

    In order: a registry entry's own sector (Hamas -> REB); a person's role noun ("Foreign Minister" ->
    GOV; "Sen." -> LEG), else its affiliation's sector ("Hamas leader" -> REB; a party member -> PTY),
    else GOV for a leader of a state ("Iran's leader"); an organisation's head word ("Ministry of
    Defence" -> GOV, "Supreme Court" -> JUD)."""
    if entry is not None and entry.sector:
        return entry.sector
    if entry is not None and entry.type == "GPE":
        return None
    if type_ == "PERSON":
        if role:
            code = sector_of_words(role, skip_generic=True)
            if code:
                return code
        if affiliation is not None:
            if affiliation.sector:
                return affiliation.sector
            if affiliation.type == "GPE" and role:
                return sector_of_words(role) or "GOV"
        return sector_of_words(role) if role else None
    if type_ in ("ORG", "NORP"):
        return sector_of_words(name)
    return None


__all__ = ["actor_sector", "sector_nouns", "sector_of_words", "GENERIC_ROLES"]
