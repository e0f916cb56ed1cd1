"""Build and update the index from the document store.

Unchanged documents (same content hash, same model) reuse their stored vectors and
tokens, so adding or removing one document never re-embeds the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hoidap.corpus.extract import extract_text
from hoidap.corpus.parse import info_from_text, parse_corpus, parse_document
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
    write_entries,
    write_manifest,
)
from hoidap.indexer.tokenization import tokenize

CHUNK_TOKENS = 400  # leaves room under the 512-token limit for the title, breadcrumb and prompt


@dataclass
class BuildReport:
    documents: int
    entries: int
    embedded: int  # entries embedded in this run (the rest were reused)
    seconds: float
    directory: Path


def _previous(target: Path, embedder: Embedder):
    """Entries, tokens and vectors of the current index when it is reusable, else None.

    The dense index kind does not matter: vectors are the same for flat and HNSW.
    """
    try:
        manifest = read_manifest(target)
        if (manifest.model_id, manifest.dimension) != (embedder.model_id, embedder.dimension):
            return None
        entries = read_entries(target / "entries.jsonl")
        tokens = LexicalIndex.load(target / "lexical").token_lists
        vectors = DenseIndex.load(target / "dense").vectors
    except (IndexLoadError, OSError, ValueError, KeyError):
        return None
    if not (len(entries) == len(tokens) == len(vectors)):
        return None
    return manifest, entries, tokens, vectors


def current_dense_kind(target: Path) -> str:
    """The dense index kind of the existing index ("flat" when there is none)."""
    try:
        return read_manifest(target).dense_kind
    except IndexLoadError:
        return "flat"


def build_index(
    docs: list[ParsedDocument],
    embedder: Embedder,
    target: Path,
    dense_kind: str | None = None,
    reuse: bool = True,
) -> BuildReport:
    """Write a complete index for `docs` into `target`, atomically.

    Args:
        docs: parsed documents to index.
        embedder: the embedding model.
        target: index directory.
        dense_kind: "flat" (exact) or "hnsw" (approximate, for large corpora); default: keep the
            current index's kind.
        reuse: reuse vectors of unchanged documents from the current index.

    Returns:
        BuildReport with counts and timing.
    """
    t0 = time.perf_counter()
    dense_kind = dense_kind or current_dense_kind(target)
    with build_lock(target), atomic_index_dir(target) as tmp:
        prev = _previous(target, embedder) if reuse else None
        reusable: dict[str, list[int]] = {}
        if prev is not None:
            pmanifest, pentries, ptokens, pvectors = prev
            for row, e in enumerate(pentries):
                reusable.setdefault(e.doc_id, []).append(row)

        def fits(text: str) -> bool:
            return embedder.count_tokens(text) <= CHUNK_TOKENS

        all_entries: list[Entry] = []
        all_tokens: list[list[str]] = []
        parts: list[np.ndarray] = []
        documents: dict[str, dict[str, object]] = {}
        embedded = 0
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
                vectors = embedder.encode_passages([e.embed_text() for e in entries])
                embedded += len(entries)
            all_entries.extend(entries)
            all_tokens.extend(tokens)
            parts.append(vectors)
            documents[doc.doc_id] = {
                "hash": h,
                "entries_version": ENTRIES_VERSION,
                "title": doc.info.short_title,
                "entries": len(entries),
                "clauses": len(doc.clauses),
                "tasks": len(doc.tasks),
            }
        matrix = np.vstack(parts) if parts else np.zeros((0, embedder.dimension), dtype=np.float32)
        dense = DenseIndex(embedder.dimension, kind=dense_kind)
        dense.add(matrix)
        manifest = IndexManifest(
            format_version=FORMAT_VERSION,
            model_id=embedder.model_id,
            dimension=embedder.dimension,
            dense_kind=dense_kind,
            created_at=time.time(),
            documents=documents,
            counts={
                "documents": len(docs),
                "entries": len(all_entries),
                "clauses": sum(len(d.clauses) for d in docs),
                "tasks": sum(len(d.tasks) for d in docs),
            },
        )
        write_entries(tmp / "entries.jsonl", all_entries)
        LexicalIndex.build(all_tokens).save(tmp / "lexical")
        dense.save(tmp / "dense")
        write_manifest(tmp / "manifest.json", manifest)  # last: a directory without it is incomplete
    return BuildReport(len(docs), len(all_entries), embedded, time.perf_counter() - t0, target)


def rebuild(
    store: DocumentStore,
    embedder: Embedder,
    target: Path,
    dense_kind: str | None = None,
    reuse: bool = True,
) -> BuildReport:
    """Index every stored document."""
    return build_index(parse_corpus(store), embedder, target, dense_kind, reuse)


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
) -> AddResult:
    """Add a .txt/.docx/.pdf to the store and the index; nothing changes on error.

    Raises:
        DocumentError: unsupported, empty, binary, undecodable or scanned file.
    """
    text = extract_text(name, data)
    digest = document_hash(text)
    for info in store.manifests():
        if document_hash(store.read_original(info)) == digest:
            return AddResult(info, False, None, [])
    # Facts read from the text itself; what the user typed at upload wins over them.
    read = info_from_text(name, text)
    given = {"title": title, "number": number, "date": date, "issuer": issuer}
    number = number or read.number
    doc_title = title or read.title
    fields: dict[str, object] = {
        "title": doc_title,
        "short_title": title or (number and f"{read.doc_type} {number}") or read.short_title,
        "doc_type": read.doc_type,
        "number": number,
        "date": date or read.date,
        "issuer": issuer or read.issuer,
        "signer": read.signer,
        "signer_title": read.signer_title,
        "province": read.province,
        "provenance": {
            "added_from": name,
            "printed_in_text": [
                k for k in ("title", "number", "date", "issuer") if not given[k] and getattr(read, k)
            ],
            "from_user": [k for k, v in given.items() if v],
        },
    }
    probe = parse_document(DocumentInfo(doc_id="new", source_file=name, **fields), text)  # type: ignore[arg-type]
    if not probe.clauses:
        raise DocumentError(f"{name}: không tách được điều khoản nào từ nội dung.")
    info = store.store(text, fields, number or Path(name).stem)
    try:
        report = rebuild(store, embedder, target)
    except BaseException:
        store.delete(info.doc_id)  # keep store and index in step
        raise
    return AddResult(info, True, report, probe.warnings)


def remove_document(store: DocumentStore, target: Path, doc_id: str, embedder: Embedder) -> BuildReport:
    """Remove a user-added document from the store and the index."""
    stored = next((i for i in store.manifests() if i.doc_id == doc_id), None)
    text = store.read_original(stored) if stored is not None and not store.is_bundled(doc_id) else ""
    info = store.delete(doc_id)
    try:
        return rebuild(store, embedder, target)
    except BaseException:
        store.store(
            text,
            {k: v for k, v in info.to_dict().items() if k not in ("doc_id", "source_file")},
            info.doc_id,
        )
        raise
