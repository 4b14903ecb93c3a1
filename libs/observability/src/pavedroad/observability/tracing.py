"""Tracing: a TracerProvider with the configured sampler, resource and OTLP exporter.

With no OTLP endpoint configured nothing is exported (spans still get IDs, so logs still carry
``trace_id``). With an endpoint, spans go through a :class:`BatchSpanProcessor` to the OTLP
exporter for the configured protocol: HTTP/protobuf by default, gRPC with the ``grpc`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.settings import ObservabilitySettings

__all__ = ["build_exporter", "build_resource", "build_sampler", "build_tracer_provider"]


def build_sampler(name: str, ratio: float) -> Sampler:
    """Return the sampler that ``OTEL_TRACES_SAMPLER`` ``name`` denotes, with ``ratio``."""
    samplers: dict[str, Sampler] = {
        "always_on": ALWAYS_ON,
        "always_off": ALWAYS_OFF,
        "traceidratio": TraceIdRatioBased(ratio),
        "parentbased_always_on": ParentBased(ALWAYS_ON),
        "parentbased_always_off": ParentBased(ALWAYS_OFF),
        "parentbased_traceidratio": ParentBased(TraceIdRatioBased(ratio)),
    }
    try:
        return samplers[name]
    except KeyError:
        raise ConfigurationError(
            f"sampler={name!r} is not supported; use one of: {', '.join(samplers)}."
        ) from None


def build_resource(settings: ObservabilitySettings) -> Resource:
    """Return the resource: the SDK's defaults (``telemetry.sdk.*``) under the resolved
    attributes. The attributes were already parsed strictly from ``OTEL_RESOURCE_ATTRIBUTES``
    and ``OTEL_SERVICE_NAME`` and override what the SDK's own lenient detector reads.
    """
    return Resource.create(dict(settings.resource_attributes))


def build_exporter(settings: ObservabilitySettings) -> SpanExporter | None:
    """Return the OTLP span exporter for the settings, or ``None`` without an endpoint.

    The endpoint, headers and timeout are passed explicitly (the timeout converted from the
    specification's milliseconds to the seconds the Python exporters take). Compression and TLS
    files are left to the exporters, which read the same variables that were validated here.
    """
    endpoint = settings.otlp_traces_endpoint
    if endpoint is None:
        return None
    headers = dict(settings.otlp_headers) or None
    if settings.otlp_protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
                OTLPSpanExporter as GrpcSpanExporter,
            )
        except ImportError as exc:
            raise ConfigurationError(
                "OTEL_EXPORTER_OTLP_PROTOCOL='grpc' needs the gRPC exporter; install "
                "'pavedroad-observability[grpc]' or use 'http/protobuf'."
            ) from exc
        return GrpcSpanExporter(
            endpoint=endpoint,
            insecure=endpoint.startswith("http://"),
            headers=headers,
            timeout=settings.otlp_timeout_seconds,
        )
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(
        endpoint=endpoint,
        headers=headers,
        timeout=settings.otlp_timeout_seconds,
    )


def build_tracer_provider(
    settings: ObservabilitySettings,
    *,
    span_processors: Sequence[SpanProcessor] = (),
) -> TracerProvider:
    """Return a TracerProvider for ``settings``, with the OTLP batch processor if configured,
    followed by ``span_processors`` (for example an in-memory exporter in tests)."""
    provider = TracerProvider(
        sampler=build_sampler(settings.sampler, settings.sample_ratio),
        resource=build_resource(settings),
    )
    exporter = build_exporter(settings)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    for processor in span_processors:
        provider.add_span_processor(processor)
    return provider
