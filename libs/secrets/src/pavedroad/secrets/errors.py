"""Errors raised by pavedroad-secrets.

Every message names the reference, the provider or the field involved and says what to do about
it. No message ever contains a secret value: references and key names are safe to log, values
are not.
"""

from __future__ import annotations


class SecretError(Exception):
    """Base class of every error this library raises."""


class ReferenceSyntaxError(SecretError, ValueError):
    """A secret reference string is malformed (the text of a setting, not a secret)."""


class UnknownSchemeError(ReferenceSyntaxError):
    """A reference uses a scheme that no provider handles; the message lists the known ones."""

    def __init__(self, scheme: str, known: list[str] | tuple[str, ...]) -> None:
        self.scheme = scheme
        self.known = tuple(sorted(known))
        super().__init__(
            f"unknown secret reference scheme {scheme!r}: use one of "
            f"{', '.join(s + ':' for s in self.known)}"
        )


class SecretLookupError(SecretError):
    """A reference could not be turned into a value by its provider."""

    def __init__(self, message: str, *, reference: str, provider: str) -> None:
        self.reference = reference
        self.provider = provider
        super().__init__(message)


class SecretNotFoundError(SecretLookupError):
    """The backend has no secret (or no such version or stage) at that reference."""


class SecretKeyError(SecretLookupError):
    """The `#key` part names a key the secret does not have, or its content is not JSON."""

    def __init__(self, message: str, *, reference: str, provider: str, key: str) -> None:
        self.key = key
        super().__init__(message, reference=reference, provider=provider)


class AuthenticationError(SecretLookupError):
    """The backend refused our credentials (expired token, missing IAM permission, bad role)."""


class TransientBackendError(SecretLookupError):
    """The backend could not be reached or answered with a retryable error."""


class StaleSecretError(SecretLookupError):
    """The backend has failed for longer than the cache's maximum staleness.

    The cache serves the last good value while the backend is failing; once that value is older
    than ``max_staleness`` it stops and raises this error instead.
    """


class RotationError(SecretError):
    """A rotation step failed. No label was moved by the failing step; retrying it is safe."""

    def __init__(self, message: str, *, secret_id: str, step: str) -> None:
        self.secret_id = secret_id
        self.step = step
        super().__init__(message)


class PolicyError(SecretError, ValueError):
    """A rotation policy file is malformed; the message names the file and the field."""
