"""Build the view model for the HTML report and render it with Jinja2.

All article-derived strings reach the template as plain ``str`` and are
escaped by Jinja's autoescape; nothing here builds HTML by hand, so an
escaping bug cannot come from string concatenation. Highlights inside the
article text are emitted as a flat token stream (open/close/text) whose
open and close tokens are always balanced (see :func:`_paragraph_tokens`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from crossread.records import SCHEMA_VERSION, Analysis, Article, Event, Evidence, Mention, Quote, Story
from crossread.report.source import TOTAL_KEYS, AnalysisSource, StorySummary

# How many evidence links a row shows before folding the rest into <details>.
LINKS_SHOWN = 3

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9_.:-]")
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_id(value: str) -> str:
    """An id fragment that is valid in HTML ids and URL fragments, injective over inputs."""
    return _UNSAFE_ID_CHARS.sub(lambda m: f"_{ord(m.group()):x}_", value)


_FILE_SAFE = re.compile(r"[^a-z0-9_-]")
_STEM_MAX = 120


def page_stem(story_id: str) -> str:
    """A file name stem (and id fragment) for a story id: injective, portable, never hidden.

    Keeps ``a-z 0-9 _ -``; any other character (upper case too, for case-insensitive file
    systems) becomes ``~<hex>~``. A stem that would be long ends, instead, in ``~~~`` and a
    hash of the id (``~~~`` cannot occur in an escaped name).
    """
    stem = _FILE_SAFE.sub(lambda m: f"~{ord(m.group()):x}~", story_id)
    if not stem:
        return "~~~empty"
    if len(stem) > _STEM_MAX:
        digest = hashlib.sha256(story_id.encode("utf-8")).hexdigest()[:24]
        stem = stem[: _STEM_MAX - 27].rstrip("~") + "~~~" + digest
    return stem


def anchor_id(article_id: str, start: int, end: int) -> str:
    """``ev-<article_id>-<start>-<end>``: the id of an evidence span in the article text."""
    return f"ev-{safe_id(article_id)}-{start}-{end}"


def signal_id(article_id: str, index: int) -> str:
    """``sig-<article_id>-<index>``: the id of an article's ``index``-th signal highlight."""
    return f"sig-{safe_id(article_id)}-{index}"


def article_anchor(article_id: str) -> str:
    return f"art-{safe_id(article_id)}"


def safe_href(url: str | None) -> str | None:
    """The URL if it may be a link (absolute http/https with a host), else None (rendered as text)."""
    if not url or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


# --------------------------------------------------------------------------- highlights


@dataclass
class _Span:
    key: str  # identifies every piece of one highlight (data-span)
    start: int
    end: int
    tag: str  # "mark" for signals, "span" for evidence
    css: str
    title: str
    anchor: str | None = None  # id emitted on the first piece only
    order: int = 0


@dataclass
class _EvidenceSpan:
    article_id: str
    start: int
    end: int
    kinds: set[str] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into paragraphs that partition it: each ends after its run of newlines.

    Partitioning (rather than dropping the newlines) means every offset lands
    in exactly one paragraph, so no highlight can fall between two of them.
    """
    starts = [0] + [m.end() for m in re.finditer(r"\n+", text) if m.end() < len(text)]
    ends = starts[1:] + [len(text)]
    return list(zip(starts, ends))


def _paragraph_tokens(text: str, ps: int, pe: int, spans: list[_Span], opened: set[str]) -> list[dict[str, Any]]:
    """Balanced open/close/text tokens for ``text[ps:pe]`` with ``spans`` (already clipped to it).

    Overlapping spans that cross each other cannot nest, so when an inner
    element must stay open past an outer one's end we close the inner, close
    the outer and reopen the inner as a continuation piece (same data-span,
    no id). Closing strictly in stack order keeps the HTML well formed.
    """
    tokens: list[dict[str, Any]] = []

    def open_tok(sp: _Span) -> dict[str, Any]:
        first = sp.anchor is not None and sp.key not in opened
        opened.add(sp.key)
        return {"t": "open", "tag": sp.tag, "css": sp.css, "title": sp.title, "key": sp.key,
                "id": sp.anchor if first else None}

    bounds = sorted({ps, pe} | {s.start for s in spans} | {s.end for s in spans})
    by_start: dict[int, list[_Span]] = {}
    for sp in spans:
        by_start.setdefault(sp.start, []).append(sp)
    stack: list[_Span] = []
    for i, pos in enumerate(bounds):
        ending = [k for k, sp in enumerate(stack) if sp.end == pos]
        if ending:
            cut = min(ending)
            popped = stack[cut:]
            del stack[cut:]
            for sp in reversed(popped):
                tokens.append({"t": "close", "tag": sp.tag})
            for sp in popped:
                if sp.end != pos:
                    tokens.append(open_tok(sp))
                    stack.append(sp)
        starting = sorted(by_start.get(pos, []), key=lambda sp: (-(sp.end - sp.start), sp.order))
        for sp in starting:
            tokens.append(open_tok(sp))
            if sp.end == sp.start:  # zero-width anchor: open and close at once
                tokens.append({"t": "close", "tag": sp.tag})
            else:
                stack.append(sp)
        if i + 1 < len(bounds):
            tokens.append({"t": "text", "text": text[pos:bounds[i + 1]]})
    for sp in reversed(stack):  # defensive: spans are clipped to pe, so the stack is empty here
        tokens.append({"t": "close", "tag": sp.tag})
    return tokens


def _article_paragraphs(text: str, spans: list[_Span]) -> list[list[dict[str, Any]]]:
    opened: set[str] = set()
    out: list[list[dict[str, Any]]] = []
    paragraphs = _paragraphs(text)
    for idx, (ps, pe) in enumerate(paragraphs):
        last = idx == len(paragraphs) - 1
        local: list[_Span] = []
        for sp in spans:
            if sp.start == sp.end:
                inside = ps <= sp.start < pe or (last and sp.start == pe)
            else:
                inside = sp.start < pe and sp.end > ps
            if inside:
                local.append(_Span(sp.key, max(sp.start, ps), min(sp.end, pe), sp.tag, sp.css, sp.title,
                                   sp.anchor, sp.order))
        if not local and not text[ps:pe].strip():
            continue  # blank paragraph with nothing anchored in it
        out.append(_paragraph_tokens(text, ps, pe, local, opened))
    return out


# --------------------------------------------------------------------------- view model


class _Context:
    """Collects evidence spans while rows are built, then renders articles with them."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.articles: dict[str, Article] = {}
        for art in analysis.articles:
            self.articles.setdefault(art.id, art)
        self.actor_names = {a.id: a.name for a in analysis.actors}
        self.spans: dict[str, _EvidenceSpan] = {}
        self._grouped: dict[str, list[tuple[str, _EvidenceSpan]]] | None = None

    def _valid(self, article_id: str, start: int, end: int) -> bool:
        art = self.articles.get(article_id)
        return art is not None and 0 <= start <= end <= len(art.text)

    def outlet_of(self, article_id: str) -> str:
        art = self.articles.get(article_id)
        if art is None:
            return article_id
        return art.outlet or art.title or art.id

    def actor(self, actor_id: str | None) -> str | None:
        if actor_id is None:
            return None
        return self.actor_names.get(actor_id, actor_id)

    def link(self, article_id: str, start: int, end: int, sentence: str | None, kind: str, label: str) -> dict[str, Any]:
        """Register an evidence span and return the row's link to it."""
        anchor = None
        span_text = None
        if self._valid(article_id, start, end):
            anchor = anchor_id(article_id, start, end)
            ev = self.spans.setdefault(anchor, _EvidenceSpan(article_id, start, end))
            ev.kinds.add(kind)
            if label not in ev.labels:
                ev.labels.append(label)
            span_text = self.articles[article_id].text[start:end]
        return {"href": f"#{anchor}" if anchor else None, "sentence": sentence if sentence is not None else span_text,
                "span": span_text, "outlet": self.outlet_of(article_id), "article_id": article_id}

    def ev_links(self, evidence: Iterable[Evidence | Mention], kind: str, label: str) -> dict[str, Any]:
        links = [self.link(e.article_id, e.start, e.end, e.sentence, kind, label) for e in evidence]
        return {"shown": links[:LINKS_SHOWN], "more": links[LINKS_SHOWN:], "count": len(links)}

    # ------------------------------------------------------------------ rows

    def actor_rows(self) -> list[dict[str, Any]]:
        return [
            {"name": a.name, "type": a.type, "aliases": a.aliases, "mentions": len(a.mentions),
             "role": a.role, "country": a.country,
             "links": self.ev_links(a.mentions, "mention", f"actor: {a.name}")}
            for a in self.analysis.actors
        ]

    @staticmethod
    def place(e: Event) -> dict[str, Any] | None:
        """The event's gazetteer place for display: name, country, division, coordinates, GeoNames id."""
        if e.geonames_id is None:
            return None
        where = ", ".join(x for x in (e.place_name, e.place_admin1, e.place_country) if x)
        coords = f"{e.latitude:.3f}, {e.longitude:.3f}" if e.latitude is not None and e.longitude is not None else None
        return {"where": where, "coords": coords, "geonames_id": e.geonames_id, "source": e.place_source}

    def event_row(self, e: Event, evidence: list[Evidence] | None = None) -> dict[str, Any]:
        from crossread.extract.cameo import QUAD_CLASSES

        return {"plover": e.plover, "mode": e.mode, "cameo": e.cameo, "quad_class": QUAD_CLASSES.get(e.quad_class),
                "goldstein": e.goldstein,
                "source": [self.actor(x) for x in e.source], "target": [self.actor(x) for x in e.target],
                "trigger": e.trigger, "negated": e.negated, "modality": e.modality, "date": e.date,
                "location": e.location, "place": self.place(e),
                "outlets": e.outlets, "independent_sources": e.independent_sources,
                "confidence": e.confidence,
                "links": self.ev_links(e.evidence if evidence is None else evidence, "event",
                                       f"event: {e.plover} ({e.trigger})")}

    def event_rows(self) -> list[dict[str, Any]]:
        return [self.event_row(e) for e in self.analysis.events]

    def quote_row(self, q: Quote) -> dict[str, Any]:
        return {"speaker": self.actor(q.speaker), "speaker_text": q.speaker_text, "cue": q.cue,
                "content": q.content, "kind": q.kind, "confidence": q.confidence,
                "links": self.ev_links([q.evidence, *q.also_in], "quote", f"quote ({q.kind})")}

    def quote_rows(self) -> list[dict[str, Any]]:
        return [self.quote_row(q) for q in self.analysis.quotes]

    def claim_rows(self) -> list[dict[str, Any]]:
        return [
            {"text": c.text, "attributed_to": self.actor(c.attributed_to), "status": c.status,
             "outlets": c.outlets, "independent_sources": c.independent_sources, "confidence": c.confidence,
             "links": self.ev_links(c.evidence, "claim", f"claim ({c.status})"),
             "stances": [{"outlet": r.outlet or f"unknown outlet {r.article_id}", "stance": r.stance,
                          "speaker": self.actor(r.speaker), "confidence": r.confidence,
                          "links": self.ev_links([r.evidence] if r.evidence else [], "claim", f"{r.stance} the claim")}
                         for r in c.relations]}
            for c in self.analysis.claims
        ]

    def derivation_rows(self) -> list[dict[str, Any]]:
        rows = []
        for d in self.analysis.derivations:
            passages = []
            for p in d.passages:
                passages.append({
                    "text": p.text,
                    "source": self.link(d.source_article, p.source_start, p.source_end, None, "passage",
                                        f"{d.kind} passage (source)"),
                    "derived": self.link(d.derived_article, p.derived_start, p.derived_end, None, "passage",
                                         f"{d.kind} passage (derived)"),
                })
            rows.append({
                "source": self.article_ref(d.source_article), "derived": self.article_ref(d.derived_article),
                "kind": d.kind, "score": d.score, "passages": passages,
            })
        return rows

    def framing_rows(self) -> list[dict[str, Any]]:
        rows = []
        for f in self.analysis.framing:
            actor = self.actor(f.actor)
            rows.append({
                "outlet": f.outlet, "actor": actor,
                "labels": [{"text": lb.text, "count": lb.count,
                            "links": self.ev_links(lb.evidence, "framing", f"label for {actor}: {lb.text}")}
                           for lb in f.labels],
                "loaded_terms": [{"text": lt.text,
                                  "links": self.ev_links(lt.evidence, "framing", f"loaded term: {lt.text}")}
                                 for lt in f.loaded_terms],
            })
        return rows

    def article_ref(self, article_id: str) -> dict[str, Any]:
        art = self.articles.get(article_id)
        return {"id": article_id, "href": f"#{article_anchor(article_id)}" if art else None,
                "outlet": art.outlet if art else None, "title": art.title if art else None}

    def signal_refs(self, article_id: str) -> dict[str, Any]:
        """An article's machine-generation signals, each linked to its highlight."""
        art = self.articles.get(article_id)
        signals = []
        for i, sig in enumerate(art.signals if art else []):
            valid = max(0, sig.start) <= min(len(art.text), sig.end)  # as article_view highlights them
            signals.append({"kind": sig.kind, "text": sig.text,
                            "href": f"#{signal_id(art.id, i)}" if valid else None})
        return {"article": self.article_ref(article_id), "signals": signals}

    # ------------------------------------------------------------------ articles

    def _spans_by_article(self) -> dict[str, list[tuple[str, _EvidenceSpan]]]:
        # Grouped once (after all rows registered their spans): avoids articles x spans scans.
        if self._grouped is None:
            self._grouped = {}
            for anchor, ev in sorted(self.spans.items(), key=lambda kv: (kv[1].start, -kv[1].end, kv[0])):
                self._grouped.setdefault(ev.article_id, []).append((anchor, ev))
        return self._grouped

    def article_view(self, art: Article) -> dict[str, Any]:
        spans: list[_Span] = []
        order = 0
        for i, sig in enumerate(art.signals):
            s, e = max(0, sig.start), min(len(art.text), sig.end)
            if s <= e:
                key = signal_id(art.id, i)
                spans.append(_Span(key, s, e, "mark", "signal", sig.kind, key, order))
                order += 1
        for anchor, ev in self._spans_by_article().get(art.id, []):
            css = "ev " + " ".join(f"ev-{k}" for k in sorted(ev.kinds))
            spans.append(_Span(anchor, ev.start, ev.end, "span", css, "; ".join(ev.labels), anchor, order))
            order += 1
        source_href = safe_href(art.source)
        return {
            "anchor": article_anchor(art.id), "id": art.id, "outlet": art.outlet, "title": art.title,
            "published": art.published, "authors": list(art.authors), "source": art.source, "source_href": source_href,
            "url": art.url if art.url != art.source else None, "url_href": safe_href(art.url),
            "language": art.language,
            "lang_attr": art.language if art.language and _LANG_TAG.match(art.language) else None,
            "format": art.format, "word_count": art.word_count,
            "removed": art.removed, "signals": art.signals,
            "paragraphs": _article_paragraphs(art.text, spans),
        }

    def story_views(self, stories: list[Story] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Stories (``stories``, default the analysis's, in that order) with their articles side by side,
        then the unclustered articles.

        An article listed in several stories is rendered once (its anchors must
        be unique); later stories point back to it. Story sections get the ids
        ``story-1``, ``story-2``… in the order shown.
        """
        from crossread.report.story import story_sections

        stories = self.analysis.stories if stories is None else stories
        # Story rows first: they register evidence spans, and the article views below group them once.
        sections = [story_sections(self, story, i) for i, story in enumerate(stories, 1)]
        rendered: set[str] = set()
        views = []
        for story, section in zip(stories, sections):
            columns = []
            for aid in story.article_ids:
                art = self.articles.get(aid)
                if art is None:
                    columns.append({"missing": aid})
                elif aid in rendered:
                    columns.append({"seen": self.article_ref(aid)})
                else:
                    rendered.add(aid)
                    columns.append({"article": self.article_view(art)})
            views.append({"title": story.title, "id": story.id, "columns": columns, **section})
        listed = {aid for story in self.analysis.stories for aid in story.article_ids}
        unclustered = []
        for art in self.articles.values():
            if art.id not in rendered and art.id not in listed:
                rendered.add(art.id)
                unclustered.append({"article": self.article_view(art)})
        return views, unclustered


# --------------------------------------------------------------------------- pages


# The fields of a StorySummary, in order: what an index row shows (and what an index page's digest covers).
INDEX_ROW_FIELDS = tuple(f.name for f in dataclasses.fields(StorySummary))


def index_row(summary: StorySummary, href: str, stem: str | None = None) -> dict[str, Any]:
    """One row of an index of stories: the summary's fields (a shallow dict: the template only reads
    them, and ``dataclasses.asdict`` would deep-copy every row) plus the link to the story.

    ``stem``: the story's :func:`page_stem`, when the caller already has it.
    """
    row = {name: getattr(summary, name) for name in INDEX_ROW_FIELDS}
    row["href"] = href
    row["row_id"] = f"s-{page_stem(summary.id) if stem is None else stem}"
    return row


def corpus_counts(totals: dict[str, int]) -> list[tuple[str, int]]:
    return [(k, totals.get(k, 0)) for k in TOTAL_KEYS]


def story_counts(summary: StorySummary) -> list[tuple[str, int]]:
    return [("articles", summary.articles), ("events", summary.events), ("claims", summary.claims),
            ("contradicted claims", summary.contradicted_claims), ("quotes", summary.quotes),
            ("derivations", summary.derivations)]


def build_context(analysis: Analysis, title: str, summaries: list[StorySummary] | None = None,
                  totals: dict[str, int] | None = None, unclustered_id: str | None = None) -> dict[str, Any]:
    """Everything the single-file template needs, as plain data (strings stay unescaped until Jinja).

    ``summaries`` (default: the analysis's stories in their order) give the index of stories and the
    order the stories are shown in; ``unclustered_id`` is the summary that stands for the unclustered
    articles (see :class:`~crossread.report.source.AnalysisSource`).
    """
    if summaries is None or totals is None:
        source = AnalysisSource(analysis)
        summaries = source.story_summaries() if summaries is None else summaries
        totals = source.totals() if totals is None else totals
        unclustered_id = source.unclustered_id if unclustered_id is None else unclustered_id
    ctx = _Context(analysis)
    # Rows first: they register the evidence spans the article views highlight.
    sections = {
        "actors": ctx.actor_rows(),
        "events": ctx.event_rows(),
        "quotes": ctx.quote_rows(),
        "claims": ctx.claim_rows(),
        "derivations": ctx.derivation_rows(),
        "framing": ctx.framing_rows(),
    }
    rank = {s.id: i for i, s in reversed(list(enumerate(summaries)))}
    ordered = sorted(analysis.stories, key=lambda st: rank.get(st.id, len(rank)))  # stable: repeated ids stay
    stories, unclustered = ctx.story_views(ordered)
    sid_of: dict[str, str] = {}
    for view in stories:
        sid_of.setdefault(view["id"], view["sid"])
    if unclustered_id is not None and unclustered:
        sid_of.setdefault(unclustered_id, "unclustered")
    index_rows = [index_row(s, f"#{sid_of[s.id]}") for s in summaries if s.id in sid_of]
    return {"title": title, "schema_version": SCHEMA_VERSION, "counts": corpus_counts(totals), "stories": stories,
            "unclustered": unclustered, "index_rows": index_rows, **_page_words("report"), **sections}


def build_story_context(analysis: Analysis, summary: StorySummary, title: str, index_href: str, *,
                        claims: bool = False) -> dict[str, Any]:
    """The view model of one story's page, from that story's own analysis.

    ``claims``: the story view also has ``claims`` (each with every outlet's stance and its evidence)
    and ``signals`` (each article's machine-generation signals), as ``crossread serve`` shows them.
    """
    ctx = _Context(analysis)
    story = next((st for st in analysis.stories if st.id == summary.id), None)
    if story is None:  # a source that left the story out of its own analysis: its articles are the story
        story = Story(summary.id, summary.title, [a.id for a in analysis.articles])
    claim_rows = ctx.claim_rows() if claims else None  # before the articles render: registers their spans
    (view,), _ = ctx.story_views([story])
    view["title"] = summary.title
    if claims:
        view["claims"] = claim_rows
        view["signals"] = [ctx.signal_refs(a.id) for a in analysis.articles if a.signals]
    return {"title": title, "schema_version": SCHEMA_VERSION, "story": view, "summary": summary,
            "counts": story_counts(summary), "index_href": index_href, **_page_words("page")}


def article_page_view(article: Article, spans: Iterable[tuple[int, int, str, str]] = ()) -> tuple[dict[str, Any],
                                                                                            list[dict[str, Any]]]:
    """One article on its own, with ``spans`` (start, end, record kind, label) highlighted: its view (for
    the ``article_column`` macro) and each span's link (``href`` None where the span is outside the text)."""
    ctx = _Context(Analysis(articles=[article]))
    links = [ctx.link(article.id, start, end, None, kind, label) for start, end, kind, label in spans]
    return ctx.article_view(article), links


def _page_words(scope: str) -> dict[str, str]:
    if scope == "report":
        return {"dead_span_title": "span not found in the articles of this report",
                "absent_ref": "not in this analysis"}
    return {"dead_span_title": "span not in the articles of this story", "absent_ref": "not in this story"}


LOW_CONFIDENCE = 0.5  # confidences below this are flagged in the report (docs/CONFIDENCE.md)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Autoescape on for everything: every article-derived value is untrusted.
    env = Environment(
        loader=PackageLoader("crossread.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["low_confidence"] = LOW_CONFIDENCE
    return env


def render(analysis: Analysis, title: str, summaries: list[StorySummary] | None = None,
           totals: dict[str, int] | None = None, unclustered_id: str | None = None) -> str:
    """The single-file report."""
    context = build_context(analysis, title, summaries, totals, unclustered_id)
    return _environment().get_template("report.html.j2").render(**context)


def render_story_page(analysis: Analysis, summary: StorySummary, title: str, index_href: str) -> str:
    context = build_story_context(analysis, summary, title, index_href)
    return _environment().get_template("story.html.j2").render(**context)


INDEX_TEMPLATES = ("index.html.j2", "_macros.html.j2", "_base.html.j2", "report.css")


def render_index_page(context: dict[str, Any]) -> str:
    """An index page of the split report (home, month of the archive or top list; see ``index.html.j2``)."""
    return _environment().get_template("index.html.j2").render(schema_version=SCHEMA_VERSION, **context)


@lru_cache(maxsize=1)
def index_renderer_fingerprint() -> str:
    """A digest of what turns an index page's context into HTML: its templates, the schema version (in the
    footer) and the package version; part of every index page's digest, so that a new renderer rewrites
    every index page once."""
    from crossread import __version__

    env = _environment()
    digest = hashlib.sha256(f"{__version__}\0{SCHEMA_VERSION}".encode())
    for name in INDEX_TEMPLATES:
        text, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        digest.update(b"\0" + name.encode() + b"\0" + text.encode("utf-8"))
    return digest.hexdigest()
