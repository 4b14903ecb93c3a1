"""ASGI middleware, FastAPI instrumentation and the RED metrics they record."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from observability_support import LogCapture
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pavedroad.observability import (
    ConfigurationError,
    HTTPMetrics,
    configure,
    get_logger,
    instrument_asgi,
    is_valid_request_id,
)
from pavedroad.observability.fastapi import instrument_fastapi
from pavedroad.observability.logs import SafeText
from pavedroad.observability.metrics import status_class
from pavedroad.observability.middleware import new_request_id as _uuid4
from prometheus_client import CollectorRegistry
from prometheus_client.openmetrics.parser import text_string_to_metric_families

OPENMETRICS = "application/openmetrics-text; version=1.0.0"


class Harness:
    def __init__(
        self,
        app: Any,
        capture: LogCapture,
        exporter: InMemorySpanExporter,
        registry: CollectorRegistry,
    ) -> None:
        self.app = app
        self.capture = capture
        self.exporter = exporter
        self.registry = registry

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(go())

    def sample(self, name: str, **labels: str) -> float | None:
        return self.registry.get_sample_value(name, labels)

    def access_logs(self) -> list[dict[str, Any]]:
        return [
            r for r in self.capture.records() if r["logger"] == "pavedroad.observability.access"
        ]


def _fastapi_app() -> FastAPI:
    # FastAPI's native request span off: the library's middleware makes the span.
    app = FastAPI(telemetry={"tracing": False})

    @app.get("/users/{user_id}")
    async def get_user(user_id: str) -> dict[str, str]:
        get_logger("handlers").info("loading user", user_id=user_id)
        return {"user_id": user_id}

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(status_code=418)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("handler bug")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


@pytest.fixture
def harness(capture: LogCapture) -> Iterator[Harness]:
    exporter = InMemorySpanExporter()
    obs = configure(
        span_processors=[SimpleSpanProcessor(exporter)],
        log_stream=capture.stream,
        log_format="json",
    )
    registry = CollectorRegistry()
    app = instrument_fastapi(
        _fastapi_app(),
        tracer_provider=obs.tracer_provider,
        metrics=HTTPMetrics(registry),
        excluded_paths=["/healthz"],
    )
    yield Harness(app, capture, exporter, registry)


def test_request_gets_a_generated_id_that_is_echoed_and_logged(harness: Harness) -> None:
    response = harness.request("GET", "/users/42")
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert uuid.UUID(request_id).version == 4
    (handler_log,) = harness.capture.events("loading user")
    assert handler_log["request_id"] == request_id


def test_a_valid_inbound_request_id_is_reused(harness: Harness) -> None:
    response = harness.request("GET", "/users/42", headers={"X-Request-ID": "edge-7f3a.b2:1"})
    assert response.headers["x-request-id"] == "edge-7f3a.b2:1"
    assert harness.access_logs()[0]["request_id"] == "edge-7f3a.b2:1"


def test_an_inbound_request_id_is_redacted_but_a_generated_one_is_not(harness: Harness) -> None:
    # A client-chosen ID is user input: the pipeline redacts it like any other value. Only the
    # IDs the middleware generates itself skip redaction (SafeText).
    secret_like = "AKIA" + "Z7QH3KD9LMW2XPRT"  # an AWS key ID's shape, assembled at run time
    assert is_valid_request_id(secret_like)
    harness.request("GET", "/users/42", headers={"X-Request-ID": secret_like})
    harness.request("GET", "/users/42")
    inbound, generated = harness.access_logs()
    assert inbound["request_id"] == "[REDACTED:aws_access_key_id]"
    assert type(_uuid4()) is SafeText
    assert uuid.UUID(generated["request_id"]).version == 4


@pytest.mark.parametrize("bad", ["", "has space", "a\nb", "x" * 129, '"quoted"', "-leading"])
def test_an_invalid_inbound_request_id_is_replaced(harness: Harness, bad: str) -> None:
    assert not is_valid_request_id(bad)
    response = harness.request("GET", "/users/42", headers={"X-Request-ID": bad})
    assert response.headers["x-request-id"] != bad
    uuid.UUID(response.headers["x-request-id"])


def test_one_access_log_line_per_request_with_the_required_fields(harness: Harness) -> None:
    response = harness.request("GET", "/users/42")
    (line,) = harness.access_logs()
    assert line["event"] == "request handled"
    assert line["level"] == "info"
    assert line["method"] == "GET"
    assert line["route"] == "/users/{user_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["x-request-id"]
    (span,) = [s for s in harness.exporter.get_finished_spans() if s.kind.name == "SERVER"]
    assert line["trace_id"] == format(span.context.trace_id, "032x")


def test_a_span_per_request_comes_from_the_lean_middleware(harness: Harness) -> None:
    harness.request("GET", "/users/42")
    server_spans = [s for s in harness.exporter.get_finished_spans() if s.kind.name == "SERVER"]
    (span,) = server_spans
    assert span.name == "GET /users/{user_id}"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/users/{user_id}"
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "pavedroad.observability"
    request_ids = span.attributes["http.request.header.x-request-id"]
    assert isinstance(request_ids, tuple) and len(request_ids) == 1


def test_metrics_use_the_route_template_method_and_status_class(harness: Harness) -> None:
    for user in ("1", "2", "3"):
        harness.request("GET", f"/users/{user}")
    harness.request("GET", "/teapot")
    harness.request("GET", "/no/such/path")
    assert (
        harness.sample(
            "http_server_requests_total", route="/users/{user_id}", method="GET", status_class="2xx"
        )
        == 3
    )
    assert (
        harness.sample(
            "http_server_requests_total", route="/teapot", method="GET", status_class="4xx"
        )
        == 1
    )
    assert (
        harness.sample(
            "http_server_requests_total", route="unmatched", method="GET", status_class="4xx"
        )
        == 1
    )
    assert (
        harness.sample(
            "http_server_request_duration_seconds_count",
            route="/users/{user_id}",
            method="GET",
            status_class="2xx",
        )
        == 3
    )
    assert (
        harness.sample(
            "http_server_request_duration_seconds_bucket",
            route="/users/{user_id}",
            method="GET",
            status_class="2xx",
            le="10.0",
        )
        == 3
    )
    assert harness.sample("http_server_requests_in_flight") == 0
    exposition = harness.request("GET", "/metrics").text
    assert "/users/1" not in exposition
    assert "/no/such/path" not in exposition


def test_an_unhandled_exception_counts_as_5xx_and_logs_an_error(harness: Harness) -> None:
    response = harness.request("GET", "/crash")
    assert response.status_code == 500
    assert (
        harness.sample(
            "http_server_requests_total", route="/crash", method="GET", status_class="5xx"
        )
        == 1
    )
    (line,) = harness.access_logs()
    assert line["level"] == "error"
    assert line["status"] == 500
    assert harness.sample("http_server_requests_in_flight") == 0


def test_metrics_endpoint_serves_openmetrics_with_trace_id_exemplars(harness: Harness) -> None:
    harness.request("GET", "/users/42")
    response = harness.request("GET", "/metrics", headers={"Accept": OPENMETRICS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    trace_id = harness.access_logs()[0]["trace_id"]
    exemplars = [
        sample.exemplar
        for family in text_string_to_metric_families(response.text)  # type: ignore[no-untyped-call]
        for sample in family.samples
        if sample.exemplar is not None
    ]
    assert exemplars
    assert {exemplar.labels["trace_id"] for exemplar in exemplars} == {trace_id}
    # The classic text format has no exemplars but is still served.
    plain = harness.request("GET", "/metrics")
    assert plain.headers["content-type"].startswith("text/plain")
    assert "http_server_requests_total" in plain.text


def test_metrics_and_excluded_paths_get_no_metrics_spans_or_access_log(harness: Harness) -> None:
    harness.request("GET", "/metrics")
    harness.request("GET", "/healthz")
    assert harness.access_logs() == []
    assert harness.exporter.get_finished_spans() == ()
    assert (
        harness.sample(
            "http_server_requests_total", route="/healthz", method="GET", status_class="2xx"
        )
        is None
    )


def test_unknown_methods_are_folded_into_other() -> None:
    registry = CollectorRegistry()
    metrics = HTTPMetrics(registry)
    metrics.observe(route="/x", method="BREW", status=200, duration_seconds=0.01)
    assert (
        registry.get_sample_value(
            "http_server_requests_total", {"route": "/x", "method": "_OTHER", "status_class": "2xx"}
        )
        == 1
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [(101, "1xx"), (200, "2xx"), (304, "3xx"), (404, "4xx"), (503, "5xx"), (42, "unknown")],
)
def test_status_class(status: int, expected: str) -> None:
    assert status_class(status) == expected


def test_instrument_asgi_wraps_any_asgi_app(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(span_processors=[SimpleSpanProcessor(exporter)], log_stream=capture.stream)

    async def raw_app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    registry = CollectorRegistry()
    app = instrument_asgi(
        raw_app,
        tracer_provider=obs.tracer_provider,
        metrics=HTTPMetrics(registry),
        route_resolver=lambda scope: "/raw",
    )
    harness = Harness(app, capture, exporter, registry)
    response = harness.request("POST", "/anything")
    assert response.status_code == 204
    assert response.headers["x-request-id"]
    (span,) = exporter.get_finished_spans()[-1:]
    assert span.kind.name == "SERVER"
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "pavedroad.observability"
    assert (
        harness.sample(
            "http_server_requests_total", route="/raw", method="POST", status_class="2xx"
        )
        == 1
    )
    (line,) = harness.access_logs()
    assert line["trace_id"] == format(span.context.trace_id, "032x")


def test_only_the_exact_metrics_path_is_left_out(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(span_processors=[SimpleSpanProcessor(exporter)], log_stream=capture.stream)
    app = FastAPI(telemetry={"tracing": False})

    @app.get("/api/metrics")
    async def api_metrics() -> dict[str, int]:
        return {"users": 3}

    registry = CollectorRegistry()
    app = instrument_fastapi(
        app, tracer_provider=obs.tracer_provider, metrics=HTTPMetrics(registry)
    )
    harness = Harness(app, capture, exporter, registry)
    assert harness.request("GET", "/api/metrics").json() == {"users": 3}
    assert harness.request("GET", "/metrics").status_code == 200
    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /api/metrics"
    assert harness.sample(
        "http_server_requests_total", route="/api/metrics", method="GET", status_class="2xx"
    )
    assert [line["route"] for line in harness.access_logs()] == ["/api/metrics"]


def test_a_fastapi_app_given_to_instrument_asgi_gets_one_request_span(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(span_processors=[SimpleSpanProcessor(exporter)], log_stream=capture.stream)
    registry = CollectorRegistry()
    app = instrument_asgi(
        _fastapi_app(), tracer_provider=obs.tracer_provider, metrics=HTTPMetrics(registry)
    )
    harness = Harness(app, capture, exporter, registry)
    assert harness.request("GET", "/users/7").status_code == 200
    (span,) = exporter.get_finished_spans()
    assert span.kind.name == "SERVER"
    assert span.name == "GET /users/{user_id}"


def test_an_unhandled_exception_is_recorded_on_the_request_span(harness: Harness) -> None:
    harness.request("GET", "/crash")
    (span,) = [s for s in harness.exporter.get_finished_spans() if s.kind.name == "SERVER"]
    assert span.name == "GET /crash"
    assert span.status.status_code.name == "ERROR"
    assert any(event.name == "exception" for event in span.events)


def test_instrument_asgi_names_the_span_from_the_route_resolver(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(span_processors=[SimpleSpanProcessor(exporter)], log_stream=capture.stream)

    async def raw_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = instrument_asgi(
        raw_app,
        tracer_provider=obs.tracer_provider,
        metrics=HTTPMetrics(CollectorRegistry()),
        route_resolver=lambda scope: "/things/{id}",
    )
    Harness(app, capture, exporter, CollectorRegistry()).request("GET", "/things/1")
    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /things/{id}"
    assert span.attributes is not None and span.attributes["http.route"] == "/things/{id}"


def _exemplars(registry: CollectorRegistry, name: str) -> list[str]:
    return [
        sample.exemplar.labels["trace_id"]
        for family in registry.collect()
        for sample in family.samples
        if sample.name == name and sample.exemplar is not None
    ]


def test_exemplars_are_refreshed_at_most_once_per_interval_per_series_and_bucket() -> None:
    registry = CollectorRegistry()
    metrics = HTTPMetrics(registry, exemplar_interval_seconds=3600)
    for index, seconds in enumerate((0.001, 0.002, 4.0)):
        metrics.observe(
            route="/x", method="GET", status=200, duration_seconds=seconds, trace_id=f"{index:032x}"
        )
    # The counter keeps the first exemplar of the interval; the slow request's bucket has its own.
    assert _exemplars(registry, "http_server_requests_total") == [f"{0:032x}"]
    buckets = _exemplars(registry, "http_server_request_duration_seconds_bucket")
    assert sorted(buckets) == [f"{0:032x}", f"{2:032x}"]

    every = CollectorRegistry()
    metrics = HTTPMetrics(every, exemplar_interval_seconds=0)
    for index in range(3):
        metrics.observe(
            route="/x", method="GET", status=200, duration_seconds=0.001, trace_id=f"{index:032x}"
        )
    assert _exemplars(every, "http_server_requests_total") == [f"{2:032x}"]
    assert (
        every.get_sample_value(
            "http_server_requests_total", {"route": "/x", "method": "GET", "status_class": "2xx"}
        )
        == 3
    )


def test_generated_request_ids_are_random_uuid4s() -> None:
    ids = {_uuid4() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


@pytest.mark.parametrize(
    ("how", "scope_name"),
    [
        ("argument", "opentelemetry.instrumentation.asgi"),
        ("environment", "opentelemetry.instrumentation.asgi"),
        ("fastapi", "opentelemetry.instrumentation.fastapi"),
    ],
)
def test_the_official_instrumentation_is_one_setting_away(
    capture: LogCapture, monkeypatch: pytest.MonkeyPatch, how: str, scope_name: str
) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(span_processors=[SimpleSpanProcessor(exporter)], log_stream=capture.stream)

    async def raw_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    if how != "argument":
        monkeypatch.setenv("PAVEDROAD_INSTRUMENTATION", "official")
    app: Any = _fastapi_app() if how == "fastapi" else raw_app
    app = instrument_asgi(
        app,
        tracer_provider=obs.tracer_provider,
        metrics=HTTPMetrics(CollectorRegistry()),
        instrumentation="official" if how == "argument" else None,
    )
    harness = Harness(app, capture, exporter, CollectorRegistry())
    assert harness.request("GET", "/users/42").status_code == 200
    (span,) = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == scope_name


def test_an_unknown_instrumentation_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAVEDROAD_INSTRUMENTATION", "fancy")
    with pytest.raises(ConfigurationError, match=r"PAVEDROAD_INSTRUMENTATION.*lean, official"):
        instrument_asgi(_fastapi_app())


def test_with_fastapi_native_tracing_on_a_request_still_gets_one_server_span(
    capture: LogCapture, caplog: pytest.LogCaptureFixture
) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(span_processors=[SimpleSpanProcessor(exporter)], log_stream=capture.stream)
    app = FastAPI()  # native telemetry on: FastAPI opens the request span itself

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    instrument_fastapi(
        app, tracer_provider=obs.tracer_provider, metrics=HTTPMetrics(CollectorRegistry())
    )
    harness = Harness(app, capture, exporter, CollectorRegistry())
    with caplog.at_level("WARNING", logger="pavedroad.observability"):
        harness.request("GET", "/ping")
        harness.request("GET", "/ping")
    server = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    assert len(server) == 2  # one per request
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "telemetry={'tracing': False}" in caplog.records[0].message
