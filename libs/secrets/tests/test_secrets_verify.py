"""Multi-version HMAC verification: Slack signatures across a signing-secret rotation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pavedroad.secrets import (
    SecretCache,
    SecretValue,
    SlackSignatureVerifier,
    slack_signature,
    verify_hmac,
)
from pavedroad.secrets.testing import KubeletVolume, wait_until

BODY = b"token=xyz&team_id=T1&command=%2Fdeploy&text=prod"


def signed_headers(secret: str, body: bytes, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(SecretValue(secret), timestamp, body),
    }


def test_known_slack_signature() -> None:
    # The example from Slack's "Verifying requests from Slack" documentation.
    secret = SecretValue("8f742231b10e8888abcd99yyyzzz85a5")
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        slack_signature(secret, "1531420618", body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_verify_hmac_accepts_any_listed_secret() -> None:
    import hashlib
    import hmac

    message = b"payload"
    old, new = SecretValue("old-secret"), SecretValue("new-secret")
    signature = "sha256=" + hmac.new(b"old-secret", message, hashlib.sha256).hexdigest()
    assert verify_hmac(message, signature, [new, old], prefix="sha256=")
    assert not verify_hmac(message, signature, [new], prefix="sha256=")
    assert not verify_hmac(message, signature[7:], [new, old], prefix="sha256=")


def test_rotation_accepts_previous_secret_during_overlap_only(
    kubelet_volume: KubeletVolume,
) -> None:
    kubelet_volume.write({"signing-secret": "secret-one"})
    ref = f"file:{kubelet_volume.root}/signing-secret"
    with SecretCache(ttl=3600, max_staleness=7200, poll_interval=0.05, overlap=2.0) as cache:
        verifier = SlackSignatureVerifier(cache, ref)
        assert verifier.is_valid_request(BODY, signed_headers("secret-one", BODY))
        assert not verifier.is_valid_request(BODY, signed_headers("secret-two", BODY))

        kubelet_volume.write({"signing-secret": "secret-two"})
        assert wait_until(lambda: cache.get(ref).reveal() == "secret-two", timeout=5)
        # During the overlap both are accepted ...
        assert verifier.is_valid_request(BODY, signed_headers("secret-two", BODY))
        assert verifier.is_valid_request(BODY, signed_headers("secret-one", BODY))
        # ... and after it only the new one.
        time.sleep(2.1)
        assert verifier.is_valid_request(BODY, signed_headers("secret-two", BODY))
        assert not verifier.is_valid_request(BODY, signed_headers("secret-one", BODY))


def test_explicit_previous_reference(tmp_path: Path) -> None:
    (tmp_path / "current").write_text("new")
    (tmp_path / "previous").write_text("old")
    with SecretCache() as cache:
        verifier = SlackSignatureVerifier(
            cache, f"file:{tmp_path}/current", f"file:{tmp_path}/previous"
        )
        assert verifier.is_valid_request(BODY, signed_headers("old", BODY))
        assert verifier.is_valid_request(BODY, signed_headers("new", BODY))
        assert len(verifier.signing_secrets()) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"},
    ],
)
def test_missing_or_bad_headers_are_rejected(tmp_path: Path, headers: dict[str, str]) -> None:
    (tmp_path / "s").write_text("secret")
    with SecretCache() as cache:
        assert not SlackSignatureVerifier(cache, f"file:{tmp_path}/s").is_valid_request(
            BODY, headers
        )


def test_replayed_old_request_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "s").write_text("secret")
    with SecretCache() as cache:
        verifier = SlackSignatureVerifier(cache, f"file:{tmp_path}/s")
        old = signed_headers("secret", BODY, at=time.time() - 301)
        assert not verifier.is_valid_request(BODY, old)
        lowercase = {k.lower(): [v] for k, v in signed_headers("secret", BODY).items()}
        assert verifier.is_valid_request(BODY.decode(), lowercase)


def test_verifier_needs_a_reference() -> None:
    with SecretCache() as cache, pytest.raises(ValueError, match="at least one"):
        SlackSignatureVerifier(cache)
