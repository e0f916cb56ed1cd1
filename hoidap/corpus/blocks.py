"""What a layout block can be, and the groups of kinds the parser reads alike.

`BlockKind` is a str enum: a block's kind compares equal to its name ("number") and is stored as that
string, so parse records and the parse cache keep their form.
"""

from __future__ import annotations

from enum import StrEnum


class BlockKind(StrEnum):
    PART = "part"  # "Phần I", "Chương II", "Mục 1"
    ARTICLE = "article"  # "Điều 5."
    ROMAN = "roman"  # "II. NHIỆM VỤ"
    NUMBER = "number"  # "2.", "2.1."
    STEP = "step"  # "Bước 1."
    LETTER = "letter"  # "a)"
    BULLET = "bullet"  # "-", "+", "*"
    FIELD = "field"  # "Cơ quan chủ trì: …"
    PARAGRAPH = "paragraph"
    CAPS = "caps"  # a line in capitals (a title, an issuer)
    CELL = "cell"  # a table cell
    FOOTNOTE = "footnote"
    SIGNATURE = "signature"  # "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"
    RECIPIENTS = "recipients"  # "Nơi nhận:"
    SEPARATOR = "separator"  # "-----" (dropped)
    TEXT = "text"  # a line that starts no block of its own (the layout stage's answer only)


K = BlockKind

# Numbered headings of the outline, in the outline's order of depth.
HEADINGS = frozenset({K.PART, K.ARTICLE, K.ROMAN, K.NUMBER, K.STEP, K.LETTER})
# Lines that may open a bold heading wrapped over several lines (a caps title too).
BOLD_HEADINGS = HEADINGS | {K.CAPS}
# Headings whose marker is a word ("Điều 5", "Bước 1", "Phần I"), not a number.
WORD_MARKED = frozenset({K.PART, K.ARTICLE, K.STEP})
# An item's number standing alone on its line, joined to the text of the next one.
LONE_LABELLED = frozenset({K.ROMAN, K.NUMBER, K.LETTER})
# Blocks a following line of text never continues.
CLOSED = frozenset({K.CAPS, K.SIGNATURE, K.RECIPIENTS})
# Blocks that are content on their own (fields live inside task records). A step that states what is done
# ("Bước 2: Ban Thư ký … phân bổ ứng cử viên …") is one; a step that only titles its items is not.
CLAUSES = frozenset(
    {
        K.PARAGRAPH,
        K.BULLET,
        K.NUMBER,
        K.LETTER,
        K.ARTICLE,
        K.STEP,
        K.CAPS,
        K.FOOTNOTE,
        K.RECIPIENTS,
        K.SIGNATURE,
    }
)
# Clauses that name themselves in their section path ("Điều 5. …", "2. …", "b) …", "Bước 2: …").
SELF_LABELLED = frozenset({K.NUMBER, K.LETTER, K.ARTICLE, K.STEP})
# A document holding any of these has a structure the parser recognised.
STRUCTURAL = HEADINGS | {K.BULLET, K.FIELD, K.CELL}
# Sentences that may assign a task in prose ("Sở X chủ trì …", "Giao Sở X …", a dated report duty).
NARRATIVE = frozenset({K.NUMBER, K.PARAGRAPH, K.BULLET})
DUTIES = NARRATIVE | {K.LETTER}
ASSIGNING = DUTIES | {K.ARTICLE, K.STEP}
# Blocks that may name the one agency the items under them belong to ("2.2. Sở Xây dựng:").
AGENCY_TITLES = frozenset({K.NUMBER, K.LETTER, K.ROMAN, K.PARAGRAPH, K.CAPS})
# Blocks read while looking for such a title or for the heading that ends its section.
AGENCY_SCAN = HEADINGS | {K.PARAGRAPH, K.CAPS}
# Item anchors: field lines right after one of these belong to it.
ITEMS = frozenset({K.NUMBER, K.STEP, K.LETTER})


def roman(n: int) -> str:
    """1 -> 'I', 14 -> 'XIV' (up to 39: the numbers of a document's parts)."""
    out = ""
    for value, digits in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + digits, n - value
    return out


# Roman heading numbers in whose sequence a skipped number is reported (I … XII).
ROMAN_NUMERALS = tuple(roman(n) for n in range(1, 13))
