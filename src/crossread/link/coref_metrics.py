"""Coreference scores: MUC, B-cubed, CEAF-e and the CoNLL F1 (their mean).

Standard definitions (Vilain et al. 1995; Bagga & Baldwin 1998; Luo 2005;
Pradhan et al. 2014, "Scoring coreference partitions of predicted mentions").
Clusters are iterables of hashable mention ids; key = gold, response = system.
Singletons count where they are given (B-cubed and CEAF-e score them, MUC cannot,
having no links).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

Clusters = Sequence[Iterable[Hashable]]


def _sets(clusters: Clusters) -> list[frozenset]:
    return [frozenset(c) for c in clusters if c]


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _muc_side(key: list[frozenset], response: list[frozenset]) -> tuple[int, int]:
    where = {m: i for i, c in enumerate(response) for m in c}
    num = den = 0
    for cluster in key:
        # partitions of the cluster by the response; a mention the response lacks is its own part
        parts = {where.get(m, ("missing", m)) for m in cluster}
        num += len(cluster) - len(parts)
        den += len(cluster) - 1
    return num, den


def muc(key: Clusters, response: Clusters) -> tuple[float, float, float]:
    """MUC precision, recall, F1 (link based)."""
    k, r = _sets(key), _sets(response)
    rn, rd = _muc_side(k, r)
    pn, pd = _muc_side(r, k)
    recall = rn / rd if rd else 0.0
    precision = pn / pd if pd else 0.0
    return precision, recall, _f(precision, recall)


def _b3_side(key: list[frozenset], response: list[frozenset]) -> float:
    where = {m: c for c in response for m in c}
    total, n = 0.0, 0
    for cluster in key:
        for m in cluster:
            n += 1
            other = where.get(m)
            if other is not None:
                total += len(cluster & other) / len(cluster)
    return total / n if n else 0.0


def b_cubed(key: Clusters, response: Clusters) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 (mention based)."""
    k, r = _sets(key), _sets(response)
    recall = _b3_side(k, r)
    precision = _b3_side(r, k)
    return precision, recall, _f(precision, recall)


def ceaf_e(key: Clusters, response: Clusters) -> tuple[float, float, float]:
    """Entity-based CEAF (phi4 similarity, optimal one-to-one alignment)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    k, r = _sets(key), _sets(response)
    if not k or not r:
        return 0.0, 0.0, 0.0
    where = {}
    for j, c in enumerate(r):
        for m in c:
            where[m] = j
    sim = np.zeros((len(k), len(r)))
    for i, c in enumerate(k):
        for j in {where[m] for m in c if m in where}:
            sim[i, j] = 2 * len(c & r[j]) / (len(c) + len(r[j]))
    rows, cols = linear_sum_assignment(-sim)
    total = float(sim[rows, cols].sum())
    recall, precision = total / len(k), total / len(r)
    return precision, recall, _f(precision, recall)


def conll_scores(key: Clusters, response: Clusters) -> dict[str, float]:
    """All three metrics (p, r, f1 each) and ``conll_f1`` = mean of the three F1s."""
    out: dict[str, float] = {}
    for name, fn in (("muc", muc), ("b3", b_cubed), ("ceafe", ceaf_e)):
        p, r, f = fn(key, response)
        out[f"{name}_p"], out[f"{name}_r"], out[f"{name}_f1"] = p, r, f
    out["conll_f1"] = (out["muc_f1"] + out["b3_f1"] + out["ceafe_f1"]) / 3
    return out


__all__ = ["muc", "b_cubed", "ceaf_e", "conll_scores"]
