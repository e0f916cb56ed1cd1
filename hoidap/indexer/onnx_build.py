"""The ONNX exports of the converted folder, which :mod:`hoidap.indexer.onnx_encoder` runs.

:func:`ensure_onnx` / :func:`export_onnx` export the folder to ONNX next to it (``<name>-onnx``): fp32
(``torch.onnx.export``, legacy exporter, opset 17, BertModel + mean pooling + L2 norm in the graph) and
int8 (dynamic, per channel), each checked against the torch output (:data:`ONNX_MIN_COSINE`) before the
folder is swapped in.  Exporting needs torch; running not.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hoidap.indexer.model_convert import ensure_model, model_dir_is_valid
from hoidap.indexer.model_files import (
    DEFAULT_MODEL_ID,
    EXPORTING,
    MARKER_FILE,
    PASSAGE_PROMPT,
    QUERY_PROMPT,
    atomic_folder,
    build_lock,
    default_onnx_dir,
    file_sizes,
    files_intact,
    needs_build_extra,
    read_marker,
    sha256,
    write_json,
)

#: Bump whenever the export's output changes: ONNX folders built by another version are rebuilt.
ONNX_EXPORT_VERSION = "2"
ONNX_MARKER_FILE = "hoidap_onnx.json"
#: variant -> file in the ONNX folder.
ONNX_FILES = {"onnx-fp32": "model-fp32.onnx", "onnx-int8": "model-int8.onnx"}
#: The lowest cosine to the torch model's vector a variant may give on the sample texts (else no build).
ONNX_MIN_COSINE = {"onnx-fp32": 0.9999, "onnx-int8": 0.99}
ONNX_OPSET = 17
ONNX_MAX_TOKENS = 512
PAD_ID = 1

#: Texts the exports are checked on against torch: queries, clauses, a table row, diacritics-free input,
#: batches with padding; :func:`verify_passages` adds slices of bundled documents longer than 512 tokens
#: (truncated).  (A degenerate text, one sentence repeated 60 times, gives int8 a cosine of 0.9875.)
_VERIFY_QUERIES = [
    "Ai chủ trì bảo đảm chi ngân sách cho khoa học công nghệ?",
    "thoi han hoan thanh nhiem vu so 12",
    "thoi han hoan thanh nhiem vu chuyen doi so",
    "Sở Thông tin và Truyền thông phối hợp với cơ quan nào?",
    "5G",
]
_VERIFY_PASSAGES = [
    "Bảo đảm cân đối chi thường xuyên ngân sách nhà nước hàng năm cho khoa học, công nghệ và đổi mới "
    "sáng tạo theo quy định của pháp luật.",
    "Phát triển du lịch biển đảo Lý Sơn gắn với bảo tồn di tích lịch sử, văn hóa.",
    "| 3 | Xây dựng cơ sở dữ liệu đất đai | Sở Tài nguyên và Môi trường | Quý IV/2025 |",
    "UBND tỉnh giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp các sở, ngành triển khai thực hiện.",
]


def verify_passages() -> list[str]:
    """:data:`_VERIFY_PASSAGES` plus 3,000-character slices of the first two bundled documents."""
    from importlib import resources

    texts = list(_VERIFY_PASSAGES)
    try:
        docs = sorted(Path(str(resources.files("hoidap.corpus"))).glob("documents/*.txt"))[:2]
        texts += [d.read_text(encoding="utf-8")[2000:5000] for d in docs]
    except (ModuleNotFoundError, OSError):
        pass
    return texts


def model_marker_sha(model_dir: Path) -> str | None:
    """The converted folder's marker, hashed: an export records it, so a rebuilt folder makes it stale."""
    try:
        return sha256((Path(model_dir) / MARKER_FILE).read_bytes())
    except OSError:
        return None


def onnx_dir_is_valid(onnx_dir: Path, model_dir: Path, variants: Sequence[str] = tuple(ONNX_FILES)) -> bool:
    """True if ``onnx_dir`` holds complete, verified exports (``variants``) of the current ``model_dir``."""
    marker = read_marker(Path(onnx_dir) / ONNX_MARKER_FILE)
    if marker is None or marker.get("export_version") != ONNX_EXPORT_VERSION:
        return False
    if marker.get("model_marker_sha256") != model_marker_sha(model_dir):
        return False
    files = marker.get("files")
    if not isinstance(files, dict) or not all(ONNX_FILES[v] in files for v in variants):
        return False
    return files_intact(Path(onnx_dir), files)


class _OnnxTexts:
    """Tokenization as the runtime encoder does it (``tokenizers`` only): prompt, truncate at 512, pad 1."""

    def __init__(self, tokenizer_json: Path) -> None:
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(tokenizer_json))
        self.tok.no_padding()
        self.tok.enable_truncation(ONNX_MAX_TOKENS)

    def batch(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        encs = self.tok.encode_batch(list(texts), add_special_tokens=True)
        width = max(len(e.ids) for e in encs)
        ids = np.full((len(encs), width), PAD_ID, dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        return {"input_ids": ids, "attention_mask": mask}


def export_fp32(model_dir: Path, path: Path) -> None:
    """``torch.onnx.export`` (legacy exporter) of BertModel + mean pooling + L2 norm, dynamic axes."""
    with needs_build_extra(EXPORTING):
        import torch
        from transformers import BertModel

    bert = BertModel.from_pretrained(
        str(model_dir), attn_implementation="eager", dtype=torch.float32, local_files_only=True
    )
    bert.eval()

    class _Pooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    texts = _OnnxTexts(model_dir / "tokenizer.json")
    sample = texts.batch(["query: mẫu", "passage: một đoạn văn mẫu dài hơn"])
    args = (torch.from_numpy(sample["input_ids"]), torch.from_numpy(sample["attention_mask"]))
    with torch.no_grad():
        torch.onnx.export(
            _Pooled(bert),
            args,
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=ONNX_OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantization, per channel (per tensor loses too much: minimum cosine 0.980), with
    7-bit weights (``reduce_range``): on the check texts the full 8-bit range gave one diacritics-free
    query a cosine of 0.987 to torch, the reduced range 0.993 (and every text >= 0.993)."""
    with needs_build_extra(EXPORTING):  # onnxruntime's quantizer imports onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), per_channel=True, reduce_range=True, weight_type=QuantType.QInt8)


def torch_reference(model_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The sentence-transformers (torch) vectors of the verification texts, as the torch Embedder gives."""
    with needs_build_extra(EXPORTING):
        from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    st.eval()
    kw: dict[str, Any] = {"convert_to_numpy": True, "normalize_embeddings": True, "show_progress_bar": False}
    return (
        st.encode(_VERIFY_QUERIES, prompt_name="query", **kw),
        st.encode(verify_passages(), prompt_name="passage", **kw),
    )


def _onnx_vectors(path: Path, model_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    texts = _OnnxTexts(model_dir / "tokenizer.json")
    q = sess.run(None, texts.batch([QUERY_PROMPT + t for t in _VERIFY_QUERIES]))[0]
    p = sess.run(None, texts.batch([PASSAGE_PROMPT + t for t in verify_passages()]))[0]
    return q, p


def _min_cosine(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    return float(min(np.min(np.sum(x * y, axis=1)) for x, y in zip(a, b, strict=True)))


def _verify(model_dir: Path, exports: dict[str, Path]) -> dict[str, float]:
    """Each export's minimum cosine to the torch vectors on the check texts; RuntimeError below
    :data:`ONNX_MIN_COSINE`."""
    ref = torch_reference(model_dir)
    cosines: dict[str, float] = {}
    for variant, path in exports.items():
        cosines[variant] = round(_min_cosine(ref, _onnx_vectors(path, model_dir)), 6)
        if cosines[variant] < ONNX_MIN_COSINE[variant]:
            raise RuntimeError(
                f"ONNX export {variant} differs from the torch model: minimum cosine "
                f"{cosines[variant]:.6f} < {ONNX_MIN_COSINE[variant]} on the sample texts"
            )
    return cosines


def _build_onnx(onnx_dir: Path, model_dir: Path) -> Path:
    """Export, quantize and verify into ``onnx_dir`` atomically; the caller holds the build lock."""
    started = time.perf_counter()
    with atomic_folder(onnx_dir) as tmp:
        fp32 = tmp / ONNX_FILES["onnx-fp32"]
        int8 = tmp / ONNX_FILES["onnx-int8"]
        export_fp32(model_dir, fp32)
        quantize_int8(fp32, int8)
        shutil.copyfile(model_dir / "tokenizer.json", tmp / "tokenizer.json")
        cosines = _verify(model_dir, {"onnx-fp32": fp32, "onnx-int8": int8})
        write_json(
            tmp / ONNX_MARKER_FILE,
            {
                "export_version": ONNX_EXPORT_VERSION,
                "model_id": DEFAULT_MODEL_ID,
                "model_marker_sha256": model_marker_sha(model_dir),
                "opset": ONNX_OPSET,
                "min_cosine_to_torch": cosines,
                "texts_checked": len(_VERIFY_QUERIES) + len(verify_passages()),
                "built_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 2),
                "files": file_sizes(tmp),
            },
        )
    return onnx_dir


def export_onnx(model_dir: Path, onnx_dir: Path | None = None) -> Path:
    """Export the converted folder ``model_dir`` to ONNX fp32 + int8 (``onnx_dir``); always rebuilds.

    Needs torch, transformers, sentence-transformers, onnx and onnxruntime (set-up time only); each
    variant is checked against the torch model's vectors (:data:`ONNX_MIN_COSINE`) before it is kept.
    """
    model_dir = ensure_model(model_dir)
    out = Path(onnx_dir).expanduser().absolute() if onnx_dir else default_onnx_dir(model_dir)
    with build_lock(out):
        return _build_onnx(out, model_dir)


def ensure_onnx(model_dir: Path, onnx_dir: Path | None = None) -> Path:
    """Return the ONNX folder of ``model_dir``, exporting it first if missing, partial or stale."""
    model_dir = Path(model_dir).expanduser().absolute()
    out = Path(onnx_dir).expanduser().absolute() if onnx_dir else default_onnx_dir(model_dir)
    if model_dir_is_valid(model_dir) and onnx_dir_is_valid(out, model_dir):
        return out
    model_dir = ensure_model(model_dir)
    with build_lock(out):
        if onnx_dir_is_valid(out, model_dir):
            return out
        return _build_onnx(out, model_dir)
