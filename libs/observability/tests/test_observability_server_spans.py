"""The lean server span against the official OpenTelemetry instrumentation's real output.

The official FastAPI instrumentation runs the request matrix of ``observability_compat`` in a
subprocess (it reads ``OTEL_SEMCONV_STABILITY_OPT_IN`` once per process); the lean path runs
the same matrix here. Span name, kind, status, trace/span/parent IDs, the context the handler
sees, exception events and the stable HTTP attributes must be the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from observability_compat import TOKEN, matrix_app, run_matrix, tracer_provider
from pavedroad.observability import HTTPMetrics
from pavedroad.observability.fastapi import instrument_fastapi
from prometheus_client import CollectorRegistry

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(HERE / "observability_compat.py")],
        env={**os.environ, "OTEL_SEMCONV_STABILITY_OPT_IN": "http"},
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    recorded: dict[str, Any] = json.loads(result.stdout)
    return recorded


@pytest.fixture
def lean() -> dict[str, Any]:
    provider, exporter = tracer_provider()
    app = instrument_fastapi(
        matrix_app(),
        tracer_provider=provider,
        metrics=HTTPMetrics(CollectorRegistry()),
        instrumentation="lean",
    )
    return run_matrix(app, exporter)


def _server(attributes: dict[str, Any]) -> tuple[Any, Any]:
    """``server.address`` and ``server.port`` as a pair. The official instrumentation (0.66b2)
    writes ``host:port`` into ``server.address`` and no ``server.port``; the conventions and
    the lean span keep them apart. Compared as the pair, the information is the same."""
    address = attributes.pop("server.address", None)
    port = attributes.pop("server.port", None)
    if isinstance(address, str) and port is None and ":" in address:
        host, _, text = address.rpartition(":")
        return host, (None if text == "None" else int(text))
    return address, port


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    spans = []
    for span in record["spans"]:
        span = {key: value for key, value in span.items() if key != "all_attribute_values"}
        attributes = dict(span["attributes"])
        span["server"] = _server(attributes)
        span["attributes"] = attributes
        spans.append(span)
    return {**record, "spans": spans}


def test_the_matrix_covers_what_the_lean_path_must_match(official: dict[str, Any]) -> None:
    assert official["exception"]["spans"][0]["events"] == ["RuntimeError"]
    assert official["unsampled parent"]["spans"] == []
    assert official["sampled parent"]["spans"][0]["parent_id"] == "00f067aa0ba902b7"
    assert {record["response_status"] for record in official.values()} >= {
        200,
        201,
        404,
        405,
        422,
        500,
    }


@pytest.mark.parametrize(
    "label",
    [
        "ok",
        "query",
        "not found",
        "validation",
        "server error",
        "exception",
        "sampled parent",
        "unsampled parent",
        "malformed parent",
        "head",
        "options",
        "streaming",
        "post",
    ],
)
def test_the_lean_span_matches_the_official_instrumentation(
    official: dict[str, Any], lean: dict[str, Any], label: str
) -> None:
    assert _comparable(lean[label]) == _comparable(official[label])


def test_no_token_reaches_a_span_attribute(lean: dict[str, Any]) -> None:
    values = [
        value
        for record in lean.values()
        for span in record["spans"]
        for value in span["all_attribute_values"]
    ]
    assert values
    assert not [value for value in values if TOKEN in value]
