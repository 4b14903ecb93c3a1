"""Every setting of the library, in one table, and their resolution.

:data:`SETTINGS` is the table: each :class:`~pavedroad.observability.setting_kinds.Setting`
names its ``configure()`` argument, its environment variables, its parser, its default and its
documentation. The README's configuration table is generated from it
(``python libs/observability/tools/settings_readme.py``), and the resolution below reads each
setting through its row.

Precedence is the same for every setting: an explicit argument beats the environment, and the
environment beats the default. The standard OpenTelemetry variables are read with their
specified meaning; the library's own variables start with ``PAVEDROAD_``. A value that cannot
be used raises :class:`ConfigurationError` naming the argument or variable and what is allowed,
never the value itself (a secret pasted into the wrong variable must not reach a terminal or a
log); nothing falls back silently.

To add a setting: add a row here and to :data:`SETTINGS`, a field to
:class:`ObservabilitySettings`, an argument to :func:`resolve_settings` and ``configure()``
that is passed to ``ROW.resolve(argument, env)``, then regenerate the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.sampling import LogSamplingPolicy
from pavedroad.observability.setting_kinds import (
    Boolean,
    ByteCount,
    Choice,
    Given,
    KeyValues,
    Milliseconds,
    Ratio,
    SampleRates,
    Setting,
    Text,
    Url,
    WholeNumber,
    parse_key_value_list,
)

__all__ = [
    "INSTRUMENTATIONS",
    "LOG_FORMATS",
    "LOG_LEVELS",
    "OTLP_PROTOCOLS",
    "SAMPLERS",
    "SETTINGS",
    "ObservabilitySettings",
    "parse_key_value_list",
    "resolve_instrumentation",
    "resolve_settings",
]

#: ``OTEL_TRACES_SAMPLER`` values this library implements (the spec's built-in samplers).
SAMPLERS: Final = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
RATIO_SAMPLERS: Final = frozenset({"traceidratio", "parentbased_traceidratio"})
OTLP_PROTOCOLS: Final = ("http/protobuf", "grpc")
COMPRESSIONS: Final = ("gzip", "none")
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS: Final = ("auto", "json", "console")
#: Where the HTTP server span comes from: the library's lean middleware, or the official
#: OpenTelemetry ASGI/FastAPI instrumentation.
INSTRUMENTATIONS: Final = ("lean", "official")
INSTRUMENTATION_VARIABLE: Final = "PAVEDROAD_INSTRUMENTATION"

DEFAULT_SERVICE_NAME: Final = "unknown_service"
DEFAULT_ENVIRONMENT: Final = "production"
DEFAULT_SAMPLER: Final = "parentbased_traceidratio"
#: Size caps of a JSON log line: one field's value, and the whole line, in UTF-8 bytes.
DEFAULT_LOG_MAX_FIELD_BYTES: Final = 16 * 1024
DEFAULT_LOG_MAX_LINE_BYTES: Final = 64 * 1024
MIN_LOG_MAX_FIELD_BYTES: Final = 256
MIN_LOG_MAX_LINE_BYTES: Final = 1024
_NO_KEY_VALUES: Mapping[str, str] = MappingProxyType({})
_TRACES_ENDPOINT_VARIABLE: Final = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"

# The table. Each row is used by resolve_settings() below; SETTINGS lists them in README order.
SERVICE_NAME: Final = Setting(
    "service_name",
    "`service.name` of the resource; else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`.",
    Text(empty_hint="the service's name"),
    DEFAULT_SERVICE_NAME,
    argument="service_name",
    variables=("OTEL_SERVICE_NAME",),
)
SERVICE_VERSION: Final = Setting(
    "service_version",
    "`service.version` of the resource; else `service.version` in `OTEL_RESOURCE_ATTRIBUTES`.",
    Given(),
    None,
    argument="service_version",
)
RESOURCE_ATTRIBUTES: Final = Setting(
    "resource_attributes",
    "Resource attributes; the argument's entries override the variable's.",
    KeyValues(),
    _NO_KEY_VALUES,
    argument="resource_attributes",
    variables=("OTEL_RESOURCE_ATTRIBUTES",),
)
ENVIRONMENT: Final = Setting(
    "environment",
    "Deployment environment (`prod` or `production` is production), also set as the "
    "`deployment.environment.name` resource attribute; else that attribute, or "
    "`deployment.environment`, from `OTEL_RESOURCE_ATTRIBUTES`.",
    Text(),
    DEFAULT_ENVIRONMENT,
    argument="environment",
    variables=("PAVEDROAD_ENVIRONMENT",),
)
TRACING: Final = Setting(
    "tracing_enabled",
    "Tracing on or off; `tracing=False` or `OTEL_SDK_DISABLED=true` turns it off.",
    Boolean(),
    True,
    argument="tracing",
    variables=("OTEL_SDK_DISABLED",),
    environment_parse=Boolean(negate=True),
    default_doc="on",
)
SAMPLER: Final = Setting(
    "sampler",
    "Trace sampler.",
    Choice(SAMPLERS),
    DEFAULT_SAMPLER,
    argument="sampler",
    variables=("OTEL_TRACES_SAMPLER",),
)
SAMPLE_RATIO: Final = Setting(
    "sample_ratio",
    "Share of new traces sampled, for the ratio samplers only (an argument with another "
    "sampler is an error; the variable is ignored).",
    Ratio(),
    1.0,
    argument="sample_ratio",
    variables=("OTEL_TRACES_SAMPLER_ARG",),
)
OTLP_ENDPOINT: Final = Setting(
    "otlp_traces_endpoint",
    "OTLP endpoint: the argument and `OTEL_EXPORTER_OTLP_ENDPOINT` are base URLs (`/v1/traces` "
    "is appended for HTTP), `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as it is.",
    Url(),
    None,
    argument="otlp_endpoint",
    variables=(_TRACES_ENDPOINT_VARIABLE, "OTEL_EXPORTER_OTLP_ENDPOINT"),
    default_doc="none: nothing is exported",
)
OTLP_PROTOCOL: Final = Setting(
    "otlp_protocol",
    "OTLP protocol (`grpc` needs the `grpc` extra).",
    Choice(OTLP_PROTOCOLS),
    "http/protobuf",
    argument="otlp_protocol",
    variables=("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"),
)
OTLP_HEADERS: Final = Setting(
    "otlp_headers",
    "Exporter headers; the traces variable's entries override the generic one's, and the "
    "argument's override both.",
    KeyValues(),
    _NO_KEY_VALUES,
    argument="otlp_headers",
    variables=("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"),
)
OTLP_TIMEOUT: Final = Setting(
    "otlp_timeout_seconds",
    "Export timeout.",
    Milliseconds(),
    None,
    variables=("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"),
    default_doc="the exporter's",
)
OTLP_COMPRESSION: Final = Setting(
    "otlp_compression",
    "Export compression.",
    Choice(COMPRESSIONS),
    None,
    variables=("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"),
    default_doc="none",
)
LOG_LEVEL: Final = Setting(
    "log_level",
    "Level of the log pipeline, case-insensitive.",
    Choice(LOG_LEVELS, upper=True),
    "INFO",
    argument="log_level",
    variables=("PAVEDROAD_LOG_LEVEL",),
)
LOG_FORMAT: Final = Setting(
    "log_format",
    "`auto` is console lines when stderr is a terminal outside production, else JSON.",
    Choice(LOG_FORMATS),
    "auto",
    argument="log_format",
    variables=("PAVEDROAD_LOG_FORMAT",),
)
LOG_MAX_FIELD_BYTES: Final = Setting(
    "log_max_field_bytes",
    "Cap on one field of a JSON line, in UTF-8 bytes; a longer value is cut and listed in the "
    "line's `truncated` field.",
    ByteCount(MIN_LOG_MAX_FIELD_BYTES),
    DEFAULT_LOG_MAX_FIELD_BYTES,
    argument="log_max_field_bytes",
    variables=("PAVEDROAD_LOG_MAX_FIELD_BYTES",),
)
LOG_MAX_LINE_BYTES: Final = Setting(
    "log_max_line_bytes",
    "Cap on a whole JSON line, not below the field cap; the largest fields are cut until the "
    "line fits.",
    ByteCount(MIN_LOG_MAX_LINE_BYTES),
    DEFAULT_LOG_MAX_LINE_BYTES,
    argument="log_max_line_bytes",
    variables=("PAVEDROAD_LOG_MAX_LINE_BYTES",),
)
REDACT_EMAILS: Final = Setting(
    "redact_emails",
    "Redact e-mail addresses.",
    Boolean(),
    True,
    argument="redact_emails",
    variables=("PAVEDROAD_REDACT_EMAILS",),
)
LOG_SAMPLE_RATES: Final = Setting(
    "log_sample_rates",
    "Share of debug and info events kept per logger (see Sampling); a `log_sampling` policy "
    "argument replaces this and the repeat limit.",
    SampleRates(),
    MappingProxyType({}),
    argument="log_sampling",
    variables=("PAVEDROAD_LOG_SAMPLE_RATES",),
    default_doc="every event kept",
)
LOG_REPEAT_LIMIT: Final = Setting(
    "log_repeat_limit",
    "Most debug and info events kept per event key per second; `0` turns the limit off.",
    WholeNumber("use e.g. 100 (events per key per second), or 0 to turn rate limiting off."),
    LogSamplingPolicy().repeat_limit,
    argument="log_sampling",
    variables=("PAVEDROAD_LOG_REPEAT_LIMIT",),
)
REDACT_KEYS: Final = Setting(
    "redact_keys", "More denylisted key fragments.", Given(), None, argument="redact_keys"
)
SAFE_KEYS: Final = Setting(
    "safe_keys", "More keys exempt from the key denylist.", Given(), None, argument="safe_keys"
)
REDACT_PATTERNS: Final = Setting(
    "redact_patterns",
    "More value patterns, kind to bounded regex (see Redaction).",
    Given(),
    None,
    argument="redact_patterns",
)
SPAN_PROCESSORS: Final = Setting(
    "span_processors",
    "More span processors, after the OTLP batch processor (e.g. an in-memory exporter in tests).",
    Given(),
    None,
    argument="span_processors",
)
LOG_STREAM: Final = Setting(
    "log_stream", "Where log lines go.", Given(), None, argument="log_stream", default_doc="stdout"
)
CAPTURE_LOGGERS: Final = Setting(
    "capture_loggers",
    "Stdlib loggers whose own handlers are removed so their records reach the JSON pipeline. "
    "One silenced on purpose (no handlers, propagation off: uvicorn's `--no-access-log`) stays "
    "silent.",
    Given(),
    None,
    argument="capture_loggers",
    default_doc="uvicorn's and gunicorn's",
)
INSTRUMENTATION: Final = Setting(
    "instrumentation",
    "Where the HTTP server span comes from: the library's lean middleware or the official "
    "OpenTelemetry ASGI/FastAPI instrumentation.",
    Choice(INSTRUMENTATIONS),
    "lean",
    argument="instrumentation",
    variables=(INSTRUMENTATION_VARIABLE,),
    function="instrument_fastapi, instrument_asgi",
)
INSTRUMENT_DATABASE: Final = Setting(
    "instrument_database",
    "A client span for every SQLAlchemy statement, with its operation and table, never its "
    "text or parameters (see Database and HTTP client spans). Needs SQLAlchemy.",
    Boolean(),
    False,
    argument="instrument_database",
    variables=("PAVEDROAD_INSTRUMENT_DATABASE",),
)
INSTRUMENT_HTTP_CLIENT: Final = Setting(
    "instrument_http_client",
    "A client span for every aiohttp request (slack_sdk's `AsyncWebClient`, Bolt), named by the "
    "Slack Web API method for Slack calls, with no query string and no header. Needs aiohttp.",
    Boolean(),
    False,
    argument="instrument_http_client",
    variables=("PAVEDROAD_INSTRUMENT_HTTP_CLIENT",),
)

#: Every setting, in the order the README lists them.
SETTINGS: Final[tuple[Setting[object], ...]] = (
    SERVICE_NAME,
    SERVICE_VERSION,
    RESOURCE_ATTRIBUTES,
    ENVIRONMENT,
    TRACING,
    SAMPLER,
    SAMPLE_RATIO,
    OTLP_ENDPOINT,
    OTLP_PROTOCOL,
    OTLP_HEADERS,
    OTLP_TIMEOUT,
    OTLP_COMPRESSION,
    LOG_LEVEL,
    LOG_FORMAT,
    LOG_MAX_FIELD_BYTES,
    LOG_MAX_LINE_BYTES,
    REDACT_EMAILS,
    LOG_SAMPLE_RATES,
    LOG_REPEAT_LIMIT,
    REDACT_KEYS,
    SAFE_KEYS,
    REDACT_PATTERNS,
    SPAN_PROCESSORS,
    LOG_STREAM,
    CAPTURE_LOGGERS,
    INSTRUMENTATION,
    INSTRUMENT_DATABASE,
    INSTRUMENT_HTTP_CLIENT,
)


@dataclass(frozen=True)
class ObservabilitySettings:
    """The fully resolved configuration that :func:`configure` applies.

    Build one with :func:`resolve_settings`; every field has already been validated.
    """

    service_name: str
    service_version: str | None
    environment: str
    resource_attributes: Mapping[str, str]
    tracing_enabled: bool
    sampler: str
    sample_ratio: float
    otlp_protocol: str
    otlp_traces_endpoint: str | None
    otlp_headers: Mapping[str, str]
    otlp_timeout_seconds: float | None
    otlp_compression: str | None
    log_level: str
    log_format: str
    redact_emails: bool
    redact_keys: tuple[str, ...] = ()
    safe_keys: tuple[str, ...] = ()
    log_sampling: LogSamplingPolicy = field(default_factory=LogSamplingPolicy)
    log_max_field_bytes: int = DEFAULT_LOG_MAX_FIELD_BYTES
    log_max_line_bytes: int = DEFAULT_LOG_MAX_LINE_BYTES
    #: Database (SQLAlchemy) and outgoing HTTP (aiohttp) client spans; off by default.
    instrument_database: bool = False
    instrument_http_client: bool = False

    @property
    def is_production(self) -> bool:
        """Whether the deployment environment is production (``prod`` or ``production``)."""
        return self.environment.lower() in {"prod", "production"}


def _resource(
    env: Mapping[str, str],
    resource_attributes: Mapping[str, str] | None,
    service_name: str | None,
    service_version: str | None,
) -> dict[str, str]:
    """``OTEL_RESOURCE_ATTRIBUTES``, under ``OTEL_SERVICE_NAME``, under the arguments."""
    attributes = dict(RESOURCE_ATTRIBUTES.resolve(None, env))
    from_env = SERVICE_NAME.from_environment(env)
    if from_env is not None:
        attributes["service.name"] = from_env[0]
    attributes.update(RESOURCE_ATTRIBUTES.from_argument(resource_attributes) or {})
    name = SERVICE_NAME.from_argument(service_name)
    if name is not None:
        attributes["service.name"] = name
    if service_version is not None:
        attributes["service.version"] = service_version
    attributes.setdefault("service.name", SERVICE_NAME.default)
    return attributes


def _log_sampling(env: Mapping[str, str]) -> LogSamplingPolicy:
    """The policy that ``PAVEDROAD_LOG_SAMPLE_RATES`` and ``PAVEDROAD_LOG_REPEAT_LIMIT`` give."""
    rates = dict(LOG_SAMPLE_RATES.resolve(None, env))
    default_rate = rates.pop("", 1.0)
    limit = LOG_REPEAT_LIMIT.resolve(None, env)
    return LogSamplingPolicy(rates=rates, default_rate=default_rate, repeat_limit=limit or None)


def resolve_settings(
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
    resource_attributes: Mapping[str, str] | None = None,
    tracing_enabled: bool | None = None,
    sampler: str | None = None,
    sample_ratio: float | None = None,
    otlp_endpoint: str | None = None,
    otlp_protocol: str | None = None,
    otlp_headers: Mapping[str, str] | None = None,
    log_level: str | None = None,
    log_format: str | None = None,
    redact_emails: bool | None = None,
    redact_keys: tuple[str, ...] = (),
    safe_keys: tuple[str, ...] = (),
    log_sampling: LogSamplingPolicy | None = None,
    log_max_field_bytes: int | None = None,
    log_max_line_bytes: int | None = None,
    instrument_database: bool | None = None,
    instrument_http_client: bool | None = None,
    environ: Mapping[str, str] | None = None,
) -> ObservabilitySettings:
    """Resolve and validate every setting: argument, then environment, then default.

    ``environ`` defaults to :data:`os.environ`; tests pass a dict. :data:`SETTINGS` (and the
    README's table) names the variable that backs each argument.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ

    attributes = _resource(env, resource_attributes, service_name, service_version)
    picked_environment = ENVIRONMENT.lookup(environment, env)
    if picked_environment is not None:
        resolved_environment = attributes["deployment.environment.name"] = picked_environment[0]
    else:
        resolved_environment = (
            attributes.get("deployment.environment.name")
            or attributes.get("deployment.environment")
            or ENVIRONMENT.default
        )

    resolved_sampler = SAMPLER.resolve(sampler, env)
    if resolved_sampler in RATIO_SAMPLERS:
        ratio = SAMPLE_RATIO.resolve(sample_ratio, env)
    elif sample_ratio is not None:
        raise ConfigurationError(
            f"sample_ratio has no effect with sampler {resolved_sampler!r}; use sampler "
            "'parentbased_traceidratio' or 'traceidratio', or drop sample_ratio."
        )
    else:
        ratio = SAMPLE_RATIO.default

    protocol = OTLP_PROTOCOL.resolve(otlp_protocol, env)
    url, source = OTLP_ENDPOINT.lookup(otlp_endpoint, env) or (None, "")
    # A base URL (the argument, OTEL_EXPORTER_OTLP_ENDPOINT) gets the signal's path over HTTP.
    if url is not None and source != _TRACES_ENDPOINT_VARIABLE and protocol == "http/protobuf":
        url = url.rstrip("/") + "/v1/traces"
    headers: dict[str, str] = {}
    for layer in (*OTLP_HEADERS.layers(env), OTLP_HEADERS.from_argument(otlp_headers) or {}):
        headers.update(layer)

    max_field_bytes = LOG_MAX_FIELD_BYTES.resolve(log_max_field_bytes, env)
    max_line_bytes = LOG_MAX_LINE_BYTES.resolve(log_max_line_bytes, env)
    if max_field_bytes > max_line_bytes:
        raise ConfigurationError(
            "log_max_field_bytes (PAVEDROAD_LOG_MAX_FIELD_BYTES) is larger than "
            "log_max_line_bytes (PAVEDROAD_LOG_MAX_LINE_BYTES); a field must fit in a line."
        )

    return ObservabilitySettings(
        service_name=attributes["service.name"],
        service_version=attributes.get("service.version"),
        environment=resolved_environment,
        resource_attributes=MappingProxyType(dict(attributes)),
        tracing_enabled=TRACING.resolve(tracing_enabled, env),
        sampler=resolved_sampler,
        sample_ratio=ratio,
        otlp_protocol=protocol,
        otlp_traces_endpoint=url,
        otlp_headers=MappingProxyType(headers),
        otlp_timeout_seconds=OTLP_TIMEOUT.resolve(None, env),
        otlp_compression=OTLP_COMPRESSION.resolve(None, env),
        log_level=LOG_LEVEL.resolve(log_level, env),
        log_format=LOG_FORMAT.resolve(log_format, env),
        redact_emails=REDACT_EMAILS.resolve(redact_emails, env),
        redact_keys=tuple(redact_keys),
        safe_keys=tuple(safe_keys),
        log_sampling=_log_sampling(env) if log_sampling is None else log_sampling,
        log_max_field_bytes=max_field_bytes,
        log_max_line_bytes=max_line_bytes,
        instrument_database=INSTRUMENT_DATABASE.resolve(instrument_database, env),
        instrument_http_client=INSTRUMENT_HTTP_CLIENT.resolve(instrument_http_client, env),
    )


def resolve_instrumentation(value: str | None = None) -> str:
    """The HTTP instrumentation to use: ``value``, else ``PAVEDROAD_INSTRUMENTATION``, else
    ``"lean"`` (one of :data:`INSTRUMENTATIONS`)."""
    return INSTRUMENTATION.resolve(value, os.environ)
