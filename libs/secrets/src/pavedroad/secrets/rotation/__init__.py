"""Rotation: the AWS four-step engine, strategies, and the Lambda entry point.

Lambda: set the handler to ``pavedroad.secrets.rotation.lambda_handler`` and configure it with
environment variables:

``PAVEDROAD_ROTATION_STRATEGY``
    ``generate``, ``postgres-single-user`` or ``postgres-alternating-users``.
``PAVEDROAD_ROTATION_ADMIN_REF``
    alternating-users only: reference to the admin credential.
``PAVEDROAD_ROTATION_KEY``
    generate only: the JSON key to replace (whole value when unset).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pavedroad.secrets.rotation.engine import STEPS, RotationEngine
from pavedroad.secrets.rotation.strategies import (
    GenerateStrategy,
    RotationStrategy,
    generate_password,
)

STRATEGIES = ("generate", "postgres-single-user", "postgres-alternating-users")


def strategy_from_name(
    name: str,
    *,
    admin_ref: str | None = None,
    key: str | None = None,
    length: int | None = None,
) -> RotationStrategy:
    """Build the strategy called ``name``; ValueError lists the valid names."""
    options: dict[str, Any] = {} if length is None else {"length": length}
    if name == "generate":
        return GenerateStrategy(key=key, **options)
    if name == "postgres-single-user":
        from pavedroad.secrets.rotation.postgres import PostgresSingleUserStrategy

        return PostgresSingleUserStrategy(**options)
    if name == "postgres-alternating-users":
        from pavedroad.secrets.rotation.postgres import PostgresAlternatingUsersStrategy

        return PostgresAlternatingUsersStrategy(admin_ref or "", **options)
    raise ValueError(f"unknown rotation strategy {name!r}: use one of {', '.join(STRATEGIES)}")


def lambda_handler(event: Mapping[str, Any], context: object) -> None:
    """AWS Lambda entry point for Secrets Manager rotation; see the module docstring."""
    name = os.environ.get("PAVEDROAD_ROTATION_STRATEGY", "")
    strategy = strategy_from_name(
        name,
        admin_ref=os.environ.get("PAVEDROAD_ROTATION_ADMIN_REF"),
        key=os.environ.get("PAVEDROAD_ROTATION_KEY"),
    )
    RotationEngine(strategy).handle(event)


__all__ = [
    "STEPS",
    "STRATEGIES",
    "GenerateStrategy",
    "RotationEngine",
    "RotationStrategy",
    "generate_password",
    "lambda_handler",
    "strategy_from_name",
]
