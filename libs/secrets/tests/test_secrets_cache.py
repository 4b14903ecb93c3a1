"""SecretCache: hits, background refresh timing, staleness, forced refresh, versions, asyncio."""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from typing import Any

import pytest
from pavedroad.secrets import (
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
