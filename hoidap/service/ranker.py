"""Answer choice as a learned ranking of candidate clauses, with a calibrated confidence.

Free-retrieval answers (who leads, when, how much, what) pick one of the top clauses and read the
value from it. Which clause, and whether any is good enough, is decided by a small logistic regression
over features of each candidate (retrieval scores, coverage of the question's words by the clause, by
its task text and by its headings, the question's numbers found in it, year scope, whether the value
asked for can be read from it and is of the kind asked). It is trained on development questions only
(`hoidap eval --train-ranker`, in `eval/ranker_train.py`) and saved with its feature list in
`service/data/ranker.json`; its probability is the answer's confidence, and an answer below the saved
threshold is "not found".

Answers read from records (a named task, a document's header, a listing of tasks) do not compete with
clauses; their confidence is the dev-split accuracy of that path, saved in the same file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from hoidap.corpus.normalize import TEXT_CACHE_SIZE, fold, lowered, strip_diacritics
from hoidap.corpus.vocab import abbreviations

FEATURES: tuple[str, ...] = (
    "rank_rr",  # 1 / (1 + retrieval rank)
    "score_ratio",  # fused score / top fused score
    "lexical_ratio",  # lexical score / top lexical score
    "dense",  # cosine of clause and question
    "dense_gap",  # cosine minus the best cosine among the candidates
    "coverage",  # IDF-weighted share of the question's content words matched by the clause
    "content_coverage",  # the same over the task's own text (not its agency columns), else the clause
    "heading_coverage",  # the same over the clause's headings and document title
    "numbers",  # share of the question's numbers ("40%", "5G", "2.2") in the clause, not its list marker
    "heading_numbers",  # the same in its headings and document title ("đơn vị bầu cử số 1" in the title)
    "has_numbers",
    "year_mismatch",  # the question's years are not the clause's (nor its headings')
    "extractable",  # the value asked for can be read from the clause
    "task_row",  # the clause is a task record (table row, labelled task, sentence task)
    "value_in_question",  # the read value repeats the question (an agency the question names)
    "value_context",  # coverage of the question's words in the text just before the value (what governs it)
    "path_figure",  # which answer path ranks (a task field is the base): each has its own prior
    "path_lookup",
    "value_rank_rr",  # 1 / (1 + rank among the candidates from which a value is read); 0 without a value
    "frame",  # share of the question's predicate the clause states around the value (frames.py); 0 without
    "title_clause",  # the clause is mostly the words of its document's title (a header, not a provision)
    "duty_section",  # the items under a heading naming the duties of the body asked ("Nhiệm vụ của Ban …")
    "kind_mismatch",  # the value read is not of the kind the question asks ("ai là Trưởng ban": a name)
    "untitled_coverage",  # content_coverage over the question's words its document's title does not hold
    "event_date",  # the value is when something was written or happened, not a time it is due by
    "due_value",  # a question asking a due time, a value marked as one ("trước ngày …", "chậm nhất …")
    "label_match",  # a labelled line whose label names what is asked ("Địa điểm:"; line_labels.py)
    "missing_rare",  # the heaviest question word neither the clause nor its headings hold, over the top
    "phrase_coverage",  # coverage by the clause and its headings holding each word's syllables side by side
    "measure_match",  # the figure is in the noun or unit the question counts in ("bao nhiêu thành viên")
)
PATHS = ("task", "figure", "lookup")

_NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s*%)?")
_WORD_RE = re.compile(r"[a-z0-9đ]+")
_ACCENTED_WORD_RE = re.compile(r"[^\W_]+")

DEFAULT_PATH = Path(str(resources.files("hoidap.service"))) / "data" / "ranker.json"


@dataclass
class Candidate:
    """One clause that may answer, the value read from it, its features and probability."""

    hit: object  # indexer.search.SearchHit (kept untyped: the ranker needs no index types)
    value: str | None
    task: object | None = None  # corpus.records.Task when the clause is a task record with the field
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0


def question_numbers(folded_question: str, years: Iterable[int]) -> list[str]:
    """Numbers the question states, years excluded (the year check covers them)."""
    ys = {str(y) for y in years}
    return [n.replace(" ", "") for n in _NUMBER_RE.findall(folded_question) if n not in ys]


# A clause's list marker, article number included ("Điều 1.", "1.", "a)").
_MARKER_WORDS_RE = re.compile(
    r"^\s*(?:(?:Điều|Khoản|Điểm|Mục|Phần|Chương)\s+[\dIVXLC]+[a-zđ]?[.:]?|\d+(?:\.\d+)*[.)]|[a-zđ]\))\s*"
)
# A list marker opening a clause or heading ("1.", "2.3.", "a)"): the item's place, not a number it states.
_LEADING_MARKER_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]|[a-zđ]\))(?=\s)\s*")


def number_share(numbers: Sequence[str], text: str) -> float:
    if not numbers:
        return 0.0
    folded = _unmarked_fold(text)
    found = sum(1 for n in numbers if _number_re(n).search(folded))
    return found / len(numbers)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _unmarked_fold(text: str) -> str:
    """A passage or heading folded without its list marker (once per text, not per question ranking it)."""
    return fold(_LEADING_MARKER_RE.sub("", text)).replace(" %", "%")


@lru_cache(maxsize=4096)
def _number_re(number: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.,]){re.escape(number)}(?![\d])")


@lru_cache(maxsize=65536)
def _word_sets(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """A text's words as typed (lower case) and folded. Passages never change between questions, so each
    is normalized once per process instead of once per question that ranks it (issue 26); the words are
    `_padded`'s, read once for both."""
    accented, folded = _padded(text)
    return frozenset(accented.split()), frozenset(folded.split())


def word_coverage(weighted: Sequence[tuple[str, float]], text: str) -> float:
    """IDF-weighted share of the question's content words (syllables joined by spaces) whose every
    syllable occurs in `text`: a cheap coverage for texts the index did not match word by word. A word
    typed with diacritics must occur as typed: folded, "tuyển dụng" is in "tuyên truyền, xây dựng"."""
    total = sum(w for _, w in weighted)
    if not total:
        return 0.0
    accented, folded = _word_sets(text)
    got = 0.0
    for syllables, marked, w in _syllables(tuple(weighted)):
        if syllables <= (accented if marked else folded):
            got += w
    return got / total


def missing_rare(weighted: Sequence[tuple[str, float]], text: str) -> float:
    """The weight of the heaviest question word `text` lacks, over the heaviest word's: the one rare word
    that says which case is asked ("… trong phạm vi huyện" against a clause on communes, "thí sinh tự do")
    tells an answer from a near miss that shares every other word; a weighted share (coverage) averages it
    away."""
    top = max((w for _, w in weighted), default=0.0)
    if not top:
        return 0.0
    accented, folded = _word_sets(text)
    return (
        max(
            (
                w
                for syllables, marked, w in _syllables(tuple(weighted))
                if not syllables <= (accented if marked else folded)
            ),
            default=0.0,
        )
        / top
    )


def phrase_coverage(weighted: Sequence[tuple[str, float]], text: str) -> float:
    """IDF-weighted share of the question's words that `text` holds as words, syllables side by side:
    "danh sách cử tri" is not in "chính sách … thành lập … cử tri" though each syllable is (a compound is
    one word; `word_coverage` asks only that its syllables occur)."""
    total = sum(w for _, w in weighted)
    if not total:
        return 0.0
    accented, folded = _padded(text)
    phrases = _phrases(tuple(weighted))
    return sum(w for phrase, marked, w in phrases if phrase in (accented if marked else folded)) / total


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _padded(text: str) -> tuple[str, str]:
    """A text's words as typed (lower case) and folded, one space between words and one at each end, so a
    phrase is found as whole words with `in` (once per passage)."""
    accented = " ".join(_ACCENTED_WORD_RE.findall(lowered(text)))
    return f" {accented} ", f" {' '.join(_WORD_RE.findall(fold(text)))} "


@lru_cache(maxsize=4096)
def _phrases(weighted: tuple[tuple[str, float], ...]) -> tuple[tuple[str, bool, float], ...]:
    """Each weighted word as a padded phrase, as typed when it has diacritics, else folded (once per
    question)."""
    out = []
    for tok, w in weighted:
        typed = " ".join(_ACCENTED_WORD_RE.findall(tok.casefold()))
        bare = " ".join(_WORD_RE.findall(fold(tok)))
        out.append((f" {typed} " if typed != bare else f" {bare} ", typed != bare, w))
    return tuple(out)


@lru_cache(maxsize=4096)
def _syllables(weighted: tuple[tuple[str, float], ...]) -> tuple[tuple[frozenset[str], bool, float], ...]:
    """Each weighted word's syllables as `word_coverage` looks them up (as typed when it has diacritics,
    else folded), read once per question rather than once per passage it is compared with (issue 26)."""
    out = []
    for tok, w in weighted:
        syllables = tok.casefold().split()
        bare = [fold(x) for x in syllables]
        marked = bare != syllables
        out.append((frozenset(syllables if marked else bare), marked, w))
    return tuple(out)


@lru_cache(maxsize=1024)
def _spelled_out(folded: str) -> str:
    """A folded question with its abbreviations written out too ("ubnd cap xa" also reads "uy ban nhan dan
    cap xa"), so a value naming a body the question names by its abbreviation repeats it."""
    out = folded
    for short, full in _folded_abbreviations():
        out = short.sub(full, out)
    return folded if out == folded else f"{folded} | {out}"


@lru_cache(maxsize=1)
def _folded_abbreviations() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each folded abbreviation as a whole-word pattern, longest first, with its folded full form: compiled
    once (more than `re`'s cache holds, so a new question compiled them again: issue 26)."""
    pairs = {(fold(k), fold(v)) for k, v in abbreviations().items()}
    ordered = sorted(((k, v) for k, v in pairs if k != v), key=lambda x: -len(x[0]))
    return tuple((re.compile(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])"), v) for k, v in ordered)


def features(
    hits: Sequence[object],
    i: int,
    *,
    coverage: float,
    content_text: str,
    heading_text: str,
    weighted_words: Sequence[tuple[str, float]],
    numbers: Sequence[str],
    year_mismatch: bool,
    value: str | None,
    task_row: bool,
    folded_question: str,
    path: str,
    value_rank: int = 0,
    frame: float = 0.0,
    title_words: frozenset[str] = frozenset(),
    duty_section: bool = False,
    kind_mismatch: bool = False,
    event_date: bool = False,
    due_value: bool = False,
    label_match: float = 0.0,
    measure_match: bool = False,
) -> dict[str, float]:
    """Features of candidate `i` among `hits` (SearchHit-like: score, lexical, dense, entry.text)."""
    h = hits[i]
    top_score = max((x.score for x in hits), default=0.0) or 1.0  # type: ignore[attr-defined]
    top_lex = max((x.lexical for x in hits), default=0.0) or 1.0  # type: ignore[attr-defined]
    # A hit the dense search did not return has no cosine (0.0): give it the lowest cosine seen among
    # the candidates, not a gap of -0.8 that would read as "unrelated"; with no cosine at all (a
    # lexical-only search) the dense features are left out.
    seen = [x.dense for x in hits if x.dense > 0]  # type: ignore[attr-defined]
    top_dense = max(seen, default=0.0)
    dense = h.dense if h.dense > 0 else min(seen, default=0.0)  # type: ignore[attr-defined]
    text = h.entry.text  # type: ignore[attr-defined]
    folded_value = fold(value or "")
    # The text before the value, with its diacritics (word_coverage matches accented words as typed).
    low = lowered(text)
    folded_text = strip_diacritics(low)  # one character for one: offsets carry over
    at = folded_text.find(folded_value) if folded_value else -1
    context = low[max(0, at - 100) : at] if at > 0 else ""
    return {
        "rank_rr": 1.0 / (1 + i),
        "score_ratio": h.score / top_score,  # type: ignore[attr-defined]
        "lexical_ratio": h.lexical / top_lex,  # type: ignore[attr-defined]
        **({"dense": dense, "dense_gap": dense - top_dense} if seen else {}),
        "coverage": coverage,
        "content_coverage": word_coverage(weighted_words, content_text or text),
        "heading_coverage": word_coverage(weighted_words, heading_text),
        "numbers": number_share(numbers, text),
        "heading_numbers": number_share(
            numbers, " ".join(_LEADING_MARKER_RE.sub("", x) for x in heading_text.split(" > "))
        ),
        "has_numbers": 1.0 if numbers else 0.0,
        "year_mismatch": 1.0 if year_mismatch else 0.0,
        "extractable": 1.0 if value else 0.0,
        "task_row": 1.0 if task_row else 0.0,
        "value_in_question": 1.0
        if folded_value and len(folded_value) > 3 and folded_value in _spelled_out(folded_question)
        else 0.0,
        "value_context": word_coverage(weighted_words, context) if context else 0.0,
        "path_figure": 1.0 if path == "figure" else 0.0,
        "path_lookup": 1.0 if path == "lookup" else 0.0,
        # Rank among the candidates a value is read from: the best clause that answers at all, even below
        # clauses that only share the question's words, is a strong candidate.
        "value_rank_rr": 1.0 / (1 + value_rank) if value else 0.0,
        "frame": frame if value else 0.0,
        "title_clause": 1.0 if _mostly_title(text, title_words) else 0.0,
        "duty_section": 1.0 if duty_section else 0.0,
        "kind_mismatch": 1.0 if kind_mismatch else 0.0,
        "untitled_coverage": _untitled_coverage(weighted_words, content_text or text, title_words),
        "event_date": 1.0 if event_date else 0.0,
        "due_value": 1.0 if due_value else 0.0,
        "label_match": label_match,
        "missing_rare": missing_rare(weighted_words, f"{text} {heading_text}"),
        "phrase_coverage": phrase_coverage(weighted_words, f"{text} {heading_text}"),
        "measure_match": 1.0 if measure_match else 0.0,
    }


def _untitled_coverage(
    weighted: Sequence[tuple[str, float]], text: str, title_words: frozenset[str]
) -> float:
    """Coverage by the words that say which clause, not which document: "kinh phí … bảo đảm" of "Kinh phí
    giám sát bảo hiểm y tế học sinh do đâu bảo đảm" when the plan's title is about that insurance. Every
    clause of the document holds its title's topic in its headings; the rest tells them apart."""
    return word_coverage(_untitled(tuple(weighted), title_words) or weighted, text)


@lru_cache(maxsize=4096)
def _untitled(
    weighted: tuple[tuple[str, float], ...], title_words: frozenset[str]
) -> tuple[tuple[str, float], ...]:
    """The weighted words some syllable of which a document's title does not hold (once per question and
    document)."""
    return tuple((w, x) for w, x in weighted if not all(s in title_words for s in _WORD_RE.findall(fold(w))))


def _mostly_title(text: str, title_words: frozenset[str]) -> bool:
    """The clause repeats its document's title ("Điều 1. Thành lập Tổ công tác … gồm 05 đồng chí"): its
    list marker and its numbers are no words of it."""
    words = _title_test_words(text)
    return len(words) >= 3 and len(words & title_words) >= 0.8 * len(words)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _title_test_words(text: str) -> frozenset[str]:
    """A clause's folded words without its list marker and numbers (once per clause)."""
    return frozenset(w for w in _word_sets(_MARKER_WORDS_RE.sub("", text))[1] if not w.isdigit())


@dataclass(frozen=True)
class RankerModel:
    """Logistic regression weights over standardized features, and the decisions read off the dev split."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    thresholds: dict[str, float]  # by path: below it, the best candidate does not answer
    path_confidence: dict[str, float]  # dev accuracy of record-based answers, by path
    trained_on: str = ""

    def probability(self, feats: dict[str, float]) -> float:
        """A feature left out (no dense scores in a lexical-only search) counts as its training mean."""
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * (feats.get(name, m) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold(self, path: str) -> float:
        return self.thresholds.get(path, 0.5)

    def rank(self, candidates: list[Candidate]) -> list[Candidate]:
        for c in candidates:
            c.probability = self.probability(c.features)
        # Stable: equal probabilities keep the retrieval order.
        return sorted(candidates, key=lambda c: -c.probability)

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(self.features),
                "mean": list(self.mean),
                "scale": list(self.scale),
                "coef": list(self.coef),
                "intercept": self.intercept,
                "thresholds": self.thresholds,
                "path_confidence": self.path_confidence,
                "trained_on": self.trained_on,
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> RankerModel:
        raw = json.loads((path or DEFAULT_PATH).read_text(encoding="utf-8"))
        if tuple(raw["features"]) != FEATURES:
            raise ValueError(
                f"{path or DEFAULT_PATH}: saved for features {raw['features']}, the code computes "
                f"{list(FEATURES)}; retrain with `hoidap eval --train-ranker`."
            )
        return cls(
            features=tuple(raw["features"]),
            mean=tuple(raw["mean"]),
            scale=tuple(raw["scale"]),
            coef=tuple(raw["coef"]),
            intercept=float(raw["intercept"]),
            thresholds={k: float(v) for k, v in raw["thresholds"].items()},
            path_confidence={k: float(v) for k, v in raw.get("path_confidence", {}).items()},
            trained_on=raw.get("trained_on", ""),
        )

    @classmethod
    def untrained(cls) -> RankerModel:
        """Retrieval order and the old evidence floor: what answers before a model is trained."""
        coef = tuple(
            {"rank_rr": 1.0, "coverage": 2.0, "extractable": 3.0, "year_mismatch": -3.0}.get(f, 0.0)
            for f in FEATURES
        )
        return cls(
            features=FEATURES,
            mean=tuple(0.0 for _ in FEATURES),
            scale=tuple(1.0 for _ in FEATURES),
            coef=coef,
            intercept=-4.0,
            thresholds={p: 0.5 for p in PATHS},
            path_confidence={},
        )
