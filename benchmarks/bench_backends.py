"""The two retrieval backends side by side: embedded index files vs Milvus (milvus-lite), at 1x and Nx.

    python -P benchmarks/bench_backends.py [--scale 100] [--queries 192] [--rounds 2] [--out FILE.json]

Both backends are built from the same entries, tokens and stored vectors (what `hoidap index` and
`hoidap index --backend milvus` start from once vectors exist), so build time is the backend's own work:
BM25 + FAISS + files for the embedded index, create + insert + flush + load for Milvus. Nothing is
embedded but the queries: 1x is the bundled corpus's index (the user's index when it is current, else
built here); Nx is bench_index.py's synthetic corpus (re-issued documents, parsed and tokenized for real)
with vectors derived from the source entries' vectors (cosine 0.98, as measured there).

Each backend and scale runs in its own process, which gets the query vectors precomputed, so RSS is that
of the backend (plus Python, numpy and the word segmenter both need); for Milvus the milvus-lite server
process is counted too. Latency: hybrid search, k=10, the eval's dev+test questions, queries interleaved
over `--rounds`. Figures are measured in one run on the same machine; the ratio column is Milvus/embedded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from hoidap.eval.gold import load_gold
from hoidap.indexer.dense import DenseIndex
from hoidap.indexer.lexical import LexicalIndex
from hoidap.indexer.search import HybridIndex
from hoidap.indexer.store import (
    FORMAT_VERSION,
    IndexLoadError,
    IndexManifest,
    read_entries,
    write_entries,
    write_manifest,
)
from hoidap.service.qa import build_index, document_store, embedder_for
from hoidap.settings import Settings

SEARCH_K = 10
DERIVED_COSINE = 0.98  # bench_index.py: re-issued passages' real vectors vs their source's


def log(message: str) -> None:
    print(f"[bench-backends {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def questions(n: int) -> list[str]:
    return [g.question for g in load_gold() if g.split in ("dev", "test")][:n]


class QueryVectors:
    """An embedder that only answers the benchmark's queries, from vectors computed once by the parent."""

    def __init__(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        self.model_id = model_id
        self.vectors = vectors
        self.dimension = len(next(iter(vectors.values())))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


# --- sources: index directories both backends are built from ---------------------------------------


def bundled_source(root: Path, settings: Settings) -> Path:
    """The bundled corpus's index: the user's when it is current, else built here (embeds ~560 passages)."""
    target = root / "source-1x"
    embedder = embedder_for(settings)
    try:
        HybridIndex.load(settings.index_path, embedder)
        shutil.copytree(settings.index_path, target)
        log(f"1x: using the index at {settings.index_path}")
    except IndexLoadError:
        log("1x: building the bundled corpus's index (real model)")
        build_index(Settings(data_dir=root / "data", index_dir=target))
    return target


def synthetic_source(root: Path, bundled_dir: Path, settings: Settings, scale: int, seed: int) -> Path:
    """bench_index.py's synthetic corpus as an index directory (vectors derived from the source rows)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_index  # noqa: PLC0415 - a sibling script, imported read-only for its corpus

    embedder = embedder_for(settings)
    bundled = HybridIndex.load(bundled_dir, embedder)
    store = document_store(Settings(data_dir=root / "data"))
    log(f"{scale}x: parsing, chunking and tokenizing {scale} copies of the bundled corpus")
    # Tokenization is not measured here: keep the segmenter's sentence cache (bench_index.py empties it
    # per document to time a cold tokenization), which makes the corpus several times faster to make.
    bench_index.clear_sentence_cache = lambda: False
    corpus = bench_index.synthesize(bundled, store, embedder, scale, seed)
    vectors = bench_index.derive_vectors(corpus, np.asarray(bundled.dense.vectors), DERIVED_COSINE, seed)
    target = root / f"source-{scale}x"
    target.mkdir()
    write_entries(target / "entries.jsonl", corpus.entries)
    LexicalIndex.build(corpus.tokens).save(target / "lexical")
    dense = DenseIndex(vectors.shape[1])
    dense.add(vectors)
    dense.save(target / "dense")
    manifest = IndexManifest(
        format_version=FORMAT_VERSION,
        model_id=bundled.manifest.model_id,
        dimension=bundled.manifest.dimension,
        dense_kind="flat",
        created_at=time.time(),
        documents=corpus.documents,
        counts={"documents": len(corpus.documents), "entries": len(corpus.entries)},
    )
    write_manifest(target / "manifest.json", manifest)
    return target


# --- one backend at one scale, in its own process -------------------------------------------------


def _rss_mb(with_children: bool) -> float:
    proc = psutil.Process()
    procs = [proc] + (proc.children(recursive=True) if with_children else [])
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 1e6


def worker(backend: str, source: Path, queries_file: Path, rounds: int, root: Path) -> dict[str, Any]:
    data = json.loads(queries_file.read_text(encoding="utf-8"))
    qs = data["queries"]
    embedder = QueryVectors(
        data["model_id"], {q: np.asarray(v, dtype=np.float32) for q, v in data["vectors"].items()}
    )
    entries = read_entries(source / "entries.jsonl")
    tokens = LexicalIndex.load(source / "lexical").token_lists
    vectors = np.asarray(DenseIndex.load(source / "dense").vectors)
    from hoidap.indexer.tokenization import tokenize

    tokenize("khởi động")  # the word segmenter is loaded by both backends alike
    rss_before = _rss_mb(with_children=True)
    t0 = time.perf_counter()
    if backend == "embedded":
        target = root / f"embedded-{source.name}"
        target.mkdir()
        write_entries(target / "entries.jsonl", entries)
        LexicalIndex.build(tokens).save(target / "lexical")
        dense = DenseIndex(vectors.shape[1])
        dense.add(vectors)
        dense.save(target / "dense")
        shutil.copy(source / "manifest.json", target / "manifest.json")
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        manifest["files"], manifest["checksum"] = {}, ""
        write_manifest(target / "manifest.json", IndexManifest(**manifest))
        build_s = time.perf_counter() - t0
        del dense
        index: Any = HybridIndex.load(target, embedder)
    else:
        from hoidap.indexer.milvus import MilvusIndex, MilvusStore

        uri = str(root / f"milvus-{source.name}.db")
        MilvusStore(uri, "bench").build(entries, tokens, vectors)
        build_s = time.perf_counter() - t0
        index = MilvusIndex.open(source, embedder, uri, "bench")
    del entries, tokens, vectors
    for q in qs[:5]:  # warm-up
        index.search(q, k=SEARCH_K)
    latencies = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            index.search(q, k=SEARCH_K)
            latencies.append(time.perf_counter() - t)
    ms = np.asarray(latencies) * 1000
    rss = _rss_mb(with_children=True)
    return {
        "backend": backend,
        "entries": index.counts()["entries"],
        "build_s": build_s,
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "searches": len(ms),
        "rss_mb": rss,
        "rss_added_mb": rss - rss_before,
    }


def run_worker(backend: str, source: Path, queries_file: Path, rounds: int, root: Path) -> dict[str, Any]:
    log(f"{source.name}: {backend}")
    cmd = [
        sys.executable,
        "-P",
        __file__,
        "--worker",
        backend,
        str(source),
        str(queries_file),
        str(rounds),
        str(root),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def render(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        "",
        "Retrieval backends: embedded (bm25s + FAISS flat) vs Milvus (milvus-lite 2.5, FLAT + BM25)",
        f"{'':>26} {'embedded':>12} {'milvus':>12} {'milvus/emb':>11}",
    ]
    for scale, pair in results.items():
        e, m = pair["embedded"], pair["milvus"]
        lines.append(f"{scale} ({e['entries']} entries)")
        for key, label, fmt in (
            ("build_s", "build from vectors (s)", "{:.2f}"),
            ("p50_ms", "hybrid search p50 (ms)", "{:.1f}"),
            ("p95_ms", "hybrid search p95 (ms)", "{:.1f}"),
            ("rss_mb", "RSS after queries (MB)", "{:.0f}"),
            ("rss_added_mb", "RSS added by backend (MB)", "{:.0f}"),
        ):
            ratio = m[key] / e[key] if e[key] else float("nan")
            lines.append(f"  {label:<24} {fmt.format(e[key]):>12} {fmt.format(m[key]):>12} {ratio:>10.2f}x")
    lines.append("RSS of Milvus includes the milvus-lite server process; queries are pre-embedded.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        backend, source, queries_file, rounds, root = argv[1:6]
        print(json.dumps(worker(backend, Path(source), Path(queries_file), int(rounds), Path(root))))
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=100)
    p.add_argument("--queries", type=int, default=192)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", help="also write the figures as JSON")
    args = p.parse_args(argv)
    settings = Settings()
    root = Path(tempfile.mkdtemp(prefix="hoidap-bench-backends-"))
    try:
        sources = {"1x": bundled_source(root, settings)}
        if args.scale > 1:
            sources[f"{args.scale}x"] = synthetic_source(root, sources["1x"], settings, args.scale, args.seed)
        qs = questions(args.queries)
        embedder = embedder_for(settings)
        vectors = embedder.encode_queries(qs)
        queries_file = root / "queries.json"
        queries_file.write_text(
            json.dumps(
                {
                    "model_id": embedder.model_id,
                    "queries": qs,
                    "vectors": {q: v.tolist() for q, v in zip(qs, vectors, strict=True)},
                }
            )
        )
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for scale, source in sources.items():
            results[scale] = {
                b: run_worker(b, source, queries_file, args.rounds, root) for b in ("embedded", "milvus")
            }
        print(render(results))
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
