"""PostgreSQL password rotation: single-user and alternating-users strategies.

Both take and produce the AWS database secret document (``host``, ``port``, ``dbname``,
``username``, ``password``). Passwords are sent to the server as SCRAM-SHA-256 verifiers
computed by libpq, so the clear text never reaches the server's statement log.

* **single-user**: the user changes its own password. Connections already open keep working
  (PostgreSQL checks passwords only at login); a new login between setSecret and finishSecret
  presents the old password once and succeeds after :func:`pavedroad.secrets.postgres.connect`
  re-reads the secret.
* **alternating-users**: two login roles, ``<user>`` and ``<user>_clone``, take turns. Each
  rotation sets a new password on the role *not* in use and then points AWSCURRENT at it; the
  role in use keeps its password until the next rotation, so nothing the application holds
  stops working. The clone is created as a member of ``<user>`` and inherits its privileges.
  Needs an admin credential (a role with CREATEROLE) through ``admin_ref``.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from pavedroad.secrets.postgres import connection_kwargs, is_auth_failure
from pavedroad.secrets.resolver import Resolver
from pavedroad.secrets.rotation.strategies import (
    DEFAULT_PASSWORD_LENGTH,
    RotationStrategy,
    generate_password,
)
from pavedroad.secrets.value import SecretValue
from psycopg import sql

CLONE_SUFFIX = "_clone"


def _document(secret: SecretValue, which: str) -> dict[str, Any]:
    try:
        document = secret.reveal_json()
    except ValueError as exc:
        raise ValueError(f"the {which} database secret: {exc}") from None
    if not isinstance(document, dict) or not {"username", "password"} <= document.keys():
        raise ValueError(
            f"the {which} database secret must be a JSON object with at least username and "
            "password (and host, port, dbname)"
        )
    return document


def _try_connect(secret: SecretValue) -> psycopg.Connection[Any] | None:
    """A connection with ``secret``, or None when the server refuses its credentials."""
    try:
        return psycopg.connect(**connection_kwargs(secret), autocommit=True)
    except psycopg.OperationalError as exc:
        if is_auth_failure(exc):
            return None
        raise


def _set_password(conn: psycopg.Connection[Any], role: str, password: str) -> None:
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    conn.execute(
        sql.SQL("ALTER ROLE {} WITH PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier.decode())
        )
    )


def _test_login(pending: SecretValue) -> None:
    conn = _try_connect(pending)
    if conn is None:
        user = _document(pending, "pending").get("username")
        raise RuntimeError(
            f"testSecret: PostgreSQL refused the pending password of role {user!r}; "
            "run setSecret again"
        )
    with conn:
        conn.execute("SELECT 1").fetchone()


class PostgresSingleUserStrategy(RotationStrategy):
    """The user changes its own password."""

    name = "postgres-single-user"

    def __init__(self, *, length: int = DEFAULT_PASSWORD_LENGTH) -> None:
        generate_password(length)
        self.length = length

    def create(self, current: SecretValue) -> str:
        document = _document(current, "current")
        document["password"] = generate_password(self.length)
        return json.dumps(document)

    def set(self, pending: SecretValue, current: SecretValue, previous: SecretValue | None) -> None:
        conn = _try_connect(pending)
        if conn is not None:  # already set by an earlier attempt of this step
            conn.close()
            return
        for secret in (current, previous):
            conn = None if secret is None else _try_connect(secret)
            if conn is not None:
                break
        if conn is None:
            user = _document(pending, "pending")["username"]
            raise RuntimeError(
                f"setSecret: PostgreSQL refused the pending, current and previous passwords of "
                f"role {user!r}; reset it by hand (ALTER ROLE ... PASSWORD) to the AWSCURRENT "
                "value, then retry"
            )
        document = _document(pending, "pending")
        with conn:
            _set_password(conn, document["username"], document["password"])

    def test(self, pending: SecretValue) -> None:
        _test_login(pending)


class PostgresAlternatingUsersStrategy(RotationStrategy):
    """Two roles take turns; an admin credential sets the password of the idle one."""

    name = "postgres-alternating-users"

    def __init__(
        self,
        admin_ref: str,
        *,
        resolver: Resolver | None = None,
        length: int = DEFAULT_PASSWORD_LENGTH,
    ) -> None:
        if not admin_ref:
            raise ValueError(
                "strategy postgres-alternating-users needs --admin-ref: a reference to a "
                "credential of a role with CREATEROLE, e.g. 'aws-sm:prod/db/admin'"
            )
        generate_password(length)
        self.admin_ref = admin_ref
        self.resolver = resolver or Resolver()
        self.length = length

    def create(self, current: SecretValue) -> str:
        document = _document(current, "current")
        username = str(document["username"])
        if username.endswith(CLONE_SUFFIX):
            document["username"] = username[: -len(CLONE_SUFFIX)]
        else:
            document["username"] = username + CLONE_SUFFIX
        document["password"] = generate_password(self.length)
        return json.dumps(document)

    def set(self, pending: SecretValue, current: SecretValue, previous: SecretValue | None) -> None:
        conn = _try_connect(pending)
        if conn is not None:
            conn.close()
            return
        document = _document(pending, "pending")
        role = str(document["username"])
        base = role[: -len(CLONE_SUFFIX)] if role.endswith(CLONE_SUFFIX) else role
        admin = self.resolver.resolve(self.admin_ref)
        overrides = {
            key: value
            for key, value in connection_kwargs(pending).items()
            if key in ("host", "port", "dbname")
        }
        with psycopg.connect(**connection_kwargs(admin, **overrides), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if exists is None:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                        sql.Identifier(role), sql.Identifier(base)
                    )
                )
            _set_password(conn, role, str(document["password"]))

    def test(self, pending: SecretValue) -> None:
        _test_login(pending)
