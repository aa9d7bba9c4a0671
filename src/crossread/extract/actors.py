"""Within-article actor resolution and cross-article merging.

``resolve_actors(article, doc)`` turns entity spans (``doc.ents``; the crossread
adapter's ``span._.ctype`` when set) and registry matches into :class:`Actor`
records: full names and surnames, title variants ("the head of Hamas" where the
article introduces Haniyeh as Hamas's head), role/country from titles and
appositions, acronyms defined in brackets, demonyms ("Israeli officials" →
Israel), capitals as metonyms ("Tehran" → Iran), possessive institutions
("Netanyahu's office" → Netanyahu). Every mention's offsets index
``article.text``; ``doc.text`` must be ``article.text`` (or a substring of it).

The statistical NER gets boundaries and labels wrong often, so entity spans are
repaired before resolution (:meth:`_Resolver.repair`): a span is read as
``[anchor] [titles] [name]`` (titles split off into role/country), broken
registry names are re-joined ("United" + "States"), spans are re-typed by their
head word ("... Council" → ORG) and by apposition to a role description
("the head of X, <name>" → PERSON), and pronoun/lowercase junk is dropped.
Coreference follows the precision-first sieves of Lee et al. (2013): exact and
surname string match (nearest preceding antecedent when a surname is shared),
role-description anaphora ("the Hamas leader" → the person introduced as
Hamas's leader), acronyms, then pronouns with a single recent antecedent.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from crossread.extract.actor_codes import actor_sector, sector_nouns
from crossread.extract.names import compatible_names, fold, name_words
from crossread.extract.registry import ActorRegistry, RegistryEntry, default_registry, normalize
from crossread.nlp import docview
from crossread.nlp.gazetteer import HONORIFICS, TITLE_WORDS, country_names, is_demonym, subdivision_names
from crossread.records import Actor, Article, Mention, record_id

ENTITY_TYPES = {"PERSON", "PER", "ORG", "GPE", "LOC", "NORP"}

PRONOUNS = {"he", "she", "him", "her", "his"}
# entity spans that are only a pronoun or determiner ("We" inside a quote) are never actors
PRONOUN_SPANS = {"i", "we", "us", "our", "ours", "you", "your", "they", "them", "their", "it", "its",
                 "he", "she", "him", "her", "his", "this", "that", "these", "those", "me", "my"}
HEAD_ROLES = {"leader", "head", "chief", "chairman", "chairwoman", "chair", "boss"}
ROLE_NOUNS = HEAD_ROLES | {
    "president", "minister", "chancellor", "king", "queen", "emir", "spokesman", "spokeswoman",
    "spokesperson", "commander", "ambassador", "envoy", "premier", "secretary-general",
    "secretary", "director", "speaker", "governor", "mayor", "negotiator", "adviser", "advisor",
    "judge", "bishop", "archbishop", "cardinal", "rabbi", "pastor", "prof", "professor", "whip",
    "senator", "sen", "rep", "representative", "gov", "congressman", "congresswoman",
    "commissioner", "sheriff", "founder", "co-founder", "ceo", "prince", "sultan", "pope",
    "general", "gen", "colonel", "col", "admiral", "adm", "sgt", "capt", "president-elect", "counsel",
    "manager",
}
GROUP_NOUNS = {
    "officials", "official", "forces", "troops", "government", "leaders", "leadership",
    "authorities", "military", "army", "police", "diplomats", "delegation", "counterparts",
    "counterpart", "negotiators", "ministers", "soldiers", "fighters", "militants", "navy",
    "administration", "regime", "cabinet", "parliament", "lawmakers", "envoys", "side",
    "ministry", "embassy", "jets", "warplanes", "militia", "security", "spokesman",
    "spokesperson", "spokeswoman", "president", "officers", "army", "members", "supporters",
    "activists", "staffers", "aides", "voters",
}
INSTITUTION_NOUNS = {"office", "government", "administration", "cabinet", "spokesman",
                     "spokesperson", "spokeswoman", "aides", "aide", "ministry", "camp", "team",
                     "party", "allies", "coalition", "forces", "troops", "military", "army",
                     "officials", "regime", "envoy", "leadership", "delegation", "embassy"}
# a leader's name directly before these nouns names the leader's institution ("the Biden
# administration"); we resolve it to the person, as with "Netanyahu's office"
PERSON_INSTITUTION_NOUNS = {"administration", "government", "campaign", "cabinet"}
# lowercase descriptors an organisation name may carry ("the PIJ terrorist organization")
ORG_DESCRIPTORS = {"terrorist", "terror", "militant", "armed", "extremist", "jihadist", "islamist",
                   "organization", "organisation", "group", "movement", "faction", "militia",
                   "outfit", "network", "wing", "party", "proxy", "proxies", "political", "bureau",
                   "military", "regime", "government", "leadership", "council"}
# a region named by a compass point ("the Northeast", "the Midwest") is a place, never an actor
COMPASS_REGIONS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
                   "midwest", "mideast"}
# what a group adjective may name a state by ("Zionist regime"); "Republican leadership" names no actor
STATE_DESCRIPTORS = {"regime", "government", "entity", "authorities"}
# head words that make a name an organisation whatever the tagger said ("Department of Statistics")
ORG_HEADS = {"council", "ministry", "department", "committee", "commission", "agency", "party",
             "court", "administration", "office", "bureau", "police", "university", "college",
             "institute", "hospital", "center", "centre", "foundation", "association", "union",
             "corporation", "corp", "inc", "company", "co", "group", "network", "news", "times",
             "post", "journal", "service", "authority", "board", "assembly", "parliament",
             "congress", "senate", "church", "society", "conference", "federation",
             "organization", "organisation", "movement", "front", "brigades", "brigade", "guard",
             "bank", "fund", "club", "league", "foods", "tribunal", "command", "cabinet",
             "ministries", "forces", "caucus", "school", "academy", "institution", "media",
             "press", "herald", "tribune", "daily", "magazine", "television", "radio", "tv",
             "ltd", "llc", "reserve", "treasury", "pentagon", "army", "navy", "seminary", "airlines",
             "airways", "industries", "systems", "technologies", "holdings", "partners", "ventures",
             "coalition"}
# heads of an apposition that make a name an organisation's ("WikiLeaks, the anti-secrecy group")
ORG_APPOSITIVES = {"group", "organization", "organisation", "company", "website", "site", "newspaper", "outlet",
                   "network", "movement", "firm", "nonprofit", "publication", "magazine", "party", "agency",
                   "corporation", "charity", "tank"}
# a kind of outlet written after its name ("Newsweek magazine")
MEDIA_NOUNS = {"magazine", "newspaper", "website", "network", "tabloid", "daily", "weekly", "paper"}
# executive/military agencies coded as their state ("Iranian Foreign Ministry"); courts and
# legislatures stay separate institutions
STATE_AGENCY_HEADS = {"ministry", "department", "forces", "army", "navy", "military", "government",
                      "police", "embassy", "cabinet", "office", "administration", "guard", "command"}
NAME_PARTICLES = {"al", "el", "bin", "ibn", "abu", "de", "da", "di", "du", "van", "von", "der",
                  "den", "la", "le", "del", "dos", "bint", "ben", "ul", "ud"}
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
DATE_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
              "january", "february", "march", "april", "june", "july", "august", "september",
              "october", "november", "december", "today", "yesterday", "tonight"}
# "D-Ill.", "R-Texas": US party-state tags, never actors on their own
_PARTY_STATE = re.compile(r"^[DRI]-[A-Z][A-Za-z.]*$")
# after a name, how US news marks a member of Congress: "(R-Texas)", "(D-N.Y.)", ", Republican of Arizona"
_CONGRESS_TAG = re.compile(r"\s*(?:\(\s*[DRI]\s*-\s*[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?\s*\)"
                           r"|,\s+(?:a\s+)?(?:Republican|Democrat|Democratic|independent|Independent)\s+(?:of|from)\s+[A-Z])")
# adjectival proper words ("Democratic", "Islamic", "Republican"): groups, not names
_ADJECTIVAL = re.compile(r"^[A-Z][a-z]+(ian|ean|ese|ish|ic|an|ist)$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")


@lru_cache(maxsize=1)
def participant_nouns() -> frozenset[str]:
    """Nouns that name a participant when a state, place or organisation modifies them: the group
    nouns and every word of the sector table (``data/actor_sectors.tsv``: "court", "journalist",
    "refugees", "man")."""
    return frozenset(GROUP_NOUNS | set(sector_nouns()))


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
    pre_start: int | None = None  # token where this person's title phrase starts (span repair)
    extend_to: int | None = None  # char end of a descriptor/institution tail ("PIJ terrorist organization")
    roles: list[tuple[str, str | None]] = field(default_factory=list)  # every (role, affiliation key) read
    fuller: str | None = None  # the article's full name of an organisation this one word stands for


@dataclass
class _ActorBuild:
    key: str
    name: str
    type: str
    role: str | None = None
    country: str | None = None
    aliases: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    affiliation: str | None = None  # registry key of the organisation/state a person's title names
    sector: str | None = None  # a sector read from the context when the role gives none (US party tags)


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


def _singular(low: str) -> str:
    # "Presidents Bush and Clinton", "Sens. X and Y": a plural title is still a title
    return low[:-1] if low.endswith("s") and low[:-1] in ROLE_NOUNS else low


def _is_title_token(tok: Any) -> bool:
    low = _singular(_lower(tok))
    return low in TITLE_WORDS or low in HONORIFICS


def _is_title_modifier(tok: Any) -> bool:
    """A title word that is not itself a role ("staff", "state", "defense"): it may follow "of"
    inside one title ("chief of staff"), where a role noun after "of" starts another person's
    title ("co-chairman of President Obama's campaign")."""
    low = _lower(tok)
    return low in TITLE_WORDS and low not in ROLE_NOUNS and low != "of"


def _is_role_or_honorific(tok: Any) -> bool:
    low = _singular(_lower(tok))
    return low in ROLE_NOUNS or low in HONORIFICS


def _is_region_name(text: str) -> bool:
    """A country, state or province name (not a city: many cities share persons' names)."""
    return text in country_names() or text in subdivision_names()


def _surname(words: Sequence[str]) -> str:
    """Last word of a personal name, skipping generational suffixes ("Jesse Jackson Jr.")."""
    for w in reversed(words):
        if w.lower() not in NAME_SUFFIXES:
            return w.lower()
    return words[-1].lower() if words else ""


def _sentence_of(doc: Any, char: int) -> tuple[int, int]:
    try:
        bounds = _sentence_bounds(doc)
    except ValueError:
        pass
    else:
        if bounds is not None:  # sentences in order, not overlapping: the one holding ``char`` by bisection
            starts, ends = bounds
            k = bisect.bisect_right(starts, char) - 1
            if k >= 0 and char < ends[k]:
                return starts[k], ends[k]
        else:
            for sent in doc.sents:
                if sent.start_char <= char < sent.end_char:
                    return sent.start_char, sent.end_char
    text = doc.text
    start = max(text.rfind("\n", 0, char), max((m.end() for m in re.finditer(r"[.!?][\"')\]]*\s+", text[:char])), default=0) - 1)
    start = start + 1 if start >= 0 else 0
    m = re.search(r"[.!?](?=[\"')\]]*(\s|$))|\n", text[char:])
    end = char + m.end() if m else len(text)
    return start, end


def _sentence_bounds(doc: Any) -> tuple[list[int], list[int]] | None:
    """(start chars, end chars) of the view's sentences when they are in order and do not overlap
    (computed once per Doc), else None; ValueError without sentence boundaries."""
    def build() -> tuple[list[int], list[int]] | None:
        starts = [s.start_char for s in doc.sents]
        ends = [s.end_char for s in doc.sents]
        ordered = all(e <= s2 for e, s2 in zip(ends, starts[1:])) and all(s < e for s, e in zip(starts, ends))
        return (starts, ends) if ordered else None

    if not isinstance(doc, docview.DocView):
        return None
    doc.sents  # noqa: B018 - raises ValueError without sentence boundaries
    return doc.memo("actors._sentence_bounds", build)


@dataclass
class _Span:
    """An entity span under repair (token offsets)."""

    tok_start: int
    tok_end: int
    label: str
    pre: int | None = None  # start of this person's title phrase
    tail_end: int | None = None  # token end of a descriptor/institution tail kept in the mention
    title_only: bool = False  # "Iranian Supreme Leader": titles waiting for the name that follows


class _Resolver:
    def __init__(self, article: Article, doc: Any, registry: ActorRegistry):
        self.article = article
        self.doc = doc  # the Doc's token view (docview.DocView): doc[i:j] spans; tokens by index in .tokens
        self.tokens = doc.tokens
        self.registry = registry
        text = article.text
        self.doc_text = doc.text  # Doc.text joins every token: compute it once
        self.base = 0 if text.startswith(self.doc_text) else max(text.find(self.doc_text), 0)
        self.actors: dict[str, _ActorBuild] = {}
        self.role_index: dict[tuple[str, str], str] = {}
        self.acronyms: dict[str, str] = {}
        self.has_pos = any(t.pos_ for t in doc)
        self._lowercase_words: set[str] | None = None
        self._sent_starts: list[int] | None = None
        self._lookups: dict[tuple[int, int], Any] = {}
        self._persons: list[_Cand] = []

    # -- span repair -----------------------------------------------------------
    def _lookup(self, i: int, j: int) -> Any:
        """Registry match of tokens [i, j) (asked again and again for the same spans: memoised)."""
        if i >= j:
            return None
        key = (i, j)
        if key not in self._lookups:
            self._lookups[key] = self.registry.lookup(self.doc.span_text(i, j))
        return self._lookups[key]

    def _is_propn(self, tok: Any) -> bool:
        # the tagger often calls a rare surname NOUN ("Scholz"); mid-sentence capitals still mark a name
        if not self.has_pos:
            return True
        return tok.pos_ == "PROPN" or (tok.pos_ in ("NOUN", "ADJ", "X") and tok.text[:1].isupper()
                                       and not tok.is_sent_start)

    def _name_token(self, k: int, i: int, j: int) -> bool:
        """Can token k be part of a personal name inside span [i, j)?"""
        tok = self.tokens[k]
        t = tok.text
        if _is_title_token(tok) or _lower(tok) in DATE_WORDS:
            return False
        if t in ("-", "\u2010") and i < k < j - 1:
            return True  # "Amir-Abdollahian" is three tokens
        if t.lower() in NAME_PARTICLES and k < j - 1:
            return True  # "al-Nakhala", "van der Leyen"
        if not t[:1].isupper() or (t.isupper() and len(t) > 2 and t.isalpha()):
            return False  # all-caps words are headlines, datelines and acronyms, not names
        if t.lower() in NAME_SUFFIXES or re.fullmatch(r"[A-Z]\.", t):
            return True
        if not (tok.is_alpha or re.fullmatch(r"[A-Z][\w'\u2019-]+", t)):
            return False
        return self.registry.lookup(t) is None

    def _is_name(self, i: int, j: int) -> bool:
        if not 0 < j - i <= 6:
            return False
        if not all(self._name_token(k, i, j) for k in range(i, j)):
            return False
        words = [t for t in self.doc[i:j] if t.is_alpha and t.text[:1].isupper() and t.text.lower() not in NAME_SUFFIXES]
        return bool(words) and _lower(self.tokens[j - 1]) not in ORG_HEADS and self._lookup(i, j) is None

    def _join_registry_names(self, spans: list[_Span]) -> list[_Span]:
        """A registry name the tagger broke into pieces ("the United" + "States", "United
        Nations" + "Security Council") becomes one span."""
        tokens = self.tokens
        max_n = min(self.registry.max_alias_tokens(), 8)
        owner = {k: n for n, sp in enumerate(spans) for k in range(sp.tok_start, sp.tok_end)}
        drop: set[int] = set()
        new: list[_Span] = []
        i = 0
        while i < len(tokens):
            if i not in owner or not (tokens[i].text[:1].isupper() or tokens[i].lower_ == "the"):
                i += 1
                continue
            hit = None
            run = 1  # registry names are capitalised words with a few function words between
            while run < min(max_n, len(tokens) - i) and (tokens[i + run].text[:1].isupper()
                                                      or tokens[i + run].lower_ in ("of", "the", "and", "for", "-", ",", ".")):
                run += 1
            for n in range(run, 1, -1):
                inside = {owner[k] for k in range(i, i + n) if k in owner}
                if any(spans[o].tok_start < i or spans[o].tok_end > i + n for o in inside):
                    continue
                if max(spans[o].tok_end - spans[o].tok_start for o in inside) >= n:
                    continue
                match = self._lookup(i, i + n)
                if match is not None and tokens[i + n - 1].text not in ("the", "of", "and") and not tokens[i + n - 1].is_punct:
                    hit = (n, match, inside)
                    break
            if hit:
                n, match, inside = hit
                drop |= inside
                new.append(_Span(i, i + n, "NORP" if match.kind == "demonym" else match.entry.type))
                i += n
            else:
                i += 1
        return [sp for n, sp in enumerate(spans) if n not in drop] + new

    def _clean(self, sp: _Span) -> list[_Span]:
        """Trim determiners, lowercase words and dates; drop pronoun/lowercase junk; split
        a lowercase tail ("PIJ terrorist organization", "Biden administration")."""
        doc = self.doc
        tokens = self.tokens
        i, j = sp.tok_start, sp.tok_end
        while i < j and (tokens[i].lower_ in ("the", "a", "an") or tokens[i].is_space or tokens[i].is_punct
                         or (tokens[i].is_alpha and tokens[i].text[:1].islower() and self._lookup(i, j) is None
                             and not (tokens[i].lower_ in NAME_PARTICLES and i + 1 < j and tokens[i + 1].text == "-"))):
            i += 1
        while j > i and (_lower(tokens[j - 1]) in DATE_WORDS or tokens[j - 1].is_space or tokens[j - 1].text in _POSSESSIVE):
            j -= 1
        if i >= j:
            return []
        text = doc[i:j].text
        if (text.lower() in PRONOUN_SPANS and self._lookup(i, j) is None) or not any(ch.isupper() for ch in text) \
                or _PARTY_STATE.match(text):
            return []  # "We" inside a quote; but "US" is the United States
        if self._lookup(i, j) is None and self._scare_quoted(i, j):
            return []  # the "Al-Aqsa Flood", the "Little Satan": a quoted term, not an actor's name
        if sp.label == "PERSON":  # "John A. Boehner of Ohio": the person is the name before "of"
            for m in range(i + 1, j - 1):
                if tokens[m].lower_ == "of" and (m - i >= 2 or is_demonym(tokens[i].text)) and not _is_title_token(tokens[m - 1]) \
                        and tokens[m - 1].text[:1].isupper() and tokens[m + 1].text[:1].isupper():
                    j = m
                    break
            if j - i == 1 and is_demonym(tokens[i].text):
                return [_Span(i, j, "NORP")]  # "Democrat of Illinois" is a party member, not a name
        if self._lookup(i, j) is not None:
            return [_Span(i, j, sp.label)]  # a registry name with lowercase words ("Zionist regime")
        t = j
        while t > i and tokens[t - 1].is_alpha and tokens[t - 1].text[:1].islower():
            t -= 1
        if i < t < j and tokens[t - 1].whitespace_:  # not inside a hyphenated name ("Chick-fil-A")
            tail = [_lower(x) for x in doc[t:j]]
            hit = self._lookup(i, t)
            if tail[-1] in PERSON_INSTITUTION_NOUNS and hit is None and self._is_name(i, t):
                return [_Span(i, t, "PERSON", tail_end=j)]
            if (hit is not None or doc[i:t].text.isupper()) and all(w in GROUP_NOUNS or w in ORG_DESCRIPTORS for w in tail):
                # "Turkish officials", "RNC members": the named actor, mention widened over the group noun
                label = ("NORP" if hit.kind == "demonym" else hit.entry.type) if hit else sp.label
                return [_Span(i, t, label, tail_end=j)]
            if all(w in ORG_DESCRIPTORS for w in tail) and (hit is not None or doc[i:t].text.isupper()):
                label = ("NORP" if hit.kind == "demonym" else hit.entry.type) if hit else "ORG"
                if hit is None and not doc[i:t].text.isupper() and tail[-1] not in ("organization", "organisation", "group", "movement"):
                    return [_Span(i, j, sp.label)]  # "Zionist regime": the descriptor is the head
                return [_Span(i, t, label, tail_end=j)]
            if hit is None and t - i == 1 and not tokens[i].text.isupper() and (
                    is_demonym(tokens[i].text) or _ADJECTIVAL.match(tokens[i].text)) and tail[-1] not in ORG_DESCRIPTORS:
                return [_Span(i, t, "NORP")]  # "Democratic critics/voters": a group, not a name
            if tail[-1] in GROUP_NOUNS or tail[-1] in ORG_DESCRIPTORS:
                return [_Span(i, j, sp.label)]
            if hit is None and sp.label == "ORG" and len(tail) == 1 and tail[0] in MEDIA_NOUNS:
                return [_Span(i, t, "ORG", tail_end=j)]  # "Newsweek magazine" is Newsweek
            if hit is None and t - i == 1 and not tokens[i].text.isupper():
                return [_Span(i, j, sp.label)]  # "Ground zero": one name
            if hit is None and tail[-1].endswith("s"):
                return [_Span(i, j, sp.label)]  # "U.S. Internet companies": a plural group is the head
            j = t
        return [_Span(i, j, sp.label)]

    def _scare_quoted(self, i: int, j: int) -> bool:
        tokens = self.tokens
        opening = i > 0 and tokens[i - 1].text in ('"', "\u201c", "'", "\u2018")
        k = j
        while k < len(tokens) and tokens[k].is_punct and tokens[k].text in (".", ",", "!", "?"):
            k += 1  # 'as the "Al-Aqsa Flood."'
        closing = k < len(tokens) and tokens[k].text in ('"', "\u201d", "'", "\u2019")
        return opening and closing

    def _anchor(self, i: int, m: int) -> tuple[_Span | None, int]:
        """Span [i, m) before a title: a registry name, an organisation (by its head word) or a
        leading country ("U.S. District Judge"). Returns the anchor span and where the role starts."""
        if i >= m:
            return None, i
        hit = self._lookup(i, m)
        if hit is not None:
            return _Span(i, m, "NORP" if hit.kind == "demonym" else hit.entry.type), m
        if _lower(self.tokens[m - 1]) in ORG_HEADS:
            return _Span(i, m, "ORG"), m
        for n in range(m - 1, i, -1):
            hit = self._lookup(i, n)
            if hit is not None and hit.entry.type == "GPE":
                return _Span(i, n, "NORP" if hit.kind == "demonym" else "GPE"), n
        return None, i

    def _split_titles(self, spans: list[_Span]) -> list[_Span]:
        """Read each span as [anchor] [titles] [name]: "Iranian Foreign Minister Hossein
        Amir-Abdollahian" is the person Hossein Amir-Abdollahian with role and country."""
        doc = self.doc
        tokens = self.tokens
        out: list[_Span] = []
        person_starts = {sp.tok_start for sp in spans if sp.label == "PERSON"}
        covered = {k for sp in spans for k in range(sp.tok_start, sp.tok_end)}
        for sp in spans:
            i, j = sp.tok_start, sp.tok_end
            if self._lookup(i, j) is not None:
                out.append(sp)
                continue
            n = j
            title_surname = False
            if sp.label == "PERSON" and j - i >= 3 and _is_title_token(tokens[j - 1]) and tokens[j - 1].text[:1].isupper() \
                    and self._name_token(j - 2, i, j) and (tokens[j - 2].is_alpha or re.fullmatch(r"[A-Z]\.", tokens[j - 2].text)):
                n, title_surname = j - 1, True  # a surname that is also a title word: "Rep. Steve King"
            while n > i and self._name_token(n - 1, i, j):
                n -= 1
            while n < j and (tokens[n].text in ("-", "\u2010") or tokens[n].lower_ in NAME_PARTICLES):
                n += 1  # a name does not start with a hyphen or particle
            m = n
            while m > i:
                if _is_title_token(tokens[m - 1]):
                    m -= 1
                elif (m - 3 >= i and tokens[m - 2].lower_ in ("to", "for") and _is_title_token(tokens[m - 3])
                      and self.registry.lookup(tokens[m - 1].text) is not None):
                    m -= 2  # "Ambassador to Israel"
                else:
                    break
            titles = [tokens[k] for k in range(m, n)]
            if not titles or not any(_is_role_or_honorific(t) for t in titles):
                out.append(sp)
                continue
            if sp.label != "PERSON" and n == j - 1 and titles:
                g = j  # "House Speaker John" + untagged "Boehner": the name runs on past the span
                while g < len(tokens) and g - j < 2 and g not in covered and tokens[g].is_alpha \
                        and self._name_token(g, n, g + 1) and self._is_propn(tokens[g]):
                    g += 1
                j = g
            name_ok = n < j and (self._is_name(n, j) or (title_surname and self._is_name(n, j - 1)))
            if name_ok and sp.label != "PERSON":
                # "Associated General Contractors" is no title + name: a re-typed span needs a full name,
                # or the rest of the name in the next PERSON span ("House Speaker John" + "Boehner")
                name_ok = sum(1 for t in doc[n:j] if t.is_alpha and t.text[:1].isupper()) >= 2 \
                    or any(_lower(t) in HONORIFICS for t in titles) or j in person_starts
            anchor, role_start = self._anchor(i, m)
            if name_ok:
                if anchor is not None:
                    out.append(anchor)
                out.append(_Span(n, j, "PERSON", pre=role_start))
            elif n == j and (_lower(tokens[j - 1]) in ROLE_NOUNS or _lower(tokens[j - 1]) in HONORIFICS):
                # titles only, ending in a singular title ("Senate Minority Leader"; not "Joint Chiefs of Staff")
                if anchor is not None:
                    out.append(anchor)
                elif i < m and sp.label == "PERSON":
                    out.append(sp)  # "Martin Luther King": no role-only reading
                    continue
                out.append(_Span(role_start, j, sp.label, pre=role_start, title_only=True))
            else:
                out.append(sp)
        return out

    def _merge_persons(self, spans: list[_Span]) -> list[_Span]:
        """Title-only spans give their titles to the name that follows ("Supreme Leader
        Ayatollah" + "Ali" + "Khamenei"); adjacent PERSON pieces join ("Chris" + "Christie")."""
        tokens = self.tokens
        spans = sorted(spans, key=lambda s: s.tok_start)
        covered = {k for sp in spans for k in range(sp.tok_start, sp.tok_end)}
        out: list[_Span] = []
        n = 0
        while n < len(spans):
            sp = spans[n]
            if sp.title_only:
                g = sp.tok_end
                while g < len(tokens) and g not in covered and self._name_token(g, sp.tok_end, g + 2) \
                        and self._is_propn(tokens[g]):
                    g += 1
                nxt = spans[n + 1] if n + 1 < len(spans) else None
                if nxt is not None and nxt.tok_start == g and not nxt.title_only and (
                        nxt.label == "PERSON" or self._is_name(nxt.tok_start, nxt.tok_end)):
                    out.append(_Span(sp.tok_end, nxt.tok_end, "PERSON", pre=sp.pre))
                    n += 2
                    continue
                if g > sp.tok_end and self._is_name(sp.tok_end, g):
                    out.append(_Span(sp.tok_end, g, "PERSON", pre=sp.pre))
                # otherwise a bare title ("the Senate Minority Leader"): not an actor name
                n += 1
                continue
            out.append(sp)
            n += 1
        merged: list[_Span] = []
        for sp in out:
            if sp.label == "PERSON":
                # an untagged first name before a surname ("Ali" before "Khamenei")
                while (sp.tok_start - 1 >= 0 and sp.pre is None and sp.tok_start - 1 not in covered
                       and not tokens[sp.tok_start - 1].is_sent_start
                       and self._name_token(sp.tok_start - 1, sp.tok_start - 1, sp.tok_end)
                       and tokens[sp.tok_start - 1].is_alpha and self._is_propn(tokens[sp.tok_start - 1])):
                    sp.tok_start -= 1
                prev = merged[-1] if merged else None
                if prev is not None and prev.label == "PERSON" and prev.tok_end == sp.tok_start \
                        and tokens[prev.tok_end - 1].whitespace_ and prev.tail_end is None:
                    prev.tok_end = sp.tok_end
                    continue
            merged.append(sp)
        return merged

    def _retype(self, spans: list[_Span]) -> list[_Span]:
        """Labels from head words, camel-case brands, person names seen elsewhere in the article
        and role appositions ("the head of X, Ziyad al-Nakhala")."""
        doc = self.doc
        tokens = self.tokens
        person_forms: set[str] = set()
        for sp in spans:
            if sp.label == "PERSON":
                words = doc[sp.tok_start:sp.tok_end].text.split()
                person_forms.add(" ".join(words))
                for k in range(1, len(words)):
                    if words[k][:1].isupper():
                        person_forms.add(" ".join(words[k:]))
        for sp in spans:
            i, j = sp.tok_start, sp.tok_end
            text = doc[i:j].text
            hit = self._lookup(i, j)
            if hit is not None:
                if sp.label == "PERSON" and hit.kind in ("name", "alias") and hit.entry.type in ("GPE", "ORG"):
                    sp.label = hit.entry.type  # the registry knows it: "the Great Satan" tagged PERSON is the US
                continue
            head = _lower(tokens[j - 1])
            appositive = self._apposition_head(j)
            if sp.label == "PERSON":
                if _is_region_name(text):
                    sp.label = "GPE"  # "Nebraska" tagged PERSON
                    continue
                if appositive in ORG_APPOSITIVES:
                    sp.label = "ORG"  # "WikiLeaks, the anti-secrecy group"
                    continue
                if (j - i >= 2 and head in ORG_HEADS) or any(re.match(r"^[A-Z]{2,}[a-z]", t.text) for t in doc[i:j]):
                    sp.label = "ORG"
                continue
            if head in ORG_HEADS:
                if sp.label in ("GPE", "LOC"):
                    sp.label = "ORG"
                continue
            if sp.label in ("ORG", "GPE", "LOC") and self._is_name(i, j):
                if text in person_forms and sp.tail_end is None and not _is_region_name(text):
                    sp.label = "PERSON"
                elif i >= 2 and tokens[i - 1].text == "," and self._role_np_before(i - 1, spans) is not None:
                    sp.label = "PERSON"
            if sp.label in ("ORG", "GPE", "LOC") and appositive is not None and _singular(appositive) in ROLE_NOUNS \
                    and 2 <= j - i <= 4 and head not in ORG_HEADS \
                    and all(t.is_alpha and t.text[:1].isupper() and not t.text.isupper() for t in doc[i:j]):
                sp.label = "PERSON"  # "Victoria Nuland, the State Department spokeswoman," (Victoria: a capital)
        return spans

    def _apposition_head(self, j: int) -> str | None:
        """The last word of a determiner phrase in apposition after token j (", the State Department
        spokeswoman,"; ", the anti-secrecy group that ..."), when it holds no verb."""
        tokens = self.tokens
        if j + 2 >= len(tokens) or tokens[j].text != "," or tokens[j + 1].lower_ not in ("the", "a", "an"):
            return None
        m = j + 2
        while m < len(tokens) and m - j <= 9 and tokens[m].text not in (",", ".", ";", ":", ")", "(", "\u2014", "--") \
                and tokens[m].lower_ not in ("that", "which", "who", "whose", "with", "in", "on", "for", "to"):
            if self.has_pos and tokens[m].pos_ in ("VERB", "AUX"):
                return None
            m += 1
        if m == j + 2 or m - j > 9:
            return None
        return _lower(tokens[m - 1])

    def _titled_names(self, spans: list[_Span]) -> list[_Span]:
        """Names the tagger missed after a capitalised title ("Chancellor Olaf Scholz"): up to
        four proper-noun tokens right after a role noun or honorific are a person."""
        tokens = self.tokens
        covered = {k for sp in spans for k in range(sp.tok_start, sp.tok_end)}
        out = list(spans)
        k = 0
        while k < len(tokens) - 1:
            tok = tokens[k]
            if k in covered or not (tok.text[:1].isupper() and _is_role_or_honorific(tok)):
                k += 1
                continue
            e = k + 1
            while e < len(tokens) and e - k <= 4 and e not in covered and self._name_token(e, k + 1, e + 2) \
                    and self._is_propn(tokens[e]) and not tokens[e].is_sent_start:
                e += 1
            while e > k + 1 and not tokens[e - 1].is_alpha and tokens[e - 1].text.lower() not in NAME_SUFFIXES:
                e -= 1  # never end on a hyphen
            if e > k + 1 and self._is_name(k + 1, e) and self.has_pos and not (e < len(tokens) and e in covered):
                s = k
                while s - 1 >= 0 and s - 1 not in covered and tokens[s - 1].text[:1].isupper() and _is_title_token(tokens[s - 1]):
                    s -= 1
                out.append(_Span(k + 1, e, "PERSON", pre=s))
                covered.update(range(k + 1, e))
                k = e
            else:
                k += 1
        return out

    def repair(self) -> list[_Span]:
        labelled = [(e, _label(e)) for e in self.doc.ents]
        spans = [_Span(e.start, e.end, label) for e, label in labelled if label in ENTITY_TYPES]
        spans = self._join_registry_names(spans)
        spans = self._titled_names(spans)
        cleaned: list[_Span] = []
        for sp in spans:
            cleaned.extend(self._clean(sp))
        spans = self._split_titles(cleaned)
        spans = self._merge_persons(spans)
        spans = self._extend_cut_names(spans)
        return self._retype(spans)

    def _common_word(self, k: int) -> bool:
        """Token k is a common word by its tag (an adjective or noun, not a proper noun)."""
        return self.has_pos and self.tokens[k].pos_ in ("ADJ", "NOUN", "NUM", "ADV")

    def _cap_word(self, k: int) -> bool:
        tok = self.tokens[k]
        return tok.is_alpha and tok.text[:1].isupper() and _lower(tok) not in DATE_WORDS \
            and not _is_role_or_honorific(tok)

    def _extend_cut_names(self, spans: list[_Span]) -> list[_Span]:
        """A name the tagger cut to one common word ("Secure" of "Secure America Now", "Best" of
        "Best Buy", "Center" of "Center for Arizona Policy", "Nation" of "Face the Nation") runs
        over the capitalised words around it (and "of", "for", "and", "the" between capitalised
        words); a quoted title so recovered is no actor."""
        tokens = self.tokens
        owner = {k: n for n, sp in enumerate(spans) for k in range(sp.tok_start, sp.tok_end)}
        drop: set[int] = set()
        out: list[_Span] = []
        for n, sp in enumerate(spans):
            i, j = sp.tok_start, sp.tok_end
            if n in drop:
                continue
            hit = self._lookup(i, j)
            # a party's member word opening an organisation's name ("Republican Jewish Coalition")
            member = hit is not None and hit.kind == "demonym" and hit.entry.type == "ORG"
            if sp.label == "PERSON" or sp.tail_end is not None or j - i > 3 \
                    or (hit is not None and not member) or not (
                        any(self._common_word(k) for k in range(i, j))
                        or (j in owner and spans[owner[j]].tok_end - spans[owner[j]].tok_start == 1
                            and spans[owner[j]].label != "PERSON" and tokens[j - 1].whitespace_
                            and _lower(tokens[j]) in ORG_HEADS)  # "Wall Street" + "Journal"
                        or (j - i == 1 and j < len(tokens) and tokens[j].text == "." and len(tokens[i].text) <= 2
                            and not tokens[i].whitespace_)
                        or (j - i == 1 and re.fullmatch(r"[A-Z][a-z]{1,2}\.", tokens[i].text) is not None)  # "Ft."
                        or (j - i == 1 and _lower(tokens[i]) in ORG_HEADS and j + 1 < len(tokens)
                            and tokens[j].lower_ in ("of", "for"))):  # "the Center for Arizona Policy"
                out.append(sp)
                continue
            absorbed: set[int] = set()

            def takes(k: int) -> bool:
                o = owner.get(k)
                return o is None or (spans[o].label != "PERSON" and o not in drop and o != n)

            while j < len(tokens):
                if tokens[j - 1].whitespace_ and self._cap_word(j) and takes(j):
                    step = 1
                elif (tokens[j].lower_ in ("of", "for") and j + 2 < len(tokens) and tokens[j + 1].lower_ == "the"
                      and tokens[j].whitespace_ and tokens[j + 1].whitespace_ and self._cap_word(j + 2) and takes(j + 2)):
                    step = 3  # "Department of the Treasury"
                elif (tokens[j].lower_ == "and" and j + 1 < len(tokens) and j + 1 in owner):
                    break  # "Time and Newsweek": two names
                elif (tokens[j].lower_ in ("of", "for", "and", "the") and tokens[j - 1].whitespace_ and j + 1 < len(tokens)
                      and tokens[j].whitespace_ and self._cap_word(j + 1) and takes(j + 1)):
                    step = 2
                elif (tokens[j].text == "." and not tokens[j - 1].whitespace_ and len(tokens[j - 1].text) <= 2
                      and j + 1 < len(tokens) and not tokens[j + 1].is_sent_start and self._cap_word(j + 1)
                      and takes(j + 1)):
                    step = 2  # "Ft. Myers"
                else:
                    break
                for k in range(j, j + step):
                    if k in owner:
                        absorbed.add(owner[k])
                j += step
            while j - i == 1 and i - 1 >= 0 and tokens[i - 1].whitespace_:
                if self._cap_word(i - 1) and not tokens[i].is_sent_start and takes(i - 1):
                    i -= 1
                elif (i - 2 >= 0 and tokens[i - 1].lower_ in ("the", "of") and tokens[i - 2].whitespace_
                      and self._cap_word(i - 2) and takes(i - 2) and not tokens[i - 1].is_sent_start):
                    i -= 2  # "Face the Nation"
                else:
                    break
                absorbed |= {owner[k] for k in range(i, i + 2) if k in owner}
            if (i, j) == (sp.tok_start, sp.tok_end) or (member and _lower(tokens[j - 1]) not in ORG_HEADS):
                out.append(sp)  # "Republican Congressional": the party's word, no longer name
                continue
            absorbed.discard(n)
            if any(spans[o].tok_start < i or spans[o].tok_end > j for o in absorbed):
                out.append(sp)  # never half of another name
                continue
            drop |= absorbed
            out = [x for x in out if x not in [spans[o] for o in absorbed]]
            if self._scare_quoted(i, j):
                continue  # "Face the Nation", "Meet the Press": a show's title
            label = "ORG" if _lower(tokens[j - 1]) in ORG_HEADS or sp.label == "NORP" else sp.label
            out.append(_Span(i, j, label))
        return [sp for sp in out if all(sp is not spans[o] for o in drop)]

    def _role_np_before(self, comma: int, items: Sequence[Any]) -> tuple[int, int, Any] | None:
        """A role description ending at the comma before a name: "The head of the PIJ terrorist
        organization, <name>" / "Hamas senior leader, <name>". Returns (first token, end token,
        anchor) when the description starts a sentence or follows a verb/preposition."""
        tokens = self.tokens
        j = comma - 1
        first = comma
        anchor = None
        role = False
        while j >= 0 and comma - j <= 12:
            tok = tokens[j]
            item = next((c for c in items if c.tok_start <= j < c.tok_end), None)
            if item is not None:
                if item.label == "PERSON":
                    return None
                anchor, first, j = item, item.tok_start, item.tok_start - 1
            elif _is_title_token(tok) or tok.lower_ in ORG_DESCRIPTORS or tok.text in _POSSESSIVE \
                    or tok.lower_ in ("the", "a", "an", "of", "its"):
                role = role or _lower(tok) in ROLE_NOUNS
                first, j = j, j - 1
            else:
                break
            if tokens[first].is_sent_start:
                break
        if not role or first == comma:
            return None
        if not (j < 0 or tokens[first].is_sent_start or (self.has_pos and tokens[j].pos_ in ("ADP", "VERB"))):
            return None
        while first < comma and tokens[first].lower_ in ("the", "a", "an"):
            first += 1
        if not _is_role_or_honorific(tokens[first]) and not (anchor is not None and anchor.tok_start == first) \
                and not _is_title_token(tokens[first]):
            return None
        return first, comma, anchor

    # -- candidate collection ----------------------------------------------
    def _trim(self, i: int, j: int) -> tuple[int, int]:
        tokens = self.tokens
        while i < j and (tokens[i].lower_ in ("the", "a", "an") or tokens[i].is_space):
            i += 1
        while j > i and tokens[j - 1].is_space:
            j -= 1
        while j > i and tokens[j - 1].text in ("'s", "'", "\u2019s", "\u2019", ",", "."):
            if tokens[j - 1].text == "." and len(tokens[j - 1 - 0].text) == 1 and j - 1 > i and tokens[j - 2].text.isupper():
                break
            j -= 1
        return i, j

    def _cand(self, i: int, j: int, label: str, kind: str) -> _Cand | None:
        i, j = self._trim(i, j)
        if i >= j:
            return None
        tokens = self.tokens
        start, end = tokens[i].idx, tokens[j - 1].idx + len(tokens[j - 1].text)
        return _Cand(start, end, i, j, label, self.doc_text[start:end], kind=kind)

    def collect(self) -> list[_Cand]:
        tokens = self.tokens
        cands: list[_Cand] = []
        covered = [False] * len(tokens)
        for sp in self.repair():
            cand = self._cand(sp.tok_start, sp.tok_end, sp.label, "ent")
            if cand:
                cand.pre_start = sp.pre
                if sp.tail_end is not None and sp.tail_end > sp.tok_end:
                    cand.extend_to = tokens[sp.tail_end - 1].idx + len(tokens[sp.tail_end - 1].text)
                cands.append(cand)
                for k in range(sp.tok_start, sp.tail_end or sp.tok_end):
                    covered[k] = True
        # registry scan over uncovered tokens (longest first)
        max_n = min(self.registry.max_alias_tokens(), 8)
        i = 0
        while i < len(tokens):
            if covered[i] or not (tokens[i].text[:1].isupper()):
                i += 1
                continue
            hit = None
            for n in range(min(max_n, len(tokens) - i), 0, -1):
                if any(covered[i:i + n]):
                    continue
                match = self._lookup(i, i + n)
                if match and tokens[i + n - 1].text not in ("the", "of", "and"):
                    hit = (n, match)
                    break
            if hit:
                n, match = hit
                label = "NORP" if match.kind == "demonym" else match.entry.type
                cand = self._cand(i, i + n, label, "registry")
                if cand:
                    cands.append(cand)
                    for k in range(i, i + n):
                        covered[k] = True
                i += n
            else:
                i += 1
        # "the Obama administration": a leader's name before "administration" the tagger missed
        for k in range(len(tokens) - 1):
            if covered[k] or tokens[k + 1].text != "administration" or tokens[k].is_sent_start:
                continue
            s = k
            while s - 1 >= 0 and not covered[s - 1] and not tokens[s - 1].is_sent_start and self._name_token(s - 1, s - 1, k + 1):
                s -= 1
            if self._is_name(s, k + 1) and self._is_propn(tokens[k]):
                cand = self._cand(s, k + 1, "PERSON", "ent")
                if cand:
                    cand.extend_to = tokens[k + 1].idx + len(tokens[k + 1].text)
                    cands.append(cand)
                    for t in range(s, k + 2):
                        covered[t] = True
        for c in cands:  # "the Biden administration" where the tagger took "Biden" alone
            if c.label == "PERSON" and c.extend_to is None and c.tok_end < len(tokens) \
                    and tokens[c.tok_end].lower_ in PERSON_INSTITUTION_NOUNS and tokens[c.tok_end].text[:1].islower():
                c.extend_to = tokens[c.tok_end].idx + len(tokens[c.tok_end].text)
        cands.sort(key=lambda c: c.start)
        return cands

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

    def _agent(self, entry: RegistryEntry | None, noun: Any, text: str) -> _ActorBuild | None:
        """A state's agent named by a group noun with a CAMEO sector other than government ("Russian
        police" -> RUS COP, "Israeli troops" -> ISR MIL), keyed by state and sector so that "Israeli
        army" and "Israeli troops" are one actor. Government nouns ("Israeli officials") stay the state:
        in event data a state acts through its government."""
        if entry is None or entry.type != "GPE" or not entry.country:
            return None
        code = sector_nouns().get(_lower(noun))
        if code is None or code == "GOV":
            return None
        name = f"{(entry.demonyms or [entry.name])[0]} {_lower(noun)}"
        agent = self._add(f"{entry.key}/{code}", name, "ORG", alias=text)
        agent.country = entry.country
        return agent

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
    def _title_phrase(self, cand: _Cand, cands: Sequence[_Cand]) -> None:
        """Titles before a name: "Former US Ambassador to Israel David Friedman", "Hamas leader
        Ismail Haniyeh", "Iran's Foreign Minister X". Role = the title words (a leading country
        goes to ``country``, a leading organisation stays in the role and is the affiliation)."""
        tokens = self.tokens
        toks: list[int] = []
        units: list[tuple[int, int, _Cand | None]] = []  # (start, end, cand) left to right
        j = cand.tok_start - 1
        forced = cand.pre_start if cand.pre_start is not None else cand.tok_start
        while j >= 0:
            tok = tokens[j]
            other = self._entity_key_at(cands, j)
            if other is not None and other.label != "PERSON" and other is not cand:
                units.insert(0, (other.tok_start, other.tok_end, other))
                j = other.tok_start - 1
                continue
            low = _lower(tok)
            ok = j >= forced
            ok = ok or (_is_title_token(tok) and low != "of" and (
                tok.text[:1].isupper() or low in ROLE_NOUNS or any(_lower(tokens[t]) in ROLE_NOUNS for t in toks)
                or (j >= 2 and tokens[j - 1].lower_ == "of" and _lower(tokens[j - 2]) in ROLE_NOUNS)))  # "chief of staff"
            ok = ok or (low in ("of", "to", "for") and units and j - 1 >= 0 and _is_title_token(tokens[j - 1])
                        and (units[0][2] is not None or _is_title_modifier(tokens[units[0][0]])))
            ok = ok or (tok.text in ("'s", "\u2019s") and j - 1 >= 0 and self._entity_key_at(cands, j - 1) is not None)
            if not ok:
                break
            toks.insert(0, j)
            units.insert(0, (j, j + 1, None))
            j -= 1
        # leading organisation/country units before the first title word are anchors
        while units and units[0][2] is None and tokens[units[0][0]].lower_ in ("of", "to", "for", "'s", "\u2019s"):
            units.pop(0)
        lead: list[_Cand] = []
        while units and units[0][2] is not None:
            lead.append(units.pop(0)[2])
        while units and units[0][2] is None and tokens[units[0][0]].text in ("'s", "\u2019s"):
            units.pop(0)
        if not any(u[2] is None and _is_role_or_honorific(tokens[u[0]]) for u in units):
            return
        anchor = lead[-1] if lead else None
        words: list[str] = []
        prev_low = ""
        for s, e, c in units:
            if c is None:
                if _lower(tokens[s]) in HONORIFICS:
                    continue
                words.append(tokens[s].text)
                prev_low = tokens[s].lower_
                continue
            is_country = c.entry is not None and (c.entry.type == "GPE" or c.kind == "demonym")
            if is_country and prev_low not in ("of", "to", "for") and not cand.country:
                cand.country = c.entry.country  # "Former US Ambassador": affiliation, not role text
                continue
            words.append(c.text)
            prev_low = ""
        role_words = [w for w in words if w.lower().rstrip(".") in ROLE_NOUNS or w.lower().rstrip(".") in TITLE_WORDS]
        if not role_words or not any(w.lower().rstrip(".") in ROLE_NOUNS for w in words):
            return
        role = " ".join(words)
        if anchor is not None and anchor.entry is not None and anchor.entry.type == "GPE" or (
                anchor is not None and anchor.kind == "demonym"):
            self._set_affiliation(cand, anchor)
        elif anchor is not None:
            role = f"{anchor.text} {role}"  # "Hamas leader": the organisation belongs to the role
            self._set_affiliation(cand, anchor)
        cand.role = role

    def _person_context(self, cand: _Cand, cands: Sequence[_Cand]) -> None:
        tokens = self.tokens
        self._title_phrase(cand, cands)
        title_affiliation = cand.affiliation
        if cand.role:
            cand.roles.append((cand.role, cand.affiliation))
        # apposition after: ", the head of Hamas," / ", Hamas's political chief,"; it may add an
        # organisation to a bare title ("Representative X, the chairman of the Budget Committee")
        j = cand.tok_end
        if j < len(tokens) and tokens[j].text == ",":
            m = j + 1
            if m < len(tokens) and tokens[m].lower_ in ("the", "a"):
                m += 1
            role_toks, anchor = [], None
            while m < len(tokens) and m < j + 10:
                tok = tokens[m]
                found = self._entity_key_at(cands, m) or next(
                    (c for c in cands if c.label == "PERSON" and c.tok_start <= m < c.tok_end), None)
                if found is not None and found is not cand:
                    after = found.tok_end
                    possessive = after < len(tokens) and tokens[after].text in ("'s", "\u2019s", "'", "\u2019")
                    if possessive:  # "President Obama's national security adviser": a new possessor
                        role_toks, anchor = [], found
                        m = after + 1
                        continue
                    if not role_toks:
                        anchor = found
                        m = after
                        continue
                    break
                if _is_title_token(tok) and tok.lower_ != "of":
                    role_toks.append(tok)
                    m += 1
                    continue
                if tok.lower_ == "of" and role_toks and m + 1 < len(tokens) and _is_title_modifier(tokens[m + 1]):
                    role_toks += [tok, tokens[m + 1]]  # "chief of staff", "secretary of state"
                    m += 2
                    continue
                if tok.lower_ == "of" and role_toks:
                    n = m + 1
                    if n < len(tokens) and tokens[n].lower_ == "the":
                        n += 1
                    found = self._entity_key_at(cands, n)
                    if found is not None:
                        anchor = found
                        m = max(found.tok_end, m)
                        while m < len(tokens) and (tokens[m].lower_ in ORG_DESCRIPTORS or tokens[m].text in _POSSESSIVE):
                            m += 1
                break
            # an apposition is closed ("X, the head of Hamas, said"); "Mr. X, the governor pointed"
            # is a new clause whose subject is the role noun
            closed = m >= len(tokens) or not (self.has_pos and tokens[m].pos_ in ("VERB", "AUX"))
            if role_toks and closed and any(_lower(t) in ROLE_NOUNS for t in role_toks):
                role = " ".join(t.text for t in role_toks)
                if anchor is not None and anchor.label == "PERSON":
                    pass  # "X's adviser": the possessor is no affiliation we record
                elif anchor is not None and anchor.entry is not None and anchor.entry.type != "GPE" and anchor.kind != "demonym":
                    role = f"{role} of {anchor.entry.name}" if anchor.kind != "ent" else f"{role} of {anchor.text}"
                elif anchor is not None and anchor.kind == "ent" and anchor.label == "ORG":
                    role = f"{role} of {anchor.text}"
                affiliation = anchor.key if anchor is not None and anchor.label != "PERSON" else None
                cand.roles.append((role, affiliation))
                if not cand.role or (affiliation and not title_affiliation):
                    cand.role = role
                    if affiliation:
                        self._set_affiliation(cand, anchor)
        # apposition before: "The head of the PIJ terrorist organization, Ziyad al-Nakhala"
        if not cand.role and cand.tok_start >= 2 and tokens[cand.tok_start - 1].text == ",":
            found = self._role_np_before(cand.tok_start - 1, [c for c in cands if c.key or c.label == "PERSON"])
            if found is not None:
                first, end, anchor = found
                start_char = tokens[first].idx
                end_char = tokens[end - 1].idx + len(tokens[end - 1].text)
                cand.role = self.doc_text[start_char:end_char]
                if anchor is not None and anchor.label != "PERSON" and anchor.key:
                    self._set_affiliation(cand, anchor)
                cand.roles.append((cand.role, cand.affiliation))
                self._appositions.append((cand, (start_char, end_char)))

    def _set_affiliation(self, cand: _Cand, anchor: _Cand) -> None:
        cand.affiliation = anchor.key
        if anchor.entry is not None and anchor.entry.type == "GPE":
            cand.country = anchor.entry.country
        elif anchor.entry is not None and anchor.entry.country:
            cand.country = anchor.entry.country

    @staticmethod
    def _role_norm(role: str) -> str:
        words = [w.lower().rstrip(".").replace("\u2019", "'") for w in role.split()]
        if "of" in words:
            words = words[: words.index("of")]
        words = [w for w in words if w in TITLE_WORDS]
        if words and words[-1] in HEAD_ROLES:
            return "leader"
        return " ".join(w for w in words if w not in ("former", "acting", "top", "senior"))

    # -- main ------------------------------------------------------------------
    def run(self) -> list[Actor]:
        doc = self.doc
        tokens = self.tokens
        self._appositions: list[tuple[_Cand, tuple[int, int]]] = []
        cands = self.collect()
        # keys for registry-resolvable candidates and acronym definitions
        for c in cands:
            if c.label in ("ORG", "GPE", "LOC", "NORP") or c.kind == "registry":
                c.key = self._registry_key(c)
        acronym_labels: dict[str, str] = {}
        for c in cands:
            if c.label == "PERSON":
                continue
            if c.key is None and c.label in ("ORG", "GPE", "LOC", "NORP"):
                c.key = f"{'ORG' if c.label == 'ORG' else c.label}:{normalize(c.text)}"
            j = c.tok_end
            if j + 2 < len(tokens) and tokens[j].text == "(" and tokens[j + 2].text == ")":
                acro = tokens[j + 1].text
                if acro.isupper() and len(acro) >= 2 and c.key:
                    self.acronyms[acro] = c.key
                    acronym_labels[acro] = c.label
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
        # a defined acronym the tagger missed or mislabelled ("PIJ" as MISC) is still the organisation
        if self.acronyms:
            taken = {k for c in cands for k in range(c.tok_start, c.tok_end)}
            for tok in doc:
                if tok.text in self.acronyms and tok.i not in taken:
                    cand = self._cand(tok.i, tok.i + 1, acronym_labels[tok.text], "acronym")
                    if cand:
                        cand.key = self.acronyms[tok.text]
                        nxt = tok.i + 1
                        while nxt < len(tokens) and tokens[nxt].lower_ in ORG_DESCRIPTORS:
                            nxt += 1  # "PIJ terrorist organization"
                        if nxt > tok.i + 1:
                            cand.extend_to = tokens[nxt - 1].idx + len(tokens[nxt - 1].text)
                        cands.append(cand)
            cands.sort(key=lambda c: c.start)
        cands = self._drop_non_names(cands)
        self._fuller_org_names(cands)
        # a bare surname the tagger called something else ("Amir-Abdollahian" as ORG) is that person
        surnames = {c.text.split()[-1] for c in cands if c.label == "PERSON" and len(c.text.split()) >= 2}
        for c in cands:
            if c.label != "PERSON" and c.entry is None and c.text in surnames:
                c.label, c.key = "PERSON", None
        # persons
        persons = [c for c in cands if c.label == "PERSON"]
        self._persons = persons
        for c in persons:
            self._person_context(c, cands)
        self._group_persons(persons)
        for c in cands:
            if c.label == "PERSON":
                actor = self.actors[c.key]
                self._add(c.key, actor.name, "PERSON", (c.start, c.end), alias=c.text)
                if c.extend_to:  # "the Biden administration" → Biden
                    self._add(c.key, actor.name, "PERSON", (c.start, c.extend_to))
                if c.role and not actor.role:
                    actor.role = c.role
                if c.country and not actor.country:
                    actor.country = c.country
                if c.affiliation and not actor.affiliation:
                    actor.affiliation = c.affiliation
                if _CONGRESS_TAG.match(self.doc_text, c.end):
                    actor.country = actor.country or "USA"
                    actor.sector = "LEG"
                for role, affiliation in c.roles:
                    if affiliation:
                        self.role_index.setdefault((affiliation, self._role_norm(role)), c.key)
        for c, span in self._appositions:  # "Hamas senior leader, Ismail Haniyeh": both name him
            actor = self.actors[c.key]
            self._add(c.key, actor.name, "PERSON", span, alias=self.doc_text[span[0]:span[1]])
        # non-person entities, skipping a demonym that is part of a person's title
        title_tokens = set()
        for c in persons:
            k = (c.pre_start if c.pre_start is not None else c.tok_start) - 1
            while k >= 0 and (_is_title_token(tokens[k]) or tokens[k].text in ("'s", "\u2019s")):
                title_tokens.add(k)
                k -= 1
            # include the anchor before the titles
            for a in cands:
                if a.tok_end in (k + 1, k) and a is not c and a.label not in ("PERSON", "ORG") and c.role:
                    title_tokens.update(range(a.tok_start, a.tok_end))
        taken_tokens = {k for c in cands for k in range(c.tok_start, c.tok_end)}
        for c in cands:
            if c.label == "PERSON" or not c.key:
                continue
            if all(t in title_tokens for t in range(c.tok_start, c.tok_end)):
                continue
            entry = c.entry if c.entry is not None and c.entry.key == c.key else self.registry.get(c.key)
            if entry is not None:
                name, type_ = entry.name, entry.type
            else:
                existing = self.actors.get(c.key)
                name = existing.name if existing is not None else (c.fuller or c.text)
                type_ = existing.type if existing is not None else ("GPE" if c.label in ("GPE", "LOC") else c.label)
            actor = self._add(c.key, name, type_, alias=c.text)
            if entry is not None and entry.country and not actor.country:
                actor.country = entry.country
            if entry is not None and entry.role and not actor.role:
                actor.role = entry.role
            # extend demonyms/organisations with a group noun: "Israeli officials"
            start, end = c.start, c.end
            j = c.tok_end
            if c.extend_to:
                end = max(end, c.extend_to)
            elif (head := self._participant_head(c, entry, taken_tokens)) is not None:
                end = tokens[head].idx + len(tokens[head].text)
                agent = self._agent(entry, tokens[head], self.doc_text[start:end])
                if agent is not None:  # "Russian police": an actor of its own, in Russia
                    agent.spans.append((start, end))
                    continue
            elif entry is not None and entry.type == "GPE":
                end = self._state_agency_end(j, taken_tokens) or end
            actor.spans.append((start, end))
            if entry is None and c.label == "ORG" and not actor.country:
                actor.country = self._owner_country(c, cands)
        # possessive institutions: "Netanyahu's office"
        token_starts = [t.idx for t in doc]
        for key, actor in list(self.actors.items()):
            for (s, e) in list(actor.spans):
                first = bisect.bisect_left(token_starts, e)
                toks = [tokens[k] for k in range(first, min(first + 2, len(tokens)))]
                if len(toks) == 2 and toks[0].text in ("'s", "\u2019s") and toks[1].lower_ in INSTITUTION_NOUNS:
                    new = (s, toks[1].idx + len(toks[1].text))
                    actor.spans[actor.spans.index((s, e))] = new
        # nominal role mentions: "the head of Hamas", "the Hamas leader", "Iran's foreign minister"
        self._role_mentions(cands)
        self._repeated_names()
        self._pronoun_mentions()
        return self._finish()

    def _single_word(self, c: _Cand) -> bool:
        return c.tok_end - c.tok_start == 1 and len(c.text.split()) == 1

    def _own_key(self, c: _Cand) -> bool:
        """A key made from the candidate's own text (no registry entry, no acronym definition)."""
        return c.entry is None and c.key is not None and c.key.split(":", 1)[-1] == normalize(c.text)

    def _not_a_name(self, c: _Cand, institutions: set[str] = frozenset()) -> bool:
        """One word outside the registry that is no name: a group adjective or demonym ("Democratic",
        "Jewish", "Latino"; NORP not resolved to a state), a word the tagger reads as an adjective
        ("Conservative"), or a common noun capitalised only because it starts the sentence. An
        adjective the article also writes before an institution's descriptor ("Zionist regime") names
        that institution (``institutions``: such keys)."""
        if not self._single_word(c):
            return False
        tok = self.tokens[c.tok_start]
        if c.label == "PERSON":
            nxt = self.tokens[c.tok_end] if c.tok_end < len(self.tokens) else None
            if nxt is not None and nxt.text[:1].isupper() and _lower(nxt) in TITLE_WORDS | HONORIFICS:
                return True  # the first word of a title ("First Lady", "Deputy Secretary"), no person
            return self.has_pos and tok.pos_ == "ADJ" and bool(_ADJECTIVAL.match(tok.text) or is_demonym(tok.text))
        if c.label in ("GPE", "LOC") and _lower(tok) in COMPASS_REGIONS and self._own_key(c):
            return True  # "a candidate from the Northeast": a part of a country, no actor
        if not self._own_key(c):
            return False
        if c.label == "NORP" or (self.has_pos and tok.pos_ == "ADJ"):
            return c.key not in institutions
        if self._quoted_title(c.tok_start, c.tok_end) or self._cut_from_longer_name(c):
            return True
        if self._written_lowercase(tok.text) and _lower(tok) not in ORG_HEADS | {"house"}:
            return True  # "History, Government, Philosophy": a common noun the article writes lowercase too
        start = tok.is_sent_start or (c.tok_start > 0 and self.tokens[c.tok_start - 1].text in ('"', "\u201c", "'", "\u2018"))
        return bool(start) and self.has_pos and tok.pos_ in ("NOUN", "ADJ")

    def _written_lowercase(self, word: str) -> bool:
        """Does the article also write ``word`` in lower case (a common noun, not a name)?"""
        if self._lowercase_words is None:
            self._lowercase_words = {t.text for t in self.tokens if t.is_alpha and t.text.islower()}
        return word.lower() in self._lowercase_words and not word.islower()

    def _cut_from_longer_name(self, c: _Cand) -> bool:
        """One word the tagger cut out of a longer capitalised name that is no actor of its own: a
        title ("Secretary of State"), a name going on in capitals ("First Lady", "Politics Daily") or
        over a connecting word ("the Boys and Girls Club"), an abbreviation before one ("Ft. Myers")."""
        tokens, i, j = self.tokens, c.tok_start, c.tok_end
        nxt = tokens[j] if j < len(tokens) else None
        if i >= 2 and tokens[i - 1].lower_ == "of" and tokens[i - 2].text[:1].isupper() \
                and _lower(tokens[i - 2]) in TITLE_WORDS:
            return True
        if nxt is not None and nxt.is_alpha and nxt.text[:1].isupper() and not nxt.is_sent_start \
                and _lower(nxt) not in TITLE_WORDS and _lower(nxt) not in HONORIFICS:
            return True
        if nxt is not None and nxt.lower_ in ("of", "and", "&"):
            # "the Boys and Girls Club", "the Department of the Treasury Inspector General": the name
            # goes on over a connecting word into capitalised words ("Google and Facebook" does not)
            k = j + 1 + (j + 1 < len(tokens) and tokens[j + 1].lower_ == "the")
            run = []
            while k < len(tokens) and tokens[k].is_alpha and tokens[k].text[:1].isupper() and len(run) < 5:
                run.append(tokens[k])
                k += 1
            if len(run) >= 2 or (run and _lower(run[-1]) in ORG_HEADS):
                return True
        return (nxt is not None and nxt.text == "." and len(c.text) <= 3 and j + 1 < len(tokens)
                and tokens[j + 1].text[:1].isupper() and not tokens[j + 1].is_sent_start)

    def _quoted_title(self, i: int, j: int) -> bool:
        """Tokens [i, j) end a quoted title of a few capitalised words ("Face the Nation", "Meet the
        Press"): a programme's or work's name, no actor."""
        tokens = self.tokens
        k = i
        while k - 1 >= 0 and i - k < 4 and (tokens[k - 1].text[:1].isupper() or tokens[k - 1].lower_ in ("the", "of", "a", "and")) \
                and tokens[k - 1].is_alpha:
            k -= 1
        return k < i and self._scare_quoted(k, j)

    def _drop_non_names(self, cands: list[_Cand]) -> list[_Cand]:
        """Candidates that are no actor: :meth:`_not_a_name`, and a family named by its plural
        ("the Clintons" where the article names a Clinton) -- not the person, and no person."""
        surnames = {name_words(c.text).last for c in cands if c.label == "PERSON"}
        tokens = self.tokens
        institutions = {c.key for c in cands if c.key and c.label != "PERSON" and c.tok_end < len(tokens)
                        and tokens[c.tok_end].text[:1].islower() and _lower(tokens[c.tok_end]) in (
                            STATE_DESCRIPTORS if c.label == "NORP" else ORG_DESCRIPTORS)}
        out = []
        for c in cands:
            if self._not_a_name(c, institutions):
                continue
            if c.label == "PERSON" and self._single_word(c) and c.text.endswith("s") and len(c.text) > 3 \
                    and fold(c.text[:-1]) in surnames:
                continue
            out.append(c)
        return out

    def _fuller_org_names(self, cands: Sequence[_Cand]) -> None:
        """One word of an organisation or place the article also names in full ("the Journal" after
        "The Wall Street Journal", "the Enquirer" and "National Enquirer") is that name: the nearest
        preceding, else the first, of those ending in the word. After a capital "The" inside a sentence
        the name has its "The" ("The Atlantic", "The Hague")."""
        group = {"ORG": "ORG", "GPE": "GPE", "LOC": "GPE"}
        longer = [c for c in cands if c.label in group and c.key and len(c.text.split()) >= 2]
        for c in cands:
            if c.label not in group or not self._single_word(c) or not self._own_key(c) or c.text.isupper():
                continue
            options = [o for o in longer if group[o.label] == group[c.label] and fold(o.text.split()[-1]) == fold(c.text)]
            outlet = normalize(self.article.outlet or "")
            if not options and c.label == "ORG" and len(outlet.split()) >= 2 and outlet.split()[-1] == fold(c.text):
                # "The Times" in a New York Times article: the outlet itself
                c.key, c.fuller = f"ORG:{outlet}", _LEADING_THE.sub("", self.article.outlet or "").strip()
                continue
            if not options and c.tok_start > 0 and self.tokens[c.tok_start - 1].text == "The" \
                    and not self.tokens[c.tok_start - 1].is_sent_start:
                # "a report in The Atlantic", "the newspaper The Hill": a capital "The" inside a sentence
                # belongs to a title's name (a publication), not to the place or the word
                name = f"The {c.text}"
                c.key, c.fuller = f"{c.label}:{normalize(name)}", name
                continue
            if not options:
                continue
            before = [o for o in options if o.start < c.start]
            best = max(before, key=lambda o: o.start) if before else min(options, key=lambda o: o.start)
            c.key, c.entry, c.label = best.key, best.entry, best.label
            c.fuller = best.text

    def _sentence_index(self, char: int) -> int:
        if self._sent_starts is None:
            try:
                self._sent_starts = [sent.start_char for sent in self.doc.sents]
            except ValueError:  # no sentence boundaries set
                self._sent_starts = []
        return bisect.bisect_right(self._sent_starts, char) - 1

    def _pick(self, at: int, options: Sequence[tuple[Any, list[int]]]) -> Any:
        """Which of several same-surname persons a bare surname at char ``at`` names: the nearest
        mention in this or the previous sentence, else the most-mentioned (salience), else the
        first introduced."""
        here = self._sentence_index(at)
        recent = []
        for n, (_, starts) in enumerate(options):
            before = [s for s in starts if s < at]
            if before and here - self._sentence_index(max(before)) <= 1:
                recent.append((max(before), n))
        if recent:
            return options[max(recent)[1]][0]
        best = max(range(len(options)), key=lambda n: (len(options[n][1]), -min(options[n][1], default=0)))
        return options[best][0]

    def _state_agency_end(self, j: int, taken: set[int]) -> int | None:
        """A state's agency named after its demonym ("Iranian Foreign Ministry", "Israeli Defense
        Forces"): capitalised title/institution words ending in an institution head. The agency is
        coded as its state, as CAMEO does for government actors; returns the mention's char end."""
        tokens = self.tokens
        k = j
        while k < len(tokens) and k - j < 4 and k not in taken and tokens[k].text[:1].isupper() and (
                _is_title_token(tokens[k]) or _lower(tokens[k]) in ORG_HEADS or _lower(tokens[k]) in GROUP_NOUNS):
            k += 1
        if k < len(tokens) and tokens[k].lower_ == "of":
            return None  # the name goes on: "United States Court of Appeals" is its own organisation
        if k > j and _lower(tokens[k - 1]) in STATE_AGENCY_HEADS:
            return tokens[k - 1].idx + len(tokens[k - 1].text)
        return None

    def _participant_head(self, c: _Cand, entry: RegistryEntry | None, taken: set[int]) -> int | None:
        """The token index of the group or role noun a state, place or organisation modifies, whose
        noun phrase names a participant ("Israeli officials", "a Turkish court", "senior Indian
        diplomat", "Syrian government forces", "Afghanistan's intelligence services", "a Kyrgyz
        journalist"), or None. The head is the last noun of the run of lowercase adjectives and nouns
        after the modifier (at most four words, after an optional possessive); it must be a group noun
        or a noun of the sector table (``data/actor_sectors.tsv``). Not when a name follows the noun
        ("the Israeli newspaper Haaretz", an apposition naming the participant itself), nor when a role
        noun names a person the article introduced with that title (that mention is the person's)."""
        tokens = self.tokens
        if not (c.kind == "demonym" or c.label in ("ORG", "GPE", "NORP")):
            return None

        def named_after(k: int) -> bool:
            # "the Israeli newspaper Haaretz", "his Lebanese counterpart, Michel Aoun": the name that
            # follows is the participant itself
            return k + 1 < len(tokens) and (k + 1 in taken or (
                tokens[k + 1].text == "," and k + 2 < len(tokens) and k + 2 in taken
                and tokens[k + 2].text[:1].isupper() and any(
                    p.tok_start == k + 2 and p.label == "PERSON" for p in self._persons)))

        j = c.tok_end
        # "Israeli officials": the group noun right after the modifier (unless the phrase goes on:
        # "Syrian government forces" are forces)
        right_after = j if j < len(tokens) and tokens[j].lower_ in GROUP_NOUNS else None
        if right_after is not None and named_after(j):
            return None
        if right_after is not None and not (j + 1 < len(tokens) and tokens[j + 1].text[:1].islower()
                                            and tokens[j + 1].pos_ == "NOUN"):
            return j
        nouns = participant_nouns()
        k = j
        if k < len(tokens) and tokens[k].text in ("'s", "\u2019s") and c.kind != "demonym":
            k += 1
        run: list[int] = []
        while k < len(tokens) and len(run) < 4 and k not in taken and tokens[k].is_alpha and (
                (tokens[k].text[:1].islower() and (not self.has_pos or tokens[k].pos_ in ("NOUN", "ADJ", "PROPN")))
                or (self.has_pos and tokens[k].pos_ == "ADJ")):  # "Sri Lankan Tamil rebels"
            run.append(k)
            k += 1
        heads = [n for n in run if not self.has_pos or tokens[n].pos_ != "ADJ"]
        if not heads:
            return right_after
        head = heads[-1]
        # an organisation's own kind of member or unit counts too ("the ALDE group", "the NATO alliance")
        own = ORG_DESCRIPTORS | {"alliance", "bloc"} if c.label == "ORG" and c.kind != "demonym" else frozenset()
        if (_lower(tokens[head]) not in nouns and _lower(tokens[head]) not in own) or named_after(head):
            return right_after
        if _lower(tokens[head]) in ROLE_NOUNS and c.key and (c.key, self._role_norm(tokens[head].text)) in self.role_index:
            return None  # "the Hamas leader" where Haniyeh was introduced as Hamas's leader: his mention
        if _lower(tokens[head]) in ROLE_NOUNS and sector_nouns().get(_lower(tokens[head]), "GOV") == "GOV":
            return right_after  # "The Texas governor": one person's office, never the place itself
        return head

    def _owner_country(self, cand: _Cand, cands: Sequence[_Cand]) -> str | None:
        """An organisation introduced by its state ("Iran's Supreme National Security Council",
        "Iranian outlet Nour News") is affiliated with that state."""
        tokens = self.tokens
        k = cand.tok_start - 1
        if k >= 0 and tokens[k].text in ("'s", "\u2019s"):
            k -= 1
        elif k >= 0 and tokens[k].is_alpha and tokens[k].text[:1].islower() and k - 1 >= 0:
            k -= 1  # one descriptor between: "Iranian outlet Nour News"
        owner = self._entity_key_at(cands, k) if k >= 0 else None
        if owner is not None and owner.entry is not None and (owner.entry.type == "GPE" or owner.kind == "demonym"):
            return owner.entry.country
        for n in range(min(3, cand.tok_end - cand.tok_start - 1), 0, -1):  # "U.S. Embassy", "Iranian Foreign Ministry"
            hit = self._lookup(cand.tok_start, cand.tok_start + n)
            if hit is not None and hit.entry.type == "GPE":
                return hit.entry.country
        return None

    def _group_persons(self, persons: Sequence[_Cand]) -> None:
        """Person mentions → person actors: a shorter name joins a longer one with the same
        surname whose words it shares ("Khamenei" → "Ali Khamenei"). When several persons share
        the surname, a titled mention goes to the one with that title, else ``_pick`` (Lee et al.
        2013, string-match sieves with a recency/salience tie-break)."""
        builds: list[tuple[_ActorBuild, list[str], list[int], set[str]]] = []
        for c in sorted(persons, key=lambda c: (-len(c.text.split()), c.start)):
            words = [w for w in re.split(r"\s+", c.text) if w]
            parts = name_words(c.text)
            norms = {self._role_norm(r) for r, _ in c.roles}
            matches = []
            for build in builds:
                other = name_words(" ".join(build[1]))
                if len(parts.words) == 1 and parts.suffix is None:
                    if parts.last != other.last:
                        continue  # a bare surname: any person of that surname ...
                    if norms and other.suffix and not norms & build[3]:
                        continue  # ... but "President Trump" beside "Donald Trump Jr.": a suffix implies a namesake
                elif len(parts.words) > len(other.words) or not compatible_names(parts, other):
                    continue  # "Donald J. Trump" / "Donald John Trump"; not "Jesse Jackson" / "Jesse Jackson Jr."
                matches.append(build)
            shared = self._coordinated_surname(c, persons) if len(words) == 1 else None
            if shared is not None:  # "Barack and Michelle Obama": Barack Obama
                full = name_words(f"{c.text} {shared}")
                matches = [b for b in builds if compatible_names(full, name_words(" ".join(b[1])))]
                if not matches:
                    actor = self._add(f"PERSON:{c.text} {shared}", f"{c.text} {shared}", "PERSON")
                    builds.append((actor, actor.name.split(), [c.start], set(norms)))
                    c.key = actor.key
                    continue
            if not matches and len(words) == 1:
                # a first name alone ("Donald", "Hillary") names the one person of the article so called
                firsts = {b[0].key: b for b in builds if len(b[1]) >= 2 and fold(b[1][0]) == parts.last}
                if len(firsts) == 1:
                    matches = list(firsts.values())
            if matches:
                titled = [b for b in matches if norms & b[3]]
                matches = titled or matches
                found = matches[0][0] if len(matches) == 1 else self._pick(c.start, [(b, b[2]) for b in matches])[0]
                build = next(b for b in builds if b[0] is found)
                build[2].append(c.start)
                build[3].update(norms)
                c.key = found.key
                continue
            match = self.registry.lookup(c.text)
            key = match.entry.key if match and match.entry.type == "PERSON" else f"PERSON:{c.text}"
            name = match.entry.name if match and match.entry.type == "PERSON" else c.text
            actor = self._add(key, name, "PERSON")
            builds.append((actor, name.split(), [c.start], set(norms)))
            c.key = actor.key

    def _coordinated_surname(self, c: _Cand, persons: Sequence[_Cand]) -> str | None:
        """The surname a first name shares with the full name coordinated after it ("Barack and
        Michelle Obama", "Bill and Hillary Clinton")."""
        tokens = self.tokens
        k = c.tok_end
        if k + 1 >= len(tokens) or tokens[k].lower_ != "and":
            return None
        nxt = next((p for p in persons if p.tok_start == k + 1), None)
        if nxt is None or len(nxt.text.split()) != 2:
            return None
        return nxt.text.split()[-1]

    def _repeated_names(self) -> None:
        """Later occurrences of a resolved name the tagger missed ("Haniyeh" after "Ismail
        Haniyeh"): string-match propagation, the first sieve of Lee et al. (2013). A surname
        shared by several persons goes to the nearest preceding one."""
        text = self.doc_text
        taken = sorted(span for b in self.actors.values() for span in b.spans)

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for (s, e) in taken)

        owners: dict[str, list[_ActorBuild]] = {}
        for build in list(self.actors.values()):
            forms = {build.name, *(a for a in build.aliases if a[:1].isupper())}
            if build.type == "PERSON" and len(build.name.split()) >= 2:
                words = build.name.split()
                forms.add(next((w for w in reversed(words) if w.lower() not in NAME_SUFFIXES), words[-1]))
            for form in forms:
                if len(form) >= 3 and form.lower() not in PRONOUNS and form.lower() not in PRONOUN_SPANS:
                    owners.setdefault(form, [])
                    if build not in owners[form]:
                        owners[form].append(build)
        for form in sorted(owners, key=len, reverse=True):
            builds = owners[form]
            if form not in text:
                continue  # the pattern is the literal form (case-sensitive): no occurrence, no match
            for start, end in _whole_word(form, text):
                if not free(start, end):
                    continue
                build = builds[0]
                if len(builds) > 1:
                    build = self._pick(start, [(b, [s for s, _ in b.spans]) for b in builds])
                build.spans.append((start, end))
                taken.append((start, end))

    def _pronoun_mentions(self) -> None:
        """He/she → the most recent person mentioned in this or the previous sentence,
        when exactly one person is that recent (the antecedent is then clear)."""
        doc = self.doc
        person_spans = sorted((s, e, key) for key, b in self.actors.items() if b.type == "PERSON" for (s, e) in b.spans)
        if not person_spans:
            return
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else []
        first_sent: dict[int, int] = {}  # token -> the first sentence holding it
        for n, sent in enumerate(sents):
            for k in range(sent.start, sent.end):
                first_sent.setdefault(k, n)
        for tok in doc:
            if tok.lower_ not in PRONOUNS or not sents:
                continue
            sent_index = first_sent.get(tok.i)
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
        tokens = self.tokens
        person_spans = [(c.tok_start, c.tok_end) for c in cands if c.label == "PERSON"]
        for tok in doc:
            low = _lower(tok)
            if low not in ROLE_NOUNS:
                continue
            i = tok.i
            # role words: adjacent lowercase/title modifiers ("foreign minister", "political chief")
            s = i
            while s - 1 >= 0 and _lower(tokens[s - 1]) in TITLE_WORDS and _lower(tokens[s - 1]) != "of":
                s -= 1
            role_text = " ".join(t.text for t in doc[s:i + 1])
            anchor = None
            start_tok = s
            end_tok = i + 1
            # "the head of Hamas"
            if i + 1 < len(tokens) and tokens[i + 1].lower_ == "of":
                n = i + 2
                if n < len(tokens) and tokens[n].lower_ == "the":
                    n += 1
                anchor = self._entity_key_at(cands, n)
                if anchor is not None:
                    end_tok = anchor.tok_end
                    while end_tok < len(tokens) and (tokens[end_tok].lower_ in ORG_DESCRIPTORS or tokens[end_tok].text in _POSSESSIVE):
                        end_tok += 1  # "the head of the PIJ terrorist organization"
            # "the Hamas leader" / "Hamas's leader" / "the Iranian foreign minister"
            if anchor is None and s - 1 >= 0:
                k = s - 1
                if tokens[k].text in ("'s", "\u2019s"):
                    k -= 1
                anchor = self._entity_key_at(cands, k)
                if anchor is not None:
                    start_tok = anchor.tok_start
            if anchor is None:
                continue
            # skip the introduction itself ("Hamas leader Ismail Haniyeh")
            nxt = end_tok
            while nxt < len(tokens) and (_is_title_token(tokens[nxt]) or tokens[nxt].text == ","):
                nxt += 1  # "Supreme Leader Ayatollah Ali Khamenei", "the head of X, <name>"
            if any(ps in (end_tok, i + 1, nxt) for ps, _ in person_spans):
                continue
            if start_tok - 1 >= 0 and tokens[start_tok - 1].lower_ == "the":
                start_tok -= 1
            key = self.role_index.get((anchor.key, self._role_norm(role_text)))
            if key is None:
                continue
            start = tokens[start_tok].idx
            end = tokens[end_tok - 1].idx + len(tokens[end_tok - 1].text)
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
                if e > se:  # a name the sentence splitter cut in two ("Governor Chris | Christie")
                    se = max(se, _sentence_of(self.doc, e - 1)[1])
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
            entry = self.registry.get(key)
            affiliation = self.registry.get(build.affiliation) if build.affiliation else None
            sector = actor_sector(build.type, build.name, build.role, entry, affiliation) or build.sector
            out.append(Actor(id=record_id("actor", self.article.id, key), name=build.name,
                             type=build.type, aliases=aliases, mentions=mentions,
                             role=build.role, country=build.country, sector=sector))
        out.sort(key=lambda a: a.mentions[0].start)
        return out


def _whole_word(form: str, text: str) -> Iterable[tuple[int, int]]:
    """The spans ``re.finditer(rf"(?<![\\w-]){re.escape(form)}(?![\\w-])", text)`` gives (non-empty
    ``form``), found with ``str.find``: compiling a pattern per name form costs more than the search.
    ``\\w`` is ``str.isalnum()`` or "_" (as re has it for str patterns)."""
    size, n = len(form), len(text)
    pos = 0
    while True:
        at = text.find(form, pos)
        if at < 0:
            return
        before = text[at - 1] if at else ""
        after = text[at + size] if at + size < n else ""
        if not (before and (before.isalnum() or before in "_-")) and not (after and (after.isalnum() or after in "_-")):
            yield at, at + size
            pos = at + size
        else:
            pos = at + 1


def resolve_actors(article: Article, doc: Any, registry: ActorRegistry | None = None) -> list[Actor]:
    """Actors of one article with every mention (offsets into ``article.text``)."""
    with docview.scope(doc) as view:  # the resolver reads the Doc's token view (docview.TokenView)
        return _Resolver(article, view, registry or default_registry()).run()


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
