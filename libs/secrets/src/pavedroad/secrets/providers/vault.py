"""``vault:`` (KV v2) and ``vault-db:`` (dynamic database credentials) through hvac.

Works with OpenBao and HashiCorp Vault alike: both speak the same HTTP API.

Authentication, first match wins:

* an ``hvac.Client`` passed in, already authenticated;
* Kubernetes service-account auth when ``PAVEDROAD_VAULT_ROLE`` is set (or ``kubernetes_role``
  is passed): the pod's projected token is exchanged for a Vault token, and exchanged again
  whenever Vault answers 403 (the Vault token expired);
* ``VAULT_TOKEN`` (or ``~/.vault-token``), as hvac reads it.

``VAULT_ADDR``, ``VAULT_NAMESPACE`` and ``VAULT_CACERT`` are honoured as usual.

hvac renews nothing by itself. For ``vault-db:`` references, :meth:`VaultProvider.refresh`
renews the lease while renewal still grants most of the original duration and issues new
credentials once the lease nears its ``max_ttl``; the cache calls it in the background, well
before the lease expires, so the old credentials stay valid while the application moves.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from pavedroad.secrets.errors import (
    AuthenticationError,
    SecretNotFoundError,
    TransientBackendError,
)
from pavedroad.secrets.providers.base import (
    FetchedSecret,
    Lease,
    Provider,
    SecretMetadata,
    select_key,
)
from pavedroad.secrets.reference import SecretReference, split_vault_db, split_vault_kv
from pavedroad.secrets.value import SecretValue

if TYPE_CHECKING:
    import hvac

DEFAULT_JWT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"
# A renewal that grants less than this share of the first duration means max_ttl is close:
# issue new credentials instead of renewing again.
REISSUE_FRACTION = 0.5

_T = TypeVar("_T")


class VaultProvider(Provider):
    """Reads KV v2 secrets and issues dynamic database credentials from Vault or OpenBao."""

    schemes = ("vault", "vault-db")

    def __init__(
        self,
        client: hvac.Client | None = None,
        *,
        url: str | None = None,
        kubernetes_role: str | None = None,
        kubernetes_mount: str | None = None,
        jwt_path: str | None = None,
        timeout: int = 5,
    ) -> None:
        self._client = client
        self._url = url
        self._role = kubernetes_role or os.environ.get("PAVEDROAD_VAULT_ROLE") or None
        self._auth_mount = kubernetes_mount or os.environ.get(
            "PAVEDROAD_VAULT_AUTH_MOUNT", "kubernetes"
        )
        self._jwt_path = jwt_path or os.environ.get("PAVEDROAD_VAULT_JWT_PATH", DEFAULT_JWT_PATH)
        self._timeout = timeout
        self._login_lock = threading.Lock()

    @property
    def client(self) -> hvac.Client:
        """The hvac client, created (and logged in) on first use."""
        if self._client is None:
            with self._login_lock:
                if self._client is None:
                    self._client = self._new_client()
        return self._client

    def _new_client(self) -> hvac.Client:
        try:
            import hvac
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError(
                "vault: references need hvac: install 'pavedroad-secrets[vault]'"
            ) from exc
        client = hvac.Client(url=self._url, timeout=self._timeout)
        if self._role:
            self._kubernetes_login(client)
        return client

    def _kubernetes_login(self, client: hvac.Client) -> None:
        try:
            with open(self._jwt_path, encoding="utf-8") as handle:
                jwt = handle.read().strip()
        except OSError as exc:
            raise AuthenticationError(
                f"vault: Kubernetes auth role {self._role!r} needs the service-account token at "
                f"{self._jwt_path} ({exc.strerror}); mount a projected token there or set "
                "PAVEDROAD_VAULT_JWT_PATH",
                reference=f"auth/{self._auth_mount}",
                provider="vault",
            ) from None
        try:
            client.auth.kubernetes.login(role=self._role, jwt=jwt, mount_point=self._auth_mount)
        except Exception as exc:
            _raise_for(exc, f"auth/{self._auth_mount}/login (role {self._role!r})")

    def _call(self, ref: SecretReference, call: Callable[[hvac.Client], _T]) -> _T:
        """Run ``call``; with Kubernetes auth, log in again once when Vault answers 403."""
        import hvac.exceptions

        try:
            return call(self.client)
        except hvac.exceptions.Forbidden as exc:
            if not self._role:
                _raise_for(exc, str(ref))
            with self._login_lock:
                self._kubernetes_login(self.client)
        except Exception as exc:
            _raise_for(exc, str(ref))
        try:
            return call(self.client)
        except Exception as exc:
            _raise_for(exc, str(ref))

    def fetch(self, ref: SecretReference) -> FetchedSecret:
        if ref.scheme == "vault-db":
            return self._issue_database_credentials(ref)
        mount, path = split_vault_kv(ref)
        version = ref.param("version")
        response = self._call(
            ref,
            lambda c: c.secrets.kv.v2.read_secret_version(
                path=path,
                mount_point=mount,
                version=None if version is None else int(version),
                raise_on_deleted_version=True,
            ),
        )
        data = response["data"]
        document = json.dumps(data["data"])
        value = SecretValue(select_key(document, ref, ref.scheme))
        return FetchedSecret(value, version=str(data["metadata"]["version"]))

    def _issue_database_credentials(self, ref: SecretReference) -> FetchedSecret:
        mount, role = split_vault_db(ref)
        response = self._call(
            ref,
            lambda c: _any(c.secrets.database).generate_credentials(name=role, mount_point=mount),
        )
        obtained = time.monotonic()
        data = response["data"]
        document = json.dumps({"username": data["username"], "password": data["password"]})
        duration = float(response["lease_duration"])
        lease = Lease(
            lease_id=response["lease_id"],
            duration=duration,
            renewable=bool(response["renewable"]),
            obtained_at=obtained,
            initial_duration=duration,
        )
        value = SecretValue(select_key(document, ref, ref.scheme))
        return FetchedSecret(value, version=response["lease_id"], lease=lease)

    def refresh(self, ref: SecretReference, previous: FetchedSecret) -> FetchedSecret:
        """Renew the lease of dynamic credentials, or issue new ones near ``max_ttl``."""
        lease = previous.lease
        if ref.scheme != "vault-db" or lease is None:
            return self.fetch(ref)
        if not lease.renewable or lease.remaining() <= 0:
            return self.fetch(ref)
        try:
            response: dict[str, Any] = self._call(
                ref,
                lambda c: _any(c.sys).renew_lease(
                    lease_id=lease.lease_id, increment=int(lease.initial_duration)
                ),
            )
        except (SecretNotFoundError, AuthenticationError):
            # The lease is gone (revoked, or expired in between): issue new credentials.
            return self.fetch(ref)
        granted = float(response["lease_duration"])
        if granted < REISSUE_FRACTION * lease.initial_duration:
            return self.fetch(ref)
        renewed = Lease(
            lease_id=lease.lease_id,
            duration=granted,
            renewable=bool(response.get("renewable", lease.renewable)),
            obtained_at=time.monotonic(),
            initial_duration=lease.initial_duration,
        )
        return FetchedSecret(previous.value, version=previous.version, lease=renewed)

    def describe(self, ref: SecretReference) -> SecretMetadata:
        if ref.scheme == "vault-db":
            # Issued on demand: a read now returns credentials created now.
            return SecretMetadata(last_changed=datetime.now(UTC))
        mount, path = split_vault_kv(ref)
        response = self._call(
            ref,
            lambda c: c.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount),
        )
        data = response["data"]
        current = str(ref.param("version") or data["current_version"])
        created = data["versions"][current]["created_time"]
        return SecretMetadata(last_changed=parse_vault_time(created), version=current)

    def close(self) -> None:
        client = self._client
        if client is not None:
            client.adapter.close()


def _any(api: object) -> Any:
    """hvac leaves some methods unannotated; call them through Any rather than ignore."""
    return api


def parse_vault_time(text: str) -> datetime:
    """Parse Vault's RFC 3339 timestamps, which carry nanoseconds Python cannot hold."""
    head, dot, tail = text.rstrip("Z").partition(".")
    fraction = "".join(ch for ch in tail if ch.isdigit())[:6] if dot else ""
    moment = datetime.fromisoformat(head + ("." + fraction.ljust(6, "0") if fraction else ""))
    return moment.replace(tzinfo=UTC)


def _raise_for(exc: Exception, what: str) -> NoReturn:
    import hvac.exceptions
    import requests

    provider = "vault-db" if what.startswith("vault-db:") else "vault"
    if isinstance(exc, hvac.exceptions.InvalidPath):
        raise SecretNotFoundError(
            f"{provider}: secret {what} not found (404); check the mount, the path and that "
            "the secret has a live version",
            reference=what,
            provider=provider,
        ) from None
    if isinstance(exc, hvac.exceptions.Forbidden | hvac.exceptions.Unauthorized):
        raise AuthenticationError(
            f"{provider}: access to {what} denied ({type(exc).__name__}); check the Vault "
            "token or Kubernetes auth role and the policy attached to it",
            reference=what,
            provider=provider,
        ) from None
    if isinstance(
        exc,
        hvac.exceptions.InternalServerError
        | hvac.exceptions.VaultDown
        | hvac.exceptions.BadGateway
        | hvac.exceptions.RateLimitExceeded
        | hvac.exceptions.VaultNotInitialized
        | requests.exceptions.ConnectionError
        | requests.exceptions.Timeout,
    ):
        raise TransientBackendError(
            f"{provider}: reading {what} failed ({type(exc).__name__}); will retry",
            reference=what,
            provider=provider,
        ) from None
    if isinstance(exc, hvac.exceptions.InvalidRequest):
        raise SecretNotFoundError(
            f"{provider}: Vault rejected the request for {what} (400): "
            f"{'; '.join(map(str, exc.errors or [])) or 'no detail'}",
            reference=what,
            provider=provider,
        ) from None
    raise exc
