"""`hoidap model check` checks the encoder the settings select (HOIDAP_ENCODER, its threads, the model),
the one serving loads; stand-in encoders record how they were made (no model, no torch, no ORT)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hoidap import cli
from hoidap.indexer import embedder, onnx_encoder
from hoidap.indexer.model_build import default_model_dir


class _Stand:
    """Answers like an encoder; `made` holds (runtime, model, variant, threads) of each one made."""

    made: list[tuple[str, str, str | None, int]] = []

    def __init__(
        self, model: str | Path, *, variant: str | None = None, threads: int = -1, **_: object
    ) -> None:
        runtime = "torch" if variant is None else "onnx"
        self.made.append((runtime, str(model), variant, threads))
        self.model_id = f"stand-{variant or 'torch'}"
        self.model_path = str(model)
        self.dimension, self.max_tokens = 4, 512

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, str, str | None, int]]:
    monkeypatch.setattr(embedder, "Embedder", _Stand)
    monkeypatch.setattr(onnx_encoder, "OnnxEncoder", _Stand)
    monkeypatch.setattr(_Stand, "made", [])
    for name in (
        "HOIDAP_EMBEDDING_MODEL",
        "HOIDAP_ENCODER",
        "HOIDAP_ENCODER_THREADS",
        "HOIDAP_TORCH_THREADS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOIDAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")  # cli.main sets it; restored after the test
    return _Stand.made


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("onnx", "onnx-int8", 1)),  # the settings' defaults: ONNX int8, one intra-op thread
        ({"HOIDAP_ENCODER": "onnx-fp32", "HOIDAP_ENCODER_THREADS": "3"}, ("onnx", "onnx-fp32", 3)),
        ({"HOIDAP_ENCODER": "torch", "HOIDAP_TORCH_THREADS": "2"}, ("torch", None, 2)),
    ],
)
def test_check_loads_the_encoder_the_settings_select(
    stand_ins, env: dict[str, str], expected: tuple, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["model", "check"]) == 0
    model = str(default_model_dir(tmp_path / "cache"))
    runtime, variant, threads = expected
    assert stand_ins == [(runtime, model, variant, threads)]
    out = capsys.readouterr().out
    assert out.startswith(f"model: stand-{variant or 'torch'} ({model})") and "cosine 1.0000" in out


def test_check_follows_the_configured_model(
    stand_ins, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another model than the converted one runs on torch whatever HOIDAP_ENCODER says, as in serving."""
    other = tmp_path / "other-model"
    other.mkdir()
    monkeypatch.setenv("HOIDAP_EMBEDDING_MODEL", str(other))
    monkeypatch.setenv("HOIDAP_ENCODER", "onnx-fp32")
    assert cli.main(["model", "check"]) == 0
    assert [made[:3] for made in stand_ins] == [("torch", str(other), None)]
