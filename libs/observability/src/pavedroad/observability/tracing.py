"""Tracing: a TracerProvider with the configured sampler, resource and OTLP exporter.

With no OTLP endpoint configured nothing is exported (spans still get IDs, so logs still carry
``trace_id``). With an endpoint, spans go through a :class:`BatchSpanProcessor` to the OTLP
exporter for the configured protocol: HTTP/protobuf by default, gRPC with the ``grpc`` extra.

While the provider has no span processor at all (no endpoint, none passed in, none added
since), nothing could ever receive a span, so spans are not recorded: they are started as
non-recording spans that still carry fresh IDs and the sampler's decision (the ``sampled``
flag), exactly as the SDK would have made them. Logs, exemplars and the ``traceparent``
propagated downstream are the same; only the work of recording attributes, events and
timings for nobody is skipped. The moment a processor is added, spans are recorded again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace as trace_api
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, Tracer, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.settings import SAMPLERS, ObservabilitySettings

__all__ = [
    "ObservabilityTracerProvider",
    "build_exporter",
    "build_resource",
    "build_sampler",
    "build_tracer_provider",
]


class _Tracer(trace_api.Tracer):
    """The SDK tracer, minus recording while its provider has no span processor.

    A wrapper on the public ``Tracer`` API: with a processor everything goes to the SDK
    tracer; without one, :meth:`start_span` does what the SDK does up to its recording
    decision (the same parent, IDs, sampler call and flags) and returns a non-recording span.
    """

    def __init__(self, sdk: Tracer, provider: ObservabilityTracerProvider) -> None:
        self._sdk = sdk
        self._provider = provider

    def start_span(
        self,
        name: str,
        context: Any = None,
        kind: trace_api.SpanKind = trace_api.SpanKind.INTERNAL,
        attributes: Any = None,
        links: Any = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace_api.Span:
        sdk = self._sdk
        if self._provider.has_span_processors:
            return sdk.start_span(
                name,
                context,
                kind,
                attributes,
                links,
                start_time,
                record_exception,
                set_status_on_exception,
            )
        parent = trace_api.get_current_span(context).get_span_context()
        if parent is None or not parent.is_valid:
            trace_id = sdk.id_generator.generate_trace_id()
            random_trace_id = sdk.id_generator.is_trace_id_random()
        else:
            trace_id = parent.trace_id
            random_trace_id = parent.trace_flags.random_trace_id
        result = sdk.sampler.should_sample(context, trace_id, name, kind, attributes, links or ())
        flags = (
            trace_api.TraceFlags.SAMPLED
            if result.decision.is_sampled()  # type: ignore[no-untyped-call]
            else trace_api.TraceFlags.DEFAULT
        )
        if random_trace_id:
            flags |= trace_api.TraceFlags.RANDOM_TRACE_ID
        return trace_api.NonRecordingSpan(
            trace_api.SpanContext(
                trace_id,
                sdk.id_generator.generate_span_id(),
                is_remote=False,
                trace_flags=trace_api.TraceFlags(flags),
                trace_state=result.trace_state,
            )
        )

    @contextmanager  # the API types it with its own private context-manager class
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: Any = None,
        kind: trace_api.SpanKind = trace_api.SpanKind.INTERNAL,
        attributes: Any = None,
        links: Any = (),
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[trace_api.Span]:
        span = self.start_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
        )
        with trace_api.use_span(
            span,
            end_on_exit=end_on_exit,
            record_exception=record_exception,
            set_status_on_exception=set_status_on_exception,
        ) as current:
            yield current


class ObservabilityTracerProvider(TracerProvider):
    """The SDK's TracerProvider whose tracers skip recording while it has no span processor
    (see the module docstring). It counts the processors it is given itself, through the
    public ``add_span_processor``. Everything else is the SDK's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_span_processors = False
        self._lean_tracers: dict[int, _Tracer] = {}

    def add_span_processor(self, span_processor: SpanProcessor) -> None:
        super().add_span_processor(span_processor)
        self.has_span_processors = True

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace_api.Tracer:
        sdk = super().get_tracer(*args, **kwargs)
        if not isinstance(sdk, Tracer):  # the SDK's no-op tracer, after shutdown
            return sdk
        tracer = self._lean_tracers.get(id(sdk))
        if tracer is None or tracer._sdk is not sdk:
            tracer = self._lean_tracers[id(sdk)] = _Tracer(sdk, self)
        return tracer


#: The three root samplers; ``parentbased_<name>`` wraps one in :class:`ParentBased`. The
#: names a user may give are :data:`~pavedroad.observability.settings.SAMPLERS`, listed once.
_ROOT_SAMPLERS: dict[str, Callable[[float], Sampler]] = {
    "always_on": lambda ratio: ALWAYS_ON,
    "always_off": lambda ratio: ALWAYS_OFF,
    "traceidratio": TraceIdRatioBased,
}


def build_sampler(name: str, ratio: float) -> Sampler:
    """Return the sampler that ``OTEL_TRACES_SAMPLER`` ``name`` denotes, with ``ratio``."""
    if name not in SAMPLERS:
        raise ConfigurationError(
            f"sampler is not supported (the value is not shown); use one of: {', '.join(SAMPLERS)}."
        )
    root = _ROOT_SAMPLERS[name.removeprefix("parentbased_")](ratio)
    return ParentBased(root) if name.startswith("parentbased_") else root


def build_resource(settings: ObservabilitySettings) -> Resource:
    """Return the resource: the SDK's defaults (``telemetry.sdk.*``) under the resolved
    attributes. The attributes were already parsed strictly from ``OTEL_RESOURCE_ATTRIBUTES``
    and ``OTEL_SERVICE_NAME`` and override what the SDK's own lenient detector reads.
    """
    return Resource.create(dict(settings.resource_attributes))


def build_exporter(settings: ObservabilitySettings) -> SpanExporter | None:
    """Return the OTLP span exporter for the settings, or ``None`` without an endpoint.

    The endpoint, headers, timeout and compression are passed explicitly (the timeout
    converted from the specification's milliseconds to the seconds the Python exporters take),
    so an argument to :func:`configure` wins over the environment as everywhere else. TLS files
    are left to the exporters, which read the standard variables themselves.
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
        import grpc  # type: ignore[import-untyped]

        return GrpcSpanExporter(
            endpoint=endpoint,
            insecure=endpoint.startswith("http://"),
            headers=headers,
            timeout=settings.otlp_timeout_seconds,
            compression=(
                None
                if settings.otlp_compression is None
                else grpc.Compression.Gzip
                if settings.otlp_compression == "gzip"
                else grpc.Compression.NoCompression
            ),
        )
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(
        endpoint=endpoint,
        headers=headers,
        timeout=settings.otlp_timeout_seconds,
        compression=(
            None if settings.otlp_compression is None else Compression(settings.otlp_compression)
        ),
    )


def build_tracer_provider(
    settings: ObservabilitySettings,
    *,
    span_processors: Sequence[SpanProcessor] = (),
) -> TracerProvider:
    """Return a TracerProvider for ``settings``, with the OTLP batch processor if configured,
    followed by ``span_processors`` (for example an in-memory exporter in tests)."""
    provider = ObservabilityTracerProvider(
        sampler=build_sampler(settings.sampler, settings.sample_ratio),
        resource=build_resource(settings),
    )
    exporter = build_exporter(settings)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    for processor in span_processors:
        provider.add_span_processor(processor)
    return provider
