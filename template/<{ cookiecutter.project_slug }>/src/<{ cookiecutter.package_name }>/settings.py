"""The service's settings: APP_* environment variables, validated once at startup.

Logging and tracing are pavedroad-observability's: its PAVEDROAD_* and the standard OTEL_*
variables (docs/service.md), which no APP_* setting shadows.

Secrets never appear here as values. A setting ending in ``_ref`` holds a *reference* such as
``file:/var/run/secrets/app/slack-bot-token`` or ``env:SLACK_BOT_TOKEN``, which the
``credentials`` module resolves through pavedroad-secrets. Every validation error names the
variable and the fix, and never shows the value: the text of any setting may be a secret put
in the wrong place.
"""

from __future__ import annotations

<% if cookiecutter.database == 'postgresql' -%>
from pathlib import Path
<% endif -%>
from typing import Literal, Self

from pavedroad.secrets.errors import ReferenceSyntaxError
from pavedroad.secrets.reference import BUILTIN_SCHEMES, parse_reference
from pydantic import Field, <% if cookiecutter.slack_app %>field_validator, <% endif %>model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["local", "dev", "staging", "prod"]

<%- if cookiecutter.slack_app %>
SLACK_API_BASE_URL = "https://slack.com/api/"
<%- endif %>
<%- if cookiecutter.database == 'postgresql' %>
DEFAULT_SQLITE_PATH = Path("var/<{ cookiecutter.package_name }>.sqlite3")
<%- endif %>

<% if cookiecutter.database == 'none' and not cookiecutter.slack_app -%>
_REFERENCE_FIELDS: tuple[str, ...] = ()
<% elif not cookiecutter.slack_app -%>
_REFERENCE_FIELDS: tuple[str, ...] = ("database_url_ref",)
<% else -%>
_REFERENCE_FIELDS: tuple[str, ...] = (
<%- if cookiecutter.database == 'postgresql' %>
    "database_url_ref",
<%- endif %>
<%- if cookiecutter.slack_app %>
    "slack_bot_token_ref",
    "slack_signing_secret_ref",
    "slack_signing_secret_previous_ref",
<%- endif %>
)
<% endif %>

def _reference_problem(name: str, reference: str) -> str:
    """What is wrong with the reference in setting ``name``, without quoting any of it."""
    variable = f"APP_{name.upper()}"
    scheme, colon, _ = reference.partition(":")
    if colon and scheme in BUILTIN_SCHEMES:
        return (
            f"{variable} is not a valid '{scheme}:' secret reference; use the form shown in "
            "docs/service.md, e.g. file:/var/run/secrets/app/<key> or env:NAME"
        )
    return (
        f"{variable} must be a secret reference starting with "
        f"{', '.join(s + ':' for s in BUILTIN_SCHEMES)}, e.g. file:/var/run/secrets/app/<key>. "
        "If it holds the secret itself, move the value into the secret store and rotate it. "
        "The text is not shown, in case it is a secret"
    )


class Settings(BaseSettings):
    """Everything the service reads from its environment (prefix ``APP_``)."""

    # hide_input_in_errors: pydantic would otherwise print (most of) the offending input.
    model_config = SettingsConfigDict(
        env_prefix="APP_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    env: Environment = Field(
        "local", description="Deployment environment; `local` enables zero-config defaults."
    )
    host: str = Field("127.0.0.1", description="Address to listen on (0.0.0.0 in the image).")
    port: int = Field(8000, ge=1, le=65535)
    drain_seconds: float = Field(
        20.0,
        gt=0,
        le=300,
        description="After SIGTERM, how long in-flight requests may take to finish.",
    )
    shutdown_delay_seconds: float = Field(
        0.0,
        ge=0,
        le=60,
        description=(
            "After SIGTERM, how long /readyz fails while new requests are still served, so that "
            "load balancers stop routing here before the listener closes."
        ),
    )
    telemetry_enabled: bool = Field(
        True, description="Traces, RED metrics and access logs (off only for benchmarks)."
    )
    secret_cache_ttl_seconds: float = Field(
        60.0,
        gt=0,
        le=3600,
        description=(
            "How long a secret value is used before it is re-read: a rotated secret reaches this "
            "process within it (docs/rotation.md)."
        ),
    )
<%- if cookiecutter.database == 'postgresql' %>
    database_url_ref: str | None = Field(
        None,
        description=(
            "Reference to the database URL, e.g. file:/var/run/secrets/app/database-url. "
            "Unset in `local`: an embedded SQLite file at APP_SQLITE_PATH."
        ),
    )
    sqlite_path: Path = Field(
        DEFAULT_SQLITE_PATH, description="SQLite file used in `local` without a database URL."
    )
    database_tls_dir: Path | None = Field(
        None,
        description=(
            "Directory with the PostgreSQL client certificate (tls.crt, tls.key) and the CA "
            "(ca.crt): connect over TLS with sslmode=verify-full, reloading a renewed "
            "certificate with no restart (docs/rotation.md)."
        ),
    )
    db_pool_size: int = Field(5, ge=1, le=100)
    migrate_on_start: bool | None = Field(
        None,
        description=(
            "Apply migrations at startup. Default: on in `local`; elsewhere the migration Job "
            "applies them before the rollout."
        ),
    )
<%- endif %>
<%- if cookiecutter.slack_app %>
    slack_api_base_url: str = Field(
        SLACK_API_BASE_URL, description="Slack Web API base URL (a stand-in in tests)."
    )
    slack_bot_token_ref: str | None = None
    slack_signing_secret_ref: str | None = None
    slack_signing_secret_previous_ref: str | None = Field(
        None, description="The signing secret being rotated out, accepted until it is removed."
    )
    slack_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="Timeout of one Slack Web API call."
    )
    slack_max_retries: int = Field(
        3,
        ge=0,
        le=10,
        description="Retries of a Slack call after 429, 5xx or a dropped connection.",
    )
<%- endif %>

<%- if cookiecutter.slack_app %>

    @field_validator("slack_api_base_url")
    @classmethod
    def _slack_base_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(
                f"APP_SLACK_API_BASE_URL is not an http(s) URL; use {SLACK_API_BASE_URL!r}"
            )
        return value if value.endswith("/") else value + "/"
<%- endif %>

    @model_validator(mode="after")
    def _check(self) -> Self:
        for name in _REFERENCE_FIELDS:
            reference = getattr(self, name)
            if reference is None:
                continue
            try:
                parse_reference(reference)
            except ReferenceSyntaxError:
                raise ValueError(_reference_problem(name, reference)) from None
        if self.env == "local":
            return self
        missing = [
            f"APP_{name.upper()}"
            for name in _REFERENCE_FIELDS
            if getattr(self, name) is None and not name.endswith("_previous_ref")
        ]
        if missing:
            raise ValueError(
                f"APP_ENV={self.env} needs {', '.join(missing)}: set each to a secret reference "
                "such as file:/var/run/secrets/app/<key> (only APP_ENV=local runs without them)"
            )
<%- if cookiecutter.slack_app %>
        if not self.slack_api_base_url.startswith("https://"):
            raise ValueError(
                "APP_SLACK_API_BASE_URL must use https outside APP_ENV=local; "
                f"use {SLACK_API_BASE_URL!r}"
            )
<%- endif %>
        return self

    @property
    def migrations_on_start(self) -> bool:
        """Whether startup applies migrations (see ``migrate_on_start``)."""
<%- if cookiecutter.database == 'none' %>
        # The embedded database lives in memory: every process creates its schema itself.
        return True
<%- else %>
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        return self.env == "local"
<%- endif %>
<%- if cookiecutter.slack_app %>

    @property
    def slack_configured(self) -> bool:
        """Whether Slack credentials are set; only `local` may run without them."""
        return self.slack_bot_token_ref is not None and self.slack_signing_secret_ref is not None
<%- endif %>
