"""Document facts printed in the header and signature blocks."""

from __future__ import annotations

import re

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import DocumentInfo, HeaderFacts
from hoidap.corpus.structure import Placed

NUMBER_RE = re.compile(r"^Số\s*:\s*(?P<n>\S+)")
DATE_RE = re.compile(
    r"^(?P<place>[^,]{2,40}),\s*ngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})"
)
TITLE_WORDS = {
    "BÍ THƯ": "Bí thư",
    "PHÓ BÍ THƯ": "Phó Bí thư",
    "CHỦ TỊCH": "Chủ tịch",
    "PHÓ CHỦ TỊCH": "Phó Chủ tịch",
    "GIÁM ĐỐC": "Giám đốc",
}
NAME_RE = re.compile(r"^(?:[A-ZÀ-ỸĐ][a-zà-ỹđ]+\s+){1,4}[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")


def header_facts(placed: list[Placed]) -> HeaderFacts:
    """Read number, date, place, issuer, signer and signer title from the text itself."""
    facts: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    preamble = [p.block for p in placed if p.zone == "preamble"]
    for b in preamble[:12]:
        if m := NUMBER_RE.match(b.text):
            facts["number"], spans["number"] = m.group("n"), (b.char_start, b.char_end)
        elif m := DATE_RE.match(b.text):
            facts["date"] = f"{m.group('y')}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
            facts["place"] = m.group("place").strip()
            spans["date"] = (b.char_start, b.char_end)
    caps = [b.text for b in preamble[:3]]
    if (
        len(caps) >= 2
        and fold(caps[0]).startswith(("uy ban nhan dan", "ubnd"))
        and fold(caps[1]).startswith("tinh ")
    ):
        facts["issuer"] = "UBND tỉnh " + caps[1][5:].title()
        spans["issuer"] = (preamble[0].char_start, preamble[1].char_end)
    sig = [p.block for p in placed if p.zone == "signature"]
    for i, b in enumerate(sig):
        text = b.text.strip()
        if text in TITLE_WORDS:
            facts["signer_title"] = TITLE_WORDS[text]
            spans["signer_title"] = (b.char_start, b.char_end)
            nxt = sig[i + 1] if i + 1 < len(sig) else None
            if nxt is not None and NAME_RE.match(nxt.text.strip()):
                facts["signer"] = nxt.text.strip()
                spans["signer"] = (nxt.char_start, nxt.char_end)
        elif re.match(r"^T/?M\.?\s*TỈNH ỦY", text) and "issuer" not in facts:
            facts["issuer"] = "Tỉnh ủy"
            spans["issuer"] = (b.char_start, b.char_end)
        elif re.match(r"^TM\.\s*ỦY BAN NHÂN DÂN", text) and "issuer" not in facts:
            facts["issuer"] = "UBND tỉnh"
            spans["issuer"] = (b.char_start, b.char_end)
    return HeaderFacts(
        number=facts.get("number"),
        date=facts.get("date"),
        place=facts.get("place"),
        issuer=facts.get("issuer"),
        signer=facts.get("signer"),
        signer_title=facts.get("signer_title"),
        spans=spans,
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
