"""Secrets named by their key inside text: ``password=...``, ``"token": "..."`` in a JSON
string, ``Authorization: Bearer ...``, ``api_key: ...``, or a dict or dataclass already
rendered with ``repr``.

The key rule of the denylist, applied to text: a ``key<separator>value`` pair whose key the
redactor denylists has its value replaced by ``[REDACTED:<label>]``; the key, the separator,
the quotes and an authorization scheme word (``Bearer``) stay. Separators are ``=``, ``:`` and
``=>``; values are a quoted string (JSON, Python ``repr``, or JSON escaped inside JSON) or an
unquoted run up to whitespace or ``& , ; ) } ] < >``. Unquoted values with spaces
(``password: correct horse``) lose their first word only.

Cheap on the common path: the expression runs only on text holding a separator and one of the
denylist's words (:meth:`KeyValueText.may_match`); every quantifier is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final

__all__ = ["KeyValueText", "trigger_words"]

_KEY_VALUE: Final = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<key>[A-Za-z_][A-Za-z0-9_.-]{0,63}+)"
    r"(?:\\?[\"'])?[ \t]{0,4}+(?::|=>|=)[ \t]{0,4}+"
    r"(?:(?i:bearer|basic|token|digest|negotiate|apikey)[ \t]{1,4}+(?=[^\s\"']))?"
    r"(?P<value>"
    r"\\?\"(?:[^\"\\\n]|\\[^\"\n]){0,4096}+(?:\\?\")?"  # "..." or \"...\" (JSON in JSON)
    r"|'[^'\n]{0,4096}+'?"  # '...' (Python repr)
    r"|[^\s\"'&,;)}\]<>]{1,4096}+"  # unquoted
    r")"
)
#: Values that hold nothing: kept, as ``None`` and booleans are under a denylisted dict key.
_EMPTY: Final = frozenset({"", "null", "none", "true", "false", "nil", "undefined"})
_NUMBER: Final = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,9})?")
_SEPARATORS: Final = re.compile(r"[_\-. ]+")


def trigger_words(denylist: Iterable[str]) -> tuple[str, ...]:
    """The lower-case substrings whose presence lets a text hold a denylisted key: the last
    piece of each entry (``api_key`` -> ``key``, which ``X-Api-Key``, ``apiKey`` and
    ``api-key`` all contain), leaving out words that contain another (``authorization`` has
    ``auth``). Few words keep the prefilter cheap; a word that also occurs in prose only makes
    the expression run, never changes its result."""
    words = set()
    for entry in denylist:
        pieces = [piece for piece in _SEPARATORS.split(entry.lower()) if piece]
        if pieces:
            words.add(pieces[-1])
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


class KeyValueText:
    """Replaces the values of denylisted keys in text.

    Args:
        label: The redactor's key rule: the denylist label of a key, or ``None``.
        allows_count: Whether a key names a count or a measure (``tokens_used``), whose
            numeric value is kept.
        words: Lower-case trigger words (see :func:`trigger_words`).
    """

    def __init__(
        self,
        label: Callable[[str], str | None],
        allows_count: Callable[[str], bool],
        words: Iterable[str],
    ) -> None:
        self._label = label
        self._allows_count = allows_count
        self._words = tuple(words)

    def may_match(self, text: str) -> bool:
        """Whether ``text`` can hold a denylisted key and value."""
        if "=" not in text and ":" not in text:
            return False
        lower = text.lower()
        for word in self._words:  # noqa: SIM110 - a loop is cheaper than any() on a hot path
            if word in lower:
                return True
        return False

    def redact(self, text: str) -> str:
        """Return ``text`` with the value of every denylisted ``key<sep>value`` replaced."""
        return _KEY_VALUE.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        key = match.group("key")
        label = self._label(key)
        if label is None:
            return match.group(0)
        value = match.group("value")
        inner = value.strip("\\\"'")
        if (
            inner.lower() in _EMPTY
            or inner.startswith("[REDACTED")
            or (self._allows_count(key) and _NUMBER.fullmatch(inner) is not None)
        ):
            return match.group(0)
        start = match.start("value") - match.start()
        head = match.group(0)[:start]
        if value[:2] == '\\"':
            quote = '\\"'
        elif value[:1] in {'"', "'"}:
            quote = value[:1]
        else:
            quote = ""
        closing = quote if quote and value.endswith(quote) and len(value) > len(quote) else ""
        return f"{head}{quote}[REDACTED:{label}]{closing}"
