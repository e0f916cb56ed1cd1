"""Issue 26's speed table in one run: `/ask` per answer path, query encoding, build against the floor.

    python -P benchmarks/bench_speed.py                    # bundled corpus, held-out questions x 3 rounds
    python -P benchmarks/bench_speed.py --scale 5          # also a 5x synthetic corpus's build
    python -P benchmarks/bench_speed.py --questions 30 --rounds 1 --json

1. Build: the bundled corpus (and, with `--scale N`, bench_index.py's N x synthetic corpus) indexed from
   scratch as `hoidap index` does (the settings' encoder at `build_threads`), its embedding passages/s
   beside the encoder's floor measured in the same run (`OnnxEncoder.floor`: ONNX Runtime alone on a
   sample of the same batches).
2. Serve: the bundled index as `hoidap serve` loads it; for each held-out (test split) question, taking
   turns so that load from other processes falls on all alike: its encoding by torch fp32
   (sentence-transformers, the serving thread count) and by the ONNX int8 encoder, then
   `QAService.ask` (= `/ask` less HTTP) with the query-vector cache emptied. Each ask is filed under the
   answer path the answer layer ran last (its observer: task record, ranked task, figure, ranked
   lookup, listing, document fact; "none" when no path ran, e.g. an unknown document).

Every ratio is against a figure of the same run (timings on a shared machine are noisy); goals are the
issue's bar, printed as PASS/MISS, never failing the run. Helpers come from bench_index.py.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import bench_index as bi  # noqa: E402 - a sibling script, imported read-only for its helpers

from hoidap.corpus.parse import parse_corpus  # noqa: E402
from hoidap.indexer.build import build_index  # noqa: E402
from hoidap.indexer.search import HybridIndex  # noqa: E402
from hoidap.service.qa import QAService, document_store, embedder_for  # noqa: E402
from hoidap.settings import Settings  # noqa: E402

# The answer layer's observer names -> the paths ("item": a numbered item read as a record;
# "evidence": the ranked path that ran just before it answered).
PATHS = {
    "task_record": "task record",
    "item": "task record",
    "task": "ranked task",
    "lookup": "ranked lookup",
    "figure": "figure",
    "listing": "listing",
    "document": "document fact",
}
PATH_ORDER = ("task record", "ranked task", "ranked lookup", "figure", "listing", "document fact", "none")
ASK_RATIO_GOAL = 0.35  # ask p50 / torch fp32 query-encoding p50
P95_GOAL = 3.0  # ask p95 / ask p50
FLOOR_GOAL = 0.70  # build passages/s / floor


def bench_build(settings: Settings, scale: int, seed: int) -> dict[str, Any]:
    """Index the bundled corpus (and the synthetic one) from scratch; passages/s against the floor.

    Also runs at code from before issue 26 §3 (no build threads, no floor), for a "before" table."""
    since_26 = "floor" in inspect.signature(build_index).parameters
    encoder = embedder_for(settings, threads=settings.build_threads) if since_26 else embedder_for(settings)
    store = document_store(settings)
    out: dict[str, Any] = {"threads": getattr(encoder, "threads", None)}
    corpora = {"bundled": lambda: parse_corpus(store)}
    if scale > 1:
        corpora[f"{scale}x"] = lambda: bi.synthetic_documents(store, scale, seed)
    for name, docs in corpora.items():
        bi.log(f"build: {name} corpus")
        target = settings.index_path if name == "bundled" else settings.data_dir / f"index-{name}"
        timer = bi.TimedEmbedder(encoder)
        extra = {"floor": True} if since_26 else {}
        with bi.other_load(out, f"{name}_other_cores"):
            report = build_index(docs(), timer, target, dense_kind="flat", reuse=False, **extra)  # type: ignore[arg-type]
        out[name] = {
            "entries": report.entries,
            "build_s": report.seconds,
            "embed_s": timer.seconds,
            "passages_per_s": timer.passages / timer.seconds if timer.seconds else 0.0,
            "floor_per_s": getattr(report, "floor_per_s", None),
        }
    return out


def bench_serve(settings: Settings, n_questions: int, rounds: int) -> dict[str, Any]:
    """Query encoding (torch fp32, ONNX int8) and ask per path, taking turns on each question."""
    int8 = embedder_for(settings.model_copy(update={"encoder": "onnx-int8"}))
    # torch at the serving thread count, as bench_index.py's variants
    torch = embedder_for(
        settings.model_copy(update={"encoder": "torch", "torch_threads": settings.encoder_threads})
    )
    index = HybridIndex.load(settings.index_path, int8)
    docs = [d for d in parse_corpus(document_store(settings)) if d.doc_id in index.manifest.documents]
    service = QAService(docs, index, settings)
    last_path: list[str] = []
    service.answerer.observer = lambda a, path, cands: last_path.append(path) if path in PATHS else None
    questions = bi.held_out_questions(n_questions)
    paths: dict[str, str] = {}

    def ask(q: str) -> None:
        last_path.clear()
        service.ask(q)
        paths[q] = PATHS[last_path[-1]] if last_path else "none"

    for q in questions[:3]:  # warm-up: lazy imports, first-call allocations
        service.ask(q)
        torch.encode_queries([q])
    ops: dict[str, bi.Op] = {
        "torch_fp32_encode": lambda q: torch.encode_queries([q]),
        "onnx_int8_encode": lambda q: int8.encode_queries([q]),
        "ask": ask,
    }
    busy: dict[str, float | None] = {}
    with bi.other_load(busy, "serve"):
        samples = bi.interleaved_samples(ops, questions, rounds, [index])
    by_path: dict[str, list[float]] = {}
    for i, seconds in enumerate(samples["ask"]):
        by_path.setdefault(paths[questions[i % len(questions)]], []).append(seconds)
    return {
        "questions": len(questions),
        "rounds": rounds,
        "latency": {label: bi.percentiles(times) for label, times in samples.items()},
        "ask_by_path": {p: bi.percentiles(by_path[p]) for p in PATH_ORDER if p in by_path},
        "questions_by_path": {p: sum(1 for x in paths.values() if x == p) for p in PATH_ORDER},
        "other_cores": busy.get("serve"),
    }


def render(fig: dict[str, Any]) -> str:
    serve, build = fig["serve"], fig["build"]
    lat = serve["latency"]
    torch_p50 = lat["torch_fp32_encode"]["p50_ms"]
    ask = lat["ask"]
    mark = lambda ok: "PASS" if ok else "MISS"  # noqa: E731
    lines = [
        f"Issue 26 speed table ({serve['questions']} held-out questions x {serve['rounds']} rounds; "
        f"other processes kept {serve['other_cores'] or 0:.1f} cores busy while serving)",
        "",
        "| measure | p50 ms | p95 ms | n | p50 / torch encode p50 |",
        "| --- | --- | --- | --- | --- |",
    ]

    def row(label: str, d: dict[str, float]) -> None:
        lines.append(
            f"| {label} | {d['p50_ms']:.1f} | {d['p95_ms']:.1f} | {d['n']} | {d['p50_ms'] / torch_p50:.2f} |"
        )

    row("query encoding, torch fp32", lat["torch_fp32_encode"])
    row("query encoding, ONNX int8", lat["onnx_int8_encode"])
    row("/ask, all questions", ask)
    for path, d in serve["ask_by_path"].items():
        row(f"/ask, {path} ({serve['questions_by_path'][path]} questions)", d)
    ratio = ask["p50_ms"] / torch_p50
    spread = ask["p95_ms"] / ask["p50_ms"]
    lines += [
        "",
        f"/ask p50 / torch fp32 encode p50 = {ratio:.2f} "
        f"(goal <= {ASK_RATIO_GOAL}: {mark(ratio <= ASK_RATIO_GOAL)})",
        f"/ask p95 / p50 = {spread:.2f} (goal <= {P95_GOAL:g}: {mark(spread <= P95_GOAL)})",
        "",
        "| build (encoder threads: {}) | entries | build s (floor incl.) | embedding s | passages/s | "
        "floor passages/s | "
        "share of floor | other cores busy |".format(build["threads"]),
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, b in build.items():
        if not isinstance(b, dict):
            continue
        floor = b["floor_per_s"]
        share = (
            f"{b['passages_per_s'] / floor:.0%} ({mark(b['passages_per_s'] >= FLOOR_GOAL * floor)})"
            if floor
            else "-"
        )
        busy = build.get(f"{name}_other_cores")
        lines.append(
            f"| {name} | {b['entries']} | {b['build_s']:.1f} | {b['embed_s']:.1f} | "
            f"{b['passages_per_s']:.1f} | {floor or 0:.1f} | {share} | {busy or 0:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200, help="held-out questions (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    parser.add_argument("--scale", type=int, default=1, help="also build an N x synthetic corpus (N > 1)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    def run(root: Path, settings: Settings) -> dict[str, Any]:
        t0 = time.perf_counter()
        build = bench_build(settings, args.scale, args.seed)
        bi.log("serve: bundled index")
        serve = bench_serve(settings, args.questions, args.rounds)
        return {
            "build": build,
            "serve": serve,
            "seconds": time.perf_counter() - t0,
            "machine": bi.machine_info(),
        }

    fig = bi.with_temp_root(args.keep, run)
    print(json.dumps(fig, indent=2) if args.json else render(fig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
