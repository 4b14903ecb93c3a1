"""ASGI middleware: request IDs, correlation context, RED metrics and one access-log line.

:class:`ObservabilityMiddleware` is plain ASGI, so it works under any framework. It does not
create spans: the official OpenTelemetry ASGI instrumentation does, and must wrap it (it is
the outer layer), so that the access log and the exemplars see the request's trace.
:func:`instrument_asgi` assembles both; :func:`pavedroad.observability.fastapi.instrument_fastapi`
does the same for FastAPI with the FastAPI instrumentation.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Final

import structlog
from opentelemetry import trace
from opentelemetry.trace import TracerProvider
from pavedroad.observability.correlation import bound_correlation
from pavedroad.observability.metrics import ASGIApp, HTTPMetrics, default_http_metrics, metrics_app

__all__ = [
    "ACCESS_LOGGER",
    "REQUEST_ID_HEADER",
    "ObservabilityMiddleware",
    "excluded_urls_pattern",
    "instrument_asgi",
    "is_valid_request_id",
    "starlette_route",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ACCESS_LOGGER: Final = "pavedroad.observability.access"
REQUEST_ID_HEADER: Final = "x-request-id"
UNMATCHED_ROUTE: Final = "unmatched"
#: Inbound request IDs are reused only if they look like IDs: this keeps log injection
#: (newlines, quotes) and unbounded values out of every log line of the request.
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")


def is_valid_request_id(value: str) -> bool:
    """Whether an inbound ``X-Request-ID`` is safe to reuse (1-128 ID characters)."""
    return _REQUEST_ID.fullmatch(value) is not None


def starlette_route(scope: Scope) -> str | None:
    """Return the route template Starlette/FastAPI matched (e.g. ``/users/{user_id}``).

    Starlette's router stores the matched route in the scope; no route means nothing matched.
    """
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else None


def excluded_urls_pattern(paths: Iterable[str]) -> str:
    """Return the OpenTelemetry ``excluded_urls`` value that skips exactly these paths."""
    return ",".join(re.escape(path) + r"(\?.*)?$" for path in paths)


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
        self._logger = structlog.get_logger(ACCESS_LOGGER)

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
        header = (REQUEST_ID_HEADER.encode("latin-1"), request_id.encode("latin-1"))
        status = 500
        started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start" and not started:
                started = True
                status = int(message["status"])
                headers = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != header[0]
                ]
                headers.append(header)
                message = {**message, "headers": headers}
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.in_flight.inc()
        start = time.perf_counter()
        with bound_correlation(request_id=request_id):
            span = trace.get_current_span()
            if span.is_recording():
                span.set_attribute("http.request.header.x-request-id", (request_id,))
            try:
                await self.app(scope, receive, send_with_request_id)
            finally:
                duration = time.perf_counter() - start
                if metrics is not None:
                    metrics.in_flight.dec()
                self._finish(scope, span, status, duration, metrics)

    def _request_id(self, scope: Scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                candidate = str(value.decode("latin-1"))
                if is_valid_request_id(candidate):
                    return candidate
                break
        return str(uuid.uuid4())

    def _finish(
        self,
        scope: Scope,
        span: trace.Span,
        status: int,
        duration: float,
        metrics: HTTPMetrics | None,
    ) -> None:
        try:
            route = self.route_resolver(scope) or UNMATCHED_ROUTE
        except Exception:
            route = UNMATCHED_ROUTE
        method = str(scope.get("method", "GET"))
        context = span.get_span_context()
        trace_id = format(context.trace_id, "032x") if context.is_valid else None
        if metrics is not None:
            metrics.observe(
                route=route,
                method=method,
                status=status,
                duration_seconds=duration,
                trace_id=trace_id if context.trace_flags.sampled else None,
            )
        if self.access_log:
            log = self._logger.error if status >= 500 else self._logger.info
            log(
                "request handled",
                method=method,
                route=route,
                status=status,
                duration_ms=round(duration * 1000.0, 3),
            )


def instrument_asgi(
    app: ASGIApp,
    *,
    tracer_provider: TracerProvider | None = None,
    metrics: HTTPMetrics | None = None,
    metrics_path: str | None = "/metrics",
    excluded_paths: Iterable[str] = (),
    route_resolver: Callable[[Scope], str | None] = starlette_route,
    access_log: bool = True,
    internal_spans: bool = False,
) -> ASGIApp:
    """Wrap any ASGI app: the OpenTelemetry ASGI middleware outside, then
    :class:`ObservabilityMiddleware`. ``tracer_provider`` defaults to the one
    :func:`configure` installed (the global provider). ``internal_spans`` keeps the
    instrumentation's per-message ``http receive``/``http send`` spans (off by default: they
    triple the spans per request).
    """
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    excluded = [*excluded_paths, *([metrics_path] if metrics_path else [])]
    inner = ObservabilityMiddleware(
        app,
        metrics=metrics,
        metrics_path=metrics_path,
        excluded_paths=excluded,
        route_resolver=route_resolver,
        access_log=access_log,
    )
    wrapped: ASGIApp = OpenTelemetryMiddleware(
        inner,
        excluded_urls=excluded_urls_pattern(excluded) or None,
        tracer_provider=tracer_provider,
        exclude_spans=None if internal_spans else ["receive", "send"],
    )
    return wrapped
