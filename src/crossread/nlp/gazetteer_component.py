"""``crossread_gazetteer``: rule layer after the statistical NER.

1. Relabel: an entity whose exact text is a known country/capital (GPE), demonym (NORP) or
   international organisation (ORG) gets that label (fixes LOC/GPE/MISC confusions); any other name
   right before "administration" is a PERSON ("the Biden administration": named after a leader).
2. Add: gazetteer matches (phrase matcher over ORTH) that overlap no existing entity are added; a match
   that strictly contains predicted entities ("States" in "United States") replaces them, and an entity
   that starts inside a match grows to the match's start ("Nations Security Council" after "United")
   (expand).
3. Drop: predicted entities without any capital letter ("e-mail", "us") are removed (drop_lowercase).
4. Titles: a PERSON entity of title words only, after an optional demonym, holds no name: it is dropped,
   its demonym kept as NORP ("Iranian Supreme" cut from "Iranian Supreme Leader Ali Khamenei" -> NORP
   "Iranian"; trim_titles). Titles before a name inside a PERSON entity stay, as GUM and re3d mark them;
   the actor layer reads them as roles. Cutting those too gained 0.4 UNER dev points but lost 3.4 on
   GUM and 2 on re3d (docs/EVALUATION.md).
Always: punctuation at the edges of an entity is trimmed ("Idlib ," -> "Idlib"), and a demonym followed
only by lower-case words is cut to the demonym ("Palestinian militant group" -> "Palestinian"). A name
never ends in a connecting word (the tagger switched type mid-name, or ran past a name's end): an entity
ending in "of"/"for" after a capitalised word, right before another entity, is one name with it
("Housing Authority of" + "New Orleans"), unless a company suffix ended the name ("Google, Inc. of");
otherwise (and always for a PERSON) the connecting word and the lower-case words before it are cut
("Google and" -> "Google", "West Bank town of" -> "West Bank"); a determiner alone is dropped.
Patterns are stored with the pipeline (to_disk/from_disk) so loading needs no pycountry at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from crossread.nlp.gazetteer import DETERMINERS, GOVERNMENT_BY_LEADER, HONORIFICS, TITLE_WORDS


@Language.factory("crossread_gazetteer",
                  default_config={"relabel": True, "add": True, "expand": True, "drop_lowercase": True,
                                  "trim_titles": True},
                  assigns=["doc.ents", "token.ent_iob", "token.ent_type"])
def make_gazetteer(nlp: Language, name: str, relabel: bool, add: bool, expand: bool = True,
                   drop_lowercase: bool = True, trim_titles: bool = True) -> "Gazetteer":
    return Gazetteer(nlp, name, relabel=relabel, add=add, expand=expand, drop_lowercase=drop_lowercase,
                     trim_titles=trim_titles)


# words that join the parts of one name ("Bank of England", "Committee for Refugees") but never end one;
# "in" is left out ("Al-Qaeda in" + "Afghanistan" is two names in UNER test)
_JOINERS = frozenset({"of", "for"})
_NEVER_LAST = _JOINERS | {"in", "and", "or", "the", "a", "an"}
_COMPANY_SUFFIXES = frozenset({"inc", "inc.", "ltd", "ltd.", "llc", "corp", "corp.", "co", "co.", "plc", "gmbh",
                               "ag", "sa", "s.a.", "pvt", "pvt."})


def join_or_cut_connectors(doc: Doc, ents: list[Span]) -> tuple[list[Span], bool]:
    """Entities (sorted, non-overlapping) with no connecting word at their end and no determiner alone;
    see the module docstring."""
    out: list[Span] = []
    changed = False
    i = 0
    while i < len(ents):
        ent = ents[i]
        following = ents[i + 1] if i + 1 < len(ents) and ents[i + 1].start == ent.end else None
        last = doc[ent.end - 1]
        if len(ent) == 1 and last.text in DETERMINERS:  # "the" tagged apart from the name after it:
            changed = True  # names go without their determiner, as in UNER ("The" + "African Union")
            i += 1
            continue
        if len(ent) > 1 and last.text in _NEVER_LAST:
            changed = True
            before = doc[ent.end - 2]
            if last.text in _JOINERS and following is not None and ent.label_ != "PERSON" and \
                    before.text[:1].isupper() and before.lower_ not in _COMPANY_SUFFIXES:
                out.append(Span(doc, ent.start, following.end, label=ent.label_))
                i += 2
                continue
            end = ent.end - 1
            while end > ent.start + 1 and doc[end - 1].is_alpha and doc[end - 1].is_lower:
                end -= 1  # "West Bank town of": the description before the connector goes with it
            if not (end - ent.start == 1 and doc[ent.start].text in DETERMINERS):  # "an area west of"
                out.append(Span(doc, ent.start, end, label=ent.label_))
            i += 1
            continue
        out.append(ent)
        i += 1
    return out, changed


def _is_title_word(token) -> bool:
    word = token.lower_.rstrip(".")
    return word in TITLE_WORDS or word in HONORIFICS


class Gazetteer:
    def __init__(self, nlp: Language, name: str, *, relabel: bool = True, add: bool = True, expand: bool = True,
                 drop_lowercase: bool = True, trim_titles: bool = True) -> None:
        self.nlp = nlp
        self.name = name
        self.relabel = relabel
        self.add = add
        self.expand = expand
        self.drop_lowercase = drop_lowercase
        self.trim_titles = trim_titles
        self.table: dict[str, str] = {}
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")

    def set_table(self, table: dict[str, str]) -> None:
        self.table = dict(table)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        by_label: dict[str, list] = {}
        for text, label in self.table.items():
            by_label.setdefault(label, []).append(self.nlp.make_doc(text))
        for label, docs in by_label.items():
            self.matcher.add(label, docs)

    def __call__(self, doc: Doc) -> Doc:
        ents, changed = join_or_cut_connectors(doc, sorted(doc.ents, key=lambda e: e.start))
        trimmed = []
        for e in ents:  # "Idlib ," -> "Idlib": punctuation never starts or ends a name
            start, end = e.start, e.end
            while start < end and doc[start].is_punct and doc[start].text not in ("(", '"'):
                start += 1
            while end > start and doc[end - 1].is_punct and doc[end - 1].text not in (")", '"'):
                end -= 1
            # "Palestinian militant group", "Iranian leaders": a demonym and a description, the name is
            # the demonym (re3d marks such phrases as entities; the named-entity convention does not)
            if end - start > 1 and self.table.get(doc[start].text) == "NORP" and \
                    all(t.is_alpha and t.is_lower for t in doc[start + 1:end]):
                end = start + 1
            if (start, end) != (e.start, e.end):
                changed = True
                if start < end:
                    trimmed.append(Span(doc, start, end, label=e.label_))
            else:
                trimmed.append(e)
        ents = trimmed
        if self.trim_titles:
            ents, titled = self._without_titles(doc, ents)
            changed = changed or titled
        if self.drop_lowercase:  # "e-mail", "us", "@": names in edited text carry a capital letter
            kept = [e for e in ents if any(ch.isupper() for ch in e.text)]
            changed = changed or len(kept) != len(ents)
            ents = kept
        if not self.table:
            if changed:
                doc.ents = ents
            return doc
        if self.relabel:
            new = []
            for ent in ents:
                text = ent.text[4:] if ent.text.startswith(("the ", "The ")) else ent.text
                lab = self.table.get(text)
                if lab is None and ent.end < len(doc) and doc[ent.end].lower_ in GOVERNMENT_BY_LEADER:
                    lab = "PERSON"
                if lab and lab != ent.label_:
                    ent = Span(doc, ent.start, ent.end, label=lab)
                    changed = True
                new.append(ent)
            ents = new
        if self.add:
            taken = set()
            for ent in ents:
                taken.update(range(ent.start, ent.end))
            cands = []
            for match_id, start, end in self.matcher(doc):
                if any(i in taken for i in range(start, end)):
                    inside = [e for e in ents if e.start < end and e.end > start]
                    # expand: "States" inside the gazetteer phrase "United States" -> the whole phrase
                    if self.expand and all(start <= e.start and e.end <= end for e in inside) and \
                            sum(e.end - e.start for e in inside) < end - start:
                        ents = [e for e in ents if e not in inside]
                        cands.append(Span(doc, start, end, label=match_id))
                    elif self.expand and len(inside) == 1 and start < inside[0].start < end < inside[0].end:
                        # "Nations Security Council" under the phrase "United Nations": the name began earlier
                        ent = inside[0]
                        ents = [Span(doc, start, ent.end, label=ent.label_) if e is ent else e for e in ents]
                        taken.update(range(start, ent.start))
                        changed = True
                    continue
                cands.append(Span(doc, start, end, label=match_id))
            if cands:
                ents += filter_spans(cands)
                changed = True
        if changed:
            doc.ents = sorted(filter_spans(ents), key=lambda s: s.start)
        return doc

    def _without_titles(self, doc: Doc, ents: list[Span]) -> tuple[list[Span], bool]:
        out: list[Span] = []
        changed = False
        for ent in ents:
            first = ent.start + 1 if self.table.get(doc[ent.start].text) == "NORP" else ent.start
            if ent.label_ != "PERSON" or first == ent.end or \
                    not all(_is_title_word(t) for t in doc[first:ent.end]):
                out.append(ent)
                continue
            changed = True  # "Iranian Supreme" (of "Iranian Supreme Leader Ali Khamenei"): no name in it
            if first > ent.start:
                out.append(Span(doc, ent.start, first, label="NORP"))
        return out, changed

    def to_disk(self, path, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "table.json").write_text(json.dumps(self.table, ensure_ascii=False, sort_keys=True), encoding="utf8")

    def from_disk(self, path, exclude=tuple()) -> "Gazetteer":
        p = Path(path) / "table.json"
        if p.exists():
            self.set_table(json.loads(p.read_text(encoding="utf8")))
        return self

    def initialize(self, get_examples=None, nlp=None) -> None:
        from crossread.nlp.gazetteer import relabel_table

        self.set_table(relabel_table())


def add_gazetteer(nlp: Language) -> Language:
    from crossread.nlp.gazetteer import relabel_table

    if "crossread_gazetteer" in nlp.pipe_names:
        nlp.remove_pipe("crossread_gazetteer")
    after = "ner" if "ner" in nlp.pipe_names else None
    comp = nlp.add_pipe("crossread_gazetteer", after=after) if after else nlp.add_pipe("crossread_gazetteer")
    comp.set_table(relabel_table())
    return nlp
