"""Shared fixtures: the real bundled corpus, parsed once per session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def parsed():
    from hoidap.corpus.parse import parse_corpus

    return {d.doc_id: d for d in parse_corpus()}


@pytest.fixture(scope="session")
def embedder():
    from hoidap.indexer.embedding_model import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, embedder):
    """The bundled corpus indexed once into a temporary directory (real model)."""
    from hoidap.corpus.parse import parse_corpus
    from hoidap.indexer.build import build_index

    target = tmp_path_factory.mktemp("index") / "index"
    report = build_index(parse_corpus(), embedder, target)
    return target, report


@pytest.fixture(scope="session")
def index(built_index, embedder):
    from hoidap.indexer.search import HybridIndex

    return HybridIndex.load(built_index[0], embedder)
