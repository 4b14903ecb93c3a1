"""The minimal app the ASGI benchmark serves, bare or with one layer set of the observability
stack; ``BENCH_VARIANT`` picks it.

* ``bare``: the plain FastAPI app.
* ``official``: only the official OpenTelemetry FastAPI instrumentation (its own metrics and
  per-message spans off), under ``configure()``'s tracer provider: the floor of any stack on it.
* ``official-stack``: ``instrument_fastapi(instrumentation="official")``, the 0.2 stack.
* ``lean-span``: only the lean :class:`ServerSpanMiddleware`.
* ``correlation``: the lean span plus request IDs and log correlation (no metrics, no access log).
* ``metrics``: ... plus the RED metrics with exemplars.
* ``full``: ``instrument_fastapi()`` with the lean span: all of the above plus the access log.

Every traced variant calls ``configure()`` (default sampler, or ``BENCH_SAMPLE_RATIO``; no
exporter; JSON logs to /dev/null). ``BENCH_SPAN_PROCESSOR=1`` adds a batch span processor
whose exporter drops the spans, so every sampled span is recorded and queued as for export.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from fastapi import FastAPI

# FastAPI's native telemetry makes its own request span and operation spans once a tracer
# provider is installed: off, so each variant measures only the layers it names.
app = FastAPI(telemetry={"tracing": False, "operation_spans": False})


@app.get("/items/{item_id}")
async def read_item(item_id: str) -> dict[str, str]:
    return {"item_id": item_id}


VARIANT = os.environ.get("BENCH_VARIANT", "bare")
if VARIANT != "bare":
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
    from pavedroad.observability import ObservabilityMiddleware, configure
    from pavedroad.observability.fastapi import instrument_fastapi
    from pavedroad.observability.server_spans import ServerSpanMiddleware

    class DropExporter(SpanExporter):
        """Receives the batches and drops them: the cost of recording, minus the network."""

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    ratio = os.environ.get("BENCH_SAMPLE_RATIO")
    processors: list[SpanProcessor] = []
    if os.environ.get("BENCH_SPAN_PROCESSOR"):
        processors.append(BatchSpanProcessor(DropExporter()))
    obs = configure(
        service_name="bench",
        log_stream=open(os.devnull, "w"),  # noqa: SIM115 - lives as long as the server
        log_format="json",
        sample_ratio=float(ratio) if ratio else None,
        span_processors=processors,
    )
    provider = obs.tracer_provider
    if VARIANT == "official":
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.metrics import NoOpMeterProvider

        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=provider,
            meter_provider=NoOpMeterProvider(),
            exclude_spans=["receive", "send"],
        )
    elif VARIANT == "official-stack":
        instrument_fastapi(app, tracer_provider=provider, instrumentation="official")
    elif VARIANT == "full":
        instrument_fastapi(app, tracer_provider=provider, instrumentation="lean")
    elif VARIANT in ("lean-span", "correlation", "metrics"):
        if VARIANT != "lean-span":
            app.add_middleware(
                ObservabilityMiddleware,
                metrics_enabled=VARIANT == "metrics",
                access_log=False,
            )
        app.add_middleware(ServerSpanMiddleware, tracer_provider=provider)
    else:
        raise SystemExit(f"BENCH_VARIANT={VARIANT!r} is not a variant of app_under_test.py")
