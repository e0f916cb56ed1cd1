"""Extract task records (nhiệm vụ) from placed blocks.

Three layouts exist in the corpus:
- appendix_table: a flattened table (STT, content, lead, coordinating), one cell per line;
- labelled fields: an item (bullet, lettered point or '*') followed by field lines
  ("Cơ quan chủ trì: ...", "Thời gian thực hiện: ...");
- narrative: a sentence that assigns work ("Giao Sở X chủ trì, phối hợp với Y ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

# Agency names are read in corpus.agencies; the service imports some of them from here too.
from hoidap.corpus.agencies import (  # noqa: F401 - re-exported
    AGENCY_HEAD,
    AGENCY_START_RE,
    COORD_AFTER_RE,
    COORD_STOP_RE,
    MAX_ASSIGNED_WORDS,
    SUBJECT_STOP_RE,
    agencies_in,
    assignment,
    clean_agency,
    coord_list,
    opening_agencies,
    split_agencies,
    strip_marker,
)
from hoidap.corpus.blocks import (
    AGENCY_SCAN,
    AGENCY_TITLES,
    ASSIGNING,
    DUTIES,
    HEADINGS,
    ITEMS,
    NARRATIVE,
    K,
)
from hoidap.corpus.dates import NARRATIVE_DEADLINE_RE, PAREN_DEADLINE_RE, REPORT_DEADLINE_RE
from hoidap.corpus.labels import field_role
from hoidap.corpus.records import Block, Task
from hoidap.corpus.structure import Placed, heading_label, path_id
from hoidap.corpus.vocab import pattern

NARRATIVE_RE = pattern("tasks.narrative")


def field_value(block: Block) -> str:
    return block.text.split(":", 1)[1].strip() if ":" in block.text else ""


@dataclass
class _Draft:
    """A task being assembled from consecutive blocks."""

    anchor: Placed
    content: list[Block] = field(default_factory=list)
    fields: list[tuple[str, Block]] = field(default_factory=list)
    field_extra: list[Block] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return self.content + [b for _, b in self.fields] + self.field_extra


def _task_from_draft(doc_id: str, d: _Draft, layout: str) -> Task:
    values: dict[str, list[str]] = {"lead": [], "coordinating": [], "directing": [], "implementing": []}
    deadline_parts: list[str] = []
    content_fields: list[str] = []
    other: list[tuple[str, str]] = []
    for role, block in d.fields:
        value = field_value(block)
        if role == "deadline":
            deadline_parts.append(value)
        elif role == "content":
            content_fields.append(value)
        elif role == "output":  # "Sản phẩm: …", kept verbatim as a table's output column is
            other.append((block.marker, value))
        else:
            values[role].extend(split_agencies(value))
    for extra in d.field_extra:  # '+' lines under an empty "Thời gian thực hiện:" label
        deadline_parts.append(extra.text.lstrip("+-* ").strip())
    content = strip_marker(" ".join([b.text for b in d.content] + content_fields))
    if not values["lead"]:
        # "Bước 1. Sở Nội vụ chủ trì rà soát ..." + "Thời gian hoàn tất: ...": the item's subject leads.
        body = pattern("tasks.step_or_article_marker").sub("", content)
        subject = clean_agency(body)
        if subject and subject != body.rstrip(". "):
            values["lead"].append(subject)
    deadline = " ".join(p for p in deadline_parts if p).strip().rstrip(".") or None
    if deadline is None:
        m = PAREN_DEADLINE_RE.search(content)
        if m:
            deadline = m.group(1)
    blocks = d.blocks
    return Task(
        doc_id=doc_id,
        task_id="",  # assigned once all tasks of the scope are known
        section=d.anchor.section
        + ((heading_label(d.anchor.block),) if d.anchor.block.kind == K.LETTER else ()),
        content=content,
        lead=tuple(dict.fromkeys(values["lead"])),
        coordinating=tuple(dict.fromkeys(values["coordinating"])),
        directing=tuple(dict.fromkeys(values["directing"])),
        implementing=tuple(dict.fromkeys(values["implementing"])),
        deadline=deadline,
        char_start=min(b.char_start for b in blocks),
        char_end=max(b.char_end for b in blocks),
        layout=layout,
        numbered=False,
        other=tuple(other),
    )


def _task_sections(placed: list[Placed]) -> set[str]:
    """Top-level sections (by roman numeral) that contain field lines: their items are tasks."""
    return {p.path[0] for p in placed if p.block.kind == K.FIELD and p.zone == "body" and p.path}


def labelled_field_tasks(doc_id: str, placed: list[Placed]) -> list[tuple[Task, tuple[str, ...]]]:
    """Tasks in the labelled-field layouts (items followed by 'Cơ quan ...:' lines).

    Returns:
        (task, scope path) pairs; the scope is the numbering path the task id derives from.
    """
    sections = _task_sections(placed)
    out: list[tuple[Task, tuple[str, ...]]] = []
    draft: _Draft | None = None
    draft_scope: tuple[str, ...] = ()
    heading: Placed | None = None  # a lettered title ("b) Công nghiệp chế biến ...") awaiting its item
    item: Placed | None = None  # the numbered item just seen, anchor of field lines right after it

    # Documents with lettered points use the labelled-field layout; bullet-only ones the labelled bullets.
    layout = "labelled_fields" if any(p.block.kind == K.LETTER for p in placed) else "labelled_bullets"

    def flush() -> None:
        nonlocal draft
        if draft is not None and draft.content:
            out.append((_task_from_draft(doc_id, draft, layout), draft_scope))
        draft = None

    for p in placed:
        b = p.block
        if p.zone != "body" or not p.path or p.path[0] not in sections:
            flush()
            continue
        if (b.kind in HEADINGS and b.kind != K.LETTER) or (b.kind == K.LETTER and p.heading_only):
            flush()
            heading = p if b.kind == K.LETTER else None
            item = p if b.kind in ITEMS else None
            continue
        if b.kind == K.FIELD:
            if draft is None and item is not None:
                # "5. Xây dựng Cổng thông tin ..." followed directly by "- Cơ quan thực hiện: ...".
                draft, draft_scope, heading = _Draft(anchor=item, content=[item.block]), item.path, None
            if draft is not None:
                draft.fields.append((field_role(b.marker), b))
            continue
        item = None
        if b.kind == K.BULLET and b.marker == "+" and draft is not None and draft.fields:
            last_role, last_field = draft.fields[-1]
            if (last_role == "deadline" and not field_value(last_field)) or draft.field_extra:
                draft.field_extra.append(b)
                continue
        is_anchor = b.kind == K.LETTER or (b.kind == K.BULLET and b.marker == "*")
        if b.kind == K.BULLET and b.marker == "-":
            # '-' sub-items of a lettered point or '*' item are part of its content.
            inside_item = (
                draft is not None
                and not draft.fields
                and draft.anchor.block.kind in (K.LETTER,)
                and draft.anchor.block.marker != "*"
                and not draft.anchor.heading_only
            )
            is_anchor = not inside_item
        if not is_anchor and b.kind == K.PARAGRAPH and draft is None and heading is not None:
            # A titled point whose task is a plain paragraph: the title anchors it.
            draft, draft_scope, heading = _Draft(anchor=heading, content=[b]), heading.path, None
            continue
        if is_anchor:
            flush()
            draft = _Draft(anchor=p, content=[b])
            draft_scope = p.path
            heading = None
            continue
        if draft is not None and not draft.fields:
            draft.content.append(b)  # paragraphs and '+' lines continuing the item
        elif draft is not None:
            flush()
    flush()
    return out


def narrative_tasks(doc_id: str, placed: list[Placed], skip: set[str]) -> list[tuple[Task, tuple[str, ...]]]:
    """Assignments stated in prose: '<Agency> (có trách nhiệm) chủ trì, phối hợp với <agencies> ...'."""
    out: list[tuple[Task, tuple[str, ...]]] = []
    for p in placed:
        b = p.block
        if p.zone != "body" or (p.path and p.path[0] in skip) or b.kind not in NARRATIVE:
            continue
        m = NARRATIVE_RE.search(b.text)
        if not m:
            continue
        # "- Giao Sở X chủ trì ...": the list marker and "Giao" are not part of the name.
        lead = pattern("tasks.giao_word").sub("", strip_marker((m.group("lead") or "").strip(" ,")).strip())
        inner = pattern("tasks.inner_lead").search(lead)
        if inner and not AGENCY_START_RE.match(lead):
            lead = inner.group(1)  # "Trên cơ sở kết quả khảo sát, Sở Xây dựng chủ trì ..."
        if given := pattern("tasks.assigned_lead").search(lead):
            lead = given.group(1)  # "Thường trực Đảng ủy giao Ban Xây dựng Đảng chủ trì …"
        if not lead or not AGENCY_START_RE.match(lead) or len(lead.split()) > 12:
            # "Chủ trì, phối hợp ..." without its own subject: the paragraph's subject leads.
            unmarked = pattern("tasks.number_or_bullet_marker").sub("", b.text)
            body = pattern("tasks.giao_word").sub("", unmarked)
            stop = SUBJECT_STOP_RE.search(body)
            lead = body[: stop.start()].strip(" ,") if stop else ""
            if not lead or not AGENCY_START_RE.match(lead) or len(lead.split()) > 12:
                continue
        leads = agencies_in(pattern("tasks.giao_word").sub("", lead))[0]
        if not leads:
            continue
        coord_text = m.group("coord") or ""
        stop = COORD_STOP_RE.search(coord_text)
        if stop:
            coord_text = coord_text[: stop.start()]
        task = _sentence_task(doc_id, p, leads, agencies_in(coord_text)[0], ("number",))
        out.append((task, p.path))
    return out


def _sentence_task(
    doc_id: str,
    p: Placed,
    leads: tuple[str, ...],
    coordinating: tuple[str, ...],
    own_heading: tuple[str, ...],
) -> Task:
    """A task one sentence assigns; a numbered (or lettered) item is its own section level."""
    b = p.block
    dl = NARRATIVE_DEADLINE_RE.search(b.text)
    return Task(
        doc_id=doc_id,
        task_id="",
        section=p.section + ((heading_label(b),) if b.kind in own_heading else ()),
        content=strip_marker(b.text),
        lead=leads,
        coordinating=coordinating,
        directing=(),
        implementing=(),
        deadline=dl.group(1) if dl else None,
        char_start=b.char_start,
        char_end=b.char_end,
        layout="narrative",
        numbered=False,
    )


def assign_ids(pairs: list[tuple[Task, tuple[str, ...]]]) -> list[Task]:
    """Number tasks: a scope holding one task gets the scope's id; several get 'scope-k'."""
    by_scope: dict[tuple[str, ...], list[int]] = {}
    for i, (_, scope) in enumerate(pairs):
        by_scope.setdefault(scope, []).append(i)
    out: list[Task] = []
    for i, (task, scope) in enumerate(pairs):
        members = by_scope[scope]
        base = path_id(scope) or "0"
        anchored_on_scope = len(members) == 1
        task_id = base if anchored_on_scope else f"{base}-{members.index(i) + 1}"
        out.append(replace(task, task_id=task_id, numbered=anchored_on_scope and bool(scope)))
    return out


# --- one section per agency and "Giao X ..." sentences ------------------------------------------

HEADING_AGENCY_RE = pattern("tasks.heading_agency")
LEAD_VERB_RE = pattern("tasks.lead_verb")
DIRECTS_ITEM_RE = pattern("tasks.directs_item")
COORD_VERB_RE = pattern("tasks.coord_verb")


def _heading_agency(p: Placed) -> str | None:
    """The agency a heading names ('2.2. Sở Xây dựng:', 'a) Tổ đảng ở Thường trực Ủy ban ...')."""
    b = p.block
    if b.kind not in AGENCY_TITLES or b.table >= 0:
        return None
    body = strip_marker(pattern("tasks.roman_marker").sub("", b.text)).strip().rstrip(":").strip()
    body = pattern("tasks.giao_word").sub("", body)  # "1.1. Giao Sở A" / next line: what Sở A does
    if not body or len(body) > 110 or body.endswith((".", ";")) or not HEADING_AGENCY_RE.match(body):
        return None
    if b.kind in (K.PARAGRAPH, K.CAPS) and not p.heading_only and len(body.split()) > 14:
        return None
    if pattern("tasks.heading_duty_verb").search(body):
        return None
    # "8. Đề nghị Ủy ban MTTQ tỉnh ...": the body asked; any other words before the head
    # ("Thành lập Ban Chỉ đạo ...") make the heading a task, not an agency.
    return clean_agency(pattern("tasks.request_word").sub("", body))


def agency_section_tasks(doc_id: str, placed: list[Placed]) -> list[tuple[Task, tuple[str, ...]]]:
    """Duties listed under a heading that names one agency.

    The heading agency leads its "Chủ trì ..." items and coordinates its "Phối hợp (với X) ..."
    items (X then leads); any other item under it is that agency's own duty.
    """
    out: list[tuple[Task, tuple[str, ...]]] = []
    agency: str | None = None
    owner: Placed | None = None
    for p in placed:
        b = p.block
        if p.zone not in ("body", "appendix") or b.table >= 0:
            agency = None
            continue
        if b.kind in AGENCY_SCAN:
            name = _heading_agency(p)
            if name is not None and (
                p.heading_only or b.kind in (K.PARAGRAPH, K.CAPS) or b.text.rstrip().endswith(":")
            ):
                agency, owner = name, p
                continue
            if owner is not None and b.kind in HEADING_LIKE and _closes(owner, p):
                agency = owner = None
        if agency is None or owner is None or b.kind not in DUTIES:
            continue
        text = strip_marker(b.text)
        if not text or b.kind == K.NUMBER and p.heading_only:
            continue
        directing: tuple[str, ...] = ()
        made = _passed_on(text, 0, DIRECTS_ITEM_RE)
        if made and made[0]:
            # "Chỉ đạo Sở Y tế tăng cường …" under "UBND tỉnh:": Sở Y tế acts, directed by the heading's body.
            lead, coord, directing = made[0], coord_list(text), (agency,)
        elif LEAD_VERB_RE.match(text):
            lead, coord = (agency,), coord_list(text)
        elif COORD_VERB_RE.match(text) and coord_list(text):
            target = coord_list(text)
            lead, coord = target[:1], (agency,) + target[1:]
        else:
            lead, coord = (agency,), ()
        dl = NARRATIVE_DEADLINE_RE.search(text)
        section = p.section + ((heading_label(b),) if b.kind in (K.LETTER, K.NUMBER) else ())
        task = Task(
            doc_id=doc_id,
            task_id="",
            section=section,
            content=text,
            lead=lead,
            coordinating=coord,
            directing=directing,
            implementing=(),
            deadline=dl.group(1) if dl else None,
            char_start=b.char_start,
            char_end=b.char_end,
            layout="agency_section",
            numbered=False,
        )
        out.append((task, p.path if b.kind in (K.LETTER, K.NUMBER) else owner.path))
    return out


HEADING_LIKE = HEADINGS
_LEVEL = {"part": -1, "article": 0, "roman": 1, "step": 2, "letter": 10}


def _level(p: Placed) -> int:
    b = p.block
    if b.kind == K.NUMBER:
        return 2 + b.marker.count(".")
    return _LEVEL.get(b.kind, 99)


def _closes(owner: Placed, p: Placed) -> bool:
    """A heading at the agency heading's level or above ends its section."""
    if owner.block.kind in (K.PARAGRAPH, K.CAPS):
        return p.block.kind in HEADING_LIKE and (p.heading_only or p.block.kind != K.LETTER)
    return _level(p) <= _level(owner)


DIRECTS_RE = pattern("tasks.directs")


def _assigned(named: str) -> tuple[str, ...]:
    """The bodies a "Giao X <verb> …" sentence gives the task to; none when X runs too long to be a list
    of bodies."""
    named = named.strip(" ,")
    return agencies_in(named)[0] if len(named.split()) <= MAX_ASSIGNED_WORDS else ()


def _passed_on(text: str, at: int, directs: re.Pattern[str]) -> tuple[tuple[str, ...], int] | None:
    """When the body given a task passes it on at `at` ("… chỉ đạo Sở A, Sở B khẩn trương …"): the bodies
    made to act, and where their names end in `text`."""
    passed = directs.match(text, at)
    then = assignment("Giao " + text[passed.end() :]) if passed else None
    if passed is None or then is None:
        return None
    return _assigned(then.group("lead")), passed.end() + then.end() - len("Giao ")


def giao_tasks(doc_id: str, placed: list[Placed]) -> list[tuple[Task, tuple[str, ...]]]:
    """'Giao X <verb> ...' sentences without 'chủ trì' ('1.1. Giao Sở A khẩn trương ...')."""
    out: list[tuple[Task, tuple[str, ...]]] = []
    for p in placed:
        b = p.block
        if p.zone != "body" or b.kind not in ASSIGNING:
            continue
        m = assignment(b.text)
        if not m or clean_agency(b.text[m.start("lead") :]) == b.text[m.start("lead") :].strip(" .:"):
            continue  # "1.3. Giao UBND các phường, xã" only titles the duties below it
        leads, end = _assigned(m.group("lead")), m.end()
        directing: tuple[str, ...] = ()
        if made := _passed_on(b.text, end, DIRECTS_RE):
            # "Đề nghị UBND tỉnh chỉ đạo Sở A, Sở B khẩn trương …": Sở A and Sở B act, UBND tỉnh directs.
            directing, (leads, end) = leads, made
        if not leads:
            continue
        task = _sentence_task(doc_id, p, leads, coord_list(b.text[end:]), ("number", "letter"))
        task = replace(task, directing=directing) if directing else task
        out.append((task, p.path))
    return out


# --- report duties with a date in closing paragraphs ---------------------------------------------

REPORT_VERB_RE = pattern("tasks.report_verb")
REQUEST_RE = pattern("tasks.request")


def report_tasks(doc_id: str, placed: list[Placed]) -> list[tuple[Task, tuple[str, ...]]]:
    """'... định kỳ báo cáo kết quả về Sở X trước ngày 30/11 hằng năm': the agencies the sentence
    opens with (or names after 'yêu cầu', 'đề nghị') owe that report by that date."""
    out: list[tuple[Task, tuple[str, ...]]] = []
    for p in placed:
        b = p.block
        if p.zone != "body" or p.heading_only or b.kind not in DUTIES:
            continue
        dl = REPORT_DEADLINE_RE.search(b.text)
        if not dl or not REPORT_VERB_RE.search(b.text):
            continue
        start = max(b.text.rfind(". ", 0, dl.start()) + 1, 0)
        sentence = b.text[start:]
        request = REQUEST_RE.search(sentence[: dl.start() - start])
        if request:
            lead = opening_agencies(sentence[request.end() :])
        else:
            # "Hàng năm, trước ngày 25 tháng 12, các cơ quan ... gửi": the date clause comes first.
            opening = sentence.replace(dl.group(0), "", 1) if sentence.find(dl.group(0)) < 40 else sentence
            lead = opening_agencies(pattern("tasks.recurring_opening").sub("", opening.strip()))
        lead = lead or opening_agencies(b.text)  # "Định kỳ gửi báo cáo ...": the paragraph's subject
        if not lead:
            continue
        task = Task(
            doc_id=doc_id,
            task_id="",
            section=p.section + ((heading_label(b),) if b.kind in (K.NUMBER, K.LETTER) else ()),
            content=strip_marker(b.text),
            lead=lead,
            coordinating=(),
            directing=(),
            implementing=(),
            # Several report dates ("hàng tháng (trước ngày 16 ...), ... trước ngày 30/11 hàng năm"): all.
            deadline="; ".join(
                dict.fromkeys(m.group(0).strip() for m in REPORT_DEADLINE_RE.finditer(b.text))
            ),
            char_start=b.char_start,
            char_end=b.char_end,
            layout="narrative",
            numbered=False,
        )
        out.append((task, p.path))
    return out
