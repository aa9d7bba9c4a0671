"""HTML report: self-contained, escaped, well formed, evidence highlighted in place."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from crossread.records import (
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
)
from crossread.report import render_report, write_report
from crossread.report.render import anchor_id

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'

TEXT_A = (
    "Foreign Minister Ana Reyes said the talks in Lisboa would resume on Monday.\n"
    "\n"
    "Officials confirmed the meeting, calling it a “historic breakthrough”.\n"
    "As an AI language model, I cannot verify this."
)
TEXT_B = "Reuters reports: Foreign Minister Ana Reyes said the talks in Lisboa would resume on Monday."


# --------------------------------------------------------------------------- fixtures


def sentence_at(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : len(text) if line_end == -1 else line_end]


def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def evidence(article: Article, needle: str) -> Evidence:
    start, end = span(article.text, needle)
    return Evidence(article.id, start, end, sentence_at(article.text, start, end))


def article_a(**overrides: Any) -> Article:
    fields: dict[str, Any] = dict(
        id="a1",
        source="https://example.org/news/talks",
        outlet="Daily Example",
        title="Talks to resume",
        published="2024-03-25T10:00:00Z",
        language="en",
        text=TEXT_A,
        url=None,
        format="html",
        authors=["Jane Doe", "John Roe"],
        removed=[Removed("Share on Facebook", "share-buttons")],
    )
    fields.update(overrides)
    art = Article(**fields)
    if "signals" not in overrides and "As an AI language model" in art.text:
        s, e = span(art.text, "As an AI language model")
        art.signals.append(Signal("ai_disclaimer", art.text[s:e], s, e))
    return art


def full_analysis() -> Analysis:
    a = article_a()
    b = Article(id="b2", source="feed.xml", outlet="Reuters", title="Talks", published=None, language=None,
                text=TEXT_B)
    c = Article(id="c3", source="other.txt", outlet="Loner Gazette", title="Unrelated", published=None,
                language="en", text="Nothing to see here.")
    m_start, m_end = span(TEXT_A, "Ana Reyes")
    reyes = Actor("act_reyes", "Ana Reyes", "PERSON", ["Reyes"],
                  [Mention("a1", m_start, m_end, sentence_at(TEXT_A, m_start, m_end), "Ana Reyes")],
                  role="foreign minister", country="PT")
    shared = "Foreign Minister Ana Reyes said the talks in Lisboa would resume on Monday."
    ss, se = span(TEXT_A, shared)
    ds, de = span(TEXT_B, shared)
    return Analysis(
        articles=[a, b, c],
        actors=[reyes],
        events=[Event("ev_1", "CONSULT", None, "040", ["act_reyes"], [], "talks",
                      evidence=[evidence(a, "the talks in Lisboa would resume")], outlets=["Daily Example"])],
        quotes=[Quote("q_1", "act_reyes", "Foreign Minister Ana Reyes", "said",
                      "the talks in Lisboa would resume on Monday", "indirect",
                      evidence(a, "the talks in Lisboa would resume on Monday"))],
        claims=[Claim("c_1", "The talks resume on Monday.", "act_reyes",
                      [evidence(a, "would resume on Monday"), evidence(b, "would resume on Monday")],
                      ["Daily Example", "Reuters"], "corroborated", 2)],
        stories=[Story("st_1", "Talks to resume in Lisboa", ["a1", "b2"])],
        derivations=[Derivation("a1", "b2", "partial", 0.8, [Passage(ss, se, ds, de, shared)])],
        framing=[Framing("Daily Example", "act_reyes",
                         [Label("Foreign Minister", 1, [evidence(a, "Foreign Minister")])],
                         [LoadedTerm("historic breakthrough", [evidence(a, "historic breakthrough")])])],
    )


# --------------------------------------------------------------------------- a strict little DOM


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Any:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()


class StrictTree(HTMLParser):
    """Builds a tree and fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"end tag for void element </{tag}>"
        assert self.cur.tag == tag, f"</{tag}> closes <{self.cur.tag}>: overlapping or unbalanced tags"
        assert self.cur.parent is not None
        self.cur = self.cur.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def parse(html: str) -> Node:
    tree = StrictTree()
    tree.feed(html)
    tree.close()
    assert tree.cur is tree.root, f"unclosed <{tree.cur.tag}>"
    return tree.root


def span_text(root: Node, key: str) -> str:
    """Text of a highlight, joined across the pieces overlapping spans were split into."""
    pieces = [n for n in root.iter() if n.attrs.get("data-span") == key]
    assert pieces, f"no highlight {key}"
    # Nested pieces of the same key cannot occur; the pieces are disjoint and in document order.
    return "".join(p.text() for p in pieces)


def article_node(root: Node, article_id: str) -> Node:
    (node,) = [n for n in root.iter() if n.attrs.get("id") == f"art-{article_id}"]
    return node


@pytest.fixture(scope="module")
def html() -> str:
    return render_report(full_analysis(), title="Talks report")


@pytest.fixture(scope="module")
def root(html: str) -> Node:
    return parse(html)


# --------------------------------------------------------------------------- self-contained


def test_report_is_well_formed_with_unique_ids(root: Node) -> None:
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_report_loads_nothing_external(html: str, root: Node) -> None:
    tags = {n.tag for n in root.iter()}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "form", "video", "audio"}
    assert all("src" not in n.attrs for n in root.iter())
    styles = "".join(n.text() for n in root.iter() if n.tag == "style")
    assert "url(" not in styles and "@import" not in styles
    # The only absolute URLs are plain links to an article's own source.
    for n in root.iter():
        href = n.attrs.get("href")
        if href is None or href.startswith("#"):
            continue
        assert n.tag == "a" and href == "https://example.org/news/talks", href
        assert "noopener" in n.attrs["rel"] and "noreferrer" in n.attrs["rel"]
    resource_loads = re.findall(r"""(?:src|srcset|href|action|data)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert len(resource_loads) == 1  # that one <a href> to the article


def test_report_has_strict_csp(root: Node) -> None:
    (meta,) = [n for n in root.iter() if n.tag == "meta" and n.attrs.get("http-equiv") == "Content-Security-Policy"]
    policy = meta.attrs["content"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy  # falls back to default-src 'none': no script at all
    head = next(n for n in root.iter() if n.tag == "head")
    first_meta = [n for n in head.children if isinstance(n, Node)][:2]
    assert meta in first_meta, "CSP must come before anything it should govern"


def test_write_report(tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    write_report(full_analysis(), out)
    assert out.read_text(encoding="utf-8") == render_report(full_analysis())
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]


# --------------------------------------------------------------------------- content


def test_header_counts_and_title(root: Node, html: str) -> None:
    assert next(n for n in root.iter() if n.tag == "h1").text() == "Talks report"
    counts = {li.text() for n in root.iter() if n.has_class("counts") for li in n.iter() if li.tag == "li"}
    assert {"3articles", "1stories", "1actors", "1events", "1quotes", "1claims"} <= counts


def test_story_articles_side_by_side_and_unclustered(root: Node) -> None:
    story = next(n for n in root.iter() if n.has_class("story"))
    assert "Talks to resume in Lisboa" in story.text()
    (cols,) = [n for n in story.iter() if n.has_class("columns")]
    assert [c.attrs["id"] for c in cols.children if isinstance(c, Node)] == ["art-a1", "art-b2"]
    (unclustered,) = [n for n in root.iter() if n.attrs.get("id") == "unclustered"]
    assert "Unclustered" in unclustered.text()
    assert [n.attrs["id"] for n in unclustered.iter() if n.tag == "article"] == ["art-c3"]


def test_article_column_metadata(root: Node) -> None:
    col = article_node(root, "a1").text()
    for value in ("Daily Example", "Talks to resume", "2024-03-25T10:00:00Z", "https://example.org/news/talks", "en",
                  "Jane Doe, John Roe"):
        assert value in col


def test_article_text_rendered_in_paragraphs(root: Node) -> None:
    paras = [n for n in article_node(root, "a1").iter() if n.tag == "p" and n.parent is not None
             and n.parent.has_class("text")]
    assert [p.text().strip() for p in paras] == [line for line in TEXT_A.split("\n") if line]


def test_removed_chrome_box(root: Node) -> None:
    (box,) = [n for n in article_node(root, "a1").iter() if n.has_class("removed")]
    assert "Removed chrome" in box.text()
    (deleted,) = [n for n in box.iter() if n.tag == "del"]
    assert deleted.text() == "Share on Facebook"
    assert "share-buttons" in box.text()


def test_signal_highlighted_in_place(root: Node) -> None:
    marks = [n for n in article_node(root, "a1").iter() if n.tag == "mark" and n.has_class("signal")]
    assert marks and all(m.attrs["title"] == "ai_disclaimer" for m in marks)
    assert "".join(m.text() for m in marks) == "As an AI language model"


def test_every_record_links_to_its_highlighted_evidence(root: Node) -> None:
    analysis = full_analysis()
    texts = {a.id: a.text for a in analysis.articles}
    spans = [ev for e in analysis.events for ev in e.evidence]
    spans += [q.evidence for q in analysis.quotes]
    spans += [ev for c in analysis.claims for ev in c.evidence]
    spans += [ev for f in analysis.framing for lb in f.labels for ev in lb.evidence]
    spans += [ev for f in analysis.framing for lt in f.loaded_terms for ev in lt.evidence]
    spans += [m for a in analysis.actors for m in a.mentions]
    hrefs = {n.attrs.get("href") for n in root.iter() if n.tag == "a"}
    for ev in spans:
        anchor = anchor_id(ev.article_id, ev.start, ev.end)
        assert anchor == f"ev-{ev.article_id}-{ev.start}-{ev.end}"
        assert f"#{anchor}" in hrefs, f"no link to {anchor}"
        (target,) = [n for n in root.iter() if n.attrs.get("id") == anchor]
        assert target.tag == "span" and target.has_class("ev")
        # The anchored highlight sits inside its article's column and covers exactly the evidence text.
        assert target.text() == texts[ev.article_id][ev.start:ev.end][: len(target.text())]
        assert span_text(root, anchor) == texts[ev.article_id][ev.start:ev.end]
        assert article_node(root, ev.article_id) in _ancestors(target)


def _ancestors(node: Node) -> list[Node]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def test_evidence_link_shows_sentence(root: Node) -> None:
    quote = full_analysis().quotes[0]
    href = f"#{anchor_id('a1', quote.evidence.start, quote.evidence.end)}"
    links = [n for n in root.iter() if n.tag == "a" and n.attrs.get("href") == href]
    assert links and links[0].text() == quote.evidence.sentence


def test_derivation_passages_link_to_both_articles(root: Node) -> None:
    d = full_analysis().derivations[0]
    p = d.passages[0]
    hrefs = {n.attrs.get("href") for n in root.iter() if n.tag == "a"}
    assert f"#{anchor_id('a1', p.source_start, p.source_end)}" in hrefs
    assert f"#{anchor_id('b2', p.derived_start, p.derived_end)}" in hrefs
    assert span_text(root, anchor_id("b2", p.derived_start, p.derived_end)) == p.text


def test_sections_render_records(root: Node) -> None:
    def section(name: str) -> str:
        (node,) = [n for n in root.iter() if n.tag == "section" and n.attrs.get("id") == name]
        return node.text()

    assert "Ana Reyes" in section("actors") and "Reyes" in section("actors")
    assert "CONSULT" in section("events") and "Ana Reyes" in section("events")  # actor id resolved to name
    assert "indirect" in section("quotes")
    assert "corroborated" in section("claims")
    assert "partial" in section("derivations") and "0.80" in section("derivations")
    assert "historic breakthrough" in section("framing") and "Foreign Minister" in section("framing")


def test_empty_sections_say_so_plainly() -> None:
    html = render_report(Analysis(articles=[article_a()]))
    for message in ("No actors extracted", "No events extracted", "No quotes extracted",
                    "No claims extracted", "No derivations found", "No framing extracted"):
        assert message in html
    root = parse(html)
    # the only table is the index of stories, whose one row stands for the unclustered article
    (index,) = [n for n in root.iter() if n.tag == "table"]
    assert index.has_class("story-index")
    assert "Unclustered" in html


def test_empty_analysis_renders() -> None:
    root = parse(render_report(Analysis()))
    assert "No articles." in root.text()


# --------------------------------------------------------------------------- untrusted input


def hostile_analysis() -> Analysis:
    text = f"Intro {XSS_SCRIPT} middle {XSS_IMG} end."
    art = Article(
        id='x"1<b>',
        source="javascript:alert(1)",
        outlet=f"Evil {XSS_SCRIPT}{XSS_IMG}",
        title=f"Title {XSS_SCRIPT}{XSS_IMG}",
        published=XSS_IMG,
        language='en" onmouseover="alert(1)',
        text=text,
        url=" JaVaScRiPt:alert(2)",
        format=XSS_SCRIPT,
        authors=[f"Jane {XSS_SCRIPT}", XSS_IMG],
        removed=[Removed(XSS_SCRIPT, XSS_IMG)],
    )
    s, e = span(text, XSS_SCRIPT)
    art.signals.append(Signal(XSS_IMG, XSS_SCRIPT, s, e))
    ev = Evidence(art.id, *span(text, XSS_IMG), text)
    actor = Actor("act", XSS_SCRIPT, XSS_IMG, [XSS_SCRIPT], [Mention(art.id, ev.start, ev.end, text, XSS_IMG)],
                  role=XSS_IMG, country=XSS_SCRIPT)
    return Analysis(
        articles=[art, Article("d", "data:text/html,<script>alert(3)</script>", None, None, None, None, "x")],
        actors=[actor],
        events=[Event("e", XSS_SCRIPT, XSS_IMG, XSS_IMG, ["act"], [XSS_IMG], XSS_SCRIPT, evidence=[ev],
                      outlets=[XSS_IMG])],
        quotes=[Quote("q", "act", XSS_IMG, XSS_SCRIPT, XSS_SCRIPT, "direct", ev)],
        claims=[Claim("c", XSS_SCRIPT, XSS_IMG, [ev], [XSS_SCRIPT], "contradicted")],
        stories=[Story("s", XSS_SCRIPT, [art.id, XSS_IMG])],
        derivations=[Derivation(art.id, XSS_IMG, "copy", 1.0, [Passage(0, 5, 0, 5, XSS_SCRIPT)])],
        framing=[Framing(XSS_SCRIPT, "act", [Label(XSS_IMG, 1, [ev])], [LoadedTerm(XSS_SCRIPT, [ev])])],
    )


def test_untrusted_text_is_escaped_everywhere() -> None:
    html = render_report(hostile_analysis(), title=XSS_SCRIPT)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert 'x"1<b>' not in html  # the hostile article id only appears sanitised/escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    root = parse(html)
    assert not [n for n in root.iter() if n.tag in ("script", "img")]
    assert all(not k.startswith("on") for n in root.iter() for k in n.attrs), "event-handler attribute injected"
    # The payloads survive as visible text in the title, outlet and article text.
    col = next(n for n in root.iter() if n.tag == "article" and n.attrs.get("id", "").startswith("art-x"))
    assert f"Title {XSS_SCRIPT}{XSS_IMG}" in col.text()
    assert f"Evil {XSS_SCRIPT}{XSS_IMG}" in col.text()
    assert f"Jane {XSS_SCRIPT}, {XSS_IMG}" in col.text()  # the bylines
    assert f"Intro {XSS_SCRIPT} middle {XSS_IMG} end." in col.text()
    assert "lang" not in col.attrs  # an invalid language tag is not put into an attribute


def test_non_http_urls_are_not_links() -> None:
    root = parse(render_report(hostile_analysis()))
    for n in root.iter():
        href = n.attrs.get("href")
        if href is not None:
            assert href.startswith("#"), f"unexpected link {href!r}"
    text = root.text()
    assert "javascript:alert(1)" in text and "JaVaScRiPt:alert(2)" in text  # shown as text
    assert "data:text/html" in text


def test_hostile_evidence_highlighted_and_linked() -> None:
    analysis = hostile_analysis()
    root = parse(render_report(analysis))
    ev = analysis.quotes[0].evidence
    anchor = anchor_id(ev.article_id, ev.start, ev.end)
    assert re.fullmatch(r"ev-[A-Za-z0-9_.:-]+-\d+-\d+", anchor)
    assert span_text(root, anchor) == XSS_IMG
    assert any(n.attrs.get("href") == f"#{anchor}" for n in root.iter())


# --------------------------------------------------------------------------- overlapping spans


def overlapping_analysis() -> tuple[Analysis, list[tuple[int, int]]]:
    text = "Alpha beta gamma delta epsilon.\nZeta eta theta iota kappa.\nLambda mu."
    art = Article("ov", "ov.txt", "Overlap Times", "Overlaps", None, "en", text)
    ranges = [
        (0, 16),  # Alpha beta gamma
        (6, 22),  # beta gamma delta: crosses the first
        (11, 16),  # gamma: nested in both
        (17, 50),  # delta ... across the paragraph break
        (6, 22),  # duplicate of the second (another record, same sentence)
        (40, 40),  # zero-width
        (0, len(text)),  # everything
    ]
    evs = [Evidence("ov", s, e, text) for s, e in ranges]
    art.signals = [Signal("stock", text[3:12], 3, 12), Signal("stock", text[14:35], 14, 35)]
    claims = [Claim(f"c{i}", f"claim {i}", None, [ev]) for i, ev in enumerate(evs)]
    return Analysis(articles=[art], claims=claims), ranges


def test_overlapping_spans_produce_well_formed_html() -> None:
    analysis, ranges = overlapping_analysis()
    html = render_report(analysis)
    root = parse(html)  # asserts every end tag closes the innermost open element
    text = analysis.articles[0].text
    for s, e in set(ranges):
        anchor = anchor_id("ov", s, e)
        assert len([n for n in root.iter() if n.attrs.get("id") == anchor]) == 1
        assert span_text(root, anchor) == text[s:e]
    for i, sig in enumerate(analysis.articles[0].signals):
        assert span_text(root, f"sig-ov-{i}") == sig.text
    # No text lost or duplicated by the splitting.
    paras = [n for n in article_node(root, "ov").iter() if n.tag == "p" and n.parent.has_class("text")]
    assert "".join(p.text() for p in paras) == text


def test_overlapping_spans_parse_with_lxml() -> None:
    lxml_html = pytest.importorskip("lxml.html")
    analysis, ranges = overlapping_analysis()
    doc = lxml_html.document_fromstring(render_report(analysis))
    text = analysis.articles[0].text
    for s, e in set(ranges):
        key = anchor_id("ov", s, e)
        pieces = doc.xpath(f'//*[@data-span="{key}"]')
        assert "".join(p.text_content() for p in pieces) == text[s:e]


def test_out_of_range_offsets_do_not_break_the_report() -> None:
    art = article_a()
    bad = Evidence("a1", 5, 10_000, "whatever")
    missing = Evidence("zzz", 0, 3, "Sentence from an article that is not here.")
    art.signals.append(Signal("weird", "", 50, 10))  # start > end
    root = parse(render_report(Analysis(articles=[art], claims=[Claim("c", "t", None, [bad, missing])])))
    assert "Sentence from an article that is not here." in root.text()
    assert not [n for n in root.iter() if (n.attrs.get("href") or "").startswith("#ev-zzz")]


def test_article_in_two_stories_rendered_once() -> None:
    a = article_a()
    analysis = Analysis(articles=[a], stories=[Story("s1", "One", ["a1"]), Story("s2", "Two", ["a1", "gone"])])
    root = parse(render_report(analysis))
    assert len([n for n in root.iter() if n.attrs.get("id") == "art-a1"]) == 1
    assert "Shown above" in root.text() and "gone is not in this analysis" in root.text()
    assert "Unclustered" not in root.text()
