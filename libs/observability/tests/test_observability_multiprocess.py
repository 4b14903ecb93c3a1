"""prometheus-client's multiprocess mode: /metrics aggregates every worker process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pavedroad.observability.metrics import metrics_app
from prometheus_client.parser import text_string_to_metric_families

ROUTE = {"route": "/users/{user_id}", "method": "GET", "status_class": "2xx"}


def _sample(exposition: str, name: str, labels: dict[str, str]) -> float | None:
    for family in text_string_to_metric_families(exposition):  # type: ignore[no-untyped-call]
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


def _record_in_subprocess(directory: Path, requests: int) -> None:
    script = textwrap.dedent(
        f"""
        from pavedroad.observability.metrics import HTTPMetrics
        metrics = HTTPMetrics()
        for _ in range({requests}):
            metrics.observe(route="/users/{{user_id}}", method="GET", status=200,
                            duration_seconds=0.02)
        """
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)


def test_metrics_recorded_by_two_processes_are_served_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record_in_subprocess(tmp_path, 3)
    _record_in_subprocess(tmp_path, 4)
    assert len(list(tmp_path.glob("*.db"))) >= 2  # one set of files per process

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    app = metrics_app()

    async def scrape() -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/")).text

    exposition = asyncio.run(scrape())
    assert _sample(exposition, "http_server_requests_total", ROUTE) == 7
    assert _sample(exposition, "http_server_request_duration_seconds_count", ROUTE) == 7
    assert (
        _sample(exposition, "http_server_request_duration_seconds_bucket", {**ROUTE, "le": "0.025"})
        == 7
    )


APP = """
import os
from fastapi import FastAPI
from pavedroad.observability import configure
from pavedroad.observability.fastapi import instrument_fastapi

obs = configure(service_name="multiprocess-test", log_stream=open(os.devnull, "w"))
app = instrument_fastapi(FastAPI(), tracer_provider=obs.tracer_provider)


@app.get("/users/{user_id}")
async def user(user_id: str) -> dict[str, int]:
    return {"pid": os.getpid()}
"""

GUNICORN_CONF = """
from prometheus_client import multiprocess


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as reply:
        body: bytes = reply.read()
        return body


@pytest.mark.integration
@pytest.mark.slow
def test_gunicorn_with_two_uvicorn_workers_serves_the_metrics_of_both(tmp_path: Path) -> None:
    # gunicorn and uvicorn-worker come with the test extra: a missing one fails here loudly.
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN_CONF)
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = _free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as stderr:  # the child keeps its own descriptor
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "app:app",
                "--workers",
                "2",
                "--worker-class",
                "uvicorn_worker.UvicornWorker",
                "--bind",
                f"127.0.0.1:{port}",
                "--config",
                "gunicorn.conf.py",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Probe readiness on /metrics, not on the counted route: on a loaded machine a probe can
        # time out after the server has already counted it, and the count below must be exact.
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/metrics")
                break
            except OSError as exc:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not serve ({exc}); its log:\n{log.read_text()}")
                time.sleep(0.2)
        # Concurrent requests on fresh connections, until both workers have answered some (the
        # second may still be booting on a loaded machine: keep going for up to a minute).
        pids: Counter[str] = Counter()
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(pids) < 2 and time.monotonic() < deadline:
                bodies = pool.map(lambda n: _get(f"{base}/users/{n}"), range(16))
                pids.update(body.decode() for body in bodies)
        assert len(pids) == 2, f"one worker answered everything: {pids}"
        sent = sum(pids.values())
        # A request is counted just after its response is sent: let the last ones land.
        deadline = time.monotonic() + 10
        while True:
            exposition = _get(f"{base}/metrics").decode()
            counted = _sample(exposition, "http_server_requests_total", ROUTE)
            if counted == sent or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert counted == sent
        assert _sample(exposition, "http_server_request_duration_seconds_count", ROUTE) == sent
        # Each worker wrote its own files, and /metrics (served by one of them) read them all.
        assert len({path.name.rsplit("_", 1)[-1] for path in metrics_dir.glob("*.db")}) >= 2
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
