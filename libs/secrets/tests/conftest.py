"""Fixtures that start real local servers (moto, PostgreSQL, OpenBao/Vault) and helpers.

Each server is started by the tests on loopback, on a free port, in a temporary directory, and
stopped at the end of the session: nothing needs to be running beforehand. A missing server
binary fails the tests that need it, naming the binary and `make bootstrap`; nothing is skipped.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pavedroad.secrets.testing import (
    KubeletVolume,
    MotoServer,
    PostgresServer,
    VaultDevServer,
    find_vault_binary,
)

REPO_ROOT = Path(__file__).resolve().parents[3]

CertificateFactory = Callable[[str], tuple[str, str, bytes]]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """moto with a clean state, and boto3's default chain pointed at it."""
    moto_server.reset()
    for name, value in moto_server.env().items():
        monkeypatch.setenv(name, value)
    yield moto_server


@pytest.fixture
def sm_client(aws: MotoServer) -> Any:
    """A Secrets Manager client of moto (typed Any: tests wrap and inject failures)."""
    return boto3.session.Session().client("secretsmanager")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rotation_database(
    postgres: PostgresServer, sm_client: Any, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str], tuple[str, str]]:
    """Makes what a PostgreSQL rotation runs against: a login role that owns a new database
    ``<role>_db`` with a ``ticks (worker, at)`` table, the role's connection document in
    Secrets Manager as ``prod/<role>/db``, and the superuser's as ``PG_ADMIN_SECRET`` (the
    admin reference of the alternating-users strategy). Returns ``(secret_id, dbname)``."""

    import psycopg  # the postgres extra: only these tests need it
    from psycopg import sql

    def create(role: str, password: str) -> tuple[str, str]:
        dbname = role + "_db"
        with psycopg.connect(**postgres.admin_kwargs(), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
            for name in (role, role + "_clone"):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(dbname), sql.Identifier(role)
                )
            )
        with psycopg.connect(**postgres.admin_kwargs(dbname), autocommit=True) as admin:
            admin.execute("CREATE TABLE ticks (worker int NOT NULL, at timestamptz DEFAULT now())")
            admin.execute(sql.SQL("GRANT ALL ON ticks TO {}").format(sql.Identifier(role)))
        secret_id = f"prod/{role}/db"
        document = {
            "engine": "postgres",
            "host": postgres.host,
            "port": postgres.port,
            "dbname": dbname,
            "username": role,
            "password": password,
        }
        sm_client.create_secret(Name=secret_id, SecretString=json.dumps(document))
        admin_document = {
            "host": postgres.host,
            "port": postgres.port,
            "dbname": "postgres",
            "username": postgres.superuser,
            "password": postgres.password,
        }
        monkeypatch.setenv("PG_ADMIN_SECRET", json.dumps(admin_document))
        return secret_id, dbname

    return create


@pytest.fixture(scope="session")
def vault_server() -> Iterator[VaultDevServer]:
    binary = find_vault_binary(REPO_ROOT / ".tools")
    if binary is None:
        tools = os.environ.get("PAVEDROAD_TOOLS_DIR") or str(REPO_ROOT / ".tools")
        pytest.fail(
            f"OpenBao binary `bao` not found in {tools}/bin, and neither `bao` nor `vault` is "
            "on PATH: run `make bootstrap` to install the pinned OpenBao (or put a "
            "Vault-compatible binary on PATH)",
            pytrace=False,
        )
    try:
        server = VaultDevServer(binary).start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kubelet_volume(tmp_path: Path) -> KubeletVolume:
    return KubeletVolume(tmp_path / "secret-volume")


@pytest.fixture
def make_certificate() -> CertificateFactory:
    """Returns a factory of self-signed certificates: ``(cert_pem, key_pem, cert_der)``."""
    return _make_certificate


def _make_certificate(common_name: str) -> tuple[str, str, bytes]:
    """A self-signed certificate and key as PEM, and the certificate's DER bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return (
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem,
        cert.public_bytes(serialization.Encoding.DER),
    )
