"""Quote (attribution) extraction: who said what, with the exact span behind it.

``extract_quote_spans(article, doc)`` finds attributions as :class:`QuoteSpan`
objects that carry character offsets for the three PolNeAR roles -- *source*
(the speaker as written: "Haniyeh", "his office", "officials"), *cue* ("said",
"according to") and *content* -- so that the lead can resolve the speaker span
to an actor later. ``extract_quotes(article, doc)`` turns them into
:class:`~crossread.records.Quote` records (``speaker=None``, ``speaker_text``
filled).

Offsets convention
------------------
* ``QuoteSpan`` offsets follow PolNeAR: the content of an indirect quote keeps
  its complementizer ("that the vote ..."), the content of a direct quote keeps
  its quotation marks, the final sentence period outside quotes is excluded.
* ``Quote.evidence.start/end`` is the *content* span with a leading "that"
  and surrounding whitespace removed, so ``article.text[start:end] ==
  quote.content`` always holds; ``evidence.sentence`` is the text of the
  sentence(s) holding the whole attribution (source, cue and content).

What is recognised (rules over tokens; a dependency parse is used when the doc
has one, but everything also works on a blank pipeline or raw text):

* direct: ``"...," X said`` / ``"...," said X`` / ``X said: "..."`` /
  ``X said, "..."``, quotes running over several sentences or paragraphs
  (an open quote continued by an opening quote at the next paragraph);
* indirect: ``X said (that) ...``, ``... , X said.``, ``according to X, ...``,
  ``..., according to X``, gerund cues (``..., adding that ...``);
* mixed: indirect content that contains a quotation;
* no cue: ``Haniyeh: ...`` heading style, and a paragraph that is only a
  quotation takes its speaker from the previous (else next) paragraph's quote;
  ``“...” ― Name`` signatures (the dash is the cue);
* frames (needs a parse): any head word with a cue frame in the lexicon
  ("Clinton wants to ...", "the bill was passed by Congress"), source and
  content taken from the dependents the frame names (:func:`learn_frames`).

The lexicon (:class:`CueLexicon`): reporting-verb forms, head-word frames,
multiword cues. The shipped one (``data/quote_cues.json``) is curated
(:func:`curated_lexicon`); :func:`train_cue_lexicon` learns forms
(:meth:`CueLexicon.from_polnear`), frames and multiword cues from a
PolNeAR-layout train split (used by ``crossread eval quotes``; PolNeAR's licence
keeps the learnt one out of the repository).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from crossread.nlp import docview
from crossread.records import Article, Evidence, Quote, QuoteKind, record_id
from crossread.sentences import ENDS_WITH_TITLE_ABBREVIATION, sentence_spans as shared_sentence_spans

# --------------------------------------------------------------------------- lexicon

#: lemma -> irregular / extra forms; regular inflections are generated.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "think": ("thinks", "thought", "thinking"),
    "see": ("sees", "saw", "seen", "seeing"),
    "tweet": ("tweets", "tweeted", "tweeting"),
    "admit": ("admits", "admitted", "admitting"),
    "hold": ("holds", "held", "holding"),
    "foresee": ("foresees", "foresaw", "foreseen"),
    "forecast": ("forecasts", "forecast", "forecasting"),
    "predict": ("predicts", "predicted", "predicting"),
    "quip": ("quips", "quipped", "quipping"),
    "deny": ("denies", "denied", "denying"),
    "reply": ("replies", "replied", "replying"),
    "testify": ("testifies", "testified", "testifying"),
    "signal": ("signals", "signaled", "signalled", "signaling"),
    "know": ("knows", "knew", "known"),
}

#: reporting verbs: speech, writing, opinion and stance.
CUE_LEMMAS: tuple[str, ...] = (
    "say", "tell", "state", "claim", "argue", "add", "note", "warn", "accuse", "describe",
    "call", "hail", "insist", "deny", "announce", "declare", "stress", "write", "tweet",
    "assert", "allege", "explain", "acknowledge", "admit", "confirm", "suggest", "report",
    "maintain", "contend", "emphasize", "emphasise", "reiterate", "reply", "respond",
    "remark", "comment", "observe", "predict", "promise", "vow", "pledge", "threaten",
    "urge", "demand", "ask", "question", "criticize", "criticise", "condemn", "praise",
    "blame", "charge", "complain", "concede", "conclude", "believe", "think", "estimate",
    "testify", "recall", "reveal", "disclose", "indicate", "point", "quip", "joke",
    "boast", "brag", "lament", "mention", "posit", "proclaim", "reckon", "recount",
    "signal", "underline", "underscore", "welcome", "slam", "blast", "dismiss",
    "rebuke", "reject", "attack", "decry", "denounce", "applaud", "celebrate",
    "caution", "fear", "hope", "doubt", "agree", "disagree", "continue", "retort",
)

_CUE_LEMMA_SET = frozenset(CUE_LEMMAS)

_NOT_CUE_FORMS = {"point", "points", "call", "question", "charge", "charges", "report",
                  "reports", "attack", "attacks", "hope", "fear", "doubt", "signal", "signals",
                  "comment", "comments", "continue", "continues", "continued", "continuing",
                  "agree", "disagree", "welcome", "state", "states", "tweet", "tweets",
                  "promises", "questions", "calls", "claims", "praise", "blame", "deny", "warning"}

#: tokens that make an ambiguous cue form not a cue ("called for", "added to").
_BAD_NEXT = {
    "call": {"for", "off", "up", "in", "out", "back", "on"},
    "add": {"to", "up"},
    "point": {"at", "to"},
    "hold": {"up", "on", "off", "back", "out", "the", "a", "an", "its", "his", "her", "their"},
    "see": {"the", "a", "an", "it", "him", "her", "them"},
    "report": {"to"},
    "state": {"department", "of", "'s", "’s"},
}

_ADVERBS = {"also", "later", "previously", "recently", "then", "repeatedly", "publicly",
            "reportedly", "once", "again", "further", "privately", "earlier", "now", "has",
            "have", "had", "is", "was", "were", "are", "would", "will", "could", "did", "does",
            "do", "not", "n't", "never", "often", "frequently", "allegedly", "angrily",
            "flatly", "firmly", "simply", "quickly", "already", "just", "still", "even",
            "both", "all", "had", "has", "reportedly", "openly", "bluntly"}
_AUX = {"has", "have", "had", "is", "was", "were", "are", "would", "will", "could", "did",
        "does", "do", "not", "n't", "never", "also", "may", "might", "should", "can"}
_PRONOUN_SUBJ = {"he", "she", "they", "we", "i", "it", "you"}
_SOURCE_BOUNDARY = {",", ";", ":", "that", "and", "but", "—", "–", "-", "(", ")", "as",
                    "which", "because", "while", "when", "if", "so", "after", "before",
                    "since", "though", "although", "where", "or", "than", "by", "with", "for",
                    "featuring", "from", "in", "on", "at", "into", "about", "after", "like"}
_TRAILER_PREPS = {"in", "on", "at", "during", "to", "after", "while", "when", "before",
                  "last", "this", "earlier", "later", "friday", "monday", "tuesday",
                  "wednesday", "thursday", "saturday", "sunday", "yesterday", "today",
                  "tonight", "told", "via", "through", "from", "of", "with", "according"}
_HEADING_STOP = {"disclaimer", "note", "update", "updated", "editor", "editor's", "editor’s",
                 "photo", "photos", "source", "sources", "related", "read", "watch", "correction",
                 "warning", "share", "tags", "tag", "topics", "image", "video", "credit",
                 "by", "posted", "published", "email", "contact", "advertisement", "see",
                 "also", "more", "subscribe", "follow", "q", "a", "comments", "date", "time",
                 "location", "when", "where", "what", "who", "why", "how", "breaking"}

_TITLES = {"mr.", "mrs.", "ms.", "dr.", "prof.", "sen.", "rep.", "gov.", "gen.", "lt.", "col.", "st.",
           "jr.", "sr.", "rev.", "capt.", "sgt.", "adm.", "pres.", "u.s.", "u.n.", "u.k."}

OPEN_QUOTES = "“«„"
CLOSE_QUOTES = "”»"


def _inflect(lemma: str) -> set[str]:
    if lemma in _IRREGULAR:
        return {lemma, *_IRREGULAR[lemma]}
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif re.search(r"(s|sh|ch|x|z)$", lemma):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        if re.search(r"[^aeiou][aeiou][pt]$", lemma) and len(lemma) <= 4:
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


@dataclass
class CueLexicon:
    """Word forms that can be attribution cues, with an optional learnt score.

    ``forms`` maps a lower-cased word form to its lemma; ``scores`` (learnt from
    PolNeAR train) maps a form to P(cue | form), ``counts`` to its cue count.
    """

    forms: dict[str, str] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: "lemma|POS" -> {"cue": n, "n": n, "source": {rel: n}, "content": {rel: n}}: how often
    #: a head word is a cue and which dependents hold the source and the content
    #: (learnt by :func:`train_cue_lexicon`; used by the dependency "frame" rule).
    frames: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: multiword cues ("according to", "in a statement") -> annotation count.
    phrases: dict[str, int] = field(default_factory=dict)
    #: frame-rule thresholds: minimum cue count and P(cue | lemma, POS).
    frame_min_count: int = 3
    frame_min_ratio: float = 0.3
    #: content relation -> other dependent relation -> [times inside the content, times
    #: present]: e.g. an ``obj`` before an ``xcomp`` content belongs to it.
    merges: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> "CueLexicon":
        forms: dict[str, str] = {}
        for lemma in CUE_LEMMAS:
            for form in _inflect(lemma):
                if form not in _NOT_CUE_FORMS:
                    forms.setdefault(form, lemma)
        return cls(forms=forms)

    def lemma_of(self, form: str, lemma: str | None = None) -> str | None:
        low = form.lower()
        if low in self.forms:
            return self.forms[low]
        if lemma and lemma.lower() in _CUE_LEMMA_SET and low not in _NOT_CUE_FORMS:
            return lemma.lower()
        return None

    def __contains__(self, form: str) -> bool:
        return form.lower() in self.forms

    @classmethod
    def from_polnear(cls, folder: str | Path, *, min_count: int = 3, min_ratio: float = 0.25,
                     base: "CueLexicon | None" = None, split: str = "train") -> "CueLexicon":
        """Learn cue word forms from a PolNeAR-layout folder (``<folder>/<split>`` or
        ``<folder>/data/<split>``): a single-word form whose cue annotations make up at
        least ``min_ratio`` of its occurrences (and at least ``min_count`` of them) is
        added to ``base`` (default: the curated lexicon)."""
        docs = load_polnear(folder, split)
        cue_counts: Counter[str] = Counter()
        all_counts: Counter[str] = Counter()
        for doc in docs:
            for m in _WORD_RE.finditer(doc.text):
                all_counts[m.group().lower()] += 1
            for att in doc.attributions:
                for start, end in att.cue:
                    words = _WORD_RE.findall(doc.text[start:end])
                    words = [w.lower() for w in words if w.lower() not in _AUX]
                    if len(words) == 1:
                        cue_counts[words[0]] += 1
        lex = base or cls.default()
        lex = CueLexicon(dict(lex.forms), dict(lex.scores), dict(lex.counts), dict(lex.frames),
                         dict(lex.phrases), lex.frame_min_count, lex.frame_min_ratio, dict(lex.merges))
        for form, count in cue_counts.items():
            ratio = count / max(all_counts[form], 1)
            lex.scores[form] = ratio
            lex.counts[form] = count
            if count >= min_count and ratio >= min_ratio and form not in _STOP_CUES:
                lex.forms.setdefault(form, form)
        return lex


#: a dash and a short name ending the line or followed by the next quotation.
_DASH_SIGNATURE = re.compile(r"[ \t\u00a0]*(?P<dash>―|—|–|--)[ \t\u00a0]*"
                             r"(?P<name>(?:[A-Z][\w.’'-]*|de|del|la|van|von|al|bin)(?:[ \u00a0](?:[A-Z][\w.’'-]*|de|del|la|"
                             r"van|von|al|bin)){0,4}[ \t\u00a0,.]*)(?=\n|$|[“\"])")

_TIME_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
               "yesterday", "tonight", "morning", "afternoon", "evening", "night", "last", "this", "week",
               "earlier", "later", "then", "again", "on", "in", "recently"}

#: participles that open a second attribution after a comma (", adding that ...").
_GERUND_CUES = {"adding", "saying", "noting", "referring", "citing", "arguing", "claiming",
                "warning", "insisting", "explaining", "according", "calling", "accusing", "suggesting"}

#: words that start a part of the sentence outside a cue's complement.
_CLIP_WORDS = {"while", "whereas", "although", "though", "prompting", "amid"}

# Function words that annotators sometimes mark as cues but that are useless alone.
_STOP_CUES = {"the", "a", "an", "of", "in", "to", "for", "and", "is", "was", "be", "that",
              "it", "on", "as", "with", "by", "at", "from", "this", "have", "been", "are"}

_DEFAULT_LEXICON: CueLexicon | None = None


def default_lexicon() -> CueLexicon:
    """The shipped lexicon (``data/quote_cues.json``), else the curated one built in code."""
    global _DEFAULT_LEXICON
    if _DEFAULT_LEXICON is None:
        _DEFAULT_LEXICON = load_cue_lexicon(LEXICON_PATH) if LEXICON_PATH.is_file() else curated_lexicon()
    return _DEFAULT_LEXICON


#: curated argument frames of reporting verbs (used without training data): which
#: dependent holds the content. Written from general knowledge of English reporting
#: verbs (Levin 1993 classes "say", "complain", "judge", "advise"), not from any corpus.
_CURATED_CONTENT: dict[str, tuple[str, ...]] = {
    "ccomp": ("say", "tell", "state", "claim", "argue", "add", "note", "insist", "deny", "announce",
              "declare", "stress", "write", "tweet", "assert", "allege", "explain", "acknowledge",
              "admit", "confirm", "suggest", "report", "maintain", "contend", "emphasize", "emphasise",
              "reiterate", "reply", "respond", "remark", "observe", "predict", "concede", "conclude",
              "believe", "think", "estimate", "testify", "recall", "reveal", "disclose", "indicate",
              "warn", "complain", "fear", "hope", "doubt", "agree", "boast", "brag", "lament", "mention",
              "posit", "proclaim", "reckon", "recount", "signal", "underline", "underscore", "joke",
              "quip", "caution", "promise", "threaten", "vow", "pledge"),
    "obj": ("accuse", "describe", "call", "hail", "praise", "criticize", "criticise", "condemn", "blame",
            "welcome", "slam", "blast", "dismiss", "rebuke", "reject", "attack", "decry", "denounce",
            "applaud", "celebrate", "question", "mention", "deny", "announce", "confirm", "reveal",
            "disclose", "predict", "admit", "acknowledge"),
    "xcomp": ("urge", "ask", "promise", "vow", "pledge", "threaten", "demand", "refuse", "decline",
              "agree", "hope"),
}
_CURATED_PHRASES = ("according to", "said in a statement", "in a statement", "told reporters",
                    "pointed out", "called for", "called on", "referring to", "went on to say",
                    "made clear", "made it clear", "put it", "said in an interview", "complained about",
                    "spoke about", "talked about", "warned against", "warned of")


def curated_lexicon() -> CueLexicon:
    """Reporting-verb forms (:meth:`CueLexicon.default`) plus hand-written frames and
    multiword cues: what ships in ``data/quote_cues.json``."""
    lex = CueLexicon.default()
    for rel, lemmas in _CURATED_CONTENT.items():
        for lemma in lemmas:
            fr = lex.frames.setdefault(f"{lemma}|VERB", {
                "cue": 10, "n": 10, "content": {}, "avail": {},
                "source": {"nsubj": 10, "conj>nsubj": 3, "advcl>nsubj": 2, "xcomp>nsubj": 2, "obl:agent": 2}})
            fr["content"][rel] = 10
            fr["avail"][rel] = 10
    lex.phrases = {p: 10 for p in _CURATED_PHRASES}
    lex.merges = {"xcomp": {"obj": [10, 10], "iobj": [10, 10]}, "obl": {"obj": [10, 10]}}
    return lex


#: shipped lexicon file (curated reporting verbs, multiword and nominal cues, frames).
LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "quote_cues.json"

def _subtree_extents(toks: "list[_Tok]") -> tuple[list[int], list[int]]:
    """Leftmost / rightmost token index of every token's subtree (heads are indices
    into ``toks``); O(n * depth)."""
    # (toks[k].i == k: the walk runs over the head indices)
    heads = [t.head for t in toks]
    left = list(range(len(toks)))
    right = list(range(len(toks)))
    for i in range(len(toks)):
        cur, seen = i, 0
        while heads[cur] != cur and seen < 60:
            cur = heads[cur]
            if i < left[cur]:
                left[cur] = i
            if i > right[cur]:
                right[cur] = i
            seen += 1
    return left, right


def _children(toks: "list[_Tok]") -> dict[int, list["_Tok"]]:
    out: dict[int, list[_Tok]] = {}
    for t in toks:
        h = t.head
        if h != t.i:
            if h in out:
                out[h].append(t)
            else:
                out[h] = [t]
    return out


def _arg_candidates(toks: "list[_Tok]", children: dict[int, list["_Tok"]], h: int) -> list[tuple[str, "_Tok"]]:
    """Possible argument positions of the cue head ``toks[h]``: its dependents (by
    relation), its own head ("^rel"), and for a verb with no subject of its own that is
    coordinated with or governed by another ("X exhorted ... and said ...", "X refused
    to endorse ..."), that verb's subject ("conj>nsubj", "xcomp>nsubj")."""
    kids = children.get(h, [])
    cands = [(c.dep, c) for c in kids]
    t = toks[h]
    if t.head != h:
        cands.append(("^" + t.dep, toks[t.head]))
        if t.dep in ("conj", "xcomp", "advcl") and not any(c.dep.startswith("nsubj") for c in kids):
            for c in children.get(t.head, []):
                if c.dep in ("nsubj", "nsubj:pass"):
                    cands.append((t.dep + ">" + c.dep, c))
                    break
    return cands


def _frame_key(tok: "_Tok") -> str:
    return f"{tok.lemma or tok.lower}|{tok.pos}"


def learn_frames(golds: "list[GoldDoc]", parsed: Any) -> tuple[dict[str, dict[str, Any]], dict[str, int],
                                                              dict[str, dict[str, list[int]]]]:
    """Cue frames from gold attributions over parsed docs (``parsed`` yields spaCy Docs of
    the gold texts, in order).

    For every gold cue the syntactic head of its tokens gives the key ``lemma|POS``; the
    dependent whose subtree best covers the gold source (content) gives the source
    (content) relation. Every token of the texts counts towards ``n`` so that
    ``cue / n`` estimates P(cue | lemma, POS) -- the lexicon-learning step of
    Pareti (2016, "PARC 3.0") / Newell et al. (2018, "PolNeAR"), restricted to the
    head word and its argument relations.
    """
    frames: dict[str, dict[str, Any]] = {}
    phrases: Counter[str] = Counter()
    merges: dict[str, dict[str, list[int]]] = {}
    for gold, doc in zip(golds, parsed):
        toks, has_dep = _tokens(gold.text, doc)
        if not has_dep:
            continue
        children = _children(toks)
        # words inside another attribution's source or content are not counted: PolNeAR is
        # univocal (no nested attributions), and the extractor likewise never looks for a
        # cue inside a span it has already taken
        inside = [(a, b) for att in gold.attributions for a, b in att.source + att.content]
        inside.sort()
        in_starts = [a for a, _ in inside]

        def is_inside(pos: int) -> bool:
            k = bisect.bisect_right(in_starts, pos)
            return any(a <= pos < b for a, b in inside[max(0, k - 8):k])

        for t in toks:
            if t.pos in ("VERB", "NOUN", "ADJ", "ADP", "AUX") and not is_inside(t.start):
                fr = frames.setdefault(_frame_key(t), {"cue": 0, "n": 0, "source": {}, "content": {}, "avail": {}})
                fr["n"] += 1
                # how often each argument position is filled at all: the denominator of
                # P(cue, content at rel | lemma, rel filled)
                for rel in {r for r, _ in _arg_candidates(toks, children, t.i)}:
                    fr["avail"][rel] = fr["avail"].get(rel, 0) + 1
        left, right = _subtree_extents(toks)
        starts = [t.start for t in toks]

        def covered(pieces: list[tuple[int, int]]) -> set[int]:
            out: set[int] = set()
            for a, b in pieces:
                k = bisect.bisect_left(starts, a)
                while k < len(toks) and toks[k].start < b:
                    if toks[k].end > a and _WORD_RE.match(toks[k].text):
                        out.add(k)
                    k += 1
            return out

        for att in gold.attributions:
            cue = covered(att.cue)
            if not cue:
                continue
            words = [toks[k].lower for k in sorted(cue) if toks[k].lower not in _AUX]
            if len(words) > 1 and len(words) <= 4:
                phrases[" ".join(words)] += 1
            heads = [k for k in sorted(cue) if toks[k].head not in cue or toks[k].head == k]
            verbs = [k for k in heads if toks[k].pos in ("VERB", "NOUN", "ADJ", "ADP")]
            h = (verbs or heads or sorted(cue))[0]
            fr = frames.setdefault(_frame_key(toks[h]), {"cue": 0, "n": 1, "source": {}, "content": {}, "avail": {}})
            fr["cue"] += 1
            for role in ("source", "content"):
                gold_toks = covered(getattr(att, role))
                if not gold_toks:
                    continue
                best, best_cov = None, 0.0
                cands = [(rel, c.i) for rel, c in _arg_candidates(toks, children, h) if c.i not in cue]
                for rel, c in cands:
                    sub = set(range(left[c], right[c] + 1)) if not rel.startswith("^") else {c}
                    cov = len(sub & gold_toks) / len(gold_toks)
                    if cov > best_cov:
                        best, best_cov = rel, cov
                rel = best if best is not None and best_cov >= 0.5 else "other"
                fr[role][rel] = fr[role].get(rel, 0) + 1
                if role == "content" and rel != "other":
                    # which other dependents of the cue the content takes along
                    # ("urged [obj the administration] [xcomp to ...]")
                    src_toks = covered(att.source)
                    for c in children.get(h, []):
                        if c.i in cue or c.dep == rel or c.dep == "punct":
                            continue
                        sub = set(range(left[c.i], right[c.i] + 1))
                        if sub & src_toks:
                            continue
                        m = merges.setdefault(rel, {}).setdefault(c.dep, [0, 0])
                        m[1] += 1
                        if len(sub & gold_toks) >= 0.5 * len(sub):
                            m[0] += 1
    frames = {k: v for k, v in frames.items() if v["cue"]}
    return frames, {k: v for k, v in phrases.items() if v >= 2}, merges


def train_cue_lexicon(folder: str | Path, split: str = "train", nlp: Any = None,
                      base: "CueLexicon | None" = None, parsed: Any = None, limit: int = 0) -> "CueLexicon":
    """Learn the cue lexicon from a PolNeAR-layout split: word forms
    (:meth:`CueLexicon.from_polnear`) plus head-word frames and multiword cues
    (:func:`learn_frames`). ``nlp`` parses the texts (default: the crossread pipeline);
    ``parsed`` may give the Docs directly; ``limit`` > 0 learns frames from the first
    ``limit`` articles only (parsing is the slow part)."""
    lex = CueLexicon.from_polnear(folder, split=split, base=base)
    golds = load_polnear(folder, split)
    if limit:
        golds = golds[:limit]
    if parsed is None:
        if nlp is None:
            from crossread.nlp import load_pipeline  # type: ignore[attr-defined]

            nlp = load_pipeline()
        parsed = nlp.pipe([g.text for g in golds], batch_size=8)
    frames, phrases, merges = learn_frames(golds, parsed)
    # frames seen fewer times than the rule's minimum are never used: keep the file small
    lex.frames.update({k: v for k, v in frames.items() if v["cue"] >= lex.frame_min_count})
    lex.phrases.update(phrases)
    lex.merges.update(merges)
    return lex


def _lexicon_to_json(lex: "CueLexicon", about: str = "") -> dict[str, Any]:
    return {"about": about, "forms": lex.forms, "scores": lex.scores, "counts": lex.counts, "frames": lex.frames,
            "phrases": lex.phrases, "frame_min_count": lex.frame_min_count,
            "frame_min_ratio": lex.frame_min_ratio, "merges": lex.merges}


def save_cue_lexicon(lex: "CueLexicon", path: str | Path, about: str = "") -> None:
    """Write ``lex`` as JSON (sorted keys, so that retraining gives a stable diff);
    ``about`` says where it comes from (data, licence)."""
    import json

    Path(path).write_text(json.dumps(_lexicon_to_json(lex, about), indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")


def load_cue_lexicon(path: str | Path | None = None) -> "CueLexicon":
    """Lexicon from a JSON file written by :func:`save_cue_lexicon` (default: the shipped
    ``quote_cues.json``); the curated lexicon when the file is absent."""
    import json

    path = Path(path) if path is not None else LEXICON_PATH
    if not path.is_file():
        return curated_lexicon()
    raw = json.loads(path.read_text(encoding="utf-8"))
    base = CueLexicon.default()
    base.forms.update(raw.get("forms", {}))
    return CueLexicon(base.forms, raw.get("scores", {}), raw.get("counts", {}), raw.get("frames", {}),
                      raw.get("phrases", {}), int(raw.get("frame_min_count", 3)),
                      float(raw.get("frame_min_ratio", 0.3)), raw.get("merges", {}))


# --------------------------------------------------------------------------- PolNeAR IO

_WORD_RE = re.compile(r"\w+(?:[’']\w+)*", re.UNICODE)


@dataclass
class GoldAttribution:
    source: list[tuple[int, int]]
    cue: list[tuple[int, int]]
    content: list[tuple[int, int]]


@dataclass
class GoldDoc:
    name: str
    text: str
    attributions: list[GoldAttribution]


def _split_dir(folder: str | Path, split: str) -> Path:
    folder = Path(folder)
    for cand in (folder / split, folder / "data" / split):
        if (cand / "attributions").is_dir():
            return cand
    raise FileNotFoundError(f"no {split}/attributions under {folder}")


def parse_brat(ann: str) -> list[GoldAttribution]:
    """Attributions of one BRAT standoff file (``E`` lines tie Source/Cue/Content T-spans)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            head = parts[1].split(" ", 1)
            if len(head) < 2:
                continue
            pieces = []
            for piece in head[1].split(";"):
                a, _, b = piece.strip().partition(" ")
                if a.isdigit() and b.isdigit():
                    pieces.append((int(a), int(b)))
            spans[parts[0]] = pieces
        elif parts[0].startswith("E"):
            args = []
            for arg in parts[1].split():
                role, _, tid = arg.partition(":")
                args.append((re.sub(r"\d+$", "", role), tid))
            events.append(args)
    out = []
    for args in events:
        att = GoldAttribution([], [], [])
        for role, tid in args:
            target = {"Source": att.source, "Cue": att.cue, "Content": att.content}.get(role)
            if target is not None:
                target.extend(spans.get(tid, []))
        if att.source or att.cue or att.content:
            out.append(att)
    return out


def load_polnear(folder: str | Path, split: str) -> list[GoldDoc]:
    """Load a PolNeAR split; with several annotators of one article the first (by
    file name) is used."""
    base = _split_dir(folder, split)
    texts = {p.stem: p for p in (base / "text").glob("*.txt")}
    seen: set[str] = set()
    docs = []
    for ann in sorted((base / "attributions").glob("*.ann")):
        stem = ann.stem
        name = stem if stem in texts else stem.rsplit("_", 1)[0]
        if name not in texts or name in seen:
            continue
        seen.add(name)
        text = texts[name].read_text(encoding="utf-8")
        docs.append(GoldDoc(name, text, parse_brat(ann.read_text(encoding="utf-8"))))
    return docs


# --------------------------------------------------------------------------- spans


@dataclass
class QuoteSpan:
    """One attribution with character offsets into ``article.text``.

    ``source_*``/``cue_*`` are ``None`` when absent; ``group`` ties the parts of one
    quote interrupted by its attribution ("“A,” he said. “B.”").
    """

    kind: QuoteKind
    content_start: int
    content_end: int
    source_start: int | None = None
    source_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    sentence_start: int = 0
    sentence_end: int = 0
    group: int = -1
    rule: str = ""

    def source_text(self, text: str) -> str | None:
        if self.source_start is None or self.source_end is None:
            return None
        return text[self.source_start:self.source_end]

    def cue_text(self, text: str) -> str | None:
        if self.cue_start is None or self.cue_end is None:
            return None
        return text[self.cue_start:self.cue_end]

    def record_offsets(self, text: str) -> tuple[int, int]:
        """Content offsets as used in the Quote record (no leading "that", trimmed)."""
        start, end = self.content_start, self.content_end
        m = re.match(r"\s*(?:that\b\s*)?", text[start:end], re.IGNORECASE)
        if m and m.end() < end - start:
            start += m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        while start < end and text[start].isspace():
            start += 1
        return start, end

    def to_record(self, article: Article) -> Quote:
        text = article.text
        start, end = self.record_offsets(text)
        sent_start = min(self.sentence_start, start)
        sent_end = max(self.sentence_end, end)
        return Quote(
            id=record_id("quote", article.id, start, end),
            speaker=None,
            speaker_text=self.source_text(text),
            cue=self.cue_text(text),
            content=text[start:end],
            kind=self.kind,
            evidence=Evidence(article_id=article.id, start=start, end=end,
                              sentence=text[sent_start:sent_end].strip()),
        )


@dataclass(slots=True)
class _Tok:
    i: int
    start: int
    end: int
    text: str
    lower: str
    lemma: str
    pos: str
    dep: str
    head: int
    is_ent: bool = False


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """spaCy's English tokenizer alone (no parse), for text that comes without a Doc."""
    import spacy

    return spacy.blank("en").tokenizer


def _tokens(text: str, doc: Any) -> tuple[list[_Tok], bool]:
    """Tokens of ``text``, read from ``doc`` when it was made from the same text, else from a Doc that
    spaCy's tokenizer makes of it (no parse: the rules fall back to word patterns); never a tokenizer
    of our own. The list is read once per Doc (shared by the quote and claim extractors of one
    extraction): never mutate it."""
    if doc is not None and docview.text_of(doc) == text and len(doc):
        view = docview.view_of(doc)
        return view.memo("quotes._tokens", lambda: _doc_tokens(view))
    return _doc_tokens(docview.DocView(_tokenizer()(text)))


def _doc_tokens(view: Any) -> tuple[list[_Tok], bool]:
    has_dep = view.has_annotation("DEP")
    has_lemma = view.has_annotation("LEMMA")
    has_pos = view.has_annotation("POS") or view.has_annotation("TAG")
    ent_tokens = {k for e in view.ents for k in range(e.start, e.end)}
    words, heads, udeps = view.words, view.heads, view.udeps
    # doc indices -> positions in ``toks`` (space tokens left out)
    keep = [k for k, space in enumerate(view.is_spaces) if not space]
    pos_of = {k: n for n, k in enumerate(keep)}
    toks = []
    for n, k in enumerate(keep):
        word = words[k]
        dep = ""
        if has_dep:
            dep = view.deps[k]
            if udeps is not None and udeps[k]:  # token._.udep (the crossread adapter's UD label)
                dep = udeps[k]
        # '' and `` are double quotation marks: the rules see them as '"'
        ttext = '"' if word in ("''", "``") else word
        start = view.idxs[k]
        toks.append(_Tok(n, start, start + len(word), ttext, ttext.lower(),
                         view.lemmas[k].lower() if has_lemma else "", view.pos[k] if has_pos else "",
                         dep, pos_of.get(heads[k], n), k in ent_tokens))
    return toks, has_dep


_ABBREV_END = ENDS_WITH_TITLE_ABBREVIATION  # the shared list (crossread.sentences)

# a sentence piece ending in a quotation closed on a comma, or on ?/!/a dash
_OPEN_END = re.compile(r"[,;]\s*[”\"’']+\s*$")
_MARK_END = re.compile(r"[?!—–-]\s*[”\"’']+\s*$")
# a sentence that is only an attribution: "Mr. Calderón told CNBC."
_CUE_START = re.compile(r"(?:[A-Z][\w.’'-]*\s+){1,4}(?:said|says|asked|told|added|wrote|continued|replied|"
                        r"responded|tweeted|declared|insisted|explained|stated)\b")


def _sentence_ranges(text: str, doc: Any) -> list[tuple[int, int]]:
    """Sentence character ranges, never crossing a line break."""
    if doc is not None and docview.text_of(doc) == text and len(doc):
        view = docview.view_of(doc)
        if view.has_annotation("SENT_START") or view.has_annotation("DEP"):
            # computed once per Doc (quotes and claims both ask); a copy for each caller
            return list(view.memo("quotes._sentence_ranges",
                                  lambda: _ranges(text, [(s.start_char, s.end_char) for s in view.sents])))
    return _ranges(text, None)


def _ranges(text: str, raw: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    """:func:`_sentence_ranges` from the Doc's sentence spans (``raw``), else (``None``, no Doc) from
    :func:`crossread.sentences.sentence_spans`."""
    ranges: list[tuple[int, int]] = []
    if raw is not None:
        # statistical splitters break after title abbreviations ("its No. 1 ally", "Gen.
        # Michael Flynn"): join those back
        merged: list[tuple[int, int]] = []
        for a, b in raw:
            if merged and "\n" not in text[merged[-1][1]:a] and (
                    _ABBREV_END.search(text[merged[-1][0]:merged[-1][1]])
                    # '“...,” | Fox said.': a quotation closed on a comma (or on ?/! before a lower-case
                    # word: '“...?” | he asked') does not end the sentence its attribution is in
                    or _OPEN_END.search(text[merged[-1][0]:merged[-1][1]])
                    or (_MARK_END.search(text[merged[-1][0]:merged[-1][1]])
                        and (text[a:a + 1].islower() or _CUE_START.match(text, a)))):
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        # a closing quotation mark split off to the next sentence belongs to this one
        raw = []
        for a, b in merged:
            m = re.match(r"\s*[”’\"']+(?=\s|$)", text[a:b])
            if raw and m and "\n" not in text[raw[-1][1]:a]:
                raw[-1] = (raw[-1][0], a + m.end())
                a += m.end()
            if text[a:b].strip():
                raw.append((a, b))
    else:  # no Doc: the one shared splitter (it also breaks at line breaks and strips)
        raw = shared_sentence_spans(text)
    for start, end in raw:
        pos = start
        for piece in re.split(r"(\n)", text[start:end]):
            if piece and piece != "\n":
                a = pos + len(piece) - len(piece.lstrip())
                b = pos + len(piece.rstrip())
                if b > a:
                    ranges.append((a, b))
            pos += len(piece)
    return ranges


# the characters find_quotations acts on (a newline, quotation marks, the "''" mark's first quote)
_QUOTE_SCAN_CHARS = frozenset("\n" + OPEN_QUOTES + CLOSE_QUOTES + "\"'")
_QUOTE_SCAN = re.compile("[" + re.escape("".join(sorted(_QUOTE_SCAN_CHARS))) + "]")


def find_quotations(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations (marks included), curly or straight.

    A quotation left open at the end of a paragraph continues when the next
    paragraph opens with a quotation mark (the newspaper convention); otherwise
    it is closed at the paragraph end.
    """
    out: list[tuple[int, int]] = []
    open_at: int | None = None
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch not in _QUOTE_SCAN_CHARS:
            # nothing happens at this character: jump to the next one where something may
            nxt = _QUOTE_SCAN.search(text, i)
            if nxt is None:
                break
            i = nxt.start()
            ch = text[i]
        if ch == "\n":
            if open_at is not None:
                j = i
                while j < n and text[j].isspace():
                    j += 1
                if j < n and text[j] in OPEN_QUOTES + '"':
                    i = j + 1  # continuation: skip the re-opening mark
                    continue
                end = i
                while end > open_at and text[end - 1].isspace():
                    end -= 1
                out.append((open_at, end))
                open_at = None
        elif ch in OPEN_QUOTES:
            if open_at is None:
                open_at = i
        elif ch in CLOSE_QUOTES:
            if open_at is not None:
                out.append((open_at, i + 1))
                open_at = None
        elif ch == '"' or text.startswith("''", i):
            # '' is the double quotation mark of some wire/archive texts (NYT in PolNeAR)
            width = 1 if ch == '"' else 2
            prev = text[i - 1] if i else " "
            nxt = text[i + width] if i + width < n else " "
            opening = (prev.isspace() or prev in "([{—–-:/") and not nxt.isspace()
            if open_at is None and (opening or i == 0):
                open_at = i
            elif open_at is not None:
                out.append((open_at, i + width))
                open_at = None
            i += width
            continue
        i += 1
    if open_at is not None:
        end = n
        while end > open_at and text[end - 1].isspace():
            end -= 1
        out.append((open_at, end))
    return [(a, b) for a, b in out if len(_WORD_RE.findall(text[a:b])) >= 1]


# --------------------------------------------------------------------------- extraction


class _Extractor:
    def __init__(self, text: str, doc: Any, lexicon: CueLexicon):
        self.text = text
        self.lex = lexicon
        self.toks, self.has_dep = _tokens(text, doc)
        self.sents = _sentence_ranges(text, doc)
        self.quotes = find_quotations(text)
        self.paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)
                           if text[m.start():m.end()].strip()]
        self.starts = [t.start for t in self.toks]
        self.used: list[tuple[int, int]] = []
        self._used_index: tuple[list[int], list[int]] | None = None
        self.spans: list[QuoteSpan] = []
        self.group = 0
        self._extents: tuple[list[int], list[int]] | None = None

    # -- helpers
    def toks_in(self, a: int, b: int) -> list[_Tok]:
        k = bisect.bisect_left(self.starts, a)
        out = []
        while k < len(self.toks) and self.toks[k].start < b:
            out.append(self.toks[k])
            k += 1
        return out

    def quote_at(self, pos: int) -> tuple[int, int] | None:
        for a, b in self.quotes:
            if a <= pos < b:
                return a, b
        return None

    def is_used(self, a: int, b: int) -> bool:
        """Whether [a, b) meets a span already taken: any used (ua, ub) with a < ub and ua < b.
        Asked for every token: answered from the used spans sorted by start and the running
        maximum of their ends (rebuilt after each ``add``)."""
        index = self._used_index
        if index is None:
            order = sorted(self.used)
            top = []
            highest = None
            for _, ub in order:
                if highest is None or ub > highest:
                    highest = ub
                top.append(highest)
            index = self._used_index = ([ua for ua, _ in order], top)
        starts, top = index
        k = bisect.bisect_left(starts, b)  # the spans with ua < b
        return k > 0 and top[k - 1] > a

    def cue_lemma(self, tok: _Tok, nxt: _Tok | None) -> str | None:
        lemma = self.lex.lemma_of(tok.text, tok.lemma)
        if lemma is None and tok.lower in ("continued", "continues") and self._next_to_quotation(tok, nxt):
            return "continue"  # '“...,” the statement continued.' / 'He continued: “...”'
        if lemma is None:
            return None
        if tok.pos and tok.pos not in ("VERB", "AUX", "") and tok.lower not in self.lex.forms:
            return None
        if tok.pos in ("NOUN", "PROPN", "ADJ", "ADP", "DET") and lemma not in ("say",):
            return None
        if nxt is not None and nxt.lower in _BAD_NEXT.get(lemma, ()):
            return None
        prev = self.toks[tok.i - 1] if tok.i > 0 else None
        if prev is not None and prev.lower in ("the", "a", "an", "its", "his", "her", "their", "this", "to",
                                               "our", "my", "your", "these", "those"):
            return None
        if tok.text[:1].isupper() and tok.lower not in ("says", "said"):
            # "Call", "Note:" starting a line, or a name like "Hope"
            return None
        return lemma

    def _time_only(self, a: int, b: int) -> bool:
        """[a, b) is only a time expression ("Friday", "Sunday night", "last week")."""
        found = _WORD_RE.findall(self.text[a:b])
        return bool(found) and all(w.lower() in _TIME_WORDS or w.lower() in ("week", "month", "year", "night")
                                   for w in found)

    def _next_to_quotation(self, tok: _Tok, nxt: _Tok | None) -> bool:
        """A cue right after a quotation and its speaker ('“...,” Akin continued.'), or before a
        colon and a quotation ('He continued: “...”')."""
        if nxt is not None and nxt.text == ":":
            after = self.toks[nxt.i + 1] if nxt.i + 1 < len(self.toks) else None
            return after is not None and after.text in OPEN_QUOTES + '"'
        if nxt is not None and nxt.text not in ".,;":
            return False
        for j in range(tok.i - 1, max(-1, tok.i - 7), -1):
            if self.toks[j].text in CLOSE_QUOTES + '"':
                return self.toks[j - 1].text in ",?!" if j > 0 else False
            if self.toks[j].text in ".;:!?":
                return False
        return False

    def add(self, span: QuoteSpan) -> None:
        self.spans.append(span)
        for a, b in ((span.content_start, span.content_end), (span.source_start, span.source_end),
                     (span.cue_start, span.cue_end)):
            if a is not None and b is not None:
                self.used.append((a, b))
                self._used_index = None

    def source_before(self, toks: list[_Tok], cue_k: int, lo: int = 0) -> tuple[int, int] | None:
        """Speaker NP ending just before toks[cue_k] (index into ``toks``), not before ``lo``."""
        cue = toks[cue_k]
        if self.has_dep:
            subj = [t for t in toks if t.head == cue.i and t.dep in ("nsubj", "nsubj:pass", "nsubjpass", "nsubj:outer")
                    and t.i != cue.i]
            if subj:
                # all subject dependents together ("A spokeswoman [outer] for Hillary Clinton [nsubj]")
                sub = [u for u in toks if any(self._dominated_by(u, t.i) for t in subj)]
                first = self.extend_np_left(min(u.i for u in sub), toks[0].i)
                return self.toks[first].start, max(u.end for u in sub)
            if cue.dep in ("xcomp", "advcl") and cue.head != cue.i and (cue.dep == "xcomp" or cue.lower.endswith("ing")):
                # "Biden was quick to retort:", "Mendes released a statement Sunday saying:": the
                # subject of the word the cue completes
                for t in toks:
                    if t.head == cue.head and t.dep in ("nsubj", "nsubj:pass") and t.i < cue.i:
                        sub = [u for u in toks if self._dominated_by(u, t.i)]
                        return min(u.start for u in sub), max(u.end for u in sub)
            first_verb, steps = cue, 0
            while first_verb.dep == "conj" and first_verb.head != first_verb.i and steps < 4:
                steps += 1
                # "Cruz exhorted Republicans ... and said he was ...", "Grimm stormed back, leaned
                # in and said": the subject of the first verb of the coordination
                first_verb = self.toks[first_verb.head]
                for t in toks:
                    if t.head == first_verb.i and t.dep in ("nsubj", "nsubj:pass") and t.i < cue.i:
                        sub = [u for u in toks if self._dominated_by(u, t.i)]
                        if self.toks[min(u.i for u in sub)].dep == "case":
                            break  # "After reporter Scotto finished ...": a misparse, not a subject
                        return min(u.start for u in sub), max(u.end for u in sub)
                else:
                    continue
                # the nearest subject before the cue ("..., Grimm stormed back, leaned in and said")
                for t in reversed([u for u in toks if u.i < cue.i]):
                    if t.dep in ("nsubj", "nsubj:pass") and t.lower not in ("who", "which", "that") \
                            and not self.quote_at(t.start) and self.toks[t.head].pos in ("VERB", "AUX"):
                        sub = [u for u in toks if self._dominated_by(u, t.i)]
                        if self.toks[min(u.i for u in sub)].dep != "case":
                            return min(u.start for u in sub), max(u.end for u in sub)
                break
        k = cue_k - 1
        while k >= lo and toks[k].lower in _AUX | _ADVERBS and toks[k].lower not in ("told",):
            k -= 1
        end_k = k
        if end_k < lo:
            return None
        if toks[end_k].lower in _SOURCE_BOUNDARY or toks[end_k].text in OPEN_QUOTES + CLOSE_QUOTES + '"':
            if toks[end_k].text == "," and end_k - 1 >= lo:
                # "Nour News, with close ties to Iran, hailed": NP before the first comma
                for c in range(end_k - 1, max(lo - 1, end_k - 16), -1):
                    if toks[c].text == "," and c - 1 >= lo and toks[c - 1].lower not in _SOURCE_BOUNDARY:
                        j = c - 1
                        while j - 1 >= lo and toks[j - 1].lower not in _SOURCE_BOUNDARY and c - j < 8 \
                                and toks[j - 1].text not in OPEN_QUOTES + CLOSE_QUOTES + '"':
                            j -= 1
                        if j == lo or toks[j - 1].text in (",", ";", ":") or toks[j - 1].lower in _SOURCE_BOUNDARY:
                            return toks[j].start, toks[end_k - 1].end
                        return None
                    if toks[c].text in ".;:!?" or toks[c].text in OPEN_QUOTES + CLOSE_QUOTES + '"':
                        return None
            return None
        k = end_k
        while k - 1 >= lo and end_k - k < 12:
            prev = toks[k - 1]
            if prev.lower in _SOURCE_BOUNDARY or prev.text in OPEN_QUOTES + CLOSE_QUOTES + '"':
                # appositive: "Ismail Haniyeh, the head of Hamas, said"
                if prev.text == "," and k - 2 >= lo and toks[k - 2].text[:1].isupper() \
                        and not toks[k - 2].lower.endswith("ly"):
                    j = k - 2
                    while j - 1 >= lo and toks[j - 1].text[:1].isupper() and toks[j - 1].lower not in _SOURCE_BOUNDARY:
                        j -= 1
                    if (j == lo or toks[j - 1].lower in (",", "and", "but", ";")) and k - 2 - j <= 4 \
                            and toks[k].lower in ("the", "a", "an", "its", "his", "her", "their", "former", "who"):
                        k = j
                break
            if prev.pos in ("VERB",) and prev.dep not in ("amod", "compound"):
                break
            if prev.text.endswith(".") and len(prev.text) > 1 and toks[k].text[:1].isupper() \
                    and prev.lower not in _TITLES:
                break  # missed sentence boundary after an abbreviation ("D.C. Netanyahu's office")
            k -= 1
        if end_k - k >= 12:
            # too long to be a subject: keep the trailing name / pronoun only
            k = end_k
            while k - 1 >= lo and toks[k - 1].text[:1].isupper():
                k -= 1
        first = toks[k]
        if first.lower in ("who",):
            return None
        return first.start, toks[end_k].end

    def extend_np_left(self, first: int, floor: int) -> int:
        """Leftmost token of the noun phrase whose parsed subject subtree starts at
        ``first``: the parser often leaves titles and pre-modifiers outside the subject
        ("Interim DNC Chairwoman Donna Brazile", "A spokeswoman for Hillary Clinton"), so
        words before it are taken while they can be part of a noun phrase, up to the
        sentence start (``floor``); nothing is taken when a clause boundary (comma, verb,
        conjunction) comes first."""
        toks = self.toks
        k = first
        while k - 1 >= floor and first - k < 8:
            p = toks[k - 1]
            if p.pos in ("DET", "ADJ", "PROPN", "NOUN", "NUM") or p.lower in ("of", "for", "'s", "’s", "-", "(", ")") \
                    or (p.pos == "VERB" and p.dep in ("amod", "compound")) or p.text.endswith(".") and len(p.text) > 1:
                k -= 1
                continue
            break
        if k == first:
            return first
        # only when the run reaches the sentence start or a clause boundary
        if k == floor or toks[k - 1].text in (",", ";", ":", "—", "–") or toks[k - 1].text in OPEN_QUOTES + CLOSE_QUOTES + '"':
            while k < first and toks[k].lower in ("of", "for", "-", ")", "'s", "’s"):
                k += 1
            return k
        return first

    def _dominated_by(self, tok: _Tok, root: int) -> bool:
        seen = 0
        cur = tok
        while seen < 50:
            if cur.i == root:
                return True
            if cur.head == cur.i:
                return False
            cur = self.toks[cur.head]
            seen += 1
        return False

    def source_after(self, toks: list[_Tok], k: int, appositive: bool = True) -> tuple[int, int] | None:
        """Speaker NP starting at toks[k] ("said Haniyeh, the head of Hamas")."""
        if k >= len(toks):
            return None
        end = k
        in_appos = False
        while end < len(toks) and (end - k < 12 or in_appos):
            t = toks[end]
            if t.text in ".!?;:" or t.text in OPEN_QUOTES + CLOSE_QUOTES + '"' or t.lower in _GERUND_CUES:
                break
            if not in_appos and t.lower in ("in", "on", "at", "during", "who", "while", "when", "after", "before",
                                            "that", "to", "via"):
                break
            if t.text == ",":
                # keep an appositive after a name, with its modifiers and relative clauses, as
                # PolNeAR does: "said Jo Coelbart, a retired general who works on ..."
                if appositive and end + 1 < len(toks) and toks[end + 1].lower in ("the", "a", "an", "its", "his", "her") \
                        and toks[end + 1].lower != "who" and not in_appos:
                    in_appos = True
                    end += 1
                    continue
                if in_appos and end + 1 < len(toks) and toks[end + 1].lower in ("who", "which", "whose", "whom"):
                    end += 1
                    continue
                break
            end += 1
        if end == k:
            return None
        return toks[k].start, toks[end - 1].end

    def cue_extent(self, toks: list[_Tok], k: int) -> tuple[int, int]:
        """Cue span: the cue word with adjacent auxiliaries/negation ("has said")."""
        a = k
        cue = toks[k]
        while a - 1 >= 0:
            p = toks[a - 1]
            if p.lower in _AUX and (p.lower not in ("is", "are") or cue.lower.endswith("ing")):
                a -= 1  # "has said", "is telling" (PolNeAR keeps auxiliaries in the cue)
            elif (p.pos == "ADV" and (not self.has_dep or p.head == cue.i) and p.lower not in ("however", "so", "then")) \
                    or (not p.pos and (p.lower in _ADVERBS or p.lower.endswith("ly"))):
                a -= 1  # "often say", "further described", "still says"
            else:
                break
        return toks[a].start, toks[k].end

    def content_end(self, toks: list[_Tok], k: int, limit: int) -> int:
        """End offset of indirect content starting at toks[k]: the sentence end, or
        before a trailing ", adding/saying/referring ..." clause."""
        end = limit
        for j in range(k + 1, len(toks)):
            t = toks[j]
            if t.start >= limit:
                break
            if t.text == "," and j + 1 < len(toks) and toks[j + 1].lower in _GERUND_CUES:
                if not self.quote_at(t.start):
                    end = t.start
                    break
            if t.text in CLOSE_QUOTES + '"' and toks[j - 1].text == "," and j + 1 < len(toks) and \
                    toks[j + 1].lower in _GERUND_CUES:
                # '... ago," adding that ...': the quotation ends the content
                end = t.end
                break
        # drop final sentence punctuation outside quotes
        while end > 0 and self.text[end - 1] in ".!?;, " and not self.quote_at(end - 1):
            end -= 1
        return end

    def kind_of(self, a: int, b: int) -> QuoteKind:
        inner = [(qa, qb) for qa, qb in self.quotes if qa >= a and qb <= b]
        if not inner:
            return "indirect"
        if len(inner) == 1 and inner[0][0] <= a + 1 and inner[0][1] >= b - 1:
            return "direct"
        covered = sum(qb - qa for qa, qb in inner)
        return "direct" if covered >= 0.9 * (b - a) else "mixed"

    # -- rules
    def run(self) -> list[QuoteSpan]:
        for s_start, s_end in self.sents:
            self.sentence(s_start, s_end)
        self.dash_rule()
        self.frame_rule()
        self.heading_rule()
        self.standalone_rule()
        self.spans.sort(key=lambda q: (q.content_start, q.content_end))
        return self.spans

    def sentence(self, s_start: int, s_end: int) -> None:
        toks = self.toks_in(s_start, s_end)
        if not toks:
            return
        # 1. according to
        for k in range(len(toks) - 1):
            if toks[k].lower == "according" and toks[k + 1].lower == "to":
                self.according(toks, k, s_start, s_end)
        # 2. cues
        for k, tok in enumerate(toks):
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if self.is_used(tok.start, tok.end):
                continue
            lemma = self.cue_lemma(tok, nxt)
            if lemma is None:
                continue
            self.cue_rules(toks, k, lemma, s_start, s_end)

    def according(self, toks: list[_Tok], k: int, s_start: int, s_end: int) -> None:
        cue = (toks[k].start, toks[k + 1].end)
        initial = k == 0 or (k <= 2 and all(t.lower in ("but", "and", "however", ",") for t in toks[:k]))
        src = self.source_after(toks, k + 2, appositive=not initial)
        if src is None or self.is_used(*cue):
            return
        if k == 0 or (k <= 2 and all(t.lower in ("but", "and", "however", ",") for t in toks[:k])):
            after = [t for t in toks if t.start >= src[1]]
            if after and after[0].text == ",":
                after = after[1:]
            if not after:
                return
            c_start = after[0].start
            c_end = self.content_end(toks, toks.index(after[0]), s_end)
        else:
            # '“...,” said Trump in an interview, according to TIME': the sentence has its own
            # attribution (the cue rules take it); "according to" names where it was reported
            for j in range(k):
                if not self.quote_at(toks[j].start) and self.cue_lemma(toks[j], toks[j + 1]) is not None:
                    return
            before = [t for t in toks[:k]]
            while before and before[-1].text in ",—–-(":
                before = before[:-1]
            if not before:
                return
            c_start, c_end = toks[0].start, before[-1].end
            q = self.quote_at(c_start)
            if q and q[0] < c_start:
                c_start = q[0]
        if c_end <= c_start:
            return
        self.add(QuoteSpan(self.kind_of(c_start, c_end), c_start, c_end, src[0], src[1], cue[0], cue[1],
                           s_start, s_end, rule="according"))

    def cue_rules(self, toks: list[_Tok], k: int, lemma: str, s_start: int, s_end: int) -> None:
        tok = toks[k]
        text = self.text
        cue = self.cue_extent(toks, k)
        # (a) quotation (or content) before the cue: “...,” X said / “...,” said X / ..., X said.
        j = k - 1
        while j >= 0 and toks[j].lower in _AUX | _ADVERBS:
            j -= 1
        # find the comma / closing quote preceding the source
        close_k = None
        for m in range(j, max(-1, j - 13), -1):
            if toks[m].text in CLOSE_QUOTES or (toks[m].text == '"' and self.quote_at(toks[m].start)
                                               and self.quote_at(toks[m].start)[1] == toks[m].end):
                close_k = m
                break
            if toks[m].text == "," and m > 0 and (toks[m - 1].text in CLOSE_QUOTES + '"'):
                close_k = m - 1
                break
            if toks[m].text in (",",) and m > 0:
                close_k = m
                break
            if toks[m].text in ".;:!?(" or toks[m].lower in ("that",):
                break
        if k > 1 and tok.lower.endswith("ing") and (toks[k - 1].text == "," or (
                toks[k - 1].text in CLOSE_QUOTES + '"' and toks[k - 2].text == ",")):
            # '"...," adding that ...': a gerund cue takes the content after it
            close_k = None
        if close_k is not None:
            ctok = toks[close_k]
            q = self.quote_at(ctok.start) if ctok.text != "," else None
            after_cue = toks[k + 1] if k + 1 < len(toks) else None
            ends_ok = after_cue is None or after_cue.text in ".!?,;" or after_cue.lower in _TRAILER_PREPS or (
                # "..., said Brian Baker, a longtime adviser ...": inverted cue right after the comma
                # the speaker phrase then ends the sentence
                close_k == k - 1 and (after_cue.text[:1].isupper() or after_cue.lower in ("the", "a", "an", "his", "her", "its", "their"))
                and (self.source_after(toks, k + 1) or (s_end, s_end))[1] >= s_end - 1 and not self.quote_at(toks[k - 1].start))
            if q is not None:
                # direct quote before the cue
                between = toks[close_k + 1:j + 1]
                between = [t for t in between if t.text != ","]
                if between and all(t.lower in ("and", "but", "then", "also", "or") for t in between):
                    # '“...,” and predicted, “...”': the subject of the coordinated cue
                    src = self.source_before(toks, k)
                elif between:
                    src = (between[0].start, between[-1].end)
                else:
                    src = self.source_after(toks, k + 1)
                    if src is not None and self._time_only(*src):
                        # '“...,” Tom Cole, an Oklahoma Republican, said Sunday night.'
                        src = self.source_before(toks, k)
                if src is not None or tok.lower in ("said", "says"):
                    q_start, q_end = q
                    self.group += 1
                    self.add(QuoteSpan("direct", q_start, q_end, *(src or (None, None)), cue[0], cue[1],
                                       min(s_start, q_start), s_end, group=self.group, rule="quote-cue"))
                    self.continuation(q_end, s_end, src, cue)
                    return
            elif ctok.text == "," and ends_ok and close_k > 0 and not self.quote_at(ctok.start) and not (
                    # 'In a statement, Perry stated, "...': the cue introduces the quotation after it
                    after_cue is not None and after_cue.text in ",:" and k + 2 < len(toks)
                    and toks[k + 2].text in OPEN_QUOTES + '"'):
                between = [t for t in toks[close_k + 1:j + 1]]
                if any(t.lower in _SOURCE_BOUNDARY for t in between):
                    between = []
                    if not (after_cue is None or after_cue.text in ".!?"):
                        close_k = None
                src = (between[0].start, between[-1].end) if between else self.source_after(toks, k + 1)
                if src is not None and not between and self._time_only(*src):
                    src = None  # "Hutchison, R-Texas, who ..., said Friday that ...": not this pattern
                if close_k is None or len(_WORD_RE.findall(text[toks[0].start:ctok.start])) < 4:
                    src = None
                if src is not None and (between or tok.lower in ("said", "says", "added", "wrote", "told")):
                    if between and (len(between) > 8 or any(t.text in '"“”' for t in between)):
                        return
                    c_start = toks[0].start
                    q = self.quote_at(c_start)
                    if q and q[0] < c_start:
                        c_start = q[0]
                    c_end = ctok.start
                    if c_end - c_start > 3 and not self.is_used(c_start, c_end):
                        self.add(QuoteSpan(self.kind_of(c_start, c_end), c_start, c_end, src[0], src[1],
                                           cue[0], cue[1], s_start, s_end, rule="content-cue"))
                        return
        # (b) cue before the content: X said (that) ... / X said: “...”
        src = self.source_before(toks, k)
        gerund = tok.lower.endswith("ing") and k > 0 and (toks[k - 1].text in (",", "by", "while", "after") or (
            k > 1 and toks[k - 1].text in CLOSE_QUOTES + '"' and toks[k - 2].text == ","))
        if gerund:
            src = self.governing_subject(toks, tok) or self.sentence_subject(toks)
        if src is None and not gerund:
            return
        m = k + 1
        if lemma == "tell" or (lemma in ("ask", "urge", "warn", "accuse", "call", "describe", "hail",
                                           "praise", "blame", "criticize", "condemn", "slam")):
            # skip the addressee/object: "told reporters that", "told CNN:"
            look = toks[m:m + 6]
            for n, t in enumerate(look):
                if t.lower == "that" or t.text in (":", ",") or t.text in OPEN_QUOTES + '"':
                    if lemma == "tell" or t.lower == "that":
                        m = m + n
                    break
            else:
                if lemma == "tell":
                    # "told reporters the vote ..." : skip one short NP
                    while m < len(toks) and m - k <= 3 and (toks[m].text[:1].isupper() or toks[m].lower in (
                            "reporters", "journalists", "me", "us", "him", "her", "them", "the", "a", "an",
                            "supporters", "voters", "lawmakers", "audience", "crowd")):
                        m += 1
        while m < len(toks) and toks[m].text in (",", ":", "—", "–"):
            m += 1
        # adverbials right after the cue ("said at a campaign stop in Toledo, Ohio, that"):
        # with a parse, the clausal complement's first token starts the content
        comp = self.clausal_complement(tok)
        if comp is not None and toks[0].i <= comp <= toks[-1].i and m < comp - toks[0].i <= m + 20 and \
                self.toks[comp].lower == "that" and \
                all(t.text not in OPEN_QUOTES + '"' and t.lower != "that" for t in toks[m:comp - toks[0].i]):
            m = comp - toks[0].i
        if m < len(toks) and toks[m].lower in ("on", "in", "at", "during", "last", "this", "earlier", "late"):
            for n in range(m, min(m + 7, len(toks))):
                if toks[n].lower == "that" or toks[n].text in OPEN_QUOTES + '"' or toks[n].text == ":":
                    m = n
                    break
            else:
                if not any(t.lower == "that" for t in toks[m:]):
                    return
        while m < len(toks) and toks[m].text in (",", ":", "—", "–"):
            m += 1
        if m < len(toks) and toks[m].lower in ("of", "about", "to"):
            # "says of Clinton, “If she ...”": the quotation after the short topic phrase
            for n in range(m + 1, min(m + 9, len(toks) - 1)):
                if toks[n].text in (",", ":") and toks[n + 1].text in OPEN_QUOTES + '"':
                    m = n + 1
                    break
                if toks[n].text in ".;!?" or toks[n].text in OPEN_QUOTES + '"':
                    break
        if m >= len(toks):
            # content is a quotation in the next sentence(s) of the paragraph: X said:
            if toks[-1].text == ":" or (k + 1 < len(toks) and toks[k + 1].text == ":"):
                nq = [q for q in self.quotes if q[0] >= s_end and self._same_paragraph(s_end, q[0])]
                if nq and src is not None:
                    q = nq[0]
                    self.group += 1
                    self.add(QuoteSpan("direct", q[0], q[1], src[0], src[1], cue[0], cue[1], s_start, q[1],
                                       group=self.group, rule="cue-colon-quote"))
                elif src is not None and toks[-1].text == ":":
                    # 'Trump lashed out on Twitter, saying:' closing its paragraph: the next
                    # paragraph is what was said (a tweet, a letter, a statement)
                    para = next(((a, b) for a, b in self.paragraphs if a >= s_end), None)
                    if para is not None and not self.text[s_end:para[0]].strip() and not self.is_used(*para):
                        q = self.quote_at(para[0])
                        a, b = q if q is not None and q[0] == para[0] else para
                        if len(_WORD_RE.findall(self.text[a:b])) >= 4:
                            self.group += 1
                            self.add(QuoteSpan(self.kind_of(a, b), a, b, src[0], src[1], cue[0], cue[1],
                                               s_start, b, group=self.group, rule="cue-colon-paragraph"))
            return
        first = toks[m]
        if first.text in OPEN_QUOTES + '"':
            q = self.quote_at(first.start)
            if q is None:
                return
            c_start, c_end = q
            if q[1] < s_end - 2:
                # quotation followed by more words in the sentence: mixed
                c_end2 = self.content_end(toks, m, s_end)
                if c_end2 > c_end and not any(t.lower in ("he", "she", "they") for t in self.toks_in(c_end, c_end + 12)[:1]):
                    c_end = c_end2
            kind = self.kind_of(c_start, c_end)
        else:
            strong = first.lower == "that" or (k + 1 < len(toks) and toks[k + 1].text == ":") or lemma in (
                "say", "claim", "argue", "insist", "warn", "believe", "think", "add", "note", "state",
                "assert", "contend", "allege", "suggest", "explain", "acknowledge", "admit", "deny",
                "predict", "concede", "stress", "maintain", "tell", "write", "tweet", "hope", "fear",
                "emphasize", "reiterate", "estimate", "conclude", "confirm", "announce", "declare",
                "reveal", "report")
            if not strong:
                # transitive stance verbs keep their object as content: "praised the decision"
                if lemma not in ("hail", "praise", "accuse", "describe", "call", "criticize", "blame",
                                 "condemn", "slam", "welcome", "blast", "denounce", "urge", "dismiss",
                                 "reject", "ask", "question", "celebrate", "applaud", "demand", "promise",
                                 "vow", "pledge", "threaten", "recall"):
                    return
            if first.lower in ("when", "while", "after", "before", "during", "since", "until"):
                return  # "said when she resigned ...": a time clause, not what was said
            if first.lower in ("to", "for", "about", "of", "with", "by", "on") and lemma in ("say", "tell", "add"):
                return
            if first.text in ".!?" or first.text in CLOSE_QUOTES:
                return
            c_start = first.start
            q = self.quote_at(c_start)
            if q and q[0] < c_start:
                return
            c_end = self.clip_to_argument(tok, first, self.content_end(toks, m, s_end))
            kind = self.kind_of(c_start, c_end)
        if c_end <= c_start or self.is_used(c_start, c_end):
            return
        if src is not None and src[0] < c_end and c_start < src[1]:
            return  # the "content" is the speaker itself: not this pattern
        if all(w.lower() in _TIME_WORDS for w in _WORD_RE.findall(self.text[c_start:c_end])):
            return  # "said Monday": a date, not a content
        self.group += 1
        self.add(QuoteSpan(kind, c_start, c_end, *(src or (None, None)), cue[0], cue[1],
                           s_start, max(s_end, c_end), group=self.group, rule="cue-content"))

    def extents(self) -> tuple[list[int], list[int]]:
        if self._extents is None:
            self._extents = _subtree_extents(self.toks)
        return self._extents

    def clausal_complement(self, cue: _Tok) -> int | None:
        """Index of the first token of the cue's clausal complement (``ccomp``, right of
        the cue), or None without a parse."""
        if not self.has_dep:
            return None
        left, _ = self.extents()
        for t in self.toks[cue.i + 1:cue.i + 40]:
            if t.head == cue.i and t.dep == "ccomp":
                return left[t.i]
        return None

    def clip_to_argument(self, cue: _Tok, first: _Tok, end: int) -> int:
        """Indirect content ends with the subtree of the cue's dependent that holds its
        first token ("said that A and called B" -> "that A"), as PolNeAR's content is the
        cue's argument, not the rest of the sentence; needs a parse."""
        if not self.has_dep:
            return end
        cur, steps = first, 0
        while cur.head != cue.i and cur.head != cur.i and steps < 40:
            cur = self.toks[cur.head]
            steps += 1
        if cur.head != cue.i or cur.dep not in ("ccomp", "xcomp", "obj", "dobj"):
            return end
        _, right = self.extents()
        stop = self.toks[right[cur.i]].end
        if stop >= end:
            return end
        # trust the parse only where the rest starts a new coordinated/adverbial part
        # ("..., while 73 percent said ...", "... and called it ..."); the parser's
        # attachments inside long complements are too noisy to cut elsewhere
        rest = self.toks_in(stop, end)
        rest = [t for t in rest if t.pos != "PUNCT" and t.text not in ",;—–"]
        if not rest:
            return end
        # "said that A and warned against B": a verb coordinated with the cue itself
        coord = rest[0].lower in ("and", "but", "or") and len(rest) > 1 and any(
            t.head == cue.i and t.dep == "conj" for t in rest[1:4])
        # ", which makes him ...", ", but he has also ...", ", forcing them ...": after a comma
        # the parse's boundary is reliable enough
        comma = "," in self.text[stop:rest[0].start] and (
            rest[0].lower in ("and", "but", "which", "when", "where", "as", "even", "so")
            or (rest[0].lower.endswith("ing") and rest[0].pos == "VERB"))
        if rest[0].lower not in _CLIP_WORDS and not coord and not comma:
            return end
        q = self.quote_at(stop - 1)
        if q is not None:
            stop = max(stop, q[1])
        while stop > first.start and self.text[stop - 1] in ".,;:—– " and not self.quote_at(stop - 1):
            stop -= 1
        return min(end, stop) if stop > first.start else end

    def frame_rule(self) -> None:
        """Attributions of any head word with a learnt frame ("Clinton wants to ...",
        "the bill was passed by Congress"): the cue is the word (with its auxiliaries,
        negation and adverbs), source and content are the subtrees of the dependents
        the lexicon learnt for it (:func:`learn_frames`). Needs a parse; runs after the
        quotation/speech rules and never overlaps what they found."""
        frames = self.lex.frames
        if not self.has_dep or not frames:
            return
        toks = self.toks
        left, right = self.extents()
        children = _children(toks)
        for t in toks:
            fr = frames.get(_frame_key(t))
            if fr is None or fr["cue"] < self.lex.frame_min_count or not t.lower.isalpha():
                continue
            if self.is_used(t.start, t.end) or self.quote_at(t.start) is not None:
                # words inside a quotation belong to the quoted speaker's content
                continue
            cands = _arg_candidates(toks, children, t.i)
            roles: dict[str, tuple[str, _Tok] | None] = {}
            # content: the filled position with the highest P(cue, content there | lemma,
            # position filled) -- "thinks [ccomp]" is a cue far more often than "think"
            best, best_p = None, 0.0
            avail = fr.get("avail", {})
            for rel, c in cands:
                n = fr["content"].get(rel, 0)
                p = n / max(avail.get(rel, 0), n, 1) if avail else fr["cue"] / max(fr["n"], 1)
                if n >= self.lex.frame_min_count and p >= self.lex.frame_min_ratio and p > best_p:
                    best, best_p = (rel, c), p
            roles["content"] = best
            best, best_n = None, 0
            for rel, c in cands:
                n = fr["source"].get(rel, 0)
                # a source position must account for a fair share of the lemma's cues
                if n > best_n and n >= 0.1 * fr["cue"] and (roles["content"] is None or roles["content"][1] is not c):
                    best, best_n = (rel, c), n
            roles["source"] = best
            if roles["source"] is None or roles["content"] is None:
                continue
            src = self._arg_span(roles["source"], left, right, t)
            cont = self._arg_span(roles["content"], left, right, t)
            if src is None or cont is None:
                continue
            cont = self.merge_dependents(t, roles["content"], roles["source"][1], cont, left, right, children)
            cue = self.frame_cue_extent(t)
            spans = sorted([src, cue, cont])
            if any(spans[i][1] > spans[i + 1][0] for i in range(2)):
                continue
            if self.is_used(*cont) or self.is_used(*src) or self.is_used(*cue):
                continue
            sent = next(((sa, sb) for sa, sb in self.sents if sa <= t.start < sb), (t.start, t.end))
            self.group += 1
            self.add(QuoteSpan(self.kind_of(*cont), cont[0], cont[1], src[0], src[1], cue[0], cue[1],
                               sent[0], max(sent[1], cont[1]), group=self.group, rule="frame"))

    def merge_dependents(self, t: _Tok, content: tuple[str, _Tok], source: _Tok, span: tuple[int, int],
                         left: list[int], right: list[int], children: dict[int, list[_Tok]]) -> tuple[int, int]:
        """Widen a frame's content with the cue's other dependents that PolNeAR content
        usually takes along with that relation (learnt ``merges``), when adjacent:
        "urged [the administration] [to act]", "showed [Clinton] [with a lead]"."""
        rel, c = content
        merges = self.lex.merges.get(rel, {})
        if not merges or rel.startswith("^"):
            return span
        a, b = span
        for d in sorted(children.get(t.i, []), key=lambda d: abs(d.i - c.i)):
            if d is c or d is source or d.dep == "punct":
                continue
            inc, tot = merges.get(d.dep, (0, 0))
            if tot < 5 or inc < 0.5 * tot:
                continue
            lo, hi = self.toks[left[d.i]], self.toks[right[d.i]]
            # only a dependent on the content's side of the cue and touching it
            gap = self.text[hi.end:a] if hi.end <= a else self.text[b:lo.start] if lo.start >= b else None
            if gap is None or (lo.start < t.end < hi.end) or len(gap) > 3 or (lo.start < a and lo.start < t.start < a) \
                    or (lo.start >= b and t.start > b):
                continue
            a, b = min(a, lo.start), max(b, hi.end)
        return a, b

    def frame_cue_extent(self, t: _Tok) -> tuple[int, int]:
        """Cue span of a frame head, following PolNeAR: with its auxiliaries, negation,
        adverbs and infinitive "to" ("has not yet decided", "to discuss"), and a following
        particle or preposition when the pair is a learnt multiword cue ("called for",
        "complained about")."""
        toks = self.toks
        a = t.i
        while a - 1 >= 0 and toks[a - 1].head == t.i and (
                toks[a - 1].dep in ("aux", "aux:pass", "cop", "advmod", "mark") and toks[a - 1].lower not in (
                    "that", "if", "because", "when", "while", "as", "whether")
                or toks[a - 1].lower in ("not", "n't", "never")):
            a -= 1
        b = t.i
        if b + 1 < len(toks) and self.lex.phrases.get(f"{t.lower} {toks[b + 1].lower}", 0) >= 3:
            b += 1
        return toks[a].start, toks[b].end

    def _arg_span(self, arg: tuple[str, _Tok], left: list[int], right: list[int], cue: _Tok) -> tuple[int, int] | None:
        """Character span of a frame argument: the dependent's subtree (without a leading
        preposition of an agent, "by Congress" -> "Congress"), or the head word itself for
        "^rel" arguments; trimmed of punctuation."""
        rel, tok = arg
        toks = self.toks
        if rel.startswith("^"):
            lo, hi = left[tok.i], right[tok.i]
            # the head noun phrase up to the cue ("officials saying ..." -> "officials")
            hi = min(hi, cue.i - 1) if tok.i < cue.i else hi
            lo = max(lo, cue.i + 1) if tok.i > cue.i else lo
        else:
            lo, hi = left[tok.i], right[tok.i]
        if lo > hi:
            return None
        while lo <= hi and (toks[lo].pos == "PUNCT" and toks[lo].text not in OPEN_QUOTES + '"'
                            or (rel in ("obl:agent", "obl", "nmod") and toks[lo].dep == "case" and toks[lo].head == tok.i)
                            or toks[lo].lower in ("and", "but")):
            lo += 1
        while hi >= lo and toks[hi].pos == "PUNCT" and toks[hi].text not in CLOSE_QUOTES + '"':
            hi -= 1
        if lo > hi or (lo <= cue.i <= hi):
            return None
        return toks[lo].start, toks[hi].end

    def governing_subject(self, toks: list[_Tok], cue: _Tok) -> tuple[int, int] | None:
        """Subject of the clause a gerund cue hangs on ("It came after Boehner chided Obama,
        accusing ..." -> Boehner; "Asked ..., Mr. Santorum did not back down, saying" ->
        Mr. Santorum); needs a parse."""
        if not self.has_dep:
            return None
        cur = cue
        for _ in range(3):
            if cur.head == cur.i or cur.dep not in ("advcl", "xcomp", "conj", "acl"):
                return None
            cur = self.toks[cur.head]
            for t in toks:
                if t.head == cur.i and t.dep in ("nsubj", "nsubj:pass") and t.lower not in ("it", "this", "that"):
                    sub = [u for u in toks if self._dominated_by(u, t.i)]
                    first = self.extend_np_left(min(u.i for u in sub), toks[0].i)
                    return self.toks[first].start, max(u.end for u in sub)
        return None

    def sentence_subject(self, toks: list[_Tok]) -> tuple[int, int] | None:
        """Subject of the sentence for gerund cues: leading name run or pronoun."""
        if not toks:
            return None
        if self.has_dep:
            for t in toks:
                if t.dep in ("nsubj",) and self.toks[t.head].dep.lower() == "root":
                    sub = [u for u in toks if self._dominated_by(u, t.i)]
                    return min(u.start for u in sub), max(u.end for u in sub)
        k = 0
        if toks[0].lower in _PRONOUN_SUBJ:
            return toks[0].start, toks[0].end
        while k < len(toks) and (toks[k].text[:1].isupper() or toks[k].lower in ("of", "the", "'s", "’s")) and k < 6:
            k += 1
        if k == 0:
            return None
        return toks[0].start, toks[k - 1].end

    def _same_paragraph(self, a: int, b: int) -> bool:
        return "\n" not in self.text[a:b]

    def continuation(self, after: int, s_end: int, src: tuple[int, int] | None, cue: tuple[int, int]) -> None:
        """“A,” he said. “B.” -- the next quotation in the same paragraph, right after the
        attribution sentence, continues the same quote (same group)."""
        for q in self.quotes:
            if q[0] >= after and self._same_paragraph(after, q[0]):
                if q[1] < s_end and self.text[q[1]:s_end].strip(" .,;:!?”\"'’"):
                    continue  # a title quoted inside the attribution ('on NBC's "Today" show, ...')
                gap = self.text[after:q[0]]
                # abbreviations ("Mr.", "U.S.") do not end the attribution clause
                bare = re.sub(r"\b(?:[A-Z][a-z]{0,3}|[A-Z](?:\.[A-Z])+)\.", "", gap)
                # the attribution clause between the pieces may carry a long appositive
                # ("said Murphy, now a consultant on Burma in the private sector.")
                limit = 25 if after <= cue[0] and cue[1] <= q[0] else 10
                if q[0] >= s_end and not self.text[s_end:q[0]].strip():
                    bare = "."  # the quotation opens the sentence after the attribution
                    limit = max(limit, len(gap.split()))
                if re.fullmatch(r"[^.!?“”\"\n]*[.,:]\s*", bare) and len(gap.split()) <= limit and not self.is_used(*q):
                    # what follows in the same paragraph
                    tail = self.text[q[1]:q[1] + 40].split("\n", 1)[0].lstrip()
                    # stop when the next quotation has its own attribution
                    if tail[:1] in (",",) or re.match(r"^\w+ (said|says)", tail):
                        return
                    self.add(QuoteSpan("direct", q[0], q[1], *(src or (None, None)), None, None,
                                       q[0], q[1], group=self.group, rule="continuation"))
                return

    def dash_rule(self) -> None:
        """``“...” ― Sonya Herridge``: a quotation signed with a dash and a name (epigraph
        and vox-pop style); the dash is the cue."""
        for q_start, q_end in self.quotes:
            if self.is_used(q_start, q_end):
                continue
            m = _DASH_SIGNATURE.match(self.text, q_end)
            if not m:
                continue
            name = m.group("name").rstrip(" ,.\u00a0")
            if len(_WORD_RE.findall(self.text[q_start:q_end])) < 3 or not name:
                continue
            src = (m.start("name"), m.start("name") + len(name))
            cue = (m.start("dash"), m.end("dash"))
            self.group += 1
            self.add(QuoteSpan("direct", q_start, q_end, src[0], src[1], cue[0], cue[1], q_start, src[1],
                               group=self.group, rule="dash"))

    def heading_rule(self) -> None:
        """``Haniyeh: Gaza war is a world war`` (line-initial name and a colon)."""
        for p_start, p_end in self.paragraphs:
            line = self.text[p_start:p_end]
            m = re.match(r"^(\s*)((?:[A-Z][\w.’'-]*)(?: (?:[A-Z][\w.’'-]*|of|al|bin|de|van|von)){0,3}):\s+(\S.*)$", line)
            if not m:
                continue
            name = m.group(2)
            if name.split()[0].lower().strip(".") in _HEADING_STOP or name.lower() in _HEADING_STOP:
                continue
            src = (p_start + m.start(2), p_start + m.end(2))
            c_start = p_start + m.start(3)
            c_end = p_end
            while c_end > c_start and self.text[c_end - 1].isspace():
                c_end -= 1
            if len(_WORD_RE.findall(self.text[c_start:c_end])) < 3 or self.is_used(c_start, c_end):
                continue
            kind = self.kind_of(c_start, c_end)
            if kind == "indirect":
                kind = "direct"
            self.group += 1
            self.add(QuoteSpan(kind, c_start, c_end, src[0], src[1], None, None, p_start, p_end,
                               group=self.group, rule="heading"))

    def standalone_rule(self) -> None:
        """A paragraph that is only a quotation: speaker of the previous (else next)
        paragraph's quote."""
        paras = self.paragraphs
        for n, (p_start, p_end) in enumerate(paras):
            q = self.quote_at(p_start)
            if q is None or q[0] != p_start or self.is_used(*q):
                continue
            tail = self.text[q[1]:p_end].strip()
            if tail and not re.fullmatch(r"[.!?,;:]*", tail):
                continue
            if len(_WORD_RE.findall(self.text[q[0]:q[1]])) < 4:
                continue
            src = None
            for m in [n - 1, n + 1]:
                if 0 <= m < len(paras):
                    a, b = paras[m]
                    cands = [s for s in self.spans if a <= s.content_start < b and s.source_start is not None]
                    if not cands and m == n - 1:
                        # fall back to the subject of the previous paragraph's attribution sentence
                        cands = []
                    if cands:
                        best = cands[-1] if m == n - 1 else cands[0]
                        src = (best.source_start, best.source_end)
                        break
            if src is None and n > 0:
                # previous paragraph mentions a speaker through a gerund/other cue we missed
                a, b = paras[n - 1]
                ptoks = self.toks_in(a, b)
                src = self.sentence_subject(ptoks) if ptoks else None
                if src is not None and not re.search(r"\b(said|says|argu|claim|stat|told|add|warn|insist)",
                                                     self.text[a:b]):
                    src = None
            self.group += 1
            self.add(QuoteSpan("direct", q[0], q[1], *(src or (None, None)), None, None, p_start, p_end,
                               group=self.group, rule="standalone"))


def extract_quote_spans(article: Article, doc: Any = None, lexicon: CueLexicon | None = None) -> list[QuoteSpan]:
    """All attributions in ``article`` as :class:`QuoteSpan` (offsets into ``article.text``).

    ``doc`` is the spaCy Doc of ``article.text`` (parse used when present); ``None`` or a
    doc of another text falls back to regex tokens and sentences.
    """
    from spacy.tokens import Doc

    with docview.scope(doc if isinstance(doc, Doc) else None):  # tokens and sentences read once
        return _Extractor(article.text, doc, lexicon or default_lexicon()).run()


def extract_quotes(article: Article, doc: Any = None, lexicon: CueLexicon | None = None) -> list[Quote]:
    """Quote records of ``article``: ``speaker=None`` (resolved later from ``speaker_text``)."""
    out: list[Quote] = []
    seen: set[str] = set()
    for span in extract_quote_spans(article, doc, lexicon):
        rec = span.to_record(article)
        if rec.content and rec.id not in seen:
            seen.add(rec.id)
            out.append(rec)
    return out

