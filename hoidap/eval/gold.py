"""Gold question set for evaluating the retrieval QA system: schema, loading and validation.

The gold set lives in ``eval/gold.jsonl`` (one JSON object per line). Every answerable item quotes
its evidence as exact character spans of the original corpus texts, so the set can be re-checked
against the bundled documents at any time::

    python -m eval.gold [PATH]
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from hoidap.service.intents import GOLD_TYPES, Intent

STYLES: tuple[str, ...] = (
    "full_sentence",
    "keyword",
    "no_diacritics",
    "paraphrase",
    "names_document",
    "names_province",
    "task_number",
)
NEAR_CHARS = 300
"""An accepted answer must occur in its evidence or within this many characters around it."""
MAX_EVIDENCE_CHARS = 2500
"""Evidence spans are meant to be tight (a clause, a task, a table row)."""

# Bundled with the package: the gold set beside this module, the bundled corpus it quotes.
EVAL_DIR = Path(str(resources.files("hoidap.eval")))
DEFAULT_GOLD_PATH = EVAL_DIR / "gold.jsonl"
DEFAULT_CORPUS_DIR = Path(str(resources.files("hoidap.corpus")))


def _gold_type(value: Intent) -> Intent:
    if value not in GOLD_TYPES:
        raise ValueError(f"not a gold question type (expected one of {', '.join(GOLD_TYPES)})")
    return value


# The question types of the service (`Intent`) that gold items are filed under.
QuestionType = Annotated[Intent, AfterValidator(_gold_type)]
Split = Literal["dev", "test", "unseen"]
QUESTION_TYPES: tuple[str, ...] = tuple(str(t) for t in GOLD_TYPES)
SPLITS: tuple[str, ...] = get_args(Split)

_LEGACY_FONT = str.maketrans({"ƣ": "ư", "Ƣ": "Ư", "Ð": "Đ", "ð": "đ"})
_WS = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_TASK_ID = re.compile(r"[0-9A-Za-zĐđ.]{1,20}")


class EvidenceSpan(BaseModel):
    """A quoted span ``text == documents[doc_id][char_start:char_end]`` of an original corpus text."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(min_length=1)
    char_start: int = Field(ge=0)
    char_end: int = Field(gt=0)
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> EvidenceSpan:
        if self.char_end <= self.char_start:
            raise ValueError(
                f"char_end ({self.char_end}) must be greater than char_start ({self.char_start})"
            )
        return self


class GoldItem(BaseModel):
    """One gold question with its accepted answers and evidence spans."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    type: QuestionType
    doc_id: str | None = None
    task_id: str | None = None
    answers: list[str] = Field(default_factory=list)
    evidence: list[EvidenceSpan] = Field(default_factory=list)
    split: Split
    style: list[str] = Field(default_factory=list)
    notes: str | None = None

    @property
    def answerable(self) -> bool:
        """True unless the item is of type ``unanswerable``."""
        return self.type != "unanswerable"


class GoldFormatError(ValueError):
    """Raised by :func:`load_gold` for a line that is not valid JSON or does not fit the schema."""


def normalize(text: str) -> str:
    """Light matching normalization: NFC, legacy-font repair, whitespace collapse, case-fold."""
    text = unicodedata.normalize("NFC", text).translate(_LEGACY_FONT)
    return _WS.sub(" ", text).strip().casefold()


def typed_without_diacritics(item: GoldItem) -> GoldItem:
    """The same question as an official typing without diacritics writes it ("ai chu tri nhiem vu 5.4"),
    with the same answers and evidence."""
    from hoidap.corpus.normalize import strip_diacritics

    plain = strip_diacritics(item.question).lower()
    styles = item.style if "no_diacritics" in item.style else [*item.style, "no_diacritics"]
    return item.model_copy(update={"question": plain, "style": styles})


def load_gold(path: Path | str = DEFAULT_GOLD_PATH) -> list[GoldItem]:
    """Read a gold JSONL file; blank lines are skipped, errors name the offending line."""
    path = Path(path)
    items: list[GoldItem] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFormatError(
                    f"{path}:{lineno}: invalid JSON: {exc.msg} (column {exc.colno})"
                ) from exc
            if not isinstance(data, dict):
                raise GoldFormatError(f"{path}:{lineno}: expected a JSON object, got {type(data).__name__}")
            try:
                items.append(GoldItem.model_validate(data))
            except ValidationError as exc:
                details = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc']) or '<item>'}: {err['msg']}"
                    for err in exc.errors()
                )
                raise GoldFormatError(
                    f"{path}:{lineno}: schema error in item {data.get('id')!r}: {details}"
                ) from exc
    return items


def load_corpus_texts(corpus_dir: Path | None = None) -> dict[str, str]:
    """Map each manifest's ``doc_id`` to the original text of its ``source_file`` (read as UTF-8)."""
    corpus_dir = Path(corpus_dir) if corpus_dir is not None else DEFAULT_CORPUS_DIR
    manifests = sorted((corpus_dir / "manifests").glob("*.json"))
    if not manifests:
        raise FileNotFoundError(f"no manifests found in {corpus_dir / 'manifests'}")
    texts: dict[str, str] = {}
    for manifest_path in manifests:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        doc_id = manifest["doc_id"]
        if doc_id in texts:
            raise ValueError(f"{manifest_path}: duplicate doc_id {doc_id!r}")
        with (corpus_dir / "documents" / manifest["source_file"]).open(encoding="utf-8") as fh:
            texts[doc_id] = fh.read()
    return texts


def _check_evidence(where: str, span: EvidenceSpan, documents: Mapping[str, str]) -> list[str]:
    """Problems with one evidence span (unknown document, bad offsets, text mismatch)."""
    doc = documents.get(span.doc_id)
    if doc is None:
        return [f"{where}: unknown doc_id {span.doc_id!r}"]
    problems: list[str] = []
    if not 0 <= span.char_start < span.char_end <= len(doc):
        problems.append(
            f"{where}: offsets [{span.char_start}, {span.char_end}) out of range for {span.doc_id} "
            f"(length {len(doc)})"
        )
        return problems
    original = doc[span.char_start : span.char_end]
    if original != span.text:
        problems.append(
            f"{where}: text differs from {span.doc_id}[{span.char_start}:{span.char_end}]: "
            f"expected {original[:60]!r}..., got {span.text[:60]!r}..."
        )
    if not span.text.strip():
        problems.append(f"{where}: evidence text is only whitespace")
    if len(span.text) > MAX_EVIDENCE_CHARS:
        problems.append(f"{where}: evidence span too long ({len(span.text)} > {MAX_EVIDENCE_CHARS} chars)")
    return problems


def _windows(item: GoldItem, documents: Mapping[str, str]) -> list[str]:
    """Normalized evidence neighbourhoods (span ± NEAR_CHARS) of an item's valid spans."""
    out: list[str] = []
    for span in item.evidence:
        doc = documents.get(span.doc_id)
        if doc is None or not 0 <= span.char_start < span.char_end <= len(doc):
            continue
        start = max(0, span.char_start - NEAR_CHARS)
        out.append(normalize(doc[start : span.char_end + NEAR_CHARS]))
    return out


def _item_problems(item: GoldItem, documents: Mapping[str, str]) -> list[str]:
    """The checks every gold set shares: type, styles, ids, and the fields each kind of item needs."""
    where = item.id
    problems: list[str] = []
    if item.type not in QUESTION_TYPES:
        problems.append(f"{where}: bad type {item.type!r} (expected one of {', '.join(QUESTION_TYPES)})")
    problems.extend(f"{where}: unknown style {s!r}" for s in item.style if s not in STYLES)
    if "no_diacritics" in item.style and _NON_ASCII.search(item.question):
        problems.append(f"{where}: style no_diacritics but the question has non-ASCII characters")
    if item.doc_id is not None and item.doc_id not in documents:
        problems.append(f"{where}: unknown doc_id {item.doc_id!r}")
    if item.task_id is not None:
        if item.doc_id is None:
            problems.append(f"{where}: task_id {item.task_id!r} given without doc_id")
        if not _TASK_ID.fullmatch(item.task_id):
            problems.append(f"{where}: task_id {item.task_id!r} does not look like a task number")
    if item.type == "unanswerable":
        if item.answers:
            problems.append(f"{where}: unanswerable item has answers {item.answers!r}")
        if item.evidence:
            problems.append(f"{where}: unanswerable item has evidence")
        return problems
    if item.doc_id is None:
        problems.append(f"{where}: answerable item without doc_id")
    if not item.answers:
        problems.append(f"{where}: answerable item without answers")
    if not item.evidence:
        problems.append(f"{where}: answerable item without evidence")
    return problems


def _answer_problems(where: str, answers: Sequence[str], windows: Sequence[str]) -> list[str]:
    """Every accepted answer must occur in (or within NEAR_CHARS of) one of its evidence windows."""
    problems = []
    for answer in answers:
        needle = normalize(answer)
        if not needle:
            problems.append(f"{where}: empty answer")
        elif windows and not any(needle in w for w in windows):
            problems.append(
                f"{where}: answer {answer!r} not found in or within {NEAR_CHARS} chars of its evidence"
            )
    return problems


def validate_gold(items: Sequence[GoldItem], documents: Mapping[str, str]) -> list[str]:
    """Return human-readable problems with the gold set; an empty list means it is valid."""
    problems: list[str] = []
    id_counts = Counter(item.id for item in items)
    problems.extend(f"duplicate id {item_id!r} ({n} items)" for item_id, n in id_counts.items() if n > 1)
    question_counts = Counter(normalize(item.question) for item in items)
    problems.extend(f"duplicate question {q!r} ({n} items)" for q, n in question_counts.items() if n > 1)

    for item in items:
        where = f"{item.id}"
        if item.split not in SPLITS:
            problems.append(f"{where}: bad split {item.split!r} (expected one of {', '.join(SPLITS)})")
        problems.extend(_item_problems(item, documents))
        if item.type == "unanswerable":
            continue
        for k, span in enumerate(item.evidence):
            problems.extend(_check_evidence(f"{where} evidence[{k}]", span, documents))
        windows = _windows(item, documents)
        problems.extend(_answer_problems(where, item.answers, windows))
    return problems


UNSEEN_TEXT_SUFFIXES: tuple[str, ...] = (".md", ".txt")
"""Unseen-set documents whose text is the file itself, decoded as UTF-8 (offsets must be exact)."""
UNSEEN_EXTRACTED_SUFFIXES: tuple[str, ...] = (".docx", ".pdf")
"""Unseen-set documents whose text comes from the extractor (spans may be re-located by search)."""


def load_unseen_documents(docs_dir: Path | str) -> tuple[dict[str, str], set[str]]:
    """Texts of an unseen-layout document folder, keyed by file stem.

    ``.md``/``.txt`` files are decoded as UTF-8 as they are; ``.docx``/``.pdf`` go through
    :func:`hoidap.corpus.extract.extract_text`. Returns the texts and the doc_ids whose text came
    from the extractor (their evidence offsets may drift when the extractor changes).
    """
    from hoidap.corpus.extract import extract_text

    docs_dir = Path(docs_dir)
    texts: dict[str, str] = {}
    extracted: set[str] = set()
    for path in sorted(docs_dir.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in UNSEEN_TEXT_SUFFIXES + UNSEEN_EXTRACTED_SUFFIXES:
            continue
        if path.stem in texts:
            raise ValueError(f"{path}: duplicate doc_id {path.stem!r}")
        if suffix in UNSEEN_TEXT_SUFFIXES:
            texts[path.stem] = path.read_bytes().decode("utf-8")
        else:
            texts[path.stem] = extract_text(path.name, path.read_bytes())
            extracted.add(path.stem)
    if not texts:
        raise FileNotFoundError(f"no .md/.txt/.docx/.pdf documents in {docs_dir}")
    return texts, extracted


def _flatten(text: str) -> tuple[str, list[int]]:
    """:func:`normalize`-style text (no strip) plus, per output char, its index in the NFC text."""
    base = unicodedata.normalize("NFC", text).translate(_LEGACY_FONT)
    out: list[str] = []
    where: list[int] = []
    in_space = False
    for i, ch in enumerate(base):
        if ch.isspace() or ch == "|":  # table cells may be joined by pipes or by line breaks
            if not in_space:
                out.append(" ")
                where.append(i)
            in_space = True
            continue
        in_space = False
        for folded in ch.casefold():
            out.append(folded)
            where.append(i)
    return "".join(out), where


def _relocated_windows(span: EvidenceSpan, doc: str, limit: int = 20) -> list[str]:
    """Normalized neighbourhoods (± NEAR_CHARS) of every place the span's text occurs, whitespace-blind."""
    needle = _flatten(span.text)[0].strip()
    if not needle:
        return []
    flat, where = _flatten(doc)
    base = unicodedata.normalize("NFC", doc).translate(_LEGACY_FONT)
    windows: list[str] = []
    start = flat.find(needle)
    while start != -1 and len(windows) < limit:
        lo = where[start]
        hi = where[start + len(needle) - 1] + 1
        windows.append(normalize(base[max(0, lo - NEAR_CHARS) : hi + NEAR_CHARS]))
        start = flat.find(needle, start + 1)
    return windows


def validate_unseen(items: Sequence[GoldItem], docs_dir: Path | str) -> list[str]:
    """Problems with an unseen-layout gold set checked against the documents in ``docs_dir``.

    Every document in the folder is loaded (doc_id = file stem). An evidence span of a ``.md``/``.txt``
    document must match its text exactly at its offsets. For ``.docx``/``.pdf`` documents (text from the
    extractor) an exact match at the offsets is preferred, but the span may also be found anywhere in the
    text after whitespace normalisation, so a better extractor does not invalidate the set. Accepted
    answers must occur in or within :data:`NEAR_CHARS` of an evidence span (wherever it was found).
    Field rules are those of :func:`validate_gold`; in addition every item must have split ``unseen``.
    """
    documents, extracted = load_unseen_documents(docs_dir)
    problems: list[str] = []
    id_counts = Counter(item.id for item in items)
    problems.extend(f"duplicate id {item_id!r} ({n} items)" for item_id, n in id_counts.items() if n > 1)
    question_counts = Counter(normalize(item.question) for item in items)
    problems.extend(f"duplicate question {q!r} ({n} items)" for q, n in question_counts.items() if n > 1)

    for item in items:
        where = item.id
        if item.split != "unseen":
            problems.append(f"{where}: split {item.split!r} (the unseen set uses 'unseen')")
        problems.extend(_item_problems(item, documents))
        if item.type == "unanswerable":
            continue

        windows: list[str] = []
        for k, span in enumerate(item.evidence):
            label = f"{where} evidence[{k}]"
            doc = documents.get(span.doc_id)
            if doc is None:
                problems.append(f"{label}: unknown doc_id {span.doc_id!r}")
                continue
            if not span.text.strip():
                problems.append(f"{label}: evidence text is only whitespace")
                continue
            if len(span.text) > MAX_EVIDENCE_CHARS:
                problems.append(
                    f"{label}: evidence span too long ({len(span.text)} > {MAX_EVIDENCE_CHARS} chars)"
                )
            exact = (
                0 <= span.char_start < span.char_end <= len(doc)
                and doc[span.char_start : span.char_end] == span.text
            )
            if exact:
                start = max(0, span.char_start - NEAR_CHARS)
                windows.append(normalize(doc[start : span.char_end + NEAR_CHARS]))
            elif span.doc_id in extracted:
                found = _relocated_windows(span, doc)
                if not found:
                    problems.append(
                        f"{label}: text not found in the extracted text of {span.doc_id} "
                        f"(even after whitespace normalisation): {span.text[:60]!r}..."
                    )
                windows.extend(found)
            else:
                got = doc[span.char_start : span.char_end] if span.char_start < len(doc) else ""
                problems.append(
                    f"{label}: text differs from {span.doc_id}[{span.char_start}:{span.char_end}]: "
                    f"expected {got[:60]!r}..., got {span.text[:60]!r}..."
                )
        problems.extend(_answer_problems(where, item.answers, windows))
    return problems


def _table(title: str, counts: Iterable[tuple[str, int]]) -> str:
    rows = [f"  {key:<22} {n:>4}" for key, n in counts]
    return "\n".join([title, *rows])


def summarize(items: Sequence[GoldItem]) -> str:
    """Counts by type (with split), split, document and style, as printable text."""
    total = len(items)
    by_type_split = Counter((item.type, item.split) for item in items)
    type_rows = [
        f"  {t:<14} {sum(by_type_split[(t, s)] for s in SPLITS):>4}  "
        + "  ".join(f"{s}={by_type_split[(t, s)]}" for s in SPLITS)
        for t in QUESTION_TYPES
    ]
    docs = Counter(item.doc_id or "(none)" for item in items)
    answerable_docs = Counter(item.doc_id or "(none)" for item in items if item.answerable)
    doc_rows = [f"  {d:<22} {n:>4}  answerable={answerable_docs[d]}" for d, n in sorted(docs.items())]
    styles = Counter(s for item in items for s in item.style)
    style_rows = [f"  {s:<22} {n:>4}  ({100 * n / max(total, 1):.0f}%)" for s, n in styles.most_common()]
    return "\n".join(
        [
            f"{total} items",
            "by type:",
            *type_rows,
            _table("by split:", sorted(Counter(item.split for item in items).items())),
            "by doc_id:",
            *doc_rows,
            "by style:",
            *style_rows,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: validate a gold file against the bundled corpus; exit status 1 on any problem."""
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else DEFAULT_GOLD_PATH
    try:
        items = load_gold(path)
    except (OSError, GoldFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = validate_gold(items, load_corpus_texts())
    print(f"{path}")
    print(summarize(items))
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nno problems")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
