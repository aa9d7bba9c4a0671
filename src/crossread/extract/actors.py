"""Within-article actor resolution and cross-article merging.

``resolve_actors(article, doc)`` turns entity spans (``doc.ents``; the crossread
adapter's ``span._.ctype`` when set) and registry matches into :class:`Actor`
records: full names and surnames, title variants ("the head of Hamas" where the
article introduces Haniyeh as Hamas's head), role/country from titles and
appositions, acronyms defined in brackets, demonyms ("Israeli officials" →
Israel), capitals as metonyms ("Tehran" → Iran), possessive institutions
("Netanyahu's office" → Netanyahu). Every mention's offsets index
``article.text``; ``doc.text`` must be ``article.text`` (or a substring of it).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from crossread.extract.registry import ActorRegistry, RegistryEntry, default_registry, normalize
from crossread.records import Actor, Article, Mention, record_id

ENTITY_TYPES = {"PERSON", "PER", "ORG", "GPE", "LOC", "NORP"}

HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "ayatollah", "sheikh", "sheik", "lord", "lady",
              "dame", "rev", "imam", "grand"}
TITLE_WORDS = {
    "president", "vice", "prime", "minister", "foreign", "defense", "defence", "interior",
    "finance", "economy", "supreme", "leader", "secretary", "general", "secretary-general",
    "chancellor", "king", "queen", "prince", "crown", "emir", "sultan", "pope", "senator",
    "sen", "rep", "representative", "ambassador", "envoy", "spokesman", "spokeswoman",
    "spokesperson", "chief", "commander", "gen", "gov", "governor", "mayor", "deputy",
    "chairman", "chairwoman", "chair", "speaker", "justice", "attorney", "premier", "head",
    "director", "state", "army", "military", "political", "politburo", "opposition", "former",
    "acting", "top", "senior", "national", "security", "adviser", "advisor", "lt", "col",
    "colonel", "major", "admiral", "field", "marshal", "president-elect", "diplomat",
    "negotiator", "official", "health", "trade", "justice", "intelligence", "staff", "of",
}
PRONOUNS = {"he", "she", "him", "her", "his"}
HEAD_ROLES = {"leader", "head", "chief", "chairman", "chairwoman", "chair", "boss"}
ROLE_NOUNS = HEAD_ROLES | {
    "president", "minister", "chancellor", "king", "queen", "emir", "spokesman", "spokeswoman",
    "spokesperson", "commander", "ambassador", "envoy", "premier", "secretary-general",
    "secretary", "director", "speaker", "governor", "mayor", "negotiator", "adviser", "advisor",
}
GROUP_NOUNS = {
    "officials", "official", "forces", "troops", "government", "leaders", "leadership",
    "authorities", "military", "army", "police", "diplomats", "delegation", "counterparts",
    "counterpart", "negotiators", "ministers", "soldiers", "fighters", "militants", "navy",
    "administration", "regime", "cabinet", "parliament", "lawmakers", "envoys", "side",
    "ministry", "embassy", "jets", "warplanes", "militia", "security", "spokesman",
    "spokesperson", "spokeswoman", "president", "officers", "army",
}
INSTITUTION_NOUNS = {"office", "government", "administration", "cabinet", "spokesman",
                     "spokesperson", "spokeswoman", "aides", "aide", "ministry", "camp", "team",
                     "party", "allies", "coalition", "forces", "troops", "military", "army",
                     "officials", "regime", "envoy", "leadership", "delegation", "embassy"}


@dataclass
class _Cand:
    start: int  # char offsets into doc.text
    end: int
    tok_start: int
    tok_end: int  # exclusive token index
    label: str
    text: str
    key: str | None = None
    kind: str = "ent"  # ent / registry / demonym / capital / role / acronym
    entry: RegistryEntry | None = None
    role: str | None = None
    country: str | None = None
    affiliation: str | None = None


@dataclass
class _ActorBuild:
    key: str
    name: str
    type: str
    role: str | None = None
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


def _label(span: Any) -> str:
    ctype = None
    try:
        ctype = span._.ctype
    except AttributeError:
        pass
    label = (ctype or span.label_ or "").upper()
    return "PERSON" if label == "PER" else label


def _lower(tok: Any) -> str:
    return tok.text.lower().rstrip(".")


def _is_title_token(tok: Any) -> bool:
    low = _lower(tok)
    return low in TITLE_WORDS or low in HONORIFICS


def _sentence_of(doc: Any, char: int) -> tuple[int, int]:
    try:
        for sent in doc.sents:
            if sent.start_char <= char < sent.end_char:
                return sent.start_char, sent.end_char
    except ValueError:
        pass
    text = doc.text
    start = max(text.rfind("\n", 0, char), max((m.end() for m in re.finditer(r"[.!?][\"')\]]*\s+", text[:char])), default=0) - 1)
    start = start + 1 if start >= 0 else 0
    m = re.search(r"[.!?](?=[\"')\]]*(\s|$))|\n", text[char:])
    end = char + m.end() if m else len(text)
    return start, end


class _Resolver:
    def __init__(self, article: Article, doc: Any, registry: ActorRegistry):
        self.article = article
        self.doc = doc
        self.registry = registry
        text = article.text
        self.doc_text = doc.text  # Doc.text joins every token: compute it once
        self.base = 0 if text.startswith(self.doc_text) else max(text.find(self.doc_text), 0)
        self.actors: dict[str, _ActorBuild] = {}
        self.role_index: dict[tuple[str, str], str] = {}
        self.acronyms: dict[str, str] = {}

    # -- candidate collection ----------------------------------------------
    def _trim(self, i: int, j: int) -> tuple[int, int]:
        doc = self.doc
        while i < j and (doc[i].lower_ in ("the", "a", "an") or doc[i].is_space):
            i += 1
        while j > i and doc[j - 1].is_space:
            j -= 1
        while j > i and doc[j - 1].text in ("'s", "'", "\u2019s", "\u2019", ",", "."):
            if doc[j - 1].text == "." and len(doc[j - 1 - 0].text) == 1 and j - 1 > i and doc[j - 2].text.isupper():
                break
            j -= 1
        return i, j

    def _cand(self, i: int, j: int, label: str, kind: str) -> _Cand | None:
        i, j = self._trim(i, j)
        if i >= j:
            return None
        doc = self.doc
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        return _Cand(start, end, i, j, label, self.doc_text[start:end], kind=kind)

    def collect(self) -> list[_Cand]:
        doc = self.doc
        cands: list[_Cand] = []
        covered = [False] * len(doc)
        for ent in doc.ents:
            label = _label(ent)
            if label not in ENTITY_TYPES:
                continue
            start = self._person_after_titles(ent.start, ent.end)
            if start is not None:
                # "Iranian Supreme Leader Ali Khamenei" tagged as one ORG: the person is the name after the titles
                label, ent_start = "PERSON", start
            else:
                ent_start = ent.start
            cand = self._cand(ent_start, ent.end, label, "ent")
            if cand:
                cands.append(cand)
                for k in range(ent.start, ent.end):
                    covered[k] = True
        # registry scan over uncovered tokens (longest first)
        max_n = min(self.registry.max_alias_tokens(), 8)
        i = 0
        while i < len(doc):
            if covered[i] or not (doc[i].text[:1].isupper()):
                i += 1
                continue
            hit = None
            for n in range(min(max_n, len(doc) - i), 0, -1):
                if any(covered[i:i + n]):
                    continue
                span_text = doc[i:i + n].text
                match = self.registry.lookup(span_text)
                if match and doc[i + n - 1].text not in ("the", "of", "and"):
                    hit = (n, match)
                    break
            if hit:
                n, match = hit
                label = "NORP" if match.kind == "demonym" else match.entry.type
                cand = self._cand(i, i + n, label, "registry")
                if cand:
                    cands.append(cand)
                i += n
            else:
                i += 1
        cands.sort(key=lambda c: c.start)
        return cands

    def _person_after_titles(self, i: int, j: int) -> int | None:
        """Token index where a personal name starts after leading titles, if the span is
        titles (optionally after a demonym or country) followed by a capitalised name."""
        doc = self.doc
        k = i
        if k < j and self.registry.lookup(doc[k].text) is not None:
            k += 1  # "Iranian", "Israeli", "US"
        first_title = k
        while k < j and _is_title_token(doc[k]):
            k += 1
        if k == first_title or k >= j:
            return None
        name = doc[k:j]
        if not all(t.text[:1].isupper() and (t.is_alpha or "-" in t.text) for t in name):
            return None
        if self.registry.lookup(name.text) is not None or not any(
            _lower(t) in ROLE_NOUNS or _lower(t) in HEAD_ROLES for t in doc[first_title:k]
        ):
            return None
        return k

    # -- helpers -------------------------------------------------------------
    def _add(self, key: str, name: str, type_: str, span: tuple[int, int] | None = None,
             alias: str | None = None) -> _ActorBuild:
        actor = self.actors.get(key)
        if actor is None:
            actor = self.actors[key] = _ActorBuild(key, name, type_)
        if alias and alias != actor.name and alias not in actor.aliases:
            actor.aliases.append(alias)
        if span and span not in actor.spans:
            actor.spans.append(span)
        return actor

    def _registry_key(self, cand: _Cand) -> str | None:
        match = self.registry.lookup(cand.text)
        if match is None:
            return None
        cand.entry = match.entry
        if match.kind == "demonym":
            cand.kind = "demonym"
        elif match.kind == "capital":
            cand.kind = "capital"
        return match.entry.key

    def _entity_key_at(self, cands: Sequence[_Cand], tok_i: int) -> _Cand | None:
        for c in cands:
            if c.tok_start <= tok_i < c.tok_end and c.key:
                return c
        return None

    # -- person titles / appositions -------------------------------------------
    def _person_context(self, cand: _Cand, cands: Sequence[_Cand]) -> None:
        doc = self.doc
        # titles inside the entity: "President Donald Trump"
        i = cand.tok_start
        inner_titles = []
        while i < cand.tok_end - 1 and _is_title_token(doc[i]) and doc[i].text[:1].isupper():
            inner_titles.append(doc[i])
            i += 1
        # titles before the entity
        k = cand.tok_start - 1
        outer = []
        while k >= 0 and _is_title_token(doc[k]) and (doc[k].text[:1].isupper() or _lower(doc[k]) in ROLE_NOUNS):
            outer.insert(0, doc[k])
            k -= 1
        titles = [t for t in outer + inner_titles if _lower(t) not in HONORIFICS]
        if inner_titles:
            cand.tok_start = i
            cand.start = doc[i].idx
            cand.text = self.doc_text[cand.start:cand.end]
        if titles and any(_lower(t) in ROLE_NOUNS or _lower(t) in ("leader",) for t in titles):
            while titles and _lower(titles[0]) in ("of", "state"):
                titles.pop(0)
            cand.role = " ".join(t.text for t in titles)
        # affiliation before the titles: demonym, country, "Iran's", or an organisation
        if k >= 0:
            kk = k - 1 if doc[k].text in ("'s", "\u2019s") else k
            anchor = self._entity_key_at(cands, kk) if kk >= 0 else None
            if anchor is not None and cand.role:
                self._set_affiliation(cand, anchor)
        # apposition: ", the head of Hamas," / ", Hamas's political chief,"
        j = cand.tok_end
        if j < len(doc) and doc[j].text == "," and not cand.role:
            m = j + 1
            if m < len(doc) and doc[m].lower_ in ("the", "a"):
                m += 1
            role_toks, anchor = [], None
            while m < len(doc) and m < j + 8:
                tok = doc[m]
                found = self._entity_key_at(cands, m)
                if found is not None and not role_toks:
                    anchor = found
                    m = found.tok_end
                    if m < len(doc) and doc[m].text in ("'s", "\u2019s"):
                        m += 1
                    continue
                if _is_title_token(tok) and tok.lower_ != "of":
                    role_toks.append(tok)
                    m += 1
                    continue
                if tok.lower_ == "of" and role_toks:
                    n = m + 1
                    if n < len(doc) and doc[n].lower_ == "the":
                        n += 1
                    found = self._entity_key_at(cands, n)
                    if found is not None:
                        anchor = found
                break
            if role_toks and any(_lower(t) in ROLE_NOUNS for t in role_toks):
                role = " ".join(t.text for t in role_toks)
                if anchor is not None and anchor.entry is not None and anchor.entry.type != "GPE" and anchor.kind != "demonym":
                    role = f"{role} of {anchor.entry.name}" if anchor.kind != "ent" else f"{role} of {anchor.text}"
                elif anchor is not None and anchor.kind == "ent" and anchor.label == "ORG":
                    role = f"{role} of {anchor.text}"
                cand.role = role
                if anchor is not None:
                    self._set_affiliation(cand, anchor)

    def _set_affiliation(self, cand: _Cand, anchor: _Cand) -> None:
        cand.affiliation = anchor.key
        if anchor.entry is not None and anchor.entry.type == "GPE":
            cand.country = anchor.entry.country
        elif anchor.entry is not None and anchor.entry.country:
            cand.country = anchor.entry.country

    @staticmethod
    def _role_norm(role: str) -> str:
        words = [w.lower().rstrip(".") for w in role.split()]
        if " of " in f" {role.lower()} ":
            words = words[: words.index("of")]
        if words and words[-1] in HEAD_ROLES:
            return "leader"
        return " ".join(w for w in words if w not in ("former", "acting", "top", "senior"))

    # -- main ------------------------------------------------------------------
    def run(self) -> list[Actor]:
        doc = self.doc
        cands = self.collect()
        # keys for registry-resolvable candidates and acronym definitions
        for c in cands:
            if c.label in ("ORG", "GPE", "LOC", "NORP") or c.kind == "registry":
                c.key = self._registry_key(c)
        for idx, c in enumerate(cands):
            if c.label == "PERSON":
                continue
            if c.key is None and c.label in ("ORG", "GPE", "LOC", "NORP"):
                c.key = f"{'ORG' if c.label == 'ORG' else c.label}:{normalize(c.text)}"
            j = c.tok_end
            if j + 2 < len(doc) and doc[j].text == "(" and doc[j + 2].text == ")":
                acro = doc[j + 1].text
                if acro.isupper() and len(acro) >= 2 and c.key:
                    self.acronyms[acro] = c.key
        # acronyms used later, and initials of organisations
        org_initials = {}
        for c in cands:
            if c.label == "ORG" and c.key and len(c.text.split()) >= 2:
                initials = "".join(w[0] for w in c.text.split() if w[:1].isupper())
                org_initials.setdefault(initials, c.key)
        for c in cands:
            stripped = c.text.replace(".", "")
            if stripped.isupper() and c.entry is None:
                if stripped in self.acronyms:
                    c.key = self.acronyms[stripped]
                elif stripped in org_initials and org_initials[stripped] != c.key:
                    c.key = org_initials[stripped]
        # a bare surname the tagger called something else ("Amir-Abdollahian" as ORG) is that person
        surnames = {c.text.split()[-1] for c in cands if c.label == "PERSON" and len(c.text.split()) >= 2}
        for c in cands:
            if c.label != "PERSON" and c.entry is None and c.text in surnames:
                c.label, c.key = "PERSON", None
        # persons
        persons = [c for c in cands if c.label == "PERSON"]
        for c in persons:
            self._person_context(c, cands)
        # drop entity candidates whose only tokens are a person's titles (e.g. "Iranian")
        person_keys: list[_ActorBuild] = []
        for c in sorted(persons, key=lambda c: -len(c.text.split())):
            words = [w for w in re.split(r"\s+", c.text) if w]
            surname = words[-1].lower() if words else ""
            found = None
            for actor in person_keys:
                aw = [w.lower() for w in actor.name.split()]
                if surname and surname == aw[-1] and all(w.lower() in aw for w in words):
                    found = actor
                    break
            if found is None:
                match = self.registry.lookup(c.text)
                key = match.entry.key if match and match.entry.type == "PERSON" else f"PERSON:{c.text}"
                name = match.entry.name if match and match.entry.type == "PERSON" else c.text
                found = self._add(key, name, "PERSON")
                person_keys.append(found)
            c.key = found.key
        for c in cands:
            if c.label == "PERSON":
                actor = self.actors[c.key]
                self._add(c.key, actor.name, "PERSON", (c.start, c.end), alias=c.text)
                if c.role and not actor.role:
                    actor.role = c.role
                if c.country and not actor.country:
                    actor.country = c.country
                if c.role and c.affiliation:
                    self.role_index.setdefault((c.affiliation, self._role_norm(c.role)), c.key)
        # non-person entities, skipping a demonym that is part of a person's title
        title_tokens = set()
        for c in persons:
            k = c.tok_start - 1
            while k >= 0 and (_is_title_token(doc[k]) or doc[k].text in ("'s", "\u2019s")):
                title_tokens.add(k)
                k -= 1
            # include the anchor before the titles
            for a in cands:
                if a.tok_end in (k + 1, k) and a is not c and a.label not in ("PERSON", "ORG") and c.role:
                    title_tokens.update(range(a.tok_start, a.tok_end))
        for c in cands:
            if c.label == "PERSON" or not c.key:
                continue
            if all(t in title_tokens for t in range(c.tok_start, c.tok_end)):
                continue
            entry = c.entry if c.entry is not None and c.entry.key == c.key else self.registry.get(c.key)
            if entry is not None:
                name, type_ = entry.name, entry.type
            else:
                name = c.text
                type_ = "GPE" if c.label in ("GPE", "LOC") else c.label
            actor = self._add(c.key, name, type_, alias=c.text)
            if entry is not None and entry.country and not actor.country:
                actor.country = entry.country
            if entry is not None and entry.role and not actor.role:
                actor.role = entry.role
            # extend demonyms/organisations with a group noun: "Israeli officials"
            start, end = c.start, c.end
            j = c.tok_end
            if j < len(doc) and doc[j].lower_ in GROUP_NOUNS and (c.kind in ("demonym",) or c.label in ("ORG", "GPE", "NORP")):
                end = doc[j].idx + len(doc[j].text)
            actor.spans.append((start, end))
            if c.kind == "capital" or (c.entry is not None and c.entry.type == "GPE"):
                if entry is not None and entry.capital and c.text == entry.capital:
                    pass
        # possessive institutions: "Netanyahu's office"
        token_starts = [t.idx for t in doc]
        for key, actor in list(self.actors.items()):
            for (s, e) in list(actor.spans):
                first = bisect.bisect_left(token_starts, e)
                toks = [doc[k] for k in range(first, min(first + 2, len(doc)))]
                if len(toks) == 2 and toks[0].text in ("'s", "\u2019s") and toks[1].lower_ in INSTITUTION_NOUNS:
                    new = (s, toks[1].idx + len(toks[1].text))
                    actor.spans[actor.spans.index((s, e))] = new
        # nominal role mentions: "the head of Hamas", "the Hamas leader", "Iran's foreign minister"
        self._role_mentions(cands)
        self._repeated_names()
        self._pronoun_mentions()
        return self._finish()

    def _repeated_names(self) -> None:
        """Later occurrences of a resolved name the tagger missed ("Haniyeh" after "Ismail
        Haniyeh"): string-match propagation, the first sieve of Lee et al. (2013)."""
        text = self.doc_text
        taken = sorted(span for b in self.actors.values() for span in b.spans)

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for (s, e) in taken)

        for build in list(self.actors.values()):
            forms = {build.name, *(a for a in build.aliases if a[:1].isupper())}
            if build.type == "PERSON" and len(build.name.split()) >= 2:
                forms.add(build.name.split()[-1])
            for form in sorted(forms, key=len, reverse=True):
                if len(form) < 3 or form.lower() in PRONOUNS:
                    continue
                for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
                    if free(m.start(), m.end()):
                        build.spans.append((m.start(), m.end()))
                        taken.append((m.start(), m.end()))

    def _pronoun_mentions(self) -> None:
        """He/she → the most recent person mentioned in this or the previous sentence,
        when exactly one person is that recent (the antecedent is then clear)."""
        doc = self.doc
        person_spans = sorted((s, e, key) for key, b in self.actors.items() if b.type == "PERSON" for (s, e) in b.spans)
        if not person_spans:
            return
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else []
        for tok in doc:
            if tok.lower_ not in PRONOUNS or not sents:
                continue
            sent_index = next((n for n, sent in enumerate(sents) if sent.start <= tok.i < sent.end), None)
            if sent_index is None:
                continue
            window_start = sents[max(0, sent_index - 1)].start_char
            recent = {key for (s, e, key) in person_spans if window_start <= s and e <= tok.idx}
            if len(recent) == 1:
                self.actors[recent.pop()].spans.append((tok.idx, tok.idx + len(tok.text)))

    def _role_mentions(self, cands: Sequence[_Cand]) -> None:
        if not self.role_index:
            return
        doc = self.doc
        person_spans = [(c.tok_start, c.tok_end) for c in cands if c.label == "PERSON"]
        for tok in doc:
            low = _lower(tok)
            if low not in ROLE_NOUNS:
                continue
            i = tok.i
            # role words: adjacent lowercase/title modifiers ("foreign minister", "political chief")
            s = i
            while s - 1 >= 0 and _lower(doc[s - 1]) in TITLE_WORDS and _lower(doc[s - 1]) != "of":
                s -= 1
            role_text = " ".join(t.text for t in doc[s:i + 1])
            anchor = None
            start_tok = s
            end_tok = i + 1
            # "the head of Hamas"
            if i + 1 < len(doc) and doc[i + 1].lower_ == "of":
                n = i + 2
                if n < len(doc) and doc[n].lower_ == "the":
                    n += 1
                anchor = self._entity_key_at(cands, n)
                if anchor is not None:
                    end_tok = anchor.tok_end
            # "the Hamas leader" / "Hamas's leader" / "the Iranian foreign minister"
            if anchor is None and s - 1 >= 0:
                k = s - 1
                if doc[k].text in ("'s", "\u2019s"):
                    k -= 1
                anchor = self._entity_key_at(cands, k)
                if anchor is not None:
                    start_tok = anchor.tok_start
            if anchor is None:
                continue
            # skip the introduction itself ("Hamas leader Ismail Haniyeh")
            if any(ps == end_tok or ps == i + 1 for ps, _ in person_spans):
                continue
            if start_tok - 1 >= 0 and doc[start_tok - 1].lower_ == "the":
                start_tok -= 1
            key = self.role_index.get((anchor.key, self._role_norm(role_text)))
            if key is None:
                continue
            start = doc[start_tok].idx
            end = doc[end_tok - 1].idx + len(doc[end_tok - 1].text)
            actor = self.actors[key]
            span_text = self.doc_text[start:end]
            if (start, end) not in actor.spans:
                actor.spans.append((start, end))
            if span_text not in actor.aliases:
                actor.aliases.append(span_text)

    def _finish(self) -> list[Actor]:
        out = []
        text = self.article.text
        for key, build in self.actors.items():
            if not build.spans:
                continue
            mentions = []
            for (s, e) in sorted(set(build.spans)):
                start, end = s + self.base, e + self.base
                ss, se = _sentence_of(self.doc, s)
                mentions.append(Mention(article_id=self.article.id, start=start, end=end,
                                        sentence=text[ss + self.base:se + self.base].strip(),
                                        text=text[start:end]))
            aliases = []
            for m in mentions:
                if m.text != build.name and m.text not in aliases and m.text.lower() not in PRONOUNS:
                    aliases.append(m.text)
            for a in build.aliases:
                if a != build.name and a not in aliases:
                    aliases.append(a)
            out.append(Actor(id=record_id("actor", self.article.id, key), name=build.name,
                             type=build.type, aliases=aliases, mentions=mentions,
                             role=build.role, country=build.country))
        out.sort(key=lambda a: a.mentions[0].start)
        return out


def resolve_actors(article: Article, doc: Any, registry: ActorRegistry | None = None) -> list[Actor]:
    """Actors of one article with every mention (offsets into ``article.text``)."""
    return _Resolver(article, doc, registry or default_registry()).run()


def actor_token_map(doc: Any, actors: Iterable[Actor], base: int = 0) -> dict[int, str]:
    """Token index → actor id: each token goes to the shortest mention that covers it
    (so "Hamas" in "the head of Hamas" stays Hamas while "head" is Haniyeh)."""
    spans: list[tuple[int, int, str]] = []
    for actor in actors:
        for m in actor.mentions:
            spans.append((m.start - base, m.end - base, actor.id))
    spans.sort(key=lambda s: s[1] - s[0], reverse=True)
    starts = [tok.idx for tok in doc]
    out: dict[int, str] = {}
    for start, end, actor_id in spans:  # longest first, shorter overwrite
        k = bisect.bisect_left(starts, start)
        while k < len(doc) and doc[k].idx + len(doc[k].text) <= end:
            out[k] = actor_id
            k += 1
    return out


# ---------------------------------------------------------------------------
# Across articles
# ---------------------------------------------------------------------------


def _merge_key(actor: Actor, registry: ActorRegistry) -> str:
    match = registry.lookup(actor.name)
    if match is not None and match.entry.type == actor.type or (match and actor.type in ("GPE", "ORG", "NORP")):
        return match.entry.key
    return f"{actor.type}:{normalize(actor.name)}"


def merge_actors(actors_by_article: Mapping[str, Sequence[Actor]] | Sequence[Sequence[Actor]],
                 registry: ActorRegistry | None = None) -> tuple[list[Actor], dict[str, str]]:
    """Merge the same actor across articles: same registry key/canonical name, or (PERSON)
    one name's tokens contained in the other's with the same surname. Returns the merged
    actors and ``id_map`` (every article-local id → merged id)."""
    registry = registry or default_registry()
    groups = actors_by_article.values() if isinstance(actors_by_article, Mapping) else actors_by_article
    flat = [a for group in groups for a in group]
    merged: dict[str, Actor] = {}
    keys: dict[str, str] = {}
    id_map: dict[str, str] = {}
    # longer person names first so "Haniyeh" joins "Ismail Haniyeh"
    order = sorted(flat, key=lambda a: (a.type != "PERSON", -len(a.name.split())))
    for actor in order:
        key = _merge_key(actor, registry)
        target_key = key if key in merged else None
        if target_key is None and actor.type == "PERSON":
            words = [w.lower() for w in actor.name.split()]
            for k, other in merged.items():
                if other.type != "PERSON":
                    continue
                ow = [w.lower() for w in other.name.split()]
                if words and ow and words[-1] == ow[-1] and (set(words) <= set(ow) or set(ow) <= set(words)):
                    target_key = k
                    break
        if target_key is None:
            new = Actor(id=record_id("actor", "*", key), name=actor.name, type=actor.type,
                        aliases=[], mentions=[], role=actor.role, country=actor.country)
            merged[key] = new
            target_key = key
        target = merged[target_key]
        for alias in [actor.name] + actor.aliases:
            if alias != target.name and alias not in target.aliases:
                target.aliases.append(alias)
        target.mentions.extend(actor.mentions)
        target.role = target.role or actor.role
        target.country = target.country or actor.country
        id_map[actor.id] = target.id
        keys[actor.id] = target_key
    out = list(merged.values())
    for actor in out:
        actor.mentions.sort(key=lambda m: (m.article_id, m.start))
    return out, id_map
