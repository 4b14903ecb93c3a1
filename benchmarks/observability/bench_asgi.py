"""Throughput of a minimal FastAPI app with and without the observability stack, at saturation.

    python benchmarks/observability/bench_asgi.py [--rounds 6] [--duration 5] [--connections 16]

Seven variants (``app_under_test.py``) run at the same time, each under its own uvicorn (one
worker, no access log of uvicorn's own) on 127.0.0.1, started once and warmed up: ``bare``;
``official`` (the official OpenTelemetry FastAPI instrumentation alone) and ``official-stack``
(the 0.2 stack on it: ``instrument_fastapi(instrumentation="official")``), kept for
comparison; and the lean stack built up one part at a time: ``lean-span``, ``correlation``
(+ request ID and log correlation), ``metrics`` (+ RED metrics with exemplars) and ``full``
(+ the access log: what ``instrument_fastapi()`` gives by default). The load generator is a
separate process (``wrk`` when installed, ``apt-get install wrk``, else a small asyncio client
in a subprocess). Only one server is under load at any moment: the rounds go through the
variants in alternating order (ABC CBA ABC...), so drifts in the machine's load and any
advantage of going first or last hit all alike. Every run is bounded in time (``--duration``
seconds) and uses a fixed number of keep-alive connections. With ``--pin`` (the default on
machines with two CPUs or more), the servers run on one CPU and the load generator on another.

Tracing is on with the default sampler (parent-based, ratio 1.0) and no exporter endpoint, so
with no span processor spans are not recorded (see ``pavedroad.observability.tracing``);
``--span-processor`` adds a batch span processor whose exporter drops the batches, so every
span is recorded and queued as with an exporter; ``--sample-ratio 0`` samples every span out.

Printed: every round's requests per second and the server's CPU time per request (from
/proc, user + system), each variant's medians, the medians over rounds of the per-round
ratios to ``bare``, the CPU microseconds per request of each part (the difference of two
variants' medians), and the targets: ``full`` keeps at least 85% of ``bare``'s throughput with
spans not recorded or sampled out, at least 75% with every span recorded, and at least twice
``official``'s. On a shared machine the CPU time per request is the steadier figure: the
requests per second also move with the CPU share the server gets from moment to moment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATH = "/items/42"
VARIANTS = ("bare", "official", "official-stack", "lean-span", "correlation", "metrics", "full")
#: Variants with the observability middleware: they echo X-Request-ID.
WITH_REQUEST_ID = frozenset({"official-stack", "correlation", "metrics", "full"})
#: Each part's cost is the difference between two variants' CPU time per request.
PARTS = (
    ("span (lean)", "lean-span", "bare"),
    ("correlation + request ID", "correlation", "lean-span"),
    ("RED metrics + exemplars", "metrics", "correlation"),
    ("access log", "full", "metrics"),
    ("official instrumentation alone", "official", "bare"),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"the server exited with status {server.returncode} before answering; "
                "is uvicorn installed? pip install -r benchmarks/observability/requirements.txt"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on 127.0.0.1:{port} did not answer within {timeout} s")


def _taskset(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None else []


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux), or None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _server(
    variant: str, cpu: int | None, sample_ratio: float | None, span_processor: bool
) -> Iterator[tuple[int, int]]:
    port = _free_port()
    env = {**os.environ, "BENCH_VARIANT": variant, "PYTHONPATH": str(HERE)}
    env.pop("BENCH_SAMPLE_RATIO", None)
    env.pop("BENCH_SPAN_PROCESSOR", None)
    if sample_ratio is not None:
        env["BENCH_SAMPLE_RATIO"] = str(sample_ratio)
    if span_processor:
        env["BENCH_SPAN_PROCESSOR"] = "1"
    command = [
        *_taskset(cpu),
        sys.executable,
        "-m",
        "uvicorn",
        "app_under_test:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=HERE, stdout=subprocess.DEVNULL)
    try:
        _wait_ready(port, server)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def _check_variant(variant: str, port: int) -> None:
    """Fail early if a server is not the variant it should be."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}", timeout=5) as reply:
        has_request_id = reply.headers.get("x-request-id") is not None
    if has_request_id != (variant in WITH_REQUEST_ID):
        raise RuntimeError(f"the {variant} server on port {port} is not set up as {variant}")


def _wrk(port: int, duration: float, connections: int, cpu: int | None) -> tuple[float, int]:
    command = [
        *_taskset(cpu),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "5s",
        f"http://127.0.0.1:{port}{PATH}",
    ]
    result = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=duration + 60
    )
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout)
    count = re.search(r"(\d+) requests in", result.stdout)
    if rate is None or count is None:
        raise RuntimeError(f"could not read wrk's output:\n{result.stdout}")
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: ([^\n]+)"):
        problem = re.search(pattern, result.stdout)
        if problem:
            raise RuntimeError(f"wrk reported {problem.group(0)!r} on port {port}")
    return float(rate.group(1)), int(count.group(1))


def _python_client(
    port: int, duration: float, connections: int, cpu: int | None
) -> tuple[float, int]:
    command = [
        *_taskset(cpu),
        sys.executable,
        str(Path(__file__).resolve()),
        "--client-worker",
        str(port),
        "--duration",
        str(duration),
        "--connections",
        str(connections),
    ]
    result = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=duration + 60
    )
    rate, count = result.stdout.split()
    return float(rate), int(count)


async def _client_worker(port: int, duration: float, connections: int) -> tuple[float, int]:
    """A minimal HTTP/1.1 keep-alive load loop (the fallback when wrk is not installed)."""
    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    done = 0
    deadline = time.monotonic() + duration

    async def connection() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = head.split(b" ", 2)[1]
                if status != b"200":
                    raise RuntimeError(f"status {status.decode()} from port {port}")
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if length is None:
                    raise RuntimeError("response without content-length")
                await reader.readexactly(int(length.group(1)))
                done += 1
        finally:
            writer.close()

    started = time.monotonic()
    await asyncio.wait_for(
        asyncio.gather(*(connection() for _ in range(connections))), duration + 30
    )
    return done / (time.monotonic() - started), done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="runs per variant (even: ABBA)")
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help="comma-separated subset of the variants (bare is always included)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before timing")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sample-ratio", type=float, default=None, help="default: configure()'s")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument(
        "--span-processor",
        action="store_true",
        help="give the traced servers a batch span processor that drops the batches, so spans "
        "are recorded as they are with an exporter (without the export itself)",
    )
    parser.add_argument("--client-worker", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.client_worker is not None:
        rate, count = asyncio.run(
            _client_worker(args.client_worker, args.duration, args.connections)
        )
        print(rate, count)
        return

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk, or use --client python")
    load = _wrk if client == "wrk" else _python_client
    cpus = sorted(os.sched_getaffinity(0))
    pin = args.pin if args.pin is not None else len(cpus) >= 2
    if pin and (len(cpus) < 2 or shutil.which("taskset") is None):
        sys.exit("--pin needs two CPUs and taskset")
    server_cpu, client_cpu = (cpus[0], cpus[1]) if pin else (None, None)

    chosen = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = sorted(set(chosen) - set(VARIANTS))
    if unknown:
        sys.exit(f"--variants: unknown {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    variants = tuple(v for v in VARIANTS if v == "bare" or v in chosen)
    rates: dict[str, list[float]] = {variant: [] for variant in variants}
    costs: dict[str, list[float]] = {variant: [] for variant in variants}
    rate_ratios: dict[str, list[float]] = {variant: [] for variant in variants[1:]}
    cost_ratios: dict[str, list[float]] = {variant: [] for variant in variants[1:]}
    with ExitStack() as stack:
        servers = {
            variant: stack.enter_context(
                _server(variant, server_cpu, args.sample_ratio, args.span_processor)
            )
            for variant in variants
        }
        for variant, (port, _) in servers.items():
            _check_variant(variant, port)
            load(port, args.warmup, args.connections, client_cpu)
        pinning = f"server CPU {server_cpu}, client CPU {client_cpu}" if pin else "no"
        ratio_text = "default" if args.sample_ratio is None else f"{args.sample_ratio:g}"
        print(
            f"{args.rounds} rounds x {args.duration:g} s per variant, {args.connections} "
            f"connections, client {client}, 1 uvicorn worker each, 127.0.0.1, "
            f"pinned: {pinning}, trace sample ratio: {ratio_text}, span processor: "
            f"{'batch, dropping the batches (spans recorded)' if args.span_processor else 'none'}"
        )
        for index in range(args.rounds):
            order = variants if index % 2 == 0 else variants[::-1]  # ABC CBA ABC...
            rate: dict[str, float] = {}
            cost: dict[str, float] = {}
            for variant in order:
                port, pid = servers[variant]
                before = _cpu_seconds(pid)
                rate[variant], count = load(port, args.duration, args.connections, client_cpu)
                after = _cpu_seconds(pid)
                rates[variant].append(rate[variant])
                if before is not None and after is not None and count:
                    cost[variant] = (after - before) / count * 1e6
                    costs[variant].append(cost[variant])
            parts = []
            for variant in variants:
                part = f"{variant} {rate[variant]:5.0f} req/s"
                if variant in cost:
                    part += f" {cost[variant]:5.0f} us"
                if variant != "bare":
                    rate_ratios[variant].append(rate[variant] / rate["bare"])
                    part += f" (x{rate_ratios[variant][-1]:.3f}"
                    if variant in cost and "bare" in cost:
                        cost_ratios[variant].append(cost["bare"] / cost[variant])
                        part += f", CPU x{cost_ratios[variant][-1]:.3f}"
                    part += ")"
                parts.append(part)
            print(
                f"round {index + 1}: {'  '.join(parts)}  (load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )

    for variant in variants:
        line = f"{variant:<14} median {statistics.median(rates[variant]):7.0f} req/s"
        if costs[variant]:
            line += f", {statistics.median(costs[variant]):5.0f} us server CPU per request"
        print(line)
    for variant in variants[1:]:
        ratio = statistics.median(rate_ratios[variant])
        loss = 1 - ratio
        line = (
            f"{variant}: throughput median {variant}/bare over rounds = {ratio:.3f} (min "
            f"{min(rate_ratios[variant]):.3f}, max {max(rate_ratios[variant]):.3f}); lost "
            f"{loss:.1%}"
        )
        if cost_ratios[variant]:
            cpu_ratio = statistics.median(cost_ratios[variant])
            line += (
                f"; server CPU bare/{variant} per request = {cpu_ratio:.3f}: a CPU-bound "
                f"worker loses {1 - cpu_ratio:.1%}"
            )
        print(line)
    medians = {v: statistics.median(costs[v]) for v in variants if costs[v]}
    for part, with_part, without in PARTS:
        if with_part in medians and without in medians:
            print(
                f"part {part:<32} {medians[with_part] - medians[without]:6.0f} us server CPU "
                f"per request ({with_part} - {without})"
            )
    if "full" in rate_ratios:
        kept = statistics.median(rate_ratios["full"])
        floor = 0.75 if args.span_processor else 0.85
        print(
            f"full stack: keeps {kept:.1%} of bare's throughput "
            f"({'meets' if kept >= floor else 'misses'} the {floor:.0%} target)"
        )
        if "official" in rate_ratios:
            pairs = [f / o for f, o in zip(rates["full"], rates["official"], strict=True)]
            times = statistics.median(pairs)
            print(
                f"full stack / official instrumentation alone: x{times:.2f} throughput "
                f"(median of per-round ratios; {'meets' if times >= 2 else 'misses'} the x2 "
                "target)"
            )


if __name__ == "__main__":
    main()
