"""`QAService`: the one facade the API, the web page and the CLI call.

It owns the current snapshot (parsed documents, the search index and the answerer built over them)
and every use case: ask, search, tasks, documents, add and remove. A reload swaps the snapshot in one
assignment, so requests in flight finish on the one they started with.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hoidap.corpus.parse import parse_corpus
from hoidap.corpus.progress import StepProgress
from hoidap.corpus.records import ParsedDocument, Task
from hoidap.indexer.backend import RetrievalBackend, open_backend, publisher
from hoidap.indexer.build import AddResult, BuildReport, Previous, rebuild, recover_if_pending
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.entries import document_hash
from hoidap.indexer.search import MODES
from hoidap.indexer.store import IndexLoadError, read_manifest
from hoidap.indexer.tokenization import tokenize
from hoidap.service.answer import Answerer
from hoidap.service.changes import add_file, preview_file, remove_file
from hoidap.service.filters import TaskFilter
from hoidap.service.ranker import RankerModel
from hoidap.service.records import Answer, NotFoundError, QuestionError, Searcher
from hoidap.service.resources import DocumentDetail, DocumentSummary, Health, SearchResult, TaskRecord
from hoidap.service.wiring import document_store, embedder_for
from hoidap.settings import Settings

log = logging.getLogger(__name__)

RELOADING_NOTE = (
    "Kho văn bản vừa thay đổi và đang được nạp lại; câu trả lời này theo kho trước khi thay đổi, "
    "văn bản mới thêm chưa có trong đó. Hãy hỏi lại sau ít giây."
)


class _NoSearch:
    """A searcher for record-only use (tasks, documents): finds nothing."""

    def search(
        self,
        query: str,
        k: int = 10,
        doc_ids: list[str] | None = None,
        mode: str = "hybrid",
        dense_query: str | None = None,
    ) -> list:
        return []


@dataclass(frozen=True)
class _Snapshot:
    docs: dict[str, ParsedDocument]
    searcher: Searcher
    answerer: Answerer
    tasks: dict[tuple[str, str], Task]


def committed_documents(settings: Settings, doc_ids: list[str] | None = None) -> list[ParsedDocument]:
    """The stored documents an index holds: one that a running `add` has stored but not yet indexed (or a
    killed one left) is not listed (issue 22 §7). With no index yet, every stored document."""
    docs = parse_corpus(document_store(settings), doc_ids=doc_ids)
    try:
        indexed = read_manifest(settings.index_path, recover=False).documents
    except IndexLoadError:
        return docs
    return [d for d in docs if d.doc_id in indexed]


class QAService:
    """Answers, searches and lists over one corpus; changes it when built with a settings object.

    Args:
        docs: the parsed documents being served.
        searcher: the index over them (`HybridIndex`, or any object with its `search`).
        settings: where the store and index live; without it the service is read-only.
        mode: retrieval mode for answers (hybrid | lexical | dense).
    """

    def __init__(
        self,
        docs: list[ParsedDocument],
        searcher: Searcher,
        settings: Settings | None = None,
        mode: str | None = None,
        ranker: RankerModel | None = None,
    ) -> None:
        self.settings = settings
        self._ranker = ranker  # None: the saved model (a trainer passes an untrained one)
        self.mode = mode or (settings.search_mode if settings else "hybrid")
        self._write_lock = threading.Lock()  # one add/remove at a time in this process
        self._reload_lock = threading.Lock()  # one background reload at a time
        self._last_check = time.monotonic()
        self._seen_manifest: tuple[int, int, int] | None = self._manifest_key()
        self._failed_stamp: tuple[int, float] | None = None
        self.reload_error: str | None = None
        self.reloading = False  # a newer index was seen and is being loaded in the background
        self.damaged: dict[str, str] = {}  # quarantined documents (id -> why), not served
        self._current = self._snapshot(docs, searcher)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def open(
        cls, settings: Settings, embedder: Embedder | None = None, ranker: RankerModel | None = None
    ) -> QAService:
        """Parse the stored documents and load the index built from them (`ranker`: see __init__).

        Raises:
            IndexLoadError: no index, a damaged one, or one built with another model.
        """
        docs, index, damaged = cls._load(settings, embedder or embedder_for(settings))
        tokenize("khởi động")  # import the word segmenter now, not on the first user's question
        service = cls(docs, index, settings, ranker=ranker)
        service.damaged = damaged
        return service

    @classmethod
    def offline(cls, settings: Settings, docs: list[ParsedDocument] | None = None) -> QAService:
        """Tasks and documents of the store without loading the index or the model (no search)."""
        docs = docs if docs is not None else committed_documents(settings)
        return cls(docs, _NoSearch(), None)

    @staticmethod
    def _load(
        settings: Settings, embedder: Embedder
    ) -> tuple[list[ParsedDocument], RetrievalBackend, dict[str, str]]:
        """The documents to serve, the index, and the quarantined documents (id -> why): a stored text
        or manifest that fails its checksum, cannot be parsed, or differs from what was indexed."""
        # An add/remove killed half-way left a journal: put the store back in step with the index.
        recover_if_pending(document_store(settings), settings.index_path)
        index = open_backend(settings, embedder)
        store = document_store(settings)
        docs = []
        for d in parse_corpus(store):
            recorded = index.manifest.documents.get(d.doc_id)
            if recorded is None:
                continue
            if isinstance(recorded, dict) and recorded.get("hash") not in (None, document_hash(d.original)):
                # The text changed after it was indexed: its offsets and quotes would be wrong.
                store.damaged[d.doc_id] = "văn bản lưu trữ khác bản đã lập chỉ mục (sha256 không khớp)"
                continue
            docs.append(d)
        for doc_id, why in store.damaged.items():
            log.error("Văn bản %s bị cách ly, không phục vụ: %s", doc_id, why)
        return docs, index, dict(store.damaged)

    def _snapshot(self, docs: list[ParsedDocument], searcher: Searcher) -> _Snapshot:
        thresholds = self.settings.answer if self.settings else None
        return _Snapshot(
            docs={d.doc_id: d for d in docs},
            searcher=searcher,
            answerer=Answerer(docs, searcher, self.mode, thresholds, self._ranker),
            tasks={(t.doc_id, t.task_id): t for d in docs for t in d.tasks},
        )

    def reload(self) -> None:
        """Serve the current store and index (after an add/remove here or by another process)."""
        settings = self._writable()
        key = self._manifest_key()
        docs, index, damaged = self._load(settings, self.embedder)
        self._current = self._snapshot(docs, index)
        self.damaged = damaged
        self._seen_manifest = key
        self._failed_stamp = None
        self.reload_error = None

    # --- live reload: a build by another process (`hoidap add`, `hoidap index`) is served -------

    @property
    def _snap(self) -> _Snapshot:
        """The snapshot requests use; at most once per `reload_check_seconds` it looks for a newer index."""
        self._maybe_reload()
        return self._current

    @_snap.setter
    def _snap(self, snap: _Snapshot) -> None:
        self._current = snap

    def _manifest_key(self) -> tuple[int, int, int] | None:
        """(inode, mtime, size) of the index manifest: a swap replaces the file, so any build changes it."""
        if self.settings is None:
            return None
        try:
            st = os.stat(self.settings.index_path / "manifest.json")
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _loaded_stamp(self) -> tuple[int, float] | None:
        manifest = getattr(self._current.searcher, "manifest", None)
        return manifest.stamp if manifest is not None else None

    def _maybe_reload(self) -> None:
        settings = self.settings
        if settings is None or not settings.reload_check_seconds:
            return
        now = time.monotonic()
        if now - self._last_check < settings.reload_check_seconds:
            return
        self._last_check = now
        key = self._manifest_key()  # one stat(): cheap enough for every request that passes the gate
        if key is None or key == self._seen_manifest or self._loaded_stamp() is None:
            return
        if not self._reload_lock.acquire(blocking=False):
            return  # a reload is already running
        # Requests go on with the current snapshot, saying so (`ask`); the new one is swapped in when ready.
        self.reloading = True
        threading.Thread(target=self._background_reload, args=(key,), daemon=True).start()

    def _background_reload(self, key: tuple[int, int, int]) -> None:
        try:
            settings = self._writable()
            stamp = read_manifest(settings.index_path, recover=False).stamp
            if stamp == self._loaded_stamp() or stamp == self._failed_stamp:
                self._seen_manifest = key
                return
            with self._write_lock:  # not while this process is itself adding or removing
                try:
                    self.reload()
                    log.info("Đã nạp chỉ mục mới (phiên bản %s).", stamp[0])
                except IndexLoadError as exc:
                    # A damaged or half-written index is never served: keep the current snapshot.
                    self._failed_stamp = stamp
                    self._seen_manifest = key
                    self.reload_error = str(exc)
                    log.error("Không nạp được chỉ mục mới, tiếp tục dùng chỉ mục cũ: %s", exc)
        except IndexLoadError as exc:
            log.warning("Chưa đọc được chỉ mục mới: %s", exc)
        except Exception:  # noqa: BLE001 - a background thread must not die silently
            log.exception("Lỗi khi nạp lại chỉ mục")
        finally:
            self.reloading = False
            self._reload_lock.release()

    # --- what callers read ------------------------------------------------------------------

    @property
    def docs(self) -> dict[str, ParsedDocument]:
        return self._snap.docs

    @property
    def searcher(self) -> Searcher:
        return self._snap.searcher

    @property
    def answerer(self) -> Answerer:
        return self._snap.answerer

    @property
    def catalog(self) -> Any:
        return self._snap.answerer.catalog

    @property
    def embedder(self) -> Embedder:
        # `_current`, not `_snap`: a reload asking for the model must not start another reload.
        found = getattr(self._current.searcher, "embedder", None)
        if found is not None:
            return found
        return embedder_for(self._writable())

    @property
    def feedback_path(self) -> Path:
        """Where the page's Đúng/Sai feedback is appended."""
        return self._writable().feedback_path

    @property
    def max_question_chars(self) -> int:
        return self.answerer.thresholds.max_question_chars

    @property
    def max_top_k(self) -> int:
        return self.answerer.thresholds.max_top_k

    @property
    def min_dense(self) -> float:
        """Cosine from which a clause is close in meaning even with no word of the query in it."""
        return self.answerer.thresholds.min_dense

    # --- use cases --------------------------------------------------------------------------

    def ask(self, question: str, doc_ids: list[str] | None = None, top_k: int = 5) -> Answer:
        """Answer one question (see `Answerer.ask`).

        While a newer index is loading, the answer comes from the one being replaced and says so: a
        document just added is not in it yet, and "not found" may no longer be true.
        """
        snap = self._snap
        reloading = self.reloading
        answer = snap.answerer.ask(question, doc_ids=self.known_docs(doc_ids), top_k=top_k)
        if reloading:
            answer.message = f"{RELOADING_NOTE} {answer.message}"
        return answer

    def search(
        self, query: str, k: int = 10, doc_ids: list[str] | None = None, mode: str | None = None
    ) -> list[SearchResult]:
        """Ranked clauses with their exact quote, offsets, scores and matched words.

        Raises:
            QuestionError: empty or oversized query, k out of range, unknown mode or document.
        """
        q = (query or "").strip()
        if not q:
            raise QuestionError("Nội dung tìm đang trống.")
        if len(q) > self.max_question_chars:
            raise QuestionError(f"Nội dung tìm quá dài ({len(q)} ký tự, tối đa {self.max_question_chars}).")
        if not 1 <= k <= self.max_top_k:
            raise QuestionError(f"k phải trong khoảng 1-{self.max_top_k}.")
        mode = mode or self.mode
        if mode not in MODES:
            raise QuestionError(f"Chế độ tìm phải là một trong: {', '.join(MODES)}.")
        snap = self._snap
        hits = snap.searcher.search(q, k=k, doc_ids=self.known_docs(doc_ids), mode=mode)
        out = []
        for h in hits:
            d = snap.docs.get(h.entry.doc_id)
            out.append(SearchResult.of(h, d.original if d else None))
        return out

    def known_docs(self, doc_ids: list[str] | None) -> list[str] | None:
        """The ids as given, without repeats; QuestionError naming the unknown ones."""
        if not doc_ids:
            return None
        unknown = list(dict.fromkeys(d[:80] for d in doc_ids if d not in self.docs))
        if unknown:
            shown = ", ".join(unknown[:5]) + (f" (và {len(unknown) - 5} mã khác)" if len(unknown) > 5 else "")
            raise QuestionError(f"Không có văn bản {shown}. Các văn bản hiện có: {', '.join(self.docs)}")
        return list(dict.fromkeys(doc_ids))

    def tasks(self, flt: TaskFilter | None = None) -> list[tuple[ParsedDocument, Task]]:
        """Task records matching the filter, in document order."""
        flt = flt or TaskFilter()
        self.known_docs(list(flt.doc_ids))
        canonical = self.catalog.canonical_agency
        return [(d, t) for d in self.docs.values() for t in d.tasks if flt.matches(t, canonical)]

    def agency_name(self, typed: str) -> str | None:
        """The full name of an agency as typed in a filter ("so khdt" -> "Sở Kế hoạch và Đầu tư"), or None
        when the corpus names no such agency."""
        return self.catalog.canonical_agency(typed.strip()) if typed and typed.strip() else None

    def task(self, doc_id: str, task_id: str) -> tuple[ParsedDocument, Task]:
        """One task; NotFoundError says when the id falls into a numbering gap of the document."""
        doc = self.document(doc_id)
        wanted = task_id.strip()
        if not wanted:
            example = doc.tasks[0].task_id if doc.tasks else "1.1"
            raise NotFoundError(f"Thiếu số hiệu nhiệm vụ, ví dụ /tasks/{doc_id}/{example}.")
        found = self._snap.tasks.get((doc_id, wanted)) or next(
            (t for t in doc.tasks if t.task_id.casefold() == wanted.casefold()), None
        )
        if found is not None:
            return doc, found
        title = doc.info.short_title
        gap = next((g for g in doc.gaps if g.contains(wanted) or wanted in g.missing), None)
        if gap is not None:
            raise NotFoundError(
                f"Nhiệm vụ {wanted} không có trong {title}: văn bản nhảy từ {gap.after} sang {gap.before} "
                f"({gap.note}).",
                gap=gap.to_dict(),
            )
        raise NotFoundError(f"Không có nhiệm vụ {wanted} trong {title}.")

    def task_records(self, flt: TaskFilter | None = None) -> list[TaskRecord]:
        """`tasks(flt)` as records with their quotes (the API's list)."""
        return [TaskRecord.of(t, d.original) for d, t in self.tasks(flt)]

    def task_record(self, doc_id: str, task_id: str) -> TaskRecord:
        """`task(doc_id, task_id)` as a record with its quote."""
        doc, found = self.task(doc_id, task_id)
        return TaskRecord.of(found, doc.original)

    def document(self, doc_id: str) -> ParsedDocument:
        doc = self.docs.get(doc_id)
        if doc is None:
            raise NotFoundError(f"Không có văn bản '{doc_id}'. Các văn bản hiện có: {', '.join(self.docs)}")
        return doc

    def document_summary(self, doc: ParsedDocument) -> DocumentSummary:
        """Manifest facts plus counts (clauses, tasks, index entries, numbering gaps)."""
        return DocumentSummary.model_validate(self._summary(doc))

    def _summary(self, doc: ParsedDocument) -> dict[str, Any]:
        d = doc.info.to_dict()
        indexed = getattr(getattr(self.searcher, "manifest", None), "documents", {}).get(doc.doc_id, {})
        d.update(
            {
                "clauses": len(doc.clauses),
                "tasks": len(doc.tasks),
                "entries": indexed.get("entries"),
                "gaps": [g.to_dict() for g in doc.gaps],
            }
        )
        return d

    def document_detail(self, doc_id: str) -> DocumentDetail:
        """One document: summary, printed header facts, outline of clauses (without their texts)."""
        doc = self.document(doc_id)
        header = {k: v for k, v in vars(doc.header).items() if k != "spans"}
        header["spans"] = {k: list(v) for k, v in doc.header.spans.items()}
        outline: list[dict[str, Any]] = []
        for c in doc.clauses:
            if not outline or outline[-1]["section"] != c.breadcrumb:
                outline.append({"section": c.breadcrumb, "path": list(c.section), "clauses": []})
            outline[-1]["clauses"].append(
                {
                    "clause_id": c.clause_id,
                    "kind": c.kind,
                    "task_id": c.task_id,
                    "char_start": c.char_start,
                    "char_end": c.char_end,
                }
            )
        d = self._summary(doc)
        d.update(
            {
                "header": header,
                "length": len(doc.original),
                "task_ids": [t.task_id for t in doc.tasks],
                "outline": outline,
                "warnings": list(doc.warnings),
                "fallback": doc.fallback,
            }
        )
        return DocumentDetail.model_validate(d)

    def health(self, *, ui: bool = False) -> Health:
        """Counts, index build and reload state; `ui`: whether the serving app mounts the web page."""
        snap = self._snap
        manifest = getattr(snap.searcher, "manifest", None)
        counts = getattr(snap.searcher, "counts", None)  # a backend's; a bare searcher may list entries
        listed = getattr(snap.searcher, "entries", None)
        entries = counts()["entries"] if counts is not None else len(listed) if listed is not None else None
        built = getattr(manifest, "created_at", None)
        return Health(
            index_version=getattr(manifest, "version", None),
            index_built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(built)) if built else None,
            reload_error=self.reload_error,
            reloading=self.reloading,
            status="degraded" if self.damaged else "ok",
            quarantined=dict(self.damaged),
            index_loaded=True,
            documents=len(snap.docs),
            entries=entries,
            clauses=sum(len(d.clauses) for d in snap.docs.values()),
            tasks=sum(len(d.tasks) for d in snap.docs.values()),
            model_id=getattr(manifest, "model_id", None),
            dimension=getattr(manifest, "dimension", None),
            dense_kind=getattr(manifest, "dense_kind", None),
            mode=self.mode,
            ui=ui,
        )

    # --- changing the corpus ----------------------------------------------------------------

    def _writable(self) -> Settings:
        if self.settings is None:
            raise QuestionError("Dịch vụ này chỉ đọc: không thêm hay xóa được văn bản.")
        return self.settings

    def add_document(
        self,
        name: str,
        data: bytes,
        *,
        title: str | None = None,
        number: str | None = None,
        date: str | None = None,
        issuer: str | None = None,
        progress: StepProgress | None = None,
    ) -> AddResult:
        """Store and index a document (`changes.add_file`), then serve it; nothing changes on error.

        Scanned PDF pages and page images are read by OCR. `progress` (optional) is told each stage as
        it goes (a `Step`): read, OCR page n/total, parse, embed passage n/total, write.

        Raises:
            DocumentError: unsupported, empty, binary, undecodable or unparsable file.
        """
        settings = self._writable()
        with self._write_lock:
            result = add_file(
                settings,
                name,
                data,
                title=title,
                number=number,
                date=date,
                issuer=issuer,
                progress=progress,
                embedder=self.embedder,
                served=self._served_index(),
            )
            if result.added:
                self.reload()
        return result

    def _served_index(self) -> Previous | None:
        """The index this service holds in memory as a build may reuse it (its manifest, entries, tokens and
        vectors), so that an add reads no index file before the reload; None for another backend."""
        searcher = self._current.searcher
        manifest = getattr(searcher, "manifest", None)
        entries = getattr(searcher, "entries", None)
        vectors = getattr(getattr(searcher, "dense", None), "vectors", None)
        tokens = getattr(searcher, "token_lists", None)
        if manifest is None or entries is None or vectors is None or tokens is None:
            return None
        return manifest, entries, tokens, vectors

    def preview_document(self, name: str, data: bytes) -> ParsedDocument:
        """What adding this file would store, without storing it: the facts read from its text, its
        clauses, tasks and parse warnings (for a review before saving). The file is read in the same
        limited worker as `add_document`.

        Raises:
            DocumentError: unsupported, empty, binary, undecodable or unparsable file.
        """
        return preview_file(self._writable(), name, data)

    def remove_document(self, doc_id: str) -> BuildReport:
        """Remove a user-added document from the store and the index, then stop serving it."""
        settings = self._writable()
        with self._write_lock:
            report = remove_file(settings, doc_id, self.embedder)
            self.reload()
        return report


def build_index(
    settings: Settings, *, dense_kind: str | None = None, full: bool = False, backend: str | None = None
) -> BuildReport:
    """Index every stored document (unchanged ones reuse their vectors unless `full`); with the Milvus
    backend (`backend` or the settings') the build is also loaded into a new collection, then served."""
    return rebuild(
        document_store(settings),
        embedder_for(settings, threads=settings.build_threads),
        settings.index_path,
        dense_kind,
        reuse=not full,
        publish=publisher(settings, backend),
        floor=True,
    )
