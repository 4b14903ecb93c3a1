"""The service's secrets, resolved from the references in its settings by pavedroad-secrets.

One :class:`~pavedroad.secrets.cache.SecretCache` per process keeps every value fresh in the
background: a rotated Kubernetes Secret (a file under /var/run/secrets/app/) or a new secret
version is picked up without a restart<% if cookiecutter.slack_app %>, and during a signing-secret rotation requests
signed with the current or the previous secret are both accepted<% endif %>.
"""

from __future__ import annotations

from types import TracebackType

from pavedroad.secrets.cache import SecretCache
<%- if cookiecutter.slack_app %>
from pavedroad.secrets.value import SecretValue
from pavedroad.secrets.verify import SlackSignatureVerifier
<%- endif %>

<% if cookiecutter.database == 'none' -%>
from <{ cookiecutter.package_name }>.database import IN_MEMORY_URL
<% endif -%>
from <{ cookiecutter.package_name }>.settings import Settings


class Credentials:
    """Resolves the secrets that the settings refer to; use one per process and close it."""

    def __init__(self, settings: Settings, cache: SecretCache | None = None) -> None:
        self._settings = settings
        self._cache = cache if cache is not None else SecretCache(ttl=300.0, overlap=900.0)

    def database_url(self) -> str:
        """The database URL (it may hold a password: never log it)."""
<%- if cookiecutter.database == 'postgresql' %>
        if self._settings.database_url_ref is not None:
            return self._cache.get(self._settings.database_url_ref).reveal()
        path = self._settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
<%- else %>
        return IN_MEMORY_URL
<%- endif %>
<%- if cookiecutter.slack_app %>

    def slack_bot_token(self) -> SecretValue:
        """The bot token (xoxb-...) that Slack Web API calls authenticate with."""
        if self._settings.slack_bot_token_ref is None:
            raise LookupError("APP_SLACK_BOT_TOKEN_REF is not set")
        return self._cache.get(self._settings.slack_bot_token_ref)

    def slack_signature_verifier(self) -> SlackSignatureVerifier:
        """Checks request signatures against the current and the previous signing secret."""
        if self._settings.slack_signing_secret_ref is None:
            raise LookupError("APP_SLACK_SIGNING_SECRET_REF is not set")
        references = [self._settings.slack_signing_secret_ref]
        if self._settings.slack_signing_secret_previous_ref is not None:
            references.append(self._settings.slack_signing_secret_previous_ref)
        verifier = SlackSignatureVerifier(self._cache, *references)
        verifier.signing_secrets()  # resolve now: a bad reference fails startup, not a request
        return verifier
<%- endif %>

    def close(self) -> None:
        self._cache.close()

    def __enter__(self) -> Credentials:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
