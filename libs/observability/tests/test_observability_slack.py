"""Slack Bolt middleware: workspace, org and user IDs on every log line of a listener."""

from __future__ import annotations

import asyncio
from typing import Any

from pavedroad.observability import current_correlation, slack_correlation
from pavedroad.observability.slack import (
    async_bolt_correlation_middleware,
    bolt_correlation_middleware,
)

CONTEXT = {
    "team_id": "T0123ABCD",
    "enterprise_id": "E0123ABCD",
    "user_id": "U0123ABCD",
    "channel_id": "C0123ABCD",
    "bot_token": "not-a-correlation-field",
}


def test_slack_correlation_picks_only_the_ids() -> None:
    assert slack_correlation(CONTEXT) == {
        "team_id": "T0123ABCD",
        "enterprise_id": "E0123ABCD",
        "user_id": "U0123ABCD",
    }
    assert slack_correlation({"team_id": "T1", "enterprise_id": None}) == {"team_id": "T1"}


def test_sync_middleware_binds_for_the_rest_of_the_chain_only() -> None:
    seen: dict[str, Any] = {}

    def next_() -> str:
        seen.update(current_correlation())
        return "response"

    assert bolt_correlation_middleware(CONTEXT, next_) == "response"
    assert seen == {"team_id": "T0123ABCD", "enterprise_id": "E0123ABCD", "user_id": "U0123ABCD"}
    assert current_correlation() == {}


def test_async_middleware_binds_for_the_rest_of_the_chain_only() -> None:
    seen: dict[str, Any] = {}

    async def next_() -> str:
        seen.update(current_correlation())
        return "response"

    assert asyncio.run(async_bolt_correlation_middleware(CONTEXT, next_)) == "response"
    assert seen["team_id"] == "T0123ABCD"
    assert current_correlation() == {}
