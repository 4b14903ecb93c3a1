"""A refreshing, versioned secret cache: the object a service holds to read its secrets.

* A cache hit is a dictionary lookup and a clock read; no lock, no copy, no I/O.
* Each item is refreshed by one background thread at a random point between ttl/2 and ttl after
  it was read, so that replicas started together do not refresh together. Items whose provider
  offers a cheap change token (files) are also polled, so a swapped Kubernetes Secret is seen
  within ``poll_interval``.
* Items with a lease (Vault dynamic credentials) are refreshed at the latest after two thirds of
  the lease, which renews the lease or issues new credentials while the old ones still work.
* While the backend fails transiently (unreachable, throttled, 5xx), the last good value is
  served for up to ``max_staleness`` seconds (never past a lease's expiry); after that
  :class:`StaleSecretError` is raised. A permanent failure (the secret was deleted, access was
  revoked) is raised as soon as the value's ttl is over.
* The values that an item held before a change are kept for ``overlap`` seconds: verifiers use
  them to accept both the current and the previous version during a rotation.
* :meth:`SecretCache.refresh` forces a re-read; callers use it when the backend of the *secret's
  consumer* (a database, an API) rejects a value, see :mod:`pavedroad.secrets.retry`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import os
import random
import threading
import time
import weakref
from collections.abc import Hashable
from types import TracebackType

from pavedroad.secrets.errors import SecretError, StaleSecretError, TransientBackendError
from pavedroad.secrets.providers.base import FetchedSecret, Provider
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.resolver import Resolver
from pavedroad.secrets.value import SecretValue

logger = logging.getLogger("pavedroad.secrets")

_monotonic = time.monotonic
# Retry a failing background refresh after this long, doubling up to ttl/2.
_FIRST_RETRY = 1.0
# At most this many previous values are kept per item, however short the rotations.
_MAX_PREVIOUS = 3
# A lease is refreshed once this share of it has passed, at the latest.
_LEASE_REFRESH_SHARE = 2 / 3

_REFRESH = 0
_POLL = 1


class _Entry:
    """The state of one cached reference. Mutated only with ``lock`` held."""

    __slots__ = (
        "aliases",
        "change_token",
        "failures",
        "fetched",
        "fetched_at",
        "fresh_until",
        "last_error",
        "lock",
        "next_poll",
        "next_refresh",
        "previous",
        "provider",
        "ref",
        "retry_at",
        "stale_limit",
    )

    def __init__(self, ref: SecretReference, provider: Provider) -> None:
        self.ref = ref
        self.provider = provider
        self.lock = threading.Lock()
        self.aliases: set[Hashable] = {str(ref)}
        self.fetched: FetchedSecret | None = None
        self.fetched_at = 0.0
        self.fresh_until = 0.0
        self.stale_limit = 0.0
        self.retry_at = 0.0
        self.failures = 0
        self.last_error: BaseException | None = None
        self.previous: list[tuple[SecretValue, float]] = []
        self.change_token: Hashable | None = None
        self.next_refresh = 0.0
        self.next_poll = 0.0


class SecretCache:
    """Resolves references to values, caches them and keeps them fresh in the background.

    Thread-safe; use one per process. In asyncio code use :meth:`aget` and :meth:`arefresh`,
    which answer hits without leaving the event loop and run backend reads in a worker thread.

    :param resolver: reads references; a default :class:`Resolver` when omitted.
    :param ttl: seconds a value is served before it must have been re-read.
    :param max_staleness: seconds the last good value is served while the backend fails.
    :param overlap: seconds a replaced value is still returned by :meth:`versions`.
    :param poll_interval: seconds between change-token checks (files).
    :param background: refresh in a background thread; when False, items are re-read by the
        caller that finds them expired.
    """

    def __init__(
        self,
        resolver: Resolver | None = None,
        *,
        ttl: float = 300.0,
        max_staleness: float = 3600.0,
        overlap: float = 900.0,
        poll_interval: float = 2.0,
        background: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        for name, number in (
            ("ttl", ttl),
            ("max_staleness", max_staleness),
            ("poll_interval", poll_interval),
        ):
            if not number > 0:
                raise ValueError(f"SecretCache {name} must be > 0 seconds, got {number!r}")
        if max_staleness < ttl:
            raise ValueError(
                f"SecretCache max_staleness ({max_staleness!r}) must be >= ttl ({ttl!r}): "
                "a value must be servable at least until its refresh is due"
            )
        if overlap < 0:
            raise ValueError(f"SecretCache overlap must be >= 0 seconds, got {overlap!r}")
        self._owns_resolver = resolver is None
        self._resolver = Resolver() if resolver is None else resolver
        self._ttl = ttl
        self._max_staleness = max_staleness
        self._overlap = overlap
        self._poll_interval = poll_interval
        self._background = background
        self._rng = rng or random.Random()
        # The hot path reads only this: alias -> (fresh_until, value), replaced atomically.
        self._hot: dict[Hashable, tuple[float, SecretValue]] = {}
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._schedule: list[tuple[float, int, int, str]] = []
        self._sequence = itertools.count()
        self._wakeup = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._closed = False
        # A process that forks (gunicorn --preload, multiprocessing) has no refresh thread in
        # the child; start one there. A weak reference keeps the hook from pinning the cache.
        this = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _restart_in_child(this))

    @property
    def resolver(self) -> Resolver:
        """The resolver this cache reads through."""
        return self._resolver

    # -- reading -------------------------------------------------------------------------------

    def get(self, reference: str | SecretReference) -> SecretValue:
        """Return the value of ``reference``, reading it from its backend only when needed.

        Raises :class:`~pavedroad.secrets.errors.SecretError` subclasses: the first read of a
        reference raises what the provider raised; later reads raise
        :class:`StaleSecretError` once the backend has failed transiently for longer than
        max_staleness, or the provider's error once a permanent failure outlives the ttl.
        """
        snapshot = self._hot.get(reference)
        if snapshot is not None and snapshot[0] > _monotonic():
            return snapshot[1]
        return self._get_slow(reference)

    async def aget(self, reference: str | SecretReference) -> SecretValue:
        """:meth:`get` for asyncio code: a hit returns at once, a miss reads in a thread."""
        snapshot = self._hot.get(reference)
        if snapshot is not None and snapshot[0] > _monotonic():
            return snapshot[1]
        return await asyncio.to_thread(self._get_slow, reference)

    def versions(self, reference: str | SecretReference) -> tuple[SecretValue, ...]:
        """The current value first, then values it replaced less than ``overlap`` seconds ago.

        Verifiers accept any of them, so a rotation does not reject messages signed a moment
        before the new value arrived.
        """
        current = self.get(reference)
        entry = self._entry(reference)
        now = _monotonic()
        with entry.lock:
            older = [value for value, retired in entry.previous if now - retired < self._overlap]
        return (current, *older)

    def refresh(
        self, reference: str | SecretReference, *, rejected: SecretValue | None = None
    ) -> SecretValue:
        """Re-read ``reference`` from its backend now and return the new value.

        Call it when the value was refused by the system it is for (the database says the
        password is wrong). Pass that value as ``rejected``: if another thread has already
        replaced it, the newer value is returned without another backend read. Errors are
        raised, not hidden behind a stale value: the stale value is known to be bad.
        """
        entry = self._entry(reference)
        with entry.lock:
            if (
                rejected is not None
                and entry.fetched is not None
                and entry.fetched.value != rejected
            ):
                return entry.fetched.value
            return self._read(entry, renew=False)

    async def arefresh(
        self, reference: str | SecretReference, *, rejected: SecretValue | None = None
    ) -> SecretValue:
        """:meth:`refresh` for asyncio code; the backend read runs in a thread."""
        return await asyncio.to_thread(self.refresh, reference, rejected=rejected)

    def _get_slow(self, reference: str | SecretReference) -> SecretValue:
        entry = self._entry(reference)
        with entry.lock:
            if entry.fetched is None:
                return self._read(entry, renew=False)
            self._publish_alias(entry, reference)
            assert entry.fetched is not None
            now = _monotonic()
            if now < entry.fresh_until:
                return entry.fetched.value
            if entry.last_error is not None and now < entry.retry_at:
                # The refresh thread is backing off: answer from the last outcome, do not
                # add a backend call per reader.
                return self._stale_or_raise(entry, entry.last_error)
            try:
                return self._read(entry, renew=True)
            except SecretError as exc:
                self._record_failure(entry, exc)
                return self._stale_or_raise(entry, exc)

    def _stale_or_raise(self, entry: _Entry, error: BaseException) -> SecretValue:
        """After a failed refresh: the last good value while that is allowed, else an error.

        Only a transient failure (backend unreachable, throttled, 5xx) is bridged with the last
        good value, for up to max_staleness. A permanent one (the secret or key was deleted,
        access was revoked) is raised once the value's ttl is over.
        """
        assert entry.fetched is not None
        if not isinstance(error, TransientBackendError):
            raise error
        if _monotonic() < entry.stale_limit:
            return entry.fetched.value
        raise StaleSecretError(
            f"{entry.ref.scheme}: secret {entry.ref} could not be refreshed for "
            f"{self._max_staleness:.0f}s (max_staleness) and is no longer served; "
            f"last error: {error}",
            reference=str(entry.ref),
            provider=entry.ref.scheme,
        ) from error

    def _entry(self, reference: str | SecretReference) -> _Entry:
        ref = self._resolver.parse(reference)
        key = str(ref)
        entry = self._entries.get(key)
        if entry is None:
            provider = self._resolver.provider(ref.scheme)
            with self._lock:
                entry = self._entries.setdefault(key, _Entry(ref, provider))
        if reference not in entry.aliases:
            with entry.lock:
                entry.aliases.add(reference)
        return entry

    # -- bookkeeping (entry.lock held) -----------------------------------------------------------

    def _read(self, entry: _Entry, *, renew: bool) -> SecretValue:
        """Read the entry's backend and store the result. ``renew`` lets the provider renew a
        lease instead of issuing anew; a forced refresh always reads anew."""
        # The change token is taken first: a change after it shows up at the next poll.
        token = entry.provider.change_token(entry.ref)
        if renew and entry.fetched is not None:
            fetched = entry.provider.refresh(entry.ref, entry.fetched)
        else:
            fetched = entry.provider.fetch(entry.ref)
        self._store(entry, fetched, token)
        return fetched.value

    def _store(self, entry: _Entry, fetched: FetchedSecret, token: Hashable | None) -> None:
        now = _monotonic()
        old = entry.fetched
        if old is not None and old.value != fetched.value:
            entry.previous.insert(0, (old.value, now))
            del entry.previous[_MAX_PREVIOUS:]
            logger.info(
                "secret changed", extra={"secret_ref": str(entry.ref), "version": fetched.version}
            )
        entry.previous = [(v, t) for v, t in entry.previous if now - t < self._overlap]
        entry.fetched = fetched
        entry.fetched_at = now
        entry.failures = 0
        entry.last_error = None
        entry.retry_at = 0.0
        entry.change_token = token
        ttl = self._ttl
        entry.stale_limit = now + self._max_staleness
        if fetched.lease is not None:
            ttl = min(ttl, max(fetched.lease.remaining(now), 0.0) * _LEASE_REFRESH_SHARE)
            entry.stale_limit = min(entry.stale_limit, fetched.lease.expires_at)
        entry.fresh_until = now + ttl
        snapshot = (entry.fresh_until, fetched.value)
        for alias in entry.aliases:
            self._hot[alias] = snapshot
        if self._background:
            entry.next_refresh = now + self._rng.uniform(ttl / 2, ttl)
            self._enqueue(entry.next_refresh, _REFRESH, entry)
            if token is not None and entry.next_poll <= now:
                entry.next_poll = now + self._poll_interval
                self._enqueue(entry.next_poll, _POLL, entry)

    def _publish_alias(self, entry: _Entry, reference: Hashable) -> None:
        assert entry.fetched is not None
        self._hot[reference] = (entry.fresh_until, entry.fetched.value)

    def _record_failure(self, entry: _Entry, exc: BaseException) -> None:
        entry.failures += 1
        entry.last_error = exc
        delay = min(_FIRST_RETRY * 2 ** (entry.failures - 1), max(self._ttl / 2, _FIRST_RETRY))
        entry.retry_at = _monotonic() + delay * self._rng.uniform(0.8, 1.2)
        logger.warning(
            "secret refresh failed; will retry",
            extra={
                "secret_ref": str(entry.ref),
                "failures": entry.failures,
                "error": str(exc) if isinstance(exc, SecretError) else type(exc).__name__,
            },
        )

    # -- background refresh ----------------------------------------------------------------------

    def _enqueue(self, due: float, kind: int, entry: _Entry) -> None:
        with self._wakeup:
            if self._closed:
                return
            heapq.heappush(self._schedule, (due, next(self._sequence), kind, str(entry.ref)))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pavedroad-secrets-refresh", daemon=True
                )
                self._thread.start()
            self._wakeup.notify()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not self._closed:
                    now = _monotonic()
                    if self._schedule and self._schedule[0][0] <= now:
                        break
                    timeout = self._schedule[0][0] - now if self._schedule else None
                    self._wakeup.wait(timeout)
                if self._closed:
                    return
                due, _, kind, key = heapq.heappop(self._schedule)
                entry = self._entries.get(key)
            if entry is not None:
                self._run_one(entry, kind, due)

    def _run_one(self, entry: _Entry, kind: int, due: float) -> None:
        with entry.lock:
            if entry.fetched is None:
                return
            if kind == _POLL:
                if due != entry.next_poll:
                    return
                token = self._safe_token(entry)
                entry.next_poll = _monotonic() + self._poll_interval
                self._enqueue(entry.next_poll, _POLL, entry)
                if token == entry.change_token:
                    return
            elif due != entry.next_refresh:
                return  # superseded: a later read rescheduled this item
            try:
                self._read(entry, renew=True)
            except Exception as exc:  # the refresh thread must survive any backend failure
                self._record_failure(entry, exc)
                entry.next_refresh = entry.retry_at
                self._enqueue(entry.retry_at, _REFRESH, entry)

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._thread = None
        self._schedule = []
        for entry in self._entries.values():
            entry.lock = threading.Lock()
            if entry.fetched is None or not self._background:
                continue
            self._enqueue(entry.next_refresh, _REFRESH, entry)
            if entry.change_token is not None:
                entry.next_poll = _monotonic() + self._poll_interval
                self._enqueue(entry.next_poll, _POLL, entry)

    @staticmethod
    def _safe_token(entry: _Entry) -> Hashable | None:
        try:
            return entry.provider.change_token(entry.ref)
        except Exception:
            return None

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the background thread and, if this cache created its resolver, close it."""
        with self._wakeup:
            self._closed = True
            self._wakeup.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        if self._owns_resolver:
            self._resolver.close()

    def __enter__(self) -> SecretCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _restart_in_child(cache: weakref.ref[SecretCache]) -> None:
    alive = cache()
    if alive is not None and not alive._closed:
        alive._after_fork_in_child()
