"""ASGI types and HTTP facts shared by the middleware, the span layer and the metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

__all__ = [
    "HTTP_METHODS",
    "ASGIApp",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "starlette_route",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The methods the HTTP semantic conventions name; any other is reported as ``_OTHER``.
HTTP_METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)


def starlette_route(scope: Scope) -> str | None:
    """Return the route template Starlette/FastAPI matched (e.g. ``/users/{user_id}``).

    Starlette's router stores the matched route in the scope; no route means nothing matched.
    """
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else None
