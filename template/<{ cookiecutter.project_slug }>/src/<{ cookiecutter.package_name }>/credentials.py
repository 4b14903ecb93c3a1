"""The service's secrets, resolved from the references in its settings by pavedroad-secrets.

One :class:`~pavedroad.secrets.cache.SecretCache` per process keeps every value fresh in the
background: a rotated Kubernetes Secret (a file under /var/run/secrets/app/) or a new secret
version is picked up without a restart<% if cookiecutter.slack_app %>, and during a signing-secret rotation requests
signed with the current or the previous secret are both accepted<% endif %>.

Reading a secret may wait on its backend, so nothing here is called on the event loop: startup
reads in a worker thread<% if cookiecutter.slack_app %>, and request handlers read the signing secrets from
:class:`SigningSecrets`, which re-reads them in a worker thread and never blocks<% endif %>.
"""

from __future__ import annotations

<% if cookiecutter.slack_app -%>
import asyncio
import contextlib
import time
<% endif -%>
from types import TracebackType

from pavedroad.secrets.cache import SecretCache
<%- if cookiecutter.database == 'postgresql' %>
from pavedroad.secrets.sqlalchemy import credential_url
<%- endif %>
<%- if cookiecutter.slack_app %>
from pavedroad.secrets.value import SecretValue
from pavedroad.secrets.verify import SlackSignatureVerifier
<%- endif %>

<% if cookiecutter.database == 'none' -%>
from <{ cookiecutter.package_name }>.database import IN_MEMORY_URL
<% endif -%>
from <{ cookiecutter.package_name }>.settings import Settings
<%- if cookiecutter.slack_app %>
from <{ cookiecutter.package_name }>.telemetry import get_logger

logger = get_logger(__name__)
<%- endif %>


class Credentials:
    """Resolves the secrets that the settings refer to; use one per process and close it."""

    def __init__(self, settings: Settings, cache: SecretCache | None = None) -> None:
        self._settings = settings
        # The ttl bounds how long a rotated secret takes to reach this process; every overlap
        # window in docs/rotation.md is longer.
        self._cache = (
            cache
            if cache is not None
            else SecretCache(ttl=settings.secret_cache_ttl_seconds, overlap=900.0)
        )

    def database_url(self) -> str:
        """The database URL (it may hold a password: never log it).

        The secret is a URL, or the JSON document (username, password, host, port, dbname) that
        `pavedroad-secrets rotate` keeps current; see docs/rotation.md.
        """
<%- if cookiecutter.database == 'postgresql' %>
        if self._settings.database_url_ref is not None:
            secret = self._cache.get(self._settings.database_url_ref)
            return credential_url(secret).render_as_string(hide_password=False)
        path = self._settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
<%- else %>
        return IN_MEMORY_URL
<%- endif %>

    def database_secret(self) -> tuple[SecretCache, str] | None:
        """The cache and reference that every new database login reads its password from.

        None when the database URL is not a secret (the local SQLite file).
        """
<%- if cookiecutter.database == 'postgresql' %>
        if self._settings.database_url_ref is None:
            return None
        return self._cache, self._settings.database_url_ref
<%- else %>
        return None
<%- endif %>
<%- if cookiecutter.slack_app %>

    def slack_bot_token(self) -> SecretValue:
        """The bot token (xoxb-...) that Slack Web API calls authenticate with."""
        if self._settings.slack_bot_token_ref is None:
            raise LookupError("APP_SLACK_BOT_TOKEN_REF is not set")
        return self._cache.get(self._settings.slack_bot_token_ref)

    async def aslack_bot_token(self) -> SecretValue:
        """:meth:`slack_bot_token` for request handlers: never blocks the event loop.

        Read on every use, so a rotated token takes effect within the cache's ttl.
        """
        if self._settings.slack_bot_token_ref is None:
            raise LookupError("APP_SLACK_BOT_TOKEN_REF is not set")
        return await self._cache.aget(self._settings.slack_bot_token_ref)

    def slack_signature_verifier(self) -> SlackSignatureVerifier:
        """Checks request signatures against the current and the previous signing secret."""
        if self._settings.slack_signing_secret_ref is None:
            raise LookupError("APP_SLACK_SIGNING_SECRET_REF is not set")
        references = [self._settings.slack_signing_secret_ref]
        if self._settings.slack_signing_secret_previous_ref is not None:
            references.append(self._settings.slack_signing_secret_previous_ref)
        return SlackSignatureVerifier(self._cache, *references)
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
<%- if cookiecutter.slack_app %>


class SigningSecrets:
    """The Slack signing secrets accepted now, for request handlers that must not block.

    :meth:`accepted` answers from memory. A task re-reads the secrets (current and overlapping
    versions, see :class:`SlackSignatureVerifier`) every ``interval`` seconds in a worker
    thread, one read at a time: a backend that hangs delays the next rotation being seen, never
    a request. Values older than ``max_age`` (the secret cache's ``max_staleness``) are no
    longer used, so a backend down for good fails requests instead of trusting old secrets.
    """

    def __init__(
        self, verifier: SlackSignatureVerifier, *, interval: float = 2.0, max_age: float = 3600.0
    ) -> None:
        self._verifier = verifier
        self._interval = interval
        self._max_age = max_age
        self._values: tuple[SecretValue, ...] = ()
        self._read_at = 0.0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Read the secrets once (a bad reference fails startup), then keep them fresh."""
        await self._read()
        self._task = asyncio.create_task(self._refresh_forever(), name="slack-signing-secrets")

    def accepted(self) -> tuple[SecretValue, ...]:
        """The secrets to verify a request against; empty when they could not be read lately."""
        if time.monotonic() - self._read_at > self._max_age:
            return ()
        return self._values

    async def _read(self) -> None:
        self._values = await asyncio.to_thread(self._verifier.signing_secrets)
        self._read_at = time.monotonic()

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._read()
            except Exception as exc:
                # The error names the reference, never the value.
                logger.warning("re-reading the slack signing secrets failed", error=str(exc))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
<%- endif %>
