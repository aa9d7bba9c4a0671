"""How each outlet names and characterises each actor: labels and loaded terms.

Two kinds of evidence, both with offsets into ``article.text``:

* **labels** (:func:`extract_labels`): the noun phrases an outlet uses for an actor --
  appositions ("Ismail Haniyeh, the head of Hamas"), category nouns around the name
  ("the Hamas terror group", "its terror proxies in Gaza, Hamas and PIJ"), predicate
  nominals ("Hamas is a terrorist organization"), nominal mentions attached to the actor
  ("Iranian regime", "Hamas fighters") and definite descriptions that refer back to an
  organisation ("... defeats the terror organization"). With a dependency parse the
  appos / amod / compound / nsubj+cop relations are read (``token._.udep``); surface
  patterns over the text near each mention always run as well, so a blank pipeline still
  yields labels.
* **loaded terms** (:func:`find_loaded_terms`): matches of the hand-written lexicon in
  ``crossread/data/loaded_terms.json`` (families: terror, regime, dehumanising,
  violence_intensifier, delegitimising, propaganda, loaded_verb, evaluative).

:func:`framing_for_article` turns both into per-article :class:`Framing` records (actor ids
article-local); :func:`aggregate_framing` remaps them to merged actor ids and sums them per
(outlet, actor); :func:`build_framing` does the whole thing for an :class:`Analysis`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

from crossread.nlp import docview
from crossread.sentences import sentence_spans as shared_sentence_spans
from crossread.records import (Actor, Analysis, Article, Evidence, Framing, Label, LoadedTerm, sorted_labels,
                               sorted_terms)

# ----------------------------------------------------------------------------------------------------------------
# vocabulary

#: head nouns that make a noun phrase a *label* (a category the outlet puts the actor in)
LABEL_HEADS = frozenset({
    "group", "groups", "organization", "organizations", "organisation", "organisations", "movement", "movements",
    "regime", "regimes", "government", "administration", "proxy", "proxies", "militia", "militias", "faction",
    "factions", "outfit", "network", "cell", "cells", "party", "entity", "state", "ally", "allies", "enemy",
    "enemies", "terrorists", "terrorist", "militants", "extremists", "jihadists", "insurgents", "rebels",
    "gunmen", "fighters", "occupation", "backer", "backers", "sponsor", "patron", "puppet", "puppets",
    "mouthpiece", "dictatorship", "junta", "theocracy", "clique", "gang", "gangs", "mob", "thugs", "criminals",
    "murderers", "killers", "butchers", "savages", "animals", "mullahs", "ayatollahs", "aggressor", "occupier",
    "occupiers", "army", "resistance", "jihadis", "radicals", "hardliners", "zealots", "fanatics",
})
#: heads of definite descriptions that may refer back to an organisation ("the terror organization")
ORG_HEADS = frozenset({"group", "organization", "organisation", "movement", "militia", "faction", "outfit"})
#: heads that, after a demonym ("Iranian regime", "the Israeli occupation"), label the state itself
STATE_HEADS = frozenset({"regime", "regimes", "government", "administration", "occupation", "state", "entity",
                         "junta", "dictatorship", "theocracy", "occupier", "occupiers", "aggressor", "enemy"})
_DEMONYM_RE = re.compile(r"[A-Z][a-z]+(?:ian|an|ese|ish|i|ic)")
#: role nouns (for appositions / predicates about people)
try:  # share the actor resolver's vocabulary when it is there
    from crossread.extract.actors import ROLE_NOUNS as _ROLE_NOUNS
except Exception:  # pragma: no cover - the resolver is part of the package
    _ROLE_NOUNS = frozenset()
ROLE_NOUNS = frozenset(_ROLE_NOUNS) | {"leader", "head", "chief", "founder", "member", "commander", "official",
                                       "spokesman", "spokeswoman", "spokesperson", "chairman", "president"}
#: adjectives that label the actor when put directly before the name ("terrorist Hamas")
LABEL_ADJECTIVES = frozenset({
    "terrorist", "terror", "militant", "jihadist", "islamist", "extremist", "radical", "hardline", "hard-line",
    "armed", "outlawed", "banned", "rogue", "embattled", "notorious", "far-right", "far-left", "ultranationalist",
})
_AFFIX_ADJ = r"(?:[A-Za-z]+-(?:backed|based|linked|allied|funded|aligned|sponsored|supported|led|run|controlled|affiliated))"
_STOP = frozenset({
    "the", "a", "an", "and", "or", "but", "to", "of", "in", "on", "at", "by", "for", "from", "with", "as", "that",
    "this", "these", "those", "it", "its", "their", "his", "her", "our", "is", "was", "are", "were", "be", "been",
    "has", "have", "had", "will", "would", "can", "could", "may", "might", "should", "not", "no", "said", "says",
    "also", "which", "who", "whom", "whose", "what", "when", "where", "than", "then", "so", "such", "same", "other",
    "two", "three", "four", "five", "first", "second", "last", "next", "both", "each", "all", "some", "any", "more",
    "most", "very", "only", "even", "about", "into", "over", "after", "before", "against", "between", "while",
})
_DETS = ("the", "a", "an", "its", "their", "his", "her", "our", "whose", "this", "that", "these", "those")
_BE = r"(?:is|was|are|were|remains|remain|remained|has\s+been|have\s+been|had\s+been|became|become|becomes)"

_W = r"[A-Za-z][\w\u2019'-]*"
# a modifier inside a label noun phrase: lowercase word (not a function word / -ed / -ing form) or a demonym
_MOD = rf"(?:(?!(?:{'|'.join(sorted(_STOP))})\b)[a-z][a-z-]*(?<!ed)(?<!ing)|{_AFFIX_ADJ}|[A-Z][a-z]+(?:ian|an|ese|ish|i|ic))"
_HEAD = rf"(?:{'|'.join(sorted(LABEL_HEADS, key=len, reverse=True))})"
_ROLE = rf"(?:{'|'.join(sorted(ROLE_NOUNS, key=len, reverse=True))})"
_NAME = r"[A-Z][\w\u2019'.-]*(?:\s+(?:[A-Z][\w\u2019'.-]*|of|al-\w+|bin|ibn))*(?:\s*\([A-Z][\w.-]*\))?"
_LIST_SEP = r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)"

# "<the> <mods> HEAD <in Gaza>, [Name, Name and] " immediately before a mention
_PRE_RE = re.compile(
    rf"(?:\b(?:{'|'.join(_DETS)})\s+)?(?P<np>(?:{_MOD}\s+){{0,3}}{_HEAD})"
    rf"(?:\s+(?:in|of|from|based\s+in)\s+[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*)*)?"
    rf"(?:\s*[,:\u2014\u2013]\s*|\s+)(?:{_NAME}{_LIST_SEP})*$")
_HEAD_RE = re.compile(_HEAD)  # a cheap necessary condition for _PRE_RE
_LOWER_WORD = re.compile(r"[a-z][\w-]*")
# adjective(s) right before the name: "Iran-backed Hamas", "terrorist Hamas"
_PRE_ADJ_RE = re.compile(
    rf"(?:^|(?<=[\s(\"\u201c]))(?P<np>(?:{_AFFIX_ADJ}|{'|'.join(sorted(LABEL_ADJECTIVES))})"
    rf"(?:\s+(?:{_AFFIX_ADJ}|{'|'.join(sorted(LABEL_ADJECTIVES))}))*)\s+$", re.I)
# "<mention> terror group" / "<mention> terrorist organization"
_POST_RE = re.compile(rf"^[^\S\n]+(?P<np>(?:{_MOD}[^\S\n]+){{0,2}}{_HEAD})\b(?![\w-])")
# "<mention>, the head of Hamas,"
_APPOS_RE = re.compile(
    r"^,\s+(?P<np>(?:the|a|an)\s+(?:[A-Z][a-z]+(?:ian|an|ese|ish|i)\s+)?[a-z][^,;:()\"\u201c\u201d]{1,80}?)"
    r"(?=\s*(?:,|;|:|\)|\.(?:\s|$)|$|\s+(?:who|which|that|whose)\b))")
# sentence-initial "Chairman of Hamas' political bureau, <mention>"
_REV_APPOS_RE = re.compile(r"^\s*(?:(?:the|a|an)\s+)?(?P<np>[A-Za-z][^,;:()\"\u201c\u201d]{2,80}?),\s+$")
# "<mention> is a terrorist organization"
_PRED_RE = re.compile(
    rf"^\s+{_BE}\s+(?:also\s+|still\s+|now\s+)?(?:a|an|the)\s+"
    rf"(?P<np>(?:{_MOD}\s+){{0,3}}(?:{_HEAD}|{_ROLE})(?:\s+of\s+(?:the\s+)?[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*)*)?)"
    rf"(?![\w-])")
# "the terror organization" (anaphoric definite description)
_DEF_RE = re.compile(
    rf"\b[Tt]he\s+(?P<np>(?:{_MOD}\s+){{1,3}}(?:{'|'.join(sorted(ORG_HEADS))}))(?![\w-])(?!\s+[A-Z])")


@dataclass
class LabelMention:
    """One label the article gives an actor; ``evidence`` spans the label phrase itself."""

    actor_id: str
    text: str  # normalised: lowercase, no determiner ("terror group", "head of hamas")
    evidence: Evidence
    rule: str = ""  # appos / premod / postmod / list / predicate / nominal / anaphor


@dataclass
class TermMatch:
    term: str
    family: str
    start: int
    end: int


# ----------------------------------------------------------------------------------------------------------------
# helpers


def normalize_label(text: str) -> str:
    """Lowercase, straight apostrophes, single spaces, no leading determiner or trailing punctuation."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(text.lower().split()).strip(" ,;:.-\u2014\u2013")
    words = text.split()
    while words and words[0] in _DETS:
        words = words[1:]
    return " ".join(words)


def _doc_base(article: Article, doc: Any) -> int:
    if doc is None:
        return 0
    if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) == len(article.text):
        return 0  # the doc covers the whole article (the pipeline's case): skip building doc.text
    text = getattr(doc, "text", "")
    if text == article.text or not text:
        return 0
    pos = article.text.find(text)
    return max(pos, 0)


def _as_view(doc: Any) -> Any:
    """A spaCy Doc as its token view (``crossread.nlp.docview``; shared within an extraction), else as is."""
    from spacy.tokens import Doc

    return docview.view_of(doc) if isinstance(doc, Doc) else doc


def _sentence_spans(article: Article, doc: Any) -> list[tuple[int, int]]:
    """Sentence char spans in article.text (from the doc when it has sentences, else
    :func:`crossread.sentences.sentence_spans`)."""
    if isinstance(doc, docview.DocView):  # asked three times per article: computed once per Doc and text
        return list(doc.memo(("framing._sentence_spans", article.text), lambda: _compute_sentence_spans(article, doc)))
    return _compute_sentence_spans(article, doc)


def _compute_sentence_spans(article: Article, doc: Any) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if doc is not None:
        try:
            if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
                base = _doc_base(article, doc)
                for sent in doc.sents:
                    spans.append((base + sent.start_char, base + sent.end_char))
        except (ValueError, AttributeError):
            spans = []
    if not spans:  # no Doc sentences: the one shared splitter
        spans = shared_sentence_spans(article.text)
    # strip surrounding whitespace
    out = []
    for s, e in spans:
        seg = article.text[s:e]
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg) - len(seg.rstrip())
        if e - rs > s + ls:
            out.append((s + ls, e - rs))
    return out


def _sentence_at(spans: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    for s, e in spans:
        if s <= start and end <= e:
            return s, e
    for s, e in spans:  # phrase crosses a sentence boundary: widen
        if s <= start < e:
            return s, max(e, end)
    return None


def _evidence(article: Article, spans: Sequence[tuple[int, int]], start: int, end: int) -> Evidence:
    sent = _sentence_at(spans, start, end) or (start, end)
    return Evidence(article_id=article.id, start=start, end=end, sentence=article.text[sent[0]:sent[1]])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past whitespace, trailing punctuation and leading determiners."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.\u2014\u2013-"):
        end -= 1
    m = re.match(rf"(?:(?:{'|'.join(_DETS)})\s+)+", text[start:end], re.I)
    if m and m.end() < end - start:
        start += m.end()
    return start, end


def _name_tokens(actor: Actor) -> set[str]:
    """Lowercased words that are part of the actor's name: the name, and capitalised alias words."""
    toks = {w.lower().strip("'\u2019s") for w in re.findall(r"[\w\u2019'-]+", actor.name)}
    for alias in actor.aliases:
        words = re.findall(r"[\w\u2019'-]+", alias)
        for w in words:
            if w[:1].isupper() or len(words) == 1:
                toks.add(w.lower().strip("'\u2019"))
    return {t for t in toks if t}


def _dep(tok: Any) -> str:
    # ``tok`` is a docview.TokenView: ``udep`` is ``token._.udep`` (None without the extension)
    value = tok.udep
    if value:
        return value
    from crossread.nlp.adapter import normalize_dep

    return normalize_dep(tok.dep_)


def _has_parse(doc: Any) -> bool:
    try:
        return bool(doc is not None and doc.has_annotation("DEP"))
    except (AttributeError, ValueError):
        return False


# ----------------------------------------------------------------------------------------------------------------
# labels


def _is_demonym_mention(text: str, mention: Any, actor: Actor) -> bool:
    """The mention is a demonym of its actor ("Iranian" for Iran), not the actor's name."""
    words = text[mention.start:mention.end]
    return bool(_DEMONYM_RE.fullmatch(words)) and normalize_label(words) != normalize_label(actor.name)


def _surface_labels(article: Article, actor: Actor, spans: Sequence[tuple[int, int]]) -> list[LabelMention]:
    text = article.text
    out: list[LabelMention] = []
    names = _name_tokens(actor)

    def add(start: int, end: int, rule: str) -> None:
        start, end = _trim(text, start, end)
        label = normalize_label(text[start:end])
        if not label or label in names:
            return
        out.append(LabelMention(actor.id, label, _evidence(article, spans, start, end), rule))

    for m in actor.mentions:
        if not (0 <= m.start < m.end <= len(text)):
            continue
        sent = _sentence_at(spans, m.start, m.end) or (max(0, m.start - 200), min(len(text), m.end + 200))
        prefix = text[sent[0]:m.start]
        suffix = text[m.end:sent[1]]
        cut = prefix.rfind("\n") + 1  # labels never run across a line break (headlines, captions)
        sent = (sent[0] + cut, sent[1])
        prefix = prefix[cut:]
        suffix = suffix.split("\n", 1)[0]
        demonym = _is_demonym_mention(text, m, actor)
        # nominal mention: the mention's own words beyond the name ("Iranian regime", "Hamas fighters")
        words = list(re.finditer(r"[\w\u2019'-]+", text[m.start:m.end]))
        rest = [w for w in words if w.group().lower().strip("'\u2019") not in names and w.group().lower() not in _DETS]
        if rest and rest[-1] is words[-1] and words[-1].group().lower() in LABEL_HEADS:
            add(m.start + rest[0].start(), m.end, "nominal")
        # category noun before the name / the list it introduces
        # (_PRE_RE's noun phrase ends in a _HEAD word: without one in the prefix it cannot match)
        pm = _PRE_RE.search(prefix) if _HEAD_RE.search(prefix) else None
        if pm:
            listed = re.search(r"[A-Z]", prefix[pm.end("np"):]) is not None
            add(sent[0] + pm.start("np"), sent[0] + pm.end("np"), "list" if listed else "premod")
        else:
            am = _PRE_ADJ_RE.search(prefix)
            if am:
                add(sent[0] + am.start("np"), sent[0] + am.end("np"), "premod")
        # category noun after the name ("Hamas terror group")
        if not words or words[-1].group().lower() not in LABEL_HEADS:
            qm = _POST_RE.match(suffix)
            if qm and (not demonym or qm.group("np").split()[-1].lower() in STATE_HEADS):
                add(m.end + qm.start("np"), m.end + qm.end("np"), "postmod")
        # apposition after the name
        ap = _APPOS_RE.match(suffix)
        if ap:
            add(m.end + ap.start("np"), m.end + ap.end("np"), "appos")
        # sentence-initial apposition before the name, followed by a comma or the verb
        rv = _REV_APPOS_RE.match(prefix)
        if rv and not pm:
            np_words = {w.lower().strip("'\u2019s") for w in re.findall(r"[\w\u2019'-]+", rv.group("np"))}
            if np_words & (ROLE_NOUNS | LABEL_HEADS) and not re.search(r"\b(?:said|says|told|stated)\b", rv.group("np")):
                add(sent[0] + rv.start("np"), sent[0] + rv.end("np"), "appos")
        # predicate nominal, only when the mention is the subject (not "eliminating Hamas is ...")
        if demonym:
            continue
        # the word before the mention (re.search(r"(\S+)\s*$", prefix).group(1): \s is str.isspace)
        prev = prefix.rsplit(None, 1)
        prev_word = prev[-1] if prev else None
        if prev_word is None or not _LOWER_WORD.fullmatch(prev_word) or prev_word in ("the", "and"):
            pr = _PRED_RE.match(suffix)
            if pr:
                add(m.end + pr.start("np"), m.end + pr.end("np"), "predicate")
    return out


def _subtree_span(tokens: Iterable[Any]) -> tuple[int, int]:
    toks = sorted(tokens, key=lambda t: t.i)
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _np_span(head: Any, exclude: set[int]) -> tuple[int, int] | None:
    """The label part of a noun phrase headed by ``head``: contiguous left modifiers + head (+ "of X")."""
    keep = {"amod", "compound", "nmod", "flat", "nummod", "advmod", "case", "nmod:poss", "det", "fixed"}
    toks = [head]
    for child in head.lefts:
        dep = _dep(child)
        if child.i in exclude or dep not in keep or dep in ("det", "case"):
            continue
        if dep == "nmod:poss" and (child.pos_ == "PRON" or child.lower_ in _DETS):
            continue
        toks.extend(t for t in child.subtree if t.i not in exclude)
    for child in head.rights:
        if child.i in exclude or _dep(child) not in ("nmod", "amod", "compound", "flat"):
            continue
        sub = [t for t in child.subtree if t.i not in exclude]
        if sub and any(t.lower_ == "of" for t in sub):
            toks.extend(t for t in sub if _dep(t) != "punct")
    toks = [t for t in toks if _dep(t) != "punct"]
    if not toks:
        return None
    # keep it contiguous around the head
    toks.sort(key=lambda t: t.i)
    idxs = [t.i for t in toks]
    lo = hi = idxs.index(head.i)
    while lo > 0 and idxs[lo - 1] == idxs[lo] - 1:
        lo -= 1
    while hi + 1 < len(idxs) and idxs[hi + 1] == idxs[hi] + 1:
        hi += 1
    toks = toks[lo:hi + 1]
    return _subtree_span(toks)


def _parsed_labels(article: Article, doc: Any, actor: Actor, spans: Sequence[tuple[int, int]]) -> list[LabelMention]:
    text = article.text
    base = _doc_base(article, doc)
    out: list[LabelMention] = []
    names = _name_tokens(actor)

    def add(span: tuple[int, int] | None, rule: str) -> None:
        if span is None:
            return
        start, end = _trim(text, base + span[0], base + span[1])
        label = normalize_label(text[start:end])
        if not label or label in names or all(w in names for w in label.split()):
            return
        out.append(LabelMention(actor.id, label, _evidence(article, spans, start, end), rule))

    for m in actor.mentions:
        span = doc.char_span(m.start - base, m.end - base, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        inside = {t.i for t in span}
        head = span.root
        # a conjunct in a list ("Hamas and PIJ"): labels of the first conjunct apply too
        first = head
        while _dep(first) == "conj" and first.head.i != first.i:
            first = first.head
        # apposition: "Haniyeh, the head of Hamas" / "its terror proxies, Hamas and PIJ"
        for h in {head.i: head, first.i: first}.values():
            for child in h.children:
                if _dep(child) == "appos" and child.i not in inside:
                    add(_np_span(child, inside), "appos")
            if _dep(h) == "appos" and h.head.i not in inside:
                exclude = inside | {t.i for t in h.subtree}
                add(_np_span(h.head, exclude), "appos" if h is head else "list")
        # the name as modifier of a category noun: "the Hamas terror group"; a demonym only
        # labels its state with a state noun ("the Iranian regime"), while "the Palestinian
        # militant group" is some organisation of that state (left to the anaphor rule)
        demonym = _is_demonym_mention(text, m, actor)
        if _dep(head) in ("compound", "amod", "flat", "nmod") and head.head.i not in inside:
            noun = head.head
            if (noun.lower_ in LABEL_HEADS or noun.lemma_.lower() in LABEL_HEADS) and (
                    not demonym or noun.lower_ in STATE_HEADS or noun.lemma_.lower() in STATE_HEADS):
                exclude = inside | {t.i for t in head.subtree}
                add(_np_span(noun, exclude), "postmod" if noun.i > head.i else "premod")
        # category noun / adjectives modifying the name: "the militant group Hamas", "Iran-backed Hamas"
        for child in head.children:
            if child.i in inside:
                continue
            dep = _dep(child)
            if dep in ("amod", "compound") and child.i < head.i and (
                    child.lower_ in LABEL_HEADS or child.lower_ in LABEL_ADJECTIVES or "-" in child.text):
                add(_np_span(child, inside), "premod")
        # predicate nominal: UD (noun root with cop) or ClearNLP (be + attr)
        if _dep(head).startswith("nsubj") or _dep(first).startswith("nsubj"):
            subj = head if _dep(head).startswith("nsubj") else first
            gov = subj.head
            pred = None
            if any(_dep(c) == "cop" for c in gov.children) and gov.pos_ in ("NOUN", "PROPN", ""):
                pred = gov
            elif gov.lemma_.lower() == "be" or gov.lower_ in ("is", "was", "are", "were", "remains", "became"):
                for c in gov.children:
                    if c.dep_ == "attr" or (_dep(c) == "xcomp" and c.pos_ in ("NOUN", "PROPN")):
                        pred = c
                        break
            if pred is not None and pred.i not in inside:
                exclude = inside | {t.i for t in subj.subtree} | {c.i for c in pred.children if _dep(c) in ("cop", "punct", "acl:relcl", "acl", "advcl", "cc", "conj")}
                for c in pred.children:
                    if _dep(c) in ("acl:relcl", "acl", "advcl", "conj"):
                        exclude |= {t.i for t in c.subtree}
                add(_np_span(pred, exclude), "predicate")
    return out


def _anaphor_labels(article: Article, actors: Sequence[Actor], spans: Sequence[tuple[int, int]],
                    taken: list[tuple[int, int]]) -> list[LabelMention]:
    """'the terror organization' -> the nearest organisation actor mentioned just before."""
    text = article.text
    org_mentions = sorted((m.start, m.end, a) for a in actors if a.type in ("ORG", "NORP", "MISC")
                          for m in a.mentions)
    all_mentions = [(m.start, m.end) for a in actors for m in a.mentions
                    if not _DEMONYM_RE.fullmatch(text[m.start:m.end])]
    out = []
    for dm in _DEF_RE.finditer(text):
        start, end = dm.start("np"), dm.end("np")
        if any(s < end and start < e for s, e in all_mentions + taken):
            continue
        sent = _sentence_at(spans, start, end)
        window_start = spans[max(0, spans.index(sent) - 2)][0] if sent in spans else max(0, start - 400)
        before = [(s, e, a) for s, e, a in org_mentions if window_start <= s and e <= dm.start()]
        if not before:
            continue
        actor = before[-1][2]
        label = normalize_label(text[start:end])
        if label and not all(w in _name_tokens(actor) for w in label.split()):
            out.append(LabelMention(actor.id, label, _evidence(article, spans, start, end), "anaphor"))
    return out


def extract_labels(article: Article, doc: Any, actors: Sequence[Actor]) -> list[LabelMention]:
    """How the article names/characterises each actor (see the module docstring); evidence offsets index
    ``article.text`` and ``evidence.sentence`` contains the label phrase."""
    doc = _as_view(doc)
    spans = _sentence_spans(article, doc)
    found: list[LabelMention] = []
    parsed = _has_parse(doc)
    for actor in actors:
        if parsed:
            try:
                found.extend(_parsed_labels(article, doc, actor, spans))
            except (ValueError, AttributeError, IndexError):
                pass
        found.extend(_surface_labels(article, actor, spans))
    # one label per (actor, span): the parse wins over surface patterns (it came first); drop contained spans
    result: list[LabelMention] = []
    for lm in found:
        s, e = lm.evidence.start, lm.evidence.end
        clash = [r for r in result if r.actor_id == lm.actor_id and r.evidence.start < e and s < r.evidence.end]
        if clash:
            continue
        result.append(lm)
    taken = [(r.evidence.start, r.evidence.end) for r in result]
    result.extend(_anaphor_labels(article, actors, spans, taken))
    # another actor's name is not a label ("its proxies, Hamas and PIJ": PIJ is no label of Hamas)
    other_names = {normalize_label(n) for a in actors for n in [a.name, *a.aliases]}
    own = {a.id: {normalize_label(n) for n in [a.name, *a.aliases]} for a in actors}
    result = [r for r in result if r.text not in other_names - own.get(r.actor_id, set())]
    result.sort(key=lambda r: (r.evidence.start, r.actor_id))
    return result


# ----------------------------------------------------------------------------------------------------------------
# loaded terms


@dataclass
class _Entry:
    term: str
    family: str
    pattern: re.Pattern
    lemma: str | None
    pos: str | None
    preceded_by: re.Pattern | None
    not_preceded_by: re.Pattern | None
    followed_by: re.Pattern | None
    not_followed_by: re.Pattern | None
    #: the first word of each form, when every form starts with an ASCII word (None: no prefilter)
    first_words: tuple[str, ...] | None = None


def _form_regex(form: str) -> str:
    parts = [re.escape(p) for p in form.split()]
    return r"\s+".join(parts)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> tuple[_Entry, ...]:
    """The loaded-term lexicon (default: the shipped ``crossread/data/loaded_terms.json``)."""
    if path is None:
        raw = resources.files("crossread").joinpath("data/loaded_terms.json").read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
    data = json.loads(raw)
    entries = []
    for family, spec in data["families"].items():
        for item in spec["terms"]:
            if isinstance(item, str):
                item = {"term": item}
            term = item["term"].lower()
            forms = item.get("forms") or [term, term + ("es" if term.endswith(("s", "x", "ch", "sh")) else "s")]
            forms = sorted({f.lower() for f in forms}, key=len, reverse=True)
            pattern = re.compile(r"(?<![\w-])(?:" + "|".join(_form_regex(f) for f in forms) + r")(?![\w-])", re.I)

            def opt(key: str) -> re.Pattern | None:
                return re.compile(item[key], re.I) if item.get(key) else None

            firsts = [f.split()[0] if f.split() else "" for f in forms]
            first_words = tuple(sorted(set(firsts))) if all(w and w.isascii() for w in firsts) else None
            entries.append(_Entry(term, family, pattern, item.get("lemma", term if " " not in term else None),
                                  item.get("pos"), opt("preceded_by"), opt("not_preceded_by"),
                                  opt("followed_by"), opt("not_followed_by"), first_words))
    return tuple(entries)


def term_family(term: str) -> str | None:
    """The lexicon family of a (canonical) loaded term."""
    for entry in load_lexicon():
        if entry.term == term.lower():
            return entry.family
    return None


# character -> its case fold as re.IGNORECASE sees it against ASCII: the ASCII lowercase letter the
# character matches case-insensitively ("K" KELVIN SIGN -> "k", "\u017f" LONG S -> "s"), else str.lower()
_FOLD: dict[int, str] = {}
_ASCII_LETTERS = [(x, re.compile(x, re.I)) for x in "abcdefghijklmnopqrstuvwxyz"]


def _fold(text: str) -> str:
    """``text`` case-folded so that a lexicon form (ASCII) matching at some position under
    ``re.IGNORECASE`` appears there literally (lowercase) in the result: a form whose first word
    is not in the folded text cannot match, and its regex need not scan the text."""
    for ch in set(text):
        if ord(ch) not in _FOLD:
            _FOLD[ord(ch)] = next((x for x, rx in _ASCII_LETTERS if rx.fullmatch(ch)), ch.lower())
    return text.translate(_FOLD)


def _matches_from(pattern: re.Pattern, text: str, folded: str, words: Iterable[str]) -> Iterable[re.Match]:
    """``pattern.finditer(text)``, trying the pattern only where one of its forms' first ``words``
    starts in ``folded`` (``_fold(text)``, aligned with ``text``): a match can start nowhere else.
    The leftmost match at or after the previous match's end, as finditer has it."""
    starts: set[int] = set()
    for w in words:
        at = folded.find(w)
        while at >= 0:
            starts.add(at)
            at = folded.find(w, at + 1)
    end = 0
    for at in sorted(starts):
        if at < end:
            continue
        m = pattern.match(text, at)
        if m is not None:
            yield m
            end = m.end()


def _context_ok(entry: _Entry, text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40):start]
    after = text[end:end + 40]
    if entry.preceded_by and not entry.preceded_by.search(before):
        return False
    if entry.not_preceded_by and entry.not_preceded_by.search(before):
        return False
    if entry.followed_by and not entry.followed_by.search(after):
        return False
    if entry.not_followed_by and entry.not_followed_by.search(after):
        return False
    return True


def _select(matches: list[TermMatch]) -> list[TermMatch]:
    """Longest match wins where matches overlap."""
    chosen: list[TermMatch] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(c.start < m.end and m.start < c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


_LEXICON_KEYS: dict[int, tuple[Any, tuple[frozenset[str], frozenset[str]]]] = {}


def _lexicon_keys(lexicon: Sequence[_Entry]) -> tuple[frozenset[str], frozenset[str]]:
    """(every entry's forms' first words, every single-word lemma an entry looks up) of a lexicon,
    computed once per lexicon object."""
    cached = _LEXICON_KEYS.get(id(lexicon))
    if cached is not None and cached[0] is lexicon:
        return cached[1]
    keys = (frozenset(w for e in lexicon if e.first_words is not None for w in e.first_words),
            frozenset(e.lemma for e in lexicon if e.lemma and " " not in e.lemma))
    if len(_LEXICON_KEYS) > 16:
        _LEXICON_KEYS.clear()
    _LEXICON_KEYS[id(lexicon)] = (lexicon, keys)
    return keys


def match_loaded_terms(text: str, doc: Any = None, base: int = 0,
                       lexicon: Sequence[_Entry] | None = None) -> list[TermMatch]:
    """Lexicon matches in ``text`` (case-insensitive, word boundaries; token lemmas too when ``doc`` has them;
    a ``pos`` constraint is enforced only where the doc has POS tags). Offsets index ``text``; ``doc.text``
    must be ``text[base:]``-aligned (``doc`` char 0 == ``text`` char ``base``)."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    doc = _as_view(doc)
    has_pos = has_lemma = False
    tok_at: dict[int, Any] = {}
    if doc is not None:
        try:
            has_pos = doc.has_annotation("POS")
            has_lemma = doc.has_annotation("LEMMA")
        except (AttributeError, ValueError):
            pass
        if has_pos or has_lemma:
            tok_at = {base + t.idx: t for t in doc}
    first_words, lemmas = _lexicon_keys(lexicon)
    # lemma -> tokens, built once: every lexicon entry looks its lemma up instead of scanning the doc
    # (only the lemmas some entry looks up are kept)
    by_lemma: dict[str, list[tuple[int, Any]]] = {}
    if has_lemma:
        for start, tok in tok_at.items():
            lemma = tok.lemma_.lower()
            if lemma in lemmas:
                by_lemma.setdefault(lemma, []).append((start, tok))
    lower = text.lower()
    folded = _fold(text)
    present = {w for w in first_words if w in folded}  # forms' first words found in the folded text
    matches: list[TermMatch] = []
    for entry in lexicon:
        if entry.pattern.pattern and entry.term.split()[0][:3] not in lower and entry.lemma is None:
            continue
        if entry.first_words is not None and present.isdisjoint(entry.first_words):
            scan = ()  # no form can match: its first word is nowhere in the text (see _fold)
        elif entry.first_words is not None and len(folded) == len(text):
            scan = _matches_from(entry.pattern, text, folded, present.intersection(entry.first_words))
        else:
            scan = entry.pattern.finditer(text)
        for m in scan:
            if not _context_ok(entry, text, m.start(), m.end()):
                continue
            if entry.pos and has_pos:
                tok = tok_at.get(m.start())
                if tok is not None and tok.pos_ and tok.pos_ != entry.pos and not (
                        entry.pos == "VERB" and tok.pos_ == "AUX"):
                    continue
            matches.append(TermMatch(entry.term, entry.family, m.start(), m.end()))
        if has_lemma and entry.lemma and " " not in entry.lemma:
            for start, tok in by_lemma.get(entry.lemma, ()):
                if not entry.pos or not has_pos or tok.pos_ == entry.pos:
                    end = start + len(tok.text)
                    if _context_ok(entry, text, start, end):
                        matches.append(TermMatch(entry.term, entry.family, start, end))
    unique = {(m.start, m.end): m for m in matches}
    return _select(list(unique.values()))


def find_loaded_terms(article: Article, doc: Any = None) -> list[tuple[str, Evidence]]:
    """(canonical term, evidence) for every loaded-term match in ``article.text``; see :func:`term_family`."""
    doc = _as_view(doc)
    spans = _sentence_spans(article, doc)
    return [(m.term, _evidence(article, spans, m.start, m.end))
            for m in match_loaded_terms(article.text, doc, _doc_base(article, doc))]


# ----------------------------------------------------------------------------------------------------------------
# framing records


def framing_for_article(article: Article, doc: Any, actors: Sequence[Actor]) -> list[Framing]:
    """Per-article framing: one :class:`Framing` per actor with labels or loaded terms in its sentences
    (outlet = ``article.outlet`` or "unknown"; actor ids as given, i.e. article-local)."""
    from spacy.tokens import Doc

    with docview.scope(doc if isinstance(doc, Doc) else None):  # one token view for labels and terms
        return _framing_for_article(article, _as_view(doc), actors)


def _framing_for_article(article: Article, doc: Any, actors: Sequence[Actor]) -> list[Framing]:
    outlet = article.outlet or "unknown"
    spans = _sentence_spans(article, doc)
    labels = extract_labels(article, doc, actors)
    terms = find_loaded_terms(article, doc)
    result: list[Framing] = []
    for actor in actors:
        by_label: dict[str, Label] = {}
        for lm in labels:
            if lm.actor_id != actor.id:
                continue
            label = by_label.setdefault(lm.text, Label(text=lm.text, count=0))
            label.count += 1
            label.evidence.append(lm.evidence)
        sentences = {_sentence_at(spans, m.start, m.end) for m in actor.mentions}
        sentences.discard(None)
        by_term: dict[str, LoadedTerm] = {}
        for term, ev in terms:
            if any(s <= ev.start and ev.end <= e for s, e in sentences):  # type: ignore[misc]
                by_term.setdefault(term, LoadedTerm(text=term)).evidence.append(ev)
        if by_label or by_term:
            result.append(Framing(outlet=outlet, actor=actor.id, labels=sorted_labels(by_label.values()),
                                  loaded_terms=sorted_terms(by_term.values())))
    return result


def aggregate_framing(framings: Sequence[Framing], id_map: dict[str, str] | None = None) -> list[Framing]:
    """Remap actor ids through ``id_map`` (local -> merged; unknown ids kept) and merge entries with the same
    (outlet, actor): label counts add up, evidence lists are concatenated."""
    id_map = id_map or {}
    merged: dict[tuple[str, str], tuple[dict[str, Label], dict[str, LoadedTerm]]] = {}
    for fr in framings:
        key = (fr.outlet, id_map.get(fr.actor, fr.actor))
        labels, terms = merged.setdefault(key, ({}, {}))
        for lb in fr.labels:
            into = labels.setdefault(lb.text, Label(text=lb.text, count=0))
            into.count += lb.count
            into.evidence.extend(lb.evidence)
        for lt in fr.loaded_terms:
            terms.setdefault(lt.text, LoadedTerm(text=lt.text)).evidence.extend(lt.evidence)
    return [Framing(outlet=o, actor=a, labels=sorted_labels(lbs.values()), loaded_terms=sorted_terms(ts.values()))
            for (o, a), (lbs, ts) in sorted(merged.items())]


def build_framing(analysis: Analysis, nlp: Any = None) -> list[Framing]:
    """Framing per (outlet, merged actor) for a whole analysis: each article is re-parsed with ``nlp``
    (default: :func:`crossread.nlp.load_pipeline`) and its actors are the merged actors restricted to that
    article's mentions."""
    if nlp is None:
        from crossread.nlp import load_pipeline

        nlp = load_pipeline()
    per_article: list[Framing] = []
    for article in analysis.articles:
        actors = []
        for actor in analysis.actors:
            mentions = [m for m in actor.mentions if m.article_id == article.id]
            if mentions:
                actors.append(Actor(id=actor.id, name=actor.name, type=actor.type, aliases=list(actor.aliases),
                                    mentions=mentions, role=actor.role, country=actor.country))
        if not actors:
            continue
        per_article.extend(framing_for_article(article, nlp(article.text), actors))
    return aggregate_framing(per_article, {})
