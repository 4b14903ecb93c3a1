"""The key denylist: which mapping keys name a secret, and which name a count of them.

A key hits when a fragment of :data:`DEFAULT_DENYLIST` (or of the caller's extra keys) is a
substring of the normalised key (lower case, with ``_``, ``-``, ``.`` and spaces removed):
``DB_PASSWORD``, ``x-api-key`` and ``slackSigningSecret`` all hit. A few short names hit only as
the whole key (``pwd``, not ``pwdreset``). Keys that merely mention a secret (``max_tokens``,
``secret_name``) are exempt. A key whose words read as a count or a measure (``tokens_used``,
``active_sessions``) keeps a number under it: :meth:`KeyRules.names_count`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from pavedroad.observability.errors import ConfigurationError

__all__ = [
    "DEFAULT_DENYLIST",
    "DEFAULT_SAFE_KEYS",
    "EXACT_DENYLIST",
    "KeyRules",
    "normalise_key",
]

#: Key fragments that mark a value as secret. Matched as substrings of the normalised key
#: (lower case, with ``_``, ``-``, ``.`` and spaces removed): ``DB_PASSWORD``, ``x-api-key`` and
#: ``slackSigningSecret`` all hit. The value in the replacement is the fragment's canonical name.
DEFAULT_DENYLIST: Final[tuple[str, ...]] = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "api_key",
    "access_key",
    "private_key",
    "client_secret",
    "signing_secret",
    "authorization",
    "cookie",
    "session",
    "credential",
    "csrf",
    "xsrf",
    "jwt",
    "card_number",
    "credit_card",
    "cvv",
    "cvc",
)

#: Short names that are secrets only when they are the whole key (``pwd``, not ``pwdreset``...).
EXACT_DENYLIST: Final[tuple[str, ...]] = ("auth", "pwd", "pin", "ssn", "otp", "sid", "mysql_pwd")

#: Keys that mention a secret without holding one. Their values are still scanned for patterns.
DEFAULT_SAFE_KEYS: Final[tuple[str, ...]] = (
    "token_type",
    "token_count",
    "token_usage",
    "max_tokens",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "secret_name",
    "secret_arn",
    "secret_version_id",
    "secret_provider",
    "session_duration_ms",
)

#: Words of a key that make it name a count or a measure, not a secret: a number under
#: ``tokens_used`` or ``session_ttl_seconds`` is kept (a string is still replaced).
_COUNT_WORDS: Final = frozenset(
    {
        "count", "counts", "used", "total", "active", "remaining", "left", "limit", "max",
        "min", "size", "length", "len", "ttl", "duration", "age", "expires", "expiry",
        "timeout", "seconds", "secs", "ms", "millis", "minutes", "hours", "days", "rate",
        "attempts", "retries", "issued", "revoked", "expired", "created", "refreshed", "per",
        "avg", "sum", "bytes", "index", "version",
    }
)  # fmt: skip
_KEY_WORDS: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_SEPARATORS: Final = str.maketrans("", "", "_-. ")


def normalise_key(key: str) -> str:
    """``key`` in lower case without ``_``, ``-``, ``.`` and spaces."""
    return key.lower().translate(_SEPARATORS)


class KeyRules:
    """The denylist of one redactor: the defaults plus ``extra_keys``, less ``safe_keys``.

    Immutable after construction. The redactor caches the answers per key.

    Raises:
        ConfigurationError: an extra or safe key is not a non-empty string of letters, digits
            or separators.
    """

    def __init__(self, extra_keys: Iterable[str] = (), safe_keys: Iterable[str] = ()) -> None:
        extra_keys = tuple(extra_keys)
        safe_keys = tuple(safe_keys)
        for key in (*extra_keys, *safe_keys):
            if not isinstance(key, str) or not normalise_key(key):
                raise ConfigurationError(
                    "redact_keys/safe_keys: an entry is not a usable key (it is not shown); "
                    "give non-empty strings of letters, digits or separators."
                )
        #: Every denylisted name, as written (the key rule in text derives its words from it).
        self.names: tuple[str, ...] = (*DEFAULT_DENYLIST, *EXACT_DENYLIST, *extra_keys)
        self._substrings: tuple[tuple[str, str], ...] = tuple(
            (normalise_key(word), word) for word in (*DEFAULT_DENYLIST, *extra_keys)
        )
        self._exact: dict[str, str] = {normalise_key(word): word for word in EXACT_DENYLIST}
        self._safe: frozenset[str] = frozenset(
            normalise_key(key) for key in (*DEFAULT_SAFE_KEYS, *safe_keys)
        )

    def label(self, key: object) -> str | None:
        """The denylist name ``key`` hits (e.g. ``"password"``), or ``None``; any object."""
        if isinstance(key, bytes):
            text = key.decode("utf-8", "replace")
        elif isinstance(key, str):
            text = key
        else:
            return None
        return self._label_normalised(normalise_key(text))

    def names_count(self, key: object) -> bool:
        """Whether ``key`` names a count or a measure (``tokens_used``, ``active_sessions``,
        ``session_ttl_seconds``)."""
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        if not isinstance(key, str):
            return False
        words = [word.lower() for word in _KEY_WORDS.findall(key)]
        if any(word in _COUNT_WORDS for word in words):
            return True
        # A plural of the denylisted word ("tokens", "sessions") counts them.
        return any(
            word.endswith("s") and self._label_normalised(word[:-1]) is not None for word in words
        )

    def _label_normalised(self, normalised: str) -> str | None:
        if not normalised or normalised in self._safe:
            return None
        exact = self._exact.get(normalised)
        if exact is not None:
            return exact
        for fragment, label in self._substrings:
            if fragment in normalised:
                return label
        return None
