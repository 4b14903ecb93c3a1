"""configure() and shutdown(): tracer setup, idempotency, zero-config output, errors."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
import structlog
from observability_support import LogCapture
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from pavedroad.observability import (
    ConfigurationError,
    configure,
    current,
    get_logger,
    redact,
    shutdown,
)
from pavedroad.observability.logs import PipelineHandler, active_pipeline, emit


def _pipeline_handlers() -> list[PipelineHandler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, PipelineHandler)]


def test_tracer_provider_is_installed_and_spans_are_created(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    obs = configure(
        service_name="checkout",
        service_version="1.4.0",
        resource_attributes={"team": "payments"},
        span_processors=[SimpleSpanProcessor(exporter)],
        log_stream=capture.stream,
    )
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    assert provider is obs.tracer_provider
    assert isinstance(provider.sampler, ParentBased)

    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("charge card") as span:
        span.set_attribute("amount", 10)
        get_logger("tests").info("charging")
    (finished,) = exporter.get_finished_spans()
    assert finished.name == "charge card"
    assert finished.attributes == {"amount": 10}
    assert finished.resource.attributes["service.name"] == "checkout"
    assert finished.resource.attributes["service.version"] == "1.4.0"
    assert finished.resource.attributes["team"] == "payments"
    assert finished.resource.attributes["telemetry.sdk.language"] == "python"
    (record,) = capture.events("charging")
    assert record["trace_id"] == format(finished.context.trace_id, "032x")
    assert record["span_id"] == format(finished.context.span_id, "016x")


def test_ratio_zero_samples_nothing_but_logs_keep_trace_ids(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    configure(
        sample_ratio=0.0,
        span_processors=[SimpleSpanProcessor(exporter)],
        log_stream=capture.stream,
    )
    with trace.get_tracer("tests").start_as_current_span("dropped"):
        get_logger("tests").warning("inside unsampled span")
    assert exporter.get_finished_spans() == ()
    (record,) = capture.events("inside unsampled span")
    assert len(record["trace_id"]) == 32


def test_no_endpoint_means_no_exporter(capture: LogCapture) -> None:
    obs = configure(log_stream=capture.stream)
    assert obs.tracer_provider is not None
    processors = obs.tracer_provider._active_span_processor._span_processors
    assert processors == ()


def test_endpoint_adds_one_batch_processor_with_otlp_http_exporter(capture: LogCapture) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    obs = configure(otlp_endpoint="http://127.0.0.1:1", log_stream=capture.stream)
    assert obs.tracer_provider is not None
    (processor,) = obs.tracer_provider._active_span_processor._span_processors
    assert isinstance(processor, BatchSpanProcessor)
    exporter = processor._batch_processor._exporter
    assert isinstance(exporter, OTLPSpanExporter)
    assert exporter._endpoint == "http://127.0.0.1:1/v1/traces"


def test_grpc_protocol_uses_the_grpc_exporter(capture: LogCapture) -> None:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    obs = configure(
        otlp_endpoint="http://127.0.0.1:1", otlp_protocol="grpc", log_stream=capture.stream
    )
    assert obs.tracer_provider is not None
    (processor,) = obs.tracer_provider._active_span_processor._span_processors
    assert isinstance(processor, BatchSpanProcessor)
    assert isinstance(processor._batch_processor._exporter, OTLPSpanExporter)


def test_configure_twice_adds_no_second_handler_or_processor(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    first = configure(
        otlp_endpoint="http://127.0.0.1:1", span_processors=[processor], log_stream=capture.stream
    )
    second = configure(
        otlp_endpoint="http://127.0.0.1:1", span_processors=[processor], log_stream=capture.stream
    )
    assert second is first
    assert len(_pipeline_handlers()) == 1
    assert first.tracer_provider is not None
    assert len(first.tracer_provider._active_span_processor._span_processors) == 2

    # A change of log settings replaces the pipeline; it still adds no handler or processor.
    third = configure(
        otlp_endpoint="http://127.0.0.1:1",
        span_processors=[processor],
        log_stream=capture.stream,
        log_level="DEBUG",
    )
    assert third is not first
    assert third.tracer_provider is first.tracer_provider
    assert len(_pipeline_handlers()) == 1
    assert len(first.tracer_provider._active_span_processor._span_processors) == 2
    get_logger("tests").info("once")
    assert len(capture.events("once")) == 1


def test_changing_tracing_settings_after_configure_is_an_error(capture: LogCapture) -> None:
    configure(sample_ratio=0.5, log_stream=capture.stream)
    with pytest.raises(ConfigurationError, match=r"changed: sample_ratio\)"):
        configure(sample_ratio=0.25, log_stream=capture.stream)


def test_the_changed_tracing_settings_are_named_without_their_values(
    capture: LogCapture,
) -> None:
    old, new = "Bearer " + "old-" + "k3y" * 6, "Bearer " + "new-" + "k3y" * 6
    configure(otlp_headers={"authorization": old}, log_stream=capture.stream)
    with pytest.raises(ConfigurationError, match=r"changed: otlp_headers\)") as raised:
        configure(otlp_headers={"authorization": new}, log_stream=capture.stream)
    assert old not in str(raised.value) and new not in str(raised.value)


def test_a_foreign_tracer_provider_is_not_silently_replaced(capture: LogCapture) -> None:
    trace.set_tracer_provider(TracerProvider())
    with pytest.raises(ConfigurationError, match="already installed"):
        configure(log_stream=capture.stream)
    obs = configure(tracing=False, log_stream=capture.stream)
    assert obs.tracer_provider is None


def test_sdk_disabled_installs_no_tracer_provider(
    capture: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    obs = configure(log_stream=capture.stream)
    assert obs.tracer_provider is None
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    get_logger("tests").info("still logging")
    assert capture.events("still logging")


def test_bad_environment_fails_configure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "sometimes")
    with pytest.raises(ConfigurationError, match="OTEL_TRACES_SAMPLER is not supported"):
        configure()
    assert current() is None


def test_shutdown_flushes_batched_spans(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    configure(
        span_processors=[BatchSpanProcessor(exporter, schedule_delay_millis=60_000)],
        log_stream=capture.stream,
    )
    with trace.get_tracer("tests").start_as_current_span("queued"):
        pass
    assert exporter.get_finished_spans() == ()
    assert shutdown() is True
    assert [span.name for span in exporter.get_finished_spans()] == ["queued"]
    assert current() is None


def test_shutdown_without_configure_is_a_no_op() -> None:
    assert shutdown() is True


def _log_each_way(event: str) -> None:
    """One line through structlog, one through stdlib logging, one through emit()."""
    get_logger("tests").info(event, path="structlog")
    logging.getLogger("tests").warning(event, extra={"path": "stdlib"})
    emit("tests", "info", {"event": event, "path": "emit"})


def test_the_handle_owns_its_pipeline_and_a_new_handle_takes_over(capture: LogCapture) -> None:
    processor = SimpleSpanProcessor(InMemorySpanExporter())
    first = configure(log_stream=capture.stream, span_processors=[processor])
    assert first.span_processors == (processor,)
    pipeline = first.log_pipeline
    assert active_pipeline() is pipeline
    assert [handler.pipeline for handler in _pipeline_handlers()] == [pipeline]
    assert pipeline.redactor is first.redactor and pipeline.sampler is first.sampler
    assert pipeline.trace_ids is first.trace_ids
    with trace.get_tracer("tests").start_as_current_span("owned") as span:
        ids = first.trace_ids()
    assert ids is not None and ids[1] == format(span.get_span_context().trace_id, "032x")

    # New log settings: a new handle with a pipeline, reader and redactor of its own, the same
    # TracerProvider, and the old pipeline gets none of the lines any more.
    later = LogCapture()
    second = configure(log_stream=later.stream, span_processors=[processor], redact_keys=["iban"])
    assert current() is second and second is not first
    assert second.tracer_provider is first.tracer_provider
    assert second.log_pipeline is not pipeline and second.trace_ids is not first.trace_ids
    assert active_pipeline() is second.log_pipeline
    _log_each_way("after reconfigure")
    assert capture.events("after reconfigure") == []
    paths = [record["path"] for record in later.events("after reconfigure")]
    assert paths == ["structlog", "stdlib", "emit"]


def test_shutdown_releases_the_handle_and_its_processors(capture: LogCapture) -> None:
    exporter = InMemorySpanExporter()
    handle = configure(
        log_stream=capture.stream,
        span_processors=[SimpleSpanProcessor(exporter)],
        redact_keys=["iban"],
    )
    assert handle.tracer_provider is not None
    assert shutdown() is True
    assert current() is None
    # The span processors are shut down: their exporter takes nothing more.
    assert exporter.export(()) is SpanExportResult.FAILURE
    with handle.tracer_provider.get_tracer("tests").start_as_current_span("after shutdown"):
        pass
    assert exporter.get_finished_spans() == ()
    # redact() is back to the built-in rules; the last pipeline stays installed, so a line
    # logged during exit is still JSON, still redacted by the rules it was configured with.
    assert redact({"iban": "DE89"}) == {"iban": "DE89"}
    _log_each_way("during exit")
    records = capture.events("during exit")
    assert [record["path"] for record in records] == ["structlog", "stdlib", "emit"]
    get_logger("tests").info("late", iban="DE89")
    assert capture.events("late")[0]["iban"] == "[REDACTED:iban]"
    assert shutdown() is True  # nothing left to release


def _run_without_settings(script: str) -> tuple[list[dict[str, Any]], str]:
    """Run `script` in a fresh interpreter with no OTEL_/PAVEDROAD_ variables; return its stdout
    as JSON lines, and its stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "PAVEDROAD_"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_the_exit_hook_shuts_down_the_active_handle_once() -> None:
    """configure() and shutdown() in a loop, then a configure() left open at exit: the exit
    hook (registered while a handle is active, removed by shutdown()) shuts the last handle
    down, which reports its sampled-out events exactly once."""
    script = textwrap.dedent(
        """
        from pavedroad.observability import LogSamplingPolicy, configure, get_logger, shutdown
        policy = LogSamplingPolicy(repeat_limit=1, repeat_window_seconds=3600)
        for round in range(3):
            configure(log_sampling=policy, log_format="json", tracing=False)
            shutdown()
        configure(log_sampling=policy, log_format="json", tracing=False)
        configure(log_sampling=policy, log_format="json", tracing=False, redact_keys=["iban"])
        for _ in range(3):
            get_logger("app").info("polling")
        """
    )
    lines, stderr = _run_without_settings(script)
    reports = [line for line in lines if line["event"] == "log events dropped by sampling"]
    assert [report["dropped_total"] for report in reports] == [2]
    assert stderr == ""


def test_zero_configuration_gives_json_logs_on_stdout() -> None:
    script = textwrap.dedent(
        """
        import logging
        from pavedroad.observability import configure, get_logger
        configure()
        get_logger("app").info("hello", answer=42)
        logging.getLogger("sqlalchemy.engine").warning("from stdlib")
        """
    )
    lines, stderr = _run_without_settings(script)
    assert [line["event"] for line in lines] == ["hello", "from stdlib"]
    assert lines[0]["answer"] == 42
    assert lines[1]["logger"] == "sqlalchemy.engine"
    assert stderr == ""


def test_structlog_defaults_are_replaced(capture: LogCapture) -> None:
    configure(log_stream=capture.stream)
    assert structlog.is_configured()
