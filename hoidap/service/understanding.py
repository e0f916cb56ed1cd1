"""Question understanding: intent, task ids, documents, agencies, years and key terms.

Rule-based and pure (no model, no word segmenter): `analyze()` takes well under a
millisecond once a `Catalog` is built from the parsed corpus. Matching runs on aligned
views of the normalized question, all of the same length so one offset fits every view:

- ``low``: lower-cased, diacritics kept (tells "đ" from "d" in task letters);
- ``al``:  ``low`` without diacritics (đ -> d): patterns with digits and separators;
- ``tok``: ``al`` with every non-word character blanked: word patterns, so "KH&ĐT",
  "KH & ĐT" and "KH ĐT" all read "kh dt".

Because detection runs on diacritics-free text, "ai chu tri" and "ai chủ trì" analyse
identically. Vocabularies are data tables at the top of the module.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import product
from typing import Any, Literal, cast

from hoidap.corpus.normalize import fold, has_diacritics, normalize_text, strip_diacritics
from hoidap.corpus.records import DocumentInfo, NumberingGap, ParsedDocument
from hoidap.corpus.vocab import (
    abbreviations,
    agency_heads,
    asked_kinds,
    basis_opener,
    doc_type_codes,
    doc_type_names,
    doc_type_nouns,
    find_provinces,
    name_key,
    province_keys,
    province_of,
)
from hoidap.service.answer_types import expected_kinds
from hoidap.service.extract import (
    ASKS_OWNER_RE,
    asked_document_kind,
    asked_measure,
    asks_list,
    unit_kind,
)
from hoidap.service.frames import Frame, question_frame
from hoidap.service.intents import TASK_FIELDS, Intent

DocumentFact = Literal["signer", "number", "date", "issuer", "basis", "period", "effective"]

# --- vocabularies (folded; a space matches any run of blanks) --------------------------
# fmt: off

# Cues of the task-field intents. The earliest cue in the question decides; at one start
# the longer cue wins ("ai phoi hop" -> coordinating, not the bare "ai" -> lead). KINDS: see _words_re.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "lead": (
        "chu tri", "phu trach", "dau moi", "giao cho ai", "giao ai", "duoc giao cho ai",
        "giao (cho )?(don vi|co quan|so|ben|nganh) nao",
        "(KINDS) nao (se |duoc |phai )?"
        "(thuc hien|lam|dam nhan|dam trach|chiu trach nhiem|lo|trien khai|phu trach)",
        "(don vi|co quan) (thuc hien|dam nhan|chiu trach nhiem)",
        "ai (se |duoc |phai )?"
        "(lam|thuc hien|lo|dam nhan|dam trach|trien khai|chiu trach nhiem|nam|phu trach)",
        "chiu trach nhiem", "trach nhiem (cua|thuoc( ve)?) ai", "thuoc (ve )?ai", "do ai", "la ai",
        "(KINDS) nao", "ai",
    ),
    "coordinating": (
        "phoi hop", "cung voi ai", "cung ai", "cung (thuc hien|tham gia|lam)", "tham gia",
        "ai (se |duoc |phai )?(phoi hop|ho tro|tham gia|cung)",
        "(don vi|co quan|so) (se |duoc )?(phoi hop|ho tro|tham gia)",
        "(KINDS) nao (se |duoc )?(phoi hop|ho tro|tham gia)",
    ),
    "deadline": (
        "khi nao", "thoi han", "han chot", "het han", "den han",
        "han (la|cua|nop|hoan thanh|ban hanh|trinh|bao cao|gui|thuc hien)",
        "(truoc|vao|den|cham nhat) ngay nao", "ngay nao",
        "thoi gian (thuc hien|hoan thanh)", "(trong )?thoi gian nao", "thoi diem (hoan thanh|thuc hien)",
        "nam nao", "thang nao",
        "bao gio", "luc nao", "bao lau", "deadline", "tien do", "(nam|thang) may", "xong chua",
        "hoan thanh chua", "tre han", "qua han",
    ),
    "figure": (
        "bao nhieu", "chi tieu", "muc tieu", "ty le", "ti le", "phan tram", "toc do", "tang truong binh quan",
        "ty trong", "ti trong", "con so", "chi so", "muc (tang|dat)", "dat (muc|khoang)",
        # "mấy" typed without marks is also "máy" (nhà máy): only after a word that asks for a count.
        "(toi thieu|it nhat|toi da|tong cong|tat ca|duoc|la) may", "may (phan tram|lan)",
    ),
}
# Listing cues: a list of tasks is asked for (never when a task id is given).
LISTING_CUES: tuple[str, ...] = (
    "liet ke", "(nhung|cac|tat ca( cac)?) nhiem vu", "nhiem vu (nao|gi)", "bao nhieu nhiem vu",
    "may nhiem vu", "so nhiem vu", "danh sach( cac)? nhiem vu", "danh muc nhiem vu", "nhiem vu den han",
    "nhiem vu (phai )?hoan thanh (trong|truoc|vao|nam)",
)
# Weaker listing cues, counted only when an agency is named ("Sở Tài chính chủ trì những gì").
LISTING_AGENCY_CUES: tuple[str, ...] = (
    "nhung gi", "lam gi", "(nhung )?viec (gi|nao)", "nhung viec", "nhung phan viec", "duoc giao gi",
    "(chu tri|phoi hop|phu trach|tham gia|thuc hien|dam nhan) (nhung )?(gi|cai gi)",
    # "Công an tỉnh chủ trì những chỉ tiêu nào", "… chủ trì thẩm tra những dự án luật nào"
    # ("… phối hợp với những cơ quan nào" asks which agencies: not a listing)
    "(chu tri|phoi hop|phu trach|tham gia|thuc hien|dam nhan)( [a-z]+){0,2} (nhung|cac)"
    " (?!co quan|don vi|bo |so |nganh|ben |dia phuong|to chuc)([a-z0-9]+ ){1,4}nao",
)
# Which task role a lead/coordinating/listing question is about.
ROLE_CUES: dict[str, tuple[str, ...]] = {
    "lead": ("chu tri", "phu trach", "dau moi", "duoc giao", "giao cho", "chiu trach nhiem"),
    "coordinating": ("phoi hop", "cung voi", "tham gia", "ho tro"),
}
# Words that make a question about a document as such (gates the weaker document cues).
DOC_WORDS = rf"(?<![a-z0-9])(van ban|{'|'.join(fold(n).lower() for n in doc_type_nouns())})(?![a-z0-9])"
_NOT_COMPOUND = "(?<!dan.)(?<!chi.)(?<!tong.)(?<!he.)(?<!ty.)(?<!con.)"  # fixed width: "." is the space
# Document facts: (fact, cue, needs a named document or a document word). First match wins,
# so "ký ngày nào" is a date before "ký" is a signer.
DOCUMENT_FACT_CUES: tuple[tuple[str, str, bool], ...] = (
    # "Luật … có hiệu lực từ ngày nào": the day it takes effect, stated in its closing provisions.
    ("effective", "(co|bat dau co|phat sinh) hieu luc|ngay (co )?hieu luc|hieu luc (thi hanh|tu|ke)", True),
    ("date", "ky (vao )?(ngay|thang|nam) (nao|may|bao nhieu)", False),
    ("date", "ky (vao )?(khi nao|bao gio|luc nao)", False),
    ("date", "ngay ky", False),
    ("signer", "(ai|nguoi|lanh dao|ong|ba|do ai) (nao )?(da |la |duoc )?ky(?! ket)", False),
    ("signer", "ky (boi|ten)|chu ky(?! so| dien tu)|nguoi ky", False),
    # "số" of a compound ("dân số", "chỉ số", "tổng số") counts people or points, not a document's number.
    ("number", "so hieu|so ky hieu|ky hieu van ban|" + _NOT_COMPOUND + "so may|mang so", False),
    ("number", _NOT_COMPOUND + "so bao nhieu", True),
    ("date", "ngay ban hanh|ban hanh (vao )?(ngay|thang|nam) (nao|may|bao nhieu)", False),
    ("date", "(duoc )?ban hanh (vao )?(khi nao|bao gio|luc nao)|ra doi (khi nao|bao gio|nam nao)", True),
    # Needs a document: "Cơ quan nào ban hành danh mục tiêu chuẩn …" asks who issues a thing, a task.
    ("issuer", "(co quan|don vi|cap) (nao )?ban hanh|ai ban hanh|ban hanh boi|noi ban hanh", True),
    ("issuer", "cua (co quan|cap|don vi) nao|cua ai", True),
    # "Chương trình hành động 31-CTr/TU ngày nào?": a short question naming only a document and "what
    # day" asks for its date (a task's deadline question says what the task is).
    (
        "date",
        r"^(?!.*\b(?:han|nop|gui|hoan thanh|bao cao|thuc hien|trien khai)\b)"
        r"(?:\S+ ){1,9}ngay (?:nao|may)\W*$",
        True,
    ),
    ("basis", "can cu|co so phap ly", False),
    # "Kế hoạch CCHC Lâm Đồng giai đoạn nào?", "ke hoach 214 thuc hien den nam nao": a short question about
    # a document's own period, which its title states (a task's or a target's year says what it is).
    (
        "period",
        r"^(?!.*\b(?:han|nop|gui|hoan thanh|bao cao|muc tieu|chi tieu|nhiem vu|ban hanh)\b)(?:\S+ ){1,8}"
        r"(?:thuc hien |ap dung |trien khai )?(?:trong |cho |den )?(?:giai doan|thoi ky|nam) nao\W*$",
        True,
    ),
    (
        "basis",
        "(thuc hien|trien khai|cu the hoa|theo|dua tren|xuat phat tu) "
        "(nghi quyet|van ban|chuong trinh|chu truong|quyet dinh|ke hoach|chi thi|ket luan) (nao|gi|so may)",
        False,
    ),
)

# Words that introduce a task reference before a bare number ("nhiệm vụ 7", "stt 7").
TASK_CUES = r"(?:nhiem vu|nv|muc|tieu muc|diem|khoan|stt|so thu tu|task|phan|dong so)"
# A figure, not a task id, follows these words / is followed by these units.
VALUE_BEFORE = r"(?:dat|khoang|tren|duoi|tang|giam|chiem|len|xuong|bang|toi thieu|toi da)\s*$"
VALUE_UNITS = (
    r"^\s*(?:%|phan tram|trieu|ty|nghin|ngan|usd|dong|tan|ha|km|mw|kwh|lan|nguoi|doanh nghiep|"
    r"m2|m3|hop dong|du an|trieu kwh)(?![a-z0-9])"
)

# Document type words and the code each stands for ("văn bản" matches any type).
DOC_TYPE_WORDS: dict[str, str] = {**doc_type_codes(), "van ban": "*"}  # data: corpus/data/doc_types.json
# Codes that open a document number's type part ("214/KH-UBND", "05/CT-TTg").
DOC_TYPE_CODES = frozenset("kh qd nq ctr ct cv kl tb nd tt hd bc ttr tp".split())


# Abbreviation <-> expansion pairs: every agency alias is also indexed in the other form.
def _agency_abbreviations() -> dict[str, str]:
    """One-word abbreviations of agency words -> their spelled-out key, from the data file
    ("ubnd" -> "uy ban nhan dan"); multi-word ones ("KH&ĐT") are covered by generated initials."""
    out = {}
    for short, full in abbreviations().items():
        key = name_key(short)
        if " " not in key and len(key) >= 2:
            out[key] = name_key(full)
    return out


AGENCY_ABBREVIATIONS: dict[str, str] = _agency_abbreviations()
# Heads of agency names, keyed ("so", "ban quan ly", "uy ban nhan dan"), longest first.
_AGENCY_HEAD_KEYS: tuple[str, ...] = tuple(
    sorted({name_key(h) for h in agency_heads()} | set(AGENCY_ABBREVIATIONS), key=len, reverse=True)
)
# Where the scope of a name starts ("... tỉnh", "... chi nhánh ..."): cut before making initials.
_SCOPE_RE = re.compile(r"\s(?:tinh|thanh pho|chi nhanh|viet nam|cua|tai|truc thuoc)(?:\s|$).*$")

# Question and function words dropped from `keywords` (accented; a token typed without
# diacritics is compared folded, except the single words in FOLD_AMBIGUOUS).
STOP_PHRASES: tuple[str, ...] = tuple(
    """
    ai|gì|nào|đâu|sao|bao nhiêu|bao giờ|khi nào|lúc nào|thế nào|như thế nào|ra sao|là gì|là ai|
    không|chưa|có|của|và|các|những|là|được|do|cho|với|trong|theo|về|thì|mà|ở|tại|đã|sẽ|đang|cũng|
    hãy|xin|cho biết|cho hỏi|hỏi|vậy|ạ|nhé|hả|vui lòng|tôi|mình|em|anh|chị|ơi|này|đó|ấy|nhỉ|thế|
    gồm|bị|phải|bởi|vào|ra|nêu|liệt kê|chủ trì|phụ trách|phối hợp|đầu mối|thời hạn|hạn chót|
    thời gian thực hiện|đơn vị|cơ quan|giao|lo|làm|nhiệm vụ|vụ|việc|chịu trách nhiệm|cùng|cùng với|
    nội dung|cụ thể|hay|hoặc|nào là|gì vậy
    """.replace("\n", "").split("|")
)
# Extra words dropped from `figure_terms` (the figure's noun phrase).
FIGURE_STOP_PHRASES: tuple[str, ...] = tuple(
    """
    mục tiêu|chỉ tiêu|đặt|đặt ra|đạt|đạt được|khoảng|phấn đấu|đến|năm|vào|tới|tỉnh|kế hoạch|
    chương trình|nghị quyết|văn bản|giai đoạn|thời kỳ|dự kiến|%|phần trăm|usd|triệu|tỷ đồng|
    triệu đồng|nghìn tỷ|tấn|mức|con số|bằng|trên|dưới|từ|lên|là bao nhiêu|bao nhiêu phần trăm|mấy|
    đề ra|yêu cầu|kỳ vọng|quy định|định hướng|so với|ngày|tháng|thực hiện|của tỉnh|ha|km|mw|kwh|
    khác nhau|thế nào|như thế nào|so sánh
    """.replace("\n", "").split("|")
)
# Folded single words too ambiguous to drop when typed without diacritics ("do" = do/độ,
# "thi" = thì/thị, "tu" = từ/tư): dropping them would break "toc do", "do thi", "dau tu".
FOLD_AMBIGUOUS = frozenset(
    "do co ma o ra dat ban tai thi the giao lo so cua trong tu da dang cung gom vu viec bang lam dau hoi "
    "vay a nhe ha toi minh chi anh boi may".split()
)
# ... unless the next words settle it: "dat bao nhieu" is "đạt bao nhiêu" (a figure verb).
FOLD_AMBIGUOUS_BEFORE: dict[str, str] = {
    "dat": r"\s*(?:\d|%|bao nhieu|khoang|tren|duoi|muc|it nhat|toi (?:thieu|da)|chi tieu|muc tieu)",
    "ha": r"\s*$",  # a trailing "ha" is the unit, not hạ/hả
}

# fmt: on

# --- aligned views -------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character, diacritics removed and case-folded, always exactly one character."""
    out = strip_diacritics(ch).casefold()
    return out[:1] if out else " "


def _lower_char(ch: str) -> str:
    out = ch.lower()
    return out if len(out) == 1 else ch


_NON_WORD_RE = re.compile(r"[^\w%]|_")


@dataclass(frozen=True)
class _Views:
    norm: str
    low: str
    al: str
    tok: str


# "ứng dụng AI" is artificial intelligence, not "ai" (who): the cue view blanks the capitalised acronym.
_AI_ACRONYM_RE = re.compile(r"(?<!\w)AI(?!\w)")


def _views(normalized: str) -> _Views:
    low = "".join(_lower_char(c) for c in normalized)
    al = "".join(_fold_char(c) for c in normalized)
    tok = _NON_WORD_RE.sub(" ", al)
    if not normalized.isupper():  # a question typed in capitals says nothing by its case
        tok = _blank(tok, [m.span() for m in _AI_ACRONYM_RE.finditer(normalized)])
    return _Views(normalized, low, al, tok)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


def _key(text: str) -> str:
    """Punctuation-free folded key: 'Sở KH&ĐT' -> 'so kh dt'."""
    return " ".join(_NON_WORD_RE.sub(" ", fold(text)).split())


OPENING_CLAUSES = 8  # clauses of a document's opening read for the body that issues it


def _opening(d: ParsedDocument) -> str:
    """The opening lines of a text whose letterhead was not read ("HỘI ĐỒNG NHÂN DÂN TỈNH HẬU GIANG" under
    the title of a resolution copied without it), without its basis ("Căn cứ …", which cites others)."""
    basis = re.compile(rf"^\s*{basis_opener()}", re.IGNORECASE)
    head = [c.text for c in d.clauses[:OPENING_CLAUSES] if c.breadcrumb == "Phần mở đầu"]
    return " ".join(t for t in head if not basis.match(t))


def _words_re(patterns: Iterable[str]) -> re.Pattern[str]:
    """Whole-word regex over `tok` text; a space in a pattern matches any blank run; KINDS stands for
    the kinds of body a question asks "which one" of (data: agencies.json "asked_kinds")."""
    kinds = "|".join(sorted({fold(k) for k in asked_kinds()}, key=len, reverse=True))
    alts = sorted({p.replace("KINDS", kinds).replace(" ", r"\s+") for p in patterns}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + r")(?![a-z0-9])")


# Title words too common to name a document on their own.
_GENERIC_TITLE_WORDS = frozenset(
    "ke hoach quyet dinh nghi quyet chuong trinh hanh dong cong van thuc hien trien khai ve cua va cac "
    "tren dia ban tinh thanh pho giai doan den nam tam nhin phat trien ban hanh so ngay thang "
    # issuers name who wrote a document, not which one it is
    "uy ban nhan dan ubnd tinh uy thanh uy chinh phu thu tuong bo chinh tri trung uong dang".split()
)
# Every document type's words ("Thông báo" alone, the short title of a notice whose title was not read,
# names any notice).
_TYPE_PHRASE_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(sorted(map(re.escape, DOC_TYPE_WORDS), key=len, reverse=True))
    + r")(?![a-z0-9])"
)
# Syllables of province names: a place says where, not which document, but one syllable of a name ("hòa"
# of Khánh Hòa, "lao" of Lào Cai) is also an ordinary word ("hòa giải", "lao động").
_PLACE_SYLLABLES = frozenset(w for key in province_keys() for w in key.split())


def _distinctive(short_title: str) -> bool:
    """A short title that names one document: with a number, or two words that are not a document type's
    or an issuer's ("Quyết định" alone, the short title of a decision whose title was not read, is any)."""
    words = _key(short_title).split()
    untyped = _TYPE_PHRASE_RE.sub(" ", f" {' '.join(words)} ").split()
    own = [w for w in untyped if w not in _GENERIC_TITLE_WORDS]
    return any(w.isdigit() for w in words) or (len(own) >= 2 and not all(w in _PLACE_SYLLABLES for w in own))


def _type_words_of(d: ParsedDocument) -> str:
    """Regex alternation of the type words that may name `d`: its own type and the types its title names
    ("Quyết định ban hành Kế hoạch …"); "văn bản" names any. A question's "quyết định thành lập Hội đồng
    …" does not name a circular about that council."""
    title = f" {_key(d.info.title)} {_key(d.info.doc_type or '')} "
    codes = {code for word, code in DOC_TYPE_WORDS.items() if f" {word} " in title}
    words = [w for w, code in DOC_TYPE_WORDS.items() if code in codes or code == "*"]
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


FIRM_TITLE_WORDS = 5  # title words (its type's aside) a question must repeat to name a document firmly


def _title_aliases(docs: Sequence[ParsedDocument]) -> list[tuple[re.Pattern[str], str, bool]]:
    """How officials name a document without its number, learned from its title.

    - three title words in a row that no other title shares, two of them not common words,
      after a document-type word ("Nghị quyết hội nghị … lần thứ 3", "Quyết định … phê duyệt Đề án
      Xác định Chỉ số cải cách hành chính");
    - for a document without a number of its own, its type and the first number its title cites
      ("Kế hoạch 37" for the plan implementing Chương trình hành động số 37-CTr/TU).

    The flag marks the loose ones (title words only): the same words may name the subject of a task
    ("chủ trì nghị quyết về đẩy mạnh phát triển đảng viên") rather than a stored document.
    """
    windows: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        words = _key(d.info.title).split()
        for i in range(len(words) - 2):
            piece = words[i : i + 3]
            own = [w for w in piece if w not in _GENERIC_TITLE_WORDS]
            if len(own) >= 2 and not all(w in _PLACE_SYLLABLES for w in own):
                windows[" ".join(piece)].add(d.doc_id)
    out: list[tuple[re.Pattern[str], str, bool]] = []
    by_doc: dict[str, list[str]] = defaultdict(list)
    for piece, ids in windows.items():
        if len(ids) == 1:
            by_doc[next(iter(ids))].append(re.escape(piece).replace(r"\ ", " "))
    type_words = {d.doc_id: _type_words_of(d) for d in docs}
    for doc_id, pieces in by_doc.items():
        alts = "|".join(p.replace(" ", r"\s+") for p in sorted(pieces, key=len, reverse=True))
        out.append(
            (
                re.compile(
                    rf"(?<![a-z0-9]){type_words[doc_id]}\b(?:\s+[a-z0-9]+){{0,6}}?\s+(?:{alts})(?![a-z0-9])"
                ),
                doc_id,
                True,
            )
        )
    for d in docs:
        if d.info.number:
            continue
        m = re.search(r"(?<![\d/])(\d{1,4})\s*[-/]\s*[A-Za-zĐđ]", d.info.title)
        type_key = _key(d.info.doc_type or "")
        if m and type_key and type_key != "van ban":
            out.append((_words_re([rf"{type_key} (?:so )?{m.group(1)}"]), d.doc_id, False))
    return out


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


# --- document references --------------------------------------------------------------


@dataclass(frozen=True)
class DocRef:
    """A document reference: type code ("kh", "nq", "*" for văn bản), number, issuer code."""

    kind: str | None
    number: str
    issuer: str | None = None
    year: str | None = None  # "01/2020/NQ-HĐTP": numbers restart every year

    def matches(self, other: DocRef) -> bool:
        """Same number, compatible type, issuer and year (a missing part matches anything)."""
        if self.number != other.number:
            return False
        if self.year and other.year and self.year != other.year:
            return False
        if self.kind and other.kind and "*" not in (self.kind, other.kind) and self.kind != other.kind:
            return False
        return not (self.issuer and other.issuer and self.issuer != other.issuer)


_TYPE_ALTS = "|".join(sorted((w.replace(" ", r"\s+") for w in DOC_TYPE_WORDS), key=len, reverse=True))
# Over `al`: optional type word (+ "số"), a number, an optional "/2019", then code parts.
_DOC_REF_RE = re.compile(
    rf"(?<![a-z0-9])(?:(?P<type>{_TYPE_ALTS})\s*(?:so\s*)?)?(?<![\d.,/-])(?P<num>\d{{1,5}})"
    r"(?:\s*/\s*(?P<year>(?:19|20)\d\d))?(?P<code>(?:\s*[-/]\s*[a-z]+\d*){1,3})?(?![\w.,]\d|\w)"
)


_PERIOD_AFTER_RE = re.compile(r"\s*(?:thang|nam|quy|tuan)\b")


def _find_doc_refs(al: str) -> list[tuple[DocRef, tuple[int, int]]]:
    """Every document reference in folded text with its span."""
    out: list[tuple[DocRef, tuple[int, int]]] = []
    for m in _DOC_REF_RE.finditer(al):
        type_word, num, code = m.group("type"), m.group("num"), m.group("code")
        parts = re.findall(r"[a-z]+", code or "")
        kind = DOC_TYPE_WORDS[" ".join(type_word.split())] if type_word else None
        issuer_parts = parts
        if parts and parts[0] in DOC_TYPE_CODES:
            kind, issuer_parts = parts[0], parts[1:]  # the printed code beats the spoken type
        if type_word is None and not (
            len(parts) >= 2 or (parts and (parts[0] in DOC_TYPE_CODES or m.group("year")))
        ):
            continue  # a bare number is no document reference ("26/2023/QH15", a law's, is one)
        if not parts and re.fullmatch(r"(?:19|20)\d\d", num):
            continue  # "kế hoạch 2025" is a year
        if not parts and "/" not in m.group(0) and _PERIOD_AFTER_RE.match(al, m.end()):
            # "báo cáo 6 tháng", "kế hoạch 5 năm": a period, not a number ("nghị định 03/2026 quỹ …" is one).
            continue
        issuer = "-".join(issuer_parts) or None
        out.append((DocRef(kind, num.lstrip("0") or "0", issuer, m.group("year")), m.span()))
    return out


# --- the catalog -----------------------------------------------------------------------


def _initials(part: str) -> str:
    return "".join(w[0] for w in _key(part).split() if w)


_LOOSE_TAIL_RE = re.compile(r"\s(?:co )?lien quan$")


def _variant_of(key: str, known: str) -> bool:
    """A spelling of an agency already seen: a longer form of it ("so tai chinh tinh"), or the same
    words with some left out ("ubnd cac huyen thanh pho lien quan" of "ubnd cac huyen thi xa thanh pho")."""
    if len(known.split()) >= 2 and key.startswith(known + " "):
        return True
    words, known_words = _LOOSE_TAIL_RE.sub("", key).split(), known.split()
    if len(words) < 4 or words[:2] != known_words[:2] or len(words) >= len(known_words):
        return False
    it = iter(known_words)
    return all(w in it for w in words)


def _split_head(key: str) -> tuple[str, str] | None:
    """('so', 'ke hoach va dau tu') for 'so ke hoach va dau tu'; None without a known head."""
    for head in _AGENCY_HEAD_KEYS:
        if key.startswith(head + " "):
            return head, key[len(head) + 1 :]
    return None


def _generated_aliases(key: str) -> set[str]:
    """Short forms officials write for an agency, generated from its name (no list of bodies).

    'so ke hoach va dau tu' -> 'so ke hoach' (a prefix), 'so khdt', 'skhdt', 'so kh dt',
    'so kh va dt', 'so kh' ; 'cuc quan ly thi truong tinh' -> 'cuc qltt';
    'van phong tinh uy' -> 'vptu'; 'cac so ban nganh' -> 'so ban nganh'.
    """
    out = {key}
    if key.startswith("cac "):
        out.add(key[4:])
    split = _split_head(key)
    if split is None:
        return out
    head, rest = split
    words = rest.split()
    for n in range(2, len(words)):  # prefixes keep two words after the head at least
        if words[n - 1] != "va":
            out.add(" ".join([head, *words[:n]]))
    core = _SCOPE_RE.sub("", " " + rest).strip() or rest
    parts = [p.strip() for p in core.split(" va ") if p.strip()]
    inits = [_initials(p) for p in parts]
    joined = "".join(inits)
    head_init = head if head in AGENCY_ABBREVIATIONS else _initials(head)  # "BCH" stays "bch"
    if len(joined) >= 2:
        out |= {f"{head} {joined}", f"{head_init}{joined}"}
        if len(inits) > 1:
            out |= {f"{head} " + " ".join(inits), f"{head} " + " ".join(inits[:-1]) + " va " + inits[-1]}
            out |= {f"{head} {inits[0]}", f"{head_init}{inits[0]}"}  # "Sở NN", "SNN"
        pairs = [joined[i : i + 2] for i in range(0, len(joined), 2)]
        if len(pairs) > 1:
            out.add(f"{head} " + " ".join(pairs))  # "Sở GT-VT", "Sở NN-PT-NT"
    return {a for a in out if len(a.replace(" ", "")) >= 3}


def _alias_variants(alias: str) -> set[str]:
    """The alias with every abbreviation in both its short and its spelled-out form."""
    words = alias.split()
    expand = {v: k for k, v in AGENCY_ABBREVIATIONS.items()}
    text = " " + alias + " "
    slots: list[tuple[str, ...]] = []
    for w in words:
        slots.append((w, AGENCY_ABBREVIATIONS[w]) if w in AGENCY_ABBREVIATIONS else (w,))
    out = {" ".join(c) for c in product(*slots)}
    for long, short in expand.items():
        if f" {long} " in text:
            out.add(text.replace(f" {long} ", f" {short} ").strip())
    out |= {a.replace(" va ", " ") for a in out if " va " in a}
    return out


class Catalog:
    """What question matching needs, precomputed from the parsed corpus."""

    def __init__(self) -> None:
        self.infos: dict[str, DocumentInfo] = {}
        self.task_ids: dict[str, tuple[str, ...]] = {}
        self.gaps: dict[str, tuple[NumberingGap, ...]] = {}
        self.docs_by_province: dict[str, tuple[str, ...]] = {}
        self.national_docs: tuple[str, ...] = ()  # documents of no province (a ministry's, the government's)
        self.agency_variants: dict[str, tuple[str, ...]] = {}  # canonical -> raw spellings in tasks
        self._id_keys: dict[str, list[tuple[str, str, str]]] = {}
        self._numbers: list[tuple[DocRef, str]] = []
        self._implements: list[tuple[DocRef, str, tuple[str, ...]]] = []
        self._cited: dict[str, list[DocRef]] = defaultdict(list)
        self._doc_aliases: list[tuple[re.Pattern[str], str, bool]] = []  # (pattern, doc id, loose)
        self._agency_by_key: dict[str, str] = {}
        self._agency_by_alias: dict[str, str] = {}
        self._agency_re: re.Pattern[str] | None = None

    @classmethod
    def from_documents(cls, docs: Sequence[ParsedDocument]) -> Catalog:
        """Build the catalog: document aliases, agency names, task ids and gaps per document."""
        cat = cls()
        provinces: dict[str, list[str]] = defaultdict(list)
        implementers: dict[str, list[str]] = defaultdict(list)
        for d in docs:
            info = d.info
            cat.infos[info.doc_id] = info
            cat.task_ids[info.doc_id] = tuple(t.task_id for t in d.tasks)
            cat._id_keys[info.doc_id] = [
                (tid, _id_key(tid), _id_key(tid, True)) for tid in cat.task_ids[info.doc_id]
            ]
            cat.gaps[info.doc_id] = tuple(d.gaps)
            province = info.province or province_of(d.header.issuer, info.issuer, info.title, _opening(d))
            if province:
                provinces[province].append(info.doc_id)
            if info.number:
                for ref, _ in _find_doc_refs(fold(info.number)):
                    cat._numbers.append((ref, info.doc_id))
            for imp in info.implements:
                implementers[imp].append(info.doc_id)
            if info.short_title and _distinctive(info.short_title):
                cat._doc_aliases.append((_words_re([_key(info.short_title)]), info.doc_id, False))
            text = fold(info.title + "\n" + "\n".join(c.text for c in d.clauses))
            for ref, _ in _find_doc_refs(text):
                cat._cited[ref.number].append(ref)
        for imp, ids in implementers.items():
            for ref, _ in _find_doc_refs(fold(imp)):
                cat._implements.append((ref, imp, tuple(ids)))
        cat._doc_aliases.extend(_title_aliases(docs))
        cat.docs_by_province = {p: tuple(ids) for p, ids in provinces.items()}
        placed = {d for ids in provinces.values() for d in ids}
        cat.national_docs = tuple(d.doc_id for d in docs if d.doc_id not in placed)
        cat._build_agencies(docs)
        return cat

    # agencies -------------------------------------------------------------------------

    def _build_agencies(self, docs: Sequence[ParsedDocument]) -> None:
        tasks = [t for d in docs for t in d.tasks]
        raw = Counter(a for t in tasks for a in t.lead + t.coordinating)
        raw.update({a: 0 for t in tasks for a in t.directing + t.implementing if a not in raw})
        variants: dict[str, list[str]] = defaultdict(list)
        weight: Counter[str] = Counter()
        canon_keys: list[tuple[str, str]] = []  # (key, canonical), most frequent first
        for name, n in raw.most_common():
            key = _key(name)
            canon = self._agency_by_key.get(key) or next(
                (c for k, c in canon_keys if _variant_of(key, k)), name
            )
            if key not in self._agency_by_key:
                canon_keys.append((key, canon))
            self._agency_by_key[key] = canon
            variants[canon].append(name)
            weight[canon] += n
        self.agency_variants = {c: tuple(v) for c, v in variants.items()}
        owners: dict[str, set[str]] = defaultdict(set)
        for key, canon in self._agency_by_key.items():
            for alias in _generated_aliases(key):
                for variant in _alias_variants(alias):
                    owners[variant].add(canon)
        self._agency_by_alias = {}
        for alias, names in owners.items():
            if len(alias) < 3:
                continue
            ranked = sorted(names, key=lambda c: -weight[c])
            # An alias two agencies share names neither, unless one is assigned far more often
            # ("UBND các huyện" for the district UBNDs rather than a rare spelling of them).
            if len(ranked) == 1 or weight[ranked[0]] >= 2 * max(weight[ranked[1]], 1):
                self._agency_by_alias[alias] = ranked[0]
        self._agency_re = _words_re(re.escape(a).replace(r"\ ", " ") for a in self._agency_by_alias)

    def canonical_agency(self, name: str) -> str | None:
        """Canonical name for an agency as written in a task record (or typed), else None."""
        key = _key(name)
        return self._agency_by_key.get(key) or self._agency_by_alias.get(key)

    def find_agencies(self, tok: str, low: str = "") -> list[tuple[str, tuple[int, int]]]:
        """Canonical agencies named in `tok` text, with spans, in order.

        `low` (the accented view) vetoes "số"/"sổ" read as "sở": "số kế hoạch" is no Sở.
        """
        assert self._agency_re is not None
        out = []
        for m in self._agency_re.finditer(tok):
            canon = self._agency_by_alias.get(" ".join(m.group().split()))
            if canon and not (low and _SO_NUMBER_RE.match(low, m.start())):
                out.append((canon, m.span()))
        return out

    # documents ------------------------------------------------------------------------

    def title_words(self, doc_id: str) -> frozenset[str]:
        """The folded words of a document's title, but the words naming its type."""
        info = self.infos[doc_id]
        return frozenset(_key(info.title).split()) - frozenset(_key(info.doc_type or "").split())

    def doc_alias_spans(self, tok: str) -> list[tuple[str, tuple[int, int], bool]]:
        """Short-title and title-word aliases found in `tok` text, each flagged loose when made of
        title words only."""
        out = []
        for rx, doc_id, loose in self._doc_aliases:
            out.extend((doc_id, m.span(), loose) for m in rx.finditer(tok))
        return sorted(out, key=lambda x: x[1])

    def docs_with_number(self, ref: DocRef) -> list[str]:
        """Corpus documents whose own number is `ref`.

        A decision or resolution that issues a plan is also called by the plan's type ("Kế hoạch
        1339" for "Nghị quyết 1339/NQ-UBTVQH15 ban hành Kế hoạch …"): with the same number and
        issuer, a type named in the document's title matches too.
        """
        exact = [doc_id for r, doc_id in self._numbers if r.matches(ref)]
        if exact or not ref.kind or ref.kind == "*":
            return exact
        out = []
        for r, doc_id in self._numbers:
            if r.number == ref.number and r.matches(DocRef(None, ref.number, ref.issuer)):
                title = fold(self.infos[doc_id].title)
                if any(
                    code == ref.kind and re.search(rf"(?<![a-z]){word}(?![a-z])", title)
                    for word, code in DOC_TYPE_WORDS.items()
                ):
                    out.append(doc_id)
        return out

    def implemented(self, ref: DocRef) -> tuple[str, tuple[str, ...]] | None:
        """(canonical reference, implementing doc ids) when some document implements `ref`."""
        for r, text, ids in self._implements:
            if r.matches(ref):
                return text, ids
        return None

    def is_cited(self, ref: DocRef) -> bool:
        """True when the corpus text mentions `ref` (a legitimate lookup subject)."""
        return any(r.matches(ref) for r in self._cited.get(ref.number, ()))

    # tasks ----------------------------------------------------------------------------

    def resolve_task_ref(self, doc_id: str, ref: str, *, loose_d: bool = False) -> list[str]:
        """Concrete task ids of `doc_id` that a reference names.

        Exact id and its sub-items first ("II.2.b" -> II.2.b, II.2.b(2); "III.2" ->
        III.2-1 ...; "5" -> 5.1 ...); when none, a reference without a roman part matches
        under any roman section ("2.b" -> II.2.b, II.2.b(2)). `loose_d` lets "d" match "đ"
        (the question was typed without diacritics).
        """
        key = _id_key(ref, loose_d)
        keys = [(tid, loose if loose_d else strict) for tid, strict, loose in self._id_keys.get(doc_id, ())]
        hits = [tid for tid, k in keys if _id_under(k, key)]
        if hits or _ROMAN_HEAD_RE.match(key):
            return hits
        return [tid for tid, k in keys if (m := _ROMAN_HEAD_RE.match(k)) and _id_under(k[m.end() :], key)]


_ROMAN_HEAD_RE = re.compile(r"[ivx]{1,4}\.")
_SO_NUMBER_RE = re.compile(r"s[ốổỗộồ]\b")


def _id_key(task_id: str, loose_d: bool = False) -> str:
    key = task_id.strip().casefold()
    return key.replace("đ", "d") if loose_d else key


def _id_under(candidate: str, ref: str) -> bool:
    return candidate == ref or (candidate.startswith(ref) and candidate[len(ref)] in ".-(")


# --- task ids --------------------------------------------------------------------------

_LETTER = r"(?P<letter>dd|[a-z])(?![a-z0-9])\)?"
_LINK = r"\s*,?\s*(?:(?:cua|thuoc|trong|tai|o)\s+)?"
# "điểm b mục 2", "điểm đ khoản 2 mục II", "điểm b) khoản 2, mục II".
_POINT_RE = re.compile(
    rf"(?<![a-z0-9])(?:diem|tiet)\s+{_LETTER}{_LINK}(?:khoan|muc|tieu muc|phan|so)\s+(?P<num>\d{{1,2}})"
    rf"(?!\d|[.,/]\d)(?:{_LINK}(?:muc|phan|chuong)\s+(?P<top>[ivx]{{1,4}}|\d{{1,2}})(?![a-z0-9]))?"
)
# "mục 2 điểm b".
_POINT_AFTER_RE = re.compile(
    rf"(?<![a-z0-9])(?:khoan|muc|tieu muc)\s+(?P<num>\d{{1,2}})\s*,?\s+(?:diem|tiet)\s+{_LETTER}"
)
# "khoản 2 mục II", "mục 2 phần III".
_ITEM_IN_SECTION_RE = re.compile(
    rf"(?<![a-z0-9])(?:khoan|muc|tieu muc)\s+(?P<num>\d{{1,2}}){_LINK}(?:muc|phan|chuong)\s+"
    r"(?P<top>[ivx]{1,4})(?![a-z0-9])"
)
_ID_BODY = r"(?:[ivx]{1,4}\.)?\d{1,2}(?:\.\d{1,2}){0,2}(?:\.(?:dd|[a-z]))?(?:\(\d{1,2}\))?(?:-\d{1,2})?"
_ID_END = r"(?![\w/]|[.,]\d|-[a-z])"
# Dotted ids standing alone: "5.4", "II.2.đ-1", "III.2-3", "II.2.b(2)", "VI.2".
_DOTTED_RE = re.compile(rf"(?<![\w.,/-])(?P<id>{_ID_BODY}){_ID_END}")
# A cue word before a bare number or roman numeral: "nhiệm vụ 7", "nv số 3.6", "phần III".
# "nhiệm vụ 6 tháng cuối năm", "nhiệm vụ năm 2026": a number counting a time is no task's.
_DURATION = r"(?!\s+(?:thang|nam|ngay|tuan|quy)\b)"
_CUED_RE = re.compile(
    rf"(?<![a-z0-9]){TASK_CUES}\s*(?:(?:so|thu)\s+)?(?P<id>{_ID_BODY}|[ivx]{{1,4}}){_ID_END}{_DURATION}"
    rf"(?P<more>(?:\s*(?:,|va|hoac)\s*\d{{1,2}}(?:\.\d{{1,2}})?{_ID_END})*)"
)
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def _canonical_id(low: str) -> str:
    """'ii.2.dd' -> 'II.2.đ': roman part upper-cased, letters from the accented view."""
    text = low.replace(".dd", ".đ")
    m = _ROMAN_HEAD_RE.match(text)
    if m:
        return text[: m.end()].upper() + text[m.end() :]
    return text.upper() if re.fullmatch(r"[ivx]{1,4}", text) else text


def _letter(v: _Views, m: re.Match[str]) -> str:
    s, e = m.span("letter")
    return "đ" if m.group("letter") == "dd" else v.low[s:e]


def _top(raw: str | None) -> str | None:
    if raw is None:
        return None
    return _ROMAN.get(int(raw), raw) if raw.isdigit() else raw.upper()


def _find_task_ids(v: _Views, blocked: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int]]]:
    """Task references (canonical id, span) in question order."""
    found: list[tuple[int, str, tuple[int, int]]] = []
    taken = list(blocked)

    def add(start: int, task_id: str, span: tuple[int, int]) -> None:
        if not _overlaps(span, taken):
            found.append((start, task_id, span))
            taken.append(span)

    for m in _POINT_RE.finditer(v.al):
        top = _top(m.group("top"))
        add(m.start(), f"{top + '.' if top else ''}{m.group('num')}.{_letter(v, m)}", m.span())
    for m in _POINT_AFTER_RE.finditer(v.al):
        add(m.start(), f"{m.group('num')}.{_letter(v, m)}", m.span())
    for m in _ITEM_IN_SECTION_RE.finditer(v.al):
        add(m.start(), f"{_top(m.group('top'))}.{m.group('num')}", m.span())
    for m in _CUED_RE.finditer(v.al):
        s, e = m.span("id")
        raw = v.low[s:e]
        if re.fullmatch(r"[ivx]{1,4}", v.al[s:e]) and (raw != v.al[s:e] or not v.norm[s:e].isupper()):
            # "phần vi" is a word and "mục vị trí" holds one: roman numerals alone are typed in capitals
            continue
        add(m.start(), _canonical_id(raw), (m.start(), e))
        for extra in re.finditer(r"\d{1,2}(?:\.\d{1,2})?", m.group("more")):
            xs = m.start("more") + extra.start()
            add(xs, extra.group(), (xs, xs + len(extra.group())))
    for m in _DOTTED_RE.finditer(v.al):
        raw = m.group("id")
        if "." not in raw and "-" not in raw:
            continue  # a bare number needs a cue word
        if "." not in raw.split("-")[0] and not _ROMAN_HEAD_RE.match(raw):
            continue  # "12-3" is no id
        if re.search(VALUE_BEFORE, v.al[: m.start()]) or re.match(VALUE_UNITS, v.al[m.end() :]):
            continue  # "đạt 8.5", "5.4 triệu tấn": a figure
        s, e = m.span("id")
        add(m.start(), _canonical_id(v.low[s:e]), m.span())
    return [(task_id, span) for _, task_id, span in sorted(found)]


# --- the analysis ----------------------------------------------------------------------


@dataclass
class QueryAnalysis:
    """Everything `analyze` read from one question."""

    question: str
    normalized: str
    folded: str
    intent: Intent
    intents: list[str] = field(default_factory=list)  # every intent cue found, primary first
    document_fact: DocumentFact | None = None  # for intent == "document"
    roles: list[str] = field(default_factory=list)  # "lead"/"coordinating" asked about
    task_ids: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    loose_doc_ids: list[str] = field(default_factory=list)  # of doc_ids, those named by title words only
    implements_refs: list[str] = field(default_factory=list)  # e.g. "29-NQ/TW" (several implementers)
    cited_refs: list[str] = field(default_factory=list)  # other documents the corpus cites
    unknown_doc_refs: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    province: str | None = None  # the one province named (None when none or both)
    provinces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # ISO dates the question names ("trước ngày 10/01/2025")
    figure_terms: list[str] = field(default_factory=list)
    keywords: str = ""
    has_diacritics: bool = True
    # What is searched for: the question without the names of the documents it is scoped to (their
    # number and title words match only the document's header, not the clause asked about).
    search_text: str = ""
    frame: Frame | None = None  # where the wh-word stands to the predicate (frames.py)
    asks_duties: bool = False  # "Ban Chỉ đạo có nhiệm vụ gì": the duties of a body, listed under a heading
    post_of: str | None = None  # "Bộ trưởng Bộ Tài chính giữ vai trò gì": whose post is asked (folded)
    # What the answer paths read of the question, decided here once (read on the folded question).
    asks_list: bool = False  # "những ngành nào", "gồm những gì": several things are asked
    asks_owner: bool = False  # "ai chủ trì triển khai kế hoạch": who leads the document as a whole
    has_wh_word: bool = False  # a question word; without one the question is keywords
    unit_kind: str | None = None  # the unit of the figure asked ("percent", "money", …)
    asked_measure: str | None = None  # the noun a figure counts in ("nam" of "tối đa bao nhiêu năm")
    asked_document_kind: str | None = None  # the kind of document asked to be named ("van ban": any)
    named_document_kind: str | None = None  # the first kind of document the question names
    expected_kinds: list[str] = field(default_factory=list)  # kinds of value that answer (answer_types)
    words: list[str] = field(default_factory=list)  # the folded question's words, once each

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def says(self, words: str) -> bool:
        """Whether the folded question holds `words` (folded, a pattern) as whole words."""
        return re.search(rf"(?<![a-z]){words}(?![a-z])", self.folded) is not None


_CUE_RES = {intent: _words_re(cues) for intent, cues in INTENT_CUES.items()}
_ASKS_FIGURE_RE = _words_re(
    [
        "bao nhieu",
        "muc nao",
        "la may",
        "bao xa",
        "bao lau",
        "ti le nao",
        "ty le nao",
        "(toi thieu|it nhat) may",
    ]
)
_WHO_RE = _words_re(["ai", "(KINDS) nao", "voi ai", "cung ai"])
# "<a body> có nhiệm vụ gì", "… làm những việc gì", "nhiệm vụ của …": the duties of a body.
_ASKS_DUTY_RE = re.compile(
    r"\b(?:nhiem vu|trach nhiem|chuc nang|cong viec|viec) (?:gi|nao|la gi)\b"
    r"|\blam (?:gi|nhung gi|nhung viec gi)\b"
    r"|\b(?:nhiem vu|trach nhiem|chuc nang)(?: cu the)? cua\b"
)
# "<a person or an office> giữ chức vụ/vai trò gì (trong …)", "… là gì trong Ban …": the post held.
_ASKS_POST_RE = re.compile(
    r"^(?:ong |ba |dong chi )?(?P<who>.+?) (?:giu|dam nhiem|co|la|duoc phan cong|duoc giao)"
    r" (?:chuc vu|vai tro|vi tri|chuc danh|nhiem vu) gi\b"
)
_HOLDER_RE = _words_re(
    [
        "ai (la|lam|giu chuc|dam nhiem) (pho )?(truong ban|truong doan|chu tich|giam doc|bo truong|"
        "thu truong|chanh van phong|to truong|chu nhiem|bi thu|thu ky|uy vien)",
    ]
)
_PERCENT_RE = re.compile(r"\d\s*%|%")
_LISTING_RE = _words_re(LISTING_CUES)
_LISTING_AGENCY_RE = _words_re(LISTING_AGENCY_CUES)
_ROLE_RES = {role: _words_re(cues) for role, cues in ROLE_CUES.items()}
_DOC_WORDS_RE = re.compile(DOC_WORDS)
_FACT_RES = [(fact, _words_re([cue]), needs_doc) for fact, cue, needs_doc in DOCUMENT_FACT_CUES]
_YEAR_RE = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d]|[.,]\d|\s*[-/]\s*[a-z])")
_CONTAINER_RE = re.compile(r"(?<![a-z0-9])(?:trong|cua|thuoc|tai|o)\s+$")
_TOKEN_RE = re.compile(r"\w+(?:[.,/&\-]\w+)*(?:\(\d{1,2}\))?|%")
_TASK_INTENTS = {*TASK_FIELDS, Intent.LISTING}
# Folded, so "đâu"/"mấy" are asked only in their question phrases ("đầu người", "nhà máy" fold alike).
_WH_RE = re.compile(
    r"\b(?:ai|gi|nao|(?:o|tai|den|tu) dau|vi sao|tai sao|bao gio|bao nhieu|(?:so|la) may|the nao|ra sao)\b|\?"
)
# The kind of document a question describes ("kế hoạch phát triển kinh tế tư nhân … số mấy"), folded.
_DOC_KIND_RE = re.compile(rf"\b(?:{'|'.join(fold(n).lower() for n in doc_type_names())})\b")
_WORDS_RE = re.compile(r"[a-z0-9]+")
# Fewest words a question without its document's name must keep to be searched without that name.
MIN_SEARCH_WORDS = 4


def _document_fact(tok: str, names_doc: bool, has_task: bool) -> str | None:
    doc_word = names_doc or bool(_DOC_WORDS_RE.search(tok))
    for fact, rx, needs_doc in _FACT_RES:
        if has_task and fact != "signer":
            continue  # with a task id, "ban hành ... khi nào" is the task's deadline
        if needs_doc and not doc_word:
            continue
        m = rx.search(tok)
        if m and not _ATTRIBUTE_RE.search(tok[: m.start()]):
            if fact == "issuer" and _PREDICATE_NOUN_RE.search(tok[: m.start()]):
                continue  # "Thông báo 88 là kết luận của ai": whose conclusion, not who issued it
            return fact
    return None


# "… là <noun> của ai": the noun after the copula is what belongs to someone, not the document.
_PREDICATE_NOUN_RE = re.compile(r"(?<![a-z])la(?: [a-z_]+){1,4} $")


# Attributes a policy document does not state about its issuer or signer ("số điện thoại của cơ quan
# ban hành"): asked with them, the fact cue names whose attribute it is, not the fact asked.
_ATTRIBUTE_RE = _words_re(
    [
        "so dien thoai",
        "dien thoai",
        "dia chi",
        "email",
        "thu dien tu",
        "fax",
        "website",
        "trang web",
        "ma so thue",
        "tai khoan",
        "tuoi",
        "que quan",
        "ngay sinh",
    ]
)


def _cue_hits(tok: str) -> list[str]:
    """Task-field intents whose cues occur, earliest first (longer cue first at one start)."""
    hits: list[tuple[int, int, str]] = []
    for intent, rx in _CUE_RES.items():
        m = rx.search(tok)
        if m:
            hits.append((m.start(), -(m.end() - m.start()), intent))
    pct = _PERCENT_RE.search(tok)
    if pct:
        hits.append((pct.start(), -1, "figure"))
    return [intent for _, _, intent in sorted(hits)]


# Words that end an agency name typed in a question ("Sở Y tế | chủ trì những nhiệm vụ nào").
_AGENCY_END = frozenset(
    "chu phoi phu nhung nhiem gi nao co la duoc thuc trong cua theo ve lam dam chiu can phai da se dang "
    "bao khi o tai voi cung cho chi".split()
)
_NUMBER_WORDS = frozenset(
    "hieu luong lieu tien nguoi du thu quyet van nha la ke muc vu nam ngay phan".split()
)
_NAMED_HEADS = ("so", "bo", "cuc", "ubnd", "uy ban nhan dan", "cong an", "ban quan ly", "tong cuc")


def _unknown_agencies(v: _Views, skip: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int]]]:
    """Agencies named in the question that no document assigns work to ("Sở Y tế", "UBND tỉnh"):
    a head word and the words up to the question's own words, as typed."""
    out = []
    pattern = r"(?<![a-z0-9])(?:" + "|".join(_NAMED_HEADS) + r")(?:\s+[a-z0-9]+){1,4}"
    for m in re.finditer(pattern, v.tok):
        if _overlaps(m.span(), skip) or (_SO_NUMBER_RE.match(v.low, m.start())):
            continue
        words = m.group().split()
        head_len = next(len(h.split()) for h in _NAMED_HEADS if m.group().startswith(h + " "))
        keep = head_len
        for w in words[head_len:]:
            if w in _AGENCY_END:
                break
            keep += 1
        if keep == head_len:
            continue
        # Typed without marks, "so"/"bo" may be số/bộ: ask for a two-word name that is no số-phrase.
        if words[0] in ("so", "bo") and v.low[m.start() : m.start() + 2] in ("so", "bo"):
            if keep - head_len < 2 or words[1] in _NUMBER_WORDS:
                continue
        end = m.start() + len(" ".join(words[:keep]))
        out.append((" ".join(v.norm[m.start() : end].split()), (m.start(), end)))
    return out


def analyze(question: str, catalog: Catalog) -> QueryAnalysis:
    """Read intent, task ids, documents, agencies, province, years and key terms of a question.

    Unknown document references (`unknown_doc_refs`): an explicit reference ("Kế hoạch 999",
    "Quyết định 123/QĐ-UBND") that is neither a corpus document's own number nor a document
    the corpus implements, AND either
      - the corpus text never mentions it, or
      - the question asks for that document's own facts (intent "document"), or
      - it asks for tasks inside it: a task id with no corpus document named, or a task
        intent with the reference introduced by "trong/của/thuộc/tại/ở".
    Any other such reference is a document the corpus cites ("Quyết định số 1881/QĐ-TTg"):
    a legitimate lookup subject, reported in `cited_refs`.
    """
    normalized = normalize_text(question)
    v = _views(normalized)
    marks = has_diacritics(normalized)

    # Documents. A numbered reference that resolves beats a hand alias over the same words
    # ("Kế hoạch 37-CTr/TU"); a hand alias beats one that does not ("Kế hoạch 37").
    named: list[tuple[int, str]] = []  # (start, doc_id), sorted into question order below
    doc_spans: list[tuple[int, int]] = []
    implements_refs: list[str] = []
    pending: list[tuple[DocRef, tuple[int, int]]] = []
    numbered = _find_doc_refs(v.al)
    for ref, span in numbered:
        own = catalog.docs_with_number(ref)
        implemented = None if own else catalog.implemented(ref)
        if own:
            named.extend((span[0], d) for d in own)
        elif implemented:
            text, ids = implemented
            implements_refs.append(text)
            if len(ids) == 1:
                named.append((span[0], ids[0]))  # the only document implementing it
        else:
            pending.append((ref, span))
            continue
        doc_spans.append(span)
    loose: set[str] = set()  # named by title words or province only: evidence, not a scope
    firm: set[str] = {d for _, d in named}
    for doc_id, span, by_words in catalog.doc_alias_spans(v.tok):
        if not _overlaps(span, doc_spans):
            doc_spans.append(span)
            named.append((span[0], doc_id))
            # Many of its title's words in a row name the document itself ("Nghị quyết Hội nghị Tỉnh ủy
            # lần thứ 3"); three may be the subject of a task ("nghị quyết về đẩy mạnh phát triển …").
            said = set(v.tok[span[0] : span[1]].split()) & catalog.title_words(doc_id)
            (loose if by_words and len(said) < FIRM_TITLE_WORDS else firm).add(doc_id)
    unresolved = [(ref, span) for ref, span in pending if not _overlaps(span, doc_spans)]
    doc_ids = list(dict.fromkeys(d for _, d in sorted(named)))
    implements_refs = list(dict.fromkeys(implements_refs))

    # Agencies (canonical names), then the province outside agency names.
    ref_spans = doc_spans + [span for _, span in unresolved]
    agency_hits = [h for h in catalog.find_agencies(v.tok, v.low) if not _overlaps(h[1], ref_spans)]
    if not agency_hits:
        agency_hits = _unknown_agencies(v, ref_spans)
    agencies: list[str] = []
    for canon, _ in agency_hits:
        if canon not in agencies:
            agencies.append(canon)
    masked = list(v.tok)
    for _, (s, e) in agency_hits:
        masked[s:e] = " " * (e - s)
    province_hits = find_provinces("".join(masked))
    provinces = list(dict.fromkeys(name for name, _ in province_hits))
    for name in provinces:
        only = catalog.docs_by_province.get(name, ())
        # The province's only document ("Quảng Nam"), unless national documents may speak of it too.
        if len(only) == 1 and only[0] not in doc_ids and not catalog.national_docs:
            doc_ids.append(only[0])
            loose.add(only[0])

    task_hits = _find_task_ids(v, ref_spans)
    task_ids = list(dict.fromkeys(tid for tid, _ in task_hits))
    task_spans = [span for _, span in task_hits]
    years = []
    for m in _YEAR_RE.finditer(v.al):
        if not _overlaps(m.span(), ref_spans) and int(m.group(1)) not in years:
            years.append(int(m.group(1)))

    # Intent.
    names_doc = bool(doc_ids or implements_refs or unresolved)
    fact = _document_fact(v.tok, names_doc, bool(task_ids))
    intents: list[str] = ["document"] if fact else []
    if not task_ids and (_LISTING_RE.search(v.tok) or (agencies and _LISTING_AGENCY_RE.search(v.tok))):
        intents.append("listing")
    # The words that name the document ("Theo công văn về cải thiện các chỉ số …, đơn vị nào được giao …")
    # scope the question; they say nothing of what it asks.
    unscoped = list(v.tok)
    for s, e in doc_spans:
        unscoped[s:e] = " " * (e - s)
    intents.extend(i for i in _cue_hits("".join(unscoped)) if i not in intents)
    # A percentage the question quotes names the target it asks about ("chỉ tiêu … 45% GRDP, ai chủ
    # trì"): with a who/when cue, the figure is the subject, not what is asked.
    if intents[:1] == ["figure"] and re.search(r"\d\s*%", v.tok) and not _ASKS_FIGURE_RE.search(v.tok):
        asked = [i for i in intents if i in ("lead", "coordinating", "deadline")]
        if asked:
            intents.remove(asked[0])
            intents.insert(0, asked[0])
    # "… đặt mục tiêu trở thành tỉnh công nghiệp vào năm nào": the target is the subject, its year is
    # asked (a figure is asked with "bao nhiêu", "mức nào", …).
    if intents[:1] == ["figure"] and "deadline" in intents and not _ASKS_FIGURE_RE.search(v.tok):
        intents.remove("deadline")
        intents.insert(0, "deadline")
    # "Những tỉnh nào phải giảm tối thiểu 10% …": the figure is the condition, the places are asked.
    if intents[:1] == ["figure"] and asks_list(v.tok) and not _ASKS_FIGURE_RE.search(v.tok):
        intents.remove("figure")
    # "Giá trị cà phê tham gia xuất khẩu … là bao nhiêu": a role word inside the measure's name; with no
    # who-word the question asks for the figure.
    if (
        "figure" in intents
        and intents[0] in ("lead", "coordinating")
        and _ASKS_FIGURE_RE.search(v.tok)
        and not _WHO_RE.search(v.tok)
    ):
        intents.remove("figure")
        intents.insert(0, "figure")
    # A question asking "when" whose role words name its subject ("quy chế phối hợp … ban hành khi
    # nào") asks for the deadline; "ai/cơ quan nào phối hợp" keeps asking for the agency.
    if "deadline" in intents and intents[0] in ("lead", "coordinating") and not _WHO_RE.search(v.tok):
        intents.remove("deadline")
        intents.insert(0, "deadline")
    # "Ai là Trưởng Ban Chỉ đạo …" asks who holds a post, which a clause states in words ("Chủ tịch
    # UBND tỉnh làm Trưởng ban"), not an agency leading a task.
    # A document named by its number is what the predicate is about, not part of it ("Thông tư 02/2021/TT-BTC
    # thay thế thông tư nào": the clause says "Thông tư này … thay thế …").
    frame = question_frame(_blank(v.al, [span for _, span in numbered])) or question_frame(v.al)
    asks_holder = bool(_HOLDER_RE.search(v.tok)) or (frame is not None and frame.holder)
    # "Hội đồng … báo cáo kết quả cho ai", "… gửi kết quả cho cơ quan nào": the wh-word stands after a
    # verb that is no role ("giao cho ai" is), so the body asked receives the action, while a task's lead
    # is the subject the question already names. What follows the same words in a clause answers.
    asks_receiver = (
        frame is not None
        and frame.side == "object"
        and not frame.role_verb
        and not _ROLE_RES["lead"].search(v.tok)
    )
    if intents[:1] == ["lead"] and (asks_holder or asks_receiver):
        intents.remove("lead")
    intent = Intent(intents[0]) if intents else Intent.LOOKUP
    roles = [r for r, rx in _ROLE_RES.items() if rx.search(v.tok)]
    if intent in ("lead", "coordinating") and intent not in roles:
        roles.insert(0, intent)

    # Unknown vs cited references (rule in the docstring).
    unknown: list[str] = []
    cited: list[str] = []
    for ref, (s, e) in unresolved:
        container = bool(_CONTAINER_RE.search(v.tok[:s]))
        # A cited document's date is printed where it is cited; its other facts are not.
        own_facts = (
            (intent == "document" and fact != "date")
            or bool(task_ids and not doc_ids)
            or (container and intent in _TASK_INTENTS)
        )
        text = normalized[s:e].strip()
        (unknown if not catalog.is_cited(ref) or own_facts else cited).append(text)

    # Key terms: references become their canonical form, question words go.
    task_reps = [(span, tid) for tid, span in task_hits]
    agency_reps = [(span, canon) for canon, span in agency_hits]
    keywords = _chunks(v, marks, doc_spans, agency_reps + task_reps, _STOP)
    figure_terms: list[str] = []
    if intent == "figure":
        cut = doc_spans + task_spans + [s for s, _ in agency_reps] + [span for _, span in province_hits]
        cut += [m.span() for m in _YEAR_RE.finditer(v.al)]
        figure_terms = [" ".join(c) for c in _chunks(v, marks, cut, [], _FIG_STOP, numbers_split=True)]
    search_text = _without(normalized, doc_spans) if doc_ids else normalized
    if len(_TOKEN_RE.findall(search_text)) < MIN_SEARCH_WORDS:
        # "Nghị định 293/2025/NĐ-CP thay thế nghị định nào về lương tối thiểu?" leaves "thay thế": too
        # little to rank the document's clauses by; its title words are better than none.
        search_text = normalized
    folded_q = fold(question)
    return QueryAnalysis(
        question=question,
        normalized=normalized,
        folded=folded_q,
        intent=intent,
        intents=intents,
        document_fact=cast("DocumentFact | None", fact if intent == Intent.DOCUMENT else None),
        roles=roles if intent in ("lead", "coordinating", "listing") else [],
        task_ids=task_ids,
        doc_ids=doc_ids,
        loose_doc_ids=[d for d in doc_ids if d in loose and d not in firm],
        implements_refs=implements_refs,
        cited_refs=cited,
        unknown_doc_refs=unknown,
        agencies=agencies,
        province=provinces[0] if len(provinces) == 1 else None,
        provinces=provinces,
        years=years,
        dates=_dates(v.al),
        figure_terms=figure_terms,
        keywords=" ".join(w for c in keywords for w in c),
        has_diacritics=marks,
        search_text=search_text,
        frame=frame,
        asks_duties=bool(_ASKS_DUTY_RE.search(folded_q)),
        post_of=post["who"] if (post := _ASKS_POST_RE.search(folded_q)) else None,
        asks_list=asks_list(folded_q),
        asks_owner=bool(ASKS_OWNER_RE.search(folded_q)),
        has_wh_word=bool(_WH_RE.search(folded_q)),
        unit_kind=unit_kind(normalized),
        asked_measure=asked_measure(folded_q),
        asked_document_kind=asked_document_kind(folded_q),
        named_document_kind=kind.group(0) if (kind := _DOC_KIND_RE.search(folded_q)) else None,
        expected_kinds=expected_kinds(intent, fact if intent == Intent.DOCUMENT else None, folded_q),
        words=list(dict.fromkeys(_WORDS_RE.findall(folded_q))),
    )


# --- stop-phrase stripping -------------------------------------------------------------


@dataclass(frozen=True)
class _StopTable:
    """Stop phrases indexed by their folded word tuples; accented forms kept for checking."""

    by_fold: dict[tuple[str, ...], list[tuple[str, ...]]]
    max_len: int


def _stop_table(*phrase_lists: Sequence[str]) -> _StopTable:
    by_fold: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for phrases in phrase_lists:
        for p in phrases:
            words = tuple(normalize_text(p).lower().split())
            if words:
                by_fold[tuple(fold(w) for w in words)].append(words)
    return _StopTable(dict(by_fold), max(len(k) for k in by_fold))


_STOP = _stop_table(STOP_PHRASES)
# Folded tokens ("chi_tieu", "bao_nhieu") of the words that frame a question rather than name its
# subject: a clause need not repeat them to answer it.
FRAME_TOKENS: frozenset[str] = frozenset(
    strip_diacritics(p).casefold().replace(" ", "_") for p in (*STOP_PHRASES, *FIGURE_STOP_PHRASES) if p
)
_FIG_STOP = _stop_table(STOP_PHRASES, FIGURE_STOP_PHRASES)


def _is_stop(tokens: list[tuple[str, str]], table: _StopTable, marks: bool, after: str) -> bool:
    """`tokens` (low, folded) form a stop phrase; `after` is the folded text that follows.

    In a question typed with diacritics the accented forms must match exactly ("đất" is
    not "đạt"); without diacritics the folded forms do, except ambiguous single words.
    """
    accented_forms = table.by_fold.get(tuple(f for _, f in tokens))
    if not accented_forms:
        return False
    if not marks:
        word = tokens[0][1]
        if len(tokens) > 1 or word not in FOLD_AMBIGUOUS:
            return True
        context = FOLD_AMBIGUOUS_BEFORE.get(word)
        return bool(context and re.match(context, after))
    return any(all(low == w for (low, _), w in zip(tokens, words, strict=True)) for words in accented_forms)


_NUMERIC_RE = re.compile(r"[\d.,/%()-]+")


_DATE_RES = (
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>(?:19|20)\d\d)(?!\d)"),
    re.compile(r"\bngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+(?P<y>(?:19|20)\d\d)\b"),
)


def _dates(folded: str) -> list[str]:
    """ISO dates written in a (folded) question, in order, without repeats."""
    found: list[tuple[int, str]] = []
    for rx in _DATE_RES:
        for m in rx.finditer(folded):
            d, mo, y = int(m["d"]), int(m["m"]), int(m["y"])
            if 1 <= d <= 31 and 1 <= mo <= 12:
                found.append((m.start(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return list(dict.fromkeys(iso for _, iso in sorted(found)))


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with `spans` cut out (whitespace collapsed); `text` itself when nothing would be left."""
    kept, at = [], 0
    for s, e in sorted(spans):
        kept.append(text[at:s])
        at = max(at, e)
    kept.append(text[at:])
    out = " ".join(" ".join(kept).split())
    return out if out.strip(" ?.,") else text


def _chunks(
    v: _Views,
    marks: bool,
    removed: list[tuple[int, int]],
    replaced: list[tuple[tuple[int, int], str]],
    table: _StopTable,
    *,
    numbers_split: bool = False,
) -> list[list[str]]:
    """Runs of content tokens: stop phrases and `removed` spans cut, `replaced` spans rewritten.

    With `numbers_split`, numeric tokens cut too (figure terms are noun phrases).
    """
    tokens = [
        (m.group(), v.low[m.start() : m.end()], v.al[m.start() : m.end()], m.span())
        for m in _TOKEN_RE.finditer(v.norm)
    ]
    chunks: list[list[str]] = [[]]
    done: set[tuple[int, int]] = set()
    i = 0
    while i < len(tokens):
        text, _, _, span = tokens[i]
        rep = next(((s, r) for s, r in replaced if _overlaps(span, [s])), None)
        if rep is not None:
            if rep[0] not in done:
                done.add(rep[0])
                chunks[-1].append(rep[1])
            i += 1
            continue
        if _overlaps(span, removed) or (numbers_split and _NUMERIC_RE.fullmatch(text)):
            chunks.append([])
            i += 1
            continue
        for n in range(min(table.max_len, len(tokens) - i), 0, -1):
            after = v.tok[tokens[i + n - 1][3][1] :]
            if _is_stop([(lw, f) for _, lw, f, _ in tokens[i : i + n]], table, marks, after):
                chunks.append([])
                i += n
                break
        else:
            chunks[-1].append(text)
            i += 1
    return [c for c in chunks if c]


# --- resolution helpers ----------------------------------------------------------------


def _scope(analysis: QueryAnalysis, catalog: Catalog, doc_ids: Sequence[str] | None) -> list[str]:
    if doc_ids:
        return list(doc_ids)
    return analysis.doc_ids or list(catalog.infos)


def resolve_task_ids(analysis: QueryAnalysis, catalog: Catalog, doc_id: str) -> list[str]:
    """Concrete task ids of `doc_id` the question's task references name (question order)."""
    out: list[str] = []
    for ref in analysis.task_ids:
        for tid in catalog.resolve_task_ref(doc_id, ref, loose_d=not analysis.has_diacritics):
            if tid not in out:
                out.append(tid)
    return out


def gap_for(analysis: QueryAnalysis, catalog: Catalog) -> list[tuple[str, str, NumberingGap]]:
    """(doc_id, task ref, gap) for references absent from a document but inside a known gap.

    "nhiệm vụ 2.3 kế hoạch 214" -> the appendix gap 2.1 .. 3.3. Documents named by the
    question, or every document when none is named.
    """
    out = []
    for doc_id in _scope(analysis, catalog, None):
        for ref in analysis.task_ids:
            if catalog.resolve_task_ref(doc_id, ref, loose_d=not analysis.has_diacritics):
                continue
            out.extend((doc_id, ref, g) for g in catalog.gaps.get(doc_id, ()) if g.contains(ref))
    return out


def missing_task_ids(
    analysis: QueryAnalysis, catalog: Catalog, doc_ids: Sequence[str] | None = None
) -> list[str]:
    """Task references found in none of `doc_ids` (default: the named documents, else all)."""
    scope = _scope(analysis, catalog, doc_ids)
    return [
        ref
        for ref in analysis.task_ids
        if not any(catalog.resolve_task_ref(d, ref, loose_d=not analysis.has_diacritics) for d in scope)
    ]
