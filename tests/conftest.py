"""Shared fixtures: settings pointing user data into a temporary folder, the real bundled corpus.

Tests are sorted by cost: `unit/` (no model, no index), `integration/` (real model and index over the
real corpus), `browser/` (the real page in headless Chromium). `make test` runs all three.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from hoidap.settings import Settings

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _distribution(name: str) -> str:
    """The normalized distribution name of a requirement or a distribution ("Foo_Bar[x]>=1" -> "foo-bar")."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", name)
    assert match, name
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


@pytest.fixture(scope="session")
def declared_dependencies() -> dict[str, set[str]]:
    """pyproject's distributions: "" -> the dependencies, else extra -> its own (self-references left out)."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    groups = {"": project["dependencies"], **project["optional-dependencies"]}
    return {k: {_distribution(r) for r in reqs} - {"hoidap"} for k, reqs in groups.items()}


@pytest.fixture(scope="session")
def module_distributions() -> dict[str, set[str]]:
    """Top-level import name -> the installed distributions that provide it (normalized names)."""
    return {m: {_distribution(d) for d in ds} for m, ds in packages_distributions().items()}


@pytest.fixture(scope="session")
def build_only_modules(declared_dependencies, module_distributions) -> set[str]:
    """Import names of the `[build]` extra's packages that serving does not install (torch, onnx, …)."""
    build = declared_dependencies["build"] - declared_dependencies[""]
    names = {m for m, dists in module_distributions.items() if dists & build}
    assert {"torch", "transformers", "sentence_transformers", "onnx"} <= names, names
    return names


@pytest.fixture(scope="session")
def serving_install(build_only_modules) -> str:
    """Python source that makes a fresh interpreter look like a serving install (`pip install .`, no
    extras): importing a `[build]` package fails as if it were absent, and the names tried are kept in
    `ABSENT_TRIED` (so an import whose failure is caught is seen too). Run it first in a subprocess."""
    return (
        "import importlib.abc, sys\n"
        "ABSENT_TRIED = []\n"
        "class _Absent(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.partition('.')[0] in {sorted(build_only_modules)!r}:\n"
        "            ABSENT_TRIED.append(name)\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _Absent())\n"
    )


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
