"""Database client spans for SQLAlchemy, at the engine level, never with bound parameters.

:func:`instrument_database` listens to SQLAlchemy's public engine events on the ``Engine``
class, so every engine in the process (an ``AsyncEngine``'s ``sync_engine`` too) gets a
``CLIENT`` span per statement, a child of the current span. Span names and attributes follow
the stable OpenTelemetry database conventions: the name is ``{db.operation.name}
{db.collection.name}`` (``SELECT notes``), with ``db.system.name``, ``db.operation.name``,
``db.collection.name``, ``db.namespace``, ``server.address``, ``server.port`` and, for a
failed statement, ``error.type`` and an error status.

The statement's text (``db.query.text``, opt-in in the conventions) and its parameters are
never recorded: a literal in the SQL or a bound value can be a secret. The operation and the
first table are read from the statement text with a small scanner, cached per statement.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pavedroad.observability.errors import ConfigurationError

__all__ = ["instrument_database", "is_database_instrumented", "uninstrument_database"]

_TRACER_NAME: Final = "pavedroad.observability.database"
#: The span is kept on SQLAlchemy's per-execution context object under this attribute.
_SPAN_ATTRIBUTE: Final = "_pavedroad_span"
#: SQLAlchemy dialect names to the conventions' ``db.system.name`` values.
_SYSTEMS: Final = {
    "postgresql": "postgresql",
    "sqlite": "sqlite",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "mssql": "microsoft.sql_server",
    "oracle": "oracle.db",
}
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]+")
_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[A-Za-z_][\w$]*)'
_QUALIFIED = rf"{_NAME}(?:\s*\.\s*{_NAME})*"
#: Where the first table of each operation is named.
_TABLE_AFTER: Final = {
    "SELECT": re.compile(rf"\bFROM\s+({_QUALIFIED})", re.IGNORECASE),
    "DELETE": re.compile(rf"\bFROM\s+({_QUALIFIED})", re.IGNORECASE),
    "INSERT": re.compile(rf"\bINTO\s+({_QUALIFIED})", re.IGNORECASE),
    "REPLACE": re.compile(rf"\bINTO\s+({_QUALIFIED})", re.IGNORECASE),
    "UPDATE": re.compile(
        rf"^\s*UPDATE\s+(?:OR\s+\w+\s+)?(?:ONLY\s+)?({_QUALIFIED})", re.IGNORECASE
    ),
}


@lru_cache(maxsize=512)
def operation_and_table(statement: str) -> tuple[str | None, str | None]:
    """The statement's operation (``SELECT``) and first table (``notes``), where it names one.

    A scan of the text, not a SQL parser: a subquery in ``FROM`` or a ``WITH`` query gives no
    table. Quotes around a table name are dropped; a schema stays (``public.notes``).
    """
    body = statement[_LEADING.match(statement).end() :]  # type: ignore[union-attr]
    word = _WORD.match(body)
    if word is None:
        return None, None
    operation = word.group().upper()
    pattern = _TABLE_AFTER.get(operation)
    found = pattern.search(body) if pattern is not None else None
    if found is None:
        return operation, None
    table = re.sub(r'["`\[\]\s]', "", found.group(1))
    return operation, table


class _Listeners:
    """The engine event handlers, bound to one tracer."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    def before_cursor_execute(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        operation, table = operation_and_table(statement)
        engine = conn.engine
        system = _SYSTEMS.get(engine.dialect.name, "other_sql")
        name = f"{operation} {table}" if operation and table else operation or system
        span = self._tracer.start_span(name, kind=SpanKind.CLIENT)
        if span.is_recording():
            url = engine.url
            attributes: dict[str, Any] = {"db.system.name": system}
            if operation:
                attributes["db.operation.name"] = operation
            if table:
                attributes["db.collection.name"] = table
            if url.database and system != "sqlite":
                attributes["db.namespace"] = url.database
            if url.host:
                attributes["server.address"] = url.host
                if url.port:
                    attributes["server.port"] = url.port
            span.set_attributes(attributes)
        if context is not None:
            setattr(context, _SPAN_ATTRIBUTE, span)
        else:  # no execution context (rare DBAPI-level calls): nothing will end it later
            span.end()

    def after_cursor_execute(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        span = getattr(context, _SPAN_ATTRIBUTE, None)
        if span is not None:
            setattr(context, _SPAN_ATTRIBUTE, None)
            span.end()

    def handle_error(self, exception_context: Any) -> None:
        span = getattr(exception_context.execution_context, _SPAN_ATTRIBUTE, None)
        if span is None:
            return
        setattr(exception_context.execution_context, _SPAN_ATTRIBUTE, None)
        error = exception_context.original_exception
        if span.is_recording():
            # The type only: a driver's message can quote the statement's values.
            span.set_attribute("error.type", type(error).__qualname__)
            span.set_status(Status(StatusCode.ERROR))
        span.end()


#: Module state on purpose: the listeners sit on SQLAlchemy's Engine class, which the whole
#: process shares, so the record of them lives as long as the class; configure() and
#: shutdown() install and remove them through the functions below.
_installed: _Listeners | None = None


def instrument_database() -> None:
    """Give every SQLAlchemy engine's statements a database client span (idempotent)."""
    global _installed
    if _installed is not None:
        return
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError as exc:
        raise ConfigurationError(
            "instrument_database (PAVEDROAD_INSTRUMENT_DATABASE) needs SQLAlchemy; install it "
            "or turn the setting off."
        ) from exc
    listeners = _Listeners(trace.get_tracer(_TRACER_NAME))
    event.listen(Engine, "before_cursor_execute", listeners.before_cursor_execute)
    event.listen(Engine, "after_cursor_execute", listeners.after_cursor_execute)
    event.listen(Engine, "handle_error", listeners.handle_error)
    _installed = listeners


def uninstrument_database() -> None:
    """Remove what :func:`instrument_database` added (idempotent)."""
    global _installed
    listeners = _installed
    if listeners is None:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.remove(Engine, "before_cursor_execute", listeners.before_cursor_execute)
    event.remove(Engine, "after_cursor_execute", listeners.after_cursor_execute)
    event.remove(Engine, "handle_error", listeners.handle_error)
    _installed = None


def is_database_instrumented() -> bool:
    """Whether :func:`instrument_database` is in effect."""
    return _installed is not None
