"""Settings validation: bad configuration fails at startup with a message that says the fix."""

from __future__ import annotations

<% if cookiecutter.database == 'postgresql' or cookiecutter.slack_app -%>
import secrets

<% endif -%>
import pytest
from pydantic import ValidationError

from <{ cookiecutter.package_name }>.settings import Settings


def test_local_runs_with_zero_configuration() -> None:
    settings = Settings()
    assert settings.env == "local"
    assert settings.port == 8000
    assert settings.migrations_on_start
<%- if cookiecutter.database == 'postgresql' or cookiecutter.slack_app %>


def test_deployed_environments_need_their_secret_references() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(env="prod")
    message = str(error.value)
<%- if cookiecutter.database == 'postgresql' %>
    assert "APP_DATABASE_URL_REF" in message
<%- endif %>
<%- if cookiecutter.slack_app %>
    assert "APP_SLACK_SIGNING_SECRET_REF" in message
    assert "APP_SLACK_SIGNING_SECRET_PREVIOUS_REF" not in message  # optional
<%- endif %>


def test_a_value_where_a_reference_belongs_is_rejected_without_echoing_it() -> None:
    value = secrets.token_hex(16)
    with pytest.raises(ValidationError) as error:
<%- if cookiecutter.slack_app %>
        Settings(slack_signing_secret_ref=value)
<%- else %>
        Settings(database_url_ref=f"postgresql://app:{value}@db/app")
<%- endif %>
    assert "_REF" in str(error.value)
    assert value not in str(error.value)
<%- endif %>
<%- if cookiecutter.slack_app %>


def test_slack_must_be_https_outside_local() -> None:
    with pytest.raises(ValidationError, match="https"):
        Settings(
            env="dev",
<%- if cookiecutter.database == 'postgresql' %>
            database_url_ref="env:DATABASE_URL",
<%- endif %>
            slack_bot_token_ref="env:SLACK_BOT_TOKEN",
            slack_signing_secret_ref="env:SLACK_SIGNING_SECRET",
            slack_api_base_url="http://slack.example.invalid/api/",
        )
<%- endif %>


@pytest.mark.parametrize(
    ("variable", "value"),
    [("APP_PORT", "0"), ("APP_ENV", "production"), ("APP_DRAIN_SECONDS", "-1")],
)
def test_out_of_range_values_are_rejected(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        Settings()
