"""Size caps for JSON log lines: one field's value, and the whole line.

A log value can be arbitrarily large (a request body, a 10 MB blob logged by mistake), and one
huge line can stall a log shipper or be dropped whole by the backend. :func:`fit_line` cuts the
values that exceed the field cap, then the largest values until the line fits the line cap,
and records what it cut in the line's ``truncated`` field (``{"field": original bytes}``), so
nothing disappears silently. The result is always one valid JSON object.

It runs only for lines longer than the smaller cap, so an ordinary line pays one length check.
It runs after redaction: cutting first could leave half a secret that no pattern recognises.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, Final

__all__ = ["TRUNCATED_KEY", "fit_line"]

#: The field that lists the cut fields and their original sizes in bytes of JSON.
TRUNCATED_KEY: Final = "truncated"
#: The size of the whole line before cutting, under this name in ``truncated``, when even the
#: pipeline's own fields had to go (thousands of fields, or huge keys).
LINE_MARKER: Final = "_line"
#: Fields the line keeps whole, as long as they are small: they identify the record.
_IDENTITY: Final = ("event", "level", "timestamp", "logger", "trace_id", "span_id")
#: A value cut for the line cap keeps at least this many bytes.
_MIN_KEEP: Final = 64

Dumps = Callable[[Any], bytes]


def _cut_text(text: str, limit: int, dumps: Dumps) -> str:
    """Return the longest prefix of ``text`` whose JSON form is at most ``limit`` bytes
    (approximately: cut on UTF-8 bytes, then again while escapes still make it too long)."""
    budget = max(0, limit - 2)  # the quotes
    while True:
        cut = text.encode("utf-8", "surrogatepass")[:budget].decode("utf-8", "ignore")
        if budget == 0 or len(dumps(cut)) <= limit:
            return cut
        budget //= 2


def _cut(value: Any, limit: int, dumps: Dumps) -> str:
    """``value`` cut to a JSON string of at most ``limit`` bytes; other values become the start
    of their JSON text."""
    if not isinstance(value, str):
        value = dumps(value)[: max(limit, 0) * 2].decode("utf-8", "ignore")
    return _cut_text(value, limit, dumps)


def fit_line(
    event: MutableMapping[Any, Any],
    line: bytes,
    dumps: Dumps,
    *,
    max_field_bytes: int,
    max_line_bytes: int,
) -> bytes:
    """Return ``line`` (the JSON of ``event``) with every field within ``max_field_bytes``
    and the whole line within ``max_line_bytes``. ``event`` is changed in place."""
    original_length = len(line)
    truncated: dict[str, int] = {}
    sizes: dict[Any, int] = {}
    for key, value in list(event.items()):
        size = len(dumps(value))
        if size > max_field_bytes:
            event[key] = _cut(value, max_field_bytes, dumps)
            truncated[str(key)] = size
            size = len(dumps(event[key]))
        sizes[key] = size
    if truncated:
        event[TRUNCATED_KEY] = truncated
        line = dumps(event)
    if len(line) <= max_line_bytes:
        return line

    # Cut the largest values first until the line fits; small fields (IDs, counts) survive.
    for key in sorted(sizes, key=sizes.__getitem__, reverse=True):
        if sizes[key] <= _MIN_KEEP:
            break
        # Room for this field's entry in "truncated" (name, size, punctuation).
        reserve = len(dumps(str(key))) + 32
        limit = max(_MIN_KEEP, sizes[key] - (len(line) - max_line_bytes) - reserve)
        truncated.setdefault(str(key), sizes[key])
        event[key] = _cut(event[key], limit, dumps)
        sizes[key] = len(dumps(event[key]))
        event[TRUNCATED_KEY] = truncated
        line = dumps(event)
        if len(line) <= max_line_bytes:
            return line

    # Still too long: too many fields, or keys of their own too large. Keep who said what.
    minimal: dict[str, Any] = {}
    for name in _IDENTITY:
        if name in event:
            value = event[name]
            minimal[name] = value if sizes.get(name, 0) <= 256 else _cut(value, 256, dumps)
    minimal[TRUNCATED_KEY] = {LINE_MARKER: original_length}
    return dumps(minimal)
