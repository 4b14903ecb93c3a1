"""Test helpers shared by the observability tests (imported by conftest and test modules)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from opentelemetry import trace
from opentelemetry.util._once import Once

#: An ISO-8601 UTC timestamp with microseconds, as the pipeline writes them.
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def reset_tracing_globals() -> None:
    """Let a test install a new global TracerProvider (OpenTelemetry allows one per process)."""
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None


class LogCapture:
    """A text stream with a binary buffer, like sys.stdout, that keeps what was written."""

    def __init__(self) -> None:
        self.raw = io.BytesIO()
        self.stream = io.TextIOWrapper(self.raw, encoding="utf-8", write_through=True)

    def text(self) -> str:
        self.stream.flush()
        return self.raw.getvalue().decode("utf-8")

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def events(self, event: str) -> list[dict[str, Any]]:
        return [record for record in self.records() if record.get("event") == event]
