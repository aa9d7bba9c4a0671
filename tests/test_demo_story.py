"""The demo corpus read end to end, checked against what an analyst expects of it.

One story, two outlets (ICARO's machine rewrite, All Israel News with page chrome): the
records the issues' "done when" lists name, plus the evidence invariant for every record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crossread.pipeline import AnalyzeOptions, run_analyze
from crossread.records import Analysis, Evidence, Mention
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    out = tmp_path_factory.mktemp("demo")
    summary = run_analyze([str(SEEDS)], AnalyzeOptions(outdir=Path(out)))
    assert summary.ok and summary.analysis is not None
    return summary.analysis


def names(analysis: Analysis, ids: list[str]) -> set[str]:
    by_id = {a.id: a.name for a in analysis.actors}
    return {by_id.get(i, i) for i in ids}


def outlets(analysis: Analysis, evidence: list[Evidence]) -> set[str]:
    outlet_of = {a.id: a.outlet for a in analysis.articles}
    return {outlet_of[e.article_id] for e in evidence}


def test_every_offset_points_at_its_text(demo: Analysis) -> None:
    text = {a.id: a.text for a in demo.articles}

    def check(ev: Evidence | Mention) -> None:
        span = text[ev.article_id][ev.start:ev.end]
        assert span and span in ev.sentence, (ev, span)
        if isinstance(ev, Mention):
            assert span == ev.text

    for actor in demo.actors:
        for m in actor.mentions:
            check(m)
    for record in [*demo.events, *demo.claims]:
        for ev in record.evidence:
            check(ev)
    for quote in demo.quotes:
        for ev in [quote.evidence, *quote.also_in]:
            check(ev)
        assert text[quote.evidence.article_id][quote.evidence.start:quote.evidence.end] == quote.content
    for claim in demo.claims:
        for rel in claim.relations:
            if rel.evidence is not None:
                check(rel.evidence)
    for f in demo.framing:
        for item in [*f.labels, *f.loaded_terms]:
            for ev in item.evidence:
                check(ev)


def test_people_organisations_and_states_are_one_actor_each(demo: Analysis) -> None:
    by_name: dict[str, Any] = {}
    for actor in demo.actors:
        by_name.setdefault(actor.name, []).append(actor)
    for name in ("Ismail Haniyeh", "Ali Khamenei", "Hossein Amir-Abdollahian", "Benjamin Netanyahu",
                 "David Friedman", "Ziyad al-Nakhala", "Hamas", "Palestinian Islamic Jihad", "Iran", "Israel",
                 "United States", "United Nations Security Council"):
        assert len(by_name.get(name, [])) == 1, name
    haniyeh = by_name["Ismail Haniyeh"][0]
    assert {"Haniyeh", "the head of Hamas", "the Hamas leader"} <= set(haniyeh.aliases)
    assert {"PIJ"} <= set(by_name["Palestinian Islamic Jihad"][0].aliases)
    assert by_name["Hossein Amir-Abdollahian"][0].country == "IRN"
    # actor codes (country, CAMEO sector) from the registry and the title rules
    codes = {n: (by_name[n][0].country, by_name[n][0].sector) for n in ("Hamas", "Iran", "Israel", "United States",
                                                                       "Hossein Amir-Abdollahian", "Ismail Haniyeh")}
    assert codes == {"Hamas": ("PSE", "REB"), "Iran": ("IRN", None), "Israel": ("ISR", None),
                     "United States": ("USA", None), "Hossein Amir-Abdollahian": ("IRN", "GOV"),
                     "Ismail Haniyeh": ("PSE", "REB")}
    assert outlets(demo, haniyeh.mentions) == {"ICARO Media Group", "All Israel News"}


def _events(demo: Analysis, plover: str, trigger_words: tuple[str, ...]) -> list[Any]:
    return [e for e in demo.events if e.plover == plover and any(w in e.trigger for w in trigger_words)]


def test_meeting_praise_and_abstention_are_single_events_from_both_outlets(demo: Analysis) -> None:
    meeting = [e for e in _events(demo, "CONSULT", ("met", "meet"))
               if "Ismail Haniyeh" in names(demo, e.source) and "Ali Khamenei" in names(demo, e.target)]
    assert len(meeting) == 1 and meeting[0].independent_sources == 2
    assert len(outlets(demo, meeting[0].evidence)) == 2

    # both outlets tell the Iranian side praising the resolution: Haniyeh's praise is corroborated
    # across them, whether Nour News's "hailed" joins it or pairs with All Israel's "They hailed"
    praise = [e for e in _events(demo, "SUPPORT", ("hail", "welcom", "prais"))
              if names(demo, e.target) & {"United Nations Security Council", "United Nations"}]
    assert praise and all(e.cameo == "051" for e in praise)
    [haniyeh_praise] = [e for e in praise if "Ismail Haniyeh" in names(demo, e.source)]
    assert haniyeh_praise.independent_sources == 2 and len(outlets(demo, haniyeh_praise.evidence)) == 2
    assert "Israel" not in names(demo, haniyeh_praise.source)

    # one event, whichever outlet's wording ("abstention" / "refrained") the record shows
    abstention = [e for e in demo.events if ("abst" in e.trigger or "refrain" in e.trigger)
                  and "United States" in names(demo, e.source)]
    assert len(abstention) == 1
    assert abstention[0].independent_sources == 2 and abstention[0].plover == "CONCEDE"
    assert "United Nations Security Council" in names(demo, abstention[0].target)


def test_criticism_and_diplomatic_moves_have_both_actors(demo: Analysis) -> None:
    criticised = {(frozenset(names(demo, e.source)), frozenset(names(demo, e.target)))
                  for e in demo.events if e.plover == "ACCUSE"}
    assert (frozenset({"David Friedman"}), frozenset({"Biden"})) in criticised
    assert (frozenset({"Benjamin Netanyahu"}), frozenset({"United States"})) in criticised
    cancelled = [e for e in demo.events if e.trigger.startswith("cancel")]
    assert [(names(demo, e.source), names(demo, e.target), e.plover) for e in cancelled] == \
        [({"Israel"}, {"United States"}, "REJECT")]
    for event in demo.events:
        assert event.source and event.target and event.cameo, event


def test_direct_quotes_have_their_speakers(demo: Analysis) -> None:
    speakers = {q.content[:30]: names(demo, [q.speaker]) if q.speaker else set()
                for q in demo.quotes if q.kind in ("direct", "mixed")}
    expected = {"We are going through": "Ismail Haniyeh", "The Gaza war is a world war": "Ismail Haniyeh",
                "the propaganda and media": "Ali Khamenei"}
    for start, speaker in expected.items():
        [found] = [v for k, v in speakers.items() if start in k]
        assert found == {speaker}, (start, found)


def test_claims_relations_status_and_only_in(demo: Analysis) -> None:
    from crossread.analyze.coverage import coverage_matrix

    assert demo.claims and all(len(c.relations) == 2 for c in demo.claims)
    single = [c for c in demo.claims if c.status == "single_source"]
    corroborated = [c for c in demo.claims if c.status == "corroborated"]
    assert single and corroborated
    matrix = coverage_matrix(demo, demo.stories[0].id)
    only = {o: {r.id for r in matrix.rows if r.cells[o] != "absent" and
                all(r.cells[x] == "absent" for x in matrix.outlets if x != o)} for o in matrix.outlets}
    for claim in single:
        carriers = outlets(demo, claim.evidence)
        assert len(carriers) == 1 and claim.id in only[next(iter(carriers))]


def test_not_copies_and_framing_labels_for_hamas_per_outlet(demo: Analysis) -> None:
    assert demo.derivations == []
    hamas = next(a.id for a in demo.actors if a.name == "Hamas")
    labels = {f.outlet: {lb.text for lb in f.labels} for f in demo.framing if f.actor == hamas}
    assert {"terror group", "terrorist organization"} <= labels["All Israel News"]
    assert any("militant group" in label for label in labels["ICARO Media Group"])
    assert not any("pij" in label for label in labels["All Israel News"])  # another actor's name
