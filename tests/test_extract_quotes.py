"""Quote extraction on blank-pipeline and hand-built Docs (no trained model needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from crossread.extract.quotes import (
    CueLexicon,
    QuoteSpan,
    extract_quote_spans,
    extract_quotes,
    find_quotations,
    parse_brat,
)
from crossread.records import Article

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def art(text: str, aid: str = "a1") -> Article:
    return Article(id=aid, source="test", outlet="Test Outlet", title=None, published=None,
                   language="en", text=text)


def check_offsets(article: Article, spans: list[QuoteSpan]) -> None:
    text = article.text
    for s in spans:
        assert 0 <= s.content_start < s.content_end <= len(text)
        if s.source_start is not None:
            assert text[s.source_start:s.source_end] == s.source_text(text)
            assert text[s.source_start:s.source_end].strip() == text[s.source_start:s.source_end]
        rec = s.to_record(article)
        assert text[rec.evidence.start:rec.evidence.end] == rec.content
        assert rec.content in rec.evidence.sentence or rec.evidence.sentence in text
        assert rec.speaker is None
        assert rec.id.startswith("quote_")


def only(spans, rule=None):
    spans = [s for s in spans if rule is None or s.rule == rule]
    assert spans, "no quote found"
    return spans[0]


def test_direct_speaker_after(nlp):
    a = art("“We will not give up,” the Hamas leader said on Tuesday.")
    spans = extract_quote_spans(a, nlp(a.text))
    check_offsets(a, spans)
    s = only(spans)
    t = a.text
    assert s.kind == "direct"
    assert t[s.content_start:s.content_end] == "“We will not give up,”"
    assert s.source_text(t) == "the Hamas leader"
    assert s.cue_text(t) == "said"


def test_direct_said_x_straight_quotes(nlp):
    a = art('"The vote is a disgrace," said Danny Danon, the ambassador.')
    s = only(extract_quote_spans(a, nlp(a.text)))
    assert s.kind == "direct"
    assert s.source_text(a.text).startswith("Danny Danon")
    assert s.cue_text(a.text) == "said"
    rec = s.to_record(a)
    assert rec.content == '"The vote is a disgrace,"'
    assert rec.speaker_text.startswith("Danny Danon")


def test_direct_speaker_before_colon(nlp):
    a = art("Netanyahu said: “This is a clear retreat from the consistent US position.”")
    spans = extract_quote_spans(a, nlp(a.text))
    check_offsets(a, spans)
    s = only(spans)
    assert s.kind == "direct" and s.source_text(a.text) == "Netanyahu"
    assert a.text[s.content_start:s.content_end].startswith("“This is")


def test_indirect_that(nlp):
    a = art("His office stated that the abstention undermines their efforts to combat Hamas.")
    spans = extract_quote_spans(a, nlp(a.text))
    check_offsets(a, spans)
    s = only(spans)
    assert s.kind == "indirect"
    assert s.source_text(a.text) == "His office"
    assert s.cue_text(a.text) == "stated"
    rec = s.to_record(a)
    assert rec.content == "the abstention undermines their efforts to combat Hamas"
    # PolNeAR convention in the span: the complementizer is part of the content
    assert a.text[s.content_start:s.content_end].startswith("that the")


def test_indirect_content_first(nlp):
    a = art("The resolution was a major victory for the resistance, officials said.")
    s = only(extract_quote_spans(a, nlp(a.text)))
    assert s.kind == "indirect"
    assert s.source_text(a.text) == "officials"
    assert s.to_record(a).content == "The resolution was a major victory for the resistance"


def test_according_to(nlp):
    a = art("According to sources, the delegation was cancelled at the last minute.")
    s = only(extract_quote_spans(a, nlp(a.text)))
    assert s.cue_text(a.text) == "According to"
    assert s.source_text(a.text) == "sources"
    assert s.to_record(a).content == "the delegation was cancelled at the last minute"


def test_mixed(nlp):
    a = art("Haniyeh said the vote was “a blow to the occupation” and its allies.")
    s = only(extract_quote_spans(a, nlp(a.text)))
    assert s.kind == "mixed"
    assert s.source_text(a.text) == "Haniyeh"
    assert s.to_record(a).content == "the vote was “a blow to the occupation” and its allies"


def test_multi_sentence_and_multi_paragraph_quote(nlp):
    text = ("Haniyeh told reporters: “The war is not over. We will fight on.\n\n"
            "“Nobody can stop us now.”\n\nThe meeting ended.")
    a = art(text)
    spans = extract_quote_spans(a, nlp(text))
    check_offsets(a, spans)
    s = only(spans)
    content = text[s.content_start:s.content_end]
    assert content.startswith("“The war is not over.") and content.endswith("Nobody can stop us now.”")
    assert s.source_text(text) == "Haniyeh" and s.cue_text(text) == "told"
    assert find_quotations(text) == [(s.content_start, s.content_end)]


def test_continuation_after_attribution(nlp):
    text = "“We won,” he said. “The occupation lost.”"
    a = art(text)
    spans = extract_quote_spans(a, nlp(text))
    assert len(spans) == 2
    assert spans[0].group == spans[1].group
    assert spans[1].source_text(text) == "he"


def test_no_cue_heading_style(nlp):
    text = "Haniyeh: Gaza war is a world war against the Palestinian people\n\nThe leader spoke in Tehran."
    a = art(text)
    spans = extract_quote_spans(a, nlp(text))
    check_offsets(a, spans)
    s = only(spans, "heading")
    assert s.source_text(text) == "Haniyeh" and s.cue_start is None
    assert s.to_record(a).content == "Gaza war is a world war against the Palestinian people"


def test_heading_stoplist(nlp):
    text = "Disclaimer: The above article is based on the information provided by the user."
    assert not [s for s in extract_quote_spans(art(text), nlp(text)) if s.rule == "heading"]


def test_standalone_paragraph_takes_previous_speaker(nlp):
    text = ("Haniyeh claimed that Israel “failed to achieve its goals” in Gaza.\n\n"
            "“The Gaza war is a world war, and America is the main accomplice.”\n\nMore news.")
    a = art(text)
    spans = extract_quote_spans(a, nlp(text))
    check_offsets(a, spans)
    s = only(spans, "standalone")
    assert s.source_text(text) == "Haniyeh" and s.kind == "direct"


def test_scare_quotes_alone_are_not_quotes(nlp):
    text = "Iran views Israel as the “Little Satan” and the U.S. as the “Great Satan.”"
    assert extract_quotes(art(text), nlp(text)) == []


def test_without_doc_uses_regex_tokens():
    a = art("“It is over,” Netanyahu said.")
    s = only(extract_quote_spans(a, None))
    assert s.source_text(a.text) == "Netanyahu"


def test_parse_based_source():
    """A hand-built Doc with UD labels: the nsubj subtree is the speaker."""
    words = ["The", "Iranian", "Foreign", "Ministry", "asserted", "that", "Hamas", "won", "."]
    heads = [3, 3, 3, 4, 4, 7, 7, 4, 4]
    deps = ["det", "amod", "compound", "nsubj", "ROOT", "mark", "nsubj", "ccomp", "punct"]
    pos = ["DET", "ADJ", "PROPN", "PROPN", "VERB", "SCONJ", "PROPN", "VERB", "PUNCT"]
    lemmas = ["the", "iranian", "foreign", "ministry", "assert", "that", "hamas", "win", "."]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True] * 7 + [False, False], heads=heads,
              deps=deps, pos=pos, lemmas=lemmas, sent_starts=[True] + [False] * 8)
    a = art(doc.text)
    s = only(extract_quote_spans(a, doc))
    assert s.source_text(a.text) == "The Iranian Foreign Ministry"
    assert s.cue_text(a.text) == "asserted"
    assert s.to_record(a).content == "Hamas won"


def test_seed_all_israel_quotes(nlp):
    path = SEEDS / "002_33fe88b1c1d59f96.txt"
    text = path.read_text(encoding="utf-8")
    a = art(text, "seed002")
    spans = extract_quote_spans(a, nlp(text))
    check_offsets(a, spans)
    recs = extract_quotes(a, nlp(text))
    # the seed has a no-break space inside ("is\xa0a"): compare with normalised spaces
    world_war = [q for q in recs if " ".join(q.content.split()).startswith("“The Gaza war is a world war")]
    assert world_war and world_war[0].speaker_text == "Haniyeh" and world_war[0].kind == "direct"
    stated = [q for q in recs if q.content.startswith("“We are going through a historical stage")]
    assert stated and stated[0].speaker_text == "the Hamas leader" and stated[0].cue == "stated"
    claimed = [q for q in recs if q.cue == "claimed"]
    assert claimed and claimed[0].kind == "mixed" and claimed[0].speaker_text == "Haniyeh"
    # ids are deterministic
    assert [q.id for q in recs] == [q.id for q in extract_quotes(a, nlp(text))]


def test_seed_icaro_indirect(nlp):
    path = SEEDS / "000_02b9c18878ebcd56.txt"
    text = path.read_text(encoding="utf-8")
    a = art(text, "seed000")
    spans = extract_quote_spans(a, nlp(text))
    check_offsets(a, spans)
    recs = extract_quotes(a, nlp(text))
    office = [q for q in recs if q.speaker_text and q.speaker_text.endswith("office")]
    assert office and office[0].content.startswith("the abstention undermines")


def test_lexicon_default_and_brat():
    lex = CueLexicon.default()
    for form in ("said", "says", "told", "argued", "claiming", "warned", "tweeted", "hailed", "denied"):
        assert form in lex
    ann = ("T1\tSource 0 3\tHe\nT2\tCue 4 8\tsaid\nT3\tContent 9 20;25 30\tx\n"
           "T4\tAttribution 4 8\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n")
    (att,) = parse_brat(ann)
    assert att.source == [(0, 3)] and att.cue == [(4, 8)] and att.content == [(9, 20), (25, 30)]


SHARED = Path(os.environ.get("CROSSREAD_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
POLNEAR = SHARED / "polnear" / "data"


@pytest.mark.skipif(not (POLNEAR / "train").is_dir(), reason=f"PolNeAR not available at {POLNEAR}")
def test_lexicon_learnt_from_polnear():
    lex = CueLexicon.from_polnear(POLNEAR)
    assert "said" in lex and lex.counts["said"] > 1000 and 0 < lex.scores["said"] <= 1


# --------------------------------------------------------------------------- frames, learning, conventions

def _doc(words, heads, deps, pos, lemmas, spaces=None):
    n = len(words)
    spaces = spaces if spaces is not None else [True] * (n - 2) + [False, False]
    return Doc(spacy.blank("en").vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos,
               lemmas=lemmas, sent_starts=[True] + [False] * (n - 1))


def _wants_doc():
    # "Hillary Clinton wants to make tuition free ."
    return _doc(["Hillary", "Clinton", "wants", "to", "make", "tuition", "free", "."],
                [1, 2, 2, 4, 2, 4, 4, 2],
                ["compound", "nsubj", "ROOT", "mark", "xcomp", "obj", "xcomp", "punct"],
                ["PROPN", "PROPN", "VERB", "PART", "VERB", "NOUN", "ADJ", "PUNCT"],
                ["hillary", "clinton", "want", "to", "make", "tuition", "free", "."])


def _frame_lexicon(ratio_content: int = 8, avail: int = 10) -> CueLexicon:
    lex = CueLexicon.default()
    lex.frames["want|VERB"] = {"cue": 10, "n": 40, "source": {"nsubj": 9},
                               "content": {"xcomp": ratio_content}, "avail": {"xcomp": avail, "nsubj": 40}}
    return lex


def test_frame_rule_uses_learnt_frame():
    doc = _wants_doc()
    a = art(doc.text)
    # a non-speech predicate is no cue for the curated lexicon ...
    assert not extract_quote_spans(a, doc, CueLexicon.default())
    # ... but is one with a learnt frame: source = nsubj subtree, content = xcomp subtree
    s = only(extract_quote_spans(a, doc, _frame_lexicon()), "frame")
    assert s.source_text(a.text) == "Hillary Clinton"
    assert s.cue_text(a.text) == "wants"
    assert a.text[s.content_start:s.content_end] == "to make tuition free"


def test_frame_rule_needs_conditional_probability():
    doc = _wants_doc()
    # the xcomp position is filled 100 times and holds a content only 8 times: P < ratio
    assert not [s for s in extract_quote_spans(art(doc.text), doc, _frame_lexicon(8, 100)) if s.rule == "frame"]


def test_frame_rule_passive_agent_and_merge():
    # "The bill was passed by Congress ." -> source Congress (agent), content the bill
    doc = _doc(["The", "bill", "was", "passed", "by", "Congress", "."],
               [1, 3, 3, 3, 5, 3, 3],
               ["det", "nsubj:pass", "aux:pass", "ROOT", "case", "obl:agent", "punct"],
               ["DET", "NOUN", "AUX", "VERB", "ADP", "PROPN", "PUNCT"],
               ["the", "bill", "be", "pass", "by", "congress", "."])
    lex = CueLexicon.default()
    lex.frames["pass|VERB"] = {"cue": 10, "n": 10, "source": {"obl:agent": 8},
                               "content": {"nsubj:pass": 8}, "avail": {"nsubj:pass": 10}}
    a = art(doc.text)
    s = only(extract_quote_spans(a, doc, lex), "frame")
    assert s.source_text(a.text) == "Congress"
    assert s.cue_text(a.text) == "was passed"
    assert a.text[s.content_start:s.content_end] == "The bill"


def test_frame_merges_object_into_xcomp_content():
    # "Obama encouraged Congress to act ." -> content "Congress to act" (learnt merge obj+xcomp)
    doc = _doc(["Obama", "encouraged", "Congress", "to", "act", "."],
               [1, 1, 1, 4, 1, 1],
               ["nsubj", "ROOT", "obj", "mark", "xcomp", "punct"],
               ["PROPN", "VERB", "PROPN", "PART", "VERB", "PUNCT"],
               ["obama", "encourage", "congress", "to", "act", "."])
    lex = CueLexicon.default()
    lex.frames = {"encourage|VERB": {"cue": 10, "n": 10, "source": {"nsubj": 9}, "content": {"xcomp": 9},
                                     "avail": {"xcomp": 10}}}
    a = art(doc.text)
    assert only(extract_quote_spans(a, doc, lex), "frame").content_start == a.text.index("to act")
    lex.merges = {"xcomp": {"obj": [9, 10]}}
    s = only(extract_quote_spans(a, doc, lex), "frame")
    assert a.text[s.content_start:s.content_end] == "Congress to act"


def test_learn_frames_from_gold():
    from crossread.extract.quotes import GoldAttribution, GoldDoc, learn_frames

    doc = _wants_doc()
    text = doc.text

    def sp(s):
        i = text.index(s)
        return [(i, i + len(s))]

    gold = GoldDoc("g", text, [GoldAttribution(sp("Hillary Clinton"), sp("wants"), sp("to make tuition free"))])
    frames, phrases, merges = learn_frames([gold], [doc])
    fr = frames["want|VERB"]
    assert fr["cue"] == 1 and fr["source"] == {"nsubj": 1} and fr["content"] == {"xcomp": 1}
    assert fr["avail"]["xcomp"] == 1
    # words inside a gold source/content are not counted as candidates ("make" is in the content)
    assert "make|VERB" not in frames


def test_lexicon_save_load_roundtrip(tmp_path):
    from crossread.extract.quotes import curated_lexicon, load_cue_lexicon, save_cue_lexicon

    lex = curated_lexicon()
    assert "say|VERB" in lex.frames and "according to" in lex.phrases
    path = tmp_path / "cues.json"
    save_cue_lexicon(lex, path, about="test")
    back = load_cue_lexicon(path)
    assert back.frames == lex.frames and back.phrases == lex.phrases and back.merges == lex.merges
    assert set(lex.forms) <= set(back.forms)


def test_shipped_lexicon_is_the_curated_one():
    """data/quote_cues.json holds no corpus statistics: it is regenerated from the code lists."""
    from crossread.extract.quotes import LEXICON_PATH, curated_lexicon, load_cue_lexicon

    shipped = load_cue_lexicon(LEXICON_PATH)
    cur = curated_lexicon()
    assert shipped.frames == cur.frames and shipped.phrases == cur.phrases and shipped.forms == cur.forms


def test_double_single_quote_marks(nlp):
    text = "''The lack of reciprocity is deplorable,'' said Elez Biberaj, the director of the division."
    a = art(text)
    assert find_quotations(text) == [(0, text.index(",''") + 3)]
    s = only(extract_quote_spans(a, nlp(text)))
    assert s.kind == "direct" and s.cue_text(text) == "said"
    assert s.source_text(text) == "Elez Biberaj, the director of the division"


def test_continuation_over_long_attribution(nlp):
    text = ("\"I call it the trip that launched 1,000 trips,\" said Murphy, now a consultant on Burma in "
            "the private sector. \"At the time, they were not granting many visas.\"")
    spans = extract_quote_spans(art(text), nlp(text))
    assert len(spans) == 2 and spans[0].group == spans[1].group
    text = "\"By locking in China,\" Mr. Obama said, \"it now allowed me to go to India.\""
    spans = extract_quote_spans(art(text), nlp(text))
    assert len(spans) == 2 and spans[0].group == spans[1].group


def test_appositive_with_relative_clause_after_cue(nlp):
    text = ("\"Europe is weak,\" said Jo Coelbart, a retired Belgian general who works on European "
            "defense policy at the Egmont Foundation.")
    s = only(extract_quote_spans(art(text), nlp(text)))
    assert s.source_text(text) == ("Jo Coelbart, a retired Belgian general who works on European defense "
                                   "policy at the Egmont Foundation")


def test_gerund_after_quotation_takes_following_content(nlp):
    text = ("In a statement, Peabody said: \"Patriot Coal was highly successful,\" adding that its market "
            "capitalization quadrupled.")
    spans = extract_quote_spans(art(text), nlp(text))
    adding = [s for s in spans if s.cue_text(text) == "adding"]
    assert adding and text[adding[0].content_start:adding[0].content_end] == (
        "that its market capitalization quadrupled")
    said = [s for s in spans if s.cue_text(text) == "said"]
    assert said and text[said[0].content_start:said[0].content_end] == "\"Patriot Coal was highly successful,\""


def test_sentences_rejoined_after_title_abbreviation():
    from crossread.extract.quotes import _sentence_ranges

    text = "Haniyeh argued it was a war against Israel and its No. 1 ally, the United States."
    # a splitter that breaks after "No." (as statistical ones do) is corrected
    doc = spacy.blank("en")(text)
    cut = [t.i for t in doc if t.text == "1"][0]
    for t in doc:
        t.is_sent_start = t.i in (0, cut)
    assert _sentence_ranges(text, doc) == [(0, len(text))]


def test_closing_mark_split_off_is_rejoined():
    from crossread.extract.quotes import _sentence_ranges

    text = 'He said it was "a defeat.” Then he left.'
    doc = spacy.blank("en")(text)
    starts = {0, [t.i for t in doc if t.text == "”"][0], [t.i for t in doc if t.text == "Then"][0]}
    for t in doc:
        t.is_sent_start = t.i in starts
    assert _sentence_ranges(text, doc) == [(0, text.index("”") + 1), (text.index("Then"), len(text))]


def test_conj_verb_inherits_subject():
    # "Cruz exhorted Republicans and said he was right ." -> source of "said" is Cruz
    words = ["Cruz", "exhorted", "Republicans", "and", "said", "he", "was", "right", "."]
    doc = _doc(words, [1, 1, 1, 4, 1, 7, 7, 4, 1],
               ["nsubj", "ROOT", "obj", "cc", "conj", "nsubj", "cop", "ccomp", "punct"],
               ["PROPN", "VERB", "PROPN", "CCONJ", "VERB", "PRON", "AUX", "ADJ", "PUNCT"],
               ["cruz", "exhort", "republicans", "and", "say", "he", "be", "right", "."])
    a = art(doc.text)
    said = [s for s in extract_quote_spans(a, doc) if s.cue_text(a.text) == "said"]
    assert said and said[0].source_text(a.text) == "Cruz"
    assert a.text[said[0].content_start:said[0].content_end] == "he was right"


def test_dash_signed_quotation(nlp):
    text = ("“He represents our greatest shame.” ― Sonya Herridge\n"
            "“It is a big year,” — and more words follow here.\n")
    spans = extract_quote_spans(art(text), nlp(text))
    dash = [s for s in spans if s.rule == "dash"]
    assert len(dash) == 1
    assert dash[0].source_text(text) == "Sonya Herridge" and dash[0].cue_text(text) == "―"
    assert text[dash[0].content_start:dash[0].content_end] == "“He represents our greatest shame.”"


def test_cue_keeps_progressive_auxiliary_and_adverbs(nlp):
    text = "Donald Trump is telling voters that the election is rigged."
    s = only(extract_quote_spans(art(text), nlp(text)))
    assert s.cue_text(text) == "is telling"
    text = "Mexicans often say that their country is far from God."
    s = only(extract_quote_spans(art(text), nlp(text)))
    assert s.cue_text(text) == "often say" and s.source_text(text) == "Mexicans"


def test_topic_phrase_before_quotation(nlp):
    text = "The New York businessman says of Clinton, “If she gets the chance, she will sell the office.”"
    s = only(extract_quote_spans(art(text), nlp(text)))
    assert s.kind == "direct" and s.source_text(text) == "The New York businessman"
    assert text[s.content_start:s.content_end] == "“If she gets the chance, she will sell the office.”"
