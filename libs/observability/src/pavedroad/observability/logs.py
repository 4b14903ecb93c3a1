"""The log pipeline: structlog and stdlib logging through one chain of processors.

Both paths share the same processors, in this order:

1. context: contextvars (``request_id``, ``team_id``...), level, logger name, the current
   span's ``trace_id``/``span_id``, and an ISO-8601 UTC timestamp;
2. sampling (:mod:`pavedroad.observability.sampling`);
3. exceptions as structured data (``exception``: a list of dicts, one per chained exception);
4. redaction (:mod:`pavedroad.observability.redaction`), after everything that can add text;
5. rendering: one JSON object per line, serialised with orjson, or a readable console line
   when stderr is a terminal outside production.

structlog events are written to the output directly as bytes, which keeps the per-line cost
close to a bare structlog setup. Stdlib records (uvicorn, SQLAlchemy, slack_sdk...) reach the
same processors through :class:`PipelineHandler` on the root logger.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable, MutableMapping, Sequence
from typing import IO, Any, Final, TextIO

import orjson
import structlog
from pavedroad.observability.correlation import add_trace_context
from pavedroad.observability.redaction import Redactor
from pavedroad.observability.sampling import LogSampler
from structlog.dev import ConsoleRenderer
from structlog.processors import (
    ExceptionRenderer,
    StackInfoRenderer,
    TimeStamper,
    add_log_level,
    format_exc_info,
)
from structlog.stdlib import ExtraAdder, ProcessorFormatter
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import Processor

__all__ = [
    "CAPTURED_LOGGERS",
    "PipelineHandler",
    "build_processors",
    "get_logger",
    "install_logging",
    "uninstall_logging",
]

#: Server loggers that install handlers of their own. :func:`configure` removes those handlers
#: and lets the records propagate to the root logger, so they come out as the same JSON.
CAPTURED_LOGGERS: Final = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "gunicorn",
    "gunicorn.error",
    "gunicorn.access",
)

_JSON_OPTIONS: Final = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
_OWN_MODULES: Final = ("structlog", "pavedroad.observability.logs", "logging")


def _add_logger_name(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    record = event_dict.get("_record")
    if record is not None:
        event_dict["logger"] = record.name
    else:
        event_dict["logger"] = getattr(logger, "name", None) or "root"
    return event_dict


def _add_origin(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Logger name plus the current span's IDs: one processor instead of two, as every
    processor call is a measurable share of a line's cost."""
    return add_trace_context(logger, method_name, _add_logger_name(logger, method_name, event_dict))


class _ExceptionsAndStacks:
    """Structured exceptions and stack info, skipped cheaply for the events that have neither."""

    def __init__(self, exceptions: Processor) -> None:
        self._stack = StackInfoRenderer()
        self._exceptions = exceptions

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        result: Any = event_dict
        if "exc_info" in result or "exception" in result:
            result = self._exceptions(logger, method_name, result)
        if "stack_info" in result:
            result = self._stack(logger, method_name, result)
        return result


def _drop_stdlib_noise(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # uvicorn attaches an ANSI-coloured duplicate of every message, and a formatter that ran
    # earlier (another handler's) leaves "message" and "asctime" on the record: not data.
    for key in ("color_message", "message", "asctime"):
        event_dict.pop(key, None)
    return event_dict


class _JSONRenderer:
    """Serialise an event dict with orjson; on any failure, still emit a line."""

    def __init__(self, redactor: Redactor, *, as_text: bool) -> None:
        self._redact = redactor.redact
        self._as_text = as_text

    def _default(self, obj: Any) -> Any:
        # Values orjson cannot serialise natively. Their text could hold secrets, so it is
        # redacted here: redaction ran before rendering and never saw it.
        if isinstance(obj, bytes | bytearray | memoryview):
            return bytes(obj).decode("utf-8", "backslashreplace")
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            try:
                return self._redact(dataclasses.asdict(obj))
            except Exception:
                return self._redact(repr(obj))
        if isinstance(obj, set | frozenset):
            return self._redact(list(obj))
        if isinstance(obj, BaseException):
            return self._redact(f"{type(obj).__name__}: {obj}")
        try:
            text = str(obj)
        except Exception:
            text = f"<unprintable {type(obj).__name__}>"
        return self._redact(text)

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> bytes | str:
        try:
            line = orjson.dumps(event_dict, default=self._default, option=_JSON_OPTIONS)
        except (TypeError, orjson.JSONEncodeError):
            line = self._fallback(event_dict)
        return line.decode() if self._as_text else line

    def _fallback(self, event_dict: MutableMapping[str, Any]) -> bytes:
        try:
            return orjson.dumps(self._jsonable(event_dict, 0), option=_JSON_OPTIONS)
        except Exception as exc:
            return orjson.dumps(
                {
                    "event": "log event could not be serialised",
                    "level": str(event_dict.get("level", "error")),
                    "logger": str(event_dict.get("logger", "")),
                    "error": type(exc).__name__,
                }
            )

    def _jsonable(self, value: Any, depth: int) -> Any:
        """Coerce what orjson rejects (huge ints, lone surrogates) into safe values."""
        if depth > 64:
            return "[TRUNCATED:depth]"
        if isinstance(value, str):
            return value.encode("utf-8", "replace").decode("utf-8")
        if isinstance(value, bool) or value is None or isinstance(value, float):
            return value
        if isinstance(value, int):
            return value if -(2**63) <= value < 2**64 else str(value)
        if isinstance(value, dict):
            return {
                str(self._jsonable(k, depth + 1)): self._jsonable(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._jsonable(item, depth + 1) for item in value]
        if dataclasses.is_dataclass(value):
            return self._jsonable(self._default(value), depth + 1)
        try:
            orjson.dumps(value)  # natively serialisable: datetime, UUID, enum...
        except (TypeError, orjson.JSONEncodeError):
            return self._jsonable(self._default(value), depth + 1)
        return value


def build_processors(
    redactor: Redactor, sampler: LogSampler, *, console: bool, as_text: bool
) -> tuple[list[Processor], list[Processor]]:
    """Return ``(context, tail)``: the processors that gather context, then the rest.

    structlog runs ``context + tail``; the stdlib handler runs ``context`` as the foreign
    pre-chain and ``tail`` after it, so both paths produce identical events.
    """
    context: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_log_level,
        TimeStamper(fmt="iso", utc=True),
        _add_origin,
    ]
    renderer: Processor
    if console:
        exceptions: Processor = format_exc_info
        renderer = ConsoleRenderer(colors=_isatty(sys.stdout))
    else:
        exceptions = ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        renderer = _JSONRenderer(redactor, as_text=as_text)
    tail: list[Processor] = [_ExceptionsAndStacks(exceptions), redactor, renderer]
    if not sampler.keeps_everything:
        tail.insert(0, sampler)
    return context, tail


def _isatty(stream: IO[Any]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _caller_module() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if not any(name == own or name.startswith(own + ".") for own in _OWN_MODULES):
            return name
        frame = frame.f_back  # type: ignore[assignment]
    return "root"


class _NamedLoggerFactory:
    """Create structlog's output loggers with a ``name``, for the ``logger`` field.

    ``structlog.get_logger("payments")`` names the logger; without a name, the calling module's
    ``__name__`` is used, as :func:`logging.getLogger(__name__)` would.
    """

    def __init__(self, stream: TextIO, *, binary: bool) -> None:
        self._stream = stream
        self._binary = binary

    def __call__(self, *args: Any) -> Any:
        name = args[0] if args and isinstance(args[0], str) else _caller_module()
        if self._binary:
            return structlog.BytesLogger(self._stream.buffer, name=name)
        logger = structlog.WriteLogger(self._stream)
        logger.name = name  # type: ignore[attr-defined]
        return logger


class PipelineHandler(logging.Handler):
    """A stdlib handler that sends records through the structlog pipeline.

    Records dropped by sampling are discarded quietly; anything else that fails goes to
    :meth:`logging.Handler.handleError`, as for any handler, and never to the caller.
    """

    def __init__(self, formatter: ProcessorFormatter, write: Callable[[str], None]) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(formatter)
        self._write = write

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except structlog.DropEvent:
            return
        except Exception:
            self.handleError(record)
            return
        try:
            self._write(line)
        except Exception:
            self.handleError(record)


def install_logging(
    *,
    redactor: Redactor,
    sampler: LogSampler,
    level: str,
    console: bool,
    stream: TextIO,
    capture_loggers: Sequence[str] = CAPTURED_LOGGERS,
) -> PipelineHandler:
    """Configure structlog and the root logger; return the handler that was installed.

    Calling it again replaces the previous configuration: the old :class:`PipelineHandler` is
    removed before the new one is added, so records are never written twice.
    """
    binary = not console and hasattr(stream, "buffer")
    context, tail = build_processors(redactor, sampler, console=console, as_text=not binary)
    numeric_level = logging.getLevelNamesMapping()[level]
    structlog.configure(
        processors=[*context, *tail],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=_NamedLoggerFactory(stream, binary=binary),
        cache_logger_on_first_use=True,
    )

    stdlib_context, stdlib_tail = build_processors(redactor, sampler, console=console, as_text=True)
    formatter = ProcessorFormatter(
        foreign_pre_chain=[*stdlib_context, ExtraAdder(), _drop_stdlib_noise],
        processors=[ProcessorFormatter.remove_processors_meta, *stdlib_tail],
        use_get_message=True,
    )
    if binary:
        out = structlog.BytesLogger(stream.buffer)

        def write(line: str) -> None:
            out.msg(line.encode("utf-8", "backslashreplace"))
    else:
        text_out = structlog.WriteLogger(stream)

        def write(line: str) -> None:
            text_out.msg(line)

    handler = PipelineHandler(formatter, write)
    root = logging.getLogger()
    uninstall_logging()
    root.addHandler(handler)
    root.setLevel(numeric_level)
    for name in capture_loggers:
        captured = logging.getLogger(name)
        for old in list(captured.handlers):
            captured.removeHandler(old)
        captured.propagate = True
        captured.setLevel(logging.NOTSET)
    logging.captureWarnings(True)
    return handler


def uninstall_logging() -> None:
    """Remove every :class:`PipelineHandler` from the root logger and reset structlog."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, PipelineHandler):
            root.removeHandler(handler)
            handler.close()


def get_logger(name: str | None = None, **initial_values: Any) -> Any:
    """Return a structlog logger named ``name`` (default: the calling module's name)."""
    if name is None:
        name = _caller_module()
    return structlog.get_logger(name, **initial_values)
