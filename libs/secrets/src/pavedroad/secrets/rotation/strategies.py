"""What a rotation does to the secret and to the system that checks it.

The engine (:mod:`pavedroad.secrets.rotation.engine`) drives the AWS four-step protocol and
moves the staging labels; a strategy supplies the secret-specific parts. Every method must be
idempotent: Secrets Manager (and our CLI) retry a step after a failure.
"""

from __future__ import annotations

import abc
import json
import secrets as _random

from pavedroad.secrets.value import SecretValue

DEFAULT_PASSWORD_LENGTH = 32


def generate_password(length: int = DEFAULT_PASSWORD_LENGTH) -> str:
    """A random URL-safe password of ``length`` characters (6 bits of entropy each)."""
    if length < 16:
        raise ValueError(f"password length {length} is too short: use 16 characters or more")
    return _random.token_urlsafe(length)[:length]


class RotationStrategy(abc.ABC):
    """The secret-specific half of a rotation."""

    #: The name used on the command line and in ``PAVEDROAD_ROTATION_STRATEGY``.
    name: str

    @abc.abstractmethod
    def create(self, current: SecretValue) -> str:
        """createSecret: the new secret document, derived from the current one."""

    def set(  # noqa: B027 - a secret no other system checks needs no setSecret
        self, pending: SecretValue, current: SecretValue, previous: SecretValue | None
    ) -> None:
        """setSecret: make the system that checks the secret accept ``pending``."""

    def test(self, pending: SecretValue) -> None:  # noqa: B027 - nothing to test by default
        """testSecret: prove ``pending`` works; raise if it does not."""


class GenerateStrategy(RotationStrategy):
    """A new random value for a secret nothing else needs to be told about (API keys that
    this service issues and checks itself, webhook secrets shared by reading the same store).

    With ``key`` set, only that key of a JSON document is replaced.
    """

    name = "generate"

    def __init__(self, *, key: str | None = None, length: int = DEFAULT_PASSWORD_LENGTH) -> None:
        generate_password(length)  # validates the length now, not at rotation time
        self.key = key
        self.length = length

    def create(self, current: SecretValue) -> str:
        if self.key is None:
            return generate_password(self.length)
        document = current.reveal_json()
        if not isinstance(document, dict):
            raise ValueError(
                f"strategy generate --key {self.key}: the current secret is not a JSON object; "
                "drop --key to replace the whole value"
            )
        document[self.key] = generate_password(self.length)
        return json.dumps(document)
