"""Measure index build, load, search and incremental-add performance; print a table of the figures.

    python -P benchmarks/bench_index.py [--quick] [--scale N] [--queries N] [--out FILE.json]

Part 1 indexes the bundled corpus for real, into a temporary directory.

Part 0 runs each encoder variant (torch fp32, ONNX fp32 and int8) in fresh processes: a build of the
bundled corpus (passages/s), then serving it (query encoding, search, QAService.ask, the eval's naive
BM25 baseline through the same answer layer, RSS after the run), so every figure has its torch fp32 and
naive BM25 counterparts from the same run.

Part 2 builds a synthetic corpus `scale` times larger: the bundled documents plus `scale - 1` re-issues
of each with other numbers, dates, agencies, places and signers, so every text differs. Parsing,
chunking, tokenization, BM25, every passage's embedding (the settings' encoder, shortest passages first)
and the FAISS indexes (flat and HNSW) are built and measured for real; torch fp32 is measured on a sample
only (its passages/s on the bundled corpus in part 0; at ~10 passages/s the whole corpus would take hours).
`--extrapolate` embeds a sample instead and derives the other vectors (the source entry's plus noise).
Then a fresh process serves the synthetic index as `hoidap serve` would (part 2b): search and
QAService.ask latency, the naive BM25 baseline, serving RSS.

Nothing outside the temporary directory is written: the benchmark's `Settings` put the data directory
(user corpus) and the index directory inside it; the model cache and the bundled corpus come from the
usual settings (HOIDAP_CACHE_DIR, HOIDAP_CORPUS_DIR, HOIDAP_EMBEDDING_MODEL, HOIDAP_TORCH_THREADS).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from hoidap.corpus.parse import parse_corpus, parse_document
from hoidap.corpus.records import DocumentInfo, ParsedDocument
from hoidap.corpus.store import DocumentStore
from hoidap.indexer import tokenization
from hoidap.indexer.build import CHUNK_TOKENS, add_document, build_index
from hoidap.indexer.dense import DenseIndex
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.entries import Entry, document_entries, document_hash
from hoidap.indexer.lexical import LexicalIndex
from hoidap.indexer.search import HybridIndex
from hoidap.indexer.store import FORMAT_VERSION, IndexManifest, write_entries, write_manifest
from hoidap.indexer.tokenization import tokenize
from hoidap.service.qa import document_store, embedder_for
from hoidap.settings import Settings

GOAL_HYBRID_P50_MS = 50.0
GOAL_LOAD_S = 3.0
GOAL_ADD_S = 20.0
# Issue 26: the whole 100x index (flat) built in 20 minutes on a quiet machine, its passages embedded at
# 70% of the encoder's floor at least.
GOAL_LARGE_MIN = 20.0
GOAL_LARGE_NAME = "whole 100x index build (flat), incl. embedding"
GOAL_FLOOR_SHARE = 0.7
GOAL_FLOOR_NAME = "100x passage embedding, share of the encoder floor"
SEARCH_K = 10

# Realistic questions: full sentences, keywords, no diacritics, task numbers, document names.
QUERIES: tuple[str, ...] = (
    "Ai chủ trì xây dựng tiêu chí lựa chọn vùng công nghiệp động lực?",
    "Cơ quan nào phối hợp thực hiện nhiệm vụ phát triển kinh tế số?",
    "Thời hạn xây dựng tiêu chí ưu tiên thu hút doanh nghiệp vào khu công nghiệp",
    "Mục tiêu tỷ trọng công nghiệp trong GRDP đến năm 2030 là bao nhiêu?",
    "GRDP bình quân đầu người năm 2030 đạt bao nhiêu USD?",
    "Kinh phí thực hiện Kế hoạch 214/KH-UBND lấy từ đâu?",
    "Sở Công Thương có trách nhiệm gì trong tổ chức thực hiện?",
    "Tầm nhìn đến năm 2045 của tỉnh Quảng Ngãi",
    "Phát triển Khu kinh tế Dung Quất thành trung tâm công nghiệp",
    "chính sách phát triển nguồn nhân lực công nghiệp",
    "bảo vệ môi trường, chủ động thích ứng với biến đổi khí hậu",
    "đổi mới chính sách tài chính, tín dụng thúc đẩy công nghiệp hóa",
    "Ban Tuyên giáo Tỉnh ủy chịu trách nhiệm nhiệm vụ nào?",
    "tốc độ tăng trưởng công nghiệp chế biến, chế tạo giai đoạn 2021 - 2025",
    "phát triển công nghiệp hỗ trợ và công nghiệp năng lượng",
    "đào tạo nghề cho lao động nông thôn",
    "xây dựng chính quyền số, chuyển đổi số",
    "thu hút đầu tư nước ngoài vào khu công nghiệp",
    "Văn phòng Tỉnh ủy theo dõi, đôn đốc việc thực hiện",
    "Nghị quyết 29-NQ/TW ngày 17/11/2022",
    "tỷ lệ đô thị hóa 2030",
    "hạ tầng giao thông cảng biển",
    "KCN Phổ Phong",
    "doanh nghiệp khoa học công nghệ",
    "ai chu tri xay dung ke hoach thuc hien nghi quyet",
    "co quan phoi hop phat trien nguon nhan luc chat luong cao",
    "thoi gian thuc hien nhiem vu chuyen doi so",
    "muc tieu tang truong kinh te den nam 2030",
    "so ke hoach va dau tu tong hop bao cao",
    "phat trien nong nghiep cong nghe cao",
    "khu kinh te dung quat",
    "ty trong cong nghiep trong GRDP",
    "nhiệm vụ 3.4",
    "nhiem vu 4.2 ai chu tri",
    "nhiệm vụ II.1.a thời hạn hoàn thành",
    "nhiệm vụ III.2-5 do ai chủ trì",
    "Kế hoạch 214 nhiệm vụ 1.1",
    "mục 2.2 mục tiêu cụ thể đến năm 2025",
    "Chương trình hành động 31-CTr/TU về công nghiệp hóa",
    "Quảng Nam thực hiện Nghị quyết 29 như thế nào",
    "Hội nghị Tỉnh ủy lần thứ 3 khóa XX",
    "Kế hoạch triển khai 37-CTr/TU giao Sở Xây dựng việc gì",
)

# Names swapped in the synthetic re-issues (longest first when matching).
SOURCE_PROVINCES = ("Quảng Ngãi", "Quảng Nam")
PROVINCES = (
    "Bình Định",
    "Phú Yên",
    "Khánh Hòa",
    "Ninh Thuận",
    "Bình Thuận",
    "Kon Tum",
    "Gia Lai",
    "Đắk Lắk",
    "Lâm Đồng",
    "Quảng Trị",
    "Quảng Bình",
    "Hà Tĩnh",
    "Nghệ An",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Đà Nẵng",
    "Bình Phước",
    "Tây Ninh",
    "Long An",
    "Tiền Giang",
    "Bến Tre",
    "Vĩnh Long",
    "Hậu Giang",
)
AGENCIES = (
    "Sở Công Thương",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Giáo dục và Đào tạo",
    "Sở Giao thông vận tải",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Y tế",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Ngoại vụ",
)
SOURCE_PLACES = ("Dung Quất", "Phổ Phong", "Bình Sơn", "Đức Phổ", "Lý Sơn", "Sơn Tịnh", "Tư Nghĩa", "Mộ Đức")
PLACES = (
    "Nhơn Hội",
    "Chu Lai",
    "Vân Phong",
    "Nam Phú Yên",
    "Vũng Áng",
    "Nghi Sơn",
    "Hòn La",
    "Chân Mây",
    "Tam Quan",
    "Hoài Nhơn",
    "Tuy An",
    "Ninh Hòa",
    "Cam Ranh",
    "Phù Cát",
    "Tây Sơn",
    "An Nhơn",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Huỳnh", "Phan", "Trương")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Hữu", "Đức", "Thanh", "Quốc", "Ngọc", "Tấn", "Xuân")
GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Long", "Nam", "Phong", "Sơn")

_DATE_OR_NUMBER_RE = re.compile(
    r"(?<![\w.,/])(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d\d)|(?P<num>\d+(?:[.,]\d+)*))(?!\w)"
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (VmHWM; ru_maxrss where /proc is missing)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> tuple[float, float]:
    """(CPU seconds used by the whole machine, CPU seconds used by this process and its children)."""
    total = psutil.cpu_times()
    busy = sum(total) - total.idle - getattr(total, "iowait", 0.0)
    own = psutil.Process().cpu_times()
    return busy, own.user + own.system + own.children_user + own.children_system


@contextlib.contextmanager
def other_load(acc: dict[str, float | None], key: str) -> Iterator[None]:
    """Store in acc[key] how many cores other processes kept busy, on average, during the block."""
    t0, (busy0, own0) = time.perf_counter(), _cpu_seconds()
    try:
        yield
    finally:
        wall = time.perf_counter() - t0
        busy1, own1 = _cpu_seconds()
        # CPU times tick at 10 ms: blocks under a second give no meaningful average.
        acc[key] = max(0.0, (busy1 - busy0) - (own1 - own0)) / wall if wall >= 1 else None


def dir_size_mb(path: Path) -> float:
    """Size of the files under `path` (symlinks not followed)."""
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)), "n": len(ms)}


@contextlib.contextmanager
def timed(acc: dict[str, float], key: str) -> Iterator[None]:
    """Add the wall time of the block to acc[key]."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        acc[key] = acc.get(key, 0.0) + time.perf_counter() - t0


def clear_sentence_cache() -> bool:
    """Empty tokenize's per-sentence cache so a 'new' document pays its full tokenization cost."""
    fn = getattr(tokenization, "_tokenize_sentence", None)
    if fn is None or not hasattr(fn, "cache_clear"):
        return False
    fn.cache_clear()
    return True


def query_list(n: int) -> list[str]:
    """`n` queries; beyond the built-in list they repeat (the embedding cache is cleared per search)."""
    return [QUERIES[i % len(QUERIES)] for i in range(n)]


class TimedEmbedder:
    """An Embedder whose passage embedding is timed; everything else is delegated."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.passages = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        t0 = time.perf_counter()
        out = self.inner.encode_passages(texts, progress)
        self.seconds += time.perf_counter() - t0
        self.passages += len(texts)
        return out


# --------------------------------------------------------------------------------------------------
# Synthetic documents
# --------------------------------------------------------------------------------------------------


def _names_re(names: Sequence[str], upper: bool = False) -> re.Pattern[str]:
    forms = sorted({*names, *(n.upper() for n in names)} if upper else set(names), key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in forms))


_PROVINCE_RE = _names_re(SOURCE_PROVINCES, upper=True)
_AGENCY_RE = _names_re(AGENCIES)
_PLACE_RE = _names_re(SOURCE_PLACES)


class Variation:
    """One re-issue of a document: consistent replacements of numbers, dates, names within it."""

    def __init__(self, rng: random.Random, signers: Sequence[str]) -> None:
        self.rng = rng
        self.provinces = self._mapping(SOURCE_PROVINCES, PROVINCES)
        self.agencies = self._mapping(AGENCIES, AGENCIES)
        self.places = self._mapping(SOURCE_PLACES, PLACES)
        self.signers = {s: self._person() for s in signers if s}
        self.numbers: dict[str, str] = {}
        self.year_shift = rng.randint(-3, 3)

    def _mapping(self, old: Sequence[str], new: Sequence[str]) -> dict[str, str]:
        return dict(zip(old, self.rng.sample(list(new), len(old)), strict=True))

    def _person(self) -> str:
        return f"{self.rng.choice(SURNAMES)} {self.rng.choice(MIDDLE_NAMES)} {self.rng.choice(GIVEN_NAMES)}"

    def _province(self, m: re.Match[str]) -> str:
        word = m.group(0)
        new = self.provinces[word.title()] if word.isupper() else self.provinces[word]
        return new.upper() if word.isupper() else new

    def _digits(self, digits: str) -> str:
        """Another number of the same length; years move together, small values (months) stay."""
        value = int(digits)
        if len(digits) == 4 and 1990 <= value <= 2050:
            return str(value + self.year_shift)
        if len(digits) == 1 or value <= 12:
            return digits
        if len(digits) == 2:  # days stay days, percentages stay above them
            return str(self.rng.randint(13, 31) if value <= 31 else self.rng.randint(32, 99))
        return str(self.rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))

    def _number(self, m: re.Match[str], text: str) -> str:
        old = m.group(0)
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "\n" in text and not text[line_start : m.start()].strip():
            return old  # headings, item numbers and table row ids keep the document's structure
        if old not in self.numbers:
            if m.group("d"):
                day = self.rng.randint(1, 28)
                month = self.rng.randint(1, 12)
                year = int(m.group("y")) + self.year_shift
                self.numbers[old] = f"{day:0{len(m.group('d'))}d}/{month:0{len(m.group('m'))}d}/{year}"
            else:
                self.numbers[old] = re.sub(r"\d+", lambda g: self._digits(g.group(0)), old)
        return self.numbers[old]

    def apply(self, text: str) -> str:
        text = _DATE_OR_NUMBER_RE.sub(lambda m: self._number(m, text), text)
        text = _PROVINCE_RE.sub(self._province, text)
        text = _AGENCY_RE.sub(lambda m: self.agencies[m.group(0)], text)
        text = _PLACE_RE.sub(lambda m: self.places[m.group(0)], text)
        for old, new in self.signers.items():
            text = text.replace(old, new)
        return text

    def apply_info(self, info: DocumentInfo, doc_id: str) -> DocumentInfo:
        def vary(value: str | None) -> str | None:
            return self.apply(value) if value else value

        return dataclasses.replace(
            info,
            doc_id=doc_id,
            title=self.apply(info.title),
            short_title=self.apply(info.short_title),
            number=vary(info.number),
            issuer=vary(info.issuer),
            signer=vary(info.signer),
            province=vary(info.province),
        )


def re_issue(info: DocumentInfo, text: str, variant: int, seed: int) -> tuple[DocumentInfo, str]:
    """Variant `variant` of a document (0: the document itself)."""
    if variant == 0:
        return info, text
    var = Variation(random.Random(f"{seed}:{info.doc_id}:{variant}"), [info.signer or ""])
    return var.apply_info(info, f"{info.doc_id}-v{variant:03d}"), var.apply(text)


# --------------------------------------------------------------------------------------------------
# Part 1: the bundled corpus
# --------------------------------------------------------------------------------------------------


def bundled_sources(store: DocumentStore) -> list[tuple[DocumentInfo, str]]:
    """(manifest, original text) of each bundled document; documents added by the benchmark are left out."""
    return [(info, store.read_original(info)) for info in store.manifests() if store.is_bundled(info.doc_id)]


def bench_bundled_build(store: DocumentStore, embedder: Embedder, target: Path) -> dict[str, Any]:
    """Parse the bundled corpus and build its index from scratch into `target`."""
    timer = TimedEmbedder(embedder)
    t0 = time.perf_counter()
    docs = parse_corpus(store)
    parse_s = time.perf_counter() - t0
    report = build_index(docs, timer, target, dense_kind="flat", reuse=False)  # type: ignore[arg-type]
    total = time.perf_counter() - t0
    return {
        "documents": report.documents,
        "entries": report.entries,
        "corpus_kb": sum(len(d.original.encode()) for d in docs) / 1024,
        "build_s": total,
        "parse_s": parse_s,
        "embedding_s": timer.seconds,
        "embedded": timer.passages,
        "passages_per_s": timer.passages / timer.seconds if timer.seconds else 0.0,
        "size_mb": dir_size_mb(target),
        "size_parts_mb": {p.name: dir_size_mb(p) for p in sorted(target.iterdir())},
    }


_LOAD_PROBE = """
import json, sys, time
from pathlib import Path
def peak_rss_mb():  # VmHWM: ru_maxrss would report the parent's peak, inherited across fork/exec
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
t0 = time.perf_counter()
from hoidap.indexer.search import HybridIndex
from hoidap.service.qa import embedder_for
from hoidap.settings import Settings
t1 = time.perf_counter()
settings = Settings()  # as embedder_for(settings) in the parent, the CLI and the service
if settings.encoder == "torch":
    import sentence_transformers, torch  # what the torch Embedder() imports lazily
else:
    import onnxruntime, tokenizers  # what OnnxEncoder() imports lazily
t2 = time.perf_counter()
embedder = embedder_for(settings)
t3 = time.perf_counter()
index = HybridIndex.load(Path(sys.argv[1]), embedder)
t4 = time.perf_counter()
index.search(sys.argv[2], k=10, mode="hybrid")
t5 = time.perf_counter()
index.search(sys.argv[3], k=10, mode="hybrid")
t6 = time.perf_counter()
print(json.dumps({"project_imports_s": t1 - t0, "library_imports_s": t2 - t1, "embedder_s": t3 - t2,
                  "load_s": t4 - t3, "first_query_s": t5 - t4, "second_query_s": t6 - t5,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def fresh_process_load(target: Path) -> dict[str, float]:
    """Import, construct the Embedder, load the index and search twice in a new interpreter.

    -P: the probe imports hoidap from where this process does (the installed package, or PYTHONPATH),
    never from a source tree that happens to be the working directory.
    """
    proc = subprocess.run(
        [sys.executable, "-P", "-c", _LOAD_PROBE, str(target), QUERIES[0], QUERIES[24]],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_load(target: Path, embedder: Embedder, repeats: int, fresh_repeats: int) -> dict[str, Any]:
    """Index load time: in this process with a ready Embedder, and in fresh processes (Embedder included)."""
    in_process = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        HybridIndex.load(target, embedder)
        in_process.append(time.perf_counter() - t0)
    fresh = [fresh_process_load(target) for _ in range(fresh_repeats)]

    def median(key: str) -> float:
        return float(np.median([f[key] for f in fresh]))

    keys = (
        "project_imports_s",
        "library_imports_s",
        "embedder_s",
        "load_s",
        "first_query_s",
        "second_query_s",
        "peak_rss_mb",
    )
    out: dict[str, Any] = {
        "load_ready_embedder_s": float(np.median(in_process)),
        "fresh_runs": len(fresh),
        "fresh": {k: median(k) for k in keys},
    }
    out["fresh"]["embedder_plus_load_s"] = float(np.median([f["embedder_s"] + f["load_s"] for f in fresh]))
    return out


Op = Callable[[str], object]


def search_op(index: HybridIndex, mode: str) -> Op:
    return lambda query: index.search(query, k=SEARCH_K, mode=mode)


def interleaved_latencies(
    ops: dict[str, Op], queries: Sequence[str], rounds: int, indexes: Sequence[HybridIndex]
) -> dict[str, dict[str, float]]:
    """Wall time of each op per query; ops take turns on each query so CPU contention from other
    processes spreads evenly over them. Query-embedding caches are emptied before every call."""
    samples = interleaved_samples(ops, queries, rounds, indexes)
    return {label: percentiles(times) for label, times in samples.items()}


def interleaved_samples(
    ops: dict[str, Op], queries: Sequence[str], rounds: int, indexes: Sequence[HybridIndex]
) -> dict[str, list[float]]:
    """The wall times (s) behind `interleaved_latencies`."""
    samples: dict[str, list[float]] = {label: [] for label in ops}
    for _ in range(rounds):
        for q in queries:
            for label, op in ops.items():
                for index in indexes:
                    index._query_cache.clear()
                t0 = time.perf_counter()
                op(q)
                samples[label].append(time.perf_counter() - t0)
    return samples


def cached_latencies(index: HybridIndex, queries: Sequence[str], rounds: int) -> dict[str, float]:
    """Hybrid search with every query vector already cached: the search work alone."""
    for q in queries:
        index.embed_query(q)
    samples = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            index.search(q, k=SEARCH_K, mode="hybrid")
            samples.append(time.perf_counter() - t0)
    return percentiles(samples)


def bench_queries(index: HybridIndex, queries: Sequence[str], rounds: int) -> dict[str, Any]:
    for q in queries[:3]:  # warm-up: first-call allocations, lazy imports
        index.search(q, k=SEARCH_K, mode="hybrid")
    ops: dict[str, Op] = {
        "lexical": search_op(index, "lexical"),
        "dense": search_op(index, "dense"),
        "hybrid": search_op(index, "hybrid"),
        "query_embedding": lambda query: index.embedder.encode_queries([query]),
    }
    out: dict[str, Any] = interleaved_latencies(ops, queries, rounds, [index])
    out["hybrid_cached_vector"] = cached_latencies(index, queries, rounds)
    return out


def bench_incremental_add(
    bundled: Path, root: Path, store: DocumentStore, embedder: Embedder, seed: int
) -> dict[str, Any]:
    """Add one ~40 KB re-issue of the largest bundled document to a copy of the bundled index.

    The document goes into the store's user corpus, which lies in the temporary directory.
    """
    target = root / "add-index"
    shutil.copytree(bundled, target)
    info, text = max(bundled_sources(store), key=lambda p: len(p[1].encode()))
    new_info, new_text = re_issue(info, text, 1, seed + 1)
    data = new_text.encode("utf-8")
    cache_cleared = clear_sentence_cache()  # a new document shares few sentences with the corpus
    timer = TimedEmbedder(embedder)
    t0 = time.perf_counter()
    result = add_document(
        store,
        target,
        "van-ban-moi.txt",
        data,
        timer,  # type: ignore[arg-type]
        title=new_info.short_title,
        number=new_info.number,
        date=new_info.date,
        issuer=new_info.issuer,
    )
    wall = time.perf_counter() - t0
    report = result.report
    return {
        "source_doc": info.doc_id,
        "document_kb": len(data) / 1024,
        "added": result.added,
        "seconds": wall,
        "rebuild_s": report.seconds if report else 0.0,
        "embedding_s": timer.seconds,
        "embedded": report.embedded if report else 0,
        "entries_after": report.entries if report else 0,
        "sentence_cache_cleared": cache_cleared,
    }


# --------------------------------------------------------------------------------------------------
# Part 2: the synthetic corpus
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class SyntheticCorpus:
    entries: list[Entry]
    tokens: list[list[str]]
    source_rows: np.ndarray  # row of the bundled index each entry was derived from
    variants: np.ndarray  # 0 for entries of the bundled documents themselves
    documents: dict[str, dict[str, Any]]
    seconds: dict[str, float]
    same_shape: int  # re-issues with exactly as many entries as their source document
    cache_cleared: bool


def _source_rows(bundled: HybridIndex) -> dict[str, np.ndarray]:
    rows: dict[str, list[int]] = {}
    for row, e in enumerate(bundled.entries):
        rows.setdefault(e.doc_id, []).append(row)
    return {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}


def synthesize(
    bundled: HybridIndex, store: DocumentStore, embedder: Embedder, scale: int, seed: int
) -> SyntheticCorpus:
    """Parse, chunk and tokenize `scale` copies of each bundled document (copy 0 is the original)."""
    sources = bundled_sources(store)
    rows_by_doc = _source_rows(bundled)

    def fits(text: str) -> bool:
        return embedder.count_tokens(text) <= CHUNK_TOKENS

    seconds: dict[str, float] = {}
    entries: list[Entry] = []
    tokens: list[list[str]] = []
    src_rows: list[np.ndarray] = []
    variants: list[int] = []
    documents: dict[str, dict[str, Any]] = {}
    same_shape, cleared = 0, True
    for variant in range(scale):
        if variant and variant % max(1, scale // 10) == 0:
            log(f"  synthetic corpus: {variant}/{scale} copies, {len(entries)} entries")
        for info, text in sources:
            with timed(seconds, "generate"):
                vinfo, vtext = re_issue(info, text, variant, seed)
            with timed(seconds, "parse"):
                doc = parse_document(vinfo, vtext)
            with timed(seconds, "chunk"):
                doc_entries = document_entries(doc, fits)
            cleared = clear_sentence_cache() and cleared
            with timed(seconds, "tokenize"):
                tokens.extend(tokenize(e.lexical_text()) for e in doc_entries)
            source = rows_by_doc[info.doc_id]
            n = len(doc_entries)
            same_shape += variant > 0 and n == len(source)
            src_rows.append(source[np.minimum(np.arange(n) * len(source) // max(n, 1), len(source) - 1)])
            entries.extend(doc_entries)
            variants.extend([variant] * n)
            documents[doc.doc_id] = {"hash": document_hash(vtext), "title": vinfo.short_title, "entries": n}
    rows, kinds = np.concatenate(src_rows), np.asarray(variants)
    return SyntheticCorpus(entries, tokens, rows, kinds, documents, seconds, same_shape, cleared)


def sample_embedding(
    corpus: SyntheticCorpus, source_vectors: np.ndarray, embedder: Embedder, size: int, seed: int
) -> dict[str, float]:
    """Embed a random sample of re-issued passages: passages/s and closeness to the source vectors."""
    pool = np.flatnonzero(corpus.variants > 0)
    if not len(pool):
        pool = np.arange(len(corpus.entries))
    rows = np.random.default_rng(seed).choice(pool, size=min(size, len(pool)), replace=False)
    texts = [corpus.entries[r].embed_text() for r in rows]
    t0 = time.perf_counter()
    vectors = embedder.encode_passages(texts)
    seconds = time.perf_counter() - t0
    cosines = np.einsum("ij,ij->i", vectors, source_vectors[corpus.source_rows[rows]])
    return {
        "passages": len(rows),
        "seconds": seconds,
        "passages_per_s": len(rows) / seconds,
        "mean_chars": float(np.mean([len(t) for t in texts])),
        "cosine_to_source": float(np.mean(cosines)),
    }


@dataclasses.dataclass
class Embedded:
    matrix: np.ndarray
    seconds: float
    runtime_s: float | None = None  # the encoder's runtime alone on the same batches (its floor)


def embed_all(corpus: SyntheticCorpus, embedder: Embedder, chunk: int = 2048) -> Embedded:
    """Every synthetic passage through the real encoder (timed, with progress).

    Passages go to the encoder shortest first, over the whole corpus, as one build call does: each batch
    then holds texts of nearly one length, so little of the work is padding.
    """
    texts = [e.embed_text() for e in corpus.entries]
    order = np.argsort([len(t) for t in texts], kind="stable")
    matrix = np.empty((len(texts), embedder.dimension), dtype=np.float32)
    seconds, runtime, done = 0.0, 0.0, 0
    for start in range(0, len(order), chunk):
        rows = order[start : start + chunk]
        t0 = time.perf_counter()
        matrix[rows] = embedder.encode_passages([texts[r] for r in rows])
        seconds += time.perf_counter() - t0
        # The floor as `hoidap index` reports it: the runtime's own time on these batches, timed as they ran
        # (an ONNX encoder's; torch has none).
        part = getattr(embedder, "last_runtime_seconds", None)
        runtime = runtime + part if part is not None and runtime is not None else None
        done += len(rows)
        log(f"  embedded {done}/{len(texts)} passages (shortest first), {done / seconds:.1f} passages/s")
    return Embedded(matrix, seconds, runtime)


def derive_vectors(
    corpus: SyntheticCorpus, source_vectors: np.ndarray, cosine: float, seed: int
) -> np.ndarray:
    """Source vector + random orthogonal-ish noise so that cos(derived, source) ~= `cosine`."""
    cosine = min(max(cosine, 0.5), 0.999)
    radius = math.sqrt(1 / cosine**2 - 1)
    base = source_vectors[corpus.source_rows]
    noise = np.random.default_rng(seed).standard_normal(base.shape).astype(np.float32)
    noise *= radius / np.linalg.norm(noise, axis=1, keepdims=True)
    noise[corpus.variants == 0] = 0.0  # the bundled documents keep their real vectors
    out = base + noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def build_dense(vectors: np.ndarray, kind: str, directory: Path) -> tuple[DenseIndex, dict[str, float]]:
    index = DenseIndex(vectors.shape[1], kind=kind)
    t0 = time.perf_counter()
    index.add(vectors)
    t1 = time.perf_counter()
    index.save(directory)
    t2 = time.perf_counter()
    return index, {"build_s": t1 - t0, "save_s": t2 - t1, "size_mb": dir_size_mb(directory)}


def write_manifest_for(directory: Path, corpus: SyntheticCorpus, embedder: Embedder, kind: str) -> None:
    manifest = IndexManifest(
        format_version=FORMAT_VERSION,
        model_id=embedder.model_id,
        dimension=embedder.dimension,
        dense_kind=kind,
        created_at=time.time(),
        documents=corpus.documents,
        counts={"documents": len(corpus.documents), "entries": len(corpus.entries)},
    )
    write_manifest(directory / "manifest.json", manifest)


def hnsw_vs_flat(
    flat: HybridIndex, hnsw: HybridIndex, embedder: Embedder, queries: Sequence[str]
) -> dict[str, float]:
    """Dense top-k of HNSW against the exact (flat) top-k.

    The synthetic corpus holds a hundred near-duplicates of every entry, so the exact top-k is full
    of near-ties: besides recall (same rows), the cosine lost at the k-th hit shows what a miss costs.
    """
    vectors = embedder.encode_queries(list(dict.fromkeys(queries)))
    recall, top1, shortfall = [], [], []
    for v in vectors:
        exact = flat.dense.search(v, SEARCH_K)
        approx = hnsw.dense.search(v, SEARCH_K)
        recall.append(len({r for r, _ in exact} & {r for r, _ in approx}) / max(len(exact), 1))
        top1.append(float(bool(exact and approx) and exact[0][0] == approx[0][0]))
        shortfall.append(exact[-1][1] - approx[-1][1] if exact and approx else 0.0)
    return {
        "recall_at_10": float(np.mean(recall)),
        "top1_agreement": float(np.mean(top1)),
        "kth_cosine_shortfall": float(np.mean(shortfall)),
    }


def write_lexical(corpus: SyntheticCorpus, directory: Path, stages: dict[str, float]) -> dict[str, float]:
    """BM25 over the synthetic entries plus entries.jsonl, into `directory`; frees the token lists."""
    with timed(stages, "bm25_build"):
        lexical = LexicalIndex.build(corpus.tokens)
    with timed(stages, "bm25_save"):
        lexical.save(directory / "lexical")
    del lexical
    corpus.tokens.clear()
    with timed(stages, "entries_write"):
        write_entries(directory / "entries.jsonl", corpus.entries)
    return {
        "lexical_size_mb": dir_size_mb(directory / "lexical"),
        "entries_size_mb": dir_size_mb(directory / "entries.jsonl"),
    }


MEASURED_STAGES = ("parse", "chunk", "tokenize", "bm25_build", "bm25_save", "entries_write")


def write_dense(
    corpus: SyntheticCorpus,
    vectors: np.ndarray,
    kind: str,
    directory: Path,
    lexical_dir: Path,
    embedder: Embedder,
    out: dict[str, Any],
) -> HybridIndex:
    """A loadable index directory with a `kind` dense part, the lexical part shared by symlink.

    Its figures go to out[kind].
    """
    dense, figures = build_dense(vectors, kind, directory / "dense")
    del dense
    for name in ("entries.jsonl", "lexical"):
        if not (directory / name).exists():
            (directory / name).symlink_to(lexical_dir / name)
    write_manifest_for(directory, corpus, embedder, kind)
    t0 = time.perf_counter()
    index = HybridIndex.load(directory, embedder)
    figures["load_s"] = time.perf_counter() - t0
    stages = out["stages_s"]
    measured = sum(stages[k] for k in MEASURED_STAGES) + figures["build_s"] + figures["save_s"]
    figures["measured_build_s"] = measured
    figures["total_build_s"] = figures["measured_build_s"] + out["embedding_s"]
    figures["index_size_mb"] = (
        out["lexical_size_mb"]
        + out["entries_size_mb"]
        + figures["size_mb"]
        + dir_size_mb(directory / "manifest.json")
    )
    out[kind] = figures
    return index


def large_latencies(
    flat: HybridIndex, hnsw: HybridIndex, embedder: Embedder, queries: Sequence[str], rounds: int
) -> dict[str, Any]:
    for q in queries[:3]:  # warm-up
        flat.search(q, k=SEARCH_K)
        hnsw.search(q, k=SEARCH_K)
    ops: dict[str, Op] = {
        "lexical": search_op(flat, "lexical"),
        "dense_flat": search_op(flat, "dense"),
        "dense_hnsw": search_op(hnsw, "dense"),
        "hybrid_flat": search_op(flat, "hybrid"),
        "hybrid_hnsw": search_op(hnsw, "hybrid"),
        "query_embedding": lambda query: embedder.encode_queries([query]),
    }
    return interleaved_latencies(ops, queries, rounds, [flat, hnsw])


def bench_large(
    bundled_dir: Path,
    root: Path,
    store: DocumentStore,
    embedder: Embedder,
    args: argparse.Namespace,
    queries: Sequence[str],
    others: dict[str, float | None],
) -> dict[str, Any]:
    """Part 2: the synthetic corpus, `args.scale` times the bundled one."""
    encoder_name = bench_settings(root).encoder
    bundled = HybridIndex.load(bundled_dir, embedder)
    source_vectors = np.asarray(bundled.dense.vectors)
    log(f"part 2: synthetic corpus of {args.scale} x {len(bundled.manifest.documents)} documents")
    with other_load(others, "synthetic parse/chunk/tokenize"):
        corpus = synthesize(bundled, store, embedder, args.scale, args.seed)
    out: dict[str, Any] = {
        "scale": args.scale,
        "documents": len(corpus.documents),
        "entries": len(corpus.entries),
        "reissues_same_shape": corpus.same_shape,
        "reissues": len(corpus.documents) - len(bundled.manifest.documents),
        "sentence_cache_cleared_per_document": corpus.cache_cleared,
        "stages_s": dict(corpus.seconds),
    }
    flat_dir, hnsw_dir = root / "large-flat", root / "large-hnsw"
    flat_dir.mkdir()
    hnsw_dir.mkdir()
    log(f"part 2: lexical index over {len(corpus.entries)} entries")
    with other_load(others, "synthetic BM25 build"):
        out.update(write_lexical(corpus, flat_dir, out["stages_s"]))
    out["encoder"] = embedder.model_id
    if args.extrapolate:
        log(f"part 2: embedding a sample of {args.sample} passages")
        with other_load(others, "synthetic sample embedding"):
            out["sample"] = sample_embedding(corpus, source_vectors, embedder, args.sample, args.seed)
        out["embedding_s"] = len(corpus.entries) / out["sample"]["passages_per_s"]
        out["embedding_real"] = False
        vectors = derive_vectors(corpus, source_vectors, out["sample"]["cosine_to_source"], args.seed)
    else:
        log(f"part 2: embedding all {len(corpus.entries)} passages for real ({embedder.model_id})")
        with other_load(others, "synthetic embedding (all passages)"):
            vectors = embed_all(corpus, embedder)
        out["embedding_s"] = vectors.seconds
        out["embedding_real"] = True
        out["sample"] = {
            "passages": len(corpus.entries),
            "seconds": vectors.seconds,
            "passages_per_s": len(corpus.entries) / max(vectors.seconds, 1e-9),
        }
        if vectors.runtime_s:
            out["floor_per_s"] = len(corpus.entries) / vectors.runtime_s
        vectors = vectors.matrix
    log("part 2: FAISS flat and HNSW indexes")
    with other_load(others, "synthetic FAISS builds"):
        flat = write_dense(corpus, vectors, "flat", flat_dir, flat_dir, embedder, out)
        hnsw = write_dense(corpus, vectors, "hnsw", hnsw_dir, flat_dir, embedder, out)
    del vectors
    log("part 2: query latency")
    with other_load(others, "synthetic queries"):
        out["latency"] = large_latencies(flat, hnsw, embedder, queries, args.rounds_large)
    out["hnsw_vs_flat"] = hnsw_vs_flat(flat, hnsw, embedder, queries)
    out["peak_rss_mb"] = peak_rss_mb()
    del flat, hnsw, corpus
    log("part 2: serving the synthetic corpus in a fresh process (QAService.ask, naive BM25 baseline, RSS)")
    with other_load(others, "synthetic serving"):
        out["serve"] = run_worker(
            encoder_name,
            "serve-large",
            root,
            args.queries,
            args.rounds_large,
            ["--scale", str(args.scale), "--seed", str(args.seed)],
        )
    if out["serve"]:
        out["serve"].pop("samples_s", None)
    return out


# --------------------------------------------------------------------------------------------------
# Part 0: the encoder variants side by side (issue 13), each in its own process
# --------------------------------------------------------------------------------------------------

VARIANTS = ("torch", "onnx-fp32", "onnx-int8")


def held_out_questions(n: int) -> list[str]:
    """The gold test split's questions (held out from calibration), at most ``n``."""
    from importlib import resources

    text = (resources.files("hoidap.eval") / "gold.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [i["question"] for i in items if i.get("split") == "test"][:n]


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def variant_settings(variant: str, root: Path) -> Settings:
    """Every variant with the same thread count: torch gets the ONNX Runtime's ``encoder_threads``."""
    base = Settings()
    return Settings(
        data_dir=root / "data",
        index_dir=root / "data" / "index",
        encoder=variant,
        torch_threads=base.encoder_threads or base.torch_threads,
    )


def synthetic_documents(store: DocumentStore, scale: int, seed: int) -> list[ParsedDocument]:
    """The parsed documents of the synthetic corpus, as `synthesize` makes them (same seed, same texts)."""
    return [
        parse_document(*re_issue(info, text, variant, seed))
        for variant in range(scale)
        for info, text in bundled_sources(store)
    ]


def serve_figures(
    settings: Settings,
    encoder: Embedder,
    docs: list[ParsedDocument],
    index: HybridIndex,
    questions: list[str],
    rounds: int,
) -> dict[str, Any]:
    """As a serving process: time query encoding, lexical and hybrid search and QAService.ask on
    ``questions`` (taking turns per question, query caches emptied), then RSS after the run and its peak;
    then, apart (its memory is not the server's), ask through the naive BM25 baseline of the eval
    (raw lines, whitespace tokens) with the same answer layer."""
    from hoidap.eval.baselines import RawLineBM25
    from hoidap.service.answer import Answerer
    from hoidap.service.qa import QAService

    service = QAService(docs, index, settings)
    for q in questions[:3]:  # warm-up: lazy imports, first-call allocations
        service.ask(q)
    ops: dict[str, Op] = {
        "query_embedding": lambda q: encoder.encode_queries([q]),
        "lexical": search_op(index, "lexical"),
        "hybrid": search_op(index, "hybrid"),
        "ask": lambda q: service.ask(q),
    }
    samples = interleaved_samples(ops, questions, rounds, [index])
    out: dict[str, Any] = {
        "latency": {label: percentiles(times) for label, times in samples.items()},
        "samples_s": samples,
        "rss_mb": _status_mb("VmRSS"),
        "peak_rss_mb": _status_mb("VmHWM"),
        "torch_imported": "torch" in sys.modules,
        "sentence_transformers_imported": "sentence_transformers" in sys.modules,
        "questions": len(questions),
        "documents": len(docs),
        "entries": len(index.entries),
    }
    t0 = time.perf_counter()
    raw = Answerer(docs, RawLineBM25(docs), "hybrid", settings.answer)
    out["raw_bm25_build_s"] = time.perf_counter() - t0
    raw.ask(questions[0])
    raw_samples = interleaved_samples({"ask_raw_bm25": lambda q: raw.ask(q)}, questions, rounds, [])
    out["samples_s"].update(raw_samples)
    out["latency"]["ask_raw_bm25"] = percentiles(raw_samples["ask_raw_bm25"])
    return out


def variant_worker(
    variant: str, phase: str, root: Path, n_questions: int, rounds: int, scale: int = 1, seed: int = 13
) -> dict[str, Any]:
    """One phase of one variant, in a fresh process.

    ``build``: load the encoder and build the bundled index with it (passages/s of a real build).
    ``serve``: load the encoder and that index, then `serve_figures` on held-out questions.
    ``serve-large``: the same over the synthetic corpus (``scale``, ``seed``) and its flat index, which
    part 2 built in ``root/large-flat``.
    """
    settings = variant_settings(variant, root)
    t0 = time.perf_counter()
    encoder = embedder_for(settings)
    load_s = time.perf_counter() - t0
    store = document_store(settings)
    out: dict[str, Any] = {
        "variant": variant,
        "model_id": encoder.model_id,
        "encoder_load_s": load_s,
        "threads": getattr(encoder, "threads", settings.torch_threads),
    }
    if phase == "build":
        build = bench_bundled_build(store, encoder, root / "index")
        out.update(passages_per_s=build["passages_per_s"], build_s=build["build_s"], entries=build["entries"])
        return out
    large = phase == "serve-large"
    index = HybridIndex.load(root / ("large-flat" if large else "index"), encoder)
    t1 = time.perf_counter()
    docs = synthetic_documents(store, scale, seed) if large else parse_corpus(store)
    out["parse_s"] = time.perf_counter() - t1
    docs = [d for d in docs if d.doc_id in index.manifest.documents]
    out.update(serve_figures(settings, encoder, docs, index, held_out_questions(n_questions), rounds))
    return out


def run_worker(
    variant: str, phase: str, root: Path, n_questions: int, rounds: int, extra: Sequence[str] = ()
) -> dict[str, Any] | None:
    """`variant_worker` in a fresh interpreter; its figures, or None (logged) when it failed."""
    # The CLI's passive OpenMP wait policy, so torch's threads do not spin against other load.
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    proc = subprocess.run(
        [
            sys.executable,
            "-P",
            str(Path(__file__).resolve()),
            "--variant-worker",
            variant,
            "--worker-phase",
            phase,
            "--worker-root",
            str(root),
            "--queries",
            str(n_questions),
            "--worker-rounds",
            str(rounds),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        log(f"  variant {variant} {phase} failed: {proc.stderr[-1500:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_variants(
    root: Path, variants: Sequence[str], n_questions: int, rounds: int, others: dict[str, float | None]
) -> dict[str, Any]:
    """Each variant in fresh interpreters (so RSS and imports are its own): a build each, one after
    another, then ``rounds`` serve processes per variant, the variants taking turns, so that load from
    other processes drifting over the minutes falls on every variant alike; their samples are pooled."""
    out: dict[str, Any] = {}
    built: list[str] = []
    for v in variants:
        log(f"part 0: encoder {v}: build the bundled index (fresh process)")
        work = root / f"variant-{v}"
        work.mkdir()
        with other_load(others, f"variant {v} build"):
            result = run_worker(v, "build", work, n_questions, 1)
        if result is not None:
            out[v] = {k: x for k, x in result.items() if k != "encoder_load_s"}
            out[v]["encoder_load_build_s"] = result["encoder_load_s"]
            built.append(v)
    serves: dict[str, list[dict[str, Any]]] = {v: [] for v in built}
    for r in range(rounds):
        for v in built:
            log(f"part 0: encoder {v}: serve, turn {r + 1}/{rounds} (fresh process)")
            with other_load(others, f"variant {v} serve"):
                result = run_worker(v, "serve", root / f"variant-{v}", n_questions, 1)
            if result is not None:
                serves[v].append(result)
    for v in built:
        turns = serves[v]
        if not turns:
            del out[v]
            continue
        pooled: dict[str, list[float]] = {}
        for t in turns:
            for label, times in t.pop("samples_s").items():
                pooled.setdefault(label, []).extend(times)
        last = turns[-1]
        out[v].update({k: x for k, x in last.items() if k not in ("latency", "encoder_load_s")})
        out[v]["latency"] = {label: percentiles(times) for label, times in pooled.items()}
        out[v]["encoder_load_s"] = float(np.median([t["encoder_load_s"] for t in turns]))
        out[v]["rss_mb"] = max(t["rss_mb"] for t in turns)
        out[v]["peak_rss_mb"] = max(t["peak_rss_mb"] for t in turns)
        out[v]["serve_turns"] = len(turns)
    for v in variants:
        shutil.rmtree(root / f"variant-{v}", ignore_errors=True)
    return out


def render_variants(t: Table, fig: dict[str, Any]) -> None:
    v = fig["variants"]
    base = v.get("torch")
    n = next(iter(v.values()))["latency"]["ask"]["n"] if v else 0
    t.section(
        f"0. Encoder variants: a build each, then serve processes taking turns (n={n} timings: "
        "held-out questions x turns; ratio to torch fp32 of this run)"
    )

    def ratio(value: float, ref: float | None) -> str:
        return f" (x{value / ref:.2f})" if ref else ""

    for name, d in v.items():
        lat = d["latency"]
        ref = base["latency"] if base else None
        t.row(f"{name}: model id", d["model_id"])
        t.row(
            f"{name}: encoder load (imports included), threads",
            f"{d['encoder_load_s']:.1f} s, {d['threads']}",
        )
        t.row(
            f"{name}: query encoding p50 / p95",
            _lat(lat["query_embedding"])
            + ratio(lat["query_embedding"]["p50_ms"], ref and ref["query_embedding"]["p50_ms"]),
        )
        t.row(
            f"{name}: passages/s (bundled build, {d['entries']} entries)",
            f"{d['passages_per_s']:.1f}" + ratio(d["passages_per_s"], base and base["passages_per_s"]),
        )
        t.row(f"{name}: hybrid search p50 / p95", _lat(lat["hybrid"]))
        t.row(f"{name}: lexical search p50 / p95 (BM25 baseline)", _lat(lat["lexical"]))
        t.row(
            f"{name}: QAService.ask p50 / p95",
            _lat(lat["ask"]) + ratio(lat["ask"]["p50_ms"], ref and ref["ask"]["p50_ms"]),
        )
        if "ask_raw_bm25" in lat:
            t.row(f"{name}: ask via naive BM25 baseline p50 / p95", _lat(lat["ask_raw_bm25"]))
            t.row(
                f"{name}: ask p50 / naive BM25 ask p50",
                f"{lat['ask']['p50_ms'] / lat['ask_raw_bm25']['p50_ms']:.2f}",
            )
        if ref:
            t.row(
                f"{name}: ask p50 / torch query-encoding p50",
                f"{lat['ask']['p50_ms'] / ref['query_embedding']['p50_ms']:.2f}",
                "<= 0.6",
                "PASS" if lat["ask"]["p50_ms"] <= 0.6 * ref["query_embedding"]["p50_ms"] else "MISS",
            )
        t.row(
            f"{name}: serving RSS after the run / peak (max of its turns)",
            f"{d['rss_mb']:.0f} MB / {d['peak_rss_mb']:.0f} MB",
            "<= 900" if name != "torch" else "",
            "" if name == "torch" else ("PASS" if d["rss_mb"] <= 900 else "MISS"),
        )
        t.row(f"{name}: torch imported in the process", "yes" if d["torch_imported"] else "no")


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpus": cpus,
        "load_average_start": os.getloadavg()[0],
    }


def goals(fig: dict[str, Any]) -> list[dict[str, Any]]:
    """Informational targets; a miss never changes the exit status."""
    if "bundled" not in fig:
        return []
    b = fig["bundled"]
    rows = [
        ("hybrid search p50, bundled corpus", b["latency"]["hybrid"]["p50_ms"], GOAL_HYBRID_P50_MS, "ms"),
        (
            "index load after imports, incl. Embedder()",
            b["load"]["fresh"]["embedder_plus_load_s"],
            GOAL_LOAD_S,
            "s",
        ),
        ("index load after imports, Embedder ready", b["load"]["load_ready_embedder_s"], GOAL_LOAD_S, "s"),
        ("incremental add of one ~40 KB document", b["add"]["seconds"], GOAL_ADD_S, "s"),
    ]
    out = [
        {"goal": name, "value": value, "limit": limit, "unit": unit, "pass": value <= limit}
        for name, value, limit, unit in rows
    ]
    g = fig.get("large") or {}
    if g.get("embedding_real") and "flat" in g:
        minutes = g["flat"]["total_build_s"] / 60
        out.append(
            {
                "goal": GOAL_LARGE_NAME,
                "value": minutes,
                "limit": GOAL_LARGE_MIN,
                "unit": "min",
                "pass": minutes <= GOAL_LARGE_MIN,
            }
        )
    if g.get("floor_per_s"):
        share = g["sample"]["passages_per_s"] / g["floor_per_s"]
        out.append(
            {
                "goal": GOAL_FLOOR_NAME,
                "value": round(share, 3),
                "limit": GOAL_FLOOR_SHARE,
                "unit": "of floor",
                "pass": share >= GOAL_FLOOR_SHARE,
                "op": ">=",
            }
        )
    return out


def _lat(d: dict[str, float]) -> str:
    return f"{d['p50_ms']:7.1f} / {d['p95_ms']:7.1f} ms"


class Table:
    """Rows of label | value | goal | status, grouped in titled sections."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        self.lines += ["", title, "-" * len(title)]

    def row(self, label: str, value: str, goal: str = "", status: str = "") -> None:
        self.lines.append(f"  {label:<50} {value:<28} {goal:<9} {status}".rstrip())

    def note(self, text: str) -> None:
        self.lines.append(f"  {text}")

    def render(self) -> str:
        return "\n".join(self.lines)


def _goal_cells(fig: dict[str, Any], name: str) -> tuple[str, str]:
    for g in fig["goals"]:
        if g["goal"] == name:
            return f"{g.get('op', '<=')} {g['limit']:g} {g['unit']}", "PASS" if g["pass"] else "MISS"
    return "", ""


def render_bundled(t: Table, fig: dict[str, Any]) -> None:
    b = fig["bundled"]
    build, load, lat, add = b["build"], b["load"], b["latency"], b["add"]
    t.section(
        f"1. Bundled corpus: {build['documents']} documents, {build['corpus_kb']:.0f} KB, "
        f"{build['entries']} entries"
    )
    t.row(f"encoder {fig['machine']['encoder']}, incl. imports", f"{b['embedder_s']:.1f} s")
    t.row("full build (parse, chunk, tokenize, embed, write)", f"{build['build_s']:.1f} s")
    t.row(
        "  of which passage embedding",
        f"{build['embedding_s']:.1f} s ({build['passages_per_s']:.1f} passages/s)",
    )
    t.row("  of which parsing", f"{build['parse_s']:.2f} s")
    t.row("index size on disk", f"{build['size_mb']:.2f} MB")
    t.note("    " + ", ".join(f"{k} {v:.2f} MB" for k, v in build["size_parts_mb"].items()))
    t.row("peak RSS after part 1", f"{b['peak_rss_mb']:.0f} MB")
    fresh = load["fresh"]
    t.row(
        "load index, Embedder already constructed",
        f"{load['load_ready_embedder_s'] * 1000:.0f} ms",
        *_goal_cells(fig, "index load after imports, Embedder ready"),
    )
    t.row(
        f"fresh process (median of {load['fresh_runs']}): Embedder() + load",
        f"{fresh['embedder_plus_load_s']:.2f} s",
        *_goal_cells(fig, "index load after imports, incl. Embedder()"),
    )
    t.row("  before: import hoidap.indexer.search, embedder", f"{fresh['project_imports_s']:.2f} s")
    t.row("  before: import the encoder's runtime", f"{fresh['library_imports_s']:.2f} s")
    t.row("  Embedder() construction (libraries imported)", f"{fresh['embedder_s']:.2f} s")
    t.row("  HybridIndex.load", f"{fresh['load_s'] * 1000:.0f} ms")
    t.row("  first hybrid query (lazy underthesea import)", f"{fresh['first_query_s']:.2f} s")
    t.row("  second hybrid query", f"{fresh['second_query_s'] * 1000:.0f} ms")
    t.row("  peak RSS of that process", f"{fresh['peak_rss_mb']:.0f} MB")
    t.row(f"query latency p50 / p95 (n={lat['lexical']['n']}, k={SEARCH_K})", "")
    t.row("  lexical", _lat(lat["lexical"]))
    t.row("  dense (query embedding included)", _lat(lat["dense"]))
    t.row(
        "  hybrid (query embedding included)",
        _lat(lat["hybrid"]),
        *_goal_cells(fig, "hybrid search p50, bundled corpus"),
    )
    t.row("  hybrid, query vector already cached", _lat(lat["hybrid_cached_vector"]))
    t.row("  query embedding alone", _lat(lat["query_embedding"]))
    t.row(
        f"incremental add of one {add['document_kb']:.0f} KB document (wall)",
        f"{add['seconds']:.1f} s",
        *_goal_cells(fig, "incremental add of one ~40 KB document"),
    )
    t.row("  entries embedded / index entries after", f"{add['embedded']} / {add['entries_after']}")
    t.row("  of which passage embedding", f"{add['embedding_s']:.1f} s")


def render_large(t: Table, fig: dict[str, Any]) -> None:
    g = fig["large"]
    s, flat, hnsw, sample = g["stages_s"], g["flat"], g["hnsw"], g["sample"]
    t.section(f"2. Synthetic corpus x{g['scale']}: {g['documents']} documents, {g['entries']} entries")
    t.note(f"({g['reissues_same_shape']} of {g['reissues']} re-issues have as many entries as their source)")
    t.row("text generation (not part of a build)", f"{s['generate']:.1f} s")
    t.row("parse", f"{s['parse']:.1f} s")
    t.row("chunk into entries (model token counts)", f"{s['chunk']:.1f} s")
    cleared = g["sentence_cache_cleared_per_document"]
    cache = "sentence cache cleared per document" if cleared else "warm cache"
    t.row(f"tokenize ({cache})", f"{s['tokenize']:.1f} s")
    t.row("BM25 build / save", f"{s['bm25_build']:.1f} s / {s['bm25_save']:.1f} s")
    t.row("entries.jsonl write", f"{s['entries_write']:.1f} s")
    t.row(
        "lexical index size / entries.jsonl size",
        f"{g['lexical_size_mb']:.0f} MB / {g['entries_size_mb']:.0f} MB",
    )
    real = g.get("embedding_real", False)
    how = "" if real else "EXTRAPOLATED"
    if real:
        t.row(
            f"passage embedding of all {g['entries']} entries ({g['encoder']})",
            f"{g['embedding_s'] / 60:.1f} min ({sample['passages_per_s']:.1f} passages/s)",
            "",
            "MEASURED",
        )
        if g.get("floor_per_s"):
            t.row(
                "  encoder floor (its runtime alone, same batches)",
                f"{g['floor_per_s']:.1f} passages/s: {sample['passages_per_s'] / g['floor_per_s']:.0%} of it",
                *_goal_cells(fig, GOAL_FLOOR_NAME),
            )
    else:
        t.row(
            f"passage embedding, measured sample of {sample['passages']}",
            f"{sample['seconds']:.1f} s ({sample['passages_per_s']:.2f} passages/s)",
        )
        t.row("  sample: mean cosine to its source entry", f"{sample['cosine_to_source']:.3f}")
        t.row(f"passage embedding of all {g['entries']} entries", f"{g['embedding_s'] / 60:.0f} min", "", how)
    torch_v = fig.get("variants", {}).get("torch")
    if torch_v and g.get("encoder") != torch_v["model_id"]:
        t.row(
            f"  torch fp32: passages/s on a sample (the {torch_v['entries']} bundled entries, part 0)",
            f"{torch_v['passages_per_s']:.1f} (x{sample['passages_per_s'] / torch_v['passages_per_s']:.2f}"
            " for the encoder above)",
        )
        t.row(
            "  torch fp32 for the same entries (its passages/s in part 0)",
            f"{g['entries'] / torch_v['passages_per_s'] / 60:.0f} min",
            "",
            "EXTRAPOLATED",
        )
    for kind, d in (("flat", flat), ("hnsw", hnsw)):
        t.row(f"FAISS {kind}: build / save", f"{d['build_s']:.2f} s / {d['save_s']:.2f} s")
        t.row(f"FAISS {kind}: size on disk", f"{d['size_mb']:.0f} MB")
        t.row(f"whole index ({kind}): size on disk", f"{d['index_size_mb']:.0f} MB")
        t.row(f"whole index ({kind}): HybridIndex.load", f"{d['load_s']:.2f} s")
        t.row(f"whole index ({kind}): build, measured parts", f"{d['measured_build_s'] / 60:.1f} min")
        t.row(
            f"whole index ({kind}): build incl. embedding",
            f"{d['total_build_s'] / 60:.1f} min",
            "",
            how or "MEASURED",
        )
    lat = g["latency"]
    t.row(f"query latency p50 / p95 (n={lat['lexical']['n']}, k={SEARCH_K})", "")
    t.row("  lexical", _lat(lat["lexical"]))
    t.row("  dense flat (query embedding included)", _lat(lat["dense_flat"]))
    t.row("  dense hnsw (query embedding included)", _lat(lat["dense_hnsw"]))
    t.row("  hybrid flat (query embedding included)", _lat(lat["hybrid_flat"]))
    t.row("  hybrid hnsw (query embedding included)", _lat(lat["hybrid_hnsw"]))
    t.row("  query embedding alone", _lat(lat["query_embedding"]))
    hv = g["hnsw_vs_flat"]
    t.row(
        "hnsw vs exact top-10: recall / same top-1", f"{hv['recall_at_10']:.3f} / {hv['top1_agreement']:.3f}"
    )
    t.row("  cosine lost at the 10th hit (near-ties)", f"{hv['kth_cosine_shortfall']:.4f}")
    t.row("peak RSS after part 2 (whole run)", f"{g['peak_rss_mb']:.0f} MB")
    render_large_serve(t, fig)


def render_large_serve(t: Table, fig: dict[str, Any]) -> None:
    """The synthetic corpus served in a fresh process, beside torch fp32 and the naive BM25 baseline."""
    d = fig["large"].get("serve")
    if not d:
        t.row("serving the synthetic corpus", "failed (see the log)")
        return
    lat = d["latency"]
    torch_v = fig.get("variants", {}).get("torch")
    t.section(
        f"2b. Synthetic corpus served ({d['variant']}, fresh process): {d['documents']} documents, "
        f"{d['entries']} entries, n={lat['ask']['n']} held-out questions x rounds"
    )
    t.row("parse the synthetic documents at start-up", f"{d['parse_s']:.1f} s")
    t.row("query encoding p50 / p95", _lat(lat["query_embedding"]))
    if torch_v:
        t.row(
            "  torch fp32 query encoding (part 0, same questions)",
            _lat(torch_v["latency"]["query_embedding"]),
        )
    t.row("lexical search p50 / p95", _lat(lat["lexical"]))
    t.row("hybrid search p50 / p95", _lat(lat["hybrid"]))
    t.row("QAService.ask p50 / p95", _lat(lat["ask"]))
    t.row("ask via naive BM25 baseline p50 / p95", _lat(lat["ask_raw_bm25"]))
    t.row("  ask p50 / naive BM25 ask p50", f"{lat['ask']['p50_ms'] / lat['ask_raw_bm25']['p50_ms']:.2f}")
    if torch_v:
        ref = torch_v["latency"]["query_embedding"]["p50_ms"]
        t.row(
            "  ask p50 / torch fp32 query-encoding p50",
            f"{lat['ask']['p50_ms'] / ref:.2f}",
            "<= 0.6",
            "PASS" if lat["ask"]["p50_ms"] <= 0.6 * ref else "MISS",
        )
    t.row("serving RSS after the run / peak", f"{d['rss_mb']:.0f} MB / {d['peak_rss_mb']:.0f} MB")
    if torch_v:
        t.row("  torch fp32 serving RSS, bundled corpus (part 0)", f"{torch_v['rss_mb']:.0f} MB")
    t.row("torch imported in the serving process", "yes" if d["torch_imported"] else "no")


def render(fig: dict[str, Any]) -> str:
    m = fig["machine"]
    t = Table()
    t.lines.append(
        f"hoidap index benchmark, {m['date']}: Python {m['python']}, {m['cpus']} CPUs, "
        f"torch threads {m['torch_threads']}, load average {m['load_average_start']:.1f} at start, "
        f"{m['load_average_end']:.1f} at end"
    )
    t.lines.append(f"  {'metric':<50} {'value':<28} {'goal':<9} status")
    if fig.get("variants"):
        render_variants(t, fig)
    if "bundled" in fig:
        render_bundled(t, fig)
    if "large" in fig:
        render_large(t, fig)
    t.section(f"CPU kept busy by other processes (average cores of {m['cpus']})")
    for phase, cores in fig["other_processes_cores"].items():
        t.row(phase, "n/a (under 1 s)" if cores is None else f"{cores:.2f}")
    t.section("Goals (informational)")
    for g in fig["goals"]:
        unit = g["unit"]
        value = f"{g['value']:.1f} {unit}" if unit == "ms" else f"{g['value']:.2f} {unit}"
        t.row(g["goal"], value, f"{g.get('op', '<=')} {g['limit']:g} {unit}", "PASS" if g["pass"] else "MISS")
    t.lines.append("")
    t.lines.append(f"benchmark wall time: {fig['wall_s'] / 60:.1f} min")
    return t.render()


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench_index.py", description=(__doc__ or "").splitlines()[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: synthetic corpus x2 instead of x100, 12 queries, 1 round, sample of 24, "
        "1 fresh-process load",
    )
    p.add_argument("--scale", type=int, default=None, help="synthetic corpus size in bundled corpora (100)")
    p.add_argument("--queries", type=int, default=None, help="queries per latency measurement (40)")
    p.add_argument("--sample", type=int, default=None, help="passages embedded to measure speed (300)")
    p.add_argument("--seed", type=int, default=13, help="seed of the synthetic corpus")
    p.add_argument("--skip-large", action="store_true", help="only part 1 (the bundled corpus)")
    p.add_argument("--variants-only", action="store_true", help="only part 0 (the encoder variants)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--out", type=Path, default=None, help="also write the figures to this JSON file")
    p.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help="encoder variants compared in part 0, comma-separated ('none' skips part 0)",
    )
    p.add_argument(
        "--extrapolate",
        action="store_true",
        help="part 2: embed a sample and extrapolate (the old way) instead of every passage",
    )
    p.add_argument("--variant-worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--worker-root", type=Path, default=None, help=argparse.SUPPRESS)
    p.add_argument("--worker-rounds", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--worker-phase", default="serve", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.variant_list = [] if args.variants == "none" else [v for v in args.variants.split(",") if v]
    if any(v not in VARIANTS for v in args.variant_list):
        p.error(f"--variants: choose among {', '.join(VARIANTS)} or 'none'")
    quick = args.quick
    args.scale = args.scale or (2 if quick else 100)
    args.queries = args.queries or (12 if quick else 40)
    args.sample = args.sample or (24 if quick else 300)
    args.rounds = 1 if quick else 3
    args.rounds_large = 1 if quick else 2
    args.load_repeats = 3 if quick else 5
    args.fresh_repeats = 1 if quick else 3
    if args.scale < 1 or args.queries < 1 or args.sample < 1:
        p.error("--scale, --queries and --sample must be positive")
    return args


def run_bundled(
    root: Path,
    store: DocumentStore,
    embedder: Embedder,
    args: argparse.Namespace,
    queries: list[str],
    others: dict[str, float | None],
) -> dict[str, Any]:
    target = root / "bundled-index"
    log("part 1: building the bundled corpus index (embeds every entry)")
    with other_load(others, "bundled build"):
        out: dict[str, Any] = {"build": bench_bundled_build(store, embedder, target)}
    log("part 1: load times (fresh processes included)")
    with other_load(others, "bundled load"):
        out["load"] = bench_load(target, embedder, args.load_repeats, args.fresh_repeats)
    log("part 1: query latency")
    with other_load(others, "bundled queries"):
        out["latency"] = bench_queries(HybridIndex.load(target, embedder), queries, args.rounds)
    log("part 1: incremental add")
    with other_load(others, "incremental add"):
        out["add"] = bench_incremental_add(target, root, store, embedder, args.seed)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def bench_settings(root: Path) -> Settings:
    """The usual settings (model, cache, bundled corpus, threads), with the writable state under `root`.

    Explicit arguments win over HOIDAP_DATA_DIR / HOIDAP_INDEX_DIR, so the user's data is never touched.
    """
    return Settings(data_dir=root / "data", index_dir=root / "data" / "index")


def with_temp_root(keep: bool, fn: Callable[[Path, Settings], dict[str, Any]]) -> dict[str, Any]:
    """Run fn(root, settings) with the settings' data and index directories inside a fresh temporary one."""
    root = Path(tempfile.mkdtemp(prefix="hoidap-bench-"))
    try:
        return fn(root, bench_settings(root))
    finally:
        if keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.variant_worker:
        fig = variant_worker(
            args.variant_worker,
            args.worker_phase,
            args.worker_root,
            args.queries,
            args.worker_rounds or 1,
            args.scale,
            args.seed,
        )
        print(json.dumps(fig))
        return 0
    started = time.perf_counter()
    queries = query_list(args.queries)

    def run(root: Path, settings: Settings) -> dict[str, Any]:
        fig: dict[str, Any] = {
            "machine": machine_info(),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        }
        store = document_store(settings)
        t0 = time.perf_counter()
        embedder = embedder_for(settings)
        embedder_s = time.perf_counter() - t0
        fig["machine"]["encoder"] = embedder.model_id
        if settings.encoder == "torch":
            import torch  # already imported by the Embedder, which set its thread count

            fig["machine"]["torch_threads"] = torch.get_num_threads()
        else:
            fig["machine"]["torch_threads"] = f"n/a, ORT threads {embedder.threads}"
        others: dict[str, float | None] = {}
        fig["other_processes_cores"] = others
        fig["variants"] = bench_variants(root, args.variant_list, args.queries, args.rounds, others)
        if args.variants_only:
            return fig
        fig["bundled"] = run_bundled(root, store, embedder, args, queries, others)
        fig["bundled"]["embedder_s"] = embedder_s
        if not args.skip_large:
            fig["large"] = bench_large(root / "bundled-index", root, store, embedder, args, queries, others)
        return fig

    fig = with_temp_root(args.keep, run)
    fig["goals"] = goals(fig)
    fig["machine"]["load_average_end"] = os.getloadavg()[0]
    fig["wall_s"] = time.perf_counter() - started
    if args.out:  # first: a long run's figures survive a failure to render them
        args.out.write_text(json.dumps(fig, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        log(f"figures written to {args.out}")
    print(render(fig))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
