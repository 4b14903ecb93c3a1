"""SecretCache: hits, background refresh timing, staleness, forced refresh, versions, asyncio."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pavedroad.secrets import (
    FetchTimeoutError,
    ProviderFailureError,
    Resolver,
    SecretCache,
    SecretNotFoundError,
    SecretValue,
    StaleSecretError,
    TransientBackendError,
)
from pavedroad.secrets.providers import FetchedSecret, Lease, Provider
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.testing import wait_until


class FakeBackend(Provider):
    """An in-memory backend whose value, failures and leases the test controls."""

    schemes = ("fake",)

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.failing = False
        self.reads = 0
        self.renewals = 0
        self.lease_seconds: float | None = None
        self.lock = threading.Lock()

    def fetch(self, ref: SecretReference) -> FetchedSecret:
        with self.lock:
            self.reads += 1
        if self.failing:
            raise TransientBackendError("fake: backend down", reference=str(ref), provider="fake")
        if ref.body not in self.values:
            raise SecretNotFoundError("fake: no such secret", reference=str(ref), provider="fake")
        lease = None
        if self.lease_seconds is not None:
            lease = Lease("lease-1", self.lease_seconds, True, time.monotonic(), self.lease_seconds)
        return FetchedSecret(SecretValue(self.values[ref.body]), lease=lease)

    def refresh(self, ref: SecretReference, previous: FetchedSecret) -> FetchedSecret:
        if previous.lease is not None and not self.failing:
            with self.lock:
                self.renewals += 1
        return self.fetch(ref)


@pytest.fixture
def backend() -> FakeBackend:
    backend = FakeBackend()
    backend.values["token"] = "v1"
    return backend


def make_cache(backend: FakeBackend, **options: float | bool) -> SecretCache:
    return SecretCache(Resolver([backend]), **options)  # type: ignore[arg-type]


def test_hits_do_not_touch_the_backend(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        for _ in range(1000):
            assert cache.get("fake:token").reveal() == "v1"
    assert backend.reads == 1


def test_string_and_parsed_references_share_one_entry(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        cache.get("fake:token")
        cache.get(SecretReference("fake", "token"))
    assert backend.reads == 1


def test_refresh_is_scheduled_between_half_ttl_and_ttl(backend: FakeBackend) -> None:
    windows: list[tuple[float, float]] = []

    class RecordingRandom(random.Random):
        def uniform(self, a: float, b: float) -> float:
            windows.append((a, b))
            return super().uniform(a, b)

    with SecretCache(Resolver([backend]), ttl=10, max_staleness=20, rng=RecordingRandom(1)) as c:
        c.get("fake:token")
    assert windows == [(5.0, 10.0)]


def test_background_refresh_picks_up_new_values(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=0.2, max_staleness=5) as cache:
        assert cache.get("fake:token").reveal() == "v1"
        backend.values["token"] = "v2"
        assert wait_until(lambda: cache.get("fake:token").reveal() == "v2", timeout=5)
        reads = backend.reads
    # Refreshed in the background, not by the reading thread: a few reads, not one per get.
    assert 2 <= reads < 60


def test_transient_errors_serve_the_last_good_value_then_fail_loudly(
    backend: FakeBackend,
) -> None:
    with make_cache(backend, ttl=0.1, max_staleness=1.5) as cache:
        assert cache.get("fake:token").reveal() == "v1"
        backend.failing = True
        time.sleep(0.25)  # past ttl: now stale, still within max_staleness
        assert cache.get("fake:token").reveal() == "v1"
        assert wait_until(lambda: _raises_stale(cache), timeout=5)
        with pytest.raises(StaleSecretError) as caught:
            cache.get("fake:token")
        assert "max_staleness" in str(caught.value)
        assert caught.value.reference == "fake:token"
        backend.failing = False
        assert wait_until(lambda: not _raises_stale(cache), timeout=5)
        assert cache.get("fake:token").reveal() == "v1"


def _raises_stale(cache: SecretCache) -> bool:
    try:
        cache.get("fake:token")
    except StaleSecretError:
        return True
    return False


def test_first_read_errors_propagate(backend: FakeBackend) -> None:
    with make_cache(backend) as cache, pytest.raises(SecretNotFoundError):
        cache.get("fake:missing")


def test_forced_refresh_rereads_and_coalesces(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        old = cache.get("fake:token")
        backend.values["token"] = "v2"
        assert cache.refresh("fake:token", rejected=old).reveal() == "v2"
        reads = backend.reads
        # A second caller that failed with the old value gets the new one without a read.
        assert cache.refresh("fake:token", rejected=old).reveal() == "v2"
        assert backend.reads == reads
        assert cache.get("fake:token").reveal() == "v2"


def test_forced_refresh_does_not_hide_errors(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        cache.get("fake:token")
        backend.failing = True
        with pytest.raises(TransientBackendError):
            cache.refresh("fake:token")


def test_versions_keep_the_previous_value_for_the_overlap(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=60, max_staleness=120, overlap=1.0) as cache:
        cache.get("fake:token")
        backend.values["token"] = "v2"
        cache.refresh("fake:token")
        assert [v.reveal() for v in cache.versions("fake:token")] == ["v2", "v1"]
        time.sleep(1.1)
        assert [v.reveal() for v in cache.versions("fake:token")] == ["v2"]


def test_leased_values_refresh_before_the_lease_ends(backend: FakeBackend) -> None:
    backend.lease_seconds = 0.6
    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        cache.get("fake:token")
        # ttl is 60 s, but the lease forces a refresh within 2/3 of 0.6 s.
        assert wait_until(lambda: backend.renewals >= 2, timeout=5)


def test_concurrent_readers_share_one_backend_read(backend: FakeBackend) -> None:
    results: list[str] = []
    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        barrier = threading.Barrier(8)

        def read() -> None:
            barrier.wait(timeout=10)
            for _ in range(200):
                results.append(cache.get("fake:token").reveal())

        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert results == ["v1"] * 1600
    assert backend.reads == 1


def test_asyncio_get_and_refresh(backend: FakeBackend) -> None:
    async def scenario(cache: SecretCache) -> list[str]:
        first = await cache.aget("fake:token")
        backend.values["token"] = "v2"
        second = await cache.arefresh("fake:token", rejected=first)
        together = await asyncio.gather(*(cache.aget("fake:token") for _ in range(10)))
        return [first.reveal(), second.reveal(), *{v.reveal() for v in together}]

    with make_cache(backend, ttl=60, max_staleness=120) as cache:
        assert asyncio.run(scenario(cache)) == ["v1", "v2", "v2"]


def test_without_background_the_reader_refreshes(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=0.05, max_staleness=5, background=False) as cache:
        cache.get("fake:token")
        backend.values["token"] = "v2"
        time.sleep(0.1)
        assert cache.get("fake:token").reveal() == "v2"
        assert threading.active_count() >= 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ttl": 0}, "ttl must be > 0"),
        ({"ttl": 10, "max_staleness": 5}, "max_staleness"),
        ({"overlap": -1}, "overlap"),
    ],
)
def test_bad_settings_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SecretCache(**options)


def test_permanent_errors_are_raised_once_the_ttl_is_over(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=0.1, max_staleness=60) as cache:
        cache.get("fake:token")
        del backend.values["token"]  # deleted: not a failure to bridge with a stale value
        time.sleep(0.15)
        with pytest.raises(SecretNotFoundError):
            cache.get("fake:token")


def test_a_forked_child_refreshes_in_the_background(backend: FakeBackend) -> None:
    with make_cache(backend, ttl=0.1, max_staleness=60) as cache:
        cache.get("fake:token")
        pid = os.fork()
        if pid == 0:  # the child: exit code 0 when its cache refreshed by itself
            ok = False
            try:
                reads = backend.reads
                thread = cache._thread
                ok = wait_until(lambda: backend.reads >= reads + 2, timeout=5)
                ok = ok and thread is not None and thread.is_alive()
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0


# -- a backend that hangs or fails on demand (issue 18: hangs, overload) -------------------------


class GatedBackend(Provider):
    """Each read waits until ``gate`` is open, then returns the value or raises ``error``."""

    schemes = ("gated",)

    def __init__(self) -> None:
        self.value = "v1"
        self.error: BaseException | None = None
        self.gate = threading.Event()
        self.gate.set()
        self.reads = 0
        self.waiting = 0
        self.lock = threading.Lock()

    def fetch(self, ref: SecretReference) -> FetchedSecret:
        with self.lock:
            self.reads += 1
            self.waiting += 1
        try:
            self.gate.wait()
        finally:
            with self.lock:
                self.waiting -= 1
        if self.error is not None:
            raise self.error
        return FetchedSecret(SecretValue(self.value))


@pytest.fixture
def gated() -> Iterator[GatedBackend]:
    backend = GatedBackend()
    yield backend
    backend.gate.set()  # let every hung worker thread finish


def gated_cache(backend: GatedBackend, **options: Any) -> SecretCache:
    return SecretCache(Resolver([backend]), **options)


def run_in_threads(count: int, target: Callable[[], object]) -> list[object]:
    """Run ``target`` in ``count`` threads at once; fail (not hang) if any is still blocked."""
    results: list[object] = []
    barrier = threading.Barrier(count)

    def call() -> None:
        barrier.wait(timeout=10)
        try:
            results.append(target())
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=call, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "a reader is blocked"
    return results


def open_once_waiting(backend: GatedBackend) -> None:
    """Let the first read through once it is waiting, so that other callers can pile up."""
    wait_until(lambda: backend.waiting == 1, timeout=10)
    time.sleep(0.1)
    backend.gate.set()


def test_readers_get_the_stale_value_while_one_refresh_hangs(gated: GatedBackend) -> None:
    with gated_cache(gated, ttl=0.2, max_staleness=60, fetch_timeout=60) as cache:
        assert cache.get("gated:token").reveal() == "v1"
        gated.gate.clear()
        gated.value = "v2"
        # The background refresh (due between ttl/2 and ttl) starts and hangs.
        assert wait_until(lambda: gated.waiting == 1, timeout=5)
        time.sleep(0.25)  # past the ttl
        results = run_in_threads(16, lambda: cache.get("gated:token").reveal())
        assert results == ["v1"] * 16
        assert gated.reads == 2  # the first read and the one refresh, none per reader
        gated.gate.set()
        assert wait_until(lambda: cache.get("gated:token").reveal() == "v2", timeout=5)


def test_a_first_read_that_hangs_times_out_and_is_not_repeated(gated: GatedBackend) -> None:
    with gated_cache(gated, ttl=60, max_staleness=120, fetch_timeout=0.2) as cache:
        gated.gate.clear()
        with pytest.raises(FetchTimeoutError) as caught:
            cache.get("gated:token")
        assert isinstance(caught.value, TransientBackendError)
        assert "fetch_timeout" in str(caught.value) and "gated:token" in str(caught.value)
        with pytest.raises(FetchTimeoutError):
            cache.get("gated:token")  # the hung read is still the only one
        assert cache.peek("gated:token") is None
        assert gated.reads == 1
        gated.gate.set()  # the hung read returns: its value is kept
        assert wait_until(lambda: cache.peek("gated:token") is not None, timeout=5)
        assert cache.get("gated:token").reveal() == "v1"
        assert gated.reads == 1


def test_concurrent_first_reads_share_one_failing_fetch(gated: GatedBackend) -> None:
    gated.error = TransientBackendError("gated: down", reference="gated:token", provider="gated")
    gated.gate.clear()
    with gated_cache(gated, ttl=60, max_staleness=120) as cache:
        opener = threading.Thread(target=open_once_waiting, args=(gated,))
        opener.start()
        results = run_in_threads(16, lambda: cache.get("gated:token"))
        opener.join()
    assert gated.reads == 1
    assert all(isinstance(result, TransientBackendError) for result in results)


def test_concurrent_first_reads_share_one_value(gated: GatedBackend) -> None:
    gated.gate.clear()
    with gated_cache(gated, ttl=60, max_staleness=120) as cache:
        opener = threading.Thread(target=open_once_waiting, args=(gated,))
        opener.start()
        results = run_in_threads(16, lambda: cache.get("gated:token").reveal())
        opener.join()
    assert results == ["v1"] * 16
    assert gated.reads == 1


class SdkError(Exception):
    """An SDK's own exception, whose text may quote anything."""


@pytest.mark.parametrize(
    "failure",
    [
        SdkError("backend said: hunter2-value"),
        OSError(40, "Too many levels of symbolic links"),
        RuntimeError("hunter2-value"),
    ],
    ids=["sdk", "oserror", "runtime"],
)
def test_any_provider_failure_serves_stale_and_backs_off(
    gated: GatedBackend, failure: Exception
) -> None:
    with gated_cache(gated, ttl=0.1, max_staleness=60) as cache:
        assert cache.get("gated:token").reveal() == "v1"
        gated.error = failure
        time.sleep(0.15)  # past the ttl
        results = run_in_threads(32, lambda: [cache.get("gated:token") for _ in range(300)])
        assert all(isinstance(r, list) and {v.reveal() for v in r} == {"v1"} for r in results)
        # 9,600 reads inside the back-off window: a few backend calls, not one per read.
        assert gated.reads <= 4


def test_non_secret_errors_are_wrapped_naming_the_reference(gated: GatedBackend) -> None:
    gated.error = SdkError("backend said: hunter2-value")
    with gated_cache(gated, ttl=60, max_staleness=120) as cache:
        with pytest.raises(ProviderFailureError) as caught:
            cache.get("gated:token")
        assert caught.value.reference == "gated:token"
        assert "gated:token" in str(caught.value) and "SdkError" in str(caught.value)
        assert "hunter2" not in str(caught.value)
        assert caught.value.__cause__ is gated.error
        # Backing off: the next caller gets the same failure without a backend call.
        with pytest.raises(ProviderFailureError):
            cache.get("gated:token")
        assert gated.reads == 1
    with pytest.raises(ProviderFailureError) as direct:
        Resolver([gated]).resolve("gated:token")
    assert direct.value.__cause__ is gated.error


def test_aget_serves_stale_without_blocking_the_loop(gated: GatedBackend) -> None:
    async def scenario(cache: SecretCache) -> list[str]:
        first = await cache.aget("gated:token")
        gated.gate.clear()
        await asyncio.sleep(0.25)  # past the ttl; the background refresh hangs
        stale = await asyncio.wait_for(cache.aget("gated:token"), timeout=5)
        peeked = cache.peek("gated:token")
        assert peeked is not None
        return [first.reveal(), stale.reveal(), peeked.reveal()]

    with gated_cache(gated, ttl=0.2, max_staleness=60, fetch_timeout=60) as cache:
        assert asyncio.run(scenario(cache)) == ["v1", "v1", "v1"]
        assert gated.reads == 2


def test_sync_and_async_first_reads_share_one_fetch_off_the_loop(gated: GatedBackend) -> None:
    loop_threads: set[int] = set()

    async def scenario(cache: SecretCache) -> list[str]:
        loop_threads.add(threading.get_ident())
        sync_reader = asyncio.get_running_loop().run_in_executor(
            None, lambda: cache.get("gated:token").reveal()
        )
        pending = asyncio.ensure_future(cache.aget("gated:token"))
        ticks = 0
        while gated.waiting == 0 or ticks < 20:  # the loop keeps running meanwhile
            await asyncio.sleep(0.01)
            ticks += 1
        assert not pending.done()
        gated.gate.set()
        return [await sync_reader, (await pending).reveal()]

    gated.gate.clear()
    fetch_threads: list[int] = []
    original = gated.fetch

    def recording_fetch(ref: SecretReference) -> FetchedSecret:
        fetch_threads.append(threading.get_ident())
        return original(ref)

    gated.fetch = recording_fetch  # type: ignore[method-assign]
    with gated_cache(gated, ttl=60, max_staleness=120) as cache:
        assert asyncio.run(scenario(cache)) == ["v1", "v1"]
    assert gated.reads == 1
    assert not loop_threads & set(fetch_threads)


def test_aget_times_out_a_hung_first_read(gated: GatedBackend) -> None:
    async def scenario(cache: SecretCache) -> int:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        with pytest.raises(FetchTimeoutError):
            await cache.aget("gated:token")
        ticker.cancel()
        return ticks

    gated.gate.clear()
    with gated_cache(gated, ttl=60, max_staleness=120, fetch_timeout=0.3) as cache:
        assert asyncio.run(scenario(cache)) > 0  # the loop ran while aget waited


def test_refresh_waits_at_most_the_fetch_timeout(gated: GatedBackend) -> None:
    with gated_cache(gated, ttl=60, max_staleness=120, fetch_timeout=0.2) as cache:
        value = cache.get("gated:token")
        gated.gate.clear()
        with pytest.raises(FetchTimeoutError):
            cache.refresh("gated:token", rejected=value)
        # The stale value is still served to ordinary readers: it is fresh until the ttl.
        assert cache.get("gated:token").reveal() == "v1"


def test_peek_never_reads_and_starts_a_first_read(gated: GatedBackend) -> None:
    with gated_cache(gated, ttl=60, max_staleness=120) as cache:
        assert cache.peek("gated:token") is None
        assert wait_until(lambda: cache.peek("gated:token") is not None, timeout=5)
        assert gated.reads == 1


def test_failures_are_logged_without_the_value_and_outside_the_lock(
    gated: GatedBackend, caplog: pytest.LogCaptureFixture
) -> None:
    held: list[bool] = []

    class LockProbe(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            held.append(cache._entries["gated:token"].lock.locked())

    gated.error = SdkError("backend said: hunter2-value")
    probe = LockProbe()
    logging.getLogger("pavedroad.secrets").addHandler(probe)
    try:
        with (
            gated_cache(gated, ttl=60, max_staleness=120) as cache,
            caplog.at_level("WARNING"),
            pytest.raises(ProviderFailureError),
        ):
            cache.get("gated:token")
    finally:
        logging.getLogger("pavedroad.secrets").removeHandler(probe)
    records = [r for r in caplog.records if r.getMessage() == "secret read failed; will retry"]
    assert len(records) == 1 and records[0].__dict__["secret_ref"] == "gated:token"
    assert "hunter2" not in caplog.text and "SdkError" in records[0].__dict__["error"]
    assert held == [False]  # a slow handler never keeps readers (an event loop) waiting
