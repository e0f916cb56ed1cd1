"""What question matching needs of the parsed corpus: document references and the documents they name,
title aliases, agency names with their generated short forms, task ids and numbering gaps per document.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import DocumentInfo, NumberingGap, ParsedDocument
from hoidap.corpus.vocab import (
    abbreviations,
    agency_heads,
    basis_opener,
    doc_type_codes,
    name_key,
    province_keys,
    province_of,
)
from hoidap.service.views import Views, folded_key, overlaps
from hoidap.service.vocabulary import patterns, vocabulary, words_re

_P = patterns()
_V = vocabulary()
_SCOPE_RE = _P.named["agency_scope"]  # where the scope of a name starts: cut before making initials
_PERIOD_AFTER_RE = _P.named["period_after"]
_LOOSE_TAIL_RE = _P.named["loose_tail"]
_SO_NUMBER_RE = _P.named["so_number"]
# Codes that open a document number's type part ("214/KH-UBND", "05/CT-TTg").
DOC_TYPE_CODES = frozenset(_V.doc_type_codes)
# Title words too common to name a document on their own (issuers name who wrote it, not which one it is).
_GENERIC_TITLE_WORDS = frozenset(_V.generic_title_words)
# Words that end an agency name typed in a question ("Sở Y tế | chủ trì những nhiệm vụ nào").
_AGENCY_END = frozenset(_V.agency_end_words)
_NUMBER_WORDS = frozenset(_V.number_words)
_NAMED_HEADS = tuple(_V.named_agency_heads)


# Document type words and the code each stands for ("văn bản" matches any type).
DOC_TYPE_WORDS: dict[str, str] = {**doc_type_codes(), "van ban": "*"}  # data: corpus/data/doc_types.json


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


OPENING_CLAUSES = 8  # clauses of a document's opening read for the body that issues it


def _opening(d: ParsedDocument) -> str:
    """The opening lines of a text whose letterhead was not read ("HỘI ĐỒNG NHÂN DÂN TỈNH HẬU GIANG" under
    the title of a resolution copied without it), without its basis ("Căn cứ …", which cites others)."""
    basis = re.compile(rf"^\s*{basis_opener()}", re.IGNORECASE)
    head = [c.text for c in d.clauses[:OPENING_CLAUSES] if c.breadcrumb == "Phần mở đầu"]
    return " ".join(t for t in head if not basis.match(t))


# Every document type's words ("Thông báo" alone, the short title of a notice whose title was not read,
# names any notice).
_TYPE_ALTS = "|".join(sorted((w.replace(" ", r"\s+") for w in DOC_TYPE_WORDS), key=len, reverse=True))
_TYPE_PHRASE_RE = re.compile(rf"(?<![a-z0-9])(?:{_TYPE_ALTS})(?![a-z0-9])")


# Syllables of province names: a place says where, not which document, but one syllable of a name ("hòa"
# of Khánh Hòa, "lao" of Lào Cai) is also an ordinary word ("hòa giải", "lao động").
_PLACE_SYLLABLES = frozenset(w for key in province_keys() for w in key.split())


def _distinctive(short_title: str) -> bool:
    """A short title that names one document: with a number, or two words that are not a document type's
    or an issuer's ("Quyết định" alone, the short title of a decision whose title was not read, is any)."""
    words = folded_key(short_title).split()
    untyped = _TYPE_PHRASE_RE.sub(" ", f" {' '.join(words)} ").split()
    own = [w for w in untyped if w not in _GENERIC_TITLE_WORDS]
    return any(w.isdigit() for w in words) or (len(own) >= 2 and not all(w in _PLACE_SYLLABLES for w in own))


def _type_words_of(d: ParsedDocument) -> str:
    """Regex alternation of the type words that may name `d`: its own type and the types its title names
    ("Quyết định ban hành Kế hoạch …"); "văn bản" names any. A question's "quyết định thành lập Hội đồng
    …" does not name a circular about that council."""
    title = f" {folded_key(d.info.title)} {folded_key(d.info.doc_type or '')} "
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
        words = folded_key(d.info.title).split()
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
        type_key = folded_key(d.info.doc_type or "")
        if m and type_key and type_key != "van ban":
            out.append((words_re([rf"{type_key} (?:so )?{m.group(1)}"]), d.doc_id, False))
    return out


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


# Over `al`: optional type word (+ "số"), a number, an optional "/2019", then code parts.
_DOC_REF_RE = re.compile(
    rf"(?<![a-z0-9])(?:(?P<type>{_TYPE_ALTS})\s*(?:so\s*)?)?(?<![\d.,/-])(?P<num>\d{{1,5}})"
    r"(?:\s*/\s*(?P<year>(?:19|20)\d\d))?(?P<code>(?:\s*[-/]\s*[a-z]+\d*){1,3})?(?![\w.,]\d|\w)"
)


def find_doc_refs(al: str) -> list[tuple[DocRef, tuple[int, int]]]:
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


def _initials(part: str) -> str:
    return "".join(w[0] for w in folded_key(part).split() if w)


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
                for ref, _ in find_doc_refs(fold(info.number)):
                    cat._numbers.append((ref, info.doc_id))
            for imp in info.implements:
                implementers[imp].append(info.doc_id)
            if info.short_title and _distinctive(info.short_title):
                cat._doc_aliases.append((words_re([folded_key(info.short_title)]), info.doc_id, False))
            text = fold(info.title + "\n" + "\n".join(c.text for c in d.clauses))
            for ref, _ in find_doc_refs(text):
                cat._cited[ref.number].append(ref)
        for imp, ids in implementers.items():
            for ref, _ in find_doc_refs(fold(imp)):
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
            key = folded_key(name)
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
        self._agency_re = words_re(re.escape(a).replace(r"\ ", " ") for a in self._agency_by_alias)

    def canonical_agency(self, name: str) -> str | None:
        """Canonical name for an agency as written in a task record (or typed), else None."""
        key = folded_key(name)
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
        return frozenset(folded_key(info.title).split()) - frozenset(folded_key(info.doc_type or "").split())

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
        if hits or ROMAN_HEAD_RE.match(key):
            return hits
        return [tid for tid, k in keys if (m := ROMAN_HEAD_RE.match(k)) and _id_under(k[m.end() :], key)]


ROMAN_HEAD_RE = re.compile(r"[ivx]{1,4}\.")


def _id_key(task_id: str, loose_d: bool = False) -> str:
    key = task_id.strip().casefold()
    return key.replace("đ", "d") if loose_d else key


def _id_under(candidate: str, ref: str) -> bool:
    return candidate == ref or (candidate.startswith(ref) and candidate[len(ref)] in ".-(")


def unknown_agencies(v: Views, skip: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int]]]:
    """Agencies named in the question that no document assigns work to ("Sở Y tế", "UBND tỉnh"):
    a head word and the words up to the question's own words, as typed."""
    out = []
    pattern = r"(?<![a-z0-9])(?:" + "|".join(_NAMED_HEADS) + r")(?:\s+[a-z0-9]+){1,4}"
    for m in re.finditer(pattern, v.tok):
        if overlaps(m.span(), skip) or (_SO_NUMBER_RE.match(v.low, m.start())):
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
