"""PLOVER events from a parsed article: who did what to whom, with the sentence behind it.

For each verbal trigger whose subject (source) and object/oblique (target)
resolve to actors, the PLOVER type comes from the linear classifier in
:mod:`crossread.extract.plover` (sentence with source/target marked). Works on
UD labels (``token._.udep`` when the crossread adapter set it, else
``token.dep_``; spaCy's CLEAR labels ``dobj``/``pobj``/``nsubjpass``/``neg`` too).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Sequence

from crossread.extract.actors import actor_token_map
from crossread.extract.plover import PloverTypeModel, cameo_for, default_model, mark_sentence
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
    try:
        value = tok._.udep
        if value:
            return str(value)
    except AttributeError:
        pass
    return tok.dep_


def _lemma(tok: Any) -> str:
    return (tok.lemma_ or tok.text).lower()


def _children(tok: Any, deps: set[str]) -> list[Any]:
    return [c for c in tok.children if _dep(c) in deps]


def _case(tok: Any) -> str | None:
    for c in tok.children:
        if _dep(c) == "case":
            return c.lower_
    if _dep(tok) == "pobj" and tok.head is not None:
        return tok.head.lower_
    return None


def _is_verb(tok: Any) -> bool:
    return tok.pos_ == "VERB" or (tok.pos_ == "" and _dep(tok) in ("ROOT", "root", "ccomp", "xcomp", "conj"))


def _subjects(verb: Any) -> tuple[list[Any], bool]:
    """(subject tokens, passive?) of a verb, inheriting through conj and planning xcomp."""
    subj = _children(verb, SUBJ)
    if subj:
        return subj, False
    psubj = _children(verb, PASS_SUBJ)
    if psubj:
        return psubj, True
    head = verb.head
    if head is not verb and _dep(verb) == "conj" and _is_verb(head):
        return _subjects(head)
    if head is not verb and _dep(verb) == "xcomp" and _lemma(head) in PLANNING_VERBS:
        subj, _ = _subjects(head)
        return subj, False
    return [], False


def _expand(tok: Any) -> list[Any]:
    out = [tok]
    for c in tok.children:
        if _dep(c) == "conj":
            out.extend(_expand(c))
    return out


def _actors_for(tok: Any, token_map: dict[int, str]) -> list[str]:
    """Actors a noun phrase headed by ``tok`` denotes (itself and its conjuncts; else the
    nearest actor inside it through nmod/compound/amod/poss)."""
    ids: list[str] = []
    for t in _expand(tok):
        if t.i in token_map:
            ids.append(token_map[t.i])
            continue
        frontier = [t]
        found = None
        for _ in range(3):
            nxt = []
            for f in frontier:
                for c in f.children:
                    if _dep(c) in ("compound", "amod", "nmod", "nmod:poss", "poss", "flat", "appos", "pobj", "prep", "case"):
                        if c.i in token_map:
                            found = token_map[c.i]
                            break
                        nxt.append(c)
                if found:
                    break
            if found or not nxt:
                break
            frontier = nxt
        if found:
            ids.append(found)
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
    return False


def _in_quotes(sent_text: str, offset: int) -> bool:
    before = sent_text[:offset]
    return (before.count('"') + before.count("\u201c") - before.count("\u201d")) % 2 == 1


def _modality(verb: Any, sent: Any) -> str:
    chain = [verb]
    head = verb
    while head.head is not head and len(chain) < 6:
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
    if _dep(verb) == "xcomp" and _lemma(verb.head) in PLANNING_VERBS | {"going"}:
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


def resolve_date(text: str, published: dt.date | None, future: bool = False) -> str | None:
    """ISO date for a date expression found in ``text`` ("on Tuesday", "yesterday",
    "March 25", "25 March 2024", "2024-03-25"), relative to ``published``."""
    low = text.lower()
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    month_re = "|".join(MONTHS)
    m = re.search(rf"\b({month_re})\.?\s+(\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?", low)
    day = month = year = None
    if m:
        month, day, year = MONTHS.index(m.group(1)) + 1, int(m.group(2)), m.group(3)
    else:
        m = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({month_re})\b(?:,?\s+(\d{{4}}))?", low)
        if m:
            day, month, year = int(m.group(1)), MONTHS.index(m.group(2)) + 1, m.group(3)
    if month and day:
        y = int(year) if year else (published.year if published else None)
        if y is None:
            return None
        try:
            return dt.date(y, month, day).isoformat()
        except ValueError:
            return None
    if published is None:
        return None
    if re.search(r"\byesterday\b", low):
        return (published - dt.timedelta(days=1)).isoformat()
    if re.search(r"\b(today|this morning|tonight|this evening)\b", low):
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
    return None


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


def _date_for(verb: Any, published: dt.date | None, future: bool) -> str | None:
    toks = _clause_tokens(verb)
    date_toks = [t for t in toks if t.ent_type_ in ("DATE", "TIME")]
    if date_toks:
        text = " ".join(t.text for t in date_toks)
        found = resolve_date(text, published, future)
        if found:
            return found
    words = [t.text for t in toks]
    return resolve_date(" ".join(words), published, future)


def _location_for(verb: Any) -> str | None:
    for t in _clause_tokens(verb):
        if t.lower_ in ("in", "at") and t.head is not None:
            objs = [g for g in t.children if _dep(g) == "pobj"] or ([t.head] if _dep(t) == "case" else [])
            for o in objs:
                if o.ent_type_ in ("GPE", "LOC", "FAC"):
                    ent = next((e for e in o.doc.ents if e.start <= o.i < e.end), None)
                    return ent.text if ent is not None else o.text
    return None


def extract_events(article: Article, doc: Any, actors: Sequence[Actor],
                   model: PloverTypeModel | None = None) -> list[Event]:
    """Events of one article. ``actors`` are that article's actors (``resolve_actors``)."""
    model = model or default_model()
    base = 0 if article.text.startswith(doc.text) else max(article.text.find(doc.text), 0)
    token_map = actor_token_map(doc, actors, base)
    published = _published(article)
    pending: list[tuple[Any, list[str], list[str], str]] = []
    for verb in doc:
        if not _is_verb(verb) or _lemma(verb) in NON_EVENT_LEMMAS:
            continue
        if _lemma(verb) in PLANNING_VERBS and any(_dep(c) == "xcomp" for c in verb.children):
            continue  # "was scheduled to meet": the event is "meet"
        subj, passive = _subjects(verb)
        targets, agents = _targets(verb, passive)
        if not targets:
            for x in verb.children:
                if _dep(x) == "xcomp":
                    targets, _ = _targets(x, False)
                    break
        if passive:
            sources_tok, target_tok = agents, subj + targets
        else:
            sources_tok, target_tok = subj, targets
        sources = [a for t in sources_tok for a in _actors_for(t, token_map)]
        tgts = [a for t in target_tok for a in _actors_for(t, token_map) if a not in sources]
        if not sources or not tgts:
            continue
        sent = verb.sent
        s_span = _span_of(sources_tok[0])
        t_span = _span_of(target_tok[0])
        marked = mark_sentence(sent.text, (s_span[0] - sent.start_char, s_span[1] - sent.start_char),
                               (t_span[0] - sent.start_char, t_span[1] - sent.start_char))
        pending.append((verb, list(dict.fromkeys(sources)), list(dict.fromkeys(tgts)), marked))
    if not pending:
        return []
    types = model.predict([p[3] for p in pending])
    events = []
    for (verb, sources, tgts, _), ptype in zip(pending, types):
        sent = verb.sent
        modality = _modality(verb, sent)
        trigger = verb.text
        xcomp = next((c for c in verb.children if _dep(c) == "xcomp"), None)
        if xcomp is not None:
            trigger = f"{verb.text} to {xcomp.text}" if any(c.lower_ == "to" for c in xcomp.children) else f"{verb.text} {xcomp.text}"
        start = sent.start_char + base
        end = sent.start_char + base + len(sent.text.rstrip())
        ev = Event(
            id=record_id("event", article.id, verb.idx + base, ptype),
            plover=ptype, mode=None, cameo=cameo_for(ptype),
            source=sources, target=tgts, trigger=trigger,
            negated=_negated(verb), modality=modality,
            date=_date_for(verb, published, modality == "planned"),
            location=_location_for(verb),
            evidence=[Evidence(article_id=article.id, start=start, end=end, sentence=article.text[start:end])],
            outlets=[article.outlet] if article.outlet else [],
        )
        events.append(ev)
    return events


_CW_TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
             "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
