"""Database (SQLAlchemy) and HTTP client (aiohttp) spans: names, attributes, parents, the
compatibility with the official SQLAlchemy instrumentation, and that no bound parameter or
token ever reaches a span."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pavedroad.observability import ConfigurationError, configure, resolve_settings, shutdown
from pavedroad.observability.database_spans import (
    is_database_instrumented,
    operation_and_table,
)
from pavedroad.observability.http_client_spans import is_http_client_instrumented

SECRET = "s3cr3t-bound-parameter-value"
TOKEN = "xoxb-1234567890-abcdefghijklmnop"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def _configure(exporter: InMemorySpanExporter, **kwargs: Any) -> None:
    configure(
        service_name="client-spans",
        span_processors=[SimpleSpanProcessor(exporter)],
        log_format="json",
        **kwargs,
    )


def _everything_recorded(spans: tuple[ReadableSpan, ...] | list[ReadableSpan]) -> str:
    """Every name, attribute, event and status text of ``spans``, as one string to search."""
    return json.dumps(
        [
            {
                "name": span.name,
                "attributes": dict(span.attributes or {}),
                "events": [(e.name, dict(e.attributes or {})) for e in span.events],
                "status": span.status.description,
                "resource": dict(span.resource.attributes),
            }
            for span in spans
        ],
        default=str,
    )


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT id, body FROM notes WHERE id = ?", ("SELECT", "notes")),
        ("  -- list\n/* all */ select * from public.notes", ("SELECT", "public.notes")),
        ('INSERT INTO "notes" (body) VALUES ($1)', ("INSERT", "notes")),
        ("UPDATE notes SET body = :body WHERE id = :id", ("UPDATE", "notes")),
        ("DELETE FROM notes WHERE id = %(id)s", ("DELETE", "notes")),
        ("SELECT count(*) FROM (SELECT 1) AS x", ("SELECT", None)),
        ("SELECT 1", ("SELECT", None)),
        ("PRAGMA main.table_info(notes)", ("PRAGMA", None)),
        ("", (None, None)),
    ],
)
def test_operation_and_table_from_statement_text(
    statement: str, expected: tuple[str | None, str | None]
) -> None:
    assert operation_and_table(statement) == expected


def test_settings_default_off_and_read_from_environment() -> None:
    settings = resolve_settings(environ={})
    assert (settings.instrument_database, settings.instrument_http_client) == (False, False)
    settings = resolve_settings(
        environ={"PAVEDROAD_INSTRUMENT_DATABASE": "true", "PAVEDROAD_INSTRUMENT_HTTP_CLIENT": "1"}
    )
    assert (settings.instrument_database, settings.instrument_http_client) == (True, True)
    settings = resolve_settings(
        instrument_database=False, environ={"PAVEDROAD_INSTRUMENT_DATABASE": "true"}
    )
    assert settings.instrument_database is False
    with pytest.raises(ConfigurationError, match="PAVEDROAD_INSTRUMENT_HTTP_CLIENT is not a bool"):
        resolve_settings(environ={"PAVEDROAD_INSTRUMENT_HTTP_CLIENT": "maybe"})


def test_configure_installs_and_shutdown_removes(exporter: InMemorySpanExporter) -> None:
    _configure(exporter, instrument_database=True, instrument_http_client=True)
    assert is_database_instrumented() and is_http_client_instrumented()
    shutdown()
    assert not is_database_instrumented() and not is_http_client_instrumented()
    # Tracing off: nothing to record spans into, so nothing is installed.
    configure(tracing=False, instrument_database=True, log_format="json")
    assert not is_database_instrumented()


@pytest.fixture
def notes_engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def _run_statements(engine: sa.Engine) -> None:
    """An insert with a secret bound parameter, a select, an update and a failing statement."""
    notes = sa.table("notes", sa.column("id"), sa.column("body"))
    with engine.begin() as conn:
        conn.execute(sa.insert(notes).values(body=SECRET))
        conn.execute(sa.select(notes.c.id).where(notes.c.body == SECRET)).all()
        conn.execute(sa.update(notes).where(notes.c.id == 1).values(body=SECRET + "2"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO notes (id, body) VALUES (1, :body)"), {"body": SECRET})


def test_database_spans_name_operation_and_table_as_children(
    exporter: InMemorySpanExporter, notes_engine: sa.Engine
) -> None:
    _configure(exporter, instrument_database=True)
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("request") as parent:
        _run_statements(notes_engine)
    spans = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert [s.name for s in spans] == [
        "INSERT notes",
        "SELECT notes",
        "UPDATE notes",
        "INSERT notes",
    ]
    for span in spans:
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        attributes = dict(span.attributes or {})
        assert attributes["db.system.name"] == "sqlite"
        assert attributes["db.collection.name"] == "notes"
        assert attributes["db.operation.name"] == span.name.split()[0]
        assert "db.query.text" not in attributes
    failed = spans[-1]
    assert failed.status.status_code is StatusCode.ERROR
    assert dict(failed.attributes or {})["error.type"] == "IntegrityError"
    assert all(s.status.status_code is StatusCode.UNSET for s in spans[:-1])


def test_database_spans_match_the_official_instrumentation(
    exporter: InMemorySpanExporter, notes_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same statements through the official SQLAlchemy instrumentation (its real output):
    the same spans, kinds, parents, statuses and database system; the lean names add the
    table the current conventions ask for, where the official ones name the database."""
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "database")
    _configure(exporter, instrument_database=True)
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("request"):
        _run_statements(notes_engine)
    lean = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    shutdown()

    official_exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(official_exporter))
    official_tracer = provider.get_tracer("test")
    instrumentor = SQLAlchemyInstrumentor()
    # Its declared range stops below SQLAlchemy 2.1, which it runs against unchanged.
    instrumentor.instrument(engine=notes_engine, tracer_provider=provider, skip_dep_check=True)
    try:
        with official_tracer.start_as_current_span("request"):
            _run_statements(notes_engine)
    finally:
        instrumentor.uninstrument()
    # The official instrumentation adds a span per new pool connection; the lean one traces
    # statements only.
    official = [
        s
        for s in official_exporter.get_finished_spans()
        if s.kind is SpanKind.CLIENT and s.name != "connect"
    ]

    def shape(spans: list[ReadableSpan]) -> list[tuple[Any, ...]]:
        roots = {s.context.span_id for s in spans}
        rows = []
        for span in spans:
            attributes = dict(span.attributes or {})
            rows.append(
                (
                    span.name.split()[0],
                    span.kind,
                    span.status.status_code,
                    span.parent is not None and span.parent.span_id not in roots,
                    attributes.get("db.system.name", attributes.get("db.system")),
                    attributes.get("server.address"),
                    attributes.get("server.port"),
                )
            )
        return rows

    assert shape(lean) == shape(official)
    # Where the official output carries the statement, ours does not: its parameters are
    # placeholders, but a literal in the SQL would be recorded as it is.
    assert any(
        "db.query.text" in (s.attributes or {}) or "db.statement" in (s.attributes or {})
        for s in official
    )
    assert SECRET not in _everything_recorded(lean)


class _SlackStandIn:
    """A loopback Slack Web API that records the headers it was sent."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.headers.append(dict(request.headers))
        if request.path.endswith("/fail"):
            return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})


async def _call_slack(calls: list[tuple[str, str]]) -> _SlackStandIn:
    stand_in = _SlackStandIn()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stand_in.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session:
            for method, path in calls:
                async with session.request(
                    method,
                    f"http://127.0.0.1:{port}{path}",
                    params={"token": TOKEN, "channel": "C123"},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    data={"token": TOKEN} if method == "POST" else None,
                ) as response:
                    await response.read()
        # A refused connection: the port the stand-in had, now closed.
        await runner.cleanup()
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.ClientConnectionError):
                await session.get(f"http://127.0.0.1:{port}/api/auth.test?token={TOKEN}")
    finally:
        await runner.cleanup()
    return stand_in


def test_http_client_spans_name_slack_methods_and_never_record_tokens(
    exporter: InMemorySpanExporter,
) -> None:
    _configure(exporter, instrument_http_client=True)
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("request") as parent:
        stand_in = asyncio.run(
            _call_slack(
                [("POST", "/api/chat.postMessage"), ("GET", "/other/path"), ("GET", "/fail")]
            )
        )
    spans = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert [s.name for s in spans] == ["chat.postMessage", "GET", "GET", "auth.test"]
    post, other, failed, refused = (dict(s.attributes or {}) for s in spans)
    assert post["http.request.method"] == "POST"
    assert post["server.address"] == "127.0.0.1"
    assert post["url.full"].endswith("/api/chat.postMessage")
    assert post["http.response.status_code"] == 200
    assert failed["http.response.status_code"] == 500 and failed["error.type"] == "500"
    assert spans[2].status.status_code is StatusCode.ERROR
    assert refused["error.type"] == "ClientConnectorError"
    assert spans[3].status.status_code is StatusCode.ERROR
    assert "?" not in other["url.full"]
    for span in spans:
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
    # The trace context went out with the request; the token only where it was put.
    sent = stand_in.headers[0]
    assert sent["traceparent"].split("-")[2] == format(spans[0].context.span_id, "016x")
    assert TOKEN not in _everything_recorded(spans)
    assert "Bearer" not in _everything_recorded(spans)


def test_no_token_or_parameter_reaches_any_span_with_both_on(
    exporter: InMemorySpanExporter, notes_engine: sa.Engine
) -> None:
    """Both instrumentations at once, and the request spans around them."""
    _configure(exporter, instrument_database=True, instrument_http_client=True)
    with trace.get_tracer("test").start_as_current_span("request"):
        _run_statements(notes_engine)
        asyncio.run(_call_slack([("GET", "/api/conversations.list")]))
    spans = exporter.get_finished_spans()
    assert len([s for s in spans if s.kind is SpanKind.CLIENT]) == 6
    recorded = _everything_recorded(spans)
    assert SECRET not in recorded and TOKEN not in recorded
