"""The unseen-layout gold set (evalsets/unseen/gold.jsonl): twelve documents outside the bundled corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hoidap.eval.gold import (
    QUESTION_TYPES,
    GoldItem,
    load_gold,
    load_unseen_documents,
    validate_unseen,
)

UNSEEN_DIR = Path(__file__).resolve().parents[2] / "evalsets" / "unseen"
GOLD_PATH = UNSEEN_DIR / "gold.jsonl"
DOCS_DIR = UNSEEN_DIR / "docs"


@pytest.fixture(scope="module")
def items() -> list[GoldItem]:
    return load_gold(GOLD_PATH)


@pytest.fixture(scope="module")
def doc_ids() -> set[str]:
    return {p.stem for p in DOCS_DIR.iterdir() if p.suffix in (".md", ".docx", ".pdf")}


def test_documents_are_all_there(doc_ids: set[str]) -> None:
    suffixes = Counter(p.suffix for p in DOCS_DIR.iterdir())
    assert suffixes == {".md": 10, ".docx": 1, ".pdf": 1}
    assert len(doc_ids) == 12
    assert (UNSEEN_DIR / "SOURCES.md").is_file()


def test_unseen_gold_set_is_valid(items: list[GoldItem]) -> None:
    assert validate_unseen(items, DOCS_DIR) == []


def test_size_types_styles_and_documents(items: list[GoldItem], doc_ids: set[str]) -> None:
    n = len(items)
    assert n >= 90
    types = Counter(item.type for item in items)
    assert set(types) == set(QUESTION_TYPES), types
    assert types["unanswerable"] >= 16
    assert sum("no_diacritics" in item.style for item in items) * 3 >= n
    assert all(item.split == "unseen" for item in items)
    per_doc = Counter(item.doc_id for item in items if item.doc_id is not None)
    assert set(per_doc) == doc_ids
    assert all(per_doc[d] >= 5 for d in doc_ids), per_doc


def test_every_document_has_answerable_items(items: list[GoldItem], doc_ids: set[str]) -> None:
    answerable = Counter(item.doc_id for item in items if item.answerable)
    assert all(answerable[d] >= 5 for d in doc_ids), answerable


# ------------------------------------------------------------------ the validator itself


def _first(items: list[GoldItem], prefix: str) -> GoldItem:
    return next(
        i for i in items if i.answerable and i.doc_id and i.doc_id.startswith(prefix) and len(i.evidence) == 1
    )


def test_loader_reads_text_files_as_is_and_extracts_docx_pdf() -> None:
    texts, extracted = load_unseen_documents(DOCS_DIR)
    assert extracted == {"kh-cchc-2026-2030-ubnd-lam-dong", "qd-1187-qd-bnv-2025-chi-so-cchc"}
    md = DOCS_DIR / "kh-310-kh-ubnd-ha-noi-2025-5g-iot.md"
    assert texts[md.stem] == md.read_bytes().decode("utf-8")
    assert all(len(t) > 5_000 for t in texts.values())


def test_validator_catches_shifted_offsets_in_a_text_document(items: list[GoldItem]) -> None:
    item = _first(items, "kh-310")
    span = item.evidence[0]
    broken = item.model_copy(
        update={"evidence": [span.model_copy(update={"char_start": span.char_start + 1})]}
    )
    problems = validate_unseen([broken], DOCS_DIR)
    assert any("text differs" in p for p in problems), problems


def test_validator_relocates_extracted_spans_but_catches_missing_text(items: list[GoldItem]) -> None:
    item = _first(items, "qd-1187")
    span = item.evidence[0]
    moved = item.model_copy(update={"evidence": [span.model_copy(update={"char_start": 0, "char_end": 7})]})
    assert validate_unseen([moved], DOCS_DIR) == []
    gone = item.model_copy(
        update={
            "evidence": [span.model_copy(update={"char_start": 0, "char_end": 7, "text": "không có câu này"})]
        }
    )
    assert any("not found in the extracted text" in p for p in validate_unseen([gone], DOCS_DIR))


def test_validator_catches_far_answers_and_wrong_split(items: list[GoldItem]) -> None:
    item = _first(items, "kh-cchc")
    far = item.model_copy(update={"answers": ["Bộ Quốc phòng"], "split": "dev"})
    problems = validate_unseen([far], DOCS_DIR)
    assert any("not found in or within" in p for p in problems), problems
    assert any("split 'dev'" in p for p in problems), problems
