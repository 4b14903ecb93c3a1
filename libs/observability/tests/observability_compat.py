"""The request matrix that the lean server span is held to, against the official instrumentation.

``python observability_compat.py`` (with ``OTEL_SEMCONV_STABILITY_OPT_IN=http``) runs the
matrix through the official OpenTelemetry FastAPI instrumentation and prints what it recorded,
as JSON: the official package reads that variable once per process, so the test runs it in a
subprocess and the lean path in its own process. Both use :func:`tracer_provider`, whose IDs
are a fixed sequence, so trace and span IDs can be compared exactly.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse, StreamingResponse
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

#: The stable HTTP semantic-convention attributes both paths must agree on.
STABLE_ATTRIBUTES = (
    "http.request.method",
    "url.path",
    "url.scheme",
    "http.route",
    "http.response.status_code",
    "server.address",
    "server.port",
    "client.address",
    "user_agent.original",
    "network.protocol.version",
    "error.type",
)
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
#: A token in a query parameter and in a header: it must never reach a span attribute.
TOKEN = "xoxb-" + "1234567890-" + "abcdefghijklmnop"

#: (label, method, path, headers)
MATRIX: list[tuple[str, str, str, dict[str, str]]] = [
    ("ok", "GET", "/items/42", {"user-agent": "compat/1.0"}),
    ("query", "GET", f"/items/42?verbose=1&token={TOKEN}", {"authorization": f"Bearer {TOKEN}"}),
    ("not found", "GET", "/no/such/path", {}),
    ("validation", "GET", "/count?n=abc", {}),
    ("server error", "GET", "/status500", {}),
    ("exception", "GET", "/crash", {}),
    ("sampled parent", "GET", "/items/7", {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"}),
    ("unsampled parent", "GET", "/items/7", {"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-00"}),
    ("malformed parent", "GET", "/items/7", {"traceparent": f"00-{TRACE_ID}-zz-01"}),
    ("head", "HEAD", "/items/1", {}),
    ("options", "OPTIONS", "/items/1", {}),
    ("streaming", "GET", "/stream", {}),
    ("post", "POST", "/items", {"content-type": "application/json"}),
]


class SequenceIds(IdGenerator):
    """Trace and span IDs from a counter: the same sequence in both processes."""

    def __init__(self) -> None:
        self.next = 1

    def _take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def generate_span_id(self) -> int:
        return 0x1000 + self._take()

    def generate_trace_id(self) -> int:
        return 0x2000_0000 + self._take()


def tracer_provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(ALWAYS_ON), id_generator=SequenceIds())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def matrix_app() -> FastAPI:
    app = FastAPI(telemetry={"tracing": False})

    def context_header() -> dict[str, str]:
        context = trace.get_current_span().get_span_context()
        value = f"{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"
        return {"x-span-context": value}

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> JSONResponse:
        return JSONResponse({"item_id": item_id}, headers=context_header())

    @app.post("/items")
    async def create() -> JSONResponse:
        return JSONResponse({}, status_code=201, headers=context_header())

    @app.get("/count")
    async def count(n: int) -> dict[str, int]:
        return {"n": n}

    @app.get("/status500")
    async def status500() -> JSONResponse:
        return JSONResponse({"error": "down"}, status_code=500)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("handler bug")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"one,", b"two,", b"three"):
                yield part

        return StreamingResponse(chunks(), headers=context_header())

    return app


def _span_record(span: ReadableSpan) -> dict[str, Any]:
    attributes = dict(span.attributes or {})
    return {
        "name": span.name,
        "kind": span.kind.name,
        "status": span.status.status_code.name,
        "trace_id": f"{span.context.trace_id:032x}" if span.context else None,
        "span_id": f"{span.context.span_id:016x}" if span.context else None,
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "attributes": {key: attributes[key] for key in STABLE_ATTRIBUTES if key in attributes},
        "events": [
            (event.attributes or {}).get("exception.type", event.name) for event in span.events
        ],
        "all_attribute_values": [str(value) for value in attributes.values()],
    }


def run_matrix(app: Any, exporter: InMemorySpanExporter) -> dict[str, dict[str, Any]]:
    """Send every request of :data:`MATRIX` to ``app`` and return what each one produced."""

    async def send(method: str, path: str, headers: dict[str, str]) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = b"{}" if method == "POST" else None
            return await client.request(method, path, headers=headers, content=body)

    results: dict[str, dict[str, Any]] = {}
    for label, method, path, headers in MATRIX:
        exporter.clear()
        response = asyncio.run(send(method, path, headers))
        spans = [span for span in exporter.get_finished_spans() if span.kind.name == "SERVER"]
        results[label] = {
            "response_status": response.status_code,
            "span_context": response.headers.get("x-span-context"),
            "spans": [_span_record(span) for span in spans],
        }
    return results


def official(instrument: Callable[[FastAPI, TracerProvider], None]) -> dict[str, Any]:
    provider, exporter = tracer_provider()
    app = matrix_app()
    instrument(app, provider)
    return run_matrix(app, exporter)


def _official_fastapi(app: FastAPI, provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, exclude_spans=["receive", "send"]
    )


if __name__ == "__main__":
    json.dump(official(_official_fastapi), sys.stdout)
