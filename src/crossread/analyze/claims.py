"""Align the same claim across articles and decide how each article stands to it.

Alignment (within each story, between claims of different articles):

* **Score** = lexical similarity (TF-IDF cosine over uni/bigrams, sublinear tf,
  0.6, plus content-word Jaccard, 0.4) mixed half and half with the cosine of
  MiniLM sentence embeddings when an embedder is given (cf. the claim-matching
  baselines of Shaar et al. 2020, which pair BM25 with sentence-BERT), raised when
  both claims are attributed to the same actor and lowered when to different ones.
* **Links**: a pair is linked when each claim is the other's best match between the
  two articles and the score reaches ``mutual_threshold``, or when the score alone
  reaches ``threshold``, or when both report one merged event (cross-document event
  coreference anchors the alignment) and each is the other's best match among such
  claims at ``ANCHORED_THRESHOLD``. Within one story, many sentences share actors and topic
  words, so absolute cosines separate paraphrases poorly; mutual best matching (as
  in sentence alignment for parallel corpora) is what keeps "the resolution passed
  after the US abstained" with its paraphrase instead of with every sentence about
  the resolution. Linked claims form one claim (single link).
* **Embeddings** only where they can change a link. A pair below the lowest threshold
  a rule applies to it (``MUTUAL_THRESHOLD``, ``ANCHORED_THRESHOLD`` for claims sharing
  a merged event, a lower absolute ``threshold``) is linked by no rule, and lowering its
  score changes no best match at or above that threshold. So the cosine is computed
  only for claims of different articles whose score it can lift to that threshold: it
  needs cosine = 2 * (threshold - speaker bonus) - lexical, which rules the pair out
  when above 1 (exact), or when at least ``PARAPHRASE_COSINE`` (0.85) while the two
  claims share too few word stems for such a cosine
  (:func:`crossread.analyze.derivation.lexically_possible`; measured: no sentence pair
  below that Jaccard reaches 0.85, BASIL claim pairs at 0.85 are at 0.21 or more).
  The other pairs score as at cosine 0, and only claims with a pair left are embedded.

* **Polarity**: only claims of one polarity are linked. Each claim's ``negated`` and
  ``hedged`` come from the parse of its own span at extraction
  (:func:`crossread.extract.claims.claim_polarity`): a negation counts only where it
  governs the claim's own predicate ("did not vote"), never elsewhere in its sentence,
  and a claim the text reports as possible, conditional or hearsay is ``hedged``.

Relations (FNC-1 labels renamed): every article of the story gets a stance to every
claim, with the outlet, the speaker and the sentence behind it:

* ``supports`` where the article carries the claim (it is one of the claim's own
  sentences);
* ``contradicts`` only where a claim of *another* article asserts the opposite: a pair
  the alignment rules above would link, scoring at least ``CONTRADICTION_THRESHOLD``,
  whose polarities differ, neither hedged, the two differing by a negation word that
  bears on words both say (:func:`negates_shared_words`), and not both the words of one
  speaker (one speaker quoted with opposite polarities in one story is taken to have said
  two things: precision first, a misquote is not detected). The sentence a claim was taken from, or an outlet repeating it, never
  contradicts it: their polarities are the same, and an article carrying the claim
  supports it whatever else it says. This follows the negation-mismatch and alignment
  features of contradiction detection (de Marneffe, Rafferty and Manning, 2008), made
  precision-first: antonyms, numbers and other incompatible facts are not detected;
* otherwise ``supports``/``discusses``/``unrelated`` from the unsupervised stance scorer
  (:func:`crossread.analyze.stance.classify_stance`), whose refutation cues alone are
  only ``discusses``.

A claim with a ``contradicts`` relation is ``contradicted``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import numpy as np

from crossread.analyze.derivation import PARAPHRASE_COSINE, lexically_possible, stems
from crossread.grouping import MinRootGroups
from crossread.nlp.embeddings import prune_pairs
from crossread.records import Article, Claim, ClaimRelation, Event, Evidence, Story, record_id
from crossread.sentences import sentence_spans as shared_sentence_spans

Embedder = Callable[[list[str]], np.ndarray]

ALIGN_THRESHOLD = 0.4  # lexical only: any pair at or above this is linked
EMBEDDING_THRESHOLD = 0.62  # with embeddings: any pair at or above this is linked
MUTUAL_THRESHOLD = 0.45  # with embeddings: mutual best matches at or above this are linked
ANCHORED_THRESHOLD = 0.35  # mutual best matches among claims reporting one merged event
SAME_SPEAKER_BONUS = 0.08
# opposite-polarity pairs at or above this (or mutual best matches at MUTUAL_THRESHOLD) contradict
CONTRADICTION_THRESHOLD = 0.5
_QUOTE_MARKS = set("\"'“”‘’")
_NOT_ONLY = re.compile(r"\bnot (?:only|just|merely)\b", re.IGNORECASE)
_NEGATION_WORD = re.compile(r"\b(?:not|no|never|nor|neither|nobody|nothing|none|cannot)\b|n't\b", re.IGNORECASE)
STOP = {"the", "a", "an", "of", "to", "in", "on", "and", "or", "that", "this", "is", "was", "were", "be", "has",
        "have", "had", "for", "with", "by", "as", "at", "it", "its", "their", "his", "her", "from", "which", "who"}


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 2}


def negation_count(text: str) -> int:
    """Negation words in ``text`` (curly apostrophes as straight ones; "not only" is no negation)."""
    return len(_NEGATION_WORD.findall(_NOT_ONLY.sub(" ", text.replace("’", "'"))))


def _stem(word: str) -> str:
    return word[:5]


def negates_shared_words(negated: Claim, other: Claim, window: int = 3) -> bool:
    """Does a negation of ``negated`` bear on words ``other`` says too? The first ``window`` content
    words after each negation word ("had not *served* in *Vietnam*") must mostly be words of ``other``
    ("described as having served in Vietnam"); a negation of another clause ("…, and I will never let
    you down") does not contradict the clause both share."""
    text = _NOT_ONLY.sub(" ", negated.text.replace("’", "'"))
    others = {_stem(w) for w in _content_words(other.text)}
    for m in _NEGATION_WORD.finditer(text):
        if text[m.start() - 1:m.start()] in _QUOTE_MARKS and text[m.end():m.end() + 1] in _QUOTE_MARKS:
            continue  # a mentioned word, not a negation: the "no" vote
        after = [w for w in re.findall(r"[a-z0-9]+", text[m.end():].lower())
                 if w not in STOP and len(w) > 2 and not _NEGATION_WORD.fullmatch(w)][:window]
        if after and sum(_stem(w) in others for w in after) * 3 >= 2 * len(after):
            return True
    return False


def claim_similarity(texts: Sequence[str]) -> list[list[float]]:
    """Lexical similarity matrix in [0, 1]: 0.6 TF-IDF cosine + 0.4 content-word Jaccard."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) < 2:
        return [[1.0] * len(texts) for _ in texts]
    try:
        matrix = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english").fit_transform(texts)
        cosine = (matrix @ matrix.T).toarray()
    except ValueError:
        cosine = [[0.0] * len(texts) for _ in texts]
    words = [_content_words(t) for t in texts]
    sims = []
    for i in range(len(texts)):
        row = []
        for j in range(len(texts)):
            union = words[i] | words[j]
            jaccard = len(words[i] & words[j]) / len(union) if union else 0.0
            row.append(0.6 * float(cosine[i][j]) + 0.4 * jaccard)
        sims.append(row)
    return sims


def _article_ids(group: Sequence[Claim]) -> list[str]:
    return [c.evidence[0].article_id if c.evidence else "" for c in group]


def _speaker_bonus(group: Sequence[Claim]) -> np.ndarray:
    speakers = [c.attributed_to for c in group]
    bonus = np.zeros((len(group), len(group)))
    for i, a in enumerate(speakers):
        for j, b in enumerate(speakers):
            if a and b and i != j:
                bonus[i, j] = SAME_SPEAKER_BONUS if a == b else -SAME_SPEAKER_BONUS
    return bonus


def pair_scores(group: Sequence[Claim], embed: Embedder | None = None,
                thresholds: np.ndarray | float | None = None) -> np.ndarray:
    """The alignment score of every pair of claims in ``group``.

    With ``embed``, the cosine enters only the scores of claims of different articles
    (the others are never linked), and with ``thresholds`` (the lowest score that can
    change a decision, per pair or one for all) only where it can lift the score to its
    threshold (see the module docstring); the other pairs are scored as at cosine 0,
    below their threshold either way. Only claims with such a pair are embedded. A two-stage ``embed``
    (``crossread.nlp.embeddings.TwoStageEmbedder``) prunes those pairs by its cheap cosine first
    (opt-in: ``CROSSREAD_EMBEDDINGS_CLAIMS=prefilter``; it lost 1.5 % of BASIL's claim links)."""
    scores = np.asarray(claim_similarity([c.text for c in group]), dtype=np.float64)
    bonus = _speaker_bonus(group)
    if embed is not None and len(group) > 1:
        articles = np.asarray(_article_ids(group))
        needed = articles[:, None] != articles[None, :]
        if thresholds is not None:
            cosine_needed = 2.0 * (np.asarray(thresholds) - bonus) - scores  # score = 0.5 lex + 0.5 cos + bonus
            words = [stems(c.text) for c in group]
            hopeless = (cosine_needed > 1.0) | (
                (cosine_needed >= PARAPHRASE_COSINE) & ~lexically_possible(words, words))
            needed &= ~hopeless
            texts = [c.text for c in group]
            needed = prune_pairs(embed, texts, texts, needed, cosine_needed)
        rows = np.flatnonzero(needed.any(axis=1))
        cosine = np.zeros_like(scores)
        if len(rows):
            vectors = np.asarray(embed([group[i].text for i in rows]), dtype=np.float64)
            cosine[np.ix_(rows, rows)] = np.clip(vectors @ vectors.T, 0.0, 1.0)
        scores = 0.5 * scores + 0.5 * np.where(needed, cosine, 0.0)
    return scores + bonus


def _event_anchors(group: Sequence[Claim], events: Sequence[Event]) -> list[set[str]]:
    """For each claim, the merged events whose evidence overlaps the claim's own span."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for event in events:
        for ev in event.evidence:
            spans.setdefault(ev.article_id, []).append((ev.start, ev.end, event.id))
    return [{eid for ce in c.evidence for s, e, eid in spans.get(ce.article_id, ()) if s < ce.end and ce.start < e}
            for c in group]


def _anchored_links(group: Sequence[Claim], scores: np.ndarray, anchors: list[set[str]]) -> list[tuple[int, int]]:
    """Mutual best matches among claims of two articles that report one merged event."""
    articles = _article_ids(group)
    links = []
    for i in range(len(group)):
        if not anchors[i]:
            continue
        best = {}  # other article -> (score, j) among claims sharing an event with claim i
        for j in range(len(group)):
            if articles[j] != articles[i] and anchors[i] & anchors[j]:
                if scores[i, j] > best.get(articles[j], (-1.0, -1))[0]:
                    best[articles[j]] = (scores[i, j], j)
        for score, j in best.values():
            back = max((scores[j, k], k) for k in range(len(group))
                       if articles[k] == articles[i] and anchors[j] & anchors[k])
            if score >= ANCHORED_THRESHOLD and back[1] == i:
                links.append((min(i, j), max(i, j)))
    return links


def _links(group: Sequence[Claim], scores: np.ndarray, embed: Embedder | None,
           threshold: float | None) -> list[tuple[int, int]]:
    articles = _article_ids(group)
    absolute = threshold if threshold is not None else (EMBEDDING_THRESHOLD if embed else ALIGN_THRESHOLD)
    links = [(i, j) for i in range(len(group)) for j in range(i + 1, len(group))
             if articles[i] != articles[j] and scores[i, j] >= absolute]
    if embed is None:
        return links
    # mutual best matches between each pair of articles
    by_article: dict[str, list[int]] = {}
    for i, a in enumerate(articles):
        by_article.setdefault(a, []).append(i)
    for a, rows in by_article.items():
        for b, cols in by_article.items():
            if a >= b:
                continue
            block = scores[np.ix_(rows, cols)]
            for r, i in enumerate(rows):
                c = int(np.argmax(block[r]))
                if block[r, c] >= MUTUAL_THRESHOLD and int(np.argmax(block[:, c])) == r:
                    links.append((min(i, cols[c]), max(i, cols[c])))
    return links


def _lowest_thresholds(threshold: float | None, anchors: list[set[str]] | None) -> np.ndarray | float:
    """Per pair, the lowest score at which a link rule of :func:`_links` (with embeddings) or
    :func:`_anchored_links` can take it: a pair below it changes no link, whatever its score."""
    lowest = min(threshold if threshold is not None else EMBEDDING_THRESHOLD, MUTUAL_THRESHOLD)
    if anchors is None:
        return lowest
    shared_event = np.array([[bool(a & b) for b in anchors] for a in anchors], dtype=bool)
    return np.where(shared_event, min(lowest, ANCHORED_THRESHOLD), lowest)


def align_claims(claims: Sequence[Claim], stories: Sequence[Story], threshold: float | None = None,
                 embed: Embedder | None = None, events: Sequence[Event] = ()) -> list[Claim]:
    """Merge claims that state the same proposition in different articles of one story.

    ``events`` (merged across articles) anchor claims: two claims whose sentences report
    one merged event are linked at a lower score (``ANCHORED_THRESHOLD``) when each is the
    other's best match among such claims."""
    story_of: dict[str, str] = {a: s.id for s in stories for a in s.article_ids}
    by_story: dict[str, list[Claim]] = {}
    for claim in claims:
        article_id = claim.evidence[0].article_id if claim.evidence else ""
        by_story.setdefault(story_of.get(article_id, article_id), []).append(claim)

    merged: list[Claim] = []
    for story_id in sorted(by_story):
        group = by_story[story_id]
        linked = MinRootGroups(range(len(group)))
        if len(group) > 1:
            anchors = _event_anchors(group, events) if events else None
            scores = pair_scores(group, embed, _lowest_thresholds(threshold, anchors) if embed else None)
            links = _links(group, scores, embed, threshold)
            if anchors is not None:
                links += _anchored_links(group, scores, anchors)
        opposed: list[tuple[int, int, float]] = []
        if len(group) > 1:
            for i, j in links:
                if group[i].negated == group[j].negated:
                    linked.union(i, j)
                elif not (group[i].hedged or group[j].hedged) and scores[i, j] >= CONTRADICTION_THRESHOLD \
                        and not (group[i].attributed_to and group[i].attributed_to == group[j].attributed_to) \
                        and negation_count(group[i].text) != negation_count(group[j].text) \
                        and negates_shared_words(*((group[i], group[j]) if group[i].negated else (group[j], group[i]))):
                    # the two texts must differ by a negation (the same words parsed two ways, "you don't
                    # have discretion", are one claim), and the negation must bear on what both say
                    opposed.append((i, j, float(scores[i, j])))
        out_of: dict[int, Claim] = {}
        for root, members in linked.groups().items():
            if len(members) == 1:
                claim = group[root]
                claim.relations = []
            else:
                first = group[root]
                claim = Claim(
                    id=record_id("claim", *sorted(group[m].id for m in members)),
                    text=first.text,
                    attributed_to=next((group[m].attributed_to for m in members if group[m].attributed_to), None),
                    evidence=[e for m in members for e in group[m].evidence],
                    outlets=sorted({o for m in members for o in group[m].outlets}),
                    negated=first.negated,
                    hedged=all(group[m].hedged for m in members),
                    confidence=min((group[m].confidence for m in members if group[m].confidence is not None),
                                   default=None),
                )
                # each other article carries it as sure as its best link into the group
                for m in members:
                    if m == root or not group[m].evidence:
                        continue
                    best = max(float(scores[m, k]) for k in members if k != m)
                    evidence = group[m].evidence[0]
                    if evidence.article_id == first.evidence[0].article_id:
                        continue
                    claim.relations.append(ClaimRelation(evidence.article_id, None, "supports", best, evidence,
                                                         speaker=group[m].attributed_to,
                                                         confidence=alignment_confidence(best)))
            for m in members:
                out_of[m] = claim
            merged.append(claim)
        for i, j, score in opposed:
            _add_contradiction(out_of[i], group[j], score)
            _add_contradiction(out_of[j], group[i], score)
    return merged


def _add_contradiction(claim: Claim, other: Claim, score: float) -> None:
    """Record that ``other`` (a claim of another article) asserts the opposite of ``claim``."""
    if not other.evidence or other is claim:
        return
    evidence = other.evidence[0]
    if any(e.article_id == evidence.article_id for e in claim.evidence):
        return  # that article carries the claim itself: it supports it
    for relation in claim.relations:
        if relation.article_id == evidence.article_id:
            if relation.score >= score:
                return
            claim.relations.remove(relation)
            break
    claim.relations.append(ClaimRelation(evidence.article_id, None, "contradicts", score, evidence,
                                         speaker=other.attributed_to, confidence=alignment_confidence(score)))


def alignment_confidence(score: float) -> float:
    """How sure a relation found by alignment is: its score rescaled from 0.5 at the lowest score that
    links (``MUTUAL_THRESHOLD``) to 1.0 at a score of 1 (see docs/CONFIDENCE.md)."""
    return round(min(1.0, 0.5 + max(0.0, score - MUTUAL_THRESHOLD) / (2 * (1.0 - MUTUAL_THRESHOLD))), 3)


def claim_confidence(claim: Claim) -> float:
    """How sure the claim's status is (docs/CONFIDENCE.md): contradicted -- its surest contradiction;
    corroborated -- the second surest support from another outlet (two are needed); single source --
    one minus the surest doubt (an article of another outlet discussing it without a stance)."""
    def sure(relation: ClaimRelation) -> float:
        return relation.confidence if relation.confidence is not None else 0.5

    if claim.status == "contradicted":
        return max((sure(r) for r in claim.relations if r.stance == "contradicts"), default=0.5)
    if claim.status == "corroborated":
        by_outlet: dict[str, float] = {}
        for r in claim.relations:
            if r.stance == "supports":
                key = r.outlet or r.article_id
                by_outlet[key] = max(by_outlet.get(key, 0.0), sure(r))
        ranked = sorted(by_outlet.values(), reverse=True)
        return round(ranked[1] if len(ranked) > 1 else ranked[0] if ranked else 0.5, 3)
    own = {e.article_id for e in claim.evidence}
    doubts = [sure(r) for r in claim.relations if r.stance == "discusses" and r.article_id not in own]
    return round(1.0 - 0.5 * max(doubts, default=0.0), 3)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of stored ``text`` (no Doc): the one shared splitter
    (:func:`crossread.sentences.sentence_spans`)."""
    return shared_sentence_spans(text)


@lru_cache(maxsize=256)
def _sentence_words(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """(start, end, content words) of each sentence, once per article (every claim of its story asks)."""
    return tuple((s, e, frozenset(_content_words(text[s:e]))) for s, e in sentence_spans(text))


def _best_sentence(claim_text: str, article: Article) -> tuple[Evidence | None, float]:
    """The article's sentence sharing most of the claim's content words, and that share."""
    words = _content_words(claim_text)
    best, best_overlap = None, 0.0
    for start, end, sentence_words in _sentence_words(article.text):
        overlap = len(words & sentence_words) / len(words) if words else 0.0
        if overlap > best_overlap:
            best, best_overlap = (start, end), overlap
    if best is None:
        return None, 0.0
    return Evidence(article.id, best[0], best[1], article.text[best[0]:best[1]]), best_overlap


def claim_relations(claim: Claim, story_articles: Sequence[Article],
                    speakers: Mapping[tuple[str, int, int], str | None] | None = None) -> list[ClaimRelation]:
    """The stance of every article of the claim's story towards ``claim`` (see the module docstring).

    The ``contradicts`` relations alignment found (:func:`align_claims`) are kept; ``speakers``
    maps a claim span (article id, start, end) to the actor making it."""
    from crossread.analyze.stance import classify_stance

    known = {r.article_id: r for r in claim.relations if r.stance in ("supports", "contradicts")}
    relations = []
    for article in story_articles:
        own = [e for e in claim.evidence if e.article_id == article.id]
        if own and article.id not in known:
            speaker = (speakers or {}).get((article.id, own[0].start, own[0].end), claim.attributed_to)
            relations.append(ClaimRelation(article.id, article.outlet, "supports", 1.0, own[0], speaker=speaker,
                                           confidence=1.0))
            continue
        if article.id in known:
            relation = known[article.id]
            relation.outlet = article.outlet
            relations.append(relation)
            continue
        label, confidence = classify_stance(claim.text, article.text)
        evidence, _overlap = _best_sentence(claim.text, article)
        if label == "agree" and evidence is not None:
            stance = "supports"
        elif label == "unrelated" or evidence is None:
            stance, evidence = "unrelated", None
        else:
            # refutation cues alone are too common in news to contradict a claim ("disagree")
            stance = "discusses"
        relations.append(ClaimRelation(article.id, article.outlet, stance, float(confidence), evidence,
                                       confidence=round(float(confidence), 3)))
    return relations


def add_relations(claims: Sequence[Claim], stories: Sequence[Story], articles: Mapping[str, Article],
                  speakers: Mapping[tuple[str, int, int], str | None] | None = None) -> None:
    """Fill ``relations`` of every claim from the articles of its story (in story order); ``speakers``:
    who makes each claim span, as extracted (:func:`claim_speakers` of the claims before alignment)."""
    members = {a: s.article_ids for s in stories for a in s.article_ids}
    for claim in claims:
        first = claim.evidence[0].article_id if claim.evidence else None
        ids = members.get(first, [first] if first else [])
        claim.relations = claim_relations(claim, [articles[i] for i in ids if i in articles], speakers)
        # a sentence found to state the claim is evidence of the claim too (never one stating its negation)
        for relation in claim.relations:
            if relation.stance == "supports" and relation.evidence is not None \
                    and relation.evidence not in claim.evidence:
                claim.evidence.append(relation.evidence)


def claim_speakers(claims: Sequence[Claim]) -> dict[tuple[str, int, int], str | None]:
    """(article id, start, end) of every claim span -> the actor it is attributed to."""
    return {(e.article_id, e.start, e.end): c.attributed_to for c in claims for e in c.evidence}
