"""The official OpenTelemetry ASGI and FastAPI instrumentation (``instrumentation="official"``).

For users who want exactly the upstream request span. The lean default is
:mod:`pavedroad.observability.server_spans`; this module is only imported when asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import TracerProvider
from pavedroad.observability.http_types import HTTP_METHODS, ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = [
    "SkipInstrumentation",
    "excluded_urls_pattern",
    "instrument_official_asgi",
    "instrument_official_fastapi",
    "meter_provider_for",
    "span_name_by_method",
]


def excluded_urls_pattern(paths: Iterable[str]) -> str:
    """Return the OpenTelemetry ``excluded_urls`` value that skips exactly these paths."""
    return ",".join(re.escape(path) + r"(\?.*)?$" for path in paths)


def meter_provider_for(otel_metrics: bool) -> Any:
    """The meter provider for the instrumentation: the global one when ``otel_metrics``, else a
    no-op one. Its own HTTP metrics duplicate the Prometheus RED metrics and cost a few
    attribute dicts per request; they are off unless asked for."""
    if otel_metrics:
        return None
    from opentelemetry.metrics import NoOpMeterProvider

    return NoOpMeterProvider()


def span_name_by_method(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The request span's name before routing: the method (``HTTP`` for non-standard ones),
    never the raw path, which would make one span name per URL."""
    method = str(scope.get("method", "")).strip()
    if not method:
        return str(scope.get("path", "")), {}
    return (method if method in HTTP_METHODS else "HTTP"), {}


class SkipInstrumentation:
    """The outermost layer: excluded paths go around the OpenTelemetry middleware.

    The metrics endpoint and ``excluded_paths`` (health probes) are compared with the path
    exactly and sent straight to ``bypass`` (the layer below the OpenTelemetry middleware), so
    they get no span; everything else goes to ``app``.
    """

    def __init__(self, app: ASGIApp, *, bypass: ASGIApp, excluded_paths: Iterable[str]) -> None:
        self.app = app
        self.bypass = bypass
        self.excluded_paths = frozenset(excluded_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("path") in self.excluded_paths and scope["type"] != "lifespan":
            await self.bypass(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def instrument_official_asgi(
    inner: ASGIApp,
    *,
    tracer_provider: TracerProvider | None,
    excluded_paths: Iterable[str],
    internal_spans: bool,
    otel_metrics: bool,
) -> ASGIApp:
    """Wrap ``inner`` (the app behind the observability middleware) in the official ASGI
    middleware, named by method until the observability middleware renames it by route."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    instrumented = OpenTelemetryMiddleware(
        inner,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider_for(otel_metrics),
        exclude_spans=None if internal_spans else ["receive", "send"],
        default_span_details=span_name_by_method,
    )
    return SkipInstrumentation(instrumented, bypass=inner, excluded_paths=excluded_paths)


def instrument_official_fastapi(
    app: FastAPI,
    *,
    tracer_provider: TracerProvider | None,
    excluded_paths: Iterable[str],
    internal_spans: bool,
    otel_metrics: bool,
) -> None:
    """Instrument ``app`` in place with the official FastAPI instrumentation, which names spans
    after the route template and places its middleware outermost; ``excluded_paths`` get no
    span (its ``excluded_urls``)."""
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "instrumentation='official' for FastAPI needs the fastapi extra: "
            "pip install 'pavedroad-observability[fastapi]'"
        ) from exc
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider_for(otel_metrics),
        exclude_spans=None if internal_spans else ["receive", "send"],
        excluded_urls=excluded_urls_pattern(excluded_paths) or None,
    )
