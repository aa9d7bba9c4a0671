"""Coreference metrics, the ECB+ reader, event coreference and merge_events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.link.coref_metrics import b_cubed, ceaf_e, conll_scores, muc
from crossread.link.ecbplus import read_corpus, read_document
from crossread.link.eval_event_coref import eval_event_coref_command
from crossread.link.event_coref import EventMention, cluster_event_mentions, lemmatize, load_model, merge_events
from crossread.records import Article, Event, Evidence

# Pradhan et al. (2014), "Scoring coreference partitions of predicted mentions", the worked example
KEY = [["a", "b", "c"], ["d", "e", "f", "g"]]
RESPONSE = [["a", "b"], ["c", "d"], ["f", "g", "h", "i"]]


def test_muc_textbook():
    p, r, f = muc(KEY, RESPONSE)
    assert (p, r) == pytest.approx((0.4, 0.4))
    assert f == pytest.approx(0.4)


def test_b_cubed_textbook():
    p, r, _ = b_cubed(KEY, RESPONSE)
    assert r == pytest.approx(35 / 84)  # (2/3+2/3+1/3+1/4+0+2/4+2/4) / 7
    assert p == pytest.approx(0.5)  # (1+1+1/2+1/2+2/4+2/4+0+0) / 8


def test_ceaf_e_textbook():
    p, r, _ = ceaf_e(KEY, RESPONSE)
    assert r == pytest.approx(0.65)  # (0.8 + 0.5) / 2
    assert p == pytest.approx(1.3 / 3)


def test_perfect_and_singletons():
    key = [["a", "b"], ["c"]]
    s = conll_scores(key, [["b", "a"], ["c"]])
    assert s["conll_f1"] == pytest.approx(1.0)
    # all singletons: MUC has no links to find, B3 precision is perfect
    s = conll_scores(key, [["a"], ["b"], ["c"]])
    assert s["muc_f1"] == 0.0 and s["b3_p"] == pytest.approx(1.0)
    assert s["b3_r"] == pytest.approx((0.5 + 0.5 + 1) / 3)


def test_lemmatize():
    assert lemmatize("arrested") == lemmatize("arrests") == "arrest"
    assert lemmatize("killed") == lemmatize("killing") == "kill"
    assert lemmatize("died") == lemmatize("death") == "die"


# --------------------------------------------------------------------------- CROMER fixture

def write_cromer(path: Path, sentences: list[str], events: list[tuple[int, int, str, str | None]],
                 entities: list[tuple[int, int, str]] = ()) -> None:
    """A CROMER-style file. events: (sentence, token index, tag, cross-doc instance id or None)."""
    t_ids: dict[tuple[int, int], int] = {}
    lines = [f'<Document doc_name="{path.name}" doc_id="DOC{abs(hash(path.name))}">']
    t = 0
    for s, sent in enumerate(sentences):
        for k, word in enumerate(sent.split()):
            t += 1
            t_ids[(s, k)] = t
            lines.append(f'<token t_id="{t}" sentence="{s}" number="{k}">{word}</token>')
    lines.append("<Markables>")
    m = 0
    rels: dict[str, list[int]] = {}
    for s, k, tag, inst in events:
        m += 1
        lines += [f'<{tag} m_id="{m}"  >', f'  <token_anchor t_id="{t_ids[(s, k)]}"/>', f"</{tag}>"]
        if inst:
            rels.setdefault(inst, []).append(m)
    for s, k, tag in entities:
        m += 1
        lines += [f'<{tag} m_id="{m}"  >', f'  <token_anchor t_id="{t_ids[(s, k)]}"/>', f"</{tag}>"]
    targets = {}
    for inst in rels:
        m += 1
        targets[inst] = m
        lines.append(f'<ACTION_OCCURRENCE m_id="{m}" RELATED_TO="" TAG_DESCRIPTOR="x" instance_id="{inst}" />')
    lines += ["</Markables>", "<Relations>"]
    for r, (inst, sources) in enumerate(rels.items()):
        lines.append(f'<CROSS_DOC_COREF r_id="{r + 1}" note="{inst}" >')
        lines += [f'  <source m_id="{s}" />' for s in sources] + [f'  <target m_id="{targets[inst]}" />',
                                                                    "</CROSS_DOC_COREF>"]
    lines += ["</Relations>", "</Document>"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def make_topic(root: Path, topic: int) -> None:
    d = root / "ECB+" / str(topic)
    quake = ["A strong earthquake struck Northern California on Sunday .", "Police arrested a man in Oakland ."]
    write_cromer(d / f"{topic}_1ecb.xml", quake,
                 [(0, 2, "ACTION_OCCURRENCE", f"Q{topic}"), (1, 1, "ACTION_OCCURRENCE", f"A{topic}")],
                 [(0, 7, "TIME_DATE"), (0, 5, "LOC_GEO"), (1, 3, "HUMAN_PART_PER")])
    write_cromer(d / f"{topic}_2ecb.xml",
                 ["The earthquake shook Northern California homes on Sunday .", "A man was arrested in Oakland ."],
                 [(0, 1, "ACTION_OCCURRENCE", f"Q{topic}"), (1, 3, "ACTION_OCCURRENCE", f"A{topic}")],
                 [(0, 7, "TIME_DATE"), (1, 1, "HUMAN_PART_PER")])
    write_cromer(d / f"{topic}_1ecbplus.xml",
                 ["An earthquake hit Chile on Tuesday .", "Officials announced a curfew in Santiago ."],
                 [(0, 1, "ACTION_OCCURRENCE", f"QP{topic}"), (1, 1, "ACTION_REPORTING", None)],
                 [(0, 5, "TIME_DATE"), (0, 3, "LOC_GEO")])


def test_reader(tmp_path):
    make_topic(tmp_path, 2)
    doc = read_document(tmp_path / "ECB+" / "2" / "2_1ecb.xml")
    assert doc.topic == 2 and doc.subtopic == "2ecb"
    assert [e.text for e in doc.events] == ["earthquake", "arrested"]
    assert doc.text[doc.events[0].start:doc.events[0].end] == "earthquake"
    assert doc.events[0].cluster == "Q2"
    assert {e.tag for e in doc.entities} == {"TIME_DATE", "LOC_GEO", "HUMAN_PART_PER"}
    plus = read_document(tmp_path / "ECB+" / "2" / "2_1ecbplus.xml")
    assert plus.subtopic == "2ecbplus" and plus.events[1].cluster.endswith("single2")
    assert set(read_corpus(tmp_path)) == {2}


def test_eval_command_trains_and_scores(tmp_path):
    make_topic(tmp_path, 1)  # train topic
    make_topic(tmp_path, 2)  # dev topic
    out = tmp_path / "m.json"
    weights = tmp_path / "w.json"
    result = CliRunner().invoke(eval_event_coref_command, ["--data", str(tmp_path), "--json", str(out),
                                                           "--save-weights", str(weights)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["task"] == "event-coref"
    for name in ("conll_f1", "muc_f1", "b3_f1", "ceafe_f1", "baseline_conll_f1"):
        assert 0.0 <= data["metrics"][name] <= 1.0
    assert json.loads(weights.read_text())["features"]


def test_eval_command_with_only_test_topics_uses_shipped_weights(tmp_path):
    make_topic(tmp_path / "ecbplus", 36)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(eval_event_coref_command, ["--data", str(tmp_path), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "shipped weights" in result.output
    assert json.loads(out.read_text())["metrics"]["mentions"] == 6


def test_cluster_event_mentions_blocks_and_merges():
    load_model.cache_clear()
    s1 = "Police arrested the suspect in Oakland on Friday."
    s2 = "The suspect was arrested by police in Oakland on Friday."
    mentions = [
        EventMention("d1", s1, "arrested", participants=["police", "the suspect"], time="Friday", location="Oakland"),
        EventMention("d2", s2, "arrested", participants=["police", "The suspect"], time="Friday", location="Oakland"),
        EventMention("d3", "A storm hit the coast.", "hit"),
        EventMention("d4", s1, "arrested", participants=["police"]),
    ]
    texts = {"d1": s1, "d2": s2, "d3": "A storm hit the coast.", "d4": s1}
    clusters = cluster_event_mentions(mentions, texts, blocks=["a", "a", "a", "b"])
    assert sorted(map(sorted, clusters)) == [[0, 1], [2], [3]]


# --------------------------------------------------------------------------- merge_events

def _article(aid: str, outlet: str, text: str) -> Article:
    return Article(id=aid, source=aid, outlet=outlet, title=None, published="2024-05-01", language="en", text=text)


def _event(eid: str, article: Article, sentence: str, trigger: str, plover: str, source: list[str],
           target: list[str]) -> Event:
    start = article.text.index(trigger)
    return Event(id=eid, plover=plover, mode=None, cameo=None, source=source, target=target, trigger=trigger,
                 date="2024-05-01", evidence=[Evidence(article.id, start, start + len(trigger), sentence)],
                 outlets=[article.outlet])


def test_merge_events():
    s1 = "Israeli forces arrested three Palestinian activists in Hebron on Wednesday, the army said."
    s2 = "The army said Israeli soldiers arrested three Palestinian activists in Hebron on Wednesday."
    s3 = "Separately, Egypt met Qatari mediators in Cairo to discuss a ceasefire."
    a1 = _article("a1", "Reuters", s1 + " " + s3)
    a2 = _article("a2", "AP", s2 + " Egypt hosted talks in Cairo.")
    events = [
        _event("e1", a1, s1, "arrested", "ARREST", ["actor_isr"], ["actor_pse"]),
        _event("e2", a2, s2, "arrested", "ARREST", ["actor_isr"], ["actor_pse"]),
        _event("e3", a1, s3, "met", "CONSULT", ["actor_egy"], ["actor_qat"]),
        # same type, but different actors: must stay apart
        _event("e4", a2, s2, "arrested", "ARREST", ["actor_egy"], ["actor_qat"]),
    ]
    merged = merge_events(events, [a1, a2])
    assert len(merged) == 3
    arrest = next(e for e in merged if e.plover == "ARREST" and "actor_isr" in e.source)
    assert {ev.article_id for ev in arrest.evidence} == {"a1", "a2"}
    assert set(arrest.outlets) == {"Reuters", "AP"}
    assert arrest.id not in {"e1", "e2"}
    assert {e.id for e in merged} >= {"e3", "e4"}
    assert merge_events([], []) == []


def _actor(aid, name, kind, aliases=(), role=None, country=None):
    from crossread.records import Actor

    return Actor(id=aid, name=name, type=kind, aliases=list(aliases), role=role, country=country)


ACTORS = [
    _actor("hamas", "Hamas", "ORG"),
    _actor("pij", "Palestinian Islamic Jihad", "ORG", ["PIJ"]),
    _actor("iran", "Iran", "GPE", ["Tehran"], country="IRN"),
    _actor("un", "United Nations", "ORG", ["UN"]),
    _actor("unsc", "United Nations Security Council", "ORG", ["UN Security Council"]),
    _actor("haniyeh", "Ismail Haniyeh", "PERSON", ["Haniyeh"], role="head of Hamas", country="PSE"),
    _actor("nakhala", "Ziyad al-Nakhala", "PERSON", role="head of the PIJ", country="PSE"),
    _actor("fm", "Hossein Amir-Abdollahian", "PERSON", role="Foreign Minister", country="IRN"),
]


def test_actor_groups_affiliations():
    from crossread.link.event_coref import _compatible_actors, actor_groups

    groups = actor_groups(ACTORS)
    assert groups["haniyeh"] == {"haniyeh", "hamas"}
    assert groups["fm"] == {"fm", "iran"}
    assert groups["unsc"] == {"unsc", "un"}
    assert groups["un"] == {"un"}
    assert _compatible_actors(["haniyeh", "fm"], ["iran", "hamas"], groups)
    assert _compatible_actors(["un"], ["unsc"], groups)
    # two leaders of different groups do not match, nor do they without groups
    assert not _compatible_actors(["haniyeh"], ["nakhala"], groups)
    assert not _compatible_actors(["haniyeh"], ["hamas"])


def _support_event(eid, article, trigger, source, target, sentence, plover="SUPPORT"):
    return Event(eid, plover, None, "051", source, target, trigger,
                 evidence=[Evidence(article, 0, len(sentence), sentence)], outlets=[article])


def test_merge_events_across_outlets_by_affiliation_and_argument_match():
    s1 = "Haniyeh and the Iranian foreign minister praised the UN resolution on Tuesday."
    s2 = "Iran and Hamas welcomed the Security Council resolution calling for a ceasefire."
    s3 = "Islamic Jihad's leader praised the United Nations for its humanitarian work in the camps."
    arts = [Article("a", "a", "Outlet A", None, None, "en", s1), Article("b", "b", "Outlet B", None, None, "en", s2),
            Article("c", "c", "Outlet C", None, None, "en", s3)]
    events = [_support_event("e1", "a", "praised", ["haniyeh", "fm"], ["un"], s1),
              _support_event("e2", "b", "welcomed", ["iran", "hamas"], ["unsc"], s2),
              _support_event("e3", "c", "praised", ["nakhala"], ["un"], s3)]
    story = {"a": "s", "b": "s", "c": "s"}
    unmerged = merge_events(events, arts, story_of=story)
    assert len(unmerged) == 3  # without actor groups no pair shares an actor on both sides
    merged = merge_events(events, arts, story_of=story, actors=ACTORS)
    assert len(merged) == 2
    both = next(e for e in merged if len(e.evidence) == 2)
    assert {ev.article_id for ev in both.evidence} == {"a", "b"}


def test_a_merged_event_takes_the_date_its_reports_give_over_a_publication_date() -> None:
    from crossread.link.event_coref import _merge_group

    def event(eid: str, date: str | None, source: str | None) -> Event:
        return Event(id=eid, plover="CONSULT", mode=None, cameo="04", source=["a"], target=["b"], trigger="met",
                     date=date, date_source=source, evidence=[Evidence(article_id=eid, start=0, end=3, sentence="met")])

    merged = _merge_group([event("e1", "2024-03-20", "published"), event("e2", "2024-03", "clause"),
                           event("e3", "2024-03-26", "clause"), event("e4", None, None)], {})
    assert (merged.date, merged.date_source) == ("2024-03-26", "clause")  # from the text, a day over a month
    merged = _merge_group([event("e1", "2024-03-27", "published"), event("e2", "2024-03-26", "published")], {})
    assert (merged.date, merged.date_source) == ("2024-03-26", "published")
