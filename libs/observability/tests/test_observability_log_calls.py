"""A log call never raises into the caller and never writes its raw arguments: a call whose
message cannot be formatted, or whose event cannot be processed or written, becomes an error
record (or a stderr note) that names the call without its arguments."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import observability_samples as samples
import pytest
import structlog
from observability_support import LogCapture
from pavedroad.observability import configure, get_logger
from pavedroad.observability.logs import PipelineHandler, emit

SECRET = samples.github_token()


@pytest.fixture
def json_capture(capture: LogCapture, monkeypatch: pytest.MonkeyPatch) -> LogCapture:
    configure(log_stream=capture.stream, log_format="json")
    # pytest's own capturing handler formats records too, and fails the test on a bad one.
    for handler in logging.getLogger().handlers:
        if not isinstance(handler, PipelineHandler):
            monkeypatch.setattr(handler, "emit", lambda record: None)
    return capture


def _assert_failure_record(record: dict[str, Any], template: str, level: str) -> None:
    assert record["event"] == "log message could not be formatted"
    assert record["level"] == "error"
    details = record["log_error"]
    assert details["template"] == template
    assert details["level"] == level
    assert details["error"] in {"TypeError", "KeyError", "ValueError"}
    assert details["callsite"].startswith(__name__ + ":")


@pytest.mark.parametrize(
    ("call", "level"),
    [
        (lambda log: log.info("user %s logged in with %s", SECRET), "info"),
        (lambda log: log.warning("user %s logged in with %s", SECRET, team="T1"), "warning"),
        (lambda log: log.msg("user %s logged in with %s", SECRET), "info"),
        (lambda log: log.log(logging.ERROR, "user %s logged in with %s", SECRET), "error"),
        (lambda log: log.info("user %(name)s logged in with %s", {"token": SECRET}), "info"),
        (lambda log: log.info("user %d logged in", SECRET), "info"),
    ],
)
def test_a_structlog_call_with_a_bad_template_does_not_raise_and_drops_its_arguments(
    json_capture: LogCapture, capsys: pytest.CaptureFixture[str], call: Any, level: str
) -> None:
    call(get_logger("tests"))  # must not raise
    (record,) = json_capture.records()
    _assert_failure_record(record, record["log_error"]["template"], level)
    assert SECRET not in json_capture.text()
    assert SECRET not in "".join(capsys.readouterr())


def test_keyword_fields_of_a_failed_call_are_kept_and_redacted(json_capture: LogCapture) -> None:
    get_logger("tests").info("a %s %s", 1, password="hunter2", team_id="T0123ABCD")
    (record,) = json_capture.records()
    assert record["password"] == "[REDACTED:password]"
    assert record["team_id"] == "T0123ABCD"
    assert record["log_error"]["arguments"] == 1


def test_the_exception_method_with_a_bad_template_keeps_the_exception(
    json_capture: LogCapture,
) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        get_logger("tests").exception("failed for %s and %s", SECRET)
    (record,) = json_capture.records()
    _assert_failure_record(record, "failed for %s and %s", "error")
    assert record["exception"][0]["exc_type"] == "RuntimeError"
    assert SECRET not in json_capture.text()


def test_async_methods_with_a_bad_template_do_not_raise(json_capture: LogCapture) -> None:
    log = get_logger("tests")

    async def main() -> None:
        await log.ainfo("token %s and %s", SECRET)
        await log.alog(logging.WARNING, "token %s and %s", SECRET)
        await log.ainfo("fine %s", 1)

    asyncio.run(main())
    records = json_capture.records()
    assert [r["event"] for r in records[:2]] == ["log message could not be formatted"] * 2
    assert records[2]["event"] == "fine 1"
    assert SECRET not in json_capture.text()


def test_a_good_template_still_formats(json_capture: LogCapture) -> None:
    log = get_logger("tests")
    log.info("%s of %d", "one", 2)
    log.info("%(a)s!", {"a": "hi"})
    log.debug("below the level %s %s", 1)  # filtered: not formatted at all
    assert [r["event"] for r in json_capture.records()] == ["one of 2", "hi!"]


def test_a_stdlib_call_with_a_bad_template_prints_no_arguments(
    json_capture: LogCapture, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger("tests.stdlib").warning("login %s with %s", SECRET, extra={"n": 1})
    (record,) = json_capture.records()
    assert record["event"] == "log message could not be formatted"
    assert record["level"] == "error"
    assert record["log_error"]["template"] == "login %s with %s"
    assert record["log_error"]["level"] == "warning"
    assert record["log_error"]["callsite"].startswith("test_observability_log_calls:")
    assert record["n"] == 1
    assert SECRET not in json_capture.text()
    assert SECRET not in "".join(capsys.readouterr())


def test_a_record_that_cannot_be_written_is_reported_without_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    configure(log_stream=stream, log_format="json")
    for handler in logging.getLogger().handlers:
        if not isinstance(handler, PipelineHandler):
            monkeypatch.setattr(handler, "emit", lambda record: None)
    stream.close()
    logging.getLogger("tests.closed").error("token %s", SECRET)
    err = capsys.readouterr().err
    assert "could not be written" in err and "tests.closed" in err
    assert SECRET not in err


def test_a_pipeline_failure_becomes_an_error_line_not_an_exception(
    json_capture: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = structlog.get_config()["processors"][0]

    def broken(*args: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(pipeline, "process", broken)
    get_logger("tests").info("anything", token=SECRET)
    logging.getLogger("tests.stdlib").info("anything")
    emit("tests.access", "info", {"event": "request handled", "token": SECRET})
    records = json_capture.records()
    assert [r["event"] for r in records] == ["log event could not be processed"] * 3
    assert records[0]["error"] == "RuntimeError"
    assert SECRET not in json_capture.text()


def test_a_structlog_line_that_cannot_be_written_does_not_raise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    configure(log_stream=stream, log_format="json")
    stream.close()
    get_logger("tests.closed").info("token", token=SECRET)  # must not raise
    err = capsys.readouterr().err
    assert "could not be written" in err and "tests.closed" in err
    assert SECRET not in err
