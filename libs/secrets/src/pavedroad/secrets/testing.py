"""Local secret backends for tests and benchmarks, started and stopped by the caller.

* :class:`MotoServer` runs moto's Secrets Manager emulation as a separate process on loopback,
  so that botocore talks to it over real HTTP exactly as it talks to AWS. Needs
  ``moto[server]``.
* :class:`VaultDevServer` runs ``bao server -dev`` (OpenBao) or ``vault server -dev`` on
  loopback with a root token of its own; :func:`find_vault_binary` finds the binary.
* :class:`PostgresServer` runs a throwaway PostgreSQL cluster in a temporary directory on a
  loopback port (Debian's or PATH's ``initdb`` and ``pg_ctl``; as the ``postgres`` user when
  run as root, since PostgreSQL refuses to run as root).
* :class:`KubeletVolume` writes files the way the kubelet updates a mounted Secret, to test
  code that must notice a rotated secret file.

Every wait is bounded in time.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

_START_TIMEOUT = 30.0


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; bounded in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _LocalServer:
    """Start and stop a local server, or use it as a context manager."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class MotoServer(_LocalServer):
    """``python -m moto.server`` on 127.0.0.1, started and stopped by this object.

    ``env()`` returns the environment variables that point boto3 at it (endpoint, region and
    dummy credentials), so a subprocess or a fresh client needs no code change.
    """

    def __init__(self, port: int | None = None, region: str = "us-east-1") -> None:
        self.port = port or free_port()
        self.region = region
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        """Environment that points boto3's default chain at this server."""
        return {
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }

    def start(self) -> Self:
        """Start the server and wait (at most 30 s) until it answers."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"moto server exited with code {self._process.returncode}; install "
                    "'moto[server]' (the test extra of pavedroad-secrets)"
                )
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.endpoint} within 30 s")

    def reset(self) -> None:
        """Forget every secret (moto's reset API)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass

    def stop(self) -> None:
        """Stop the server (at most 10 s, then kill)."""
        process, self._process = self._process, None
        if process is not None:
            _terminate(process, timeout=10)


def _terminate(process: subprocess.Popen[bytes], *, timeout: float) -> None:
    """SIGTERM ``process`` and wait ``timeout`` seconds for it, then kill it."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def find_vault_binary(tools_dir: str | os.PathLike[str] | None = None) -> str | None:
    """``<tools_dir>/bin/bao`` (``$PAVEDROAD_TOOLS_DIR`` wins), else ``bao`` or ``vault`` on
    PATH, else None."""
    directory = os.environ.get("PAVEDROAD_TOOLS_DIR") or tools_dir
    if directory:
        candidate = Path(directory) / "bin" / "bao"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("bao") or shutil.which("vault")


class VaultDevServer(_LocalServer):
    """An OpenBao or Vault dev server (in-memory, unsealed, KV v2 at ``secret/``) on loopback."""

    def __init__(self, binary: str, port: int | None = None) -> None:
        self.binary = binary
        self.port = port or free_port()
        self.address = f"http://127.0.0.1:{self.port}"
        self.root_token = "root-" + os.urandom(6).hex()
        self._home: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        """``VAULT_ADDR`` and ``VAULT_TOKEN`` for a root client of this server."""
        return {"VAULT_ADDR": self.address, "VAULT_TOKEN": self.root_token}

    def start(self) -> Self:
        """Start the server and wait (at most 60 s) until it reports healthy."""
        # A home of its own: dev mode writes the root token to ~/.vault-token.
        self._home = tempfile.mkdtemp(prefix="pavedroad-vault-")
        log = open(os.path.join(self._home, "server.log"), "wb")  # noqa: SIM115
        with log:
            self._process = subprocess.Popen(
                [
                    self.binary,
                    "server",
                    "-dev",
                    f"-dev-root-token-id={self.root_token}",
                    f"-dev-listen-address=127.0.0.1:{self.port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "HOME": self._home},
            )
        deadline = time.monotonic() + 2 * _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.address}/v1/sys/health", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        tail = Path(self._home, "server.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"{self.binary} dev server did not become healthy: {tail}")

    def stop(self) -> None:
        """Stop the server (at most 15 s, then kill) and remove its home directory."""
        process, self._process = self._process, None
        if process is not None:
            _terminate(process, timeout=15)
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None


def _postgres_binary(name: str) -> str:
    """Debian's newest ``/usr/lib/postgresql/<major>/bin/<name>``, else ``<name>`` on PATH."""

    def major(path: str) -> int:
        part = Path(path).parts[4]
        return int(part) if part.isdigit() else 0

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major)
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found in /usr/lib/postgresql/*/bin or on PATH; "
            "install the postgresql package (`make bootstrap` does)"
        )
    return on_path


class PostgresServer(_LocalServer):
    """A throwaway PostgreSQL cluster: SCRAM authentication, superuser ``postgres`` with a
    random password, listening on 127.0.0.1 only, durability switched off for speed."""

    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.superuser = "postgres"
        self.password = "superuser-" + os.urandom(8).hex()
        self._root: str | None = None
        self._pg_ctl: str | None = None

    def admin_kwargs(self, dbname: str = "postgres") -> dict[str, Any]:
        """psycopg ``connect()`` arguments for the superuser."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.superuser,
            "password": self.password,
            "dbname": dbname,
            "connect_timeout": 5,
        }

    @staticmethod
    def _as_postgres(argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def start(self) -> Self:
        """initdb and start the cluster; wait (at most 60 s) until it accepts connections."""
        initdb, self._pg_ctl = _postgres_binary("initdb"), _postgres_binary("pg_ctl")
        # Under /tmp, not pytest's per-user 0700 directories, which postgres cannot enter.
        self._root = root = tempfile.mkdtemp(prefix="pavedroad-pg-")
        data, sockets = os.path.join(root, "data"), os.path.join(root, "sock")
        pwfile, log = os.path.join(root, "pwfile"), os.path.join(root, "server.log")
        os.mkdir(sockets)
        Path(pwfile).write_text(self.password + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            for path in (root, sockets, pwfile):
                shutil.chown(path, "postgres")
        initialised = subprocess.run(
            self._as_postgres(
                [
                    initdb,
                    *("-D", data, "-U", self.superuser, "--auth=scram-sha-256"),
                    *(f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync"),
                ]
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if initialised.returncode != 0:
            self.stop()
            raise RuntimeError(f"initdb failed: {initialised.stderr.strip()}")
        options = (
            f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        started = subprocess.run(
            self._as_postgres(
                [self._pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"]
            ),
            capture_output=True,
            text=True,
            timeout=90,
        )
        if started.returncode != 0:
            detail = Path(log).read_text(errors="replace")[-2000:] if os.path.exists(log) else ""
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()} {detail}")
        return self

    def stop(self) -> None:
        """Stop the cluster (immediate shutdown) and delete its directory."""
        root, self._root = self._root, None
        if root is None:
            return
        data = os.path.join(root, "data")
        if self._pg_ctl and os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(
                self._as_postgres([self._pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


class KubeletVolume:
    """Writes files the way the kubelet's AtomicWriter updates a Secret volume.

    Layout: ``<dir>/..<timestamp>/<key>`` holds the data, ``<dir>/..data`` is a symlink to the
    current timestamped directory, and ``<dir>/<key>`` is a symlink to ``..data/<key>``. An
    update writes a new timestamped directory, points ``..data_tmp`` at it, renames that over
    ``..data`` (atomic), and removes the old directory.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._generation = 0

    def write(self, files: dict[str, str]) -> None:
        self._generation += 1
        stamp = time.strftime("..%Y_%m_%d_%H_%M_%S.") + f"{os.getpid()}{self._generation:04d}"
        new_dir = self.root / stamp
        new_dir.mkdir()
        for key, content in files.items():
            (new_dir / key).write_text(content, encoding="utf-8")
        data_link = self.root / "..data"
        old_dir = os.readlink(data_link) if data_link.is_symlink() else None
        tmp_link = self.root / "..data_tmp"
        os.symlink(stamp, tmp_link)
        os.rename(tmp_link, data_link)
        for key in files:
            user_link = self.root / key
            if not user_link.is_symlink():
                os.symlink(f"..data/{key}", user_link)
        if old_dir is not None:
            shutil.rmtree(self.root / old_dir)
