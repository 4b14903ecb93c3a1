"""End to end: the default render rotates its database password under load, with no restart.

The generated service runs from its own entry point (`python -m team_notes serve`) in a
virtualenv built from its own lock files, against a real PostgreSQL. Its credentials are behind
a `file:` reference in a directory written the way the kubelet updates a Secret volume; the test
plays External Secrets Operator by copying the AWSCURRENT version from moto's Secrets Manager
into it. Signed `/notes add` slash commands write notes while the real `pavedroad-secrets rotate`
CLI (the rotation runner's entry point, with the alternating-users strategy the chart's CronJob
uses) rotates the password twice. Every request must succeed, every note must be stored, and the
original password must no longer log in. The runner image itself is not built here: the image
tier builds the app image once (tests/e2e/test_service_image.py), and a second image would double
that; the runner image runs this same CLI entry point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import psycopg
import pytest
from pavedroad.secrets import SecretValue, slack_signature
from pavedroad.secrets.testing import KubeletVolume, MotoServer, PostgresServer, free_port
from psycopg import sql

from tests import harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.integration]

LOAD_SECONDS = 14.0
WORKERS = 4
ROTATIONS = 2
INITIAL_PASSWORD = "initial-password-e2e-0001"
SIGNING_SECRET = "e2e-signing-secret-" + uuid.uuid4().hex


class _SlackAPI(BaseHTTPRequestHandler):
    """The few Slack Web API answers the service needs (auth.test and chat.* calls)."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        answer: dict[str, Any] = {"ok": True, "ts": f"{time.time():.6f}"}
        if self.path.endswith("/auth.test"):
            answer = {
                "ok": True,
                "team_id": "T0TEST001",
                "user_id": "UBOTBOT01",
                "bot_id": "B0TEST001",
            }
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def service_python(
    rendered: Any, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A virtualenv of the default render, from its runtime lock and the libraries' wheels."""
    project: Path = rendered("default")
    venv = tmp_path_factory.mktemp("service") / "venv"
    uv = str(Path(sys.executable).parent / "uv")
    python = harness.python_for(harness.answers_python(harness.load_example("default")))
    subprocess.run([uv, "venv", "--quiet", "--python", python, str(venv)], check=True)
    target = ["--python", str(venv / "bin" / "python")]
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            *target,
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-r",
            str(project / "requirements.lock"),
        ],
        check=True,
    )
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            *target,
            "--no-deps",
            *sorted(str(w) for w in wheelhouse.glob("*.whl")),
        ],
        check=True,
    )
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


def _prepare_database(cluster: PostgresServer) -> dict[str, Any]:
    with psycopg.connect(**cluster.admin_kwargs(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE notes LOGIN PASSWORD {}").format(sql.Literal(INITIAL_PASSWORD))
        )
        admin.execute("CREATE DATABASE notes OWNER notes")
    return {
        "engine": "postgres",
        "host": cluster.host,
        "port": cluster.port,
        "dbname": "notes",
        "username": "notes",
        "password": INITIAL_PASSWORD,
    }


def _command(base: str, text: str) -> int:
    invocation = uuid.uuid4().hex
    form = {
        "command": "/notes",
        "text": text,
        "team_id": "T0TEST001",
        "channel_id": "C0CHAN001",
        "user_id": "U0USER001",
        "response_url": f"https://hooks.slack.invalid/commands/{invocation}",
        "trigger_id": f"1.{invocation}",
    }
    body = urlencode(form).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{base}/slack/commands",
        data=body,
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(SecretValue(SIGNING_SECRET), timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
            return 200 if str(answer.get("text", "")).startswith("Saved note") else 599
    except urllib.error.HTTPError as error:
        return error.code


def test_database_password_rotates_under_load_without_a_restart(
    service_python: Path,
    rendered: Any,
    cluster: PostgresServer,
    moto: MotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project: Path = rendered("default")
    document = _prepare_database(cluster)
    aws_env = {**os.environ, **moto.env()}
    for name, value in moto.env().items():
        monkeypatch.setenv(name, value)
    client = boto3.session.Session().client("secretsmanager")
    secret_id = "team-notes/dev/database-url"
    client.create_secret(Name=secret_id, SecretString=json.dumps(document))

    volume = KubeletVolume(tmp_path / "secrets")

    def sync_from_store() -> None:  # what External Secrets Operator does on refresh
        current = client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")
        volume.write(
            {
                "database-url": current["SecretString"],
                "slack-bot-token": "xoxb-e2e-token",
                "slack-signing-secret": SIGNING_SECRET,
            }
        )

    sync_from_store()
    slack = ThreadingHTTPServer(("127.0.0.1", 0), _SlackAPI)
    threading.Thread(target=slack.serve_forever, daemon=True).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(project / "src"),
        "APP_ENV": "local",
        "APP_PORT": str(port),
        "APP_MIGRATE_ON_START": "true",
        "APP_SECRET_CACHE_TTL_SECONDS": "1",
        "APP_DATABASE_URL_REF": f"file:{volume.root}/database-url",
        "APP_SLACK_BOT_TOKEN_REF": f"file:{volume.root}/slack-bot-token",
        "APP_SLACK_SIGNING_SECRET_REF": f"file:{volume.root}/slack-signing-secret",
        "APP_SLACK_API_BASE_URL": f"http://127.0.0.1:{slack.server_address[1]}/api/",
        "APP_LOG_LEVEL": "WARNING",
        "OTEL_SDK_DISABLED": "true",
    }
    log = (tmp_path / "service.log").open("w")
    service = subprocess.Popen(
        [str(service_python), "-m", "team_notes", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    outcomes = Counter[int]()
    written: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as ready:
                    if ready.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
            assert service.poll() is None, (tmp_path / "service.log").read_text()
        else:
            raise AssertionError("the service did not become ready in 60 s")

        def worker(number: int) -> None:
            sequence = 0
            while not stop.is_set():
                text = f"e2e-{number}-{sequence}"
                sequence += 1
                status = _command(base, f"add {text}")
                with lock:
                    outcomes[status] += 1
                    if status == 200:
                        written.append(text)

        ready_after = time.monotonic() - deadline + 60
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        admin = {
            "host": cluster.host,
            "port": cluster.port,
            "dbname": "postgres",
            "username": cluster.superuser,
            "password": cluster.password,
        }
        for _ in range(ROTATIONS):
            time.sleep(2)
            rotation = subprocess.run(
                [
                    str(Path(sys.executable).parent / "pavedroad-secrets"),
                    "rotate",
                    f"aws-sm:{secret_id}",
                    "--strategy",
                    "postgres-alternating-users",
                    "--admin-ref",
                    "env:PG_ADMIN_SECRET",
                ],
                env={**aws_env, "PG_ADMIN_SECRET": json.dumps(admin)},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert rotation.returncode == 0, rotation.stderr
            time.sleep(1)  # the operator's refresh comes some time after the rotation
            sync_from_store()
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        load_time = time.monotonic() - started
        assert service.poll() is None, "the service restarted or died during the rotations"
    finally:
        stop.set()
        service.terminate()
        service.wait(timeout=30)
        slack.shutdown()
        log.close()

    current = json.loads(
        client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"]
    )
    print(
        f"\nservice ready after {ready_after:.1f}s; {outcomes[200]} notes written under load "
        f"in {load_time:.1f}s with {ROTATIONS} rotations; statuses {dict(outcomes)}"
    )
    assert set(outcomes) == {200}, (outcomes, (tmp_path / "service.log").read_text()[-3000:])
    assert len(written) >= 50
    with psycopg.connect(**cluster.admin_kwargs("notes")) as conn:
        stored = {row[0] for row in conn.execute("SELECT text FROM notes")}
    assert set(written) <= stored, f"{len(set(written) - stored)} notes were lost"
    # Two alternating rotations: the original user now has a new password, the old one is gone.
    assert current["username"] == "notes"
    assert current["password"] != INITIAL_PASSWORD
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host=cluster.host,
            port=cluster.port,
            dbname="notes",
            user="notes",
            password=INITIAL_PASSWORD,
            connect_timeout=5,
        )
