"""The within-article extractors as spaCy pipeline components: the Doc is the one annotation object.

Each extractor is a registered factory (``@Language.factory``, declared in pyproject.toml's
``spacy_factories`` entry points, so ``nlp.add_pipe("crossread_actors")`` works on any pipeline once
crossread is installed) that reads the Doc's tokens, sentences and entities through the shared token
view (:mod:`crossread.nlp.docview`) and writes its result to a Doc extension:

==================  ==================================  =====================================
component           reads                               writes
==================  ==================================  =====================================
crossread_actors    tokens, parse, ``doc.ents``         ``doc._.crossread_actors`` (Actor list)
crossread_events    the above, ``doc._.crossread_actors``  ``doc._.crossread_events`` (Event list)
crossread_quotes    tokens, parse, ``doc.sents``, actors ``doc._.crossread_quotes`` (QuoteAnnotation list)
crossread_claims    tokens, parse, ``doc.sents``, quotes ``doc._.crossread_claims`` (ClaimSpan list)
crossread_framing   ``doc.sents``, actors                ``doc._.crossread_framing`` (Framing list)
==================  ==================================  =====================================

Article metadata (id, outlet, published date, machine-generation signal spans) reaches the components
on the Doc itself: ``doc._.crossread_article`` is set before they run (:func:`article_doc` makes such a
Doc; ``nlp(doc)`` and ``nlp.pipe(docs)`` accept it). A Doc without one is read as an article of
unknown outlet and date whose id is derived from its text (:func:`doc_article`). This was chosen over
``component_cfg``, which is per call (per batch) rather than per Doc, and over ``as_tuples`` context,
which spaCy does not hand to components.

The records are made from these annotations in one place, :func:`crossread.extract.records_from_doc`;
``crossread.extract.extract_records(article, doc)`` runs the components on a Doc that lacks their
results for ``article`` (the shipped pipeline loads from disk without them, so any spaCy pipeline
works) and converts. The results are plain Python objects in ``doc.user_data``: a Doc that carries
them cannot go through ``Doc.to_bytes`` (nor ``nlp.pipe(n_process>1)``, which uses it); crossread
parses with ``nlp.pipe`` and extracts afterwards, so its own Docs never need to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from crossread.nlp import docview
from crossread.records import Article

#: The extraction components in dependency order (actors first: events, quote speakers and claim
#: attributions resolve to them; claims read the quotes).
EXTRACTORS = ("crossread_actors", "crossread_events", "crossread_quotes", "crossread_claims", "crossread_framing")
#: The Doc extension each component writes (``doc._.<name>``); ``crossread_article`` is read by all.
OUTPUTS = EXTRACTORS
ARTICLE = "crossread_article"

for _name in (ARTICLE, *OUTPUTS):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass
class QuoteAnnotation:
    """One attribution found in the Doc, its speaker resolved: ``span`` (a
    :class:`~crossread.extract.quotes.QuoteSpan` whose source offsets are the resolved speaker's),
    ``speaker`` (:class:`~crossread.extract.coref.Speaker`) and ``cue_source``, the source span the cue
    rules found (before resolution; a claim taken from it is attributed to the same speaker)."""

    span: Any
    speaker: Any
    cue_source: tuple[int, int] | None


def doc_article(doc: Doc) -> Article:
    """The article ``doc`` is the text of: ``doc._.crossread_article``, else (a Doc made without one)
    an article of unknown outlet, title and date whose id is a hash of the text."""
    article = doc._.crossread_article
    if article is None:
        text = docview.text_of(doc)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        article = Article(id=f"doc_{digest}", source="<doc>", outlet=None, title=None, published=None,
                          language=None, text=text)
        doc._.crossread_article = article
    return article


def article_doc(nlp: Language, article: Article) -> Doc:
    """A tokenised Doc of ``article.text`` carrying the article (``doc._.crossread_article``), to be
    run through a pipeline that holds the extraction components: ``nlp(article_doc(nlp, a))``."""
    doc = nlp.make_doc(article.text)
    doc._.crossread_article = article
    return doc


def clear(doc: Doc) -> None:
    """Drop the extraction results from ``doc`` (the article stays)."""
    for name in OUTPUTS:
        setattr(doc._, name, None)


def _needs(doc: Doc, component: str, *names: str) -> list[Any]:
    values = [getattr(doc._, n) for n in names]
    missing = [n for n, v in zip(names, values) if v is None]
    if missing:
        raise ValueError(f"{component}: the Doc has no {', '.join('doc._.' + n for n in missing)}; "
                         f"add {', '.join(missing)} before it (order: {', '.join(EXTRACTORS)})")
    return values


class ActorsComponent:
    """Actors of the article with every mention (``extract/actors.py: resolve_actors``)."""

    def __call__(self, doc: Doc) -> Doc:
        from crossread.extract.actors import resolve_actors

        with docview.scope(doc):
            doc._.crossread_actors = resolve_actors(doc_article(doc), doc)
        return doc


class EventsComponent:
    """PLOVER events between the actors (``extract/events.py: extract_events``)."""

    def __call__(self, doc: Doc) -> Doc:
        from crossread.extract.events import extract_events

        (actors,) = _needs(doc, "crossread_events", "crossread_actors")
        with docview.scope(doc):
            doc._.crossread_events = extract_events(doc_article(doc), doc, actors)
        return doc


class QuotesComponent:
    """Attributions (``extract/quotes.py: extract_quote_spans``) with their speakers resolved to actors
    (``extract/coref.py: resolve_speakers``)."""

    def __call__(self, doc: Doc) -> Doc:
        from crossread.extract.coref import resolve_speakers
        from crossread.extract.quotes import extract_quote_spans

        (actors,) = _needs(doc, "crossread_quotes", "crossread_actors")
        article = doc_article(doc)
        with docview.scope(doc):
            spans = extract_quote_spans(article, doc)
            speakers = resolve_speakers(article.text, doc, actors, spans)
        out = []
        for span, speaker in zip(spans, speakers):
            cue_source = None
            if span.source_start is not None and span.source_end is not None:
                cue_source = (span.source_start, span.source_end)
            # the speaker span as it should be shown (claims taken from the quote keep it too)
            span.source_start, span.source_end = speaker.start, speaker.end
            out.append(QuoteAnnotation(span, speaker, cue_source))
        doc._.crossread_quotes = out
        return doc


class ClaimsComponent:
    """Check-worthy claims, those inside quotes with the quote's speaker span
    (``extract/claims.py: extract_claim_spans``); machine-generation signal spans left out."""

    def __call__(self, doc: Doc) -> Doc:
        from crossread.extract.claims import extract_claim_spans

        (quotes,) = _needs(doc, "crossread_claims", "crossread_quotes")
        article = doc_article(doc)
        with docview.scope(doc):
            doc._.crossread_claims = extract_claim_spans(article, doc, [q.span for q in quotes],
                                                         signal_spans=article.signals)
        return doc


class FramingComponent:
    """Per-actor framing (labels, loaded terms) of the article (``analyze/framing.py:
    framing_for_article``)."""

    def __call__(self, doc: Doc) -> Doc:
        from crossread.analyze.framing import framing_for_article

        (actors,) = _needs(doc, "crossread_framing", "crossread_actors")
        with docview.scope(doc):
            doc._.crossread_framing = framing_for_article(doc_article(doc), doc, actors)
        return doc


_PARSE = ["token.dep", "token.head", "token.lemma", "token.pos", "doc.ents", "doc.sents"]


@Language.factory("crossread_actors", assigns=["doc._.crossread_actors"], requires=_PARSE)
def make_actors(nlp: Language, name: str) -> ActorsComponent:
    return ActorsComponent()


@Language.factory("crossread_events", assigns=["doc._.crossread_events"],
                  requires=[*_PARSE, "doc._.crossread_actors"])
def make_events(nlp: Language, name: str) -> EventsComponent:
    return EventsComponent()


@Language.factory("crossread_quotes", assigns=["doc._.crossread_quotes"],
                  requires=[*_PARSE, "doc._.crossread_actors"])
def make_quotes(nlp: Language, name: str) -> QuotesComponent:
    return QuotesComponent()


@Language.factory("crossread_claims", assigns=["doc._.crossread_claims"],
                  requires=[*_PARSE, "doc._.crossread_quotes"])
def make_claims(nlp: Language, name: str) -> ClaimsComponent:
    return ClaimsComponent()


@Language.factory("crossread_framing", assigns=["doc._.crossread_framing"],
                  requires=["doc.sents", "doc._.crossread_actors"])
def make_framing(nlp: Language, name: str) -> FramingComponent:
    return FramingComponent()


#: One instance of each component (they hold no state), for ``extract_records`` to run on a Doc
#: that a pipeline without them made.
_INSTANCES = {"crossread_actors": ActorsComponent(), "crossread_events": EventsComponent(),
              "crossread_quotes": QuotesComponent(), "crossread_claims": ClaimsComponent(),
              "crossread_framing": FramingComponent()}


def annotate(doc: Doc, article: Article) -> Doc:
    """Run the extraction components on ``doc`` for ``article`` unless it already holds their results
    for this very article (made by a pipeline that has them, from :func:`article_doc`)."""
    if doc._.crossread_article is article and all(getattr(doc._, n) is not None for n in OUTPUTS):
        return doc
    doc._.crossread_article = article
    clear(doc)
    with docview.scope(doc):  # one token view for all the components
        for name in EXTRACTORS:
            _INSTANCES[name](doc)
    return doc
