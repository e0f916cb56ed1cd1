"""Tests of the gold question set (eval/gold.jsonl) and its validator (eval/gold.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from hoidap.eval.gold import (
    DEFAULT_GOLD_PATH,
    NEAR_CHARS,
    QUESTION_TYPES,
    EvidenceSpan,
    GoldFormatError,
    GoldItem,
    load_corpus_texts,
    load_gold,
    main,
    normalize,
    validate_gold,
)

DOC_IDS = {"qng-ctr-31-2023", "qng-kh-214-2024", "qng-kh-ctr37", "qnam-ctr-nq29", "qng-nq-hn3-khoa20"}


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return load_corpus_texts()


@pytest.fixture(scope="module")
def items() -> list[GoldItem]:
    return load_gold(DEFAULT_GOLD_PATH)


def _answerable(items: list[GoldItem]) -> GoldItem:
    """First answerable item with a single evidence span (a simple item to break)."""
    return next(item for item in items if item.answerable and len(item.evidence) == 1)


# ------------------------------------------------------------------ corpus


def test_corpus_has_the_five_documents(documents: dict[str, str]) -> None:
    assert set(documents) == DOC_IDS
    assert all(len(text) > 10_000 for text in documents.values())


# ------------------------------------------------------------------ shipped gold set


def test_shipped_gold_set_is_valid(items: list[GoldItem], documents: dict[str, str]) -> None:
    assert validate_gold(items, documents) == []


def test_size_types_and_documents(items: list[GoldItem]) -> None:
    assert len(items) >= 150
    assert set(QUESTION_TYPES) == {item.type for item in items}
    answerable_by_doc = Counter(item.doc_id for item in items if item.answerable)
    assert set(answerable_by_doc) == DOC_IDS
    assert min(answerable_by_doc.values()) >= 15
    assert sum(not item.answerable for item in items) >= 25


def test_style_mix(items: list[GoldItem]) -> None:
    n = len(items)
    styles = Counter(s for item in items for s in item.style)
    assert styles["no_diacritics"] / n >= 0.20
    assert styles["paraphrase"] / n >= 0.20
    assert styles["keyword"] > 0 and styles["names_document"] > 0 and styles["names_province"] > 0


def test_split_balanced_per_type(items: list[GoldItem]) -> None:
    for qtype in QUESTION_TYPES:
        of_type = [item for item in items if item.type == qtype]
        dev = sum(item.split == "dev" for item in of_type)
        assert abs(dev / len(of_type) - 0.5) <= 0.10, (qtype, dev, len(of_type))


def test_unanswerable_items_have_no_answers_or_evidence(items: list[GoldItem]) -> None:
    for item in items:
        if not item.answerable:
            assert item.answers == [] and item.evidence == []


def test_gap_and_missing_lead_tasks_are_unanswerable(items: list[GoldItem]) -> None:
    kh214 = {item.task_id: item.type for item in items if item.doc_id == "qng-kh-214-2024" and item.task_id}
    for task in ("1.2", "2.2", "2.3", "3.1", "3.2"):
        assert kh214.get(task) == "unanswerable", task


def test_jsonl_is_plain_utf8_one_object_per_line() -> None:
    lines = DEFAULT_GOLD_PATH.read_text(encoding="utf-8").splitlines()
    assert all(line.startswith("{") and line.endswith("}") for line in lines)
    assert any("ầ" in line for line in lines)  # ensure_ascii=False: Vietnamese kept as text


# ------------------------------------------------------------------ deliberately broken items


def test_offsets_shifted_by_one_are_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = _answerable(items)
    span = item.evidence[0]
    shifted = span.model_copy(update={"char_start": span.char_start + 1, "char_end": span.char_end + 1})
    broken = item.model_copy(update={"evidence": [shifted]})
    problems = validate_gold([broken], documents)
    assert any("text differs" in p for p in problems), problems


def test_answer_far_from_evidence_is_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = _answerable(items)
    span = item.evidence[0]
    doc = documents[span.doc_id]
    # A phrase that really is in the document, but far away from the evidence.
    far = doc[-40:] if span.char_end + NEAR_CHARS + 40 < len(doc) else doc[:40]
    far = " ".join(far.split()[1:-1])
    window = normalize(doc[max(0, span.char_start - NEAR_CHARS) : span.char_end + NEAR_CHARS])
    assert far and normalize(far) in normalize(doc) and normalize(far) not in window
    problems = validate_gold([item.model_copy(update={"answers": [far]})], documents)
    assert any("not found in or within" in p for p in problems), problems


def test_unknown_doc_id_is_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = _answerable(items)
    span = item.evidence[0].model_copy(update={"doc_id": "no-such-doc"})
    broken = item.model_copy(update={"doc_id": "no-such-doc", "evidence": [span]})
    problems = validate_gold([broken], documents)
    assert any("unknown doc_id 'no-such-doc'" in p for p in problems), problems


def test_duplicate_id_is_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    first, second = items[0], items[1]
    problems = validate_gold([first, second.model_copy(update={"id": first.id})], documents)
    assert any(f"duplicate id {first.id!r}" in p for p in problems), problems


def test_offsets_out_of_range_are_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = _answerable(items)
    n = len(documents[item.evidence[0].doc_id])
    span = item.evidence[0].model_copy(update={"char_start": n + 5, "char_end": n + 10})
    problems = validate_gold([item.model_copy(update={"evidence": [span]})], documents)
    assert any("out of range" in p for p in problems), problems


def test_answerable_without_evidence_or_answers_is_caught(
    items: list[GoldItem], documents: dict[str, str]
) -> None:
    item = _answerable(items)
    problems = validate_gold([item.model_copy(update={"evidence": [], "answers": []})], documents)
    assert any("without evidence" in p for p in problems), problems
    assert any("without answers" in p for p in problems), problems


def test_unanswerable_with_answers_is_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = next(item for item in items if not item.answerable)
    problems = validate_gold([item.model_copy(update={"answers": ["Sở Tài chính"]})], documents)
    assert any("unanswerable item has answers" in p for p in problems), problems


def test_bad_split_type_and_style_are_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = _answerable(items)
    # model_copy(update=...) skips validation, as a hand-built item might.
    broken = item.model_copy(update={"split": "train", "type": "who", "style": ["shouting"]})
    problems = validate_gold([broken], documents)
    assert any("bad split 'train'" in p for p in problems), problems
    assert any("bad type 'who'" in p for p in problems), problems
    assert any("unknown style 'shouting'" in p for p in problems), problems


def test_malformed_task_id_is_caught(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = _answerable(items)
    broken = item.model_copy(update={"task_id": "Two lead agencies in one cell."})
    problems = validate_gold([broken], documents)
    assert any("does not look like a task number" in p for p in problems), problems


def test_no_diacritics_style_is_checked(items: list[GoldItem], documents: dict[str, str]) -> None:
    item = next(item for item in items if "no_diacritics" in item.style)
    problems = validate_gold([item.model_copy(update={"question": "Ai chủ trì nhiệm vụ 5.4?"})], documents)
    assert any("no_diacritics" in p for p in problems), problems


def test_answers_match_after_normalization(documents: dict[str, str]) -> None:
    doc = documents["qnam-ctr-nq29"]
    start = doc.index("Phan Việt C")
    text = doc[start : start + len("Phan Việt Cƣờng")]
    assert text == "Phan Việt Cƣờng"  # legacy-font damage in the source
    item = GoldItem(
        id="x1",
        question="Ai ký chương trình của Tỉnh ủy Quảng Nam?",
        type="document",
        doc_id="qnam-ctr-nq29",
        answers=["phan  việt CƯỜNG"],
        evidence=[
            EvidenceSpan(doc_id="qnam-ctr-nq29", char_start=start, char_end=start + len(text), text=text)
        ],
        split="dev",
    )
    assert validate_gold([item], documents) == []


# ------------------------------------------------------------------ loading and CLI


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_gold_reports_bad_json_line(tmp_path: Path) -> None:
    good = DEFAULT_GOLD_PATH.read_text(encoding="utf-8").splitlines()[0]
    path = _write(tmp_path / "bad.jsonl", [good, "{not json"])
    with pytest.raises(GoldFormatError, match=r"bad\.jsonl:2: invalid JSON"):
        load_gold(path)


def test_load_gold_reports_schema_error_line(tmp_path: Path) -> None:
    lines = DEFAULT_GOLD_PATH.read_text(encoding="utf-8").splitlines()[:3]
    record = json.loads(lines[2])
    record["split"] = "train"
    lines[2] = json.dumps(record, ensure_ascii=False)
    path = _write(tmp_path / "schema.jsonl", lines)
    with pytest.raises(GoldFormatError, match=r"schema\.jsonl:3: schema error .*split"):
        load_gold(path)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DEFAULT_GOLD_PATH)]) == 0
    assert "no problems" in capsys.readouterr().out
    lines = DEFAULT_GOLD_PATH.read_text(encoding="utf-8").splitlines()
    path = _write(tmp_path / "dup.jsonl", [lines[0], lines[0]])
    assert main([str(path)]) == 1
    assert "duplicate id" in capsys.readouterr().out


def test_a_question_typed_without_diacritics_keeps_its_answers_and_evidence(items: list[GoldItem]) -> None:
    from hoidap.eval.gold import typed_without_diacritics

    item = next(i for i in items if i.answerable and "no_diacritics" not in i.style)
    plain = typed_without_diacritics(item)
    assert plain.question.isascii() and plain.question != item.question
    assert (plain.id, plain.answers, plain.evidence, plain.split) == (
        item.id,
        item.answers,
        item.evidence,
        item.split,
    )
    assert "no_diacritics" in plain.style and "no_diacritics" not in item.style
