"""The ONNX Runtime encoder against the torch model it was exported from (issue 13).

Uses the settings' model cache (HOIDAP_CACHE_DIR): the exports are built there first if missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hoidap.indexer.embedder import Embedder, make_encoder
from hoidap.indexer.model_build import (
    ONNX_MARKER_FILE,
    ONNX_MIN_COSINE,
    default_model_dir,
    default_onnx_dir,
    ensure_onnx,
)
from hoidap.indexer.onnx_build import verify_passages
from hoidap.indexer.onnx_encoder import OnnxEncoder, onnx_model_id

QUERIES = [
    "Ai chủ trì bảo đảm chi ngân sách cho khoa học công nghệ?",
    "thoi han hoan thanh nhiem vu chuyen doi so",
    "Sở Y tế phối hợp với cơ quan nào trong phòng chống dịch bệnh?",
    "22 trạm 5G",
    "Quyết định số 1234/QĐ-UBND ngày 15/3/2024",
]
PASSAGES = [
    *verify_passages(),
    "Giao Sở Nông nghiệp và Phát triển nông thôn chủ trì, phối hợp với UBND các huyện triển khai.",
    "Hoàn thành trước ngày 31/12/2025.",
    "a",
]


@pytest.fixture(scope="module")
def model_dir(settings) -> Path:
    folder = default_model_dir(settings.cache_dir)
    ensure_onnx(folder)
    return folder


@pytest.fixture(scope="module")
def torch_embedder(model_dir: Path) -> Embedder:
    return Embedder(model_dir, threads=1, default_model_dir=model_dir)


@pytest.fixture(scope="module")
def encoders(model_dir: Path) -> dict[str, OnnxEncoder]:
    return {v: OnnxEncoder(model_dir, variant=v, threads=1) for v in ("onnx-fp32", "onnx-int8")}


@pytest.mark.parametrize("variant", ["onnx-fp32", "onnx-int8"])
def test_cosine_to_torch(variant: str, torch_embedder: Embedder, encoders) -> None:
    enc = encoders[variant]
    floor = {"onnx-fp32": 0.9999, "onnx-int8": 0.99}[variant]
    assert ONNX_MIN_COSINE[variant] == floor
    for ours, ref in (
        (enc.encode_queries(QUERIES), torch_embedder.encode_queries(QUERIES)),
        (enc.encode_passages(PASSAGES), torch_embedder.encode_passages(PASSAGES)),
    ):
        assert ours.shape == ref.shape and ours.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
        cos = np.sum(ours * ref, axis=1)
        assert cos.min() >= floor, (variant, cos.round(5).tolist())


def test_build_marker_records_verified_cosines(model_dir: Path) -> None:
    marker = json.loads((default_onnx_dir(model_dir) / ONNX_MARKER_FILE).read_text(encoding="utf-8"))
    for variant, floor in ONNX_MIN_COSINE.items():
        assert marker["min_cosine_to_torch"][variant] >= floor
    assert marker["texts_checked"] >= 10


def test_interface_matches_torch_embedder(torch_embedder: Embedder, encoders) -> None:
    long_text = "văn bản " * 800
    for enc in encoders.values():
        assert enc.dimension == torch_embedder.dimension == 384
        assert enc.max_tokens == torch_embedder.max_tokens == 512
        for text in [*QUERIES, *PASSAGES, long_text, ""]:
            assert enc.count_tokens(text) == torch_embedder.count_tokens(text)
        assert enc.count_tokens(long_text) > 512  # counted before truncation
        assert enc.encode_queries([]).shape == (0, 384)
        with pytest.raises(TypeError):
            enc.encode_passages("một chuỗi")  # type: ignore[arg-type]
        # Batching by length puts every row back in its place. int8 quantizes activations with one scale
        # per batch, so its rows move slightly with their batch neighbours; fp32 rows do not.
        one_by_one = np.vstack([enc.encode_passages([p]) for p in PASSAGES])
        batched = enc.encode_passages(PASSAGES)
        if enc.variant == "onnx-fp32":
            np.testing.assert_allclose(batched, one_by_one, atol=1e-4)
        else:
            assert np.sum(batched * one_by_one, axis=1).min() >= 0.99


def test_variant_is_part_of_model_id(torch_embedder: Embedder, encoders, settings) -> None:
    ids = {torch_embedder.model_id, *(e.model_id for e in encoders.values())}
    assert len(ids) == 3
    assert encoders["onnx-int8"].model_id == onnx_model_id("onnx-int8")
    assert encoders["onnx-int8"].threads == 1
    with pytest.raises(ValueError):
        onnx_model_id("onnx-fp16")
    folder = default_model_dir(settings.cache_dir)
    assert isinstance(
        make_encoder(folder, encoder="onnx-fp32", threads=1, default_model_dir=folder), OnnxEncoder
    )


def test_index_built_with_another_variant_is_refused(parsed, encoders, tmp_path: Path) -> None:
    from hoidap.indexer.build import build_index
    from hoidap.indexer.search import HybridIndex
    from hoidap.indexer.store import IndexLoadError

    smallest = min(parsed.values(), key=lambda d: len(d.original))
    build_index([smallest], encoders["onnx-int8"], tmp_path / "index")
    HybridIndex.load(tmp_path / "index", encoders["onnx-int8"])
    with pytest.raises(IndexLoadError, match="hoidap index") as err:
        HybridIndex.load(tmp_path / "index", encoders["onnx-fp32"])
    assert "onnx-int8" in str(err.value) and "onnx-fp32" in str(err.value)


NO_TORCH = """
import sys
from pathlib import Path
import hoidap.indexer.onnx_encoder as m
from hoidap.settings import Settings
from hoidap.service.qa import embedder_for
from hoidap.indexer.model_build import default_model_dir
enc = m.OnnxEncoder(default_model_dir(Settings().cache_dir), variant=sys.argv[1], threads=1)
enc.encode_queries(["Ai chủ trì?"]); enc.encode_passages(["Sở Tài chính chủ trì.", "Hoàn thành năm 2025."])
svc = embedder_for(Settings(encoder=sys.argv[1]))
svc.encode_queries(["thời hạn"])
bad = sorted(k for k in sys.modules if k.split(".")[0] in ("torch", "sentence_transformers", "transformers"))
assert not bad, bad
print("ok")
"""


@pytest.mark.parametrize("variant", ["onnx-int8", "onnx-fp32"])
def test_serving_path_does_not_import_torch(variant: str, model_dir: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-P", "-c", NO_TORCH, variant],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_passage_progress_counts_batches_and_keeps_the_vectors(torch_embedder: Embedder, encoders) -> None:
    texts = [f"{p} ({i})" for i, p in enumerate(PASSAGES * 5)]  # more than one batch of 16
    for enc in (torch_embedder, *encoders.values()):
        calls: list[tuple[int, int]] = []
        with_progress = enc.encode_passages(texts, progress=lambda n, t, calls=calls: calls.append((n, t)))
        n_batches = -(-len(texts) // enc.batch_size)
        assert len(calls) == n_batches > 1, type(enc).__name__
        assert [n for n, _ in calls] == sorted(n for n, _ in calls) and calls[-1] == (len(texts), len(texts))
        assert {t for _, t in calls} == {len(texts)}
        # Reported batch by batch, the rows are the same vectors in the same places.
        np.testing.assert_allclose(with_progress, enc.encode_passages(texts), atol=1e-5)


def test_a_passage_call_keeps_the_runtimes_own_time(encoders) -> None:
    """The build's floor (issue 26) is the runtime's own time on the build's batches: positive, within
    the call's wall time; the floor measured apart samples the same batches, shortest to longest."""
    import time

    texts = [f"{p} ({i})" for i, p in enumerate(PASSAGES * 5)]
    enc = encoders["onnx-int8"]
    started = time.perf_counter()
    enc.encode_passages(texts)
    wall = time.perf_counter() - started
    assert 0 < enc.last_runtime_seconds <= wall
    assert enc.floor(texts, batches=2) > 0


def test_a_query_run_gives_the_query_vector_and_can_be_stopped(encoders) -> None:
    """`query_run` (a question encoded ahead on a worker, issue 26) gives `encode_queries`' own vector,
    bit for bit; stopped, it fails instead of returning one."""
    encoder = encoders["onnx-int8"]
    for q in QUERIES:
        assert np.array_equal(encoder.query_run(q)(), encoder.encode_queries([q])[0])
    stopped = encoder.query_run(QUERIES[0])
    stopped.stop()
    with pytest.raises(Exception, match="terminate"):
        stopped()
