"""Settings validation: bad configuration fails at startup with a message that says the fix."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from <{ cookiecutter.package_name }>.__main__ import main
from <{ cookiecutter.package_name }>.settings import Settings


def assert_not_shown(value: str, message: str) -> None:
    """Neither pydantic's input echo nor any 8 characters of ``value`` appear in ``message``."""
    assert "input_value" not in message
    leaked = [value[i : i + 8] for i in range(len(value) - 7) if value[i : i + 8] in message]
    assert not leaked, f"the message shows part of the value: {leaked}"


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


@pytest.mark.parametrize(
    ("variable", "value"),
    [
<%- if cookiecutter.slack_app %>
        ("APP_SLACK_SIGNING_SECRET_REF", "{secret}"),
        ("APP_SLACK_BOT_TOKEN_REF", "xoxb-{secret}"),
        ("APP_SLACK_SIGNING_SECRET_PREVIOUS_REF", "env:secret-{secret}"),
<%- endif %>
<%- if cookiecutter.database == 'postgresql' %>
        ("APP_DATABASE_URL_REF", "postgresql://app:{secret}@db/app"),
        ("APP_DATABASE_URL_REF", "file:{secret}"),
<%- endif %>
    ],
)
def test_a_value_where_a_reference_belongs_is_rejected_without_showing_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    secret = secrets.token_hex(24)
    monkeypatch.setenv(variable, value.format(secret=secret))
    with pytest.raises(ValidationError) as error:
        Settings()
    assert variable in str(error.value)
    assert_not_shown(secret, str(error.value))
    assert main(["serve"]) == 2
    printed = capsys.readouterr().err
    assert variable in printed
    assert "secret reference" in printed
    assert_not_shown(secret, printed)
<%- endif %>


def test_no_settings_error_shows_the_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "s3cr3t-" + secrets.token_hex(16)
    monkeypatch.setenv("APP_PORT", secret)
    monkeypatch.setenv("APP_ENV", secret)
    assert main(["serve"]) == 2
    printed = capsys.readouterr().err
    assert "APP_PORT" in printed
    assert "APP_ENV" in printed
    assert_not_shown(secret, printed)
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
