"""Shared fixtures: a clean library state, OpenTelemetry globals and a captured log stream."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
import structlog
from observability_support import LogCapture, reset_tracing_globals
from pavedroad.observability import lifecycle


def pytest_configure(config: pytest.Config) -> None:
    # The repository's root configuration declares these too; declaring them here keeps the
    # suite runnable on its own with --strict-markers.
    config.addinivalue_line("markers", "integration: talks to a real local server or process")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


@pytest.fixture(autouse=True)
def clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("OTEL_", "PAVEDROAD_", "PROMETHEUS_MULTIPROC")):
            monkeypatch.delenv(name, raising=False)
    lifecycle.shutdown()
    lifecycle._reset_for_tests()
    reset_tracing_globals()
    structlog.contextvars.clear_contextvars()
    yield
    lifecycle.shutdown()
    lifecycle._reset_for_tests()
    reset_tracing_globals()
    structlog.contextvars.clear_contextvars()
    logging.getLogger().setLevel(logging.WARNING)


@pytest.fixture
def capture() -> LogCapture:
    return LogCapture()
