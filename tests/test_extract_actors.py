"""Actor registry, within-article resolution and cross-article merging (hand-built Docs)."""

from __future__ import annotations

import re

import spacy
from spacy.tokens import Doc

from crossread.extract.actors import merge_actors, resolve_actors
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

    countries = [e for e in reg.entries.values() if e.type == "GPE"]
    assert len(countries) >= 193
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
