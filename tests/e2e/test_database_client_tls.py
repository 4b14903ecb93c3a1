"""The generated service's PostgreSQL client certificate (issue 17, item 4) on a real server.

PostgreSQL requires TLS and a client certificate from the test CA (`hostssl ... clientcert=
verify-ca`). The default render's `database.client_tls` and `create_engine(tls=...)` connect with
the equivalent of `sslmode=verify-full`; then the certificate files are replaced the way the
kubelet swaps a projected Secret, and a new connection must present the new certificate while
one opened before the swap keeps working, with no new engine and no restart.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import pwd
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pavedroad.secrets.testing import KubeletVolume, PostgresServer

from tests import harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.integration]

Pair = tuple[str, str]  # certificate PEM, key PEM


def _issue(
    common_name: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None, **kw: bool
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if kw.get("server"):
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    elif issuer is not None:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    certificate = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    return certificate, key


def _pem(pair: tuple[x509.Certificate, ec.EllipticCurvePrivateKey]) -> Pair:
    certificate, key = pair
    return (
        certificate.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


@pytest.fixture(scope="module")
def tls_server() -> Iterator[tuple[PostgresServer, str, list[Pair], list[int]]]:
    """PostgreSQL that only admits `app` over TLS with a certificate of the test CA."""
    ca = _issue("pavedroad test database CA", None)
    server_cert, server_key = _pem(_issue("127.0.0.1", ca, server=True))
    clients = [_issue("app", ca), _issue("app", ca)]
    files = Path(tempfile.mkdtemp(prefix="pavedroad-pg-tls-"))
    os.chmod(files, 0o755)
    for name, text in {"server.crt": server_cert, "server.key": server_key}.items():
        (files / name).write_text(text, encoding="utf-8")
    (files / "ca.crt").write_text(_pem(ca)[0], encoding="utf-8")
    os.chmod(files / "server.key", 0o600)
    if os.geteuid() == 0:  # the server runs as `postgres` (PostgresServer), which must own its key
        for name in ("server.crt", "server.key", "ca.crt"):
            os.chown(files / name, pwd.getpwnam("postgres").pw_uid, -1)
    server = PostgresServer().start()
    try:
        with psycopg.connect(**server.admin_kwargs(), autocommit=True) as admin:
            admin.execute("CREATE ROLE app LOGIN PASSWORD 'app-password'")
            for setting, value in {
                "ssl_cert_file": files / "server.crt",
                "ssl_key_file": files / "server.key",
                "ssl_ca_file": files / "ca.crt",
                "ssl": "on",
            }.items():
                admin.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
            hba = Path(str(admin.execute("SHOW hba_file").fetchone()[0]))  # type: ignore[index]
            rules = "hostssl all app 127.0.0.1/32 scram-sha-256 clientcert=verify-ca\n"
            rules += "host all app all reject\n"
            hba.write_text(rules + hba.read_text(encoding="utf-8"), encoding="utf-8")
            admin.execute("SELECT pg_reload_conf()")
        serials = [certificate.serial_number for certificate, _ in clients]
        yield server, _pem(ca)[0], [_pem(pair) for pair in clients], serials
    finally:
        server.stop()


SCRIPT = """
import asyncio, json, os, sys
from pathlib import Path
from pavedroad.secrets.testing import KubeletVolume
from sqlalchemy import text
from team_notes.database import client_tls, create_engine

SERIAL = text("SELECT client_serial::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")

async def main() -> None:
    directory = Path(os.environ["TLS_DIR"])
    reloader = client_tls(directory, poll_interval=0.1).start()
    engine = create_engine(os.environ["DATABASE_URL"], tls=reloader.context)
    result = {}
    async with engine.connect() as before:
        result["before"] = (await before.execute(SERIAL)).scalar_one()
        # The kubelet swaps the projected Secret to the renewed certificate.
        renewed = json.loads(os.environ["RENEWED"])
        KubeletVolume(directory).write(renewed)
        for _ in range(50):
            if reloader.reloads:
                break
            await asyncio.sleep(0.1)
        result["reloads"] = reloader.reloads
        # A new connection (not the pooled one, which is still checked out) presents the new one.
        async with engine.connect() as after:
            result["after"] = (await after.execute(SERIAL)).scalar_one()
        # The connection opened before the swap still works, on the old certificate.
        result["before_still"] = (await before.execute(SERIAL)).scalar_one()
    await engine.dispose()
    reloader.stop()
    print(json.dumps(result))

asyncio.run(main())
"""


def test_renewed_client_certificate_is_used_without_a_restart(
    fresh_project: Callable[..., Path],
    wheelhouse: Path,
    tls_server: tuple[PostgresServer, str, list[Pair], list[int]],
    tmp_path: Path,
) -> None:
    server, ca, (first, renewed), serials = tls_server
    project = fresh_project("default")
    venv = harness.install_project_venv(project, wheelhouse)
    tls_dir = tmp_path / "database-client"
    KubeletVolume(tls_dir).write({"tls.crt": first[0], "tls.key": first[1], "ca.crt": ca})
    url = f"postgresql://app:app-password@127.0.0.1:{server.port}/postgres"
    env = {
        **os.environ,
        "TLS_DIR": str(tls_dir),
        "DATABASE_URL": url,
        "RENEWED": json.dumps({"tls.crt": renewed[0], "tls.key": renewed[1], "ca.crt": ca}),
    }
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {
        "before": str(serials[0]),
        "reloads": 1,
        "after": str(serials[1]),
        "before_still": str(serials[0]),
    }
    # Without a client certificate the server refuses the same login: TLS alone is not enough.
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, sslmode="require", connect_timeout=5).close()
