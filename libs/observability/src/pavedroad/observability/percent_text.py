"""Secrets in percent-encoded text: query strings built with ``urlencode`` or ``quote``, and
form bodies.

Encoding hides a secret's shape from the value patterns (``https%3A%2F%2Fhooks.slack.com``,
``alice%40example.com``, ``Bearer+abc``) and breaks their boundaries (``%3DAKIA...`` puts a
letter right before the key ID). :func:`redact_percent_encoded` decodes each whitespace-free
run that holds ``%XX`` or ``+``, scans the decoded text, and where that finds a secret puts the
redacted text back percent-encoded in place of the run (``[``, ``]`` and ``:`` are left
unencoded so the marker stays readable). Runs without a secret are left byte for byte.

Cheap on the common path: nothing happens unless the text holds ``%`` or ``+``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final
from urllib.parse import quote, unquote_plus

__all__ = ["may_be_encoded", "redact_percent_encoded"]

_ESCAPE: Final = re.compile(r"%[0-9A-Fa-f]{2}")
_WHITESPACE: Final = re.compile(r"(\s+)")
#: Characters put back unencoded: URL structure, and the redaction marker's brackets.
_SAFE: Final = "/:=&?#[]@!$'()*,;~"


def may_be_encoded(text: str) -> bool:
    """Whether ``text`` holds a percent escape or a ``+`` (a space in a form or query)."""
    return "+" in text or ("%" in text and _ESCAPE.search(text) is not None)


def redact_percent_encoded(text: str, scan: Callable[[str], str]) -> str:
    """Return ``text`` with every secret that ``scan`` finds in a decoded run replaced."""
    parts = _WHITESPACE.split(text)
    changed = False
    for index in range(0, len(parts), 2):  # the odd indexes are the whitespace
        part = parts[index]
        if "%" not in part and "+" not in part:
            continue
        decoded = unquote_plus(part, errors="surrogateescape")
        if decoded == part:
            continue
        redacted = scan(decoded)
        if redacted != decoded:
            parts[index] = quote(redacted, safe=_SAFE, errors="surrogateescape")
            changed = True
    return "".join(parts) if changed else text
