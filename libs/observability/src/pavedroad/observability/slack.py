"""Slack Bolt global middleware that binds the workspace, org and user to every log line.

Register it first so every listener's logs carry the IDs::

    app = App(...)
    app.use(bolt_correlation_middleware)               # slack_bolt.App
    async_app.use(async_bolt_correlation_middleware)   # slack_bolt.async_app.AsyncApp

Bolt injects middleware arguments by name, hence ``context`` and ``next_``. Lazy listeners run
in Bolt's thread pool, which does not copy contextvars: bind again inside a lazy listener with
:func:`pavedroad.observability.bound_correlation` if its logs need the IDs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pavedroad.observability.correlation import bound_correlation, slack_correlation

__all__ = ["async_bolt_correlation_middleware", "bolt_correlation_middleware"]


def bolt_correlation_middleware(context: Mapping[str, Any], next_: Callable[[], Any]) -> Any:
    """Bind ``team_id``, ``enterprise_id`` and ``user_id`` while the rest of the chain runs."""
    with bound_correlation(**slack_correlation(context)):
        return next_()


async def async_bolt_correlation_middleware(
    context: Mapping[str, Any], next_: Callable[[], Awaitable[Any]]
) -> Any:
    """The :class:`slack_bolt.async_app.AsyncApp` form of :func:`bolt_correlation_middleware`."""
    with bound_correlation(**slack_correlation(context)):
        return await next_()
