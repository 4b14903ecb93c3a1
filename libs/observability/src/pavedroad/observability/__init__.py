"""pavedroad.observability: OpenTelemetry tracing, JSON logs with redaction and correlation,
log sampling and Prometheus RED metrics, set up with one call.

Quickstart::

    from pavedroad.observability import configure, get_logger

    configure(service_name="billing")      # idempotent; reads the OTEL_* variables
    log = get_logger(__name__)
    log.info("invoice sent", invoice_id="inv_123", team_id="T0123ABCD")

For ASGI apps see :func:`instrument_asgi` and :mod:`pavedroad.observability.fastapi`; for
Slack Bolt see :mod:`pavedroad.observability.slack`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from pavedroad.observability.asgi import (
    ObservabilityMiddleware,
    instrument_asgi,
    is_valid_request_id,
)
from pavedroad.observability.correlation import (
    CORRELATION_KEYS,
    add_trace_context,
    bind_correlation,
    bound_correlation,
    current_correlation,
    slack_correlation,
)
from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.lifecycle import Observability, configure, current, shutdown
from pavedroad.observability.logs import get_logger
from pavedroad.observability.metrics import (
    DURATION_BUCKETS,
    HTTPMetrics,
    default_http_metrics,
    metrics_app,
)
from pavedroad.observability.redaction import Redactor, redact
from pavedroad.observability.sampling import LogSampler, LogSamplingPolicy
from pavedroad.observability.secret_patterns import SecretPattern
from pavedroad.observability.settings import ObservabilitySettings, resolve_settings

try:
    __version__ = version("pavedroad-observability")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "CORRELATION_KEYS",
    "DURATION_BUCKETS",
    "ConfigurationError",
    "HTTPMetrics",
    "LogSampler",
    "LogSamplingPolicy",
    "Observability",
    "ObservabilityMiddleware",
    "ObservabilitySettings",
    "Redactor",
    "SecretPattern",
    "__version__",
    "add_trace_context",
    "bind_correlation",
    "bound_correlation",
    "configure",
    "current",
    "current_correlation",
    "default_http_metrics",
    "get_logger",
    "instrument_asgi",
    "is_valid_request_id",
    "metrics_app",
    "redact",
    "resolve_settings",
    "shutdown",
    "slack_correlation",
]
