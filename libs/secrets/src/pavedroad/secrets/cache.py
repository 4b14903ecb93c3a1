"""A refreshing, versioned secret cache: the object a service holds to read its secrets.

* A cache hit is a dictionary lookup and a clock read; no lock, no copy, no I/O.
* Backend reads run in worker threads, never under a lock that readers wait on, and never in
  the caller's thread. There is at most one read per reference at a time (single-flight):
  every caller that needs a read joins the one in progress and shares its value or its error,
  whether it called :meth:`SecretCache.get` or :meth:`SecretCache.aget`.
* A caller waits for a read at most ``fetch_timeout`` seconds after that read started. A read
  that takes longer counts as a transient failure (:class:`FetchTimeoutError`); it keeps
  running (Python cannot cancel a thread), no second read of that reference starts until it
  returns, and its value is stored if it eventually arrives.
* Each item is refreshed in the background at a random point between ttl/2 and ttl after it
  was read, so that replicas started together do not refresh together. Items whose provider
  offers a cheap change token (files) are also polled, so a swapped Kubernetes Secret is seen
  within ``poll_interval``.
* Items with a lease (Vault dynamic credentials) are refreshed at the latest after two thirds of
  the lease, which renews the lease or issues new credentials while the old ones still work.
* Once an item's ttl is over, readers are answered at once with the last good value (for up to
  ``max_staleness``, never past a lease's expiry) while one refresh runs; they never wait for a
  slow or hung backend when an older value may be served.
* Any provider failure counts: a :class:`SecretError` the provider raised, or any other
  exception, which is wrapped in :class:`ProviderFailureError` naming the reference (the
  original is its ``__cause__``). While the backend fails transiently (unreachable, throttled,
  5xx, timed out, an unknown exception), the last good value is served for up to
  ``max_staleness`` seconds; after that :class:`StaleSecretError` is raised. A permanent failure
  (the secret was deleted, access was revoked) is raised as soon as it is known and the ttl is
  over. After a failure, reads of that reference back off exponentially (1 s doubling, up to
  ttl/2, at most 30 s while nothing was ever read): callers in the back-off window get the last
  outcome without a backend call.
* The values that an item held before a change are kept for ``overlap`` seconds: verifiers use
  them to accept both the current and the previous version during a rotation.
* :meth:`SecretCache.refresh` forces a re-read; callers use it when the backend of the *secret's
  consumer* (a database, an API) rejects a value, see :mod:`pavedroad.secrets.retry`.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator
from types import TracebackType

from pavedroad.secrets.errors import (
    FetchTimeoutError,
    SecretError,
    SecretLookupError,
    StaleSecretError,
    TransientBackendError,
    wrap_provider_failure,
)
from pavedroad.secrets.providers.base import FetchedSecret
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.resolver import Resolver
from pavedroad.secrets.value import SecretValue

logger = logging.getLogger("pavedroad.secrets")

_monotonic = time.monotonic
# Retry a failing read after this long, doubling up to ttl/2.
_FIRST_RETRY = 1.0
# While a reference has never been read, its retries back off to at most this long.
_MAX_FIRST_READ_RETRY = 30.0
# At most this many previous values are kept per item, however short the rotations.
_MAX_PREVIOUS = 3
# A lease is refreshed once this share of it has passed, at the latest.
_LEASE_REFRESH_SHARE = 2 / 3
#: Default seconds a caller waits for one backend read.
DEFAULT_FETCH_TIMEOUT = 10.0

_REFRESH = 0
_POLL = 1


class _Flight:
    """One backend read of one entry, shared by every caller that needs it."""

    __slots__ = ("callbacks", "deadline", "done", "error", "fetched", "settled", "timeout_error")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.done = threading.Event()
        self.fetched: FetchedSecret | None = None
        self.error: SecretError | None = None
        self.timeout_error: FetchTimeoutError | None = None
        self.callbacks: list[Callable[[], None]] = []
        # Set with the entry's lock held once the outcome is stored; ``done`` follows after the
        # lock is released (and deferred logs are written), to wake waiting threads.
        self.settled = False


class _Entry:
    """The state of one cached reference. Mutated only with ``lock`` held; the lock is never
    held during a backend call."""

    __slots__ = (
        "aliases",
        "change_token",
        "failures",
        "fetched",
        "fetched_at",
        "flight",
        "fresh_until",
        "last_error",
        "lock",
        "next_poll",
        "next_refresh",
        "previous",
        "ref",
        "retry_at",
        "stale_limit",
    )

    def __init__(self, ref: SecretReference) -> None:
        self.ref = ref
        self.lock = threading.Lock()
        self.aliases: set[Hashable] = {str(ref)}
        self.fetched: FetchedSecret | None = None
        self.fetched_at = 0.0
        self.fresh_until = 0.0
        self.stale_limit = 0.0
        self.retry_at = 0.0
        self.failures = 0
        self.last_error: SecretError | None = None
        self.previous: list[tuple[SecretValue, float]] = []
        self.change_token: Hashable | None = None
        self.next_refresh = 0.0
        self.next_poll = 0.0
        self.flight: _Flight | None = None


class SecretCache:
    """Resolves references to values, caches them and keeps them fresh in the background.

    Thread-safe; use one per process. In asyncio code use :meth:`aget` and :meth:`arefresh`:
    they never block the event loop (a hit or a stale value is returned at once, a read is
    awaited without a thread of the loop's executor), or :meth:`peek`, which never does I/O.

    :param resolver: reads references; a default :class:`Resolver` when omitted.
    :param ttl: seconds a value is served before it must have been re-read.
    :param max_staleness: seconds the last good value is served while the backend fails.
    :param overlap: seconds a replaced value is still returned by :meth:`versions`.
    :param poll_interval: seconds between change-token checks (files).
    :param fetch_timeout: seconds a caller waits for one backend read before it is treated as a
        transient failure (the last good value is served, if there is one).
    :param background: refresh in a background thread; when False, items are re-read when a
        caller finds them expired, and that caller waits for the read (at most
        ``fetch_timeout``) instead of being answered with the stale value.
    """

    def __init__(
        self,
        resolver: Resolver | None = None,
        *,
        ttl: float = 300.0,
        max_staleness: float = 3600.0,
        overlap: float = 900.0,
        poll_interval: float = 2.0,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        background: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        for name, number in (
            ("ttl", ttl),
            ("max_staleness", max_staleness),
            ("poll_interval", poll_interval),
            ("fetch_timeout", fetch_timeout),
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
        self._fetch_timeout = fetch_timeout
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

        Blocks only when no value may be served: the first read, or after a permanent failure,
        for at most ``fetch_timeout``. Raises :class:`~pavedroad.secrets.errors.SecretError`
        subclasses: what the read raised when there is no value to fall back on,
        :class:`StaleSecretError` once the backend has failed transiently for longer than
        max_staleness, or a permanent failure once the value's ttl is over.
        """
        snapshot = self._hot.get(reference)
        if snapshot is not None and snapshot[0] > _monotonic():
            return snapshot[1]
        return self._get_slow(reference)

    async def aget(self, reference: str | SecretReference) -> SecretValue:
        """:meth:`get` for asyncio code; never blocks the event loop.

        A fresh value is returned without leaving the loop, a servable stale value likewise
        while one refresh runs off the loop. Otherwise the caller awaits the read (shared with
        every sync and async caller of the same reference) for at most ``fetch_timeout``.
        """
        snapshot = self._hot.get(reference)
        if snapshot is not None and snapshot[0] > _monotonic():
            return snapshot[1]
        entry = self._entry(reference)
        outcome = self._consult(entry, reference, serve_stale=self._background)
        if isinstance(outcome, SecretValue):
            return outcome
        await self._await_flight(entry, outcome)
        return self._settle(entry, outcome, serve_stale=True)

    def peek(self, reference: str | SecretReference) -> SecretValue | None:
        """The value :meth:`get` would return without waiting, or None; never does I/O.

        Returns the cached value while it is fresh or may be served stale. Returns None when
        there is none to serve (never read yet, read failed, past max_staleness); when a read is
        due and none is running, one is started in the background, so a later call may
        succeed. Raises only :class:`ReferenceSyntaxError` for a malformed reference.
        """
        snapshot = self._hot.get(reference)
        if snapshot is not None and snapshot[0] > _monotonic():
            return snapshot[1]
        entry = self._entry(reference)
        try:
            outcome = self._consult(entry, reference, serve_stale=True)
        except SecretError:
            return None
        return outcome if isinstance(outcome, SecretValue) else None

    def versions(self, reference: str | SecretReference) -> tuple[SecretValue, ...]:
        """The current value first, then values it replaced less than ``overlap`` seconds ago.

        Verifiers accept any of them, so a rotation does not reject messages signed a moment
        before the new value arrived.
        """
        current = self.get(reference)
        entry = self._entry(reference)
        now = _monotonic()
        with _locked(entry):
            older = [value for value, retired in entry.previous if now - retired < self._overlap]
        return (current, *older)

    def refresh(
        self, reference: str | SecretReference, *, rejected: SecretValue | None = None
    ) -> SecretValue:
        """Re-read ``reference`` from its backend now and return the new value.

        Call it when the value was refused by the system it is for (the database says the
        password is wrong). Pass that value as ``rejected``: if another thread has already
        replaced it, the newer value is returned without another backend read. Errors are
        raised, not hidden behind a stale value: the stale value is known to be bad. Waits at
        most ``fetch_timeout`` per read.
        """
        entry = self._entry(reference)
        for attempt in range(2):
            outcome, fresh = self._refresh_step(entry, rejected)
            if isinstance(outcome, SecretValue):
                return outcome
            outcome.done.wait(max(outcome.deadline - _monotonic(), 0.0))
            value = self._settle(entry, outcome, serve_stale=False)
            if fresh or attempt == 1 or (rejected is not None and value != rejected):
                return value
        raise AssertionError("unreachable")  # pragma: no cover

    async def arefresh(
        self, reference: str | SecretReference, *, rejected: SecretValue | None = None
    ) -> SecretValue:
        """:meth:`refresh` for asyncio code; the read runs off the event loop."""
        entry = self._entry(reference)
        for attempt in range(2):
            outcome, fresh = self._refresh_step(entry, rejected)
            if isinstance(outcome, SecretValue):
                return outcome
            await self._await_flight(entry, outcome)
            value = self._settle(entry, outcome, serve_stale=False)
            if fresh or attempt == 1 or (rejected is not None and value != rejected):
                return value
        raise AssertionError("unreachable")  # pragma: no cover

    def _get_slow(self, reference: str | SecretReference) -> SecretValue:
        entry = self._entry(reference)
        outcome = self._consult(entry, reference, serve_stale=self._background)
        if isinstance(outcome, SecretValue):
            return outcome
        outcome.done.wait(max(outcome.deadline - _monotonic(), 0.0))
        return self._settle(entry, outcome, serve_stale=True)

    def _consult(
        self, entry: _Entry, reference: Hashable, *, serve_stale: bool
    ) -> SecretValue | _Flight:
        """Answer a reader from memory, or name the read it must wait for (starting it if none
        is running). Never waits for a backend."""
        with _locked(entry):
            now = _monotonic()
            fetched = entry.fetched
            if fetched is not None:
                self._publish_alias(entry, reference)
                if now < entry.fresh_until:
                    return fetched.value
            flight = entry.flight
            if flight is None:
                if entry.last_error is not None and now < entry.retry_at:
                    # Backing off: answer from the last outcome, add no backend call.
                    return self._stale_or_raise(entry, entry.last_error)
                flight = self._start(entry, renew=fetched is not None)
            elif not flight.settled and now >= flight.deadline:
                # The read in progress is hung: it is a failure, whoever is asking.
                error = self._timed_out(entry, flight)
                return self._stale_or_raise(entry, error)
            if serve_stale and self._servable(entry, now):
                assert fetched is not None
                return fetched.value
            return flight

    def _refresh_step(
        self, entry: _Entry, rejected: SecretValue | None
    ) -> tuple[SecretValue | _Flight, bool]:
        """A forced re-read: the replacement of ``rejected`` if there is one already, else the
        read to wait for and whether it started after this call."""
        with _locked(entry):
            if (
                rejected is not None
                and entry.fetched is not None
                and entry.fetched.value != rejected
            ):
                return entry.fetched.value, False
            if entry.flight is not None:
                return entry.flight, False
            return self._start(entry, renew=False), True

    def _settle(self, entry: _Entry, flight: _Flight, *, serve_stale: bool) -> SecretValue:
        """The answer to a caller that waited for ``flight`` (which may still be running)."""
        with _locked(entry):
            if not flight.settled:
                error: SecretError = self._timed_out(entry, flight)
            elif flight.error is not None:
                error = flight.error
            else:
                assert flight.fetched is not None
                return flight.fetched.value
            if not serve_stale or entry.fetched is None:
                raise error
            return self._stale_or_raise(entry, error)

    async def _await_flight(self, entry: _Entry, flight: _Flight) -> None:
        """Wait for ``flight`` without blocking the loop, at most until its deadline."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            # RuntimeError: the loop was closed meanwhile, so nobody is waiting.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, future)

        with _locked(entry):
            done = flight.settled
            if not done:
                flight.callbacks.append(wake)
        if done:
            return
        with contextlib.suppress(TimeoutError):  # _settle turns the overrun into an error
            await asyncio.wait_for(future, max(flight.deadline - _monotonic(), 0.0))

    def _servable(self, entry: _Entry, now: float) -> bool:
        """Whether the last good value may stand in while a read runs."""
        return (
            entry.fetched is not None
            and now < entry.stale_limit
            and (entry.last_error is None or isinstance(entry.last_error, TransientBackendError))
        )

    def _stale_or_raise(self, entry: _Entry, error: SecretError) -> SecretValue:
        """After a failed read: the last good value while that is allowed, else an error.

        Only a transient failure (backend unreachable, throttled, 5xx, timed out, an unknown
        exception) is bridged with the last good value, for up to max_staleness. A permanent
        one (the secret or key was deleted, access was revoked) is raised.
        """
        if entry.fetched is None or not isinstance(error, TransientBackendError):
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
            with self._lock:
                entry = self._entries.setdefault(key, _Entry(ref))
        if reference not in entry.aliases:
            with _locked(entry):
                entry.aliases.add(reference)
        return entry

    # -- reads (entry.lock held where noted) -----------------------------------------------------

    def _start(self, entry: _Entry, *, renew: bool, poll: bool = False) -> _Flight:
        """Start the entry's one read in a worker thread. entry.lock held."""
        flight = _Flight(_monotonic() + self._fetch_timeout)
        entry.flight = flight
        thread = threading.Thread(
            target=self._fly,
            args=(entry, flight, entry.fetched if renew else None, entry.change_token, poll),
            name="pavedroad-secrets-fetch",
            daemon=True,
        )
        thread.start()
        return flight

    def _fly(
        self,
        entry: _Entry,
        flight: _Flight,
        previous: FetchedSecret | None,
        known_token: Hashable | None,
        poll: bool,
    ) -> None:
        """The worker thread of one read. ``previous`` lets the provider renew a lease instead
        of issuing anew; a poll reads only when the change token moved."""
        fetched: FetchedSecret | None = None
        error: SecretError | None = None
        token: Hashable | None = None
        try:
            provider = self._resolver.provider(entry.ref.scheme)
            # The change token is taken first: a change after it shows up at the next poll.
            token = provider.change_token(entry.ref)
            if poll and token == known_token:
                pass  # unchanged: nothing to read
            elif previous is not None:
                fetched = provider.refresh(entry.ref, previous)
            else:
                fetched = provider.fetch(entry.ref)
        except BaseException as exc:  # any failure is a failure; the waiters must hear of it
            error = _wrap(exc, entry.ref)
        finally:
            self._complete(entry, flight, fetched, token, error)

    def _complete(
        self,
        entry: _Entry,
        flight: _Flight,
        fetched: FetchedSecret | None,
        token: Hashable | None,
        error: SecretError | None,
    ) -> None:
        with _locked(entry):
            if entry.flight is flight:
                entry.flight = None
            if fetched is not None:
                self._store(entry, fetched, token)
            elif error is not None:
                self._record_failure(entry, error)
                if self._background and entry.fetched is not None:
                    entry.next_refresh = entry.retry_at
                    self._enqueue(entry.retry_at, _REFRESH, entry)
            # else: a poll found the change token unchanged; nothing to store.
            flight.fetched = fetched
            flight.error = error
            flight.settled = True
            callbacks, flight.callbacks = flight.callbacks, []
        flight.done.set()
        for callback in callbacks:
            callback()

    def _timed_out(self, entry: _Entry, flight: _Flight) -> FetchTimeoutError:
        """Record once that ``flight`` overran fetch_timeout; return its error. entry.lock held."""
        if flight.timeout_error is None:
            flight.timeout_error = FetchTimeoutError(
                f"{entry.ref.scheme}: reading {entry.ref} took longer than fetch_timeout "
                f"({self._fetch_timeout:g}s); the read continues in the background and no "
                "other read of it starts until it returns",
                reference=str(entry.ref),
                provider=entry.ref.scheme,
            )
            self._record_failure(entry, flight.timeout_error)
        return flight.timeout_error

    def _store(self, entry: _Entry, fetched: FetchedSecret, token: Hashable | None) -> None:
        now = _monotonic()
        old = entry.fetched
        if old is not None and old.value != fetched.value:
            entry.previous.insert(0, (old.value, now))
            del entry.previous[_MAX_PREVIOUS:]
            _log(
                logging.INFO,
                "secret changed",
                {"secret_ref": str(entry.ref), "version": fetched.version},
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

    def _record_failure(self, entry: _Entry, exc: SecretError) -> None:
        entry.failures += 1
        entry.last_error = exc
        cap = max(self._ttl / 2, _FIRST_RETRY)
        if entry.fetched is None:
            cap = min(cap, _MAX_FIRST_READ_RETRY)
        delay = min(_FIRST_RETRY * 2 ** min(entry.failures - 1, 32), cap)
        entry.retry_at = _monotonic() + delay * self._rng.uniform(0.8, 1.2)
        _log(
            logging.WARNING,
            "secret read failed; will retry",
            {"secret_ref": str(entry.ref), "failures": entry.failures, "error": str(exc)},
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
        """Start the due refresh or poll of ``entry``; the read runs in its own thread, so a
        hung backend holds up neither this thread nor other references."""
        with _locked(entry):
            if entry.fetched is None:
                return
            if kind == _POLL:
                if due != entry.next_poll:
                    return
                entry.next_poll = _monotonic() + self._poll_interval
                self._enqueue(entry.next_poll, _POLL, entry)
                if entry.flight is None:
                    self._start(entry, renew=True, poll=True)
                return
            if due != entry.next_refresh:
                return  # superseded: a later read rescheduled this item
            if entry.flight is None:
                self._start(entry, renew=True)
            # else: a read is running; its completion schedules the next refresh.

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._thread = None
        self._schedule = []
        for entry in self._entries.values():
            entry.lock = threading.Lock()
            entry.flight = None  # its worker thread exists only in the parent
            if entry.fetched is None or not self._background:
                continue
            self._enqueue(entry.next_refresh, _REFRESH, entry)
            if entry.change_token is not None:
                entry.next_poll = _monotonic() + self._poll_interval
                self._enqueue(entry.next_poll, _POLL, entry)

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


_deferred = threading.local()


@contextlib.contextmanager
def _locked(entry: _Entry) -> Iterator[None]:
    """Hold ``entry.lock``; log what was logged meanwhile only after releasing it, so that a
    slow log handler never extends the time other readers (an event loop) wait for the lock."""
    pending: list[tuple[int, str, dict[str, object]]] = []
    _deferred.pending = pending
    try:
        with entry.lock:
            yield
    finally:
        _deferred.pending = None
        for level, message, extra in pending:
            logger.log(level, message, extra=extra)


def _log(level: int, message: str, extra: dict[str, object]) -> None:
    pending = getattr(_deferred, "pending", None)
    if pending is None:
        logger.log(level, message, extra=extra)
    else:
        pending.append((level, message, extra))


def _wrap(exc: BaseException, ref: SecretReference) -> SecretError:
    """Any failure of a read as a SecretError naming the reference; the original as its cause."""
    if isinstance(exc, ImportError):
        # A missing extra: our own message names the package to install.
        error: SecretError = SecretLookupError(str(exc), reference=str(ref), provider=ref.scheme)
    else:
        error = wrap_provider_failure(exc, reference=str(ref), provider=ref.scheme)
    if error is not exc:
        error.__cause__ = exc
        error.__suppress_context__ = True
    return error


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _restart_in_child(cache: weakref.ref[SecretCache]) -> None:
    alive = cache()
    if alive is not None and not alive._closed:
        alive._after_fork_in_child()
