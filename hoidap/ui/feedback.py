"""User feedback on answers (Đúng / Sai + note) and its conversion into draft gold items.

Each verdict is one JSON line appended to `HOIDAP_FEEDBACK_FILE` (default
`<data dir>/feedback.jsonl`, i.e. `data/feedback.jsonl`):

    {"timestamp", "question", "answer", "found", "question_type", "doc_filter",
     "citations": [{"doc_id", "char_start", "char_end", "highlight", "task_id", "section", "quote"}],
     "answers": [{"doc_id", "doc_title", "answer"}], "verdict": "correct" | "incorrect", "note"}

`python -m hoidap.ui.feedback FILE` prints the lines as draft gold items (format of `eval/gold.py`,
split "dev") for a person to check before adding them to the gold set.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hoidap.corpus.store import DocumentError
from hoidap.service.intents import GOLD_TYPES, Intent
from hoidap.service.qa import document_store
from hoidap.settings import Settings

VERDICTS = {"Đúng": "correct", "Sai": "incorrect"}
_LOCK = threading.Lock()
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def feedback_record(
    answer: Mapping[str, Any], verdict: str, note: str = "", doc_filter: Sequence[str] | None = None
) -> dict[str, Any]:
    """One feedback line for an answer (`Answer.to_dict()`); verdict 'Đúng'/'Sai' or correct/incorrect."""
    v = VERDICTS.get(verdict, verdict)
    if v not in ("correct", "incorrect"):
        raise ValueError(f"verdict phải là Đúng hoặc Sai, không phải {verdict!r}")
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "question": answer.get("question", ""),
        "answer": answer.get("answer"),
        "found": bool(answer.get("found")),
        "question_type": answer.get("question_type"),
        "doc_filter": list(doc_filter or []),
        "citations": [
            {
                "doc_id": c["doc_id"],
                "char_start": c["char_start"],
                "char_end": c["char_end"],
                "highlight": c.get("highlight"),
                "task_id": c.get("task_id"),
                "section": c.get("section"),
                "quote": c.get("quote"),
            }
            for c in answer.get("citations") or []
        ],
        "answers": [dict(a) for a in answer.get("answers") or []],
        "verdict": v,
        "note": (note or "").strip(),
    }


# A feedback file is rotated (to "<name>.1", replacing the previous one) once it reaches this size, so
# clicks cannot grow the data folder without bound; one record is capped too.
MAX_FEEDBACK_BYTES = 20 * 1024 * 1024
MAX_RECORD_CHARS = 20_000


def append_feedback(record: Mapping[str, Any], path: Path, max_bytes: int = MAX_FEEDBACK_BYTES) -> Path:
    """Append one JSON line (thread-safe within the process); returns the file written. A full file is
    rotated first; an oversized record is refused (ValueError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    if len(line) > MAX_RECORD_CHARS:
        raise ValueError("Góp ý quá dài, không lưu.")
    with _LOCK:
        if path.exists() and path.stat().st_size + len(line.encode()) > max_bytes:
            path.replace(path.with_name(path.name + ".1"))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line)
    return path


def read_feedback(path: Path) -> list[dict[str, Any]]:
    """Feedback lines of a file (blank and broken lines are skipped)."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict) and data.get("question"):
                out.append(data)
    return out


def _style(question: str, task_id: str | None) -> list[str]:
    style = ["full_sentence" if question.rstrip().endswith("?") else "keyword"]
    if not _NON_ASCII.search(question):
        style.append("no_diacritics")
    if task_id:
        style.append("task_number")
    return style


def _gold_type(line: Mapping[str, Any]) -> str:
    if line.get("verdict") == "correct" and not line.get("found"):
        return Intent.UNANSWERABLE
    qt = line.get("question_type") or ""
    if qt in GOLD_TYPES and qt != Intent.UNANSWERABLE:
        return Intent(qt)
    return Intent.FACT  # "lookup" and anything else answered from a clause


def to_gold_items(
    lines: Iterable[Mapping[str, Any]], originals: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Draft gold items (eval/gold.py format, split "dev") from feedback lines.

    - Đúng + found: answers are the highlighted answer phrases (exact text) or the answer,
      evidence the cited spans.
    - Đúng + not found: an "unanswerable" item.
    - Sai: the note is taken as the correct answer (if any) and the item is flagged in `notes`
      for review; the cited spans are kept as candidate evidence.

    Args:
        lines: feedback records.
        originals: doc_id -> original text (for exact evidence text); the stored quote otherwise.
    """
    originals = originals or {}
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in lines:
        question = str(line.get("question", "")).strip()
        if not question:
            continue
        digest = hashlib.sha1(f"{line.get('timestamp')}|{question}".encode()).hexdigest()[:10]
        item_id = f"fb-{digest}"
        if item_id in seen:
            continue
        seen.add(item_id)
        kind = _gold_type(line)
        cites = line.get("citations") or []
        evidence = []
        phrases: list[str] = []
        for c in cites:
            text = originals.get(c["doc_id"])
            quote = text[c["char_start"] : c["char_end"]] if text is not None else c.get("quote")
            if not quote:
                continue
            evidence.append(
                {
                    "doc_id": c["doc_id"],
                    "char_start": c["char_start"],
                    "char_end": c["char_end"],
                    "text": quote,
                }
            )
            hl = c.get("highlight")
            if text is not None and hl and c["char_start"] <= hl[0] < hl[1] <= c["char_end"]:
                phrases.append(text[hl[0] : hl[1]])
        notes = None
        if kind == "unanswerable":
            answers: list[str] = []
            evidence = []
        elif line.get("verdict") == "correct":
            per_doc = [a["answer"] for a in line.get("answers") or [] if a.get("answer")]
            answers = list(
                dict.fromkeys(phrases or per_doc or ([line["answer"]] if line.get("answer") else []))
            )
        else:
            note = str(line.get("note") or "").strip()
            answers = [note] if note else []
            notes = "Người dùng báo câu trả lời sai"
            notes += f" (hệ thống trả lời: {line.get('answer')!r})" if line.get("answer") else ""
            notes += "; cần kiểm tra câu trả lời và bằng chứng."
        if line.get("verdict") == "correct" and line.get("note"):
            notes = f"Ghi chú của người dùng: {line['note']}"
        task_ids = {c.get("task_id") for c in cites if c.get("task_id")}
        doc_ids = list(dict.fromkeys(e["doc_id"] for e in evidence))
        item: dict[str, Any] = {
            "id": item_id,
            "question": question,
            "type": kind,
            "doc_id": doc_ids[0] if doc_ids else None,
            "task_id": next(iter(task_ids)) if len(task_ids) == 1 and len(doc_ids) == 1 else None,
            "answers": answers,
            "evidence": evidence,
            "split": "dev",
            "style": _style(question, next(iter(task_ids)) if len(task_ids) == 1 else None),
        }
        if notes:
            item["notes"] = notes
        items.append(item)
    return items


def _load_originals(settings: Settings) -> dict[str, str]:
    store = document_store(settings)
    out = {}
    for info in store.manifests():
        try:
            out[info.doc_id] = store.read_original(info)
        except (OSError, DocumentError):
            continue
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m hoidap.ui.feedback [FILE]`: print draft gold items, one JSON object per line."""
    args = list(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    path = Path(args[0]) if args else settings.feedback_path
    if not path.is_file():
        print(f"Lỗi: không có tệp góp ý {path}", file=sys.stderr)
        return 1
    for item in to_gold_items(read_feedback(path), _load_originals(settings)):
        print(json.dumps(item, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
