"""The unseen-layout split: documents of other bodies, added as a user would, then asked.

The documents are added through `QAService.add_document` with no metadata (as an upload does) into
a fresh data folder beside the bundled corpus. Gold items name documents by file stem and quote their
evidence as text; here each item is re-addressed to the id the service gave the document and each
evidence span to its offsets in the stored text (identical for .md/.txt; found by text for
.docx/.pdf, whose stored text is the extractor's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from hoidap.eval.gold import (
    UNSEEN_EXTRACTED_SUFFIXES,
    UNSEEN_TEXT_SUFFIXES,
    EvidenceSpan,
    GoldItem,
    _flatten,
    load_gold,
)
from hoidap.eval.runner import command as run_command
from hoidap.service.qa import QAService, build_index
from hoidap.settings import Settings


def add_documents(
    service: QAService, docs_dir: Path, progress: Callable[[str], None] | None = None
) -> dict[str, str]:
    """Add every document of `docs_dir` without metadata; returns file stem -> assigned doc id."""
    ids: dict[str, str] = {}
    suffixes = UNSEEN_TEXT_SUFFIXES + UNSEEN_EXTRACTED_SUFFIXES
    for path in sorted(p for p in docs_dir.iterdir() if p.suffix.lower() in suffixes):
        result = service.add_document(path.name, path.read_bytes())
        ids[path.stem] = result.info.doc_id
        if progress:
            progress(f"đã thêm {path.name} → {result.info.doc_id}")
    return ids


def relocate(span: EvidenceSpan, doc_id: str, text: str) -> EvidenceSpan | None:
    """The span at its offsets in `text`, or where its text occurs (whitespace- and pipe-blind)."""
    if text[span.char_start : span.char_end] == span.text:
        return span.model_copy(update={"doc_id": doc_id})
    needle = _flatten(span.text)[0].strip()
    flat, where = _flatten(text)
    at = flat.find(needle) if needle else -1
    if at < 0:
        return None
    start, end = where[at], where[at + len(needle) - 1] + 1
    return EvidenceSpan(doc_id=doc_id, char_start=start, char_end=end, text=text[start:end])


def readdress(items: list[GoldItem], ids: dict[str, str], service: QAService) -> list[GoldItem]:
    """Gold items pointing at the service's doc ids and stored texts."""
    out = []
    for item in items:
        doc_id = ids.get(item.doc_id) if item.doc_id else None
        evidence = []
        for span in item.evidence:
            target = ids[span.doc_id]
            moved = relocate(span, target, service.docs[target].original)
            if moved is None:
                raise ValueError(f"{item.id}: evidence not found in the stored text of {span.doc_id}")
            evidence.append(moved)
        out.append(item.model_copy(update={"doc_id": doc_id, "evidence": evidence}))
    return out


def prepare(
    settings: Settings,
    docs_dir: Path,
    gold_path: Path,
    workdir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[QAService, Path]:
    """A service over the bundled corpus plus `docs_dir` (in a fresh data folder) and the gold file
    re-addressed to it (written into that folder)."""
    root = Path(workdir or tempfile.mkdtemp(prefix="hoidap-unseen-"))
    # index_dir None: the index goes to its default place in this data folder, not to a configured one.
    own = settings.model_copy(update={"data_dir": root / "data", "index_dir": None})
    build_index(own)
    service = QAService.open(own)
    ids = add_documents(service, docs_dir, progress)
    items = readdress(load_gold(gold_path), ids, service)
    out = root / "gold-unseen.jsonl"
    out.write_text("".join(i.model_dump_json(exclude_none=True) + "\n" for i in items), encoding="utf-8")
    return service, out


def command(args: argparse.Namespace) -> int:
    """`hoidap eval --split unseen [--docs] [--gold]`: documents of other bodies added to a fresh data
    folder, as an upload would add them, then the usual evaluation on the re-addressed gold file."""
    docs = Path(args.docs or "evalsets/unseen/docs")
    gold = Path(args.gold or "evalsets/unseen/gold.jsonl")
    if not docs.is_dir() or not gold.is_file():
        raise SystemExit(f"Lỗi: cần thư mục văn bản {docs} và tệp câu hỏi {gold} (--docs, --gold).")
    service, readdressed = prepare(args.settings, docs, gold, progress=lambda m: print(m, file=sys.stderr))
    args.gold = str(readdressed)
    return run_command(args, service)
