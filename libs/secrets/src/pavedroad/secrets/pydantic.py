"""Secret references as pydantic (and pydantic-settings) fields.

A :class:`SecretRef` field holds a *reference*, validated when the settings load; its value is
read through a :class:`~pavedroad.secrets.cache.SecretCache` on every access, so a rotated
secret is seen without reloading the settings, and the settings stay a plain pydantic model::

    from pavedroad.secrets.pydantic import SecretRef
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="APP_", hide_input_in_errors=True)
        slack_bot_token: SecretRef            # APP_SLACK_BOT_TOKEN=file:/var/run/secrets/...

    token = settings.slack_bot_token.get_secret_value()   # through the cache, fresh

Like pydantic's ``SecretStr``, the value never appears in ``repr``, ``str``, serialisation or
errors: only the reference does (a reference is not a secret). Validation errors never quote
the input, but pydantic itself appends the input to its messages unless the model sets
``hide_input_in_errors=True``: set it (a value may be put where a reference belongs). Needs the
``pydantic`` extra.
"""

from __future__ import annotations

import threading
from typing import Any

from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.errors import ReferenceSyntaxError
from pavedroad.secrets.reference import BUILTIN_SCHEMES, SecretReference, parse_reference
from pavedroad.secrets.value import SecretValue
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

_default_cache: SecretCache | None = None
_default_lock = threading.Lock()


def use_cache(cache: SecretCache | None) -> None:
    """Make ``cache`` the one :class:`SecretRef` reads through when none is passed.

    ``None`` forgets it (the next read creates a default cache again). The previous cache is
    not closed: its owner closes it.
    """
    global _default_cache
    with _default_lock:
        _default_cache = cache


def default_cache() -> SecretCache:
    """The process-wide cache of :class:`SecretRef` reads (created on first use)."""
    global _default_cache
    with _default_lock:
        if _default_cache is None:
            _default_cache = SecretCache()
        return _default_cache


class SecretRef:
    """A validated secret reference whose value is resolved through a cache on each access."""

    __slots__ = ("reference",)

    def __init__(self, reference: str | SecretReference) -> None:
        self.reference = (
            reference if isinstance(reference, SecretReference) else parse_reference(reference)
        )

    def secret(self, cache: SecretCache | None = None) -> SecretValue:
        """The current value, masked (``SecretValue``); reads through ``cache`` or the default."""
        return (cache or default_cache()).get(self.reference)

    async def asecret(self, cache: SecretCache | None = None) -> SecretValue:
        """:meth:`secret` for asyncio code; never blocks the event loop."""
        return await (cache or default_cache()).aget(self.reference)

    def get_secret_value(self, cache: SecretCache | None = None) -> str:
        """The plain current value (``SecretStr``'s name for it). Call it where it is used."""
        return self.secret(cache).reveal()

    def __repr__(self) -> str:
        return f"SecretRef({str(self.reference)!r})"

    def __str__(self) -> str:
        return str(self.reference)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretRef):
            return NotImplemented
        return self.reference == other.reference

    def __hash__(self) -> int:
        return hash(self.reference)

    @classmethod
    def _validate(cls, value: Any) -> SecretRef:
        if isinstance(value, SecretRef):
            return value
        if isinstance(value, SecretReference):
            return cls(value)
        if not isinstance(value, str):
            raise PydanticCustomError(
                "secret_reference_type",
                "a secret reference must be a string such as file:/var/run/secrets/app/<key>",
            )
        try:
            return cls(value)
        except ReferenceSyntaxError:
            # Never quote the text: it may be a secret put where the reference belongs.
            raise PydanticCustomError(
                "secret_reference",
                "not a secret reference; use one of {schemes} (e.g. "
                "file:/var/run/secrets/app/<key> or env:NAME). If it holds the secret itself, "
                "move the value into the secret store and rotate it. The text is not shown",
                {"schemes": ", ".join(scheme + ":" for scheme in BUILTIN_SCHEMES)},
            ) from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="always"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "description": "A secret reference (file:/var/run/secrets/app/<key>), never a value",
        }
