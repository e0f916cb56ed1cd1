"""The retrieval backend the service searches: the embedded index files or a Milvus collection.

Both are built from the same entries, tokens and vectors (`build.py` writes the index directory
first, reusing stored vectors), rank with the same fusion, and return the same `SearchHit`s, so the
answer layer, the catalog, the API and the page never know which one runs. Settings choose
(`HOIDAP_BACKEND=embedded|milvus`).
"""

from __future__ import annotations

from typing import Protocol

from hoidap.indexer.build import Publisher
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.entries import Entry
from hoidap.indexer.search import HybridIndex, SearchHit
from hoidap.indexer.store import IndexManifest
from hoidap.settings import Settings


class RetrievalBackend(Protocol):
    """What the service reads: ranked hits, the served build's manifest, counts and health."""

    manifest: IndexManifest

    @property
    def embedder(self) -> Embedder: ...

    @property
    def token_lists(self) -> list[list[str]]: ...

    def search(
        self,
        query: str,
        k: int = 10,
        doc_ids: list[str] | None = None,
        mode: str = "hybrid",
        dense_query: str | None = None,
    ) -> list[SearchHit]: ...

    def counts(self) -> dict[str, int]: ...

    def health(self) -> dict[str, object]: ...


class DocumentWriter(Protocol):
    """The write side of a backend that keeps its own copy of the entries (Milvus).

    The embedded backend has none: its add/remove rebuild the index files (`build.add_document`,
    `build.remove_document`) and the service then loads them.
    """

    def upsert_document(self, doc_id: str, entries: list[Entry], tokens: list[list[str]], vectors) -> int: ...

    def remove_document(self, doc_id: str) -> int: ...


def open_backend(settings: Settings, embedder: Embedder) -> RetrievalBackend:
    """The configured backend over the index directory's current build.

    Raises:
        IndexLoadError: no index, a damaged one, another model, or (Milvus) no or a stale collection.
    """
    if settings.backend == "milvus":
        from hoidap.indexer.milvus import MilvusIndex

        return MilvusIndex.open(
            settings.index_path,
            embedder,
            settings.milvus_target,
            settings.milvus_collection,
            query_workers=settings.query_workers,
        )
    return HybridIndex.load(settings.index_path, embedder, query_workers=settings.query_workers)


def publisher(settings: Settings, backend: str | None = None) -> Publisher | None:
    """What copies a build of the index files to the backend (None: the files are the backend)."""
    if (backend or settings.backend) != "milvus":
        return None
    from hoidap.indexer.milvus import MilvusStore

    store = MilvusStore(settings.milvus_target, settings.milvus_collection)
    return store.publish
