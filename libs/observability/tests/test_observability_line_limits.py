"""Size caps of JSON log lines: a field, a whole line, what is marked, and the settings."""

from __future__ import annotations

import json
import logging

import pytest
from observability_support import LogCapture
from pavedroad.observability import ConfigurationError, configure, get_logger, resolve_settings
from pavedroad.observability.line_limits import fit_line


def _lines(capture: LogCapture) -> list[str]:
    return [line for line in capture.text().splitlines() if line.strip()]


def test_a_10_mb_value_is_cut_to_the_field_cap_and_marked(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_format="json")
    body = "x" * (10 * 1024 * 1024)
    get_logger("tests").info("upload received", body=body, size=len(body))
    (line,) = _lines(capture)
    assert len(line.encode()) <= 64 * 1024
    record = json.loads(line)
    assert record["event"] == "upload received"
    assert record["size"] == len(body)
    assert 16 * 1024 - 64 <= len(json.dumps(record["body"])) <= 16 * 1024
    assert record["truncated"] == {"body": len(body) + 2}  # bytes of its JSON
    assert record["level"] == "info" and record["logger"] == "tests"


def test_the_stdlib_path_is_capped_too(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_format="json")
    logging.getLogger("tests.stdlib").warning("big %s", "é" * 100_000, extra={"n": 1})
    (line,) = _lines(capture)
    record = json.loads(line)
    assert len(line.encode()) <= 64 * 1024
    assert record["truncated"] == {
        "event": len(json.dumps("big " + "é" * 100_000, ensure_ascii=False).encode())
    }
    assert record["n"] == 1
    assert record["event"].startswith("big éé")


def test_many_fields_under_the_field_cap_are_cut_largest_first_to_fit_the_line(
    capture: LogCapture,
) -> None:
    configure(log_stream=capture.stream, log_format="json", log_max_line_bytes=32 * 1024)
    fields = {f"part{i}": str(i) * (12 * 1024) for i in range(1, 6)}
    get_logger("tests").info("parts", request_id="r-1", **fields)
    (line,) = _lines(capture)
    record = json.loads(line)
    assert len(line.encode()) <= 32 * 1024
    assert record["request_id"] == "r-1"
    assert record["truncated"]  # every cut field is listed with its original size
    for name, size in record["truncated"].items():
        assert size == 12 * 1024 + 2
        assert len(record[name]) < 12 * 1024
    uncut = [name for name in fields if name not in record["truncated"]]
    assert all(record[name] == fields[name] for name in uncut)


def test_a_large_nested_value_becomes_the_start_of_its_json(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_format="json", log_max_field_bytes=1024)
    rows = [{"id": i, "name": f"row {i}"} for i in range(1000)]
    get_logger("tests").info("rows", rows=rows)
    record = json.loads(_lines(capture)[0])
    assert record["rows"].startswith('[{"id":0,"name":"row 0"}')
    assert len(json.dumps(record["rows"])) <= 1024
    assert record["truncated"]["rows"] > 1024


def test_a_line_of_huge_keys_keeps_only_who_logged_what(capture: LogCapture) -> None:
    configure(log_stream=capture.stream, log_format="json")
    fields = {("k" * 40_000) + str(i): i for i in range(3)}
    get_logger("tests").error("odd keys", **fields)
    (line,) = _lines(capture)
    record = json.loads(line)
    assert len(line.encode()) <= 64 * 1024
    assert record["event"] == "odd keys" and record["level"] == "error"
    assert record["truncated"]["_line"] > 120_000


def test_fit_line_leaves_small_lines_alone() -> None:
    event = {"event": "small", "n": 1}
    line = json.dumps(event).encode()
    assert (
        fit_line(
            event, line, lambda v: json.dumps(v).encode(), max_field_bytes=256, max_line_bytes=1024
        )
        == line
    )


def test_caps_come_from_arguments_then_environment_then_defaults() -> None:
    defaults = resolve_settings(environ={})
    assert (defaults.log_max_field_bytes, defaults.log_max_line_bytes) == (16384, 65536)
    env = {"PAVEDROAD_LOG_MAX_FIELD_BYTES": "4096", "PAVEDROAD_LOG_MAX_LINE_BYTES": "8192"}
    from_env = resolve_settings(environ=env)
    assert (from_env.log_max_field_bytes, from_env.log_max_line_bytes) == (4096, 8192)
    from_args = resolve_settings(log_max_field_bytes=2048, environ=env)
    assert (from_args.log_max_field_bytes, from_args.log_max_line_bytes) == (2048, 8192)


def test_the_environment_caps_reach_the_pipeline(
    capture: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAVEDROAD_LOG_MAX_FIELD_BYTES", "512")
    configure(log_stream=capture.stream, log_format="json")
    get_logger("tests").info("e", note="n" * 5000)
    record = json.loads(_lines(capture)[0])
    assert len(json.dumps(record["note"])) <= 512
    assert record["truncated"] == {"note": 5002}


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"PAVEDROAD_LOG_MAX_FIELD_BYTES": "lots"}, "PAVEDROAD_LOG_MAX_FIELD_BYTES"),
        ({"PAVEDROAD_LOG_MAX_FIELD_BYTES": "12"}, "at least 256"),
        ({"PAVEDROAD_LOG_MAX_LINE_BYTES": "-1"}, "PAVEDROAD_LOG_MAX_LINE_BYTES"),
        ({"PAVEDROAD_LOG_MAX_LINE_BYTES": "100"}, "at least 1024"),
        (
            {"PAVEDROAD_LOG_MAX_FIELD_BYTES": "9000", "PAVEDROAD_LOG_MAX_LINE_BYTES": "4096"},
            "must fit in a line",
        ),
    ],
)
def test_bad_caps_are_errors_naming_the_variable(environ: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment) as raised:
        resolve_settings(environ=environ)
    assert next(iter(environ.values())) not in str(raised.value)


def test_bad_cap_arguments_are_errors() -> None:
    with pytest.raises(ConfigurationError, match="log_max_field_bytes"):
        resolve_settings(log_max_field_bytes=True, environ={})
    with pytest.raises(ConfigurationError, match="log_max_line_bytes"):
        resolve_settings(log_max_line_bytes=10, environ={})
