"""Check-worthy claims: one record per proposition, with the span behind it.

``extract_claim_spans(article, doc, quotes, signal_spans)`` returns
:class:`ClaimSpan` objects (a :class:`~crossread.records.Claim` plus the speaker
text and speaker span offsets, for the lead to resolve to an actor id);
``extract_claims`` returns just the ``Claim`` records.

* A claim in the outlet's own voice has ``attributed_to=None`` and no speaker.
* A claim inside the content of a quote (direct, indirect or mixed) keeps the
  quote's speaker text and source span (``Claim.attributed_to`` stays ``None``
  until the lead resolves the speaker).
* Check-worthy: the proposition holds a number, or a named entity together with
  a verb (factual, causal or evaluative assertion); questions, page chrome, very
  short fragments and anything overlapping a machine-generation signal span are
  left out.
* One claim per proposition: coordinated clauses with their own subjects
  ("X did A and Y did B") are split -- via ``conj`` between verbs that each have
  an ``nsubj`` when the doc has a parse, else at ", and" / ", but" / "; " /
  ", while" followed by a subject-like word.
* ``Evidence.start/end`` is the proposition's span inside its sentence
  (``article.text[start:end] == claim.text``), ``Evidence.sentence`` the sentence.
* Ids are deterministic: ``record_id("claim", article.id, start, end)``.
* Polarity (:func:`claim_polarity`): ``negated`` when a negation governs the claim's own
  predicate (a ``neg``/negative adverb on the span's root, a "no"/"nobody" subject or
  object, or a quote whose cue is a denial: "X denied that ..."), never for a negation
  elsewhere in the sentence; ``hedged`` when the predicate is modal ("may", "could",
  "would"), the span says it is hearsay or uncertain ("reportedly", "allegedly"), is
  conditional ("if", "whether") or is the complement of a belief ("seems", "expects").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any, Iterable

from crossread.extract.quotes import QuoteSpan, _sentence_ranges, _tokens, _Tok
from crossread.nlp import docview
from crossread.records import Article, Claim, Evidence, Quote, Signal, record_id

_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "hundreds",
                 "thousand", "thousands", "million", "millions", "billion", "billions", "dozen",
                 "dozens", "half", "percent", "first", "second", "third"}
_VERB_HINTS = {"is", "was", "are", "were", "has", "have", "had", "will", "would", "did", "does",
               "can", "could", "be", "been", "killed", "died", "passed", "voted", "approved",
               "rejected", "met", "launched", "attacked", "signed", "won", "lost", "rose", "fell",
               "funded", "supports", "supported", "abstained", "canceled", "cancelled", "arrested",
               "released", "captured", "fired", "struck", "invaded", "announced", "caused",
               "failed", "leads", "led", "resulted", "declined", "grew", "increased", "decreased",
               "views", "held", "praised", "welcomed", "condemned", "celebrate", "celebrated",
               "traveled", "travelled", "undermines", "proves", "indicated", "accounts", "remains",
               "sent", "made", "took", "gave", "went", "came", "left", "fought", "built", "brought",
               "began", "kept", "paid", "sold", "shot", "hit", "put", "set", "cut", "spent", "saw",
               "got", "became", "broke", "drove", "fled", "knew", "ran", "rose", "sought", "stood",
               "threw", "wrote", "says", "said", "told", "shows", "showed", "wants", "needs", "means"}
_SUBJECT_START = {"he", "she", "they", "it", "we", "i", "the", "a", "an", "this", "that", "these",
                  "those", "its", "his", "her", "their", "our"}
_CHROME = re.compile(r"(?i)\b(subscribe|sign up|newsletter|donate|click here|read more|cookie|"
                     r"all rights reserved|follow us|share this|advertisement|photo:|image:|"
                     r"receive latest|popular articles|latest stories|copyright|©|help us|support us|"
                     r"non-profit|you can support|terms of use|privacy policy)")
NEGATORS = {"not", "n't", "never", "no", "nor", "neither", "nobody", "nothing", "none", "nowhere", "cannot"}
NEGATIVE_ARGUMENTS = {"no", "nobody", "nothing", "none", "neither"}
HEDGE_MODALS = {"may", "might", "could", "would", "should", "can"}
HEDGE_WORDS = {"reportedly", "allegedly", "possibly", "perhaps", "probably", "likely", "apparently", "purportedly",
               "supposedly", "maybe", "unconfirmed", "rumored", "rumoured", "unclear", "potentially"}
HEDGE_PREDICATES = {"seem", "appear", "suggest", "believe", "think", "expect", "hope", "speculate", "predict",
                    "fear", "suspect", "doubt", "wonder", "consider", "claim", "allege"}
CONDITIONAL_MARKS = {"if", "whether", "unless"}
_DENIAL_CUE = re.compile(r"(?i)\b(?:den(?:y|ied|ies|ying)|disput\w*|reject\w*|refut\w*|dismiss\w*)\b")
_SPLIT_RE = re.compile(r"(?:,\s+(?:and|but|while|whereas)\s+|;\s+|\s+(?:and|but)\s+(?=(?:he|she|they|it|we)\b))")


def claim_polarity(toks: list[_Tok], has_dep: bool) -> tuple[bool, bool]:
    """(negated, hedged) of a claim from its own tokens (see the module docstring)."""
    if not toks:
        return False, False
    if not has_dep:  # no parse: words alone
        lowers = {t.lower.replace("’", "'") for t in toks}
        return bool(lowers & NEGATORS), bool(lowers & (HEDGE_WORDS | HEDGE_MODALS))
    inside = {t.i for t in toks}
    children: dict[int, list[_Tok]] = {}
    for t in toks:
        if t.head != t.i:
            children.setdefault(t.head, []).append(t)
    roots = [t for t in toks if t.head == t.i or t.head not in inside]
    negated = False
    hedged = any(t.lower in HEDGE_WORDS for t in toks)
    for root in roots:
        for c in children.get(root.i, []):
            low = c.lower.replace("’", "'")
            if c.dep == "neg" or (low in NEGATORS and c.dep in ("advmod", "neg", "det", "cc:preconj")):
                negated = True  # "not enough just to not suck" is as negated as "not enough"
            elif c.dep.startswith(("nsubj", "obj", "dobj")) and (
                    c.lower in NEGATIVE_ARGUMENTS
                    or any(g.lower in NEGATIVE_ARGUMENTS and g.dep == "det" for g in children.get(c.i, []))):
                negated = True  # "No one was hurt", "found no evidence"
            if c.dep.startswith("aux") and c.lower in HEDGE_MODALS:
                hedged = True
            if c.dep == "mark" and c.lower in CONDITIONAL_MARKS:
                hedged = True
        if root.lemma.lower() in HEDGE_PREDICATES:
            hedged = True
    return negated, hedged


@dataclass
class ClaimSpan:
    """A claim with the speaker span it is attributed to (``None`` for the outlet's voice)."""

    claim: Claim
    start: int
    end: int
    speaker_text: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    quote_id: str | None = None


def _signal_ranges(article: Article, signal_spans: Iterable[Any] | None) -> list[tuple[int, int]]:
    spans = article.signals if signal_spans is None else signal_spans
    out = []
    for s in spans or []:
        if isinstance(s, Signal):
            out.append((s.start, s.end))
        elif isinstance(s, dict):
            out.append((int(s["start"]), int(s["end"])))
        else:
            out.append((int(s[0]), int(s[1])))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in ",;:—–-"):
        a += 1
    m = re.match(r"(?i)(?:and|but|while|whereas|so)\s+", text[a:b])
    if m:
        a += m.end()
    while b > a and (text[b - 1].isspace() or text[b - 1] in ".,;:!—–-"):
        b -= 1
    return a, b


class _ClaimFinder:
    def __init__(self, article: Article, doc: Any):
        self.article = article
        self.text = article.text
        self.toks, self.has_dep = _tokens(self.text, doc)
        self.starts = [t.start for t in self.toks]
        self.sents = _sentence_ranges(self.text, doc)
        self.ents: list[tuple[int, int]] = []
        if doc is not None and docview.text_of(doc) == self.text:
            self.ents = [(e.start_char, e.end_char) for e in doc.ents]

    def toks_in(self, a: int, b: int) -> list[_Tok]:
        """Tokens inside [a, b) (start >= a and end <= b): tokens are in text order and do not
        overlap, so they are a run from the first token starting at or after ``a``."""
        toks = self.toks
        k = bisect.bisect_left(self.starts, a)
        out = []
        while k < len(toks) and toks[k].end <= b:
            out.append(toks[k])
            k += 1
        return out

    def sentence_of(self, a: int, b: int) -> tuple[int, int]:
        for s, e in self.sents:
            if s <= a < e:
                return s, max(e, b)
        return a, b

    def split(self, a: int, b: int) -> list[tuple[int, int]]:
        """Propositions inside [a, b): coordinated clauses with their own subjects split."""
        toks = self.toks_in(a, b)
        cuts: list[tuple[int, int]] = []  # (end of left part, start of right part)
        if self.has_dep and toks:
            by_i = {t.i: t for t in toks}
            for t in toks:
                if t.dep != "conj" or t.head not in by_i:
                    continue
                head = by_i[t.head]
                if head.pos not in ("VERB", "AUX", "") or t.pos not in ("VERB", "AUX", ""):
                    continue
                kids = [u for u in toks if u.head == t.i and u.i != t.i]
                subj = [u for u in kids if u.dep.startswith("nsubj")]
                if not subj:
                    continue
                cc = [u for u in kids if u.dep == "cc" and u.i < subj[0].i]
                left_end_tok = cc[0] if cc else subj[0]
                # the right part starts at the conjunct's left edge (its subject)
                right_start = min(u.start for u in subj + [t])
                left_end = left_end_tok.start
                prev = [u for u in toks if u.end <= left_end]
                if prev and prev[-1].text == ",":
                    left_end = prev[-1].start
                cuts.append((left_end, cc[0].end if cc else right_start))
        else:
            for m in _SPLIT_RE.finditer(self.text, a, b):
                rest = self.text[m.end():b]
                first = rest.split(" ", 1)[0].lower().strip("“\"'")
                if not (first in _SUBJECT_START or rest[:1].isupper()):
                    continue
                if len(self.text[a:m.start()].split()) < 4 or len(rest.split()) < 4:
                    continue
                cuts.append((m.start(), m.end()))
        pieces = []
        start = a
        for left_end, right_start in sorted(cuts):
            if left_end > start:
                pieces.append(_trim(self.text, start, left_end))
            start = right_start
        pieces.append(_trim(self.text, start, b))
        return [(x, y) for x, y in pieces if y > x]

    def checkworthy(self, a: int, b: int, lenient: bool = False) -> bool:
        piece = self.text[a:b]
        words = piece.split()
        if len(words) < 4:
            return False
        if piece.rstrip("”\"' ").endswith("?") or _CHROME.search(piece):
            return False
        if lenient:
            return True
        toks = self.toks_in(a, b)
        has_number = any(t.text[:1].isdigit() or t.lower in _NUMBER_WORDS for t in toks)
        if self.ents:
            has_entity = any(ea < b and a < eb for ea, eb in self.ents)
        else:
            has_entity = any(t.text[:1].isupper() for t in toks[1:]) or (
                toks and toks[0].text[:1].isupper() and toks[0].lower not in _SUBJECT_START)
        if any(t.pos for t in toks):
            has_verb = any(t.pos in ("VERB", "AUX") for t in toks)
        else:
            has_verb = any(t.lower in _VERB_HINTS or re.fullmatch(r"[a-z]+ed", t.lower) for t in toks)
        return has_verb and (has_number or has_entity)

    def make(self, a: int, b: int, sentence: tuple[int, int], speaker: tuple[int, int] | None,
             quote_id: str | None, denied: bool = False) -> ClaimSpan:
        art = self.article
        sent_text = self.text[sentence[0]:sentence[1]].strip()
        negated, hedged = claim_polarity(self.toks_in(a, b), self.has_dep)
        claim = Claim(
            id=record_id("claim", art.id, a, b),
            text=self.text[a:b],
            attributed_to=None,
            evidence=[Evidence(article_id=art.id, start=a, end=b, sentence=sent_text)],
            outlets=[art.outlet] if art.outlet else [],
            negated=negated != denied,  # "X denied that Y": the article reports not-Y from X
            hedged=hedged,
        )
        return ClaimSpan(claim, a, b, self.text[speaker[0]:speaker[1]] if speaker else None,
                         speaker[0] if speaker else None, speaker[1] if speaker else None, quote_id)


def _quote_regions(article: Article, quotes: Iterable[Any]) -> list[tuple[int, int, tuple[int, int] | None,
                                                                          str | None, str | None, tuple[int, int],
                                                                          bool]]:
    """(content_start, content_end, source span, speaker text, quote id, whole extent, denial cue)."""
    out = []
    for q in quotes or []:
        if isinstance(q, QuoteSpan):
            a, b = q.record_offsets(article.text)
            src = (q.source_start, q.source_end) if q.source_start is not None else None
            rec = q.to_record(article)
            parts = [x for x in (q.source_start, q.cue_start, q.content_start) if x is not None]
            ends = [x for x in (q.source_end, q.cue_end, q.content_end) if x is not None]
            denied = q.kind == "indirect" and bool(_DENIAL_CUE.search(rec.cue or ""))
            out.append((a, b, src, rec.speaker_text, rec.id, (min(parts), max(ends)), denied))
        elif isinstance(q, Quote):
            a, b = q.evidence.start, q.evidence.end
            denied = q.kind == "indirect" and bool(_DENIAL_CUE.search(q.cue or ""))
            out.append((a, b, None, q.speaker_text, q.id, (a, b), denied))
    return out


def extract_claim_spans(article: Article, doc: Any = None, quotes: Iterable[Any] | None = None,
                        signal_spans: Iterable[Any] | None = None) -> list[ClaimSpan]:
    """Claims of ``article`` with their speaker spans.

    ``quotes``: the :class:`QuoteSpan` list from ``extract_quote_spans`` (preferred: keeps
    speaker offsets) or ``Quote`` records. ``signal_spans``: ``Signal`` objects or
    ``(start, end)`` pairs to exclude; ``None`` uses ``article.signals``.
    """
    from spacy.tokens import Doc

    with docview.scope(doc if isinstance(doc, Doc) else None):  # tokens and sentences read once
        return _claim_spans(article, doc, quotes, signal_spans)


def _claim_spans(article: Article, doc: Any, quotes: Iterable[Any] | None,
                 signal_spans: Iterable[Any] | None) -> list[ClaimSpan]:
    finder = _ClaimFinder(article, doc)
    text = article.text
    signals = _signal_ranges(article, signal_spans)
    regions = _quote_regions(article, quotes or [])
    out: list[ClaimSpan] = []
    seen: set[tuple[int, int]] = set()

    def blocked(a: int, b: int) -> bool:
        return any(sa < b and a < sb for sa, sb in signals)

    # attributed claims: quote contents, sentence by sentence
    for a, b, src, speaker_text, qid, _extent, denied in regions:
        for s, e in finder.sents:
            pa, pb = max(a, s), min(b, e)
            if pb <= pa:
                continue
            pa, pb = _trim(text, pa, pb)
            if pb - pa > 2 and text[pa] in "“\"" and text[pa:pb].rstrip(" .,").endswith(("”", '"')):
                pa += 1
                while pb > pa and text[pb - 1] in "”\" .,":
                    pb -= 1
            for x, y in finder.split(pa, pb):
                if (x, y) in seen or blocked(x, y) or not finder.checkworthy(x, y, lenient=True):
                    continue
                seen.add((x, y))
                span = finder.make(x, y, (s, e), src, qid, denied)
                if src is None and speaker_text:
                    span.speaker_text = speaker_text
                out.append(span)
    # the outlet's own voice: sentences outside every attribution
    for s, e in finder.sents:
        if any(xa < e and s < xb for *_, (xa, xb), _denied in regions):
            continue
        for x, y in finder.split(s, e):
            if (x, y) in seen or blocked(x, y) or not finder.checkworthy(x, y):
                continue
            seen.add((x, y))
            out.append(finder.make(x, y, (s, e), None, None))
    out.sort(key=lambda c: (c.start, c.end))
    return out


def extract_claims(article: Article, doc: Any = None, quotes: Iterable[Any] | None = None,
                   signal_spans: Iterable[Any] | None = None) -> list[Claim]:
    """Claim records of ``article`` (``attributed_to=None``; see :func:`extract_claim_spans`)."""
    return [c.claim for c in extract_claim_spans(article, doc, quotes, signal_spans)]
