"""The sampling processor in isolation, with a controlled clock and random source."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from pavedroad.observability import LogSampler, LogSamplingPolicy
from structlog import DropEvent


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _event(
    level: str = "info", logger: str = "app", event: str = "e", **extra: Any
) -> dict[str, Any]:
    return {"level": level, "logger": logger, "event": event, **extra}


def _kept(sampler: LogSampler, event: dict[str, Any]) -> bool:
    try:
        sampler(None, event["level"], event)
    except DropEvent:
        return False
    return True


def test_warnings_and_above_are_always_kept() -> None:
    sampler = LogSampler(
        LogSamplingPolicy(default_rate=0.0, repeat_limit=1), random_source=lambda: 0.99
    )
    for level in ("warning", "error", "critical"):
        assert all(_kept(sampler, _event(level)) for _ in range(10))


def test_per_logger_rates_use_the_longest_prefix() -> None:
    policy = LogSamplingPolicy(
        rates={"sqlalchemy": 0.5, "sqlalchemy.engine": 0.1}, repeat_limit=None
    )
    sampler = LogSampler(policy, random_source=lambda: 0.3)
    assert sampler.rate_for("sqlalchemy.engine.Engine") == 0.1
    assert sampler.rate_for("sqlalchemy.pool") == 0.5
    assert sampler.rate_for("sqlalchemyx") == 1.0
    assert not _kept(sampler, _event(logger="sqlalchemy.engine.Engine"))  # 0.3 >= 0.1
    assert _kept(sampler, _event(logger="sqlalchemy.pool"))  # 0.3 < 0.5
    assert _kept(sampler, _event(level="debug", logger="app"))


def test_repeats_are_rate_limited_per_key_and_window() -> None:
    clock = Clock()
    sampler = LogSampler(LogSamplingPolicy(repeat_limit=3, repeat_window_seconds=1.0), clock=clock)
    kept = [_kept(sampler, _event(event="poll")) for _ in range(5)]
    assert kept == [True, True, True, False, False]
    assert _kept(sampler, _event(event="other"))
    assert _kept(sampler, _event(event="poll", logger="other.logger"))
    clock.now += 1.0
    assert _kept(sampler, _event(event="poll"))


def test_exempt_loggers_are_never_dropped() -> None:
    sampler = LogSampler(LogSamplingPolicy(default_rate=0.0, repeat_limit=1))
    access = _event(logger="pavedroad.observability.access", event="request handled")
    assert all(_kept(sampler, dict(access)) for _ in range(5))


def test_events_of_sampled_traces_are_kept_and_unsampled_ones_are_not_special() -> None:
    sampler = LogSampler(LogSamplingPolicy(default_rate=0.0))
    tracer = TracerProvider().get_tracer("tests")
    with tracer.start_as_current_span("sampled"):
        assert _kept(sampler, _event(trace_id="x"))
    unsampled = TracerProvider(sampler=ALWAYS_OFF).get_tracer("tests")
    with unsampled.start_as_current_span("unsampled"):
        assert trace.get_current_span().get_span_context().is_valid
        assert not _kept(sampler, _event(trace_id="x"))


def test_drops_are_reported_once_per_interval() -> None:
    clock = Clock()
    reports: list[dict[str, Any]] = []
    sampler = LogSampler(
        LogSamplingPolicy(repeat_limit=1, report_interval_seconds=60.0),
        clock=clock,
        report=lambda **fields: reports.append(fields),
    )
    for _ in range(4):
        _kept(sampler, _event(event="poll"))
    assert reports == []
    clock.now += 61.0
    _kept(sampler, _event(event="next"))
    (report,) = reports
    assert report["dropped_total"] == 3
    assert report["rate_limited"] == 3
    assert report["sampled_out"] == 0
    assert report["top_dropped"] == {"app:poll": 3}
    sampler.flush()
    assert len(reports) == 1  # nothing new to report


def test_the_report_itself_passes_the_sampler() -> None:
    sampler = LogSampler(LogSamplingPolicy(default_rate=0.0))
    event = _event(_pavedroad_sampling_report=True)
    assert _kept(sampler, event)
    assert "_pavedroad_sampling_report" not in event


@pytest.mark.parametrize("rate", [-0.1, 1.1, float("nan")])
def test_invalid_rates_are_rejected(rate: float) -> None:
    with pytest.raises(ValueError, match=r"0\.\.1"):
        LogSamplingPolicy(default_rate=rate)


def test_every_sampler_name_the_settings_accept_builds_a_sampler() -> None:
    from opentelemetry.sdk.trace.sampling import ParentBased
    from pavedroad.observability.settings import SAMPLERS
    from pavedroad.observability.tracing import build_sampler

    for name in SAMPLERS:
        sampler = build_sampler(name, 0.5)
        assert isinstance(sampler, ParentBased) == name.startswith("parentbased_"), name
        assert ("0.5" in sampler.get_description()) == name.endswith("traceidratio"), name
