"""Locate the answering phrase inside a clause: figures, best sentence, original spans."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache

from hoidap.corpus.agencies import COORD_AFTER_RE, agencies_in, assignment, clean_agency
from hoidap.corpus.dates import (
    BARE_TIME_RE,
    CITED_BEFORE_RE,
    DATE_REST_AFTER_RE,
    DATE_WORD_BEFORE_RE,
    DEADLINE_RE,
    EVENT_TIME_RE,
    YEAR_ONLY_RE,
)
from hoidap.corpus.normalize import TEXT_CACHE_SIZE, MappedText, fold, has_diacritics, lowered, normalize_span
from hoidap.corpus.vocab import coordination_end_re, load, pattern
from hoidap.service.answer_types import counted_nouns

FIGURE_RE = pattern("extract.figure")
WORDED_FIGURE_RE = pattern("extract.worded_figure")
# Measure words and units of figures (data: corpus/data/units.json).
_MEASURE_END = frozenset(load("units")["measure_end_words"])
_DURATION = frozenset(load("units")["durations"])
_DIGIT_NEXT_RE = pattern("extract.digit_next")
_MEASURE_WORD_RE = pattern("extract.measure_word")
_GLOSS_RE = pattern("extract.figure_gloss")
SENTENCE_SPLIT_RE = pattern("extract.sentence_split")
_MARKER_ONLY_RE = pattern("extract.marker_only")
_LIST_SENTENCE_SPLIT_RE = pattern("extract.list_sentence_split")
ASKS_LIST_RE = pattern("extract.asks_list")


def _measure(text: str, end: int) -> str:
    """The measure noun printed after a bare number: '22 [trạm 5G]', '8 [lĩnh vực]' (≤ 3 words)."""
    words: list[str] = []
    pos = end
    while len(words) < 4:
        m = _MEASURE_WORD_RE.match(text, pos)
        word = m.group(1) if m else ""
        if m and not words and word.casefold() in _DURATION and not _DIGIT_NEXT_RE.match(text[m.end() :]):
            words.append(word)
            pos = m.end()
            continue
        if (
            not m
            or word.casefold() in _MEASURE_END
            or word.isdigit()
            or (word[:1].isupper() and word[1:].islower())  # "8 | Tiếp tục …": a new sentence
        ):
            break
        words.append(m.group(1))
        pos = m.end()
    return " ".join(words)


# What kind of quantity a question asks for (folded words, so a question typed without marks counts),
# and how a figure of that kind is written.
_UNIT_KINDS = tuple(
    (kind, pattern(f"units.{kind}_asked"), pattern(f"units.{kind}_written"))
    for kind in load("units")["unit_kinds"]
)


def unit_kind(question: str) -> str | None:
    """'percent', 'foreign_money', 'money', 'area' or 'concentration' when the question names the unit of
    the figure it wants."""
    folded = fold(question)
    for kind, asks, _ in _UNIT_KINDS:
        if asks.search(folded):
            return kind
    return None


_COUNTED_RE = pattern("extract.counted")


def asked_measure(folded_question: str) -> str | None:
    """The noun a question counts in, folded: "tối đa bao nhiêu năm" -> "nam", "mấy ngày" -> "ngay"."""
    m = _COUNTED_RE.search(folded_question)
    return m.group(1) if m and m.group(1) != "la" else None


_ASKED_RATE_RE = pattern("extract.asked_rate")


def asked_rate(folded_question: str) -> str | None:
    """What a question asks a rate per, folded: "bao nhiêu đồng/km" -> "km", "bao nhiêu một phiếu" ->
    "phieu"."""
    m = _ASKED_RATE_RE.search(folded_question.lower())
    return m.group(1) if m else None


def measure_fits(value: str, kind: str | None, measure_asked: str | None) -> bool:
    """The figure is in the measure the question asks: the noun it counts in ("bao nhiêu [thành viên]":
    "15 thành viên"), else the unit it names ("tỷ lệ": "78%"); False when the question names neither."""
    if measure_asked:
        return f" {measure_asked}" in f" {fold(value).lower()}"
    return kind is not None and _unit_fits(value, kind)


def _with_gloss(text: str, phrase: str, end: int) -> tuple[str, int]:
    """A figure with the gloss in brackets printed after it ("ba mươi (30)", "05 (năm)"), and where its
    measure noun may start."""
    gloss = _GLOSS_RE.match(text, end)
    return (f"{phrase}{gloss.group(0)}", gloss.end()) if gloss else (phrase, end)


def _unit_fits(phrase: str, kind: str | None) -> bool:
    return kind is None or any(rx.search(phrase) for k, _, rx in _UNIT_KINDS if k == kind)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _figure_candidates(
    text: str, kind: str | None, given: tuple[str, ...], measure_asked: str | None
) -> tuple[tuple[int, str, str], ...]:
    """The figures of `text` that may answer: (start, phrase with its measure noun, measure words).
    Memoized: a passage is read again by each question whose ranking it enters (issue 26)."""
    given_numbers = {_NOT_NUMBER_RE.sub("", g).strip(".,") for g in given}
    candidates: list[tuple[int, str, str]] = []  # (start, phrase, measure words)
    for m in FIGURE_RE.finditer(text):
        if pattern("extract.number_code_next").match(text[m.end() : m.end() + 3]):
            continue  # part of a document number: "536-KL/TU", "214/KH-UBND"
        before, after = text[max(0, m.start() - 8) : m.start()], text[m.end() : m.end() + 12]
        if DATE_WORD_BEFORE_RE.search(before) or DATE_REST_AFTER_RE.match(after):
            continue  # part of a date: "ngày 05 tháng 3 năm 2026", "30/11/2025"
        phrase = m.group(0).strip().rstrip(".,;")
        if YEAR_ONLY_RE.match(phrase) or not any(c.isdecimal() for c in phrase):
            continue
        if _NOT_NUMBER_RE.sub("", phrase).strip(".,") in given_numbers:
            continue
        if "%" in phrase and measure_asked in counted_nouns():
            continue  # "bao nhiêu xã": a count of things, which a share ("60 - 70%") does not answer
        measure = ""
        phrase, end = _with_gloss(text, phrase, m.start() + len(m.group(0).rstrip().rstrip(".,;")))
        if not pattern("extract.unit_at_end").search(phrase):
            measure = _measure(text, end)
        if not measure and pattern("extract.item_number").fullmatch(phrase):
            continue  # item numbers like "1", "2.1" (not "5.310.000": thousands grouped by three)
        if _unit_fits(f"{phrase} {measure}", kind):
            candidates.append((m.start(), f"{phrase} {measure}".strip(), measure))
    return tuple(sorted(candidates + _worded_candidates(text, kind)))


# A number word that alone is mostly something else: "một" (a, one), "năm" (year), "tư" (private), parts.
_AMBIGUOUS_NUMBER_WORDS = frozenset(
    {"một", "năm", "tư", "lăm", "nhăm", "mươi", "mốt", "linh", "lẻ", "trăm", "nghìn", "ngàn", "triệu", "tỷ"}
)


def _worded_candidates(text: str, kind: str | None) -> list[tuple[int, str, str]]:
    """Figures written in words ("từ chín đến mười bảy thành viên"), each with the measure noun after it;
    none without one (a share in words, "mười lăm phần trăm", is its own unit), none that is only an
    ambiguous word, none ordinal ("lần thứ hai")."""
    out: list[tuple[int, str, str]] = []
    for m in WORDED_FIGURE_RE.finditer(text):
        words = m.group("number").casefold().split()
        if len(words) == 1 and words[0] in _AMBIGUOUS_NUMBER_WORDS:
            continue
        if text[max(0, m.start() - 5) : m.start()].casefold().strip().endswith("thứ"):
            continue
        phrase, end = _with_gloss(text, m.group(0).strip(), m.end())
        measure = _measure(text, end)
        share = phrase.casefold().split()[-2:] == ["phần", "trăm"]  # its own unit
        if (measure or share) and _unit_fits(f"{phrase} {measure}", kind):
            out.append((m.start(), f"{phrase} {measure}".strip(), measure))
    return out


def figure_phrase(
    text: str,
    terms: list[str],
    kind: str | None = None,
    given: Collection[str] = (),
    measure_asked: str | None = None,
    question: str = "",
    rate: str | None = None,
) -> tuple[str, int] | None:
    """The figure that answers a question about `terms` in `text`.

    Args:
        text: normalized clause text.
        terms: key phrases of the question ("tăng trưởng GRDP", "trạm 5G").

    Returns:
        (phrase as printed, offset in text), or None when the clause holds no figure. Years and
        year ranges are not figures. A bare number takes the measure noun after it ("22 trạm 5G").
        Among several figures, the one whose measure words the question uses wins, then the first
        after the best-matching term, else the first of the clause. With `kind` (see `unit_kind`),
        only figures in that unit count ("bao nhiêu tỷ đồng" is never answered with "100%"). Numbers
        the question itself gives (`given`: "VN_AQI từ 300 trở lên trong bao nhiêu ngày") are its
        conditions, not its answer. `measure_asked` (see `asked_measure`): the unit noun the question
        counts in. `question` (folded): the conditions it states ("trên 40 chỉ tiêu", "đối với tổ chức")
        pick among figures each printed under its own condition (`_condition_support`).
    """
    candidates = _figure_candidates(text, kind, tuple(given), measure_asked)
    if rate:
        # "bao nhiêu đồng/km": a figure paid per something else ("500.000 đồng/người/tháng") does not answer.
        candidates = tuple(c for c in candidates if _rate_fits(c[1], rate))
    if not candidates:
        return None
    # Typed with diacritics, words compare as typed: folded, "công bố" would name a "bộ dữ liệu".
    match = lowered if any(has_diacritics(t) for t in terms) else fold
    term_words = [match(t).split() for t in terms]
    asked = {w for words in term_words for w in words}
    folded = match(text)

    def tail(i: int, reach: int = 80) -> str:
        # What follows "đối với" names a figure too: "trước ít nhất 10 ngày [đối với động sản] hoặc … 15
        # ngày [đối với bất động sản]"; those words are then not the next figure's.
        end = candidates[i][0] + len(candidates[i][1])
        nxt = candidates[i + 1][0] if i + 1 < len(candidates) else len(text)
        words = pattern("extract.figure_tail_end").split(text[end : min(nxt, end + reach)])[0]
        if i + 1 < len(candidates) and _CONDITION_THEN_RE.search(words):
            return ""  # "… 250.000đ, đối với xã có từ 20 người … thì mức chi là 350.000đ": the next one's
        return words if pattern("extract.figure_for").match(words) else ""

    tails = [tail(i) for i in range(len(candidates))]

    def support(i: int) -> int:
        # The words governing a figure: those between the previous figure and it ("tốc độ tăng
        # trưởng GRDP … đạt [7,25%]"), and the measure noun after a bare number ("22 [trạm 5G]").
        start = candidates[i][0]
        prev_end = candidates[i - 1][0] + len(candidates[i - 1][1]) + len(tails[i - 1]) if i else 0
        window = folded[max(prev_end, start - 60) : start]
        # Not across the end of a sentence or list item: "… 02 vùng dự án nuôi thủy sản công nghệ cao.
        # Có [30%] diện tích …" - the words before the full stop name the 02, not the 30%.
        cut = max(window.rfind(". "), window.rfind("; "))
        before = (window[cut + 2 :] if cut >= 0 else window).split()
        # A share is also named by the noun after it: "30% [diện tích nuôi …]", "100% [khu công nghiệp]".
        phrase = candidates[i][1]
        after = match(_measure(text, start + len(phrase))).split() if phrase.endswith("%") else []
        after = after + match(tails[i]).split()
        measure = set(match(candidates[i][2]).split())
        # A count whose noun is a whole term of the question ("bao nhiêu [tiêu chí thành phần]") is the
        # one asked, whatever the subject words before the others: "… gồm 7 lĩnh vực, 43 tiêu chí và 95
        # tiêu chí thành phần".
        named = any(len(w) >= 2 and set(w) <= measure for w in term_words)
        # The noun after "bao nhiêu"/"mấy" in the question ("tối đa bao nhiêu [năm]") names the figure's unit.
        unit = fold(f"{phrase} {candidates[i][2]}").split()
        counted = bool(measure_asked) and measure_asked in unit
        return (
            2 * len(asked & measure) + len(asked & set(before + after)) + (len(asked) + 1) * (named + counted)
        )

    scores = [support(i) for i in range(len(candidates))]
    if question and len(candidates) > 1:
        ends = [c[0] + len(c[1]) + len(t) for c, t in zip(candidates, tails, strict=True)]
        conditions, listed = _condition_support(
            text,
            question,
            [c[0] for c in candidates],
            [0, *ends[:-1]],
            [tail(i, 240) for i in range(len(ends))],
        )
        # Conditions tell apart the rows of one rate table, figures in one unit ("đồng/phiếu"); a figure
        # of another unit ("trong vòng 24 giờ" before "8.100.000 đồng/người") is not one of its rows. A
        # question stating no number of its own ("trên 40 chỉ tiêu", "từ 20 người") of a clause whose
        # figures stand under no group heading ("Đối với tổ chức: + …") states its condition in words only:
        # they then only break a tie, for words a question shares with the subject of several figures
        # ("tỷ trọng kinh tế số [trong GRDP]" and "… [trong từng ngành]") are no condition.
        units = [_unit_signature(c[1]) for c in candidates]
        top = max(scores)
        scores = [
            s + (c if units.count(u) > 1 and (given or listed or (s == top and scores.count(top) > 1)) else 0)
            for s, c, u in zip(scores, conditions, units, strict=True)
        ]
    if max(scores) > 0 and scores.count(max(scores)) == 1:
        start, phrase, measure = candidates[scores.index(max(scores))]
        words = measure.split()
        # "22 trạm 5G [phủ]": keep the asked measure; a duration is the unit itself ("05 năm").
        counted = bool(words) and fold(words[0]) == measure_asked  # "bao nhiêu [thành viên]": all of it
        # A word of two syllables the question uses is not cut in half ("mức lương cơ [sở]").
        pairs = {(a, b) for w in term_words for a, b in zip(w, w[1:], strict=False)}
        while (
            words
            and not counted
            and match(words[-1]) not in asked
            and not (len(words) == 1 and words[0] in _DURATION)
            and not (len(words) > 1 and (match(words[-2]), match(words[-1].split("/")[0])) in pairs)
        ):
            words.pop()
        return _tidy(start, (phrase[: len(phrase) - len(measure)].rstrip() + " " + " ".join(words)).strip())
    anchor = _term_position(text, terms)
    if anchor is not None:
        after = [c for c in candidates if c[0] >= anchor]
        if after:
            return _tidy(after[0][0], after[0][1])
    return _tidy(candidates[0][0], candidates[0][1])


_CONDITION_THEN_RE = pattern("extract.figure_condition_then")
_CONDITION_HEAD_RE = pattern("extract.figure_condition_head")
_WORD_RE = re.compile(r"\w+")
_ITEM_CUT_RE = re.compile(r"(?:^|\s)[-+•]\s|[;.]\s|\n")


def _rate_fits(phrase: str, rate: str) -> bool:
    """A figure without a rate may be one; one with a rate must be paid per the noun asked."""
    per = fold(phrase).lower().split("/")[1:]
    return not per or any(p.split()[:1] == [rate] or p.startswith(rate) for p in per)


def _unit_signature(phrase: str) -> str:
    """A figure's unit as printed, after its last number: "không quá 150.000 đồng/ngày/người" ->
    "dong/ngay/nguoi", "khoảng 36 - 37%" -> "%"."""
    last = max((i for i, ch in enumerate(phrase) if ch.isdigit()), default=-1)
    return " ".join(fold(phrase[last + 1 :]).lower().split())


def _condition_support(
    text: str, question: str, starts: list[int], prev_ends: list[int], tails: list[str]
) -> tuple[list[int], bool]:
    """How well the condition each figure is printed under matches the one the question states: the
    question's word pairs in the words of its own item before it ("+ Trên 40 chỉ tiêu: [50.000 đồng]") or
    in the condition after it ("[350.000đ], đối với những xã … từ 20 người trở lên"), twice each, and the
    question's words in the nearest group heading before it ("- Đối với tổ chức: + …") that the text
    before the first group does not already state (the subject common to every group). A rate table
    written as a list reads as its rows do. Also whether the clause has such group headings."""
    asked = _WORD_RE.findall(question.lower())
    pairs = set(zip(asked, asked[1:], strict=False))
    heads = list(_CONDITION_HEAD_RE.finditer(text))
    common = set(_WORD_RE.findall(fold(text[: heads[0].start(1)]).lower())) if heads else set()
    scores = []
    for start, prev_end, tail in zip(starts, prev_ends, tails, strict=True):
        window = text[max(prev_end, start - 160) : start]
        cut = max((m.end() for m in _ITEM_CUT_RE.finditer(window)), default=0)
        # A condition printed after the figure is its own; the words before it are then the lead-in
        # every figure of the clause shares ("mức chi: 250.000đ, đối với …; 350.000đ, đối với …").
        said = _WORD_RE.findall(fold(tail or window[cut:]).lower())
        said = set(zip(said, said[1:], strict=False))
        score = 2 * len(pairs & said)
        head = next((h for h in reversed(heads) if h.end() <= start), None)
        if head is not None:
            words = set(_WORD_RE.findall(fold(head.group(1)).lower())) - common
            score += 2 * len(words & set(asked))
        scores.append(score)
    return scores, bool(heads)


def _tidy(start: int, phrase: str) -> tuple[str, int]:
    """Drop a leading verb ("đạt", "là"), keep qualifiers ("trên", "khoảng")."""
    tidy = pattern("extract.figure_verb").sub("", phrase)
    return tidy, start + len(phrase) - len(tidy)


def _term_position(text: str, terms: list[str]) -> int | None:
    folded = fold(text)
    best: tuple[int, int] | None = None  # (matched words, position)
    for term in terms:
        words = fold(term).split()
        for n in range(len(words), 0, -1):
            for i in range(0, len(words) - n + 1):
                piece = " ".join(words[i : i + n])
                pos = folded.find(piece)
                if pos >= 0 and (best is None or n > best[0]):
                    best = (n, pos + len(piece))
                    break
            if best and best[0] == n:
                break
    return best[1] if best else None


def deadline_phrase(text: str, terms: list[str] | None = None) -> str | None:
    """A time expression stated in prose: 'Hoàn thành trong quý II/2023', 'trước ngày 05 tháng 12
    năm 2025', else one stated by an event ('sau khi … kết thúc'). With `terms`, the expression
    nearest after the best-matching term wins."""
    found, bare = _deadlines(text)
    if not found:
        return bare
    if terms:
        anchor = _term_position(text, terms)
        if anchor is not None:
            after = [phrase for start, phrase in found if start >= anchor - 10]
            if after:
                return after[0]
    return found[0][1]


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _deadlines(text: str) -> tuple[tuple[tuple[int, str], ...], str | None]:
    """The time expressions a passage states (start, phrase), and when it states none, its bare time or
    event's time: read once per passage (issue 26)."""
    found = tuple((m.start(), m.group(0).strip()) for m in DEADLINE_RE.finditer(text))
    if found:
        return found, None
    # A schedule's cell states the time bare ("Tháng 8/2026", "Quý III/2026"), not the date a cited
    # document bears ("Thực hiện Kế hoạch số 17-KH/TU ngày 27/8/2025"); else an event's time.
    bare = next(
        (
            m
            for m in BARE_TIME_RE.finditer(text)
            if not CITED_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()])
        ),
        None,
    ) or EVENT_TIME_RE.search(text)
    return found, bare.group(0).strip() if bare else None


def asks_list(folded_question: str) -> bool:
    """Whether the question asks for several things ("những ngành nào", "gồm những gì")."""
    return bool(ASKS_LIST_RE.search(folded_question))


def best_sentence(
    text: str,
    query_terms: list[str] | list[tuple[str, float]],
    whole_lists: bool = False,
    question: str = "",
    fitting: Callable[[str], bool] | None = None,
) -> str:
    """The sentence of `text` whose words weigh most in the query (whole text when one sentence).

    Terms are tokens ("trung_tâm"), optionally with rarity weights; a term missing as a phrase counts
    half for each of its words found (the segmenter joins words wrongly in unmarked questions: "logistic
    quang"); a long word also matches as the start of a longer one ("logistic" in "logistics"); each pair
    of adjacent question words (`question`, folded) found together adds the mean weight of its words.
    With `whole_lists`, items after ";" stay in their sentence. A sentence after the clause's lead-in
    ("Đối với vùng Tây: …") keeps the lead-in, which scopes it. With `fitting` (the value asked must be a
    time, an agency, a number), only sentences that state one compete, when any does: a sentence without
    the time asked cannot answer "khi nào", however many of the question's words it holds."""
    sentences = _sentences(text, whole_lists)
    if len(sentences) <= 1:
        return text
    if fitting is not None:
        sentences = tuple(s for s in sentences if fitting(text[s[0] : s[1]])) or sentences
    pairs_in = tuple((t, 1.0) if isinstance(t, str) else t for t in query_terms)
    weighted, pairs = _sentence_query(pairs_in, question)

    def weight(span: tuple[int, int]) -> float:
        folded, present, adjacent = _sentence_words(text[span[0] : span[1]])
        total = 0.0
        for w, rx, parts in weighted:
            if rx.search(folded):
                total += w
            else:
                total += sum(w / (2 * len(parts)) for x in parts if _word_in(x, present))
        return total + sum(w for pair, w in pairs if pair in adjacent)

    start, end = max(sentences, key=weight)  # max keeps the first of equals
    head = _LEAD_IN_RE.match(text)
    if head and start >= head.end():
        return f"{head.group(0).strip()} … {text[start:end].strip()}"
    return text[start:end].strip()


_WORD_RE = pattern("extract.word")


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _sentences(text: str, whole_lists: bool) -> tuple[tuple[int, int], ...]:
    """The sentence spans of a passage (`best_sentence`), read once per passage (issue 26)."""
    split = _LIST_SENTENCE_SPLIT_RE if whole_lists else SENTENCE_SPLIT_RE
    sentences: list[tuple[int, int]] = []
    for m in _spans(text, split):
        if not text[m[0] : m[1]].strip():
            continue
        if sentences and _MARKER_ONLY_RE.match(text[sentences[-1][0] : sentences[-1][1]]):
            sentences[-1] = (sentences[-1][0], m[1])  # "2. Cơ quan …": a list marker is no sentence
        else:
            sentences.append(m)
    return tuple(sentences)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _sentence_words(sentence: str) -> tuple[str, frozenset[str], frozenset[tuple[str, str]]]:
    """A sentence folded, its words and its pairs of adjacent words (once per sentence)."""
    folded = fold(sentence)
    tokens = folded.split()
    return folded, frozenset(_WORD_RE.findall(folded)), frozenset(zip(tokens, tokens[1:], strict=False))


_Term = tuple[float, re.Pattern[str], tuple[str, ...]]  # weight, pattern, words of a folded query term
_Pair = tuple[tuple[str, str], float]  # two adjacent question words, their mean weight


@lru_cache(maxsize=1024)
def _sentence_query(
    pairs_in: tuple[tuple[str, float], ...], question: str
) -> tuple[tuple[_Term, ...], tuple[_Pair, ...]]:
    """What `best_sentence` weighs a sentence by, once per question: each folded term's weight, pattern
    and words, and the pairs of adjacent question words with their mean weight."""
    weighted = [(fold(t).replace("_", " "), w) for t, w in pairs_in if t.strip()]
    word_weight: dict[str, float] = {}
    for t, w in weighted:
        for x in t.split():
            word_weight[x] = max(word_weight.get(x, 0.0), w)
    words = question.split()
    pairs = {
        (a, b): (word_weight[a] + word_weight[b]) / 2
        for a, b in zip(words, words[1:], strict=False)
        if a in word_weight and b in word_weight
    }
    terms = tuple((w, re.compile(_term_pattern(t)), tuple(t.split())) for t, w in weighted)
    return terms, tuple(pairs.items())


def _word_in(word: str, present: set[str]) -> bool:
    return word in present or (len(word) >= 6 and any(p.startswith(word) for p in present))


_LEAD_IN_RE = pattern("extract.lead_in")


def _spans(text: str, split: re.Pattern[str]) -> list[tuple[int, int]]:
    out, at = [], 0
    for m in split.finditer(text):
        out.append((at, m.start()))
        at = m.end()
    out.append((at, len(text)))
    return out


def _term_pattern(folded_term: str) -> str:
    """A folded term as whole words; a long single word may run on ("logistic" → "logistics")."""
    words = folded_term.split()
    tail = r"\w*" if len(words) == 1 and len(words[0]) >= 6 else ""
    return r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + tail + r"(?!\w)"


@lru_cache(maxsize=2048)
def _normalized_passage(original: str, start: int, end: int) -> MappedText:
    """A cited passage normalized with its offsets map, kept for the next question that cites it (issue
    26). Bounded: a map holds two offsets per character (~70 KB for a 1,000-character passage)."""
    return normalize_span(original, start, end)


def locate(original: str, start: int, end: int, phrase: str) -> tuple[int, int] | None:
    """Original span of a normalized `phrase` inside original[start:end] (for highlighting)."""
    if not phrase:
        return None
    if " … " in phrase:  # a lead-in joined to its sentence: the sentence is highlighted
        phrase = phrase.rsplit(" … ", 1)[1]
    mapped = _normalized_passage(original, start, end)
    pos, size = mapped.text.find(phrase), len(phrase)
    if pos < 0 and len(fold(mapped.text)) == len(mapped.text):
        # Found without marks; the folded phrase's length counts (folding may drop combining marks).
        folded = fold(phrase)
        pos, size = fold(mapped.text).find(folded), len(folded)
    if pos < 0 or size == 0 or pos + size > len(mapped.text):
        return None
    return mapped.orig_span(pos, pos + size)


# --- roles stated in prose ------------------------------------------------------------------------


_HEAD_START_RE = pattern("extract.head_start")
# How a clause names its lead, tried in this order: "… do X chủ trì", "Cơ quan chủ trì: X", "X chủ trì …".
_LEAD_NAME_RES = (pattern("extract.lead_by_do"), pattern("extract.lead_field"), pattern("extract.lead_named"))
_NOT_NUMBER_RE = pattern("extract.not_number")
_LEAD_VERB_RE = pattern("extract.lead_verb")
MAX_NAME_BEFORE_LEAD = 70  # characters an agency's name may take before "chủ trì"


def _name_before_lead(text: str) -> str | None:
    """An item's title run into the words saying who leads it ("… nhiệm kỳ 2026 - 2030 Ban Xây dựng Đảng
    chủ trì, phối hợp …", the line break lost): the name opening nearest before "chủ trì", within one
    phrase."""
    for verb in _LEAD_VERB_RE.finditer(text):
        lo = max(0, verb.start() - MAX_NAME_BEFORE_LEAD)
        heads = list(_HEAD_START_RE.finditer(text, lo, verb.start()))
        for i in range(len(heads) - 1, -1, -1):
            # A head right after another is part of its name: "Đảng uỷ UBND xã", not "UBND xã".
            while i > 0 and not text[heads[i - 1].end() : heads[i].start()].strip():
                i -= 1
            name = text[heads[i].start() : verb.start()]
            if not pattern("extract.phrase_break").search(name) and (found := clean_agency(name)):
                return found
    return None


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def role_phrase(text: str, role: str, section: str = "") -> str | None:
    """The agency a clause names for a role, read from its wording.

    lead: "Giao X chủ trì …", "… do X chủ trì/thực hiện", "Cơ quan chủ trì: X", a clause or a line
    of it opening with "X chủ trì …", a name run on after an item's title ("… 2030 Ban X chủ trì"),
    else the agency its section is about ("2. Sở Xây dựng" > "- Chủ trì …");
    coordinating: "phối hợp (với) Y".
    """
    if role == "coordinating":
        m = COORD_AFTER_RE.search(text)
        if not m:
            return None
        names = coordination_end_re().split(m["coord"])[0]
        found, _ = agencies_in(names)
        return "; ".join(found) or None
    if role != "lead":
        return None
    m = assignment(text)
    if m and (name := clean_agency(m["lead"])):
        return name
    for name_re in _LEAD_NAME_RES:
        for m in name_re.finditer(text):
            name = clean_agency(m["a"])
            if name:
                return name
    if name := _name_before_lead(text):
        return name
    if pattern("extract.opens_with_lead").match(text) and section:
        heading = section.split(" > ")[-1]
        return clean_agency(pattern("extract.heading_marker").sub("", heading))
    return None


ASKS_OWNER_RE = pattern("extract.asks_owner")
_OWNS_RE = pattern("extract.owns")


def owner_clause(clauses: list[tuple[str, str]]) -> tuple[int, str] | None:
    """Of a document's clauses (text, breadcrumb), the first that gives one agency the lead of the
    document as a whole ("Giao Sở X chủ trì, phối hợp … tổ chức triển khai thực hiện Kế hoạch này"):
    its index and the agency. Clauses leading "the tasks assigned in this plan" do not count, nor
    plural subjects ("Các sở, ngành …")."""
    for i, (text, section) in enumerate(clauses):
        if not _OWNS_RE.search(fold(text)):
            continue
        agency = role_phrase(text, "lead", section)
        if agency and not fold(agency).startswith(("cac ", "nhung ")):
            return i, agency
    return None


# A document a clause cites: "Quyết định số 531/QĐ-TTg ngày 01 tháng 4 năm 2021", "Kế hoạch số
# 371/KH-UBND ngày 31/7/2023", "Nghị quyết 29-NQ/TW".
DOC_REF_RE = pattern("extract.doc_ref")
# "… quyết định nào", "căn cứ văn bản nào", "kế hoạch số mấy", "thay thế kế hoạch nào".
ASKS_DOC_RE = pattern("extract.asks_doc")


def asked_document_kind(folded_question: str) -> str | None:
    """The kind of document a question asks to be named ("van ban" for any), None when it asks none."""
    m = ASKS_DOC_RE.search(folded_question)
    return m.group("kind") if m else None


def document_reference(text: str, kind: str, words: list[str], issuer: str = "") -> str | None:
    """The cited document that answers "… quyết định nào?" in `text`: of the references of the kind
    asked ("van ban": any), the one the body asked (`issuer`, see `asked_issuer`) issued, then the one
    whose preceding words share most with the question's `words` (folded); the first of equals."""
    found = best_reference(text, kind, words, issuer)
    return " ".join(found[0].group(0).split()) if found else None


def best_reference(
    text: str, kind: str, words: list[str], issuer: str = ""
) -> tuple[re.Match[str], int] | None:
    """`document_reference`'s choice as a match, with how surely the body asked issued it (`issued_by`)."""
    refs = document_references(text, kind)
    if not refs:
        return None
    asked = {w for t in words for w in fold(t).replace("_", " ").split()}

    def context(m: re.Match[str]) -> tuple[int, int]:
        before = len(asked & set(fold(text[max(0, m.start() - 160) : m.start()]).split()))
        return issued_by(text, m, issuer), before

    scored = [(context(m), m) for m in refs]
    (score, _), best = max(scored, key=lambda x: x[0])  # max keeps the first of equals
    return best, score


def document_references(text: str, kind: str) -> list[re.Match[str]]:
    """The references in `text` to documents of `kind` ("chuong trinh" asked: a "Chương trình hành động"
    is one; "van ban": any)."""
    return [
        m for m in DOC_REF_RE.finditer(text) if kind == "van ban" or fold(m.group("kind")).startswith(kind)
    ]


_ASKED_ISSUER_RE = pattern("extract.asked_issuer")
_REF_ISSUER_RE = pattern("extract.ref_issuer")


def asked_issuer(folded_question: str) -> str:
    """The body whose document a question asks for, folded ("nghị quyết nào của Tỉnh ủy" -> "tinh uy",
    "kế hoạch nào của UBND tỉnh" -> "ubnd tinh"); "" when it names none."""
    m = _ASKED_ISSUER_RE.search(folded_question.lower())
    return " ".join(m.group(1).split()) if m else ""


def issued_by(text: str, ref: re.Match[str], issuer: str) -> int:
    """How surely the cited document `ref` is the `issuer`'s: the issuer's words in the "của …" after it
    ("Nghị quyết số 48-NQ/TU ngày 20/02/2025 của Tỉnh ủy về …"), and 2 more when its number's code is the
    issuer's initials or name ("48-NQ/TU" of "tỉnh ủy", "16/NQ-UBBC" of "ủy ban bầu cử", "…/KH-UBND")."""
    if not issuer:
        return 0
    asked = issuer.split()
    said = _REF_ISSUER_RE.match(text, ref.end())
    words = set(fold(said.group(1)).lower().split()) if said else set()
    score = len(words & set(asked))
    codes = {c.lower() for c in re.split(r"[-/.]", fold(ref.group("number")))[1:]}
    initials = {
        "".join(w[0] for w in asked[i:j]) for i in range(len(asked)) for j in range(i + 2, len(asked) + 1)
    }
    if codes & (initials | set(asked)):
        score += 2
    return score
