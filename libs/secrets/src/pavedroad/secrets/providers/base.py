"""What a provider is: the interface between references and a backend."""

from __future__ import annotations

import abc
import json
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from pavedroad.secrets.errors import SecretKeyError
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue


@dataclass(frozen=True, slots=True)
class Lease:
    """A backend lease on a dynamic secret (e.g. Vault database credentials).

    ``obtained_at`` is a :func:`time.monotonic` reading taken when the lease was issued or last
    renewed; the secret stops working ``duration`` seconds after it.
    """

    lease_id: str
    duration: float
    renewable: bool
    obtained_at: float
    #: The duration first granted; a renewal that grants much less means max_ttl is near.
    initial_duration: float

    @property
    def expires_at(self) -> float:
        """Monotonic time at which the backend revokes the secret."""
        return self.obtained_at + self.duration

    def remaining(self, now: float | None = None) -> float:
        """Seconds left before the lease expires."""
        return self.expires_at - (time.monotonic() if now is None else now)


@dataclass(frozen=True, slots=True)
class FetchedSecret:
    """A value as read from a backend, with the version and lease that came with it."""

    value: SecretValue
    version: str | None = None
    lease: Lease | None = None


@dataclass(frozen=True, slots=True)
class SecretMetadata:
    """What a backend knows about a secret without reading it: when it last changed."""

    last_changed: datetime | None
    version: str | None = None


class Provider(abc.ABC):
    """Reads the secrets of one reference scheme.

    Implementations raise :class:`~pavedroad.secrets.errors.SecretNotFoundError`,
    :class:`~pavedroad.secrets.errors.AuthenticationError` or
    :class:`~pavedroad.secrets.errors.TransientBackendError` so that the cache can tell a
    retryable failure from a permanent one. They are called from several threads at once.
    """

    #: The reference schemes this provider reads, e.g. ``("vault", "vault-db")``.
    schemes: tuple[str, ...]

    @abc.abstractmethod
    def fetch(self, ref: SecretReference) -> FetchedSecret:
        """Read the secret at ``ref`` from the backend, now."""

    def refresh(self, ref: SecretReference, previous: FetchedSecret) -> FetchedSecret:
        """Bring ``previous`` up to date: re-read it, or renew its lease where that is enough."""
        return self.fetch(ref)

    def describe(self, ref: SecretReference) -> SecretMetadata:
        """Return when the secret last changed, for rotation policy checks."""
        return SecretMetadata(last_changed=None)

    def change_token(self, ref: SecretReference) -> Hashable | None:
        """A cheap token that changes when the secret changes, or None if there is none.

        The cache polls it between refreshes so that a changed file is noticed within the poll
        interval rather than within the ttl.
        """
        return None

    def close(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release clients and background resources."""


def select_key(document: str, ref: SecretReference, provider: str) -> str:
    """Return the whole ``document``, or the value of ``ref.key`` in it when the ref has one."""
    if ref.key is None:
        return document
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError as exc:
        raise SecretKeyError(
            f"{provider}: cannot pick key {ref.key!r} from {ref}: the secret is not valid JSON "
            f"({exc.msg} at position {exc.pos}); store a JSON object or drop '#{ref.key}'",
            reference=str(ref),
            provider=provider,
            key=ref.key,
        ) from None
    if not isinstance(parsed, dict):
        raise SecretKeyError(
            f"{provider}: cannot pick key {ref.key!r} from {ref}: the secret is JSON "
            f"{type(parsed).__name__}, not an object; store an object or drop '#{ref.key}'",
            reference=str(ref),
            provider=provider,
            key=ref.key,
        )
    if ref.key not in parsed:
        raise SecretKeyError(
            f"{provider}: secret {ref.without_key()} has no key {ref.key!r} "
            f"(its keys: {', '.join(sorted(map(str, parsed))) or 'none'}); fix the '#key' "
            "part of the reference or add the key to the secret",
            reference=str(ref),
            provider=provider,
            key=ref.key,
        )
    selected = parsed[ref.key]
    return selected if isinstance(selected, str) else json.dumps(selected)
