"""Hits read whole from a document at question time: the items under a heading (duties of a body, the
section a question names), the lines of a member list, the clauses stating a frame, a list after a lead-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import Clause
from hoidap.corpus.tasks import AGENCY_START_RE, clean_agency
from hoidap.corpus.vocab import load
from hoidap.indexer.search import SearchHit
from hoidap.service.frames import Frame, frame_value
from hoidap.service.ranker import (
    Candidate,
)
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.understanding import (
    QueryAnalysis,
)
from hoidap.service.vocabulary import patterns as vocabulary_patterns
from hoidap.service.vocabulary import vocabulary

DUTY_WORDS = sorted(load("layout")["duty_headings"], key=len, reverse=True)  # longest first
# An item of a list after a lead-in ending with ':' ("a) …", "1. …", "- …"), and how many to quote at most.
_LIST_ITEM_RE = re.compile(r"^\s*(?:[a-zđ][).]|\d{1,2}[.)]|[-+•*–])\s*\S")
MAX_LIST_ITEMS = 15
# An item read as a whole when a clause of it does not state the field asked: a heading line and the few
# lines under it, not a whole section (priors, not fitted).
MAX_ITEM_CLAUSES = 4
MAX_ITEM_CHARS = 1200
# "… có nhiệm vụ gì", "trách nhiệm của … là gì", "… làm gì", "… được giao việc gì": the duties of a body.
# The question's words that ask for duties rather than name the body.
_ASKED_DUTY_WORDS = frozenset(vocabulary().asked_duty_words)
_WORDS_RE = re.compile(r"[a-z0-9]+")
_LEADING_NUMBER_RE = re.compile(r"^\s*(?:Điều\s+\d+\.?|[IVX]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\))\s*")
_HEADING_WORDS = frozenset(vocabulary().heading_words)
# A heading naming duties, folded (data: layout.json duty_headings, with "chức năng").
_DUTY_PHRASES = sorted({fold(w).lower() for w in DUTY_WORDS} | {"chuc nang"}, key=len, reverse=True)
_DUTY_PHRASE_RE = re.compile(rf"\b(?:{'|'.join(map(re.escape, _DUTY_PHRASES))})\b")
MIN_HEADING_OWN = 0.8  # of the words a duties heading names (a body), the question's or the title's
MAX_DUTY_HEADING_CHARS = 160  # a heading, not a provision that happens to open a section
MIN_DUTY_SHARE = 0.6  # of the question's words the heading (with the title) must hold
MAX_DUTY_CLAUSES = 12  # items quoted under a duties heading
MIN_SECTION_WORDS = 2  # words a heading must name for a list question to be answered by its items
# A post in a board or committee: "Trưởng ban", "Phó Trưởng Ban Thường trực", "Ủy viên", "Thư ký".
_POST_RE = re.compile(
    r"(?i)(?:phó\s+)?(?:trưởng\s+ban(?:\s+\S+){0,3}|ủy viên|uỷ viên|thành viên|thư ký|tổ trưởng|tổ phó|"
    r"chủ tịch(?:\s+hội đồng)?|giám đốc)(?:\s+thường trực)?"
)
# Documents read whole for the frame a question states (a post held, a document named after a verb), and
# the clauses taken from each (priors, not fitted).
MAX_FRAMED_DOCS = 2
MAX_FRAMED_CLAUSES = 2


def with_list(ctx: AnswerContext, c: Candidate) -> Candidate:
    """A sentence that introduces a list ("… trong các trường hợp sau:") answers with the items
    that follow it in the document, quoted from the lead-in to the last item."""
    h: SearchHit = c.hit  # type: ignore[assignment]
    doc = ctx.docs[h.entry.doc_id]
    items: list[Clause] = []
    scope = ""  # the lead-in's place in the outline: its items stand under it, the next article does not
    for clause in ctx.doc_clauses(h.entry.doc_id):
        if clause.char_start < h.entry.char_end:
            if clause.char_start <= h.entry.char_start < clause.char_end:
                scope = clause.breadcrumb
            continue
        if (
            not _LIST_ITEM_RE.match(clause.text)
            or len(items) >= MAX_LIST_ITEMS
            or not clause.breadcrumb.startswith(scope)
        ):
            break
        items.append(clause)
    if not items:
        return c
    end = items[-1].char_end
    entry = replace(h.entry, text=doc.original[h.entry.char_start : end], char_end=end)
    listed = "; ".join(" ".join(x.text.split()) for x in items)
    return replace(c, hit=replace(h, entry=entry), value=f"{c.value} {listed}")


def item_of(ctx: AnswerContext, h: SearchHit) -> SearchHit | None:
    """The short item a clause belongs to (the contiguous clauses under the same heading), as one
    hit spanning it; None when the clause stands alone or the heading holds a long section."""
    e = h.entry
    if not e.section:
        return None
    clauses = ctx.doc_clauses(e.doc_id)
    at = next((i for i, c in enumerate(clauses) if c.char_start <= e.char_start < c.char_end), None)
    if at is None:
        return None
    lo = hi = at
    while lo > 0 and clauses[lo - 1].breadcrumb == e.section:
        lo -= 1
    while hi + 1 < len(clauses) and clauses[hi + 1].breadcrumb == e.section:
        hi += 1
    start, end = clauses[lo].char_start, clauses[hi].char_end
    if hi == lo or hi - lo + 1 > MAX_ITEM_CLAUSES or end - start > MAX_ITEM_CHARS:
        return None
    text = ctx.docs[e.doc_id].original[start:end]
    item = replace(e, entry_id=f"{e.doc_id}:{start}-{end}", text=text, char_start=start, char_end=end)
    return replace(h, entry=item)


def framed_hits(ctx: AnswerContext, frame: Frame, pool: list[SearchHit]) -> list[SearchHit]:
    """The clauses of the best documents that state the frame asked, as hits carrying their
    document's best retrieval scores: a post ("Trưởng ban: …", "Bà B, …, Trưởng ban;"), whose
    member-list items look alike to the search; a document named after a verb ("thay thế Nghị định
    số …"), whose closing provision shares few words with the question."""
    seen = {(h.entry.doc_id, h.entry.char_start) for h in pool}
    out: list[SearchHit] = []
    for doc_id in list(dict.fromkeys(h.entry.doc_id for h in pool))[:MAX_FRAMED_DOCS]:
        top = next(h for h in pool if h.entry.doc_id == doc_id)
        read = [(r[1], c) for c in ctx.doc_clauses(doc_id) if (r := frame_value(c.text, frame))]
        if not read:
            continue
        best = max(share for share, _ in read)
        for _, c in [x for x in read if x[0] == best][:MAX_FRAMED_CLAUSES]:
            if (doc_id, c.char_start) in seen:
                continue
            out.append(ctx.clause_hit(top, doc_id, c))
    return out


def as_printed(ctx: AnswerContext, pool: list[SearchHit]) -> list[SearchHit]:
    """Task records as their document prints them: a record's entry adds its fields as labels ("Cơ quan
    chủ trì: …") for the search, which a sentence or a figure read from it must not quote. A span
    already in the pool as a clause is kept once."""
    out: list[SearchHit] = []
    seen: set[tuple[str, int, int]] = set()
    for h in pool:
        e = h.entry
        if e.kind == "task":
            text = ctx.docs[e.doc_id].original[e.char_start : e.char_end]
            h = replace(h, entry=replace(e, text=text))
        key = (e.doc_id, e.char_start, e.char_end)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def _member_lines(
    ctx: AnswerContext, pool: list[SearchHit], read: Callable[[str, str], str | None]
) -> list[tuple[SearchHit, str]]:
    """The member-list lines of the best documents (each line with the post it gives, `line_post`) from which
    `read(text, post)` reads a value, as hits with that value."""
    out: list[tuple[SearchHit, str]] = []
    for doc_id in list(dict.fromkeys(h.entry.doc_id for h in pool))[:MAX_FRAMED_DOCS]:
        top = next(h for h in pool if h.entry.doc_id == doc_id)
        for c in ctx.doc_clauses(doc_id):
            text = " ".join(c.text.split())
            post = line_post(text, c.breadcrumb)
            value = read(text, post) if post is not None else None
            if value:
                out.append((ctx.clause_hit(top, doc_id, c), value))
                if len(out) >= MAX_FRAMED_CLAUSES * MAX_FRAMED_DOCS:
                    return out
    return out


def post_hits(ctx: AnswerContext, who: str, pool: list[SearchHit]) -> list[tuple[SearchHit, str]]:
    """ "Bộ trưởng Bộ Tài chính giữ vai trò gì trong Ban Chỉ đạo": in the best documents, the member-list
    lines naming `who` (folded) with the post each gives: the label before a colon ("3. Phó Trưởng Ban:
    Đồng chí …"), the line's last part ("…, Ủy viên;") or its heading ("4. Các Ủy viên:")."""
    want = " ".join(who.split())
    return _member_lines(
        ctx, pool, lambda text, post: post if want in " ".join(fold(text).lower().split()) else None
    )


# The core of a post, folded: what "ai là Phó Trưởng ban …" asks and a member-list line gives ("…, Phó
# Trưởng ban;"); question.json "post_core". "Phó Trưởng ban" is not "Trưởng ban", nor is "Trưởng ban Công tác
# Mặt trận khóm" a post.
_POST_CORE_RE = vocabulary_patterns().named["post_core"]
_MEMBER_OPENING_RE = re.compile(r"^(?:Mời\s+)?", re.IGNORECASE)


def post_core(text: str) -> str | None:
    """The folded core of a post a text opens with ("Phó Trưởng Ban thường trực …" -> "pho truong ban
    thuong truc"); None when it opens with none."""
    m = _POST_CORE_RE.match(" ".join(_WORDS_RE.findall(fold(text).lower())))
    return m.group(1) if m else None


def holder_hits(ctx: AnswerContext, core: str, pool: list[SearchHit]) -> list[tuple[SearchHit, str]]:
    """ "Ai là Phó Trưởng ban …", "Thư ký Ban … là ai": in the best documents, the member-list lines giving
    that post, each with its member as the line states them: the name before the first comma ("2. Mời bà
    A, Công chức …, Phó Trưởng ban;") or all after the label ("2. Phó Trưởng Ban: Phó Thủ tướng B.")."""

    def member(text: str, post: str) -> str | None:
        if post_core(post) != core:
            return None
        body = _LEADING_NUMBER_RE.sub("", text.lstrip("-+•* ")).strip()
        label, colon, rest = body.partition(":")
        named = rest if colon and post_core(label) == core else _MEMBER_OPENING_RE.sub("", body).split(",")[0]
        named = named.strip(" .;")
        return named if named != post else None

    return _member_lines(ctx, pool, member)


def duty_hits(ctx: AnswerContext, q: str, a: QueryAnalysis, pool: list[SearchHit]) -> list[SearchHit]:
    """ "Ban Chỉ đạo có nhiệm vụ gì", "Sở Tư pháp có trách nhiệm gì": in the best documents, the items
    under a heading that names the duties of the body asked ("Điều 2. Nhiệm vụ của Ban Chỉ đạo") or the
    body itself ("3. Sở Tư pháp"), as one hit spanning them; the question's words must be the heading's
    (with the document's title, which names the body a decision forms)."""
    said = set(a.words)
    asked = {w for t, _ in ctx.content_words(a.search_text or q) for w in fold(t).lower().split("_")}
    asked = {w for w in asked if w in said and w not in _ASKED_DUTY_WORDS}
    if a.asks_duties and not asked:
        return []
    out: list[SearchHit] = []
    for doc_id in list(dict.fromkeys(h.entry.doc_id for h in pool))[:MAX_FRAMED_DOCS]:
        top = next(h for h in pool if h.entry.doc_id == doc_id)
        if a.asks_duties:
            under = duty_section(ctx, doc_id, asked, said)
        else:
            under = named_section(ctx, doc_id, said)
        if not under:
            continue
        start, end = under[0].char_start, under[-1].char_end
        e = replace(
            top.entry,
            entry_id=f"{doc_id}:duty:{start}-{end}",
            section=under[0].breadcrumb,
            text=ctx.docs[doc_id].original[start:end],
            char_start=start,
            char_end=end,
            task_id=None,
        )
        out.append(replace(top, entry=e, matched_terms=[]))
    return out


def duty_section(ctx: AnswerContext, doc_id: str, asked: set[str], said: set[str]) -> list[Clause]:
    """The clauses under the document's heading that best names the duties of the body `asked` (the
    question's folded content words; `said`: all its words): a section of at least two clauses whose
    heading names no other body than the question does, its own words counting before the title's."""
    title = ctx.title_words(doc_id)
    clauses = ctx.doc_clauses(doc_id)
    ranked: list[tuple[float, str]] = []
    for heading in dict.fromkeys(x for c in clauses for x in c.breadcrumb.split(" > ")):
        folded = fold(heading).lower()
        words = set(_WORDS_RE.findall(folded))
        name = _LEADING_NUMBER_RE.sub("", heading).strip(" .:")
        duty = _DUTY_PHRASE_RE.search(folded) is not None
        body = AGENCY_START_RE.match(name) is not None and clean_agency(name) == name  # "3. Sở Tư pháp"
        covered = len(asked & (words | title))
        # What the heading names besides duties is the question's: "5. Bộ Tư pháp có trách nhiệm", not
        # "2. Bộ phận một cửa Phường 1" for "Bộ phận Tư pháp Phường 1".
        named = {w for w in words - _ASKED_DUTY_WORDS - _HEADING_WORDS if not w.isdigit()}
        own = bool(named) and len(named & (said | title)) >= MIN_HEADING_OWN * len(named)
        if own and words & asked and (duty or body) and covered >= MIN_DUTY_SHARE * len(asked):
            ranked.append(((covered + len(asked & words)) / (2 * len(asked)), heading))
    for _, heading in sorted(ranked, key=lambda x: -x[0]):
        under = [c for c in clauses if heading in c.breadcrumb.split(" > ") and c.text.strip()]
        if len(under) >= 2 and len(heading) <= MAX_DUTY_HEADING_CHARS:
            return under[:MAX_DUTY_CLAUSES]
    return []


def named_section(ctx: AnswerContext, doc_id: str, said: set[str]) -> list[Clause]:
    """ "Nghị định áp dụng với những đối tượng nào", "mục đích của kế hoạch gồm những gì": the items
    under the heading whose every word the question says ("Điều 2. Đối tượng áp dụng"), the longest such
    heading; [] when none names at least two words or holds fewer than two clauses."""
    clauses = ctx.doc_clauses(doc_id)
    best: tuple[int, str] | None = None
    for heading in dict.fromkeys(x for c in clauses for x in c.breadcrumb.split(" > ")):
        name = _LEADING_NUMBER_RE.sub("", heading).strip(" .:")
        words = {w for w in _WORDS_RE.findall(fold(name).lower()) if w not in _HEADING_WORDS}
        if len(heading) > MAX_DUTY_HEADING_CHARS or len(words) < MIN_SECTION_WORDS or not words <= said:
            continue
        if best is None or len(words) > best[0]:
            best = (len(words), heading)
    if best is None:
        return []
    under = [c for c in clauses if best[1] in c.breadcrumb.split(" > ")[:-1] and c.text.strip()]
    return under[:MAX_DUTY_CLAUSES] if len(under) >= 2 else []


def line_post(text: str, section: str) -> str | None:
    """The post a member-list line gives its member: "Phó Trưởng Ban" of "3. Phó Trưởng Ban: Đồng chí A, …",
    "Ủy viên" of "- Đồng chí B, Bộ trưởng Bộ Tài chính, Ủy viên;" or of the heading "4. Các Ủy viên:"."""
    body = _LEADING_NUMBER_RE.sub("", text.lstrip("-+•* ")).strip()
    label, colon, _ = body.partition(":")
    if colon and _POST_RE.match(label.strip()):
        return label.strip()
    last = body.rstrip(" .;").rsplit(",", 1)[-1].rsplit(" - ", 1)[-1].strip()
    if "," in body and _POST_RE.fullmatch(last):
        return last
    heading = _LEADING_NUMBER_RE.sub("", section.split(" > ")[-1]).strip(" :")
    heading = re.sub(r"^(?:Các|Những)\s+", "", heading)
    if _POST_RE.fullmatch(heading):
        return heading[:1].upper() + heading[1:]
    return None
