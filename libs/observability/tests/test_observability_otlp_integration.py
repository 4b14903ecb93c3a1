"""The real OTLP exporters against a local OTLP receiver started by the test.

The receiver decodes the protobuf ``ExportTraceServiceRequest`` exactly as a Collector would,
and the test checks span names, attributes, the resource, and that the trace ID in the logs is
the one that reached the receiver.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Iterator
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from observability_support import LogCapture
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from pavedroad.observability import HTTPMetrics, configure, get_logger, shutdown
from pavedroad.observability.fastapi import instrument_fastapi
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.integration


class Received:
    def __init__(self) -> None:
        self.requests: list[trace_service_pb2.ExportTraceServiceRequest] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []

    def spans(self) -> list[tuple[dict[str, Any], trace_pb2.Span]]:
        found: list[tuple[dict[str, Any], trace_pb2.Span]] = []
        for request in self.requests:
            for resource_spans in request.resource_spans:
                resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    found.extend((resource, span) for span in scope_spans.spans)
        return found


def _value(value: Any) -> Any:
    return getattr(value, value.WhichOneof("value"))


@pytest.fixture
def http_receiver() -> Iterator[tuple[str, Received]]:
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            request = trace_service_pb2.ExportTraceServiceRequest()
            request.ParseFromString(body)
            received.requests.append(request)
            received.paths.append(self.path)
            received.headers.append({k.lower(): v for k, v in self.headers.items()})
            payload = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/teams/{team_id}")
    async def team(team_id: str) -> dict[str, str]:
        get_logger("handlers").info("team loaded", team_id=team_id)
        return {"team_id": team_id}

    return app


def _get(app: Any, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    return asyncio.run(go())


def test_spans_reach_a_local_otlp_http_receiver(
    http_receiver: tuple[str, Received], capture: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, received = http_receiver
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test,team=core")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=pavedroad")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
    obs = configure(
        service_name="slack-bot",
        service_version="0.1.0",
        otlp_endpoint=endpoint,
        log_stream=capture.stream,
    )
    app = instrument_fastapi(
        _app(), tracer_provider=obs.tracer_provider, metrics=HTTPMetrics(CollectorRegistry())
    )
    response = _get(app, "/teams/T0123ABCD")
    assert response.status_code == 200
    assert shutdown() is True

    assert received.paths and set(received.paths) == {"/v1/traces"}
    assert received.headers[0]["x-tenant"] == "pavedroad"
    assert received.headers[0]["content-type"] == "application/x-protobuf"
    spans = received.spans()
    server = [(res, span) for res, span in spans if span.kind == trace_pb2.Span.SPAN_KIND_SERVER]
    ((resource, span),) = server
    assert span.name == "GET /teams/{team_id}"
    attributes = {a.key: _value(a.value) for a in span.attributes}
    assert attributes["http.route"] == "/teams/{team_id}"
    # Old and stable HTTP semantic conventions name the status differently.
    assert attributes.get("http.response.status_code", attributes.get("http.status_code")) == 200
    assert resource["service.name"] == "slack-bot"
    assert resource["service.version"] == "0.1.0"
    assert resource["deployment.environment.name"] == "test"
    assert resource["team"] == "core"
    assert resource["telemetry.sdk.language"] == "python"

    trace_id = span.trace_id.hex()
    (handler_log,) = capture.events("team loaded")
    (access_log,) = capture.events("request handled")
    assert handler_log["trace_id"] == trace_id
    assert access_log["trace_id"] == trace_id
    assert access_log["route"] == "/teams/{team_id}"


def test_spans_reach_a_local_otlp_grpc_receiver(capture: LogCapture) -> None:
    grpc = pytest.importorskip("grpc")
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

    received = Received()

    class Servicer(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(self, request: Any, context: Any) -> Any:
            received.requests.append(request)
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Servicer(), server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        from opentelemetry import trace

        configure(
            service_name="worker",
            otlp_endpoint=f"http://127.0.0.1:{port}",
            otlp_protocol="grpc",
            log_stream=capture.stream,
        )
        with trace.get_tracer("jobs").start_as_current_span("rotate secrets") as span:
            span.set_attribute("job.attempt", 2)
            get_logger("jobs").info("rotating")
        assert shutdown() is True
    finally:
        server.stop(grace=None)
    ((resource, exported),) = received.spans()
    assert exported.name == "rotate secrets"
    assert {a.key: _value(a.value) for a in exported.attributes} == {"job.attempt": 2}
    assert resource["service.name"] == "worker"
    (log,) = capture.events("rotating")
    assert log["trace_id"] == exported.trace_id.hex()


@pytest.mark.parametrize(("compression", "encoding"), [("gzip", "gzip"), ("none", None)])
def test_the_resolved_compression_is_applied_not_only_validated(
    http_receiver: tuple[str, Received], compression: str, encoding: str | None
) -> None:
    # The settings come from a mapping, not the process environment: the exporter can only
    # compress because the library passes the resolved value to it.
    from pavedroad.observability.settings import resolve_settings
    from pavedroad.observability.tracing import build_tracer_provider

    url, received = http_receiver
    settings = resolve_settings(
        environ={
            "OTEL_EXPORTER_OTLP_ENDPOINT": url,
            "OTEL_EXPORTER_OTLP_COMPRESSION": compression,
        }
    )
    provider = build_tracer_provider(settings)
    provider.get_tracer("test").start_span("compressed").end()
    assert provider.force_flush(10_000)
    provider.shutdown()
    assert received.headers, "no export reached the receiver"
    assert received.headers[0].get("content-encoding") == encoding
