"""FastAPI integration: the official FastAPI instrumentation plus the observability middleware.

Needs the ``fastapi`` extra: ``pip install 'pavedroad-observability[fastapi]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from opentelemetry.trace import TracerProvider
from pavedroad.observability.asgi import (
    ObservabilityMiddleware,
    Scope,
    SkipInstrumentation,
    _span_name_by_method,
    instrumentation_meter_provider,
    starlette_route,
)
from pavedroad.observability.metrics import ASGIApp, HTTPMetrics

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
    internal_spans: bool = False,
    otel_metrics: bool = False,
) -> FastAPI:
    """Instrument ``app`` in place and return it.

    Spans come from :class:`opentelemetry.instrumentation.fastapi.FastAPIInstrumentor`, named
    after the route template; it places its middleware outermost, so the access log and the
    metric exemplars run inside the request's span. FastAPI sees that middleware and records
    no request span of its own. ``metrics_path`` serves Prometheus; it and ``excluded_paths``
    get neither spans, metrics nor access-log lines: a :class:`SkipInstrumentation` layer in
    front of the instrumentation sends them around it. The instrumentation's per-message
    ``http receive``/``http send`` spans are off unless ``internal_spans`` (they triple the
    spans per request and carry little a server span does not), and so are its own
    OpenTelemetry HTTP metrics unless ``otel_metrics`` (the Prometheus RED metrics cover them).
    """
    try:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "instrument_fastapi needs the fastapi extra: "
            "pip install 'pavedroad-observability[fastapi]'"
        ) from exc

    excluded = [*excluded_paths, *([metrics_path] if metrics_path else [])]
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=metrics,
        metrics_path=metrics_path,
        excluded_paths=excluded,
        route_resolver=route_resolver,
        access_log=access_log,
        name_spans=True,
    )
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        meter_provider=instrumentation_meter_provider(otel_metrics),
        exclude_spans=None if internal_spans else ["receive", "send"],
    )
    build_instrumented_stack = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        stack: ASGIApp = build_instrumented_stack()
        layer: Any = stack
        while layer is not None and not isinstance(layer, OpenTelemetryMiddleware):
            layer = getattr(layer, "app", None)
        if layer is None:  # pragma: no cover - the instrumentation skipped this app
            return stack
        # The instrumentation names each span by matching the request against every route
        # before the router does it again: a regex match per route, per request. The
        # observability middleware names the span from the router's own match instead.
        layer.default_span_details = _span_name_by_method
        return SkipInstrumentation(stack, bypass=layer.app, excluded_paths=excluded)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]
    return app
