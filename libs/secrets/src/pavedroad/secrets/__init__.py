"""pavedroad-secrets: secret references, providers, a refreshing cache and rotation.

Settings hold references (``file:/var/run/secrets/app/slack-bot-token``, ``env:NAME``,
``aws-sm:prod/app/db#password``, ``vault:secret/app#key``, ``vault-db:database/app``); a
:class:`SecretCache` turns them into :class:`SecretValue` objects and keeps them fresh::

    from pavedroad.secrets import SecretCache

    secrets = SecretCache()
    token = secrets.get(settings.slack_bot_token_ref)
    client = WebClient(token=token.reveal())
"""

from importlib.metadata import PackageNotFoundError, version

from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.errors import (
    AuthenticationError,
    FetchTimeoutError,
    PolicyError,
    ProviderFailureError,
    ReferenceSyntaxError,
    RotationError,
    SecretError,
    SecretKeyError,
    SecretLookupError,
    SecretNotFoundError,
    StaleSecretError,
    TransientBackendError,
    UnknownSchemeError,
)
from pavedroad.secrets.reference import BUILTIN_SCHEMES, SecretReference, parse_reference
from pavedroad.secrets.resolver import Resolver
from pavedroad.secrets.retry import aretry_on_auth_failure, retry_on_auth_failure
from pavedroad.secrets.tls import CertificateReloader
from pavedroad.secrets.value import SecretValue
from pavedroad.secrets.verify import SlackSignatureVerifier, slack_signature, verify_hmac

try:
    __version__ = version("pavedroad-secrets")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "BUILTIN_SCHEMES",
    "AuthenticationError",
    "CertificateReloader",
    "FetchTimeoutError",
    "PolicyError",
    "ProviderFailureError",
    "ReferenceSyntaxError",
    "Resolver",
    "RotationError",
    "SecretCache",
    "SecretError",
    "SecretKeyError",
    "SecretLookupError",
    "SecretNotFoundError",
    "SecretReference",
    "SecretValue",
    "SlackSignatureVerifier",
    "StaleSecretError",
    "TransientBackendError",
    "UnknownSchemeError",
    "__version__",
    "aretry_on_auth_failure",
    "parse_reference",
    "retry_on_auth_failure",
    "slack_signature",
    "verify_hmac",
]
