"""The minimal app the ASGI benchmark serves: bare, or with the full observability stack.

``BENCH_VARIANT=bare`` serves the plain FastAPI app; ``BENCH_VARIANT=instrumented`` calls
``configure()`` (tracing on with ``BENCH_SAMPLE_RATIO``, default 1.0; no exporter; JSON logs
to /dev/null) and
``instrument_fastapi()`` (request IDs, correlation, RED metrics, access log, FastAPI spans).
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


if os.environ.get("BENCH_VARIANT") == "instrumented":
    from pavedroad.observability import configure
    from pavedroad.observability.fastapi import instrument_fastapi

    obs = configure(
        service_name="bench",
        log_stream=open(os.devnull, "w"),  # noqa: SIM115 - lives as long as the server
        log_format="json",
        sample_ratio=float(os.environ.get("BENCH_SAMPLE_RATIO", "1.0")),
    )
    instrument_fastapi(app, tracer_provider=obs.tracer_provider)
