"""One actor per person or organisation: name variants within an article and across articles, and
words that are no actor (issue 18). Texts are our own; the shipped pipeline tags them."""

from __future__ import annotations

import pytest

from crossread.extract.names import compatible_names
from crossread.link.actor_resolve import ActorForm, group_forms
from crossread.records import Actor, Article


@pytest.mark.parametrize("a, b", [
    ("Donald J. Trump", "Donald John Trump"), ("Donald Trump", "Donald J. Trump"), ("Trump", "Donald Trump"),
    ("Enrique Peña Nieto", "Pena Nieto"), ("Raúl R. Labrador", "Raul Labrador"), ("Felipe Calderón", "Felipe Calderon"),
    ("Robert S. Mueller III", "Robert Mueller"), ("Trump Jr", "Donald Trump Jr."),
])
def test_one_person(a: str, b: str) -> None:
    assert compatible_names(a, b) and compatible_names(b, a)


@pytest.mark.parametrize("a, b", [
    ("Donald Trump Jr.", "Donald Trump"), ("Melania Trump", "Donald Trump"), ("Trump", "Donald Trump Jr."),
    ("Bill Clinton", "Hillary Clinton"), ("Jesse Jackson Sr.", "Jesse Jackson Jr."),
])
def test_namesakes_apart(a: str, b: str) -> None:
    assert not compatible_names(a, b)


def _groups(forms: list[ActorForm]) -> dict[str, ActorForm]:
    return {f.name + "/" + f.type: g for f, g in group_forms(forms).items()}


def test_corpus_groups_variants_and_mistyped_names_in_any_order() -> None:
    forms = [ActorForm("Donald John Trump", "PERSON", "PERSON:donald john trump"),
             ActorForm("Donald J. Trump", "PERSON", "PERSON:donald j. trump"),
             ActorForm("Donald Trump Jr.", "PERSON", "PERSON:donald trump jr."),
             ActorForm("Trump Jr", "PERSON", "PERSON:trump jr"),
             ActorForm("Melania Trump", "PERSON", "PERSON:melania trump"),
             ActorForm("Felipe Calderón", "PERSON", "PERSON:felipe calderón"),
             ActorForm("Felipe Calderon", "PERSON", "PERSON:felipe calderon"),
             ActorForm("Victoria Nuland", "PERSON", "PERSON:victoria nuland"),
             ActorForm("Victoria Nuland", "GPE", "GPE:victoria nuland"),
             ActorForm("Jordan", "GPE", "JOR"), ActorForm("Jordan", "PERSON", "PERSON:jordan")]
    groups = _groups(forms)
    assert groups == _groups(list(reversed(forms)))
    assert groups["Donald J. Trump/PERSON"] == groups["Donald John Trump/PERSON"]
    assert groups["Trump Jr/PERSON"] == groups["Donald Trump Jr./PERSON"] != groups["Donald J. Trump/PERSON"]
    assert groups["Melania Trump/PERSON"] != groups["Donald J. Trump/PERSON"]
    assert groups["Felipe Calderon/PERSON"] == groups["Felipe Calderón/PERSON"]
    assert groups["Victoria Nuland/GPE"] == groups["Victoria Nuland/PERSON"]
    assert groups["Jordan/GPE"] != groups["Jordan/PERSON"]  # a registry country is no congressman


@pytest.fixture(scope="module")
def resolve():
    from crossread.extract.actors import resolve_actors
    from crossread.nlp.loader import load_pipeline

    nlp = load_pipeline()

    def run(text: str, outlet: str = "Outlet") -> dict[str, Actor]:
        art = Article(id="a1", source="t", outlet=outlet, title=None, published="2024-01-01", language="en", text=text)
        return {a.name: a for a in resolve_actors(art, nlp(text))}

    return run


def test_first_names_and_middle_initials_within_an_article(resolve) -> None:
    actors = resolve("Donald J. Trump spoke on Friday. Ted Cruz answered: \"Donald, if you attack my wife, you "
                     "are a coward.\" Donald John Trump replied. Raúl R. Labrador said Raul was ready.")
    trump = actors["Donald J. Trump"]
    assert {"Donald", "Donald John Trump"} <= {m.text for m in trump.mentions}
    assert "Donald" not in actors and "Raul" not in actors


def test_coordinated_first_name_and_families(resolve) -> None:
    actors = resolve("As Barack and Michelle Obama left the White House, the Clintons watched. "
                     "Hillary Clinton smiled.")
    assert "Barack" not in actors and "Barack Obama" in actors and "Michelle Obama" in actors
    assert "Clintons" not in actors


def test_apposition_types_a_name(resolve) -> None:
    actors = resolve("At 7 p.m., Victoria Nuland, the State Department spokeswoman, weighed in. "
                     "Donald Trump Jr. talked with WikiLeaks, the anti-secrecy group.")
    assert actors["Victoria Nuland"].type == "PERSON"
    assert actors["WikiLeaks"].type == "ORG"


def test_non_actors_dropped_and_cut_names_restored(resolve) -> None:
    actors = resolve("Those markets house some of the largest Jewish communities. The Democratic governor "
                     "spoke. He bought televisions at Best Buy. He said on CBS's \"Face the Nation\" that it was fine.")
    assert not {"Jewish", "Democratic", "Best", "Nation"} & set(actors)
    assert "Best Buy" in actors
    actors = resolve("The bill was pushed by the Center for Arizona Policy, a group.")
    assert "Center" not in actors and "Center for Arizona Policy" in actors


def test_one_word_of_a_fuller_name(resolve) -> None:
    actors = resolve("The Journal reported that AARP changed course, according to the Wall Street Journal. "
                     "The Times said so too. Rep. Michele Bachmann fought with Newsweek magazine.",
                     outlet="The New York Times")
    assert "Journal" not in actors and "Wall Street Journal" in actors
    assert "Times" not in actors and "New York Times" in actors
    assert "Newsweek" in actors and "Newsweek magazine" not in actors


def test_a_word_cut_out_of_a_longer_name_is_no_actor() -> None:
    from crossread.extract.actors import resolve_actors
    from crossread.nlp import load_pipeline
    from crossread.records import Article

    nlp = load_pipeline()
    for text, dropped in [("The request went all the way to Secretary of State John Kerry's chief of staff.", "State"),
                          ("Politics Daily recently reported that the plan had failed.", "Politics"),
                          ("Paul R. LePage, the embattled Republican governor of Maine, said Republican "
                           "leadership failed.", "Republican")]:
        article = Article(id="x", source="x", outlet=None, title=None, published=None, language="en", text=text)
        names = [a.name for a in resolve_actors(article, nlp(text))]
        assert dropped not in names, (text, names)
    text = "The hackers attacked Google and Facebook, and Apple said it would respond."
    article = Article(id="y", source="y", outlet=None, title=None, published=None, language="en", text=text)
    assert {"Google", "Facebook", "Apple"} <= {a.name for a in resolve_actors(article, nlp(text))}


def test_a_common_noun_the_article_writes_lowercase_is_no_actor_and_a_capital_the_is_kept() -> None:
    from crossread.extract.actors import resolve_actors
    from crossread.nlp import load_pipeline
    from crossread.records import Article

    nlp = load_pipeline()
    text = ("Departments including History, Government, Philosophy and the School of Foreign Service signed it. "
            "The government of the state did not react. "
            "He said so in an interview with the newspaper The Hill.")
    article = Article(id="x", source="x", outlet=None, title=None, published=None, language="en", text=text)
    names = {a.name for a in resolve_actors(article, nlp(text))}
    assert "Government" not in names  # the article writes "government" too
    assert "The Hill" in names and "Hill" not in names
    text = "The House voted on the bill. He went to his house."
    article = Article(id="y", source="y", outlet=None, title=None, published=None, language="en", text=text)
    assert "House" in {a.name for a in resolve_actors(article, nlp(text))}  # an institution's head noun


def test_title_words_and_compass_regions_are_no_actors() -> None:
    from crossread.extract.actors import resolve_actors
    from crossread.nlp import load_pipeline
    from crossread.records import Article

    nlp = load_pipeline()
    for text, dropped in [("“Meet Melania Trump. Your next First Lady,” the posts read.", "First"),
                          ("As a centrist candidate from the Northeast, he would have a difficult path.", "Northeast"),
                          ("Kevin Rennie, a former Republican state lawmaker, published a blog post.", "Republican")]:
        article = Article(id="x", source="x", outlet=None, title=None, published=None, language="en", text=text)
        assert dropped not in {a.name for a in resolve_actors(article, nlp(text))}, text


def test_a_party_word_opening_an_organisations_name_stays_in_it() -> None:
    from spacy.tokens import Span

    from crossread.extract.actors import resolve_actors
    from crossread.nlp.loader import load_pipeline

    text = "Meanwhile, the paper reported that the Republican Veterans Coalition has launched a campaign in Ohio."
    doc = load_pipeline()(text)
    k = next(t.i for t in doc if t.text == "Republican")
    doc.ents = [Span(doc, k, k + 1, label="NORP")]  # the tagger's cut: the party word alone
    art = Article(id="a1", source="t", outlet="Outlet", title=None, published="2024-01-01", language="en", text=text)
    names = {a.name for a in resolve_actors(art, doc)}
    assert "Republican Veterans Coalition" in names and "Republican Party" not in names
