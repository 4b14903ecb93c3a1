"""The log pipeline: record structure, exceptions, correlation, parity, rendering choice."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import observability_samples as samples
import pytest
import structlog
from observability_support import ISO_UTC, LogCapture
from opentelemetry import trace
from pavedroad.observability import (
    LogSamplingPolicy,
    bind_correlation,
    bound_correlation,
    configure,
    get_logger,
    shutdown,
)


@pytest.fixture
def json_capture(capture: LogCapture) -> LogCapture:
    configure(log_stream=capture.stream, log_format="json", tracing=True)
    return capture


def test_every_record_has_timestamp_level_logger_and_event(json_capture: LogCapture) -> None:
    get_logger("payments.api").info("invoice sent", invoice_id="inv_1")
    (record,) = json_capture.records()
    assert ISO_UTC.fullmatch(record["timestamp"])
    parsed = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 60
    assert record["level"] == "info"
    assert record["logger"] == "payments.api"
    assert record["event"] == "invoice sent"
    assert record["invoice_id"] == "inv_1"


def test_logger_name_defaults_to_the_calling_module(json_capture: LogCapture) -> None:
    get_logger().info("a")
    structlog.get_logger().info("b")
    records = json_capture.records()
    assert [r["logger"] for r in records] == [__name__, __name__]


def test_exception_is_structured(json_capture: LogCapture) -> None:
    try:
        try:
            raise KeyError("inner")
        except KeyError as exc:
            raise ValueError("outer failure") from exc
    except ValueError:
        get_logger("tests").exception("request failed")
    (record,) = json_capture.records()
    assert record["level"] == "error"
    assert "exc_info" not in record
    outer, inner = record["exception"]
    assert outer["exc_type"] == "ValueError"
    assert outer["exc_value"] == "outer failure"
    assert outer["frames"][-1]["name"] == "test_exception_is_structured"
    assert {"filename", "lineno", "name"} <= set(outer["frames"][-1])
    assert "locals" not in outer["frames"][-1]
    assert inner["exc_type"] == "KeyError"


def test_exception_messages_are_redacted(json_capture: LogCapture) -> None:
    token = samples.slack_bot_token()
    try:
        raise RuntimeError(f"auth failed for {token}")
    except RuntimeError:
        get_logger("tests").exception("slack call failed")
        logging.getLogger("slack_sdk").exception("slack call failed")
    text = json_capture.text()
    assert token not in text
    assert text.count("auth failed for [REDACTED:slack_token]") == 2


def test_trace_and_span_ids_come_from_the_current_span(json_capture: LogCapture) -> None:
    tracer = trace.get_tracer("tests")
    get_logger("tests").info("outside")
    with (
        tracer.start_as_current_span("outer") as outer,
        tracer.start_as_current_span("inner") as inner,
    ):
        get_logger("tests").info("inside")
        logging.getLogger("stdlib").info("inside stdlib")
    outside, inside, inside_stdlib = json_capture.records()
    assert "trace_id" not in outside
    assert inside["trace_id"] == format(outer.get_span_context().trace_id, "032x")
    assert inside["span_id"] == format(inner.get_span_context().span_id, "016x")
    assert inside_stdlib["trace_id"] == inside["trace_id"]
    assert inside_stdlib["span_id"] == inside["span_id"]


def test_correlation_fields_come_from_context(
    json_capture: LogCapture, request: pytest.FixtureRequest
) -> None:
    # Importing SQLAlchemy anywhere in the process sets its loggers to WARNING; a service
    # that wants SQL logs sets INFO, as here.
    sql_logger = logging.getLogger("sqlalchemy.engine")
    previous = sql_logger.level
    sql_logger.setLevel(logging.INFO)
    request.addfinalizer(lambda: sql_logger.setLevel(previous))
    log = get_logger("tests")
    with bound_correlation(
        request_id="req-1",
        team_id="T0123ABCD",
        enterprise_id="E0123ABCD",
        user_id="U0123ABCD",
        tenant="acme",
    ):
        log.info("in request")
        logging.getLogger("sqlalchemy.engine").info("query")
    log.info("after request")
    in_request, query, after = json_capture.records()
    for record in (in_request, query):
        assert record["request_id"] == "req-1"
        assert record["team_id"] == "T0123ABCD"
        assert record["enterprise_id"] == "E0123ABCD"
        assert record["user_id"] == "U0123ABCD"
        assert record["tenant"] == "acme"
    assert "request_id" not in after


def test_correlation_follows_asyncio_tasks(json_capture: LogCapture) -> None:
    async def handler(request_id: str) -> None:
        bind_correlation(request_id=request_id)
        await asyncio.sleep(0)
        get_logger("tests").info("handled")

    async def main() -> None:
        await asyncio.gather(handler("a"), handler("b"))

    asyncio.run(main())
    assert sorted(r["request_id"] for r in json_capture.events("handled")) == ["a", "b"]


def test_structlog_and_stdlib_records_come_out_alike(json_capture: LogCapture) -> None:
    """Parity: the same event through both paths yields the same keys and values."""
    tracer = trace.get_tracer("tests")
    with (
        bound_correlation(request_id="req-9", team_id="T0123ABCD"),
        tracer.start_as_current_span("s"),
    ):
        get_logger("parity").warning("user updated", user="U0123ABCD", password="hunter2")
        logging.getLogger("parity").warning(
            "user updated", extra={"user": "U0123ABCD", "password": "hunter2"}
        )
        try:
            raise OSError("disk full")
        except OSError:
            get_logger("parity").exception("write failed")
            logging.getLogger("parity").exception("write failed")
    structlog_record, stdlib_record, structlog_error, stdlib_error = json_capture.records()
    for a, b in ((structlog_record, stdlib_record), (structlog_error, stdlib_error)):
        a_ts, b_ts = a.pop("timestamp"), b.pop("timestamp")
        assert ISO_UTC.fullmatch(a_ts) and ISO_UTC.fullmatch(b_ts)
        for record in (a, b):
            for frame in record.get("exception", [{}])[0].get("frames", []):
                frame.pop("lineno")
        assert a == b
    assert structlog_record["password"] == "[REDACTED:password]"
    assert structlog_error["exception"][0]["exc_value"] == "disk full"


def test_stdlib_positional_arguments_are_formatted_and_redacted(json_capture: LogCapture) -> None:
    token = samples.github_token()
    logging.getLogger("uvicorn.error").info("pushing with %s to %s", token, "origin")
    (record,) = json_capture.records()
    assert record["event"] == "pushing with [REDACTED:github_token] to origin"


def test_server_loggers_are_captured_into_the_pipeline(capture: LogCapture) -> None:
    uvicorn_logger = logging.getLogger("uvicorn.access")
    foreign = logging.StreamHandler(sys.stderr)
    uvicorn_logger.addHandler(foreign)
    uvicorn_logger.propagate = False
    configure(log_stream=capture.stream, log_format="json")
    assert foreign not in uvicorn_logger.handlers
    uvicorn_logger.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        "/",
        "1.1",
        200,
        extra={"color_message": "\x1b[1mGET\x1b[0m"},
    )
    (record,) = capture.records()
    assert record["logger"] == "uvicorn.access"
    assert record["event"] == '127.0.0.1:5000 - "GET / HTTP/1.1" 200'
    assert "color_message" not in record


def test_a_server_logger_silenced_on_purpose_stays_silent(capture: LogCapture) -> None:
    """uvicorn --no-access-log leaves uvicorn.access with no handlers and propagation off, and
    checks `hasHandlers()` when a connection opens: capturing it would log every request."""
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    configure(log_stream=capture.stream, log_format="json")
    assert not access.propagate and not access.hasHandlers()
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/", "1.1", 200)
    logging.getLogger("uvicorn.error").info("still captured")
    assert [r["event"] for r in capture.records()] == ["still captured"]


def test_level_filtering_applies_to_both_paths(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_level="WARNING")
    get_logger("tests").info("hidden")
    logging.getLogger("tests").info("hidden")
    get_logger("tests").warning("shown")
    logging.getLogger("tests").warning("shown")
    assert [r["event"] for r in capture.records()] == ["shown", "shown"]


@dataclasses.dataclass
class Credentials:
    user: str
    password: str


class Opaque:
    def __str__(self) -> str:
        return "opaque with " + samples.stripe_live_key()


def test_values_json_cannot_represent_are_rendered_and_redacted(json_capture: LogCapture) -> None:
    get_logger("tests").info(
        "odd values",
        creds=Credentials("svc", "pw-123"),
        tags={"b"},
        blob=b"\xff\x00raw",
        opaque=Opaque(),
        huge=2**70,
        when=datetime(2024, 1, 1, tzinfo=UTC),
        keys={1: "int key"},
    )
    (record,) = json_capture.records()
    assert record["creds"] == {"user": "svc", "password": "[REDACTED:password]"}
    assert record["tags"] == ["b"]
    assert record["blob"] == "\\xff\x00raw"
    assert record["opaque"] == "opaque with [REDACTED:stripe_key]"
    assert record["huge"] == str(2**70)
    assert record["when"] == "2024-01-01T00:00:00+00:00"
    assert record["keys"] == {"1": "int key"}


def test_a_lone_surrogate_does_not_break_logging(json_capture: LogCapture) -> None:
    get_logger("tests").info("bad text", value="a\udcffb")
    (record,) = json_capture.records()
    assert record["value"] == "a?b"


@pytest.mark.parametrize(
    ("environment", "tty", "log_format", "console"),
    [
        ("development", True, None, True),
        ("development", False, None, False),
        ("production", True, None, False),
        (None, True, None, False),  # unset environment means production
        ("production", False, "console", True),
        ("development", True, "json", False),
    ],
)
def test_console_renderer_only_on_a_terminal_outside_production(
    monkeypatch: pytest.MonkeyPatch,
    capture: LogCapture,
    environment: str | None,
    tty: bool,
    log_format: str | None,
    console: bool,
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    obs = configure(environment=environment, log_format=log_format, log_stream=capture.stream)
    assert obs.console is console
    get_logger("tests").info("rendered", password="pw")
    text = capture.text()
    assert "[REDACTED:password]" in text
    assert text.lstrip().startswith("{") is not console


def test_console_mode_redacts_exceptions(
    monkeypatch: pytest.MonkeyPatch, capture: LogCapture
) -> None:
    configure(log_format="console", log_stream=capture.stream)
    token = samples.slack_bot_token()
    try:
        raise RuntimeError(token)
    except RuntimeError:
        get_logger("tests").exception("failed")
    text = capture.text()
    assert token not in text
    assert "RuntimeError: [REDACTED:slack_token]" in text


def test_sampling_drops_and_reports(capture: LogCapture) -> None:
    configure(
        log_stream=capture.stream,
        log_sampling=LogSamplingPolicy(repeat_limit=2, repeat_window_seconds=3600),
    )
    log = get_logger("chatty")
    for _ in range(5):
        log.info("polling")
        logging.getLogger("chatty").info("polling")
    log.warning("disk almost full")
    shutdown()
    records = capture.records()
    assert [r["event"] for r in records].count("polling") == 2
    assert len(capture.events("disk almost full")) == 1
    (report,) = capture.events("log events dropped by sampling")
    assert report["logger"] == "pavedroad.observability.sampling"
    assert report["dropped_total"] == 8
    assert report["rate_limited"] == 8
    assert report["top_dropped"] == {"chatty:polling": 8}
    assert "_pavedroad_sampling_report" not in report


def test_events_in_a_sampled_trace_are_kept(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_sampling=LogSamplingPolicy(default_rate=0.0))
    log = get_logger("tests")
    log.info("unsampled and outside a trace")
    with trace.get_tracer("tests").start_as_current_span("sampled"):
        log.info("inside a sampled trace")
    assert [r["event"] for r in capture.records()] == ["inside a sampled trace"]


def test_get_logger_binds_initial_values(json_capture: LogCapture) -> None:
    get_logger("tests", component="worker").info("started")
    record: dict[str, Any] = json_capture.records()[0]
    assert record["component"] == "worker"
