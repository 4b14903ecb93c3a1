"""``env:NAME``: a secret in the process environment (e.g. from a Kubernetes ``secretKeyRef``)."""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping

from pavedroad.secrets.errors import SecretNotFoundError
from pavedroad.secrets.providers.base import FetchedSecret, Provider, select_key
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue


class EnvProvider(Provider):
    """Reads environment variables. An environment never changes under a running process from
    outside, so values only change when the process itself sets them (tests)."""

    schemes = ("env",)

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def fetch(self, ref: SecretReference) -> FetchedSecret:
        try:
            document = self._environ[ref.body]
        except KeyError:
            raise SecretNotFoundError(
                f"env: secret {ref} not found: environment variable {ref.body} is not set; "
                "set it (e.g. from a Kubernetes secretKeyRef) or fix the reference",
                reference=str(ref),
                provider=ref.scheme,
            ) from None
        return FetchedSecret(SecretValue(select_key(document, ref, ref.scheme)))

    def change_token(self, ref: SecretReference) -> Hashable | None:
        return None
