"""Evaluation metrics: span relevance, ranking metrics, short-answer matching, abstention, latency.

Rules (documented here once, used everywhere):

* A retrieved span is *relevant* to an evidence span when both are in the same document and their
  overlap covers at least ``MIN_OVERLAP`` (50%) of the evidence span or of the retrieved span.
* Retrieval metrics are computed over answerable items. ``recall@k`` is the share of items with at
  least one relevant span in the top k (every evidence span of an item is an acceptable source).
  ``mrr@10`` is the mean reciprocal rank of the first relevant span; ``ndcg@10`` uses binary gains
  where each evidence span is credited once (the ideal ranking retrieves every evidence span first).
* Answers are compared after :func:`answer_tokens`: diacritics folded, case-folded, punctuation and
  whitespace dropped, numbers kept whole ("8,25", "3.3") and leading zeros removed ("06" -> "6").
  Containment is on whole tokens ("3.3" is not in "13.3"). An item is correct when:

  - ``unanswerable``: the system abstains (``found`` is False);
  - ``listing``: every accepted answer is contained in the system answer or in the quote of a task
    the answer lists by number (the system lists "II.6.c, II.6.đ" where the gold names the tasks);
  - ``lead``: an accepted agency is contained in the system answer;
  - other types: an accepted answer is contained in the system answer, or the system answer is
    contained in an accepted answer and is at least ``MIN_SHORTER_RATIO`` (60%) of its length.

  An answerable item the system abstains on is wrong. Accepted answers of the other types are
  alternatives: one match is enough even when the item lists one answer per document.
* Quote accuracy: over answerable items the system answered, the first citation is relevant.
* Abstention precision/recall treat "abstain" as the positive prediction for unanswerable items;
  the false-abstention rate is the share of answerable items the system abstained on.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from hoidap.corpus.normalize import fold
from hoidap.eval.gold import EvidenceSpan

MIN_OVERLAP = 0.5
MIN_SHORTER_RATIO = 0.6
RANK_DEPTH = 10
RECALL_KS = (1, 5, 10)

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


# --- relevance ----------------------------------------------------------------------------------


def is_relevant(doc_id: str, start: int, end: int, evidence: EvidenceSpan) -> bool:
    """Same document and overlap >= MIN_OVERLAP of the evidence span or of the retrieved span."""
    if doc_id != evidence.doc_id or end <= start:
        return False
    overlap = min(end, evidence.char_end) - max(start, evidence.char_start)
    if overlap <= 0:
        return False
    return overlap >= MIN_OVERLAP * (evidence.char_end - evidence.char_start) or overlap >= MIN_OVERLAP * (
        end - start
    )


def matched_evidence(doc_id: str, start: int, end: int, evidence: Sequence[EvidenceSpan]) -> set[int]:
    """Indices of the evidence spans a retrieved span is relevant to (empty: not relevant)."""
    return {i for i, ev in enumerate(evidence) if is_relevant(doc_id, start, end, ev)}


# --- ranking ------------------------------------------------------------------------------------


def first_relevant_rank(ranked: Sequence[Iterable[int]]) -> int | None:
    """1-based rank of the first relevant hit; ``ranked[i]`` holds the evidence hit i matches."""
    for i, matched in enumerate(ranked, start=1):
        if set(matched):
            return i
    return None


def recall_at(ranked: Sequence[Iterable[int]], k: int) -> float:
    """1.0 when any of the top k hits is relevant."""
    rank = first_relevant_rank(ranked[:k])
    return 1.0 if rank is not None else 0.0


def reciprocal_rank(ranked: Sequence[Iterable[int]], k: int = RANK_DEPTH) -> float:
    rank = first_relevant_rank(ranked[:k])
    return 1.0 / rank if rank else 0.0


def ndcg_at(ranked: Sequence[Iterable[int]], n_evidence: int, k: int = RANK_DEPTH) -> float:
    """Binary-gain nDCG; a hit gains 1 only for evidence spans no earlier hit covered."""
    if n_evidence <= 0:
        return 0.0
    credited: set[int] = set()
    dcg = 0.0
    for i, matched in enumerate(ranked[:k]):
        new = set(matched) - credited
        if new:
            credited |= new
            dcg += 1.0 / math.log2(i + 2)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(n_evidence, k)))
    return dcg / ideal


# --- answers ------------------------------------------------------------------------------------


def answer_tokens(text: str) -> list[str]:
    """Folded tokens of an answer: words and whole numbers, punctuation dropped, no leading zeros."""
    out = []
    for tok in _TOKEN_RE.findall(fold(text)):
        out.append(str(int(tok)) if tok.isdecimal() else tok)
    return out


def _contains(hay: list[str], needle: list[str]) -> bool:
    if not needle:
        return False
    return f" {' '.join(needle)} " in f" {' '.join(hay)} "


def listed_quotes(answer: str | None, cited: Iterable[tuple[str | None, str]]) -> list[str]:
    """Quotes of the cited tasks ``(task_id, quote)`` whose number appears in the answer text."""
    if not answer:
        return []
    return [
        quote
        for task_id, quote in cited
        if task_id and re.search(rf"(?<![\w.]){re.escape(task_id)}(?!\w|\.\w)", answer)
    ]


def answer_matches(
    qtype: str, accepted: Sequence[str], answer: str | None, found: bool, listed: Sequence[str] = ()
) -> bool:
    """Whether the system's short answer is correct for an item (rules in the module docstring).

    ``listed`` holds the quotes of the tasks a listing answer names (see :func:`listed_quotes`).
    """
    if qtype == "unanswerable":
        return not found
    if not found or not answer:
        return False
    got = answer_tokens(answer)
    wanted = [answer_tokens(a) for a in accepted]
    if qtype == "listing":
        sources = [got, *(answer_tokens(q) for q in listed)]
        return bool(wanted) and all(any(_contains(s, w) for s in sources) for w in wanted)
    if qtype == "lead":
        return any(_contains(got, w) for w in wanted)
    return any(
        _contains(got, w)
        or (_contains(w, got) and len(" ".join(got)) >= MIN_SHORTER_RATIO * len(" ".join(w)))
        for w in wanted
    )


# --- per-item record and aggregation -------------------------------------------------------------


@dataclass
class ItemResult:
    """One system's outcome on one gold item."""

    id: str
    type: str
    doc_id: str | None
    question: str
    expected: list[str]
    found: bool
    answer: str | None
    correct: bool
    took_ms: float
    n_evidence: int = 0
    ranked: list[list[int]] = field(default_factory=list)  # evidence indices matched by each hit
    quote_ok: bool | None = None  # None: unanswerable item or no answer given
    quote: str | None = None
    quote_doc: str | None = None
    message: str = ""
    confidence: float | None = None  # the service's confidence in a given answer

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def abstention(items: Sequence[ItemResult]) -> dict[str, float | None]:
    """Abstention precision/recall on unanswerable items and false-abstention rate on answerable ones."""
    abstained = [r for r in items if not r.found]
    true_abst = sum(1 for r in abstained if not r.answerable)
    n_unans = sum(1 for r in items if not r.answerable)
    n_ans = len(items) - n_unans
    return {
        "abstention_precision": _ratio(true_abst, len(abstained)),
        "abstention_recall": _ratio(true_abst, n_unans),
        "false_abstention": _ratio(len(abstained) - true_abst, n_ans),
    }


CONFIDENCE_BUCKETS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.0001))


def reliability(items: Sequence[ItemResult]) -> list[dict[str, Any]]:
    """Accuracy of the given answers per confidence bucket: a calibrated confidence has accuracy near
    the bucket's mean confidence. Answers without a confidence are left out."""
    rows = []
    for lo, hi in CONFIDENCE_BUCKETS:
        got = [r for r in items if r.found and r.confidence is not None and lo <= r.confidence < hi]
        rows.append(
            {
                "bucket": f"{lo:.1f}–{min(hi, 1.0):.1f}",
                "n": len(got),
                "mean_confidence": _mean([r.confidence or 0.0 for r in got]),
                "accuracy": _mean([float(r.correct) for r in got]),
            }
        )
    return rows


def false_not_found_by_type(items: Sequence[ItemResult]) -> dict[str, float | None]:
    """Per question type, the share of answerable items answered "not found"."""
    by_type: dict[str, list[float]] = defaultdict(list)
    for r in items:
        if r.answerable:
            by_type[r.type].append(float(not r.found))
    return {t: _mean(v) for t, v in sorted(by_type.items())}


def summarize(items: Sequence[ItemResult]) -> dict[str, Any]:
    """All metrics of one system over a list of item results."""
    answerable = [r for r in items if r.answerable]
    out: dict[str, Any] = {"items": len(items), "answerable": len(answerable)}
    for k in RECALL_KS:
        out[f"recall@{k}"] = _mean([recall_at(r.ranked, k) for r in answerable])
    out["mrr@10"] = _mean([reciprocal_rank(r.ranked) for r in answerable])
    out["ndcg@10"] = _mean([ndcg_at(r.ranked, r.n_evidence) for r in answerable])
    out["accuracy"] = _mean([float(r.correct) for r in items])
    by_type: dict[str, list[float]] = defaultdict(list)
    by_doc: dict[str, list[float]] = defaultdict(list)
    for r in items:
        by_type[r.type].append(float(r.correct))
        by_doc[r.doc_id or "(none)"].append(float(r.correct))
    out["accuracy_by_type"] = {t: _mean(v) for t, v in by_type.items()}
    out["count_by_type"] = {t: len(v) for t, v in by_type.items()}
    out["accuracy_by_doc"] = {d: _mean(v) for d, v in sorted(by_doc.items())}
    out["count_by_doc"] = {d: len(v) for d, v in sorted(by_doc.items())}
    quoted = [r.quote_ok for r in answerable if r.quote_ok is not None]
    out["quote_accuracy"] = _mean([float(q) for q in quoted])
    out["quoted"] = len(quoted)
    out.update(abstention(items))
    out["reliability"] = reliability(items)
    out["false_not_found_by_type"] = false_not_found_by_type(items)
    latencies = [r.took_ms for r in items]
    out["latency_p50_ms"] = percentile(latencies, 50)
    out["latency_p95_ms"] = percentile(latencies, 95)
    return out
