"""The AWS Secrets Manager four-step rotation protocol, for a Lambda or a CronJob.

createSecret
    Store a new version labelled AWSPENDING under the rotation's token, unless it exists.
setSecret
    Make the downstream system accept the pending value (strategy).
testSecret
    Prove the pending value works (strategy).
finishSecret
    Move AWSCURRENT to the pending version; Secrets Manager moves AWSPREVIOUS to the version
    that held AWSCURRENT; then take AWSPENDING off the new current version.

Each step is idempotent and checks its own preconditions, so any step can be retried after a
failure. createSecret, setSecret and testSecret move no label at all; finishSecret's single
commit point is the AWSCURRENT move, and a retry completes whatever followed it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pavedroad.secrets.errors import RotationError
from pavedroad.secrets.providers.aws import (
    AWSCURRENT,
    AWSPENDING,
    AWSPREVIOUS,
    make_client,
    raise_for,
)
from pavedroad.secrets.rotation.strategies import RotationStrategy
from pavedroad.secrets.value import SecretValue

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

logger = logging.getLogger("pavedroad.secrets")

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


class RotationEngine:
    """Runs rotation steps for one strategy against Secrets Manager.

    :param strategy: what the rotation does to the secret and the system behind it.
    :param client: a Secrets Manager client; boto3's default chain when omitted.
    """

    def __init__(
        self, strategy: RotationStrategy, client: SecretsManagerClient | None = None
    ) -> None:
        self.strategy = strategy
        self._client = client

    @property
    def client(self) -> SecretsManagerClient:
        """The Secrets Manager client, created on first use."""
        if self._client is None:
            self._client = make_client()
        return self._client

    # -- entry points --------------------------------------------------------------------------

    def handle(self, event: Mapping[str, Any]) -> None:
        """Run the step a Secrets Manager rotation event asks for (the Lambda contract)."""
        try:
            secret_id = event["SecretId"]
            token = event["ClientRequestToken"]
            step = event["Step"]
        except KeyError as exc:
            raise RotationError(
                f"rotation event lacks {exc.args[0]!r}: expected SecretId, "
                "ClientRequestToken and Step",
                secret_id=str(event.get("SecretId", "?")),
                step=str(event.get("Step", "?")),
            ) from None
        metadata = self._describe(secret_id, step)
        stages = dict(metadata.get("VersionIdsToStages", {}))
        if not metadata.get("RotationEnabled", False):
            raise RotationError(
                f"{step}: secret {secret_id} does not have rotation enabled; enable it or run "
                "'pavedroad-secrets rotate' instead",
                secret_id=secret_id,
                step=step,
            )
        if token not in stages:
            raise RotationError(
                f"{step}: token {token} is not a version of secret {secret_id}",
                secret_id=secret_id,
                step=step,
            )
        if AWSCURRENT in stages[token]:
            logger.info("rotation version already current", extra={"secret_id": secret_id})
            return
        if AWSPENDING not in stages[token]:
            raise RotationError(
                f"{step}: version {token} of secret {secret_id} is not labelled AWSPENDING",
                secret_id=secret_id,
                step=step,
            )
        self.run_step(step, secret_id, token)

    def run_step(self, step: str, secret_id: str, token: str) -> None:
        """Run one named step; raise :class:`RotationError` if it fails."""
        steps: dict[str, Callable[[str, str], None]] = {
            "createSecret": self.create_secret,
            "setSecret": self.set_secret,
            "testSecret": self.test_secret,
            "finishSecret": self.finish_secret,
        }
        if step not in steps:
            raise RotationError(
                f"unknown rotation step {step!r}: use one of {', '.join(STEPS)}",
                secret_id=secret_id,
                step=step,
            )
        steps[step](secret_id, token)

    def rotate(
        self,
        secret_id: str,
        *,
        token: str | None = None,
        attempts: int = 3,
        backoff: float = 0.5,
    ) -> str:
        """Run all four steps now (the CLI and CronJob path); return the new version's id.

        Each step is tried up to ``attempts`` times. If one still fails, :class:`RotationError`
        names it; running ``rotate`` again with the same ``token`` resumes the rotation.
        """
        token = token or str(uuid.uuid4())
        for step in STEPS:
            for attempt in range(1, attempts + 1):
                try:
                    self.run_step(step, secret_id, token)
                    break
                except RotationError as exc:
                    if attempt == attempts:
                        raise
                    logger.warning(
                        "rotation step failed; retrying",
                        extra={"secret_id": secret_id, "step": step, "error": str(exc)},
                    )
                    time.sleep(backoff * attempt)
        return token

    # -- the four steps ------------------------------------------------------------------------

    def create_secret(self, secret_id: str, token: str) -> None:
        """createSecret: store the strategy's new value as AWSPENDING under ``token``."""
        step = "createSecret"
        current = self._value(step, secret_id, stage=AWSCURRENT)
        if AWSPENDING in self._stages(secret_id, step).get(token, ()):
            return
        try:
            pending = self.strategy.create(current)
        except Exception as exc:
            raise self._failed(step, secret_id, exc) from exc
        self._call(
            step,
            secret_id,
            lambda: self.client.put_secret_value(
                SecretId=secret_id,
                ClientRequestToken=token,
                SecretString=pending,
                VersionStages=[AWSPENDING],
            ),
        )
        logger.info("rotation: pending version created", extra={"secret_id": secret_id})

    def set_secret(self, secret_id: str, token: str) -> None:
        """setSecret: let the strategy make the downstream system accept the pending value."""
        step = "setSecret"
        pending = self._value(step, secret_id, stage=AWSPENDING, version_id=token)
        current = self._value(step, secret_id, stage=AWSCURRENT)
        previous = self._read(step, secret_id, stage=AWSPREVIOUS)
        try:
            self.strategy.set(pending, current, previous)
        except Exception as exc:
            raise self._failed(step, secret_id, exc) from exc

    def test_secret(self, secret_id: str, token: str) -> None:
        """testSecret: let the strategy prove the pending value works."""
        step = "testSecret"
        pending = self._value(step, secret_id, stage=AWSPENDING, version_id=token)
        try:
            self.strategy.test(pending)
        except Exception as exc:
            raise self._failed(step, secret_id, exc) from exc

    def finish_secret(self, secret_id: str, token: str) -> None:
        """finishSecret: AWSCURRENT to ``token``, AWSPREVIOUS to the old one, AWSPENDING off."""
        step = "finishSecret"
        stages = self._stages(secret_id, step)
        if token not in stages:
            raise RotationError(
                f"{step}: token {token} is not a version of secret {secret_id}; run "
                "createSecret first",
                secret_id=secret_id,
                step=step,
            )
        old = next((v for v, labels in stages.items() if AWSCURRENT in labels), None)
        if old != token:
            move: dict[str, Any] = {"MoveToVersionId": token}
            if old is not None:
                move["RemoveFromVersionId"] = old
            self._call(
                step,
                secret_id,
                lambda: self.client.update_secret_version_stage(
                    SecretId=secret_id, VersionStage=AWSCURRENT, **move
                ),
            )
            logger.info("rotation: AWSCURRENT moved", extra={"secret_id": secret_id})
            stages = self._stages(secret_id, step)
            if old is not None and AWSPREVIOUS not in stages.get(old, ()):
                # Secrets Manager does this itself; some implementations of its API do not.
                holder = next((v for v, labels in stages.items() if AWSPREVIOUS in labels), None)
                previous_move: dict[str, Any] = {"MoveToVersionId": old}
                if holder is not None:
                    previous_move["RemoveFromVersionId"] = holder
                self._call(
                    step,
                    secret_id,
                    lambda: self.client.update_secret_version_stage(
                        SecretId=secret_id, VersionStage=AWSPREVIOUS, **previous_move
                    ),
                )
        if AWSPENDING in stages.get(token, ()):
            self._call(
                step,
                secret_id,
                lambda: self.client.update_secret_version_stage(
                    SecretId=secret_id, VersionStage=AWSPENDING, RemoveFromVersionId=token
                ),
            )

    # -- helpers -------------------------------------------------------------------------------

    def _call(self, step: str, secret_id: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            raise self._failed(step, secret_id, exc) from exc

    @staticmethod
    def _failed(step: str, secret_id: str, exc: Exception) -> RotationError:
        detail = str(exc)
        try:
            if not isinstance(exc, RotationError):
                raise_for(exc, f"aws-sm:{secret_id}")
        except Exception as translated:
            detail = str(translated)
        moved = "" if step == "finishSecret" else "no label was moved; "
        return RotationError(
            f"{step} failed for secret {secret_id}: {detail}; {moved}the step is idempotent, "
            "retry it",
            secret_id=secret_id,
            step=step,
        )

    def _describe(self, secret_id: str, step: str) -> Any:
        return self._call(step, secret_id, lambda: self.client.describe_secret(SecretId=secret_id))

    def _stages(self, secret_id: str, step: str) -> dict[str, list[str]]:
        return dict(self._describe(secret_id, step).get("VersionIdsToStages", {}))

    def _value(
        self, step: str, secret_id: str, *, stage: str, version_id: str | None = None
    ) -> SecretValue:
        value = self._read(step, secret_id, stage=stage, version_id=version_id)
        if value is None:
            where = f"version {version_id} at {stage}" if version_id else stage
            raise RotationError(
                f"{step}: secret {secret_id} has no {where}; "
                + ("run createSecret first" if stage == AWSPENDING else "store a value first"),
                secret_id=secret_id,
                step=step,
            )
        return value

    def _read(
        self, step: str, secret_id: str, *, stage: str, version_id: str | None = None
    ) -> SecretValue | None:
        """The value at ``stage`` (and ``version_id``), or None when there is none."""
        kwargs: dict[str, Any] = {"SecretId": secret_id, "VersionStage": stage}
        if version_id is not None:
            kwargs["VersionId"] = version_id
        try:
            response = self.client.get_secret_value(**kwargs)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code == "ResourceNotFoundException":
                return None
            raise self._failed(step, secret_id, exc) from exc
        if "SecretString" not in response:
            raise RotationError(
                f"{step}: secret {secret_id} ({stage}) is binary; rotation handles "
                "SecretString secrets",
                secret_id=secret_id,
                step=step,
            )
        return SecretValue(response["SecretString"])
