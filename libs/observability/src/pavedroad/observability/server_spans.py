"""The lean HTTP server span: one span per request, through the public OpenTelemetry API only.

:class:`ServerSpanMiddleware` is plain ASGI. Per HTTP request it

* extracts the parent context with the configured (global) propagators, and skips the
  extraction when the request carries none of the headers they read (the result is then the
  empty context, exactly what the propagators would return);
* starts a ``SERVER`` span, makes it current while the app runs, and ends it when the app
  returns;
* on a recording span only, sets the stable HTTP semantic-convention attributes
  (``http.request.method``, ``url.path``, ``url.scheme``, ``http.route``,
  ``http.response.status_code``, ``server.address``, ``server.port``, ``client.address``,
  ``user_agent.original``, ``network.protocol.version``, ``error.type``), names the span
  ``{method} {route}`` once the route is known, records exceptions, and sets the status as the
  conventions say for servers: 5xx and exceptions are errors, 4xx are not.

An unrecorded span (sampled out, or no processor) costs the extraction, the span's IDs and the
context switch, nothing else. The query string is never put on the span: it can hold tokens.
The same requests through the official OpenTelemetry instrumentation (with
``OTEL_SEMCONV_STABILITY_OPT_IN=http``) give the same span name, kind, status, IDs and these
attributes; ``tests/test_observability_server_spans.py`` holds that against its real output.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Final

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter, TextMapPropagator
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
from pavedroad.observability.http_types import (
    HTTP_METHODS,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    starlette_route,
)

__all__ = ["ServerSpanMiddleware"]

_INSTRUMENTATION_NAME: Final = "pavedroad.observability"
_EMPTY_CONTEXT: Final = otel_context.Context()
_OUTER_SPAN_WARNING: Final = (
    "a span is already open around this request (FastAPI's native telemetry, or another "
    "instrumentation), so the lean middleware adds none; create the app with "
    "FastAPI(telemetry={'tracing': False}) for the lean span, or remove the other layer"
)


class _ScopeHeaders(Getter[Scope]):
    """Reads request headers straight from the ASGI scope (names are lower case in ASGI)."""

    def get(self, carrier: Scope, key: str) -> list[str] | None:
        name = key.lower().encode("latin-1")
        values = [value.decode("latin-1") for item, value in carrier["headers"] if item == name]
        return values or None

    def keys(self, carrier: Scope) -> list[str]:
        return [name.decode("latin-1") for name, _ in carrier["headers"]]


_GETTER: Final = _ScopeHeaders()


def _error_type(exc: BaseException) -> str:
    cls = type(exc)
    module = cls.__module__
    if module in ("builtins", "__main__"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


class ServerSpanMiddleware:
    """Pure ASGI middleware that makes the request's ``SERVER`` span; see the module docstring.

    Args:
        app: The ASGI application to wrap.
        tracer_provider: Where spans come from; default the global provider.
        excluded_paths: Paths that get no span (compared exactly).
        route_resolver: Returns the route template of a finished request's scope, or ``None``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        tracer_provider: TracerProvider | None = None,
        excluded_paths: Iterable[str] = (),
        route_resolver: Callable[[Scope], str | None] = starlette_route,
    ) -> None:
        self.app = app
        self.tracer = trace.get_tracer(_INSTRUMENTATION_NAME, tracer_provider=tracer_provider)
        self.excluded_paths = frozenset(excluded_paths)
        self.route_resolver = route_resolver
        self._textmap: TextMapPropagator | None = None
        self._fields: frozenset[bytes] = frozenset()
        self._warned = False

    def _parent(self, scope: Scope) -> otel_context.Context:
        textmap = propagate.get_global_textmap()
        if textmap is not self._textmap:  # set_global_textmap may run after this was built
            self._fields = frozenset(field.lower().encode("latin-1") for field in textmap.fields)
            self._textmap = textmap
        fields = self._fields
        for name, _ in scope.get("headers", ()):
            if name in fields:
                return propagate.extract(scope, getter=_GETTER)
        return _EMPTY_CONTEXT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.excluded_paths:
            await self.app(scope, receive, send)
            return
        outer = trace.get_current_span().get_span_context()
        if outer.is_valid and not outer.is_remote:
            # Someone else already traces this request: one server span, not two.
            if not self._warned:
                self._warned = True
                logging.getLogger(_INSTRUMENTATION_NAME).warning(_OUTER_SPAN_WARNING)
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "")
        known = method in HTTP_METHODS
        parent = self._parent(scope)
        span = self.tracer.start_span(
            method if known else "HTTP", parent, SpanKind.SERVER, record_exception=False
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        if not span.is_recording():
            try:
                await self.app(scope, receive, send)
            finally:
                otel_context.detach(token)
                span.end()
            return

        self._start_attributes(span, scope, method, known)
        status = 0

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start" and not status:
                status = int(message["status"])
            await send(message)

        failure: BaseException | None = None
        try:
            await self.app(scope, receive, send_status)
        except BaseException as exc:
            failure = exc
            span.record_exception(exc)
            raise
        finally:
            otel_context.detach(token)
            self._finish(span, scope, method, known, status, failure)
            span.end()

    def _start_attributes(self, span: trace.Span, scope: Scope, method: str, known: bool) -> None:
        attributes: dict[str, Any] = {
            "http.request.method": method if known else "_OTHER",
            "url.scheme": scope.get("scheme", "http"),
            "url.path": scope.get("path", ""),
        }
        if not known:
            attributes["http.request.method_original"] = method
        version = scope.get("http_version")
        if version:
            attributes["network.protocol.version"] = version
        server = scope.get("server")
        if server:
            attributes["server.address"] = server[0]
            if server[1] is not None:
                attributes["server.port"] = server[1]
        client = scope.get("client")
        if client:
            attributes["client.address"] = client[0]
        for name, value in scope.get("headers", ()):
            if name == b"user-agent":
                attributes["user_agent.original"] = value.decode("latin-1")
                break
        span.set_attributes(attributes)

    def _finish(
        self,
        span: trace.Span,
        scope: Scope,
        method: str,
        known: bool,
        status: int,
        failure: BaseException | None,
    ) -> None:
        try:
            route = self.route_resolver(scope)
        except Exception:
            route = None
        if route:
            span.set_attribute("http.route", route)
            span.update_name(f"{method if known else 'HTTP'} {route}")
        if failure is not None and not status:
            # The app raised before answering: the server's error layer answers 500, and that
            # is the status the request span reports, as the official instrumentation does.
            status = 500
        if status:
            span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_attribute("error.type", str(status))
        elif failure is not None:
            span.set_attribute("error.type", _error_type(failure))
        elif not status:
            span.set_attribute("error.type", "incomplete_response")
        if failure is not None:
            span.set_status(Status(StatusCode.ERROR, f"{type(failure).__name__}: {failure}"))
        elif status >= 500 or not status:
            span.set_status(Status(StatusCode.ERROR))
