"""Shared fixtures: settings pointing user data into a temporary folder, the real bundled corpus.

Tests are sorted by cost: `unit/` (no model, no index), `integration/` (real model and index over the
real corpus), `browser/` (the real page in headless Chromium). `make test` runs all three.
"""

from __future__ import annotations

import pytest

from hoidap.settings import Settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """The environment's settings (model cache from HOIDAP_CACHE_DIR), with data and index in a temp dir."""
    data = tmp_path_factory.mktemp("data")
    return Settings(data_dir=data, index_dir=data / "index")


@pytest.fixture(scope="session")
def store(settings):
    from hoidap.service.qa import document_store

    return document_store(settings)


@pytest.fixture(scope="session")
def parsed(store):
    from hoidap.corpus.parse import parse_corpus

    return {d.doc_id: d for d in parse_corpus(store)}


@pytest.fixture(scope="session")
def embedder(settings):
    from hoidap.service.qa import embedder_for

    return embedder_for(settings)


@pytest.fixture(scope="session")
def built_index(settings, parsed, embedder):
    """The bundled corpus indexed once into the session's index directory (real model)."""
    from hoidap.indexer.build import build_index

    report = build_index(list(parsed.values()), embedder, settings.index_path)
    return settings.index_path, report


@pytest.fixture(scope="session")
def index(built_index, embedder):
    from hoidap.indexer.search import HybridIndex

    return HybridIndex.load(built_index[0], embedder)


@pytest.fixture(scope="session")
def service(settings, parsed, index):
    """The facade over the shared index; read-only use (tests that add documents make their own)."""
    from hoidap.service.qa import QAService

    return QAService(list(parsed.values()), index, settings)
