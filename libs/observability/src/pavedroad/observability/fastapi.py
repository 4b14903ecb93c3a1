"""FastAPI integration: the request span plus the observability middleware.

Needs the ``fastapi`` extra: ``pip install 'pavedroad-observability[fastapi]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from opentelemetry.trace import TracerProvider
from pavedroad.observability.http_types import Scope, starlette_route
from pavedroad.observability.metrics import HTTPMetrics
from pavedroad.observability.middleware import ObservabilityMiddleware
from pavedroad.observability.server_spans import ServerSpanMiddleware
from pavedroad.observability.settings import resolve_instrumentation

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["instrument_fastapi"]


def instrument_fastapi(
    app: FastAPI,
    *,
    tracer_provider: TracerProvider | None = None,
    metrics: HTTPMetrics | None = None,
    metrics_path: str | None = "/metrics",
    excluded_paths: Iterable[str] = (),
    route_resolver: Callable[[Scope], str | None] = starlette_route,
    access_log: bool = True,
    instrumentation: str | None = None,
    internal_spans: bool = False,
    otel_metrics: bool = False,
) -> FastAPI:
    """Instrument ``app`` in place and return it.

    With the lean instrumentation (the default; ``instrumentation`` or
    ``PAVEDROAD_INSTRUMENTATION``), :class:`ServerSpanMiddleware` is added as the outermost
    middleware, outside :class:`ObservabilityMiddleware`. FastAPI's own native telemetry makes
    a request span too whenever a tracer provider is installed: create the app with
    ``FastAPI(telemetry={"tracing": False})`` so each request gets one span (the middleware
    logs a warning, once, when it finds a span already open around a request).

    With ``instrumentation="official"`` the spans come from the official
    ``FastAPIInstrumentor`` (FastAPI then records no span of its own); ``internal_spans`` and
    ``otel_metrics`` are as in :func:`pavedroad.observability.instrument_asgi`.

    ``metrics_path`` serves Prometheus; it and ``excluded_paths`` get neither spans, metrics
    nor access-log lines.
    """
    kind = resolve_instrumentation(instrumentation)
    excluded = [*excluded_paths, *([metrics_path] if metrics_path else [])]
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=metrics,
        metrics_path=metrics_path,
        excluded_paths=excluded,
        route_resolver=route_resolver,
        access_log=access_log,
        name_spans=False,
    )
    if kind == "official":
        from pavedroad.observability.official import instrument_official_fastapi

        instrument_official_fastapi(
            app,
            tracer_provider=tracer_provider,
            excluded_paths=excluded,
            internal_spans=internal_spans,
            otel_metrics=otel_metrics,
        )
    else:
        app.add_middleware(
            ServerSpanMiddleware,
            tracer_provider=tracer_provider,
            excluded_paths=excluded,
            route_resolver=route_resolver,
        )
    return app
