"""env: and file: providers, including the kubelet's atomic symlink swap."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pavedroad.secrets import (
    AuthenticationError,
    Resolver,
    SecretCache,
    SecretKeyError,
    SecretNotFoundError,
    SecretValue,
)
from pavedroad.secrets.providers.file import FileProvider
from pavedroad.secrets.testing import KubeletVolume, wait_until

SECRET = "s3cr3t-value-never-printed"


def test_env_reads_and_picks_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_TOKEN", SECRET)
    monkeypatch.setenv("APP_DB", json.dumps({"username": "app", "port": 5432}))
    resolver = Resolver()
    assert resolver.resolve("env:APP_TOKEN").reveal() == SECRET
    assert resolver.resolve("env:APP_DB#username").reveal() == "app"
    assert resolver.resolve("env:APP_DB#port").reveal() == "5432"


def test_missing_secret_names_reference_and_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    with pytest.raises(SecretNotFoundError) as caught:
        Resolver().resolve("env:NOT_SET_ANYWHERE")
    assert caught.value.reference == "env:NOT_SET_ANYWHERE"
    assert caught.value.provider == "env"
    assert "env:NOT_SET_ANYWHERE" in str(caught.value)


def test_missing_file_names_reference_and_provider(tmp_path: Path) -> None:
    ref = f"file:{tmp_path}/absent"
    with pytest.raises(SecretNotFoundError) as caught:
        Resolver().resolve(ref)
    assert caught.value.reference == ref
    assert caught.value.provider == "file"
    assert "no file at" in str(caught.value)


def test_file_strips_trailing_newline_and_picks_keys(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(SECRET + "\n")
    (tmp_path / "creds.json").write_text(json.dumps({"password": SECRET, "nested": {"a": 1}}))
    resolver = Resolver()
    assert resolver.resolve(f"file:{tmp_path}/token").reveal() == SECRET
    assert resolver.resolve(f"file:{tmp_path}/creds.json#password").reveal() == SECRET
    assert resolver.resolve(f"file:{tmp_path}/creds.json#nested").reveal_json() == {"a": 1}


def test_missing_key_names_the_key_not_the_value(tmp_path: Path) -> None:
    (tmp_path / "creds.json").write_text(json.dumps({"password": SECRET}))
    with pytest.raises(SecretKeyError) as caught:
        Resolver().resolve(f"file:{tmp_path}/creds.json#passwd")
    assert caught.value.key == "passwd"
    assert "'passwd'" in str(caught.value)
    assert "password" in str(caught.value)  # the keys that do exist are listed
    assert SECRET not in str(caught.value)


def test_malformed_json_names_the_key_not_the_value(tmp_path: Path) -> None:
    (tmp_path / "creds.json").write_text("{password: " + SECRET)
    with pytest.raises(SecretKeyError) as caught:
        Resolver().resolve(f"file:{tmp_path}/creds.json#password")
    assert caught.value.key == "password"
    assert "not valid JSON" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_json_that_is_not_an_object(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(SecretKeyError, match="not an object"):
        Resolver().resolve(f"file:{tmp_path}/list.json#a")


def test_directory_reference_says_to_name_a_file(tmp_path: Path) -> None:
    with pytest.raises(SecretNotFoundError, match="is a directory"):
        Resolver().resolve(f"file:{tmp_path}")


def test_file_age_comes_from_mtime(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(SECRET)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    metadata = Resolver().describe(f"file:{path}")
    assert metadata.last_changed is not None
    assert metadata.last_changed.timestamp() == 1_700_000_000


def test_kubelet_layout_is_read_through_symlinks(kubelet_volume: KubeletVolume) -> None:
    kubelet_volume.write({"slack-bot-token": "xoxb-old", "signing-secret": "sign-old"})
    root = kubelet_volume.root
    assert (root / "slack-bot-token").is_symlink()
    assert os.readlink(root / "slack-bot-token") == "..data/slack-bot-token"
    assert (root / "..data").is_symlink()
    assert Resolver().resolve(f"file:{root}/slack-bot-token").reveal() == "xoxb-old"


def test_cache_notices_a_kubelet_swap_within_the_poll_interval(
    kubelet_volume: KubeletVolume,
) -> None:
    kubelet_volume.write({"token": "v1"})
    ref = f"file:{kubelet_volume.root}/token"
    with SecretCache(ttl=3600, max_staleness=7200, poll_interval=0.05) as cache:
        assert cache.get(ref).reveal() == "v1"
        old_dirs = {p.name for p in kubelet_volume.root.iterdir() if p.name.startswith("..2")}
        kubelet_volume.write({"token": "v2"})
        # The old timestamped directory is gone, as the kubelet leaves it.
        assert not old_dirs & {p.name for p in kubelet_volume.root.iterdir()}
        assert wait_until(lambda: cache.get(ref).reveal() == "v2", timeout=5)
        # The replaced value stays available to verifiers during the overlap window.
        assert [v.reveal() for v in cache.versions(ref)] == ["v2", "v1"]


def test_reads_during_repeated_swaps_always_see_a_whole_value(
    kubelet_volume: KubeletVolume,
) -> None:
    kubelet_volume.write({"token": "value-0" * 100})
    ref = f"file:{kubelet_volume.root}/token"
    resolver = Resolver()
    import threading

    stop = threading.Event()
    seen: list[str] = []
    errors: list[BaseException] = []

    def reader() -> None:
        for _ in range(5000):
            if stop.is_set():
                return
            try:
                seen.append(resolver.resolve(ref).reveal())
            except BaseException as exc:  # collected and asserted on below
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    for generation in range(1, 40):
        kubelet_volume.write({"token": f"value-{generation}" * 100})
    stop.set()
    thread.join(timeout=30)
    assert not errors
    assert seen
    for value in seen:
        assert value == value[: len(value) // 100] * 100


def test_value_type_is_secret_value(tmp_path: Path) -> None:
    (tmp_path / "t").write_text("x")
    assert isinstance(Resolver().resolve(f"file:{tmp_path}/t"), SecretValue)


# -- hostile paths (issue 18: hangs) ---------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "token"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(
        target=lambda: _capture(lambda: Resolver().resolve(f"file:{fifo}"), outcome), daemon=True
    )
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the hung open() so that the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert len(outcome) == 1 and isinstance(outcome[0], SecretNotFoundError)
    assert "FIFO" in str(outcome[0]) and "regular file" in str(outcome[0])


def _capture(call: Callable[[], object], into: list[BaseException]) -> None:
    try:
        call()
    except BaseException as exc:
        into.append(exc)


def test_a_symlink_loop_is_a_clear_lookup_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    resolver = Resolver()
    for call in (resolver.resolve, resolver.describe):
        with pytest.raises(SecretNotFoundError, match="loop") as caught:
            call(f"file:{tmp_path}/a")
        assert caught.value.reference == f"file:{tmp_path}/a"


def test_a_name_too_long_for_the_file_system_is_a_lookup_error(tmp_path: Path) -> None:
    with pytest.raises(SecretNotFoundError, match="longer than the file system allows"):
        Resolver().resolve(f"file:{tmp_path}/{'n' * 300}")


def test_file_root_confines_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "secrets"
    root.mkdir()
    (root / "token").write_text(SECRET)
    (tmp_path / "outside").write_text("not for this service")
    (root / "escape").symlink_to(tmp_path / "outside")
    monkeypatch.setenv("PAVEDROAD_SECRETS_FILE_ROOT", str(root))
    resolver = Resolver()
    assert resolver.resolve(f"file:{root}/token").reveal() == SECRET
    for ref in (f"file:{tmp_path}/outside", f"file:{root}/escape", f"file:{root}/../outside"):
        with pytest.raises(AuthenticationError, match="outside the allowed root") as caught:
            resolver.resolve(ref)
        assert "PAVEDROAD_SECRETS_FILE_ROOT" in str(caught.value)
        with pytest.raises(AuthenticationError):
            resolver.describe(ref)
    # The constructor argument wins over the environment.
    explicit = Resolver([FileProvider(root=tmp_path)])
    assert explicit.resolve(f"file:{root}/escape").reveal() == "not for this service"
    with pytest.raises(ValueError, match="absolute"):
        FileProvider(root="relative/dir")


def test_file_root_still_follows_the_kubelet_swap(
    kubelet_volume: KubeletVolume, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAVEDROAD_SECRETS_FILE_ROOT", str(kubelet_volume.root))
    kubelet_volume.write({"token": "one"})
    resolver = Resolver()
    assert resolver.resolve(f"file:{kubelet_volume.root}/token").reveal() == "one"
    kubelet_volume.write({"token": "two"})
    assert resolver.resolve(f"file:{kubelet_volume.root}/token").reveal() == "two"
