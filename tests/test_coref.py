"""Speaker coreference sieves (extract/coref.py) on sentences written for these tests."""

from __future__ import annotations

import pytest

from crossread.extract import extract_records
from crossread.extract.coref import function_words_only, resolve_speakers
from crossread.extract.quotes import QuoteSpan
from crossread.records import Actor, Article, Mention


def article(text: str) -> Article:
    return Article(id="c1", source="test", outlet="Test", title=None, published=None, language="en", text=text)


@pytest.fixture(scope="module")
def nlp():
    from crossread.nlp import load_pipeline
    from crossread.nlp.loader import shipped_model_available

    if not shipped_model_available():
        pytest.skip("shipped NLP model not available")
    return load_pipeline()


def speakers(nlp, text: str) -> list[tuple[str | None, str | None, str]]:
    """(speaker actor name, speaker_text, content) of every quote, in text order."""
    records = extract_records(article(text), nlp(text))
    names = {a.id: a.name for a in records.actors}
    quotes = sorted(records.quotes, key=lambda q: q.evidence.start)
    return [(names.get(q.speaker), q.speaker_text, q.content) for q in quotes]


def speaker_of(rows, content_start: str) -> tuple[str | None, str | None]:
    for name, text, content in rows:
        if content.lstrip("“\"").startswith(content_start):
            return name, text
    raise AssertionError(f"no quote starting {content_start!r} in {rows}")


# -- without a parse ------------------------------------------------------------------------------------


def test_function_words_only():
    assert function_words_only("while")
    assert function_words_only("The")
    assert function_words_only("On Friday")
    assert function_words_only("77 percent of")
    assert not function_words_only("he")
    assert not function_words_only("the governor")
    assert not function_words_only("Maria Lindqvist")


def test_without_a_doc_the_overlap_rule_applies_and_function_words_are_dropped():
    text = "Maria Lindqvist said the port would reopen. While the mayor said the road was safe."
    actor = Actor(id="a1", name="Maria Lindqvist", type="PERSON",
                  mentions=[Mention(article_id="c1", start=0, end=15, sentence="", text="Maria Lindqvist")])
    named = QuoteSpan("indirect", 21, 42, source_start=0, source_end=15)
    junk = QuoteSpan("indirect", 60, 80, source_start=44, source_end=49)  # "While"
    out = resolve_speakers(text, None, [actor], [named, junk])
    assert out[0].actor == "a1" and (out[0].start, out[0].end) == (0, 15)
    assert out[1].actor is None and out[1].start is None and out[1].end is None


# -- through the shipped pipeline -----------------------------------------------------------------------


def test_he_said_goes_to_the_subject_of_the_previous_sentence(nlp):
    text = ("Senator Tomas Okafor criticized the budget on Monday.\n\n"
            "“This plan abandons rural hospitals,” he said.")
    assert speaker_of(speakers(nlp, text), "This plan") == ("Tomas Okafor", "he")


def test_pronoun_skips_a_name_inside_the_quotation_and_an_oblique_name(nlp):
    text = ("Governor Helen Marsh toured the flooded valley on Tuesday.\n\n"
            "“Ravi Dutta was right about the levees,” she said.\n\n"
            "Of Dutta, she said, “He warned us years ago.”")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "Ravi Dutta was right")[0] == "Helen Marsh"
    assert speaker_of(rows, "He warned us")[0] == "Helen Marsh"


def test_gender_from_the_article_picks_the_agreeing_antecedent(nlp):
    # Mr. and Ms. tell the two apart; "she" is the woman even though the man is nearer
    text = ("Ms. Ingrid Sorensen met Mr. Paolo Brandt in Geneva on Friday. Mr. Brandt left early.\n\n"
            "“We made real progress on the treaty,” she said.")
    assert speaker_of(speakers(nlp, text), "We made real progress")[0] == "Ingrid Sorensen"


def test_he_added_takes_the_previous_quote_speaker(nlp):
    text = ("“The vote was rigged,” said Victor Amsel, the opposition leader. Officials in the capital "
            "declined to comment, and the electoral commission met late into the night with Karl Wendt.\n\n"
            "“We will go to court,” he added.")
    assert speaker_of(speakers(nlp, text), "We will go to court")[0] == "Victor Amsel"


def test_long_quotation_does_not_push_the_antecedent_out_of_reach(nlp):
    text = ("Judge Amara Osei spoke to students in Accra on Wednesday.\n\n"
            "“The court is not a political body. It never was. It never should be. Judges answer to the law. "
            "That is the whole job,” she said.")
    assert speaker_of(speakers(nlp, text), "The court is not")[0] == "Amara Osei"


def test_role_noun_goes_to_the_person_with_that_title(nlp):
    text = ("Gov. Daniel Roche signed the water bill on Thursday after a meeting with Mayor Lena Fisk.\n\n"
            "“Every farm in the state will benefit,” the governor said.")
    assert speaker_of(speakers(nlp, text), "Every farm") == ("Daniel Roche", "the governor")


def test_relative_pronoun_speaker_is_its_antecedent(nlp):
    text = ("The plan drew fire from Senator Miriam Cole, who said that the cuts would close schools.")
    name, shown = speaker_of(speakers(nlp, text), "the cuts would close")
    assert name == "Miriam Cole"
    assert shown is not None and shown.lower() not in ("who", "which", "that")


def test_statement_goes_to_who_issued_it(nlp):
    text = ("Carla Mendes released a statement on Sunday saying: “I will not resign.”\n\n"
            "“My record speaks for itself,” the statement said.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "I will not resign")[0] == "Carla Mendes"
    assert speaker_of(rows, "My record speaks")[0] == "Carla Mendes"


def test_unresolved_speaker_keeps_its_text_and_never_a_function_word(nlp):
    text = ("Several residents gathered outside the town hall.\n\n"
            "“Nobody asked us,” one resident said.")
    rows = speakers(nlp, text)
    name, shown = speaker_of(rows, "Nobody asked us")
    assert name is None and shown == "one resident"
    for _, shown, _ in rows:
        assert shown is None or not function_words_only(shown)


def test_it_said_goes_to_an_organisation_subject_only(nlp):
    text = ("The Lakeside Water Authority raised its rates on Monday. It said the increase would fund new pipes.\n\n"
            "The report on the drought was published in March. It said the reservoirs were half empty.")
    rows = speakers(nlp, text)
    authority = speaker_of(rows, "the increase")[0]
    assert authority is not None and "Lakeside" in authority
    assert speaker_of(rows, "the reservoirs")[0] is None


def test_first_person_inside_a_quotation_is_the_quote_speaker(nlp):
    from crossread.extract.actors import resolve_actors

    text = "“The plan is wrong. I said that the council should vote again,” Daniel Roche told reporters on Friday."
    doc = nlp(text)
    actors = resolve_actors(article(text), doc)
    close = text.index("”") + 1
    name = text.index("Daniel Roche")
    outer = QuoteSpan("direct", 0, close, source_start=name, source_end=name + len("Daniel Roche"))
    inner_i = text.index("I said")
    inner = QuoteSpan("indirect", text.index("that the"), close - 2, source_start=inner_i, source_end=inner_i + 1,
                      cue_start=inner_i + 2, cue_end=inner_i + 6)
    out = resolve_speakers(text, doc, actors, [outer, inner])
    roche = next(a.id for a in actors if a.name == "Daniel Roche")
    assert out[0].actor == roche and out[1].actor == roche


def test_a_role_subject_is_the_antecedent_before_a_named_bystander(nlp):
    text = ("Rep. Aaron Pell spoke in Dayton on Monday. The congressman also thanked Senator Olivia Grant, "
            "a longtime ally of the mayor.\n\n"
            "“We finished the bridge on time,” he said.")
    assert speaker_of(speakers(nlp, text), "We finished the bridge")[0] == "Aaron Pell"


# -- groups, parties and speaker phrases the extractor cut badly ------------------------------------------


def test_party_and_its_members_as_a_group_speak_for_the_party(nlp):
    text = ("Republicans said the tax bill was rushed. Democratic lawmakers said the vote should wait.\n\n"
            "“This is a disgrace,” the GOP said in a statement.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "the tax bill") == ("Republican Party", "Republicans")
    assert speaker_of(rows, "the vote should wait")[0] == "Democratic Party"
    assert speaker_of(rows, "This is a disgrace")[0] == "Republican Party"


def test_one_member_or_a_party_adjective_is_not_the_party(nlp):
    text = ("Republican strategists said the plan was dead. A Democratic aide said the whip was calling members.\n\n"
            "Senator Jeff Varnum toured a dairy farm in Tucson on Friday. The Arizona Republican said the bill "
            "was flawed.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "the plan was dead") == (None, "Republican strategists")
    assert speaker_of(rows, "the whip")[0] is None
    assert speaker_of(rows, "the bill was flawed") == (None, "The Arizona Republican")


def test_they_goes_to_a_party_subject_just_before(nlp):
    text = "Democrats met on Tuesday to plan the vote. They said the rule would hurt small businesses."
    assert speaker_of(speakers(nlp, text), "the rule would hurt")[0] == "Democratic Party"


def test_a_leading_preposition_is_not_part_of_the_speaker(nlp):
    text = ("The White House refused to discuss the offer, drawing criticism from Republicans who accused it "
            "of bribery.")
    assert speaker_of(speakers(nlp, text), "it of bribery") == ("Republican Party", "Republicans")


def test_a_role_noun_nobody_holds_takes_the_person_named_in_it_never_its_place(nlp):
    text = ("On Saturday, the mayor of Hoboken, Dawn Zimmer, said that the governor had threatened her city.\n\n"
            "Rick Harlan met Ann Treadwell in Austin on Monday. The Texas governor said the border was open.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "the governor had threatened")[0] == "Dawn Zimmer"
    assert speaker_of(rows, "the border was open") == (None, "The Texas governor")


def test_a_cue_without_a_parsed_subject_takes_the_one_person_before_it(nlp):
    text = ("While declining to discuss what happened, Mr. Obama on Thursday said, “I can assure the public "
            "that nothing improper took place.”")
    assert speaker_of(speakers(nlp, text), "I can assure")[0] == "Obama"


def test_the_administration_or_service_goes_to_the_one_named_before(nlp):
    text = ("The Trump campaign hired a new manager on Monday. The campaign said the rally would go ahead.\n\n"
            "The Fish and Wildlife Service issued new permits. The service said hunting could help elephants.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "the rally would go ahead") == ("Trump", "The campaign")
    assert speaker_of(rows, "hunting could help")[0] == "Fish and Wildlife Service"


def test_they_agrees_in_number_with_its_antecedent(nlp):
    # the nearest subject, "the issue", is singular: "they" are the Democrats
    text = ("Privately, many Democrats were not pleased that the issue had been raised during the recess, "
            "as they said they had been making inroads.")
    assert speaker_of(speakers(nlp, text), "they had been making inroads")[0] == "Democratic Party"


def test_a_party_word_beside_a_name_never_hides_the_person(nlp):
    text = ("A Democratic aide to Senator Harry Reid said the vote would wait.\n\n"
            "The Democrat, Representative Adam B. Schiff of California, said that Mr. Flynn had declined the request.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "the vote would wait")[0] == "Harry Reid"
    assert speaker_of(rows, "Mr. Flynn had declined")[0] == "Adam B. Schiff"


def test_a_relative_pronoun_source_never_goes_to_a_bystander(nlp):
    # "who" is the lawyer (no actor); Grimm, the one person before the cue, is not the speaker,
    # and the demonym before "who" is no people speaking
    text = ("About a year earlier, two deliverymen hired a lawyer who contacted Mr. Grimm’s congressional office "
            "to complain that the restaurant had paid them too little.\n\n"
            "Congress approved a settlement payment to black farmers and American Indians who claimed they "
            "were discriminated against.")
    rows = speakers(nlp, text)
    assert speaker_of(rows, "the restaurant had paid") == (None, "a lawyer")
    assert speaker_of(rows, "they were discriminated") == (None, "black farmers")


def test_a_relative_pronoun_after_an_appositive_is_the_named_person(nlp):
    text = ("He is also friendly with Attorney General Jeff Sessions, a former senator, who has told aides "
            "that Mr. Lieberman would win easily.")
    assert speaker_of(speakers(nlp, text), "Mr. Lieberman would win")[0] == "Jeff Sessions"
