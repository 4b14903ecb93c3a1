"""Vault/OpenBao through a real dev server: KV v2, dynamic database credentials with lease
renewal and re-issue (against the tests' PostgreSQL), and Kubernetes service-account auth
(against a loopback TokenReview endpoint)."""

from __future__ import annotations

import base64
import http.server
import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hvac
import pavedroad.secrets.postgres as pg
import psycopg
import pytest
from pavedroad.secrets import (
    AuthenticationError,
    Resolver,
    SecretCache,
    SecretKeyError,
    SecretNotFoundError,
    TransientBackendError,
)
from pavedroad.secrets.providers.vault import VaultProvider
from pavedroad.secrets.reference import parse_reference
from pavedroad.secrets.testing import PostgresServer, VaultDevServer, free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def vault(vault_server: VaultDevServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A root client (typed Any: hvac leaves many methods unannotated), with VAULT_ADDR and
    VAULT_TOKEN set for the code under test."""
    monkeypatch.setenv("VAULT_ADDR", vault_server.address)
    monkeypatch.setenv("VAULT_TOKEN", vault_server.root_token)
    monkeypatch.delenv("PAVEDROAD_VAULT_ROLE", raising=False)
    return hvac.Client(url=vault_server.address, token=vault_server.root_token)


# -- KV v2 -----------------------------------------------------------------------------------------


def test_kv_reads_keys_versions_and_age(vault: Any) -> None:
    kv = vault.secrets.kv.v2
    kv.create_or_update_secret(path="app/slack", secret={"bot_token": "xoxb-1", "signing": "s1"})
    kv.create_or_update_secret(path="app/slack", secret={"bot_token": "xoxb-2", "signing": "s1"})
    resolver = Resolver()
    assert resolver.resolve("vault:secret/app/slack#bot_token").reveal() == "xoxb-2"
    assert resolver.resolve("vault:secret/app/slack?version=1#bot_token").reveal() == "xoxb-1"
    assert resolver.fetch("vault:secret/app/slack#signing").version == "2"
    metadata = resolver.describe("vault:secret/app/slack#bot_token")
    assert metadata.version == "2"
    assert metadata.last_changed is not None
    assert abs(time.time() - metadata.last_changed.timestamp()) < 300


def test_kv_errors_name_reference_provider_and_key(vault: Any) -> None:
    vault.secrets.kv.v2.create_or_update_secret(path="app/db", secret={"password": "hunter2"})
    with pytest.raises(SecretNotFoundError) as missing:
        Resolver().resolve("vault:secret/app/absent#password")
    assert missing.value.reference == "vault:secret/app/absent#password"
    assert missing.value.provider == "vault"
    with pytest.raises(SecretKeyError) as no_key:
        Resolver().resolve("vault:secret/app/db#username")
    assert no_key.value.key == "username"
    assert "hunter2" not in str(no_key.value)


def test_kv_bad_token_is_an_authentication_error(
    vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "not-a-token")
    with pytest.raises(AuthenticationError) as caught:
        Resolver().resolve("vault:secret/app/db#password")
    assert caught.value.provider == "vault"


def test_unreachable_vault_is_transient(vault: Any) -> None:
    provider = VaultProvider(url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TransientBackendError):
        provider.fetch(parse_reference("vault:secret/app/db#password"))


def test_cache_picks_up_a_new_kv_version(vault: Any) -> None:
    kv = vault.secrets.kv.v2
    kv.create_or_update_secret(path="app/api", secret={"key": "one"})
    with SecretCache(ttl=0.2, max_staleness=10) as cache:
        assert cache.get("vault:secret/app/api#key").reveal() == "one"
        kv.create_or_update_secret(path="app/api", secret={"key": "two"})
        deadline = time.monotonic() + 5
        while (
            time.monotonic() < deadline and cache.get("vault:secret/app/api#key").reveal() != "two"
        ):
            time.sleep(0.05)
        assert [v.reveal() for v in cache.versions("vault:secret/app/api#key")] == ["two", "one"]


# -- dynamic database credentials ------------------------------------------------------------------


@pytest.fixture
def database_engine(vault: Any, postgres: PostgresServer) -> Iterator[str]:
    """The database secrets engine at ``database/``, role ``app``: 4 s leases, 6 s max."""
    mounts = vault.sys.list_mounted_secrets_engines()["data"]
    if "database/" not in mounts:
        vault.sys.enable_secrets_engine("database", path="database")
    vault.secrets.database.configure(
        name="pg",
        plugin_name="postgresql-database-plugin",
        connection_url=(
            f"postgresql://{{{{username}}}}:{{{{password}}}}@{postgres.host}:{postgres.port}"
            "/postgres?sslmode=disable"
        ),
        allowed_roles=["app"],
        username=postgres.superuser,
        password=postgres.password,
        verify_connection=True,
    )
    vault.secrets.database.create_role(
        name="app",
        db_name="pg",
        creation_statements=[
            "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' "
            "VALID UNTIL '{{expiration}}';"
        ],
        default_ttl="4s",
        max_ttl="6s",
    )
    yield "vault-db:database/app"


@pytest.mark.slow
def test_lease_is_renewed_then_credentials_are_reissued(
    database_engine: str, postgres: PostgresServer
) -> None:
    provider = VaultProvider()
    ref = parse_reference(database_engine)
    issued = provider.fetch(ref)
    assert issued.lease is not None and issued.lease.renewable
    assert issued.lease.duration == pytest.approx(4, abs=1)
    user = issued.value.reveal_json()["username"]

    # Refresh every half second, as the cache would, until new credentials are issued:
    # renewals first (same lease, later expiry), then, once max_ttl (6 s) caps a renewal below
    # half of the 4 s lease, a re-issue while the old lease is still valid.
    history: list[tuple[float, str, float]] = []
    current = issued
    reissued = None
    deadline = time.monotonic() + 15
    while reissued is None and time.monotonic() < deadline:
        time.sleep(0.5)
        assert current.lease is not None
        remaining_before = current.lease.remaining()
        refreshed = provider.refresh(ref, current)
        assert refreshed.lease is not None
        history.append((remaining_before, refreshed.lease.lease_id, refreshed.lease.duration))
        if refreshed.lease.lease_id != issued.lease.lease_id:
            reissued = refreshed
            assert remaining_before > 0, history  # re-issued before the old lease ran out
        else:
            assert refreshed.value.reveal_json()["username"] == user
            assert refreshed.lease.expires_at >= current.lease.expires_at - 0.5, history
        current = refreshed
    assert reissued is not None, history
    assert len(history) >= 2, history  # at least one renewal came first
    assert reissued.value.reveal_json()["username"] != user
    overrides = {"host": postgres.host, "port": postgres.port, "dbname": "postgres"}
    with psycopg.connect(**pg.connection_kwargs(reissued.value, **overrides)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.slow
def test_queries_never_fail_across_lease_expiry(
    database_engine: str, postgres: PostgresServer
) -> None:
    """Workers log in with cached dynamic credentials while leases expire and roll over."""
    outcomes = Counter[str]()
    users: set[str] = set()
    errors: list[str] = []
    lock = threading.Lock()
    overrides = {"host": postgres.host, "port": postgres.port, "dbname": "postgres"}
    deadline = time.monotonic() + 9.0  # one and a half max_ttl periods

    def worker(cache: SecretCache) -> None:
        for _ in range(5000):
            if time.monotonic() > deadline:
                return
            try:
                with pg.connect(cache, database_engine, **overrides) as conn:
                    row = conn.execute("SELECT current_user").fetchone()
                assert row is not None
                with lock:
                    outcomes["ok"] += 1
                    users.add(row[0])
            except Exception as exc:  # counted and reported
                with lock:
                    outcomes["failed"] += 1
                    errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.01)

    with SecretCache(ttl=60, max_staleness=120) as cache:
        threads = [threading.Thread(target=worker, args=(cache,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    print(
        f"\nvault-db: {outcomes['ok']} logins+queries ok, {outcomes['failed']} failed, "
        f"{len(users)} distinct dynamic users"
    )
    assert outcomes["failed"] == 0, errors[:5]
    assert outcomes["ok"] >= 50
    assert len(users) >= 2  # credentials were re-issued before the old lease ran out


# -- Kubernetes service-account auth ---------------------------------------------------------------


def _fake_jwt(namespace: str, name: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {
        "iss": "kubernetes/serviceaccount",
        "sub": f"system:serviceaccount:{namespace}:{name}",
        "kubernetes.io/serviceaccount/namespace": namespace,
        "kubernetes.io/serviceaccount/service-account.name": name,
        "kubernetes.io/serviceaccount/service-account.uid": "uid-1234",
    }
    signature = base64.urlsafe_b64encode(b"\0" * 256).rstrip(b"=").decode()
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{signature}"


class TokenReviewServer:
    """Answers Kubernetes TokenReview requests on loopback: the tokens it issued are valid."""

    def __init__(
        self,
        valid: dict[str, tuple[str, str]],
        tmp: Path,
        make_certificate: Callable[[str], tuple[str, str, bytes]],
    ) -> None:
        self.valid = valid
        self.reviews = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                review = json.loads(self.rfile.read(length))
                owner.reviews += 1
                token = review["spec"]["token"]
                status: dict[str, Any] = {"authenticated": False}
                if token in owner.valid:
                    namespace, name = owner.valid[token]
                    status = {
                        "authenticated": True,
                        "user": {
                            "username": f"system:serviceaccount:{namespace}:{name}",
                            "uid": "uid-1234",
                            "groups": ["system:serviceaccounts"],
                        },
                    }
                body = json.dumps({**review, "status": status}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        # Vault requires the API server's CA when it is not running in a pod: serve TLS.
        self.ca_pem, key_pem, _ = make_certificate("kubernetes.test")
        (tmp / "api.crt").write_text(self.ca_pem)
        (tmp / "api.key").write_text(key_pem)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tmp / "api.crt", tmp / "api.key")
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.address = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def test_kubernetes_auth_logs_in_and_logs_in_again_after_403(
    vault: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_certificate: Callable[[str], tuple[str, str, bytes]],
) -> None:
    jwt = _fake_jwt("prod", "app")
    reviewer = TokenReviewServer({jwt: ("prod", "app")}, tmp_path, make_certificate)
    try:
        if "kubernetes/" not in vault.sys.list_auth_methods()["data"]:
            vault.sys.enable_auth_method("kubernetes")
        vault.auth.kubernetes.configure(
            kubernetes_host=reviewer.address,
            kubernetes_ca_cert=reviewer.ca_pem,
            token_reviewer_jwt="reviewer-token",
            disable_local_ca_jwt=True,
        )
        vault.sys.create_or_update_policy(
            "read-app", 'path "secret/data/k8s/*" { capabilities = ["read"] }'
        )
        vault.auth.kubernetes.create_role(
            name="app",
            bound_service_account_names=["app"],
            bound_service_account_namespaces=["prod"],
            policies=["read-app"],
            ttl="1h",
        )
        vault.secrets.kv.v2.create_or_update_secret(path="k8s/app", secret={"key": "from-k8s"})
        token_file = tmp_path / "token"
        token_file.write_text(jwt)
        monkeypatch.delenv("VAULT_TOKEN")
        monkeypatch.setenv("PAVEDROAD_VAULT_ROLE", "app")
        monkeypatch.setenv("PAVEDROAD_VAULT_JWT_PATH", str(token_file))

        provider = VaultProvider()
        ref = parse_reference("vault:secret/k8s/app#key")
        assert provider.fetch(ref).value.reveal() == "from-k8s"
        assert reviewer.reviews == 1
        # The policy allows nothing else: a 403 there is an authentication error.
        with pytest.raises(AuthenticationError):
            provider.fetch(parse_reference("vault:secret/other/app#key"))
        # Revoke our Vault token: the next read gets 403, logs in again and succeeds.
        provider.client.auth.token.revoke_self()
        assert provider.fetch(ref).value.reveal() == "from-k8s"
        assert reviewer.reviews >= 2

        token_file.write_text(_fake_jwt("prod", "intruder"))
        with pytest.raises(AuthenticationError):
            VaultProvider().fetch(ref)
    finally:
        reviewer.close()
