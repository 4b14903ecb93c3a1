"""The database engine and sessions.
<%- if cookiecutter.database == 'postgresql' %>

PostgreSQL (asyncpg) in deployments; an embedded SQLite file (aiosqlite) for local runs.
<%- else %>

The service keeps its notes in an embedded SQLite database held in memory: one per process,
created by the Alembic migrations at startup and gone when the process exits. Choose
`database=postgresql` in the template (`copier update`) for durable storage.
<%- endif %>
"""

from __future__ import annotations

import ssl
<% if cookiecutter.database == 'postgresql' -%>
from pathlib import Path
<% endif -%>
from typing import Any

from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.sqlalchemy import RotatingCredentials, without_password
<% if cookiecutter.database == 'postgresql' -%>
from pavedroad.secrets.tls import CertificateReloader
<% endif -%>
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

<% if cookiecutter.database == 'postgresql' -%>
_DRIVERS = {"postgresql": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
<% else -%>
IN_MEMORY_URL = "sqlite+aiosqlite://"
_DRIVERS = {"sqlite": "sqlite+aiosqlite"}
<% endif %>

def async_url(url: str | URL) -> URL:
    """``url`` with the async driver this service ships (e.g. postgresql:// -> +asyncpg)."""
    try:
        parsed = make_url(url)
    except Exception:
        # The text may hold a password: never echo it.
        raise ValueError(
            "the database URL cannot be parsed; expected e.g. "
            "postgresql://user:password@host:5432/dbname or sqlite:///path/to/file.db"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise ValueError(
            f"database URL scheme {parsed.drivername!r} is not supported; "
            f"use one of: {', '.join(b + '://' for b in _DRIVERS)}"
        )
    return parsed.set(drivername=_DRIVERS[backend])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; never corrupt in WAL
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


<% if cookiecutter.database == 'postgresql' -%>
def client_tls(directory: Path, *, poll_interval: float = 10.0) -> CertificateReloader:
    """The PostgreSQL client certificate in ``directory``, kept loaded as it is renewed.

    ``directory`` holds cert-manager's ``tls.crt``, ``tls.key`` and ``ca.crt``. The context
    trusts only ``ca.crt`` and checks the server's host name (libpq's ``sslmode=verify-full``).
    Once started, the reloader loads a renewed pair into the same context: new connections
    present it and open ones finish with the old, with no restart (docs/rotation.md).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return CertificateReloader(
        str(directory / "tls.crt"),
        str(directory / "tls.key"),
        context=context,
        ca_file=str(directory / "ca.crt"),
        poll_interval=poll_interval,
    )


<% endif -%>
def create_engine(
    url: str | URL,
    *,
    pool_size: int = 5,
    secret: tuple[SecretCache, str] | None = None,
    tls: ssl.SSLContext | None = None,
) -> AsyncEngine:
    """An engine for ``url``, tuned for a single-process web service.

    With ``secret`` (the cache and reference ``url`` was read from), the engine keeps no
    password: every new connection logs in with the credentials the cache holds then, retries
    once the reference is re-read when the server refuses them, and pooled connections opened
    with rotated-out credentials are replaced when next used (pavedroad-secrets' SQLAlchemy
    hooks). A password rotation needs no restart. ``tls`` is the client context for
    PostgreSQL (``client_tls``): every new connection uses it as loaded at that moment.
    """
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        if tls is not None:
            raise ValueError(
                "APP_DATABASE_TLS_DIR is set but the database is SQLite: unset it, or point "
                "APP_DATABASE_URL_REF at PostgreSQL"
            )
        # SQLite allows one writer at a time, and an in-memory database lives only as long as
        # its connection: keep exactly one connection, never recycled, and let sessions take
        # turns on it (no lock contention, no busy waiting).
        engine = create_async_engine(
            parsed,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=10,
            connect_args={"check_same_thread": False},
        )
        if parsed.database not in (None, "", ":memory:"):
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        without_password(parsed) if secret is not None else parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # Idle connections too move to rotated credentials within this bound.
        pool_recycle=300,
        pool_timeout=5,
        connect_args={
            "timeout": 5,
            "command_timeout": 10,
            **({"ssl": tls} if tls is not None else {}),
        },
    )
    if secret is not None:
        RotatingCredentials(*secret).install(engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def display_url(engine: AsyncEngine) -> str:
    """The engine's URL without its password, for logs."""
    return engine.url.render_as_string(hide_password=True)
