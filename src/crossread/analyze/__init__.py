"""Cross-source analysis: derivation, independence of sources, corroboration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from crossread.analyze.claims import Embedder, add_relations, align_claims, claim_confidence, claim_speakers
from crossread.analyze.derivation import detect_derivations
from crossread.grouping import MinRootGroups
from crossread.link.quote_merge import merge_quotes
from crossread.nlp.embeddings import embedder_for
from crossread.records import Analysis, Derivation


def independent_source_count(article_ids: Iterable[str], outlet_of: dict[str, str | None], derivations: Sequence[Derivation]) -> int:
    """Outlets whose articles are not derived from one another.

    Articles linked by a derivation (directly or through a chain) form one
    source; two outlets carrying the same wire copy therefore count once, and
    two articles of one outlet count once too.
    """
    ids = sorted(set(article_ids))
    sources = MinRootGroups(ids)
    for d in derivations:
        if d.source_article in sources and d.derived_article in sources:
            sources.union(d.source_article, d.derived_article)
    by_outlet: dict[str, str] = {}
    for i in ids:
        outlet = (outlet_of.get(i) or f"unknown outlet {i}").casefold()
        if outlet in by_outlet:
            sources.union(by_outlet[outlet], i)
        else:
            by_outlet[outlet] = i
    return len(sources.groups())


def record_outlets(article_ids: Iterable[str], outlet_of: dict[str, str | None]) -> list[str]:
    """The outlets a record's evidence comes from ("unknown" for an article without one), sorted."""
    return sorted({outlet_of.get(i) or "unknown" for i in article_ids})


def analyze_corpus(analysis: Analysis, embed: Embedder | Mapping[str, Embedder | None] | None = None) -> Analysis:
    """Add derivations, align claims across articles, relate every article of a story to
    each claim and recount independent sources.

    ``embed`` (sentence list -> L2-normalised vectors, e.g. the embedding service's
    ``embed``) adds semantic matching to claim alignment and paraphrase detection; a mapping gives each
    stage ("derivation", "claims", "quotes") its own (``crossread.nlp.embeddings.stage_embedders``).
    """
    analysis.derivations = detect_derivations(analysis.articles, embed=embedder_for(embed, "derivation"),
                                              stories=analysis.stories)
    speakers = claim_speakers(analysis.claims)
    analysis.claims = align_claims(analysis.claims, analysis.stories, embed=embedder_for(embed, "claims"),
                                   events=analysis.events)
    add_relations(analysis.claims, analysis.stories, {a.id: a for a in analysis.articles}, speakers)
    story_of = {aid: s.id for s in analysis.stories for aid in s.article_ids}
    analysis.quotes = merge_quotes(analysis.quotes, story_of, embed=embedder_for(embed, "quotes"))
    outlet_of = {a.id: a.outlet for a in analysis.articles}
    for quote in analysis.quotes:
        article_ids = {e.article_id for e in [quote.evidence, *quote.also_in]}
        quote.outlets = record_outlets(article_ids, outlet_of)
        quote.independent_sources = independent_source_count(article_ids, outlet_of, analysis.derivations)
    for record in [*analysis.events, *analysis.claims]:
        article_ids = {e.article_id for e in record.evidence}
        record.outlets = record_outlets(article_ids, outlet_of)
        record.independent_sources = independent_source_count(article_ids, outlet_of, analysis.derivations)
    for claim in analysis.claims:
        if any(r.stance == "contradicts" for r in claim.relations) or claim.status == "contradicted":
            claim.status = "contradicted"
        else:
            claim.status = "corroborated" if claim.independent_sources >= 2 else "single_source"
        claim.confidence = claim_confidence(claim)
    return analysis
