"""Vietnamese provinces and centrally-run cities, to tell "not in the corpus" places apart.

The corpus covers Quảng Ngãi and Quảng Nam; a question about another province's targets
must be answered "not in the documents", not with a Quảng Ngãi figure.
"""

from __future__ import annotations

import re

from hoidap.corpus.normalize import fold

# Folded names (the 63 provincial units before the 2025 merger, plus common short forms).
PROVINCE_NAMES: tuple[str, ...] = (
    "ha noi",
    "ho chi minh",
    "tp hcm",
    "sai gon",
    "hai phong",
    "da nang",
    "can tho",
    "an giang",
    "ba ria vung tau",
    "vung tau",
    "bac giang",
    "bac kan",
    "bac lieu",
    "bac ninh",
    "ben tre",
    "binh dinh",
    "binh duong",
    "binh phuoc",
    "binh thuan",
    "ca mau",
    "cao bang",
    "dak lak",
    "dak nong",
    "dien bien",
    "dong nai",
    "dong thap",
    "gia lai",
    "ha giang",
    "ha nam",
    "ha tinh",
    "hai duong",
    "hau giang",
    "hoa binh",
    "hung yen",
    "khanh hoa",
    "kien giang",
    "kon tum",
    "lai chau",
    "lam dong",
    "lang son",
    "lao cai",
    "long an",
    "nam dinh",
    "nghe an",
    "ninh binh",
    "ninh thuan",
    "phu tho",
    "phu yen",
    "quang binh",
    "quang ninh",
    "quang tri",
    "soc trang",
    "son la",
    "tay ninh",
    "thai binh",
    "thai nguyen",
    "thanh hoa",
    "thua thien hue",
    "hue",
    "tien giang",
    "tra vinh",
    "tuyen quang",
    "vinh long",
    "vinh phuc",
    "yen bai",
)
# Place names inside the two covered provinces that contain a province name ("Bình Sơn" is fine,
# but "Vĩnh Long" is not; none of ours collide) are not listed here.
_RE = re.compile(r"(?<![a-z])(?:tinh|thanh pho|tp\.?)?\s*(" + "|".join(PROVINCE_NAMES) + r")(?![a-z])")


def other_provinces(question: str) -> list[str]:
    """Provinces named in the question other than Quảng Ngãi / Quảng Nam (folded names)."""
    folded = fold(question)
    return list(dict.fromkeys(m.group(1) for m in _RE.finditer(folded)))
