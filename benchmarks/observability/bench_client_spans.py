"""CPU time per database statement and per HTTP client request, with and without client spans.

    python benchmarks/observability/bench_client_spans.py [--rounds 7] [--statements 5000]
        [--requests 1000] [--sampled-out]

Database: the same indexed ``SELECT`` on an in-memory SQLite engine, bare, with the library's
lean SQLAlchemy spans, and with the official OpenTelemetry SQLAlchemy instrumentation (engine
level, as it is documented). HTTP client: aiohttp requests to a loopback aiohttp server in the
same process, bare and with the lean aiohttp spans (the official aiohttp-client instrumentation
has no release for the pinned OpenTelemetry packages; see the library README). Spans are
recorded into a processor that drops them, so the figures are the instrumentation's own cost
(``--sampled-out`` uses the ``always_off`` sampler instead: spans that are not recorded).

Every round runs every setup once, in a rotated order, and measures CPU time
(``time.process_time``); printed are the medians over rounds, each setup's ratio to the bare
one, and its cost per call in microseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

import aiohttp
import sqlalchemy as sa
from aiohttp import web
from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON
from pavedroad.observability.database_spans import instrument_database, uninstrument_database
from pavedroad.observability.http_client_spans import (
    instrument_http_client,
    uninstrument_http_client,
)


class _Drop(SpanProcessor):
    """Receives every ended span and keeps none."""

    def on_end(self, span: ReadableSpan) -> None:
        pass


def _engine() -> sa.Engine:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(
            sa.text("INSERT INTO notes (id, body) VALUES (:id, :body)"),
            [{"id": i, "body": f"note {i}"} for i in range(100)],
        )
    return engine


def _statements(engine: sa.Engine, count: int) -> float:
    query = sa.text("SELECT body FROM notes WHERE id = :id")
    with engine.connect() as conn:
        started = time.process_time()
        for i in range(count):
            conn.execute(query, {"id": i % 100}).scalar_one()
        return time.process_time() - started


def database_setups(provider: TracerProvider, count: int) -> dict[str, Callable[[], float]]:
    engine = _engine()

    def bare() -> float:
        return _statements(engine, count)

    def lean() -> float:
        instrument_database()
        try:
            return _statements(engine, count)
        finally:
            uninstrument_database()

    def official() -> float:
        instrumentor = SQLAlchemyInstrumentor()
        # Its declared range stops below SQLAlchemy 2.1, which it runs against unchanged.
        instrumentor.instrument(engine=engine, tracer_provider=provider, skip_dep_check=True)
        try:
            return _statements(engine, count)
        finally:
            instrumentor.uninstrument()

    return {"bare": bare, "lean": lean, "official": official}


async def _requests(url: str, count: int) -> float:
    async with aiohttp.ClientSession() as session:
        started = time.process_time()
        for _ in range(count):
            async with session.post(url, data={"channel": "C1", "text": "hi"}) as response:
                await response.read()
        return time.process_time() - started


def http_setups(count: int) -> tuple[dict[str, Callable[[], float]], Callable[[], None]]:
    loop = asyncio.new_event_loop()

    async def ok(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", ok)
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/api/chat.postMessage"

    def bare() -> float:
        return loop.run_until_complete(_requests(url, count))

    def lean() -> float:
        instrument_http_client()
        try:
            return loop.run_until_complete(_requests(url, count))
        finally:
            uninstrument_http_client()

    def close() -> None:
        loop.run_until_complete(runner.cleanup())
        loop.close()

    return {"bare": bare, "lean": lean}, close


def measure(setups: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    names = list(setups)
    for name in names:  # warm-up
        setups[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            times[name].append(setups[name]())
    return times


def report(title: str, times: dict[str, list[float]], count: int) -> None:
    bare = statistics.median(times["bare"]) / count * 1e6
    print(f"\n{title} (CPU µs per call, median of {len(times['bare'])} rounds)")
    print(f"{'setup':<10} {'µs/call':>9} {'x bare':>8} {'+µs':>7}")
    for name, values in times.items():
        per_call = statistics.median(values) / count * 1e6
        print(f"{name:<10} {per_call:>9.2f} {per_call / bare:>8.2f} {per_call - bare:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--sampled-out", action="store_true")
    args = parser.parse_args()

    provider = TracerProvider(sampler=ALWAYS_OFF if args.sampled_out else ALWAYS_ON)
    provider.add_span_processor(_Drop())
    trace.set_tracer_provider(provider)
    mode = "spans not recorded (always_off)" if args.sampled_out else "spans recorded"
    with trace.get_tracer("bench").start_as_current_span("request"):
        report(
            f"SQLAlchemy, SQLite in memory, {mode}",
            measure(database_setups(provider, args.statements), args.rounds),
            args.statements,
        )
        setups, close = http_setups(args.requests)
        try:
            report(
                f"aiohttp client, loopback server, {mode}",
                measure(setups, args.rounds),
                args.requests,
            )
        finally:
            close()


if __name__ == "__main__":
    main()
