"""Evaluation results and the rows shared by the console table and the written report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hoidap.eval.metrics import ItemResult


@dataclass
class SystemResult:
    name: str
    label: str
    items: list[ItemResult]
    metrics: dict[str, Any]


@dataclass
class EvalResults:
    gold_path: str
    split: str
    corpus: dict[str, int]
    systems: dict[str, SystemResult] = field(default_factory=dict)

    def to_dict(self, with_items: bool = False) -> dict[str, Any]:
        return {
            "gold": self.gold_path,
            "split": self.split,
            "corpus": self.corpus,
            "systems": {
                name: {"label": s.label, "metrics": s.metrics}
                | ({"items": [r.to_dict() for r in s.items]} if with_items else {})
                for name, s in self.systems.items()
            },
        }


def fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.1f}" if pct else f"{value:.1f}"


def metric_rows(results: EvalResults) -> list[tuple[str, list[str]]]:
    """(label, one cell per system) rows shared by the console table and the report."""
    systems = list(results.systems.values())
    types = list(dict.fromkeys(t for s in systems for t in s.metrics["count_by_type"]))

    def row(label: str, key: str, pct: bool = True) -> tuple[str, list[str]]:
        return label, [fmt(s.metrics[key], pct) for s in systems]

    rows = [row(f"Recall@{k}", f"recall@{k}") for k in (1, 5, 10)]
    rows += [row("MRR@10", "mrr@10"), row("nDCG@10", "ndcg@10")]
    rows.append(row("Answer accuracy (all)", "accuracy"))
    for t in types:
        n = systems[0].metrics["count_by_type"].get(t, 0)
        rows.append((f"  {t} (n={n})", [fmt(s.metrics["accuracy_by_type"].get(t)) for s in systems]))
    rows += [
        row("Quote accuracy", "quote_accuracy"),
        row("Abstention precision", "abstention_precision"),
        row("Abstention recall", "abstention_recall"),
        row("False abstention", "false_abstention"),
        row("Latency p50 (ms)", "latency_p50_ms", pct=False),
        row("Latency p95 (ms)", "latency_p95_ms", pct=False),
    ]
    return rows
