"""Place blocks in the document outline: zones and section breadcrumbs."""

from __future__ import annotations

from dataclasses import dataclass

from hoidap.corpus.blocks import HEADINGS, WORD_MARKED, K
from hoidap.corpus.records import Block
from hoidap.corpus.vocab import pattern

HEADING_KINDS = HEADINGS
ATTACHED_RE = pattern("structure.attached")
APPENDIX_RE = pattern("structure.appendix")
ATTACHMENT_NOTE_RE = pattern("structure.attachment_note")
MAX_LABEL = 70


@dataclass(frozen=True)
class Placed:
    """A block with where it stands in the document."""

    block: Block
    zone: str  # preamble | body | recipients | signature | appendix
    section: tuple[str, ...]  # breadcrumb labels, outermost first (excluding this block)
    path: tuple[str, ...]  # numbering path, e.g. ("III", "2") or ("II", "2", "b")
    heading_only: bool  # a short title that introduces children, not content of its own


def sentence_case(text: str) -> str:
    """'NHIỆM VỤ VÀ GIẢI PHÁP' -> 'Nhiệm vụ và giải pháp' (all-caps headings only)."""
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        lowered = text.lower()
        return lowered[:1].upper() + lowered[1:]
    return text


def heading_label(block: Block) -> str:
    """Breadcrumb label of a heading block: marker plus a shortened title."""
    text = block.text
    if block.kind in WORD_MARKED:
        body = text[len(block.marker) :].lstrip(" .:-)")
        body = sentence_case(body.strip())
        if len(body) > MAX_LABEL:
            body = body[:MAX_LABEL].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return f"{block.marker}. {body}".strip(" .") if body else block.marker
    body = pattern("structure.heading_marker").sub("", text)
    body = sentence_case(body.strip())
    if len(body) > MAX_LABEL:
        cut = body[:MAX_LABEL].rsplit(" ", 1)[0]
        body = cut.rstrip(",;:") + "…"
    marker = f"{block.marker}." if block.kind in (K.ROMAN, K.NUMBER) else f"{block.marker})"
    return f"{marker} {body}".strip()


def is_heading_only(block: Block) -> bool:
    """Short titles without a sentence of their own ('1. Mục đích', 'a) Công nghiệp ...')."""
    if block.kind in (K.ROMAN, K.PART):
        return True
    if block.kind not in HEADING_KINDS:
        return False
    text = block.text.rstrip()
    return len(text) <= 110 and not text.endswith((".", ":", ";"))


def _is_caps_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _attachment_title(blocks: list[Block], i: int) -> str | None:
    """The title of the attachment block `i` opens, or None: a caps title with its "(Kèm theo …)" note after
    it (on its own line, or run on into the title's block: the title without it), or the note alone."""
    text = blocks[i].text
    if ATTACHMENT_NOTE_RE.match(text):
        return text
    head, paren, rest = text.partition("(")
    if head and _is_caps_line(head) and ATTACHMENT_NOTE_RE.match(paren + rest):
        return head.strip()
    following = blocks[i + 1].text if i + 1 < len(blocks) else ""
    if (
        blocks[i].kind in (K.PARAGRAPH, K.CAPS)
        and _is_caps_line(text)
        and ATTACHMENT_NOTE_RE.match(following)
    ):
        return head.strip() or text
    return None


def place_blocks(blocks: list[Block]) -> list[Placed]:
    """Assign zone, breadcrumb and numbering path to every block.

    Args:
        blocks: layout blocks in reading order.

    Returns:
        One Placed per block, same order.
    """
    placed: list[Placed] = []
    zone = "preamble"
    stack: list[tuple[int, str, str]] = []  # (level, label, path element)
    letter_seen: dict[tuple[str, ...], dict[str, int]] = {}
    appendix_section: tuple[str, ...] = ()

    def current() -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(s[1] for s in stack), tuple(s[2] for s in stack)

    for i, block in enumerate(blocks):
        kind = block.kind
        if kind == K.CAPS and zone in ("signature", "recipients") and ATTACHED_RE.match(block.text):
            zone = "body"  # the plan issued with the decision above it
            stack.clear()
            letter_seen.clear()
        elif zone in ("signature", "recipients") and (title := _attachment_title(blocks, i)):
            # "DANH SÁCH … (Kèm theo Nghị quyết số …)" after the signature: an attachment, titled by its
            # caps line, not more of the recipients' list.
            zone = "appendix"
            appendix_section = (sentence_case(title[:MAX_LABEL]),)
            stack.clear()
        elif (
            kind in (K.PARAGRAPH, K.CAPS)
            and APPENDIX_RE.match(block.text)
            and zone != "preamble"
            and (zone in ("signature", "recipients", "appendix") or _is_caps_line(block.text))
        ):
            zone = "appendix"
            appendix_section = (sentence_case(block.text[:MAX_LABEL]),)
            stack.clear()
        elif kind == K.PARAGRAPH and block.marker == "row" and zone in ("signature", "recipients"):
            # A data table after the signature (a schedule a Word file keeps last) is an attachment.
            zone = "appendix"
            appendix_section = appendix_section or ("Phụ lục",)
            stack.clear()
        elif block.table >= 0:
            pass  # a table inside the body keeps the zone it stands in
        elif kind == K.RECIPIENTS:
            zone = "recipients"
        elif kind == K.SIGNATURE:
            zone = "signature"
        elif zone == "signature" and kind == K.PARAGRAPH and block.text.strip().upper() == "PHỤ LỤC":
            zone = "appendix"
        elif kind in (K.CELL,) and zone != "appendix":
            zone = "appendix"
        elif zone == "preamble" and kind in HEADING_KINDS:
            zone = "body"

        in_table = block.table >= 0
        if zone == "appendix" and (kind not in HEADING_KINDS or in_table or (not stack and kind == K.LETTER)):
            if not appendix_section:
                appendix_section = ("Phụ lục",)
            section = appendix_section + tuple(s[1] for s in stack)
            placed.append(Placed(block, zone, section, ("PL",) + tuple(s[2] for s in stack), False))
            continue
        if block.table >= 0:
            section, path = current() if zone == "body" else (("Phần mở đầu",), ())
            placed.append(Placed(block, zone, section, path, False))
            continue
        if zone in ("recipients", "signature"):
            label = "Nơi nhận" if zone == "recipients" else "Chữ ký"
            placed.append(Placed(block, zone, (label,), (), False))
            continue
        if zone == "preamble" or kind not in HEADING_KINDS:
            section, path = current() if zone == "body" else (("Phần mở đầu",), ())
            placed.append(Placed(block, zone, section, path, False))
            continue

        if kind == K.PART:
            level, element = -1, block.marker
        elif kind == K.ARTICLE:
            level, element = 0, block.marker
        elif kind == K.STEP:
            level, element = 2, block.marker
        elif kind == K.ROMAN:
            level = 1
            element = block.marker
        elif kind == K.NUMBER:
            level = 1 + block.marker.count(".") + 1
            element = block.marker.split(".")[-1]
        else:  # letter items sit below any number; a repeated letter gets "(2)"
            level = 10
            parent_path = tuple(s[2] for s in stack if s[0] < level)
            seen = letter_seen.setdefault(parent_path, {})
            seen[block.marker] = seen.get(block.marker, 0) + 1
            n = seen[block.marker]
            element = block.marker if n == 1 else f"{block.marker}({n})"
        while stack and stack[-1][0] >= level:
            stack.pop()
        section, path = current()
        if zone == "appendix":
            section, path = appendix_section + section, ("PL",) + path
        placed.append(Placed(block, zone, section, path + (element,), is_heading_only(block)))
        stack.append((level, heading_label(block), element))
    return placed


def path_id(path: tuple[str, ...]) -> str:
    """('III', '2') -> 'III.2'; dotted sub-numbers collapse: ('II', '2', '1') -> 'II.2.1'."""
    return ".".join(path)
