"""Slash-command ingestion of the generated service: one worker, observability on, then off.

Renders the default example (or uses --project), starts `python -m <package> serve` pinned to
one CPU core, and drives signed `/notes add ...` slash commands at it from another core:

* a fixed rate (default 100 req/s, open loop: requests are sent on schedule whether or not
  earlier ones finished, so queueing shows up in the latency) for the ack latency p50/p99;
* as fast as it goes with a few connections, for the throughput in requests per second.

Both modes use the same build; only APP_TELEMETRY_ENABLED differs. Each round starts a fresh
server per mode, in alternating order (on/off, off/on, ...), so drifts in the machine's load hit
both alike. The Slack Web API is a local stand-in (Bolt calls auth.test once). Prints a line per
round and mode, the medians over rounds and the on/off ratios of the medians.

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

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET_P99_MS = 50.0
MODES = {True: "observability on ", False: "observability off"}

# Runs inside the generated project's virtualenv (it has aiohttp and the Slack stand-in).
LOAD = textwrap.dedent(
    r"""
    import asyncio, hashlib, hmac, json, statistics, sys, time
    from urllib.parse import urlencode
    import aiohttp

    url, secret, rate, seconds, concurrency = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])

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
                errors.append(response.status)
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
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, len(latencies) / (time.perf_counter() - start)

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
            fast, fast_errors, throughput = await max_rate(session)
        print(json.dumps({"rate": achieved, "p50_ms": q(fixed, 50), "p99_ms": q(fixed, 99),
                          "max_ms": max(fixed), "throughput_rps": throughput,
                          "throughput_p99_ms": q(fast, 99), "errors": len(fixed_errors) + len(fast_errors)}))

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
) -> dict[str, float]:
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
    server = subprocess.Popen(
        [*_pin(0), str(python), "-m", package, "serve"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stderr.read().decode() if server.stderr else ""
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
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=project,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the load generator failed:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
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

    results: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for index in range(args.rounds):
        order = (True, False) if index % 2 == 0 else (False, True)  # on/off, off/on, ...
        for telemetry in order:
            r = run_mode(project, package, telemetry, args.rate, args.seconds, args.concurrency)
            results[telemetry].append(r)
            print(
                f"round {index + 1}, {MODES[telemetry]}: {r['throughput_rps']:6.1f} req/s max | "
                f"at {r['rate']:.0f} req/s: ack p50 {r['p50_ms']:.1f} ms, p99 "
                f"{r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms | errors {r['errors']:.0f}",
                flush=True,
            )

    medians = {
        telemetry: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
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
    verdict = "meets" if on["p99_ms"] <= TARGET_P99_MS else "misses"
    print(
        f"target: p99 ack <= {TARGET_P99_MS:.0f} ms at {args.rate:.0f} req/s "
        f"with observability on (median of the rounds' p99): {verdict}"
    )
    errors = sum(r["errors"] for runs in results.values() for r in runs)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
