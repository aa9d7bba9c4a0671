"""Claim extraction: one claim per proposition, attribution from quotes, signal spans excluded."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from crossread.extract.claims import ClaimSpan, extract_claim_spans, extract_claims
from crossread.extract.quotes import extract_quote_spans, extract_quotes
from crossread.records import Article, Signal, record_id

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def art(text: str, aid: str = "c1") -> Article:
    return Article(id=aid, source="test", outlet="Test Outlet", title=None, published=None,
                   language="en", text=text)


def check(article: Article, spans: list[ClaimSpan]) -> None:
    for c in spans:
        ev = c.claim.evidence[0]
        assert article.text[ev.start:ev.end] == c.claim.text == article.text[c.start:c.end]
        assert c.claim.text in ev.sentence
        assert c.claim.id == record_id("claim", article.id, ev.start, ev.end)
        assert c.claim.attributed_to is None
        assert c.claim.outlets == ["Test Outlet"]
        if c.source_start is not None:
            assert article.text[c.source_start:c.source_end] == c.speaker_text


def test_split_coordinated_clauses_blank(nlp):
    text = "Israel canceled the delegation to Washington, and Hamas welcomed the UN resolution on Monday."
    a = art(text)
    spans = extract_claim_spans(a, nlp(text), [], [])
    check(a, spans)
    assert [c.claim.text for c in spans] == ["Israel canceled the delegation to Washington",
                                            "Hamas welcomed the UN resolution on Monday"]
    assert all(c.speaker_text is None for c in spans)


def test_split_coordinated_clauses_parse():
    words = ["Israel", "canceled", "the", "trip", "and", "Hamas", "praised", "the", "vote", "."]
    heads = [1, 1, 3, 1, 6, 6, 1, 8, 6, 1]
    deps = ["nsubj", "ROOT", "det", "obj", "cc", "nsubj", "conj", "det", "obj", "punct"]
    pos = ["PROPN", "VERB", "DET", "NOUN", "CCONJ", "PROPN", "VERB", "DET", "NOUN", "PUNCT"]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True] * 8 + [False, False], heads=heads,
              deps=deps, pos=pos, sent_starts=[True] + [False] * 9)
    a = art(doc.text)
    spans = extract_claim_spans(a, doc, [], [])
    check(a, spans)
    assert [c.claim.text for c in spans] == ["Israel canceled the trip", "Hamas praised the vote"]


def test_shared_subject_not_split():
    # "conj" without its own subject (VP coordination) stays one claim
    words = ["Hamas", "met", "Iran", "and", "praised", "the", "vote", "."]
    heads = [1, 1, 1, 4, 1, 6, 4, 1]
    deps = ["nsubj", "ROOT", "obj", "cc", "conj", "det", "obj", "punct"]
    pos = ["PROPN", "VERB", "PROPN", "CCONJ", "VERB", "DET", "NOUN", "PUNCT"]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True] * 6 + [False, False], heads=heads,
              deps=deps, pos=pos, sent_starts=[True] + [False] * 7)
    a = art(doc.text)
    assert [c.text for c in extract_claims(a, doc, [], [])] == ["Hamas met Iran and praised the vote"]


def test_attributed_claims_from_quotes(nlp):
    text = ("His office stated that the abstention undermines Israel's efforts against Hamas. "
            "The council passed the resolution with 14 votes.")
    a = art(text)
    doc = nlp(text)
    quotes = extract_quote_spans(a, doc)
    spans = extract_claim_spans(a, doc, quotes, [])
    check(a, spans)
    attributed = [c for c in spans if c.speaker_text]
    own = [c for c in spans if not c.speaker_text]
    assert attributed[0].claim.text == "the abstention undermines Israel's efforts against Hamas"
    assert attributed[0].speaker_text == "His office" and attributed[0].quote_id
    assert [c.claim.text for c in own] == ["The council passed the resolution with 14 votes"]
    # Quote records work too (speaker text kept, no offsets)
    recs = extract_quotes(a, doc)
    spans2 = extract_claim_spans(a, doc, recs, [])
    assert [c.speaker_text for c in spans2 if c.speaker_text] == ["His office"]


def test_questions_chrome_and_signals_excluded(nlp):
    text = ("Did Iran train 300 Hamas fighters?\n"
            "Subscribe to our newsletter for 5 dollars.\n"
            "As an AI language model, I cannot verify that Iran sent 100 advisers.\n"
            "Iran sent 200 advisers to Lebanon in 2023.")
    a = art(text)
    start = text.index("As an AI")
    sig = Signal(kind="llm_boilerplate", text="As an AI language model", start=start, end=start + 23)
    a.signals = [sig]
    spans = extract_claim_spans(a, nlp(text), [], None)  # None: use article.signals
    check(a, spans)
    assert [c.claim.text for c in spans] == ["Iran sent 200 advisers to Lebanon in 2023"]
    # explicit (start, end) pairs work as well
    spans = extract_claim_spans(a, nlp(text), [], [(start, start + 23)])
    assert [c.claim.text for c in spans] == ["Iran sent 200 advisers to Lebanon in 2023"]


def test_seed_claims(nlp):
    text = (SEEDS / "002_33fe88b1c1d59f96.txt").read_text(encoding="utf-8")
    a = art(text, "seed002")
    doc = nlp(text)
    spans = extract_claim_spans(a, doc, extract_quote_spans(a, doc), [])
    check(a, spans)
    haniyeh = [c for c in spans if c.speaker_text == "Haniyeh"]
    texts = [" ".join(c.claim.text.split()) for c in haniyeh]
    # the standalone quotation splits into its two coordinated propositions
    assert "The Gaza war is a world war" in texts
    assert any(t.startswith("the American ruling body is the main accomplice") for t in texts)
    assert any(c.speaker_text is None and "resolution was passed" in c.claim.text for c in spans)
    ids = [c.claim.id for c in spans]
    assert len(ids) == len(set(ids))
    assert ids == [c.claim.id for c in extract_claim_spans(a, doc, extract_quote_spans(a, doc), [])]
