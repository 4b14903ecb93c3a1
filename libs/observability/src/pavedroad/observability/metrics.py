"""RED metrics (rate, errors, duration) for HTTP servers, with prometheus-client.

Metric names follow the Prometheus and OpenTelemetry HTTP conventions; alerting and SLO rules
are written against them, so they are part of the public API:

``http_server_requests_total{route, method, status_class}``
    Counter of finished requests. ``route`` is the route template (``/users/{user_id}``),
    never the raw path, or ``unmatched`` when no route matched. ``status_class`` is ``1xx`` to
    ``5xx``. ``method`` is the HTTP method, or ``_OTHER`` for non-standard ones.
``http_server_request_duration_seconds{route, method, status_class}``
    Histogram of request durations. The buckets bracket typical latency SLO thresholds
    (100 ms, 250 ms, 500 ms, 1 s) and Slack's 3-second acknowledgement deadline.
``http_server_requests_in_flight``
    Gauge of requests being handled now (summed over live workers in multiprocess mode).

Counter and histogram samples carry a ``trace_id`` exemplar when the request's trace is
sampled. Exemplars appear in the OpenMetrics exposition, which Prometheus asks for when
exemplar storage is on; the classic text format has no place for them.

Multiprocess mode (gunicorn with several workers): set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty directory before the server starts; :func:`metrics_app` then aggregates all workers.
See the README for the gunicorn ``child_exit`` hook.
"""

from __future__ import annotations

import bisect
import math
import os
import threading
import time
from collections.abc import Sequence
from typing import Any, Final

from pavedroad.observability.http_types import HTTP_METHODS, ASGIApp
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import make_asgi_app as _make_prometheus_asgi_app
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "DURATION_BUCKETS",
    "HTTPMetrics",
    "default_http_metrics",
    "metrics_app",
    "multiprocess_enabled",
    "status_class",
]


#: Histogram buckets in seconds. Dense below one second, where latency SLOs live, with 3 s for
#: Slack's acknowledgement deadline and 10 s as the last finite bucket.
DURATION_BUCKETS: Final = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    3.0,
    5.0,
    10.0,
)
LABELS: Final = ("route", "method", "status_class")
_STATUS_CLASSES: Final = {n: f"{n}xx" for n in range(1, 6)}
_MAX_CACHED_SERIES: Final = 10_000


def status_class(status: int) -> str:
    """Return ``"2xx"`` for 200..299 and so on; ``"unknown"`` outside 100..599."""
    return _STATUS_CLASSES.get(status // 100, "unknown") if status >= 100 else "unknown"


def multiprocess_enabled() -> bool:
    """Whether prometheus-client's multiprocess mode is on (``PROMETHEUS_MULTIPROC_DIR`` set)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _Series:
    """The labelled children of one (route, method, status class), and when each may take its
    next exemplar: ``due[0]`` for the counter, ``due[1 + i]`` for histogram bucket ``i``."""

    __slots__ = ("due", "duration", "requests")

    def __init__(self, requests: Any, duration: Any, buckets: int) -> None:
        self.requests = requests
        self.duration = duration
        self.due = [0.0] * (buckets + 1)


class HTTPMetrics:
    """The three RED metrics, registered once in ``registry``.

    Create one per registry (:func:`default_http_metrics` returns the shared one for the
    default registry); registering the same names twice in one registry is an error in
    prometheus-client.

    Exemplars: Prometheus keeps the latest exemplar of each series (of each bucket, for the
    histogram) and reads it once per scrape, so recording one on every request is work no one
    sees. Each series and each bucket takes a new ``trace_id`` exemplar at most once per
    ``exemplar_interval_seconds`` (default 1 s, far below any scrape interval); ``0`` records
    one with every sampled request. A bucket hit rarely (the slow requests) still gets the
    exemplar of the request that hit it.
    """

    def __init__(
        self,
        registry: CollectorRegistry | None = REGISTRY,
        *,
        buckets: Sequence[float] = DURATION_BUCKETS,
        exemplar_interval_seconds: float = 1.0,
    ) -> None:
        self.registry = registry
        self.requests = Counter(
            "http_server_requests",
            "HTTP requests handled, by route template, method and status class.",
            LABELS,
            registry=registry,
        )
        self.duration = Histogram(
            "http_server_request_duration_seconds",
            "Time from receiving an HTTP request to sending its last byte, in seconds.",
            LABELS,
            buckets=tuple(buckets),
            registry=registry,
        )
        self.in_flight = Gauge(
            "http_server_requests_in_flight",
            "HTTP requests being handled now.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.exemplar_interval_seconds = exemplar_interval_seconds
        # The bucket bounds as prometheus-client orders them, +Inf last.
        self._bounds = tuple(sorted({float(bound) for bound in buckets} | {math.inf}))
        self._series: dict[tuple[str, str, str], _Series] = {}
        self._by_request: dict[tuple[str, str, int], _Series] = {}

    def observe(
        self,
        *,
        route: str,
        method: str,
        status: int,
        duration_seconds: float,
        trace_id: str | None = None,
    ) -> None:
        """Record one finished request; ``trace_id`` becomes the exemplar when given (see the
        class docstring for how often)."""
        series = self._by_request.get((route, method, status))
        if series is None:
            series = self._series_for(route, method, status)
        if not trace_id:
            series.requests.inc(1)
            series.duration.observe(duration_seconds)
            return
        now = time.monotonic()
        due = series.due
        exemplar = {"trace_id": trace_id}
        if now >= due[0]:
            due[0] = now + self.exemplar_interval_seconds
            series.requests.inc(1, exemplar)
        else:
            series.requests.inc(1)
        # The bucket prometheus-client files the value under: the first bound >= the value.
        slot = 1 + bisect.bisect_left(self._bounds, duration_seconds)
        if slot < len(due) and now >= due[slot]:
            due[slot] = now + self.exemplar_interval_seconds
            series.duration.observe(duration_seconds, exemplar)
        else:
            series.duration.observe(duration_seconds)

    def _series_for(self, route: str, method: str, status: int) -> _Series:
        # The labelled children, looked up once per (route, method, status): labels() costs a
        # lock and label validation on every call. Routes are templates, and methods and
        # status codes few, so the caches stay small; they are bounded all the same.
        labels = (route, method if method in HTTP_METHODS else "_OTHER", status_class(status))
        series = self._series.get(labels)
        if series is None:
            series = _Series(
                self.requests.labels(*labels), self.duration.labels(*labels), len(self._bounds)
            )
            if len(self._series) < _MAX_CACHED_SERIES:
                self._series[labels] = series
        if len(self._by_request) < _MAX_CACHED_SERIES:
            self._by_request[(route, method, status)] = series
        return series


#: Module state on purpose: one HTTPMetrics per prometheus-client registry, which is itself
#: process-wide (a second set of the same metrics in a registry is an error), so the metrics
#: outlive any configure() handle; none of them depends on configure().
_defaults: dict[int, HTTPMetrics] = {}
_defaults_lock = threading.Lock()


def default_http_metrics(registry: CollectorRegistry = REGISTRY) -> HTTPMetrics:
    """Return the one :class:`HTTPMetrics` for ``registry``, creating it on first use."""
    with _defaults_lock:
        metrics = _defaults.get(id(registry))
        if metrics is None:
            metrics = _defaults[id(registry)] = HTTPMetrics(registry)
        return metrics


def metrics_app(registry: CollectorRegistry | None = None) -> ASGIApp:
    """Return an ASGI app that serves the Prometheus exposition (text or OpenMetrics).

    Without ``registry`` it serves the default registry, or, in multiprocess mode, a registry
    that aggregates every worker's files in ``PROMETHEUS_MULTIPROC_DIR``.
    """
    if registry is None:
        if multiprocess_enabled():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry = REGISTRY
    app: ASGIApp = _make_prometheus_asgi_app(registry)
    return app
