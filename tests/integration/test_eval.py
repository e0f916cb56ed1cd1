"""Tests of the evaluation suite: metrics on hand-made examples, baselines, `hoidap eval --gold`, and a
regression guard against the figures recorded in eval/report/summary.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from hoidap.eval.baselines import RawLineBM25, System
from hoidap.eval.gold import DEFAULT_GOLD_PATH, EvidenceSpan, load_gold
from hoidap.eval.metrics import (
    ItemResult,
    abstention,
    answer_matches,
    answer_tokens,
    is_relevant,
    listed_quotes,
    matched_evidence,
    ndcg_at,
    recall_at,
    reciprocal_rank,
    summarize,
)
from hoidap.eval.runner import evaluate_item, load_items

SUMMARY = Path(__file__).resolve().parents[2] / "reports" / "eval" / "summary.json"
TOLERANCE = 0.03  # points (as a fraction) the full system may drop below the recorded figures


def _ev(start: int = 100, end: int = 200, doc: str = "d1") -> EvidenceSpan:
    return EvidenceSpan(doc_id=doc, char_start=start, char_end=end, text="x" * (end - start))


def _item(qtype: str, found: bool, correct: bool = True, took: float = 1.0) -> ItemResult:
    return ItemResult("x", qtype, "d1", "q", [], found, "a" if found else None, correct, took)


# ------------------------------------------------------------------ relevance


def test_relevance_of_spans() -> None:
    ev = _ev(100, 200)
    assert is_relevant("d1", 140, 260, ev)  # 60% of the evidence
    assert is_relevant("d1", 150, 170, ev)  # a line inside the evidence: 100% of the retrieved span
    assert is_relevant("d1", 0, 1000, ev)  # a long clause holding all the evidence
    assert not is_relevant("d1", 170, 400, ev)  # 30% of the evidence, 13% of the retrieved span
    assert not is_relevant("d2", 100, 200, ev)  # other document
    assert not is_relevant("d1", 200, 300, ev)  # adjacent, no overlap
    assert matched_evidence("d1", 150, 420, [ev, _ev(300, 400)]) == {0, 1}


# ------------------------------------------------------------------ ranking


def test_recall_mrr_ndcg_on_a_toy_ranking() -> None:
    ranked = [[], [0], [], [0, 1], []]  # evidence matched by each of five hits, best first
    assert recall_at(ranked, 1) == 0.0
    assert recall_at(ranked, 5) == 1.0
    assert reciprocal_rank(ranked) == 0.5
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at(ranked, n_evidence=2) == pytest.approx(expected)
    assert ndcg_at([[0], [0]], n_evidence=1) == 1.0  # the same evidence is credited once
    assert reciprocal_rank([[], []]) == 0.0 and ndcg_at([[], []], 1) == 0.0


# ------------------------------------------------------------------ answers


def test_answer_tokens_fold_and_keep_numbers_whole() -> None:
    assert answer_tokens("Sở Tài chính.") == ["so", "tai", "chinh"]
    assert answer_tokens("8,25 - 9,25%/năm") == ["8,25", "9,25", "nam"]
    assert answer_tokens("ngày 06/11/2024") == ["ngay", "6", "11", "2024"]


def test_answer_matching_rules() -> None:
    # lead: the accepted agency must appear; diacritic-free system output still matches
    assert answer_matches("lead", ["Sở Tài chính"], "So Tai chinh", True)
    assert answer_matches("lead", ["BCH Quân sự tỉnh, Công An tỉnh"], "BCH Quân sự tỉnh; Công An tỉnh", True)
    assert not answer_matches("lead", ["Sở Tài chính"], "Sở Tài nguyên và Môi trường", True)
    assert not answer_matches("lead", ["Sở Tài chính"], "Sở Tài chính", False)  # abstained
    # accepted answer inside a longer system answer, or a system answer >= 60% of the accepted one
    assert answer_matches("figure", ["7,25 - 8,25%/năm"], "tăng trưởng bình quân 7,25 - 8,25%/năm", True)
    assert not answer_matches("figure", ["8,25%"], "7,25 - 18,25%", True)
    assert answer_matches("deadline", ["Hoàn thành trong quý II/2023"], "trong quý II/2023", True)
    assert not answer_matches("deadline", ["Đến năm 2030, tầm nhìn đến năm 2045"], "đến năm 2045", True)
    assert answer_matches("document", ["26/3/2019"], "ngày 26/03/2019", True)
    # listing: every accepted answer, task numbers compared whole
    assert answer_matches("listing", ["3.3", "5.4"], "Kế hoạch 214/KH-UBND: 3.3, 5.4, 8.2", True)
    assert not answer_matches("listing", ["3.3", "5.4"], "Kế hoạch 214/KH-UBND: 13.3, 5.4", True)
    cited = [("II.6.c", "c) ... phủ sóng 5G ..."), ("II.6.d", "d) Khu công nghệ thông tin tập trung")]
    listed = listed_quotes("KH 37: II.6.c", cited)
    assert listed == ["c) ... phủ sóng 5G ..."]
    assert answer_matches("listing", ["phủ sóng 5G"], "KH 37: II.6.c", True, listed)
    assert not answer_matches(
        "listing", ["phủ sóng 5G", "Khu công nghệ thông tin tập trung"], "II.6.c", True, listed
    )
    # unanswerable: correct iff the system abstains
    assert answer_matches("unanswerable", [], None, False)
    assert not answer_matches("unanswerable", [], "Sở Tài chính", True)


def test_abstention_precision_recall_and_false_abstention() -> None:
    items = [
        _item("unanswerable", found=False),
        _item("unanswerable", found=True, correct=False),
        _item("lead", found=False, correct=False),
        _item("lead", found=True),
        _item("figure", found=True),
    ]
    assert abstention(items) == {
        "abstention_precision": 0.5,
        "abstention_recall": 0.5,
        "false_abstention": pytest.approx(1 / 3),
    }
    m = summarize(items)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["accuracy_by_type"]["unanswerable"] == 0.5
    assert m["latency_p50_ms"] == 1.0


# ------------------------------------------------------------------ baselines


def test_raw_line_baseline_returns_line_spans(parsed) -> None:
    docs = list(parsed.values())
    raw = RawLineBM25(docs)
    hits = raw.search("sở tài chính chủ trì", k=5, doc_ids=["qng-kh-214-2024"])
    assert hits and all(h.entry.doc_id == "qng-kh-214-2024" for h in hits)
    for h in hits:
        e = h.entry
        assert parsed[e.doc_id].original[e.char_start : e.char_end] == e.text
        assert "\n" not in e.text and h.dense == 0.0
    assert raw.search("xyzzy", k=5) == []


# ------------------------------------------------------------------ CLI and custom gold files


def _custom_gold(tmp_path: Path) -> Path:
    by_id = {i.id: i for i in load_gold(DEFAULT_GOLD_PATH)}
    path = tmp_path / "mini.jsonl"
    lines = [by_id[i].model_dump_json(exclude_none=True) for i in ("g001", "g029", "g188")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_cli_with_a_custom_gold_file(tmp_path: Path, monkeypatch, service, capsys) -> None:
    from hoidap.cli import main
    from hoidap.service.qa import QAService

    monkeypatch.setattr(QAService, "open", classmethod(lambda cls, settings, embedder=None: service))
    out = tmp_path / "report"
    args = [
        "eval",
        "--gold",
        str(_custom_gold(tmp_path)),
        "--split",
        "all",
        "--systems",
        "raw-bm25",
        "hybrid",
    ]
    assert main([*args, "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["systems"]) == {"raw-bm25", "hybrid"}
    hybrid = data["systems"]["hybrid"]
    assert hybrid["metrics"]["items"] == 3 and hybrid["metrics"]["answerable"] == 2
    assert [r["id"] for r in hybrid["items"]] == ["g001", "g029", "g188"]
    assert {"report.md", "accuracy_by_type.png", "latency.png", "summary.json"} <= {
        p.name for p in out.iterdir()
    }
    assert "--gold" in (out / "report.md").read_text(encoding="utf-8")


def test_eval_cli_rejects_an_invalid_gold_file(tmp_path: Path, monkeypatch, service, capsys) -> None:
    from hoidap.cli import main
    from hoidap.service.qa import QAService

    monkeypatch.setattr(QAService, "open", classmethod(lambda cls, settings, embedder=None: service))
    bad = tmp_path / "bad.jsonl"
    item = load_gold(DEFAULT_GOLD_PATH)[0].model_copy(update={"answers": ["không có trong văn bản"]})
    bad.write_text(item.model_dump_json() + "\n", encoding="utf-8")
    assert main(["eval", "--gold", str(bad)]) == 2
    assert "not found in or within" in capsys.readouterr().err
    bad.write_text("{not json\n", encoding="utf-8")
    assert main(["eval", "--gold", str(bad)]) == 2
    assert "invalid JSON" in capsys.readouterr().err


# ------------------------------------------------------------------ regression guard


@pytest.mark.parametrize(
    ("summary", "plain"),
    [(SUMMARY, False), (SUMMARY.parents[1] / "eval-plain" / "summary.json", True)],
    ids=["as-written", "typed-without-diacritics"],
)
def test_full_system_does_not_regress_on_the_test_split(parsed, index, summary: Path, plain: bool) -> None:
    """Overall answer accuracy and abstention recall stay within 3 points of the committed report, for
    the questions as written and for the same questions typed without diacritics."""
    from hoidap.eval.gold import typed_without_diacritics
    from hoidap.service.answer import Answerer

    recorded = json.loads(summary.read_text(encoding="utf-8"))
    assert recorded["split"] == "test"
    docs = list(parsed.values())
    service = Answerer(docs, index)
    system = System("hybrid", index, "hybrid")
    items = load_items(DEFAULT_GOLD_PATH, "test", docs)
    if plain:
        items = [typed_without_diacritics(item) for item in items]
        assert all(item.question == item.question.lower() and "đ" not in item.question for item in items)
    results = [evaluate_item(service, system, item) for item in items]
    metrics = summarize(results)
    assert metrics["items"] == recorded["items"]
    for key in ("accuracy", "abstention_recall"):
        floor = recorded["systems"]["hybrid"][key] - TOLERANCE
        assert metrics[key] >= floor, f"{key} {metrics[key]:.3f} fell below {floor:.3f} (recorded - 3 points)"
