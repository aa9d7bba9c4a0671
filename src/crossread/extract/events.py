"""PLOVER events from a parsed article: who did what to whom, with the sentence behind it.

Triggers are verbs (subject = source, object/oblique = target; passive agents; the
infinitival complement of "attempt/decide to"), light-verb nouns ("expressed disappointment
with X", "drew criticism from Y") and event nouns ("the meeting between A and B", "the US
decision to abstain", "the United States' abstention"). Participants are actors
(``actor_token_map``), pronoun subjects resolved to the previous/governing subject, and
documents standing for the body that issued them ("the UN Security Council resolution",
later "the resolution").

Typing: rule-backed for unambiguous triggers (``plover.TRIGGER_RULES``/``NOUN_RULES``, PLOVER
manual ch. 3), learned otherwise (``plover.PloverTypeModel`` on the marked sentence). Verbs
of saying, arguing and cognition are not events (they stay quotes/claims); a verb outside
the PLOVER lexicon needs classifier probability ≥ ``GATE_PROB``. Modes come from the rules
or from manual-table cue words (``plover.mode_for``); future cooperative events become AGREE
and future retreats CONCEDE (manual 3.1, 3.4.2).

Works on UD labels (``token._.udep`` when the crossread adapter set it, else
``token.dep_``; spaCy's CLEAR labels ``dobj``/``pobj``/``nsubjpass``/``neg`` too).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Sequence

from crossread.extract.actors import actor_token_map
from crossread.extract.geocode import ArticlePlaces
from crossread.extract.plover import (
    CANCEL_VERBS,
    LIGHT_VERBS,
    LEXICON,
    MEETING_NOUNS,
    NOMINAL_EVENTS,
    NOT_EVENT_LEMMAS,
    NOUN_RULES,
    TRIGGER_RULES,
    DECISION_NOUNS,
    PloverTypeModel,
    TriggerRule,
    cameo_for_mode,
    default_model,
    inflections,
    lexicon_index,
    mark_sentence,
    mode_for,
    rule_for,
)
from crossread.nlp import docview
from crossread.nlp.docview import DocView
from crossread.records import Actor, Article, Event, Evidence, record_id

SUBJ = {"nsubj"}
PASS_SUBJ = {"nsubj:pass", "nsubjpass", "csubj:pass"}
OBJ = {"obj", "dobj", "iobj", "dative", "attr"}
OBL = {"obl", "obl:agent", "obl:arg", "prep", "agent", "nmod"}
NON_EVENT_LEMMAS = {"be", "have", "say", "tell", "state", "add", "note", "describe", "report",
                    "write", "refer", "quote", "do", "become", "seem", "remain", "get"}
PLANNING_VERBS = {"schedule", "plan", "expect", "set", "due", "intend", "prepare", "aim", "hope",
                  "go", "want", "wish"}
SPEECH_VERBS = {"say", "tell", "claim", "report", "state", "announce", "add", "allege", "insist",
                "warn", "believe", "think", "according", "write", "note", "suggest"}
HYPOTHETICAL_AUX = {"could", "may", "might", "would", "should", "can"}
FUTURE_AUX = {"will", "shall", "'ll", "wo"}
TEMPORAL_CASES = {"on", "in", "at", "during", "since", "until", "after", "before", "by"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]


def _dep(tok: Any) -> str:
    # ``tok`` is a docview.TokenView: ``udep`` is ``token._.udep`` (None without the extension)
    value = tok.udep
    if value:
        return str(value)
    return tok.dep_


def _lemma(tok: Any) -> str:
    lemma = (tok.lemma_ or tok.text).lower()
    rule_lemma = _rule_forms().get(tok.lower_)
    if rule_lemma is None or lemma in _known_verbs():
        return lemma
    if tok.pos_ == "VERB":
        return rule_lemma  # a statistical lemmatizer slip on a trigger verb ("canceled" -> "cancele")
    if _dep(tok) in ("root", "ROOT", "ccomp", "conj", "advcl"):
        return rule_lemma  # a verb mis-tagged as noun ("vetoed"/NN)
    return lemma


@lru_cache(maxsize=1)
def _known_verbs() -> frozenset[str]:
    """Single-word verbs the event lexicons know (trigger rules, PLOVER cue lexicon, cancel verbs)."""
    words = set(TRIGGER_RULES) | set(CANCEL_VERBS) | {w for cues in LEXICON.values() for w in cues}
    return frozenset(w for w in words if " " not in w)


@lru_cache(maxsize=1)
def _rule_forms() -> dict[str, str]:
    """Inflected form → lexicon lemma (for verbs the tagger mis-tags or the lemmatizer mangles)."""
    out: dict[str, str] = {}
    for lemma in sorted(TRIGGER_RULES) + sorted(_known_verbs() - set(TRIGGER_RULES)):
        for form in inflections(lemma):
            if form != lemma:
                out.setdefault(form, lemma)
    return out


def _children(tok: Any, deps: set[str]) -> list[Any]:
    return [c for c in tok.children if _dep(c) in deps]


def _objects(verb: Any) -> list[Any]:
    """Object heads of a verb, with a noun the parser took for a complement ("welcomed the
    resolution calling for ...": "calling" an xcomp noun with "resolution" as its compound)."""
    return _children(verb, OBJ) + [c for c in verb.children if _dep(c) == "xcomp" and c.pos_ in ("NOUN", "PROPN")]


def _case(tok: Any) -> str | None:
    for c in tok.children:
        if _dep(c) == "case":
            return c.lower_
    if _dep(tok) == "pobj" and tok.head is not None:
        return tok.head.lower_
    return None


def _is_verb(tok: Any) -> bool:
    if tok.pos_ == "VERB" or (tok.pos_ == "" and _dep(tok) in ("ROOT", "root", "ccomp", "xcomp", "conj")):
        return True
    # a clause head with both a subject and an object works as a verb whatever its tag
    deps = {_dep(c) for c in tok.children}
    return tok.pos_ in ("NOUN", "PROPN", "ADJ") and bool(deps & SUBJ) and bool(deps & OBJ)


SUBORDINATORS = {"after", "before", "since", "until", "once", "because", "as", "when", "while", "though"}


def _finite_without_subject(verb: Any) -> bool:
    """A finite verb the parser left without its subject. Past forms are ambiguous, so a verb
    tagged VBN counts only in the garden path "after the United States refrained": no auxiliary,
    not a reduced relative, and the word before it taken as the object of a subordinator."""
    if verb.tag_ in ("VBD", "VBZ", "VBP"):
        return True
    if verb.tag_ != "VBN" or _dep(verb) in ("acl", "acl:relcl", "amod", "relcl") or any(
            _dep(c) in ("aux", "aux:pass", "auxpass") for c in verb.children):
        return False
    before = verb.doc[verb.i - 1]
    return _dep(before) in ("obl", "nmod", "pobj") and _case(before) in SUBORDINATORS


def _subjects(verb: Any) -> tuple[list[Any], bool]:
    """(subject tokens, passive?) of a verb, inheriting through conj and planning xcomp."""
    subj = _children(verb, SUBJ)
    if subj:
        return subj, False
    psubj = _children(verb, PASS_SUBJ)
    if psubj:
        return psubj, True
    head = verb.head
    # (this read "head is not verb and ..." on spaCy tokens, where ``verb.head`` is always a new
    # object: the identity test never held, so it is left out to keep the same behaviour)
    if _dep(verb) == "conj" and _is_verb(head):
        return _subjects(head)
    if _planned_complement(verb) or (_dep(verb) == "xcomp" and _lemma(head) in ATTEMPT_VERBS):
        subj, _ = _subjects(head)
        return subj, False
    return [], False


# "is about to restore", "is poised to sign", "is set to meet": an adjective or participle whose
# infinitival complement is a planned event (the complement takes the adjective's subject)
PLANNED_ADJECTIVES = {"about", "poised", "set", "ready", "willing", "due", "going", "prepared", "scheduled",
                      "expected"}


def _planned_complement(verb: Any) -> bool:
    """Is ``verb`` the infinitival complement of a planning verb or adjective ("plans to expel" -- which
    the parser may attach as acl --, "is about to restore", "is going to meet")?"""
    if _dep(verb) not in ("xcomp", "acl") or verb.head.i == verb.i:
        return False
    if _dep(verb) == "acl" and not any(_dep(c) == "mark" and c.lower_ == "to" for c in verb.children):
        return False
    head = verb.head
    if _dep(verb) == "acl" and head.pos_ not in ("VERB", "ADJ", "AUX"):
        return False  # "a plan to expel" is a noun's complement, not a planned event of its subject
    return _lemma(head) in PLANNING_VERBS or head.lower_ in PLANNED_ADJECTIVES


def _expand(tok: Any) -> list[Any]:
    out = [tok]
    for c in tok.children:
        if _dep(c) == "conj":
            out.extend(_expand(c))
    return out


def _role_words() -> frozenset[str]:
    from crossread.extract.actors import ROLE_NOUNS, TITLE_WORDS

    return frozenset(w.lower() for w in (*ROLE_NOUNS, *TITLE_WORDS) if " " not in w)


_ROLE_WORDS = _role_words()


def _actors_for(tok: Any, token_map: dict[int, str], ctx: dict[str, Any] | None = None,
                resolve_docs: bool = True) -> list[str]:
    """Actors a noun phrase headed by ``tok`` denotes (itself and its conjuncts; else the
    nearest actor inside it through nmod/compound/amod/poss; else, with ``ctx``, a pronoun's
    antecedent or the body that issued a document noun such as "the resolution")."""
    ctx = ctx or {}
    ids: list[str] = []
    for t in _expand(tok):
        if t.i in token_map:
            ids.append(token_map[t.i])
            continue
        if t.i in ctx.get("pronouns", {}):
            ids.extend(ctx["pronouns"][t.i])
            continue
        if resolve_docs and t.i in ctx.get("bodies", {}):
            ids.append(ctx["bodies"][t.i])  # a document noun stands for the body that issued it
            continue
        frontier = [t]
        found = None
        also: list[str] = []
        # a role noun ("Former US Ambassador to Israel David Friedman") denotes the person
        # named in its phrase, not the states that modify it
        wants_person = t.lower_ in _ROLE_WORDS
        types = ctx.get("types", {})
        for _ in range(3):
            nxt, level = [], []
            for f in frontier:
                # an apposition or flat name is the head itself; try it before modifiers
                children = sorted(f.children, key=lambda c: _dep(c) not in ("appos", "flat"))
                for c in children:
                    if _dep(c) in ("compound", "amod", "nmod", "nmod:poss", "poss", "flat", "appos", "pobj", "prep", "case"):
                        if c.i in token_map:
                            level.append(token_map[c.i])
                        else:
                            nxt.append(c)
            if level:
                people = [a for a in level if types.get(a) == "PERSON"] if wants_person else []
                found = (people or level)[0]
                # the found actor's conjuncts are participants too ("ties with Egypt, Jordan and Turkey")
                first = next((c for f in frontier for c in f.children if token_map.get(c.i) == found), None)
                if first is not None:
                    also = [token_map[x.i] for x in _expand(first)[1:] if x.i in token_map]
            if found or not nxt:
                break
            frontier = nxt
        if not found:
            # "measures taken by Hamas", "the plan drafted by Egypt": the agent owns the thing
            for c in t.children:
                if _dep(c) == "acl" and c.tag_ == "VBN":
                    agents = _targets(c, True)[1]
                    if agents and agents[0].i in token_map:
                        found = token_map[agents[0].i]
                        break
        if found:
            ids.append(found)
            ids.extend(also)
        elif resolve_docs and t.i in ctx.get("bodies", {}):
            ids.append(ctx["bodies"][t.i])
    seen: list[str] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return seen


def _targets(verb: Any, passive: bool) -> tuple[list[Any], list[Any]]:
    """(target heads, agent heads for passives)."""
    targets: list[Any] = []
    agents: list[Any] = []
    for c in verb.children:
        dep = _dep(c)
        if dep in OBJ:
            targets.append(c)
        elif dep in ("obl:agent", "agent"):
            agents.extend([g for g in c.children if _dep(g) == "pobj"] or [c])
        elif dep in OBL:
            head = c
            if dep == "prep":
                objs = [g for g in c.children if _dep(g) == "pobj"]
                if not objs:
                    continue
                head = objs[0]
                case = c.lower_
            else:
                case = _case(c)
            if passive and case == "by":
                agents.append(head)
            elif case in ("as", "like", "unlike", "despite"):
                continue  # "hailed X as a victory for Y": a role or comparison, not a participant
            elif case not in TEMPORAL_CASES:
                targets.append(head)
            elif case in ("in", "at") and head.ent_type_ not in ("GPE", "LOC", "DATE", "TIME", "FAC"):
                targets.append(head)
    return targets, agents


def _span_of(tok: Any) -> tuple[int, int]:
    left, right = tok.left_edge, tok.right_edge
    return left.idx, right.idx + len(right.text)


def _negated(verb: Any) -> bool:
    for c in verb.children:
        if _dep(c) == "neg" or (_dep(c) == "advmod" and c.lower_ in ("not", "n't", "never")):
            return True
        # "Neither Britain nor France boycotted ...": the negation sits on the coordinated subject
        if _dep(c) in SUBJ | PASS_SUBJ and any(g.lower_ == "neither" for g in c.children):
            return True
    return False


def _in_quotes(sent_text: str, offset: int) -> bool:
    before = sent_text[:offset]
    return (before.count('"') + before.count("\u201c") - before.count("\u201d")) % 2 == 1


def _modality(verb: Any, sent: Any) -> str:
    chain = [verb]
    head = verb
    while head.head.i != head.i and len(chain) < 6:
        head = head.head
        chain.append(head)
    for tok in chain[:2]:
        for c in tok.children:
            if _dep(c) in ("aux", "aux:pass") and c.lower_ in HYPOTHETICAL_AUX:
                return "hypothetical"
            if _dep(c) == "mark" and c.lower_ in ("if", "unless", "whether"):
                return "hypothetical"
    for c in verb.children:
        if _dep(c) in ("aux", "aux:pass") and c.lower_ in FUTURE_AUX:
            return "planned"
    if _planned_complement(verb):
        return "planned"
    for c in verb.children:
        if _dep(c) in ("aux",) and c.lower_ == "to" and _dep(verb) == "xcomp" and _lemma(verb.head) in ("be",):
            return "planned"
    for tok in chain[1:]:
        if _lemma(tok) in SPEECH_VERBS and _dep(chain[chain.index(tok) - 1]) in ("ccomp", "parataxis", "xcomp"):
            return "reported"
    low = sent.text.lower()
    if "reportedly" in low or "according to" in low or "allegedly" in low:
        return "reported"
    if _in_quotes(sent.text, verb.idx - sent.start_char):
        return "reported"
    return "asserted"


def _published(article: Article) -> dt.date | None:
    if not article.published:
        return None
    try:
        from dateutil import parser as dparser

        return dparser.parse(article.published).date()
    except (ValueError, OverflowError, ImportError, TypeError):
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", article.published)
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


_MONTH_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                        "sept": 9, "oct": 10, "nov": 11, "dec": 12}
# "March", "Mar." (AP style abbreviates months before a day); a bare "may"/"march" only with a day
# or year, or after "in" (the verb and the modal are words too)
_MONTH_NAME = r"(?:" + "|".join(MONTHS) + r"|(?:" + "|".join(_MONTH_ABBREVIATIONS) + r")\.)"


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10}


def _month_number(word: str) -> int:
    word = word.lower().rstrip(".")
    return MONTHS.index(word) + 1 if word in MONTHS else _MONTH_ABBREVIATIONS[word]


def _shift_months(day: dt.date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def resolve_date(text: str, published: dt.date | None, future: bool = False) -> str | None:
    """ISO 8601 date for a date expression found in ``text``, relative to ``published``, at the precision
    the text gives: a day ("on Tuesday", "yesterday", "March 25", "Sept. 5, 2016", "25 March 2024",
    "2024-03-25"), a month ("in May", "last month", "earlier this month", "in March 2015": ``YYYY-MM``)
    or a year ("in 2012", "last year": ``YYYY``). Reduced precision is ISO 8601's own, so the dates sort
    as text. A month or weekday without a year is the latest one not after ``published`` (the next one
    for ``future`` events), as news reports past events with "on Tuesday" and "in May"."""
    low = text.lower()
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.search(rf"\b({_MONTH_NAME})\s+(\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:\s*,?\s+(\d{{4}}))?", low)
    day = month = year = None
    if m:
        month, day, year = _month_number(m.group(1)), int(m.group(2)), m.group(3)
    else:
        m = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAME})(?!\w)(?:\s*,?\s+(\d{{4}}))?", low)
        if m:
            day, month, year = int(m.group(1)), _month_number(m.group(2)), m.group(3)
    if month and day:
        y = int(year) if year else (published.year if published else None)
        if y is None:
            return None
        try:
            return dt.date(y, month, day).isoformat()
        except ValueError:
            return None
    if published is not None:
        if re.search(r"\byesterday\b", low):
            return (published - dt.timedelta(days=1)).isoformat()
        if re.search(r"\b(today|this morning|this afternoon|tonight|this evening)\b", low):
            return published.isoformat()
        if re.search(r"\btomorrow\b", low):
            return (published + dt.timedelta(days=1)).isoformat()
        m = re.search(r"\b(?:on|last|next|this)?\s*(" + "|".join(WEEKDAYS) + r")\b", low)
        if m:
            wd = WEEKDAYS.index(m.group(1))
            if future or re.search(r"\bnext\s+" + m.group(1), low):
                delta = (wd - published.weekday()) % 7 or 7
                return (published + dt.timedelta(days=delta)).isoformat()
            delta = (published.weekday() - wd) % 7
            return (published - dt.timedelta(days=delta)).isoformat()
    # a month, with or without its year: "in May", "in May 2015", "May 2015", "last March"
    m = re.search(rf"\b(in|last|next|this|since|until|by|early|late|mid-?)?\s*({_MONTH_NAME})(?!\w)(?:,?\s+(\d{{4}}))?",
                  low)
    if m and (m.group(1) or m.group(3) or m.group(2) not in ("may", "march")):
        month = _month_number(m.group(2))
        if m.group(3):
            return f"{int(m.group(3)):04d}-{month:02d}"
        if published is not None:
            ahead = future or m.group(1) == "next"
            if ahead:
                return f"{published.year + (month < published.month):04d}-{month:02d}"
            return f"{published.year - (month > published.month):04d}-{month:02d}"
        return None
    if published is not None:
        m = re.search(r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(day|week|month|year)s?\s+ago\b",
                      low)
        if m:
            n = _NUMBER_WORDS.get(m.group(1)) or int(m.group(1))
            if m.group(2) == "day":
                return (published - dt.timedelta(days=n)).isoformat()
            if m.group(2) == "week":  # "three weeks ago": the month it falls in
                return (published - dt.timedelta(weeks=n)).isoformat()[:7]
            if m.group(2) == "month":
                return _shift_months(published, -n)
            return f"{published.year - n:04d}"
        m = re.search(r"\b(last|this|next|earlier this|later this|past)\s+(week|month|year)\b", low)
        if m:
            offset = {"last": -1, "past": -1, "next": 1}.get(m.group(1), 0)
            if m.group(2) == "week":
                monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=offset)
                if monday.month == (monday + dt.timedelta(days=6)).month:
                    return f"{monday.year:04d}-{monday.month:02d}"  # a week is known to its month
                return None
            if m.group(2) == "month":
                return _shift_months(published, offset)
            return f"{published.year + offset:04d}"
    m = re.search(r"\b(?:in|since|during|until|by|of)\s+((?:19|20)\d\d)\b(?!\s*(?:-|–))", low)
    if m:
        return m.group(1)
    return None


# How an event's date was found: in the event's own clause, elsewhere in its sentence (a day only), or
# the article's publication date (what GDELT and POLECAT give every event).
DATE_SOURCES = ("clause", "sentence", "published")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _clause_tokens(verb: Any) -> list[Any]:
    """The verb's own clause: its subtree minus embedded clauses."""
    out = [verb]
    stack = list(verb.children)
    while stack:
        t = stack.pop()
        if _dep(t) in ("ccomp", "advcl", "acl:relcl", "relcl", "parataxis", "conj") and _is_verb(t):
            continue
        out.append(t)
        stack.extend(t.children)
    return sorted(out, key=lambda t: t.i)


def _date_for(verb: Any, published: dt.date | None, future: bool) -> tuple[str | None, str | None]:
    """(date, how it was found: one of :data:`DATE_SOURCES`) of the event whose clause verb is ``verb``.
    Within the sentence but outside the clause only a day counts: "on Tuesday" dates what the sentence
    reports, while a month or year elsewhere ("a 2008 event") often dates something else."""
    toks = _clause_tokens(verb)
    date_toks = [t for t in toks if t.ent_type_ in ("DATE", "TIME")]
    if date_toks:
        found = resolve_date(" ".join(t.text for t in date_toks), published, future)
        if found:
            return found, "clause"
    found = resolve_date(" ".join(t.text for t in toks), published, future)
    if found:
        return found, "clause"
    # (the shipped NER tags no DATE entities: date expressions are found by their words). Not read as
    # future: a day elsewhere in the sentence dates its reporting clause ("announced on Tuesday he will")
    found = resolve_date(verb.sent.text, published)
    if found and _DAY.match(found):
        return found, "sentence"
    if published is not None:
        return published.isoformat(), "published"
    return None, None


def _location_for(verb: Any) -> str | None:
    for t in _clause_tokens(verb):
        if t.lower_ in ("in", "at") and t.head is not None:
            objs = [g for g in t.children if _dep(g) == "pobj"] or ([t.head] if _dep(t) == "case" else [])
            for o in objs:
                if o.ent_type_ in ("GPE", "LOC", "FAC"):
                    ent = next((e for e in o.doc.ents if e.start <= o.i < e.end), None)
                    return ent.text if ent is not None else o.text
    return None


LOCATIVE = {"in", "at", "near", "around", "outside", "inside", "across", "throughout"}


def _locative_places(doc: DocView) -> set[int]:
    """First tokens of the place entities written as where something is ("in Gaza", "at Camp David"), not
    as an affiliation ("Democrat of New York", "the Maryland governor", "Russia's attempts")."""
    out = set()
    for ent in doc.ents:
        root = doc[ent.end - 1]
        while root.head is not None and ent.start <= root.head.i < ent.end and root.head.i != root.i:
            root = root.head
        if _case(root) in LOCATIVE:
            out.add(ent.start)
    return out


def _set_place(event: Event, places: ArticlePlaces, sent: Any, trig: Any, participants: set[int]) -> None:
    """The event's gazetteer place (:meth:`ArticlePlaces.event_place`: its clause's place phrase, else
    a place of its sentence that is none of its participants, else the dateline or the article's place)."""
    found = places.event_place(event.location, sent.start, sent.end, trig.i, participants)
    if found is None:
        return
    place, _, event.place_source = found
    event.geonames_id, event.place_name, event.place_country = place.geonames_id, place.name, place.country
    event.place_admin1, event.latitude, event.longitude = place.admin1, place.latitude, place.longitude


# Verbs whose infinitival complement is the event ("attempted to distance", "decided to
# cut"); the complement inherits their subject.
ATTEMPT_VERBS = {"attempt", "try", "manage", "decide", "continue", "begin", "start", "move",
                 "vote"}
DOCUMENT_NOUNS = {"resolution", "decision", "vote", "statement", "report", "plan", "proposal",
                  "bill", "law", "agreement", "deal", "measure", "ruling", "order", "motion",
                  "draft", "declaration", "text", "call"}
# "X drew/faced criticism from Y": the noun's "from" phrase is the source, the subject the target.
RECEIVER_VERBS = {"draw", "receive", "face", "attract", "earn", "garner", "meet", "win"}
# "Hamas received money from Iran": the giver (the "from" phrase) is the source, the receiver the target;
# receiving money, aid or arms is AID (CAMEO 071 economic, 072 military, 070 other aid)
GIVEN_VERBS = {"receive", "obtain", "accept"}
AID_OBJECTS = {**{n: "071" for n in ("money", "fund", "funds", "funding", "loan", "loans", "grant", "grants",
                                     "cash", "payment", "payments", "donation", "donations", "investment")},
               **{n: "072" for n in ("weapon", "weapons", "arms", "ammunition", "missile", "missiles",
                                     "equipment", "training")},
               **{n: "070" for n in ("aid", "assistance", "help", "supplies", "food", "medicine", "support",
                                     "shelter", "asylum")}}
# Polarity verbs with relations as their object: restoring or renewing ties is SUPPORT (CAMEO 054 covers
# establishing and restoring relations; the crosswalk maps it to SUPPORT), abandoning, cutting or
# suspending them SANCTION (CAMEO 161, "reduce or break diplomatic relations")
RELATION_NOUNS = {"tie", "ties", "relation", "relations", "relationship", "contact", "contacts"}
RESTORE_VERBS = {"restore", "renew", "resume", "establish", "re-establish", "reestablish", "normalize",
                 "normalise", "upgrade", "mend"}
BREAK_VERBS = {"abandon", "cut", "sever", "suspend", "break", "freeze", "downgrade", "end", "terminate",
               "halt", "rupture"}
MOTION_VERBS = {"travel", "fly", "arrive", "return", "come", "go", "leave", "depart", "head"}
# Reciprocal events: with a coordinated subject and no object ("Trump and Putin agreed to
# share ..."), the first conjunct is the source and the others the target (PLV's convention).
RECIPROCAL = {"agree", "meet", "talk", "negotiate", "sign", "cooperate", "clash", "fight",
              "exchange", "confer", "reconcile", "discuss", "consult", "ally", "partner"}
# Manual 3.1 and 3.4.2: cooperative actions reported as future are AGREE; future retreats CONCEDE.
FUTURE_AS = {"CONSULT": "AGREE", "SUPPORT": "AGREE", "COOPERATE": "AGREE", "AID": "AGREE",
             "RETREAT": "CONCEDE"}
CARRIER_VERBS = {"announce", "declare", "order", "launch", "open", "begin", "start", "extend",
                 "impose", "conduct", "stage", "hold", "sign"}
GUILTY = {"guilty", "liable", "responsible", "culpable"}
ISSUE_VERBS = {"pass", "adopt", "issue", "approve", "draft", "publish", "sign", "unveil", "table",
               "introduce", "propose", "release", "make", "take", "announce", "enact"}
PRONOUNS = {"he", "she", "they", "it", "we", "him", "her", "them"}


def _document_bodies(doc: Any, token_map: dict[int, str]) -> dict[int, str]:
    """Document/decision nouns → the actor that issued them: the actor inside the noun
    phrase ("UN Security Council resolution"), else the most recent body of the same noun
    ("the resolution" later on), else the most recent body of any document noun."""
    last: dict[str, str] = {}
    out: dict[int, str] = {}
    for tok in doc:
        if _lemma(tok) not in DOCUMENT_NOUNS or tok.pos_ not in ("NOUN", "PROPN", ""):
            continue
        # the issuer sits in a compound/adjective/possessive ("UN Security Council resolution",
        # "Iran's statement"), or is the subject of "passed/adopted/issued ... a resolution";
        # a "resolution on Gaza" is about Gaza, not by it
        inner = [token_map[c.i] for c in tok.subtree
                 if c.i in token_map and c.i < tok.i and _dep(c) in ("compound", "amod", "nmod:poss", "poss", "flat")]
        if not inner and _dep(tok) in OBJ | PASS_SUBJ and _lemma(tok.head) in ISSUE_VERBS:
            subj, passive = _subjects(tok.head)
            agents = _targets(tok.head, True)[1] if passive else subj
            inner = [a for g in agents for a in _actors_for(g, token_map, {}, resolve_docs=False)]
        for c in tok.children:  # "measures taken by Hamas": the agent issued them
            if not inner and _dep(c) in ("acl", "acl:relcl") and _is_verb(c):
                inner = [a for g in _targets(c, True)[1] for a in _actors_for(g, token_map, {})]
        if inner:
            last[_lemma(tok)] = last["*"] = out[tok.i] = inner[0]
            continue
        # a bare definite singular ("the resolution", "the decision") refers back
        bare = (any(c.lower_ in ("the", "this", "that") for c in tok.children)
                and tok.tag_ not in ("NNS", "NNPS")
                and not any(_dep(c) in ("compound", "amod", "acl", "nmod") for c in tok.children))
        if not bare:
            continue
        if _lemma(tok) in last:
            out[tok.i] = last[_lemma(tok)]
        elif "*" in last and _lemma(tok) != "call":
            out[tok.i] = last["*"]
    return out


def _pronoun_antecedents(doc: Any, token_map: dict[int, str]) -> dict[int, list[str]]:
    """Subject pronouns → actors: in a "where/when" clause, the subject of the clause it
    hangs on; otherwise the subject actors of the previous sentence's main verb (a
    centering-style heuristic: subjects are the likeliest antecedents)."""
    out: dict[int, list[str]] = {}
    prev: list[str] = []
    for sent in doc.sents:
        root = sent.root
        for tok in sent:
            if tok.lower_ not in PRONOUNS or _dep(tok) not in SUBJ | PASS_SUBJ or tok.i in token_map:
                continue
            clause = tok.head
            governing = None
            if any(c.lower_ in ("where", "when") for c in clause.children):
                governing = clause.head
                while governing is not None and not _is_verb(governing) and governing.head.i != governing.i:
                    governing = governing.head
            if governing is not None and governing.i != clause.i and _is_verb(governing):
                subj, _ = _subjects(governing)
                found = [a for t in subj for a in _actors_for(t, token_map, {})]
                # "X held a press conference alongside Y, where they ...": Y too
                if tok.lower_ in ("they", "we"):
                    # the companion hangs on the verb or, as the parser often has it, on the
                    # noun the "where" clause modifies ("a conference alongside Y", or Y itself)
                    hosts, node = [], clause.head
                    while node.i != governing.i and node.head.i != node.i and len(hosts) < 6:
                        hosts.append(node)
                        node = node.head
                    hosts.append(governing)
                    companions = [h for h in hosts if _case(h) in ("alongside", "with")]
                    companions += [c for h in hosts for c in h.children
                                   if _dep(c) in OBL and _case(c) in ("alongside", "with")]
                    for c in dict.fromkeys(companions):
                        found += _actors_for(c, token_map, {})
                if found:
                    out[tok.i] = list(dict.fromkeys(found))
                    continue
            head = tok.head
            if _dep(head) in ("ccomp", "parataxis") and _lemma(head.head) in SPEECH_VERBS | {"announce", "declare"}:
                # "X said they will ...": the speaker
                subj, _ = _subjects(head.head)
                found = [a for t in subj for a in _actors_for(t, token_map, {})]
                if found:
                    out[tok.i] = found
                    continue
            if prev:
                out[tok.i] = prev
        subj, _ = _subjects(root) if _is_verb(root) else ([], False)
        found = [a for t in subj for a in _actors_for(t, token_map, {})]
        if not found:
            found = [out[t.i][0] for t in subj if t.i in out][:1]
        prev = list(dict.fromkeys(found)) or prev
    return out


def _rule_for_verb(verb: Any) -> tuple[TriggerRule | None, Any, bool]:
    """(rule, trigger token, skip?) for a verb: light verb + event noun, cancelling a
    meeting, a rule-backed lemma, or a non-event verb (saying, arguing, cognition)."""
    lemma = _lemma(verb)
    objs = _children(verb, OBJ)
    if lemma in LIGHT_VERBS or lemma in RECEIVER_VERBS:
        for o in objs:
            if _lemma(o) in NOUN_RULES:
                return NOUN_RULES[_lemma(o)], o, False
    if lemma == "find" and objs and any(c.lower_ in GUILTY for o in [verb, *objs] for c in o.children):
        return ("ACCUSE", "disapprove", "116"), verb, False  # crosswalk 116: find guilty or liable
    if lemma == "welcome":
        # welcoming a decision/document is praise (CAMEO 051); welcoming a visitor is hosting
        if any(_lemma(t) in DOCUMENT_NOUNS for o in _objects(verb) for t in (o, *_children(o, {"compound"}))):
            return ("SUPPORT", None, "051"), verb, False
        return ("CONSULT", "visit", "043"), verb, False
    relation_objs = objs + ([verb.head] if _dep(verb) == "amod" else [])
    if any(_lemma(o) in RELATION_NOUNS or o.lower_ in RELATION_NOUNS for o in relation_objs):
        if lemma in RESTORE_VERBS:
            return ("SUPPORT", None, "054"), verb, False
        if lemma in BREAK_VERBS:
            return ("SANCTION", "discontinue", "161"), verb, False
    if lemma in GIVEN_VERBS and any(_case(c) == "from" for c in verb.children if _dep(c) in OBL):
        code = next((AID_OBJECTS[o.lower_] for o in objs if o.lower_ in AID_OBJECTS), None)
        if code is not None:
            return ("AID", None, code), verb, False
    if lemma == "call" and not any(c.lower_ == "off" for c in verb.children) and any(
            _case(c) in ("for", "on") and c.ent_type_ not in ("DATE", "TIME") and c.lower_ not in WEEKDAYS
            for c in verb.children if _dep(c) in ("obl", "nmod")):
        return ("REQUEST", None, "100"), verb, False  # "called for a boycott", "called on Iran to ..."
    if lemma in CANCEL_VERBS or (lemma == "call" and any(c.lower_ == "off" for c in verb.children)):
        if any(_lemma(o) in MEETING_NOUNS for o in objs):
            return ("REJECT", "meet", "125"), verb, False
    if lemma in NON_EVENT_LEMMAS or (EVENT_FILTER and lemma in NOT_EVENT_LEMMAS):
        return None, verb, True
    return rule_for(lemma), verb, False


LEXICON_GATE = True  # verbs outside the lexicon need a confident classifier (docs/EVALUATION.md)
GATE_PROB = 0.5
# Confidence of an event's type (docs/CONFIDENCE.md): a trigger of the PLOVER lexicon or a rule-typed
# event noun is unambiguous by construction (a prior, not a measurement); a learned type has the
# classifier's probability. ``crossread eval events`` reports how precise each confidence band is.
RULE_CONFIDENCE = 0.9
LOCATION_TARGETS = True
# a mutual event ("A and B agreed", "met", no other participant) is coded in both directions (ablation switch;
# PLV marks one direction per sentence, so the second costs precision there, docs/EVALUATION.md)
MUTUAL_BOTH_DIRECTIONS = True
EVENT_FILTER = True  # drop saying/cognition verbs and unsure non-lexicon verbs (ablation switch)  # min. classifier probability for a verb outside the PLOVER lexicon


def _eventive(verb: Any) -> bool:
    """Whether a verb without a rule may be typed by the classifier: its lemma (or its
    complement's) is in the PLOVER verb lexicon. Unknown verbs are not events."""
    if not LEXICON_GATE:
        return True
    index = lexicon_index()
    if _lemma(verb) in index or verb.lower_ in index:
        return True
    return any(_dep(c) == "xcomp" and (_lemma(c) in index or _lemma(c) in TRIGGER_RULES)
               for c in verb.children)


def _nominal_arguments(noun: Any, token_map: dict[int, str], ctx: dict[str, Any]) -> tuple[list[str], list[str], Any]:
    """(sources, targets, verb complement) of an event noun: possessor/compound/adjective
    actors are the source ("the US decision", "Iran's criticism"); "between A and B" gives
    source A and target B; "of/against/with/on/from" phrases and the complement's own
    objects give targets."""
    sources: list[str] = []
    targets: list[str] = []
    comp = next((c for c in noun.children if _dep(c) in ("acl", "xcomp") and _is_verb(c)), None)
    for c in noun.children:
        dep = _dep(c)
        if dep in ("nmod:poss", "poss", "compound", "amod") and c.i in token_map:
            sources.append(token_map[c.i])
        elif dep in ("nmod:poss", "poss", "compound", "amod"):
            sources += _actors_for(c, token_map, ctx)
    for c in noun.children:
        dep = _dep(c)
        head = c
        if dep == "prep":
            objs = [g for g in c.children if _dep(g) == "pobj"]
            if not objs:
                continue
            head, case = objs[0], c.lower_
        elif dep in ("nmod", "obl"):
            case = _case(c)
        else:
            continue
        found = _actors_for(head, token_map, ctx)
        if case == "between" and found and not sources:
            sources, found = found[:1], found[1:]
        elif case == "by" and found:
            sources += found
            continue
        if case in ("of", "against", "with", "on", "from", "to", "between", "toward", "towards", "for"):
            targets += found
    if comp is not None:
        t, _ = _targets(comp, False)
        for x in comp.children:
            if not t and _dep(x) in ("xcomp", "advcl"):
                t, _ = _targets(x, False)
        targets += [a for tok in t for a in _actors_for(tok, token_map, ctx)]
    sources = list(dict.fromkeys(sources))
    targets = [a for a in dict.fromkeys(targets) if a not in sources]
    return sources, targets, comp


def _sentence_body(sent: Any, ctx: dict[str, Any]) -> list[str]:
    bodies = ctx.get("bodies", {})
    return [bodies[t.i] for t in sent if t.i in bodies][:1]


def extract_events(article: Article, doc: Any, actors: Sequence[Actor],
                   model: PloverTypeModel | None = None) -> list[Event]:
    """Events of one article. ``actors`` are that article's actors (``resolve_actors``).

    Typing is rule-backed for unambiguous triggers (:data:`TRIGGER_RULES`, light-verb nouns,
    cancelled meetings; PLOVER manual ch. 3) and learned otherwise (the classifier; a verb
    outside the PLOVER lexicon needs probability ≥ ``GATE_PROB`` unless it carries an event
    object, "announced a suspension"); verbs of saying/arguing/cognition are not events."""
    if not doc.has_annotation("DEP"):
        # no parse (e.g. a swapped-in pipeline with only a sentencizer): no arguments to find, and spaCy
        # leaves some tokens' child pointers unset in such Docs (reading .children can crash the process)
        return []
    with docview.scope(doc) as view:
        return _extract_events(article, view, actors, model)


def _extract_events(article: Article, doc: DocView, actors: Sequence[Actor],
                    model: PloverTypeModel | None) -> list[Event]:
    """:func:`extract_events` over the Doc's token view (every token below is a ``TokenView``)."""
    model = model or default_model()
    base = 0 if article.text.startswith(doc.text) else max(article.text.find(doc.text), 0)
    token_map = actor_token_map(doc, actors, base)
    ctx: dict[str, Any] = {"types": {a.id: a.type for a in actors}}
    ctx["bodies"] = _document_bodies(doc, token_map)
    ctx["pronouns"] = _pronoun_antecedents(doc, token_map)
    published = _published(article)
    # (trigger token, clause verb, sources, targets, marked sentence or None, rule, shown trigger)
    pending: list[tuple[Any, Any, list[str], list[str], str | None, TriggerRule | None, str | None]] = []
    used_nouns: set[int] = set()
    gated_idx: set[int] = set()  # verbs outside the lexicon: kept only if the classifier is sure
    for verb in doc:
        if not _is_verb(verb):
            continue
        lemma = _lemma(verb)
        if (lemma in PLANNING_VERBS or lemma in ATTEMPT_VERBS) and any(
                _dep(c) == "xcomp" or _planned_complement(c) for c in verb.children):
            continue  # "was scheduled to meet", "attempted to distance": the event is the complement
        if lemma == "blame" and ((_lemma(verb.head) == "be" and _dep(verb) == "xcomp") or any(
                _dep(c) in ("cop", "aux") and _lemma(c) == "be" for c in verb.children)):
            continue  # "X is to blame": X is the accused and the accuser is unstated
        rule, trig, skip = _rule_for_verb(verb)
        if skip:
            continue
        # "announced a suspension of aid", "declared a ceasefire": the object is the event,
        # the classifier types it from the sentence
        carrier = lemma in CARRIER_VERBS and bool(_children(verb, OBJ))
        gated = rule is None and not carrier and not _eventive(verb)
        subj, passive = _subjects(verb)
        if not subj and verb.i > 0 and verb.i - 1 in token_map and _finite_without_subject(verb):
            # a finite verb always has a subject: when the parser attached the actor right
            # before it elsewhere ("after the United States refrained"), take that actor
            subj = [doc[verb.i - 1]]
        targets, agents = _targets(verb, passive)
        noun_head = verb.head
        if not targets and _dep(verb) == "amod" and verb.tag_ == "VBD" \
                and noun_head.i == verb.i + 1 and any(_dep(c) in SUBJ for c in noun_head.children):
            # "Israel renewed ties with Turkey" parsed with "renewed" as an adjective of "ties", the
            # noun heading the clause: the noun is the object, its subject the verb's
            subj, targets = _children(noun_head, SUBJ), [noun_head]
        givers = [t for t in targets if _case(t) == "from"] if lemma in GIVEN_VERBS and not passive else []
        if lemma in MOTION_VERBS:  # "traveled from Qatar to Iran": the origin is no target
            targets = [t for t in targets if _case(t) != "from"]
        if trig is not verb and lemma in RECEIVER_VERBS and lemma not in LIGHT_VERBS:
            used_nouns.add(trig.i)
            givers = [g for c in trig.children if _dep(c) in ("nmod", "prep")
                      and (_case(c) == "from" or c.lower_ == "from")
                      for g in ([c] if _dep(c) == "nmod" else [x for x in c.children if _dep(x) == "pobj"])]
            sources = list(dict.fromkeys(a for t in givers for a in _actors_for(t, token_map, ctx)))
            tgts = [a for t in subj for a in _actors_for(t, token_map, ctx) if a not in sources]
            if sources and tgts:
                pending.append((trig, verb, sources, list(dict.fromkeys(tgts)), None, rule,
                                f"{verb.text} {trig.text}"))
            continue
        if trig.i != verb.i:  # light verb: the event noun's own phrases are targets too
            used_nouns.add(trig.i)
            # (this filtered "t is not trig" on spaCy tokens: ``trig`` and the targets come from
            # separate ``.children`` reads, so they are never the same object and nothing was
            # dropped; kept as it was)
            targets = list(targets) + [
                g for c in trig.children if _dep(c) in ("nmod", "prep")
                for g in ([c] if _dep(c) == "nmod" else [x for x in c.children if _dep(x) == "pobj"])]
        if not targets:
            targets = _objects(verb)  # no object or participant phrase: a complement noun stands for the object
        if not targets:
            for x in verb.children:
                if _dep(x) in ("xcomp", "advcl") and (_dep(x) == "xcomp" or lemma in ("abstain", "refrain")
                                                      or any(m.lower_ == "to" for m in x.children)):
                    targets, _ = _targets(x, False)
                    break
        if not targets and (rule is not None or _eventive(verb)):
            # "demanded that North Korea forsake ...", "warned that Iran would ...": the
            # complement clause's subject is the recipient
            for x in verb.children:
                if _dep(x) == "ccomp":
                    targets = _subjects(x)[0]
                    break
        if passive:
            sources_tok, target_tok = agents, subj + targets
        elif givers:
            sources_tok, target_tok = givers, subj  # "received money from Iran": Iran gave
        else:
            sources_tok, target_tok = subj, targets
        sources = list(dict.fromkeys(a for t in sources_tok for a in _actors_for(t, token_map, ctx)))
        tgts = [a for t in target_tok for a in _actors_for(t, token_map, ctx) if a not in sources]
        if not tgts and sources:
            # "X will sign an agreement with Y": the document is X's own, its partner is the target
            tgts = [a for t in target_tok for a in _actors_for(t, token_map, ctx, resolve_docs=False)
                    if a not in sources]
        reciprocal = lemma in RECIPROCAL or _lemma(trig) in RECIPROCAL or any(
            _lemma(c) in RECIPROCAL for c in verb.children if _dep(c) == "xcomp")
        mutual: list[str] = []
        if len(sources) > 1 and not passive and (not tgts or (reciprocal and not _children(verb, OBJ))):
            # "A and B upgraded ties", "Trump and Putin agreed to share ...": first conjunct
            # acts, the others are the recipients; with no other participant the event is mutual and is
            # coded in both directions (each member the source once, the others its targets)
            if not tgts:
                mutual = list(sources)
            sources, tgts = sources[:1], sources[1:] + [a for a in tgts if a not in sources]
            target_tok = _expand(sources_tok[0])[1:] + target_tok if sources_tok else target_tok
        if not tgts and LOCATION_TARGETS and sources:
            # no participant: PLOVER codes the place as recipient ("resume attacks in Israel")
            clause = [verb] + [c for c in verb.children if _dep(c) == "xcomp" or (
                _dep(c) == "advcl" and any(m.lower_ == "to" for m in c.children))]
            for v in clause:
                for c in v.children:
                    if _dep(c) in OBL and _case(c) in ("in", "inside", "into", "at"):
                        # "in Israel", "in the town of Cizre": the place actor inside the phrase
                        places = [a for a in _actors_for(c, token_map, ctx)
                                  if ctx["types"].get(a) in ("GPE", "LOC") and a not in sources]
                        if places:
                            tgts, target_tok = places[:1], [c]
                            break
                if tgts:
                    break
        if rule is not None and lemma in ("abstain", "refrain"):
            # abstaining concerns a vote: its target is the body voting (the sentence's
            # resolution/decision), before any actor inside the complement
            body = [a for a in _sentence_body(verb.sent, ctx) if a not in sources]
            tgts = body or tgts
        if not sources or not tgts:
            continue
        marked = None
        if rule is None:
            sent = verb.sent
            s_span = _span_of(sources_tok[0])
            t_span = _span_of(target_tok[0]) if target_tok else s_span
            marked = mark_sentence(sent.text, (s_span[0] - sent.start_char, s_span[1] - sent.start_char),
                                   (t_span[0] - sent.start_char, t_span[1] - sent.start_char))
        pending.append((trig, verb, list(dict.fromkeys(sources)), list(dict.fromkeys(tgts)), marked, rule,
                        None))
        if gated:
            gated_idx.add(len(pending) - 1)
        for member in mutual[1:] if MUTUAL_BOTH_DIRECTIONS else []:  # the other directions, typed as the first
            pending.append((trig, verb, [member], [m for m in mutual if m != member], marked, rule, None))
            if gated:
                gated_idx.add(len(pending) - 1)
    for noun in doc:
        if noun.i in used_nouns or noun.pos_ not in ("NOUN", "PROPN"):
            continue
        lemma = _lemma(noun)
        rule = None
        if lemma in NOMINAL_EVENTS:
            rule = rule_for(NOMINAL_EVENTS[lemma])
        elif lemma in DECISION_NOUNS:
            comp = next((c for c in noun.children if _dep(c) in ("acl", "xcomp") and _is_verb(c)), None)
            rule = rule_for(_lemma(comp)) if comp is not None else None
        if rule is None:
            continue
        sources, tgts, comp = _nominal_arguments(noun, token_map, ctx)
        if not tgts and rule[0] == "CONCEDE":
            tgts = [a for a in _sentence_body(noun.sent, ctx) if a not in sources]
        if not sources or not tgts:
            continue
        shown = noun.text if comp is None else f"{noun.text} to {comp.text}"
        pending.append((noun if comp is None else comp, noun, sources, tgts, None, rule, shown))
    if not pending:
        return []
    to_type = [p[4] for p in pending if p[4] is not None]
    probs = model.predict_proba(to_type) if to_type else None
    typed = iter([] if probs is None else [(model.classes[k], float(row[k])) for row, k in
                                           zip(probs, probs.argmax(axis=1))])
    events = []
    places: ArticlePlaces | None = None
    used_ids: set[str] = set()
    for n, (trig, verb, sources, tgts, marked, rule, shown) in enumerate(pending):
        prob = RULE_CONFIDENCE
        if rule is None:
            ptype, prob = next(typed)
            if EVENT_FILTER and n in gated_idx and prob < GATE_PROB:
                continue  # not an event: an unknown verb the classifier is unsure about
        if rule is not None:
            ptype, mode, cameo = rule
            cameo = cameo or cameo_for_mode(ptype, mode)
        else:
            words = [trig.text, _lemma(trig)] + [t.text for t in _clause_tokens(verb)]
            mode = mode_for(ptype, words)
            cameo = cameo_for_mode(ptype, mode)
        sent = verb.sent
        clause_verb = verb if _is_verb(verb) else (verb.head if _is_verb(verb.head) else trig)
        modality = _modality(clause_verb, sent)
        if modality == "planned" and ptype in FUTURE_AS:
            ptype, mode = FUTURE_AS[ptype], None
            cameo = cameo_for_mode(ptype, None)
        trigger = shown or trig.text
        if shown:
            pass
        elif trig.i != verb.i and _is_verb(verb) and verb.i < trig.i:
            trigger = f"{verb.text} {trig.text}"  # light verb + noun: "expressed disappointment"
        elif trig.i == verb.i:
            xcomp = next((c for c in verb.children if _dep(c) == "xcomp"), None)
            if xcomp is not None:
                trigger = f"{verb.text} to {xcomp.text}" if any(c.lower_ == "to" for c in xcomp.children) else f"{verb.text} {xcomp.text}"
        start = sent.start_char + base
        end = sent.start_char + base + len(sent.text.rstrip())
        date, date_source = _date_for(clause_verb, published, modality == "planned")
        event_id = record_id("event", article.id, trig.idx + base, ptype)
        if event_id in used_ids:  # another direction of a mutual event
            event_id = record_id("event", article.id, trig.idx + base, ptype, *sources)
        used_ids.add(event_id)
        ev = Event(
            id=event_id,
            plover=ptype, mode=mode, cameo=cameo,
            source=sources, target=tgts, trigger=trigger,
            negated=_negated(clause_verb), modality=modality,
            date=date, date_source=date_source,
            location=_location_for(clause_verb),
            evidence=[Evidence(article_id=article.id, start=start, end=end, sentence=article.text[start:end])],
            outlets=[article.outlet] if article.outlet else [],
            confidence=round(prob, 3),
        )
        if places is None:
            places = ArticlePlaces(doc.ents, article.text, locative=_locative_places(doc))
        _set_place(ev, places, sent, trig, {i for i, a in token_map.items() if a in sources or a in tgts})
        events.append(ev)
    return events


_CW_TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
             "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
