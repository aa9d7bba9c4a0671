"""Within-article coreference for quote speakers: who is "he" in "“...,” he said"?

``resolve_speakers(text, doc, actors, spans)`` gives, for each :class:`~crossread.extract.quotes.QuoteSpan`,
the article-local actor that speaks and the speaker span as it should be shown
(:class:`Speaker`). It is a pure function over the parsed Doc (sentences, tokens, dependency
labels) and the actors :func:`~crossread.extract.actors.resolve_actors` found; it adds no
mention to the actors.

The method is the precision-first multi-pass sieve of Lee et al. (2013, "Deterministic
coreference resolution based on entity-centric, precision-ranked rules", Computational
Linguistics 39(4)) restricted to the mentions that matter for attribution, with the
quote-to-speaker ordering of Muzny et al. (2017, "A two-stage sieve approach for quote
attribution", EACL): first the speaker *mention* of each quote (the source span the quote
extractor found), then the mention to an *entity* (actor). Sieves, strongest first:

0. **Speaker phrase** -- the extractor's source span without a leading preposition or
   conjunction ("criticism from Republicans who ..." gives "from Republicans"); for a channel
   ("said through a spokesman") or no source at all, the subject of the cue verb (or of the verb
   a participle cue hangs on: "issued a statement, saying"), else the one person named before the
   cue in its sentence when the parse gives none ("..., Mr. Obama on Thursday said").
1. **Named speaker** -- the source span's syntactic head lies inside an actor mention
   ("Republican presidential candidate Rick Perry" -> Perry, not "Republican"); else the
   mention that overlaps the span most (the extractor's former rule), never a party or
   nationality adjective modifying a common noun ("Republican strategists"). A party speaks
   when a group of its members does ("Republicans", "Democratic lawmakers": the registry's
   party entries, whose member word is their demonym), never one member ("the Arizona
   Republican", "one Democrat": the person named in the phrase, else no one).
2. **Relative pronoun** -- "said Bloomberg, who added that ...": the antecedent of "who" is
   the noun the relative clause hangs on (``acl:relcl``), the name of that noun's apposition
   ("Jeff Sessions, a former senator, who"), else the person's or organisation's name just before
   the pronoun (the parser hangs "criticism from Republicans who" on "criticism"); the speaker
   span becomes that noun phrase, never the function word.
3. **Pronouns** (he, she, his office, her campaign) -- every third-person singular pronoun
   outside quotation marks is resolved in document order, so each resolution is a mention
   the next one can use (Lee et al.'s entity-centric growth). Candidates are person actors
   mentioned outside quotation marks (a name inside a quotation is what the speaker talks
   about, not who speaks), ranked by salience: the subjects of clauses before the pronoun in
   its own sentence (nearest first; "Of Obama, he said" skips the oblique Obama), then
   sentence by sentence backwards (up to :data:`WINDOW` sentences) the subjects left to
   right and then the other mentions, most recent first; beyond that, the speaker of the
   previous quote. A continuation cue ("he added", "she continued") takes the previous
   quote's speaker first. Agreement: a candidate whose known gender differs from the
   pronoun's is skipped. Gender comes from the article itself, never from a name list: the
   pronouns :mod:`~crossread.extract.actors` already resolved unambiguously for that person,
   honorifics before a mention (Mr./Mrs./Ms.) and gendered role nouns in its description
   (spokeswoman, congressman).
4. **Role nouns** ("the president", "the senator", "the governor", "the company") -- head
   match as in Lee et al.'s strict head-match sieve: a person introduced with that title
   (a title word before one of its mentions, its role or an alias: "Gov. Mike Pence" for
   "the governor"), the nearest before the quote, else the one person of the last narrative
   sentences; an organisation noun goes to the nearest organisation whose name has that head
   ("the committee"), else, for the generic ones ("the company", "the group"), to the one
   organisation mentioned in the last sentences; "the administration", "the campaign", "the
   government" go to the last mention named so ("the Obama administration" is Obama's, as
   actors.py reads it). A place or party before the noun ("the Texas governor") is a modifier,
   never the speaker; a person's role nobody holds falls back to a person named in the phrase
   ("the mayor of Hoboken, Dawn Zimmer").
5. **Documents** ("Romney released a statement saying", "the statement continued") -- the
   subject of the verb the document is the object of, else the speaker of the last quote with
   one (within two narrative sentences).
6. **"It said", "they said"** -- an organisation only ("they": a plural one, or a party or
   people: "Democrats"), and only when one is the subject just before that agrees in number
   (the nearest in its own sentence, else the first of the previous narrative sentence): "it" is far more often a
   report or a bill and "they" a group of officials, which are no actors, so no other guess
   is made.
7. **"I" inside a quotation** -- Lee et al.'s speaker sieve: a first-person source inside a
   quotation is the speaker of the quote that holds it.

A speaker that no sieve resolves keeps ``actor=None`` and its span as written, except a span
of function words only ("while", "The", "that"), which is dropped (``start=end=None``).
"""

from __future__ import annotations

import bisect
import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crossread.nlp import docview
from crossread.records import Actor

#: sentences before the pronoun's own that are searched for its antecedent
WINDOW = 3
#: sentences back within which the previous quote's speaker is still an antecedent
QUOTE_WINDOW = 6

PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m",
                  "she": "f", "her": "f", "hers": "f", "herself": "f"}
RELATIVES = {"who", "which", "that", "whom", "whose"}
# cues that continue the previous quote ("he added")
CONTINUATION_CUES = {"add", "added", "adds", "adding", "continue", "continued", "continues", "concluded"}
# nouns a person's pronoun owns that stand for the person ("his office said")
PERSON_INSTITUTIONS = {"office", "campaign", "administration", "government", "camp", "team"}
MALE_WORDS = {"mr", "mr.", "spokesman", "congressman", "chairman", "businessman", "king", "prince", "husband",
              "father", "son", "brother", "man", "sir", "lord", "pope", "cardinal", "bishop", "archbishop"}
FEMALE_WORDS = {"mrs", "mrs.", "ms", "ms.", "miss", "spokeswoman", "congresswoman", "chairwoman", "businesswoman",
                "queen", "princess", "wife", "mother", "daughter", "sister", "woman", "lady", "dame", "madam"}
# title words before a name and the role noun each stands for
TITLES = {
    "president": "president", "pres": "president", "vice-president": "vice president",
    "governor": "governor", "gov": "governor", "senator": "senator", "sen": "senator",
    "representative": "representative", "rep": "representative", "congressman": "representative",
    "congresswoman": "representative", "mayor": "mayor", "justice": "justice", "judge": "judge",
    "secretary": "secretary", "speaker": "speaker", "sheriff": "sheriff", "chairman": "chairman",
    "chairwoman": "chairman", "chair": "chairman", "attorney": "attorney", "general": "general",
    "gen": "general", "minister": "minister", "ambassador": "ambassador", "leader": "leader",
    "candidate": "candidate", "nominee": "nominee", "hopeful": "candidate", "commissioner": "commissioner",
    "director": "director", "chancellor": "chancellor", "king": "king", "queen": "queen", "pope": "pope",
    "prime": "prime minister", "premier": "premier", "spokesman": "spokesman", "spokeswoman": "spokesman",
    "spokesperson": "spokesman", "ceo": "ceo", "founder": "founder", "host": "host", "lawmaker": "lawmaker",
    "aide": "aide", "adviser": "adviser", "advisor": "adviser", "pastor": "pastor", "rabbi": "rabbi",
    "bishop": "bishop", "cardinal": "cardinal", "professor": "professor", "prof": "professor",
}
# role nouns of a definite speaker description that name one person ("the senator said")
PERSON_ROLES = {"president", "governor", "senator", "representative", "mayor", "justice", "judge", "secretary",
                "speaker", "sheriff", "chairman", "attorney", "general", "minister", "ambassador", "candidate",
                "nominee", "commissioner", "director", "chancellor", "king", "queen", "pope", "premier", "ceo",
                "founder", "host", "leader", "vice president", "prime minister", "professor", "pastor",
                "rabbi", "bishop", "cardinal", "congressman", "congresswoman"}
# organisation nouns ("the company said"); the generic ones may go to the one recent organisation
ORG_HEADS = {"company", "group", "organization", "organisation", "firm", "agency", "association", "union",
             "committee", "campaign", "network", "party", "department", "ministry", "court", "council",
             "commission", "foundation", "institute", "coalition", "movement", "corporation", "newspaper",
             "paper", "station", "channel", "university", "hospital", "bank", "board", "bureau", "center",
             "administration", "government", "service"}
# what a speaker issues: "Romney released a statement saying ...", "the statement said"
DOCUMENT_NOUNS = {"statement", "statements", "letter", "release", "email", "e-mail", "tweet", "post", "memo",
                  "ad", "advertisement", "video", "message", "op-ed", "column", "essay", "press"}
# institutions a name before them owns ("the Obama administration"): "the administration" is the last one named
OWNED_INSTITUTIONS = {"administration", "campaign", "government"}
GENERIC_ORG = {"company", "group", "organization", "organisation", "firm", "agency", "network", "corporation"}
# words that are never a speaker on their own (a source span of these only is an extraction slip)
FUNCTION_WORDS = {
    "the", "a", "an", "this", "that", "these", "those", "who", "whom", "whose", "which", "what", "and", "or",
    "but", "nor", "so", "yet", "while", "when", "where", "whether", "if", "as", "because", "since", "after",
    "before", "although", "though", "unless", "until", "than", "of", "in", "on", "at", "by", "for", "with",
    "from", "to", "into", "about", "over", "under", "between", "through", "during", "without", "being",
    "been", "be", "is", "was", "were", "are", "has", "have", "had", "do", "does", "did", "not", "also",
    "then", "there", "here", "asked", "some", "many", "its", "their", "his", "her", "our", "my", "your",
    "last", "next", "year", "week", "month", "today", "yesterday", "tonight", "earlier", "later", "day",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "morning", "afternoon",
    "evening", "night", "newly", "percent", "point", "one", "all", "both", "each", "such", "even", "just",
}
_PERSONAL_SOURCES = {"he", "she", "they", "it", "i", "we", "you"}
# words a source span may start with that are not the speaker ("from Republicans who ...",
# ", and members of both parties", "through a spokesman")
_LEADING_NON_SPEAKER = re.compile(
    r"(?:[\s,;:(—–-]+|(?:from|by|for|to|with|than|among|including|through|via|and|but|or|as|while|so|because"
    r"|when|if|although|though|then)\b)+", re.IGNORECASE)


def _with_source(span: Any, start: int, end: int) -> Any:
    """A shallow copy of a quote span with another source span."""
    out = copy.copy(span)
    out.source_start, out.source_end = start, end
    return out
_WORD = re.compile(r"[\w’'.-]+")


# How often the speaker a sieve finds is right (docs/CONFIDENCE.md). Measured on the BASIL dev years
# (named speakers of annotated quoted spans, `crossread eval basil --examples`): a name in the speaker
# phrase 149/153, a pronoun by salience 35/40, a continuation cue 3/3, a role noun 2/2, a quoted "I"
# 1/1, the overlap rule 0/1; the sieves seen fewer than 10 times there are set below the pronoun
# sieve's rate, as priors rather than measurements.
SPEAKER_CONFIDENCE = {"name": 0.95, "pronoun": 0.85, "pronoun-continuation": 0.8, "role": 0.75, "quoted-i": 0.7,
                      "relative": 0.7, "document": 0.6, "pronoun-previous-quote": 0.6, "it": 0.6, "overlap": 0.5}


def speaker_confidence(speaker: "Speaker") -> float:
    """How sure the quote's speaker is: the measured accuracy of the sieve that found it; 0 for none."""
    if speaker.actor is None:
        return 0.0
    return SPEAKER_CONFIDENCE.get(speaker.sieve, 0.5)


@dataclass
class Speaker:
    """The actor (article-local id, or None) speaking one quote, and the speaker span to show."""

    actor: str | None
    start: int | None
    end: int | None
    sieve: str = ""  # the rule that found the actor (SPEAKER_CONFIDENCE), "" when none did


@dataclass
class _Mention:
    start: int
    end: int
    actor: str
    head: int  # token index of the mention's head
    subject: bool  # the head is a clause subject
    pronoun: bool = False


def function_words_only(text: str | None) -> bool:
    """Is ``text`` made of function words only ("while", "The", "On Friday", "77 percent of")?"""
    if not text:
        return True
    words = [w.lower().strip(".’'") for w in _WORD.findall(text)]
    words = [w for w in words if w]
    return not words or all(w in FUNCTION_WORDS or w.isdigit() for w in words)


def resolve_speakers(text: str, doc: Any, actors: Sequence[Actor], spans: Sequence[Any]) -> list[Speaker]:
    """A :class:`Speaker` for each of ``spans`` (objects with ``source_start``/``source_end``
    and ``cue_start``/``cue_end`` offsets into ``text``: :class:`QuoteSpan`). ``doc`` is the
    parsed ``text`` (without one, or for another text, only the overlap rule applies)."""
    view = None
    if doc is not None and docview.text_of(doc) == text and len(doc):
        view = docview.view_of(doc)
        try:
            view.sents  # noqa: B018 - sentence boundaries are needed
        except ValueError:
            view = None
    return _Coref(text, view, actors).speakers(spans)


class _Coref:
    def __init__(self, text: str, view: Any, actors: Sequence[Actor]):
        self.text = text
        self.view = view
        self.actors = {a.id: a for a in actors}
        self.index = [(m.start, m.end, a.id) for a in actors for m in a.mentions]
        if view is None:
            return
        toks = view.tokens
        self.toks = toks
        self.starts = [t.idx for t in toks]
        udeps = view.udeps
        self.deps = [(udeps[k] if udeps is not None and udeps[k] else t.dep_) for k, t in enumerate(toks)]
        self.sents = view.sents
        from crossread.extract.quotes import find_quotations

        self.quotations = find_quotations(text)
        self.q_starts = [a for a, _ in self.quotations]
        # token -> sentence; sentence -> its rank among the sentences with words (a blank line
        # the parser made a sentence of is no distance), and among the sentences with words
        # outside quotation marks (the narrative: a long quotation between a quote and "the
        # statement continued" is no distance either)
        self.sent_of = [0] * len(toks)
        self.rank: list[int] = []
        self.nrank: list[int] = []
        rank = nrank = -1
        for n, s in enumerate(self.sents):
            if any(not toks[k].is_space for k in range(s.start, s.end)):
                rank += 1
            self.rank.append(max(rank, 0))
            for k in range(s.start, s.end):
                self.sent_of[k] = n
            if self._narrative(n):
                nrank += 1
            self.nrank.append(max(nrank, 0))
        self.gender = self._genders(actors)
        self.titles = self._titles(actors)
        # name mentions (pronoun mentions of actors.py are used for gender only)
        self.mentions: list[_Mention] = []
        for a in actors:
            for m in a.mentions:
                if m.text.lower() in PRONOUN_GENDER or m.end <= m.start:
                    continue
                head = self._head(m.start, m.end)
                if head is None:
                    continue
                self.mentions.append(_Mention(m.start, m.end, a.id, head, self._is_subject(head)))
        self.mentions.sort(key=lambda m: (m.start, m.end))

    # -- helpers over the Doc
    def tok_range(self, start: int, end: int) -> range:
        a = bisect.bisect_right(self.starts, start) - 1
        if a < 0 or self.toks[a].idx + len(self.toks[a].text) <= start:
            a += 1
        b = bisect.bisect_left(self.starts, end)
        return range(max(a, 0), b)

    def _head(self, start: int, end: int) -> int | None:
        """The token of [start, end) whose head is outside it (the first such; punctuation aside)."""
        rng = self.tok_range(start, end)
        if not len(rng):
            return None
        for k in rng:
            t = self.toks[k]
            if t.is_punct:
                continue
            if t.head.i == k or not (rng.start <= t.head.i < rng.stop):
                return k
        return rng.start

    def _is_subject(self, k: int) -> bool:
        """Token ``k`` is a clause subject, or a name/apposition part of one."""
        for _ in range(3):
            dep = self.deps[k]
            if dep.startswith("nsubj"):
                return True
            if dep in ("flat", "compound", "appos", "nmod:desc", "flat:name") and self.toks[k].head.i != k:
                k = self.toks[k].head.i
                continue
            return False
        return False

    def in_quotation(self, pos: int) -> bool:
        k = bisect.bisect_right(self.q_starts, pos) - 1
        return k >= 0 and self.quotations[k][0] < pos < self.quotations[k][1]

    def actor_at(self, start: int | None, end: int | None) -> str | None:
        """The former rule: the mention with the largest overlap (shortest on ties)."""
        from crossread.extract import _actor_at

        return _actor_at(self.index, start, end)

    def actor_of_token(self, k: int) -> _Mention | None:
        """The shortest name mention covering token ``k``."""
        t = self.toks[k]
        best = None
        for m in self.mentions:
            if m.start > t.idx:
                break
            if m.start <= t.idx and t.idx + len(t.text) <= m.end and (best is None or m.end - m.start < best.end - best.start):
                best = m
        return best

    # -- what the article says about its actors
    def _genders(self, actors: Sequence[Actor]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        text = self.text
        for a in actors:
            if a.type not in ("PERSON", "PER"):
                continue
            votes = {"m": 0, "f": 0}
            for m in a.mentions:
                low = m.text.lower()
                if low in PRONOUN_GENDER:
                    votes[PRONOUN_GENDER[low]] += 1
                    continue
                before = re.search(r"\b(Mr|Mrs|Ms|Miss)\.?\s+$", text[max(0, m.start - 6):m.start])
                if before:
                    votes["m" if before.group(1) == "Mr" else "f"] += 1
            for desc in [a.role or "", *a.aliases]:
                for w in desc.lower().split():
                    if w in MALE_WORDS:
                        votes["m"] += 1
                    elif w in FEMALE_WORDS:
                        votes["f"] += 1
            out[a.id] = "m" if votes["m"] > votes["f"] else "f" if votes["f"] > votes["m"] else None
        return out

    def _titles(self, actors: Sequence[Actor]) -> dict[str, set[str]]:
        """Role nouns each person is introduced with (title words before a mention, role, aliases)."""
        out: dict[str, set[str]] = {}
        for a in actors:
            roles: set[str] = set()
            descs = [a.role or "", *a.aliases]
            for m in a.mentions:
                rng = self.tok_range(m.start, m.end)
                k = rng.start - 1
                words = []
                while k >= 0 and len(words) < 4 and self.toks[k].text[:1].isalpha() and (
                        self.toks[k].lower_.strip(".") in TITLES or self.toks[k].text[:1].isupper()
                        and self.toks[k].pos_ in ("PROPN", "ADJ", "NOUN")):
                    words.append(self.toks[k].lower_.strip("."))
                    k -= 1
                descs.append(" ".join(reversed(words)))
                descs.append(m.text)
            for desc in descs:
                ws = [w.strip(".,").lower() for w in desc.split()]
                for i, w in enumerate(ws):
                    role = TITLES.get(w)
                    if role == "president" and i > 0 and ws[i - 1] == "vice":
                        role = "vice president"
                    if role == "minister" and i > 0 and ws[i - 1] == "prime":
                        role = "prime minister"
                    if role:
                        roles.add(role)
            out[a.id] = roles
        return out

    def compatible(self, actor: str, gender: str | None) -> bool:
        known = self.gender.get(actor)
        return gender is None or known is None or known == gender

    def is_person(self, actor: str) -> bool:
        return self.actors[actor].type in ("PERSON", "PER")

    # -- the sieves
    def speakers(self, spans: Sequence[Any]) -> list[Speaker]:
        out: list[Speaker] = [Speaker(None, s.source_start, s.source_end) for s in spans]
        if self.view is None:
            for sp, s in zip(out, spans):
                sp.actor = self.actor_at(s.source_start, s.source_end)
                sp.sieve = "overlap" if sp.actor else ""
                if sp.actor is None and function_words_only(self.text[s.source_start:s.source_end]
                                                            if s.source_start is not None else None):
                    sp.start = sp.end = None
            return out
        spans = [self._speaker_phrase(s) for s in spans]
        pending: dict[int, list[int]] = {}  # pronoun token -> the spans it is the source of
        documents: list[int] = []  # spans whose source is a document ("the statement said")
        words_of: dict[int, list[Any]] = {}
        order = sorted(range(len(spans)), key=lambda n: self._position(spans[n]))
        for n in order:
            s = spans[n]
            if s.source_start is None or s.source_end is None or s.source_start >= s.source_end:
                out[n] = Speaker(None, None, None)
                continue
            rng = self.tok_range(s.source_start, s.source_end)
            words = [self.toks[k] for k in rng if not self.toks[k].is_punct]
            words_of[n] = words
            if not words:
                out[n] = Speaker(None, None, None)
                continue
            pron = self._pronoun_source(words)
            if pron is not None:
                pending.setdefault(pron, []).append(n)
                continue
            if len(words) == 1 and words[0].lower_ in ("it", "they"):
                types = ("ORG",) if words[0].lower_ == "it" else ("ORG", "NORP")
                out[n] = Speaker(self._it(words[0], types), s.source_start, s.source_end, "it")
                continue
            if len(words) == 1 and words[0].lower_ in RELATIVES:
                out[n] = self._relative(words[0], s)
                out[n].sieve = "relative"
                continue
            out[n] = self._named(s, words)
            if out[n].actor is None and self._document(words) is not None:
                documents.append(n)
        self._pronouns(spans, out, pending, order)
        prev_of = dict(zip(order[1:], order))
        for n in documents:
            out[n].actor = self._issuer(self._document(words_of[n])) or self._previous_speaker(
                n, prev_of, out, spans, None, limit=2, person=False)
            out[n].sieve = "document"
        # "I" inside a quotation is whoever speaks the quotation (Lee et al.'s speaker sieve):
        # '“..., I did not know about it,” Trump said' -> Trump
        for n, s in enumerate(spans):
            words = words_of.get(n) or []
            if out[n].actor is None and len(words) == 1 and words[0].lower_ in ("i", "me") \
                    and self.in_quotation(words[0].idx):
                outer = [m for m, o in enumerate(spans) if m != n and out[m].actor is not None
                         and o.content_start <= words[0].idx < o.content_end]
                if outer:
                    out[n].actor = out[outer[0]].actor
                    out[n].sieve = "quoted-i"
        for sp in out:
            if sp.start is None or sp.end is None:
                continue
            # a leading conjunction or preposition is not part of the speaker ("as lawmakers from
            # both parties", "to black farmers")
            m = _LEADING_NON_SPEAKER.match(self.text, sp.start, sp.end)
            if m and m.end() < sp.end:
                sp.start = m.end()
            if sp.actor is None and function_words_only(self.text[sp.start:sp.end]):
                sp.start = sp.end = None
        return out

    def _speaker_phrase(self, s: Any) -> Any:
        """``s`` with the source span the sieves should read: a leading preposition, conjunction or
        comma dropped (the extractor's span for "criticism from Republicans who accused ..." is
        "from Republicans"); for a channel ("said through a spokesman") or no source at all
        ("Obama on Thursday said, ...", "..., saying he ...") the subject of the cue verb, when the
        parse has one. A copy: the extractor's span is left as it is."""
        start, end = s.source_start, s.source_end
        if start is not None and end is not None and start < end and (
                not function_words_only(self.text[start:end]) or self.text[start:end].strip().lower() in RELATIVES):
            m = _LEADING_NON_SPEAKER.match(self.text, start, end)
            if m and m.end() < end:
                if re.match(r"(?:through|via)\b", self.text[m.start():m.end()].lstrip(" ,;:(—–-"), re.IGNORECASE):
                    subject = self._cue_subject(s)
                    if subject is not None:
                        return _with_source(s, *subject)
                return _with_source(s, m.end(), end)
            return s
        if getattr(s, "cue_start", None) is not None:  # no source, or "Thursday" of "Obama on Thursday said"
            subject = self._cue_subject(s) or self._lone_person_before(s)
            if subject is not None:
                return _with_source(s, *subject)
        return s

    def _lone_person_before(self, s: Any) -> tuple[int, int] | None:
        """Where the parse gives the cue no subject ("While declining to discuss it, Mr. Obama on
        Thursday said"): the one person named before the cue in its sentence, outside quotations."""
        if self.in_quotation(s.cue_start):
            return None
        rng = self.tok_range(s.cue_start, s.cue_end)
        if not len(rng):
            return None
        sent = self.sents[self.sent_of[rng.start]]
        found = [m for m in self.mentions if sent.start_char <= m.start and m.end <= s.cue_start
                 and not self.in_quotation(m.start)]
        people = {m.actor for m in found if self.is_person(m.actor)}
        if len(people) != 1 or len({m.actor for m in found}) != len(people):
            return None  # two people, or a person beside an organisation: no guess
        m = found[-1]
        return m.start, m.end

    def _cue_subject(self, s: Any) -> tuple[int, int] | None:
        """(start, end) of the subject of the cue's verb, or of the verb it hangs on when the cue is
        a participle or an infinitive ("issued a statement, saying"); None inside a quotation."""
        if s.cue_start is None or s.cue_end is None or self.in_quotation(s.cue_start):
            return None
        verbs = [k for k in self.tok_range(s.cue_start, s.cue_end) if self.toks[k].pos_ in ("VERB", "AUX")]
        if not verbs:
            return None
        k = verbs[-1]
        for _ in range(3):
            t = self.toks[k]
            subjects = [c for c in t.children if self.deps[c.i].startswith("nsubj") and c.i < t.i]
            if subjects:
                c = subjects[0]
                if c.lower_ in RELATIVES or self.in_quotation(c.idx):
                    return None
                lo, hi = self.view.edges(c.i)
                if hi >= t.i or hi - lo > 12:
                    # a long subject ("Senator Harry Reid of Nevada, the Senate majority leader and
                    # ..."): its name, or its head word
                    m = self.actor_of_token(c.i)
                    return (m.start, m.end) if m is not None else (c.idx, c.idx + len(c.text))
                return self.toks[lo].idx, self.toks[hi].idx + len(self.toks[hi].text)
            if self.deps[k] not in ("advcl", "xcomp", "conj", "acl") or t.head.i == k:
                return None
            k = t.head.i
        return None

    def _position(self, s: Any) -> int:
        parts = [x for x in (s.source_start, s.cue_start, s.content_start) if x is not None]
        return min(parts) if parts else 0

    def _pronoun_source(self, words: list[Any]) -> int | None:
        """The pronoun token when the source is "he"/"she" or "his office"-like."""
        first = words[0]
        if first.lower_ in ("he", "she") and len(words) == 1:
            return first.i
        if first.lower_ in ("his", "her") and len(words) == 2 and words[1].lower_ in PERSON_INSTITUTIONS:
            return first.i
        return None

    def _named(self, s: Any, words: list[Any]) -> Speaker:
        start, end = s.source_start, s.source_end
        head = self._head(start, end)
        if head is not None:
            m = self.actor_of_token(head)
            if m is not None and self._member_word(m.start, m.end):
                # a group of the party's members ("Republicans", "Democratic lawmakers") is the
                # party; one member ("The Democrat, Representative Adam Schiff", "the Arizona
                # Republican", "one Democrat") is a person: the one named in the phrase, else no one
                # (the one person of the last sentences was wrong as often as right: "The California
                # Democrat" after a paragraph on another congressman)
                if self.toks[head].tag_ in ("NNS", "NNPS"):
                    return Speaker(m.actor, start, end, "name")
                actor = self._overlap(start, end, person=True)
                return Speaker(actor, start, end, "overlap" if actor else "")
            if m is not None:
                return Speaker(m.actor, start, end, "name")
        role = self._role_noun(words, head)
        if role is not None:
            actor = self._role(role, start)
            if actor is not None:
                return Speaker(actor, start, end, "role")
            # a person's description: only a person named in it ("the mayor of Hoboken, Dawn
            # Zimmer"), never its place ("the Texas governor" is not Texas); an organisation's
            # ("the company Mr. Grimm formed"): no one
            actor = None if role.startswith("org:") else self._overlap(start, end, person=True)
            return Speaker(actor, start, end, "overlap" if actor else "")
        # a name inside the source ("a spokeswoman for Hillary Clinton", "Netanyahu's office")
        actor = self._overlap(start, end)
        return Speaker(actor, start, end, "overlap" if actor else "")

    def _overlap(self, start: int, end: int, person: bool = False) -> str | None:
        """The former rule (:meth:`actor_at`) over the mentions that can name a speaker: not a party
        or nationality modifying a common noun ("Republican strategists", "Senate Democratic Leader
        Harry Reid" is Reid), and only people when ``person``."""
        from crossread.extract import _actor_at

        index = [(a, b, actor) for a, b, actor in self.index if a < end and start < b
                 and self.actors[actor].type != "NORP" and not self._member_word(a, b)
                 and (not person or self.is_person(actor))]
        return _actor_at(index, start, end)

    def _member_word(self, start: int, end: int) -> bool:
        """Is text[start:end] a party's member word ("Republican", "Democratic"): a registry demonym
        of an organisation? (A nationality, "Israeli officials", names its state as actors.py reads it.)"""
        hit = self._registry_hit(start, end)
        return hit is not None and hit.kind == "demonym" and hit.entry.type == "ORG"

    def _demonym(self, start: int, end: int) -> bool:
        hit = self._registry_hit(start, end)
        return hit is not None and hit.kind == "demonym"

    def _registry_hit(self, start: int, end: int) -> Any:
        from crossread.extract.registry import default_registry

        return default_registry().lookup(self.text[start:end])

    def _role_noun(self, words: list[Any], head: int | None) -> str | None:
        """The role of a definite description ("the former vice president") or None."""
        if head is None or words[0].lower_ not in ("the", "this", "that"):
            return None
        h = self.toks[head]
        low = h.lower_
        if h.text[:1].isupper() or any(w.text[:1].isupper() and w.pos_ == "PROPN" for w in words[1:] if w.i < head
                                       and w.lower_ not in ("republican", "democratic", "gop")
                                       and not self._place_or_group(w.i)):
            return None  # a name ("the NAACP"), not a role noun ("the Texas governor")
        prev = self.toks[head - 1].lower_ if head > 0 else ""
        if low == "president" and prev == "vice":
            return "vice president"
        if low == "minister" and prev == "prime":
            return "prime minister"
        if low in ORG_HEADS:
            return "org:" + low
        role = TITLES.get(low)
        if role in PERSON_ROLES or low in PERSON_ROLES:
            return role or low
        return None

    def _place_or_group(self, k: int) -> bool:
        """Token ``k`` is in a mention of a place or a group (a modifier: "the Texas governor")."""
        t = self.toks[k]
        for m_start, m_end, actor in self.index:
            if m_start <= t.idx < m_end and self.actors[actor].type in ("GPE", "LOC", "NORP"):
                return True
        return False

    def _role(self, role: str, at: int) -> str | None:
        if role.startswith("org:"):
            noun = role[4:]
            # "the administration", "the campaign": the last "Obama administration", "Iranian
            # government" mention, whoever actors.py made it (the person, the state)
            owned = [m for m in self.mentions if m.start < at and not self.in_quotation(m.start)
                     and self.text[m.start:m.end].lower().split()[-1] == noun]
            if noun in OWNED_INSTITUTIONS and owned:
                return owned[-1].actor
            orgs = [m for m in self.mentions if m.start < at and not self.is_person(m.actor)
                    and not self.in_quotation(m.start)]
            named = [m for m in orgs if noun in self.actors[m.actor].name.lower().split()]
            if named:
                return named[-1].actor
            if noun in GENERIC_ORG:
                sent = self.sent_of[self.tok_range(at, at + 1).start] if at < len(self.text) else 0
                recent = {m.actor for m in orgs if self.rank[self.sent_of[m.head]] >= self.rank[sent] - 2
                          and self.actors[m.actor].type == "ORG"}
                if len(recent) == 1:
                    return recent.pop()
            return None
        holders = [m for m in self.mentions if m.start < at and self.is_person(m.actor)
                   and role in self.titles.get(m.actor, ())]
        if holders:
            return holders[-1].actor
        # no one introduced with that title: the one person of the last sentences
        k = self.tok_range(at, at + 1).start
        sent = self.sent_of[min(k, len(self.toks) - 1)]
        recent = {m.actor for m in self.mentions if m.start < at and self.is_person(m.actor)
                  and not self.in_quotation(m.start) and self.nrank[self.sent_of[m.head]] >= self.nrank[sent] - 2}
        return recent.pop() if len(recent) == 1 else None

    def _relative(self, tok: Any, s: Any) -> Speaker:
        """"..., who said": the antecedent noun of the relative clause."""
        verb = tok.head
        ante = None
        if verb.i != tok.i and self.deps[verb.i] in ("acl:relcl", "relcl", "acl") and verb.head.i != verb.i:
            ante = verb.head
        if ante is None:
            # "X, who said": the nearest noun before the comma
            k = tok.i - 1
            while k >= 0 and self.toks[k].is_punct:
                k -= 1
            if k >= 0 and self.toks[k].pos_ in ("PROPN", "NOUN"):
                ante = self.toks[k]
        if ante is None:
            return Speaker(None, None, None)
        m = self.actor_of_token(ante.i)
        if m is None and ante.head.i != ante.i and (self.deps[ante.i] == "appos" or (
                self.deps[ante.i] == "conj" and not any(self.deps[c.i] == "cc" for c in ante.children))):
            # "Jeff Sessions, a former senator, who has told": the apposition's name (a conjunct
            # without "and"/"or" is an apposition the parser misread)
            m = self.actor_of_token(ante.head.i)
        if m is None:
            # the parser hung the clause on the head of "criticism from Republicans who ...": the
            # name just before the pronoun
            k = tok.i - 1
            while k >= 0 and self.toks[k].is_punct:
                k -= 1
            m = self.actor_of_token(k) if k >= 0 and self.toks[k].pos_ in ("PROPN", "NOUN") else None
            if m is not None and (self.actors[m.actor].type not in ("PERSON", "PER", "ORG")
                                  or self._demonym(m.start, m.end)):
                m = None  # "American Indians who claimed" is no speech of India
        if m is not None:
            return Speaker(m.actor, m.start, m.end)
        # the noun phrase without its relative clause: left dependents and the head
        lo = ante.i
        while lo - 1 >= 0 and self.toks[lo - 1].head.i == ante.i and self.deps[lo - 1] in (
                "det", "amod", "compound", "nmod:poss", "flat", "nummod", "case", "nmod:desc"):
            lo -= 1
        start, end = self.toks[lo].idx, ante.idx + len(ante.text)
        role = self._role_noun([self.toks[k] for k in range(lo, ante.i + 1)], ante.i)
        actor = self._role(role, start) if role else None
        return Speaker(actor, start, end)

    def _pronouns(self, spans: Sequence[Any], out: list[Speaker], pending: dict[int, list[int]],
                  order: list[int]) -> None:
        """Every he/she/his/her outside quotations, in document order (see the module docstring)."""
        toks = self.toks
        resolved: list[_Mention] = []  # pronoun mentions resolved so far, in order
        # the previous quote's speaker, per span (in document order)
        prev_of: dict[int, int] = {}
        for a, b in zip(order, order[1:]):
            prev_of[b] = a
        for t in toks:
            gender = PRONOUN_GENDER.get(t.lower_)
            if gender is None or t.lower_ in ("himself", "herself") or self.in_quotation(t.idx):
                continue
            span_ids = pending.get(t.i, [])
            actor = None
            sieve = "pronoun-continuation"
            if span_ids and spans[span_ids[0]].cue_start is not None:
                cue = self.text[spans[span_ids[0]].cue_start:spans[span_ids[0]].cue_end].lower().split()
                if cue and cue[-1] in CONTINUATION_CUES:
                    actor = self._previous_speaker(span_ids[0], prev_of, out, spans, gender, limit=2)
            if actor is None:
                sieve = "pronoun"
                actor = self._antecedent(t, gender, resolved)
            if actor is None and span_ids:
                sieve = "pronoun-previous-quote"
                actor = self._previous_speaker(span_ids[0], prev_of, out, spans, gender, limit=QUOTE_WINDOW)
            if actor is not None:
                resolved.append(_Mention(t.idx, t.idx + len(t.text), actor, t.i, self._is_subject(t.i), True))
            for n in span_ids:
                s = spans[n]
                out[n] = Speaker(actor, s.source_start, s.source_end, sieve if actor else "")

    def _it(self, t: Any, types: tuple[str, ...]) -> str | None:
        """"It said" ("they said"): an organisation (or a party, a people), when one is the subject
        just before (its own sentence, else the first subject of the previous narrative sentence);
        anything else ("the report", "officials") is not an actor, so no guess is made."""
        if self.deps[t.i] in ("expl", "nsubj:pass", "expl:pass"):
            return None  # "it was reported that ...": no one
        sent = self.sent_of[t.i]
        prev = sent - 1
        while prev >= 0 and not self._narrative(prev):
            prev -= 1
        for n in (sent, prev):
            if n < 0:
                continue
            s = self.sents[n]
            # number agreement: "they" skips singular subjects ("many Democrats were not pleased that
            # the issue had been raised, as they believed" -> Democrats), "it" plural ones
            plural = t.lower_ == "they"
            subjects = [k for k in range(s.start, min(s.end, t.i)) if self.deps[k].startswith("nsubj")
                        and not self.in_quotation(self.toks[k].idx) and not self._same_clause(k, t.i)
                        and (self.toks[k].tag_ in ("NNS", "NNPS") or self._norp(k)
                             or self.toks[k].lower_ in ("they", "we")) == plural]
            if not subjects:
                continue
            k = subjects[-1] if n == sent else subjects[0]
            m = self.actor_of_token(k)
            if m is None or self.actors[m.actor].type not in types:
                return None
            return m.actor
        return None

    def _norp(self, k: int) -> bool:
        """Token ``k`` names a people or a party, which "they" takes even when tagged singular."""
        m = self.actor_of_token(k)
        return m is not None and self.actors[m.actor].type == "NORP"

    def _document(self, words: list[Any]) -> Any:
        """The head token of a source that is a document ("a statement late Tuesday", "the letter")."""
        if not words:
            return None
        head = self._head(words[0].idx, words[-1].idx + len(words[-1].text))
        if head is None or self.toks[head].lower_ not in DOCUMENT_NOUNS:
            return None
        return self.toks[head]

    def _issuer(self, noun: Any) -> str | None:
        """Who issued the document: the subject of the verb it is the object of ("Romney released
        a statement saying"), when that subject is an actor's mention."""
        if noun is None or not self.deps[noun.i].startswith("obj"):
            return None
        verb = noun.head
        for c in verb.children:
            if self.deps[c.i].startswith("nsubj"):
                m = self.actor_of_token(c.i)
                return m.actor if m is not None else None
        return None

    def _previous_speaker(self, n: int, prev_of: dict[int, int], out: list[Speaker], spans: Sequence[Any],
                          gender: str | None, limit: int, person: bool = True) -> str | None:
        p = prev_of.get(n)
        # the last quote with a (person) speaker: quotes of no one in between do not count
        while p is not None and (out[p].actor is None or (person and not self.is_person(out[p].actor))):
            p = prev_of.get(p)
        if p is None:
            return None
        here = self.tok_range(self._position(spans[n]), self._position(spans[n]) + 1).start
        there = self.tok_range(self._position(spans[p]), self._position(spans[p]) + 1).start
        if here >= len(self.toks) or there >= len(self.toks):
            return None
        if self.nrank[self.sent_of[here]] - self.nrank[self.sent_of[there]] > limit:
            return None
        return out[p].actor if self.compatible(out[p].actor, gender) else None

    def _narrative(self, n: int) -> bool:
        """Sentence ``n`` has words outside quotation marks (a sentence of a long quotation does
        not count towards the window)."""
        s = self.sents[n]
        return any(not self.toks[k].is_punct and not self.toks[k].is_space and not self.in_quotation(self.toks[k].idx)
                   for k in range(s.start, s.end))

    def _antecedent(self, t: Any, gender: str, resolved: list[_Mention]) -> str | None:
        sent = self.sent_of[t.i]
        lo, counted = sent, 0
        while lo > 0 and counted < WINDOW and sent - lo < 4 * WINDOW:
            lo -= 1
            counted += self._narrative(lo)
        first_char = self.sents[lo].start_char
        cands = [m for m in self.mentions if first_char <= m.start and m.end <= t.idx]
        cands += [m for m in resolved if first_char <= m.start and m.end <= t.idx]
        cands = [m for m in cands if self.is_person(m.actor) and not self.in_quotation(m.start)]
        # subjects that are role descriptions ("the congressman", "the attorney general"): the
        # person with that title, or (actor "") someone the article does not name, who blocks
        # the less salient candidates behind them
        cands += self._role_subjects(first_char, t.idx)
        if not cands:
            return None
        # own sentence: clause subjects before the pronoun, nearest first
        own = [m for m in cands if self.sent_of[m.head] == sent and m.subject and not self._same_clause(m.head, t.i)]
        for m in sorted(own, key=lambda m: -m.start):
            if not m.actor:
                return None
            if self.compatible(m.actor, gender):
                return m.actor
        for s in range(sent - 1, lo - 1, -1):
            here = [m for m in cands if self.sent_of[m.head] == s]
            ranked = sorted(here, key=lambda m: (not m.subject, m.start if m.subject else -m.start))
            for m in ranked:
                if not m.actor:
                    return None
                if self.compatible(m.actor, gender):
                    return m.actor
        return None

    def _role_subjects(self, lo: int, hi: int) -> list[_Mention]:
        """Definite role-noun subjects ("the governor said") between characters lo and hi."""
        out = []
        for k in self.tok_range(lo, hi):
            t = self.toks[k]
            if not self.deps[k].startswith("nsubj") or t.pos_ != "NOUN" or self.in_quotation(t.idx):
                continue
            if self.actor_of_token(k) is not None:
                continue
            left = self.view.edges(k)[0]
            if k - left > 6:
                continue
            words = [self.toks[j] for j in range(left, k + 1) if not self.toks[j].is_punct]
            role = self._role_noun(words, k) if words else None
            if role is None or role.startswith("org:"):
                continue
            actor = self._role(role, self.toks[left].idx)
            if actor is not None and not self.is_person(actor):
                continue
            out.append(_Mention(self.toks[left].idx, t.idx + len(t.text), actor or "", k, True))
        return out

    def _same_clause(self, a: int, b: int) -> bool:
        """Tokens ``a`` and ``b`` depend on the same verb (a pronoun subject is never its clause-mate)."""
        return self.toks[a].head.i == self.toks[b].head.i
