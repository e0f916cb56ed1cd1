"""Where a question's wh-word sits, and the answer a clause gives in that place (data: frames.json).

"Ai cấp mã số … cho UBND cấp xã?" asks for the subject of "cấp mã số": a clause stating "Ủy ban nhân
dân cấp tỉnh cấp mã số …" answers with the words before the predicate, whatever the verb (no list of
role verbs can hold every "who does X"). "… báo cáo kết quả hoạt động cho ai?" asks for what follows
"báo cáo kết quả hoạt động cho"; "Hình thức hợp đồng là gì?" for what follows "Hình thức hợp đồng:".
The question is read once (`question_frame`, kept on the analysis); each candidate clause is read with
`frame_value`, and how much of the predicate it states is a ranking feature.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel

from hoidap.corpus.normalize import fold
from hoidap.corpus.tasks import AGENCY_START_RE, clean_agency
from hoidap.corpus.vocab import asked_kinds, not_name_re
from hoidap.service.answer_types import opens_with

Side = Literal["subject", "object", "copula"]


class Equivalent(BaseModel):
    """Other wordings of a verb a question asks with: the value follows them, or stands before them."""

    asked: str
    value_after: list[str]
    value_before: list[str]


class FrameVocabulary(BaseModel):
    subject_wh: list[str]
    object_wh: list[str]
    object_tail: list[str]
    copula: list[str]
    qualifiers: list[str]
    label_separators: list[str]
    lead_in: list[str]
    skip: list[str]
    role_verbs: list[str]
    min_anchor_syllables: int
    max_anchor_syllables: int
    max_subject_words: int
    body_heads: list[str]
    subject_verbs: list[str]
    quantifiers: list[str]
    document_nouns: list[str]
    holder_verbs: list[str]
    role_modifiers: list[str]
    directions: list[str]
    causatives: list[str]
    verb_compounds: list[str]
    agent_markers: list[str]
    noun_markers: list[str]
    max_label_head_words: int
    equivalents: list[Equivalent]
    time_kinds: list[str]
    max_heading_value_words: int
    heading_value_stops: list[str]
    post_heads: list[str]


@dataclass(frozen=True)
class Frame:
    """The predicate around a question's wh-word: `side` says where the answer stands to it."""

    side: Side
    words: tuple[str, ...]  # folded syllables of the predicate, in question order
    role_verb: bool = False  # "chủ trì", "phối hợp" …: the role readers know these forms better
    wants_body: bool = True  # "ai" / "cơ quan nào": the answer names a body or a person
    names: str | None = None  # "nghị định nào": the answer names a document of that kind (folded)
    holder: bool = False  # "ai là Trưởng ban", "Thư ký … là ai": who holds a post, not who leads a task
    verb_len: int = 0  # a passive question ("danh sách cử tri do ai lập"): its verb's syllables, first
    kind: tuple[str, ...] = ()  # "… ngân sách cấp nào": the noun the closing wh-phrase asks a value of


@dataclass(frozen=True)
class _Compiled:
    vocab: FrameVocabulary
    lead_in: re.Pattern[str]
    subject: re.Pattern[str]
    obj: re.Pattern[str]
    copula: re.Pattern[str]
    qualifier: re.Pattern[str]
    skip: re.Pattern[str]
    separator: re.Pattern[str]
    role_verb: re.Pattern[str]
    role_end: re.Pattern[str]
    any_wh: re.Pattern[str]
    subject_verb: re.Pattern[str]
    holder_verb: re.Pattern[str]
    modified: re.Pattern[str]
    causative: re.Pattern[str]
    agent: re.Pattern[str]
    noun_before: re.Pattern[str]
    quantified: re.Pattern[str]
    closing: re.Pattern[str]
    cited_in: re.Pattern[str]
    compound: re.Pattern[str]
    passive: re.Pattern[str]
    made_to_act: re.Pattern[str]


@cache
def _compiled() -> _Compiled:
    raw = resources.files("hoidap.service").joinpath("data", "frames.json").read_text(encoding="utf-8")
    v = FrameVocabulary.model_validate(json.loads(raw))
    alt = "|".join
    closing = [x for x in v.object_wh if x not in v.subject_wh and re.fullmatch("[a-z]+", x)]
    return _Compiled(
        vocab=v,
        lead_in=re.compile(rf"^(?:{alt(v.lead_in)})\s*"),
        subject=re.compile(rf"^(?P<wh>{alt(v.subject_wh)})\s+(?P<rest>.+)$"),
        obj=re.compile(
            rf"^(?P<pre>.+)\s+(?:(?:{alt(v.quantifiers)})\s+)?(?P<wh>{alt(v.object_wh)})"
            rf"(?:\s+(?:{alt(v.object_tail)})\b.{{0,80}})?$"
        ),
        copula=re.compile(rf"\s+(?:{alt(v.copula)})$"),
        qualifier=re.compile(rf"\s(?:{alt(v.qualifiers)})\s"),
        skip=re.compile(rf"^(?:(?:{alt(v.skip)})\s+)+"),
        separator=re.compile(rf"^\s*(?::|(?:{alt(x for x in v.label_separators if x != ':')})\b)\s*"),
        role_verb=re.compile(rf"(?:^|\s)(?:{alt(v.role_verbs)})\b"),
        role_end=re.compile(rf"(?:^|\s)(?:{alt(v.role_verbs)})(?:\s+(?:voi|cho|cung))?$"),
        subject_verb=re.compile(rf"[\s,;]+(?:{alt(map(re.escape, v.subject_verbs))})(?!\w)"),
        # A one-syllable wh-word that only closes a question counts where it does: "đâu" (where) and
        # "đầu mối" fold alike, and "ai làm đầu mối tham mưu …" asks one thing.
        any_wh=re.compile(
            rf"(?<![a-z])(?:{alt(x for x in v.subject_wh + v.object_wh if x not in closing)}"
            rf"|(?:{alt(closing)})(?=$|\s+(?:{alt(v.object_tail)}|va|hay|hoac)\b))(?![a-z])"
        ),
        holder_verb=re.compile(rf"^(?:{alt(sorted(v.holder_verbs, key=len, reverse=True))})\s+"),
        modified=re.compile(rf"(?<![a-z])(?:{alt(v.role_modifiers)})\s+$"),
        # "… của Giám đốc Sở X tại Tờ trình số …": the document the body wrote in is not its name.
        cited_in=re.compile(rf"\s+(?:tai|theo)\s+(?:{alt([*v.document_nouns, 'bao cao'])})\b", re.I),
        compound=re.compile(rf"(?<!\w)(?:{alt(map(re.escape, v.verb_compounds))})(?!\w)", re.I),
        closing=re.compile(rf"^(?P<wh>{alt(v.object_wh)})(?:\s+(?:{alt(v.object_tail)})\b.{{0,80}})?$"),
        quantified=re.compile(rf"\s+(?:{alt(v.quantifiers)})$"),
        causative=re.compile(rf"(?<!\w)(?:{alt(map(re.escape, v.causatives))})\s+", re.I),
        noun_before=re.compile(rf"(?<![a-z])(?:{alt(v.noun_markers)})\s+$"),
        agent=re.compile(rf".*(?<![a-z])(?:{alt(v.agent_markers)})\s+", re.S),
        passive=re.compile(
            rf"^(?P<np>.+?)\s+(?:{alt(v.agent_markers)})\s+"
            rf"(?P<wh>{alt(v.subject_wh)}|dau)\s+(?P<vp>[a-z0-9 ]+)$"
        ),
        # A subject wh-phrase after a causative ("HĐND tỉnh giao cơ quan nào tổ chức thực hiện …", folded) or
        # a quantifier ("những ai phải …").
        made_to_act=re.compile(
            rf"^(?:.*?(?<![a-z])(?:{alt(sorted({fold(x) for x in v.causatives}, key=len, reverse=True))})"
            rf"\s+)?"
            rf"(?:(?:{alt(v.quantifiers)})\s+)?(?=(?:{alt(v.subject_wh)})\s)"
        ),
    )


_COMMA_RE = re.compile(r",\s*")
# The rest of a label after the predicate it names, up to its colon ("… thu lệ phí cấp phép: ").
_LABEL_END_RE = re.compile(r"(?:\s+[a-z0-9]+){0,4}\s*:\s*")
_PUNCT_RE = re.compile(r"[?!.\"“”'«»]+")
_SYLLABLE_RE = re.compile(r"[a-z0-9]+")
# Where a clause's sentence (and so its subject) begins: a sentence end, a colon, a list marker.
_SENTENCE_START_RE = re.compile(r".*(?:[.;:!?]\s+|\n)", re.S)
_MARKER_RE = re.compile(r"^\s*(?:(?:Điều\s+\d+[a-zđ]?|[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.):]|[-+*•–])\s*")
_COPULA_RE = re.compile(r"\s+là\s+", re.I)
_FULL_STOP_RE = re.compile(r".*[.!?]\s+", re.S)  # where a sentence begins, its ";" items run on
_GIAO_RE = re.compile(r"^(?:giao(?:\s+cho)?|đề nghị|yêu cầu)\s+", re.I)
# Adverbs and auxiliaries between a subject and its verb ("Sở Y tế có trách nhiệm chủ động …").
_AUX_TAIL_RE = re.compile(
    r"(?:\s+(?:se|phai|duoc giao|co trach nhiem|chiu trach nhiem|co tham quyen|co quyen|chu dong|truc tiep|"
    r"thong nhat|tiep tuc|khan truong|kip thoi|can|dong thoi|thuong xuyen|co the|duoc))+$"
)
# An auxiliary that ends a subject wherever it stands, before a run of coordinated verbs.
_DUTY_AUX_RE = re.compile(r"\s+(?:co trach nhiem|chiu trach nhiem|duoc giao|co nhiem vu)(?![a-z])")
# How much of the predicate another wording of it counts for (a prior, not fitted).
EQUIVALENT_SHARE = 0.5
_PLACE_RE = re.compile(r"\s+(?:tại|trong|khi)\s+(?:buổi|cuộc|hội nghị|phiên|lễ)\b")
_ITEM_END_RE = re.compile(r"\s*(?:[.,]?\s*$|;)")  # the end of a clause, or of one of its ";" items
_VALUE_END_RE = re.compile(
    r"[.;\n]|\s+(?:để|nhằm)\s|,\s+(?:đồng thời|trong đó|sau đó)\b"
    r"|,?\s+(?:trước|trong|chậm nhất|vào|từ)\s+(?:ngày|tháng|quý|năm)\s+\d"  # the time it is due by
)


def question_frame(folded: str) -> Frame | None:
    """The wh-frame of a folded question, or None when the wh-word stands elsewhere (or there is none)."""
    c = _compiled()
    v = c.vocab
    q = " ".join(_PUNCT_RE.sub(" ", folded).split())
    while (m := c.lead_in.match(q)) and m.end() < len(q):
        q = q[m.end() :]
    if not c.subject.match(q):
        # Whatever sets the scene before a comma ("Ở bước 2 của quy trình …, ai tiến hành …") says nothing
        # of the predicate a subject wh-phrase after it opens.
        q = next((q[m.end() :] for m in _COMMA_RE.finditer(q) if c.subject.match(q[m.end() :])), q)
    q = q.replace(",", " ")
    q = " ".join(q.split())
    if not c.subject.match(q) and (made := c.made_to_act.match(q)):
        # "những ai phải …": the quantifier belongs to the wh-phrase. "HĐND tỉnh giao cơ quan nào tổ chức
        # thực hiện …": the body made to act is the subject of what follows, as a clause "giao X tổ chức …"
        # states it (`_subject_before` reads the body after the causative).
        q = q[made.end() :]
    if len(c.any_wh.findall(q)) > 1:
        return None  # "từ ngày nào đến ngày nào", "ai … và khi nào": no one place to read
    if (p := c.passive.match(q)) and not c.subject.match(q):
        # "Danh sách cử tri do cơ quan nào lập": who does it, asked with the passive's agent marker. Read as
        # "cơ quan nào lập danh sách cử tri" (an active clause states it so); `verb_len` lets a passive
        # clause ("Danh sách cử tri do Ủy ban nhân dân cấp xã lập") be read too.
        verb = tuple(_SYLLABLE_RE.findall(c.skip.sub("", p["vp"])))
        noun = tuple(_SYLLABLE_RE.findall(p["np"]))[-v.max_anchor_syllables :]
        if verb and len(verb) <= v.max_anchor_syllables and len(noun) >= v.min_anchor_syllables:
            words = (verb + noun)[: max(v.max_anchor_syllables, len(verb) + v.min_anchor_syllables)]
            return Frame(
                "subject",
                words,
                role_verb=bool(c.role_verb.match(" ".join(verb))),
                wants_body=p["wh"] != "dau",
                verb_len=len(verb),
            )
    if m := c.subject.match(q):
        rest = m["rest"]
        holder = c.holder_verb.match(rest) if m["wh"] == "ai" else None
        if holder or rest.startswith("la "):
            # "ai là Trưởng ban …", "cơ quan nào là cơ quan thường trực": the post or label named, as
            # "X là …", "…: X" or a member list's "X, …, Trưởng ban" states it.
            label = rest[holder.end() if holder else 3 :]
            qual = c.qualifier.search(f"{label} ")
            if qual and len(label[: qual.start()].split()) >= v.min_anchor_syllables:
                label = label[: qual.start()]
            words = tuple(_SYLLABLE_RE.findall(label))[: v.max_anchor_syllables]
            if len(words) < v.min_anchor_syllables:
                return None
            role = bool(c.role_verb.search(label))
            return Frame("copula", words, role_verb=role, holder=m["wh"] == "ai" and not role)
        rest = c.skip.sub("", rest)
        if rest == "la":
            return None
        words = tuple(_SYLLABLE_RE.findall(rest))[: v.max_anchor_syllables]
        if len(words) < v.min_anchor_syllables:
            return None
        return Frame("subject", words, role_verb=bool(c.role_verb.match(rest)))
    if m := c.obj.match(q):
        # The shortest wh-phrase that closes the question ("… của kế hoạch là khi nào" asks "khi nào", "…
        # ban hành ngày nào" asks "ngày nào"), unless the word before it makes a longer one ("văn bản nào",
        # not "bản nào"); a quantifier before it belongs to it ("gồm những ai").
        pre, wh = m["pre"], m["wh"]
        head, _, last = pre.rpartition(" ")
        if head and (longer := c.closing.match(f"{last} {q[m.start('wh') :]}")):
            pre, wh = head, longer["wh"]
        pre = c.quantified.sub("", pre)
        side: Side = "object"
        if cop := c.copula.search(pre):
            pre, side = pre[: cop.start()], "copula"
            # "Hình thức hợp đồng của gói thầu … là gì": the noun phrase before its qualifiers is asked.
            qual = c.qualifier.search(f"{pre} ")
            if qual and len(pre[: qual.start()].split()) >= v.min_anchor_syllables:
                pre = pre[: qual.start()]
        elif wh == "gi":
            return None  # "đề xuất nội dung gì": no place in a clause to read it from
        words = tuple(_SYLLABLE_RE.findall(pre))
        words = words[: v.max_anchor_syllables] if side == "copula" else words[-v.max_anchor_syllables :]
        if len(words) < v.min_anchor_syllables:
            return None
        body = wh.split()[0] in v.body_heads and (wh == "ai" or " " in wh)
        noun = next((n for n in v.document_nouns if wh.startswith(f"{n} ")), None)
        # A role verb ends the predicate ("phối hợp với ai"); one inside a noun phrase ("kết quả thực hiện
        # dự án … cho ai") is no role, but at the end the two read alike.
        role = (
            bool(c.role_end.search(" ".join(words)))
            if side == "object"
            else bool(c.role_verb.search(" ".join(words)))
        )
        holder = side == "copula" and wh == "ai" and not role
        kind = tuple(wh.split()[:-1]) if wh.endswith(" nao") and noun is None else ()
        if kind and kind[0] in v.time_kinds:
            kind = ()  # "ngày nào", "năm nào": a time, which the deadline readers know
        return Frame(
            side,
            words,
            role_verb=role,
            wants_body=body and noun is None,
            names=noun,
            holder=holder,
            kind=kind,
        )
    return None


@lru_cache(maxsize=4096)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Built once per anchor, not again for every clause a question's frame is read in (issue 26).
    return re.compile(r"(?<![a-z0-9])" + r"[\s,]+".join(map(re.escape, words)) + r"(?![a-z0-9])")


def _body(text: str) -> str | None:
    """`text` when it opens with an agency, an office or a person's name, within the length limit;
    without the occasion that may follow ("… Lê Văn An tại buổi kiểm tra …": the person, not where)."""
    text = text.strip(" ,:–-")
    place = _PLACE_RE.search(text) or _compiled().cited_in.search(fold(text))
    text = text[: place.start()] if place else text
    if not text or (len(text.split()) > _compiled().vocab.max_subject_words and not _enumeration(text)):
        return None
    if not_name_re().match(text):  # "Trường hợp …", "Báo cáo …": a head word that names no body
        return None
    if fold(text).strip(" .") in _bare_kinds():  # "11. Tổ chức tiếp nhận …": a verb, or a kind alone
        return None
    if AGENCY_START_RE.match(text):
        # "Văn phòng Đảng ủy tiếp thu, chỉnh lý": the name, not the verbs it runs into.
        # A verb word inside the name ("Tổng Thư ký Quốc hội") ends nothing: the first that leaves a name.
        inside = [m.span() for m in _compiled().compound.finditer(text)]
        for verb in _compiled().subject_verb.finditer(text):
            if any(a < verb.end() <= b for a, b in inside):
                continue  # "Ban Thư ký Hội …": the verb is part of a noun of the name
            if named := clean_agency(text[: verb.start()]):
                return named
        return clean_agency(text)  # None: a fragment or a verb ("Cơ quan, tổ chức …", "Thanh tra, kiểm tra")
    if opens_with(text, ["agency", "role", "person"]):
        return text
    return None


_ENUMERATION_SPLIT_RE = re.compile(r",\s*|;\s*|\s+và\s+")
# "Các Ông / Bà", "Ông (Bà)" before the offices a decision's last article lists.
_SALUTATION_RE = re.compile(r"(?i)^\s*(?:các\s+)?(?:ông|bà)\s*(?:/|\(|,)\s*(?:bà|ông)\)?\s*")


def _enumeration(text: str) -> bool:
    """A list of bodies and offices longer than one subject may be ("Chánh Văn phòng UBND tỉnh, Giám đốc
    Sở Nội vụ, Chủ tịch UBND các huyện và các cơ quan, đơn vị có liên quan [chịu trách nhiệm thi hành]"):
    its first item and most of the others each open with a body, an office or a name, none too long (a
    comma may sit inside a name: "Thanh tra dược, mỹ phẩm")."""
    limit = _compiled().vocab.max_subject_words
    items = [x for x in _ENUMERATION_SPLIT_RE.split(text) if x.strip()]
    if len(items) < 3 or len(text.split()) > 3 * limit or any(len(x.split()) > limit for x in items):
        return False
    named = [opens_with(_SALUTATION_RE.sub("", x), ["agency", "role", "person"]) for x in items]
    return named[0] and 3 * sum(named) >= 2 * len(items)


@cache
def _bare_kinds() -> frozenset[str]:
    """Kinds of body a question asks by ("tổ chức", "cơ quan", "đơn vị"), folded: alone they name none."""
    return frozenset(fold(k) for k in asked_kinds())


def _sentence_start(text: str, end: int) -> int:
    """Where the sentence holding position `end` of `text` begins (after a sentence end, a colon, a list
    marker's line break)."""
    head = _SENTENCE_START_RE.match(text, 0, end)
    return head.end() if head else 0


def _subject_before(clause: str, folded: str, start: int) -> str | None:
    """The subject that ends where the predicate starts: from the sentence's start, without its list
    marker or "Giao", nor the auxiliaries before the verb; of a comma-separated run, the longest tail
    that opens with a body ("Căn cứ …, UBND cấp tỉnh")."""
    begin = _sentence_start(clause, start)
    before = folded[begin:start].rstrip(" ,")
    tail = _AUX_TAIL_RE.search(before)
    end = begin + (tail.start() if tail else len(before))
    duty = _DUTY_AUX_RE.search(before)
    if duty and begin + duty.start() < end:
        end = begin + duty.start()  # "X có trách nhiệm báo cáo và cung cấp …": X, whichever verb is asked
    span = _GIAO_RE.sub("", _MARKER_RE.sub("", clause[begin:end])).strip(" ,")
    agent = _compiled().agent.search(fold(span))
    if agent and (found := _body(span[agent.end() :])) and found == span[agent.end() :].strip(" ,"):
        # "Đối tượng và mức thưởng cụ thể do Ủy ban nhân dân các huyện quyết định": the passive's agent.
        return found
    role = _compiled().role_verb.search(fold(span))
    head = span[: role.start()] if role else span  # "X chỉ đạo Y phối hợp với Z [rà soát …]": Y acts
    for m in reversed(list(_compiled().causative.finditer(head))):
        # "Bộ Chính trị chỉ đạo Đảng ủy Quốc hội [lãnh đạo …]": the body made to act does what is asked.
        found = _body(head[m.end() :])
        if found and found == head[m.end() :].strip(" ,"):
            return found
    if role and (found := _body(head)):
        # "X chủ trì, phối hợp với A, B và C giúp …": the bodies after the role verbs take part, X acts.
        return found
    chunks = span.split(", ")
    for i in range(len(chunks)):
        found = _body(", ".join(chunks[i:]))
        if found:
            return found
    # "Viện X là đơn vị điều phối …; là cơ quan thường trực của Hội đồng": predicates run on after a copula
    # (past a comma or a semicolon) share the subject the sentence opens with.
    whole = _FULL_STOP_RE.match(clause, 0, start)
    opening = _MARKER_RE.sub("", clause[whole.end() if whole else 0 : start])
    head = _COPULA_RE.split(opening, maxsplit=1)
    if len(head) == 2 and (found := _body(head[0])) and found == head[0].strip(" ,"):
        return found
    return None


def _after(clause: str, at: int) -> str:
    rest = clause[at:]
    end = _VALUE_END_RE.search(rest)
    rest = rest[: end.start()] if end else rest
    if clause.rfind("(", 0, at) > clause.rfind(")", 0, at):
        rest = rest.split(")")[0]  # "(thông qua Ban Dân tộc tỉnh)": the value ends with its brackets
    return rest


@lru_cache(maxsize=65536)
def frame_value(text: str, frame: Frame) -> tuple[str, float] | None:
    """The value `text` states in the frame's place, and the share of the predicate it matched (memoized:
    a candidate's clause is read by the ranking features and again by the value reader)."""
    clause = " ".join(text.split())
    folded = fold(clause)
    if len(folded) != len(clause):  # a character folded to several: offsets would not carry over
        return None
    v = _compiled().vocab
    n_words = len(frame.words)
    # Every anchor tried holds the shortest one (the predicate's last words, or its first): a clause
    # missing one of its words matches none, and most clauses of a document read whole do (issue 26).
    least = v.min_anchor_syllables
    shortest = frame.words[-least:] if frame.side == "object" else frame.words[:least]
    anchored = n_words >= least and all(w in folded for w in shortest)
    for n in range(n_words, least - 1, -1) if anchored else ():
        words = frame.words[-n:] if frame.side == "object" else frame.words[:n]
        for m in _pattern(words).finditer(folded):
            value = _read(clause, folded, m, frame)
            if value:
                return value, (n + _stated_before(folded, m.start(), frame.words[n:])) / n_words
    if frame.side == "subject" and frame.verb_len:
        return _passive_value(clause, folded, frame)
    if frame.side == "object" and frame.names:
        return _equivalent_value(clause, folded, frame)
    if frame.side == "object" and frame.words[-1] in v.directions:
        return _direction_value(clause, folded, frame)
    return None


@cache
def post_head_re() -> re.Pattern[str]:
    """A post's name opening a text ("Trưởng khối thi đua"), as frames.json 'post_heads' lists them."""
    heads = sorted(_compiled().vocab.post_heads, key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(map(re.escape, heads))})(?!\w)")


@lru_cache(maxsize=65536)
def opening_share(text: str, frame: Frame) -> float | None:
    """The share of a subject frame's predicate a clause opens with, its list marker aside, or None: "a) Xây
    dựng chương trình, kế hoạch …" states "ai xây dựng chương trình …" with no subject of its own (the
    heading it stands under, "2. Nhiệm vụ của Trưởng khối thi đua", names who). Memoized: the ranking and the
    value reader both read a candidate's clause."""
    if frame.side != "subject" or not frame.wants_body or frame.verb_len:
        return None
    folded = fold(_MARKER_RE.sub("", " ".join(text.split())))
    for n in range(len(frame.words), _compiled().vocab.min_anchor_syllables - 1, -1):
        if _pattern(frame.words[:n]).match(folded):
            return n / len(frame.words)
    return None


def _passive_value(clause: str, folded: str, frame: Frame) -> tuple[str, float] | None:
    """A passive question read in a passive clause: "Danh sách cử tri do Ủy ban nhân dân cấp xã lập" for
    "danh sách cử tri do cơ quan nào lập": the agent between the marker and the verb asked, in a sentence
    that names the thing done before it."""
    verb, noun = frame.words[: frame.verb_len], frame.words[frame.verb_len :]
    for m in _pattern(verb).finditer(folded):
        begin = _sentence_start(folded, m.start())
        agent = _compiled().agent.match(folded, begin, m.start())
        if agent is None:
            continue
        said = set(_SYLLABLE_RE.findall(folded[begin : agent.end()]))  # up to the agent marker
        stated = sum(1 for w in noun if w in said)
        if stated < min(len(noun), _compiled().vocab.min_anchor_syllables):
            continue
        between = clause[agent.end() : m.start()].strip(" ,")
        value = _body(between) if frame.wants_body else between
        if value:
            return value, (len(verb) + stated) / len(frame.words)
    return None


def _stated_before(folded: str, start: int, rest: tuple[str, ...]) -> int:
    """How many of the predicate's other words its sentence states before it: the object a passive puts
    first ("Đối tượng và mức thưởng … do X quyết định" for "ai quyết định đối tượng và mức thưởng")."""
    before = folded[_sentence_start(folded, start) : start]
    if not rest or not _compiled().agent.search(before):
        return 0  # an active clause's words before its subject are not the predicate's
    said = set(_SYLLABLE_RE.findall(before))
    return sum(1 for w in rest if w in said)


def with_heading(frame: Frame, read: tuple[str, float] | None, heading: str) -> tuple[str, float] | None:
    """A labelled value under a heading that names the rest of what is asked ("2. Thời gian: Từ ngày …"
    under "III. Hình thức, thời gian giám sát" for "thời gian giám sát là khi nào"; "Trưởng đoàn" in the
    list of a "Đoàn giám sát" for "ai là trưởng đoàn giám sát") states all of it."""
    if read is None or read[1] >= 1.0 or frame.side != "copula":
        return read
    words = set(_SYLLABLE_RE.findall(fold(heading).lower()))
    n = round(read[1] * len(frame.words))
    rest = frame.words[n:]
    return (read[0], 1.0) if rest and all(w in words for w in rest) else read


# How much of the predicate a heading's value counts for: with words of the question before the noun asked
# ("ngân sách cấp" for "chi từ ngân sách cấp nào"), and with the noun alone (priors, not fitted).
HEADING_SHARE = 0.5
HEADING_NOUN_SHARE = 0.25
_HEADING_PUNCT_RE = re.compile(r"[,;:.()\[\]]|\s[-–]\s")


def heading_value(frame: Frame, section: str) -> tuple[str, float] | None:
    """The value a clause's heading gives the noun a closing wh-phrase asks ("… chi từ ngân sách cấp nào"
    for a clause under "Điều 2. Nhiệm vụ chi của ngân sách cấp tỉnh": "ngân sách cấp tỉnh"; "… thuộc nhóm
    nào" under "b) Nhóm B: …": "Nhóm B"). The question's words just before the noun, found with it, count
    for more; the clause's own line (the last part of its path) is the clause, not a heading."""
    if frame.side != "object" or not frame.kind or not section:
        return None
    v = _compiled().vocab
    headings = [(h, f) for h in section.split(" > ")[:-1] if len(f := fold(h)) == len(h)]
    for n in range(min(3, len(frame.words)), -1, -1):
        noun = (frame.words[len(frame.words) - n :] if n else ()) + frame.kind
        for heading, folded in reversed(headings):
            for m in _pattern(noun).finditer(folded):
                rest = heading[m.end() :]
                end = _HEADING_PUNCT_RE.search(rest)
                after: list[str] = []
                for word in (rest[: end.start()] if end else rest).split()[: v.max_heading_value_words]:
                    if fold(word) in v.heading_value_stops:
                        break  # "Cụm thi đua số 3 [gồm …]": a verb or a link word ends the value
                    after.append(word)
                if after:
                    named = heading[m.start() : m.end()].split()
                    while named and fold(named[0]) in v.heading_value_stops:
                        named.pop(0)  # "[của] ngân sách cấp": the question's link word is no part of it
                    return " ".join(named + after), HEADING_SHARE if n else HEADING_NOUN_SHARE
    return None


def _direction_value(clause: str, folded: str, frame: Frame) -> tuple[str, float] | None:
    """ "báo cáo kết quả giám sát cho ai" answered by "… báo cáo kết quả về Ban Thường trực": a run of the
    question's words before the clause's own preposition of direction (frames.json 'directions')."""
    v = _compiled().vocab
    words, n_words = frame.words[:-1], len(frame.words)
    directions = "|".join(v.directions)
    for n in range(len(words), v.min_anchor_syllables - 1, -1):
        for i in range(len(words) - n + 1):
            run = r"[\s,]+".join(map(re.escape, words[i : i + n]))
            for m in re.finditer(rf"(?<![a-z0-9]){run}\s+(?:{directions})(?![a-z0-9])", folded):
                value = _after(clause, m.end()).strip(" ,:")
                found = (_body(value) if frame.wants_body else value) if value else None
                if found:
                    return found, (n + 1) / n_words
    return None


def _equivalent_value(clause: str, folded: str, frame: Frame) -> tuple[str, float] | None:
    """A document named by another wording of the verb asked (frames.json 'equivalents'): "thay thế
    nghị định nào" is answered by "thay cho Nghị định số …" and by "Nghị định số … hết hiệu lực"."""
    asked = " ".join(frame.words)
    for eq in _compiled().vocab.equivalents:
        if not asked.endswith(eq.asked):
            continue
        for alt in eq.value_after:
            for m in _pattern(tuple(alt.split())).finditer(folded):
                value = _after(clause, m.end()).strip(" ,:")
                if value and _names_document(value, frame.names):
                    return value, EQUIVALENT_SHARE
        for alt in eq.value_before:
            for m in _pattern(tuple(alt.split())).finditer(folded):
                value = _MARKER_RE.sub("", clause[_sentence_start(clause, m.start()) : m.start()]).strip(" ,")
                at = fold(value).find(frame.names)
                if at >= 0:
                    return value[at:], EQUIVALENT_SHARE
    return None


def _labelled(clause: str, folded: str, m: re.Match[str]) -> str | None:
    """ "4. Cơ quan thu lệ phí: Sở Lao động …" for "cơ quan nào thu lệ phí": a label of a few words
    around the predicate names the role, and the value after its separator holds it."""
    v = _compiled().vocab
    before = _MARKER_RE.sub("", clause[_sentence_start(clause, m.start()) : m.start()]).split()
    sep = _LABEL_END_RE.match(folded, m.end())
    if sep is None or not 0 < len(before) <= v.max_label_head_words or _body(" ".join(before)):
        return None
    return _body(_after(clause, sep.end()))


def _names_document(value: str, names: str) -> bool:
    """The value opens with a document of the kind asked ("Nghị định số 163/2006/NĐ-CP", "các Thông tư
    …"), not a phrase that mentions one later ("bằng tài sản khác quy định tại … Nghị định này")."""
    return re.match(rf"(?:(?:cac|nhung|toan bo)\s+)?{names}(?![a-z])", fold(value).lstrip(" ,:(")) is not None


def _read(clause: str, folded: str, m: re.Match[str], frame: Frame) -> str | None:
    if frame.side == "subject":
        if _compiled().noun_before.search(folded, 0, m.start()):
            return None  # "… không phải là tổ chức tín dụng": the words name a thing, no predicate
        subject = _subject_before(clause, folded, m.start())
        if subject is None and folded.startswith(" cua ", m.end()):  # "theo đề nghị của Trưởng ban …"
            return _body(_after(clause, m.end() + 5))
        return subject or (_labelled(clause, folded, m) if frame.wants_body else None)
    if frame.side == "copula":
        if _compiled().modified.search(folded, 0, m.start()):
            return None  # "Phó Trưởng ban: …" does not say who the Trưởng ban is
        sep = _compiled().separator.match(folded[m.end() :])
        if sep is not None:
            value = _after(clause, m.end() + sep.end()).strip(" ,")
            return (_body(value) if frame.wants_body else value) or None
        for verb in (" la ", " lam "):  # "Bộ Công an là cơ quan thường trực", "Ông A làm Trưởng ban"
            if folded.endswith(verb, 0, m.start()):
                return _subject_before(clause, folded, m.start() - len(verb) + 1)
        if (
            frame.wants_body
            and _ITEM_END_RE.match(folded, m.end())
            and folded.endswith((", ", " - "), 0, m.start())
        ):
            # A member list's item "1. Bà B, Trưởng phòng …, Trưởng ban;" (or "… xã - Trưởng ban."), or one
            # of the items a line runs together ("Thành phần Đoàn: Bà B, …, Trưởng đoàn; đại diện …"): the
            # post is its last part, the person its first.
            start = max(clause.rfind(";", 0, m.start()), clause.rfind(":", 0, m.start())) + 1
            first = _MARKER_RE.sub("", clause[start:].lstrip()).split(",")[0]
            return _body(first) if opens_with(first, ["person", "role"]) else None
        return None
    value = _after(clause, m.end()).strip(" ,:")
    if not value or (frame.names and not _names_document(value, frame.names)):
        return None  # "thay thế nghị định nào" is not answered by "thay thế bằng văn bản …"
    if frame.kind and not frame.wants_body and not _pattern(frame.kind).search(fold(value)):
        return None  # "… phát triển vùng nào" is not answered by "phát triển các ngành nghề …"
    return _body(value) if frame.wants_body else value
