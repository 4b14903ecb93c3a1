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

:func:`redact` uses the redactor that the :func:`~pavedroad.observability.configure` handle
owns, or the built-in rules when nothing is configured. No configuration lives here: the only
thing this module holds is the built-in redactor, built once.

:func:`redact` and :class:`Redactor` never mutate their input and never raise: cycles,
non-UTF-8 bytes and very deep nesting are replaced by ``[TRUNCATED:cycle]`` and
``[TRUNCATED:depth]`` markers. Running time is linear in the size of the input: the walk visits
each node once, and every pattern has bounded width, so a scan does constant work per character.
"""

from __future__ import annotations

import functools
from typing import TypeVar

from pavedroad.observability.lifecycle import current
from pavedroad.observability.redaction_engine import Redactor
from pavedroad.observability.redaction_keys import DEFAULT_DENYLIST, DEFAULT_SAFE_KEYS

__all__ = [
    "DEFAULT_DENYLIST",
    "DEFAULT_SAFE_KEYS",
    "Redactor",
    "builtin_redactor",
    "default_redactor",
    "redact",
]

_T = TypeVar("_T")


@functools.cache
def builtin_redactor() -> Redactor:
    """Return a redactor with the built-in rules only, built on first use and then shared
    (a redactor is immutable and thread-safe; only its own caches change)."""
    return Redactor()


def default_redactor() -> Redactor:
    """Return the redactor :func:`redact` uses: the one the active :func:`configure` handle
    owns (:attr:`Observability.redactor <pavedroad.observability.Observability.redactor>`),
    or, before ``configure()`` and after ``shutdown()``, :func:`builtin_redactor`."""
    handle = current()
    return builtin_redactor() if handle is None else handle.redactor


def redact(value: _T) -> _T:
    """Return a redacted copy of ``value`` with :func:`default_redactor`: the configured rules
    while :func:`configure` is in effect, else the built-in ones.

    Secrets inside strings are replaced with ``[REDACTED:<kind>]``; values under denylisted
    keys are replaced whole. The input is never mutated and the call never raises.
    """
    return default_redactor().redact(value)
