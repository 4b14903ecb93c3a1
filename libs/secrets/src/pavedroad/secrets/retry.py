"""Retrying an operation with a freshly read secret when the secret was rejected.

A rotation changes a secret in the backend and in the system that checks it (a database, an
API) at nearly the same moment. A process that still holds the old value gets one
authentication failure; these helpers turn that failure into a forced cache refresh and a
retry, so the operation succeeds instead of failing. Retries are bounded in count and time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pavedroad.secrets.cache import SecretCache
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue

T = TypeVar("T")

DEFAULT_ATTEMPTS = 8
DEFAULT_BACKOFF = 0.05
MAX_BACKOFF = 1.0


def _delay(attempt: int, backoff: float) -> float:
    # The first retry follows the forced refresh at once; later ones wait for the rotation to
    # finish moving the labels (single-user strategy) with exponential backoff.
    return 0.0 if attempt == 0 else min(MAX_BACKOFF, backoff * 2 ** (attempt - 1))


def retry_on_auth_failure(
    cache: SecretCache,
    reference: str | SecretReference,
    operation: Callable[[SecretValue], T],
    *,
    is_auth_failure: Callable[[BaseException], bool],
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> T:
    """Run ``operation(value)``; on an auth failure refresh ``reference`` and run it again.

    ``is_auth_failure`` tells an authentication failure (retry with a new value) from any other
    error (raised at once). After ``attempts`` tries the last auth failure is raised. With the
    defaults the retries span about 2.5 s.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts!r}")
    value = cache.get(reference)
    for attempt in range(attempts):
        try:
            return operation(value)
        except Exception as exc:
            if not is_auth_failure(exc) or attempt == attempts - 1:
                raise
        time.sleep(_delay(attempt, backoff))
        value = cache.refresh(reference, rejected=value)
    raise AssertionError("unreachable")  # pragma: no cover


async def aretry_on_auth_failure(
    cache: SecretCache,
    reference: str | SecretReference,
    operation: Callable[[SecretValue], Awaitable[T]],
    *,
    is_auth_failure: Callable[[BaseException], bool],
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
) -> T:
    """:func:`retry_on_auth_failure` for coroutines; waits without blocking the loop."""
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts!r}")
    value = await cache.aget(reference)
    for attempt in range(attempts):
        try:
            return await operation(value)
        except Exception as exc:
            if not is_auth_failure(exc) or attempt == attempts - 1:
                raise
        await asyncio.sleep(_delay(attempt, backoff))
        value = await cache.arefresh(reference, rejected=value)
    raise AssertionError("unreachable")  # pragma: no cover
