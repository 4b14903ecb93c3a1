"""The fused log pipeline's fast paths: each gives the answer of the slow way it replaces."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

import observability_samples as samples
import pytest
import structlog
from observability_support import ISO_UTC, LogCapture
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pavedroad.observability import (
    LogSamplingPolicy,
    bind_correlation,
    bound_correlation,
    configure,
    get_logger,
    shutdown,
)
from pavedroad.observability.correlation import TraceIds
from pavedroad.observability.logs import LogPipeline, emit
from pavedroad.observability.redaction import Redactor
from pavedroad.observability.sampling import REPORT_MARKER, LogSampler


@pytest.fixture
def json_capture(capture: LogCapture) -> LogCapture:
    configure(log_stream=capture.stream, log_format="json")
    return capture


def test_fields_come_out_in_the_documented_order(json_capture: LogCapture) -> None:
    with (
        trace.get_tracer("tests").start_as_current_span("s"),
        bound_correlation(request_id="req-1"),
    ):
        get_logger("app.notes").info("note read", note_id="42")
        logging.getLogger("app.notes").info("note read", extra={"note_id": "42"})
    structlog_line, stdlib_line = json_capture.text().splitlines()
    tail = ["request_id", "level", "timestamp", "logger", "trace_id", "span_id"]
    assert re.findall(r'"(\w+)":', structlog_line) == ["note_id", "event", *tail]
    assert re.findall(r'"(\w+)":', stdlib_line) == ["event", "note_id", *tail]


def test_the_timestamp_is_the_clock_in_iso_utc_with_microseconds() -> None:
    pipeline = LogPipeline(Redactor(), LogSampler(LogSamplingPolicy(repeat_limit=None)))
    for _ in range(3):
        before = datetime.now(UTC)
        stamp = pipeline._timestamp()
        after = datetime.now(UTC)
        assert ISO_UTC.fullmatch(stamp)
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert before.replace(microsecond=before.microsecond // 1000 * 1000) <= parsed
        assert parsed <= after
        time.sleep(0.4)  # crosses a second boundary at least once


def test_context_values_are_redacted_and_follow_rebinding(json_capture: LogCapture) -> None:
    token = samples.slack_bot_token()
    log = get_logger("tests")
    bind_correlation(note=f"posting with {token}", api_token="abc", tenant="acme")
    log.info("first")
    bind_correlation(tenant="globex")
    log.info("second")
    tags: dict[str, Any] = {"team": "T0123ABCD"}
    bind_correlation(tags=tags)
    log.info("third")
    tags["password"] = "hunter2"  # a mutable context value changed between two lines
    log.info("fourth")
    first, second, third, fourth = json_capture.records()
    assert first["note"] == "posting with [REDACTED:slack_token]"
    assert first["api_token"] == "[REDACTED:token]"
    assert (first["tenant"], second["tenant"]) == ("acme", "globex")
    assert third["tags"] == {"team": "T0123ABCD"}
    assert fourth["tags"] == {"team": "T0123ABCD", "password": "[REDACTED:password]"}
    assert token not in json_capture.text()


def test_the_events_own_fields_win_over_context_on_both_paths(json_capture: LogCapture) -> None:
    with bound_correlation(user_id="U0000AAAA", tenant="acme"):
        get_logger("tests").info("a", user_id="U1111BBBB")
        logging.getLogger("tests").info("b", extra={"user_id": "U1111BBBB"})
    for record in json_capture.records():
        assert record["user_id"] == "U1111BBBB"
        assert record["tenant"] == "acme"


def test_stdlib_extra_fields_keep_their_order_and_late_attributes_are_kept(
    json_capture: LogCapture,
) -> None:
    class AddHost(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.host = "web-1"
            return True

    logger = logging.getLogger("tests.extra")
    logger.addFilter(AddHost())
    try:
        logger.info("one", extra={"zeta": 1, "alpha": 2, "color_message": "\x1b[1mx"})
    finally:
        logger.filters.clear()
    (record,) = json_capture.records()
    keys = list(record)
    assert keys.index("zeta") < keys.index("alpha")
    assert record["host"] == "web-1"
    assert "color_message" not in record and "message" not in record


def test_a_sampling_report_is_never_rendered_with_its_marker(json_capture: LogCapture) -> None:
    # The policy keeps everything, so the pipeline runs no sampler, but a report from the
    # previous pipeline's sampler can still arrive.
    structlog.get_logger("pavedroad.observability.sampling").info(
        "log events dropped by sampling", **{REPORT_MARKER: True, "dropped_total": 1}
    )
    configure(
        log_stream=json_capture.stream,
        log_format="json",
        log_sampling=LogSamplingPolicy(repeat_limit=None),
    )
    structlog.get_logger("pavedroad.observability.sampling").info(
        "log events dropped by sampling", **{REPORT_MARKER: True, "dropped_total": 2}
    )
    records = json_capture.records()
    assert [r["dropped_total"] for r in records] == [1, 2]
    assert all(REPORT_MARKER not in r for r in records)


def test_emit_writes_what_a_structlog_call_writes(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_format="json")
    fields = {"method": "GET", "route": "/x", "status": 200, "duration_ms": 1.5, "event": "done"}
    with bound_correlation(request_id="req-7"):
        emit("pavedroad.observability.access", "info", dict(fields))
        structlog.get_logger("pavedroad.observability.access").info(**fields)
    direct, via_structlog = capture.records()
    assert direct.pop("timestamp") and via_structlog.pop("timestamp")
    assert direct == via_structlog


def test_emit_respects_the_level_and_a_replaced_structlog_setup(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_format="json", log_level="WARNING")
    emit("tests", "info", {"event": "hidden"})
    emit("tests", "error", {"event": "shown"})
    assert [r["event"] for r in capture.records()] == ["shown"]
    seen: list[dict[str, Any]] = []

    def keep(logger: Any, method: str, event_dict: Any) -> Any:
        seen.append(dict(event_dict))
        raise structlog.DropEvent

    structlog.configure(processors=[keep])  # the level filter of configure() stays
    emit("tests", "error", {"event": "elsewhere"})
    assert seen == [{"event": "elsewhere"}]


def test_trace_ids_are_the_apis_answer(capture: LogCapture) -> None:
    configure(log_stream=capture.stream)
    fast = TraceIds()
    assert fast() is None
    with trace.use_span(trace.INVALID_SPAN):  # an invalid span made current
        assert fast() is None
    tracer = trace.get_tracer("tests")

    def expected() -> tuple[str, str, bool]:
        context = trace.get_current_span().get_span_context()
        return (
            format(context.trace_id, "032x"),
            format(context.span_id, "016x"),
            bool(context.trace_flags.sampled),
        )

    with tracer.start_as_current_span("outer"):
        outer = fast()
        assert outer is not None and outer[1:] == expected()
        with tracer.start_as_current_span("inner"):
            inner = fast()
            assert inner is not None and inner[1:] == expected() and inner[2] != outer[2]
        assert fast() == outer
    remote = SpanContext(0x1234, 0x5678, is_remote=True, trace_flags=TraceFlags(0))
    with trace.use_span(NonRecordingSpan(remote)):
        ids = fast()
        assert ids is not None
        assert ids[1:] == ("0" * 28 + "1234", "0" * 12 + "5678", False)
    assert fast() is None


def test_without_a_span_processor_spans_carry_ids_but_are_not_recorded(
    capture: LogCapture,
) -> None:
    obs = configure(log_stream=capture.stream)
    assert obs.tracer_provider is not None
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("nobody sees this") as span:
        assert not span.is_recording()
        context = span.get_span_context()
        assert context.is_valid and context.trace_flags.sampled
        with tracer.start_as_current_span("child") as child:
            assert child.get_span_context().trace_id == context.trace_id
        get_logger("tests").info("inside")
    (record,) = capture.records()
    assert record["trace_id"] == format(context.trace_id, "032x")

    exporter = InMemorySpanExporter()
    obs.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    with tracer.start_as_current_span("recorded") as span:
        assert span.is_recording()
    assert [s.name for s in exporter.get_finished_spans()] == ["recorded"]


def test_the_sampler_still_decides_for_unrecorded_spans(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, sample_ratio=0.0)
    with trace.get_tracer("tests").start_as_current_span("dropped") as span:
        assert span.get_span_context().is_valid
        assert not span.get_span_context().trace_flags.sampled


def test_a_span_processor_given_to_configure_records_spans(capture: LogCapture) -> None:
    ended: list[ReadableSpan] = []

    class Collect(SpanProcessor):
        def on_end(self, span: ReadableSpan) -> None:
            ended.append(span)

    configure(log_stream=capture.stream, span_processors=[Collect()])
    with trace.get_tracer("tests").start_as_current_span("kept") as span:
        assert span.is_recording()
    assert [s.name for s in ended] == ["kept"]
    shutdown()
