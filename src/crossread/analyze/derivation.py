"""Text reuse between articles: who copied whom.

Method (after passim, Smith et al. 2014, "Detecting and modeling local text reuse"):
1. candidate pairs from shared word n-grams (an inverted index of hashed 5-grams;
   n-grams found in too many articles are boilerplate and ignored), so cost grows
   with the number of shared n-grams, not with the square of the corpus;
2. local alignment of each candidate pair: matching n-gram positions are chained
   along alignment diagonals, allowing small gaps (edits), into passages;
   Quoted speech is left out of the n-grams: independent reports share quotes.
3. the share of each article covered by aligned passages decides the kind
   (``copy`` when nearly all of both, ``partial`` when a real part of either);
4. the direction comes from publication dates when known, else from coverage (the
   article mostly contained in the other is the derived one).

Paraphrase-level reuse (rewrites that break every n-gram: machine rewrites, heavy
copy-editing) is found by sentence alignment with embeddings, as in the sentence
alignment of comparable corpora: within each story (or, without stories, among each
article's nearest neighbours by mean sentence vector), each sentence of one article
is matched to its most similar sentence of the other by MiniLM cosine; mutual best
matches at or above ``PARAPHRASE_COSINE`` are aligned, quoted speech left out. When
aligned sentences cover at least ``PARAPHRASE_COVERAGE`` of the shorter article's
sentences (and at least ``PARAPHRASE_MIN_SENTENCES``) the pair is a ``paraphrase``.
The thresholds keep independent reports of one event (BASIL triplets) apart.

Only sentences that can be aligned are embedded. A sentence pair reaches cosine 0.85
only when the two sentences share words: measured on every cross-article sentence pair
at cosine >= 0.85 of BASIL's stories (117 pairs), ECB+'s same-event documents (3,008) and
the synthetic benchmark's derived pairs (6,609), the Jaccard similarity of their word
stems (:func:`stems`) is never below 0.136 (BASIL: 0.176; ECB+'s lowest are headlines
against a lead sentence; claims of BASIL at cosine >= 0.85: 0.212). Pairs below
``PARAPHRASE_MIN_JACCARD`` = 0.125 are therefore taken as below ``PARAPHRASE_COSINE``
without their cosine. (At cosine >= 0.80 the lexical floor vanishes, so the margin is
in Jaccard, not in cosine.) Then:

* a pair of articles is compared only when the lexically possible sentence pairs
  contain a matching (each sentence used once, as mutual best matches are) large
  enough for the coverage; pairs already found by n-gram alignment are skipped;
* with a two-stage embedder (``crossread.nlp.embeddings.TwoStageEmbedder``, the default for this
  stage) a lexically possible pair whose static-encoder cosine is more than ``PREFILTER_MARGIN`` below
  ``PARAPHRASE_COSINE`` is dropped too, before MiniLM (measured: same derivations on BASIL, same
  synthetic scores, 1,896 fewer MiniLM texts on BASIL);
* in a compared pair only sentences with a lexically possible partner are embedded,
  and only lexically possible pairs can be aligned. When every pair at cosine >= 0.85
  is lexically possible (as in all data measured), this changes nothing: a sentence's
  best match at >= 0.85 is among its possible partners, and one below 0.85 aligns
  nothing either way.

On BASIL (258 article pairs in 78 stories) 116 pairs are compared and 2,209 of 5,829
sentences embedded (before: all), with the same derivations; the synthetic benchmark's
results are unchanged. Without stories every
sentence is embedded to find the nearest neighbours (unless an article has at most
``PARAPHRASE_NEIGHBOURS`` others, which are then all its neighbours).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from crossread.nlp.embeddings import prune_pairs
from crossread.records import Article, Derivation, Passage, Story

Embedder = Callable[[list[str]], np.ndarray]

WORD = re.compile(r"\w+", re.UNICODE)
QUOTED = re.compile(r"[\"“„«][^\"“”„«»\n]*[\"”»]")

NGRAM = 5
MAX_NGRAM_DOCS = 50  # an n-gram in more articles than this is boilerplate, not reuse
MIN_SHARED_NGRAMS = 3
MAX_GAP = 12  # tokens of edits allowed inside one passage
MIN_PASSAGE_TOKENS = 10
COPY_COVERAGE = 0.8
MIN_PARTIAL_COVERAGE = 0.15
MIN_PARTIAL_TOKENS = 40
PARAPHRASE_COSINE = 0.85
PARAPHRASE_COVERAGE = 0.5
PARAPHRASE_MIN_SENTENCES = 3
PARAPHRASE_MIN_WORDS = 6  # shorter sentences (datelines, captions) align by accident
PARAPHRASE_NEIGHBOURS = 5  # candidates per article when no stories are given
PARAPHRASE_MIN_JACCARD = 0.125  # word-stem Jaccard below which no measured pair reached cosine 0.85
STEM = 5  # letters of a word kept as its stem
# left out of stems (the same list as claims.STOP)
FUNCTION_WORDS = frozenset("the a an of to in on and or that this is was were be has have had for with by as at "
                           "it its their his her from which who".split())


@dataclass
class _Tokens:
    words: list[str]
    starts: list[int]
    ends: list[int]
    quoted: list[bool]


def _tokenise(text: str) -> _Tokens:
    quoted_spans = [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    words, starts, ends, quoted = [], [], [], []
    q = 0
    for m in WORD.finditer(text):
        while q < len(quoted_spans) and quoted_spans[q][1] <= m.start():
            q += 1
        words.append(m.group().lower())
        starts.append(m.start())
        ends.append(m.end())
        quoted.append(q < len(quoted_spans) and quoted_spans[q][0] <= m.start())
    return _Tokens(words, starts, ends, quoted)


def _ngrams(tokens: _Tokens) -> dict[int, list[int]]:
    """Hashed n-grams -> positions, leaving out quoted speech: independent reports
    carry the same quotes, and sharing a quote is not copying."""
    grams: dict[int, list[int]] = defaultdict(list)
    for i in range(len(tokens.words) - NGRAM + 1):
        if any(tokens.quoted[i : i + NGRAM]):
            continue
        grams[hash(tuple(tokens.words[i : i + NGRAM]))].append(i)
    return grams


def _align(a: _Tokens, grams_a: dict[int, list[int]], b: _Tokens, grams_b: dict[int, list[int]]) -> list[tuple[int, int, int, int]]:
    """Passages as token ranges (a_start, a_end, b_start, b_end), chained along diagonals."""
    matches = []
    for gram, positions_a in grams_a.items():
        positions_b = grams_b.get(gram)
        if not positions_b or len(positions_a) * len(positions_b) > 25:
            continue  # repeated phrases inside one article give no alignment signal
        matches.extend((i, j) for i in positions_a for j in positions_b)
    if not matches:
        return []
    matches.sort()
    passages: list[list[int]] = []  # [a_start, a_end, b_start, b_end]
    for i, j in matches:
        for p in reversed(passages[-8:]):
            # extend a passage when this match continues it (both sides move forward by a small gap)
            if 0 <= i - p[1] + NGRAM <= MAX_GAP + NGRAM and 0 <= j - p[3] + NGRAM <= MAX_GAP + NGRAM and j >= p[2]:
                p[1] = max(p[1], i + NGRAM)
                p[3] = max(p[3], j + NGRAM)
                break
        else:
            passages.append([i, i + NGRAM, j, j + NGRAM])
    return [tuple(p) for p in passages if p[1] - p[0] >= MIN_PASSAGE_TOKENS]  # type: ignore[misc]


def _coverage(ranges: list[tuple[int, int]], total: int) -> float:
    if total == 0:
        return 0.0
    covered = 0
    last_end = -1
    for start, end in sorted(ranges):
        start = max(start, last_end)
        if end > start:
            covered += end - start
            last_end = end
    return covered / total


def detect_derivations(articles: Sequence[Article], embed: Embedder | None = None,
                       stories: Sequence[Story] | None = None) -> list[Derivation]:
    """Pairs of articles where one reuses the other's text (only pairs judged derived):
    verbatim/near-verbatim reuse by n-gram alignment, then, with ``embed``, paraphrase."""
    found = detect_text_reuse(articles)
    if embed is not None:
        done = {frozenset((d.source_article, d.derived_article)) for d in found}
        found += detect_paraphrases(articles, embed, stories, skip=done)
    return found


def detect_text_reuse(articles: Sequence[Article]) -> list[Derivation]:
    """Verbatim and near-verbatim reuse (passim-style n-gram candidates + local alignment)."""
    tokens = {a.id: _tokenise(a.text) for a in articles}
    grams = {a.id: _ngrams(tokens[a.id]) for a in articles}
    index: dict[int, list[str]] = defaultdict(list)
    for article_id, article_grams in grams.items():
        for gram in article_grams:
            index[gram].append(article_id)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for ids in index.values():
        if 1 < len(ids) <= MAX_NGRAM_DOCS:
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    shared[tuple(sorted((ids[x], ids[y])))] += 1  # type: ignore[index]

    by_id = {a.id: a for a in articles}
    found = []
    for (id_a, id_b), count in sorted(shared.items()):
        if count < MIN_SHARED_NGRAMS:
            continue
        a, b = by_id[id_a], by_id[id_b]
        spans = _align(tokens[id_a], grams[id_a], tokens[id_b], grams[id_b])
        if not spans:
            continue
        cov_a = _coverage([(s[0], s[1]) for s in spans], len(tokens[id_a].words))
        cov_b = _coverage([(s[2], s[3]) for s in spans], len(tokens[id_b].words))
        source, derived, flipped = _direction(a, b, cov_a, cov_b)
        cov_derived, cov_source = (cov_b, cov_a) if not flipped else (cov_a, cov_b)
        aligned_tokens = sum(s[1] - s[0] for s in spans)
        if cov_derived >= COPY_COVERAGE and cov_source >= COPY_COVERAGE:
            kind = "copy"
        elif cov_derived >= MIN_PARTIAL_COVERAGE or aligned_tokens >= MIN_PARTIAL_TOKENS:
            kind = "partial"
        else:
            continue
        passages = []
        for sa, ea, sb, eb in spans:
            ta, tb = tokens[id_a], tokens[id_b]
            pa = (ta.starts[sa], ta.ends[ea - 1])
            pb = (tb.starts[sb], tb.ends[eb - 1])
            src, der = (pa, pb) if not flipped else (pb, pa)
            passages.append(Passage(src[0], src[1], der[0], der[1], by_id[source].text[src[0] : src[1]]))
        found.append(Derivation(source, derived, kind, round(cov_derived, 4), passages))
    return found


def _direction(a: Article, b: Article, cov_a: float, cov_b: float) -> tuple[str, str, bool]:
    """(source id, derived id, flipped) where flipped means a is the derived article."""
    if a.published and b.published and a.published != b.published:
        return (a.id, b.id, False) if a.published < b.published else (b.id, a.id, True)
    # Undated: the article more fully contained in the other is the derived one.
    if cov_a > cov_b:
        return b.id, a.id, True
    return a.id, b.id, False


def stems(text: str) -> frozenset[str]:
    """Word stems of ``text`` for bounding MiniLM cosines: the first ``STEM`` letters of each
    word of three or more letters, a few English function words left out."""
    return frozenset(w[:STEM] for w in WORD.findall(text.lower()) if len(w) > 2 and w not in FUNCTION_WORDS)


def lexically_possible(a: Sequence[frozenset[str]], b: Sequence[frozenset[str]]) -> np.ndarray:
    """(len(a), len(b)) booleans: pairs whose stem Jaccard reaches ``PARAPHRASE_MIN_JACCARD``,
    the only pairs that can reach cosine ``PARAPHRASE_COSINE`` (see the module docstring).
    A text without stems cannot be bounded: its pairs are possible."""
    vocabulary = {w: k for k, w in enumerate(set().union(*a, *b))}
    def matrix(sets: Sequence[frozenset[str]]) -> np.ndarray:
        m = np.zeros((len(sets), len(vocabulary)), dtype=np.float64)
        for row, words in enumerate(sets):
            m[row, [vocabulary[w] for w in words]] = 1.0
        return m
    ma, mb = matrix(a), matrix(b)
    shared = ma @ mb.T
    size_a, size_b = ma.sum(axis=1), mb.sum(axis=1)
    union = size_a[:, None] + size_b[None, :] - shared
    empty = (size_a[:, None] == 0) | (size_b[None, :] == 0)
    return empty | (shared >= PARAPHRASE_MIN_JACCARD * union)


@dataclass
class _Sentences:
    spans: list[tuple[int, int]]
    stems: list[frozenset[str]]
    vectors: np.ndarray | None = None  # (len(spans), dim); rows of sentences not embedded are 0
    embedded: np.ndarray | None = None  # which rows hold a vector


def _paraphrase_sentences(article: Article) -> _Sentences:
    """The sentences of ``article`` that take part in paraphrase alignment (no vectors yet)."""
    from crossread.analyze.claims import sentence_spans

    spans = []
    for start, end in sentence_spans(article.text):
        text = article.text[start:end]
        unquoted = QUOTED.sub(" ", text)
        if len(WORD.findall(unquoted)) >= PARAPHRASE_MIN_WORDS and len(unquoted) >= 0.5 * len(text):
            spans.append((start, end))
    return _Sentences(spans, [stems(article.text[s:e]) for s, e in spans])


def _embed_rows(wanted: Sequence[tuple[Article, _Sentences, Iterable[int]]], embed: Embedder) -> None:
    """Give the sentences ``rows`` of each (article, sentences, rows) their vectors, in one
    call (fuller batches of similar length than a call per article)."""
    todo = []
    for article, sents, rows in wanted:
        if sents.embedded is None:
            sents.embedded = np.zeros(len(sents.spans), dtype=bool)
        todo += [(article, sents, r) for r in sorted(set(rows)) if not sents.embedded[r]]
    if not todo:
        return
    vectors = np.asarray(embed([article.text[slice(*sents.spans[r])] for article, sents, r in todo]),
                         dtype=np.float32)
    for (article, sents, r), vector in zip(todo, vectors):
        if sents.vectors is None:
            sents.vectors = np.zeros((len(sents.spans), len(vector)), dtype=np.float32)
        sents.vectors[r] = vector
        sents.embedded[r] = True  # type: ignore[index]


def _enough(aligned: int, shorter: int) -> bool:
    return aligned >= PARAPHRASE_MIN_SENTENCES and aligned >= PARAPHRASE_COVERAGE * shorter


def _max_matching(possible: np.ndarray) -> int:
    """The most sentence pairs that can be aligned at once (each sentence in one pair)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    if not possible.any():
        return 0
    return int((maximum_bipartite_matching(csr_matrix(possible), perm_type="column") >= 0).sum())


def _candidate_pairs(articles: Sequence[Article], sents: dict[str, _Sentences],
                     stories: Sequence[Story] | None, embed: Embedder) -> list[tuple[str, str]]:
    ids = [a.id for a in articles if len(sents[a.id].spans) >= PARAPHRASE_MIN_SENTENCES]
    if stories is not None:
        keep = set(ids)
        pairs = set()
        for story in stories:
            members = [a for a in story.article_ids if a in keep]
            pairs.update((min(x, y), max(x, y)) for i, x in enumerate(members) for y in members[i + 1:])
        return sorted(pairs)
    if len(ids) < 2:
        return []
    if len(ids) - 1 <= PARAPHRASE_NEIGHBOURS:  # every other article is among the nearest: no vectors needed
        return sorted((min(x, y), max(x, y)) for i, x in enumerate(ids) for y in ids[i + 1:])
    by_id = {a.id: a for a in articles}
    _embed_rows([(by_id[i], sents[i], range(len(sents[i].spans))) for i in ids], embed)
    means = np.stack([sents[i].vectors.mean(axis=0) for i in ids])  # type: ignore[union-attr]
    means /= np.linalg.norm(means, axis=1, keepdims=True) + 1e-9
    sims = means @ means.T
    np.fill_diagonal(sims, -1.0)
    k = min(PARAPHRASE_NEIGHBOURS, len(ids) - 1)
    pairs = set()
    for row, article_id in enumerate(ids):
        for col in np.argpartition(-sims[row], k - 1)[:k]:
            pairs.add((min(article_id, ids[col]), max(article_id, ids[col])))
    return sorted(pairs)


def _sentence_texts(article: Article, sents: _Sentences) -> list[str]:
    return [article.text[slice(*span)] for span in sents.spans]


def detect_paraphrases(articles: Sequence[Article], embed: Embedder, stories: Sequence[Story] | None = None,
                       skip: Collection[frozenset[str]] = ()) -> list[Derivation]:
    """Paraphrase-level reuse by embedding sentence alignment (see the module docstring).
    Pairs in ``skip`` (article id pairs, e.g. already found by n-gram alignment) are not compared."""
    by_id = {a.id: a for a in articles}
    sents = {a.id: _paraphrase_sentences(a) for a in articles}
    compared = []  # (id_a, id_b, lexically possible sentence pairs)
    for id_a, id_b in _candidate_pairs(articles, sents, stories, embed):
        if frozenset((id_a, id_b)) in skip:
            continue
        sa, sb = sents[id_a], sents[id_b]
        possible = prune_pairs(embed, _sentence_texts(by_id[id_a], sa), _sentence_texts(by_id[id_b], sb),
                               lexically_possible(sa.stems, sb.stems), PARAPHRASE_COSINE)
        if _enough(_max_matching(possible), min(len(sa.spans), len(sb.spans))):
            compared.append((id_a, id_b, possible))
    rows: dict[str, set[int]] = defaultdict(set)  # the sentences to embed, per article
    for id_a, id_b, possible in compared:
        rows[id_a].update(np.flatnonzero(possible.any(axis=1)).tolist())
        rows[id_b].update(np.flatnonzero(possible.any(axis=0)).tolist())
    _embed_rows([(a, sents[a.id], rows[a.id]) for a in articles if a.id in rows], embed)
    found = []
    for id_a, id_b, possible in compared:
        sa, sb = sents[id_a], sents[id_b]
        sims = np.where(possible, sa.vectors @ sb.vectors.T, -2.0)  # type: ignore[union-attr]
        best_b, best_a = sims.argmax(axis=1), sims.argmax(axis=0)
        aligned = [(i, int(j)) for i, j in enumerate(best_b)
                   if sims[i, j] >= PARAPHRASE_COSINE and best_a[j] == i]
        shorter = min(len(sa.spans), len(sb.spans))
        if not _enough(len(aligned), shorter):
            continue
        cov_a, cov_b = len(aligned) / len(sa.spans), len(aligned) / len(sb.spans)
        source, derived, flipped = _direction(by_id[id_a], by_id[id_b], cov_a, cov_b)
        passages = []
        for i, j in aligned:
            (a0, a1), (b0, b1) = sa.spans[i], sb.spans[j]
            src, der = ((a0, a1), (b0, b1)) if not flipped else ((b0, b1), (a0, a1))
            passages.append(Passage(src[0], src[1], der[0], der[1], by_id[source].text[src[0]:src[1]]))
        score = len(aligned) / shorter
        found.append(Derivation(source, derived, "paraphrase", round(score, 4), passages))
    return found
