"""Score fusion of a lexical and a dense result list (rows -> scores)."""

from __future__ import annotations

FUSION_METHODS = ("weighted", "rrf")


def min_max(scores: dict[int, float]) -> dict[int, float]:
    """Scale scores to [0, 1] within one result list.

    Edge cases: an empty list stays empty; a single hit, or hits that all share one
    score, all get 1.0 (each is the best that list found). Otherwise the lowest hit
    gets 0.0, the same as a row the list did not return.

    Args:
        scores: row -> raw score.

    Returns:
        row -> scaled score.
    """
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi == lo:
        return dict.fromkeys(scores, 1.0)
    span = hi - lo
    return {row: (s - lo) / span for row, s in scores.items()}


def weighted_fusion(
    lexical: dict[int, float], dense: dict[int, float], alpha: float = 0.5
) -> dict[int, float]:
    """Convex combination of min-max normalized scores.

    A row missing from one list scores 0 on that side.

    Args:
        lexical: row -> BM25 score.
        dense: row -> cosine similarity.
        alpha: weight of the dense side in [0, 1]; the lexical side gets 1 - alpha.

    Returns:
        row -> fused score in [0, 1], for every row of either list.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    lex, den = min_max(lexical), min_max(dense)
    return {
        row: (1.0 - alpha) * lex.get(row, 0.0) + alpha * den.get(row, 0.0) for row in lex.keys() | den.keys()
    }


def reciprocal_rank_fusion(
    rankings: list[list[int]], k: int = 60, weights: list[float] | None = None
) -> dict[int, float]:
    """Reciprocal rank fusion: score(row) = sum_i w_i / (k + rank_i(row)), ranks from 1.

    Args:
        rankings: row ids per list, best first; a repeated row counts at its first rank.
        k: damping constant (60 in Cormack et al., 2009).
        weights: one weight per ranking (default 1.0 each).

    Returns:
        row -> fused score.
    """
    if k < 0:
        raise ValueError("k must be non-negative")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[int] = set()
        for rank, row in enumerate(ranking, start=1):
            if row in seen:
                continue
            seen.add(row)
            fused[row] = fused.get(row, 0.0) + weight / (k + rank)
    return fused


def _ranking(scores: dict[int, float]) -> list[int]:
    """Rows best first; ties by row id so fusion is deterministic."""
    return sorted(scores, key=lambda row: (-scores[row], row))


def fuse(
    method: str,
    lexical: dict[int, float],
    dense: dict[int, float],
    alpha: float = 0.5,
    rrf_k: int = 60,
) -> dict[int, float]:
    """Fuse two result lists with the named method.

    Args:
        method: "weighted" or "rrf".
        lexical: row -> BM25 score.
        dense: row -> cosine similarity.
        alpha: dense weight (lexical gets 1 - alpha); for "rrf" the rank weights, so
            0.5 is plain RRF up to a constant factor.
        rrf_k: RRF damping constant.

    Returns:
        row -> fused score.
    """
    if method == "weighted":
        return weighted_fusion(lexical, dense, alpha)
    if method == "rrf":
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        return reciprocal_rank_fusion([_ranking(lexical), _ranking(dense)], rrf_k, [1.0 - alpha, alpha])
    raise ValueError(f"unknown fusion method {method!r}; expected one of {FUSION_METHODS}")
