"""The wrapper that carries a secret value through code without ever printing it."""

from __future__ import annotations

import hmac
import json
from typing import Any, NoReturn

_MASK = "**********"


class SecretValue:
    """A secret string whose ``repr``, ``str`` and format output are masked.

    Passing a ``SecretValue`` to a logger, an f-string, an exception message or a debugger shows
    ``**********``. The only way to the plain text is an explicit :meth:`reveal`, which is easy to
    find in review. Equality runs in constant time. Pickling is refused so a value cannot leak
    into a cache, a queue or a core dump file by accident.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(
                f"SecretValue wraps a str, got {type(value).__name__}: decode bytes first"
            )
        self._value = value

    def reveal(self) -> str:
        """Return the plain secret. Call it at the last moment, where the value is used."""
        return self._value

    def reveal_json(self) -> Any:
        """Parse the secret as JSON (e.g. a database credential document) and return it."""
        try:
            return json.loads(self._value)
        except json.JSONDecodeError as exc:
            # The decoder's message quotes no content, only a position.
            raise ValueError(
                f"secret is not valid JSON ({exc.msg} at position {exc.pos})"
            ) from None

    def __repr__(self) -> str:
        return f"SecretValue('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return format(_MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretValue):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretValue cannot be pickled: pass the reference, not the value")
