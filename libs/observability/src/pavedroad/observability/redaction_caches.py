"""The caches one :class:`~pavedroad.observability.redaction.Redactor` owns: what it learnt
about keys, the short strings it found clean, and the UUIDs it has seen.

Each cache belongs to one redactor instance and is bounded. None ever holds a secret: only
keys (names, not values), strings that held no secret, and UUIDs. They are plain dicts and
sets, filled without locks: a race between threads can only compute an answer twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from pavedroad.observability.pattern_scanner import ALNUM_SECRET_LENGTHS, UUID

__all__ = ["KEY_CACHE_MAX", "UUID_CACHE_MAX", "CleanStrings", "KeyFacts", "KnownIdentifiers"]

#: Most keys a :class:`KeyFacts` remembers; later keys are computed on every lookup.
KEY_CACHE_MAX: Final = 4096
#: Most UUIDs a :class:`KnownIdentifiers` remembers before it starts again.
UUID_CACHE_MAX: Final = 1024


class KeyFacts(dict[object, Any]):
    """Key -> a fact about the key (its denylist label, whether it names a count), computed
    on first lookup; holds at most :data:`KEY_CACHE_MAX` keys."""

    def __init__(self, compute: Callable[[object], Any]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: object) -> Any:
        fact = self._compute(key)
        if len(self) < KEY_CACHE_MAX:
            self[key] = fact
        return fact


class CleanStrings:
    """Short strings already found clean, so repeated values (event names, routes, methods)
    are not rescanned.

    Two generations of ``size // 2`` strings each: a string found in the older one is moved
    to the newer one, and when the newer one is full the older one is dropped. Recently used
    strings survive, at set-lookup cost. ``size`` 0 remembers nothing. Callers look in
    :attr:`recent` directly on their hot path, then :meth:`revive`.
    """

    __slots__ = ("_limit", "_older", "recent")

    def __init__(self, size: int) -> None:
        self._limit = size // 2 if size > 1 else size
        #: The newer generation.
        self.recent: set[str] = set()
        self._older: set[str] = set()

    def __contains__(self, text: object) -> bool:
        return text in self.recent or text in self._older

    def __len__(self) -> int:
        return len(self.recent) + len(self._older)

    def revive(self, text: str) -> bool:
        """Whether ``text`` is in the older generation; if so it moves to the newer one."""
        if text in self._older:
            self.remember(text)
            return True
        return False

    def remember(self, text: str) -> None:
        """Record that ``text`` held no secret."""
        limit = self._limit
        if not limit:
            return
        recent = self.recent
        if len(recent) >= limit:
            # Start a new generation: the strings used since the last one survive in the old
            # one until it is replaced in turn.
            self._older = recent
            recent = self.recent = set()
        recent.add(text)


class KnownIdentifiers:
    """Tells IDs that no built-in pattern can match (see
    :func:`~pavedroad.observability.pattern_scanner.is_plain_identifier`), remembering the
    UUIDs it has seen: a request ID is on every line of its request."""

    __slots__ = ("_uuids",)

    def __init__(self) -> None:
        self._uuids: set[str] = set()

    def __call__(self, text: str) -> bool:
        """Whether ``text`` is such an ID."""
        if text.isascii() and text.isalnum():
            return len(text) not in ALNUM_SECRET_LENGTHS
        if len(text) != 36:
            return False
        uuids = self._uuids
        if text in uuids:
            return True
        if UUID.fullmatch(text) is None:
            return False
        if len(uuids) >= UUID_CACHE_MAX:
            uuids.clear()
        uuids.add(text)
        return True
