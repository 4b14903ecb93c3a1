"""Slash-command ingestion of the generated service: one worker, observability on, then off.

Renders the default example (or uses --project), starts `python -m <package> serve` pinned to
one CPU core, and drives signed `/notes add ...` slash commands at it from another core:

* a fixed rate (default 100 req/s, open loop: requests are sent on schedule whether or not
  earlier ones finished, so queueing shows up in the latency) for the ack latency p50/p99;
* as fast as it goes with a few connections (closed loop), for the saturation throughput in
  requests per second and the server's CPU time per request (from /proc). The service is
  saturated when it is busy about 100% of the time, which is printed: a lower figure means the
  load generator, not the service, was the limit.

Errors are counted per phase and named. A 503 "the service is busy" in the fixed-rate phase is
the service shedding load as designed: when the fixed rate is above what the service can serve
(the saturation figure; on a loaded machine it can drop below 100 req/s), requests queue until
the replay check misses the 2-second ack deadline. Only the saturation phase (at most
--concurrency requests in flight, so no queue builds) must be free of errors; the exit status
is 1 if it is not, or on any error other than that 503.

Both modes use the same build; only APP_TELEMETRY_ENABLED differs. Each round starts a fresh
server per mode, in alternating order (on/off, off/on, ...), so drifts in the machine's load hit
both alike. The Slack Web API is a local stand-in (Bolt calls auth.test once). Prints a line per
round and mode, the medians over rounds, and the median of the per-round on/off ratios of the
saturation throughput against the 0.85 target (issue 16).

    python benchmarks/service/bench_slash_commands.py [--project DIR] [--rate 100] [--seconds 20]
        [--rounds 3]

With --project, that project's virtualenv must exist (`make venv` in it); without it, this
script renders the default example and builds it, with the libraries' wheels from a local
wheelhouse.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET_P99_MS = 50.0
#: Saturation throughput with observability on, as a share of off (issue 16, item 7).
TARGET_RATIO = 0.85
#: Below this share of busy time in the saturation phase, the service was not the limit.
BUSY_FLOOR = 0.9
#: The service's answer when it sheds load (slack_endpoints: the replay check missed the ack).
SHED = "HTTP 503: "
MODES = {True: "observability on ", False: "observability off"}

# Runs inside the generated project's virtualenv (it has aiohttp and the Slack stand-in).
LOAD = textwrap.dedent(
    r"""
    import asyncio, collections, hashlib, hmac, json, os, statistics, sys, time
    from urllib.parse import urlencode
    import aiohttp

    url, secret, rate, seconds, concurrency = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    server_pid = int(sys.argv[6])

    def server_cpu():  # user + system seconds of the service (Linux); nan without /proc
        try:
            fields = open(f"/proc/{server_pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def signed(i):
        body = urlencode({"command": "/notes", "text": f"add benchmark note {i}", "team_id": "T0BENCH01",
                          "channel_id": f"C0BENCH{i % 10:02d}", "user_id": "U0BENCH01",
                          "response_url": "https://hooks.slack.invalid/x", "trigger_id": "1.2.3"}).encode()
        ts = str(int(time.time()))
        sig = "v0=" + hmac.new(secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/x-www-form-urlencoded",
                      "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}

    async def one(session, i, latencies, errors):
        body, headers = signed(i)
        start = time.perf_counter()
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            if response.status != 200:
                errors.append(f"HTTP {response.status}: {(await response.text())[:200]}")
        latencies.append((time.perf_counter() - start) * 1000)

    async def fixed_rate(session):
        latencies, errors, tasks = [], [], []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, i, latencies, errors)))
        await asyncio.gather(*tasks)
        return latencies, errors, n / (time.perf_counter() - start)

    async def max_rate(session):
        latencies, errors, counter = [], [], iter(range(10**9))
        deadline = time.perf_counter() + seconds
        async def worker():
            while time.perf_counter() < deadline:
                await one(session, next(counter) + 10**6, latencies, errors)
        start, cpu = time.perf_counter(), server_cpu()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - start, server_cpu() - cpu
        return latencies, errors, len(latencies) / elapsed, cpu / len(latencies) * 1000, cpu / elapsed

    def q(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    async def main():
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            await one(session, -1, [], [])  # warm-up: Bolt's auth.test, first imports
            for i in range(200):
                await one(session, -2 - i, [], [])
            fixed, fixed_errors, achieved = await fixed_rate(session)
            fast, fast_errors, throughput, cpu_ms, busy = await max_rate(session)
        errors = collections.Counter(fixed_errors + fast_errors)
        print(json.dumps({"rate": achieved, "p50_ms": q(fixed, 50), "p99_ms": q(fixed, 99),
                          "max_ms": max(fixed), "throughput_rps": throughput,
                          "throughput_p99_ms": q(fast, 99), "cpu_ms_per_request": cpu_ms,
                          "server_busy": busy, "errors": sum(errors.values()),
                          "fixed_rate_errors": len(fixed_errors),
                          "saturation_errors": len(fast_errors),
                          "error_kinds": dict(errors.most_common(5))}))

    asyncio.run(main())
    """  # noqa: E501 - a script run in the project's virtualenv
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pin(core: int) -> list[str]:
    return (
        ["taskset", "-c", str(core)]
        if shutil.which("taskset") and (os.cpu_count() or 1) > 1
        else []
    )


def _render(dest: Path) -> Path:
    sys.path.insert(0, str(REPO_ROOT))
    from tests.e2e.images import build_library_wheels
    from tests.harness import load_example, render_copier

    render_copier(load_example("default"), dest)
    wheels = dest.parent / "wheelhouse"
    build_library_wheels(wheels)
    subprocess.run(
        ["make", "venv"], cwd=dest, check=True, env={**os.environ, "PIP_FIND_LINKS": str(wheels)}
    )
    return dest


def run_mode(
    project: Path, package: str, telemetry: bool, rate: float, seconds: float, concurrency: int
) -> dict[str, Any]:
    python = project / ".venv" / "bin" / "python"
    port = _free_port()
    secret = os.urandom(16).hex()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    standin_port = _free_port()
    standin = subprocess.Popen(
        [
            str(python),
            "-c",
            textwrap.dedent(f"""
            import uvicorn, tests.slack_standin as s
            from starlette.applications import Starlette
            from starlette.routing import Route
            standin = s.SlackStandIn()
            route = Route("/api/{{method}}", standin._handle, methods=["GET", "POST"])
            uvicorn.run(Starlette(routes=[route]), host="127.0.0.1", port={standin_port},
                        log_config=None, access_log=False)
        """),
        ],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(project)},
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("APP_", "OTEL_"))},
        "APP_ENV": "local",
        "APP_PORT": str(port),
        # On: every request's access-log line and the service's own info lines (to /dev/null).
        "PAVEDROAD_LOG_LEVEL": "INFO" if telemetry else "WARNING",
        "APP_TELEMETRY_ENABLED": "true" if telemetry else "false",
        "APP_SQLITE_PATH": str(workdir / "bench.sqlite3"),
        "APP_SLACK_API_BASE_URL": f"http://127.0.0.1:{standin_port}/api/",
        "APP_SLACK_BOT_TOKEN_REF": "env:BENCH_BOT_TOKEN",
        "BENCH_BOT_TOKEN": "xoxb-bench-" + os.urandom(4).hex(),
        "APP_SLACK_SIGNING_SECRET_REF": "env:BENCH_SIGNING_SECRET",
        "BENCH_SIGNING_SECRET": secret,
        # Full observability: spans are created and sampled, then exported nowhere.
        "OTEL_TRACES_SAMPLER": "parentbased_always_on",
        "OTEL_TRACES_EXPORTER": "none",
    }
    # The service's stderr goes to a file: a pipe nobody reads fills up and then blocks the
    # service on its next write to stderr, which looks like a slow service with errors.
    stderr_path = workdir / "stderr.txt"
    stderr_file = stderr_path.open("wb")
    server = subprocess.Popen(
        [*_pin(0), str(python), "-m", package, "serve"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr_file,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = stderr_path.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"the service did not start: {output}") from None
                time.sleep(0.2)
        result = subprocess.run(
            [
                *_pin(1),
                str(python),
                "-c",
                LOAD,
                f"http://127.0.0.1:{port}/slack/commands",
                secret,
                str(rate),
                str(seconds),
                str(concurrency),
                str(server.pid),  # taskset execs the service: the same process
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=project,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the load generator failed:\n{result.stderr[-3000:]}")
        measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        if measured["errors"]:
            measured["stderr_tail"] = stderr_path.read_text(errors="replace")[-2000:]
        return measured
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        stderr_file.close()
        standin.terminate()
        standin.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a rendered default project with .venv")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="runs per mode, alternating")
    args = parser.parse_args()
    project = args.project or _render(
        Path(tempfile.mkdtemp(prefix="bench-project-")) / "team-notes"
    )
    package = next(p.name for p in (project / "src").iterdir() if (p / "__main__.py").exists())

    results: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for index in range(args.rounds):
        order = (True, False) if index % 2 == 0 else (False, True)  # on/off, off/on, ...
        for telemetry in order:
            r = run_mode(project, package, telemetry, args.rate, args.seconds, args.concurrency)
            results[telemetry].append(r)
            print(
                f"round {index + 1}, {MODES[telemetry]}: {r['throughput_rps']:6.1f} req/s max, "
                f"{r['cpu_ms_per_request']:.2f} ms server CPU per request (server busy "
                f"{r['server_busy']:.0%}) | at {r['rate']:.0f} req/s: ack p50 "
                f"{r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms | "
                f"errors {r['errors']:.0f} (load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            if r["server_busy"] < BUSY_FLOOR:
                print(
                    "  not saturated: the service was busy less than "
                    f"{BUSY_FLOOR:.0%} of the time (another process had its CPU, or the load "
                    "generator was the limit); this round's throughput understates it"
                )
            if r["errors"]:
                print(f"  errors: {r['error_kinds']}\n  service stderr: {r['stderr_tail']}")

    medians = {
        telemetry: {
            key: statistics.median(r[key] for r in runs)
            for key, value in runs[0].items()
            if isinstance(value, int | float)
        }
        for telemetry, runs in results.items()
    }
    for telemetry, m in medians.items():
        print(
            f"{MODES[telemetry]}, median of {args.rounds}: {m['throughput_rps']:6.1f} req/s max "
            f"| at {args.rate:.0f} req/s: ack p50 {m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms"
        )
    on, off = medians[True], medians[False]
    print(
        f"ratio on/off (medians): throughput {on['throughput_rps'] / off['throughput_rps']:.2f}, "
        f"p50 {on['p50_ms'] / off['p50_ms']:.2f}, p99 {on['p99_ms'] / off['p99_ms']:.2f}"
    )
    rounds = list(zip(results[True], results[False], strict=True))
    rate_ratios = [r_on["throughput_rps"] / r_off["throughput_rps"] for r_on, r_off in rounds]
    cpu_ratios = [
        r_off["cpu_ms_per_request"] / r_on["cpu_ms_per_request"] for r_on, r_off in rounds
    ]
    ratio = statistics.median(rate_ratios)
    print(
        f"saturation throughput on/off, median of the per-round ratios: {ratio:.2f} (rounds: "
        f"{', '.join(f'{r:.2f}' for r in rate_ratios)}); server CPU per request off/on: "
        f"{statistics.median(cpu_ratios):.2f} ({on['cpu_ms_per_request']:.2f} ms on, "
        f"{off['cpu_ms_per_request']:.2f} ms off); target >= {TARGET_RATIO:.2f}: "
        f"{'meets' if ratio >= TARGET_RATIO else 'misses'}"
    )
    verdict = "meets" if on["p99_ms"] <= TARGET_P99_MS else "misses"
    print(
        f"target: p99 ack <= {TARGET_P99_MS:.0f} ms at {args.rate:.0f} req/s "
        f"with observability on (median of the rounds' p99): {verdict}"
    )
    shed = sum(r["fixed_rate_errors"] for runs in results.values() for r in runs)
    if shed:
        print(
            f"{shed:.0f} requests of the fixed-rate phase were shed (503 at the ack deadline): "
            f"the offered {args.rate:.0f} req/s was above what the service could serve then"
        )
    unexpected = [
        kind
        for runs in results.values()
        for r in runs
        for kind in r["error_kinds"]
        if not kind.startswith(SHED)
    ]
    saturation_errors = sum(r["saturation_errors"] for runs in results.values() for r in runs)
    return 0 if not unexpected and not saturation_errors else 1


if __name__ == "__main__":
    sys.exit(main())
