"""Verifying HMAC signatures against every live version of a secret.

During a rotation, senders switch to the new secret at their own pace. A verifier that accepts
only the newest value rejects the messages in flight; these accept the current value and the
ones it replaced within the cache's ``overlap`` window (and any extra references, such as an
``aws-sm:...?stage=AWSPREVIOUS`` one), and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping

from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue

#: Slack rejects requests older than five minutes; so do we (replay protection).
SLACK_MAX_AGE_SECONDS = 300


def verify_hmac(
    message: bytes,
    signature: str,
    secrets: Iterable[SecretValue],
    *,
    digest: str = "sha256",
    prefix: str = "",
) -> bool:
    """True when ``signature`` is ``prefix`` + hex HMAC of ``message`` under any secret.

    Every secret is tried, whether or not an earlier one matched, so the time taken does not
    tell which version signed.
    """
    if not signature.startswith(prefix):
        return False
    presented = signature[len(prefix) :].encode("ascii", "replace")
    matched = False
    for secret in secrets:
        expected = hmac.new(secret.reveal().encode(), message, digest).hexdigest().encode()
        matched |= hmac.compare_digest(expected, presented)
    return matched


def slack_signature(secret: SecretValue, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` header value Slack sends for ``body`` at ``timestamp``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.reveal().encode(), base, hashlib.sha256).hexdigest()


class SlackSignatureVerifier:
    """Checks Slack request signatures against the current and previous signing secrets.

    A drop-in for ``slack_sdk.signature.SignatureVerifier`` (same ``is_valid`` and
    ``is_valid_request`` methods) that reads its secrets through a :class:`SecretCache`, so
    a rotated signing secret is picked up without a restart and the old one keeps working for
    the cache's overlap window.

    >>> verifier = SlackSignatureVerifier(cache, "file:/var/run/secrets/app/slack-signing-secret")
    >>> verifier.is_valid_request(body, request.headers)  # doctest: +SKIP
    """

    def __init__(
        self,
        cache: SecretCache,
        *references: str | SecretReference,
        max_age: float = SLACK_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not references:
            raise ValueError(
                "SlackSignatureVerifier needs at least one signing secret reference, "
                "e.g. 'env:SLACK_SIGNING_SECRET'"
            )
        self._cache = cache
        self._references = references
        self._max_age = max_age
        self._clock = clock

    def signing_secrets(self) -> tuple[SecretValue, ...]:
        """Every signing secret accepted now: current and overlapping versions of each ref."""
        secrets: list[SecretValue] = []
        for reference in self._references:
            for value in self._cache.versions(reference):
                if value not in secrets:
                    secrets.append(value)
        return tuple(secrets)

    def is_valid(self, body: bytes | str, timestamp: str | None, signature: str | None) -> bool:
        """True when ``signature`` signs ``body`` at a ``timestamp`` within ``max_age``."""
        if not timestamp or not signature:
            return False
        try:
            age = abs(self._clock() - int(timestamp))
        except ValueError:
            return False
        if age > self._max_age:
            return False
        raw = body.encode() if isinstance(body, str) else body
        base = b"v0:" + timestamp.encode() + b":" + raw
        return verify_hmac(base, signature, self.signing_secrets(), prefix="v0=")

    def is_valid_request(self, body: bytes | str, headers: Mapping[str, str | list[str]]) -> bool:
        """:meth:`is_valid` with the timestamp and signature taken from request headers."""
        lowered = {name.lower(): value for name, value in headers.items()}

        def header(name: str) -> str | None:
            value = lowered.get(name)
            if isinstance(value, list):
                return value[0] if value else None
            return value

        return self.is_valid(body, header("x-slack-request-timestamp"), header("x-slack-signature"))
