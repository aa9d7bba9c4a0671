"""Actor registry, within-article resolution and cross-article merging (hand-built Docs)."""

from __future__ import annotations

import re

import pytest
import spacy
from spacy.tokens import Doc

from crossread.extract.actors import resolve_actors
from crossread.link.actor_resolve import merge_actors
from crossread.extract.registry import default_registry, load_user_actors
from crossread.records import Article, record_id

NLP = spacy.blank("en")


def make_doc(text: str, ents: dict[str, str]) -> Doc:
    """Tokenise ``text`` and mark every occurrence of each key of ``ents`` with its label."""
    doc = NLP(text)
    spans = []
    for surface, label in ents.items():
        for m in re.finditer(re.escape(surface), text):
            span = doc.char_span(m.start(), m.end(), label=label)
            if span is not None:
                spans.append(span)
    doc.ents = spacy.util.filter_spans(spans)
    starts = [True] + [doc[i - 1].text in (".", "!", "?") for i in range(1, len(doc))]
    for tok, start in zip(doc, starts):
        tok.is_sent_start = start
    return doc


def article(text: str, aid: str = "a1") -> Article:
    return Article(id=aid, source="test", outlet="Outlet", title=None, published="2024-03-27",
                   language="en", text=text)


TEXT = ("Ismail Haniyeh, the head of Hamas, met Iranian Foreign Minister Hossein Amir-Abdollahian in Tehran. "
        "Haniyeh praised the Palestinian Islamic Jihad (PIJ). The Hamas leader said PIJ fighters were ready. "
        "Israeli officials canceled a delegation to Washington. Netanyahu's office said Hamas and Iranian leaders met. "
        "Benjamin Netanyahu spoke to the UN Security Council.")
ENTS = {"Ismail Haniyeh": "PERSON", "Hamas": "ORG", "Hossein Amir-Abdollahian": "PERSON", "Tehran": "GPE",
        "Haniyeh": "PERSON", "Palestinian Islamic Jihad": "ORG", "PIJ": "ORG", "Washington": "GPE",
        "Netanyahu": "PERSON", "Benjamin Netanyahu": "PERSON"}


def _resolve():
    art = article(TEXT)
    actors = resolve_actors(art, make_doc(TEXT, ENTS))
    return art, {a.name: a for a in actors}


def test_every_mention_offset_is_exact():
    art, actors = _resolve()
    assert actors
    for actor in actors.values():
        assert actor.id == record_id("actor", "a1", _key(actor))
        for m in actor.mentions:
            assert art.text[m.start:m.end] == m.text
            assert m.text in m.sentence
            assert m.article_id == "a1"


def _key(actor):
    hit = default_registry().lookup(actor.name)
    if actor.type == "PERSON":
        return f"PERSON:{actor.name}"
    if hit is not None:
        return hit.entry.key
    return f"ORG:{actor.name.lower()}"


def test_surname_and_title_variants_resolve_to_person():
    _, actors = _resolve()
    haniyeh = actors["Ismail Haniyeh"]
    texts = [m.text for m in haniyeh.mentions]
    assert "Haniyeh" in texts
    assert "the head of Hamas" in texts
    assert "The Hamas leader" in texts
    assert haniyeh.role == "head of Hamas"
    assert haniyeh.type == "PERSON"


def test_role_and_country_from_title():
    _, actors = _resolve()
    fm = actors["Hossein Amir-Abdollahian"]
    assert fm.role == "Foreign Minister"
    assert fm.country == "IRN"


def test_acronym_joins_organisation():
    _, actors = _resolve()
    pij = actors["Palestinian Islamic Jihad"]
    texts = [m.text for m in pij.mentions]
    assert "PIJ" in texts and any(t.startswith("PIJ") for t in texts)
    assert "PIJ" in pij.aliases


def test_demonym_metonym_and_compound():
    _, actors = _resolve()
    assert "Israeli officials" in [m.text for m in actors["Israel"].mentions]
    iran = [m.text for m in actors["Iran"].mentions]
    assert "Tehran" in iran and "Iranian leaders" in iran
    assert "Washington" in [m.text for m in actors["United States"].mentions]
    assert actors["Israel"].country == "ISR"
    # "Hamas and Iranian leaders": both actors get a mention in that sentence
    sentence = "Netanyahu's office said Hamas and Iranian leaders met."
    assert any(m.sentence == sentence for m in actors["Hamas"].mentions)
    assert any(m.sentence == sentence for m in actors["Iran"].mentions)


def test_possessive_institution_resolves_to_person():
    _, actors = _resolve()
    netanyahu = actors["Benjamin Netanyahu"]
    assert "Netanyahu's office" in [m.text for m in netanyahu.mentions]


def test_registry_countries_and_igos():
    reg = default_registry()
    assert reg.lookup("Iranian").entry.key == "IRN"
    assert reg.lookup("Tehran").kind == "capital"
    assert reg.lookup("the United States").entry.key == "USA"
    assert reg.lookup("NATO").entry.key == "IGO:NATO"
    assert reg.lookup("who") is None  # acronyms only match in capitals
    assert reg.lookup("WHO").entry.key == "IGO:WHO"
    # every UN member has a demonym and a capital
    import pycountry  # noqa: F401

    countries = [e for e in reg.entries.values() if e.type == "GPE" and ":" not in e.key]  # ISO3-keyed states
    assert len(countries) >= 193
    assert reg.lookup("Gaza").entry.country == "PSE"  # sub-national regions carry their state
    assert all(e.demonyms and e.capital for e in countries)


def test_load_user_actors_csv_and_json(tmp_path):
    csv_path = tmp_path / "actors.csv"
    csv_path.write_text("name,type,aliases,country\nWagner Group,ORG,Wagner|PMC Wagner,RUS\n", encoding="utf-8")
    reg = load_user_actors(csv_path)
    assert reg.lookup("PMC Wagner").entry.name == "Wagner Group"
    assert reg.lookup("Wagner").entry.country == "RUS"
    json_path = tmp_path / "actors.json"
    json_path.write_text('[{"name": "Iran", "aliases": ["the Islamic Republic of Iran"]}]', encoding="utf-8")
    reg = load_user_actors(json_path, reg)
    assert reg.lookup("the Islamic Republic of Iran").entry.key == "IRN"
    assert default_registry().lookup("PMC Wagner") is None  # the built-in one is untouched


def test_merge_across_articles():
    t1 = "Ismail Haniyeh met Iranian officials in Tehran."
    t2 = "Haniyeh thanked Iran. Hamas leader Ismail Haniyeh spoke."
    a1 = resolve_actors(article(t1, "a1"), make_doc(t1, {"Ismail Haniyeh": "PERSON", "Tehran": "GPE"}))
    a2 = resolve_actors(article(t2, "a2"), make_doc(t2, {"Haniyeh": "PERSON", "Iran": "GPE", "Hamas": "ORG",
                                                         "Ismail Haniyeh": "PERSON"}))
    merged, id_map = merge_actors({"a1": a1, "a2": a2})
    by_name = {a.name: a for a in merged}
    assert {"Ismail Haniyeh", "Iran", "Hamas"} <= set(by_name)
    assert len([a for a in merged if a.type == "PERSON"]) == 1
    iran = by_name["Iran"]
    assert {m.article_id for m in iran.mentions} == {"a1", "a2"}
    assert set(id_map) == {a.id for a in a1 + a2}
    assert all(v in {a.id for a in merged} for v in id_map.values())
    # person surname-only actor from another article merges into the full name
    t3 = "Haniyeh left Doha."
    a3 = resolve_actors(article(t3, "a3"), make_doc(t3, {"Haniyeh": "PERSON", "Doha": "GPE"}))
    merged2, _ = merge_actors([a1, a3])
    assert [a.name for a in merged2 if a.type == "PERSON"] == ["Ismail Haniyeh"]


# ---------------------------------------------------------------------------
# Span repair and coreference sieves (issue 4): hand-built entity errors of the kinds the
# statistical NER makes, then the same mechanisms through the shipped pipeline.
# ---------------------------------------------------------------------------


def _actors(text: str, ents: dict[str, str]) -> dict[str, object]:
    return {a.name: a for a in resolve_actors(article(text), make_doc(text, ents))}


def test_titles_split_off_a_mislabelled_span():
    # the tagger's one LOC span is country + titles + name
    text = "Egyptian Foreign Minister Sameh Shoukry met Hamas. Shoukry left."
    actors = _actors(text, {"Egyptian Foreign Minister Sameh Shoukry": "LOC", "Hamas": "ORG", "Shoukry": "ORG"})
    person = actors["Sameh Shoukry"]
    assert person.type == "PERSON" and person.role == "Foreign Minister" and person.country == "EGY"
    assert [m.text for m in person.mentions] == ["Sameh Shoukry", "Shoukry"]
    assert not any("Minister" in name for name in actors)


def test_titles_outside_a_person_entity_are_read_back():
    # OntoNotes-style taggers (en_core_web_*, the --nlp swap-in) leave titles outside the PERSON entity
    text = "Egyptian Foreign Minister Sameh Shoukry met Hamas. Shoukry left."
    actors = _actors(text, {"Egyptian": "NORP", "Sameh Shoukry": "PERSON", "Hamas": "ORG", "Shoukry": "PERSON"})
    person = actors["Sameh Shoukry"]
    assert person.type == "PERSON" and person.role == "Foreign Minister" and person.country == "EGY"
    assert [m.text for m in person.mentions] == ["Sameh Shoukry", "Shoukry"]


def test_title_only_span_gives_its_titles_to_the_following_name():
    # "Supreme Leader Ayatollah" (ORG) + untagged "Ali" + "Khamenei" (PERSON) → one titled person
    text = "Haniyeh met Iranian Supreme Leader Ayatollah Ali Khamenei in Tehran. Later Khamenei spoke."
    actors = _actors(text, {"Haniyeh": "PERSON", "Iranian Supreme Leader Ayatollah": "ORG", "Khamenei": "PERSON",
                            "Tehran": "GPE"})
    person = actors["Ali Khamenei"]
    assert person.role == "Supreme Leader" and person.country == "IRN"
    assert [m.text for m in person.mentions] == ["Ali Khamenei", "Khamenei"]
    assert not any("Leader" in name for name in actors)


def test_broken_registry_name_is_joined():
    text = "Haniyeh blamed the United States and the United Nations Security Council."
    actors = _actors(text, {"Haniyeh": "PERSON", "the United": "ORG", "States": "GPE", "United Nations": "ORG",
                            "Security Council": "ORG"})
    assert actors["United States"].mentions[0].text == "United States"
    assert "United Nations Security Council" in actors
    assert not {"United", "States", "United Nations"} & set(actors)


def test_junk_spans_are_dropped_and_heads_retype():
    text = ('"We will win," he said. Iran called Israel the "Little Satan." Prof. Ann Lee of UPenn Wharton\'s '
            "Department of Statistics spoke. Acme Foods and the Ohio Policy Council agreed.")
    actors = _actors(text, {"We": "ORG", "Iran": "GPE", "Israel": "GPE", "Little Satan": "GPE",
                            "Prof. Ann Lee": "PERSON", "UPenn Wharton": "PERSON", "Department of Statistics": "ORG",
                            "Acme Foods": "PERSON", "Ohio Policy Council": "GPE"})
    assert "We" not in actors and "Little Satan" not in actors
    assert actors["Ann Lee"].type == "PERSON" and actors["Ann Lee"].role == "Prof."
    assert actors["UPenn Wharton"].type == "ORG"
    assert actors["Acme Foods"].type == "ORG" and actors["Ohio Policy Council"].type == "ORG"


def test_registry_alias_tagged_person_is_the_registry_actor():
    # an NER slip ("Great Satan" as PERSON, "Kremlin" as PERSON) must not create a person
    text = "Iran calls the U.S. the Great Satan. The Kremlin said nothing."
    actors = _actors(text, {"Iran": "GPE", "U.S.": "GPE", "Great Satan": "PERSON", "Kremlin": "PERSON"})
    assert not any(a.type == "PERSON" for a in actors.values())
    assert {"Great Satan", "U.S."} <= {m.text for m in actors["United States"].mentions}
    assert "Kremlin" in {m.text for m in actors["Russia"].mentions}


def test_role_apposition_before_a_name_retypes_and_links():
    text = ("The Syrian Democratic Forces (SDF) took the town. The head of the SDF militia, Mazloum Abdi, "
            "was there. The SDF leader said it was over.")
    actors = _actors(text, {"Syrian Democratic Forces": "ORG", "SDF": "MISC", "SDF militia": "ORG",
                            "Mazloum Abdi": "ORG"})
    person = actors["Mazloum Abdi"]
    assert person.type == "PERSON"
    assert person.role == "head of the SDF militia"
    texts = [m.text for m in person.mentions]
    assert "The SDF leader" in texts  # role-description anaphora through the acronym
    sdf = actors["Syrian Democratic Forces"]
    assert "SDF militia" in [m.text for m in sdf.mentions] and "SDF" in sdf.aliases


def test_administration_of_a_named_leader_is_that_leader():
    text = "President Biden spoke. The Biden administration abstained."
    actors = _actors(text, {"Biden": "PERSON"})
    assert [a.name for a in actors.values() if a.type == "PERSON"] == ["Biden"]
    assert "Biden administration" in actors["Biden"].aliases and actors["Biden"].role == "President"


def test_shared_surname_goes_to_the_titled_or_recent_person():
    text = ("Former President Bill Clinton spoke. Secretary of State Hillary Clinton met the envoy. "
            "President Clinton agreed. Later the envoy left. Hillary Clinton thanked him. Clinton smiled.")
    actors = _actors(text, {"Bill Clinton": "PERSON", "Hillary Clinton": "PERSON", "Clinton": "PERSON"})
    bill, hillary = actors["Bill Clinton"], actors["Hillary Clinton"]
    assert "President Clinton agreed." in [m.sentence for m in bill.mentions]
    assert "Clinton smiled." in [m.sentence for m in hillary.mentions]
    assert "Clinton smiled." not in [m.sentence for m in bill.mentions]


def test_generational_suffix_keeps_namesakes_apart():
    text = "Jesse Jackson Jr. pleaded guilty. His father Jesse Jackson attended."
    actors = _actors(text, {"Jesse Jackson Jr.": "PERSON", "Jesse Jackson": "PERSON"})
    assert {"Jesse Jackson Jr.", "Jesse Jackson"} <= set(actors)


# -- through the shipped pipeline -------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    from crossread.nlp import load_pipeline
    from crossread.nlp.loader import shipped_model_available

    if not shipped_model_available():
        pytest.skip("shipped NLP model not available")
    return load_pipeline()


def _parsed(nlp, text: str) -> dict[str, object]:
    return {a.name: a for a in resolve_actors(article(text), nlp(text))}


def test_pipeline_untagged_titled_name(nlp):
    actors = _parsed(nlp, "German Chancellor Olaf Scholz visited Paris on Monday. Later, Chancellor Scholz met "
                          "French President Emmanuel Macron. Scholz said Berlin stands with Kyiv.")
    scholz = actors["Olaf Scholz"]
    assert scholz.role == "Chancellor" and scholz.country == "DEU"
    assert len(scholz.mentions) == 3
    macron = actors["Emmanuel Macron"]
    assert macron.role == "President" and macron.country == "FRA"
    assert "Berlin" in actors["Germany"].aliases


def test_pipeline_title_apposition_and_role_anaphora(nlp):
    actors = _parsed(nlp, "Hassan Nasrallah, the leader of Hezbollah, spoke on Friday. "
                          "The Hezbollah leader said the group would respond.")
    person = actors["Hassan Nasrallah"]
    assert person.role == "leader of Hezbollah"
    assert {"the leader of Hezbollah", "The Hezbollah leader"} <= {m.text for m in person.mentions}
    assert "Hezbollah" in actors


def test_pipeline_demonym_group_and_titled_country(nlp):
    actors = _parsed(nlp, "Egyptian Foreign Minister Sameh Shoukry met Turkish officials in Ankara. "
                          "Shoukry said the talks went well.")
    assert actors["Sameh Shoukry"].role == "Foreign Minister" and actors["Sameh Shoukry"].country == "EGY"
    turkey = actors["Turkey"]
    assert {"Turkish officials", "Ankara"} <= {m.text for m in turkey.mentions}


def test_pipeline_acronym_descriptor_and_apposition(nlp):
    actors = _parsed(nlp, "The Syrian Democratic Forces (SDF) captured the town. The head of the SDF militia, "
                          "Mazloum Abdi, said more would follow.")
    assert actors["Mazloum Abdi"].type == "PERSON" and actors["Mazloum Abdi"].role.startswith("head of")
    sdf = actors["Syrian Democratic Forces"]
    assert "SDF" in sdf.aliases and len(sdf.mentions) >= 3


def test_demo_persons_are_one_actor_each(nlp):
    from conftest import SEEDS
    from crossread.ingest import ingest

    arts = [a for a in ingest([str(SEEDS)]) if isinstance(a, Article)]
    assert len(arts) == 2
    per = {a.id: resolve_actors(a, nlp(a.text)) for a in arts}
    merged, _ = merge_actors(per)
    persons = [a for a in merged if a.type == "PERSON"]
    expected = {"Haniyeh": {"Ismail Haniyeh", "Haniyeh", "the head of Hamas", "Hamas senior leader", "the Hamas leader"},
                "Khamenei": {"Ali Khamenei", "Khamenei"},
                "Amir-Abdollahian": {"Hossein Amir-Abdollahian", "Amir-Abdollahian"},
                "Netanyahu": {"Benjamin Netanyahu", "Netanyahu"},
                "Friedman": {"David Friedman"},
                "al-Nakhala": {"Ziyad al-Nakhala"},
                "Biden": {"Biden", "Biden administration"},
                "Wyner": {"Abraham Wyner"}}
    for surname, variants in expected.items():
        found = [a for a in persons if a.name.endswith(surname)]
        assert len(found) == 1, (surname, [a.name for a in persons])
        assert variants <= {found[0].name, *found[0].aliases}, (surname, found[0].aliases)
    assert len(persons) == len(expected)
    by_name = {a.name: a for a in persons}
    assert by_name["Hossein Amir-Abdollahian"].country == "IRN"
    assert by_name["David Friedman"].country == "USA" and "Ambassador" in by_name["David Friedman"].role
    assert by_name["Ziyad al-Nakhala"].role.startswith("head of")
    assert not {"United", "States", "We", "Little Satan"} & {a.name for a in merged}


def test_apposition_must_not_be_a_new_clause():
    # ", the governor pointed" starts a clause: the governor is not the interviewer
    text = "Pence spoke to Mr. Stephanopoulos, the governor pointed out. Stephanopoulos, the host of the show, asked."
    doc = make_doc(text, {"Pence": "PERSON", "Stephanopoulos": "PERSON"})
    for tok in doc:  # POS is what tells a verb from a noun here
        tok.pos_ = "VERB" if tok.text in ("pointed", "asked", "spoke") else ("PROPN" if tok.text[:1].isupper() else "NOUN")
    actors = {a.name: a for a in resolve_actors(article(text), doc)}
    assert actors["Stephanopoulos"].role is None or "governor" not in actors["Stephanopoulos"].role


def test_title_phrases_with_of_and_title_surnames():
    text = ("White House chief of staff Rahm Emanuel called. Rep. Steve King objected. "
            "House Speaker John Boehner agreed. The U.S. Embassy and the Israeli Defense Ministry replied.")
    actors = _actors(text, {"Rahm Emanuel": "PERSON", "Rep. Steve King": "PERSON", "House Speaker John": "ORG",
                            "U.S. Embassy": "ORG", "Israeli": "NORP"})
    assert actors["Rahm Emanuel"].role == "chief of staff" and actors["Rahm Emanuel"].country == "USA"
    assert actors["Steve King"].role == "Rep."
    assert actors["John Boehner"].role == "House Speaker"
    assert actors["U.S. Embassy"].country == "USA"  # an organisation named after its state
    assert "Israeli Defense Ministry" in [m.text for m in actors["Israel"].mentions]  # a state agency


def test_mention_cut_by_a_sentence_break_keeps_a_sentence_that_contains_it():
    import spacy
    from spacy.tokens import Doc

    from crossread.extract.actors import resolve_actors
    from crossread.records import Article

    words = ["New", "Jersey", "Governor", "Chris", "Christie", "spoke", "today", "."]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[True] * 7 + [False],
              sent_starts=[True, False, False, False, True, False, False, False],
              ents=["B-GPE", "I-GPE", "O", "B-PERSON", "I-PERSON", "O", "O", "O"])
    article = Article(id="a", source="a", outlet=None, title=None, published=None, language="en", text=doc.text)
    actors = resolve_actors(article, doc)
    assert any(a.name == "Chris Christie" for a in actors)
    for actor in actors:
        for m in actor.mentions:
            assert doc.text[m.start:m.end] == m.text and m.text in m.sentence


def test_whole_word_matches_the_regex_it_replaces():
    import re

    from crossread.extract.actors import _whole_word

    text = ("Haniyeh, al-Haniyeh Haniyeh_x xHaniyeh Haniyeh. (Haniyeh) Haniyeh- -Haniyeh Haniyeh2 "
            "\u00e9Haniyeh Haniyeh\u00e9 aaaa ab ab ab Haniyeh")
    for form in ("Haniyeh", "aa", "ab ab", "Haniyeh."):
        expected = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text)]
        assert list(_whole_word(form, text)) == expected


def test_registry_knows_the_us_parties_and_their_member_adjectives():
    from crossread.extract.registry import default_registry

    reg = default_registry()
    for text in ("Republicans", "the GOP", "Republican Party"):
        assert reg.lookup(text).entry.name == "Republican Party"
    assert reg.lookup("Democrats").entry.name == "Democratic Party"
    hit = reg.lookup("Republican")
    assert hit.kind == "demonym" and hit.entry.name == "Republican Party"
