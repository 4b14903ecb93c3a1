"""FastAPI integration: the official FastAPI instrumentation plus the observability middleware.

Needs the ``fastapi`` extra: ``pip install 'pavedroad-observability[fastapi]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from opentelemetry.trace import TracerProvider
from pavedroad.observability.asgi import (
    ObservabilityMiddleware,
    Scope,
    excluded_urls_pattern,
    starlette_route,
)
from pavedroad.observability.metrics import HTTPMetrics

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
) -> FastAPI:
    """Instrument ``app`` in place and return it.

    Spans come from :class:`opentelemetry.instrumentation.fastapi.FastAPIInstrumentor`, named
    after the route template; it places its middleware outermost, so the access log and the
    metric exemplars run inside the request's span. ``metrics_path`` serves Prometheus; it and
    ``excluded_paths`` get neither spans, metrics nor access-log lines. The instrumentation's
    per-message ``http receive``/``http send`` spans are off unless ``internal_spans``: they
    triple the spans per request and carry little a server span does not.
    """
    try:
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
    )
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        excluded_urls=excluded_urls_pattern(excluded) or None,
        exclude_spans=None if internal_spans else ["receive", "send"],
    )
    return app
