"""analysis.json: the published JSON Schema, offset checks, atomic writes."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import types
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator, ValidationError

from crossread import records
from crossread.export import analysis_json, load_schema, validate_analysis, write_analysis_json
from crossread.records import (
    SCHEMA_VERSION,
    Actor,
    Analysis,
    Article,
    Claim,
    Derivation,
    Event,
    Evidence,
    Framing,
    Label,
    LoadedTerm,
    Mention,
    Passage,
    Quote,
    Removed,
    Signal,
    Story,
    analysis_from_dict,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGE_SCHEMA = REPO / "src" / "crossread" / "schema" / "analysis.schema.json"
DOCS_SCHEMA = REPO / "docs" / "schema" / "analysis.schema.json"

TEXT_A = (
    "Foreign Minister Ana Reyes said the talks in Lisboa would resume on Monday.\n"
    "\n"
    "Officials confirmed the meeting, calling it a “historic breakthrough”.\n"
    "As an AI language model, I cannot verify this."
)
TEXT_B = "Reuters reports: Foreign Minister Ana Reyes said the talks in Lisboa would resume on Monday."


def sentence_at(text: str, start: int, end: int) -> str:
    """The line (our test sentences are one per line) containing text[start:end]."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : len(text) if line_end == -1 else line_end]


def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def evidence(article: Article, needle: str) -> Evidence:
    start, end = span(article.text, needle)
    return Evidence(article.id, start, end, sentence_at(article.text, start, end))


def mention(article: Article, needle: str) -> Mention:
    start, end = span(article.text, needle)
    return Mention(article.id, start, end, sentence_at(article.text, start, end), needle)


def full_analysis() -> Analysis:
    """One of every record kind, offsets computed from the text."""
    a = Article(
        id="a1",
        source="https://example.org/news/talks",
        outlet="Daily Example",
        title="Talks to resume",
        published="2024-03-25T10:00:00Z",
        language="en",
        text=TEXT_A,
        url="https://example.org/news/talks",
        format="html",
        removed=[Removed("Share on Facebook", "share-buttons"), Removed("Subscribe now", "newsletter")],
    )
    s_start, s_end = span(TEXT_A, "As an AI language model")
    a.signals.append(Signal("ai_disclaimer", TEXT_A[s_start:s_end], s_start, s_end))
    b = Article(id="b2", source="feed.xml", outlet=None, title=None, published=None, language=None, text=TEXT_B)

    reyes = Actor(
        id="act_reyes",
        name="Ana Reyes",
        type="PERSON",
        aliases=["Reyes"],
        mentions=[mention(a, "Ana Reyes"), mention(b, "Ana Reyes")],
        role="foreign minister",
        country="PT",
    )
    event = Event(
        id="ev_1",
        plover="CONSULT",
        mode=None,
        cameo="040",
        source=["act_reyes"],
        target=[],
        trigger="talks",
        modality="planned",
        date="2024-03-25",
        location="Lisboa",
        evidence=[evidence(a, "the talks in Lisboa would resume"), evidence(b, "talks in Lisboa")],
        outlets=["Daily Example", "Reuters"],
        independent_sources=1,
    )
    quote = Quote(
        id="q_1",
        speaker="act_reyes",
        speaker_text="Foreign Minister Ana Reyes",
        cue="said",
        content="the talks in Lisboa would resume on Monday",
        kind="indirect",
        evidence=evidence(a, "the talks in Lisboa would resume on Monday"),
    )
    claim = Claim(
        id="c_1",
        text="The talks resume on Monday.",
        attributed_to="act_reyes",
        evidence=[evidence(a, "would resume on Monday"), evidence(b, "would resume on Monday")],
        outlets=["Daily Example", "Reuters"],
        status="single_source",
        independent_sources=1,
    )
    story = Story(id="st_1", title="Talks to resume in Lisboa", article_ids=["a1", "b2"])
    shared = "Foreign Minister Ana Reyes said the talks in Lisboa would resume on Monday."
    ss, se = span(TEXT_A, shared)
    ds, de = span(TEXT_B, shared)
    derivation = Derivation("a1", "b2", "partial", 0.8, [Passage(ss, se, ds, de, shared)])
    framing = Framing(
        outlet="Daily Example",
        actor="act_reyes",
        labels=[Label("Foreign Minister", 1, [evidence(a, "Foreign Minister")])],
        loaded_terms=[LoadedTerm("historic breakthrough", [evidence(a, "historic breakthrough")])],
    )
    return Analysis(
        articles=[a, b],
        actors=[reyes],
        events=[event],
        quotes=[quote],
        claims=[claim],
        stories=[story],
        derivations=[derivation],
        framing=[framing],
    )


@pytest.fixture
def data() -> dict[str, Any]:
    return analysis_json(full_analysis())


def rejects(data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_analysis(data)
    assert_validators_agree(data)
    return info.value


def assert_validators_agree(data: dict[str, Any]) -> None:
    """The fast validator's verdict is jsonschema's: it never lets through what jsonschema rejects (and
    the speed-up is real: it accepts what jsonschema accepts)."""
    from crossread.export.json_export import _fast_verdict, _validator

    pytest.importorskip("fastjsonschema")
    schema_valid = next(iter(_validator().iter_errors(data)), None) is None
    assert _fast_verdict(data) == schema_valid


# --------------------------------------------------------------------------- valid documents


def test_full_analysis_validates(data: dict[str, Any]) -> None:
    validate_analysis(data)
    assert_validators_agree(data)
    assert data["schema_version"] == SCHEMA_VERSION
    assert {k for k in data} == {"schema_version"} | {f.name for f in dataclasses.fields(Analysis)}


def test_empty_analysis_validates() -> None:
    validate_analysis(analysis_json(Analysis()))


def test_round_trip_through_json(data: dict[str, Any]) -> None:
    rebuilt = analysis_from_dict(json.loads(json.dumps(data)))
    assert rebuilt == full_analysis()


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_load_schema_reads_package_data() -> None:
    assert load_schema() == json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    # A fresh dict each time: callers may mutate it.
    assert load_schema() is not load_schema()


def test_docs_copy_identical_to_package_copy() -> None:
    assert DOCS_SCHEMA.read_bytes() == PACKAGE_SCHEMA.read_bytes(), (
        "docs/schema/analysis.schema.json must be an identical copy of the package schema"
    )


# --------------------------------------------------------------------------- schema <-> dataclasses


def _record_dataclasses() -> dict[str, type]:
    return {
        name: obj
        for name, obj in inspect.getmembers(records, dataclasses.is_dataclass)
        if inspect.isclass(obj) and obj.__module__ == records.__name__
    }


def _schema_for(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return schema if name == "Analysis" else schema["$defs"][name]


def test_every_record_dataclass_has_a_schema_definition() -> None:
    schema = load_schema()
    missing = [n for n in _record_dataclasses() if n != "Analysis" and n not in schema["$defs"]]
    assert not missing, f"record dataclasses without a $defs entry in the schema: {missing}"


@pytest.mark.parametrize("name", sorted(_record_dataclasses()))
def test_every_dataclass_field_is_in_the_schema(name: str) -> None:
    """A field added to a record without a schema update fails here."""
    cls = _record_dataclasses()[name]
    node = _schema_for(load_schema(), name)
    fields = {f.name for f in dataclasses.fields(cls)}
    extra = {"schema_version"} if name == "Analysis" else set()
    assert set(node["properties"]) == fields | extra, f"{name}: schema properties differ from dataclass fields"
    # asdict always writes every field, so every field is required.
    assert set(node["required"]) == fields | extra
    assert node["additionalProperties"] is False
    assert node["type"] == "object"


def _json_types(hint: Any) -> set[str]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_json_types(a) for a in typing.get_args(hint)))
    if hint is type(None):
        return {"null"}
    if origin is list:
        return {"array"}
    if origin is typing.Literal or hint is str:
        return {"string"}
    if hint is bool:
        return {"boolean"}
    if hint is int:
        return {"integer"}
    if hint is float:
        return {"number"}
    if dataclasses.is_dataclass(hint):
        return {"object"}
    raise AssertionError(f"unexpected type hint {hint!r}")


def _schema_types(schema: dict[str, Any], prop: dict[str, Any]) -> set[str]:
    if "anyOf" in prop:
        return set().union(*(_schema_types(schema, p) for p in prop["anyOf"]))
    if "$ref" in prop:
        return {_resolve(schema, prop["$ref"])["type"]}
    kind = prop["type"]
    return set(kind) if isinstance(kind, list) else {kind}


def _resolve(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/$defs/")
    return schema["$defs"][ref.removeprefix("#/$defs/")]


@pytest.mark.parametrize("name", sorted(_record_dataclasses()))
def test_field_types_and_nullability_match(name: str) -> None:
    cls = _record_dataclasses()[name]
    schema = load_schema()
    node = _schema_for(schema, name)
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        prop = node["properties"][f.name]
        assert _schema_types(schema, prop) == _json_types(hints[f.name]), f"{name}.{f.name}"
        hint = hints[f.name]
        if typing.get_origin(hint) is list:
            (item,) = typing.get_args(hint)
            assert _schema_types(schema, prop["items"]) == _json_types(item), f"{name}.{f.name}[]"
            if dataclasses.is_dataclass(item):
                assert prop["items"]["$ref"] == f"#/$defs/{item.__name__}"
        if dataclasses.is_dataclass(hint):
            assert prop["$ref"] == f"#/$defs/{hint.__name__}"


@pytest.mark.parametrize(
    ("def_name", "field_name", "literal"),
    [
        ("Quote", "kind", records.QuoteKind),
        ("Claim", "status", records.ClaimStatus),
        ("Derivation", "kind", records.DerivationKind),
    ],
)
def test_enums_match_literals(def_name: str, field_name: str, literal: Any) -> None:
    prop = load_schema()["$defs"][def_name]["properties"][field_name]
    assert prop["enum"] == list(typing.get_args(literal))


def test_every_property_has_a_description() -> None:
    schema = load_schema()
    nodes = [("$", schema)] + [(f"$defs.{k}", v) for k, v in schema["$defs"].items()]
    for where, node in nodes:
        assert node.get("description"), f"{where} has no description"
        for prop_name, prop in node["properties"].items():
            assert prop.get("description", "").strip(), f"{where}.{prop_name} has no description"
    assert "text[start:end]" in schema["$defs"]["Evidence"]["description"]
    assert "offset" in schema["$defs"]["Evidence"]["properties"]["start"]["description"].lower()


# --------------------------------------------------------------------------- rejections


def test_rejects_missing_field_with_path(data: dict[str, Any]) -> None:
    del data["events"][0]["trigger"]
    err = rejects(data)
    assert list(err.path) == ["events", 0]
    assert "$.events[0]" in err.message and "'trigger' is a required property" in err.message


def test_rejects_missing_nested_evidence_field(data: dict[str, Any]) -> None:
    del data["quotes"][0]["evidence"]["sentence"]
    err = rejects(data)
    assert list(err.path) == ["quotes", 0, "evidence"]
    assert "'sentence' is a required property" in err.message


def test_rejects_missing_top_level_list(data: dict[str, Any]) -> None:
    del data["framing"]
    assert "'framing' is a required property" in rejects(data).message


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("quotes", 0, "kind"), "verbatim"),
        (("claims", 0, "status"), "true"),
        (("derivations", 0, "kind"), "plagiarism"),
    ],
)
def test_rejects_wrong_enum(data: dict[str, Any], path: tuple[Any, ...], value: str) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    err = rejects(data)
    assert list(err.path) == list(path)
    assert f"'{value}' is not one of" in err.message
    assert "$." + ".".join(str(p) for p in path).replace(".0", "[0]") in err.message


def test_rejects_unknown_property(data: dict[str, Any]) -> None:
    data["articles"][0]["sentiment"] = 0.3
    err = rejects(data)
    assert "Additional properties are not allowed ('sentiment'" in err.message
    assert "$.articles[0]" in err.message


def test_rejects_null_where_not_nullable(data: dict[str, Any]) -> None:
    data["articles"][0]["text"] = None
    err = rejects(data)
    assert list(err.path) == ["articles", 0, "text"]
    assert "None is not of type 'string'" in err.message


def test_accepts_null_where_nullable(data: dict[str, Any]) -> None:
    for key in ("outlet", "title", "published", "language", "url", "format"):
        data["articles"][0][key] = None
    data["quotes"][0]["speaker"] = None
    validate_analysis(data)


def test_rejects_wrong_types(data: dict[str, Any]) -> None:
    data["events"][0]["evidence"][0]["start"] = "12"
    err = rejects(data)
    assert list(err.path) == ["events", 0, "evidence", 0, "start"]
    assert "is not of type 'integer'" in err.message


def test_rejects_negative_offset(data: dict[str, Any]) -> None:
    data["claims"][0]["evidence"][0]["start"] = -1
    err = rejects(data)
    assert list(err.path) == ["claims", 0, "evidence", 0, "start"]


def test_rejects_wrong_schema_version(data: dict[str, Any]) -> None:
    data["schema_version"] = "0.9"
    err = rejects(data)
    assert list(err.path) == ["schema_version"]


# --------------------------------------------------------------------------- offset checks


def test_rejects_evidence_end_beyond_text(data: dict[str, Any]) -> None:
    data["events"][0]["evidence"][0]["end"] = len(TEXT_A) + 5
    err = rejects(data)
    assert list(err.path) == ["events", 0, "evidence", 0]
    assert err.message.startswith("$.events[0].evidence[0]: ")
    assert "out of range" in err.message and f"text length {len(TEXT_A)}" in err.message


def test_rejects_start_after_end(data: dict[str, Any]) -> None:
    ev = data["quotes"][0]["evidence"]
    ev["start"], ev["end"] = ev["end"], ev["start"]
    err = rejects(data)
    assert "$.quotes[0].evidence" in err.message and "start <= end" in err.message


def test_rejects_sentence_not_containing_span(data: dict[str, Any]) -> None:
    data["framing"][0]["loaded_terms"][0]["evidence"][0]["sentence"] = "A different sentence."
    err = rejects(data)
    assert list(err.path) == ["framing", 0, "loaded_terms", 0, "evidence", 0, "sentence"]
    assert "does not contain the evidence span" in err.message
    assert "historic breakthrough" in err.message


def test_rejects_shifted_offsets(data: dict[str, Any]) -> None:
    """Off-by-some offsets point at text the sentence does not contain."""
    ev = data["claims"][0]["evidence"][0]
    ev["start"] += 30  # still in range, but now runs past the end of its sentence
    ev["end"] += 30
    err = rejects(data)
    assert "$.claims[0].evidence[0].sentence" in err.message


def test_rejects_unknown_article_id(data: dict[str, Any]) -> None:
    data["events"][0]["evidence"][1]["article_id"] = "nope"
    err = rejects(data)
    assert list(err.path) == ["events", 0, "evidence", 1, "article_id"]
    assert "unknown article_id 'nope'" in err.message


def test_rejects_mention_out_of_range(data: dict[str, Any]) -> None:
    data["actors"][0]["mentions"][1]["end"] = len(TEXT_B) + 1
    err = rejects(data)
    assert "$.actors[0].mentions[1]" in err.message and "out of range" in err.message


def test_rejects_mention_sentence_mismatch(data: dict[str, Any]) -> None:
    data["actors"][0]["mentions"][0]["sentence"] = "Nothing here."
    assert "$.actors[0].mentions[0].sentence" in rejects(data).message


def test_rejects_signal_out_of_range(data: dict[str, Any]) -> None:
    data["articles"][0]["signals"][0]["end"] = len(TEXT_A) + 1
    err = rejects(data)
    assert list(err.path) == ["articles", 0, "signals", 0]
    assert "out of range for article 'a1'" in err.message


def test_rejects_passage_out_of_range(data: dict[str, Any]) -> None:
    data["derivations"][0]["passages"][0]["derived_end"] = len(TEXT_B) + 1
    err = rejects(data)
    assert "$.derivations[0].passages[0]" in err.message and "'b2'" in err.message


# --------------------------------------------------------------------------- writing


def test_write_analysis_json(tmp_path: Path) -> None:
    out = tmp_path / "run" / "analysis.json"
    write_analysis_json(full_analysis(), out)
    raw = out.read_text(encoding="utf-8")
    assert json.loads(raw) == analysis_json(full_analysis())
    assert "“historic breakthrough”" in raw  # ensure_ascii=False: readable UTF-8
    assert raw.startswith('{\n  "schema_version": "1.0",')  # indent=2
    assert [p.name for p in out.parent.iterdir()] == ["analysis.json"]  # no temp file left


def test_write_refuses_invalid_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "analysis.json"
    write_analysis_json(full_analysis(), out)
    before = out.read_bytes()
    bad = full_analysis()
    bad.quotes[0].evidence.end = 10_000
    with pytest.raises(jsonschema.ValidationError, match=r"\$\.quotes\[0\]\.evidence"):
        write_analysis_json(bad, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["analysis.json"]


def test_validate_does_not_mutate_input(data: dict[str, Any]) -> None:
    before = copy.deepcopy(data)
    validate_analysis(data)
    assert data == before
