"""Bounded load test of the service: a realistic request mix against a local instance.

`make loadtest` runs it: it starts `python -m <{ cookiecutter.package_name }> serve` on SQLite<% if cookiecutter.slack_app %> with a
local stand-in for Slack's Web API (the lazy listeners' replies go there)<% endif %>, drives it for
--duration seconds with --concurrency clients over keep-alive HTTP/1.1, measures the server
process's CPU time, and writes docs/capacity/baseline.json: rps, p50/p95/p99 latency, error rate
and CPU seconds per request. `scripts/capacity_plan.py` turns that into replicas and HPA targets.
With --url it drives an instance that is already running (CPU is then not measured).

The mix (weights per request):
<%- if cookiecutter.slack_app %>
  60% `/notes list` and 30% `/notes add <text>` slash commands (POST /slack/commands), and 10%
  `app_mention` events (POST /slack/events, each with a new event_id); all signed with the
  signing secret exactly as Slack signs them (v0 HMAC-SHA256 of timestamp and body).
<%- else %>
  70% list and 30% add notes (GET and POST /api/v1/workspaces/{team}/channels/{channel}/notes),
  over 10 channels.
<%- endif %>
Standard library only, so it runs in the project's virtualenv without another dependency.
"""

from __future__ import annotations

import argparse
import asyncio
<%- if cookiecutter.slack_app %>
import hashlib
import hmac
<%- endif %>
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import <% if cookiecutter.slack_app %>urlencode, <% endif %>urlsplit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "<{ cookiecutter.package_name }>"
MAX_DURATION = 300.0
<%- if cookiecutter.slack_app %>
MIX = (("command_list", 60), ("command_add", 30), ("app_mention", 10))
<%- else %>
MIX = (("list_notes", 70), ("add_note", 30))
<%- endif %>


def build_request(kind: str, i: int, secret: bytes) -> tuple[str, str, dict[str, str], bytes]:
    """(method, path, headers, body) of request number i of the given kind."""
    channel = f"C0LOAD{i % 10:03d}"
<%- if cookiecutter.slack_app %>
    if kind == "app_mention":
        path = "/slack/events"
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0LOAD001",
                "api_app_id": "A0LOAD001",
                "event_id": f"Ev0LOAD{os.getpid()}{i:09d}",
                "event_time": int(time.time()),
                "event": {
                    "type": "app_mention",
                    "user": "U0LOAD001",
                    "channel": channel,
                    "text": "<@U0BOT> list",
                    "ts": f"{time.time():.6f}",
                },
            }
        ).encode()
        content_type = "application/json"
    else:
        path = "/slack/commands"
        text = "list" if kind == "command_list" else f"add load test note {i}"
        body = urlencode(
            {
                "command": "/notes",
                "text": text,
                "team_id": "T0LOAD001",
                "channel_id": channel,
                "user_id": "U0LOAD001",
                "response_url": "https://hooks.slack.invalid/load",
                "trigger_id": f"{i}.1.load",
            }
        ).encode()
        content_type = "application/x-www-form-urlencoded"
    timestamp = str(int(time.time()))
    signature = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + signature.hexdigest(),
    }
    return "POST", path, headers, body
<%- else %>
    path = f"/api/v1/workspaces/T0LOAD001/channels/{channel}/notes"
    if kind == "list_notes":
        return "GET", path, {}, b""
    body = json.dumps({"author_id": "U0LOAD001", "text": f"load test note {i}"}).encode()
    return "POST", path, {"Content-Type": "application/json"}, body
<%- endif %>


class Connection:
    """One keep-alive HTTP/1.1 connection (what a client pool holds per worker)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        self.reader = self.writer = None


async def drive(
    url: str, secret: bytes, duration: float, concurrency: int, seed: int
) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    rng = random.Random(seed)  # noqa: S311 - a reproducible request mix, not security
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    counts: dict[str, int] = {kind: 0 for kind, _ in MIX}
    counter = iter(range(10**9))
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        connection = Connection(host, port)
        try:
            while time.perf_counter() < deadline:
                i = next(counter)
                kind = rng.choice(kinds)
                method, path, headers, body = build_request(kind, i, secret)
                start = time.perf_counter()
                try:
                    status = await connection.request(method, path, headers, body)
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                    await connection.close()
                    continue
                finally:
                    latencies.append((time.perf_counter() - start) * 1000)
                counts[kind] += 1
                if status >= 400:
                    errors[str(status)] = errors.get(str(status), 0) + 1
        finally:
            await connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    total = len(latencies)
    failed = sum(errors.values())
    return {
        "duration_s": round(elapsed, 3),
        "concurrency": concurrency,
        "requests": total,
        "rps": round(total / elapsed, 2),
        "p50_ms": _quantile(latencies, 50),
        "p95_ms": _quantile(latencies, 95),
        "p99_ms": _quantile(latencies, 99),
        "error_rate": round(failed / total, 5) if total else 1.0,
        "errors": errors,
        "mix": counts,
    }


def _quantile(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))], 2)


def _cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_service(secret: bytes) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The service on SQLite, on a free port<% if cookiecutter.slack_app %>, with the Slack stand-in<% endif %>."""
<%- if cookiecutter.slack_app %>
    sys.path.insert(0, str(ROOT))
    from tests.slack_standin import running_standin

    standin_context = running_standin()
<%- else %>
    standin_context = nullcontext()
<%- endif %>
    port = _free_port()
    with standin_context<% if cookiecutter.slack_app %> as standin<% endif %>, tempfile.TemporaryDirectory(prefix="loadtest-") as workdir:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("APP_", "OTEL_"))},
            "APP_ENV": "local",
            "APP_PORT": str(port),
            "PAVEDROAD_LOG_LEVEL": "WARNING",
            "APP_SQLITE_PATH": str(Path(workdir) / "loadtest.sqlite3"),
            "OTEL_TRACES_EXPORTER": "none",
<%- if cookiecutter.slack_app %>
            "APP_SLACK_API_BASE_URL": standin.base_url,
            "APP_SLACK_BOT_TOKEN_REF": "env:LOADTEST_BOT_TOKEN",
            "LOADTEST_BOT_TOKEN": "xoxb-loadtest-" + os.urandom(4).hex(),
            "APP_SLACK_SIGNING_SECRET_REF": "env:LOADTEST_SIGNING_SECRET",
            "LOADTEST_SIGNING_SECRET": secret.decode(),
<%- endif %>
        }
        server = subprocess.Popen(
            [sys.executable, "-m", PACKAGE, "serve"],
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
                        raise RuntimeError(
                            f"the service did not start:\n{output[-3000:]}"
                        ) from None
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}", server
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=30.0, help=f"seconds of load (at most {MAX_DURATION:.0f})"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of load before measuring"
    )
    parser.add_argument("--url", help="drive a running instance instead of starting one")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "capacity" / "baseline.json")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration {args.duration}: give 1 to {MAX_DURATION:.0f} seconds")
    if not 1 <= args.concurrency <= 256:
        parser.error(f"--concurrency {args.concurrency}: give 1 to 256")
    secret_env = os.environ.get("LOADTEST_SIGNING_SECRET", "")
    if args.url and not secret_env:
        parser.error(
            "--url needs LOADTEST_SIGNING_SECRET, the signing secret the instance verifies with"
        )
    secret = (secret_env or os.urandom(16).hex()).encode()
    service = nullcontext((args.url, None)) if args.url else local_service(secret)
    with service as (url, server):
        asyncio.run(drive(url, secret, args.warmup, args.concurrency, args.seed + 1))
        cpu_before = _cpu_seconds(server.pid) if server else None
        result = asyncio.run(drive(url, secret, args.duration, args.concurrency, args.seed))
        cpu_after = _cpu_seconds(server.pid) if server else None
    if cpu_before is not None and cpu_after is not None and result["requests"]:
        cpu = cpu_after - cpu_before
        result["cpu_seconds"] = round(cpu, 3)
        result["cpu_cores"] = round(cpu / result["duration_s"], 3)
        result["cpu_seconds_per_request"] = round(cpu / result["requests"], 6)
    baseline = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": args.url or "local instance (embedded database), one process",
        "machine": (
            f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        **result,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_suffix(".json.tmp")
    partial.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    partial.replace(args.output)
    print(json.dumps({k: baseline[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "error_rate")}))
    return 0 if result["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
