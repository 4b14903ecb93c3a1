"""The log pipeline: structlog and stdlib logging through one fused processor.

Every event, from structlog or from a stdlib logger, goes through the same steps, done by one
:class:`LogPipeline` call rather than a chain of processors (each processor call is a
measurable share of a line's cost):

1. sampling (:mod:`pavedroad.observability.sampling`), first, so a dropped event costs little;
2. context: contextvars (``request_id``, ``team_id``...), which never override the event's
   own fields;
3. exceptions as structured data (``exception``: a list of dicts, one per chained exception);
4. redaction (:mod:`pavedroad.observability.redaction`) of every field gathered so far, after
   everything that can add text;
5. the pipeline's own fields, which need no redaction: ``level``, an ISO-8601 UTC
   ``timestamp``, ``logger``, and the current span's ``trace_id``/``span_id``;
6. rendering: one JSON object per line, serialised with orjson, or a readable console line
   when stderr is a terminal outside production; a JSON line longer than the size caps has
   its largest values cut, and says so in its ``truncated`` field
   (:mod:`pavedroad.observability.line_limits`).

structlog events are written to the output directly as bytes. Stdlib records (uvicorn,
SQLAlchemy, slack_sdk...) reach the same pipeline through :class:`PipelineHandler` on the root
logger, which builds the event from the record (message, ``extra`` fields, exception) without
copying or formatting the record first.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable, MutableMapping, Sequence
from contextvars import ContextVar, copy_context
from typing import IO, Any, Final, TextIO

import orjson
import structlog
from pavedroad.observability.call_safety import (
    FAILED_EVENT,
    FAILURE_KEY,
    failure_details,
    safe_bound_logger_class,
)
from pavedroad.observability.correlation import TraceIds
from pavedroad.observability.line_limits import fit_line
from pavedroad.observability.redaction_engine import Redactor
from pavedroad.observability.sampling import REPORT_MARKER, LogSampler
from pavedroad.observability.settings import (
    DEFAULT_LOG_MAX_FIELD_BYTES,
    DEFAULT_LOG_MAX_LINE_BYTES,
)
from structlog.contextvars import STRUCTLOG_KEY_PREFIX
from structlog.dev import ConsoleRenderer
from structlog.processors import (
    ExceptionRenderer,
    StackInfoRenderer,
    format_exc_info,
)
from structlog.tracebacks import ExceptionDictTransformer

__all__ = [
    "CAPTURED_LOGGERS",
    "LogPipeline",
    "PipelineHandler",
    "SafeText",
    "active_pipeline",
    "emit",
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
_PREFIX_LENGTH: Final = len(STRUCTLOG_KEY_PREFIX)
_MAX_CONTEXT_VARS: Final = 1024
_MISSING: Final = object()
_LEVEL_NUMBERS: Final = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}
_RECORD_LEVELS: Final = {
    name: name.lower() for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
}
_IMMUTABLE: Final = frozenset({str, int, float, bool, type(None)})
#: structlog method names that are not level names, as structlog's add_log_level maps them.
_METHOD_LEVELS: Final = {"warn": "warning", "exception": "error"}
#: LogRecord attributes that are not ``extra`` fields, plus what formatters and uvicorn add to
#: a record (``message``, ``asctime``, ``color_message``: an ANSI-coloured duplicate).
_RECORD_ATTRIBUTES: Final = frozenset(
    {
        *logging.LogRecord("name", 0, "pathname", 0, "msg", (), None).__dict__,
        "message",
        "asctime",
        "color_message",
    }
)


class SafeText(str):
    """Text the library generated itself from random bytes (a new request ID): it cannot hold
    a secret, so the pipeline writes it as it is when it is bound as context, instead of
    redacting a value that differs on every request and so never hits the redaction caches.
    Anything received from outside stays a plain ``str`` and is redacted as always."""

    __slots__ = ()


class _JSONRenderer:
    """Serialise an event dict with orjson; on any failure, still emit a line. Lines longer
    than the smaller size cap go through :func:`fit_line`."""

    def __init__(
        self,
        redactor: Redactor,
        *,
        as_text: bool,
        max_field_bytes: int = DEFAULT_LOG_MAX_FIELD_BYTES,
        max_line_bytes: int = DEFAULT_LOG_MAX_LINE_BYTES,
    ) -> None:
        self._redact = redactor.redact
        self._as_text = as_text
        self._default_hook = self._default  # bound once, not on every line
        self._max_field_bytes = max_field_bytes
        self._max_line_bytes = max_line_bytes
        # No field of a line shorter than both caps can be over either.
        self._fits = min(max_field_bytes, max_line_bytes)

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
            line = orjson.dumps(event_dict, default=self._default_hook, option=_JSON_OPTIONS)
        except (TypeError, orjson.JSONEncodeError):
            line = self._fallback(event_dict)
        if len(line) > self._fits:
            line = self._fit(event_dict, line)
        return line.decode() if self._as_text else line

    def _dumps(self, value: Any) -> bytes:
        try:
            return orjson.dumps(value, default=self._default_hook, option=_JSON_OPTIONS)
        except (TypeError, orjson.JSONEncodeError):
            return orjson.dumps(self._jsonable(value, 0), option=_JSON_OPTIONS)

    def _fit(self, event_dict: MutableMapping[str, Any], line: bytes) -> bytes:
        try:
            return fit_line(
                event_dict,
                line,
                self._dumps,
                max_field_bytes=self._max_field_bytes,
                max_line_bytes=self._max_line_bytes,
            )
        except Exception as exc:
            return self._failed(event_dict, exc)

    def _fallback(self, event_dict: MutableMapping[str, Any]) -> bytes:
        try:
            return orjson.dumps(self._jsonable(event_dict, 0), option=_JSON_OPTIONS)
        except Exception as exc:
            return self._failed(event_dict, exc)

    @staticmethod
    def _failed(event_dict: MutableMapping[str, Any], exc: Exception) -> bytes:
        return orjson.dumps(
            {
                "event": "log event could not be serialised",
                "level": str(event_dict.get("level", "error"))[:16],
                "logger": str(event_dict.get("logger", ""))[:256],
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


class _ContextCache(dict[ContextVar[Any], tuple[str, Any, Any] | None]):
    """Context variable -> ``(event key, last value, that value redacted)``, or ``None`` for
    variables that are not structlog's.

    Bound context (``request_id``, ``team_id``...) is the same on every line of a request, so
    its redacted form is kept per variable and reused while the variable holds the same
    object. Only immutable values (str, numbers, None) are kept: a dict or list in the context
    could change between lines, and is redacted on every line.
    """

    def __missing__(self, var: ContextVar[Any]) -> tuple[str, Any, Any] | None:
        name = var.name
        if not name.startswith(STRUCTLOG_KEY_PREFIX):
            entry = None
        else:
            entry = (name[_PREFIX_LENGTH:], _MISSING, None)
        if len(self) < _MAX_CONTEXT_VARS:
            self[var] = entry
        return entry


class LogPipeline:
    """The whole log pipeline as one structlog processor (the only one configured).

    structlog calls it with the event dict of a structlog call; :class:`PipelineHandler` calls
    :meth:`process_record` with a stdlib record. Both end in :meth:`process`, so the two paths
    produce the same fields from the same steps. It returns the rendered line (bytes for a
    binary JSON stream, else text) or raises :class:`structlog.DropEvent` for an event dropped
    by sampling. Safe to share between threads.

    Args:
        redactor: Redacts every field the event and the context brought.
        sampler: The sampling policy; a policy that keeps everything costs nothing.
        console: Render readable console lines instead of JSON.
        as_text: Return ``str`` rather than ``bytes`` (for text-only JSON streams).
        colors: Colour the console lines.
        max_field_bytes: Cap on one field of a JSON line (see :mod:`.line_limits`).
        max_line_bytes: Cap on a whole JSON line.
        trace_ids: Reads the current span's IDs (default: a reader of its own).
        write: Where :func:`emit` writes this pipeline's lines (``None``: emit() goes through
            structlog); :func:`install_logging` passes the writer it gave structlog.
        threshold: The numeric level below which :func:`emit` drops an event, as the bound
            logger does for structlog calls.
    """

    def __init__(
        self,
        redactor: Redactor,
        sampler: LogSampler,
        *,
        console: bool = False,
        as_text: bool = False,
        colors: bool = False,
        max_field_bytes: int = DEFAULT_LOG_MAX_FIELD_BYTES,
        max_line_bytes: int = DEFAULT_LOG_MAX_LINE_BYTES,
        trace_ids: TraceIds | None = None,
        write: Callable[[Any], None] | None = None,
        threshold: int = logging.NOTSET,
    ) -> None:
        self.redactor = redactor
        self.sampler = sampler
        self.trace_ids = TraceIds() if trace_ids is None else trace_ids
        self.write = write
        self.threshold = threshold
        self._redact_event = redactor.redact_event
        self._redact_field = redactor.redact_field
        self._sampler = None if sampler.keeps_everything else sampler
        self._trace_ids = self.trace_ids.__call__  # a bound method: cheaper to call per line
        self._context = _ContextCache()
        self._second: tuple[int, str] = (-1, "")
        self._stack = StackInfoRenderer()
        self._exceptions: Callable[..., Any]
        self._render: Callable[..., Any]
        if console:
            self._exceptions = format_exc_info
            self._render = ConsoleRenderer(colors=colors)
        else:
            self._exceptions = ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
            self._render = _JSONRenderer(
                redactor,
                as_text=as_text,
                max_field_bytes=max_field_bytes,
                max_line_bytes=max_line_bytes,
            )

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        name = getattr(logger, "name", None) or "root"
        level = _METHOD_LEVELS.get(method_name, method_name)
        try:
            return self.process(event_dict, level, name)
        except structlog.DropEvent:
            raise
        except Exception as error:
            # Never into the caller's code: a line that says a record was lost, and why.
            return self._render(None, "error", self._failure_event(error, level, name))

    def _failure_event(self, error: Exception, level: str, name: str) -> dict[str, Any]:
        return {
            "event": "log event could not be processed",
            "error": type(error).__name__,
            "requested_level": str(level)[:16],
            "level": "error",
            "timestamp": self._timestamp(),
            "logger": str(name)[:256],
        }

    def process_record(self, record: logging.LogRecord) -> Any:
        """Build the event of a stdlib record and run it through :meth:`process`.

        A record whose message cannot be formatted (``log.info("%s %s", x)``) becomes an
        error record naming the call (template, call site, error type, number of arguments)
        without its arguments, which could hold secrets.
        """
        try:
            message = record.getMessage()
        except Exception as error:
            event_dict: dict[str, Any] = {
                "event": FAILED_EVENT,
                FAILURE_KEY: failure_details(
                    record.msg,
                    record.levelname.lower(),
                    len(record.args) if isinstance(record.args, tuple) else 1,
                    error,
                    f"{record.module}:{record.lineno}",
                ),
            }
            failed = True
        else:
            event_dict = {"event": message}
            failed = False
        if record.exc_info:
            event_dict["exc_info"] = record.exc_info
        if record.stack_info:
            event_dict["stack_info"] = record.stack_info
        attributes = record.__dict__
        extra = attributes.keys() - _RECORD_ATTRIBUTES  # the fields passed with extra={...}
        if extra:
            # makeRecord() adds them after the standard attributes, in the caller's order, so
            # they are usually the last keys; if not, the record's order is kept all the same.
            keys = list(attributes)
            ordered = keys[len(keys) - len(extra) :]
            if not extra.issuperset(ordered):
                ordered = [key for key in keys if key in extra]
            for key in ordered:
                event_dict[key] = attributes[key]
        level = "error" if failed else _RECORD_LEVELS.get(record.levelname)
        if level is None:
            level = record.levelname.lower()
        return self.process(event_dict, level, record.name)

    def process(self, event_dict: MutableMapping[str, Any], level: str, name: str) -> Any:
        """Run one event through every step; see the module docstring for the order."""
        ids = self._trace_ids()
        if event_dict.pop(REPORT_MARKER, False):
            pass  # the sampler's own report is never sampled
        elif self._sampler is not None and not self._sampler.keep(
            level, name, event_dict.get("event", ""), ids is not None and ids[3]
        ):
            raise structlog.DropEvent

        if "exc_info" in event_dict or "exception" in event_dict:
            event_dict = self._exceptions(None, level, event_dict)
        if "stack_info" in event_dict:
            event_dict = self._stack(None, level, event_dict)
        self._redact_event(event_dict)

        # Bound context, redacted too (see _ContextCache); the event's own fields win.
        cache = self._context
        for var, value in copy_context().items():
            entry = cache[var]
            if entry is None or value is Ellipsis:
                continue
            key = entry[0]
            if key in event_dict:
                continue
            event_dict[key] = (
                entry[2] if entry[1] is value else self._context_value(var, key, value)
            )

        event_dict["level"] = level
        event_dict["timestamp"] = self._timestamp()
        event_dict["logger"] = name
        if ids is not None:
            event_dict["trace_id"] = ids[1]
            event_dict["span_id"] = ids[2]
        return self._render(None, level, event_dict)

    def _context_value(self, var: ContextVar[Any], key: str, value: Any) -> Any:
        if type(value) is SafeText:
            return value  # generated here: nothing to redact, and too short-lived to cache
        redacted = self._redact_field(key, value)
        cache = self._context
        if type(value) in _IMMUTABLE and (var in cache or len(cache) < _MAX_CONTEXT_VARS):
            cache[var] = (key, value, redacted)
        return redacted

    def _timestamp(self) -> str:
        """ISO-8601 UTC with microseconds, e.g. ``2026-01-15T10:30:00.123456Z``.

        The same text as ``datetime.now(UTC).isoformat()`` with ``Z`` (but always with six
        digits of microseconds), with the date and time formatted once per second.
        """
        nanoseconds = time.time_ns()
        second = nanoseconds // 1_000_000_000
        cached = self._second
        if cached[0] != second:
            cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
            self._second = cached
        return f"{cached[1]}.{nanoseconds // 1000 % 1_000_000:06d}Z"


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
            return _SafeBytesLogger(self._stream.buffer, name=name)
        logger = _SafeWriteLogger(self._stream)
        logger.name = name  # type: ignore[attr-defined]
        return logger


def _report_write_failure(name: object) -> None:
    """One stderr line for a line that could not be written: never its content."""
    try:
        error = sys.exc_info()[1]
        sys.stderr.write(
            f"pavedroad.observability: a log line of logger {str(name)[:256]!r} could not be "
            f"written ({type(error).__name__}); its content is not shown.\n"
        )
    except Exception:  # stderr itself is gone; nothing is left to tell
        pass


#: The base classes' writers, called directly (cheaper than super() on every line).
_WRITE_BYTES: Final = structlog.BytesLogger.msg
_WRITE_TEXT: Final = structlog.WriteLogger.msg


class _SafeBytesLogger(structlog.BytesLogger):
    """structlog's bytes writer, except that a failed write (a closed or broken stream) is
    reported on stderr instead of raising into the code that logged."""

    def msg(self, message: bytes) -> None:
        try:
            _WRITE_BYTES(self, message)
        except Exception:
            _report_write_failure(self.name)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


class _SafeWriteLogger(structlog.WriteLogger):
    """structlog's text writer, with failed writes reported like :class:`_SafeBytesLogger`."""

    def msg(self, message: str) -> None:
        try:
            _WRITE_TEXT(self, message)
        except Exception:
            _report_write_failure(getattr(self, "name", None))

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


class PipelineHandler(logging.Handler):
    """A stdlib handler that sends records through the same :class:`LogPipeline` as structlog.

    Records dropped by sampling are discarded quietly. A record that cannot be processed
    becomes an error line; one that cannot be written is reported on stderr by
    :meth:`handleError`, by logger and call site only: never with the record's arguments,
    which stdlib's own ``handleError`` prints and which can hold secrets.
    """

    def __init__(self, pipeline: LogPipeline, write: Callable[[Any], None]) -> None:
        super().__init__(logging.NOTSET)
        self.pipeline = pipeline
        self._process = pipeline.process_record
        self._write = write

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self._process(record)
        except structlog.DropEvent:
            return
        except Exception as error:
            pipeline = self.pipeline
            try:
                line = pipeline._render(
                    None, "error", pipeline._failure_event(error, record.levelname, record.name)
                )
            except Exception:
                self.handleError(record)
                return
        try:
            self._write(line)
        except Exception:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Report a record that could not be written, without its message or arguments."""
        if not logging.raiseExceptions:
            return
        try:
            error = sys.exc_info()[1]
            sys.stderr.write(
                "pavedroad.observability: a log record could not be written "
                f"(logger {record.name!r}, {record.module}:{record.lineno}, "
                f"{type(error).__name__}); its arguments are not shown.\n"
            )
        except Exception:  # stderr itself is gone; nothing is left to tell
            pass


def install_logging(
    *,
    redactor: Redactor,
    sampler: LogSampler,
    level: str,
    console: bool,
    stream: TextIO,
    capture_loggers: Sequence[str] = CAPTURED_LOGGERS,
    max_field_bytes: int = DEFAULT_LOG_MAX_FIELD_BYTES,
    max_line_bytes: int = DEFAULT_LOG_MAX_LINE_BYTES,
    trace_ids: TraceIds | None = None,
) -> PipelineHandler:
    """Configure structlog and the root logger; return the handler that was installed.

    One :class:`LogPipeline` serves both: it is structlog's only processor and the handler's
    pipeline. Calling this again replaces the previous configuration: the old
    :class:`PipelineHandler` is removed before the new one is added, so records are never
    written twice.
    """
    binary = not console and hasattr(stream, "buffer")
    # The same lock-guarded writers structlog uses, so lines from both paths never interleave.
    out: Any = structlog.BytesLogger(stream.buffer) if binary else structlog.WriteLogger(stream)
    numeric_level = logging.getLevelNamesMapping()[level]
    pipeline = LogPipeline(
        redactor,
        sampler,
        console=console,
        as_text=not binary,
        colors=_isatty(sys.stdout),
        max_field_bytes=max_field_bytes,
        max_line_bytes=max_line_bytes,
        trace_ids=trace_ids,
        write=out.msg,
        threshold=numeric_level,
    )
    structlog.configure(
        processors=[pipeline],
        wrapper_class=safe_bound_logger_class(numeric_level),
        logger_factory=_NamedLoggerFactory(stream, binary=binary),
        cache_logger_on_first_use=True,
    )

    handler = PipelineHandler(pipeline, out.msg)
    root = logging.getLogger()
    uninstall_logging()
    root.addHandler(handler)
    root.setLevel(numeric_level)
    for name in capture_loggers:
        captured = logging.getLogger(name)
        if not captured.handlers and not captured.propagate:
            # Silenced on purpose (uvicorn's --no-access-log, access_log=False): propagating
            # would turn it back on, a second access line per request beside the middleware's.
            continue
        for old in list(captured.handlers):
            captured.removeHandler(old)
        captured.propagate = True
        captured.setLevel(logging.NOTSET)
    logging.captureWarnings(True)
    return handler


def active_pipeline() -> LogPipeline | None:
    """The :class:`LogPipeline` structlog runs now, if :func:`install_logging` set it up.

    Nothing is kept here: structlog's configuration is the one record of which pipeline is in
    use, so a later :func:`install_logging` (a new :func:`configure` handle) or another
    structlog setup takes over from the old pipeline at once.
    """
    processors = structlog.get_config()["processors"]
    if len(processors) == 1:
        pipeline = processors[0]
        if type(pipeline) is LogPipeline and pipeline.write is not None:
            return pipeline
    return None


def emit(
    logger_name: str,
    level: str,
    event_dict: dict[str, Any],
    pipeline: LogPipeline | None = None,
) -> None:
    """Write one event straight through the active pipeline, as a structlog call would.

    The same line as ``structlog.get_logger(logger_name).<level>(**event_dict)``, without
    structlog's per-call machinery (the access log writes one per request). ``pipeline`` is
    :func:`active_pipeline`, for a caller that looked it up already. Before
    :func:`configure` (or after another structlog setup replaced it) it is exactly that call.
    """
    if pipeline is None:
        pipeline = active_pipeline()
    write = None if pipeline is None else pipeline.write
    if pipeline is None or write is None:
        getattr(structlog.get_logger(logger_name), level)(**event_dict)
        return
    if _LEVEL_NUMBERS.get(level, logging.INFO) < pipeline.threshold:
        return
    try:
        line = pipeline.process(event_dict, level, logger_name)
    except structlog.DropEvent:
        return
    except Exception as error:  # never into the caller (the access log of a request)
        line = pipeline._render(None, "error", pipeline._failure_event(error, level, logger_name))
    write(line)


def uninstall_logging() -> None:
    """Remove every :class:`PipelineHandler` from the root logger. structlog's configuration
    (and so :func:`active_pipeline`) is left as it is."""
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
