"""PostgreSQL password rotation under concurrent load: zero failed queries, counted.

A real PostgreSQL cluster (started by the tests), Secrets Manager through moto, and the rotation
engine. Worker threads play the application: each reads its credentials through a SecretCache,
logs in with :func:`pavedroad.secrets.postgres.connect`, runs queries in a loop and logs in again
every few queries, while rotations run. Every query outcome is counted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pavedroad.secrets.postgres as pg
import psycopg
import pytest
from pavedroad.secrets import SecretCache
from pavedroad.secrets.rotation import RotationEngine, strategy_from_name
from pavedroad.secrets.testing import PostgresServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKERS = 4
QUERIES_PER_LOGIN = 5
ROTATIONS = 3
MAX_ITERATIONS_PER_WORKER = 20_000
TIME_LIMIT_SECONDS = 90.0


@pytest.mark.parametrize("strategy_name", ["postgres-single-user", "postgres-alternating-users"])
def test_rotation_under_load_fails_no_query(
    strategy_name: str,
    postgres: PostgresServer,
    sm_client: Any,
    rotation_database: Callable[[str, str], tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    role = "app_single" if strategy_name.endswith("single-user") else "app_alt"
    secret_id, _ = rotation_database(role, "initial-password-0001")

    auth_failures = Counter[str]()
    real_is_auth_failure = pg.is_auth_failure

    def counting_is_auth_failure(exc: BaseException) -> bool:
        result = real_is_auth_failure(exc)
        if result:
            auth_failures["retried logins"] += 1
        return result

    monkeypatch.setattr(pg, "is_auth_failure", counting_is_auth_failure)

    ref = f"aws-sm:{secret_id}"
    outcomes = Counter[str]()
    users_seen: set[str] = set()
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + TIME_LIMIT_SECONDS

    def worker(number: int, cache: SecretCache) -> None:
        iterations = 0
        while not stop.is_set() and iterations < MAX_ITERATIONS_PER_WORKER:
            if time.monotonic() > deadline:
                return
            try:
                with pg.connect(cache, ref) as conn:
                    for _ in range(QUERIES_PER_LOGIN):
                        iterations += 1
                        row = conn.execute(
                            "INSERT INTO ticks (worker) VALUES (%s) RETURNING current_user",
                            (number,),
                        ).fetchone()
                        conn.commit()
                        assert row is not None
                        with lock:
                            outcomes["ok"] += 1
                            users_seen.add(row[0])
            except Exception as exc:  # every failure is counted and reported
                with lock:
                    outcomes["failed"] += 1
                    errors.append(f"{type(exc).__name__}: {exc}")

    strategy = strategy_from_name(strategy_name, admin_ref="env:PG_ADMIN_SECRET")
    engine = RotationEngine(strategy, client=sm_client)
    tokens: list[str] = []
    with SecretCache(ttl=0.5, max_staleness=30) as cache:
        threads = [
            threading.Thread(target=worker, args=(n, cache), name=f"app-{n}")
            for n in range(WORKERS)
        ]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)  # steady load before the first rotation
            for _ in range(ROTATIONS):
                tokens.append(engine.rotate(secret_id, backoff=0.1))
                time.sleep(0.7)  # let the caches move (ttl 0.5 s) before the next rotation
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

    stages = sm_client.describe_secret(SecretId=secret_id)["VersionIdsToStages"]
    current = json.loads(
        sm_client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"]
    )
    print(
        f"\n{strategy_name}: {outcomes['ok']} queries ok, {outcomes['failed']} failed, "
        f"{ROTATIONS} rotations, {auth_failures['retried logins']} logins retried after an "
        f"auth failure, users seen {sorted(users_seen)}"
    )
    assert not any(thread.is_alive() for thread in threads)
    assert outcomes["failed"] == 0, errors[:5]
    assert outcomes["ok"] >= 200
    assert len(tokens) == ROTATIONS
    assert stages[tokens[-1]] == ["AWSCURRENT"]
    assert stages[tokens[-2]] == ["AWSPREVIOUS"]
    assert current["password"] != "initial-password-0001"
    if strategy_name == "postgres-alternating-users":
        assert users_seen == {role, role + "_clone"}
        assert current["username"] == role + "_clone"  # three rotations: clone, base, clone
    else:
        assert users_seen == {role}
    # The rotated credential logs in; the secret never held a clear-text password server-side.
    with psycopg.connect(**pg.connection_kwargs(_value(current))) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with psycopg.connect(**postgres.admin_kwargs()) as superuser:
        stored = superuser.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (current["username"],)
        ).fetchone()
    assert stored is not None and stored[0].startswith("SCRAM-SHA-256$")


def _value(document: dict[str, Any]) -> Any:
    from pavedroad.secrets import SecretValue

    return SecretValue(json.dumps(document))


def test_set_secret_is_idempotent_and_retry_safe(
    sm_client: Any, rotation_database: Callable[[str, str], tuple[str, str]]
) -> None:
    secret_id, _ = rotation_database("app_idem", "initial-password-0002")
    engine = RotationEngine(strategy_from_name("postgres-single-user"), client=sm_client)
    token = "dddddddd-2222-3333-4444-555555555555"
    engine.run_step("createSecret", secret_id, token)
    for _ in range(2):  # the second setSecret finds the password already set
        engine.run_step("setSecret", secret_id, token)
        engine.run_step("testSecret", secret_id, token)
    engine.run_step("finishSecret", secret_id, token)
    # Name the stage: moto answers a stage-less read with the version the secret was created
    # with, not the one AWSCURRENT moved to (AWS answers with AWSCURRENT).
    new = json.loads(
        sm_client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"]
    )
    with psycopg.connect(**pg.connection_kwargs(_value(new))) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("app_idem",)


def test_is_auth_failure_recognises_a_wrong_password(postgres: PostgresServer) -> None:
    kwargs = {**postgres.admin_kwargs(), "password": "wrong"}
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(**kwargs)
    assert pg.is_auth_failure(caught.value)
    assert not pg.is_auth_failure(ValueError("password authentication failed"))
