"""``crossread eval basil``: the scoring rules, and the command end to end on a BASIL-shaped fixture of our own."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crossread.analyze.eval_basil import (
    find_span,
    named_entity,
    non_actor_name,
    same_entity,
    self_contradiction,
)
from crossread.cli import main
from crossread.records import Actor, Claim, ClaimRelation, Evidence

MINI = Path(__file__).parent / "data" / "basil_mini"


def person(name: str, type_: str = "PERSON") -> Actor:
    return Actor(id=name, name=name, type=type_)


def test_named_entities_are_single_people_or_organisations() -> None:
    assert named_entity("Donald_Trump") and named_entity("NAACP") and named_entity("Donald_Trump_Jr.")
    for group in ("other_anti", "Democratic_lawmakers", "Republican_Lawmakers", "Obama_campaign",
                  "Nebraska_and_Oklahoma_officials", "Catholics", ""):
        assert not named_entity(group), group


def test_same_entity_keeps_family_members_and_suffixes_apart() -> None:
    for name in ("Donald Trump", "Donald J. Trump", "Donald John Trump", "Trump", "Mr. Trump", "Donald"):
        assert same_entity("Donald_Trump", person(name)), name
    for name in ("Melania Trump", "Donald Trump Jr.", "the Trumps", "Ivanka"):
        assert not same_entity("Donald_Trump", person(name)), name
    assert same_entity("Donald_Trump_Jr.", person("Donald Trump Jr."))
    assert same_entity("Enrique_Pena_Nieto", person("Enrique Peña Nieto"))
    assert not same_entity("Elizabeth_Lauten", person("Elizabeth II"))


def test_non_actor_names() -> None:
    for name in ("Islamic", "Western", "Democratic", "Room"):
        assert non_actor_name(name), name
    for name in ("Donald Trump", "Hamas", "Israel", "Congress", "the House", "Obama", "The Hill"):
        assert not non_actor_name(name), name


def test_spans_are_found_whatever_the_quote_marks() -> None:
    text = "He said: “It’s not against the president,” and left."
    start, end = find_span(text, '"It\'s not against the president,"')
    assert text[start:end] == "It’s not against the president"


def test_a_contradiction_from_the_claims_own_article_or_words_is_a_self_contradiction() -> None:
    claim = Claim(id="c", text="I will fight for you with every breath in my body", attributed_to=None,
                  evidence=[Evidence("a", 0, 10, "s")], status="contradicted")
    own = ClaimRelation("a", "A", "contradicts", 1.0, Evidence("a", 0, 10, "s"))
    assert self_contradiction(Claim(**{**claim.__dict__, "relations": [own]}))
    repeat = ClaimRelation("b", "B", "contradicts", 1.0,
                           Evidence("b", 0, 60, "“I will fight for you with every breath in my body,” he said."))
    assert self_contradiction(Claim(**{**claim.__dict__, "relations": [repeat]}))
    other = ClaimRelation("b", "B", "contradicts", 1.0, Evidence("b", 0, 30, "He never said he would fight."))
    assert not self_contradiction(Claim(**{**claim.__dict__, "relations": [other]}))


def test_the_command_scores_a_basil_shaped_folder(tmp_path: Path) -> None:
    out = tmp_path / "basil.json"
    result = CliRunner().invoke(main, ["eval", "basil", "--data", str(MINI), "--no-embeddings", "--workers", "1",
                                       "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["task"] == "basil"
    metrics = report["metrics"]
    for key in ("speaker_acc", "quote_recall", "speaker_null_rate", "entity_split", "contradiction_self_rate",
                "non_actor_rate"):
        assert 0.0 <= metrics[key] <= (10.0 if key == "entity_split" else 1.0), key
    assert metrics["quoted_spans"] == 6  # every annotated span is found in the cleaned text
    assert metrics["entity_split"] == 1.0  # Delgado and Hargrove are one actor each
    assert metrics["contradiction_self_rate"] == 0.0 and metrics["non_actor_rate"] == 0.0
    assert metrics["speaker_acc"] >= 0.75
