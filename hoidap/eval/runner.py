"""Run the gold questions through each system and collect metrics (`hoidap eval`).

For every system and item: the question is asked through `QAService` (answer, found, citations,
latency), then the same question is searched without any document filter for the retrieval metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoidap.corpus.records import ParsedDocument
from hoidap.eval.baselines import SYSTEMS, System, build_systems
from hoidap.eval.gold import DEFAULT_GOLD_PATH, GoldFormatError, GoldItem, load_gold, validate_gold
from hoidap.eval.metrics import (
    RANK_DEPTH,
    ItemResult,
    answer_matches,
    is_relevant,
    listed_quotes,
    matched_evidence,
    summarize,
)
from hoidap.indexer.search import HybridIndex
from hoidap.service.answer import QAService, QuestionError

SPLIT_CHOICES = ("dev", "test", "all")
WARMUP_QUESTION = "Ai chủ trì nhiệm vụ 1.1?"


class GoldError(ValueError):
    """The gold file does not load or does not validate against the corpus."""


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


def load_items(gold_path: Path | str, split: str, docs: Sequence[ParsedDocument]) -> list[GoldItem]:
    """Load and validate a gold file against the documents' originals, then select a split."""
    try:
        items = load_gold(gold_path)
    except (OSError, GoldFormatError) as exc:
        raise GoldError(str(exc)) from exc
    problems = validate_gold(items, {d.doc_id: d.original for d in docs})
    if problems:
        shown = "\n  - ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise GoldError(f"{gold_path}: {len(problems)} problem(s):\n  - {shown}{more}")
    return [i for i in items if split == "all" or i.split == split]


def load_index() -> HybridIndex:
    """The stored index (a separate function so tests can substitute their own)."""
    return HybridIndex.load()


def load_docs(index: HybridIndex) -> list[ParsedDocument]:
    from hoidap.corpus.parse import parse_corpus

    return [d for d in parse_corpus() if d.doc_id in index.manifest.documents]


def corpus_figures(docs: Sequence[ParsedDocument], index: HybridIndex) -> dict[str, int]:
    return {
        "documents": len(docs),
        "entries": len(index.entries),
        "clauses": sum(len(d.clauses) for d in docs),
        "tasks": sum(len(d.tasks) for d in docs),
    }


def evaluate_item(service: QAService, system: System, item: GoldItem) -> ItemResult:
    """Ask one question, then rank for it; score answer, quote and retrieval."""
    try:
        ans = service.ask(item.question)
        found, answer, message, took = ans.found, ans.answer, ans.message, ans.took_ms
        cite = ans.citations[0] if ans.found and ans.citations else None
        listed = listed_quotes(answer, [(c.task_id, c.quote) for c in ans.citations])
    except QuestionError as exc:
        found, answer, message, took, cite, listed = False, None, str(exc), 0.0, None, []
    result = ItemResult(
        item.id,
        item.type,
        item.doc_id,
        item.question,
        list(item.answers),
        found,
        answer,
        answer_matches(item.type, item.answers, answer, found, listed),
        took,
        message=message,
    )
    if cite is not None:
        result.quote, result.quote_doc = cite.quote, cite.doc_id
    if item.answerable:
        hits = system.searcher.search(item.question, k=RANK_DEPTH, mode=system.mode)
        result.n_evidence = len(item.evidence)
        result.ranked = [
            sorted(matched_evidence(h.entry.doc_id, h.entry.char_start, h.entry.char_end, item.evidence))
            for h in hits
        ]
        if cite is not None:
            result.quote_ok = any(
                is_relevant(cite.doc_id, cite.char_start, cite.char_end, ev) for ev in item.evidence
            )
    return result


def run(
    gold_path: Path | str = DEFAULT_GOLD_PATH,
    split: str = "test",
    systems: Sequence[str] = SYSTEMS,
    *,
    docs: Sequence[ParsedDocument] | None = None,
    index: HybridIndex | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalResults:
    """Evaluate the named systems on one split ("dev", "test" or "all") of a gold file.

    Args:
        gold_path: any file in the gold format; validated before anything runs.
        split: which items to use.
        systems: names from `eval.baselines.SYSTEMS`.
        docs, index: parsed documents and loaded index (loaded from the store when omitted).
        progress: called with a short status line per system.

    Raises:
        GoldError: the gold file is unreadable or invalid.
    """
    if split not in SPLIT_CHOICES:
        raise ValueError(f"split must be one of {SPLIT_CHOICES}")
    index = index or load_index()
    docs = list(docs) if docs is not None else load_docs(index)
    items = load_items(gold_path, split, docs)
    results = EvalResults(str(gold_path), split, corpus_figures(docs, index))
    for system in build_systems(systems, docs, index):
        if progress:
            progress(f"{system.name}: {len(items)} câu hỏi")
        service = QAService(list(docs), system.searcher, system.mode)
        service.ask(WARMUP_QUESTION)  # model and tokenizer loading stays out of the latency figures
        rows = [evaluate_item(service, system, item) for item in items]
        results.systems[system.name] = SystemResult(system.name, system.label, rows, summarize(rows))
    return results


# --- table --------------------------------------------------------------------------------------


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


def format_table(results: EvalResults) -> str:
    """Plain-text table: one column per system; rates in percent."""
    names = list(results.systems)
    rows = metric_rows(results)
    width = max(len(label) for label, _ in rows) + 2
    cols = [max(len(n), 8) + 2 for n in names]
    n_items = next(iter(results.systems.values())).metrics["items"] if results.systems else 0
    c = results.corpus
    lines = [
        f"Gold: {results.gold_path}  split: {results.split}  items: {n_items}",
        f"Corpus: {c['documents']} documents, {c['entries']} index entries, "
        f"{c['clauses']} clauses, {c['tasks']} tasks",
        "Rates in % (retrieval over answerable items, quote accuracy over answered answerable items).",
        "",
        "".ljust(width) + "".join(n.rjust(w) for n, w in zip(names, cols, strict=True)),
    ]
    lines += [
        label.ljust(width) + "".join(v.rjust(w) for v, w in zip(vals, cols, strict=True))
        for label, vals in rows
    ]
    return "\n".join(lines)


# --- command line -------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gold", help="tệp câu hỏi chuẩn (định dạng eval/gold; mặc định eval/gold.jsonl)")
    p.add_argument("--split", choices=SPLIT_CHOICES, default="test")
    p.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON (kèm từng câu hỏi)")
    p.add_argument("--out", help="thư mục ghi báo cáo report.md, biểu đồ PNG và summary.json")


def command(args: argparse.Namespace) -> int:
    """`hoidap eval`: validate the gold file, evaluate, print a table (or JSON), optionally a report."""
    from hoidap.corpus.parse import parse_corpus

    gold = Path(args.gold) if args.gold else DEFAULT_GOLD_PATH
    parsed = parse_corpus()
    try:  # a bad gold file is reported before the model and index are loaded
        load_items(gold, args.split, parsed)
    except GoldError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    index = load_index()
    docs = [d for d in parsed if d.doc_id in index.manifest.documents]
    results = run(
        gold,
        args.split,
        args.systems,
        docs=docs,
        index=index,
        progress=lambda m: print(m, file=sys.stderr),
    )
    if args.json:
        print(json.dumps(results.to_dict(with_items=True), ensure_ascii=False, indent=2))
    else:
        print(format_table(results))
    if args.out:
        from hoidap.eval.report import write_report

        cmd = f"hoidap eval --split {args.split} --out {args.out}"
        if gold.resolve() != DEFAULT_GOLD_PATH:
            cmd += f" --gold {gold}"
        if list(args.systems) != list(SYSTEMS):
            cmd += " --systems " + " ".join(args.systems)
        paths = write_report(results, Path(args.out), cmd)
        print(f"Đã ghi báo cáo: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.runner", description="Đánh giá hệ thống hỏi đáp")
    add_arguments(parser)
    return command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
