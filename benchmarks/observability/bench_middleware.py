"""CPU time per request of each layer of the ASGI stack, in process, without a server.

    python benchmarks/observability/bench_middleware.py [--rounds 7] [--requests 20000]
        [--span-processor] [--sample-ratio R]

The same minimal ASGI app (one response start, one body) is called directly, with the layers
added one at a time: the lean server span, then request ID and correlation, then the RED
metrics with exemplars, then the access log (JSON to /dev/null); beside them, the official
OpenTelemetry ASGI middleware alone and with the 0.2 stack. No sockets, no HTTP parsing, no
framework: what is left is the layers' own cost, which is what ``bench_asgi.py``'s
whole-server figures cannot isolate on a busy machine. Every round runs every setup once in
a rotated order and measures CPU time (``time.process_time``); printed are the medians over
rounds and each part's cost as the difference of two setups' medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from pavedroad.observability import HTTPMetrics, ObservabilityMiddleware, configure
from pavedroad.observability.asgi import instrument_asgi
from pavedroad.observability.server_spans import ServerSpanMiddleware
from prometheus_client import CollectorRegistry

SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/items/42",
    "raw_path": b"/items/42",
    "query_string": b"",
    "root_path": "",
    "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench/1.0")],
    "client": ("127.0.0.1", 50000),
    "server": ("127.0.0.1", 8000),
}
START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
BODY = {"type": "http.response.body", "body": b"{}"}


class DropExporter(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


async def app(scope: Any, receive: Any, send: Any) -> None:
    await send(START)
    await send(BODY)


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: Any) -> None:
    return None


def setups(provider: Any) -> dict[str, Callable[..., Any]]:
    def obs(metrics: bool, access_log: bool) -> ObservabilityMiddleware:
        return ObservabilityMiddleware(
            app,
            metrics=HTTPMetrics(CollectorRegistry()) if metrics else None,
            metrics_enabled=metrics,
            access_log=access_log,
            route_resolver=lambda scope: "/items/{item_id}",
        )

    def lean(inner: Any) -> ServerSpanMiddleware:
        return ServerSpanMiddleware(
            inner, tracer_provider=provider, route_resolver=lambda scope: "/items/{item_id}"
        )

    def official() -> Any:
        return instrument_asgi(
            app,
            tracer_provider=provider,
            metrics=HTTPMetrics(CollectorRegistry()),
            instrumentation="official",
            route_resolver=lambda scope: "/items/{item_id}",
        )

    return {
        "bare": app,
        "lean span": lean(app),
        "+ correlation": lean(obs(metrics=False, access_log=False)),
        "+ metrics": lean(obs(metrics=True, access_log=False)),
        "full (lean)": lean(obs(metrics=True, access_log=True)),
        "official stack (0.2)": official(),
    }


async def _drive(target: Callable[..., Any], count: int) -> None:
    for _ in range(count):
        await target(dict(SCOPE), receive, send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--span-processor", action="store_true")
    parser.add_argument("--sample-ratio", type=float, default=None)
    args = parser.parse_args()
    processors: list[SpanProcessor] = (
        [BatchSpanProcessor(DropExporter())] if args.span_processor else []
    )
    handle = configure(
        service_name="bench",
        log_stream=open(os.devnull, "w"),  # noqa: SIM115 - lives as long as the run
        log_format="json",
        sample_ratio=args.sample_ratio,
        span_processors=processors,
    )
    targets = setups(handle.tracer_provider)
    names = list(targets)
    costs: dict[str, list[float]] = {name: [] for name in names}
    loop = asyncio.new_event_loop()
    for name in names:  # warm up every cache once
        loop.run_until_complete(_drive(targets[name], 1000))
    for index in range(args.rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            started = time.process_time()
            loop.run_until_complete(_drive(targets[name], args.requests))
            costs[name].append((time.process_time() - started) / args.requests * 1e6)
    medians = {name: statistics.median(values) for name, values in costs.items()}
    mode = "spans recorded (batch processor)" if args.span_processor else "spans not recorded"
    print(f"{args.rounds} rounds x {args.requests} requests, {mode}, CPU us per request:")
    for name in names:
        extra = medians[name] - medians["bare"]
        print(f"  {name:<22} {medians[name]:7.1f} us  (+{extra:5.1f} over bare)")
    for part, upper, lower in (
        ("span", "lean span", "bare"),
        ("correlation + request ID", "+ correlation", "lean span"),
        ("RED metrics + exemplars", "+ metrics", "+ correlation"),
        ("access log", "full (lean)", "+ metrics"),
    ):
        print(f"  part {part:<26} {medians[upper] - medians[lower]:6.1f} us")
    overhead = medians["official stack (0.2)"] - medians["bare"]
    lean = medians["full (lean)"] - medians["bare"]
    print(f"  the lean stack costs {lean / overhead:.2f} of the 0.2 stack's overhead")


if __name__ == "__main__":
    main()
