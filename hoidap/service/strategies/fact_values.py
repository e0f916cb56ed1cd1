"""A document's own facts (signer, number, date, issuer, basis, period, effective date) read from its
header, signature, opening and closing provisions, or from a document citing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hoidap.corpus.metadata import BLANK_NUMBER_RE
from hoidap.corpus.normalize import normalize_span
from hoidap.corpus.records import Clause, ParsedDocument
from hoidap.corpus.vocab import basis_opener, doc_type_names, pattern
from hoidap.service.extract import (
    DOC_REF_RE,
    best_reference,
)
from hoidap.service.records import Citation
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.understanding import (
    QueryAnalysis,
)

DOC_KINDS = "|".join(doc_type_names())  # longest first ("Chương trình hành động" before "Chương trình")
Fact = tuple[str, Citation | None, str]  # value, where it is quoted, where it was read (said in the message)

# A document's period as its title states it: "giai đoạn 2026 - 2030", "đến năm 2030, tầm nhìn đến năm 2045".
_PERIOD_RE = re.compile(
    r"(?i)(?:(?:giai\s+đoạn|thời\s+kỳ)\s+)?(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d"
    r"(?:\s*,?\s*tầm\s+nhìn\s+đến\s+năm\s+(?:19|20)\d\d)?"
    r"|đến\s+năm\s+(?:19|20)\d\d(?:\s*,?\s*tầm\s+nhìn\s+đến\s+năm\s+(?:19|20)\d\d)?"
)
PERIOD_HEAD_CHARS = 4000  # the title sits in a document's head; the same words later are about other plans
PRINTED_DATE_RE = re.compile(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|ngày\s+\d{1,2}/\d{1,2}/\d{4}")
# A document states what it rests on in its first paragraphs (head and opening lines).
BASIS_CLAUSES = 20
_BASIS_OPENER_RE = re.compile(rf"{basis_opener()}\b")
# "… có hiệu lực (thi hành) (kể) từ ngày …", "… có hiệu lực kể từ ngày ký": when a document takes effect.
_EFFECTIVE_RE = re.compile(
    r"(?i)(?:có|bắt đầu có)\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+"
    r"(?P<when>(?:kể\s+)?từ\s+(?:ngày|khi)[^.;,\n]{0,60})"
)
# Said of the document itself: "Luật này", "Quyết định này", "Thông tư này", "Kế hoạch này".
_THIS_DOC_RE = re.compile(r"(?i)\bnày\b")


def fact_value(
    ctx: AnswerContext, doc_id: str, fact: str, a: QueryAnalysis | None = None
) -> tuple[str | None, Citation | None, str]:
    doc = ctx.docs[doc_id]
    h, info = doc.header, doc.info
    if fact == "basis" and not info.implements:
        stated = stated_basis(ctx, doc_id, a)
        if stated is not None:
            return stated[0], stated[1], "phần mở đầu của văn bản (căn cứ, thực hiện)"
    reader = STATED.get(fact)
    if reader is not None:  # a fact only the document's own text states
        return reader(ctx, doc_id) or (None, None, "")
    printed = {"signer": h.signer, "number": h.number, "date": h.date, "issuer": h.issuer}.get(fact)
    if fact == "signer" and printed:
        printed = f"{printed_degrees(doc.original, h.spans.get('signer'), printed)}{printed}"
        if h.signer_title:
            printed = f"{printed} ({h.signer_title})"
    if fact == "date" and printed:
        in_header = _printed_date(doc.original, h.spans.get("date"))
        own = None if in_header else own_printed_date(ctx, doc_id)
        if own is not None:
            return own[0], own[1], "chính văn bản (dòng ghi số và ngày của nó)"
        printed = in_header or _vn_date(printed)
    if printed:
        span = h.spans.get(fact)
        cite = (
            ctx.citation(doc_id, span[0], span[1], "Phần đầu văn bản" if fact != "signer" else "Chữ ký", 1.0)
            if span
            else None
        )
        return printed, cite, "phần đầu/chữ ký của văn bản"
    listed = {
        "signer": info.signer,
        "number": info.number,
        "date": info.date,
        "issuer": info.issuer,
        "basis": ", ".join(info.implements) or None,
    }.get(fact)
    if fact == "date":
        own = own_printed_date(ctx, doc_id)
        if own is not None:
            return own[0], own[1], "chính văn bản (dòng ghi số và ngày của nó)"
    if fact == "number" and not listed:
        attached = attached_number(ctx, doc_id)
        if attached is not None:
            return attached[0], attached[1], "dòng ghi văn bản mà nó được ban hành kèm theo"
    if fact == "number" and not listed and (blank := _blank_number(ctx, doc_id)) is not None:
        return blank[0], blank[1], "dòng số hiệu ở phần đầu văn bản (văn bản chưa điền số, chỉ in ký hiệu)"
    if fact == "date" and not listed and (blank := _blank_date(ctx, doc_id)) is not None:
        return (
            blank[0],
            blank[1],
            "dòng ngày tháng ở phần đầu văn bản (văn bản chưa điền ngày, chỉ in tháng, năm)",
        )
    if not listed:
        return None, None, ""
    if fact == "date":
        listed = _vn_date(listed)
    cite = citing_span(ctx, doc_id, fact)
    source = ("văn bản khác trích dẫn nó (" + cite.doc_title + ")") if cite else "manifest của kho văn bản"
    return listed, cite, source


_DEGREES_RE = pattern("metadata.degrees_before_name")


def printed_degrees(original: str, span: tuple[int, int] | None, name: str) -> str:
    """The academic degrees or rank printed before a signer's name ("PGS.TS. ", "Đại tá "), as printed:
    the name is cited as the signature shows it."""
    if span is None:
        return ""
    block = original[span[0] : span[1]]
    at = block.rfind(name)
    m = _DEGREES_RE.search(block[:at]) if at > 0 else None
    return f"{' '.join(m.group(0).split())} " if m else ""


def _opening(ctx: AnswerContext, doc_id: str) -> list[Clause]:
    """A document's first clauses, where it states what it rests on and who proposed it."""
    return sorted(ctx.docs[doc_id].clauses, key=lambda c: c.char_start)[:BASIS_CLAUSES]


def stated_basis(ctx: AnswerContext, doc_id: str, a: QueryAnalysis | None) -> tuple[str, Citation] | None:
    """What a document says it rests on, read from its opening paragraphs ("Căn cứ Luật …", "Thực hiện
    Chỉ thị số 46-CT/TW …", `basis_openers` in layout.json): the cited document of the kind the
    question asks ("chỉ thị nào"), the one whose context shares most with the question, else every
    one cited there."""
    kind = a.asked_document_kind if a is not None else None
    words = [t for t, _ in ctx.content_words(a.search_text or a.normalized)] if a is not None else []
    # "… thực hiện nghị quyết nào của Tỉnh ủy": of every document cited there, the one that body issued.
    issuer = a.asked_issuer if a is not None and kind else ""
    best: tuple[int, str, Clause] | None = None
    for c in _opening(ctx, doc_id):
        if not _BASIS_OPENER_RE.match(c.text.lstrip(" -–•*+")):
            continue
        if kind:
            found = best_reference(c.text, kind, words, issuer)
            value, score = (" ".join(found[0].group(0).split()), found[1]) if found else (None, 0)
        else:
            refs = list(DOC_REF_RE.finditer(c.text))
            value = "; ".join(dict.fromkeys(m.group(0) for m in refs)) if refs else None
            score = 0
        if value and (best is None or score > best[0]):
            best = (score, value, c)
        if best is not None and not issuer:
            break
    if best is None:
        return None
    _, value, c = best
    return value, ctx.citation(doc_id, c.char_start, c.char_end, c.breadcrumb, 1.0)


def takes_effect(ctx: AnswerContext, doc_id: str) -> tuple[str, Citation] | None:
    """When a document takes effect, as its closing provisions say of itself ("Luật này có hiệu lực
    thi hành từ ngày 01 tháng 7 năm 2024", "Quyết định này có hiệu lực kể từ ngày ký"); a clause
    saying it of another document ("Nghị định số … hết hiệu lực") is not it."""
    for c in ctx.doc_clauses(doc_id):
        m = _EFFECTIVE_RE.search(c.text)
        if m is None:
            continue
        # Of the document itself: "… này có hiệu lực", or under its article "Hiệu lực thi hành".
        if _THIS_DOC_RE.search(c.text[: m.start()]) or "hiệu lực" in c.breadcrumb.lower():
            cite = ctx.citation(doc_id, c.char_start, c.char_end, c.breadcrumb, 1.0)
            return " ".join(m.group("when").split()).rstrip(" ,"), cite
    return None


def attached_reference(doc: ParsedDocument) -> re.Match[str] | None:
    """The document an annex, a plan or a regulation was issued with, as the caption under its title cites
    it ("(Ban hành kèm theo Công văn số 1043/BTP-… ngày 9/4/2021)"). Only such a caption says so; the same
    words in the body are about other plans ("… ban hành kèm theo Quyết định số 1428/QĐ-UBND")."""
    attached = DOC_REF_RE.search(doc.header.attached_to or "")
    head_end = doc.header.spans.get("title", (0, 0))[1] + 400
    if attached and 0 <= doc.original.find(attached.group("number")) < head_end:
        return attached
    return None


def attached_number(ctx: AnswerContext, doc_id: str) -> tuple[str, Citation] | None:
    """A document without a number of its own is known by the number of the one it was issued with."""
    doc = ctx.docs[doc_id]
    attached = attached_reference(doc)
    if attached is None:
        return None
    at = doc.original.find(attached.group("number"))
    clause = next((c for c in doc.clauses if c.char_start <= at < c.char_end), None)
    if clause is None:
        return None
    phrase = attached.group(0).strip()
    cite = ctx.citation(doc_id, clause.char_start, clause.char_end, clause.breadcrumb, 1.0, phrase=phrase)
    return phrase, cite


def own_printed_date(ctx: AnswerContext, doc_id: str) -> tuple[str, Citation] | None:
    """The date as the document's own text prints it after its number ("Ban hành kèm theo Nghị quyết
    số 1339/NQ-UBTVQH15 ngày 28 tháng 12 năm 2024"), with that clause."""
    doc = ctx.docs[doc_id]
    # Its own number, else that of the decision it was issued with ("Ban hành kèm theo Quyết định số …").
    attached = attached_reference(doc)
    number = doc.info.number or (attached.group("number") if attached else None)
    if not number:
        return None
    for m in re.finditer(re.escape(number), doc.original):
        after = " ".join(doc.original[m.end() : m.end() + 60].split()).lstrip(", ")
        d = PRINTED_DATE_RE.match(after)
        if d is None:
            continue
        clause = next((c for c in doc.clauses if c.char_start <= m.start() < c.char_end), None)
        if clause is None:
            continue
        cite = ctx.citation(
            doc_id, clause.char_start, clause.char_end, clause.breadcrumb, 1.0, phrase=d.group(0)
        )
        return d.group(0), cite
    return None


def citing_span(ctx: AnswerContext, doc_id: str, fact: str) -> Citation | None:
    """Where another document prints this one's number/date (e.g. 214/KH-UBND citing 31-CTr/TU)."""
    info = ctx.docs[doc_id].info
    if fact not in ("number", "date") or not info.number:
        return None
    for other in ctx.docs.values():
        if other.doc_id == doc_id:
            continue
        pos = other.original.find(info.number)
        if pos >= 0:
            for c in other.clauses:
                if c.char_start <= pos < c.char_end:
                    return ctx.citation(
                        other.doc_id, c.char_start, c.char_end, c.breadcrumb, 1.0, phrase=info.number
                    )
    return None


def _printed_date(original: str, span: tuple[int, int] | list[int] | None) -> str | None:
    """The date as the document prints it ("ngày 25 tháng 11 năm 2025"): answers quote, never reformat."""
    if not span:
        return None
    m = PRINTED_DATE_RE.search(" ".join(normalize_span(original, span[0], span[1]).text.split()))
    return m.group(0) if m else None


def _vn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"ngày {int(d):02d}/{int(m):02d}/{y}"


def _effective(ctx: AnswerContext, doc_id: str) -> Fact | None:
    stated = takes_effect(ctx, doc_id)
    return (stated[0], stated[1], "điều khoản thi hành của văn bản") if stated else None


_PROPOSER_RE = pattern("facts.proposer")


def _proposer(ctx: AnswerContext, doc_id: str) -> Fact | None:
    """Who proposed the document, as a decision's opening says ("Theo đề nghị của Trưởng phòng Điều độ.",
    "Xét đề nghị của Giám đốc Sở Nội vụ")."""
    for c in _opening(ctx, doc_id):
        m = _PROPOSER_RE.search(c.text)
        if m:
            who = " ".join(m.group("who").split()).rstrip(" .;,")
            cite = ctx.citation(doc_id, c.char_start, c.char_end, c.breadcrumb, 1.0, phrase=who)
            return who, cite, "phần mở đầu của văn bản (theo đề nghị của …)"
    return None


_RECIPIENT_RE = pattern("facts.recipient")
_RECIPIENT_ITEM_RE = pattern("facts.recipient_item")
MAX_RECIPIENT_LINES = 12  # bodies listed under "Kính gửi:", at most


def _recipient(ctx: AnswerContext, doc_id: str) -> Fact | None:
    """Whom a letter or a report is addressed to: its "Kính gửi:" line ("Kính gửi: Bộ Tài chính (Cục Quản lý
    giá)"), with the bodies listed on the lines under it ("Kính gửi:" / "- UBND các huyện, thị xã;" / "-
    Phòng Tài chính - Kế hoạch …")."""
    original = ctx.docs[doc_id].original
    for c in _opening(ctx, doc_id):
        m = _RECIPIENT_RE.match(original, c.char_start, c.char_end)
        if m is None:
            continue
        first = m.group("to").strip(" ;.,")
        named = [first] if first else []
        end = m.end()
        for line in original[end : end + MAX_LISTED_CHARS].splitlines(keepends=True)[:MAX_RECIPIENT_LINES]:
            if not line.strip():
                if named:
                    break
                end += len(line)
                continue
            item = _RECIPIENT_ITEM_RE.match(line)
            if item is None:
                break
            named.append(item.group("to").strip(" ;.,"))
            end += len(line)
        if named:
            value = "; ".join(" ".join(n.split()) for n in named)
            cite = ctx.citation(
                doc_id, c.char_start, max(end, c.char_end), c.breadcrumb, 1.0, phrase=named[0]
            )
            return value, cite, "dòng «Kính gửi» của văn bản"
    return None


def _period(ctx: AnswerContext, doc_id: str) -> Fact | None:
    """The period a document's title states, quoted where its head prints it."""
    doc = ctx.docs[doc_id]
    stated = _PERIOD_RE.search(" ".join((doc.header.title or doc.info.title).split()))
    if stated is None:
        return None
    printed = _PERIOD_RE.search(doc.original, 0, PERIOD_HEAD_CHARS)
    cite = None
    if printed is not None:
        cite = ctx.citation(doc_id, printed.start(), printed.end(), "Tên văn bản", 1.0)
    return stated.group(0), cite, "tên văn bản"


def _replaces(ctx: AnswerContext, doc_id: str) -> Fact | None:
    """What a document replaces or repeals, as its own provisions say ("Nghị định này … thay thế Nghị định số
    …", "Nghị quyết này bãi bỏ khoản 3 …", "Nghị định số … hết hiệu lực kể từ ngày Nghị định này có hiệu
    lực", "… các Thông tư sau đây hết hiệu lực thi hành:" and the items after it): the documents it names
    there, else the rest of its sentence."""
    original = ctx.docs[doc_id].original
    for c in ctx.doc_clauses(doc_id):
        text = original[c.char_start : c.char_end]
        end = c.char_end
        if m := _REPLACES_RE.search(text):
            said = text[m.end() :]
            if not said.strip(" .;\n"):  # a lead-in: the items listed under it
                said, end = _listed_after(original, c.char_end)
        elif m := _REPEALED_RE.search(text):
            said = _NUMBER_OPENER_RE.sub("", text[: m.start()].rsplit(". ", 1)[-1])
        else:
            continue
        said = " ".join(said.split())
        refs = list(dict.fromkeys(r.group(0) for r in DOC_REF_RE.finditer(said) if _opens(said, r.start())))
        value = "; ".join(refs) or said.split(". ")[0].strip(" .;")
        if value:
            phrase = refs[0] if refs else None
            cite = ctx.citation(doc_id, c.char_start, end, c.breadcrumb, 1.0, phrase=phrase)
            return value, cite, "điều khoản thi hành của văn bản"
    return None


def _opens(text: str, at: int) -> bool:
    """A reference opens what is named at `at`: the text's start, an item's, or after "," ";" "và" — not one
    cited inside another's description ("… hướng dẫn … của Nghị định số …")."""
    return _OPENS_RE.search(text[:at]) is not None


def _listed_after(original: str, end: int) -> tuple[str, int]:
    """The lines listed after a lead-in ending at `end`, up to the next numbered provision, and their end."""
    stop = end
    for line in original[end : end + MAX_LISTED_CHARS].splitlines(keepends=True):
        if _NEXT_PROVISION_RE.match(line):
            break
        stop += len(line)
    return original[end:stop], stop


# Said by a document of itself: "<Type> này (có hiệu lực …;) thay thế / bãi bỏ …", "Kể từ ngày <Type> này có
# hiệu lực thi hành, các … sau đây hết hiệu lực thi hành:".
_REPLACES_RE = re.compile(
    rf"(?i)\b(?:{DOC_KINDS}|Quy định|Quy chế|Điều lệ)\s+này\s+"
    r"(?:(?:có|bắt\s+đầu\s+có)\s+hiệu\s+lực[^.]{0,140}?[;,]?\s*(?:và\s+)?)?"
    r"(?:thay\s+thế|bãi\s+bỏ|hết\s+hiệu\s+lực(?:\s+thi\s+hành)?)\b\s*:?"
)
# "… hết hiệu lực (kể) từ ngày <Type> này có hiệu lực": the documents named before it.
_REPEALED_RE = re.compile(rf"(?i)\bhết\s+hiệu\s+lực\s+(?:kể\s+)?từ\s+(?:ngày|khi)\s+(?:{DOC_KINDS})\s+này\b")
# What may stand before a reference that opens an item: the start, a separator, a list marker, "các", "**".
_OPENS_RE = re.compile(r"(?:^|[;,.:]|\svà)\s*(?:(?:[a-zđ][).]|[-+•*–]|\d{1,2}[.)])\s*)?(?:các\s+|\*+\s*)?$")
_NUMBER_OPENER_RE = re.compile(r"^\s*\d{1,2}\.\s*")
_NEXT_PROVISION_RE = re.compile(r"\s*(?:\d{1,2}\.\s|Điều\s+\d|Chương\s)")
MAX_LISTED_CHARS = 2000  # the lines a list after a lead-in may take (repealed documents, recipients), at most


def _amends(ctx: AnswerContext, doc_id: str) -> Fact | None:
    """The documents an amending document amends, as its title, its enacting line and its articles name them
    ("Luật sửa đổi, bổ sung một số điều của Luật Bầu cử … số 85/2015/QH13", "Điều 2. Sửa đổi, bổ sung một số
    điều của Luật Công đoàn số 50/2024/QH15"): each once, with its number where one of them prints it."""
    original = ctx.docs[doc_id].original
    named: dict[str, str] = {}  # name without its number -> as printed, with its number when seen
    first: tuple[int, int, str, str] | None = None  # the first clause naming one: (start, end, section, name)
    for c in ctx.doc_clauses(doc_id):
        for m in _AMENDS_RE.finditer(original, c.char_start, c.char_end):
            what = " ".join(m.group("what").split()).strip(" ,")
            if what.isupper():
                continue  # the title in capitals, cut at its line's end: the enacting line names it whole
            key = _NUMBERED_TAIL_RE.sub("", what).casefold()
            numbered = _NUMBERED_TAIL_RE.search(what) is not None
            if key not in named or (numbered and not _NUMBERED_TAIL_RE.search(named[key])):
                named[key] = what
            first = first or (c.char_start, c.char_end, c.breadcrumb, what)
    if first is None:
        return None
    cite = ctx.citation(doc_id, first[0], first[1], first[2], 1.0, phrase=first[3])
    return "; ".join(named.values()), cite, "tên và các điều của văn bản sửa đổi"


# "(Luật) sửa đổi, bổ sung một số điều của <a document of a kind>" up to the line's or sentence's end; not "…
# đã được sửa đổi, bổ sung một số điều theo Luật số …" (an earlier amendment the basis cites).
_AMENDS_RE = re.compile(
    rf"(?i)sửa\s+đổi,?\s+bổ\s+sung\s+một\s+số\s+điều\s+của\s+(?P<what>(?:{DOC_KINDS}|Bộ\s+luật|Pháp\s+lệnh)"
    r"\b[^.;:\n]*(?:\n[^.;:\n]*?số\s+\d+/\d{4}/[A-ZĐ0-9-]+)?)"
)
_NUMBERED_TAIL_RE = re.compile(r"\s+số\s+\d+/\d{4}/\S+.*$")


# The facts only a document's own text states, each with its reader (value, citation, where it was read).
STATED: dict[str, Callable[[AnswerContext, str], Fact | None]] = {
    "effective": _effective,
    "period": _period,
    "replaces": _replaces,
    "amends": _amends,
    "proposer": _proposer,
    "recipient": _recipient,
}


_PRINTED_MONTH_YEAR_RE = pattern("dates.printed_month_year")


def _blank_date(ctx: AnswerContext, doc_id: str) -> tuple[str, Citation] | None:
    """The month and year a document prints on a date line whose day is left blank ("Hà Nội, ngày
    tháng 01 năm 2026"): a draft or a copy made before it was dated says when it was written."""
    doc = ctx.docs[doc_id]
    span = doc.header.spans.get("date")
    if span is None:
        return None
    m = _PRINTED_MONTH_YEAR_RE.search(doc.original[span[0] : span[1]])
    if m is None:
        return None
    return " ".join(m.group(0).split()), ctx.citation(doc_id, span[0], span[1], "Phần đầu văn bản", 1.0)


def _blank_number(ctx: AnswerContext, doc_id: str) -> tuple[str, Citation] | None:
    """The symbol a document prints on a number line left blank ("Số:      /KH-UBND"): issued or copied
    before it was numbered, it holds no number, but its symbol says which series it belongs to."""
    doc = ctx.docs[doc_id]
    span = doc.header.spans.get("number")
    if span is None:
        return None
    m = BLANK_NUMBER_RE.match(doc.original[span[0] : span[1]].strip())
    if m is None or not m.group("symbol"):
        return None
    symbol = "".join(m.group("symbol").split())
    return f"Số: {symbol}", ctx.citation(doc_id, span[0], span[1], "Phần đầu văn bản", 1.0)
