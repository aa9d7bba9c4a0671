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
  quotation takes its speaker from the previous (else next) paragraph's quote.

The cue lexicon is a curated list of reporting verbs (all inflections) and can
be extended with the word forms learnt from PolNeAR train
(:meth:`CueLexicon.from_polnear`): forms that are annotated as cues often
enough relative to their frequency in the training text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossread.records import Article, Evidence, Quote, QuoteKind, record_id

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
    "caution", "fear", "hope", "doubt", "agree", "disagree", "continue",
)

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
        if lemma and lemma.lower() in CUE_LEMMAS and low not in _NOT_CUE_FORMS:
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
        lex = CueLexicon(dict(lex.forms), dict(lex.scores), dict(lex.counts))
        for form, count in cue_counts.items():
            ratio = count / max(all_counts[form], 1)
            lex.scores[form] = ratio
            lex.counts[form] = count
            if count >= min_count and ratio >= min_ratio and form not in _STOP_CUES:
                lex.forms.setdefault(form, form)
        return lex


# Function words that annotators sometimes mark as cues but that are useless alone.
_STOP_CUES = {"the", "a", "an", "of", "in", "to", "for", "and", "is", "was", "be", "that",
              "it", "on", "as", "with", "by", "at", "from", "this", "have", "been", "are"}

_DEFAULT_LEXICON: CueLexicon | None = None


def default_lexicon() -> CueLexicon:
    global _DEFAULT_LEXICON
    if _DEFAULT_LEXICON is None:
        _DEFAULT_LEXICON = CueLexicon.default()
    return _DEFAULT_LEXICON


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


@dataclass
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


_TOKEN_RE = re.compile(r"\w+(?:[’'.]\w+)*|n't|[^\w\s]", re.UNICODE)


def _tokens(text: str, doc: Any) -> tuple[list[_Tok], bool]:
    """Tokens of ``text``; from ``doc`` when it was made from the same text."""
    if doc is not None and getattr(doc, "text", None) == text and len(doc):
        has_dep = doc.has_annotation("DEP")
        has_lemma = doc.has_annotation("LEMMA")
        has_pos = doc.has_annotation("POS") or doc.has_annotation("TAG")
        ent_tokens = {t.i for e in doc.ents for t in e}
        toks = []
        for t in doc:
            if t.is_space:
                continue
            dep = ""
            if has_dep:
                dep = t.dep_
                if t.has_extension("udep") and getattr(t._, "udep", None):
                    dep = t._.udep
            toks.append(_Tok(t.i, t.idx, t.idx + len(t.text), t.text, t.text.lower(),
                             t.lemma_.lower() if has_lemma else "", t.pos_ if has_pos else "",
                             dep, t.head.i, t.i in ent_tokens))
        # map doc indices to positions in ``toks`` (spaces removed)
        pos_of = {t.i: k for k, t in enumerate(toks)}
        for k, t in enumerate(toks):
            t.i = k
            t.head = pos_of.get(t.head, k)
        return toks, has_dep
    toks = [_Tok(k, m.start(), m.end(), m.group(), m.group().lower(), "", "", "", k)
            for k, m in enumerate(_TOKEN_RE.finditer(text))]
    return toks, False


def _sentence_ranges(text: str, doc: Any) -> list[tuple[int, int]]:
    """Sentence character ranges, never crossing a line break."""
    ranges: list[tuple[int, int]] = []
    if doc is not None and getattr(doc, "text", None) == text and len(doc) and (
            doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        raw = [(s.start_char, s.end_char) for s in doc.sents]
    else:
        raw = []
        start = 0
        for m in re.finditer(r"(?<=[.!?])[”\"’')\]]*\s+(?=[“\"‘'(\[]?[A-Z0-9])", text):
            raw.append((start, m.start()))
            start = m.end()
        raw.append((start, len(text)))
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
        elif ch == '"':
            prev = text[i - 1] if i else " "
            nxt = text[i + 1] if i + 1 < n else " "
            opening = (prev.isspace() or prev in "([{—–-:/") and not nxt.isspace()
            if open_at is None and (opening or i == 0):
                open_at = i
            elif open_at is not None:
                out.append((open_at, i + 1))
                open_at = None
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
        self.spans: list[QuoteSpan] = []
        self.group = 0

    # -- helpers
    def toks_in(self, a: int, b: int) -> list[_Tok]:
        import bisect
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
        return any(a < ub and ua < b for ua, ub in self.used)

    def cue_lemma(self, tok: _Tok, nxt: _Tok | None) -> str | None:
        lemma = self.lex.lemma_of(tok.text, tok.lemma)
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

    def add(self, span: QuoteSpan) -> None:
        self.spans.append(span)
        for a, b in ((span.content_start, span.content_end), (span.source_start, span.source_end),
                     (span.cue_start, span.cue_end)):
            if a is not None and b is not None:
                self.used.append((a, b))

    def source_before(self, toks: list[_Tok], cue_k: int, lo: int = 0) -> tuple[int, int] | None:
        """Speaker NP ending just before toks[cue_k] (index into ``toks``), not before ``lo``."""
        cue = toks[cue_k]
        if self.has_dep:
            for t in toks:
                if t.head == cue.i and t.dep in ("nsubj", "nsubj:pass", "nsubjpass") and t.i != cue.i:
                    sub = [u for u in toks if self._dominated_by(u, t.i)]
                    if sub:
                        return min(u.start for u in sub), max(u.end for u in sub)
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
        while end < len(toks) and end - k < 12:
            t = toks[end]
            if t.text in ".!?;:" or t.text in OPEN_QUOTES + CLOSE_QUOTES + '"' or t.lower in (
                    "in", "on", "at", "during", "who", "while", "when", "after", "before", "that",
                    "to", "via", "adding", "saying", "noting", "referring", "citing", "according"):
                break
            if t.text == ",":
                # keep an appositive after a name: "said Haniyeh, the head of Hamas"
                if appositive and end + 1 < len(toks) and toks[end + 1].lower in ("the", "a", "an", "its", "his", "her") \
                        and toks[end + 1].lower != "who":
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
        while a - 1 >= 0 and toks[a - 1].lower in _AUX and toks[a - 1].lower not in ("is", "are"):
            a -= 1
        return toks[a].start, toks[k].end

    def content_end(self, toks: list[_Tok], k: int, limit: int) -> int:
        """End offset of indirect content starting at toks[k]: the sentence end, or
        before a trailing ", adding/saying/referring ..." clause."""
        end = limit
        for j in range(k + 1, len(toks)):
            t = toks[j]
            if t.start >= limit:
                break
            if t.text == "," and j + 1 < len(toks) and toks[j + 1].lower in (
                    "adding", "saying", "noting", "referring", "citing", "arguing", "claiming",
                    "warning", "insisting", "explaining", "according"):
                if not self.quote_at(t.start):
                    end = t.start
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
        prev_toks = toks[:k]
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
        if close_k is not None:
            ctok = toks[close_k]
            q = self.quote_at(ctok.start) if ctok.text != "," else None
            after_cue = toks[k + 1] if k + 1 < len(toks) else None
            ends_ok = after_cue is None or after_cue.text in ".!?,;" or after_cue.lower in _TRAILER_PREPS
            if q is not None:
                # direct quote before the cue
                between = toks[close_k + 1:j + 1]
                between = [t for t in between if t.text != ","]
                if between:
                    src = (between[0].start, between[-1].end)
                else:
                    src = self.source_after(toks, k + 1)
                if src is not None or tok.lower in ("said", "says"):
                    q_start, q_end = q
                    self.group += 1
                    self.add(QuoteSpan("direct", q_start, q_end, *(src or (None, None)), cue[0], cue[1],
                                       min(s_start, q_start), s_end, group=self.group, rule="quote-cue"))
                    self.continuation(q_end, s_end, src, cue)
                    return
            elif ctok.text == "," and ends_ok and close_k > 0 and not self.quote_at(ctok.start):
                between = [t for t in toks[close_k + 1:j + 1]]
                if any(t.lower in _SOURCE_BOUNDARY for t in between):
                    between = []
                    if not (after_cue is None or after_cue.text in ".!?"):
                        close_k = None
                src = (between[0].start, between[-1].end) if between else self.source_after(toks, k + 1)
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
        gerund = tok.lower.endswith("ing") and k > 0 and toks[k - 1].text in (",", "by", "while", "after")
        if gerund:
            src = self.sentence_subject(toks)
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
        # adverbials right after the cue ("said on Tuesday that")
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
        if m >= len(toks):
            # content is a quotation in the next sentence(s) of the paragraph: X said:
            if toks[-1].text == ":" or (k + 1 < len(toks) and toks[k + 1].text == ":"):
                nq = [q for q in self.quotes if q[0] >= s_end and self._same_paragraph(s_end, q[0])]
                if nq and src is not None:
                    q = nq[0]
                    self.group += 1
                    self.add(QuoteSpan("direct", q[0], q[1], src[0], src[1], cue[0], cue[1], s_start, q[1],
                                       group=self.group, rule="cue-colon-quote"))
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
            if first.lower in ("to", "for", "about", "of", "with", "by", "on") and lemma in ("say", "tell", "add"):
                return
            if first.text in ".!?" or first.text in CLOSE_QUOTES:
                return
            c_start = first.start
            q = self.quote_at(c_start)
            if q and q[0] < c_start:
                return
            c_end = self.content_end(toks, m, s_end)
            kind = self.kind_of(c_start, c_end)
        if c_end <= c_start or self.is_used(c_start, c_end):
            return
        self.group += 1
        self.add(QuoteSpan(kind, c_start, c_end, *(src or (None, None)), cue[0], cue[1],
                           s_start, max(s_end, c_end), group=self.group, rule="cue-content"))

    def sentence_subject(self, toks: list[_Tok]) -> tuple[int, int] | None:
        """Subject of the sentence for gerund cues: leading name run or pronoun."""
        if not toks:
            return None
        if self.has_dep:
            for t in toks:
                if t.dep in ("nsubj",) and self.toks[t.head].dep == "ROOT":
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
                gap = self.text[after:q[0]]
                if re.fullmatch(r"[^.!?“”\"\n]*[.,]\s*", gap) and len(gap.split()) <= 10 and not self.is_used(*q):
                    tail = self.text[q[1]:q[1] + 40].lstrip()
                    # stop when the next quotation has its own attribution
                    if tail[:1] in (",",) or re.match(r"^\w+ (said|says)", tail):
                        return
                    self.add(QuoteSpan("direct", q[0], q[1], *(src or (None, None)), None, None,
                                       q[0], q[1], group=self.group, rule="continuation"))
                return

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

