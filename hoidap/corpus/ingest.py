"""Adding a file to the store in one pass: read (OCR where a page is a scan) → parse → store.

Reading and parsing run in a time- and memory-limited worker (`corpus.isolate`), and the worker's
parse is the one kept: once the text is stored under its final id, the parsed document is relabelled
to that id and put in the store's parse cache, where the index build and every later load find it.
So an added document is parsed once, and nothing here needs the index or the service.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from hoidap.corpus.extract import extract_document, extract_text
from hoidap.corpus.isolate import run_isolated
from hoidap.corpus.ocr import OcrOptions, first_page_as_printed
from hoidap.corpus.parse import info_from_text, parse_document, relabel
from hoidap.corpus.progress import Step, StepProgress, no_progress
from hoidap.corpus.records import DocumentInfo, ParsedDocument
from hoidap.corpus.store import DocumentError, DocumentStore
from hoidap.settings import Settings

_DEFAULTS = Settings.model_fields  # the one home of the defaults
PROVISIONAL_ID = "new"  # the id a file is parsed under before the store gives it its own


@dataclass(frozen=True)
class IngestOptions:
    """Limits of reading one file, and how its scanned pages are read."""

    max_bytes: int = _DEFAULTS["max_upload_bytes"].default
    max_chars: int = _DEFAULTS["max_text_chars"].default
    timeout: float = _DEFAULTS["parse_timeout_seconds"].default
    memory_bytes: int = _DEFAULTS["parse_memory_bytes"].default
    ocr: OcrOptions = OcrOptions()

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestOptions:
        return cls(
            max_bytes=settings.max_upload_bytes,
            max_chars=settings.max_text_chars,
            timeout=settings.parse_timeout_seconds,
            memory_bytes=settings.parse_memory_bytes,
            ocr=OcrOptions.from_settings(settings),
        )


@dataclass(frozen=True)
class Typed:
    """What the user typed about a file (each wins over what is read from its text)."""

    title: str | None = None
    number: str | None = None
    date: str | None = None
    issuer: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A file read and parsed, not yet stored: its text, its manifest fields, and its parse under
    `PROVISIONAL_ID`."""

    name: str
    text: str
    fields: dict[str, object]
    parsed: ParsedDocument

    @property
    def warnings(self) -> list[str]:
        return list(self.parsed.warnings)


def prepare_document(
    name: str,
    data: bytes,
    typed: Typed = Typed(),  # noqa: B008 - frozen
    max_bytes: int = IngestOptions.max_bytes,
    max_chars: int = IngestOptions.max_chars,
    ocr: OcrOptions = OcrOptions(),  # noqa: B008 - frozen
    progress: StepProgress = no_progress,
) -> Prepared:
    """Text, manifest fields and parse of an uploaded file (what the user typed wins). Runs in the worker.

    `progress` hears "read", then "ocr" n/total after each scanned page, then "parse".

    Raises:
        DocumentError: unreadable, oversized, a bomb, OCR needed but not installed, or no clause found.
    """
    progress(Step("read"))
    extracted = extract_document(
        name,
        data,
        max_bytes=max_bytes,
        max_chars=max_chars,
        ocr=ocr,
        progress=lambda done, total: progress(Step("ocr", done, total)),
    )
    text = extracted.text
    read = info_from_text(name, text)
    from_ocr: list[str] = []
    blank = not (typed.number or read.number) or not (typed.date or read.date)  # typed needs no OCR
    if name.lower().endswith(".pdf") and 1 not in extracted.ocr_pages and blank:
        # A signed copy may carry its number and date only in the signature stamp: read the first page as
        # printed, and let what OCR finds there fill only what the text layer left blank.
        printed = first_page_as_printed(name, data, ocr)
        if printed:
            seen = info_from_text(name, printed)
            fill = {
                k: getattr(seen, k) for k in ("number", "date") if getattr(seen, k) and not getattr(read, k)
            }
            read = dataclasses.replace(read, **fill)
            from_ocr = list(fill)
    given = dataclasses.asdict(typed)
    number = typed.number or read.number
    fields: dict[str, object] = {
        "title": typed.title or read.title,
        "short_title": typed.title or (number and f"{read.doc_type} {number}") or read.short_title,
        "doc_type": read.doc_type,
        "number": number,
        "date": typed.date or read.date,
        "issuer": typed.issuer or read.issuer,
        "signer": read.signer,
        "signer_title": read.signer_title,
        "province": read.province,
        "provenance": {
            "added_from": name,
            "printed_in_text": [
                k
                for k in ("title", "number", "date", "issuer")
                if not given[k] and getattr(read, k) and k not in from_ocr
            ],
            "from_user": [k for k, v in given.items() if v],
            "from_ocr_of_first_page": [k for k in from_ocr if not given[k]],
        },
    }
    if extracted.ocr_pages:
        fields["ocr"] = {
            "pages": list(extracted.ocr_pages),
            "page_count": extracted.page_count,
            "language": ocr.language,
            "dpi": ocr.dpi,
            "engine": extracted.ocr_engine,
        }
    progress(Step("parse"))
    info = DocumentInfo(doc_id=PROVISIONAL_ID, source_file=name, **fields)  # type: ignore[arg-type]
    parsed = parse_document(info, text)
    if not parsed.clauses:
        raise DocumentError(f"{name}: không tách được điều khoản nào từ nội dung.")
    return Prepared(name, text, fields, parsed)


def prepare(
    name: str,
    data: bytes,
    typed: Typed = Typed(),  # noqa: B008 - frozen
    options: IngestOptions = IngestOptions(),  # noqa: B008 - frozen
    progress: StepProgress | None = None,
) -> Prepared:
    """`prepare_document` in a worker limited in time and memory: a file that gets past the size and
    bomb checks but still explodes costs the worker, not the caller. An oversized file is refused
    before anything is copied to the worker."""
    if len(data) > options.max_bytes:
        extract_text(name, data, max_bytes=options.max_bytes, max_chars=options.max_chars)
    return run_isolated(
        prepare_document,
        (name, data, typed, options.max_bytes, options.max_chars, options.ocr),
        timeout=options.timeout,
        memory_bytes=options.memory_bytes,
        progress=progress,
    )


def store_prepared(store: DocumentStore, prepared: Prepared) -> DocumentInfo:
    """Store the prepared text and manifest as a new user document and return its manifest; its parse
    (the worker's, relabelled to the id the store gave) goes into the store's parse cache."""
    fields = prepared.fields
    info = store.store(prepared.text, fields, str(fields["number"] or Path(prepared.name).stem))
    store.parsed.put(info, prepared.text, relabel(prepared.parsed, info))
    return info


def preview(name: str, data: bytes, options: IngestOptions = IngestOptions()) -> ParsedDocument:  # noqa: B008
    """A file parsed as adding it would parse it, without storing it (in the same limited worker)."""
    prepared = prepare(Path(name).name, data, options=options)
    info = DocumentInfo(doc_id="xem-truoc", source_file=prepared.name, **prepared.fields)  # type: ignore[arg-type]
    return relabel(prepared.parsed, info)
