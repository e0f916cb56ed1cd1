"""LexicalIndex on a mini-index of real clause lines from the 214/KH-UBND plan."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from hoidap.corpus.normalize import fold
from hoidap.indexer.lexical import LexicalIndex, matched_terms
from hoidap.indexer.tokenization import tokenize

PLAN = Path(str(resources.files("hoidap.corpus"))) / "documents" / "001_c617c443f43b7eb5.txt"
_TASK_ID = re.compile(r"\d+(\.\d+)*")


def _clause_rows() -> list[str]:
    """~40 rows of the plan's task table from task 5.1 on, each task id joined to its text
    (as the clause records carry it), plus three header lines with numbers."""
    lines = [line.strip() for line in PLAN.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows: list[str] = []
    pending = ""
    for line in lines[lines.index("5.1") :]:
        if _TASK_ID.fullmatch(line):
            pending = line
            continue
        rows.append(f"{pending} {line}".strip())
        pending = ""
    headers = [
        next(line for line in lines if needle in line) for needle in ("Số: 214", "GRDP bình quân", "15/11")
    ]
    return rows[:37] + headers


ROWS = _clause_rows()


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build([tokenize(r) for r in ROWS])


def _top(index: LexicalIndex, query: str, k: int = 5) -> list[int]:
    return [h.row for h in index.search(tokenize(query), k)]


def test_fixture_is_real_clause_text() -> None:
    assert len(ROWS) == 40
    assert any(r.startswith("5.4 Bảo đảm cân đối chi thường xuyên ngân sách") for r in ROWS)
    assert "Sở Tài chính" in ROWS


@pytest.mark.parametrize(
    ("accented", "plain", "expected_prefix"),
    [
        ("ai chủ trì nhiệm vụ 5.4", "ai chu tri nhiem vu 5.4", "5.4 Bảo đảm"),
        ("Sở Tài chính", "so tai chinh", "Sở Tài chính"),
        ("chi thường xuyên ngân sách cho khoa học", "chi thuong xuyen ngan sach cho khoa hoc", "5.4 Bảo đảm"),
        ("kế hoạch 214", "ke hoach 214", "Số: 214/KH-UBND"),
        ("tăng trưởng GRDP 7,25%", "tang truong grdp 7,25%", "- Tốc độ tăng trưởng GRDP"),
        ("báo cáo trước ngày 15/11", "bao cao truoc ngay 15/11", "Định kỳ hàng năm"),
    ],
)
def test_accented_and_plain_queries_agree(
    index: LexicalIndex, accented: str, plain: str, expected_prefix: str
) -> None:
    assert plain == fold(accented)
    top_accented, top_plain = _top(index, accented)[0], _top(index, plain)[0]
    assert top_accented == top_plain
    assert ROWS[top_accented].startswith(expected_prefix)


def test_sum_of_fields_keeps_the_accented_tie_break() -> None:
    # "Sổ" (ledger) and "Sở" (department) fold to the same "so": the folded field ties
    # the two rows, and is the larger field, so max(accented, folded) would tie too.
    rows = ["Sổ tài chính", "Sở Tài chính", *ROWS[:8]]
    index = LexicalIndex.build([tokenize(r) for r in rows])
    query = tokenize("Sở Tài chính")
    accented, folded = index.field_scores(query)
    assert folded[0] == pytest.approx(folded[1])
    assert folded[0] > accented[0] and folded[1] > accented[1]
    maxed = np.maximum(accented, folded)
    assert maxed[0] == pytest.approx(maxed[1])
    hits = index.search(query, 2)
    assert [h.row for h in hits] == [1, 0] and hits[0].score > hits[1].score


def test_protected_tokens_outweigh_common_words(index: LexicalIndex) -> None:
    # Rows mentioning "chủ trì"/"nhiệm vụ" must not bury the one row numbered 5.4.
    hits = index.search(tokenize("nhiệm vụ 5.4 do cơ quan nào chủ trì"), 3)
    assert ROWS[hits[0].row].startswith("5.4 ")


def test_matched_terms_skip_stopwords_and_cover_folded_queries(index: LexicalIndex) -> None:
    hit = index.search(tokenize("ai chủ trì nhiệm vụ 5.4"), 1)[0]
    assert hit.matched_terms == ["5.4"]
    plain = index.search(tokenize("ngan sach nha nuoc cho khoa hoc"), 1)[0]
    assert ROWS[plain.row].startswith("5.4 ")
    assert "cho" not in plain.matched_terms
    # Typed without diacritics these stay single syllables; they are reported as typed.
    assert {"ngan", "sach", "nha", "nuoc", "khoa", "hoc"} <= set(plain.matched_terms)


def test_accented_terms_do_not_match_fold_alike_syllables() -> None:
    # "tuyển dụng" folds to syllables that "tuyên truyền" and "xây dựng" share; typed with
    # diacritics it is not in this row, typed without them it may be.
    row = tokenize("Tuyên truyền, xây dựng đội ngũ công chức cấp xã")
    assert matched_terms(tokenize("tuyển dụng công chức"), row) == ["công_chức"]
    # Typed without diacritics the fold-alike match is all there is to go on.
    assert matched_terms(tokenize("tuyen dung cong chuc"), row) == ["tuyen_dung", "cong", "chuc"]
    # A compound segmented differently from the row still matches by its accented syllables.
    assert matched_terms(["chức_cấp"], row) == ["chức_cấp"]
    assert matched_terms(["chúc_cấp"], row) == []


def test_allowed_mask_restricts_rows(index: LexicalIndex) -> None:
    query = tokenize("Sở Tài chính")
    best = index.search(query, 1)[0].row
    allowed = np.ones(len(index), dtype=bool)
    allowed[best] = False
    allowed[: len(index) // 2] = False
    hits = index.search(query, 10, allowed)
    assert hits and all(allowed[h.row] for h in hits)
    assert index.search(query, 10, np.zeros(len(index), dtype=bool)) == []
    with pytest.raises(ValueError):
        index.search(query, 10, np.ones(3, dtype=bool))


def test_results_are_sorted_and_limited(index: LexicalIndex) -> None:
    hits = index.search(tokenize("Các sở, ban, ngành"), 7)
    assert len(hits) == 7
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))


def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert len(loaded) == len(index)
    assert loaded.token_lists == index.token_lists
    mask = np.arange(len(index)) % 2 == 0
    for q in ("ai chu tri nhiem vu 5.4", "Sở Tài chính", "kế hoạch 214", "khoa học công nghệ"):
        for allowed in (None, mask):
            assert loaded.search(tokenize(q), 10, allowed) == index.search(tokenize(q), 10, allowed)


def test_empty_index_and_unknown_terms(index: LexicalIndex, tmp_path: Path) -> None:
    assert index.search(tokenize("xyzzy quux 999999"), 5) == []
    assert index.search([], 5) == []
    assert index.search(tokenize("Sở Tài chính"), 0) == []
    for empty in (LexicalIndex.build([]), LexicalIndex.build([[], []])):
        assert empty.search(tokenize("Sở Tài chính"), 5) == []
        empty.save(tmp_path / f"empty{len(empty)}")
        reloaded = LexicalIndex.load(tmp_path / f"empty{len(empty)}")
        assert len(reloaded) == len(empty) and reloaded.search(["sở"], 5) == []


def test_token_scores_are_bm25s_own(parsed) -> None:
    """The scores summed without bm25s's per-call work (issue 26) are bm25s's, bit for bit: every gold
    question against the bundled documents' lines, both fields, plain and protected tokens apart."""
    import json

    from hoidap.indexer.lexical import _DIGIT_RE, _token_scores
    from hoidap.indexer.tokenization import fold_tokens

    lines = [line for d in parsed.values() for line in d.original.splitlines() if line.strip()]
    index = LexicalIndex.build([tokenize(line) for line in lines])
    gold = (resources.files("hoidap.eval") / "gold.jsonl").read_text(encoding="utf-8")
    for item in (json.loads(line) for line in gold.splitlines() if line.strip()):
        tokens = tokenize(item["question"])
        for model, query in ((index._accented, tokens), (index._folded, fold_tokens(tokens))):
            known = [t for t in dict.fromkeys(query) if t and t in model.vocab_dict]
            for part in (
                [t for t in known if not _DIGIT_RE.search(t)],
                [t for t in known if _DIGIT_RE.search(t)],
            ):
                if part:
                    assert np.array_equal(_token_scores(model, part), model.get_scores(part)), part
