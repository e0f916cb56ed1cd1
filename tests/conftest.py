"""Shared fixtures: the real bundled corpus, parsed once per session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def parsed():
    from corpus.parse import parse_corpus

    return {d.doc_id: d for d in parse_corpus()}
