"""Instrument any ASGI app: the request span, then request IDs, correlation, RED metrics and
the access log.

:func:`instrument_asgi` puts the span layer outside :class:`ObservabilityMiddleware`, so that
the access log and the exemplars see the request's trace. The span layer is the lean
:class:`~pavedroad.observability.server_spans.ServerSpanMiddleware` by default, or the official
OpenTelemetry ASGI instrumentation with ``instrumentation="official"``
(``PAVEDROAD_INSTRUMENTATION=official``). FastAPI apps are handed to
:func:`pavedroad.observability.fastapi.instrument_fastapi`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from opentelemetry.trace import TracerProvider
from pavedroad.observability.http_types import ASGIApp, Scope, starlette_route
from pavedroad.observability.metrics import HTTPMetrics
from pavedroad.observability.middleware import (
    ACCESS_LOGGER,
    REQUEST_ID_HEADER,
    ObservabilityMiddleware,
    is_valid_request_id,
)
from pavedroad.observability.official import excluded_urls_pattern
from pavedroad.observability.server_spans import ServerSpanMiddleware
from pavedroad.observability.settings import resolve_instrumentation

__all__ = [
    "ACCESS_LOGGER",
    "REQUEST_ID_HEADER",
    "ObservabilityMiddleware",
    "ServerSpanMiddleware",
    "excluded_urls_pattern",
    "instrument_asgi",
    "is_valid_request_id",
    "starlette_route",
]


def _is_fastapi(app: object) -> bool:
    try:
        from fastapi import FastAPI
    except ImportError:  # pragma: no cover - depends on the installed extras
        return False
    return isinstance(app, FastAPI)


def instrument_asgi(
    app: ASGIApp,
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
) -> ASGIApp:
    """Wrap any ASGI app: the request span outside, then :class:`ObservabilityMiddleware`.

    ``tracer_provider`` defaults to the one :func:`configure` installed (the global provider).
    ``instrumentation`` is ``"lean"`` (the default) or ``"official"``; unset, it is read from
    ``PAVEDROAD_INSTRUMENTATION``. The request span is named after the route template
    (``GET /users/{user_id}``, with ``http.route``) once the route is known. ``metrics_path``
    and ``excluded_paths`` get neither spans, metrics nor access-log lines.

    The official instrumentation only: ``internal_spans`` keeps its per-message
    ``http receive``/``http send`` spans (off: they triple the spans per request), and
    ``otel_metrics`` its own OpenTelemetry HTTP metrics (off: the RED metrics cover them).

    A FastAPI app is handed to :func:`pavedroad.observability.fastapi.instrument_fastapi`,
    which instruments it in place and returns it.
    """
    kind = resolve_instrumentation(instrumentation)
    if _is_fastapi(app):
        from pavedroad.observability.fastapi import instrument_fastapi

        instrumented: ASGIApp = instrument_fastapi(
            app,  # type: ignore[arg-type]
            tracer_provider=tracer_provider,
            metrics=metrics,
            metrics_path=metrics_path,
            excluded_paths=excluded_paths,
            route_resolver=route_resolver,
            access_log=access_log,
            instrumentation=kind,
            internal_spans=internal_spans,
            otel_metrics=otel_metrics,
        )
        return instrumented
    excluded = [*excluded_paths, *([metrics_path] if metrics_path else [])]
    inner = ObservabilityMiddleware(
        app,
        metrics=metrics,
        metrics_path=metrics_path,
        excluded_paths=excluded,
        route_resolver=route_resolver,
        access_log=access_log,
        name_spans=kind == "official",
    )
    if kind == "official":
        from pavedroad.observability.official import instrument_official_asgi

        return instrument_official_asgi(
            inner,
            tracer_provider=tracer_provider,
            excluded_paths=excluded,
            internal_spans=internal_spans,
            otel_metrics=otel_metrics,
        )
    return ServerSpanMiddleware(
        inner,
        tracer_provider=tracer_provider,
        excluded_paths=excluded,
        route_resolver=route_resolver,
    )
