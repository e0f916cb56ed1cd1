"""The `hoidap` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from corpus.normalize import fold
from corpus.parse import parse_corpus
from corpus.records import ParsedDocument, Task
from corpus.store import DocumentError, load_manifests


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _select_docs(doc: str | None) -> list[ParsedDocument]:
    if doc:
        known = [i.doc_id for i in load_manifests()]
        if doc not in known:
            raise SystemExit(f"Lỗi: không có văn bản '{doc}'. Các văn bản hiện có: {', '.join(known)}")
    return parse_corpus(doc_ids=[doc] if doc else None)


def cmd_parse(args: argparse.Namespace) -> int:
    """Per document: clause and task counts, numbering gaps, repairs, warnings."""
    report = []
    for d in _select_docs(args.doc):
        report.append(
            {
                "doc_id": d.doc_id,
                "title": d.info.short_title,
                "clauses": len(d.clauses),
                "tasks": len(d.tasks),
                "gaps": [g.to_dict() for g in d.gaps],
                "repairs": d.repairs,
                "header": {k: v for k, v in vars(d.header).items() if k != "spans" and v},
                "warnings": d.warnings,
                "fallback": d.fallback,
            }
        )
    if args.json:
        _print_json(report)
        return 0
    for r in report:
        legacy = sum(r["repairs"]["legacy_font"].values())
        print(f"{r['doc_id']}  ({r['title']})")
        print(f"  điều khoản: {r['clauses']}   nhiệm vụ: {r['tasks']}")
        repairs = r["repairs"]
        print(f"  sửa lỗi phông cũ: {legacy} {repairs['legacy_font'] or ''}")
        print(f"  chuẩn hóa dấu thanh: {repairs['tone_marks']}")
        for g in r["gaps"]:
            print(f"  khoảng trống đánh số: {g['note']}")
        for w in r["warnings"]:
            print(f"  cảnh báo: {w}")
        if r["fallback"]:
            print("  (không nhận dạng được cấu trúc: mỗi đoạn là một điều khoản)")
    return 0


def task_matches(task: Task, task_id: str | None, agency: str | None) -> bool:
    """Filter used by `hoidap tasks` (agency match is diacritics-insensitive, lead or coordinating)."""
    if task_id and task.task_id != task_id.strip():
        return False
    if agency:
        needle = fold(agency)
        if not any(needle in fold(a) for a in task.lead + task.coordinating):
            return False
    return True


def cmd_tasks(args: argparse.Namespace) -> int:
    """List task records as a table or JSON."""
    rows = []
    for d in _select_docs(args.doc):
        for t in d.tasks:
            if task_matches(t, args.id, args.agency):
                rows.append(t.to_dict(d.original))
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("Không có nhiệm vụ nào khớp điều kiện lọc.")
        return 0
    for r in rows:
        print(f"[{r['doc_id']}] {r['task_id']}  —  {r['section']}")
        print(f"    Nội dung : {r['content'][:160]}{'…' if len(r['content']) > 160 else ''}")
        print(f"    Chủ trì  : {'; '.join(r['lead']) or '(không ghi)'}")
        if r["coordinating"]:
            print(f"    Phối hợp : {'; '.join(r['coordinating'])}")
        if r["directing"]:
            print(f"    Chỉ đạo  : {'; '.join(r['directing'])}")
        print(f"    Thời hạn : {r['deadline'] or '(không ghi)'}")
        print(f"    Vị trí   : ký tự {r['char_start']}–{r['char_end']}")
    print(f"\n{len(rows)} nhiệm vụ.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoidap", description="Hỏi đáp và tra cứu văn bản chính sách")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="phân tích văn bản: số điều khoản, nhiệm vụ, khoảng trống đánh số")
    p.add_argument("--doc", help="mã văn bản (mặc định: tất cả)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("tasks", help="liệt kê nhiệm vụ (cơ quan chủ trì, phối hợp, thời hạn)")
    p.add_argument("--doc", help="mã văn bản")
    p.add_argument("--id", help="số hiệu nhiệm vụ, ví dụ 5.4 hoặc II.2.đ")
    p.add_argument("--agency", help="lọc theo cơ quan chủ trì hoặc phối hợp (không phân biệt dấu)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tasks)

    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


# Later pipeline stages (index, search, ask, serve, eval) register their subcommands here.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DocumentError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
