"""Report v1: per story the coverage matrix leads, then exclusives, quotes, framing, derivations, network."""

from __future__ import annotations

import re

from test_coverage import two_outlet_analysis
from test_report import XSS_IMG, XSS_SCRIPT, Node, full_analysis, parse

from crossread.records import (
    Actor,
    Analysis,
    Article,
    Derivation,
    Event,
    Evidence,
    Framing,
    Label,
    Passage,
    Quote,
    Signal,
    Story,
)
from crossread.report import render_report


def rich_analysis() -> Analysis:
    analysis = two_outlet_analysis()
    a, b = analysis.articles[0], analysis.articles[1]
    a.signals.append(Signal("stock_phrase", "Talks resume", 30, 42))
    s = a.text.index("Ruritania attacked")
    d = b.text.index("Ruritania attacked")
    n = len("Ruritania attacked Freedonia.")
    analysis.derivations = [Derivation("a", "b", "partial", 0.61, [Passage(s, s + n, d, d + n, a.text[s:s + n])])]
    q1 = Quote("q1", "ru", "the Ruritanian government", "said", "we defended ourselves", "indirect",
               Evidence("a", 0, 9, a.text))
    q2 = Quote("q2", "ru", "Ruritania", "said", "no comment", "direct", Evidence("b", 0, 9, b.text))
    q3 = Quote("q3", None, "a witness", "said", "it was loud", "direct", Evidence("b", 30, 45, b.text))
    analysis.quotes = [q3, q1, q2]
    analysis.framing = [
        Framing("Alpha News", "ru", [Label("aggressor", 2, [Evidence("a", 0, 9, a.text),
                                                            Evidence("a", 30, 35, a.text)])], []),
        Framing("Beta Wire", "ru", [Label("the state", 1, [Evidence("b", 0, 9, b.text)])], []),
    ]
    return analysis


def story_node(root: Node, index: int = 1) -> Node:
    (node,) = [n for n in root.iter() if n.attrs.get("id") == f"story-{index}"]
    return node


def sections_in_order(story: Node) -> list[str]:
    return [n.attrs["id"] for n in story.children if isinstance(n, Node) and n.tag == "section"]


def test_story_leads_with_the_coverage_matrix() -> None:
    root = parse(render_report(rich_analysis()))
    story = story_node(root)
    assert sections_in_order(story) == [
        "story-1-coverage", "story-1-events", "story-1-quotes", "story-1-framing", "story-1-derivations",
        "story-1-network", "story-1-articles",
    ]
    first_table = next(n for n in story.iter() if n.tag == "table")
    assert first_table.has_class("matrix")
    header = [th.text() for th in first_table.iter() if th.tag == "th" and th.has_class("col")]
    assert header == ["Alpha News", "Beta Wire"]


def test_matrix_cells_coloured_by_state() -> None:
    root = parse(render_report(rich_analysis()))
    (matrix,) = [n for n in story_node(root).iter() if n.has_class("matrix")]
    rows = [n for n in matrix.iter() if n.tag == "tr" and n.parent.tag == "tbody"]
    states = [[td.attrs["class"].split()[1] for td in r.children if isinstance(td, Node) and td.tag == "td"]
              for r in rows]
    assert states == [["present", "present"], ["present", "absent"], ["absent", "present"], ["absent", "present"],
                      ["contradicted", "contradicted"], ["present", "absent"]]
    labels = [next(c for c in r.children if isinstance(c, Node) and c.tag == "th").text() for r in rows]
    assert "Ruritania ASSAULT Freedonia (attacked)" in labels[0]


def test_only_in_and_not_in_lists() -> None:
    root = parse(render_report(rich_analysis()))
    (cov,) = [n for n in root.iter() if n.attrs.get("id") == "story-1-coverage"]
    heads = [n.text() for n in cov.iter() if n.tag == "h5"]
    assert heads == ["Only in Alpha News (2)", "Only in Beta Wire (2)", "Not in Alpha News (2)",
                     "Not in Beta Wire (2)"]
    assert "Talks resume Monday." in cov.text()


def test_every_row_links_to_an_existing_highlight() -> None:
    root = parse(render_report(rich_analysis()))
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    story = story_node(root)
    links = [n.attrs["href"] for n in story.iter() if n.tag == "a" and "href" in n.attrs]
    assert links
    for href in links:
        assert href.startswith("#") and href[1:] in ids, href
    # every matrix row and every only/not-in item has a link
    for tr in (n for n in story.iter() if n.tag == "tr" and n.parent.tag == "tbody"):
        assert any(n.tag == "a" for n in tr.iter()), tr.text()
    for li in (n for n in story.iter() if n.tag == "li" and n.parent.parent.has_class("oni")):
        assert any(n.tag == "a" for n in li.iter()), li.text()
    # and the targets are highlights inside the articles
    for href in links:
        (target,) = [n for n in root.iter() if n.attrs.get("id") == href[1:]]
        assert target.tag in ("span", "mark", "article"), href


def test_quotes_grouped_by_speaker() -> None:
    root = parse(render_report(rich_analysis()))
    (sec,) = [n for n in root.iter() if n.attrs.get("id") == "story-1-quotes"]
    groups = [n for n in sec.iter() if n.has_class("speaker")]
    heads = [next(h for h in g.iter() if h.tag == "h4").text() for g in groups]
    assert heads[0].startswith("Ruritania") and "2 quotes" in heads[0] and "Alpha News, Beta Wire" in heads[0]
    assert heads[1].startswith("a witness") and "1 quote" in heads[1]


def test_framing_table_outlet_by_actor() -> None:
    root = parse(render_report(rich_analysis()))
    (sec,) = [n for n in root.iter() if n.attrs.get("id") == "story-1-framing"]
    (table,) = [n for n in sec.iter() if n.tag == "table"]
    assert [th.text() for th in table.iter() if th.tag == "th" and th.parent.parent.tag == "thead"] == [
        "Actor", "Alpha News", "Beta Wire"]
    text = table.text()
    assert "aggressor ×2" in text and "the state ×1" in text


def test_story_framing_shows_only_the_storys_own_labels() -> None:
    analysis = rich_analysis()
    d = Article("d", "d.txt", "Alpha News", "Treaty", None, "en", "Ruritania, the peacemaker, signed a treaty.")
    analysis.articles.append(d)
    analysis.stories.append(Story("s3", "Treaty", ["d"]))
    # framing is one record per (outlet, actor) over the corpus: Alpha News labels Ruritania in both
    # stories, and each story shows only what its own articles say
    analysis.framing[0].labels.append(Label("peacemaker", 1, [Evidence("d", 11, 25, d.text)]))
    root = parse(render_report(analysis))
    framing = {}
    for story in (n for n in root.iter() if re.fullmatch(r"story-\d+", n.attrs.get("id", ""))):
        (sec,) = [n for n in story.iter() if n.attrs.get("id", "").endswith("-framing")]
        framing[next(h for h in story.iter() if h.tag in ("h2", "h3")).text()] = sec.text()
    war = next(text for title, text in framing.items() if "War" in title)
    treaty = next(text for title, text in framing.items() if "Treaty" in title)
    assert "aggressor ×2" in war and "peacemaker" not in war
    assert "peacemaker ×1" in treaty and "aggressor" not in treaty and "Beta Wire" not in treaty


def test_derivations_beside_signals() -> None:
    root = parse(render_report(rich_analysis()))
    (sec,) = [n for n in root.iter() if n.attrs.get("id") == "story-1-derivations"]
    text = sec.text()
    assert "partial" in text and "0.61" in text and "stock_phrase" in text
    hrefs = {n.attrs.get("href") for n in sec.iter() if n.tag == "a"}
    assert "#sig-a-0" in hrefs
    (mark,) = [n for n in root.iter() if n.attrs.get("id") == "sig-a-0"]
    assert mark.tag == "mark" and mark.text() == "Talks resume"


def test_network_svg_edges_coloured_and_weighted() -> None:
    root = parse(render_report(rich_analysis()))
    (svg,) = [n for n in story_node(root).iter() if n.tag == "svg"]
    edges = [n for n in svg.iter() if n.tag == "path" and n.has_class("edge")]
    by_kind = {(n.attrs["class"].split()[1], n.attrs["stroke"], n.attrs["stroke-width"]) for n in edges}
    assert ("conflict", "#d0312d", "3.0") in by_kind  # two assaults
    assert ("cooperation", "#1b873f", "1.5") in by_kind
    assert ("cooperation", "#1b873f", "3.0") in by_kind
    labels = sorted(n.text() for n in svg.iter() if n.tag == "text")
    assert labels == ["Freedonia", "Ruritania", "United Nations"]
    markers = {n.attrs["id"] for n in svg.iter() if n.tag == "marker"}
    for e in edges:
        assert re.fullmatch(r"url\(#([\w-]+)\)", e.attrs["marker-end"]).group(1) in markers
    for e in edges:
        assert re.fullmatch(r"[MQ0-9. -]+", e.attrs["d"])


def hostile_network() -> Analysis:
    text = "Bad actors clashed."
    art = Article("h", "h.txt", "Out", None, None, "en", text)
    art2 = Article("h2", "h2.txt", "Other", None, None, "en", text)
    ev = Evidence("h", 0, 3, text)
    return Analysis(
        articles=[art, art2],
        actors=[Actor("x", XSS_SCRIPT, "PERSON"), Actor("y", XSS_IMG, "ORG")],
        events=[Event("e", "ASSAULT", None, None, ["x"], ["y"], XSS_SCRIPT, evidence=[ev])],
        quotes=[Quote("q", None, XSS_SCRIPT, XSS_IMG, XSS_SCRIPT, "direct", ev)],
        framing=[Framing(XSS_IMG, "x", [Label(XSS_SCRIPT, 1, [ev])], [])],
        stories=[Story("s", XSS_SCRIPT, ["h", "h2"])],
    )


def test_hostile_actor_names_escaped_in_svg() -> None:
    html = render_report(hostile_network(), title=XSS_SCRIPT)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    root = parse(html)
    (svg,) = [n for n in root.iter() if n.tag == "svg"]
    texts = {n.text() for n in svg.iter() if n.tag == "text"}
    assert XSS_SCRIPT in texts  # shown as text, escaped in the source
    titles = " ".join(n.text() for n in svg.iter() if n.tag == "title")
    assert XSS_IMG in titles
    svg_src = html[html.index("<svg"):html.index("</svg>")]
    assert "&lt;script&gt;" in svg_src
    assert all(not k.startswith("on") for n in root.iter() for k in n.attrs)
    assert not [n for n in root.iter() if n.tag in ("script", "img", "foreignobject", "use", "image")]


def test_v1_report_stays_self_contained() -> None:
    html = render_report(rich_analysis())
    root = parse(html)
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    for n in root.iter():
        href = n.attrs.get("href")
        assert href is None or href.startswith("#")
    assert "script-src" not in html and "default-src 'none'" in html
    assert not re.search(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)


def test_v0_fixture_still_renders_story_sections() -> None:
    root = parse(render_report(full_analysis()))
    assert sections_in_order(story_node(root))[0] == "story-1-coverage"
    (sec,) = [n for n in root.iter() if n.attrs.get("id") == "story-1-network"]
    assert "No relations" in sec.text()


def test_story_without_records_and_single_outlet() -> None:
    art = Article("o", "o.txt", "Solo", None, None, None, "Just text.")
    root = parse(render_report(Analysis(articles=[art], stories=[Story("s", "Solo story", ["o"])])))
    text = story_node(root).text()
    assert "No events or claims in this story." in text
    assert "Only in one outlet" not in text


def test_claims_table_shows_each_outlets_stance_escaped() -> None:
    from crossread.records import ClaimRelation

    analysis = rich_analysis()
    claim = next(c for c in analysis.claims if c.id == "c_ceasefire")
    a, b = claim.evidence
    claim.relations = [ClaimRelation("a", "Alpha <b>News</b>", "supports", 1.0, a),
                       ClaimRelation("b", "Beta Wire", "contradicts", 1.0, b)]
    html = render_report(analysis)
    root = parse(html)
    (section,) = [n for n in root.iter() if n.attrs.get("id") == "claims"]
    text = section.text()
    assert "Beta Wire: contradicts" in text and "Alpha <b>News</b>: supports" in text
    assert "Alpha <b>News" not in html  # escaped
    (contradicts,) = [n for n in section.iter() if n.has_class("stance") and n.has_class("contradicts")]
    stance_links = [n for n in contradicts.parent.iter() if n.tag == "a"]
    ids = {n.attrs["id"] for n in root.iter() if "id" in n.attrs}
    assert stance_links and all(link.attrs["href"][1:] in ids for link in stance_links)
