"""Resolution of every setting from arguments, the environment and defaults.

Precedence is the same for every setting: an explicit argument beats the environment, and the
environment beats the default. The standard OpenTelemetry variables are read with their
specified meaning; the library's own variables start with ``PAVEDROAD_``. A value that cannot
be used raises :class:`ConfigurationError` naming the variable and what is allowed, never the
value itself (a secret pasted into the wrong variable must not reach a terminal or a log);
nothing falls back silently.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final
from urllib.parse import unquote, urlsplit

from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.sampling import LogSamplingPolicy

__all__ = [
    "INSTRUMENTATIONS",
    "LOG_FORMATS",
    "LOG_LEVELS",
    "OTLP_PROTOCOLS",
    "SAMPLERS",
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
_BOOLEANS: Final = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

DEFAULT_SERVICE_NAME: Final = "unknown_service"
DEFAULT_ENVIRONMENT: Final = "production"
DEFAULT_SAMPLER: Final = "parentbased_traceidratio"
#: Size caps of a JSON log line: one field's value, and the whole line, in UTF-8 bytes.
DEFAULT_LOG_MAX_FIELD_BYTES: Final = 16 * 1024
DEFAULT_LOG_MAX_LINE_BYTES: Final = 64 * 1024
MIN_LOG_MAX_FIELD_BYTES: Final = 256
MIN_LOG_MAX_LINE_BYTES: Final = 1024


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


def parse_key_value_list(raw: str, *, variable: str) -> dict[str, str]:
    """Parse ``key1=value1,key2=value2`` as OpenTelemetry specifies for resource attributes and
    OTLP headers: values are percent-decoded, surrounding spaces are dropped, and any item
    without a key or an ``=`` is an error rather than skipped.
    """
    result: dict[str, str] = {}
    if not raw.strip():
        return result
    items = raw.split(",")
    for position, item in enumerate(items, start=1):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigurationError(
                f"{variable} is malformed at item {position} of {len(items)} (values are not "
                "shown): expected comma-separated key=value pairs, e.g. "
                "'deployment.environment.name=prod,team=payments'."
            )
        try:
            result[key] = unquote(value.strip(), errors="strict")
        except UnicodeDecodeError:
            raise ConfigurationError(
                f"{variable}: the value of item {position} of {len(items)} is not valid "
                "percent-encoded UTF-8 (values are not shown)."
            ) from None
    return result


def _choice(name: str, value: str, allowed: tuple[str, ...], *, fold: bool = True) -> str:
    normalised = value.strip().lower() if fold else value.strip()
    if normalised not in allowed:
        raise ConfigurationError(
            f"{name} is not supported (the value is not shown); use one of: {', '.join(allowed)}."
        )
    return normalised


def _bool(name: str, value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    parsed = _BOOLEANS.get(value.strip().lower())
    if parsed is None:
        raise ConfigurationError(
            f"{name} is not a boolean (the value is not shown); use 'true' or 'false'."
        )
    return parsed


def _ratio(name: str, value: str | float) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        # "from None": float()'s own message would quote the value.
        raise ConfigurationError(
            f"{name} is not a number (the value is not shown); use a sampling ratio between 0 "
            "and 1, e.g. 0.25."
        ) from None
    if math.isnan(ratio) or not 0.0 <= ratio <= 1.0:
        raise ConfigurationError(
            f"{name} is outside 0..1 (the value is not shown); use a sampling ratio between 0 "
            "and 1, e.g. 0.25."
        )
    return ratio


def _endpoint(name: str, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError(
            f"{name} is not an http(s) URL (the value is not shown); use e.g. "
            "'http://otel-collector:4318'."
        )
    return value.strip()


def _byte_count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigurationError(
            f"{name} is not a whole number of bytes (the value is not shown); use e.g. 65536."
        )
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text) or int(text) < minimum:
        raise ConfigurationError(
            f"{name} must be a whole number of bytes of at least {minimum} (the value is not "
            "shown); use e.g. 65536."
        )
    return int(text)


def _pick(
    argument: object, environ: Mapping[str, str], *variables: str
) -> tuple[object, str] | None:
    """Return (value, source name) from the argument or the first set variable, else None."""
    if argument is not None:
        return argument, "argument"
    for variable in variables:
        raw = environ.get(variable)
        if raw is not None and raw.strip() != "":
            return raw, variable
    return None


def _parse_sample_rates(raw: str, variable: str) -> dict[str, float]:
    rates: dict[str, float] = {}
    for key, value in parse_key_value_list(raw, variable=variable).items():
        rates["" if key in {"*", "root"} else key] = _ratio(f"{variable}[{key}]", value)
    return rates


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

    ``environ`` defaults to :data:`os.environ`; tests pass a dict. See the README for the
    variable that backs each argument.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ

    # Resource: OTEL_RESOURCE_ATTRIBUTES, overridden by OTEL_SERVICE_NAME, overridden by args.
    attributes = parse_key_value_list(
        env.get("OTEL_RESOURCE_ATTRIBUTES", ""), variable="OTEL_RESOURCE_ATTRIBUTES"
    )
    if env.get("OTEL_SERVICE_NAME", "").strip():
        attributes["service.name"] = env["OTEL_SERVICE_NAME"].strip()
    if resource_attributes is not None:
        for key, value in resource_attributes.items():
            if not isinstance(key, str) or not key or not isinstance(value, str):
                raise ConfigurationError(
                    "resource_attributes: keys and values must be non-empty strings; an entry "
                    f"has a {type(key).__name__} key and a {type(value).__name__} value."
                )
        attributes.update(resource_attributes)
    if service_name is not None:
        if not service_name.strip():
            raise ConfigurationError("service_name is empty; give the service's name.")
        attributes["service.name"] = service_name
    if service_version is not None:
        attributes["service.version"] = service_version
    attributes.setdefault("service.name", DEFAULT_SERVICE_NAME)

    picked_env = _pick(environment, env, "PAVEDROAD_ENVIRONMENT")
    if picked_env is not None:
        resolved_environment = str(picked_env[0]).strip()
        attributes["deployment.environment.name"] = resolved_environment
    else:
        resolved_environment = (
            attributes.get("deployment.environment.name")
            or attributes.get("deployment.environment")
            or DEFAULT_ENVIRONMENT
        )

    # Tracing switch and sampler.
    if tracing_enabled is not None:
        enabled = tracing_enabled
    else:
        disabled_raw = env.get("OTEL_SDK_DISABLED", "")
        enabled = not (disabled_raw.strip() and _bool("OTEL_SDK_DISABLED", disabled_raw))

    picked = _pick(sampler, env, "OTEL_TRACES_SAMPLER")
    if picked is None:
        resolved_sampler = DEFAULT_SAMPLER
    else:
        name = "sampler" if picked[1] == "argument" else picked[1]
        resolved_sampler = _choice(name, str(picked[0]), SAMPLERS)

    ratio = 1.0
    if resolved_sampler in RATIO_SAMPLERS:
        picked_ratio = _pick(sample_ratio, env, "OTEL_TRACES_SAMPLER_ARG")
        if picked_ratio is not None:
            name = "sample_ratio" if picked_ratio[1] == "argument" else picked_ratio[1]
            ratio = _ratio(name, picked_ratio[0])  # type: ignore[arg-type]
    elif sample_ratio is not None:
        raise ConfigurationError(
            f"sample_ratio has no effect with sampler {resolved_sampler!r}; use sampler "
            "'parentbased_traceidratio' or 'traceidratio', or drop sample_ratio."
        )

    # OTLP exporter. Signal-specific variables beat the generic ones, as the spec says.
    picked_protocol = _pick(
        otlp_protocol, env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"
    )
    protocol = "http/protobuf"
    if picked_protocol is not None:
        name = "otlp_protocol" if picked_protocol[1] == "argument" else picked_protocol[1]
        protocol = _choice(name, str(picked_protocol[0]), OTLP_PROTOCOLS)

    traces_endpoint: str | None = None
    if otlp_endpoint is not None:
        base: tuple[str, str] | None = (_endpoint("otlp_endpoint", otlp_endpoint), "base")
    elif env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip():
        raw = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
        base = (_endpoint("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raw), "signal")
    elif env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        base = (
            _endpoint("OTEL_EXPORTER_OTLP_ENDPOINT", env["OTEL_EXPORTER_OTLP_ENDPOINT"]),
            "base",
        )
    else:
        base = None
    if base is not None:
        url, kind = base
        if kind == "base" and protocol == "http/protobuf":
            traces_endpoint = url.rstrip("/") + "/v1/traces"
        else:
            traces_endpoint = url

    headers = parse_key_value_list(
        env.get("OTEL_EXPORTER_OTLP_HEADERS", ""), variable="OTEL_EXPORTER_OTLP_HEADERS"
    )
    headers.update(
        parse_key_value_list(
            env.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS", ""),
            variable="OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        )
    )
    if otlp_headers is not None:
        headers.update(otlp_headers)

    timeout: float | None = None
    picked_timeout = _pick(
        None, env, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"
    )
    if picked_timeout is not None:
        raw_timeout, variable = str(picked_timeout[0]), picked_timeout[1]
        try:
            millis = float(raw_timeout)
        except ValueError:
            millis = -1.0
        if not millis > 0 or math.isinf(millis):
            raise ConfigurationError(
                f"{variable} is not a positive number of milliseconds (the value is not "
                "shown); use e.g. 10000 for ten seconds."
            )
        timeout = millis / 1000.0

    compression: str | None = None
    picked_compression = _pick(
        None, env, "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"
    )
    if picked_compression is not None:
        compression = _choice(picked_compression[1], str(picked_compression[0]), COMPRESSIONS)

    # Logging.
    picked_level = _pick(log_level, env, "PAVEDROAD_LOG_LEVEL")
    level = "INFO"
    if picked_level is not None:
        name = "log_level" if picked_level[1] == "argument" else picked_level[1]
        level = _choice(name, str(picked_level[0]).upper(), LOG_LEVELS, fold=False)

    picked_format = _pick(log_format, env, "PAVEDROAD_LOG_FORMAT")
    fmt = "auto"
    if picked_format is not None:
        name = "log_format" if picked_format[1] == "argument" else picked_format[1]
        fmt = _choice(name, str(picked_format[0]), LOG_FORMATS)

    picked_emails = _pick(redact_emails, env, "PAVEDROAD_REDACT_EMAILS")
    emails = True
    if picked_emails is not None:
        name = "redact_emails" if picked_emails[1] == "argument" else picked_emails[1]
        emails = _bool(name, picked_emails[0])  # type: ignore[arg-type]

    caps = []
    for argument, variable, default, minimum in (
        (
            log_max_field_bytes,
            "PAVEDROAD_LOG_MAX_FIELD_BYTES",
            DEFAULT_LOG_MAX_FIELD_BYTES,
            MIN_LOG_MAX_FIELD_BYTES,
        ),
        (
            log_max_line_bytes,
            "PAVEDROAD_LOG_MAX_LINE_BYTES",
            DEFAULT_LOG_MAX_LINE_BYTES,
            MIN_LOG_MAX_LINE_BYTES,
        ),
    ):
        picked_cap = _pick(argument, env, variable)
        if picked_cap is None:
            caps.append(default)
        else:
            name = variable.removeprefix("PAVEDROAD_").lower()
            name = name if picked_cap[1] == "argument" else picked_cap[1]
            caps.append(_byte_count(name, picked_cap[0], minimum))
    max_field_bytes, max_line_bytes = caps
    if max_field_bytes > max_line_bytes:
        raise ConfigurationError(
            "log_max_field_bytes (PAVEDROAD_LOG_MAX_FIELD_BYTES) is larger than "
            "log_max_line_bytes (PAVEDROAD_LOG_MAX_LINE_BYTES); a field must fit in a line."
        )

    switches = []
    for argument, name, variable in (
        (instrument_database, "instrument_database", "PAVEDROAD_INSTRUMENT_DATABASE"),
        (instrument_http_client, "instrument_http_client", "PAVEDROAD_INSTRUMENT_HTTP_CLIENT"),
    ):
        picked_switch = _pick(argument, env, variable)
        switches.append(
            False
            if picked_switch is None
            else _bool(name if picked_switch[1] == "argument" else variable, picked_switch[0])  # type: ignore[arg-type]
        )
    database_spans, http_client_spans = switches

    if log_sampling is None:
        rates = _parse_sample_rates(
            env.get("PAVEDROAD_LOG_SAMPLE_RATES", ""), "PAVEDROAD_LOG_SAMPLE_RATES"
        )
        policy_kwargs: dict[str, object] = {}
        if "" in rates:
            policy_kwargs["default_rate"] = rates.pop("")
        if rates:
            policy_kwargs["rates"] = rates
        raw_limit = env.get("PAVEDROAD_LOG_REPEAT_LIMIT", "").strip()
        if raw_limit:
            if not re.fullmatch(r"[0-9]+", raw_limit):
                raise ConfigurationError(
                    "PAVEDROAD_LOG_REPEAT_LIMIT is not a whole number (the value is not shown); "
                    "use e.g. 100 (events per key per second), or 0 to turn rate limiting off."
                )
            policy_kwargs["repeat_limit"] = int(raw_limit) or None
        log_sampling = LogSamplingPolicy(**policy_kwargs)  # type: ignore[arg-type]

    return ObservabilitySettings(
        service_name=attributes["service.name"],
        service_version=attributes.get("service.version"),
        environment=resolved_environment,
        resource_attributes=MappingProxyType(dict(attributes)),
        tracing_enabled=enabled,
        sampler=resolved_sampler,
        sample_ratio=ratio,
        otlp_protocol=protocol,
        otlp_traces_endpoint=traces_endpoint,
        otlp_headers=MappingProxyType(headers),
        otlp_timeout_seconds=timeout,
        otlp_compression=compression,
        log_level=level,
        log_format=fmt,
        redact_emails=emails,
        redact_keys=tuple(redact_keys),
        safe_keys=tuple(safe_keys),
        log_sampling=log_sampling,
        log_max_field_bytes=max_field_bytes,
        log_max_line_bytes=max_line_bytes,
        instrument_database=database_spans,
        instrument_http_client=http_client_spans,
    )


def resolve_instrumentation(value: str | None = None) -> str:
    """The HTTP instrumentation to use: ``value``, else ``PAVEDROAD_INSTRUMENTATION``, else
    ``"lean"`` (one of :data:`INSTRUMENTATIONS`)."""
    if value is not None:
        return _choice("instrumentation", value, INSTRUMENTATIONS)
    raw = os.environ.get(INSTRUMENTATION_VARIABLE, "").strip()
    return _choice(INSTRUMENTATION_VARIABLE, raw, INSTRUMENTATIONS) if raw else "lean"
