"""The embedding model on ONNX Runtime: :class:`OnnxEncoder`, the same interface as the torch `Embedder`.

It runs the exports :func:`hoidap.indexer.onnx_build.ensure_onnx` writes next to the converted folder
(BertModel + mean pooling + L2 norm in one graph, fp32 or int8 per channel) with the folder's
``tokenizer.json`` through ``tokenizers``: prompts ``query: `` / ``passage: ``, truncation at 512
tokens, pad id 1.  Serving needs only ``onnxruntime``, ``tokenizers`` and ``numpy``: this module never
imports torch or sentence-transformers (only a missing or stale export is rebuilt, which needs them).

Threads: ``threads`` intra-op threads (0: the CPUs available, at most 8), one inter-op thread, and
``session.intra_op.allow_spinning=0`` so that idle threads sleep instead of spinning: on a shared CPU,
spinning threads stall each other (see ../shared/MODEL.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hoidap.indexer.model_files import DEFAULT_MODEL_ID, PASSAGE_PROMPT, QUERY_PROMPT
from hoidap.indexer.onnx_build import ONNX_FILES, ONNX_MAX_TOKENS, PAD_ID, ensure_onnx
from hoidap.settings import Settings

__all__ = ["ONNX_VARIANTS", "OnnxEncoder", "onnx_model_id"]

ONNX_VARIANTS = tuple(ONNX_FILES)
_MAX_DEFAULT_THREADS = 8


def onnx_model_id(variant: str) -> str:
    """The model id an index built with ``variant`` records: the converted model's id + the variant."""
    if variant not in ONNX_FILES:
        raise ValueError(f"unknown ONNX variant {variant!r}; expected one of {', '.join(ONNX_FILES)}")
    return f"{DEFAULT_MODEL_ID}+{variant}"


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class OnnxEncoder:
    """The converted e5 model on ONNX Runtime (CPU). Outputs are float32, L2-normalized, one row per text.

    ``model_dir`` is the converted sentence-transformers folder; its exports live in ``onnx_dir``
    (default: next to it) and are built first when missing or stale.  ``variant`` is ``onnx-fp32`` or
    ``onnx-int8``.  Passages are embedded in batches of ``batch_size`` texts of similar length.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        variant: str = "onnx-int8",
        threads: int = Settings.model_fields["encoder_threads"].default,
        onnx_dir: Path | None = None,
        batch_size: int = 16,
    ) -> None:
        if threads < 0:
            raise ValueError(f"threads must be 0 (automatic) or positive, not {threads}")
        self.model_id: str = onnx_model_id(variant)
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = ensure_onnx(Path(model_dir).expanduser(), onnx_dir)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads if threads > 0 else min(_cpu_count(), _MAX_DEFAULT_THREADS)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(folder / ONNX_FILES[variant]), opts, providers=["CPUExecutionProvider"]
        )
        # One tokenizer instance, never truncating: its Unigram tables take ~300 MB, a third of the
        # serving process; truncation at 512 is done on the ids (`_ids`), so count_tokens shares it.
        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.no_truncation()
        self.variant: str = variant
        self.threads: int = opts.intra_op_num_threads
        self.batch_size: int = batch_size
        self.model_path: str = os.fspath(model_dir)
        self.max_tokens: int = ONNX_MAX_TOKENS
        self.dimension: int = int(self._run([QUERY_PROMPT + "x"]).shape[1])
        self.last_runtime_seconds: float = 0.0  # see encode_passages

    def _ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids with <s> … </s>, cut as the tokenizer's own truncation at 512 would: the text's first
        510 tokens, then </s>."""
        out = []
        for e in self._tok.encode_batch(texts, add_special_tokens=True):
            ids = e.ids
            out.append(ids if len(ids) <= ONNX_MAX_TOKENS else [*ids[: ONNX_MAX_TOKENS - 1], ids[-1]])
        return out

    @staticmethod
    def _feed(rows: list[list[int]]) -> dict[str, np.ndarray]:
        """The session's inputs for one batch, padded to its longest row only."""
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), PAD_ID, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def _run_ids(self, rows: list[list[int]], timing: list[float] | None = None) -> np.ndarray:
        """The embeddings of one batch; `timing`: the runtime's own seconds are appended to it."""
        feed = self._feed(rows)
        started = time.perf_counter()
        out = self._session.run(None, feed)[0]
        if timing is not None:
            timing.append(time.perf_counter() - started)
        return out

    def _batches(self, rows: list[list[int]]) -> list[np.ndarray]:
        """Row positions in batches of `batch_size` texts of similar length: sorted by token count, so a
        batch is padded only to its own longest text."""
        order = np.argsort([len(r) for r in rows], kind="stable")
        return [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]

    def _run(self, texts: list[str]) -> np.ndarray:
        return self._run_ids(self._ids(texts))

    def _encode(
        self,
        texts: Sequence[str],
        prompt: str,
        progress: Callable[[int, int], None] | None = None,
        timing: list[float] | None = None,
    ) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of strings, not a single string")
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        rows = self._ids([prompt + t for t in texts])
        if len(rows) == 1:
            out = np.ascontiguousarray(self._run_ids(rows, timing), dtype=np.float32)
            if progress is not None:
                progress(1, 1)
            return out
        # Batches of similar length (less padding), as sentence-transformers does; rows back in order.
        # A passage's int8 vector depends slightly on its batch (one activation scale per batch), so
        # this batching is part of what an index holds: changing it moves every vector a little.
        out = np.empty((len(rows), self.dimension), dtype=np.float32)
        done = 0
        for batch in self._batches(rows):
            out[batch] = self._run_ids([rows[i] for i in batch], timing)
            done += len(batch)
            if progress is not None:
                progress(done, len(rows))
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (with the ``query: `` prompt) -> (n, dimension)."""
        return self._encode(texts, QUERY_PROMPT)

    def query_run(self, text: str) -> _QueryRun:
        """`encode_queries([text])[0]` as a run another thread may make and stop (a prefetched query,
        `hoidap.indexer.query_vectors`): tokenized and padded here, on the caller's thread."""
        return _QueryRun(self._session, self._feed(self._ids([QUERY_PROMPT + text])))

    def encode_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """Embed passages (with the ``passage: `` prompt) -> (n, dimension); ``progress(done, total)``
        after each batch when given.

        The runtime's own share of the call is kept: `last_runtime_seconds` is the wall time spent inside
        ONNX Runtime (``session.run``) on its batches, the floor a build is measured against (issue 26):
        timed as the batches run, it sees the same load as the build around it, where a floor measured
        before or after does not (the machines are shared)."""
        timing: list[float] = []
        out = self._encode(texts, PASSAGE_PROMPT, progress, timing)
        self.last_runtime_seconds = sum(timing)
        return out

    def floor(self, texts: Sequence[str], batches: int = 8) -> float:
        """Passages/s of ONNX Runtime alone on the same passages, measured apart: `batches` of the batches
        `encode_passages(texts)` runs, evenly spaced over their length order from the shortest to the
        longest (attention grows with the square of the length: a sample that leaves out the longest
        overstates the floor), tokenized and padded beforehand, at this encoder's threads."""
        rows = self._ids([PASSAGE_PROMPT + t for t in texts])
        if not rows:
            return 0.0
        groups = self._batches(rows)
        picks = np.unique(np.linspace(0, len(groups) - 1, min(batches, len(groups))).round().astype(int))
        chosen = [groups[i] for i in picks]
        feeds = [self._feed([rows[i] for i in g]) for g in chosen]
        started = time.perf_counter()
        for feed in feeds:
            self._session.run(None, feed)
        return sum(len(g) for g in chosen) / (time.perf_counter() - started)

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for ``text`` without a prompt, special tokens included, before truncation."""
        return len(self._tok.encode(text, add_special_tokens=True).ids)

    def __repr__(self) -> str:
        return f"OnnxEncoder({self.model_id!r}, dimension={self.dimension}, threads={self.threads})"


class _QueryRun:
    """One query's `session.run` (which releases the GIL), stoppable from any thread through its run
    options: the run then fails between two nodes of the graph."""

    def __init__(self, session: Any, feed: dict[str, np.ndarray]) -> None:
        import onnxruntime as ort

        self._session = session
        self._feed = feed
        self._options = ort.RunOptions()

    def __call__(self) -> np.ndarray:
        out = self._session.run(None, self._feed, self._options)[0]
        return np.ascontiguousarray(out, dtype=np.float32)[0]

    def stop(self) -> None:
        self._options.terminate = True
