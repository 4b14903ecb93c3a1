"""SecretRef fields in pydantic-settings: validated references, values read on each access."""

from __future__ import annotations

from pathlib import Path

import pytest
from pavedroad.secrets import SecretCache
from pavedroad.secrets.pydantic import SecretRef, default_cache, use_cache
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="T17_", hide_input_in_errors=True)

    bot_token: SecretRef
    previous: SecretRef | None = None


def test_a_rotated_file_is_seen_without_reloading_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "bot-token"
    secret.write_text("xoxb-first")
    monkeypatch.setenv("T17_BOT_TOKEN", f"file:{secret}")
    settings = Settings.model_validate({})
    with SecretCache(ttl=0.05, poll_interval=0.05, background=False) as cache:
        assert settings.bot_token.get_secret_value(cache) == "xoxb-first"
        secret.write_text("xoxb-second")
        cache.refresh(settings.bot_token.reference)
        assert settings.bot_token.get_secret_value(cache) == "xoxb-second"


def test_the_default_cache_is_used_and_replaceable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T17_BOT_TOKEN", "env:T17_VALUE")
    monkeypatch.setenv("T17_VALUE", "xoxb-value")
    with SecretCache() as cache:
        use_cache(cache)
        try:
            assert default_cache() is cache
            assert Settings.model_validate({}).bot_token.get_secret_value() == "xoxb-value"
        finally:
            use_cache(None)


def test_values_never_show_and_the_model_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T17_BOT_TOKEN", "env:T17_VALUE")
    monkeypatch.setenv("T17_VALUE", "xoxb-do-not-print")
    settings = Settings.model_validate({})
    with SecretCache() as cache:
        value = settings.bot_token.secret(cache)
    shown = " ".join([repr(settings), str(settings), repr(value), settings.model_dump_json()])
    assert "xoxb-do-not-print" not in shown
    assert settings.model_dump() == {"bot_token": "env:T17_VALUE", "previous": None}
    assert Settings.model_validate_json(settings.model_dump_json()) == settings
    assert Settings.model_json_schema()["properties"]["bot_token"]["type"] == "string"


def test_a_value_where_a_reference_belongs_is_refused_without_quoting_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("T17_BOT_TOKEN", "xoxb-pasted-by-mistake")
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({})
    message = str(caught.value)
    assert "xoxb-pasted-by-mistake" not in message
    assert "bot_token" in message and "not a secret reference" in message
    with pytest.raises(ValidationError):
        Settings(bot_token=42)  # type: ignore[arg-type]
