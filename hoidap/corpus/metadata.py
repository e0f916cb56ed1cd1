"""Document facts printed in the header and signature blocks."""

from __future__ import annotations

import re

from hoidap.corpus.agencies import AGENCY_START_RE
from hoidap.corpus.dates import BLANK_PLACE_DATE_RE, PLACE_DATE_RE, iso_text
from hoidap.corpus.normalize import fold
from hoidap.corpus.records import Block, DocumentInfo, HeaderFacts
from hoidap.corpus.structure import Placed
from hoidap.corpus.vocab import family_names, load, pattern, provinces

# "Số: 214/KH-UBND"; a law prints its kind before it ("Luật số: 26/2023/QH15").
NUMBER_RE = pattern("metadata.number")
_BASIS_INSIDE_RE = pattern("metadata.basis_inside")
DOC_TYPE_RE = pattern("metadata.doc_type")
ATTACHED_RE = pattern("metadata.attached")
SIGNER_KIND_RE = pattern("metadata.signer_kind")
BLANK_NUMBER_RE = pattern("metadata.blank_number")
BLANK_DATE_RE = BLANK_PLACE_DATE_RE
TITLE_WORDS: dict[str, str] = load("layout")["signer_titles"]  # data: corpus/data/layout.json
NAME_RE = pattern("metadata.name")
_DEGREES_OPENING_RE = pattern("metadata.degrees_opening")
_ISSUER_PARENT_RE = pattern("metadata.issuer_parent")


_MARKUP_RE = pattern("metadata.markup")
_SIGNATURE_NOISE_RE = pattern("metadata.signature_noise")
# How a motto line opens (folded): the issuer cell above it ends there.
_MOTTO_OPENERS = tuple(load("layout")["motto_openers"])
SIGNATURE_TAIL_BLOCKS = 15  # blocks at the end of a document's body where an unmarked signature may stand


def _signer_at_end(tail: list[Block], facts: dict[str, str], spans: dict) -> None:
    """A signature the layout did not mark, as laws and some Word files end: a title line opening with a
    signer's title ("CHỦ TỊCH QUỐC HỘI"), then the name, perhaps after an e-signature stamp line."""
    for i, b in enumerate(tail):
        title = " ".join(_MARKUP_RE.sub(" ", b.text).split())
        word = next((w for w in sorted(TITLE_WORDS, key=len, reverse=True) if title.startswith(w)), None)
        if word is None or not _caps(title) or len(title.split()) > 8:
            continue
        for nxt in tail[i + 1 : i + 4]:
            text = " ".join(_MARKUP_RE.sub(" ", nxt.text).split())
            noise = _SIGNATURE_NOISE_RE.match(text)
            if noise:  # a stamp line, or one that holds the name after its mark ("Đã ký: Vương Đình Huệ")
                text = text[noise.end() :].strip()
                if not NAME_RE.match(text):
                    continue
            if not text:
                continue
            if NAME_RE.match(text):
                rest = title[len(word) :].strip()  # the body the office heads: "QUỐC HỘI" -> "Quốc hội"
                facts["signer"] = text
                facts["signer_title"] = f"{TITLE_WORDS[word]} {proper_case(rest)}".strip()
                spans["signer"] = (nxt.char_start, nxt.char_end)
                spans["signer_title"] = (b.char_start, b.char_end)
                return
            break


def _signer_from_wrapped_name(sig: list[Block], facts: dict[str, str], spans: dict) -> None:
    """A signer title followed by a name broken over lines ("PHÓ CHỦ TỊCH" / "Bùi" / "Xuân Cường")."""
    for i, b in enumerate(sig):
        title = _MARKUP_RE.sub(" ", b.text).strip()
        if title not in TITLE_WORDS:
            continue
        parts: list[Block] = []
        for nxt in sig[i + 1 : i + 4]:
            words = _MARKUP_RE.sub(" ", nxt.text).split()
            if not words or not all(w[:1].isupper() and not w.isupper() for w in words):
                break
            parts.append(nxt)
        name = " ".join(" ".join(_MARKUP_RE.sub(" ", p.text).split()) for p in parts)
        if parts and NAME_RE.match(name):
            facts["signer"], facts["signer_title"] = name, TITLE_WORDS[title]
            spans["signer"] = (parts[0].char_start, parts[-1].char_end)
            spans["signer_title"] = (b.char_start, b.char_end)
            return


def proper_case(text: str) -> str:
    """Sentence case for an all-caps line, keeping province names capitalised."""
    from hoidap.corpus.structure import sentence_case

    out = sentence_case(text)
    if out == text:
        return text
    for name in provinces() + tuple(load("layout")["proper_names"]):
        out = re.sub(re.escape(name), name, out, flags=re.IGNORECASE)
    return out


def _title_facts(preamble: list[Block]) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(doc_type, title, span): the type line ('KẾ HOẠCH') and the subject lines after it."""
    for i, b in enumerate(preamble):
        text = b.text.strip()
        m = DOC_TYPE_RE.match(text)
        # The subject runs on in capitals, or (Party and mass organisations' layout) in lower case right
        # after the capitalised type word: "KẾ HOẠCH lãnh đạo cuộc bầu cử …"; "KẾ HOẠCH Này …" is not one.
        rest = m.group("rest") if m else None
        if not m or (rest and not _caps(rest) and not rest[:1].islower()):
            continue
        doc_type = proper_case(m.group("t"))
        subject: list[Block] = []
        if m.group("rest"):
            subject.append(Block(b.kind, m.group("rest"), b.char_start, b.char_end))
        for nb in preamble[i + 1 : i + 5]:
            t = nb.text.strip()
            inner = _BASIS_INSIDE_RE.search(t)
            if subject == [] and inner is not None:
                # A subject run on into the opening sentence ("… năm 2025 Thực hiện Kế hoạch số 2300 …"):
                # the subject ends where the basis begins.
                t = t[: inner.start()].rstrip()
                subject.append(Block(nb.kind, t, nb.char_start, nb.char_start + len(t)))
                break
            nested = DOC_TYPE_RE.match(t)
            if (
                t.startswith(("Căn cứ", "(", "Kính gửi"))
                # "Thực hiện Công văn số …," opens a letter's body; right under the type line, "Thực hiện
                # chương trình …" is the subject of a plan.
                or (t.startswith("Thực hiện") and (subject or t.endswith((",", ";")) or len(t) > 250))
                # Another bare type line; a subject may open with a type word ("HƯỚNG DẪN ÁP DỤNG …").
                or (nested and not (subject == [] and nested.group("rest") and len(t.split()) >= 4))
                or t.endswith(":")
                or pattern("metadata.metadata_line").match(t)  # a metadata line after the title
            ):
                break
            if not any(c.isalnum() for c in t):
                break  # a rule line ("-------") closes the title block
            if subject and _caps(t) and not _caps(subject[-1].text):
                break  # the issuer line after a mixed-case subject ("THỦ TƯỚNG CHÍNH PHỦ")
            if len(t) > 300:
                break
            subject.append(nb)
            if not _caps(t) or len(subject) >= 3 and not _caps(t):
                break
        if not subject:
            return doc_type, doc_type, (b.char_start, b.char_end)
        words = " ".join(x.text.strip() for x in subject)
        words = pattern("metadata.subject_prefix").sub("", words) if doc_type != "Công văn" else words
        body = proper_case(words) if _caps(words) else words
        body = body[:1].lower() + body[1:] if body[:2] != body[:2].upper() else body
        return doc_type, f"{doc_type} {body}", (b.char_start, subject[-1].char_end)
    for b in preamble:  # a letter: "V/v rà soát và chuẩn hóa ..."
        if b.text.startswith("V/v"):
            return "Công văn", "Công văn " + b.text.strip(), (b.char_start, b.char_end)
    return None, None, None


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _letterhead(preamble: list[Block], facts: dict[str, str], spans: dict[str, tuple[int, int]]) -> None:
    """The number and the place-and-date line of a letterhead (their spans also when left blank)."""
    for b in preamble[:40]:
        if "number" not in facts and (m := NUMBER_RE.match(b.text)):
            number = "".join(m.group("n").split()).rstrip(".,;")  # "254 /TB-PCTT" is 254/TB-PCTT
            if not number.startswith("/"):  # "Số: /QĐ-BNV": not yet numbered, left unknown
                facts["number"] = number
            spans["number"] = (b.char_start, b.char_end)
        elif "date" not in facts and (m := PLACE_DATE_RE.match(b.text)):
            facts["date"] = iso_text(m["y"], m["m"], m["d"])
            facts["place"] = m.group("place").strip()
            spans["date"] = (b.char_start, b.char_end)
        elif "number" not in spans and BLANK_NUMBER_RE.match(b.text):
            spans["number"] = (b.char_start, b.char_end)  # "Số -KH/ĐU": printed, not yet numbered
        elif "date" not in spans and BLANK_DATE_RE.match(b.text):
            spans["date"] = (b.char_start, b.char_end)  # "…, ngày tháng 3 năm 2026": not yet dated


def _issuer(preamble: list[Block], facts: dict[str, str], spans: dict[str, tuple[int, int]]) -> None:
    """The issuing body: the caps lines of the letterhead's left cell."""
    caps = [b.text for b in preamble[:3]]
    if (
        len(caps) >= 2
        and fold(caps[0]).startswith(("uy ban nhan dan", "ubnd"))
        and fold(caps[1]).startswith("tinh ")
    ):
        facts["issuer"] = "UBND tỉnh " + caps[1][5:].title()
        spans["issuer"] = (preamble[0].char_start, preamble[1].char_end)
        unit = preamble[2] if len(preamble) > 2 else None
        # A third caps line is the committee's office or department that issues ("VĂN PHÒNG").
        if (
            unit is not None
            and _caps(unit.text)
            and len(unit.text.split()) <= 6
            and not fold(unit.text).startswith(_MOTTO_OPENERS)
            and not DOC_TYPE_RE.match(unit.text.strip())
        ):
            facts["issuer"] = f"{proper_case(unit.text.strip(' *-'))} {facts['issuer']}"
            spans["issuer"] = (preamble[0].char_start, unit.char_end)
    elif (
        preamble
        and _caps(preamble[0].text)
        and not fold(preamble[0].text).startswith(_MOTTO_OPENERS)
        and not DOC_TYPE_RE.match(preamble[0].text.strip())
    ):
        # Generic issuer cell: the caps lines before the national motto.
        parts = []
        for b in preamble[:3]:
            if not _caps(b.text) or fold(b.text).startswith(_MOTTO_OPENERS):
                break
            parts.append(b)
        if len(parts) >= 2 and _ISSUER_PARENT_RE.match(fold(parts[0].text.strip())):
            # "BỘ GIÁO DỤC VÀ ĐÀO TẠO / ĐẠI HỌC BÁCH KHOA HÀ NỘI": a ministry's unit issues under the
            # ministry's name; the unit is the issuer when its line opens with a body's head word.
            unit = proper_case(parts[1].text.strip("* -"))
            if AGENCY_START_RE.match(unit[:1].upper() + unit[1:]):
                parts = parts[1:]
        if parts:
            raw = " ".join(b.text for b in parts).strip("* -")
            raw = pattern("metadata.motto_start").split(raw)[0].strip()
            issuer = proper_case(raw)
            # "Bộ nội vụ" -> "Bộ Nội vụ": the word after the head word is a name.
            issuer = pattern("metadata.issuer_head").sub(lambda m: f"{m[1]} {m[2].upper()}", issuer)
            issuer = pattern("metadata.people_committee").sub("UBND ", issuer)
            facts["issuer"] = issuer[:1].upper() + issuer[1:]
            spans["issuer"] = (parts[0].char_start, parts[-1].char_end)


def _title(
    placed: list[Placed], preamble: list[Block], facts: dict[str, str], spans: dict[str, tuple[int, int]]
) -> str | None:
    """The document's type and title (its type line and subject, or a letter's "V/v …" line); its type."""
    doc_type, title, tspan = _title_facts(preamble[:60])
    if title is None:
        # A letter whose letterhead table comes after its body (as a Word file may keep it): its "V/v …" line.
        letter = next((p.block for p in placed if p.block.text.startswith("V/v")), None)
        if letter is not None:
            doc_type, title = "Công văn", "Công văn " + letter.text.strip()
            tspan = (letter.char_start, letter.char_end)
    if title is not None and tspan is not None:
        facts["doc_type"], facts["title"] = doc_type or "", title
        spans["title"] = tspan
    return doc_type


def _attached(
    placed: list[Placed], doc_type: str | None, facts: dict[str, str], spans: dict[str, tuple[int, int]]
) -> str | None:
    """The document this one is issued with ("kèm theo Quyết định số …"); a caption naming the document's
    own type gives its number and date when the letterhead does not."""
    attached = None
    for p in placed:
        m = ATTACHED_RE.search(p.block.text)
        if not m:
            continue
        attached = m.group(0).split("kèm theo", 1)[-1].strip(" )") if "kèm theo" in m.group(0) else m.group(0)
        attached = pattern("metadata.attached_prefix").sub("", m.group(0)).strip(" )*")
        same_type = doc_type and fold(m.group("type")) == fold(doc_type)
        n = m.group("n").rstrip(".,;")
        # A caption naming the document's own type and number ("Ban hành kèm theo Nghị quyết số
        # 1339/...") is the only place some texts print them.
        if same_type and "number" not in facts and n and not n.startswith("/"):
            facts["number"], spans["number"] = n, (p.block.char_start, p.block.char_end)
            if m.group("d") and m.group("m") and "date" not in facts:
                facts["date"] = iso_text(m["y"], m["m"], m["d"])
        if not same_type:
            break
    return attached


def _signature(placed: list[Placed], facts: dict[str, str], spans: dict[str, tuple[int, int]]) -> str | None:
    """Signer, signer's title (and an issuer signed for) from the signature block; the signer kind."""
    sig = [p.block for p in placed if p.zone == "signature"]
    signer_kind = None
    for i, b in enumerate(sig):
        text = b.text.strip()
        if signer_kind is None and (mk := SIGNER_KIND_RE.match(text)):
            signer_kind = mk.group("k").replace("T/M", "TM") + "."
        if text in TITLE_WORDS and "signer" not in facts:  # not a form's blank signature in an annex
            facts["signer_title"] = TITLE_WORDS[text]
            spans["signer_title"] = (b.char_start, b.char_end)
            nxt = sig[i + 1] if i + 1 < len(sig) else None
            name = _DEGREES_OPENING_RE.sub("", nxt.text.strip()) if nxt is not None else ""
            if nxt is not None and NAME_RE.match(name):  # "PGS.TS Hoàng Tùng": the name after the degrees
                facts["signer"] = name
                spans["signer"] = (nxt.char_start, nxt.char_end)
        elif pattern("metadata.for_party_committee").match(text) and "issuer" not in facts:
            facts["issuer"] = "Tỉnh ủy"
            spans["issuer"] = (b.char_start, b.char_end)
        elif pattern("metadata.for_people_committee").match(text) and "issuer" not in facts:
            facts["issuer"] = "UBND tỉnh"
            spans["issuer"] = (b.char_start, b.char_end)
    if "signer" not in facts:
        _signer_from_wrapped_name(sig, facts, spans)
    if "signer" not in facts:
        body = [p.block for p in placed if p.zone != "appendix"]
        _signer_at_end(body[-SIGNATURE_TAIL_BLOCKS:], facts, spans)
    if "signer" not in facts:
        # Title and name in one block ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Ngọc Phúc") or name alone; a
        # signature laid out as a table may have been read as the list of recipients.
        tail = sig + [p.block for p in placed if p.zone == "recipients"]
        for k, b in enumerate(tail):
            m = pattern("metadata.name_at_end").search(_MARKUP_RE.sub(" ", b.text).strip())
            # No title before it: only a name that opens with a family name (a footer or a recipient
            # line also ends with capitalised words: "... BÀ RỊA - VŨNG TÀU", "UBND TP Vũng Tàu").
            if (
                m
                and NAME_RE.match(m.group(1))
                and m.group(1).split()[0].casefold() in family_names()
                and not any(m.group(1).endswith(p) for p in provinces())  # "... Hà Nội"
            ):
                facts["signer"] = m.group(1)
                spans["signer"] = (b.char_start, b.char_end)
                head = _MARKUP_RE.sub(" ", b.text).strip()[: m.start()].strip()
                for word in sorted(TITLE_WORDS, key=len, reverse=True):
                    if head.endswith(word) and "signer_title" not in facts:
                        facts["signer_title"] = TITLE_WORDS[word]
                above = tail[k - 1].text.strip() if k else ""
                if "signer_title" not in facts and above in TITLE_WORDS:  # "CHỈ HUY TRƯỞNG" / "Đại tá …"
                    facts["signer_title"] = TITLE_WORDS[above]
                break
    return signer_kind


def _appendices(placed: list[Placed]) -> tuple[str, ...]:
    """ "Phụ lục I: …" titles."""
    appendices = []
    blocks = [p for p in placed]
    for i, p in enumerate(blocks):
        if p.block.kind in ("caps", "paragraph") and pattern("metadata.appendix_title").match(p.block.text):
            nxt = blocks[i + 1].block.text if i + 1 < len(blocks) else ""
            label = proper_case(p.block.text.strip())
            appendices.append(f"{label}: {proper_case(nxt)}" if _caps(nxt) else label)
    return tuple(appendices)


def header_facts(placed: list[Placed]) -> HeaderFacts:
    """Read number, date, place, issuer, signer and signer title from the text itself."""
    facts: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    preamble = [p.block for p in placed if p.zone == "preamble"]
    _letterhead(preamble, facts, spans)
    _issuer(preamble, facts, spans)
    doc_type = _title(placed, preamble, facts, spans)
    attached = _attached(placed, doc_type, facts, spans)
    signer_kind = _signature(placed, facts, spans)
    appendices = _appendices(placed)
    return HeaderFacts(
        number=facts.get("number"),
        date=facts.get("date"),
        place=facts.get("place"),
        issuer=facts.get("issuer"),
        signer=facts.get("signer"),
        signer_title=facts.get("signer_title"),
        spans=spans,
        doc_type=facts.get("doc_type") or None,
        title=facts.get("title"),
        signer_kind=signer_kind,
        attached_to=attached,
        appendices=appendices,
    )


def check_against_manifest(facts: HeaderFacts, info: DocumentInfo) -> list[str]:
    """Disagreements between printed facts and the manifest (empty when consistent)."""
    problems: list[str] = []
    for name in ("number", "date", "signer", "signer_title"):
        printed, listed = getattr(facts, name), getattr(info, name)
        if printed and listed and fold(printed) != fold(listed):
            problems.append(f"{name}: văn bản ghi {printed!r}, manifest ghi {listed!r}")
        if printed and not listed:
            problems.append(f"{name}: văn bản ghi {printed!r} nhưng manifest để trống")
    if facts.issuer and info.issuer and fold(facts.issuer) not in fold(info.issuer):
        problems.append(f"issuer: văn bản ghi {facts.issuer!r}, manifest ghi {info.issuer!r}")
    return problems
