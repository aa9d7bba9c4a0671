"""Where the report reads from: a :class:`ReportSource` gives the story list, one story at a time, and totals.

The report never needs the whole corpus in memory: the index pages are built from
:meth:`ReportSource.story_summaries` (small records) and each story page from
:meth:`ReportSource.story_analysis` (one story's articles and records). A store can
implement the protocol with a few queries; :class:`AnalysisSource` implements it over
an in-memory :class:`~crossread.records.Analysis` (tests, small runs, the library call
``write_report(analysis, path)``).

*What belongs to a story* (the contract a source follows, and what
:class:`AnalysisSource` does):

- articles: the story's articles that exist, in the story's order;
- events and claims: those with at least one evidence span in those articles;
- quotes: those whose own evidence (``Quote.evidence``) lies in them;
- derivations: those whose source or derived article is one of them;
- framing: the (outlet, actor) records with a label or loaded term evidenced in them;
- actors: those with a mention in them, and every actor the records above refer to
  (so that names resolve);
- evidence lists (event/claim evidence, claim relations, quote ``also_in``, label and
  loaded-term evidence, actor mentions) are cut down to the story's articles, so that
  every evidence link on a story page lands on that page. A label's ``count`` is then
  the number of its uses in the story.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

from crossread.analyze.coverage import outlet_name
from crossread.records import (
    Actor,
    Analysis,
    Article,
    Claim,
    ClaimRelation,
    Derivation,
    Event,
    Evidence,
    Framing,
    Label,
    LoadedTerm,
    Mention,
    Quote,
    Story,
)

__all__ = [
    "TOTAL_KEYS",
    "UNCLUSTERED_TITLE",
    "AnalysisSource",
    "ReportSource",
    "StorySummary",
    "analysis_totals",
    "article_date",
    "merge_analyses",
    "summarise_story",
]

# The keys of ReportSource.totals(), in the order the report's header shows them.
TOTAL_KEYS = ("articles", "stories", "actors", "events", "quotes", "claims", "derivations", "framing", "signals",
              "removed chrome")

UNCLUSTERED_TITLE = "Unclustered articles"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class StorySummary:
    """One row of the index of stories: cheap to compute, small to hold for every story."""

    id: str
    title: str
    first_date: str | None  # ISO date (YYYY-MM-DD) of the earliest dated article, None if none is dated
    last_date: str | None  # ISO date of the latest dated article
    outlets: list[str] = field(default_factory=list)  # sorted; "unknown outlet <article id>" for an article without
    articles: int = 0
    events: int = 0
    claims: int = 0
    quotes: int = 0
    contradicted_claims: int = 0  # claims an article of the story contradicts (a ✗ in its coverage matrix)
    derivations: int = 0


@runtime_checkable
class ReportSource(Protocol):
    """What the report renders from."""

    def story_summaries(self) -> list[StorySummary]:
        """Every story, cheap (no article text)."""
        ...

    def story_analysis(self, story_id: str) -> Analysis:
        """One story: its articles and the records whose evidence lies in them (see the module docstring)."""
        ...

    def totals(self) -> dict[str, int]:
        """Corpus counts for the header, keyed by :data:`TOTAL_KEYS`."""
        ...


def article_date(article: Article) -> str | None:
    """``Article.published``'s first 10 characters when they are an ISO date, else None."""
    if not article.published:
        return None
    day = article.published.strip()[:10]
    return day if _ISO_DATE.match(day) else None


def _claim_contradicted(claim: Claim, article_ids: set[str]) -> bool:
    """Whether an article of the story contradicts the claim, as the coverage matrix marks it."""
    if claim.relations:
        return any(r.stance == "contradicts" and r.article_id in article_ids for r in claim.relations)
    return claim.status == "contradicted"


def _summary(story: Story, arts: list[Article], events: int, claims: list[Claim], quotes: int,
             derivations: int) -> StorySummary:
    ids = {a.id for a in arts}
    dates = sorted(d for a in arts if (d := article_date(a)))
    return StorySummary(
        id=story.id, title=story.title,
        first_date=dates[0] if dates else None, last_date=dates[-1] if dates else None,
        outlets=sorted({outlet_name(a) for a in arts}),
        articles=len(arts), events=events, claims=len(claims), quotes=quotes,
        contradicted_claims=sum(1 for c in claims if _claim_contradicted(c, ids)),
        derivations=derivations,
    )


def summarise_story(story: Story, analysis: Analysis) -> StorySummary:
    """The summary of ``story`` computed from an analysis that holds (at least) the story's records.

    ``analysis`` may be the whole corpus or the story's own :meth:`ReportSource.story_analysis`:
    both give the same counts. A store-backed source can compute the same numbers with queries.
    """
    by_id = {a.id: a for a in analysis.articles}
    arts = [by_id[i] for i in dict.fromkeys(story.article_ids) if i in by_id]
    ids = {a.id for a in arts}
    return _summary(
        story, arts,
        events=sum(1 for e in analysis.events if any(v.article_id in ids for v in e.evidence)),
        claims=[c for c in analysis.claims if any(e.article_id in ids for e in c.evidence)],
        quotes=sum(1 for q in analysis.quotes if q.evidence.article_id in ids),
        derivations=sum(1 for d in analysis.derivations if d.source_article in ids or d.derived_article in ids),
    )


def analysis_totals(analysis: Analysis) -> dict[str, int]:
    return {
        "articles": len(analysis.articles), "stories": len(analysis.stories), "actors": len(analysis.actors),
        "events": len(analysis.events), "quotes": len(analysis.quotes), "claims": len(analysis.claims),
        "derivations": len(analysis.derivations), "framing": len(analysis.framing),
        "signals": sum(len(a.signals) for a in analysis.articles),
        "removed chrome": sum(len(a.removed) for a in analysis.articles),
    }


# --------------------------------------------------------------------------- over an in-memory analysis


def _cut(evidence: Iterable[Evidence], ids: set[str]) -> list[Evidence]:
    return [e for e in evidence if e.article_id in ids]


class AnalysisSource:
    """:class:`ReportSource` over an in-memory :class:`Analysis` (indexed once; not copied).

    Articles that no story lists are shown as one more story, titled
    :data:`UNCLUSTERED_TITLE`, with an id no real story has (``unclustered``, or
    ``unclustered-2``… if taken); :attr:`unclustered_id` is that id (None when every
    article is in a story). ``totals()["stories"]`` counts only the real stories.
    """

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._articles: dict[str, Article] = {}
        for art in analysis.articles:
            self._articles.setdefault(art.id, art)
        self._stories: dict[str, Story] = {}
        for story in analysis.stories:
            self._stories.setdefault(story.id, story)  # a repeated id: the first story wins
        listed = {i for s in analysis.stories for i in s.article_ids}
        loners = [a.id for a in self._articles.values() if a.id not in listed]
        self.unclustered_id: str | None = None
        if loners:
            uid, n = "unclustered", 1
            while uid in self._stories:
                n += 1
                uid = f"unclustered-{n}"
            self.unclustered_id = uid
            self._stories[uid] = Story(uid, UNCLUSTERED_TITLE, loners)

        # Which stories each record touches, computed once: story_analysis is then per story, not per corpus.
        stories_of: dict[str, list[str]] = {}
        for sid, story in self._stories.items():
            for aid in dict.fromkeys(story.article_ids):
                if aid in self._articles:
                    stories_of.setdefault(aid, []).append(sid)

        def touched(article_ids: Iterable[str]) -> list[str]:
            return list(dict.fromkeys(s for aid in article_ids for s in stories_of.get(aid, ())))

        self._members: dict[str, dict[str, list[int]]] = {sid: {} for sid in self._stories}

        def add(kind: str, index: int, sids: Iterable[str]) -> None:
            for sid in sids:
                self._members[sid].setdefault(kind, []).append(index)

        for i, e in enumerate(analysis.events):
            add("events", i, touched(v.article_id for v in e.evidence))
        for i, c in enumerate(analysis.claims):
            add("claims", i, touched(v.article_id for v in c.evidence))
        for i, q in enumerate(analysis.quotes):
            add("quotes", i, touched([q.evidence.article_id]))
        for i, d in enumerate(analysis.derivations):
            add("derivations", i, touched([d.source_article, d.derived_article]))
        for i, f in enumerate(analysis.framing):
            add("framing", i, touched(v.article_id for x in [*f.labels, *f.loaded_terms] for v in x.evidence))
        self._actor_index: dict[str, int] = {}
        for i, a in enumerate(analysis.actors):
            self._actor_index.setdefault(a.id, i)
            add("actors", i, touched(m.article_id for m in a.mentions))
        self._summaries: list[StorySummary] | None = None

    def _records(self, story_id: str, kind: str) -> list[int]:
        return self._members[story_id].get(kind, [])

    def story_summaries(self) -> list[StorySummary]:
        if self._summaries is None:
            self._summaries = [self._summary(sid) for sid in self._stories]
        return list(self._summaries)

    def _summary(self, story_id: str) -> StorySummary:
        story = self._stories[story_id]
        arts = [self._articles[i] for i in dict.fromkeys(story.article_ids) if i in self._articles]
        return _summary(story, arts, events=len(self._records(story_id, "events")),
                        claims=[self.analysis.claims[i] for i in self._records(story_id, "claims")],
                        quotes=len(self._records(story_id, "quotes")),
                        derivations=len(self._records(story_id, "derivations")))

    def totals(self) -> dict[str, int]:
        return analysis_totals(self.analysis)

    def story_analysis(self, story_id: str) -> Analysis:
        story = self._stories.get(story_id)
        if story is None:
            raise KeyError(f"no story {story_id!r}")
        arts = [self._articles[i] for i in dict.fromkeys(story.article_ids) if i in self._articles]
        ids = {a.id for a in arts}
        a = self.analysis

        def pick(kind: str) -> list:
            return [getattr(a, kind)[i] for i in self._records(story_id, kind)]

        events = [dataclasses.replace(e, evidence=_cut(e.evidence, ids)) for e in pick("events")]
        claims = [dataclasses.replace(c, evidence=_cut(c.evidence, ids),
                                      relations=[r for r in c.relations if r.article_id in ids])
                  for c in pick("claims")]
        quotes = [dataclasses.replace(q, also_in=_cut(q.also_in, ids)) for q in pick("quotes")]
        framing = []
        for f in pick("framing"):
            labels = [Label(lb.text, len(evs), evs) for lb in f.labels if (evs := _cut(lb.evidence, ids))]
            terms = [LoadedTerm(lt.text, evs) for lt in f.loaded_terms if (evs := _cut(lt.evidence, ids))]
            framing.append(Framing(f.outlet, f.actor, labels, terms))
        wanted = set()
        for e in events:
            wanted.update(e.source, e.target)
        wanted.update(q.speaker for q in quotes if q.speaker)
        wanted.update(c.attributed_to for c in claims if c.attributed_to)
        wanted.update(f.actor for f in framing)
        chosen = set(self._records(story_id, "actors"))
        chosen.update(self._actor_index[x] for x in wanted if x in self._actor_index)
        actors = [dataclasses.replace(a.actors[i], mentions=[m for m in a.actors[i].mentions if m.article_id in ids])
                  for i in sorted(chosen)]
        return Analysis(articles=arts, actors=actors, events=events, quotes=quotes, claims=claims,
                        stories=[Story(story.id, story.title, list(story.article_ids))],
                        derivations=pick("derivations"), framing=framing)


# --------------------------------------------------------------------------- merging story analyses


class ConfidenceFilter:
    """A source showing only the events, quotes and claims whose confidence reaches ``threshold``
    (records without a confidence, from an older store, are kept). Story counts stay those of the
    whole story."""

    def __init__(self, source: ReportSource, threshold: float) -> None:
        self.source = source
        self.threshold = threshold

    def story_summaries(self) -> list[StorySummary]:
        return self.source.story_summaries()

    def totals(self) -> dict[str, int]:
        return self.source.totals()

    def story_analysis(self, story_id: str) -> Analysis:
        analysis = self.source.story_analysis(story_id)
        return replace(analysis, events=self._kept(analysis.events), quotes=self._kept(analysis.quotes),
                       claims=self._kept(analysis.claims))

    def _kept(self, records: list) -> list:  # type: ignore[type-arg]
        return [r for r in records if r.confidence is None or r.confidence >= self.threshold]


def _evidence_key(e: Evidence | Mention) -> tuple[str, int, int]:
    return (e.article_id, e.start, e.end)


def _union(into: list, more: Iterable, key) -> None:  # type: ignore[no-untyped-def]
    seen = {key(x) for x in into}
    for x in more:
        k = key(x)
        if k not in seen:
            seen.add(k)
            into.append(x)


def merge_analyses(parts: Iterable[Analysis]) -> Analysis:
    """One analysis from several story analyses (records that several stories share are merged by id).

    Used for the single-file report of a source that is not an :class:`AnalysisSource`:
    the result holds every story's articles and records, with evidence lists united again.
    Nothing in ``parts`` is modified.
    """
    out = Analysis()
    articles: dict[str, Article] = {}
    stories: dict[str, Story] = {}
    actors: dict[str, Actor] = {}
    events: dict[str, Event] = {}
    quotes: dict[str, Quote] = {}
    claims: dict[str, Claim] = {}
    derivations: dict[tuple[str, str, str], Derivation] = {}
    framing: dict[tuple[str, str], Framing] = {}
    for part in parts:
        for art in part.articles:
            articles.setdefault(art.id, art)
        for story in part.stories:
            stories.setdefault(story.id, story)
        for x in part.actors:
            if x.id in actors:
                _union(actors[x.id].mentions, x.mentions, _evidence_key)
            else:
                actors[x.id] = dataclasses.replace(x, mentions=list(x.mentions))
        for e in part.events:
            if e.id in events:
                _union(events[e.id].evidence, e.evidence, _evidence_key)
            else:
                events[e.id] = dataclasses.replace(e, evidence=list(e.evidence))
        for q in part.quotes:
            if q.id in quotes:
                merged = quotes[q.id]
                _union(merged.also_in, [v for v in [q.evidence, *q.also_in]
                                        if _evidence_key(v) != _evidence_key(merged.evidence)], _evidence_key)
            else:
                quotes[q.id] = dataclasses.replace(q, also_in=list(q.also_in))
        for c in part.claims:
            if c.id in claims:
                _union(claims[c.id].evidence, c.evidence, _evidence_key)
                _union(claims[c.id].relations, c.relations, _relation_key)
            else:
                claims[c.id] = dataclasses.replace(c, evidence=list(c.evidence), relations=list(c.relations))
        for d in part.derivations:
            derivations.setdefault((d.source_article, d.derived_article, d.kind), d)
        for f in part.framing:
            key = (f.outlet, f.actor)
            if key not in framing:
                framing[key] = Framing(f.outlet, f.actor, [], [])
            merged_f = framing[key]
            for lb in f.labels:
                into = next((x for x in merged_f.labels if x.text == lb.text), None)
                if into is None:
                    merged_f.labels.append(Label(lb.text, lb.count, list(lb.evidence)))
                else:
                    _union(into.evidence, lb.evidence, _evidence_key)
                    into.count = len(into.evidence)
            for lt in f.loaded_terms:
                into_t = next((x for x in merged_f.loaded_terms if x.text == lt.text), None)
                if into_t is None:
                    merged_f.loaded_terms.append(LoadedTerm(lt.text, list(lt.evidence)))
                else:
                    _union(into_t.evidence, lt.evidence, _evidence_key)
    out.articles = list(articles.values())
    out.stories = list(stories.values())
    out.actors = list(actors.values())
    out.events = list(events.values())
    out.quotes = list(quotes.values())
    out.claims = list(claims.values())
    out.derivations = list(derivations.values())
    out.framing = list(framing.values())
    return out


def _relation_key(r: ClaimRelation) -> tuple[str, str]:
    return (r.article_id, r.stance)
