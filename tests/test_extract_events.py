"""PLOVER crosswalk, classifier and event extraction on hand-built parsed Docs."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from crossread.extract.actors import resolve_actors
from crossread.extract.events import extract_events, resolve_date
from crossread.extract.plover import (
    Crosswalk,
    PloverTypeModel,
    cameo_for,
    coarse_type,
    default_model,
    mark_sentence,
    normalize_type,
    parse_crosswalk,
    read_plv,
)
from crossread.records import Article

VOCAB = spacy.blank("en").vocab


def parsed(rows: list[tuple[str, int, str, str, str, str]]) -> Doc:
    """rows: (word, head index, UD dep, POS, lemma, IOB entity)."""
    words = [r[0] for r in rows]
    spaces = [not (i + 1 < len(rows) and rows[i + 1][0] in (".", ",", "'s")) for i in range(len(rows))]
    spaces[-1] = False
    return Doc(VOCAB, words=words, spaces=spaces, heads=[r[1] for r in rows], deps=[r[2] for r in rows],
               pos=[r[3] for r in rows], lemmas=[r[4] for r in rows], ents=[r[5] for r in rows])


def run(doc: Doc, published: str | None = "2024-03-27"):
    art = Article(id="a1", source="t", outlet="Outlet", title=None, published=published, language="en",
                  text=doc.text)
    actors = resolve_actors(art, doc)
    events = extract_events(art, doc, actors)
    names = {a.id: a.name for a in actors}
    for ev in events:
        for e in ev.evidence:
            assert art.text[e.start:e.end] == e.sentence
            assert e.article_id == "a1"
        for a in actors:
            for m in a.mentions:
                assert art.text[m.start:m.end] == m.text
    return events, names


MET = [("Haniyeh", 1, "nsubj", "PROPN", "Haniyeh", "B-PERSON"), ("met", 1, "ROOT", "VERB", "meet", "O"),
       ("with", 3, "case", "ADP", "with", "O"), ("Khamenei", 1, "obl", "PROPN", "Khamenei", "B-PERSON"),
       ("in", 5, "case", "ADP", "in", "O"), ("Tehran", 1, "obl", "PROPN", "Tehran", "B-GPE"),
       ("on", 7, "case", "ADP", "on", "O"), ("Tuesday", 1, "obl", "PROPN", "Tuesday", "B-DATE"),
       (".", 1, "punct", "PUNCT", ".", "O")]


def test_meeting_event_with_date_location_and_evidence():
    events, names = run(parsed(MET))
    assert len(events) == 1
    ev = events[0]
    assert [names[i] for i in ev.source] == ["Haniyeh"]
    assert [names[i] for i in ev.target] == ["Khamenei"]
    assert ev.plover == "CONSULT" and ev.cameo == "04"
    assert ev.trigger == "met"
    assert ev.date == "2024-03-26"  # the Tuesday before Wednesday 27 March
    assert ev.date_source == "clause"
    assert ev.location == "Tehran"
    assert ev.modality == "asserted" and not ev.negated
    assert ev.evidence[0].sentence == "Haniyeh met with Khamenei in Tehran on Tuesday."


def test_a_doc_without_a_parse_gives_no_events_and_does_not_crash():
    # a sentencizer-only pipeline (any --nlp pipeline may lack a parser); spaCy leaves the child pointers
    # of some tokens unset in such Docs ("States'" here), and reading .children crashed the process
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("The resolution passed with the help of the United States' abstention. Haniyeh met Khamenei.")
    events, _ = run(doc)
    assert events == []


def test_negation_and_hypothetical():
    neg = [("Israel", 3, "nsubj", "PROPN", "Israel", "B-GPE"), ("did", 3, "aux", "AUX", "do", "O"),
           ("not", 3, "advmod", "PART", "not", "O"), ("attack", 3, "ROOT", "VERB", "attack", "O"),
           ("Iran", 3, "obj", "PROPN", "Iran", "B-GPE"), (".", 3, "punct", "PUNCT", ".", "O")]
    events, names = run(parsed(neg))
    assert len(events) == 1 and events[0].negated and events[0].plover == "ASSAULT"
    assert [names[i] for i in events[0].source] == ["Israel"]
    hyp = [("Israel", 2, "nsubj", "PROPN", "Israel", "B-GPE"), ("could", 2, "aux", "AUX", "could", "O"),
           ("attack", 2, "ROOT", "VERB", "attack", "O"), ("Iran", 2, "obj", "PROPN", "Iran", "B-GPE"),
           (".", 2, "punct", "PUNCT", ".", "O")]
    events, _ = run(parsed(hyp))
    assert events[0].modality == "hypothetical" and not events[0].negated


def test_planned_refused_and_reported():
    sched = [("Israel", 2, "nsubj:pass", "PROPN", "Israel", "B-GPE"), ("was", 2, "aux:pass", "AUX", "be", "O"),
             ("scheduled", 2, "ROOT", "VERB", "schedule", "O"), ("to", 4, "mark", "PART", "to", "O"),
             ("meet", 2, "xcomp", "VERB", "meet", "O"), ("Egypt", 4, "obj", "PROPN", "Egypt", "B-GPE"),
             (".", 2, "punct", "PUNCT", ".", "O")]
    events, names = run(parsed(sched))
    assert len(events) == 1 and events[0].modality == "planned" and events[0].trigger == "meet"
    assert [names[i] for i in events[0].target] == ["Egypt"]
    refused = [("Iran", 1, "nsubj", "PROPN", "Iran", "B-GPE"), ("refused", 1, "ROOT", "VERB", "refuse", "O"),
               ("to", 3, "mark", "PART", "to", "O"), ("meet", 1, "xcomp", "VERB", "meet", "O"),
               ("Israel", 3, "obj", "PROPN", "Israel", "B-GPE"), (".", 1, "punct", "PUNCT", ".", "O")]
    events, names = run(parsed(refused))
    refuse = [e for e in events if e.trigger.startswith("refused")]
    assert refuse and not refuse[0].negated  # "refused to" is not negation
    assert [names[i] for i in refuse[0].target] == ["Israel"]
    said = [("Officials", 1, "nsubj", "NOUN", "official", "O"), ("said", 1, "ROOT", "VERB", "say", "O"),
            ("Israel", 3, "nsubj", "PROPN", "Israel", "B-GPE"), ("attacked", 1, "ccomp", "VERB", "attack", "O"),
            ("Gaza", 3, "obj", "PROPN", "Gaza", "B-GPE"), (".", 1, "punct", "PUNCT", ".", "O")]
    events, _ = run(parsed(said))
    assert len(events) == 1 and events[0].modality == "reported"
    will = [("Hamas", 2, "nsubj", "PROPN", "Hamas", "B-ORG"), ("will", 2, "aux", "AUX", "will", "O"),
            ("meet", 2, "ROOT", "VERB", "meet", "O"), ("Egypt", 2, "obj", "PROPN", "Egypt", "B-GPE"),
            ("tomorrow", 2, "obl:tmod", "NOUN", "tomorrow", "B-DATE"), (".", 2, "punct", "PUNCT", ".", "O")]
    events, _ = run(parsed(will))
    assert events[0].modality == "planned" and events[0].date == "2024-03-28"


def test_passive_and_compound_source():
    passive = [("Gaza", 2, "nsubj:pass", "PROPN", "Gaza", "B-GPE"), ("was", 2, "aux:pass", "AUX", "be", "O"),
               ("attacked", 2, "ROOT", "VERB", "attack", "O"), ("by", 4, "case", "ADP", "by", "O"),
               ("Israel", 2, "obl:agent", "PROPN", "Israel", "B-GPE"), (".", 2, "punct", "PUNCT", ".", "O")]
    events, names = run(parsed(passive))
    assert [names[i] for i in events[0].source] == ["Israel"]
    assert [names[i] for i in events[0].target] == ["Gaza"]
    compound = [("Hamas", 4, "nsubj", "PROPN", "Hamas", "B-ORG"), ("and", 3, "cc", "CCONJ", "and", "O"),
                ("Iranian", 3, "amod", "ADJ", "iranian", "B-NORP"), ("leaders", 0, "conj", "NOUN", "leader", "O"),
                ("met", 4, "ROOT", "VERB", "meet", "O"), ("Egyptian", 6, "amod", "ADJ", "egyptian", "B-NORP"),
                ("officials", 4, "obj", "NOUN", "official", "O"), (".", 4, "punct", "PUNCT", ".", "O")]
    events, names = run(parsed(compound))
    assert len(events) == 1
    assert sorted(names[i] for i in events[0].source) == ["Hamas", "Iran"]
    assert [names[i] for i in events[0].target] == ["Egypt"]


def test_resolve_date_forms():
    import datetime as dt

    pub = dt.date(2024, 3, 27)
    assert resolve_date("yesterday", pub) == "2024-03-26"
    assert resolve_date("on March 3", pub) == "2024-03-03"
    assert resolve_date("25 December 2023", pub) == "2023-12-25"
    assert resolve_date("2024-01-02", None) == "2024-01-02"
    assert resolve_date("on Friday", pub, future=True) == "2024-03-29"
    assert resolve_date("on Friday", None) is None


def test_resolve_date_gives_the_precision_the_text_gives():
    import datetime as dt

    pub = dt.date(2015, 3, 5)  # a Thursday
    assert resolve_date("in response to the attacks on Sept. 11 , 2001", pub) == "2001-09-11"  # tokenised comma
    assert resolve_date("Jan. 5, 2014", pub) == "2014-01-05"
    assert resolve_date("two days ago", pub) == "2015-03-03"
    assert resolve_date("Three weeks ago, the department", pub) == "2015-02"
    assert resolve_date("in May", pub) == "2014-05"  # the latest May not after publication
    assert resolve_date("in May", pub, future=True) == "2015-05"
    assert resolve_date("in May 2012", pub) == "2012-05"
    assert resolve_date("earlier this month", pub) == "2015-03"
    assert resolve_date("last month", pub) == "2015-02"
    assert resolve_date("last year", pub) == "2014"
    assert resolve_date("in 2012", pub) == "2012"
    assert resolve_date("last week", pub) is None  # 23 February to 1 March: no one month
    assert resolve_date("she may go", pub) is None  # the modal, not the month
    assert resolve_date("the march on Washington", pub) is None


SAID_MET = [("On", 1, "case", "ADP", "on", "O"), ("Tuesday", 3, "obl", "PROPN", "Tuesday", "O"),
            (",", 3, "punct", "PUNCT", ",", "O"), ("Reyes", 4, "nsubj", "PROPN", "Reyes", "B-PERSON"),
            ("said", 4, "ROOT", "VERB", "say", "O"), ("Haniyeh", 6, "nsubj", "PROPN", "Haniyeh", "B-PERSON"),
            ("met", 4, "ccomp", "VERB", "meet", "O"), ("with", 8, "case", "ADP", "with", "O"),
            ("Khamenei", 6, "obl", "PROPN", "Khamenei", "B-PERSON"), (".", 4, "punct", "PUNCT", ".", "O")]


def test_an_event_is_dated_by_its_sentence_then_by_its_article():
    events, _ = run(parsed(SAID_MET))
    met = next(e for e in events if e.trigger == "met")
    assert (met.date, met.date_source) == ("2024-03-26", "sentence")  # "On Tuesday" dates the report

    undated = [(w, h, d, p, l, e) for w, h, d, p, l, e in MET[:6]] + [(".", 1, "punct", "PUNCT", ".", "O")]
    events, _ = run(parsed(undated))
    assert [(e.date, e.date_source) for e in events] == [("2024-03-27", "published")]
    events, _ = run(parsed(undated), published=None)
    assert [(e.date, e.date_source) for e in events] == [(None, None)]


CROSSWALK = """# test crosswalk in the official layout
04: CONSULT
040: CONSULT, ,  # Consult
042: CONSULT, visit,   # Make a visit
08: CONCEDE
080: CONCEDE,   ,  # Yield
08: RETREAT
084: RETREAT,   ,  # Return, release
0841: RETREAT, release,   legal # Return, release person(s)
11: ACCUSE
110: ACCUSE, disapprove,    # Disapprove
111: ACCUSE, disapprove,    # Criticize
09: ACCUSE
090: ACCUSE, investigate,  # Investigate
"""


def test_crosswalk_lookup(tmp_path):
    path = tmp_path / "CAMEO2PLOVER.txt"
    path.write_text(CROSSWALK, encoding="utf-8")
    cw = Crosswalk(parse_crosswalk(path))
    assert cw.cameo_for("CONSULT") == "04"
    assert cw.cameo_for("CONSULT", "visit") == "042"
    assert cw.cameo_for("RETREAT") == "084"  # 08 is shared with CONCEDE
    assert cw.cameo_for("RETREAT", "release") == "0841"
    assert cw.cameo_for("ACCUSE") == "11"  # the heading with most rows wins; ties → lower code
    assert cw.plover_for("0421").plover == "CONSULT"
    assert cw.modes("ACCUSE") == ["disapprove", "investigate"]
    assert cameo_for("ASSAULT") == "18" and cameo_for("YIELD") == "080"
    assert normalize_type("FIGHT") == "ASSAULT" and coarse_type("RETREAT") == "YIELD"


PLV_HEADER = "\tsentence_id\tsentence\tmarked_sentence\tsource\ttarget\tgold_root\n"


def write_plv(path, rows):
    lines = [PLV_HEADER]
    for i, (marked, label) in enumerate(rows):
        plain = marked.replace("<s>", "").replace("</s>", "").replace("<t>", "").replace("</t>", "")
        src = marked.split("<s>")[1].split("</s>")[0]
        tgt = marked.split("<t>")[1].split("</t>")[0]
        lines.append(f"{i}\t{i}\t{plain}\t{marked}\t{src}\t{tgt}\t{label}\n")
    path.write_text("".join(lines), encoding="utf-8")


TINY = [("<s>Russia</s> shelled <t>Kharkiv</t> overnight.", "ASSAULT"),
        ("<s>The army</s> bombed <t>rebel positions</t>.", "ASSAULT"),
        ("<s>Troops</s> attacked <t>the village</t>.", "ASSAULT"),
        ("<s>The minister</s> met <t>his counterpart</t> in Paris.", "CONSULT"),
        ("<s>Macron</s> held talks with <t>Scholz</t>.", "CONSULT"),
        ("<s>The envoy</s> visited <t>Kyiv</t>.", "CONSULT"),
        ("<s>Police</s> arrested <t>protest leaders</t>.", "COERCE"),
        ("<s>Authorities</s> detained <t>two journalists</t>.", "COERCE"),
        ("<s>The court</s> jailed <t>the activist</t>.", "COERCE")]


def test_classifier_on_tiny_tsv(tmp_path):
    path = tmp_path / "tiny.tsv"
    write_plv(path, TINY)
    rows = read_plv(path)
    assert len(rows) == 9
    model = PloverTypeModel.train([r["marked_sentence"] for r in rows], [r["gold_root"] for r in rows])
    preds = model.predict(["<s>Israel</s> bombed <t>Gaza</t>.", "<s>Police</s> detained <t>the mayor</t>.",
                           "<s>Blinken</s> visited <t>Netanyahu</t>."])
    assert preds == ["ASSAULT", "COERCE", "CONSULT"]
    # JSON round trip keeps predictions
    out = tmp_path / "model.json"
    model.save(out)
    again = PloverTypeModel.load(out)
    assert again.predict(["<s>Israel</s> bombed <t>Gaza</t>."]) == ["ASSAULT"]


def test_shipped_model_generalises_from_lexicon():
    model = default_model()
    preds = model.predict(["<s>Hamas leaders</s> met with <t>Iranian counterparts</t>.",
                           "<s>The army</s> shelled <t>the town</t>.",
                           "<s>Police</s> arrested <t>opposition leaders</t>."])
    assert preds == ["CONSULT", "ASSAULT", "COERCE"]


def test_mark_sentence():
    s = "Israel struck Gaza."
    assert mark_sentence(s, (0, 6), (14, 18)) == "<s>Israel</s> struck <t>Gaza</t>."


# ---------------------------------------------------------------------------
# Through the real shipped pipeline (crossread.nlp.load_pipeline): typing rules, not-an-event
# verbs, nominal events and document → issuing body targets.
# ---------------------------------------------------------------------------

import functools

import pytest

from crossread.extract.plover import MODE_CAMEO, cameo_for_mode, mode_for, rule_for


@functools.lru_cache(maxsize=1)
def _nlp():
    from crossread.nlp import load_pipeline

    return load_pipeline()


def real(text: str):
    """(events, actor names) of ``text`` parsed by the shipped pipeline."""
    try:
        nlp = _nlp()
    except Exception as exc:  # noqa: BLE001 - no shipped model: skip, don't fail
        pytest.skip(f"shipped pipeline unavailable: {exc}")
    doc = nlp(text)
    return run(doc)


def _triples(events, names):
    return [(e.plover, e.mode, e.cameo, tuple(names[i] for i in e.source), tuple(names[i] for i in e.target))
            for e in events]


def test_real_praise_is_support_051_with_body_target():
    events, names = real("Iran praised the UN Security Council resolution.")
    assert len(events) == 1
    ptype, mode, cameo, src, tgt = _triples(events, names)[0]
    assert (ptype, mode, cameo) == ("SUPPORT", None, "051")
    assert src == ("Iran",) and "Security Council" in tgt[0]


def test_real_disapproval_verb_and_light_verb_noun():
    events, names = real("Israel condemned Iran.")
    assert [(e.plover, e.mode, e.cameo) for e in events] == [("ACCUSE", "disapprove", "111")]
    events, names = real("Israel expressed its disappointment with Iran.")
    assert len(events) == 1 and events[0].plover == "ACCUSE" and events[0].mode == "disapprove"
    assert events[0].trigger == "expressed disappointment"
    assert [names[i] for i in events[0].target] == ["Iran"]


def test_real_meeting_and_future_meeting():
    events, names = real("Hamas leaders met with Iranian officials in Tehran.")
    assert [(e.plover, e.modality) for e in events] == [("CONSULT", "asserted")]
    assert [names[i] for i in events[0].source] == ["Hamas"]
    # manual 3.1/3.2.1: a future meeting is coded AGREE
    events, _ = real("Hamas will meet Egyptian officials.")
    assert [(e.plover, e.modality) for e in events] == [("AGREE", "planned")]


def test_real_cancelled_delegation_is_reject_meet():
    events, names = real("Israel canceled a delegation to Egypt.")
    assert [(e.plover, e.mode, e.cameo) for e in events] == [("REJECT", "meet", "125")]
    assert [names[i] for i in events[0].source] == ["Israel"]


def test_real_abstention_is_concede_against_the_voting_body():
    events, names = real("The United States abstained from the Security Council vote.")
    assert len(events) == 1
    ptype, mode, cameo, src, tgt = _triples(events, names)[0]
    assert (ptype, cameo) == ("CONCEDE", "080")
    assert src == ("United States",) and "Security Council" in tgt[0]


def test_real_saying_and_cognition_verbs_are_not_events():
    for text in ("Iran claimed that Israel was losing the war against Hamas.",
                 "The meeting underscores the close relationship between Iran and Hamas.",
                 "Hamas distorts the death toll in Gaza to put pressure on Israel."):
        events, _ = real(text)
        assert not any(e.trigger.split()[0].lower() in ("claimed", "underscores", "distorts") for e in events), text


def test_real_nominal_event_decision_to_abstain():
    events, names = real("Israel criticized the US decision to abstain from the Security Council vote.")
    kinds = {(e.plover, e.trigger) for e in events}
    assert ("ACCUSE", "criticized") in kinds
    concede = [e for e in events if e.plover == "CONCEDE"]
    assert concede and concede[0].trigger == "decision to abstain"
    assert [names[i] for i in concede[0].source] == ["United States"]
    assert "Security Council" in names[concede[0].target[0]]


def test_real_nominal_meeting_between():
    events, names = real("The meeting between Hamas and Egyptian officials lasted two hours.")
    assert [(e.plover, tuple(names[i] for i in e.source), tuple(names[i] for i in e.target))
            for e in events] == [("CONSULT", ("Hamas",), ("Egypt",))]


def test_real_bare_resolution_refers_to_the_body_that_passed_it():
    events, names = real("The UN Security Council passed a resolution on Gaza. Iran welcomed the resolution.")
    welcome = [e for e in events if e.trigger == "welcomed"]
    assert welcome and welcome[0].plover == "SUPPORT" and welcome[0].cameo == "051"
    assert "Security Council" in names[welcome[0].target[0]]


def test_rules_modes_and_codes():
    assert rule_for("praise") == ("SUPPORT", None, "051")
    assert rule_for("accuse") == ("ACCUSE", "allege", "112")  # manual table 3.4 over crosswalk
    assert rule_for("say") is None
    assert mode_for("ASSAULT", ["shot", "dead"]) == "firearms"
    assert mode_for("SUPPORT", ["praised"]) is None  # SUPPORT has no modes (manual 3.3.3)
    assert cameo_for_mode("COERCE", "arrest") == "173" == MODE_CAMEO[("COERCE", "arrest")]
    assert cameo_for_mode("AGREE", None) == "03"


def test_real_role_noun_subject_is_the_person_not_the_modifying_state():
    events, names = real("Former US Ambassador to Israel David Friedman condemned Iran.")
    assert len(events) == 1
    assert [names[i] for i in events[0].source] == ["David Friedman"]
    assert [names[i] for i in events[0].target] == ["Iran"]


def test_pronoun_in_where_clause_under_a_verbless_root_terminates():
    """A 'where' clause hanging on a noun root: the search for the governing verb stops at the
    root (spaCy makes a new Token object per access, so identity comparison never did)."""
    import signal

    rows = [("Tehran", 0, "ROOT", "PROPN", "Tehran", "B-GPE"), (",", 0, "punct", "PUNCT", ",", "O"),
            ("where", 4, "advmod", "ADV", "where", "O"), ("they", 4, "nsubj", "PRON", "they", "O"),
            ("met", 0, "acl:relcl", "VERB", "meet", "O"), ("Iran", 4, "obj", "PROPN", "Iran", "B-GPE"),
            (".", 0, "punct", "PUNCT", ".", "O")]

    def timeout(*_):
        raise TimeoutError("extract_events did not terminate")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    try:
        run(parsed(rows))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_real_they_in_where_clause_includes_the_companion_on_the_noun():
    events, names = real("Ismail Haniyeh held a press conference alongside Foreign Minister Hossein "
                         "Amir-Abdollahian, where they praised the UN Security Council resolution.")
    praise = [e for e in events if e.plover == "SUPPORT"]
    assert len(praise) == 1
    assert {names[i] for i in praise[0].source} == {"Ismail Haniyeh", "Hossein Amir-Abdollahian"}


def test_tfidf_features_match_sklearn_bit_for_bit():
    """The shipped model's TF-IDF blocks without scikit-learn (TfidfFeatures) give exactly the
    matrices scikit-learn's TfidfVectorizer gives: same layout, same float64 bits."""
    from pathlib import Path

    import numpy as np

    from crossread.extract.plover import (
        _COLUMN, _VECTORIZER_SETTINGS, DEFAULT_MODEL_PATH, TfidfFeatures, featurize, lexicon_examples,
    )

    light = PloverTypeModel.load(DEFAULT_MODEL_PATH)
    reference = PloverTypeModel.load(DEFAULT_MODEL_PATH, sklearn=True)
    assert all(isinstance(v, TfidfFeatures) for v in light.vectorizers)
    marked = lexicon_examples()[0] + [
        "", "   ", "<s>The  UN</s>\tcondemned   <t>\u0130stanbul's STRASSE Stra\u00dfe</t> on 12 May.",
        "<s>A</s> met <t>B</t>", "x", "<s>Iran</s> and Hamas officials met in Tehran on Tuesday, <t>they</t> said",
    ]
    plv = Path(__file__).resolve().parents[2] / "shared" / "data" / "plover" / "plv" / "PLV_train.tsv"
    if plv.exists():
        marked += [r["marked_sentence"] for r in read_plv(plv)]
    for start in range(0, len(marked), 9):
        feats = [featurize(m) for m in marked[start:start + 9]]
        for (name, _), a, b in zip(_VECTORIZER_SETTINGS, light.vectorizers, reference.vectorizers):
            docs = [f[_COLUMN[name]] for f in feats]
            xa, xb = a.transform(docs), b.transform(docs)
            assert xa.shape == xb.shape
            assert np.array_equal(xa.indptr, xb.indptr) and np.array_equal(xa.indices, xb.indices)
            assert xa.data.tobytes() == xb.data.tobytes()
    assert light.to_json() == reference.to_json()
