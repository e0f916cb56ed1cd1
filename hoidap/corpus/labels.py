"""What a label names: the role of a table's header cell or of a task's field line.

One table of role words (data: agencies.json "role_words") and one rule for both: the role whose word
stands first in the label wins ("Thời gian thực hiện" is a time, "Nội dung thực hiện" the task's content,
"Cơ quan tham mưu, thực hiện" its lead); on a tie the role listed first in the context's order
("label_roles") wins ("Chỉ tiêu đạt được" is an output before it is a target). A header cell and a field
line differ only in the roles they can take: a table has number, monitoring, review and other columns,
and a field line names who directs or organises the work (and names its lead when it names no other role).
"""

from __future__ import annotations

from functools import cache

from hoidap.corpus.vocab import load, pattern, role_words

MAX_HEADER_LABEL = 60  # characters: a longer cell is text, not a column's name


@cache
def _words(context: str) -> tuple[tuple[str, str, int], ...]:
    words = role_words()
    order = load("agencies")["label_roles"][context]
    return tuple((w.casefold(), role, rank) for rank, role in enumerate(order) for w in words.get(role, []))


def label_role(label: str, context: str) -> str | None:
    """The role a label names in `context` ("header" | "field"), None when it names none."""
    low = label.casefold()
    best: tuple[int, int, str] | None = None
    for word, role, rank in _words(context):
        at = low.find(word)
        if at >= 0 and (best is None or (at, rank) < best[:2]):
            best = (at, rank, role)
    return best[2] if best else None


def header_role(text: str) -> str | None:
    """Role of a table header cell from its words ('Cơ quan chủ trì[1]' -> 'lead')."""
    low = pattern("layout.note_mark").sub("", text).casefold().strip(" .:")
    if low in role_words()["number"]:
        return "number"
    if len(low) > MAX_HEADER_LABEL:
        return None
    return label_role(low, "header")


def field_role(label: str) -> str:
    """The task attribute a field line's label fills ('Cơ quan chủ trì' -> 'lead'); 'output' for a
    result ('Sản phẩm', 'Kết quả'), kept verbatim like a table's output column."""
    return label_role(label, "field") or "lead"  # "Bộ phận tham mưu": a body that does the work


def is_header_row(cells: list[str]) -> bool:
    """A table's header: several cells, a number/content column and at least one other role."""
    if len(cells) < 3:
        return False
    roles = [header_role(c) for c in cells]
    return ("number" in roles or "content" in roles) and sum(r is not None for r in roles) >= 3
