"""The field a question asks of a task (lead, coordinating, deadline) as a record holds it or a clause
words it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hoidap.corpus.normalize import TEXT_CACHE_SIZE, fold
from hoidap.corpus.records import Task
from hoidap.corpus.tasks import AGENCY_START_RE, SUBJECT_STOP_RE, agencies_in, clean_agency
from hoidap.corpus.vocab import fragment, honorific, name_stop_re, not_name_re, pattern
from hoidap.indexer.search import SearchHit
from hoidap.service.answer_types import fits
from hoidap.service.extract import (
    deadline_phrase,
    role_phrase,
)
from hoidap.service.frames import Frame, frame_value, opening_share, post_head_re
from hoidap.service.strategies.sections import DUTY_WORDS
from hoidap.service.understanding import (
    QueryAnalysis,
)

# Words of a column label that do not name the role ("Cơ quan thẩm tra/chuẩn bị ý kiến" -> thẩm tra).
_ROLE_LABEL_NOISE = re.compile(r"\b(?:co quan|don vi|chu tri|thuc hien)\b|[^a-z0-9 ]")
_KIND_NOUNS = re.compile(r"\b(?:co quan|don vi)\b|[^a-z0-9 ]")
_LEAD_VERB = "chu tri"
_DIRECT_VERB = "chi dao"
_DUTY_HEADING_RE = re.compile(rf"(?:{'|'.join(map(re.escape, DUTY_WORDS))})\s+(?:của\s+)?", re.IGNORECASE)
_GIAO_WORD_RE = pattern("tasks.giao_word")
_PERSON_SUBJECT_RE = pattern("tasks.person_subject")
_PERSON_VERB_RE = pattern("tasks.person_verb")
_ASKS_DURATION_RE = pattern("dates.asks_duration")
_DURATION_RE = pattern("dates.duration")
_UP = fragment("upper")  # capitals: the range À-Ỹ holds small letters too
_MAX_HOLDER_WORDS = 8  # a post a duties heading names is as long as a post's name may be
_HONORED_NAME_RE = re.compile(
    rf"(?<!\w){honorific()}\s+[{_UP}][a-zđà-ỹ]+(?:\s+[{_UP}][a-zđà-ỹ]+){{1,4}}(?!\w)"
)


def task_field(t: Task, name: str | None, a: QueryAnalysis | None = None) -> str:
    named = named_column(t, a) if a is not None and name in ("lead", "coordinating") else None
    if named:
        return named
    if name == "lead":
        if (
            a is not None
            and t.directing
            and a.says(_DIRECT_VERB)
            and {fold(x).lower() for x in a.agencies} & {fold(x).lower() for x in t.lead}
        ):
            # "Ai chỉ đạo Sở Y tế …" of "UBND tỉnh: Chỉ đạo Sở Y tế …": the body that has the one named act.
            return "; ".join(t.directing)
        return "; ".join(t.lead)
    if name == "coordinating":
        asker = {fold(x).lower() for x in a.agencies} if a is not None else set()
        if asker and t.coordinating and all(fold(x).lower() in asker for x in t.coordinating):
            # "Sở Tư pháp phối hợp với cơ quan nào …" of a task Sở Tư pháp takes part in: its partner
            # is the body that leads it.
            return "; ".join(x for x in t.lead if fold(x).lower() not in asker)
        return "; ".join(t.coordinating)
    if name == "deadline":
        return t.deadline or ""
    return t.content


def named_column(t: Task, a: QueryAnalysis) -> str | None:
    """A role the question names by its table column ("ai thẩm tra …", "đơn vị theo dõi"): the
    value of that column of the task, when the document has one."""
    for label, names in t.other_roles:
        if t.implementing and names == t.implementing:
            # A column that carries out what another leads ("Chủ trì | Thực hiện"): asked by its own verb,
            # not by the lead's ("đơn vị nào thực hiện …", not "ai chủ trì thực hiện …").
            verb = " ".join(_KIND_NOUNS.sub(" ", fold(label)).split())
            if verb and a.says(verb) and not a.says(_LEAD_VERB):
                return "; ".join(names)
            continue
        words = _ROLE_LABEL_NOISE.sub(" ", fold(label)).split()
        if len(words) < 2:
            continue
        head = " ".join(words[:2])
        # A column of people ("Lãnh đạo chủ trì") answers only when asked for by its name ("lãnh đạo
        # nào …"): its words are common in the event asked about ("Lãnh đạo tỉnh chúc mừng …").
        asked = f"{head} nao" if names == t.directing else head
        if a.says(asked):
            return "; ".join(names)
    return None


def phrase(t: Task, name: str | None) -> str | None:
    if name == "lead" and t.lead:
        return t.lead[0]
    if name == "coordinating" and t.coordinating:
        return t.coordinating[0]
    if name == "deadline" and t.deadline:
        return t.deadline
    return None


def prose_value(a: QueryAnalysis, hit: SearchHit) -> str | None:
    """The field as a clause words it: its agency for "who", its time phrase for "when"."""
    text = hit.entry.text
    if a.intent == "deadline":
        read = frame_value(text, a.frame) if a.frame is not None else None
        if read and fits(read[0], ["time"]):  # "được tiến hành vào ngày nào": the time stated there
            return deadline_phrase(read[0]) or read[0]
        phrase = deadline_phrase(text, a.figure_terms or [a.keywords])
        if phrase is None and _ASKS_DURATION_RE.search(a.folded):
            # "nhiệm kỳ … là bao lâu": a length of time ("là 05 năm", "trong vòng 30 ngày làm việc").
            length = _DURATION_RE.search(text)
            phrase = " ".join(length.group(0).split()) if length else None
        return phrase
    if a.intent not in ("lead", "coordinating"):
        return None
    read = frame_value(text, a.frame) if a.frame is not None else None
    framed = read[0] if read else None
    if a.frame is not None and not a.frame.role_verb:
        # "ai cấp mã số …", "đơn vị nào hỗ trợ kết nối …": the subject of the predicate asked, whatever the
        # verb and the role it was taken for; an item opening with it, the body its heading names.
        framed = framed or _first(heading_subject(a.frame, text, hit.entry.section))
        if framed:
            return framed
    if a.intent == "coordinating":
        return role_phrase(text, "coordinating")
    return (
        role_phrase(text, "lead", hit.entry.section)
        or framed
        or clause_subject(text)
        or section_agency(hit.entry.section)
    )


def _first(read: tuple[str, float] | None) -> str | None:
    return read[0] if read else None


def heading_subject(frame: Frame, text: str, section: str) -> tuple[str, float] | None:
    """The body a clause's heading names when the clause opens with the predicate asked ("- Hỗ trợ kết nối
    tiêu thụ sản phẩm OCOP …" under "7. Sở Công Thương"), with the share of the predicate it states: an
    item under a body's heading has no subject of its own."""
    share = opening_share(text, frame)
    if share is None:
        return None
    body = section_agency(section)
    return (body, share) if body else None


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def section_agency(section: str) -> str | None:
    """The agency a clause's heading is about, innermost first: a section per body ("1. Văn phòng UBND
    tỉnh" > "a) Tham mưu …") assigns its items to that body."""
    for heading in reversed(section.split(" > ")):
        name = re.sub(r"^\s*(?:Điều\s+\d+[a-zđ]?|[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.):]?\s+", "", heading).strip()
        name = _GIAO_WORD_RE.sub("", name)  # "1. Đối với Ban Quản lý dự án …", "3. Giao Sở Tài chính:"
        duty = _DUTY_HEADING_RE.match(name)  # "Trách nhiệm của Bộ Tài chính"
        if duty:  # "Trách nhiệm của các đơn vị cung ứng …": the body's name, capitalised as a heading's is
            name = name[duty.end() :]
            name = name[:1].upper() + name[1:]
            holder = name.strip(" :.;")
            if 0 < len(holder.split()) <= _MAX_HOLDER_WORDS and not AGENCY_START_RE.match(holder):
                if _PERSON_SUBJECT_RE.match(holder) or post_head_re().match(holder):
                    # "2. Nhiệm vụ của Trưởng khối thi đua": a post's duties, though no body's name.
                    return holder
        words = len(name.split())
        if words > 14 and (words > 16 or name.endswith("…") or clean_agency(name) != name.strip(" :.")):
            continue  # a sentence (cut short in a breadcrumb), not a long name ("Ban Quản lý dự án …")
        if AGENCY_START_RE.match(name) and (found := clean_agency(name)):
            return found
        if person := _HONORED_NAME_RE.search(name):  # "1. Công chức Văn phòng - Thống kê, Ông Nguyễn Văn A."
            return person.group(0)
    return None


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def clause_subject(text: str) -> str | None:
    """The agency a prose clause opens with: '5. Ban cán sự đảng UBND tỉnh giúp Tỉnh ủy ...'."""
    body = re.sub(r"^\s*(?:\d+(?:\.\d+)*\.|[-+*]|[a-zđ]\))\s*", "", text)
    body = re.sub(r"^Giao\s+", "", body)
    stop = SUBJECT_STOP_RE.search(body)
    if _PERSON_SUBJECT_RE.match(body):  # a post or role acts with any verb ("Hiệu trưởng quyết định …")
        found = [m for m in (name_stop_re().search(body), _PERSON_VERB_RE.search(body)) if m]
        stop = min(found, key=lambda m: m.start()) if found else None
    subject = body[: stop.start()].strip(" ,") if stop else ""
    if not subject or len(subject.split()) > 14 or not_name_re().match(subject):
        return None
    if not AGENCY_START_RE.match(subject):
        # A person by post or role does it ("5. Giảng viên quản lý lớp căn cứ … chấm điểm", "Hiệu trưởng
        # quyết định thành lập Hội đồng …"): the subject as printed.
        return subject if _PERSON_SUBJECT_RE.match(subject) else None
    return "; ".join(agencies_in(subject)[0]) or None  # each part a name ("Cơ quan, tổ chức …" names none)
