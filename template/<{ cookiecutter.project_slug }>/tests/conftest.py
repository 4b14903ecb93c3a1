"""Fixtures: a database per test<% if cookiecutter.database == 'postgresql' %> (SQLite and a real PostgreSQL)<% endif %>, settings, the app<% if cookiecutter.slack_app %>,
the Slack Web API stand-in and correctly signed Slack requests<% endif %>.

Secrets used here are generated per test run and exist only in this process.
"""

from __future__ import annotations

<% if cookiecutter.database == 'postgresql' -%>
import asyncio
<% endif -%>
<% if cookiecutter.slack_app -%>
import json
<% endif -%>
import os
<% if cookiecutter.slack_app -%>
import secrets
import time
<% endif -%>
<% if cookiecutter.database == 'postgresql' or cookiecutter.slack_app -%>
import uuid
<% endif -%>
from collections.abc import Callable, Iterator
<% if cookiecutter.database == 'postgresql' -%>
from pathlib import Path
<% endif -%>
from typing import Any
<%- if cookiecutter.slack_app %>
from urllib.parse import urlencode
<%- endif %>

import pytest
from fastapi.testclient import TestClient
<%- if cookiecutter.slack_app %>
from hypothesis import settings
from pavedroad.secrets.value import SecretValue
from pavedroad.secrets.verify import slack_signature
<%- endif %>

from <{ cookiecutter.package_name }>.app import create_app
from <{ cookiecutter.package_name }>.settings import Settings
<%- if cookiecutter.slack_app %>
from tests.slack_standin import SlackStandIn, running_standin
<%- endif %>
<%- if cookiecutter.database == 'postgresql' %>

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# `make test` always provides PostgreSQL; a bare `pytest` without it skips those tests, unless
# REQUIRE_POSTGRES=1 (set in CI) turns the skip into a failure.
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
<%- endif %>
<%- if cookiecutter.slack_app %>

# In CI the fuzz tests replay the same examples every run, so a failure there reproduces with
# `CI=true make test`; elsewhere each run explores new ones.
settings.register_profile("ci", derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
<%- endif %>


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the settings they set, never the developer's APP_* or OTEL_* variables."""
    for name in list(os.environ):
        if name.startswith(("APP_", "OTEL_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
<%- if cookiecutter.database == 'postgresql' %>


def _postgres_database(base_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``base_url``; dropped afterwards."""
    import asyncpg  # only needed with PostgreSQL

    name = f"test_{uuid.uuid4().hex[:12]}"
    dsn = base_url.replace("postgresql+asyncpg://", "postgresql://")

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    head, _, _ = dsn.rpartition("/")
    query = ""
    if "?" in dsn:
        query = "?" + dsn.split("?", 1)[1]
    try:
        yield f"{head}/{name}{query}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that uses the database runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    if TEST_DATABASE_URL is None:
        if REQUIRE_POSTGRES:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set; run `make test`")
        pytest.skip("TEST_DATABASE_URL is not set; `make test` starts a PostgreSQL for these")
    yield from _postgres_database(TEST_DATABASE_URL)
<%- endif %>
<%- if cookiecutter.slack_app %>


@pytest.fixture(scope="session")
def slack_api() -> Iterator[SlackStandIn]:
    with running_standin() as standin:
        yield standin


@pytest.fixture
def slack(slack_api: SlackStandIn) -> SlackStandIn:
    """The stand-in with no calls recorded yet."""
    slack_api.calls.clear()
    return slack_api


@pytest.fixture
def signing_secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A current and a previous signing secret, random for every test."""
    values = {"current": secrets.token_hex(16), "previous": secrets.token_hex(16)}
    monkeypatch.setenv("TEST_SLACK_SIGNING_SECRET", values["current"])
    monkeypatch.setenv("TEST_SLACK_SIGNING_SECRET_PREVIOUS", values["previous"])
    monkeypatch.setenv("TEST_SLACK_BOT_TOKEN", "xoxb-test-" + secrets.token_hex(8))
    return values
<%- endif %>


@pytest.fixture
def make_settings(
    monkeypatch: pytest.MonkeyPatch,
<%- if cookiecutter.database == 'postgresql' %>
    database_url: str,
<%- endif %>
<%- if cookiecutter.slack_app %>
    slack: SlackStandIn,
    signing_secrets: dict[str, str],
<%- endif %>
) -> Callable[..., Settings]:
    """Settings for a test: local environment, migrations on start, overrides as keywords."""
<%- if cookiecutter.database == 'postgresql' %>
    monkeypatch.setenv("TEST_DATABASE_URL_FOR_APP", database_url)
<%- endif %>

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "local",
            "migrate_on_start": True,
<%- if cookiecutter.database == 'postgresql' %>
            "database_url_ref": "env:TEST_DATABASE_URL_FOR_APP",
<%- endif %>
<%- if cookiecutter.slack_app %>
            "slack_api_base_url": slack.base_url,
            "slack_bot_token_ref": "env:TEST_SLACK_BOT_TOKEN",
            "slack_signing_secret_ref": "env:TEST_SLACK_SIGNING_SECRET",
            "slack_signing_secret_previous_ref": "env:TEST_SLACK_SIGNING_SECRET_PREVIOUS",
            "slack_max_retries": 2,
<%- endif %>
        }
<%- if cookiecutter.database == 'none' %>
        values.pop("migrate_on_start")
<%- endif %>
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """The app, started (lifespan run), behind an HTTP test client."""
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as test_client:
        yield test_client
<%- if cookiecutter.slack_app %>


class SlackRequests:
    """Builds Slack requests signed exactly as Slack signs them."""

    def __init__(self, client: TestClient, secret: str) -> None:
        self.client = client
        self.secret = secret

    def headers(
        self, body: bytes, *, secret: str | None = None, timestamp: int | None = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = slack_signature(SecretValue(secret or self.secret), ts, body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    def post(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Any:
        headers = {
            "Content-Type": content_type,
            **self.headers(body, secret=secret, timestamp=timestamp),
        }
        headers.update(extra_headers or {})
        return self.client.post(path, content=body, headers=headers)

    def command(
        self,
        text: str,
        *,
        channel: str = "C0CHAN001",
        team: str = "T0TEST001",
        invocation: str | None = None,
        **kw: Any,
    ) -> Any:
        # Like Slack's, every invocation has its own trigger_id and response_url, so two
        # commands never sign the same body (the same body and timestamp is a replay).
        invocation = invocation or uuid.uuid4().hex
        form = {
            "command": "/notes",
            "text": text,
            "team_id": team,
            "channel_id": channel,
            "user_id": "U0USER001",
            "response_url": f"https://hooks.slack.invalid/commands/{invocation}",
            "trigger_id": f"1.{invocation}",
        }
        body = urlencode(form).encode()
        return self.post("/slack/commands", body, "application/x-www-form-urlencoded", **kw)

    def event(self, payload: dict[str, Any], **kw: Any) -> Any:
        return self.post("/slack/events", json.dumps(payload).encode(), "application/json", **kw)

    def interaction(self, payload: dict[str, Any], **kw: Any) -> Any:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post("/slack/interactions", body, "application/x-www-form-urlencoded", **kw)


@pytest.fixture
def slack_requests(client: TestClient, signing_secrets: dict[str, str]) -> SlackRequests:
    return SlackRequests(client, signing_secrets["current"])


def mention_event(event_id: str | None = None, *, channel: str = "C0CHAN001") -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T0TEST001",
        "api_app_id": "A0TEST001",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": "U0USER001",
            "text": "<@UBOTBOT01> how many notes?",
            "ts": "1700000000.000100",
            "channel": channel,
            "event_ts": "1700000000.000100",
        },
        "authorizations": [{"team_id": "T0TEST001", "user_id": "UBOTBOT01", "is_bot": True}],
    }
<%- endif %>
