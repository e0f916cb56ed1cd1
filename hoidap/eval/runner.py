"""Run the gold questions through each system and collect metrics (`hoidap eval`).

For every system and item: the question is asked through `QAService` (answer, found, citations,
latency), then the same question is searched without any document filter for the retrieval metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from hoidap.corpus.records import ParsedDocument
from hoidap.eval.baselines import SYSTEMS, System, build_systems
from hoidap.eval.gold import (
    DEFAULT_GOLD_PATH,
    GoldFormatError,
    GoldItem,
    load_gold,
    typed_without_diacritics,
    validate_gold,
)
from hoidap.eval.metrics import (
    RANK_DEPTH,
    ItemResult,
    answer_matches,
    is_relevant,
    listed_quotes,
    matched_evidence,
    summarize,
)
from hoidap.eval.results import EvalResults, SystemResult, metric_rows
from hoidap.indexer.search import HybridIndex
from hoidap.service.answer import Answerer
from hoidap.service.qa import QAService
from hoidap.service.records import QuestionError

SPLIT_CHOICES = ("dev", "test", "unseen", "all")
WARMUP_QUESTION = "Ai chủ trì nhiệm vụ 1.1?"


class GoldError(ValueError):
    """The gold file does not load or does not validate against the corpus."""


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


def corpus_figures(docs: Sequence[ParsedDocument], index: HybridIndex) -> dict[str, int]:
    return {
        "documents": len(docs),
        "entries": len(index.entries),
        "clauses": sum(len(d.clauses) for d in docs),
        "tasks": sum(len(d.tasks) for d in docs),
    }


def evaluate_item(service: Answerer, system: System, item: GoldItem) -> ItemResult:
    """Ask one question, then rank for it; score answer, quote and retrieval."""
    try:
        ans = service.ask(item.question)
        found, answer, message, took = ans.found, ans.answer, ans.message, ans.took_ms
        confidence = ans.confidence
        cite = ans.citations[0] if ans.found and ans.citations else None
        listed = listed_quotes(answer, [(c.task_id, c.quote) for c in ans.citations])
    except QuestionError as exc:
        found, answer, message, took, cite, listed = False, None, str(exc), 0.0, None, []
        confidence = None
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
        confidence=confidence,
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
    service: QAService,
    gold_path: Path | str = DEFAULT_GOLD_PATH,
    split: str = "test",
    systems: Sequence[str] = SYSTEMS,
    *,
    progress: Callable[[str], None] | None = None,
    without_diacritics: bool = False,
) -> EvalResults:
    """Evaluate the named systems on one split of a gold file, over the service's corpus and index.

    Args:
        service: the loaded service (its documents, index and answer thresholds are used).
        gold_path: any file in the gold format; validated before anything runs.
        split: which items to use.
        systems: names from `eval.baselines.SYSTEMS`.
        progress: called with a short status line per system.
        without_diacritics: ask every question typed without diacritics (`typed_without_diacritics`).

    Raises:
        GoldError: the gold file is unreadable or invalid.
    """
    if split not in SPLIT_CHOICES:
        raise ValueError(f"split must be one of {SPLIT_CHOICES}")
    docs = list(service.docs.values())
    index = service.searcher
    thresholds = service.answerer.thresholds
    items = load_items(gold_path, split, docs)
    if without_diacritics:
        items = [typed_without_diacritics(i) for i in items]
    results = EvalResults(str(gold_path), split, corpus_figures(docs, index))
    for system in build_systems(systems, docs, index):
        if progress:
            progress(f"{system.name}: {len(items)} câu hỏi")
        answerer = Answerer(docs, system.searcher, system.mode, thresholds)
        answerer.ask(WARMUP_QUESTION)  # model and tokenizer loading stays out of the latency figures
        rows = [evaluate_item(answerer, system, item) for item in items]
        results.systems[system.name] = SystemResult(system.name, system.label, rows, summarize(rows))
    return results


# --- table --------------------------------------------------------------------------------------


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


def command(args: argparse.Namespace, service: QAService) -> int:
    """`hoidap eval`: validate the gold file, evaluate, print a table (or JSON), optionally a report."""
    gold = Path(args.gold) if args.gold else DEFAULT_GOLD_PATH
    try:  # a bad gold file is reported before anything is asked
        load_items(gold, args.split, list(service.docs.values()))
    except GoldError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    plain = bool(getattr(args, "without_diacritics", False))
    results = run(
        service,
        gold,
        args.split,
        args.systems,
        progress=lambda m: print(m, file=sys.stderr),
        without_diacritics=plain,
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
        if plain:
            cmd += " --without-diacritics"
        if list(args.systems) != list(SYSTEMS):
            cmd += " --systems " + " ".join(args.systems)
        paths = write_report(results, Path(args.out), cmd)
        print(f"Đã ghi báo cáo: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0
