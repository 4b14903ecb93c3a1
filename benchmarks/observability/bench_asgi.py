"""Throughput of a minimal FastAPI app with and without the observability stack, at saturation.

    python benchmarks/observability/bench_asgi.py [--duration 5] [--repeats 3] [--connections 32]

Each variant runs under uvicorn (one worker, no access log of uvicorn's own) in a subprocess on
127.0.0.1, and ``wrk`` (``apt-get install wrk``) drives it with a fixed number of connections
for a fixed time; rounds alternate between variants so machine noise hits both alike. The
figures are median requests per second; the target is at most 15% lost to instrumentation.
``--sample-ratio`` sets the trace sampler's ratio (default 1.0: every request is recorded,
the worst case for tracing overhead).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on 127.0.0.1:{port} did not start within {timeout} s")


def _run_round(variant: str, duration: int, connections: int, ratio: float) -> float:
    port = _free_port()
    env = {
        **os.environ,
        "BENCH_VARIANT": variant,
        "BENCH_SAMPLE_RATIO": str(ratio),
        "PYTHONPATH": str(HERE),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app_under_test:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=HERE,
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        url = f"http://127.0.0.1:{port}/items/42"
        subprocess.run(["wrk", "-t1", "-c8", "-d1s", url], check=True, capture_output=True)
        result = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", url],
            check=True,
            capture_output=True,
            text=True,
            timeout=duration + 30,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    match = re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout)
    if match is None:
        raise RuntimeError(f"could not read wrk's output:\n{result.stdout}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise RuntimeError(f"{variant}: {errors.group(1)} failed responses")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sample-ratio", type=float, default=1.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")

    results: dict[str, list[float]] = {"bare": [], "instrumented": []}
    for _ in range(args.repeats):
        for variant in results:
            results[variant].append(
                _run_round(variant, args.duration, args.connections, args.sample_ratio)
            )
    bare = statistics.median(results["bare"])
    instrumented = statistics.median(results["instrumented"])
    print(
        f"rounds: {args.repeats} x {args.duration} s, {args.connections} connections, "
        f"1 uvicorn worker, 127.0.0.1, trace sample ratio {args.sample_ratio}"
    )
    for variant, values in results.items():
        runs = ", ".join(f"{value:.0f}" for value in values)
        print(f"{variant:<14} median {statistics.median(values):>8.0f} req/s   (runs: {runs})")
    loss = 1 - instrumented / bare
    verdict = "meets" if loss <= 0.15 else "misses"
    print(
        f"instrumented / bare = {instrumented / bare:.2f}; throughput lost {loss:.1%} "
        f"({verdict} the 15% target)"
    )


if __name__ == "__main__":
    main()
