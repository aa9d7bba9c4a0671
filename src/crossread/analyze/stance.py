"""Claim-article stance: does an article agree with, deny, discuss, or not address a claim?

Labels as in FNC-1: ``agree``, ``disagree``, ``discuss``, ``unrelated``.

:func:`classify_stance` is the shipped, *unsupervised* scorer (no model trained on
FNC-1 ships: that data is research-only). It decides relatedness from the overlap of
the claim's content words and numbers with the body (and with its best-matching
sentence), then reads refutation cues (hoax, false, denied, debunked, ...) and hedging
cues (reportedly, allegedly, unconfirmed, ...) in the sentences that match the claim.
Its thresholds are set by hand. :func:`pair_features` is the feature set shared with
the supervised model that ``crossread eval stance`` trains in-process
(cf. the FNC-1 baseline and Riedel et al. 2017).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections.abc import Sequence

from crossread.sentences import sentences as split_sentences

LABELS = ("agree", "disagree", "discuss", "unrelated")

REFUTING = frozenset(
    "fake fraud hoax hoaxes false falsely deny denies denied denial denying not despite nope doubt doubts doubted "
    "bogus debunk debunks debunked debunking prank pranks retract retracts retracted retraction untrue myth "
    "fabricated fabrication satire satirical rumour-mill refute refutes refuted dismiss dismissed dismisses "
    "incorrect wrong misleading never no".split()
)
HEDGING = frozenset(
    "alleged allegedly reportedly reported reports apparently claim claims claimed claiming could may might "
    "possibly possible perhaps rumor rumors rumour rumours rumored unconfirmed unverified purportedly purported "
    "suggest suggests suggested speculation speculate speculated appears appear seems seem likely unclear "
    "supposedly believed according sources".split()
)
SUPPORT = frozenset("confirmed confirms confirm officially announced revealed shows showed proves proved indeed "
                    "verified footage photos".split())

_STOP = frozenset(
    "a an the of in on at to for by with from into as and or but is are was were be been being has have had do "
    "does did will would shall should can it its this that these those he she they we i you his her their our "
    "him them us who which what when where there than then so up out about after before over s says said say "
    "new just".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content(text: str) -> list[str]:
    return [_stem(t) for t in tokens(text) if t not in _STOP]


def sentences(body: str) -> list[str]:
    """The sentences of a body with no Doc: the one shared splitter (:mod:`crossread.sentences`)."""
    return split_sentences(body)


def _overlap(claim: set[str], other: set[str]) -> float:
    return len(claim & other) / len(claim) if claim else 0.0


def _cue_count(words: Sequence[str], cues: frozenset[str]) -> int:
    return sum(1 for w in words if w in cues)


FEATURE_NAMES = (
    "overlap", "jaccard", "bigram_overlap", "lead_overlap", "best_sent_overlap", "n_sent_matching",
    "number_overlap", "cap_overlap", "refute_claim", "refute_body", "refute_near", "hedge_claim", "hedge_body",
    "hedge_near", "support_near", "question_claim", "log_body_len", "quote_claim",
)


@lru_cache(maxsize=256)
def _body_profile(body: str) -> tuple:
    """What pair_features needs of a body, computed once per body (one body meets many claims)."""
    b_tokens = tokens(body)
    b_content = [_stem(t) for t in b_tokens if t not in _STOP]
    sents = sentences(body) or [body]
    return (b_tokens, set(b_content), set(zip(b_content, b_content[1:])), sents,
            [set(content(s)) for s in sents], set(content(" ".join(sents[:3]))), set(re.findall(r"\d+", body)),
            {w.lower() for w in re.findall(r"\b[A-Z][a-zA-Z]+", body)},
            _cue_count(b_tokens, REFUTING), _cue_count(b_tokens, HEDGING))


def pair_features(claim: str, body: str) -> list[float]:
    """Corpus-free features of one (claim, body) pair, named by :data:`FEATURE_NAMES`."""
    c_words = content(claim)
    c_set = set(c_words)
    b_tokens, b_set, b_bi, sents, sent_sets, lead, b_nums, b_caps, b_refute, b_hedge = _body_profile(body)
    c_bi = set(zip(c_words, c_words[1:]))
    sent_over = [_overlap(c_set, s) for s in sent_sets]
    best = max(sent_over) if sent_over else 0.0
    near_idx = [i for i, o in enumerate(sent_over) if o >= max(0.25, best * 0.6)]
    near_words = [w for i in near_idx for w in tokens(sents[i])]
    c_nums = set(re.findall(r"\d+", claim))
    c_caps = {w.lower() for w in re.findall(r"\b[A-Z][a-zA-Z]+", claim)[1:]}
    c_toks = tokens(claim)
    return [
        _overlap(c_set, b_set),
        len(c_set & b_set) / len(c_set | b_set) if c_set | b_set else 0.0,
        len(c_bi & b_bi) / len(c_bi) if c_bi else 0.0,
        _overlap(c_set, lead),
        best,
        sum(1 for o in sent_over if o >= 0.3) / math.sqrt(len(sents)),
        len(c_nums & b_nums) / len(c_nums) if c_nums else 0.5,
        len(c_caps & b_caps) / len(c_caps) if c_caps else 0.5,
        float(_cue_count(c_toks, REFUTING)),
        b_refute / max(1.0, len(b_tokens) / 100),
        float(_cue_count(near_words, REFUTING)),
        float(_cue_count(c_toks, HEDGING)),
        b_hedge / max(1.0, len(b_tokens) / 100),
        float(_cue_count(near_words, HEDGING)),
        float(_cue_count(near_words, SUPPORT)),
        float("?" in claim),
        math.log1p(len(b_tokens)),
        float(any(q in claim for q in "'\"‘’“”")),
    ]


# hand-set decision rules of the unsupervised scorer
RELATED_OVERLAP = 0.35  # share of the claim's content words found in the body
RELATED_BEST_SENT = 0.3  # ... or in its best-matching sentence


def classify_stance(claim: str, body: str) -> tuple[str, float]:
    """Stance of ``body`` towards ``claim``: (label, confidence in [0, 1]).

    Unsupervised and corpus-free: relatedness from content-word overlap, then
    refutation cues -> ``disagree``, hedging cues or weak support -> ``discuss``,
    strong matching with support cues and no hedging -> ``agree``.
    """
    f = dict(zip(FEATURE_NAMES, pair_features(claim, body)))
    rel = 0.6 * f["overlap"] + 0.4 * f["best_sent_overlap"]
    if f["overlap"] < RELATED_OVERLAP and f["best_sent_overlap"] < RELATED_BEST_SENT:
        return "unrelated", round(min(1.0, 0.5 + (RELATED_OVERLAP - rel)), 3)
    refute = f["refute_near"] + 0.5 * f["refute_body"] - 0.5 * f["refute_claim"]
    hedge = f["hedge_near"] + 0.5 * f["hedge_body"]
    if refute >= 2.0 and refute > hedge * 0.5:
        return "disagree", round(min(0.95, 0.4 + 0.1 * refute), 3)
    if f["lead_overlap"] >= 0.6 and f["best_sent_overlap"] >= 0.6 and hedge < 1.5 and f["hedge_claim"] == 0:
        return "agree", round(min(0.9, 0.4 + 0.4 * f["best_sent_overlap"] + 0.05 * f["support_near"]), 3)
    return "discuss", round(min(0.9, 0.4 + 0.05 * hedge + 0.2 * rel), 3)
