"""How far adding a document has got: a stage and, where it is counted, n of total.

Reported by the reading worker (read, OCR, parse) and by the index build (embed, write), passed up
through `QAService.add_document` to whoever shows it (the web page's bar, the CLI's lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Stage = Literal["read", "ocr", "parse", "embed", "write"]
STAGES: tuple[Stage, ...] = ("read", "ocr", "parse", "embed", "write")  # the order they come in

_LABELS: dict[str, tuple[str, str]] = {  # stage -> (what is done, the unit counted)
    "read": ("Đọc tệp", ""),
    "ocr": ("Nhận dạng chữ (OCR)", "trang"),
    "parse": ("Tách điều khoản và nhiệm vụ", ""),
    "embed": ("Tính vectơ ngữ nghĩa", "đoạn"),
    "write": ("Ghi chỉ mục", ""),
}


@dataclass(frozen=True)
class Step:
    """One report: the stage under way and, when it is counted, `done` of `total` (0/0 when not)."""

    stage: Stage
    done: int = 0
    total: int = 0

    @property
    def label(self) -> str:
        """In Vietnamese, e.g. "Nhận dạng chữ (OCR): trang 2/5"."""
        what, unit = _LABELS[self.stage]
        return f"{what}: {unit} {self.done}/{self.total}" if self.total else what


StepProgress = Callable[[Step], None]


def no_progress(step: Step) -> None:
    """The default callback: nobody is watching."""
