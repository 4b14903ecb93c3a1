"""ASGI middleware: request IDs, correlation context, RED metrics and one access-log line.

:class:`ObservabilityMiddleware` is plain ASGI, so it works under any framework. It does not
create spans: the request span comes from a layer outside it (the lean
:class:`~pavedroad.observability.server_spans.ServerSpanMiddleware`, or the official
OpenTelemetry instrumentation), so that the access log and the exemplars see the request's
trace.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Final

from opentelemetry import trace
from pavedroad.observability.correlation import TraceIds
from pavedroad.observability.http_types import (
    HTTP_METHODS,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    starlette_route,
)
from pavedroad.observability.logs import SafeText, active_pipeline, emit
from pavedroad.observability.metrics import HTTPMetrics, default_http_metrics, metrics_app
from structlog.contextvars import bind_contextvars, reset_contextvars

__all__ = [
    "ACCESS_LOGGER",
    "REQUEST_ID_HEADER",
    "UNMATCHED_ROUTE",
    "ObservabilityMiddleware",
    "is_valid_request_id",
    "new_request_id",
]

ACCESS_LOGGER: Final = "pavedroad.observability.access"
REQUEST_ID_HEADER: Final = "x-request-id"
UNMATCHED_ROUTE: Final = "unmatched"
#: Inbound request IDs are reused only if they look like IDs: this keeps log injection
#: (newlines, quotes) and unbounded values out of every log line of the request.
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")


def is_valid_request_id(value: str) -> bool:
    """Whether an inbound ``X-Request-ID`` is safe to reuse (1-128 ID characters)."""
    return _REQUEST_ID.fullmatch(value) is not None


def new_request_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` but without the UUID object.

    It is a :class:`~pavedroad.observability.logs.SafeText` (a ``str``): the log pipeline
    knows it holds no secret and does not redact it on every line.
    """
    digits = os.urandom(16).hex()
    return SafeText(
        f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
        f"{_UUID_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"
    )


#: The variant nibble of an RFC 4122 UUID is 10xx: keep the two random bits, set the top two.
_UUID_VARIANT: Final = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_REQUEST_ID_KEY: Final = REQUEST_ID_HEADER.encode("latin-1")
_REQUEST_ID_SPAN_ATTRIBUTE: Final = "http.request.header.x-request-id"


class ObservabilityMiddleware:
    """Pure ASGI middleware for HTTP requests; other scope types pass straight through.

    For each request it:

    * takes the inbound ``X-Request-ID`` when :func:`is_valid_request_id`, else generates a
      UUID4, and echoes it in the response;
    * binds ``request_id`` (and the trace IDs, via the log pipeline) to every log line
      emitted while the request runs;
    * records ``http_server_requests_total``, ``http_server_request_duration_seconds`` and
      ``http_server_requests_in_flight``, with a ``trace_id`` exemplar;
    * writes one access-log event (logger ``pavedroad.observability.access``) with
      ``method``, ``route``, ``status``, ``duration_ms``, ``request_id`` and ``trace_id``.

    Args:
        app: The ASGI application to wrap.
        metrics: Where to record metrics; default :func:`default_http_metrics`. ``None`` is
            replaced by the default; pass ``metrics_enabled=False`` to record nothing.
        metrics_path: Path at which the Prometheus exposition is served, or ``None``.
        excluded_paths: Paths served without metrics or access log (health probes, say).
            ``metrics_path`` is always excluded.
        route_resolver: Returns the route template for a finished request's scope, or
            ``None`` for "no route matched". The default reads Starlette's matched route.
        access_log: Whether to write the access-log line.
        name_spans: Name the request span after the route template (``GET /users/{id}``) and
            set ``http.route`` on it, once the response starts. For instrumentation that
            names spans before routing, by method only.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: HTTPMetrics | None = None,
        metrics_enabled: bool = True,
        metrics_path: str | None = "/metrics",
        excluded_paths: Iterable[str] = (),
        route_resolver: Callable[[Scope], str | None] = starlette_route,
        access_log: bool = True,
        name_spans: bool = False,
    ) -> None:
        self.app = app
        self.metrics = (metrics or default_http_metrics()) if metrics_enabled else None
        self.metrics_path = metrics_path
        # Serve the registry the metrics were given in; by default the process-wide one (which
        # aggregates the workers in multiprocess mode).
        registry = metrics.registry if metrics is not None else None
        self._metrics_app = metrics_app(registry) if metrics_path is not None else None
        excluded = set(excluded_paths)
        if metrics_path is not None:
            excluded.add(metrics_path)
        self.excluded_paths = frozenset(excluded)
        self.route_resolver = route_resolver
        self.access_log = access_log
        self.name_spans = name_spans

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path in self.excluded_paths:
            if path == self.metrics_path and self._metrics_app is not None:
                await self._metrics_app(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return

        request_id = self._request_id(scope)
        header = (_REQUEST_ID_KEY, request_id.encode("latin-1"))
        span = trace.get_current_span()
        recording = span.is_recording()
        if recording:
            span.set_attribute(_REQUEST_ID_SPAN_ATTRIBUTE, (request_id,))
        status = 500
        started = False
        route: str | None = None  # resolved once, when the response starts or at the end

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, started, route
            if message["type"] == "http.response.start" and not started:
                started = True
                status = int(message["status"])
                headers = [
                    item
                    for item in message.get("headers", ())
                    if item[0].lower() != _REQUEST_ID_KEY
                ]
                headers.append(header)
                message = {**message, "headers": headers}  # the app's message is left alone
                if recording and self.name_spans:
                    route = self._route(scope)
                    self._name_span(span, scope, route)
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.in_flight.inc()
        tokens = bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            duration = time.perf_counter() - start
            if metrics is not None:
                metrics.in_flight.dec()
            if route is None:
                route = self._route(scope)
                if recording and self.name_spans:
                    self._name_span(span, scope, route)  # no response: the app raised
            try:
                self._finish(scope, route, status, duration, metrics)
            finally:
                reset_contextvars(**tokens)

    def _request_id(self, scope: Scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == _REQUEST_ID_KEY:
                candidate = str(value.decode("latin-1"))
                if is_valid_request_id(candidate):
                    return candidate
                break
        return new_request_id()

    def _route(self, scope: Scope) -> str:
        try:
            return self.route_resolver(scope) or UNMATCHED_ROUTE
        except Exception:
            return UNMATCHED_ROUTE

    def _name_span(self, span: trace.Span, scope: Scope, route: str) -> None:
        if route == UNMATCHED_ROUTE:
            return
        span.set_attribute("http.route", route)
        method = str(scope.get("method", ""))
        span.update_name(f"{method if method in HTTP_METHODS else 'HTTP'} {route}")

    def _finish(
        self,
        scope: Scope,
        route: str,
        status: int,
        duration: float,
        metrics: HTTPMetrics | None,
    ) -> None:
        method = str(scope.get("method", "GET"))
        # The active handle's pipeline: its trace-ID reader already formatted the request
        # span's IDs for the request's log lines, and formats them once for all readers.
        pipeline = active_pipeline()
        if metrics is not None:
            ids = (TraceIds() if pipeline is None else pipeline.trace_ids)()
            metrics.observe(
                route=route,
                method=method,
                status=status,
                duration_seconds=duration,
                trace_id=ids[1] if ids is not None and ids[3] else None,
            )
        if self.access_log:
            emit(
                ACCESS_LOGGER,
                "error" if status >= 500 else "info",
                {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(duration * 1000.0, 3),
                    "event": "request handled",
                },
                pipeline,
            )
