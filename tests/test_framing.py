"""Labels and loaded terms (crossread.analyze.framing) on the seeds' sentences, blank and parsed."""

from __future__ import annotations

import re

import spacy
from spacy.tokens import Doc

from crossread.analyze.framing import (
    LabelMention,
    aggregate_framing,
    extract_labels,
    find_loaded_terms,
    framing_for_article,
    match_loaded_terms,
    term_family,
)
from crossread.records import Actor, Article, Evidence, Framing, Label, LoadedTerm, Mention

NLP = spacy.blank("en")
NLP.add_pipe("sentencizer")
VOCAB = NLP.vocab


def art(text: str, outlet: str | None = "All Israel") -> Article:
    return Article(id="a1", source="t", outlet=outlet, title=None, published=None, language="en", text=text)


def actor(article: Article, aid: str, name: str, surfaces: list[str], type_: str = "ORG",
          aliases: list[str] | None = None) -> Actor:
    """An actor whose mentions are every occurrence of each surface string."""
    mentions = []
    for surface in surfaces:
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", article.text):
            mentions.append(Mention(article.id, m.start(), m.end(), "", surface))
    mentions.sort(key=lambda m: m.start)
    return Actor(id=aid, name=name, type=type_, aliases=aliases or [], mentions=mentions)


def check(article: Article, labels: list[LabelMention]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for lm in labels:
        ev = lm.evidence
        phrase = article.text[ev.start:ev.end]
        assert ev.article_id == article.id
        assert phrase and phrase in ev.sentence and ev.sentence in article.text
        assert lm.text == " ".join(phrase.lower().replace("\u2019", "'").split())
        out.setdefault(lm.actor_id, set()).add(lm.text)
    return out


ALL_ISRAEL = (
    "The Iranian regime and its terror proxies in Gaza, Hamas and Palestinian Islamic Jihad (PIJ), welcomed the "
    "recent UN Security Council resolution. Israel's response to the Hamas terror group's surprise invasion and "
    "brutal attack on Oct. 7 was swift. The Hamas terrorist organization is supported by the Islamic Republic of "
    "Iran. Hamas distorts the death toll before Israel defeats the terror organization and rescues the hostages."
)
ICARO = (
    "Ismail Haniyeh, the head of Hamas, held a press conference alongside Iranian Foreign Minister Hossein "
    "Amir-Abdollahian. The meeting between Hamas and Iranian leaders highlights Iran's ongoing support for the "
    "Palestinian militant group."
)


def test_blank_labels_all_israel():
    a = art(ALL_ISRAEL)
    doc = NLP(a.text)
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    pij = actor(a, "pij", "Palestinian Islamic Jihad", ["Palestinian Islamic Jihad", "PIJ"], aliases=["PIJ"])
    iran = actor(a, "iran", "Iran", ["Iranian regime", "Iran"], type_="GPE", aliases=["Iranian", "Iranian regime"])
    israel = actor(a, "israel", "Israel", ["Israel"], type_="GPE")
    got = check(a, extract_labels(a, doc, [hamas, pij, iran, israel]))
    assert {"terror proxies", "terror group", "terrorist organization", "terror organization"} <= got["hamas"]
    assert "terror proxies" in got["pij"]
    assert got["iran"] == {"regime"}
    assert "israel" not in got


def test_blank_labels_icaro_apposition_and_anaphor():
    a = art(ICARO, outlet="ICARO Media Group")
    doc = NLP(a.text)
    haniyeh = actor(a, "haniyeh", "Ismail Haniyeh", ["Ismail Haniyeh"], type_="PERSON")
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    iran = actor(a, "iran", "Iran", ["Iranian", "Iran"], type_="GPE", aliases=["Iranian"])
    palestine = actor(a, "pal", "Palestine", ["Palestinian"], type_="GPE", aliases=["Palestinian"])
    got = check(a, extract_labels(a, doc, [haniyeh, hamas, iran, palestine]))
    assert got["haniyeh"] == {"head of hamas"}
    assert got["hamas"] == {"palestinian militant group"}
    assert "pal" not in got and "iran" not in got


def test_blank_predicate_nominal_needs_the_subject():
    a = art("Hamas is a terrorist organization. Eliminating Hamas is an unachievable goal.")
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    labels = extract_labels(a, NLP(a.text), [hamas])
    assert [(lm.text, lm.rule) for lm in labels] == [("terrorist organization", "predicate")]
    assert a.text[labels[0].evidence.start:labels[0].evidence.end] == "terrorist organization"
    assert labels[0].evidence.sentence == "Hamas is a terrorist organization."


def test_labels_without_any_doc():
    a = art("Iran-backed Hamas fighters crossed the fence.")
    hamas = actor(a, "hamas", "Hamas", ["Hamas fighters"], aliases=["Hamas fighters"])
    got = check(a, extract_labels(a, None, [hamas]))
    assert got["hamas"] == {"fighters", "iran-backed"}


def parsed(rows: list[tuple[str, int, str, str]], no_space_before: tuple[str, ...] = (",", ".", "'s")) -> Doc:
    """rows: (word, head index, UD dep, POS)."""
    words = [r[0] for r in rows]
    spaces = [not (i + 1 < len(rows) and rows[i + 1][0] in no_space_before) for i in range(len(rows))]
    spaces[-1] = False
    return Doc(VOCAB, words=words, spaces=spaces, heads=[r[1] for r in rows], deps=[r[2] for r in rows],
               pos=[r[3] for r in rows], lemmas=[r[0].lower() for r in rows],
               sent_starts=[i == 0 for i in range(len(rows))])


def test_parsed_predicate_nominal_across_relative_clause():
    # surface patterns need "is" right after the name; the parse finds nsubj + cop across the clause
    doc = parsed([("Hamas", 9, "nsubj", "PROPN"), (",", 3, "punct", "PUNCT"), ("which", 3, "nsubj", "PRON"),
                  ("rules", 0, "acl:relcl", "VERB"), ("Gaza", 3, "obj", "PROPN"), (",", 3, "punct", "PUNCT"),
                  ("is", 9, "cop", "AUX"), ("a", 9, "det", "DET"), ("terrorist", 9, "amod", "ADJ"),
                  ("organization", 9, "ROOT", "NOUN"), (".", 9, "punct", "PUNCT")])
    a = art(doc.text)
    assert a.text == "Hamas, which rules Gaza, is a terrorist organization."
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    gaza = actor(a, "gaza", "Gaza", ["Gaza"], type_="GPE")
    labels = extract_labels(a, doc, [hamas, gaza])
    assert [(lm.actor_id, lm.text, lm.rule) for lm in labels] == [("hamas", "terrorist organization", "predicate")]
    check(a, labels)


def test_parsed_apposition_and_list():
    doc = parsed([("Ismail", 8, "nsubj", "PROPN"), ("Haniyeh", 0, "flat", "PROPN"), (",", 6, "punct", "PUNCT"),
                  ("Hamas", 6, "nmod:poss", "PROPN"), ("'s", 3, "case", "PART"), ("political", 6, "amod", "ADJ"),
                  ("chief", 0, "appos", "NOUN"), (",", 6, "punct", "PUNCT"), ("met", 8, "ROOT", "VERB"),
                  ("Khamenei", 8, "obj", "PROPN"), (".", 8, "punct", "PUNCT")])
    a = art(doc.text)
    haniyeh = actor(a, "haniyeh", "Ismail Haniyeh", ["Ismail Haniyeh"], type_="PERSON")
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    labels = extract_labels(a, doc, [haniyeh, hamas])
    assert [(lm.actor_id, lm.text, lm.rule) for lm in labels] == [("haniyeh", "hamas's political chief", "appos")]
    check(a, labels)

    doc = parsed([("Its", 2, "nmod:poss", "PRON"), ("terror", 2, "compound", "NOUN"), ("proxies", 10, "nsubj", "NOUN"),
                  ("in", 4, "case", "ADP"), ("Gaza", 2, "nmod", "PROPN"), (",", 6, "punct", "PUNCT"),
                  ("Hamas", 2, "appos", "PROPN"), ("and", 8, "cc", "CCONJ"), ("PIJ", 6, "conj", "PROPN"),
                  (",", 2, "punct", "PUNCT"), ("welcomed", 10, "ROOT", "VERB"), ("it", 10, "obj", "PRON"),
                  (".", 10, "punct", "PUNCT")])
    a = art(doc.text)
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    pij = actor(a, "pij", "PIJ", ["PIJ"])
    labels = extract_labels(a, doc, [hamas, pij])
    assert sorted((lm.actor_id, lm.text) for lm in labels) == [("hamas", "terror proxies"), ("pij", "terror proxies")]
    assert {lm.rule for lm in labels} == {"appos", "list"}
    check(a, labels)


def test_parsed_compound_category_noun():
    doc = parsed([("The", 3, "det", "DET"), ("Hamas", 3, "compound", "PROPN"), ("terror", 3, "compound", "NOUN"),
                  ("group", 4, "nsubj", "NOUN"), ("attacked", 4, "ROOT", "VERB"), (".", 4, "punct", "PUNCT")])
    a = art(doc.text)
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    labels = extract_labels(a, doc, [hamas])
    assert [(lm.text, a.text[lm.evidence.start:lm.evidence.end]) for lm in labels] == [("terror group", "terror group")]


def test_loaded_terms_with_families():
    a = art(ALL_ISRAEL + " Haniyeh claimed that Israel failed. The group claimed responsibility. "
            "He spoke of the Zionist entity and Hamas propaganda; the so-called ceasefire held.")
    found = find_loaded_terms(a, NLP(a.text))
    by_term = {}
    for term, ev in found:
        assert ev.sentence and a.text[ev.start:ev.end] in ev.sentence
        by_term.setdefault(term, []).append(a.text[ev.start:ev.end])
    assert by_term["regime"] == ["regime"]
    assert by_term["terror proxies"] == ["terror proxies"]
    assert by_term["brutal"] == ["brutal"]
    assert by_term["zionist entity"] == ["Zionist entity"]
    assert by_term["claim"] == ["claimed"]  # the doubt use only, not "claimed responsibility"
    families = {term: term_family(term) for term in by_term}
    assert families["terror proxies"] == "terror"
    assert families["regime"] == "regime"
    assert families["brutal"] == "violence_intensifier"
    assert families["zionist entity"] == "delegitimising"
    assert families["propaganda"] == "propaganda"
    assert families["so-called"] == "delegitimising"
    assert families["claim"] == "loaded_verb"
    assert families["distort"] == "propaganda"


def test_loaded_terms_word_boundaries_and_constraints():
    text = "Regimental lies ahead. The occupation of the land. The Israeli occupation. Extremists and hardliners."
    terms = [(m.term, text[m.start:m.end]) for m in match_loaded_terms(text)]
    assert ("regime", "Regime") not in terms
    assert ("lies", "lies") not in terms
    assert ("occupation", "occupation") in terms and len([t for t in terms if t[0] == "occupation"]) == 1
    assert ("extremist", "Extremists") in terms and ("hardline", "hardliners") in terms


def test_loaded_terms_prefilter_is_exact():
    """Entries whose forms' first words are absent from the (re.I-folded) text are not scanned: the
    matches are the same as scanning every entry, also with characters that re.IGNORECASE folds
    onto ASCII letters (KELVIN SIGN, LONG S, dotted capital I)."""
    import dataclasses

    from crossread.analyze.framing import _fold, load_lexicon

    lexicon = load_lexicon()
    unfiltered = [dataclasses.replace(e, first_words=None) for e in lexicon]
    assert all(e.first_words for e in lexicon)
    text = ("THE TERRORIST REGIME'S proxies; a \u017fo-called ceasefire, the Zioni\u017ft entity, "
            "bloodthir\u017fty terror \u212aillers and \u0130slamist thugs. Regimental lies ahead.")
    assert _fold("\u212a\u017f\u0130X") == "ksix"
    got = [(m.term, m.start, m.end) for m in match_loaded_terms(text, lexicon=lexicon)]
    assert got == [(m.term, m.start, m.end) for m in match_loaded_terms(text, lexicon=unfiltered)]
    assert ("so-called", 34, 43) in got


def test_framing_for_article_and_aggregate():
    a = art(ALL_ISRAEL)
    hamas = actor(a, "hamas", "Hamas", ["Hamas"])
    iran = actor(a, "iran", "Iran", ["Iranian regime", "Iran"], type_="GPE", aliases=["Iranian", "Iranian regime"])
    framings = framing_for_article(a, NLP(a.text), [hamas, iran])
    by_actor = {f.actor: f for f in framings}
    assert all(f.outlet == "All Israel" for f in framings)
    hamas_labels = {lb.text: lb for lb in by_actor["hamas"].labels}
    assert hamas_labels["terror group"].count == 1
    assert {t.text for t in by_actor["hamas"].loaded_terms} >= {"terror proxies", "brutal", "terror organization"}
    for f in framings:
        for lb in f.labels:
            assert lb.count == len(lb.evidence)
        for lt in f.loaded_terms:
            for ev in lt.evidence:
                assert a.text[ev.start:ev.end].lower().startswith(lt.text.split()[0][:4])
    assert framing_for_article(art(ALL_ISRAEL, outlet=None), NLP(ALL_ISRAEL), [hamas])[0].outlet == "unknown"

    ev = Evidence("a1", 0, 5, "Hamas")
    ev2 = Evidence("a2", 0, 5, "Hamas")
    local = [
        Framing("O1", "a1_hamas", [Label("terror group", 2, [ev, ev])], [LoadedTerm("terror", [ev])]),
        Framing("O1", "a2_hamas", [Label("terror group", 1, [ev2]), Label("militant group", 1, [ev2])],
                [LoadedTerm("terror", [ev2])]),
        Framing("O2", "a3_hamas", [Label("militant group", 1, [ev2])], []),
        Framing("O1", "a1_iran", [Label("regime", 1, [ev])], []),
    ]
    merged = aggregate_framing(local, {"a1_hamas": "hamas", "a2_hamas": "hamas", "a3_hamas": "hamas"})
    keyed = {(f.outlet, f.actor): f for f in merged}
    assert set(keyed) == {("O1", "hamas"), ("O2", "hamas"), ("O1", "a1_iran")}
    o1 = keyed[("O1", "hamas")]
    assert [(lb.text, lb.count, len(lb.evidence)) for lb in o1.labels] == [("terror group", 3, 3),
                                                                          ("militant group", 1, 1)]
    assert [(t.text, len(t.evidence)) for t in o1.loaded_terms] == [("terror", 2)]
    assert keyed[("O2", "hamas")].labels[0].count == 1


def test_build_framing_over_an_analysis():
    from crossread.analyze.framing import build_framing
    from crossread.records import Analysis

    a1 = art(ALL_ISRAEL)
    a2 = Article(id="a2", source="t", outlet="All Israel", title=None, published=None, language="en",
                 text="The Hamas terror group fired rockets.")
    hamas = actor(a1, "hamas", "Hamas", ["Hamas"])
    hamas.mentions.append(Mention("a2", 4, 9, a2.text, "Hamas"))
    framings = build_framing(Analysis(articles=[a1, a2], actors=[hamas]), nlp=NLP)
    assert len(framings) == 1 and framings[0].actor == "hamas"
    terror_group = [lb for lb in framings[0].labels if lb.text == "terror group"][0]
    assert terror_group.count == 2
    assert {ev.article_id for ev in terror_group.evidence} == {"a1", "a2"}
