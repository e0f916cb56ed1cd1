"""ONNX export bookkeeping without a model: ids, folder place, validity of the marker (no torch, no ORT)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hoidap.indexer import model_build as mb
from hoidap.indexer.onnx_build import ONNX_EXPORT_VERSION, model_marker_sha
from hoidap.indexer.onnx_encoder import ONNX_VARIANTS, onnx_model_id
from hoidap.settings import Settings


def test_variant_ids_differ_from_torch_and_each_other() -> None:
    ids = {mb.DEFAULT_MODEL_ID, *(onnx_model_id(v) for v in ONNX_VARIANTS)}
    assert len(ids) == 3
    assert all(i.startswith(mb.DEFAULT_MODEL_ID) for i in ids)
    with pytest.raises(ValueError):
        onnx_model_id("torch")


def test_thresholds_and_place(tmp_path: Path) -> None:
    assert mb.ONNX_MIN_COSINE == {"onnx-fp32": 0.9999, "onnx-int8": 0.99}
    model = mb.default_model_dir(tmp_path)
    assert mb.default_onnx_dir(model) == model.parent / f"{model.name}-onnx"


def test_settings_encoder() -> None:
    assert Settings().encoder in ("torch", "onnx-fp32", "onnx-int8")
    assert Settings(encoder="torch", encoder_threads=2).encoder_threads == 2
    with pytest.raises(ValueError):
        Settings(encoder="onnx-fp16")
    with pytest.raises(ValueError):
        Settings(encoder_threads=-1)


def _fake_export(tmp_path: Path) -> tuple[Path, Path]:
    model = tmp_path / "m"
    model.mkdir()
    (model / mb.MARKER_FILE).write_text('{"converter_version": "2"}', encoding="utf-8")
    onnx = mb.default_onnx_dir(model)
    onnx.mkdir()
    files = {}
    for name in (*mb.ONNX_FILES.values(), "tokenizer.json"):
        (onnx / name).write_bytes(b"x" * 10)
        files[name] = 10
    marker = {
        "export_version": ONNX_EXPORT_VERSION,
        "model_marker_sha256": model_marker_sha(model),
        "files": files,
    }
    (onnx / mb.ONNX_MARKER_FILE).write_text(json.dumps(marker), encoding="utf-8")
    return model, onnx


def test_marker_validity(tmp_path: Path) -> None:
    model, onnx = _fake_export(tmp_path)
    assert mb.onnx_dir_is_valid(onnx, model)
    (onnx / "model-int8.onnx").write_bytes(b"short")  # partial file
    assert not mb.onnx_dir_is_valid(onnx, model)
    assert mb.onnx_dir_is_valid(onnx, model, variants=["onnx-fp32"]) is False  # sizes checked for all files


def test_stale_when_the_converted_folder_changes(tmp_path: Path) -> None:
    model, onnx = _fake_export(tmp_path)
    (model / mb.MARKER_FILE).write_text('{"converter_version": "3"}', encoding="utf-8")
    assert not mb.onnx_dir_is_valid(onnx, model)
    assert not mb.onnx_dir_is_valid(tmp_path / "missing", model)
