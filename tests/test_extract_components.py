"""The extractors as spaCy pipeline components (extract/components.py): registered factories that write
their results to Doc extensions, converted to records in one place."""

from __future__ import annotations

import pytest
import spacy

from crossread.extract import extract_records, records_from_doc
from crossread.extract.components import EXTRACTORS, article_doc
from crossread.records import Article, to_dict

TEXT = ("Iranian Foreign Minister Hossein Amir-Abdollahian met Qatari officials in Doha on Tuesday. "
        "\"We support the ceasefire resolution,\" Amir-Abdollahian said. Israel accused Iran of arming "
        "Hezbollah, which fired 40 rockets at Israel on Monday.\n")


def article(text: str = TEXT) -> Article:
    return Article(id="a1", source="test", outlet="Wire", title="Talks", published="2024-03-05",
                   language="en", text=text)


@pytest.fixture(scope="module")
def nlp():
    from crossread.nlp import load_pipeline
    from crossread.nlp.loader import shipped_model_available

    if not shipped_model_available():
        pytest.skip("shipped NLP model not available")
    return load_pipeline()


def dump(records) -> dict:
    return {kind: [to_dict(r) for r in getattr(records, kind)]
            for kind in ("actors", "events", "quotes", "claims", "framing")}


def test_factories_are_registered_with_what_they_assign():
    import crossread.extract.components  # noqa: F401  (the entry points do this for an installed crossread)

    nlp = spacy.blank("en")
    for name in EXTRACTORS:
        assert nlp.has_factory(name)
        meta = nlp.get_factory_meta(name)
        assert meta.assigns == [f"doc._.{name}"]


def test_pipeline_components_give_the_records_extract_records_gives(nlp):
    expected = dump(extract_records(article(), nlp(TEXT)))
    assert expected["actors"] and expected["quotes"] and expected["claims"]

    # the same pipeline with the components appended: the article travels on the Doc
    from crossread.nlp.loader import _load

    with_extractors = _load(None)
    for name in ("crossread_paragraphs", "crossread_adapter"):
        if name not in with_extractors.pipe_names:
            with_extractors.add_pipe(name, before="parser" if name == "crossread_paragraphs" else None)
    for name in EXTRACTORS:
        with_extractors.add_pipe(name)
    # every attribute a component requires is assigned by one before it (spaCy's pipeline analysis)
    assert not any(with_extractors.analyze_pipes()["problems"].values())
    doc = with_extractors(article_doc(with_extractors, article()))
    assert all(getattr(doc._, name) is not None for name in EXTRACTORS)
    assert dump(records_from_doc(doc)) == expected
    # extract_records reads what the components wrote for this very article instead of running them again
    actors = doc._.crossread_actors
    assert dump(extract_records(doc._.crossread_article, doc)) == expected
    assert doc._.crossread_actors is actors


def test_another_article_on_the_same_doc_is_extracted_again(nlp):
    doc = nlp(TEXT)
    first = extract_records(article(), doc)
    other = Article(id="a2", source="test", outlet="Other", title=None, published=None, language="en", text=TEXT)
    second = extract_records(other, doc)
    assert {q.evidence.article_id for q in second.quotes} == {"a2"}
    assert {q.evidence.article_id for q in first.quotes} == {"a1"}


def test_a_component_without_what_it_requires_says_which_to_add_first(nlp):
    doc = nlp(TEXT)
    with pytest.raises(ValueError, match="crossread_actors"):
        spacy.blank("en").add_pipe("crossread_events")(doc)


def test_records_from_a_doc_without_the_components_results_say_what_to_run(nlp):
    with pytest.raises(ValueError, match="extraction components"):
        records_from_doc(nlp("Iran met Qatar."))
