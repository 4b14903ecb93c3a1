"""Local DAST: schemathesis against the running service's OpenAPI document (`make dast`).

Starts `python -m <{ cookiecutter.package_name }> serve` on a free loopback port, on a throwaway SQLite
database and without Slack (no APP_* or OTEL_* variable of the caller leaks in), waits for
/readyz, then runs schemathesis with the checks named in CHECKS, a bounded number of examples per
operation and a time limit. The service is stopped in every case (SIGTERM, then SIGKILL), and its
log is printed when the run fails. Reports: JUnit XML and schemathesis's NDJSON event stream
(every test case with the checks it ran) in --reports.
<%- if cookiecutter.slack_app %>

The /slack/* operations are excluded: every request to them must carry Slack's signature, so
unsigned fuzzing only ever meets the signature gate (and, with Slack unconfigured, a 503).
tests/test_slack_security.py fuzzes them with signed and unsigned requests instead.
<%- endif %>
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGE = "<{ cookiecutter.package_name }>"
# 5xx responses, responses that do not match the documented schema or content type. A crash
# (connection reset, timeout, the process gone) is an error in schemathesis and fails the run too.
CHECKS = ("not_a_server_error", "response_schema_conformance", "content_type_conformance")
<%- if cookiecutter.slack_app %>
EXCLUDE_PATH_REGEX = "^/slack/"
<%- else %>
EXCLUDE_PATH_REGEX = ""
<%- endif %>
READY_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready(port):
        if server.poll() is not None:
            raise RuntimeError(f"the service exited with status {server.returncode} at startup")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the service was not ready on port {port} within {timeout:g}s")
        time.sleep(0.2)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def schemathesis_command(args: argparse.Namespace, base_url: str) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--request-timeout",
        "10",
        "--report",
        "junit,ndjson",
        "--report-junit-path",
        str(args.reports / "dast-junit.xml"),
        "--report-ndjson-path",
        str(args.reports / "dast-events.ndjson"),
        "--no-color",
    ]
    if EXCLUDE_PATH_REGEX:
        command += ["--exclude-path-regex", EXCLUDE_PATH_REGEX]
    return command + suppressions()


def suppressions() -> list[str]:
    """The accepted findings from .security-suppressions.toml, as schemathesis flags."""
    script = Path(__file__).resolve().parent / "security_suppressions.py"
    result = subprocess.run(
        [sys.executable, str(script), "args", "schemathesis"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    return result.stdout.splitlines()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"))
    parser.add_argument("--max-examples", type=int, default=25, help="per operation and phase")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds for the fuzzing")
    parser.add_argument("--seed", type=int, default=1, help="fixed, so a finding reproduces")
    args = parser.parse_args(argv)
    args.reports.mkdir(parents=True, exist_ok=True)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="dast-") as workdir:
        log_path = Path(workdir) / "service.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("APP_", "OTEL_"))},
            "APP_ENV": "local",
            "APP_HOST": "127.0.0.1",
            "APP_PORT": str(port),
            "APP_SQLITE_PATH": str(Path(workdir) / "dast.sqlite3"),
            "OTEL_TRACES_EXPORTER": "none",
        }
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", PACKAGE, "serve"],
                cwd=workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            status = 1
            try:
                wait_ready(port, server, READY_TIMEOUT_SECONDS)
                command = schemathesis_command(args, base_url)
                try:
                    run = subprocess.run(command, timeout=args.time_limit, check=False)
                    status = run.returncode
                    if server.poll() is not None:  # a crash that schemathesis did not see
                        print(f"dast: the service exited ({server.returncode})", file=sys.stderr)
                        status = 1
                except subprocess.TimeoutExpired:
                    print(f"dast: schemathesis ran past {args.time_limit:g}s", file=sys.stderr)
            except RuntimeError as exc:
                print(f"dast: {exc}", file=sys.stderr)
            finally:
                stop(server)
        if status != 0:
            print("dast: schemathesis found problems (above); the service's log:", file=sys.stderr)
            sys.stderr.write(log_path.read_text(encoding="utf-8", errors="replace")[-6000:])
            return 1
    print(f"dast: schemathesis passed ({', '.join(CHECKS)}); reports in {args.reports}/dast-*")
    return 0


if __name__ == "__main__":
    sys.exit(main())
