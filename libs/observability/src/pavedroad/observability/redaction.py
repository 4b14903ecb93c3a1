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

:class:`Redactor` (:mod:`pavedroad.observability.redaction_engine`) applies them; the denylist
is in :mod:`pavedroad.observability.redaction_keys` and the redactor's caches in
:mod:`pavedroad.observability.redaction_caches`.

:func:`redact` and :class:`Redactor` never mutate their input and never raise: cycles,
non-UTF-8 bytes and very deep nesting are replaced by ``[TRUNCATED:cycle]`` and
``[TRUNCATED:depth]`` markers. Running time is linear in the size of the input: the walk visits
each node once, and every pattern has bounded width, so a scan does constant work per character.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from pavedroad.observability.redaction_engine import Redactor
from pavedroad.observability.redaction_keys import DEFAULT_DENYLIST, DEFAULT_SAFE_KEYS

__all__ = [
    "DEFAULT_DENYLIST",
    "DEFAULT_SAFE_KEYS",
    "Redactor",
    "default_redactor",
    "redact",
    "set_default_redactor",
]

_T = TypeVar("_T")

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
