"""``configure()`` and ``shutdown()``: the one call that sets everything up, and its undo.

``configure()`` resolves the settings (argument, then environment, then default), then installs
the log pipeline, the redactor and, unless tracing is disabled, a TracerProvider as the global
provider. It is idempotent: a second call with the same settings returns the same handle and
adds nothing; a call with different log settings replaces the log pipeline (never adding a
second handler); a call with different tracing settings is an error, because OpenTelemetry
allows one global TracerProvider per process.

The :class:`Observability` handle owns what a call set up: the redactor, the log pipeline, the
trace-ID reader, the log sampler and the TracerProvider with its span processors. The only
module state is the reference to the active handle (and the lock around it): a new call
replaces the handle, and :func:`shutdown` releases it.
"""

from __future__ import annotations

import atexit
import re
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from pavedroad.observability.correlation import TraceIds
from pavedroad.observability.database_spans import instrument_database, uninstrument_database
from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.http_client_spans import (
    instrument_http_client,
    uninstrument_http_client,
)
from pavedroad.observability.logs import (
    CAPTURED_LOGGERS,
    LogPipeline,
    install_logging,
    uninstall_logging,
)
from pavedroad.observability.redaction_engine import Redactor
from pavedroad.observability.sampling import (
    REPORT_EVENT,
    REPORT_LOGGER,
    LogSampler,
    LogSamplingPolicy,
)
from pavedroad.observability.secret_patterns import SecretPattern
from pavedroad.observability.settings import ObservabilitySettings, resolve_settings
from pavedroad.observability.tracing import build_tracer_provider

__all__ = ["Observability", "configure", "current", "shutdown"]

_TRACING_FIELDS = (
    "tracing_enabled",
    "resource_attributes",
    "sampler",
    "sample_ratio",
    "otlp_protocol",
    "otlp_traces_endpoint",
    "otlp_headers",
    "otlp_timeout_seconds",
    "otlp_compression",
)


@dataclass(frozen=True)
class Observability:
    """What :func:`configure` set up, and the owner of all of it while it is the active handle.

    ``tracer_provider`` is ``None`` when tracing is off. ``redactor`` is the one the log
    pipeline and :func:`~pavedroad.observability.redact` use while this handle is active;
    ``log_pipeline`` is the pipeline structlog and the root logger's handler run every event
    through; ``trace_ids`` reads the current span's IDs for that pipeline, the access log and
    the exemplars; ``span_processors`` are the extra processors passed to :func:`configure`.
    """

    settings: ObservabilitySettings
    tracer_provider: TracerProvider | None
    redactor: Redactor
    sampler: LogSampler
    console: bool
    log_pipeline: LogPipeline
    trace_ids: TraceIds
    span_processors: tuple[SpanProcessor, ...] = ()
    #: What configure() was called with (settings, stream, patterns, captured loggers): the
    #: same signature again returns this handle unchanged.
    _signature: tuple[Any, ...] = field(default=(), repr=False, compare=False)


#: The library's only module state: the active handle (``None`` before configure() and after
#: shutdown()), and the lock that serialises configure() and shutdown().
_lock = threading.RLock()
_state: Observability | None = None


def _tracing_differences(old: ObservabilitySettings, new: ObservabilitySettings) -> list[str]:
    # Names only: the values (OTLP headers, endpoints) can hold credentials.
    return [name for name in _TRACING_FIELDS if getattr(old, name) != getattr(new, name)]


def _use_console(settings: ObservabilitySettings) -> bool:
    if settings.log_format != "auto":
        return settings.log_format == "console"
    if settings.is_production:
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def _report_dropped(**fields: Any) -> None:
    structlog.get_logger(REPORT_LOGGER).info(REPORT_EVENT, **fields)


def configure(
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
    resource_attributes: Mapping[str, str] | None = None,
    tracing: bool | None = None,
    sampler: str | None = None,
    sample_ratio: float | None = None,
    otlp_endpoint: str | None = None,
    otlp_protocol: str | None = None,
    otlp_headers: Mapping[str, str] | None = None,
    span_processors: Sequence[SpanProcessor] = (),
    log_level: str | None = None,
    log_format: str | None = None,
    log_stream: TextIO | None = None,
    log_sampling: LogSamplingPolicy | None = None,
    log_max_field_bytes: int | None = None,
    log_max_line_bytes: int | None = None,
    redact_emails: bool | None = None,
    redact_keys: Iterable[str] = (),
    safe_keys: Iterable[str] = (),
    redact_patterns: Mapping[str, str | re.Pattern[str]] | Iterable[SecretPattern] = (),
    capture_loggers: Sequence[str] = CAPTURED_LOGGERS,
    instrument_database: bool | None = None,
    instrument_http_client: bool | None = None,
) -> Observability:
    """Set up tracing, JSON logs with redaction and correlation, and log sampling.

    Every argument is optional; an argument beats its environment variable, which beats the
    default. With no arguments and no environment this gives JSON logs on stdout and a
    TracerProvider that exports nothing.

    Args:
        service_name: ``service.name`` (``OTEL_SERVICE_NAME``; default ``unknown_service``).
        service_version: ``service.version`` (from ``OTEL_RESOURCE_ATTRIBUTES``).
        environment: Deployment environment (``PAVEDROAD_ENVIRONMENT``, else the
            ``deployment.environment.name`` resource attribute; default ``production``).
        resource_attributes: Extra resource attributes, over ``OTEL_RESOURCE_ATTRIBUTES``.
        tracing: ``False`` disables tracing (default: on unless ``OTEL_SDK_DISABLED=true``).
        sampler: ``OTEL_TRACES_SAMPLER`` name; default ``parentbased_traceidratio``.
        sample_ratio: Ratio for the ratio samplers (``OTEL_TRACES_SAMPLER_ARG``; default 1).
        otlp_endpoint: Base OTLP endpoint, e.g. ``http://otel-collector:4318``
            (``OTEL_EXPORTER_OTLP_ENDPOINT``; ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is used
            as the full URL). Without one, nothing is exported.
        otlp_protocol: ``http/protobuf`` (default) or ``grpc`` (``OTEL_EXPORTER_OTLP_PROTOCOL``).
        otlp_headers: Headers for the exporter, over ``OTEL_EXPORTER_OTLP_HEADERS``.
        span_processors: Extra span processors, added after the OTLP batch processor.
        log_level: ``DEBUG`` .. ``CRITICAL`` (``PAVEDROAD_LOG_LEVEL``; default ``INFO``).
        log_format: ``auto``, ``json`` or ``console`` (``PAVEDROAD_LOG_FORMAT``). ``auto``
            means console when stderr is a terminal outside production, else JSON.
        log_stream: Where lines go; default ``sys.stdout``.
        log_sampling: The sampling policy (default from ``PAVEDROAD_LOG_SAMPLE_RATES`` and
            ``PAVEDROAD_LOG_REPEAT_LIMIT``).
        log_max_field_bytes: Cap on one field of a JSON line, in UTF-8 bytes
            (``PAVEDROAD_LOG_MAX_FIELD_BYTES``; default 16384). Longer values are cut and
            listed in the line's ``truncated`` field with their original size.
        log_max_line_bytes: Cap on a whole JSON line (``PAVEDROAD_LOG_MAX_LINE_BYTES``;
            default 65536); the largest fields are cut until the line fits.
        redact_emails: Redact e-mail addresses (``PAVEDROAD_REDACT_EMAILS``; default true).
        redact_keys: More denylisted key fragments.
        safe_keys: More keys exempt from the key denylist.
        redact_patterns: More value patterns, kind to bounded regex.
        capture_loggers: Stdlib loggers whose own handlers are removed so their records
            reach the JSON pipeline (uvicorn's and gunicorn's by default).
        instrument_database: A client span for every SQLAlchemy statement, with its
            operation and table, never its text or parameters (``PAVEDROAD_INSTRUMENT_DATABASE``;
            default false). Needs SQLAlchemy.
        instrument_http_client: A client span for every aiohttp request (slack_sdk's
            ``AsyncWebClient`` and Bolt use aiohttp), named by the Slack Web API method for
            Slack calls (``PAVEDROAD_INSTRUMENT_HTTP_CLIENT``; default false). Needs aiohttp.

    Raises:
        ConfigurationError: a setting is invalid, or tracing was already configured with
            different settings, or another library already installed a TracerProvider.
    """
    global _state
    with _lock:
        settings = resolve_settings(
            service_name=service_name,
            service_version=service_version,
            environment=environment,
            resource_attributes=resource_attributes,
            tracing_enabled=tracing,
            sampler=sampler,
            sample_ratio=sample_ratio,
            otlp_endpoint=otlp_endpoint,
            otlp_protocol=otlp_protocol,
            otlp_headers=otlp_headers,
            log_level=log_level,
            log_format=log_format,
            redact_emails=redact_emails,
            redact_keys=tuple(redact_keys),
            safe_keys=tuple(safe_keys),
            log_sampling=log_sampling,
            log_max_field_bytes=log_max_field_bytes,
            log_max_line_bytes=log_max_line_bytes,
            instrument_database=instrument_database,
            instrument_http_client=instrument_http_client,
        )
        stream = sys.stdout if log_stream is None else log_stream
        patterns = (
            tuple(redact_patterns.items())
            if isinstance(redact_patterns, Mapping)
            else tuple(redact_patterns)
        )
        processors = tuple(span_processors)
        signature = (settings, id(stream), patterns, tuple(capture_loggers))
        previous = _state
        if (
            previous is not None
            and previous._signature == signature
            and processors == previous.span_processors
        ):
            return previous

        provider: TracerProvider | None = None
        if previous is not None and previous.tracer_provider is not None:
            differences = _tracing_differences(previous.settings, settings)
            if processors != previous.span_processors:
                differences.append("span_processors changed")
            if differences:
                raise ConfigurationError(
                    "configure() was already called with different tracing settings (changed: "
                    + ", ".join(differences)
                    + "). OpenTelemetry allows one global TracerProvider per process: call "
                    "configure() once at startup with the final settings, or shutdown() and "
                    "restart the process."
                )
            provider = previous.tracer_provider

        redactor = Redactor(
            redact_emails=settings.redact_emails,
            extra_keys=settings.redact_keys,
            safe_keys=settings.safe_keys,
            extra_patterns=redact_patterns,
        )
        if provider is None and settings.tracing_enabled:
            current_provider = trace.get_tracer_provider()
            if not isinstance(current_provider, trace.ProxyTracerProvider):
                raise ConfigurationError(
                    "a global TracerProvider is already installed "
                    f"({type(current_provider).__name__}), by "
                    "another library (e.g. opentelemetry-instrument) or by an earlier "
                    "configure() that was shut down. Pass tracing=False (or set "
                    "OTEL_SDK_DISABLED=true) to leave tracing to it, or remove the other setup."
                )
            provider = build_tracer_provider(settings, span_processors=processors)
            trace.set_tracer_provider(provider)

        _apply_client_spans(settings)
        sampler_ = LogSampler(settings.log_sampling, report=_report_dropped)
        console = _use_console(settings)
        if previous is not None:
            previous.sampler.flush()
        trace_ids = TraceIds()
        handler = install_logging(
            redactor=redactor,
            sampler=sampler_,
            level=settings.log_level,
            console=console,
            stream=stream,
            capture_loggers=capture_loggers,
            max_field_bytes=settings.log_max_field_bytes,
            max_line_bytes=settings.log_max_line_bytes,
            trace_ids=trace_ids,
        )
        _state = Observability(
            settings=settings,
            tracer_provider=provider,
            redactor=redactor,
            sampler=sampler_,
            console=console,
            log_pipeline=handler.pipeline,
            trace_ids=trace_ids,
            span_processors=processors,
            _signature=signature,
        )
        if previous is None:
            # Registered while a handle is active, removed by shutdown(): once per handle
            # lifetime, as the SDK's TracerProvider does with its own exit hook.
            atexit.register(_shutdown_at_exit)
        return _state


def _apply_client_spans(settings: ObservabilitySettings | None) -> None:
    """Install or remove the database and HTTP client spans as ``settings`` say (none when
    tracing is off, or for ``None``, at shutdown)."""
    tracing = settings is not None and settings.tracing_enabled
    if tracing and settings is not None and settings.instrument_database:
        instrument_database()
    else:
        uninstrument_database()
    if tracing and settings is not None and settings.instrument_http_client:
        instrument_http_client()
    else:
        uninstrument_http_client()


def current() -> Observability | None:
    """Return what :func:`configure` set up, or ``None`` before it (or after shutdown)."""
    return _state


def shutdown(timeout_millis: int = 30_000) -> bool:
    """Flush everything, release the active handle and stop exporting; return whether the span
    flush completed in time.

    Reports the events dropped by log sampling, removes the database and HTTP client spans,
    flushes the span batch processor and shuts the TracerProvider (with its span processors)
    down, and forgets the handle: :func:`current` is ``None`` and :func:`redact` applies the
    built-in rules again. The handle's log pipeline stays installed as structlog's processor
    and the root logger's handler, so lines logged during process exit are still JSON and
    still redacted with the rules they were configured with; a later :func:`configure`
    replaces it.
    """
    global _state
    with _lock:
        state = _state
        if state is None:
            return True
        state.sampler.flush()
        _apply_client_spans(None)
        flushed = True
        if state.tracer_provider is not None:
            flushed = state.tracer_provider.force_flush(timeout_millis)
            state.tracer_provider.shutdown()
        _state = None
        atexit.unregister(_shutdown_at_exit)
        return flushed


def _shutdown_at_exit() -> None:
    """The exit hook: shut the active handle down, if there still is one."""
    shutdown()


def _reset_for_tests() -> None:
    """Forget the configuration and remove the log handler (the test suite's teardown)."""
    global _state
    with _lock:
        _state = None
        atexit.unregister(_shutdown_at_exit)
        _apply_client_spans(None)
        uninstall_logging()
        structlog.reset_defaults()
