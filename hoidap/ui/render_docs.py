"""HTML of the Văn bản tab: each document's facts with where they came from, the quarantined ones, and
what was read from a file before it is added (templates in `templates/documents.html`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from hoidap.ui.templates import fragment
from hoidap.ui.text import vn_date

SOURCE_LABEL = {
    "printed": "in trong văn bản",
    "citing": "theo văn bản khác trích dẫn",
    "user": "do người thêm văn bản nhập",
    "manifest": "theo manifest của kho",
    "missing": "không có",
}
FACTS = (
    ("number", "Số hiệu"),
    ("date", "Ngày ban hành"),
    ("issuer", "Cơ quan ban hành"),
    ("signer", "Người ký"),
)
_FIELD_NAMES = {
    "title": "tên văn bản",
    "number": "số hiệu",
    "date": "ngày ban hành",
    "issuer": "cơ quan ban hành",
    "signer": "người ký",
}


def fact_source(doc: Any, fact: str) -> tuple[str, str]:
    """(value shown, source key) of one document fact: printed text, citing document, user, manifest."""
    info, header = doc.info, doc.header
    prov = info.provenance or {}
    listed = getattr(info, fact, None)
    printed = getattr(header, fact, None)
    if fact == "signer":
        title = header.signer_title or info.signer_title
        listed = f"{listed} ({title})" if listed and title else listed
        printed = (
            f"{printed} ({header.signer_title or title})"
            if printed and (header.signer_title or title)
            else printed
        )
    value = printed or listed
    if fact == "date":
        value = vn_date(value)
    if not value:
        return "", "missing"
    said_printed = any(p == fact or str(p).startswith(f"{fact} (") for p in prov.get("printed_in_text", []))
    if printed or said_printed:
        return value, "printed"
    if fact in (prov.get("from_citing_document") or {}):
        return value, "citing"
    if fact in (prov.get("from_user") or []):
        return value, "user"
    return value, "manifest"


def document_card(doc: Any, entries: int | None = None) -> str:
    info = doc.info
    facts = []
    for fact, label in FACTS:
        value, source = fact_source(doc, fact)
        note = (info.provenance.get("from_citing_document") or {}).get(fact, "") if source == "citing" else ""
        facts.append(
            {
                "label": label,
                "value": value,
                "source": source,
                "source_label": SOURCE_LABEL[source],
                "note": note,
            }
        )
    counts = f"{len(doc.clauses)} điều khoản · {len(doc.tasks)} nhiệm vụ"
    if entries is not None:
        counts += f" · {entries} mục chỉ mục"
    card = {
        "short_title": info.short_title,
        "doc_id": info.doc_id,
        "title": info.title,
        "facts": facts,
        "province": info.province,
        "counts": counts,
        "gaps": "; ".join(g.note for g in doc.gaps) if doc.gaps else None,
        "added": (info.provenance or {}).get("added_from"),
        "ocr": bool(info.ocr),
        "ocr_pages": ", ".join(map(str, info.ocr.get("pages", []))) if info.ocr else "",
    }
    return fragment("documents.html", "document_card", card)


def documents_html(docs: Sequence[Any], entries: Mapping[str, int | None], damaged: Mapping[str, str]) -> str:
    """The served documents (`entries`: index entries by document id) and the quarantined ones: not
    served until removed (hoidap remove) and added again."""
    return fragment(
        "documents.html",
        "documents",
        len(docs),
        sum(len(d.clauses) for d in docs),
        sum(len(d.tasks) for d in docs),
        f"{len(damaged)} văn bản bị cách ly (không dùng để trả lời) vì tệp lưu trữ hỏng hoặc bị sửa:",
        sorted(damaged.items()),
        [Markup(document_card(d, entries.get(d.doc_id))) for d in docs],
    )


def plain_warning(text: str) -> str:
    """A parser note in plain Vietnamese: field names translated, "manifest" named for what it is."""
    m = re.match(r"^(\w+):\s*(.*)$", text)
    if m and m.group(1) in _FIELD_NAMES:
        text = f"{_FIELD_NAMES[m.group(1)].capitalize()}: {m.group(2)}"
    text = text.replace("manifest ghi", "thông tin đã nhập ghi").replace("manifest để trống", "chưa nhập")
    return text.replace("manifest", "thông tin đã nhập")


def notes_html(warnings: Sequence[str]) -> str:
    """Parse notes as a neutral list (they are not errors: the document is usable)."""
    return fragment("common.html", "notes", [plain_warning(w) for w in warnings])


def upload_review_html(doc: Any, max_tasks: int = 3) -> str:
    """What was read from an uploaded file, before it is saved: facts, counts, a few tasks, notes."""
    info = doc.info
    signer = f"{info.signer} ({info.signer_title})" if info.signer and info.signer_title else info.signer
    facts = [
        ("Tên văn bản", info.title),
        ("Số hiệu", info.number),
        ("Ngày ban hành", vn_date(info.date)),
        ("Cơ quan ban hành", info.issuer),
        ("Người ký", signer),
    ]
    shown = [
        {
            "task_id": t.task_id,
            "content": t.content[:140],
            "cut": len(t.content) > 140,
            "lead": "; ".join(t.lead) or "—",
            "deadline": t.deadline or "—",
        }
        for t in doc.tasks[:max_tasks]
    ]
    more = len(doc.tasks) - max_tasks if len(doc.tasks) > max_tasks else 0
    return fragment(
        "documents.html",
        "upload_review",
        facts,
        len(doc.clauses),
        len(doc.tasks),
        shown,
        more,
        Markup(notes_html(doc.warnings)),
    )
