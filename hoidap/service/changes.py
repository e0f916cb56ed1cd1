"""Changing the corpus without an open `QAService`: adding a file, removing a document, previewing one.

`hoidap add` and `hoidap remove` call these directly, so a change reads the current index once (for
the vectors it reuses) and loads nothing to serve. A running service (the page, the API) calls the
same functions and then reloads its snapshot (`QAService.add_document`); a server in another process
notices the new index and reloads by itself. An add into a data folder without an index builds one.
"""

from __future__ import annotations

from pathlib import Path

from hoidap.corpus.ingest import IngestOptions, preview
from hoidap.corpus.progress import StepProgress
from hoidap.corpus.records import ParsedDocument
from hoidap.indexer.backend import publisher
from hoidap.indexer.build import AddResult, BuildReport, Previous, add_document, remove_document
from hoidap.indexer.embedder import Embedder
from hoidap.service.wiring import document_store, embedder_for
from hoidap.settings import Settings


def add_file(
    settings: Settings,
    name: str,
    data: bytes,
    *,
    title: str | None = None,
    number: str | None = None,
    date: str | None = None,
    issuer: str | None = None,
    progress: StepProgress | None = None,
    embedder: Embedder | None = None,
    served: Previous | None = None,
) -> AddResult:
    """Store and index a document; nothing changes on error (see `indexer.build.add_document`).

    Scanned PDF pages and page images are read by OCR. `progress` (optional) is told each stage as it
    goes (a `Step`): read, OCR page n/total, parse, embed passage n/total, write.

    Raises:
        DocumentError: unsupported, empty, binary, undecodable or unparsable file.
    """
    return add_document(
        document_store(settings),
        settings.index_path,
        Path(name).name,
        data,
        embedder or embedder_for(settings),
        title=title,
        number=number,
        date=date,
        issuer=issuer,
        options=IngestOptions.from_settings(settings),
        publish=publisher(settings),
        progress=progress,
        max_passages=settings.max_document_passages,
        embed_timeout=settings.embed_timeout_seconds,
        served=served,
    )


def remove_file(settings: Settings, doc_id: str, embedder: Embedder | None = None) -> BuildReport:
    """Remove a user-added document from the store and the index."""
    return remove_document(
        document_store(settings),
        settings.index_path,
        doc_id,
        embedder or embedder_for(settings),
        publisher(settings),
    )


def preview_file(settings: Settings, name: str, data: bytes) -> ParsedDocument:
    """A file parsed as adding it would parse it, without storing it: read in the same time- and
    memory-limited worker, with the same size, text and OCR settings as `hoidap add` (the page's preview
    and `hoidap parse --file` use it, so no path parses a user's file in-process without limits)."""
    return preview(Path(name).name, data, IngestOptions.from_settings(settings))
