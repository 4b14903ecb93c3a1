"""Observability, wired in one place with pavedroad-observability.

* JSON logs (console in a local terminal) with redaction; every line of a request carries its
  ``request_id`` and trace IDs<% if cookiecutter.slack_app %>, and Slack requests add ``team_id`` (the workspace),
  ``enterprise_id`` and ``user_id``<% endif %>.
* Spans for every request (the library's lean server-span middleware, through the public
  OpenTelemetry API; ``PAVEDROAD_INSTRUMENTATION=official`` switches to the official
  OpenTelemetry FastAPI instrumentation), for every handler (:func:`handler_span`) and for
  every database statement (``INSERT notes``: operation and table, never the values; off with
  ``PAVEDROAD_INSTRUMENT_DATABASE=false``).
<%- if cookiecutter.slack_app %>
  Slack Web API calls get a span each, named by method (``chat.postMessage``; never the token;
  off with ``PAVEDROAD_INSTRUMENT_HTTP_CLIENT=false``).
<%- endif %>
  Export and sampling follow the standard ``OTEL_*`` variables, e.g.
  ``OTEL_EXPORTER_OTLP_ENDPOINT`` and ``OTEL_TRACES_SAMPLER_ARG=0.1`` for 10% of new traces.
* RED metrics per route and ``/metrics`` for Prometheus. Health probes are not counted.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from pavedroad import observability
from pavedroad.observability.fastapi import instrument_fastapi

from <{ cookiecutter.package_name }> import __version__
from <{ cookiecutter.package_name }>.settings import Settings

SERVICE_NAME = "<{ cookiecutter.project_slug }>"
PROBE_PATHS = ("/livez", "/readyz", "/startupz")
METRICS_PATH = "/metrics"
#: The latency SLO threshold (observability/slos.yaml) and Slack's acknowledgement deadline.
SLO_LATENCY_SECONDS = <{ cookiecutter.slo_latency_ms | int / 1000 }>
SLACK_ACK_SECONDS = 3.0
#: Request-duration buckets: the library's defaults plus every SLO threshold, so that each SLO's
#: `le` selector is a bucket boundary (`make slo-check` fails otherwise).
DURATION_BUCKETS = tuple(
    sorted({*observability.DURATION_BUCKETS, SLO_LATENCY_SECONDS, SLACK_ACK_SECONDS})
)

_tracer = trace.get_tracer("<{ cookiecutter.package_name }>")
get_logger = observability.get_logger


def library_environment(settings: Settings) -> str | None:
    """The library's deployment environment: ``None`` when its own ``PAVEDROAD_ENVIRONMENT``
    is set (the chart sets it), so that it is read as it is; else ``APP_ENV``, so a local run
    without it is not taken for production. No ``APP_*`` setting shadows a library one."""
    return None if os.environ.get("PAVEDROAD_ENVIRONMENT", "").strip() else settings.env


def _on_unless_set(variable: str) -> bool | None:
    """On by default here; when ``variable`` is set, the library reads (and checks) it."""
    return None if os.environ.get(variable, "").strip() else True


def configure_telemetry(settings: Settings) -> None:
    """Install the log pipeline and, unless telemetry is off, the tracer provider.

    The log level, format, sampling and redaction are the library's settings, read from its
    ``PAVEDROAD_*`` variables (``PAVEDROAD_LOG_LEVEL``, ...), never from ``APP_*`` ones.
    """
    handle = observability.configure(
        service_name=SERVICE_NAME,
        service_version=__version__,
        environment=library_environment(settings),
        tracing=None if settings.telemetry_enabled else False,
        instrument_database=_on_unless_set("PAVEDROAD_INSTRUMENT_DATABASE"),
<%- if cookiecutter.slack_app %>
        instrument_http_client=_on_unless_set("PAVEDROAD_INSTRUMENT_HTTP_CLIENT"),
<%- endif %>
    )
    # Alembic announces its dialect on every schema check (each readiness probe): keep that quiet.
    if handle.settings.log_level != "DEBUG":
        logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


@functools.cache
def http_metrics() -> observability.HTTPMetrics:
    """The RED metrics with :data:`DURATION_BUCKETS`, registered once per process."""
    return observability.HTTPMetrics(buckets=DURATION_BUCKETS)


def instrument(app: FastAPI, settings: Settings) -> None:
    """Add request IDs, spans, RED metrics and the access log to ``app``, and serve /metrics."""
    if settings.telemetry_enabled:
        instrument_fastapi(
            app, metrics=http_metrics(), metrics_path=METRICS_PATH, excluded_paths=PROBE_PATHS
        )
    else:
        app.mount(METRICS_PATH, observability.metrics_app())


@contextmanager
def handler_span(name: str, **attributes: Any) -> Iterator[trace.Span]:
    """A span around one handler, child of the request's span when there is one."""
    clean = {key: value for key, value in attributes.items() if value is not None}
    with _tracer.start_as_current_span(name, attributes=clean) as span:
        yield span


def shutdown_telemetry(timeout_seconds: float) -> None:
    """Export the spans still buffered, waiting at most ``timeout_seconds``."""
    observability.shutdown(timeout_millis=int(timeout_seconds * 1000))
