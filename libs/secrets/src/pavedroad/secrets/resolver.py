"""Turning a reference into a value: scheme to provider dispatch, without caching."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable

from pavedroad.secrets.errors import SecretError, wrap_provider_failure
from pavedroad.secrets.providers.base import FetchedSecret, Provider, SecretMetadata
from pavedroad.secrets.providers.env import EnvProvider
from pavedroad.secrets.providers.file import FileProvider
from pavedroad.secrets.reference import BUILTIN_SCHEMES, SecretReference, parse_reference
from pavedroad.secrets.value import SecretValue


def _aws() -> Provider:
    from pavedroad.secrets.providers.aws import AwsSecretsManagerProvider

    return AwsSecretsManagerProvider()


def _vault() -> Provider:
    from pavedroad.secrets.providers.vault import VaultProvider

    return VaultProvider()


@functools.lru_cache(maxsize=1024)
def _parse(text: str, schemes: tuple[str, ...]) -> SecretReference:
    # Services parse the same few references over and over (every verification, every miss).
    return parse_reference(text, schemes=schemes)


_BUILTIN_FACTORIES: dict[str, Callable[[], Provider]] = {
    "env": EnvProvider,
    "file": FileProvider,
    "aws-sm": _aws,
    "vault": _vault,
    "vault-db": _vault,
}


class Resolver:
    """Reads references through providers, one provider instance per backend.

    Built-in providers are created on first use, so a service that only uses ``file:`` never
    imports boto3 or hvac. Pass ``providers`` to replace a built-in one (e.g. a Vault provider
    with an explicit client) or to add a scheme of your own.
    """

    def __init__(self, providers: Iterable[Provider] = ()) -> None:
        self._providers: dict[str, Provider] = {}
        for provider in providers:
            for scheme in provider.schemes:
                self._providers[scheme] = provider
        self._schemes = tuple(dict.fromkeys((*BUILTIN_SCHEMES, *self._providers)))
        self._lock = threading.Lock()

    @property
    def schemes(self) -> tuple[str, ...]:
        """Every scheme this resolver can read."""
        return self._schemes

    def parse(self, reference: str | SecretReference) -> SecretReference:
        """Parse ``reference`` (a no-op for a parsed one) against this resolver's schemes."""
        if isinstance(reference, SecretReference):
            return reference
        return _parse(reference, self._schemes)

    def provider(self, scheme: str) -> Provider:
        """The provider for ``scheme``, created on first use."""
        provider = self._providers.get(scheme)
        if provider is not None:
            return provider
        with self._lock:
            provider = self._providers.get(scheme)
            if provider is None:
                provider = _BUILTIN_FACTORIES[scheme]()
                for name in provider.schemes:
                    self._providers.setdefault(name, provider)
            return provider

    def fetch(self, reference: str | SecretReference) -> FetchedSecret:
        """Read ``reference`` from its backend now, with version and lease.

        Any failure is raised as a :class:`SecretError`: an exception of another type (an
        SDK's, an ``OSError``) becomes a :class:`ProviderFailureError` naming the reference.
        """
        ref = self.parse(reference)
        provider = self.provider(ref.scheme)
        try:
            return provider.fetch(ref)
        except (SecretError, ImportError):
            raise
        except Exception as exc:
            raise wrap_provider_failure(exc, reference=str(ref), provider=ref.scheme) from exc

    def resolve(self, reference: str | SecretReference) -> SecretValue:
        """Read ``reference`` from its backend now and return the value."""
        return self.fetch(reference).value

    def describe(self, reference: str | SecretReference) -> SecretMetadata:
        """When the secret at ``reference`` last changed."""
        ref = self.parse(reference)
        provider = self.provider(ref.scheme)
        try:
            return provider.describe(ref)
        except (SecretError, ImportError):
            raise
        except Exception as exc:
            raise wrap_provider_failure(exc, reference=str(ref), provider=ref.scheme) from exc

    def close(self) -> None:
        """Close every provider that was created."""
        for provider in {id(p): p for p in self._providers.values()}.values():
            provider.close()
