"""Schemathesis against the app (all checks, bounded examples): no 500s, responses as declared,
valid-by-schema input accepted and invalid input refused (issue 12).

Driven through hypothesis directly: schemathesis's pytest plugin does not run under pytest 9.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402

from hoidap.api.app import create_app  # noqa: E402

OPERATIONS = [
    ("POST", "/ask"),
    ("GET", "/search"),
    ("GET", "/tasks"),
    ("GET", "/tasks/{doc_id}/{task_id}"),
    ("GET", "/documents"),
    ("GET", "/documents/{doc_id}"),
    ("GET", "/health"),
]


@pytest.fixture(scope="module")
def api_schema(service):
    # Schemathesis's in-process client calls itself "testserver": a host name the app must accept here.
    any_host = service.settings.model_copy(update={"allowed_hosts": "*"})
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(service, settings=any_host))


# Negative cases only where the schema constrains something (elsewhere no invalid input exists).
CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if p in ("/ask", "/search", "/tasks")
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_api_against_its_schema(api_schema, method, path, mode):
    if path == "/tasks/{doc_id}/{task_id}":
        path = next(p for p in api_schema.raw_schema["paths"] if p.startswith("/tasks/{doc_id}"))
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        case.call_and_validate()

    run()
