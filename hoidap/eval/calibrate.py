"""Calibrate the abstention thresholds of the answer layer on the DEV split (never on test).

`service.answer` abstains on free retrieval when the top clause covers less than MIN_COVERAGE of the
question's content words (IDF-weighted) *and* its cosine is below MIN_DENSE; MULTI_DOC_RATIO decides
when another document's hit also answers. This sweeps the three constants for the full (hybrid) system
(patched in memory; the source file is not touched) and prints the abstention-recall /
false-abstention trade-off and the setting with the best dev answer accuracy::

    python -m eval.calibrate [--gold FILE]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hoidap.eval.baselines import System
from hoidap.eval.gold import DEFAULT_GOLD_PATH
from hoidap.eval.metrics import summarize
from hoidap.eval.results import fmt
from hoidap.eval.runner import evaluate_item, load_items
from hoidap.indexer.search import SearchHit
from hoidap.service.answer import Answerer
from hoidap.service.qa import QAService
from hoidap.service.records import Searcher
from hoidap.settings import AnswerThresholds, Settings

PARAMS = ("min_coverage", "min_dense", "multi_doc_ratio")
OFF = 2.0  # a threshold no score reaches: the feature is switched off
COVERAGE_GRID = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, OFF)
DENSE_GRID = (0.8, 0.82, 0.84, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, OFF)
RATIO_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, OFF)


class CachedSearcher:
    """Memoizes searches (every grid point asks the same questions); other attributes are the inner
    searcher's, so the answer layer still finds e.g. its lexical index for IDF weights."""

    def __init__(self, inner: Searcher) -> None:
        self.inner = inner
        self._cache: dict[tuple[object, ...], list[SearchHit]] = {}

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def search(
        self, query: str, k: int = 10, doc_ids: list[str] | None = None, mode: str = "hybrid"
    ) -> list[SearchHit]:
        key = (query, k, tuple(doc_ids or ()), mode)
        if key not in self._cache:
            self._cache[key] = self.inner.search(query, k=k, doc_ids=doc_ids, mode=mode)
        return self._cache[key]


@dataclass
class Point:
    values: dict[str, float]
    accuracy: float
    abstention_recall: float
    false_abstention: float
    abstention_precision: float | None
    answerable: int = 0
    unanswerable: int = 0


def _grid(values: Sequence[float], current: float) -> list[float]:
    return sorted({*values, current})


def sweep(
    service: QAService, gold_path: Path | str = DEFAULT_GOLD_PATH
) -> tuple[list[Point], list[Point], dict[str, float]]:
    """Evaluate the hybrid system on the dev split.

    Stage 1 crosses MIN_COVERAGE x MIN_DENSE (the abstention pair) at the current MULTI_DOC_RATIO;
    stage 2 varies MULTI_DOC_RATIO at the best pair of stage 1.

    Returns:
        (stage-1 points, stage-2 points, current constants)
    """
    index = service.searcher
    docs = list(service.docs.values())
    items = load_items(gold_path, "dev", docs)
    system = System("hybrid", CachedSearcher(index), "hybrid")
    base = AnswerThresholds()
    current = {p: float(getattr(base, p)) for p in PARAMS}

    def point(values: dict[str, float]) -> Point:
        answerer = Answerer(docs, system.searcher, system.mode, base.model_copy(update=values))
        m = summarize([evaluate_item(answerer, system, item) for item in items])
        return Point(
            values,
            m["accuracy"],
            m["abstention_recall"],
            m["false_abstention"],
            m["abstention_precision"],
            m["answerable"],
            m["items"] - m["answerable"],
        )

    pairs = itertools.product(
        _grid(COVERAGE_GRID, current["min_coverage"]), _grid(DENSE_GRID, current["min_dense"])
    )
    ratio = current["multi_doc_ratio"]
    stage1 = [point({"min_coverage": c, "min_dense": d, "multi_doc_ratio": ratio}) for c, d in pairs]
    best = choose(stage1, current).values
    stage2 = [point({**best, "multi_doc_ratio": r}) for r in _grid(RATIO_GRID, ratio)]
    return stage1, stage2, current


def pareto(points: Sequence[Point], current: dict[str, float]) -> list[Point]:
    """Points no other point beats on both abstention recall and false abstention.

    Settings with the same trade-off are represented by the one `choose` prefers.
    """
    groups: dict[tuple[float, float], list[Point]] = {}
    for p in points:
        groups.setdefault((p.abstention_recall, p.false_abstention), []).append(p)
    front = [
        choose(group, current)
        for (recall, false), group in groups.items()
        if not any(r >= recall and f <= false and (r, f) != (recall, false) for r, f in groups)
    ]
    return sorted(front, key=lambda p: (p.false_abstention, p.abstention_recall))


def choose(points: Sequence[Point], current: dict[str, float]) -> Point:
    """Best dev accuracy; ties go to higher abstention recall (answering without grounds is the worse
    error), then fewer false abstentions, then the setting nearest the current one."""

    def distance(p: Point) -> float:
        return sum(abs(p.values[k] - current[k]) for k in PARAMS)

    return max(points, key=lambda p: (p.accuracy, p.abstention_recall, -p.false_abstention, -distance(p)))


def _show(values: dict[str, float]) -> str:
    return "  ".join(f"{k}={'off' if v >= OFF else v}" for k, v in values.items())


def _row(p: Point) -> str:
    return (
        f"  acc {fmt(p.accuracy):>5}  abst.recall {fmt(p.abstention_recall):>5}  "
        f"false abst. {fmt(p.false_abstention):>5}  abst.prec {fmt(p.abstention_precision):>5}   "
        + _show(p.values)
    )


def matrix(points: Sequence[Point]) -> str:
    """Stage-1 grid as text: rows MIN_COVERAGE, columns MIN_DENSE, cells accuracy/abst.recall/false abst."""
    by = {(p.values["min_coverage"], p.values["min_dense"]): p for p in points}
    rows = sorted({c for c, _ in by})
    cols = sorted({d for _, d in by})

    def name(v: float) -> str:
        return "off" if v >= OFF else f"{v:g}"

    def cell(p: Point) -> str:
        return "/".join(f"{round(100 * v):d}" for v in (p.accuracy, p.abstention_recall, p.false_abstention))

    lines = ["cov\\dense " + "".join(f"{name(d):>12}" for d in cols)]
    lines += [f"{name(c):>10} " + "".join(f"{cell(by[c, d]):>12}" for d in cols) for c in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hoidap.eval.calibrate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--gold", default=str(DEFAULT_GOLD_PATH))
    args = parser.parse_args(argv)
    stage1, stage2, current = sweep(QAService.open(Settings()), args.gold)
    now = next(p for p in stage1 if p.values == current)
    print(
        f"dev split, hybrid system, {len(stage1) + len(stage2)} settings (rates in %); "
        f"{now.answerable} answerable and {now.unanswerable} unanswerable items: one item moves "
        f"false abstention by {100 / max(now.answerable, 1):.1f} and abstention recall by "
        f"{100 / max(now.unanswerable, 1):.1f} points"
    )
    print("current setting:")
    print(_row(now))
    print("grid (accuracy/abstention recall/false abstention):")
    print(matrix(stage1))
    print("MIN_COVERAGE x MIN_DENSE trade-off (Pareto front of abstention recall vs false abstention):")
    for p in pareto(stage1, current):
        print(_row(p))
    print("MULTI_DOC_RATIO at the best pair:")
    for p in stage2:
        print(_row(p))
    print("best dev accuracy:")
    print(_row(choose(stage1 + stage2, current)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
