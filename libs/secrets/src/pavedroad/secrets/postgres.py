"""PostgreSQL connections from a credential secret, surviving password rotations.

The secret is a JSON document in the shape AWS uses for database secrets::

    {"engine": "postgres", "host": "db", "port": 5432, "dbname": "app",
     "username": "app", "password": "..."}

``vault-db:`` references produce ``{"username", "password"}``; pass the host and database as
keyword arguments then. Needs the ``postgres`` extra (psycopg 3).
"""

from __future__ import annotations

from typing import Any

import psycopg
from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.retry import retry_on_auth_failure
from pavedroad.secrets.value import SecretValue

# SQLSTATE class 28: invalid authorization specification (28P01 is a wrong password).
_AUTH_SQLSTATES = frozenset({"28000", "28P01"})
_CONNINFO_KEYS = {"host": "host", "port": "port", "dbname": "dbname", "username": "user"}


def is_auth_failure(exc: BaseException) -> bool:
    """True when ``exc`` is PostgreSQL refusing the user or password."""
    if not isinstance(exc, psycopg.OperationalError):
        return False
    if exc.sqlstate in _AUTH_SQLSTATES:
        return True
    # libpq reports a failed connection without a SQLSTATE; the server's message is in it.
    text = str(exc)
    return "password authentication failed" in text or ("role" in text and "does not exist" in text)


def connection_kwargs(secret: SecretValue, **overrides: Any) -> dict[str, Any]:
    """psycopg ``connect()`` keyword arguments from a credential secret.

    ``overrides`` win over the document (e.g. ``host=`` for a ``vault-db:`` secret).
    """
    document = secret.reveal_json()
    if not isinstance(document, dict):
        raise ValueError("a database secret must be a JSON object with username and password")
    missing = [field for field in ("username", "password") if field not in document]
    if missing:
        raise ValueError(
            f"database secret lacks field(s) {', '.join(missing)}: store "
            '{"username": ..., "password": ..., "host": ..., "port": ..., "dbname": ...}'
        )
    kwargs: dict[str, Any] = {
        target: document[source] for source, target in _CONNINFO_KEYS.items() if source in document
    }
    kwargs["password"] = document["password"]
    kwargs.setdefault("connect_timeout", 5)
    kwargs.update(overrides)
    return kwargs


def connect(
    cache: SecretCache, reference: str | SecretReference, **overrides: Any
) -> psycopg.Connection[Any]:
    """Open a connection with the credentials at ``reference``.

    When the server refuses them (the password was rotated under us), the reference is re-read
    and the connection retried, a bounded number of times. Use it as SQLAlchemy's ``creator``
    or a pool's connection factory.
    """
    return retry_on_auth_failure(
        cache,
        reference,
        lambda secret: psycopg.connect(**connection_kwargs(secret, **overrides)),
        is_auth_failure=is_auth_failure,
    )
