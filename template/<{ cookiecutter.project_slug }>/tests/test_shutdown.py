"""The real process: SIGTERM drains in order within its bound; the migrate command; bad settings."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx2 as httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before ready")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server was not ready within {timeout:.0f} s")


def test_sigterm_drains_in_order_and_exits_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
        "APP_PORT": str(port),
        "APP_SHUTDOWN_DELAY_SECONDS": "1.5",
        "APP_DRAIN_SECONDS": "5",
<%- if cookiecutter.database == 'postgresql' %>
        "APP_SQLITE_PATH": str(tmp_path / "app.sqlite3"),
<%- endif %>
        "OTEL_TRACES_EXPORTER": "none",
    }
    # The log goes to a file, not a pipe: an unread pipe fills up and blocks the server.
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "<{ cookiecutter.package_name }>", "serve"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(url, process)
        with httpx.Client(base_url=url, timeout=5) as client:
            process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            # Readiness fails at once, while the listener still serves requests.
            assert client.get("/readyz").status_code == 503
            assert client.get("/livez").status_code == 200
        returncode = process.wait(timeout=60)  # a hang guard, not a measurement
    finally:
        if process.poll() is None:
            process.kill()
        output = log.read_text(errors="replace")
    assert returncode == 0, output
    # The order and the bounds, on the server's own clock: how long this machine takes to start
    # or tear down an interpreter is not the service's behaviour.
    at = _event_times(output)
    requested = at["shutdown requested: readiness now fails"]
    assert at["Shutting down"] - requested >= 1.4, f"the listener closed before the delay\n{output}"
    assert at["service stopped"] - requested <= 1.5 + 5, f"drain exceeded its bound\n{output}"


def _event_times(output: str) -> dict[str, float]:
    """Seconds since the epoch of each event in the JSON log, by event name (first occurrence)."""
    times: dict[str, float] = {}
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "event" in record and "timestamp" in record:
            stamp = datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00"))
            times.setdefault(str(record["event"]), stamp.timestamp())
    return times


def test_the_migrate_command_applies_the_migrations(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("APP_")},
<%- if cookiecutter.database == 'postgresql' %>
        "APP_SQLITE_PATH": str(tmp_path / "app.sqlite3"),
<%- endif %>
        "OTEL_TRACES_EXPORTER": "none",
    }
    result = subprocess.run(
        [sys.executable, "-m", "<{ cookiecutter.package_name }>", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "migrations applied" in result.stdout + result.stderr


def test_invalid_settings_stop_the_process_with_the_reason() -> None:
    env = {**os.environ, "APP_PORT": "not-a-port"}
    result = subprocess.run(
        [sys.executable, "-m", "<{ cookiecutter.package_name }>", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "APP_PORT" in result.stderr
    assert "not-a-port" not in result.stderr  # settings errors never show the value
