"""Labelled lines: "3. Địa điểm: Hội trường …", "- Nguồn kinh phí: Ngân sách tỉnh". Administrative texts
state a meeting's time and place, a task's lead, a plan's funding as a short label, a colon and the value.
Such a line answers a question that asks for its label, although it shares few of the question's words
(the ranker's `label_match`; which questions ask for which labels is data: question.json "field_labels").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from hoidap.corpus.normalize import TEXT_CACHE_SIZE, fold

# A list marker or bullet, then a label of letters (no digits, no sentence stop) and its colon.
_LABEL_RE = re.compile(
    r"^\s*(?:[-+*•–]\s*|(?:\d+(?:\.\d+)*|[a-zđ]|[IVXLC]+)[.)]\s*)*"
    r"(?P<label>[^\W\d_][^\d:;.!?\n]{0,48}?)\s*:\s*(?=\S)"
)
MAX_LABEL_WORDS = 6  # longer before a colon is a sentence introducing a list, not a label
_WORD_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def line_label(text: str) -> tuple[str, ...]:
    """The folded words of the label the clause opens with; () when it opens with none."""
    m = _LABEL_RE.match(text)
    if not m:
        return ()
    words = tuple(_WORD_RE.findall(fold(m.group("label")).lower()))
    return words if 0 < len(words) <= MAX_LABEL_WORDS else ()


def label_match(text: str, question_words: Collection[str], asked_labels: Collection[str]) -> float:
    """How well the clause's label names what the question asks: 1.0 for a label the question's kind
    asks for ("Địa điểm" for "ở đâu"), else the share of the label's words the question holds."""
    words = line_label(text)
    if not words:
        return 0.0
    if " ".join(words) in asked_labels:
        return 1.0
    return sum(1 for w in words if w in question_words) / len(words)
