"""AWS Secrets Manager through moto in server mode: the provider and the four rotation steps."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pavedroad.secrets import (
    Resolver,
    RotationError,
    SecretCache,
    SecretKeyError,
    SecretNotFoundError,
    TransientBackendError,
)
from pavedroad.secrets.providers.aws import AwsSecretsManagerProvider
from pavedroad.secrets.rotation import GenerateStrategy, RotationEngine, lambda_handler
from pavedroad.secrets.testing import MotoServer, free_port
from pavedroad.secrets.value import SecretValue

pytestmark = pytest.mark.integration

SECRET_ID = "prod/app/api"


def stages(client: Any, secret_id: str = SECRET_ID) -> dict[str, list[str]]:
    return {
        version: sorted(labels)
        for version, labels in client.describe_secret(SecretId=secret_id)[
            "VersionIdsToStages"
        ].items()
    }


def current_value(client: Any, stage: str = "AWSCURRENT") -> str:
    value: str = client.get_secret_value(SecretId=SECRET_ID, VersionStage=stage)["SecretString"]
    return value


# -- provider ----------------------------------------------------------------------------------


def test_reads_current_previous_and_keys(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "one"}))
    sm_client.put_secret_value(SecretId=SECRET_ID, SecretString=json.dumps({"key": "two"}))
    resolver = Resolver()
    assert resolver.resolve(f"aws-sm:{SECRET_ID}#key").reveal() == "two"
    assert resolver.resolve(f"aws-sm:{SECRET_ID}?stage=AWSCURRENT#key").reveal() == "two"
    assert resolver.resolve(f"aws-sm:{SECRET_ID}#key?stage=AWSPREVIOUS").reveal() == "one"
    fetched = resolver.fetch(f"aws-sm:{SECRET_ID}")
    assert fetched.version is not None
    by_id = resolver.resolve(f"aws-sm:{SECRET_ID}?version-id={fetched.version}#key")
    assert by_id.reveal() == "two"


def test_describe_reports_the_current_version_age(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString="x")
    metadata = Resolver().describe(f"aws-sm:{SECRET_ID}")
    assert metadata.last_changed is not None
    assert metadata.last_changed.tzinfo is not None


def test_missing_secret_names_reference_and_provider(sm_client: Any) -> None:
    with pytest.raises(SecretNotFoundError) as caught:
        Resolver().resolve("aws-sm:prod/absent")
    assert caught.value.reference == "aws-sm:prod/absent"
    assert caught.value.provider == "aws-sm"
    assert "aws-sm:prod/absent" in str(caught.value)


def test_missing_stage_is_not_found(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString="only-one-version")
    with pytest.raises(SecretNotFoundError):
        Resolver().resolve(f"aws-sm:{SECRET_ID}?stage=AWSPREVIOUS")


def test_missing_key_names_the_key(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"password": "p4ss-w0rd"}))
    with pytest.raises(SecretKeyError) as caught:
        Resolver().resolve(f"aws-sm:{SECRET_ID}#username")
    assert caught.value.key == "username"
    assert "p4ss-w0rd" not in str(caught.value)


def test_unreachable_endpoint_is_transient(
    monkeypatch: pytest.MonkeyPatch, aws: MotoServer
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", f"http://127.0.0.1:{free_port()}")
    provider = AwsSecretsManagerProvider()
    with pytest.raises(TransientBackendError) as caught:
        Resolver([provider]).resolve("aws-sm:prod/anything")
    assert caught.value.provider == "aws-sm"


def test_cache_reads_through_moto(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString="cached")
    with SecretCache(ttl=60, max_staleness=120) as cache:
        assert cache.get(f"aws-sm:{SECRET_ID}").reveal() == "cached"


# -- rotation: the four steps ---------------------------------------------------------------


class FlakyClient:
    """The real moto client, except that chosen operations fail once."""

    def __init__(self, client: Any, fail_once: set[str]) -> None:
        self._client = client
        self.fail_once = set(fail_once)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name in self.fail_once:

            def failing(*args: Any, **kwargs: Any) -> Any:
                self.fail_once.discard(name)
                raise ConnectionResetError(f"injected failure in {name}")

            return failing
        return attribute


def flaky_client(client: Any, fail_once: set[str]) -> Any:
    """A FlakyClient typed as the client it stands in for."""
    return FlakyClient(client, fail_once)


class FlakyStrategy(GenerateStrategy):
    """Generates values; fails once in the steps named in ``fail_once``."""

    def __init__(self, fail_once: set[str]) -> None:
        super().__init__(key="key")
        self.fail_once = set(fail_once)
        self.set_calls = 0
        self.test_calls = 0

    def _maybe_fail(self, step: str) -> None:
        if step in self.fail_once:
            self.fail_once.discard(step)
            raise RuntimeError(f"injected failure in {step}")

    def create(self, current: SecretValue) -> str:
        self._maybe_fail("create")
        return super().create(current)

    def set(self, pending: SecretValue, current: SecretValue, previous: SecretValue | None) -> None:
        self.set_calls += 1
        self._maybe_fail("set")

    def test(self, pending: SecretValue) -> None:
        self.test_calls += 1
        self._maybe_fail("test")


def test_four_steps_move_the_labels(sm_client: Any) -> None:
    first = sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "k0"}))
    old_version = first["VersionId"]
    engine = RotationEngine(GenerateStrategy(key="key"), client=sm_client)
    token = "11111111-2222-3333-4444-555555555555"

    engine.create_secret(SECRET_ID, token)
    assert stages(sm_client) == {old_version: ["AWSCURRENT"], token: ["AWSPENDING"]}
    pending = json.loads(
        sm_client.get_secret_value(SecretId=SECRET_ID, VersionStage="AWSPENDING")["SecretString"]
    )
    assert pending["key"] != "k0" and len(pending["key"]) == 32

    engine.set_secret(SECRET_ID, token)
    engine.test_secret(SECRET_ID, token)
    assert stages(sm_client) == {old_version: ["AWSCURRENT"], token: ["AWSPENDING"]}

    engine.finish_secret(SECRET_ID, token)
    assert stages(sm_client) == {old_version: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    assert json.loads(current_value(sm_client))["key"] == pending["key"]
    assert json.loads(current_value(sm_client, "AWSPREVIOUS"))["key"] == "k0"


def test_every_step_is_idempotent(sm_client: Any) -> None:
    first = sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "k0"}))
    engine = RotationEngine(GenerateStrategy(key="key"), client=sm_client)
    token = "aaaaaaaa-2222-3333-4444-555555555555"
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        engine.run_step(step, SECRET_ID, token)
        snapshot = (stages(sm_client), current_value(sm_client))
        engine.run_step(step, SECRET_ID, token)
        assert (stages(sm_client), current_value(sm_client)) == snapshot
    assert stages(sm_client) == {first["VersionId"]: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}


def test_two_rotations_in_a_row(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "k0"}))
    engine = RotationEngine(GenerateStrategy(key="key"), client=sm_client)
    first = engine.rotate(SECRET_ID)
    second = engine.rotate(SECRET_ID)
    labels = stages(sm_client)
    assert labels[second] == ["AWSCURRENT"]
    assert labels[first] == ["AWSPREVIOUS"]
    assert sum("AWSPENDING" in v for v in labels.values()) == 0


@pytest.mark.parametrize(
    ("step", "strategy_failures", "client_failures"),
    [
        ("createSecret", {"create"}, set()),
        ("createSecret", set(), {"put_secret_value"}),
        ("setSecret", {"set"}, set()),
        ("setSecret", set(), {"get_secret_value"}),
        ("testSecret", {"test"}, set()),
        ("finishSecret", set(), {"update_secret_version_stage"}),
        ("finishSecret", set(), {"describe_secret"}),
    ],
)
def test_a_failed_step_moves_no_label_and_its_retry_succeeds(
    sm_client: Any, step: str, strategy_failures: set[str], client_failures: set[str]
) -> None:
    first = sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "k0"}))
    strategy = FlakyStrategy(strategy_failures)
    good = RotationEngine(strategy, client=sm_client)
    token = "bbbbbbbb-2222-3333-4444-555555555555"
    steps = ["createSecret", "setSecret", "testSecret", "finishSecret"]
    for earlier in steps[: steps.index(step)]:
        good.run_step(earlier, SECRET_ID, token)

    before = stages(sm_client)
    flaky = RotationEngine(strategy, client=flaky_client(sm_client, client_failures))
    with pytest.raises(RotationError) as caught:
        flaky.run_step(step, SECRET_ID, token)
    assert caught.value.step == step
    assert caught.value.secret_id == SECRET_ID
    assert "retry" in str(caught.value)
    assert stages(sm_client) == before  # the failed step moved no label

    flaky.run_step(step, SECRET_ID, token)  # the retry succeeds
    for later in steps[steps.index(step) + 1 :]:
        good.run_step(later, SECRET_ID, token)
    assert stages(sm_client) == {first["VersionId"]: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}


def test_rotate_retries_failed_steps_itself(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "k0"}))
    strategy = FlakyStrategy({"set", "test"})
    engine = RotationEngine(strategy, client=flaky_client(sm_client, {"put_secret_value"}))
    token = engine.rotate(SECRET_ID, backoff=0.01)
    assert stages(sm_client)[token] == ["AWSCURRENT"]
    assert strategy.set_calls == 2 and strategy.test_calls == 2


def test_rotate_gives_up_after_the_attempts_and_names_the_step(sm_client: Any) -> None:
    sm_client.create_secret(Name=SECRET_ID, SecretString=json.dumps({"key": "k0"}))

    class AlwaysFails(GenerateStrategy):
        def test(self, pending: SecretValue) -> None:
            raise RuntimeError("the new key is refused")

    before_value = current_value(sm_client)
    with pytest.raises(RotationError) as caught:
        RotationEngine(AlwaysFails(key="key"), client=sm_client).rotate(
            SECRET_ID, attempts=2, backoff=0.01
        )
    assert caught.value.step == "testSecret"
    assert "the new key is refused" in str(caught.value)
    assert current_value(sm_client) == before_value


class RotationEnabledClient(FlakyClient):
    """moto's rotate_secret would invoke a Lambda; report rotation as enabled instead."""

    def describe_secret(self, **kwargs: Any) -> Any:
        return {**self._client.describe_secret(**kwargs), "RotationEnabled": True}


def enabled_client(client: Any, fail_once: set[str]) -> Any:
    return RotationEnabledClient(client, fail_once)


def test_lambda_contract(sm_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = sm_client.create_secret(Name=SECRET_ID, SecretString="plain-old-value")
    engine = RotationEngine(GenerateStrategy(), client=enabled_client(sm_client, set()))
    token = "cccccccc-2222-3333-4444-555555555555"
    engine.create_secret(SECRET_ID, token)
    for step in ("setSecret", "testSecret", "finishSecret"):
        engine.handle({"SecretId": SECRET_ID, "ClientRequestToken": token, "Step": step})
    assert stages(sm_client) == {first["VersionId"]: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    # A step for a version that is already current is a no-op (Secrets Manager retries).
    engine.handle({"SecretId": SECRET_ID, "ClientRequestToken": token, "Step": "finishSecret"})
    with pytest.raises(RotationError, match="not a version"):
        engine.handle({"SecretId": SECRET_ID, "ClientRequestToken": "nope", "Step": "setSecret"})
    with pytest.raises(RotationError, match="lacks 'Step'"):
        engine.handle({"SecretId": SECRET_ID, "ClientRequestToken": token})

    # The module-level handler refuses secrets without rotation enabled, naming the fix.
    monkeypatch.setenv("PAVEDROAD_ROTATION_STRATEGY", "generate")
    with pytest.raises(RotationError, match="does not have rotation enabled"):
        lambda_handler(
            {"SecretId": SECRET_ID, "ClientRequestToken": token, "Step": "createSecret"}, None
        )
