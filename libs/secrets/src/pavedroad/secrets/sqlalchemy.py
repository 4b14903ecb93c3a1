"""Rotation-safe SQLAlchemy engines, sync or async, on any driver (psycopg, asyncpg, ...).

The engine's URL carries no password. Each new DBAPI connection takes its credentials from a
:class:`~pavedroad.secrets.cache.SecretCache` (a ``do_connect`` hook), so a rotated password is
used as soon as the cache has it. When the server refuses them (the password changed before the
cache noticed), the reference is re-read and the login retried, a bounded number of times.
Pooled connections opened with credentials that are no longer current are recycled when next
checked out, so within the cache's ttl after a rotation no connection is older than it::

    from pavedroad.secrets import SecretCache
    from pavedroad.secrets.sqlalchemy import create_async_engine

    cache = SecretCache(ttl=30)
    engine = create_async_engine(cache, "aws-sm:prod/app/db", "postgresql+asyncpg")

The secret is either a URL (``postgresql://user:password@host:5432/db``) or the JSON document
AWS uses for database secrets (``{"username", "password", "host", "port", "dbname"}``), which
is what ``pavedroad-secrets rotate`` writes. ``vault-db:`` documents hold only the username and
password: give the host and database in the engine URL then. Needs the ``sqlalchemy`` extra.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets as _random
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.retry import DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, MAX_BACKOFF
from pavedroad.secrets.value import SecretValue
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Dialect, Engine, make_url
from sqlalchemy.engine import create_engine as _sa_create_engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine as _sa_create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import await_only

# SQLSTATE class 28: invalid authorization specification (28P01 is a wrong password).
AUTH_SQLSTATES = frozenset({"28000", "28P01"})
_AUTH_MESSAGES = ("password authentication failed", "authentication failed for user")
_INFO_KEY = "pavedroad.secrets.credential"
# Fingerprints of credentials are keyed per process: a pool entry never holds the password.
_FINGERPRINT_KEY = _random.token_bytes(32)
_INSTALLED: weakref.WeakKeyDictionary[Engine, RotatingCredentials] = weakref.WeakKeyDictionary()


def is_auth_failure(exc: BaseException) -> bool:
    """True when ``exc`` (or an exception it wraps) is the server refusing user or password.

    Driver-neutral: it reads the SQLSTATE that psycopg (``sqlstate``), psycopg2 (``pgcode``)
    and asyncpg (``sqlstate``, also on SQLAlchemy's adapted errors) attach, and falls back to
    the server's message when a driver gives none.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for attribute in ("sqlstate", "pgcode"):
            if getattr(current, attribute, None) in AUTH_SQLSTATES:
                return True
        text = str(current)
        if any(message in text for message in _AUTH_MESSAGES):
            return True
        orig = getattr(current, "orig", None)
        pending.extend(
            [
                current.__cause__,
                current.__context__,
                orig if isinstance(orig, BaseException) else None,
            ]
        )
    return False


def credential_url(secret: SecretValue, base: str | URL | None = None) -> URL:
    """The URL of ``base`` (or ``postgresql://``) with the identity in ``secret``.

    ``secret`` holds a URL or a JSON document; fields it has (user, password, host, port,
    database) replace those of ``base``. Without ``base``, a URL secret is returned whole.
    Errors never quote the secret.
    """
    url = make_url(base) if base is not None else URL.create("postgresql")
    text = secret.reveal().strip()
    if text.startswith("{"):
        document = secret.reveal_json()
        if not isinstance(document, dict):
            raise ValueError("a database secret must be a JSON object with username and password")
        missing = [name for name in ("username", "password") if name not in document]
        if missing:
            raise ValueError(
                f"database secret lacks field(s) {', '.join(missing)}: store "
                '{"username": ..., "password": ..., "host": ..., "port": ..., "dbname": ...}'
            )
        port = document.get("port")
        return url.set(
            username=str(document["username"]),
            password=str(document["password"]),
            host=str(document["host"]) if document.get("host") else url.host,
            port=int(port) if port not in (None, "") else url.port,
            database=str(document["dbname"]) if document.get("dbname") else url.database,
        )
    try:
        parsed = make_url(text)
    except Exception:
        raise ValueError(
            "database secret is neither a URL (postgresql://user:password@host/db) nor a JSON "
            "document with username and password; the text is not shown"
        ) from None
    if base is None:
        return parsed  # a whole URL (a SQLite file has no user or password)
    return url.set(
        username=parsed.username,
        password=parsed.password,
        host=parsed.host or url.host,
        port=parsed.port or url.port,
        database=parsed.database or url.database,
        query={**url.query, **parsed.query},
    )


def without_password(url: str | URL) -> URL:
    """``url`` without its password (``URL.set`` cannot remove one)."""
    parsed = make_url(url)
    return URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )


def _fingerprint(secret: SecretValue) -> bytes:
    return hmac.new(_FINGERPRINT_KEY, secret.reveal().encode(), hashlib.sha256).digest()


@dataclass
class RotationStats:
    """What the hooks did, for metrics and tests (counts only, never values)."""

    logins: int = 0
    retried_logins: int = 0
    recycled: int = 0


class RotatingCredentials:
    """``do_connect``/``checkout`` hooks that log in with the credentials at ``reference``.

    :param cache: the cache the credentials are read through.
    :param reference: where the credential secret is (URL or JSON document, see above).
    :param attempts: logins tried per new connection; after an auth failure the reference is
        re-read (forced, not from the cache) and the login retried with backoff, about 2.5 s
        in all with the defaults: long enough for a rotation to move its labels.
    :param is_auth_failure: tells a refused login from other errors (default: SQLSTATE 28xxx).
    """

    def __init__(
        self,
        cache: SecretCache,
        reference: str | SecretReference,
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        is_auth_failure: Callable[[BaseException], bool] = is_auth_failure,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be >= 1, got {attempts!r}")
        self.cache = cache
        self.reference = reference
        self.stats = RotationStats()
        self._attempts = attempts
        self._backoff = backoff
        self._is_auth_failure = is_auth_failure
        self._async = False
        self._base = URL.create("postgresql")
        self._lock = threading.Lock()

    def install(self, engine: Engine | AsyncEngine) -> RotatingCredentials:
        """Attach the hooks to ``engine`` (an ``AsyncEngine`` hooks its sync core)."""
        self._async = isinstance(engine, AsyncEngine)
        target = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
        # Host, port, database and options of the engine; the secret's fields win over them.
        self._base = without_password(target.url)
        event.listen(target, "do_connect", self._do_connect)
        _INSTALLED[target] = self
        event.listen(target.pool, "checkout", self._checkout)
        return self

    # -- hooks ---------------------------------------------------------------------------------

    def _do_connect(
        self,
        dialect: Dialect,
        record: ConnectionPoolEntry,
        cargs: list[Any],
        cparams: dict[str, Any],
    ) -> Any:
        # Runs inside SQLAlchemy's greenlet for an async engine: waits go through await_only,
        # so the event loop is never blocked.
        value = (
            await_only(self.cache.aget(self.reference))
            if self._async
            else (self.cache.get(self.reference))
        )
        for attempt in range(self._attempts):
            params = dict(cparams)
            _, identity = dialect.create_connect_args(credential_url(value, self._base))
            params.update(identity)
            try:
                connection = dialect.connect(*cargs, **params)
            except Exception as exc:
                if not self._is_auth_failure(exc) or attempt == self._attempts - 1:
                    raise
                with self._lock:
                    self.stats.retried_logins += 1
                value = self._refresh(value, attempt)
                continue
            record.info[_INFO_KEY] = _fingerprint(value)
            with self._lock:
                self.stats.logins += 1
            return connection
        raise AssertionError("unreachable")  # pragma: no cover

    def _refresh(self, rejected: SecretValue, attempt: int) -> SecretValue:
        delay = 0.0 if attempt == 0 else min(MAX_BACKOFF, self._backoff * 2 ** (attempt - 1))
        if self._async:
            await_only(asyncio.sleep(delay))
            return await_only(self.cache.arefresh(self.reference, rejected=rejected))
        time.sleep(delay)
        return self.cache.refresh(self.reference, rejected=rejected)

    def _checkout(
        self, dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
    ) -> None:
        opened_with = record.info.get(_INFO_KEY)
        current = self.cache.peek(self.reference)  # never does I/O
        if (
            opened_with is None
            or current is None
            or hmac.compare_digest(opened_with, _fingerprint(current))
        ):
            return
        with self._lock:
            self.stats.recycled += 1
        # The pool discards this connection and checks out (opens) another one.
        raise sa_exc.DisconnectionError("credentials rotated; reconnecting with the new ones")


def _engine_url(cache: SecretCache, reference: str | SecretReference, drivername: str) -> URL:
    secret = cache.get(reference)
    return without_password(credential_url(secret).set(drivername=drivername))


def create_engine(
    cache: SecretCache,
    reference: str | SecretReference,
    drivername: str = "postgresql+psycopg",
    **kwargs: Any,
) -> Engine:
    """A SQLAlchemy ``Engine`` whose logins read ``reference`` through ``cache``.

    The first read (here) fixes host, port and database; user and password are read again for
    every new connection. ``kwargs`` go to :func:`sqlalchemy.create_engine`; ``pool_recycle``
    defaults to 300 s so idle connections also move to new credentials in bounded time.
    """
    kwargs.setdefault("pool_recycle", 300)
    engine = _sa_create_engine(_engine_url(cache, reference, drivername), **kwargs)
    RotatingCredentials(cache, reference).install(engine)
    return engine


def create_async_engine(
    cache: SecretCache,
    reference: str | SecretReference,
    drivername: str = "postgresql+asyncpg",
    **kwargs: Any,
) -> AsyncEngine:
    """:func:`create_engine` for asyncio (``postgresql+asyncpg``, ``postgresql+psycopg_async``).

    Reads the secret once, blocking: call it from a worker thread when the backend is remote
    (``await asyncio.to_thread(create_async_engine, ...)``).
    """
    kwargs.setdefault("pool_recycle", 300)
    engine = _sa_create_async_engine(_engine_url(cache, reference, drivername), **kwargs)
    RotatingCredentials(cache, reference).install(engine)
    return engine


def rotation_stats(engine: Engine | AsyncEngine) -> RotationStats | None:
    """The :class:`RotationStats` of the hooks installed on ``engine``, or None."""
    target = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    hooks = _INSTALLED.get(target)
    return hooks.stats if hooks is not None else None
