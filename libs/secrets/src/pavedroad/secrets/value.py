"""The wrapper that carries a secret value through code without ever printing it."""

from __future__ import annotations

import hmac
import json
from typing import Any, NoReturn, Self

_MASK = "**********"


class SecretValue:
    """A secret string whose ``repr``, ``str`` and format output are masked.

    Passing a ``SecretValue`` to a logger, an f-string, an exception message or a debugger shows
    ``**********``. The only way to the plain text is an explicit :meth:`reveal`, which is easy to
    find in review. Equality runs in constant time.

    Serialisation never carries the plain text:

    * ``pickle`` (any protocol), ``copyreg`` and ``__getstate__``/``__reduce__``/``__reduce_ex__``
      raise :class:`TypeError`: a value must not leak into a cache, a queue, a multiprocessing
      pipe or a file by accident. Pass the reference and resolve it on the other side.
    * ``copy.copy`` and ``copy.deepcopy`` return the same object (it is immutable), so
      ``dataclasses.asdict`` and deep copies of settings keep the masked wrapper.
    * ``json.dumps`` raises :class:`TypeError` (not serialisable); ``vars()`` and ``__dict__``
      do not exist (the class has slots only).
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

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self

    def __getstate__(self) -> NoReturn:
        _refuse_serialisation()

    def __setstate__(self, state: object) -> NoReturn:
        _refuse_serialisation()

    def __reduce__(self) -> NoReturn:
        _refuse_serialisation()

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        _refuse_serialisation()


def _refuse_serialisation() -> NoReturn:
    raise TypeError(
        "SecretValue cannot be pickled or serialised: pass the reference, not the value"
    )
