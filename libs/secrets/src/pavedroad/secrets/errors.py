"""Errors raised by pavedroad-secrets.

Every message names the reference, the provider or the field involved and says what to do about
it. No message ever contains a secret value: references and key names are safe to log, values
are not.
"""

from __future__ import annotations

import os


class SecretError(Exception):
    """Base class of every error this library raises."""


class ReferenceSyntaxError(SecretError, ValueError):
    """A secret reference string is malformed (the text of a setting, not a secret)."""


class UnknownSchemeError(ReferenceSyntaxError):
    """A reference uses a scheme that no provider handles; the message lists the known ones."""

    def __init__(self, scheme: str, known: list[str] | tuple[str, ...]) -> None:
        self.scheme = scheme
        self.known = tuple(sorted(known))
        # The scheme is kept as an attribute but not put in the message: the text before the
        # first ':' of a value put where a reference belongs is part of that value.
        super().__init__(
            "the text before ':' is not a known secret reference scheme: use one of "
            f"{', '.join(s + ':' for s in self.known)}; the text is not shown in case it is a "
            "secret value put where its reference belongs"
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


class ProviderFailureError(TransientBackendError):
    """A provider failed with an exception that is not a :class:`SecretError`.

    An SDK's own exception, an ``OSError``, a bug in a provider: the cache treats it as a
    transient failure (the last good value is served, refreshes back off) and raises it as this
    error. The message names the reference and the original exception's type, never its text
    (which may quote a value); the original is kept as ``__cause__``.
    """


class FetchTimeoutError(TransientBackendError):
    """A backend read took longer than the cache's ``fetch_timeout``.

    The read keeps running in its worker thread (Python cannot cancel it); no second read of the
    same reference starts until it returns, and its result is stored if it eventually succeeds.
    """


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


def wrap_provider_failure(exc: BaseException, *, reference: str, provider: str) -> SecretError:
    """Return ``exc`` if it is a :class:`SecretError`, else a :class:`ProviderFailureError` for it.

    The caller raises the result ``from exc`` so that the original stays available as
    ``__cause__`` to a debugger, while messages and logs show only its type.
    """
    if isinstance(exc, SecretError):
        return exc
    detail = type(exc).__name__
    if isinstance(exc, OSError) and exc.errno is not None:
        detail += f": {os.strerror(exc.errno)}"
    return ProviderFailureError(
        f"{provider}: reading {reference} failed with {detail}; the cache serves the last good "
        "value (if any) and retries with backoff",
        reference=reference,
        provider=provider,
    )
