"""Build and update the index from the document store.

Unchanged documents (same content hash, same model) reuse their stored vectors and
tokens, so adding or removing one document never re-embeds the others.

Adding and removing change two things, the document store and the index, so they run under the
index's build lock with a write-ahead journal beside the index: it names the operation before the
store changes and is deleted once both agree. A process killed in between leaves the journal, and the
next writer (or the next start) rolls the store back to what the index holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from hoidap.corpus.ingest import IngestOptions, Typed, prepare, store_prepared
from hoidap.corpus.parse import parse_corpus
from hoidap.corpus.progress import Step, StepProgress, no_progress
from hoidap.corpus.records import DocumentInfo, ParsedDocument
from hoidap.corpus.store import DocumentError, DocumentStore
from hoidap.indexer.dense import DenseIndex
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.entries import ENTRIES_VERSION, Entry, document_entries, document_hash
from hoidap.indexer.lexical import LexicalIndex
from hoidap.indexer.store import (
    FORMAT_VERSION,
    IndexLoadError,
    IndexManifest,
    atomic_index_dir,
    build_lock,
    read_entries,
    read_manifest,
    recover,
    verify_files,
    write_entries,
    write_manifest,
)
from hoidap.indexer.tokenization import tokenize
from hoidap.settings import Settings

T = TypeVar("T")
# `add_document`'s limits when a caller passes none (tests, benchmarks): the settings' defaults.
MAX_DOCUMENT_PASSAGES: int = Settings.model_fields["max_document_passages"].default
EMBED_TIMEOUT: float = Settings.model_fields["embed_timeout_seconds"].default
CHUNK_TOKENS = 400  # leaves room under the 512-token limit for the title, breadcrumb and prompt


@dataclass
class BuildReport:
    documents: int
    entries: int
    embedded: int  # entries embedded in this run (the rest were reused)
    seconds: float
    directory: Path
    embed_seconds: float = 0.0  # of `seconds`, embedding the new entries
    # The encoder's floor: passages/s of the runtime alone on the same batches, timed as they ran
    # (`OnnxEncoder.last_runtime_seconds`), when asked (`hoidap index`); None otherwise or for torch.
    floor_per_s: float | None = None

    @property
    def passages_per_s(self) -> float:
        return self.embedded / self.embed_seconds if self.embed_seconds else 0.0


@dataclass
class BuildOutput:
    """A finished build, handed to a publisher before the new index directory is swapped in."""

    manifest: IndexManifest
    entries: list[Entry]
    tokens: list[list[str]]
    vectors: np.ndarray
    previous: dict[str, dict[str, object]] | None  # documents of the index being replaced
    full: bool  # a whole rebuild (`hoidap index`), not one add/remove


# Copies a build to another retrieval backend (Milvus). It runs before the swap: when it raises, the
# build fails and the previous index directory stays, so files and backend never disagree for long.
Publisher = Callable[[BuildOutput], None]
# What a new build may reuse of the current index: its manifest, entries, tokens and vectors.
Previous = tuple[IndexManifest, list[Entry], list[list[str]], np.ndarray]


def _previous(target: Path, embedder: Embedder) -> Previous | None:
    """Entries, tokens and vectors of the current index when it is reusable, else None.

    The dense index kind does not matter: vectors are the same for flat and HNSW.
    """
    try:
        manifest = read_manifest(target, recover=False)
        if (manifest.model_id, manifest.dimension) != (embedder.model_id, embedder.dimension):
            return None
        if manifest.files:  # never carry damaged vectors into a new build
            verify_files(target, manifest)
        # An index written before checksums existed has nothing to check against: its vectors are
        # reused (the lengths below still must agree) and the new build records checksums.
        entries = read_entries(target / "entries.jsonl")
        tokens = LexicalIndex.load(target / "lexical").token_lists
        vectors = DenseIndex.load(target / "dense").vectors
    except (IndexLoadError, OSError, ValueError, KeyError):
        return None
    if not (len(entries) == len(tokens) == len(vectors)):
        return None
    return manifest, entries, tokens, vectors


def _is_current(served: Previous | None, target: Path, embedder: Embedder) -> bool:
    """`served` (an index held in memory, checked when it was loaded) is the build now on disk, of this
    model: its vectors can be reused without reading the index again. Another process's build since it was
    loaded changes the manifest's version or time, and then the files are read."""
    if served is None:
        return False
    try:
        manifest = read_manifest(target, recover=False)
    except IndexLoadError:
        return False
    held = served[0]
    return (
        (held.version, held.created_at) == (manifest.version, manifest.created_at)
        and (manifest.model_id, manifest.dimension) == (embedder.model_id, embedder.dimension)
        and len(served[1]) == len(served[2]) == len(served[3])
    )


def current_dense_kind(target: Path) -> str:
    """The dense index kind of the existing index ("flat" when there is none)."""
    try:
        return read_manifest(target, recover=False).dense_kind
    except IndexLoadError:
        return "flat"


def build_index(
    docs: list[ParsedDocument],
    embedder: Embedder,
    target: Path,
    dense_kind: str | None = None,
    reuse: bool = True,
    publish: Publisher | None = None,
    floor: bool = False,
) -> BuildReport:
    """Write a complete index for `docs` into `target`, atomically.

    Args:
        docs: parsed documents to index.
        embedder: the embedding model.
        target: index directory.
        dense_kind: "flat" (exact) or "hnsw" (approximate, for large corpora); default: keep the
            current index's kind.
        reuse: reuse vectors of unchanged documents from the current index.
        publish: also load the build into another retrieval backend (before the swap).
        floor: also report the encoder's floor on the passages embedded (`BuildReport.floor_per_s`).

    Returns:
        BuildReport with counts and timing.
    """
    with build_lock(target):
        return _build_locked(docs, embedder, target, dense_kind, reuse, publish, floor=floor)


def _build_locked(
    docs: list[ParsedDocument],
    embedder: Embedder,
    target: Path,
    dense_kind: str | None,
    reuse: bool,
    publish: Publisher | None = None,
    full: bool = True,
    progress: StepProgress = no_progress,
    budget: EmbedBudget | None = None,
    floor: bool = False,
    served: Previous | None = None,
) -> BuildReport:
    """`build_index` for a caller that holds the build lock (`full`: False for one add/remove).

    `progress` hears "embed" n/total passages after each batch, then "write". `budget` bounds the
    passages of one added document and the time their embedding takes (DocumentError beyond). `floor`:
    report the encoder's floor on the passages embedded (its runtime's own time on them, no extra run)."""
    t0 = time.perf_counter()
    recover(target)
    dense_kind = dense_kind or current_dense_kind(target)
    try:
        version = read_manifest(target, recover=False).version + 1
    except IndexLoadError:
        version = 1
    with atomic_index_dir(target) as tmp:
        prev = None
        if reuse:
            prev = served if _is_current(served, target, embedder) else _previous(target, embedder)
        rows = _gather(docs, prev, lambda text: embedder.count_tokens(text) <= CHUNK_TOKENS)
        if budget is not None:
            budget.check_size(rows.documents)
        embed_seconds, floor_per_s = _embed_new(rows, embedder, progress, budget, floor)
        ready = [p for p in rows.parts if p is not None]
        matrix = np.vstack(ready) if ready else np.zeros((0, embedder.dimension), dtype=np.float32)
        progress(Step("write"))
        dense = DenseIndex(embedder.dimension, kind=dense_kind)
        dense.add(matrix)
        manifest = IndexManifest(
            format_version=FORMAT_VERSION,
            model_id=embedder.model_id,
            dimension=embedder.dimension,
            dense_kind=dense_kind,
            created_at=time.time(),
            documents=rows.documents,
            counts={
                "documents": len(docs),
                "entries": len(rows.entries),
                "clauses": sum(len(d.clauses) for d in docs),
                "tasks": sum(len(d.tasks) for d in docs),
            },
            version=version,
        )
        write_entries(tmp / "entries.jsonl", rows.entries)
        LexicalIndex.build(rows.tokens).save(tmp / "lexical")
        dense.save(tmp / "dense")
        if publish is not None:
            previous = _indexed_docs(target)
            publish(BuildOutput(manifest, rows.entries, rows.tokens, dense.vectors, previous, full))
        write_manifest(tmp / "manifest.json", manifest)  # last: a directory without it is incomplete
    return BuildReport(
        len(docs),
        len(rows.entries),
        rows.embedded,
        time.perf_counter() - t0,
        target,
        embed_seconds,
        floor_per_s,
    )


@dataclass
class _Rows:
    """The new index's rows in document order: entries and tokens, and per document its vectors (reused)
    or None (to embed: `pending` holds its place in `parts` and its passages)."""

    entries: list[Entry] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)
    parts: list[np.ndarray | None] = field(default_factory=list)
    pending: list[tuple[int, list[str]]] = field(default_factory=list)
    documents: dict[str, dict[str, object]] = field(default_factory=dict)  # the manifest's, by doc id
    embedded: int = 0  # entries to embed


def _gather(docs: list[ParsedDocument], prev: Previous | None, fits: Callable[[str], bool]) -> _Rows:
    """Each document's rows: those of the previous index (`prev`, from `_previous`) when the document and
    the entry format are unchanged, else new entries whose passages wait to be embedded."""
    reusable: dict[str, list[int]] = {}
    if prev is not None:
        pmanifest, pentries, ptokens, pvectors = prev
        for row, e in enumerate(pentries):
            reusable.setdefault(e.doc_id, []).append(row)
    out = _Rows()
    for doc in docs:
        h = document_hash(doc.original)
        rows = reusable.get(doc.doc_id)
        stored = pmanifest.documents.get(doc.doc_id, {}) if prev is not None else {}
        if rows and stored.get("hash") == h and stored.get("entries_version") == ENTRIES_VERSION:
            entries = [pentries[r] for r in rows]
            tokens = [ptokens[r] for r in rows]
            vectors = pvectors[rows]
        else:
            entries = document_entries(doc, fits)
            tokens = [tokenize(e.lexical_text()) for e in entries]
            out.pending.append((len(out.parts), [e.embed_text() for e in entries]))
            vectors = None
            out.embedded += len(entries)
        out.entries.extend(entries)
        out.tokens.extend(tokens)
        out.parts.append(vectors)
        out.documents[doc.doc_id] = {
            "hash": h,
            "entries_version": ENTRIES_VERSION,
            "title": doc.info.short_title,
            "entries": len(entries),
            "clauses": len(doc.clauses),
            "tasks": len(doc.tasks),
        }
    return out


def _embed_new(
    rows: _Rows, embedder: Embedder, progress: StepProgress, budget: EmbedBudget | None, floor: bool
) -> tuple[float, float | None]:
    """Embed the pending passages into `rows.parts`; returns the seconds it took and, when `floor`, the
    encoder's floor (passages/s of its runtime alone)."""
    # Every new passage in one call: the encoder batches them by length across documents (less
    # padding than batching each document apart).
    texts = [t for _, batch in rows.pending for t in batch]
    if not texts:
        return 0.0, None
    progress(Step("embed", 0, len(texts)))
    started = time.perf_counter()

    def embedding(n: int, total: int) -> None:
        if budget is not None and len(rows.pending) == 1:  # only the added document is new
            budget.check_time(time.perf_counter() - started, n, total)
        progress(Step("embed", n, total))

    new_vectors = embedder.encode_passages(texts, progress=embedding)
    embed_seconds = time.perf_counter() - started
    runtime = getattr(embedder, "last_runtime_seconds", None)  # the ONNX encoder's; torch has none
    pos = 0
    for i, batch in rows.pending:
        rows.parts[i] = new_vectors[pos : pos + len(batch)]
        pos += len(batch)
    return embed_seconds, (len(texts) / runtime if floor and runtime else None)


def rebuild(
    store: DocumentStore,
    embedder: Embedder,
    target: Path,
    dense_kind: str | None = None,
    reuse: bool = True,
    publish: Publisher | None = None,
    floor: bool = False,
) -> BuildReport:
    """Index every stored document (first rolling back an add/remove a killed process left)."""
    with build_lock(target):
        recover_store(store, target)
        return _build_locked(parse_corpus(store), embedder, target, dense_kind, reuse, publish, floor=floor)


# --- the journal of add/remove -------------------------------------------------------------------


def journal_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.journal.json")


def _write_journal(target: Path, entry: dict[str, object]) -> None:
    path = journal_path(target)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({**entry, "pid": os.getpid(), "time": time.time()}, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _clear_journal(target: Path) -> None:
    journal_path(target).unlink(missing_ok=True)


def _indexed_docs(target: Path) -> dict[str, dict[str, object]] | None:
    try:
        return read_manifest(target, recover=False).documents
    except IndexLoadError:
        return None


def recover_store(store: DocumentStore, target: Path) -> list[str]:
    """Undo the store half of an add/remove that was killed; call holding the build lock.

    An unfinished add: user documents stored after the journal was written and missing from the
    index are deleted (the add never happened). An unfinished remove: the index is rebuilt before
    the store changes, so a document the index no longer holds is deleted (the remove completes).

    Returns:
        The ids deleted from the store.
    """
    path = journal_path(target)
    if not path.exists():
        return []
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entry = {}
    indexed = _indexed_docs(target)
    if indexed is None:
        return []  # no readable index to compare with: keep the journal for after `hoidap index`
    deleted: list[str] = []
    user_ids = [i.doc_id for i in store.manifests() if not store.is_bundled(i.doc_id)]
    if entry.get("op") == "add":
        before = set(entry.get("before") or ())
        candidates = [d for d in user_ids if d not in before]
    elif entry.get("op") == "remove":
        candidates = [d for d in user_ids if d == entry.get("doc_id")]
    else:
        candidates = []  # unreadable journal (killed while writing it): the store was not touched yet
    for doc_id in candidates:
        if doc_id not in indexed:
            with contextlib.suppress(DocumentError):
                store.delete(doc_id)
                deleted.append(doc_id)
    _clear_journal(target)
    return deleted


def _backend_pending(target: Path) -> bool:
    """An add/remove that was to change another backend too was left unfinished (its journal says so)."""
    try:
        return bool(json.loads(journal_path(target).read_text(encoding="utf-8")).get("backend"))
    except (OSError, ValueError, AttributeError):
        return False


def _resync_backend(target: Path, embedder: Embedder, publish: Publisher) -> None:
    """Copy the current index files whole to the other backend (Milvus): after an add/remove that failed
    or was killed between changing the backend and swapping the index files, the backend holds rows
    the index does not. A full copy loads a new collection and then switches to it."""
    current = _previous(target, embedder)
    if current is not None:
        manifest, entries, tokens, vectors = current
        publish(BuildOutput(manifest, entries, tokens, vectors, None, True))


def recover_if_pending(store: DocumentStore, target: Path) -> list[str]:
    """`recover_store` at start-up: only when a journal is left and no writer is busy."""
    if not journal_path(target).exists():
        return []
    try:
        with build_lock(target, wait_seconds=0):
            return recover_store(store, target)
    except IndexLoadError:
        return []  # a writer holds the lock and recovers itself


# --- add / remove --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedBudget:
    """What one added document may cost: passages, and seconds of embedding."""

    doc_id: str
    max_passages: int
    max_seconds: float

    def check_size(self, documents: dict[str, dict[str, object]]) -> None:
        n = int(documents.get(self.doc_id, {}).get("entries", 0))  # type: ignore[call-overload]
        if n > self.max_passages:
            raise DocumentError(
                f"văn bản quá dài: {n} đoạn cần lập chỉ mục, giới hạn {self.max_passages} "
                "(HOIDAP_MAX_DOCUMENT_PASSAGES); hãy tách văn bản thành nhiều tệp."
            )

    def check_time(self, elapsed: float, done: int, total: int) -> None:
        if elapsed > self.max_seconds and done < total:
            raise DocumentError(
                f"lập chỉ mục văn bản quá {self.max_seconds:.0f} giây ({done}/{total} đoạn); "
                "chưa thêm gì. Hãy tách văn bản hoặc tăng HOIDAP_EMBED_TIMEOUT_SECONDS."
            )


@dataclass
class AddResult:
    info: DocumentInfo
    added: bool  # False: the same content was already stored
    report: BuildReport | None
    warnings: list[str]


def add_document(
    store: DocumentStore,
    target: Path,
    name: str,
    data: bytes,
    embedder: Embedder,
    title: str | None = None,
    number: str | None = None,
    date: str | None = None,
    issuer: str | None = None,
    *,
    options: IngestOptions = IngestOptions(),  # noqa: B008 - frozen
    publish: Publisher | None = None,
    progress: StepProgress | None = None,
    max_passages: int = MAX_DOCUMENT_PASSAGES,
    embed_timeout: float = EMBED_TIMEOUT,
    served: Previous | None = None,
) -> AddResult:
    """Add a .txt/.docx/.pdf (or a page image, read by OCR) to the store and the index; nothing changes
    on error or kill. With no index yet, one is built over every stored document.

    The file is read and parsed once (`corpus.ingest`), the stored documents come from the store's parse
    cache, and the current index is read once, for the vectors it lends the new build; not at all when
    `served` (the index a running service holds in memory) is that same build.

    Args:
        options: limits of reading the file (size, text, worker time and memory) and OCR settings.
        publish: also apply the change to another retrieval backend (before the swap).
        progress: told each stage as it goes (`Step`): read, OCR page n/total, parse, embed passage
            n/total, write.
        max_passages, embed_timeout: the added document's passages at most, and seconds of embedding.

    Raises:
        DocumentError: unsupported, oversized, empty, binary, undecodable or scanned file.
        IndexLoadError: another process is changing the index.
    """
    # A name from a non-UTF-8 command line carries surrogates, which the manifest cannot store.
    name = name.encode("utf-8", "replace").decode("utf-8")
    prepared = prepare(name, data, Typed(title, number, date, issuer), options, progress)
    digest = document_hash(prepared.text)
    with build_lock(target):
        resync = publish is not None and _backend_pending(target)
        recover_store(store, target)
        if resync:
            _resync_backend(target, embedder, publish)  # type: ignore[arg-type]
        indexed = _indexed_docs(target) or {}
        stored = [(info, document_hash(store.read_original(info))) for info in store.manifests()]
        for info, h in stored:
            # "Already there" only when the index holds it too; a stored copy the index lacks (left
            # by a process killed outside the journal) is indexed now instead of being reported.
            if h == digest and (indexed.get(info.doc_id) or {}).get("hash") == digest:
                return AddResult(info, False, None, [])
        leftover = next((info for info, h in stored if h == digest), None)
        _write_journal(
            target, {"op": "add", "before": [i.doc_id for i, _ in stored], "backend": publish is not None}
        )
        info = leftover or store_prepared(store, prepared)
        try:
            report = _build_locked(
                parse_corpus(store),
                embedder,
                target,
                None,
                True,
                publish,
                False,
                progress or no_progress,
                EmbedBudget(info.doc_id, max_passages, embed_timeout),
                served=served,
            )
        except BaseException:
            with contextlib.suppress(DocumentError, OSError):
                store.delete(info.doc_id)  # keep store and index in step
            if publish is not None:  # and the backend, which may already hold the document's rows;
                _resync_backend(target, embedder, publish)  # if this fails the journal stays for the next
            _clear_journal(target)
            raise
        _clear_journal(target)
    return AddResult(info, True, report, prepared.warnings)


def remove_document(
    store: DocumentStore, target: Path, doc_id: str, embedder: Embedder, publish: Publisher | None = None
) -> BuildReport:
    """Remove a user-added document from the index, then from the store.

    Index first: a kill in between leaves a stored document the index lacks, which the journal
    names and the next writer deletes (the same state as an interrupted add, resolved the same way).

    Raises:
        DocumentError: a bundled document or an unknown id.
    """
    if store.is_bundled(doc_id):
        raise DocumentError(f"'{doc_id}' là văn bản đi kèm hệ thống, không xóa được.")
    with build_lock(target):
        resync = publish is not None and _backend_pending(target)
        recover_store(store, target)
        if resync:
            _resync_backend(target, embedder, publish)  # type: ignore[arg-type]
        known = {i.doc_id for i in store.manifests()} | set(store.damaged)  # a damaged one can be removed
        if doc_id not in known:
            raise DocumentError(f"không có văn bản '{doc_id}'.")
        _write_journal(target, {"op": "remove", "doc_id": doc_id, "backend": publish is not None})
        keep = [d for d in parse_corpus(store) if d.doc_id != doc_id]
        try:
            report = _build_locked(keep, embedder, target, None, True, publish, False)
        except BaseException:
            if publish is not None:  # the backend may have dropped the document's rows already
                _resync_backend(target, embedder, publish)
            _clear_journal(target)  # the index still holds the document: nothing changed
            raise
        store.delete(doc_id)
        _clear_journal(target)
    return report
