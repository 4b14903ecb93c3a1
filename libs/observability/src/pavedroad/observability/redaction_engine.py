"""The redaction engine: :class:`Redactor`, which applies the key denylist, the value patterns
and the key rule inside text to values of any shape and to log events.

The parts it puts together each have their own module: the denylist
(:mod:`~pavedroad.observability.redaction_keys`), the built-in value patterns
(:mod:`~pavedroad.observability.secret_patterns`) and their scanner
(:mod:`~pavedroad.observability.pattern_scanner`), keys inside text
(:mod:`~pavedroad.observability.key_value_text`), percent-encoded text
(:mod:`~pavedroad.observability.percent_text`), how values are read
(:mod:`~pavedroad.observability.value_shapes`) and the redactor's own caches
(:mod:`~pavedroad.observability.redaction_caches`). :mod:`pavedroad.observability.redaction` is
the public face, with :func:`~pavedroad.observability.redaction.redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any, Final, TypeVar

from pavedroad.observability.errors import ConfigurationError
from pavedroad.observability.key_value_text import KeyValueText, trigger_words
from pavedroad.observability.pattern_scanner import (
    ALNUM_SECRET_LENGTHS,
    Scanner,
    as_secret_pattern,
    check_pattern,
)
from pavedroad.observability.percent_text import may_be_encoded, redact_percent_encoded
from pavedroad.observability.redaction_caches import CleanStrings, KeyFacts, KnownIdentifiers
from pavedroad.observability.redaction_keys import KeyRules
from pavedroad.observability.secret_patterns import (
    BUILTIN_PATTERNS,
    EMAIL_PATTERN,
    SecretPattern,
)
from pavedroad.observability.value_shapes import (
    exception_text,
    is_number,
    is_pair,
    mapping_items,
    record_fields,
)

__all__ = ["Redactor"]

_T = TypeVar("_T")

#: Strings longer than this are never remembered as clean.
_CLEAN_CACHE_MAX_LEN: Final = 256
#: Value types that are never scanned (their text cannot carry a secret): kept as they are.
_SCALARS: Final = frozenset({int, float, bool, type(None)})
_PIPELINE: Final = object()  # marks event keys the pipeline sets itself
_SKIPPED_EVENT_KEYS: Final = frozenset({"_record", "_from_structlog"})
_PIPELINE_KEYS: Final = frozenset(
    {"_record", "_from_structlog", "timestamp", "level", "logger", "trace_id", "span_id"}
)


class Redactor:
    """Removes secrets and PII from values and log events.

    One instance is immutable after construction and safe to share between threads. It is also
    a structlog processor: ``Redactor()(logger, method_name, event_dict)`` redacts the event in
    place (the event dict belongs to the pipeline) without touching nested objects that the
    caller still owns.

    Args:
        redact_emails: Replace e-mail addresses (PII). Turn off where addresses are needed and
            allowed, e.g. an internal audit log.
        extra_keys: More denylisted key fragments, matched like
            :data:`~pavedroad.observability.redaction_keys.DEFAULT_DENYLIST`.
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
        keys = KeyRules(extra_keys, safe_keys)
        if isinstance(extra_patterns, Mapping):
            user_patterns = [as_secret_pattern(k, v) for k, v in extra_patterns.items()]
        else:
            user_patterns = [as_secret_pattern(p.kind, p) for p in extra_patterns]
        for pattern in user_patterns:
            check_pattern(pattern)

        self.redact_emails = redact_emails
        self.max_depth = max_depth
        patterns = [*BUILTIN_PATTERNS, *user_patterns]
        if redact_emails:
            patterns.append(EMAIL_PATTERN)
        self._scanner = Scanner(patterns)
        self._min_length = self._scanner.min_length
        self._scan_patterns = self._scanner.scan
        self._key_value = KeyValueText(
            self.key_label,
            self.allows_count,
            trigger_words(keys.names),
        )
        # The identifier fast path is only proven for the built-in patterns.
        self._skip_identifiers = not user_patterns
        # Key -> denylist label (or None), computed on first sight. The processor's table
        # marks the fields the pipeline sets itself, which it leaves alone.
        self._event_labels = KeyFacts(keys.label)
        self._key_labels = KeyFacts(keys.label)
        self._key_labels.update(dict.fromkeys(_PIPELINE_KEYS, _PIPELINE))
        self._count_keys = KeyFacts(keys.names_count)
        self._clean = CleanStrings(cache_size)
        self._is_identifier = KnownIdentifiers()

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

    # -- values ---------------------------------------------------------------------------

    def redact_text(self, text: str) -> str:
        """Return ``text`` with every secret-shaped substring replaced."""
        if len(text) < self._min_length or text in self._clean.recent:
            return text
        if self._skip_identifiers and self._is_identifier(text):
            return text
        if self._clean.revive(text):
            return text
        result = self._scan(text)
        if result == text:
            if len(text) <= _CLEAN_CACHE_MAX_LEN:
                self._clean.remember(text)
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
            return self.redact_text(exception_text(value))
        container: Any = value
        if kind is not dict and kind is not list and kind is not tuple:
            if isinstance(value, Mapping):
                container = mapping_items(value)
            else:
                fields = record_fields(value)
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
        if is_number(item) and self.allows_count(key):
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
        if items and all(is_pair(item) for item in items):
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
                if is_number(value) and self._count_keys[key]:
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

    def _redact_top(self, event_dict: MutableMapping[str, Any], labels: KeyFacts) -> None:
        # The hot loop of the log pipeline, kept to as few bytecodes per field as possible:
        # most values are numbers, short strings met before (found in the clean cache with one
        # set lookup), or IDs (one isalnum).
        try:
            clean = self._clean.recent
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
                            and len(value) not in ALNUM_SECRET_LENGTHS
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
                    or (is_number(value) and self._count_keys[key])
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
