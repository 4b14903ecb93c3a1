"""The minimal app the ASGI benchmark serves: bare, traced only, or with the full stack.

``BENCH_VARIANT=bare`` serves the plain FastAPI app. ``BENCH_VARIANT=tracing`` adds only the
official OpenTelemetry FastAPI instrumentation, set up as ``instrument_fastapi()`` sets it up
(its own OpenTelemetry metrics and per-message spans off), under ``configure()``'s tracer
provider: the floor any stack built on that instrumentation pays.
``BENCH_VARIANT=instrumented`` calls ``configure()`` (tracing on with the default sampler, or
the ratio in ``BENCH_SAMPLE_RATIO``; no exporter; JSON logs to /dev/null) and
``instrument_fastapi()`` (request IDs, correlation, RED metrics with exemplars, access log,
request spans from the OpenTelemetry instrumentation).
``BENCH_SPAN_PROCESSOR=1`` adds a span processor that does nothing, so spans are recorded.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

# FastAPI's own telemetry adds operation spans (dependencies, endpoint, serialisation) once a
# TracerProvider is installed; a service usually wants only the request span.
app = FastAPI(telemetry={"operation_spans": False})


@app.get("/items/{item_id}")
async def read_item(item_id: str) -> dict[str, str]:
    return {"item_id": item_id}


VARIANT = os.environ.get("BENCH_VARIANT", "bare")
if VARIANT in ("tracing", "instrumented"):
    from opentelemetry.sdk.trace import SpanProcessor
    from pavedroad.observability import configure
    from pavedroad.observability.fastapi import instrument_fastapi

    ratio = os.environ.get("BENCH_SAMPLE_RATIO")
    obs = configure(
        service_name="bench",
        log_stream=open(os.devnull, "w"),  # noqa: SIM115 - lives as long as the server
        log_format="json",
        sample_ratio=float(ratio) if ratio else None,
        # A processor that does nothing: spans are recorded, as with an exporter, minus export.
        span_processors=[SpanProcessor()] if os.environ.get("BENCH_SPAN_PROCESSOR") else (),
    )
    if VARIANT == "instrumented":
        instrument_fastapi(app, tracer_provider=obs.tracer_provider)
    else:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.metrics import NoOpMeterProvider

        FastAPIInstrumentor.instrument_app(
            app,
            tracer_provider=obs.tracer_provider,
            meter_provider=NoOpMeterProvider(),
            exclude_spans=["receive", "send"],
        )
