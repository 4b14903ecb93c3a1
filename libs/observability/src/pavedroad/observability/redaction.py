"""Redaction of secrets and PII from log events and arbitrary values.

Three mechanisms, applied together:

* a key denylist: a mapping key that names a secret (``password``, ``X-Api-Key``,
  ``slack_signing_secret``...) has its whole value replaced, whatever it looks like. Keys are
  compared case- and separator-insensitively, by substring, with an allowlist for keys that
  merely mention a secret (``max_tokens``, ``secret_name``). A number under a key that reads
  as a count or a measure (``tokens_used``, ``active_sessions``) is kept. Mappings of every
  kind (``MappingProxyType``, ``UserDict``, Starlette and httpx headers, query parameters and
  forms), lists of ``(name, value)`` pairs and records (dataclasses, named tuples,
  ``SimpleNamespace``, pydantic and attrs models) are walked as mappings;
* value patterns: every string (and bytes) value is scanned for known secret shapes
  (:mod:`pavedroad.observability.secret_patterns`), and each hit is replaced with
  ``[REDACTED:<kind>]``. No part of a secret survives;
* the key rule inside text (:mod:`pavedroad.observability.key_value_text`): ``password=...``,
  ``"token": "..."`` and ``Authorization: ...`` in a string, and both of the above again in
  percent-encoded text after decoding (:mod:`pavedroad.observability.percent_text`).

:func:`redact` and :class:`Redactor` never mutate their input and never raise: cycles,
non-UTF-8 bytes and very deep nesting are replaced by ``[TRUNCATED:cycle]`` and
``[TRUNCATED:depth]`` markers. Running time is linear in the size of the input: the walk visits
each node once, and every pattern has bounded width, so a scan does constant work per character.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from types import SimpleNamespace
from typing import Any, Final, TypeVar

from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.key_value_text import KeyValueText, trigger_words
from pavedroad.observability.percent_text import may_be_encoded, redact_percent_encoded
from pavedroad.observability.secret_patterns import (
    BUILTIN_PATTERNS,
    EMAIL_PATTERN,
    SecretPattern,
    Trigger,
)

__all__ = [
    "DEFAULT_DENYLIST",
    "DEFAULT_SAFE_KEYS",
    "Redactor",
    "default_redactor",
    "redact",
    "set_default_redactor",
]

_T = TypeVar("_T")

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
_EXACT_DENYLIST: Final[tuple[str, ...]] = ("auth", "pwd", "pin", "ssn", "otp", "sid", "mysql_pwd")

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
_CLEAN_CACHE_MAX_LEN: Final = 256
_KEY_CACHE_MAX: Final = 4096
_UUID_CACHE_MAX: Final = 1024
#: Value types that are never scanned (their text cannot carry a secret): kept as they are.
_SCALARS: Final = frozenset({int, float, bool, type(None)})
_PIPELINE: Final = object()  # marks event keys the pipeline sets itself
_SKIPPED_EVENT_KEYS: Final = frozenset({"_record", "_from_structlog"})
_PIPELINE_KEYS: Final = frozenset(
    {"_record", "_from_structlog", "timestamp", "level", "logger", "trace_id", "span_id"}
)


def _normalise_key(key: str) -> str:
    return key.lower().translate(_SEPARATORS)


_DECIMAL: Final = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,9})?")


def _is_number(value: object) -> bool:
    if isinstance(value, str):
        return type(value) is str and _DECIMAL.fullmatch(value) is not None
    kind = type(value)
    return kind is int or kind is float


def _record_fields(value: Any) -> dict[str, Any] | None:
    """The fields of a record (dataclass, named tuple, SimpleNamespace, pydantic or attrs
    model) as a dict, read without calling the model's own serialisers; else ``None``."""
    kind = type(value)
    if isinstance(value, tuple):
        fields = getattr(kind, "_fields", None)
        return dict(zip(fields, value, strict=False)) if isinstance(fields, tuple) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, SimpleNamespace):
        return dict(vars(value))
    pydantic_fields = getattr(kind, "__pydantic_fields__", None)
    if isinstance(pydantic_fields, dict) and not isinstance(value, type):
        fields = {name: getattr(value, name) for name in pydantic_fields}
        extra = getattr(value, "__pydantic_extra__", None)
        if isinstance(extra, dict):
            fields.update(extra)
        return fields
    attrs_fields = getattr(kind, "__attrs_attrs__", None)
    if attrs_fields is not None and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in attrs_fields}
    return None


def _mapping_items(value: Mapping[Any, Any]) -> dict[Any, Any]:
    """A mapping of any kind as a dict. Multi-dicts (Starlette and httpx headers, query
    parameters, forms) give every value: a key that repeats maps to the list of its values."""
    multi_items = getattr(value, "multi_items", None)
    if not callable(multi_items):
        return dict(value.items())
    out: dict[Any, Any] = {}
    repeated: set[Any] = set()
    for key, item in multi_items():
        if key not in out:
            out[key] = item
        elif key in repeated:
            out[key].append(item)
        else:
            out[key] = [out[key], item]
            repeated.add(key)
    return out


def _exception_text(error: BaseException) -> str:
    """``Type: message`` and the exception's notes, as a traceback shows them."""
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = f"{type(error).__name__}: <unprintable>"
    notes = getattr(error, "__notes__", None)
    if isinstance(notes, list):
        text += "".join(f"\n{note}" for note in notes)
    return text


def _pattern_width(regex: str, flags: int = 0) -> tuple[int, int] | None:
    """Return the (min, max) match width of ``regex``, or ``None`` if it cannot be computed."""
    try:
        from re import _parser  # type: ignore[attr-defined,unused-ignore]  # the stdlib's own parser

        low, high = _parser.parse(regex, flags).getwidth()
    except (ImportError, AttributeError):  # pragma: no cover - a future Python moved it
        return None
    return int(low), int(high)


#: Above this many characters a pattern is treated as unbounded.
MAX_PATTERN_WIDTH: Final = 65_536


def _as_secret_pattern(name: str, pattern: str | re.Pattern[str] | SecretPattern) -> SecretPattern:
    if isinstance(pattern, SecretPattern):
        return pattern
    if isinstance(pattern, re.Pattern):
        return SecretPattern(name, pattern.pattern, flags=pattern.flags & ~re.UNICODE)
    if isinstance(pattern, str):
        return SecretPattern(name, pattern)
    raise ConfigurationError(
        f"redact_patterns[{name!r}]: got {type(pattern).__name__}; give a regular expression "
        "string, a compiled re.Pattern or a SecretPattern."
    )


def _check_pattern(pattern: SecretPattern) -> None:
    # Patterns and kinds are named, never quoted: no error of this library echoes a value.
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", pattern.kind):
        raise ConfigurationError(
            "redact_patterns: a kind must be an identifier (letters, digits, underscores); "
            "one is not (it is not shown)."
        )
    where = f"redact_patterns[{pattern.kind!r}]"
    try:
        re.compile(pattern.regex, pattern.flags)
    except re.error as exc:
        raise ConfigurationError(
            f"{where}: the pattern is not a valid regex: {exc.msg} at position {exc.pos}."
        ) from None
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"{where}: the pattern is not a valid regex; give a string."
        ) from None
    width = _pattern_width(pattern.regex, pattern.flags)
    if width is not None:
        low, high = width
        if low == 0:
            raise ConfigurationError(
                f"{where}: the pattern can match the empty string; require at least one character."
            )
        if high > MAX_PATTERN_WIDTH:
            raise ConfigurationError(
                f"{where}: the pattern can match unbounded text, which would make "
                "redaction slower than linear; bound every quantifier, e.g. {1,256} instead "
                "of + or *."
            )


_UUID: Final = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
#: Lengths at which a string of ASCII letters and digits alone can be a built-in secret: card
#: numbers (13-19 digits), AWS access key IDs (20) and Google API keys (39). Every other
#: built-in pattern needs a character that is not a letter or digit ('-', '_', '@', ' ', '.').
_ALNUM_SECRET_LENGTHS: Final = frozenset({*range(13, 21), 39})


def _is_plain_identifier(text: str) -> bool:
    """Whether ``text`` is an ID no built-in pattern can match: a Slack ID, a trace or span ID,
    a git SHA, a number, or a UUID. These are most of the unique strings in logs, and checking
    them is far cheaper than scanning."""
    if text.isascii() and text.isalnum():
        return len(text) not in _ALNUM_SECRET_LENGTHS
    return len(text) == 36 and _UUID.fullmatch(text) is not None


class _CompiledPattern:
    """One pattern ready to scan: its regex, triggers and secret groups."""

    __slots__ = (
        "kind",
        "plain_triggers",
        "regex",
        "regex_triggers",
        "secret_groups",
        "validate",
        "wants_lower",
    )

    def __init__(self, pattern: SecretPattern) -> None:
        self.kind = pattern.kind
        self.regex: re.Pattern[str] = re.compile(pattern.regex, pattern.flags)
        self.validate = pattern.validate
        self.secret_groups: tuple[tuple[int, str], ...] = tuple(
            sorted((number, label) for label, number in self.regex.groupindex.items())
        )
        self.plain_triggers: tuple[str, ...] = tuple(
            t.lower() if pattern.ignore_case_triggers else t
            for t in pattern.triggers
            if isinstance(t, str)
        )
        self.regex_triggers: tuple[Trigger, ...] = tuple(
            t for t in pattern.triggers if not isinstance(t, str)
        )
        self.wants_lower = pattern.ignore_case_triggers

    def replace(self, match: re.Match[str]) -> str:
        """Return the replacement for one match: the match with its secret spans redacted."""
        if not self.secret_groups:
            if self.validate is not None and not self.validate(match.group(0)):
                return match.group(0)
            return f"[REDACTED:{self.kind}]"
        if self.validate is not None and not self.validate(match.group(self.secret_groups[-1][0])):
            return match.group(0)
        text = match.group(0)
        offset = match.start()
        pieces: list[str] = []
        cursor = 0
        for number, label in self.secret_groups:
            start, end = match.span(number)
            if start < 0:
                continue
            pieces.append(text[cursor : start - offset])
            pieces.append(f"[REDACTED:{label}]")
            cursor = end - offset
        pieces.append(text[cursor:])
        return "".join(pieces)


class _Scanner:
    """Runs each pattern whose trigger occurs in the text, most specific pattern first.

    Checking a handful of substrings is an order of magnitude cheaper than running the
    patterns, and almost all log text contains none of them.
    """

    def __init__(self, patterns: Iterable[SecretPattern]) -> None:
        self.patterns = tuple(_CompiledPattern(p) for p in patterns)
        self._table = tuple(
            (p.plain_triggers, p.wants_lower, p.regex_triggers, p.regex.sub, p.replace)
            for p in self.patterns
        )
        widths = [_pattern_width(p.regex.pattern, p.regex.flags) for p in self.patterns]
        #: No pattern matches fewer characters than this, so shorter strings are skipped.
        self.min_length = max(1, min((w[0] if w else 1 for w in widths), default=1))

    def scan(self, text: str) -> str:
        lower: str | None = None  # computed once, and only if a pattern wants it
        last_trigger: Trigger | None = None
        last_hit = False
        for plain, wants_lower, regex_triggers, sub, replace in self._table:
            if plain or regex_triggers:
                if wants_lower:
                    if lower is None:
                        lower = text.lower()
                    haystack = lower
                else:
                    haystack = text
                for trigger in plain:
                    if trigger in haystack:
                        break
                else:
                    for pattern in regex_triggers:
                        # Patterns that share a trigger (the card forms) search it once.
                        if pattern is not last_trigger:
                            last_trigger = pattern
                            last_hit = pattern.search(text) is not None
                        if last_hit:
                            break
                    else:
                        continue
            redacted = sub(replace, text)
            if redacted != text:
                text = redacted
                lower = None
                last_trigger = None
        return text

    def triggered(self, text: str) -> list[str]:
        """Return the kinds whose triggers occur in ``text`` (the patterns :meth:`scan` runs)."""
        lower = text.lower()
        kinds = []
        for pattern in self.patterns:
            haystack = lower if pattern.wants_lower else text
            if (
                (not pattern.plain_triggers and not pattern.regex_triggers)
                or any(trigger in haystack for trigger in pattern.plain_triggers)
                or any(trigger.search(text) for trigger in pattern.regex_triggers)
            ):
                kinds.append(pattern.kind)
        return kinds


class Redactor:
    """Removes secrets and PII from values and log events.

    One instance is immutable after construction and safe to share between threads. It is also
    a structlog processor: ``Redactor()(logger, method_name, event_dict)`` redacts the event in
    place (the event dict belongs to the pipeline) without touching nested objects that the
    caller still owns.

    Args:
        redact_emails: Replace e-mail addresses (PII). Turn off where addresses are needed and
            allowed, e.g. an internal audit log.
        extra_keys: More denylisted key fragments, matched like :data:`DEFAULT_DENYLIST`.
        safe_keys: More keys exempt from the denylist (their values are still scanned).
        extra_patterns: More value patterns: a mapping of kind to regex (string or compiled),
            or :class:`SecretPattern` objects. Every quantifier must be bounded.
        max_depth: Nesting depth below which containers are replaced by ``[TRUNCATED:depth]``.
        cache_size: How many short strings already found clean are remembered, so repeated
            values (event names, routes, methods) are not rescanned. ``0`` disables the cache.
            Strings that contained a secret are never cached, so the cache never holds one.
            The cache has two generations of ``cache_size // 2`` strings each: a string found
            in the older one is moved to the newer one, and when the newer one is full the
            older one is dropped. Recently used strings survive, at set-lookup cost.
    """

    def __init__(
        self,
        *,
        redact_emails: bool = True,
        extra_keys: Iterable[str] = (),
        safe_keys: Iterable[str] = (),
        extra_patterns: Mapping[str, str | re.Pattern[str]] | Iterable[SecretPattern] = (),
        max_depth: int = 32,
        cache_size: int = 4096,
    ) -> None:
        if max_depth < 1:
            raise ConfigurationError("max_depth must be at least 1.")
        if cache_size < 0:
            raise ConfigurationError("cache_size must be 0 or more.")
        for key in (*extra_keys, *safe_keys):
            if not isinstance(key, str) or not _normalise_key(key):
                raise ConfigurationError(
                    "redact_keys/safe_keys: an entry is not a usable key (it is not shown); "
                    "give non-empty strings of letters, digits or separators."
                )
        if isinstance(extra_patterns, Mapping):
            user_patterns = [_as_secret_pattern(k, v) for k, v in extra_patterns.items()]
        else:
            user_patterns = [_as_secret_pattern(p.kind, p) for p in extra_patterns]
        for pattern in user_patterns:
            _check_pattern(pattern)

        self.redact_emails = redact_emails
        self.max_depth = max_depth
        self._substrings: tuple[tuple[str, str], ...] = tuple(
            (_normalise_key(word), word) for word in (*DEFAULT_DENYLIST, *extra_keys)
        )
        self._exact: dict[str, str] = {_normalise_key(word): word for word in _EXACT_DENYLIST}
        self._safe: frozenset[str] = frozenset(
            _normalise_key(key) for key in (*DEFAULT_SAFE_KEYS, *safe_keys)
        )
        patterns = [*BUILTIN_PATTERNS, *user_patterns]
        if redact_emails:
            patterns.append(EMAIL_PATTERN)
        self._scanner = _Scanner(patterns)
        self._min_length = self._scanner.min_length
        self._scan_patterns = self._scanner.scan
        self._key_value = KeyValueText(
            self.key_label,
            self.allows_count,
            trigger_words((*DEFAULT_DENYLIST, *_EXACT_DENYLIST, *extra_keys)),
        )
        # The identifier fast path is only proven for the built-in patterns.
        self._skip_identifiers = not user_patterns
        # Key -> denylist label (or None), computed on first sight. The processor's table
        # marks the fields the pipeline sets itself, which it leaves alone.
        self._event_labels = _LabelCache(self._label_of)
        self._key_labels = _LabelCache(self._label_of)
        self._key_labels.update(dict.fromkeys(_PIPELINE_KEYS, _PIPELINE))
        self._count_keys = _LabelCache(self._names_count)
        self._clean: set[str] = set()
        self._clean_old: set[str] = set()
        self._clean_max = cache_size // 2 if cache_size > 1 else cache_size
        #: UUIDs recently found to be UUIDs: a request ID is on every line of its request.
        self._uuids: set[str] = set()

    # -- keys -----------------------------------------------------------------------------

    def key_label(self, key: object) -> str | None:
        """Return the denylist name ``key`` hits (e.g. ``"password"``), or ``None``."""
        label = self._event_labels[key]
        return None if label is _PIPELINE else label

    def allows_count(self, key: object) -> bool:
        """Whether ``key`` names a count or a measure (``tokens_used``, ``active_sessions``,
        ``session_ttl_seconds``), so that a number under it is kept even if the key is
        denylisted."""
        return bool(self._count_keys[key])

    def _names_count(self, key: object) -> bool:
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        if not isinstance(key, str):
            return False
        words = [word.lower() for word in _KEY_WORDS.findall(key)]
        if any(word in _COUNT_WORDS for word in words):
            return True
        # A plural of the denylisted word ("tokens", "sessions") counts them.
        return any(
            word.endswith("s") and self._compute_key_label(word[:-1]) is not None for word in words
        )

    def _label_of(self, key: object) -> str | None:
        if isinstance(key, bytes):
            text = key.decode("utf-8", "replace")
        elif isinstance(key, str):
            text = key
        else:
            return None
        return self._compute_key_label(_normalise_key(text))

    def _compute_key_label(self, normalised: str) -> str | None:
        if not normalised or normalised in self._safe:
            return None
        exact = self._exact.get(normalised)
        if exact is not None:
            return exact
        for fragment, label in self._substrings:
            if fragment in normalised:
                return label
        return None

    # -- values ---------------------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """Return ``text`` with every secret-shaped substring replaced."""
        if len(text) < self._min_length or text in self._clean:
            return text
        if self._skip_identifiers and self._is_identifier(text):
            return text
        if text in self._clean_old:
            self._remember_clean(text)
            return text
        result = self._scan(text)
        if result == text:
            if len(text) <= _CLEAN_CACHE_MAX_LEN:
                self._remember_clean(text)
            return text
        return result

    def _scan(self, text: str) -> str:
        """Value patterns, then the key rule in text, then both on percent-decoded runs."""
        text = self._scan_keyed(text)
        if may_be_encoded(text):
            text = redact_percent_encoded(text, self._scan_keyed)
        return text

    def _scan_keyed(self, text: str) -> str:
        text = self._scan_patterns(text)
        key_value = self._key_value
        if key_value.may_match(text):
            text = key_value.redact(text)
        return text

    def _is_identifier(self, text: str) -> bool:
        if text.isascii() and text.isalnum():
            return len(text) not in _ALNUM_SECRET_LENGTHS
        if len(text) != 36:
            return False
        uuids = self._uuids
        if text in uuids:
            return True
        if _UUID.fullmatch(text) is None:
            return False
        if len(uuids) >= _UUID_CACHE_MAX:
            uuids.clear()
        uuids.add(text)
        return True

    def _remember_clean(self, text: str) -> None:
        limit = self._clean_max
        if not limit:
            return
        clean = self._clean
        if len(clean) >= limit:
            # Start a new generation: the strings used since the last one survive in the old
            # one until it is replaced in turn.
            self._clean_old = clean
            clean = self._clean = set()
        clean.add(text)

    def _redact_bytes(self, data: bytes) -> bytes:
        text = data.decode("utf-8", "surrogateescape")
        redacted = self.redact_text(text)
        if redacted is text:
            return bytes(data)
        return redacted.encode("utf-8", "surrogateescape")

    def _walk(self, value: Any, depth: int, path: set[int]) -> Any:
        kind = type(value)
        if kind is str:
            return self.redact_text(value)
        if kind in _SCALARS:
            return value
        if isinstance(value, str):
            return self.redact_text(str(value))
        if isinstance(value, bytes | bytearray):
            redacted = self._redact_bytes(bytes(value))
            return bytearray(redacted) if isinstance(value, bytearray) else redacted
        if isinstance(value, BaseException):
            return self.redact_text(_exception_text(value))
        container: Any = value
        if kind is not dict and kind is not list and kind is not tuple:
            if isinstance(value, Mapping):
                container = _mapping_items(value)
            else:
                fields = _record_fields(value)
                if fields is None and not isinstance(value, list | tuple | dict):
                    return value
                if fields is not None:
                    container = fields
        if depth >= self.max_depth:
            return "[TRUNCATED:depth]"
        marker = id(value)
        if marker in path:
            return "[TRUNCATED:cycle]"
        path.add(marker)
        try:
            if isinstance(container, dict):
                return self._walk_dict(container, depth, path)
            return self._walk_sequence(container, depth, path)
        finally:
            path.discard(marker)

    def _keyed(self, key: Any, item: Any, depth: int, path: set[int]) -> Any:
        """``item`` as it may appear under ``key``: replaced whole if the key is denylisted
        (but None, booleans and, under a count key, numbers are kept), else walked."""
        label = self.key_label(key) if isinstance(key, str | bytes) else None
        if label is None or item is None or isinstance(item, bool):
            return self._walk(item, depth + 1, path)
        if _is_number(item) and self.allows_count(key):
            return item
        return f"[REDACTED:{label}]"

    def _walk_dict(self, value: dict[Any, Any], depth: int, path: set[int]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, item in list(value.items()):
            new_key = self._walk(key, depth + 1, path) if isinstance(key, str) else key
            out[new_key] = self._keyed(key, item, depth, path)
        return out

    def _walk_sequence(
        self, value: list[Any] | tuple[Any, ...], depth: int, path: set[int]
    ) -> list[Any] | tuple[Any, ...]:
        items = list(value)
        if isinstance(value, tuple) and len(items) == 2 and isinstance(items[0], str | bytes):
            # A (name, value) pair, as in ASGI headers or dict.items().
            return (items[0], self._keyed(items[0], items[1], depth, path))
        if items and all(_is_pair(item) for item in items):
            # A list of [name, value] pairs: headers as lists, multi_items(), form fields.
            walked = [
                type(item)((item[0], self._keyed(item[0], item[1], depth + 1, path)))
                for item in items
            ]
        else:
            walked = [self._walk(item, depth + 1, path) for item in items]
        return tuple(walked) if isinstance(value, tuple) else walked

    def redact(self, value: _T) -> _T:
        """Return a redacted copy of ``value``; never mutates it and never raises.

        ``str``, ``bytes``, ``dict``, ``list`` and ``tuple`` are handled recursively (dict
        and list subclasses come back as plain ``dict`` and ``list``). Other mappings
        (``MappingProxyType``, ``UserDict``, headers, query parameters, forms) and records
        (dataclasses, named tuples, ``SimpleNamespace``, pydantic and attrs models) come back
        as plain dicts of their fields; an exception comes back as its redacted
        ``Type: message`` text with its notes. Other values are returned unchanged. If the
        walk itself fails (a container changed size under another thread, a broken
        ``__eq__``), the whole value is replaced by ``[REDACTED:unprocessable]`` rather than
        risk leaking it.
        """
        try:
            result: Any = self._walk(value, 0, set())
        except Exception:
            result = "[REDACTED:unprocessable]"
        return result  # type: ignore[no-any-return]

    # -- log events -----------------------------------------------------------------------

    def redact_event(self, event_dict: MutableMapping[str, Any]) -> None:
        """Redact every top-level value of a log event in place; nested values are copied.

        This is the log pipeline's entry point: it runs before the pipeline adds its own
        fields (level, timestamp, logger, trace and span IDs), so no key is exempt. Never
        raises: if the walk fails, every value is replaced by ``[REDACTED:unprocessable]``.
        """
        self._redact_top(event_dict, self._event_labels)

    def redact_field(self, key: object, value: Any) -> Any:
        """Return ``value`` as it may appear under ``key`` in a log event: replaced whole if the
        key is denylisted, else redacted like any value. Never raises."""
        try:
            label = self._event_labels[key]
            if label is not None and label is not _PIPELINE:
                if value is None or type(value) is bool:
                    return value
                if _is_number(value) and self._count_keys[key]:
                    return value
                return f"[REDACTED:{label}]"
            if type(value) is str:
                return self.redact_text(value)
            if type(value) in _SCALARS:
                return value
            return self.redact(value)
        except Exception:
            return "[REDACTED:unprocessable]"

    def __call__(
        self, logger: object, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """Redact a structlog event dict in place and return it.

        ``timestamp``, ``level``, ``logger``, ``trace_id`` and ``span_id`` are correlation
        fields the pipeline itself sets, and are left as they are.
        """
        self._redact_top(event_dict, self._key_labels)
        return event_dict

    def _redact_top(self, event_dict: MutableMapping[str, Any], labels: _LabelCache) -> None:
        # The hot loop of the log pipeline, kept to as few bytecodes per field as possible:
        # most values are numbers, short strings met before (found in the clean cache with one
        # set lookup), or IDs (one isalnum).
        try:
            clean = self._clean
            min_length = self._min_length
            skip_ids = self._skip_identifiers
            changes: list[tuple[str, Any]] | None = None
            for key, value in event_dict.items():
                label = labels[key]
                if label is None:
                    kind = value.__class__
                    if kind is str:
                        if value in clean or len(value) < min_length:
                            continue
                        if (
                            skip_ids
                            and value.isascii()
                            and value.isalnum()
                            and len(value) not in _ALNUM_SECRET_LENGTHS
                        ):
                            continue
                        redacted = self.redact_text(value)
                    elif kind in _SCALARS:
                        continue
                    else:
                        redacted = self.redact(value)
                    if redacted is value:
                        continue
                elif (
                    label is _PIPELINE
                    or value is None
                    or value.__class__ is bool
                    or (_is_number(value) and self._count_keys[key])
                ):
                    continue
                else:
                    redacted = f"[REDACTED:{label}]"
                if changes is None:
                    changes = []
                changes.append((key, redacted))
            if changes is not None:
                for key, redacted in changes:
                    event_dict[key] = redacted
        except Exception:
            # Never let a log call fail, and never let an unscanned event through either.
            for key in list(event_dict):
                if key not in _SKIPPED_EVENT_KEYS and labels.get(key) is not _PIPELINE:
                    event_dict[key] = "[REDACTED:unprocessable]"


def _is_pair(item: object) -> bool:
    return (
        (type(item) is list or type(item) is tuple)
        and len(item) == 2
        and isinstance(item[0], str | bytes)
    )


class _LabelCache(dict[object, Any]):
    """Key -> label (or another fact about a key), computed on first lookup; holds at most
    ``_KEY_CACHE_MAX`` keys."""

    def __init__(self, compute: Callable[[object], Any]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: object) -> Any:
        label = self._compute(key)
        if len(self) < _KEY_CACHE_MAX:
            self[key] = label
        return label


_default_lock = threading.Lock()
_default: Redactor | None = None


def default_redactor() -> Redactor:
    """Return the process-wide redactor: the one :func:`configure` built, or the defaults."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Redactor()
    return _default


def set_default_redactor(redactor: Redactor) -> None:
    """Make ``redactor`` the one :func:`redact` and the log pipeline use."""
    global _default
    with _default_lock:
        _default = redactor


def redact(value: _T) -> _T:
    """Return a redacted copy of ``value`` using the process-wide redactor.

    Secrets inside strings are replaced with ``[REDACTED:<kind>]``; values under denylisted
    keys are replaced whole. The input is never mutated and the call never raises.
    """
    return default_redactor().redact(value)
