"""`crossread export --format graphml`: the actor network, read back with networkx (and as plain XML),
compared with the store and with the report's network."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from crossread.analyze.coverage import actor_network
from crossread.cli import main
from crossread.store import Store
from tests.conftest import HOSTILE_ACTOR, sql

NS = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
def exported(export_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graphml") / "actors.graphml"
    result = CliRunner().invoke(main, ["export", str(export_store), "--format", "graphml", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_networkx_reads_the_nodes_and_edges_of_the_report_network(export_store: Path, exported: Path) -> None:
    graph = nx.read_graphml(exported)
    store = Store(f"sqlite:///{export_store / 'crossread.db'}")
    try:
        nodes, edges = actor_network(store.analysis())
    finally:
        store.close()
    assert graph.is_directed() and edges
    assert set(graph.nodes) == {n.id for n in nodes}
    # the report sums (source, target, kind); the export splits those by PLOVER type: the same events
    got = Counter()
    for source, target, data in graph.edges(data=True):
        got[(source, target, data["kind"])] += data["weight"]
    assert got == Counter({(e.source, e.target, e.kind): e.weight for e in edges})
    events = {n.id: n.events for n in nodes}
    assert {node: data["events"] for node, data in graph.nodes(data=True)} == events


def test_node_and_edge_data_come_from_the_store(export_store: Path, exported: Path) -> None:
    graph = nx.read_graphml(exported)
    actors = {r[0]: r[1:] for r in sql(export_store, "SELECT id, name, type, country, mentions FROM actors")}
    for node, data in graph.nodes(data=True):
        name, type_, country, mentions = actors[node]
        assert (data["label"], data["type"], data.get("country"), data["mentions"]) == (name, type_, country, mentions)
    plover = dict(sql(export_store, "SELECT id, plover FROM events"))
    outlets = {}
    for event_id, outlet in sql(export_store, "SELECT ev.event_id, a.outlet FROM event_evidence ev "
                                              "JOIN articles a ON a.id = ev.article_id"):
        outlets.setdefault(event_id, set()).add(outlet or "unknown")
    for _, _, data in graph.edges(data=True):
        ids = data["events"].split()
        assert len(ids) == data["weight"] and {plover[i] for i in ids} == {data["plover"]}
        assert set(data["outlets"].split("; ")) == set().union(*(outlets[i] for i in ids))


def test_keys_are_declared_and_hostile_text_stays_text(exported: Path) -> None:
    root = ET.parse(exported).getroot()
    declared = {k.get("id") for k in root.iter(f"{NS}key")}
    used = {d.get("key") for d in root.iter(f"{NS}data")}
    assert used <= declared
    assert not list(root.iter("script")) and not list(root.iter(f"{NS}script")) and not list(root.iter(f"{NS}img"))
    labels = {d.text for d in root.iter(f"{NS}data") if d.get("key") == "n_label"}
    assert HOSTILE_ACTOR in labels  # tab, quotes, comma, markup and line break, as stored
    graph = nx.read_graphml(exported)
    assert HOSTILE_ACTOR in {data["label"] for _, data in graph.nodes(data=True)}
    assert any("\t<img src=x onerror=alert(1)>\nline two\r\nend" in data["outlets"] for *_, data in graph.edges(data=True))


def test_xml_forbidden_characters_are_replaced_not_written(tmp_path: Path) -> None:
    from crossread.export.graphml import _text

    assert _text("a\x00b\x1fc\ud800<&>\r\t\n") == "a\ufffdb\ufffdc\ufffd&lt;&amp;&gt;&#13;\t\n"
