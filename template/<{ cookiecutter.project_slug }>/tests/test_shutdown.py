"""The real process: SIGTERM drains in order within its bound; the migrate command; bad settings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
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
            signalled = time.monotonic()
            time.sleep(0.3)
            # Readiness fails at once, while the listener still serves requests.
            assert client.get("/readyz").status_code == 503
            assert client.get("/livez").status_code == 200
        returncode = process.wait(timeout=1.5 + 5 + 5)
        elapsed = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
        output = log.read_text(errors="replace")
    assert returncode == 0, output
    assert 1.5 <= elapsed < 1.5 + 5, f"shutdown took {elapsed:.1f}s\n{output}"
    assert '"service stopped"' in output or "service stopped" in output


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
