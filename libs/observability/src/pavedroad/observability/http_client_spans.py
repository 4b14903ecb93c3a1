"""HTTP client spans for aiohttp, the client of slack_sdk's ``AsyncWebClient`` and Bolt.

:func:`instrument_http_client` adds one aiohttp ``TraceConfig`` (aiohttp's public request
tracing hooks) to every ``aiohttp.ClientSession`` created afterwards, as the official
instrumentation does: slack_sdk and Bolt create their sessions themselves, so there is no
other place to pass it. Each request gets a ``CLIENT`` span, a child of the current span, with
the stable HTTP client attributes ``http.request.method``, ``server.address``,
``server.port``, ``url.full``, ``http.response.status_code`` and, on failure, ``error.type``,
and the current trace context is propagated in the request headers.

Only the scheme, host, port and path reach ``url.full``: the query string and any user
information are dropped (a token in a query parameter never reaches a span), and no header is
recorded (``Authorization`` never does). A Slack Web API call (a path ending in
``/api/<method>``) is named by its method, ``chat.postMessage``; any other request by its HTTP
method, as the conventions say.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pavedroad.observability.errors import ConfigurationError

__all__ = [
    "http_client_trace_config",
    "instrument_http_client",
    "is_http_client_instrumented",
    "uninstrument_http_client",
]

_TRACER_NAME: Final = "pavedroad.observability.http_client"
_KNOWN_METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
#: ``.../api/chat.postMessage``: Slack Web API method names are dotted camel-case words.
_SLACK_METHOD = re.compile(r"/api/([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)/?$")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@lru_cache(maxsize=256)
def slack_method(path: str) -> str | None:
    """The Slack Web API method a request path calls (``chat.postMessage``), or ``None``."""
    found = _SLACK_METHOD.search(path)
    return found.group(1) if found else None


def _start(tracer: trace.Tracer, ctx: Any, params: Any) -> None:
    url = params.url
    method = params.method.upper()
    known = method if method in _KNOWN_METHODS else "_OTHER"
    path = url.raw_path
    name = slack_method(path) or (known if known != "_OTHER" else "HTTP")
    span = tracer.start_span(name, kind=SpanKind.CLIENT)
    if span.is_recording():
        scheme = url.scheme
        port = url.port or _DEFAULT_PORTS.get(scheme)
        host = url.raw_host or ""
        netloc = f"[{host}]" if ":" in host else host
        if url.explicit_port:
            netloc = f"{netloc}:{url.port}"
        attributes: dict[str, Any] = {
            "http.request.method": known,
            "server.address": host,
            "url.full": f"{scheme}://{netloc}{path}",
        }
        if port is not None:
            attributes["server.port"] = port
        if known == "_OTHER":
            attributes["http.request.method_original"] = params.method
        span.set_attributes(attributes)
    ctx.pavedroad_span = span
    propagate.inject(params.headers, context=trace.set_span_in_context(span))


def _end(ctx: Any, params: Any) -> None:
    span = getattr(ctx, "pavedroad_span", None)
    if span is None:
        return
    ctx.pavedroad_span = None
    status = params.response.status
    if span.is_recording():
        span.set_attribute("http.response.status_code", status)
        if status >= 400:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))
    span.end()


def _fail(ctx: Any, params: Any) -> None:
    span = getattr(ctx, "pavedroad_span", None)
    if span is None:
        return
    ctx.pavedroad_span = None
    if span.is_recording():
        # The type only: the message of a connection error can quote the URL with its query.
        span.set_attribute("error.type", type(params.exception).__qualname__)
        span.set_status(Status(StatusCode.ERROR))
    span.end()


def http_client_trace_config(tracer: trace.Tracer | None = None) -> Any:
    """An ``aiohttp.TraceConfig`` that makes the client spans, for a session of your own."""
    import aiohttp

    tracer_ = tracer or trace.get_tracer(_TRACER_NAME)

    async def on_request_start(session: Any, ctx: Any, params: Any) -> None:
        _start(tracer_, ctx, params)

    async def on_request_end(session: Any, ctx: Any, params: Any) -> None:
        _end(ctx, params)

    async def on_request_exception(session: Any, ctx: Any, params: Any) -> None:
        _fail(ctx, params)

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_request_start)
    config.on_request_end.append(on_request_end)
    config.on_request_exception.append(on_request_exception)
    config.freeze()
    return config


#: Module state on purpose: the patch is on aiohttp's ClientSession class, which the whole
#: process shares, so the original it replaced is kept as long as the class; configure() and
#: shutdown() install and remove it through the functions below.
_original_init: Any = None


def instrument_http_client() -> None:
    """Trace the requests of every ``aiohttp.ClientSession`` created from now on (idempotent).

    Raises:
        ConfigurationError: aiohttp is not installed.
    """
    global _original_init
    if _original_init is not None:
        return
    try:
        import aiohttp
    except ImportError as exc:
        raise ConfigurationError(
            "instrument_http_client (PAVEDROAD_INSTRUMENT_HTTP_CLIENT) needs aiohttp, the "
            "client of slack_sdk's AsyncWebClient; install it or turn the setting off."
        ) from exc
    config = http_client_trace_config()
    original = aiohttp.ClientSession.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        configs = list(kwargs.get("trace_configs") or ())
        if config not in configs:
            configs.append(config)
        kwargs["trace_configs"] = configs
        original(self, *args, **kwargs)

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    aiohttp.ClientSession.__init__ = __init__  # type: ignore[method-assign]
    _original_init = original


def uninstrument_http_client() -> None:
    """Undo :func:`instrument_http_client` for sessions created afterwards (idempotent)."""
    global _original_init
    if _original_init is None:
        return
    import aiohttp

    aiohttp.ClientSession.__init__ = _original_init  # type: ignore[method-assign]
    _original_init = None


def is_http_client_instrumented() -> bool:
    """Whether :func:`instrument_http_client` is in effect."""
    return _original_init is not None
