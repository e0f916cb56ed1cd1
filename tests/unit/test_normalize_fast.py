"""The fast paths of `normalize_text` and `strip_diacritics` (issue 26) give what the character walk gives,
on every line of the bundled documents and on random mixes of the characters the walk treats apart."""

from __future__ import annotations

import random
import unicodedata
from importlib import resources
from pathlib import Path

import pytest

from hoidap.corpus import normalize as N

_TRICKY = [
    *"aăâbcdđeêghiklmnoôơpqrstuưvxyAĐƯƠ0123456789.,;:?!-/()%",
    *"àáảãạầấẩẫậèéẻẽẹòóỏõọùúủũụỳýỷỹỵ",
    "\u0301",
    "\u0300",
    "\u0303",
    "\u0309",
    "\u0323",
    "\u0345",  # combining marks, one a letter's iota
    " ",
    "\u00a0",
    "\t",
    "\n",
    "\u2003",
    "\u200b",
    "\ufeff",
    "\u3000",  # spaces and non-spaces
    "ƣ",
    "Ƣ",
    "Ð",
    "ð",
    "Ɖ",
    "ɖ",  # legacy-font letters
    "\u212b",
    "\u2126",
    "\u2329",
    "ǅ",
    "ﬁ",
    "\u1100\u1161",  # singletons, compatibility, Hangul jamo
    "–",
    "…",
    "“",
    "”",
    "漢",
    "😀",
    "ｈ",  # punctuation and wide code points
    "hoà",
    "thuỷ",
    "khoẻ",
    "quý",
    "o\u0300a",
    "u\u0301y",  # tone placements
]


def _walk(text: str) -> str:
    return N.normalize_span(text, 0, len(text), N.RepairCounts()).text  # repairs counted: always the walk


def _strip_walk(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def _texts() -> list[str]:
    folder = Path(str(resources.files("hoidap.corpus"))) / "documents"
    lines = [
        line for f in sorted(folder.glob("*.txt")) for line in f.read_text(encoding="utf-8").splitlines()
    ]
    rnd = random.Random(26)
    mixes = ["".join(rnd.choice(_TRICKY) for _ in range(rnd.randint(0, 30))) for _ in range(4000)]
    decomposed = [unicodedata.normalize("NFD", t) for t in lines[:500] + mixes[:500]]
    return lines + mixes + decomposed


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_normalize_text_is_the_walk(texts: list[str]) -> None:
    assert [t for t in texts if N.normalize_text.__wrapped__(t) != _walk(t)] == []


def test_normalize_span_maps_as_the_walk(texts: list[str]) -> None:
    rnd = random.Random(27)
    joined = "\n".join(texts)
    starts = [rnd.randrange(len(joined)) for _ in range(3000)]
    spans = [(0, len(t), t) for t in texts] + [
        (a, min(len(joined), a + rnd.randint(0, 300)), joined) for a in starts
    ]
    for start, end, text in spans:
        fast = N.normalize_span(text, start, end)
        walk = N.normalize_span(text, start, end, N.RepairCounts())
        assert (fast.text, fast.starts, fast.ends) == (walk.text, walk.starts, walk.ends), text[start:end]


def test_strip_diacritics_is_the_walk(texts: list[str]) -> None:
    assert [t for t in texts if N.strip_diacritics.__wrapped__(t) != _strip_walk(t)] == []


def test_every_mark_below_the_fast_limit_is_listed() -> None:
    listed = set(N._COMBINING_BELOW)
    assert all((chr(c) in listed) == bool(unicodedata.combining(chr(c))) for c in range(N._FAST_LIMIT))
