"""SQLAlchemy engines (sync psycopg, async asyncpg) through PostgreSQL password rotations.

A real PostgreSQL cluster, Secrets Manager through moto and the rotation engine, as in
test_secrets_postgres_rotation.py; here the application is a pooled SQLAlchemy engine from
:mod:`pavedroad.secrets.sqlalchemy`. Every query outcome is counted: none may fail, pooled
connections must move to the new credentials, and the old password must no longer log in.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from pavedroad.secrets import SecretCache, SecretValue
from pavedroad.secrets.rotation import RotationEngine, strategy_from_name
from pavedroad.secrets.sqlalchemy import (
    create_async_engine,
    create_engine,
    credential_url,
    is_auth_failure,
    rotation_stats,
)
from pavedroad.secrets.testing import PostgresServer
from sqlalchemy import text

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKERS = 4
ROTATIONS = 2
TTL = 0.5


def _rotate(engine: RotationEngine, secret_id: str) -> None:
    for _ in range(ROTATIONS):
        time.sleep(0.4)
        engine.rotate(secret_id, backoff=0.1)
    time.sleep(TTL * 3)  # caches see the last rotation; pooled connections get recycled


def _assert_old_password_refused(postgres: PostgresServer, dbname: str, role: str) -> None:
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(
            host=postgres.host,
            port=postgres.port,
            dbname=dbname,
            user=role,
            password="initial-password-0001",
            connect_timeout=5,
        )
    assert is_auth_failure(refused.value)


def test_sync_psycopg_engine_survives_single_user_rotation(
    postgres: PostgresServer,
    sm_client: Any,
    rotation_database: Callable[[str, str], tuple[str, str]],
) -> None:
    role = "sa_sync"
    secret_id, dbname = rotation_database(role, "initial-password-0001")
    rotation = RotationEngine(
        strategy_from_name("postgres-single-user", admin_ref="env:PG_ADMIN_SECRET"),
        client=sm_client,
    )
    outcomes = Counter[str]()
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    with SecretCache(ttl=TTL, max_staleness=30) as cache:
        engine = create_engine(
            cache, f"aws-sm:{secret_id}", "postgresql+psycopg", pool_size=2, max_overflow=2
        )
        assert engine.url.password is None  # the engine never holds the password

        def worker(number: int) -> None:
            while not stop.is_set():
                try:
                    with engine.begin() as conn:
                        conn.execute(text("INSERT INTO ticks VALUES (:n)"), {"n": number})
                    with lock:
                        outcomes["ok"] += 1
                except Exception as exc:  # every failure is counted and reported
                    with lock:
                        outcomes["failed"] += 1
                        errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        try:
            _rotate(rotation, secret_id)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM ticks")).scalar() == outcomes["ok"]
        stats = rotation_stats(engine)
        engine.dispose()
    print(f"\nsync psycopg: {outcomes}, {stats}")
    assert outcomes["failed"] == 0, errors[:5]
    assert outcomes["ok"] >= 50
    assert stats is not None and stats.recycled >= 1 and stats.logins >= 2
    _assert_old_password_refused(postgres, dbname, role)


@pytest.mark.parametrize("strategy_name", ["postgres-single-user", "postgres-alternating-users"])
def test_async_asyncpg_engine_survives_rotation(
    strategy_name: str,
    postgres: PostgresServer,
    sm_client: Any,
    rotation_database: Callable[[str, str], tuple[str, str]],
) -> None:
    role = "sa_async_single" if strategy_name.endswith("single-user") else "sa_async_alt"
    secret_id, dbname = rotation_database(role, "initial-password-0001")
    rotation = RotationEngine(
        strategy_from_name(strategy_name, admin_ref="env:PG_ADMIN_SECRET"), client=sm_client
    )
    outcomes = Counter[str]()
    errors: list[str] = []
    users: set[str] = set()

    async def scenario(cache: SecretCache) -> tuple[int, set[str], Any]:
        engine = await asyncio.to_thread(
            create_async_engine,
            cache,
            f"aws-sm:{secret_id}",
            "postgresql+asyncpg",
            pool_size=2,
            max_overflow=2,
        )
        stop = asyncio.Event()

        async def worker(number: int) -> None:
            while not stop.is_set():
                try:
                    async with engine.begin() as conn:
                        user = await conn.scalar(
                            text("INSERT INTO ticks VALUES (:n) RETURNING current_user"),
                            {"n": number},
                        )
                    users.add(str(user))
                    outcomes["ok"] += 1
                except Exception as exc:  # every failure is counted and reported
                    outcomes["failed"] += 1
                    errors.append(f"{type(exc).__name__}: {exc}")

        tasks = [asyncio.create_task(worker(n)) for n in range(WORKERS)]
        try:
            await asyncio.to_thread(_rotate, rotation, secret_id)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        final_users = set()
        async with engine.connect() as conn:
            count = int(await conn.scalar(text("SELECT count(*) FROM ticks")) or 0)
        # Every pooled connection now logs in as the current user.
        conns = [await engine.connect() for _ in range(2)]
        for conn in conns:
            final_users.add(str(await conn.scalar(text("SELECT current_user"))))
            await conn.close()
        stats = rotation_stats(engine)
        await engine.dispose()
        return count, final_users, stats

    with SecretCache(ttl=TTL, max_staleness=30) as cache:
        count, final_users, stats = asyncio.run(scenario(cache))
    current = json.loads(
        sm_client.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")["SecretString"]
    )
    print(f"\nasyncpg {strategy_name}: {outcomes}, users {sorted(users)}, {stats}")
    assert outcomes["failed"] == 0, errors[:5]
    assert outcomes["ok"] >= 50
    assert count == outcomes["ok"]  # no write lost
    assert stats is not None and stats.recycled >= 1
    assert final_users == {current["username"]}
    if strategy_name.endswith("alternating-users"):
        assert users == {role, role + "_clone"}
    else:
        _assert_old_password_refused(postgres, dbname, role)


def test_asyncpg_refusal_is_an_auth_failure(postgres: PostgresServer) -> None:
    import asyncpg  # type: ignore[import-untyped]

    async def login() -> None:
        await asyncpg.connect(
            host=postgres.host,
            port=postgres.port,
            user=postgres.superuser,
            password="wrong",
            database="postgres",
        )

    with pytest.raises(asyncpg.PostgresError) as refused:
        asyncio.run(login())
    assert is_auth_failure(refused.value)
    assert not is_auth_failure(ValueError("connection refused"))


def test_credential_url_reads_a_url_or_a_document_and_never_quotes_it() -> None:
    from_url = credential_url(SecretValue("postgresql://app:pw@db:5433/notes"))
    assert (from_url.username, from_url.password, from_url.host, from_url.port) == (
        "app",
        "pw",
        "db",
        5433,
    )
    assert str(credential_url(SecretValue("sqlite:///var/app.db"))) == "sqlite:///var/app.db"
    from_url_over_base = credential_url(
        SecretValue("postgresql://rotated:new@/"), "postgresql+asyncpg://app@db:5432/notes"
    )
    assert from_url_over_base.render_as_string(hide_password=False) == (
        "postgresql+asyncpg://rotated:new@db:5432/notes"
    )
    document = SecretValue(json.dumps({"username": "u", "password": "p"}))
    base = "postgresql+asyncpg://old@db.internal:5432/notes"
    merged = credential_url(document, base)
    assert merged.render_as_string(hide_password=False) == (
        "postgresql+asyncpg://u:p@db.internal:5432/notes"
    )
    for bad in ("hunter2-not-a-url", json.dumps({"password": "hunter2"})):
        with pytest.raises(ValueError) as caught:
            credential_url(SecretValue(bad))
        assert "hunter2" not in str(caught.value)
