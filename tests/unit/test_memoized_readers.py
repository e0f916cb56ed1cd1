"""The readers issue 26 made read a passage or a question once (memoized views instead of the same work
per call) give what they gave before: each against the code it replaced, on the bundled documents'
clauses and the gold questions."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from importlib import resources

import pytest

from hoidap.corpus.dates import BARE_TIME_RE, CITED_BEFORE_RE, DEADLINE_RE, EVENT_TIME_RE
from hoidap.corpus.normalize import fold
from hoidap.corpus.records import ParsedDocument
from hoidap.indexer.lexical import row_sets, terms_in
from hoidap.indexer.tokenization import fold_token, is_stopword, tokenize
from hoidap.service import extract
from hoidap.service.extract import best_sentence, deadline_phrase
from hoidap.service.ranker import _word_sets, word_coverage
from hoidap.service.understanding import Catalog, analyze


@pytest.fixture(scope="module")
def questions() -> list[str]:
    text = (resources.files("hoidap.eval") / "gold.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["question"] for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def clauses(parsed: dict[str, ParsedDocument]) -> list[str]:
    """Every fifth clause of the bundled documents, as the index and the answer layer read them."""
    texts = [d.original[c.char_start : c.char_end] for d in parsed.values() for c in d.clauses]
    return texts[::5]


def _weighted(question: str) -> list[tuple[str, float]]:
    """Content words with distinct weights (their sum and its order are part of what is compared)."""
    words = [t for t in dict.fromkeys(tokenize(question)) if not is_stopword(t)]
    return [(t.replace("_", " "), 1.0 + i / 7) for i, t in enumerate(words)]


def _word_coverage_before(weighted: list[tuple[str, float]], text: str) -> float:
    total = sum(w for _, w in weighted)
    if not total:
        return 0.0
    accented, folded = _word_sets(text)
    got = 0.0
    for tok, w in weighted:
        syllables = tok.casefold().split()
        bare = [fold(x) for x in syllables]
        if all(s in accented for s in syllables) if bare != syllables else all(s in folded for s in bare):
            got += w
    return got / total


def test_word_coverage(questions: list[str], clauses: list[str]) -> None:
    for q in questions[::3]:
        weighted = _weighted(q)
        for text in clauses:
            assert word_coverage(weighted, text) == _word_coverage_before(weighted, text), (q, text)


def _terms_in_before(query_tokens: list[str], sets) -> list[str]:
    accented, syllables, folded = sets
    out = []
    for tok in dict.fromkeys(query_tokens):
        if is_stopword(tok):
            continue
        f = fold_token(tok)
        if f != tok:
            found = tok in accented or ("_" in tok and set(tok.split("_")) <= syllables)
        else:
            found = f in folded or ("_" in f and set(f.split("_")) <= folded)
        if found:
            out.append(tok)
    return out


def test_matched_terms(questions: list[str], clauses: list[str]) -> None:
    rows = [row_sets(tokenize(text)) for text in clauses[::3]]
    for q in questions[::2]:
        tokens = tokenize(q)
        for sets in rows:
            assert terms_in(tokens, sets) == _terms_in_before(tokens, sets), q


def _best_sentence_before(text: str, query_terms, whole_lists: bool = False, question: str = "") -> str:
    split = extract._LIST_SENTENCE_SPLIT_RE if whole_lists else extract.SENTENCE_SPLIT_RE
    sentences: list[tuple[int, int]] = []
    for m in extract._spans(text, split):
        if not text[m[0] : m[1]].strip():
            continue
        if sentences and extract._MARKER_ONLY_RE.match(text[sentences[-1][0] : sentences[-1][1]]):
            sentences[-1] = (sentences[-1][0], m[1])
        else:
            sentences.append(m)
    if len(sentences) <= 1:
        return text
    pairs_in = [(t, 1.0) if isinstance(t, str) else t for t in query_terms]
    weighted = [(fold(t).replace("_", " "), w) for t, w in pairs_in if t.strip()]
    patterns = [re.compile(extract._term_pattern(t)) for t, _ in weighted]
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

    def weight(span: tuple[int, int]) -> float:
        folded = fold(text[span[0] : span[1]])
        present = set(extract._WORD_RE.findall(folded))
        total = 0.0
        for (t, w), rx in zip(weighted, patterns, strict=True):
            if rx.search(folded):
                total += w
            else:
                parts = t.split()
                total += sum(w / (2 * len(parts)) for x in parts if extract._word_in(x, present))
        tokens = folded.split()
        adjacent = set(zip(tokens, tokens[1:], strict=False))
        return total + sum(w for pair, w in pairs.items() if pair in adjacent)

    start, end = max(sentences, key=weight)
    head = extract._LEAD_IN_RE.match(text)
    if head and start >= head.end():
        return f"{head.group(0).strip()} … {text[start:end].strip()}"
    return text[start:end].strip()


def test_best_sentence(questions: list[str], clauses: list[str]) -> None:
    for q in questions[::4]:
        terms = [(t.replace(" ", "_"), w) for t, w in _weighted(q)]
        folded = fold(q)
        for text in clauses[::2]:
            for whole in (False, True):
                got = best_sentence(text, terms, whole, folded)
                assert got == _best_sentence_before(text, terms, whole, folded), (q, text)


def _deadline_phrase_before(text: str, terms: list[str] | None = None) -> str | None:
    found = list(DEADLINE_RE.finditer(text))
    if not found:
        bare = next(
            (
                m
                for m in BARE_TIME_RE.finditer(text)
                if not CITED_BEFORE_RE.search(text[max(0, m.start() - 40) : m.start()])
            ),
            None,
        ) or EVENT_TIME_RE.search(text)
        return bare.group(0).strip() if bare else None
    if terms:
        anchor = extract._term_position(text, terms)
        if anchor is not None:
            after = [m for m in found if m.start() >= anchor - 10]
            if after:
                return after[0].group(0).strip()
    return found[0].group(0).strip()


def test_deadline_phrase(questions: list[str], clauses: list[str]) -> None:
    terms = [[t for t, _ in _weighted(q)][:3] for q in questions[::10]]
    for text in clauses:
        assert deadline_phrase(text) == _deadline_phrase_before(text), text
        for t in terms:
            assert deadline_phrase(text, t) == _deadline_phrase_before(text, t), (t, text)


def test_analysis_as_a_dict(parsed: dict[str, ParsedDocument], questions: list[str]) -> None:
    catalog = Catalog.from_documents(list(parsed.values()))
    for q in questions:
        a = analyze(q, catalog)
        assert a.to_dict() == asdict(a), q


def _frame_value_before(text: str, frame):  # noqa: ANN202 - the code before issue 26, for comparison
    from hoidap.service import frames as F

    clause = " ".join(text.split())
    folded = fold(clause)
    if len(folded) != len(clause):
        return None
    v = F._compiled().vocab
    n_words = len(frame.words)
    for n in range(n_words, v.min_anchor_syllables - 1, -1):
        words = frame.words[-n:] if frame.side == "object" else frame.words[:n]
        for m in F._pattern(words).finditer(folded):
            value = F._read(clause, folded, m, frame)
            if value:
                return value, (n + F._stated_before(folded, m.start(), frame.words[n:])) / n_words
    if frame.side == "object" and frame.names:
        return F._equivalent_value(clause, folded, frame)
    if frame.side == "object" and frame.words[-1] in v.directions:
        return F._direction_value(clause, folded, frame)
    return None


def test_frame_value(parsed: dict[str, ParsedDocument], questions: list[str], clauses: list[str]) -> None:
    """A clause without the shortest anchor's words is not searched for the longer ones (issue 26)."""
    from hoidap.service.frames import frame_value

    catalog = Catalog.from_documents(list(parsed.values()))
    frames = {a.frame for a in (analyze(q, catalog) for q in questions) if a.frame is not None}
    assert len(frames) > 20
    for frame in frames:
        for text in clauses:
            assert frame_value.__wrapped__(text, frame) == _frame_value_before(text, frame), (frame, text)
