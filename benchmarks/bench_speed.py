"""Issue 26's speed table in one run: `/ask` per answer path, query encoding, build against the floor.

    python -P benchmarks/bench_speed.py                    # bundled corpus + 3,000 passages of the 100x one
    python -P benchmarks/bench_speed.py --large-passages 0 # bundled corpus only
    python -P benchmarks/bench_speed.py --scale 5          # also a whole 5x synthetic corpus's build
    python -P benchmarks/bench_speed.py --questions 30 --rounds 1 --json

1. Build: the bundled corpus indexed from scratch as `hoidap index` does (the settings' encoder at
   `build_threads`); then the first `--large-passages` passages of bench_index.py's 100x synthetic corpus
   (its re-issued documents, whole, in order; the full 100x build takes about an hour here) and, with
   `--scale N`, the whole N x corpus. Each prints its embedding passages/s beside the encoder's floor of
   the same run: ONNX Runtime's own time on the build's batches, timed as they ran
   (`OnnxEncoder.last_runtime_seconds`), and, for comparison, the floor measured apart right after
   (`OnnxEncoder.floor`: 8 of the same batches, shortest to longest, padded beforehand), which load
   changes between the two moments can move either way.
2. Serve: the bundled index as `hoidap serve` loads it, warmed up by the development split's questions
   (never timed: a server that has answered other questions); for each held-out (test split) question,
   taking turns so that load from other processes falls on all alike: its encoding by torch fp32
   (sentence-transformers, one thread: the issue's yardstick), by the ONNX int8 encoder, and by ONNX Runtime
   alone (`session.run` on the question's ids, tokenized beforehand: the encoder less tokenization and
   padding), then `QAService.ask` (= `/ask` less HTTP) with the query-vector cache emptied. Each ask is
   filed under the answer path the answer layer ran last (its observer: task record, ranked task,
   figure, ranked lookup, listing, document fact; "none" when no path ran, e.g. an unknown document).
   Round 1 is also shown apart: each question asked for the first time (later rounds find its words
   already segmented and analysed, as a repeated question would).
3. RSS: `hoidap serve` (the page included, as users start it) on the same index in a fresh process;
   after a warm-up and every held-out question once over HTTP, its resident set size (goal <= 900 MB)
   and those questions' /ask p50/p95 at the client.

Every ratio is against a figure of the same run (timings on a shared machine are noisy); goals are the
issue's bar, printed as PASS/MISS, never failing the run. Helpers come from bench_index.py.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import bench_api as ba  # noqa: E402 - sibling scripts, imported read-only for their helpers
import bench_index as bi  # noqa: E402

from hoidap.corpus.parse import parse_corpus, parse_document  # noqa: E402
from hoidap.corpus.records import ParsedDocument  # noqa: E402
from hoidap.indexer.build import CHUNK_TOKENS, build_index  # noqa: E402
from hoidap.indexer.entries import document_entries  # noqa: E402
from hoidap.indexer.model_files import QUERY_PROMPT as _QUERY_PROMPT  # noqa: E402
from hoidap.indexer.search import HybridIndex  # noqa: E402
from hoidap.service.qa import QAService, document_store, embedder_for  # noqa: E402
from hoidap.settings import Settings  # noqa: E402

# The answer layer's observer names -> the issue's paths ("item": a numbered item read as a record;
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
RSS_GOAL_MB = 900.0  # a serving process after warm-up and questions
LARGE_SCALE = 100  # the large corpus of the issue: 100 x the bundled one
YARDSTICK_THREADS = 1  # torch fp32's threads when the bar was set (issue 26)


class Timed(bi.TimedEmbedder):
    """bench_index's timed encoder, keeping the passages of its last call (for the floor measured apart)."""

    texts: Sequence[str] = ()

    def encode_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> Any:
        self.texts = texts
        return super().encode_passages(texts, progress)


def large_sample(settings: Settings, encoder: Any, passages: int, seed: int) -> list[ParsedDocument]:
    """The 100x corpus's re-issued documents (variants 1, 2, ... of each bundled one, as
    bench_index.synthetic_documents makes them), whole, in order, until they hold `passages` passages."""
    store = document_store(settings)
    sources = bi.bundled_sources(store)
    docs: list[ParsedDocument] = []
    count = 0
    for variant in range(1, LARGE_SCALE):
        for info, text in sources:
            doc = parse_document(*bi.re_issue(info, text, variant, seed))
            docs.append(doc)
            count += len(document_entries(doc, lambda t: encoder.count_tokens(t) <= CHUNK_TOKENS))
            if count >= passages:
                return docs
    return docs


def bench_build(settings: Settings, scale: int, large_passages: int, seed: int) -> dict[str, Any]:
    """Index the bundled corpus, a sample of the 100x one and the N x one from scratch; passages/s
    against the floor.

    Also runs at code from before issue 26 (no build threads, no floor), for a "before" table."""
    since_26 = "floor" in inspect.signature(build_index).parameters
    encoder = embedder_for(settings, threads=settings.build_threads) if since_26 else embedder_for(settings)
    store = document_store(settings)
    out: dict[str, Any] = {"threads": getattr(encoder, "threads", None)}
    corpora: dict[str, Callable[[], list[ParsedDocument]]] = {"bundled": lambda: parse_corpus(store)}
    if large_passages > 0:
        corpora[f"{LARGE_SCALE}x, first {large_passages}+ passages"] = lambda: large_sample(
            settings, encoder, large_passages, seed
        )
    if scale > 1:
        corpora[f"{scale}x"] = lambda: bi.synthetic_documents(store, scale, seed)
    for i, (name, docs) in enumerate(corpora.items()):
        bi.log(f"build: {name}")
        target = settings.index_path if name == "bundled" else settings.data_dir / f"index-{i}"
        timer = Timed(encoder)
        extra = {"floor": True} if since_26 else {}
        with bi.other_load(out, f"{name}_other_cores"):
            report = build_index(docs(), timer, target, dense_kind="flat", reuse=False, **extra)  # type: ignore[arg-type]
        # The floor measured apart, after the build: the same passages' batches, ONNX Runtime alone.
        apart = encoder.floor(timer.texts) if hasattr(encoder, "floor") and timer.texts else None
        out[name] = {
            "entries": report.entries,
            "build_s": report.seconds,
            "embed_s": timer.seconds,
            "passages_per_s": timer.passages / timer.seconds if timer.seconds else 0.0,
            "floor_per_s": getattr(report, "floor_per_s", None),
            "floor_apart_per_s": apart,
        }
    return out


def bench_serve(settings: Settings, n_questions: int, rounds: int) -> dict[str, Any]:
    """Query encoding (torch fp32, ONNX int8) and ask per path, taking turns on each question."""
    int8 = embedder_for(settings.model_copy(update={"encoder": "onnx-int8"}))
    # The yardstick is the issue's: torch fp32 on one thread, whatever the serving thread count (the
    # ONNX encoder at one thread is timed too when serving uses more).
    torch = embedder_for(settings.model_copy(update={"encoder": "torch", "torch_threads": YARDSTICK_THREADS}))
    int8_1t = (
        embedder_for(settings.model_copy(update={"encoder": "onnx-int8"}), threads=1)
        if getattr(int8, "threads", 1) != 1
        else None
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

    # Warm-up: lazy imports, first-call allocations, and the stored passages' memoized forms, as in a
    # server that has answered other questions: the development split's, never timed.
    for q in dev_questions():
        service.ask(q)
    for q in questions[:3]:
        torch.encode_queries([q])
    # The runtime alone: the question's ids tokenized and padded beforehand, as the encoder feeds them.
    feeds = {q: int8._feed(int8._ids([_QUERY_PROMPT + q])) for q in questions}
    ops: dict[str, bi.Op] = {
        "torch_fp32_encode": lambda q: torch.encode_queries([q]),
        "onnx_int8_encode": lambda q: int8.encode_queries([q]),
        "onnx_int8_runtime": lambda q: int8._session.run(None, feeds[q]),
        "ask": ask,
    }
    if int8_1t is not None:
        ops["onnx_int8_encode_1t"] = lambda q: int8_1t.encode_queries([q])
    busy: dict[str, float | None] = {}
    with bi.other_load(busy, "serve"):
        samples = bi.interleaved_samples(ops, questions, rounds, [index])
    # Round 1 asks each question for the first time: its own words are segmented and analysed afresh
    # (later rounds find them memoized, as a repeated question would).
    first = samples["ask"][: len(questions)]
    by_path: dict[str, list[float]] = {}
    for i, seconds in enumerate(samples["ask"]):
        by_path.setdefault(paths[questions[i % len(questions)]], []).append(seconds)
    return {
        "questions": len(questions),
        "rounds": rounds,
        "threads": {"torch_fp32": YARDSTICK_THREADS, "onnx_int8": getattr(int8, "threads", None)},
        "latency": {label: bi.percentiles(times) for label, times in samples.items()},
        "ask_first_round": bi.percentiles(first),
        "ask_by_path": {p: bi.percentiles(by_path[p]) for p in PATH_ORDER if p in by_path},
        "questions_by_path": {p: sum(1 for x in paths.values() if x == p) for p in PATH_ORDER},
        "other_cores": busy.get("serve"),
    }


def dev_questions() -> list[str]:
    """The gold set's development questions (the held-out ones are the test split's)."""
    from importlib import resources

    text = (resources.files("hoidap.eval") / "gold.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [i["question"] for i in items if i.get("split") == "dev"]


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def bench_rss(settings: Settings, n_questions: int, root: Path) -> dict[str, Any]:
    """RSS of `hoidap serve` (page included) on the bench's index after a warm-up and every held-out
    question once over HTTP; those questions' latency at the client."""
    port = ba._free_port()
    with environment(HOIDAP_DATA_DIR=str(settings.data_dir), HOIDAP_INDEX_DIR=str(settings.index_path)):
        proc = ba._start_server(port, root / "serve.log", ui=True)
    try:
        seq = ba.sequential(f"http://127.0.0.1:{port}", bi.held_out_questions(n_questions))
        with open(f"/proc/{proc.pid}/status", encoding="utf-8") as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        return {
            "rss_mb": ba._rss_mb(proc.pid),
            "peak_rss_mb": int(status["VmHWM"].split()[0]) / 1024,
            "http": seq,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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

    threads = serve.get("threads") or {"torch_fp32": "serving", "onnx_int8": "serving"}
    row(f"query encoding, torch fp32, {threads['torch_fp32']} thread(s)", lat["torch_fp32_encode"])
    row(f"query encoding, ONNX int8 (serving: {threads['onnx_int8']} thread(s))", lat["onnx_int8_encode"])
    if "onnx_int8_runtime" in lat:
        row("query encoding, ONNX Runtime alone (ids ready, same session)", lat["onnx_int8_runtime"])
    if "onnx_int8_encode_1t" in lat:
        row("query encoding, ONNX int8, 1 thread", lat["onnx_int8_encode_1t"])
    row("/ask, all questions", ask)
    if "ask_first_round" in serve:
        row("/ask, each question's first asking (round 1)", serve["ask_first_round"])
    for path, d in serve["ask_by_path"].items():
        row(f"/ask, {path} ({serve['questions_by_path'][path]} questions)", d)
    ratio = ask["p50_ms"] / torch_p50
    spread = ask["p95_ms"] / ask["p50_ms"]
    lines += [
        "",
        f"/ask p50 / torch fp32 encode p50 = {ratio:.2f} "
        f"(goal <= {ASK_RATIO_GOAL}: {mark(ratio <= ASK_RATIO_GOAL)})",
        f"/ask p95 / p50 = {spread:.2f} (goal <= {P95_GOAL:g}: {mark(spread <= P95_GOAL)})",
    ]
    rss = fig.get("rss")
    if rss:
        http = rss["http"]
        lines.append(
            f"serving RSS (hoidap serve, page included, after warm-up and {http['requests']} questions over "
            f"HTTP) = {rss['rss_mb']:.0f} MB, peak {rss['peak_rss_mb']:.0f} MB (goal <= {RSS_GOAL_MB:.0f}: "
            f"{mark(rss['rss_mb'] <= RSS_GOAL_MB)}); those /ask over HTTP: p50 {http['p50_ms']} ms, "
            f"p95 {http['p95_ms']} ms"
        )
    lines += [
        "",
        "| build (encoder threads: {}) | entries | build s | embedding s | passages/s | "
        "floor passages/s (runtime's own time, same run) | share of floor | "
        "floor measured apart after | other cores busy |".format(build["threads"]),
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
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
        apart = b.get("floor_apart_per_s")
        lines.append(
            f"| {name} | {b['entries']} | {b['build_s']:.1f} | {b['embed_s']:.1f} | "
            f"{b['passages_per_s']:.1f} | {floor or 0:.1f} | {share} | "
            f"{f'{apart:.1f}' if apart else '-'} | {busy or 0:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200, help="held-out questions (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked")
    parser.add_argument(
        "--large-passages",
        type=int,
        default=3000,
        help=f"also build this many passages of the {LARGE_SCALE}x corpus (0: none)",
    )
    parser.add_argument(
        "--scale", type=int, default=1, help="also build a whole N x synthetic corpus (N > 1)"
    )
    parser.add_argument("--no-rss", action="store_true", help="skip the serving process's RSS")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    def run(root: Path, settings: Settings) -> dict[str, Any]:
        t0 = time.perf_counter()
        build = bench_build(settings, args.scale, args.large_passages, args.seed)
        bi.log("serve: bundled index")
        serve = bench_serve(settings, args.questions, args.rounds)
        rss = None
        if not args.no_rss:
            bi.log("serve: RSS of hoidap serve")
            rss = bench_rss(settings, args.questions, root)
        return {
            "build": build,
            "serve": serve,
            "rss": rss,
            "seconds": time.perf_counter() - t0,
            "machine": bi.machine_info(),
        }

    fig = bi.with_temp_root(args.keep, run)
    print(json.dumps(fig, indent=2) if args.json else render(fig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
